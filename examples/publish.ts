// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * Publishes a message.
 *
 *     deno run -A examples/publish.ts greet.joe "hello"
 *     deno run -A examples/publish.ts --count 3 --header X-Trace=abc greet.joe hi
 *
 * @module
 */
// deno-lint-ignore-file no-console
import { connect, headers } from "../mod.ts";
import { keyValue, parseArgs } from "./_args.ts";

const args = parseArgs(Deno.args, {
  usage: `
usage: publish.ts [--server url] [--count n] [--header key=value]... <subject> <message>

  --server   NATS server (default 127.0.0.1:4222)
  --count    publish the message n times (default 1)
  --header   add a header; repeat for more
`,
  options: ["count", "header"],
  minPositional: 2,
  maxPositional: 2,
});
const [subject, message] = args.positional;
const count = args.int("count", 1)!;

let h;
for (const kv of args.all("header")) {
  const [k, v] = keyValue(kv, args);
  h ??= headers();
  h.append(k, v);
}

let nc;
try {
  nc = await connect({ servers: args.server, name: "nats-rt publish example" });
} catch (err) {
  console.error(
    `error: cannot connect to ${args.server}: ${(err as Error).message}`,
  );
  Deno.exit(1);
}
try {
  for (let i = 0; i < count; i++) nc.publish(subject, message, { headers: h });
  // flush() returns once the server has processed every publish.
  await nc.flush();
  console.log(
    `published ${count} message${count === 1 ? "" : "s"} to "${subject}"`,
  );
} catch (err) {
  console.error(`error: ${(err as Error).message}`);
  Deno.exitCode = 1;
} finally {
  await nc.close();
}

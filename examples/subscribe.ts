// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * Subscribes to a subject (wildcards allowed) and prints every message.
 *
 *     deno run -A examples/subscribe.ts "greet.*"
 *     deno run -A examples/subscribe.ts --count 2 "orders.>"
 *
 * @module
 */
// deno-lint-ignore-file no-console
import { connect, type Msg } from "../mod.ts";
import { onInterrupt, parseArgs } from "./_args.ts";

const args = parseArgs(Deno.args, {
  usage: `
usage: subscribe.ts [--server url] [--count n] [--queue group] <subject>

  --server   NATS server (default 127.0.0.1:4222)
  --count    exit after n messages (default: run until Ctrl-C)
  --queue    join a queue group
  <subject>  may use wildcards: "*" matches one token, ">" the rest
`,
  options: ["count", "queue"],
  minPositional: 1,
  maxPositional: 1,
});
const [subject] = args.positional;
const count = args.int("count");

function show(n: number, m: Msg): void {
  const lines = [`[#${n}] subject: ${m.subject}`];
  if (m.reply) lines.push(`      reply:   ${m.reply}`);
  if (m.headers) {
    for (const [k, vs] of m.headers) {
      for (const v of vs) lines.push(`      header:  ${k}: ${v}`);
    }
  }
  lines.push(`      data:    ${m.string()}`);
  console.log(lines.join("\n"));
}

let nc;
try {
  nc = await connect({
    servers: args.server,
    name: "nats-rt subscribe example",
  });
} catch (err) {
  console.error(
    `error: cannot connect to ${args.server}: ${(err as Error).message}`,
  );
  Deno.exit(1);
}
const sub = nc.subscribe(subject, { max: count, queue: args.get("queue") });
const stop = onInterrupt(() => sub.unsubscribe());
try {
  // After flush() the server knows the subscription: publishes sent from now on arrive.
  await nc.flush();
  console.log(
    `Listening on "${subject}" at ${nc.getServer()}` +
      (count ? `, exiting after ${count} message(s)` : ", Ctrl-C to stop"),
  );
  let n = 0;
  for await (const m of sub) show(++n, m);
  console.log(`received ${n} message${n === 1 ? "" : "s"}`);
} catch (err) {
  console.error(`error: ${(err as Error).message}`);
  Deno.exitCode = 1;
} finally {
  stop();
  await nc.close();
}

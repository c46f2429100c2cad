// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * Sends a request and prints the reply, or why there was none.
 *
 *     deno run -A examples/request.ts time.now
 *     deno run -A examples/request.ts --timeout 500 greet "joe"
 *
 * Exit codes: 0 reply received, 1 no responders / timeout / other error.
 *
 * @module
 */
// deno-lint-ignore-file no-console
import { connect, ErrorCode, headers } from "../mod.ts";
import { keyValue, parseArgs } from "./_args.ts";

const args = parseArgs(Deno.args, {
  usage: `
usage: request.ts [--server url] [--timeout ms] [--header key=value]... <subject> [payload]

  --server   NATS server (default 127.0.0.1:4222)
  --timeout  milliseconds to wait for a reply (default 1000)
  --header   add a header; repeat for more
`,
  options: ["timeout", "header"],
  minPositional: 1,
  maxPositional: 2,
});
const [subject, payload = ""] = args.positional;
const timeout = args.int("timeout", 1000)!;

let h;
for (const kv of args.all("header")) {
  const [k, v] = keyValue(kv, args);
  h ??= headers();
  h.append(k, v);
}

let nc;
try {
  nc = await connect({ servers: args.server, name: "nats-rt request example" });
} catch (err) {
  console.error(
    `error: cannot connect to ${args.server}: ${(err as Error).message}`,
  );
  Deno.exit(1);
}
try {
  const start = performance.now();
  const m = await nc.request(subject, payload, { timeout, headers: h });
  const ms = (performance.now() - start).toFixed(1);
  console.log(`reply from "${subject}" in ${ms} ms: ${m.string()}`);
  if (m.headers) {
    for (const [k, vs] of m.headers) {
      for (const v of vs) console.log(`  header: ${k}: ${v}`);
    }
  }
} catch (err) {
  // Every nats-rt error carries a stable `code`.
  switch ((err as { code?: string }).code) {
    case ErrorCode.NoResponders:
      console.error(
        `no responders: nothing is subscribed to "${subject}" (start a service first)`,
      );
      break;
    case ErrorCode.Timeout:
      console.error(
        `timeout: no reply from "${subject}" within ${timeout} ms`,
      );
      break;
    default:
      console.error(`error: ${(err as Error).message}`);
  }
  Deno.exitCode = 1;
} finally {
  await nc.close();
}

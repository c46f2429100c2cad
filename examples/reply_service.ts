// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * A tiny service: answers requests on a subject. Without a fixed response it
 * echoes the request back in upper case. Request headers are echoed too.
 *
 *     deno run -A examples/reply_service.ts greet
 *     deno run -A examples/reply_service.ts --count 1 time.now "it is tea time"
 *
 * @module
 */
// deno-lint-ignore-file no-console
import { connect, headers } from "../mod.ts";
import { onInterrupt, parseArgs } from "./_args.ts";

const args = parseArgs(Deno.args, {
  usage: `
usage: reply_service.ts [--server url] [--count n] [--queue group] <subject> [response]

  --server   NATS server (default 127.0.0.1:4222)
  --count    exit after answering n requests (default: run until Ctrl-C)
  --queue    join a queue group (run several instances to share the load)
  [response] fixed reply; default: the request payload in upper case
`,
  options: ["count", "queue"],
  minPositional: 1,
  maxPositional: 2,
});
const [subject, response] = args.positional;
const count = args.int("count");

let nc;
try {
  nc = await connect({
    servers: args.server,
    name: "nats-rt reply service example",
  });
} catch (err) {
  console.error(
    `error: cannot connect to ${args.server}: ${(err as Error).message}`,
  );
  Deno.exit(1);
}
const sub = nc.subscribe(subject, { max: count, queue: args.get("queue") });
const stop = onInterrupt(() => sub.drain());
try {
  await nc.flush();
  console.log(
    `Service listening on "${subject}" at ${nc.getServer()}` +
      (count ? `, exiting after ${count} request(s)` : ", Ctrl-C to stop"),
  );
  let n = 0;
  for await (const m of sub) {
    n++;
    const answer = response ?? m.string().toUpperCase();
    let h;
    if (m.headers) {
      h = headers();
      for (const [k, vs] of m.headers) for (const v of vs) h.append(k, v);
    }
    if (m.respond(answer, { headers: h })) {
      console.log(`[#${n}] ${m.subject}: "${m.string()}" -> "${answer}"`);
    } else {
      console.log(
        `[#${n}] ${m.subject}: "${m.string()}" (no reply subject, ignored)`,
      );
    }
  }
  // Make sure the last response left before closing.
  await nc.flush();
  console.log(`answered ${n} request${n === 1 ? "" : "s"}`);
} catch (err) {
  console.error(`error: ${(err as Error).message}`);
  Deno.exitCode = 1;
} finally {
  stop();
  await nc.close();
}

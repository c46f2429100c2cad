// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * A worker in a queue group: each message on the subject goes to exactly one
 * member of the group. Start several and publish to see the load shared.
 *
 *     deno run -A examples/queue_worker.ts jobs          # in two or three terminals
 *     deno run -A examples/publish.ts --count 10 jobs "resize image"
 *
 * Requests (messages with a reply subject) are answered with the worker name.
 *
 * @module
 */
// deno-lint-ignore-file no-console
import { connect } from "../mod.ts";
import { onInterrupt, parseArgs } from "./_args.ts";

const args = parseArgs(Deno.args, {
  usage: `
usage: queue_worker.ts [--server url] [--queue group] [--name name] [--count n] <subject>

  --server   NATS server (default 127.0.0.1:4222)
  --queue    queue group to join (default "workers")
  --name     name printed with each job (default worker-<pid>)
  --count    exit after n jobs (default: run until Ctrl-C)
`,
  options: ["queue", "name", "count"],
  minPositional: 1,
  maxPositional: 1,
});
const [subject] = args.positional;
const queue = args.get("queue", "workers")!;
const name = args.get("name", `worker-${Deno.pid}`)!;
const count = args.int("count");

let nc;
try {
  nc = await connect({ servers: args.server, name: `nats-rt ${name}` });
} catch (err) {
  console.error(
    `error: cannot connect to ${args.server}: ${(err as Error).message}`,
  );
  Deno.exit(1);
}
const sub = nc.subscribe(subject, { queue, max: count });
// Ctrl-C drains: jobs already delivered are finished, then the worker leaves.
const stop = onInterrupt(() => sub.drain());
try {
  await nc.flush();
  console.log(
    `${name} joined queue "${queue}" on "${subject}" at ${nc.getServer()}` +
      (count ? `, exiting after ${count} job(s)` : ", Ctrl-C to stop"),
  );
  let n = 0;
  for await (const m of sub) {
    n++;
    console.log(`${name} job #${n} (${m.subject}): ${m.string()}`);
    m.respond(`done by ${name}`);
  }
  await nc.flush();
  console.log(`${name} handled ${n} job${n === 1 ? "" : "s"}`);
} catch (err) {
  console.error(`error: ${(err as Error).message}`);
  Deno.exitCode = 1;
} finally {
  stop();
  await nc.close();
}

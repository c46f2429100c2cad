// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * A JetStream worker: consumes a durable pull consumer continuously and acks
 * each message; several workers on the same consumer share the work. Prints
 * consumer events (missed heartbeats, reconnects, a deleted consumer) in
 * plain words.
 *
 *     deno run -A examples/jetstream_worker.ts ORDERS processor
 *     deno run -A examples/jetstream_worker.ts --count 10 ORDERS processor
 *
 * The stream and consumer must exist (examples/jetstream_quickstart.ts
 * creates ORDERS/processor). Ctrl-C stops after the current message.
 *
 * @module
 */
// deno-lint-ignore-file no-console
import { connect, jetstream } from "../mod.ts";
import { onInterrupt, parseArgs } from "./_args.ts";

const args = parseArgs(Deno.args, {
  usage: `
usage: jetstream_worker.ts [--server url] [--count n] <stream> <consumer>

  --server   NATS server with JetStream (default 127.0.0.1:4222)
  --count    exit after n messages (default: run until Ctrl-C)
`,
  options: ["count"],
  minPositional: 2,
  maxPositional: 2,
});
const [stream, name] = args.positional;
const count = args.int("count");

let nc;
try {
  nc = await connect({ servers: args.server, name: "nats-rt jetstream worker" });
} catch (err) {
  console.error(`error: cannot connect to ${args.server}: ${(err as Error).message}`);
  Deno.exit(1);
}
let stop = () => {};
try {
  const js = jetstream(nc);
  const consumer = await js.consumers.get(stream, name);
  const messages = await consumer.consume({ max_messages: 100 });
  stop = onInterrupt(() => messages.stop());
  (async () => {
    for await (const s of messages.status()) {
      if (s.type === "heartbeats_missed") {
        console.log(`! no heartbeat (${s.count} missed): pulling again`);
      } else if (s.type === "reset") console.log(`! ${s.reason}`);
      else if (s.type === "consumer_deleted") console.log(`! the consumer was deleted`);
      else if (s.type === "consumer_not_found") console.log(`! consumer ${s.name} not found`);
    }
  })();
  console.log(
    `consuming ${stream}/${name}` + (count ? `, exiting after ${count}` : ", Ctrl-C to stop"),
  );
  let n = 0;
  for await (const m of messages) {
    console.log(`#${m.seq} ${m.subject}: ${m.string()}${m.redelivered ? " (redelivered)" : ""}`);
    m.ack();
    if (count !== undefined && ++n >= count) break;
  }
  await nc.flush(); // the last acks reached the server
} catch (err) {
  console.error(`error: ${(err as Error).message}`);
  Deno.exitCode = 1;
} finally {
  stop();
  await nc.close();
}

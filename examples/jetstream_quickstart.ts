// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * JetStream in one page: create a stream and a durable pull consumer,
 * publish and print the PubAck, then pull the messages back and ack them.
 * Needs a server with JetStream (`nats-server -js`).
 *
 *     deno run -A examples/jetstream_quickstart.ts
 *     deno run -A examples/jetstream_quickstart.ts --server 127.0.0.1:4222 --count 5
 *
 * Running it again adds more messages to the same stream; the durable
 * consumer only hands out the ones it has not delivered yet.
 *
 * @module
 */
// deno-lint-ignore-file no-console
import {
  AckPolicy,
  connect,
  jetstream,
  jetstreamManager,
  JetStreamNotEnabledError,
} from "../mod.ts";
import { parseArgs } from "./_args.ts";

const args = parseArgs(Deno.args, {
  usage: `
usage: jetstream_quickstart.ts [--server url] [--count n]

  --server   NATS server with JetStream (default 127.0.0.1:4222)
  --count    messages to publish (default 3)
`,
  options: ["count"],
  maxPositional: 0,
});
const count = args.int("count", 3)!;

let nc;
try {
  nc = await connect({ servers: args.server, name: "nats-rt jetstream quickstart" });
} catch (err) {
  console.error(`error: cannot connect to ${args.server}: ${(err as Error).message}`);
  Deno.exit(1);
}
try {
  // Streams and consumers: the manager.
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: "ORDERS", subjects: ["orders.>"] });
  await jsm.consumers.add("ORDERS", {
    durable_name: "processor",
    ack_policy: AckPolicy.Explicit,
  });

  // Publish: each call resolves with the server's PubAck.
  const js = jetstream(nc);
  for (let i = 1; i <= count; i++) {
    const pa = await js.publish("orders.new", JSON.stringify({ item: `widget-${i}` }));
    console.log(`stored in ${pa.stream} at seq ${pa.seq} (duplicate: ${pa.duplicate})`);
  }

  // Pull and ack.
  const consumer = await js.consumers.get("ORDERS", "processor");
  const batch = await consumer.fetch({ max_messages: count, expires: 5_000 });
  for await (const m of batch) {
    console.log(`got #${m.seq} on ${m.subject}: ${m.string()} (delivery ${m.info.deliveryCount})`);
    // ackAck() waits for the server to confirm. A plain ack() is fire-and-forget,
    // and JetStream applies acks asynchronously: the info() below could
    // otherwise answer before they land.
    await m.ackAck();
  }
  const info = await consumer.info();
  console.log(`acked up to seq ${info.ack_floor.stream_seq}, ${info.num_pending} left`);
} catch (err) {
  if (err instanceof JetStreamNotEnabledError) {
    console.error(`error: ${err.message} (start the server with -js)`);
  } else {
    console.error(`error: ${(err as Error).message}`);
  }
  Deno.exitCode = 1;
} finally {
  await nc.close();
}

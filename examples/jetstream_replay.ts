// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * Replays a stream in order with an ordered consumer: no acks, nothing to
 * create or clean up, every message once and in order even across
 * reconnects. Stops when it has caught up.
 *
 *     deno run -A examples/jetstream_replay.ts ORDERS
 *     deno run -A examples/jetstream_replay.ts --subject "orders.new" --from 10 ORDERS
 *
 * @module
 */
// deno-lint-ignore-file no-console
import { connect, DeliverPolicy, jetstream, jetstreamManager } from "../mod.ts";
import { parseArgs } from "./_args.ts";

const args = parseArgs(Deno.args, {
  usage: `
usage: jetstream_replay.ts [--server url] [--subject filter] [--from seq] <stream>

  --server   NATS server with JetStream (default 127.0.0.1:4222)
  --subject  only messages on this subject (wildcards allowed)
  --from     start at this stream sequence (default: the first message)
`,
  options: ["subject", "from"],
  minPositional: 1,
  maxPositional: 1,
});
const [stream] = args.positional;
const from = args.int("from");
const subject = args.get("subject");

let nc;
try {
  nc = await connect({ servers: args.server, name: "nats-rt jetstream replay" });
} catch (err) {
  console.error(`error: cannot connect to ${args.server}: ${(err as Error).message}`);
  Deno.exit(1);
}
try {
  const jsm = await jetstreamManager(nc);
  const last = (await jsm.streams.info(stream)).state.last_seq;
  const js = jetstream(nc);
  const oc = await js.consumers.get(stream, {
    filter_subjects: subject,
    ...(from === undefined
      ? {}
      : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: from }),
  });
  let n = 0;
  // Batches until one comes back empty: the replay has caught up.
  for (;;) {
    let got = 0;
    for await (const m of await oc.fetch({ max_messages: 256, expires: 1_000 })) {
      console.log(`#${m.seq} ${m.subject}: ${m.string()}`);
      got++;
    }
    n += got;
    if (got === 0) break;
  }
  console.log(`replayed ${n} message${n === 1 ? "" : "s"} (stream last seq ${last})`);
  await oc.delete();
} catch (err) {
  console.error(`error: ${(err as Error).message}`);
  Deno.exitCode = 1;
} finally {
  await nc.close();
}

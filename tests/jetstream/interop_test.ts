// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * JetStream interop with the official client (`@nats-io/jetstream` v3 over
 * `@nats-io/transport-node`): what one side creates, publishes and acks,
 * the other side reads.
 */
import assert from "node:assert/strict";
import {
  connect as natsConnect,
  headers as natsHeaders,
  type NatsConnection as TheirNc,
} from "@nats-io/transport-node";
import {
  AckPolicy as TheirAckPolicy,
  jetstream as theirJetstream,
  jetstreamManager as theirManager,
} from "@nats-io/jetstream";
import { AckPolicy, headers, type JsMsg, nanos } from "../../mod.ts";
import { type JsCtx, waitFor, withJs } from "./_js.ts";

async function withBoth(fn: (ours: JsCtx, theirs: TheirNc) => Promise<void>): Promise<void> {
  await withJs(async (ctx) => {
    const theirs = await natsConnect({ servers: ctx.server.url });
    try {
      await fn(ctx, theirs);
    } finally {
      await theirs.close();
    }
  });
}

Deno.test("interop: a stream and durable made by us are read and acked by the official client", async () => {
  await withBoth(async ({ jsm, js }, theirs) => {
    await jsm.streams.add({ name: "OURS", subjects: ["ours.>"], duplicate_window: nanos(60_000) });
    await jsm.consumers.add("OURS", { durable_name: "reader", ack_policy: AckPolicy.Explicit });
    const h = headers();
    h.set("X-From", "nats-rt");
    for (let i = 1; i <= 20; i++) {
      const pa = await js.publish(`ours.${i}`, `m${i}`, i === 1 ? { headers: h } : undefined);
      assert.equal(pa.seq, i);
    }
    const tjs = theirJetstream(theirs);
    const c = await tjs.consumers.get("OURS", "reader");
    const got: string[] = [];
    const iter = await c.fetch({ max_messages: 20, expires: 5_000 });
    for await (const m of iter) {
      got.push(m.string());
      if (m.seq === 1) assert.equal(m.headers?.get("X-From"), "nats-rt");
      m.ack();
    }
    assert.equal(got.length, 20);
    assert.equal(got[19], "m20");
    // Their dedupe sees our msgID: same window, same stream.
    const ours = await js.publish("ours.d", "x", { msgID: "shared-id" });
    const theirsPa = await tjs.publish("ours.d", "x", { msgID: "shared-id" });
    assert.equal(theirsPa.duplicate, true);
    assert.equal(theirsPa.seq, ours.seq);
    // Their acks are visible to our manager.
    await theirs.flush();
    await waitFor(async () => {
      const ci = await jsm.consumers.info("OURS", "reader");
      return ci.ack_floor.stream_seq === 20 && ci.num_ack_pending === 0;
    }, "their acks");
    const tci = await (await theirManager(theirs)).consumers.info("OURS", "reader");
    assert.equal(tci.num_ack_pending, 0);
  });
});

Deno.test("interop: a stream and consumer made by the official client are consumed and acked by us", async () => {
  await withBoth(async ({ js }, theirs) => {
    const tjsm = await theirManager(theirs);
    await tjsm.streams.add({ name: "THEIRS", subjects: ["theirs.>"] });
    await tjsm.consumers.add("THEIRS", {
      durable_name: "worker",
      ack_policy: TheirAckPolicy.Explicit,
    });
    const tjs = theirJetstream(theirs);
    const h = natsHeaders();
    h.set("X-From", "nats.js");
    const seqs: number[] = [];
    for (let i = 0; i < 50; i++) {
      seqs.push((await tjs.publish("theirs.x", `t${i}`, i === 0 ? { headers: h } : undefined)).seq);
    }
    const c = await js.consumers.get("THEIRS", "worker");
    const got: JsMsg[] = [];
    const msgs = await c.consume({ max_messages: 20 });
    for await (const m of msgs) {
      got.push(m);
      m.ack();
      if (got.length === 50) break;
    }
    assert.deepEqual(got.map((m) => m.seq), seqs);
    assert.equal(got[0].headers?.get("X-From"), "nats.js");
    assert.equal(got[49].string(), "t49");
    assert.equal(got[0].info.stream, "THEIRS");
    assert.equal(got[0].info.consumer, "worker");
    // ackAck round trip, then their manager sees everything acked.
    const last = await js.publish("theirs.x", "final");
    const m = await c.next({ expires: 2_000 });
    assert.equal(m?.seq, last.seq);
    assert.equal(await m!.ackAck(), true);
    const ci = await tjsm.consumers.info("THEIRS", "worker");
    assert.equal(ci.num_ack_pending, 0);
    assert.equal(ci.ack_floor.stream_seq, last.seq);
    // Their view of our publishes.
    const stored = await tjsm.streams.getMessage("THEIRS", { seq: last.seq });
    assert.equal(stored?.string(), "final");
  });
});

Deno.test("interop: ordered consumers on both sides read the other side's stream in order", async () => {
  await withBoth(async ({ jsm, js }, theirs) => {
    await jsm.streams.add({ name: "MIX", subjects: ["mix.>"] });
    const tjs = theirJetstream(theirs);
    for (let i = 0; i < 100; i++) {
      if (i % 2 === 0) await js.publish("mix.ours", String(i));
      else await tjs.publish("mix.theirs", String(i));
    }
    const ours = await js.consumers.get("MIX");
    const a: string[] = [];
    for await (const m of await ours.fetch({ max_messages: 100, expires: 3_000 })) {
      a.push(m.string());
    }
    const theirOc = await tjs.consumers.get("MIX");
    const b: string[] = [];
    for await (const m of await theirOc.fetch({ max_messages: 100, expires: 3_000 })) {
      b.push(m.string());
    }
    const expected = Array.from({ length: 100 }, (_, i) => String(i));
    assert.deepEqual(a, expected);
    assert.deepEqual(b, expected);
  });
});

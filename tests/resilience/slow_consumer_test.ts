// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * Client-side slow consumers: an iterator that is not read stops queueing at
 * its pending limits, counts what it drops, reports one `slowConsumer` status
 * per episode, and neither the connection nor other subscriptions suffer.
 * RELIABILITY.md §5 test 21 (the server-side case is in proxy_test.ts).
 */
import assert from "node:assert/strict";
import { connect, type Subscription } from "../../mod.ts";
import { NatsServer } from "../_helpers/nats_server.ts";
import { StatusLog, take, waitFor } from "./_util.ts";

function slowFor(log: StatusLog, sub: Subscription) {
  return log.of("slowConsumer").filter((s) => s.sub === sub);
}

Deno.test("slow consumer (client): pendingMsgsLimit 10 keeps 10, drops and counts the rest, one slowConsumer status per episode; the connection and other subs are unaffected", async () => {
  await using server = await NatsServer.start();
  const nc = await connect({ servers: server.url });
  const log = new StatusLog(nc);
  try {
    const slow = nc.subscribe("sc.x", { pendingMsgsLimit: 10 });
    const healthy = nc.subscribe("sc.x");
    await nc.flush();
    for (let i = 0; i < 100; i++) nc.publish("sc.x", String(i));
    await nc.flush();
    await waitFor(() => slow.getReceived() === 100, "100 messages received");
    assert.equal(slow.getPending(), 10);
    assert.equal(slow.getDropped(), 90);
    await waitFor(() => slowFor(log, slow).length === 1, "slowConsumer status");
    const ev = slowFor(log, slow)[0];
    assert.equal(ev.pending, 10);
    assert.equal(log.of("slowConsumer").length, 1, "the healthy sub was reported");
    // Still in the same episode: more drops, no new event.
    for (let i = 100; i < 150; i++) nc.publish("sc.x", String(i));
    await nc.flush();
    assert.equal(slow.getDropped(), 140);
    assert.equal(slowFor(log, slow).length, 1);

    // The first ten are what was kept, in order.
    const kept = await take(slow, 10);
    assert.deepEqual(kept.map((m) => m.string()), Array.from({ length: 10 }, (_, i) => String(i)));
    // Caught up: a new overflow is a new episode.
    for (let i = 0; i < 30; i++) nc.publish("sc.x", `again-${i}`);
    await nc.flush();
    await waitFor(() => slowFor(log, slow).length === 2, "second slowConsumer status");
    assert.equal(slow.getDropped(), 160);

    // Nothing else suffered.
    assert.equal((await take(healthy, 180)).length, 180);
    assert.equal(healthy.getDropped(), 0);
    assert.equal(nc.isClosed(), false);
    assert.equal(log.of("disconnect").length, 0);
    assert.ok((await nc.rtt()) >= 0);
  } finally {
    await nc.close();
    await log.stop();
  }
});

Deno.test("slow consumer (client): pendingBytesLimit bounds the bytes queued for an unread iterator, whatever is published", async () => {
  await using server = await NatsServer.start();
  const nc = await connect({ servers: server.url });
  const log = new StatusLog(nc);
  try {
    const limit = 64 * 1024;
    const sub = nc.subscribe("sc.bytes", { pendingBytesLimit: limit });
    await nc.flush();
    const payload = new Uint8Array(1000);
    // 20 MB through a subscription that never reads.
    for (let i = 0; i < 20_000; i++) {
      nc.publish("sc.bytes", payload);
      if (i % 1_000 === 999) await nc.flush();
    }
    await nc.flush();
    await waitFor(() => sub.getReceived() === 20_000, "20,000 received", 10_000);
    assert.ok(sub.getPending() * payload.length <= limit, `${sub.getPending()} queued`);
    assert.equal(sub.getPending(), Math.floor(limit / payload.length));
    assert.equal(sub.getDropped(), 20_000 - sub.getPending());
    assert.equal(slowFor(log, sub).length, 1);
    assert.equal(nc.isClosed(), false);
  } finally {
    await nc.close();
    await log.stop();
  }
});

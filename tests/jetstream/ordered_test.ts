// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * Ordered consumers (pull form): every message once and in order, across a
 * server restart, a deleted consumer and sequence gaps.
 */
import assert from "node:assert/strict";
import {
  AckPolicy,
  type ConsumerNotification,
  DeliverPolicy,
  JetStreamError,
  type JsMsg,
  StorageType,
  StreamNotFoundError,
} from "../../mod.ts";
import type { OrderedConsumerImpl } from "../../src/jetstream/ordered.ts";
import { ACCEPT, DROP, GAP } from "../../src/jetstream/consumer.ts";
import type { JsMsgImpl } from "../../src/jetstream/jsmsg.ts";
import { parseInfo } from "../../src/jetstream/jsmsg.ts";
import { deferred, fill, rejects, waitFor, within, withJs } from "./_js.ts";

function collect(it: AsyncIterable<ConsumerNotification>): ConsumerNotification[] {
  const seen: ConsumerNotification[] = [];
  (async () => {
    for await (const n of it) seen.push(n);
  })();
  return seen;
}

Deno.test("ordered consume(): a 5,000-message stream in order with no gaps while the server restarts", async () => {
  await withJs(
    async ({ server, jsm, js }) => {
      await jsm.streams.add({ name: "O", subjects: ["o.>"], storage: StorageType.File });
      const N = 5_000;
      await fill(js, "o.x", N);
      const oc = await js.consumers.get("O");
      const msgs = await oc.consume({ max_messages: 200 });
      const notes = collect(msgs.status());
      let expected = 1;
      let restarted = false;
      await within(
        (async () => {
          for await (const m of msgs) {
            assert.equal(m.seq, expected, "in order, no gaps, no duplicates");
            assert.equal(m.string(), String(expected - 1));
            expected++;
            if (expected === 2_000 && !restarted) {
              restarted = true;
              await server.restart();
            }
            if (expected > N) break;
          }
        })(),
        40_000,
        "5,000 ordered messages",
      );
      assert.ok(restarted);
      assert.equal(expected, N + 1);
      assert.ok(
        notes.some((n) => n.type === "ordered_consumer_recreated"),
        "the consumer was recreated after the restart",
      );
    },
    { conn: { reconnectTimeWait: 100, maxReconnectAttempts: -1 } },
  );
});

Deno.test("ordered consumer: ephemeral, ack none, in memory, R1; recreated in order when deleted; removed when stopped", async () => {
  await withJs(async ({ jsm, js }) => {
    await jsm.streams.add({ name: "O", subjects: ["o.>"], storage: StorageType.Memory });
    await fill(js, "o.a", 10);
    const oc = await js.consumers.get("O", { name_prefix: "mine" });
    const msgs = await oc.consume({ max_messages: 5, expires: 2_000 });
    const notes = collect(msgs.status());
    const got: number[] = [];
    const ten = deferred();
    const more = deferred();
    const release = deferred();
    (async () => {
      for await (const m of msgs) {
        got.push(m.seq);
        m.ack(); // no-op
        if (got.length === 10) ten.resolve();
        if (got.length === 15) {
          more.resolve();
          await release.promise;
          break;
        }
      }
    })();
    await within(ten.promise, 5_000, "first 10");
    const first = oc.name;
    assert.match(first, /^mine_1$/);
    const ci = await jsm.consumers.info("O", first);
    assert.equal(ci.config.durable_name, undefined);
    assert.equal(ci.config.ack_policy, AckPolicy.None);
    assert.equal(ci.config.mem_storage, true);
    assert.equal(ci.config.num_replicas, 1);
    assert.ok((ci.config.inactive_threshold ?? 0) > 0);
    // Someone deletes it: the next one starts after the last stream sequence seen.
    await jsm.consumers.delete("O", first);
    await fill(js, "o.b", 5);
    await within(more.promise, 10_000, "5 more after the delete");
    assert.deepEqual(got, Array.from({ length: 15 }, (_, i) => i + 1));
    assert.ok(notes.some((n) => n.type === "ordered_consumer_recreated"));
    assert.notEqual(oc.name, first);
    const second = await jsm.consumers.info("O", oc.name);
    assert.equal(second.config.deliver_policy, DeliverPolicy.StartSequence);
    assert.equal(second.config.opt_start_seq, 11);
    release.resolve();
    await msgs.closed();
    await waitFor(async () => {
      const names = [];
      for await (const c of jsm.consumers.list("O")) names.push(c.name);
      return names.length === 0;
    }, "the last consumer to be deleted after stop");
  });
});

Deno.test("ordered fetch()/next(): consecutive batches continue in order; one call at a time", async () => {
  await withJs(async ({ jsm, js }) => {
    await jsm.streams.add({ name: "O", subjects: ["o.>"], storage: StorageType.Memory });
    await fill(js, "o.x", 7);
    const oc = await js.consumers.get("O", { filter_subjects: "o.x" });
    const seqs: number[] = [];
    const b1 = await oc.fetch({ max_messages: 3, expires: 2_000 });
    await assert.rejects(oc.fetch({ max_messages: 1 }), JetStreamError);
    for await (const m of b1) seqs.push(m.seq);
    for await (const m of await oc.fetch({ max_messages: 3, expires: 2_000 })) seqs.push(m.seq);
    const last = await oc.next({ expires: 2_000 });
    seqs.push(last!.seq);
    assert.deepEqual(seqs, [1, 2, 3, 4, 5, 6, 7]);
    assert.equal(await oc.next({ expires: 300 }), null);
    assert.equal((await oc.info(true)).config.filter_subject, "o.x");
  });
});

Deno.test("ordered consumer options: deliver_policy / opt_start_seq / filter; unknown stream fails at get()", async () => {
  await withJs(async ({ jsm, js }) => {
    await jsm.streams.add({ name: "O", subjects: ["o.>"], storage: StorageType.Memory });
    for (let i = 1; i <= 6; i++) await js.publish(i % 2 ? "o.odd" : "o.even", String(i));
    const from4 = await js.consumers.get("O", {
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: 4,
    });
    const a: number[] = [];
    for await (const m of await from4.fetch({ max_messages: 10, expires: 500 })) a.push(m.seq);
    assert.deepEqual(a, [4, 5, 6]);
    const evens = await js.consumers.get("O", { filter_subjects: ["o.even"] });
    const b: string[] = [];
    for await (const m of await evens.fetch({ max_messages: 10, expires: 500 })) b.push(m.string());
    assert.deepEqual(b, ["2", "4", "6"]);
    const last = await js.consumers.get("O", { deliver_policy: DeliverPolicy.Last });
    assert.equal((await last.next({ expires: 1_000 }))?.seq, 6);
    assert.ok(await rejects(js.consumers.get("NOPE")) instanceof StreamNotFoundError);
    const two = await js.consumers.get("O", { filter_subjects: ["o.odd", "o.even"] });
    const err = await rejects(two.next({ expires: 500 }));
    assert.match(err.message, /filter_subjects/);
  });
});

Deno.test("ordered accept(): drops other consumers' messages, flags a sequence gap", async () => {
  await withJs(async ({ nc, jsm, js }) => {
    await jsm.streams.add({ name: "O", subjects: ["o"], storage: StorageType.Memory });
    await js.publish("o", "x");
    const oc = await js.consumers.get("O", { name_prefix: "p" }) as OrderedConsumerImpl;
    const m1 = await oc.next({ expires: 1_000 });
    assert.equal(m1?.seq, 1);
    const fake = (reply: string) =>
      ({ info: parseInfo(reply), reply } as unknown as JsMsgImpl) as JsMsgImpl & JsMsg;
    const ts = "1700000000000000000";
    assert.equal(oc.accept(fake(`$JS.ACK.O.other.1.2.2.${ts}.0`)), DROP);
    assert.equal(oc.accept(fake(`$JS.ACK.O.${oc.name}.1.2.2.${ts}.0`)), ACCEPT);
    assert.equal(oc.accept(fake(`$JS.ACK.O.${oc.name}.1.5.4.${ts}.0`)), GAP, "cseq 3 was skipped");
    assert.ok(nc.info);
  });
});

Deno.test("ordered consumer on a deleted stream: next() fails, consume with abort_on_missing_resource ends", async () => {
  await withJs(async ({ jsm, js }) => {
    await jsm.streams.add({ name: "GONE", subjects: ["gone"], storage: StorageType.Memory });
    await js.publish("gone", "x");
    const a = await js.consumers.get("GONE");
    const b = await js.consumers.get("GONE");
    assert.equal((await a.next({ expires: 1_000 }))?.seq, 1);
    const msgs = await b.consume({ expires: 2_000, abort_on_missing_resource: true });
    const reading = rejects((async () => {
      for await (const m of msgs) assert.equal(m.seq, 1);
    })());
    await jsm.streams.delete("GONE");
    const ended = await within(msgs.closed(), 10_000, "ordered consume to end");
    assert.ok(ended instanceof StreamNotFoundError, String(ended));
    assert.equal(await reading, ended, "the iterator throws the same error");
    const err = await within(rejects(a.next({ expires: 5_000 })), 5_000, "next to fail");
    assert.ok(err instanceof StreamNotFoundError, String(err));
  });
});

Deno.test("ordered consume(): missed heartbeats (frozen server) recreate the consumer; order is kept", async () => {
  await withJs(async ({ server, jsm, js }) => {
    await jsm.streams.add({ name: "HB", subjects: ["hb"], storage: StorageType.Memory });
    await fill(js, "hb", 30);
    const oc = await js.consumers.get("HB");
    const msgs = await oc.consume({ max_messages: 10, expires: 1_000, idle_heartbeat: 400 });
    const notes = collect(msgs.status());
    const seqs: number[] = [];
    const first30 = deferred();
    const all = deferred();
    (async () => {
      for await (const m of msgs) {
        seqs.push(m.seq);
        if (seqs.length === 30) first30.resolve();
        if (seqs.length === 40) {
          all.resolve();
          break;
        }
      }
    })();
    await within(first30.promise, 5_000, "the first 30");
    const before = oc.name;
    await server.pause();
    try {
      await waitFor(() => notes.some((n) => n.type === "heartbeats_missed"), "missed heartbeats");
    } finally {
      await server.resume();
    }
    await fill(js, "hb", 10);
    await within(all.promise, 10_000, "10 more after the freeze");
    assert.deepEqual(seqs, Array.from({ length: 40 }, (_, i) => i + 1));
    assert.notEqual(oc.name, before, "a new consumer in the chain");
    assert.ok(notes.some((n) => n.type === "ordered_consumer_recreated"));
  });
});

Deno.test("ordered next(): a consumer deleted behind its back is replaced, not reported", async () => {
  await withJs(async ({ jsm, js }) => {
    await jsm.streams.add({ name: "RD", subjects: ["rd"], storage: StorageType.Memory });
    await js.publish("rd", "1");
    const oc = await js.consumers.get("RD");
    assert.equal((await oc.next({ expires: 1_000 }))?.seq, 1);
    const first = oc.name;
    await jsm.consumers.delete("RD", first);
    await js.publish("rd", "2");
    const m = await oc.next({ expires: 5_000 });
    assert.equal(m?.seq, 2);
    assert.notEqual(oc.name, first);
  });
});

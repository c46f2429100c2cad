// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * Pull consumers against nats-server: next/fetch/consume, the ack protocol
 * (ack, nak with delay, working, term, ackAck), redelivery, pull limits,
 * heartbeats, deleted consumers and streams, and a server restart.
 */
import assert from "node:assert/strict";
import {
  AckPolicy,
  ConsumerNotFoundError,
  type ConsumerNotification,
  JetStreamError,
  type JetStreamManager,
  JetStreamStatusError,
  type JsMsg,
  nanos,
  RetentionPolicy,
  StorageType,
  StreamNotFoundError,
} from "../../mod.ts";
import { deferred, delay, fill, rejects, waitFor, within, withJs } from "./_js.ts";

/** Collects a consumer's notifications. */
function collect(it: AsyncIterable<ConsumerNotification>): ConsumerNotification[] {
  const seen: ConsumerNotification[] = [];
  (async () => {
    for await (const n of it) seen.push(n);
  })();
  return seen;
}

async function setup(
  jsm: JetStreamManager,
  cfg: Record<string, unknown> = {},
  stream: Record<string, unknown> = {},
): Promise<void> {
  await jsm.streams.add({ name: "S", subjects: ["s.>"], storage: StorageType.Memory, ...stream });
  await jsm.consumers.add("S", {
    durable_name: "c",
    ack_policy: AckPolicy.Explicit,
    ...cfg,
  });
}

Deno.test("consume(): 10,000 messages, each exactly once, explicit acks, nothing left pending", async () => {
  await withJs(async ({ jsm, js }) => {
    await setup(jsm);
    const N = 10_000;
    await fill(js, "s.x", N);
    const c = await js.consumers.get("S", "c");
    const msgs = await c.consume({ max_messages: 500 });
    const seqs = new Set<number>();
    let dup = 0;
    await within(
      (async () => {
        for await (const m of msgs) {
          if (seqs.has(m.seq)) dup++;
          seqs.add(m.seq);
          assert.equal(m.string(), String(m.seq - 1));
          m.ack();
          if (seqs.size === N) break;
        }
      })(),
      30_000,
      "10,000 messages",
    );
    assert.equal(dup, 0);
    assert.equal(seqs.size, N);
    for (let i = 1; i <= N; i++) assert.ok(seqs.has(i), `seq ${i}`);
    await waitFor(async () => {
      const ci = await c.info();
      return ci.num_ack_pending === 0 && ci.ack_floor.stream_seq === N;
    }, "all acks applied");
    const ci = await c.info();
    assert.equal(ci.num_redelivered, 0);
    assert.equal(ci.num_pending, 0);
    assert.equal(msgs.getProcessed(), N);
  });
});

Deno.test("consume() with a callback: every message once, no iterator", async () => {
  await withJs(async ({ jsm, js }) => {
    await setup(jsm);
    await fill(js, "s.cb", 2_000);
    const c = await js.consumers.get("S", "c");
    const seen = new Set<number>();
    const done = deferred();
    const msgs = await c.consume({
      max_messages: 100,
      callback: (m) => {
        seen.add(m.seq);
        m.ack();
        if (seen.size === 2_000) done.resolve();
      },
    });
    assert.throws(() => msgs[Symbol.asyncIterator](), TypeError);
    await within(done.promise, 20_000, "2,000 messages");
    await msgs.close();
    assert.equal(await msgs.closed(), undefined);
    assert.equal(seen.size, 2_000);
    await waitFor(async () => (await c.info()).num_ack_pending === 0, "acks");
  });
});

Deno.test("JsMsg: info parsed from the ack subject, timestamps, headers, json()", async () => {
  await withJs(async ({ jsm, js }) => {
    await setup(jsm);
    await js.publish("s.one", JSON.stringify({ n: 1 }));
    await js.publish("s.two", "2");
    const before = Date.now();
    const c = await js.consumers.get("S", "c");
    const m = await c.next({ expires: 2_000 });
    assert.ok(m);
    assert.equal(m.subject, "s.one");
    assert.deepEqual(m.json(), { n: 1 });
    assert.match(m.reply, /^\$JS\.ACK\.S\.c\.1\.1\.1\.\d+\.1$/);
    assert.equal(m.seq, 1);
    assert.equal(m.redelivered, false);
    const i = m.info;
    assert.equal(i.stream, "S");
    assert.equal(i.consumer, "c");
    assert.equal(i.domain, "");
    assert.equal(i.deliveryCount, 1);
    assert.equal(i.streamSequence, 1);
    assert.equal(i.deliverySequence, 1);
    assert.equal(i.pending, 1);
    assert.equal(typeof m.timestampNanos, "bigint");
    assert.ok(Math.abs(m.time.getTime() - before) < 60_000);
    assert.equal(m.timestamp, m.time.toISOString());
    assert.equal(m.headers, undefined);
    m.ack();
    m.ack(); // harmless
    m.nak(); // ignored: already acked
    const m2 = await c.next({ expires: 2_000 });
    assert.equal(m2?.seq, 2);
    assert.equal(await m2!.ackAck(), true);
    assert.equal(await m2!.ackAck(), false, "a second ack does nothing");
    const ci = await c.info();
    assert.equal(ci.num_ack_pending, 0);
    assert.equal(ci.num_redelivered, 0);
  });
});

Deno.test("not acked within ack_wait: redelivered with deliveryCount 2", async () => {
  await withJs(async ({ jsm, js }) => {
    await setup(jsm, { ack_wait: nanos(500) });
    await js.publish("s.r", "x");
    const c = await js.consumers.get("S", "c");
    const first = await c.next({ expires: 2_000 });
    assert.equal(first?.redelivered, false);
    const t0 = performance.now();
    const again = await c.next({ expires: 3_000 });
    const ms = performance.now() - t0;
    assert.equal(again?.seq, first?.seq);
    assert.equal(again?.redelivered, true);
    assert.equal(again?.info.deliveryCount, 2);
    assert.ok(ms >= 350, `redelivered after ${ms} ms, ack_wait is 500`);
    again!.ack();
  });
});

Deno.test("nak(delay) redelivers after the delay; nak() at once", async () => {
  await withJs(async ({ jsm, js }) => {
    await setup(jsm);
    await js.publish("s.n", "x");
    const c = await js.consumers.get("S", "c");
    const m = await c.next({ expires: 2_000 });
    const t0 = performance.now();
    m!.nak(700);
    assert.equal(await c.next({ expires: 400 }), null, "not before the delay");
    const again = await c.next({ expires: 3_000 });
    const ms = performance.now() - t0;
    assert.equal(again?.seq, m!.seq);
    assert.equal(again?.info.deliveryCount, 2);
    assert.ok(ms >= 650, `redelivered after ${ms} ms, delay 700`);
    again!.nak();
    const third = await c.next({ expires: 1_000 });
    assert.equal(third?.info.deliveryCount, 3);
    third!.ack();
  });
});

Deno.test("term() stops redelivery; term(reason) degrades to plain +TERM on servers before 2.10.4", async () => {
  await withJs(async ({ jsm, js }) => {
    await setup(jsm, { ack_wait: nanos(300) });
    await js.publish("s.t", "1");
    await js.publish("s.t", "2");
    const c = await js.consumers.get("S", "c");
    const a = await c.next({ expires: 2_000 });
    a!.term();
    const b = await c.next({ expires: 2_000 });
    assert.equal(b?.seq, 2);
    // 2.9.10 ignores "+TERM <reason>" entirely (and would redeliver); the client sends "+TERM".
    b!.term("bad payload");
    assert.equal(await c.next({ expires: 900 }), null, "nothing redelivered after ack_wait");
    const ci = await c.info();
    assert.equal(ci.num_ack_pending, 0);
    assert.equal(ci.num_redelivered, 0);
  });
});

Deno.test("working() extends the ack deadline: delivered once", async () => {
  await withJs(async ({ jsm, js }) => {
    await setup(jsm, { ack_wait: nanos(600) });
    await js.publish("s.w", "x");
    const c = await js.consumers.get("S", "c");
    const m = await c.next({ expires: 2_000 });
    for (let i = 0; i < 5; i++) {
      await delay(300);
      m!.working();
    }
    // 1.5 s since delivery, 2.5 × ack_wait: still not redelivered.
    assert.equal((await c.info()).num_redelivered, 0);
    await m!.ackAck();
    assert.equal(await c.next({ expires: 800 }), null);
    assert.equal((await c.info()).num_redelivered, 0);
  });
});

Deno.test("ack policy none: ack calls do nothing; ack policy all: acking N acks all up to N", async () => {
  await withJs(async ({ jsm, js }) => {
    await setup(jsm);
    await jsm.consumers.add("S", { durable_name: "none", ack_policy: AckPolicy.None });
    await jsm.consumers.add("S", { durable_name: "all", ack_policy: AckPolicy.All });
    await fill(js, "s.p", 5);
    const none = await js.consumers.get("S", "none");
    const m = await none.next({ expires: 1_000 });
    assert.equal(await m!.ackAck(), false);
    const all = await js.consumers.get("S", "all");
    const batch = await all.fetch({ max_messages: 5, expires: 2_000 });
    const got: JsMsg[] = [];
    for await (const x of batch) got.push(x);
    assert.equal(got.length, 5);
    assert.equal((await all.info()).num_ack_pending, 5);
    await got[3].ackAck();
    const ci = await all.info();
    assert.equal(ci.num_ack_pending, 1);
    assert.equal(ci.ack_floor.stream_seq, 4);
  });
});

Deno.test("fetch() returns at once when the batch is full", async () => {
  await withJs(async ({ jsm, js }) => {
    await setup(jsm);
    await fill(js, "s.f", 10);
    const c = await js.consumers.get("S", "c");
    const t0 = performance.now();
    const it = await c.fetch({ max_messages: 5, expires: 10_000 });
    const got: number[] = [];
    for await (const m of it) {
      got.push(m.seq);
      m.ack();
    }
    assert.deepEqual(got, [1, 2, 3, 4, 5]);
    assert.ok(performance.now() - t0 < 1_000, "did not wait for expires");
    assert.equal(await it.closed(), undefined);
  });
});

Deno.test("fetch() returns the partial batch at expires; next() is null when nothing comes", async () => {
  await withJs(async ({ jsm, js }) => {
    await setup(jsm);
    await fill(js, "s.f", 3);
    const c = await js.consumers.get("S", "c");
    const t0 = performance.now();
    const got: number[] = [];
    for await (const m of await c.fetch({ max_messages: 10, expires: 800 })) {
      got.push(m.seq);
      m.ack();
    }
    const ms = performance.now() - t0;
    assert.deepEqual(got, [1, 2, 3]);
    assert.ok(ms >= 700 && ms < 1_700, `ended after ${ms} ms (408 at expires)`);
    const t1 = performance.now();
    assert.equal(await c.next({ expires: 500 }), null);
    assert.ok(performance.now() - t1 >= 400);
  });
});

Deno.test("fetch({ no_wait }) ends at once: partial batch (408 on 2.9, 404 later) or empty (404)", async () => {
  await withJs(async ({ jsm, js }) => {
    await setup(jsm);
    await fill(js, "s.nw", 3);
    const c = await js.consumers.get("S", "c");
    const t0 = performance.now();
    const got: number[] = [];
    const it = await c.fetch({ max_messages: 10, no_wait: true });
    for await (const m of it) {
      got.push(m.seq);
      m.ack();
    }
    assert.deepEqual(got, [1, 2, 3]);
    const empty = await c.fetch({ max_messages: 10, no_wait: true });
    let n = 0;
    for await (const _ of empty) n++;
    assert.equal(n, 0);
    assert.ok(performance.now() - t0 < 1_000, "no_wait never waits");
    assert.equal(await empty.closed(), undefined, "a normal end, not an error");
  });
});

Deno.test("fetch({ max_bytes }) stops before the message that does not fit (409 is a normal end)", async () => {
  await withJs(async ({ jsm, js }) => {
    await setup(jsm);
    for (let i = 0; i < 5; i++) await js.publish("s.b", "x".repeat(100));
    const c = await js.consumers.get("S", "c");
    const got: number[] = [];
    const it = await c.fetch({ max_bytes: 350, expires: 5_000 });
    const t0 = performance.now();
    for await (const m of it) {
      got.push(m.seq);
      m.ack();
    }
    assert.ok(got.length >= 1 && got.length < 5, `got ${got.length}`);
    assert.ok(performance.now() - t0 < 2_000, "ended by the server, not by expires");
    assert.equal(await it.closed(), undefined);
  });
});

Deno.test("pull sizes are checked against max_batch / max_expires / max_bytes first", async () => {
  await withJs(async ({ jsm, js }) => {
    await setup(jsm, { max_batch: 5, max_expires: nanos(2_000), max_bytes: 10_000 });
    await fill(js, "s.lim", 23);
    const c = await js.consumers.get("S", "c");
    await assert.rejects(c.fetch({ max_messages: 10 }), {
      name: "RangeError",
      message: /max_batch 5/,
    });
    await assert.rejects(c.fetch({ max_messages: 5, expires: 5_000 }), {
      name: "RangeError",
      message: /max_expires/,
    });
    await assert.rejects(c.fetch({ max_bytes: 20_000, expires: 1_000 }), {
      name: "RangeError",
      message: /max_bytes 20000 exceeds/,
    });
    // consume() pulls in pieces the consumer allows: no 409, no re-pull loop.
    const msgs = await c.consume({ max_messages: 50, expires: 30_000 });
    const notes = collect(msgs.status());
    let n = 0;
    for await (const m of msgs) {
      m.ack();
      if (++n === 23) break;
    }
    assert.equal(n, 23);
    assert.equal(notes.filter((x) => x.type === "exceeded_limits").length, 0);
    const pulls = notes.filter((x) => x.type === "next");
    assert.ok(pulls.length > 0);
    for (const p of pulls) {
      if (p.type === "next") {
        assert.ok(p.options.batch <= 5, `pull of ${p.options.batch}`);
        assert.ok((p.options.expires ?? 0) <= nanos(2_000));
      }
    }
  });
});

Deno.test("consume(): limits changed on the server after get() cause one 409, then smaller pulls", async () => {
  await withJs(async ({ jsm, js }) => {
    await setup(jsm);
    await fill(js, "s.chg", 20);
    const c = await js.consumers.get("S", "c");
    await jsm.consumers.update("S", "c", { max_batch: 3 });
    const msgs = await c.consume({ max_messages: 10 });
    const notes = collect(msgs.status());
    let n = 0;
    await within(
      (async () => {
        for await (const m of msgs) {
          m.ack();
          if (++n === 20) break;
        }
      })(),
      10_000,
      "20 messages",
    );
    const exceeded = notes.filter((x) => x.type === "exceeded_limits");
    assert.equal(exceeded.length, 1);
    assert.match(
      (exceeded[0] as { description: string }).description,
      /Exceeded MaxRequestBatch of 3/,
    );
  });
});

Deno.test("max_ack_pending is respected: no more than that many unacked messages", async () => {
  await withJs(async ({ jsm, js }) => {
    await setup(jsm, { max_ack_pending: 5 });
    await fill(js, "s.map", 20);
    const c = await js.consumers.get("S", "c");
    const held: JsMsg[] = [];
    const msgs = await c.consume({
      max_messages: 20,
      callback: (m) => held.push(m),
    });
    await waitFor(() => held.length === 5, "5 messages");
    await delay(400);
    assert.equal(held.length, 5, "the server holds the rest back");
    assert.equal((await c.info()).num_ack_pending, 5);
    for (const m of held.splice(0)) m.ack();
    await waitFor(() => held.length === 5, "5 more after acking");
    let total = 10;
    while (total < 20) {
      for (const m of held.splice(0)) m.ack();
      await waitFor(() => held.length > 0, "more");
      total += held.length;
    }
    for (const m of held.splice(0)) m.ack();
    await msgs.close();
    assert.equal(total, 20);
  });
});

Deno.test("workqueue stream: acked messages are removed", async () => {
  await withJs(async ({ jsm, js }) => {
    await setup(jsm, {}, { retention: RetentionPolicy.Workqueue });
    await fill(js, "s.wq", 10);
    const c = await js.consumers.get("S", "c");
    for await (const m of await c.fetch({ max_messages: 10, expires: 2_000 })) await m.ackAck();
    await waitFor(async () => (await jsm.streams.info("S")).state.messages === 0, "empty stream");
  });
});

Deno.test("a deleted consumer ends a waiting fetch at once (409); next() on it names what is missing", async () => {
  await withJs(async ({ jsm, js }) => {
    await setup(jsm);
    const c = await js.consumers.get("S", "c");
    const it = await c.fetch({ max_messages: 5, expires: 10_000 });
    const t0 = performance.now();
    // rejects() attaches the handler now: the 409 may come before the delete returns.
    const read = rejects((async () => {
      for await (const _ of it) { /* nothing arrives */ }
    })());
    await delay(100);
    await jsm.consumers.delete("S", "c");
    const err = await read;
    assert.ok(err instanceof JetStreamStatusError, String(err));
    assert.equal(err.code, 409);
    assert.match(err.message, /consumer "c" on stream "S" was deleted/);
    assert.ok(performance.now() - t0 < 2_000);
    // nats-server drops a pull for a missing consumer without a reply: the
    // client checks, and fails long before expires.
    const t1 = performance.now();
    const again = await rejects(c.next({ expires: 10_000 }));
    assert.ok(again instanceof ConsumerNotFoundError, String(again));
    await jsm.streams.delete("S");
    const noStream = await rejects(
      c.fetch({ max_messages: 3, expires: 10_000 }).then(async (it) => {
        for await (const _ of it) { /* nothing */ }
      }),
    );
    assert.ok(noStream instanceof StreamNotFoundError, String(noStream));
    assert.ok(performance.now() - t1 < 4_000, "both failed promptly");
  });
});

Deno.test("consume() reports a deleted consumer; with abort_on_missing_resource it ends with the error", async () => {
  await withJs(async ({ jsm, js }) => {
    await setup(jsm);
    await jsm.consumers.add("S", { durable_name: "c2", ack_policy: AckPolicy.Explicit });
    const c = await js.consumers.get("S", "c");
    const keepGoing = await c.consume({ expires: 2_000 });
    const notes = collect(keepGoing.status());
    const c2 = await js.consumers.get("S", "c2");
    const aborting = await c2.consume({ expires: 2_000, abort_on_missing_resource: true });
    await delay(100);
    await jsm.consumers.delete("S", "c");
    await jsm.consumers.delete("S", "c2");
    const ended = await within(aborting.closed(), 5_000, "consume to end");
    assert.ok(ended instanceof ConsumerNotFoundError, String(ended));
    await waitFor(
      () =>
        notes.some((n) => n.type === "consumer_deleted") &&
        notes.some((n) => n.type === "consumer_not_found"),
      "consumer_deleted and consumer_not_found notifications",
    );
    let stopped = false;
    keepGoing.closed().then(() => stopped = true);
    await delay(20);
    assert.equal(stopped, false, "without abort_on_missing_resource consume keeps trying");
    await keepGoing.close();
  });
});

Deno.test("heartbeats: a frozen server ends fetch with an error and makes consume report and re-pull", async () => {
  await withJs(async ({ server, jsm, js }) => {
    await setup(jsm);
    const c = await js.consumers.get("S", "c");
    const it = await c.fetch({ max_messages: 5, expires: 10_000, idle_heartbeat: 300 });
    const msgs = await c.consume({ expires: 4_000, idle_heartbeat: 300 });
    const notes = collect(msgs.status());
    const read = rejects((async () => {
      for await (const _ of it) { /* nothing */ }
    })());
    await delay(400); // at least one heartbeat arrives while the server runs
    await server.pause();
    try {
      const err = await within(read, 3_000, "fetch to fail");
      assert.ok(err instanceof JetStreamError);
      assert.match(err.message, /no heartbeat/);
      await waitFor(() => notes.some((n) => n.type === "heartbeats_missed"), "heartbeats_missed");
      const missed = notes.find((n) => n.type === "heartbeats_missed");
      assert.match(
        (missed as { reason: string }).reason,
        /no heartbeat from the server for \d+ ms \(2 missed\)/,
      );
    } finally {
      await server.resume();
    }
    assert.ok(notes.some((n) => n.type === "heartbeat"), "heartbeats were seen before");
    await js.publish("s.after", "x");
    const got = deferred<JsMsg>();
    (async () => {
      for await (const m of msgs) {
        got.resolve(m);
        break;
      }
    })();
    const m = await within(got.promise, 5_000, "consume to deliver after the freeze");
    assert.equal(m.subject, "s.after");
    m.ack();
  });
});

Deno.test("consume() keeps going across a server restart with file storage and loses no acked state", async () => {
  await withJs(
    async ({ server, jsm, js }) => {
      await jsm.streams.add({ name: "F", subjects: ["f"], storage: StorageType.File });
      await jsm.consumers.add("F", {
        durable_name: "d",
        ack_policy: AckPolicy.Explicit,
        ack_wait: nanos(2_000),
      });
      const N = 600;
      await fill(js, "f", N);
      const c = await js.consumers.get("F", "d");
      const msgs = await c.consume({ max_messages: 50, expires: 5_000 });
      const notes = collect(msgs.status());
      const confirmed = new Set<number>();
      const redelivered: number[] = [];
      let restarted = false;
      await within(
        (async () => {
          for await (const m of msgs) {
            if (confirmed.has(m.seq)) redelivered.push(m.seq);
            try {
              if (await m.ackAck({ timeout: 2_000 })) confirmed.add(m.seq);
            } catch {
              // the restart can swallow this ack: the message comes again
            }
            if (confirmed.size === 200 && !restarted) {
              restarted = true;
              await server.restart();
            }
            if (confirmed.size === N) break;
          }
        })(),
        40_000,
        "600 messages across a restart",
      );
      assert.ok(restarted);
      assert.deepEqual(redelivered, [], "nothing acked before the restart came back");
      assert.equal(confirmed.size, N);
      assert.ok(notes.some((n) => n.type === "reset"), "the reconnect was reported");
      const ci = await c.info();
      assert.equal(ci.ack_floor.stream_seq, N);
      assert.equal(ci.num_ack_pending, 0);
    },
    { conn: { reconnectTimeWait: 100, maxReconnectAttempts: -1 } },
  );
});

Deno.test("stop() and break end consume; AbortSignal ends fetch", async () => {
  await withJs(async ({ jsm, js }) => {
    await setup(jsm);
    await fill(js, "s.s", 5);
    const c = await js.consumers.get("S", "c");
    const msgs = await c.consume({ max_messages: 10 });
    let n = 0;
    for await (const m of msgs) {
      m.ack();
      if (++n === 2) break;
    }
    assert.equal(await msgs.closed(), undefined);
    // The other 3 went to the stopped consume unacked; these 3 are new.
    await fill(js, "s.s2", 3);
    const ac = new AbortController();
    const it = await c.fetch({ max_messages: 100, expires: 10_000, signal: ac.signal });
    const got: number[] = [];
    const read = rejects((async () => {
      for await (const m of it) {
        got.push(m.seq);
        m.ack();
      }
    })());
    await waitFor(() => got.length === 3, "the 3 new messages");
    ac.abort(new Error("enough"));
    const err = await read;
    assert.equal(err.message, "enough");
    const stopper = await c.consume();
    stopper.stop(new Error("why"));
    const e2 = await rejects((async () => {
      for await (const _ of stopper) { /* ends */ }
    })());
    assert.equal(e2.message, "why");
    assert.equal(((await stopper.closed()) as Error).message, "why");
  });
});

Deno.test("consume({ max_messages: 1 }) does not stall", async () => {
  await withJs(async ({ jsm, js }) => {
    await setup(jsm);
    await fill(js, "s.one", 20);
    const c = await js.consumers.get("S", "c");
    const msgs = await c.consume({ max_messages: 1 });
    const seqs: number[] = [];
    await within(
      (async () => {
        for await (const m of msgs) {
          seqs.push(m.seq);
          m.ack();
          if (seqs.length === 20) break;
        }
      })(),
      5_000,
      "20 messages one by one",
    );
    assert.deepEqual(seqs, Array.from({ length: 20 }, (_, i) => i + 1));
  });
});

Deno.test("409 Exceeded MaxWaiting ends a fetch with a clear error", async () => {
  await withJs(async ({ jsm, js }) => {
    await setup(jsm, { max_waiting: 1 });
    const c = await js.consumers.get("S", "c");
    const first = await c.fetch({ max_messages: 1, expires: 3_000 });
    const firstDone = (async () => {
      for await (const _ of first) { /* waits */ }
    })();
    await delay(100);
    const second = await c.fetch({ max_messages: 1, expires: 3_000 });
    const err = await rejects((async () => {
      for await (const _ of second) { /* refused */ }
    })());
    assert.ok(err instanceof JetStreamStatusError, String(err));
    assert.equal(err.code, 409);
    assert.match(err.message, /Exceeded MaxWaiting/);
    await js.publish("s.w", "x");
    await firstDone;
    assert.equal(first.getReceived(), 1);
  });
});

Deno.test("consume({ max_bytes }): byte-limited pulls deliver everything; a message that never fits ends it", async () => {
  await withJs(async ({ jsm, js }) => {
    await setup(jsm);
    await fill(js, "s.bytes", 200, (i) => `${i}`.padEnd(100, "."));
    const c = await js.consumers.get("S", "c");
    const msgs = await c.consume({ max_bytes: 2_000 });
    const notes = collect(msgs.status());
    const seqs: number[] = [];
    await within(
      (async () => {
        for await (const m of msgs) {
          seqs.push(m.seq);
          m.ack();
          if (seqs.length === 200) break;
        }
      })(),
      10_000,
      "200 messages in byte-limited pulls",
    );
    assert.deepEqual(seqs, Array.from({ length: 200 }, (_, i) => i + 1));
    const pulls = notes.filter((n) => n.type === "next");
    assert.ok(pulls.length > 5, `${pulls.length} pulls`);
    for (const p of pulls) {
      if (p.type === "next") assert.ok((p.options.max_bytes ?? 0) <= 2_000);
    }

    await js.publish("s.big", "x".repeat(500));
    const small = await c.consume({ max_bytes: 300, expires: 2_000 });
    const err = await within(
      rejects((async () => {
        for await (const _ of small) { /* nothing fits */ }
      })()),
      5_000,
      "consume to end",
    );
    assert.ok(err instanceof JetStreamStatusError, String(err));
    assert.match(err.message, /larger than max_bytes \(300\)/);
  });
});

// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * JetStream publish: the real PubAck, de-duplication, expectation headers,
 * no-stream and timeout errors, retries, pipelining with a bound on
 * outstanding acks, domains. The official client reads back what we stored.
 */
import assert from "node:assert/strict";
import { connect as natsConnect } from "@nats-io/transport-node";
import { jetstreamManager as theirManager } from "@nats-io/jetstream";
import {
  ClosedConnectionError,
  connect,
  headers,
  jetstream,
  JetStreamApiError,
  jetstreamManager,
  nanos,
  NoStreamError,
  StorageType,
  TimeoutError,
} from "../../mod.ts";
import { NatsServer } from "../_helpers/nats_server.ts";
import { delay, rejects, waitFor, withJs } from "./_js.ts";

Deno.test("publish() resolves with the real PubAck; seq equals the official manager's last_seq", async () => {
  await withJs(async ({ server, jsm, js }) => {
    await jsm.streams.add({ name: "ORDERS", subjects: ["orders.>"] });
    const theirs = await natsConnect({ servers: server.url });
    try {
      const tjsm = await theirManager(theirs);
      for (let i = 1; i <= 5; i++) {
        const pa = await js.publish(`orders.${i}`, `order ${i}`);
        assert.deepEqual(pa, { stream: "ORDERS", seq: i, duplicate: false });
        const si = await tjsm.streams.info("ORDERS");
        assert.equal(si.state.last_seq, pa.seq);
        assert.equal(si.state.messages, i);
      }
      const stored = await tjsm.streams.getMessage("ORDERS", { seq: 3 });
      assert.equal(stored?.subject, "orders.3");
      assert.equal(stored?.string(), "order 3");
    } finally {
      await theirs.close();
    }
  });
});

Deno.test("publish() without headers sends no header block; msgID/expect/headers do", async () => {
  await withJs(async ({ nc, jsm, js }) => {
    await jsm.streams.add({ name: "H", subjects: ["h.>"] });
    const seen: { subject: string; hasHeaders: boolean; id: string }[] = [];
    const sub = nc.subscribe("h.>", {
      callback: (_e, m) =>
        seen.push({
          subject: m.subject,
          hasHeaders: m.headers !== undefined,
          id: m.headers?.get("Nats-Msg-Id") ?? "",
        }),
    });
    await nc.flush();
    await js.publish("h.plain", "x");
    await js.publish("h.plain2", "x", { timeout: 2_000 });
    const user = headers();
    user.set("X-User", "1");
    await js.publish("h.user", "x", { headers: user, msgID: "m1" });
    assert.deepEqual(user.keys(), ["X-User"], "the caller's headers are not modified");
    await nc.flush();
    sub.unsubscribe();
    assert.deepEqual(seen, [
      { subject: "h.plain", hasHeaders: false, id: "" },
      { subject: "h.plain2", hasHeaders: false, id: "" },
      { subject: "h.user", hasHeaders: true, id: "m1" },
    ]);
    const stored = await jsm.streams.getMessage("H", { seq: 3 });
    assert.equal(stored?.header.get("X-User"), "1");
  });
});

Deno.test("msgID: a duplicate inside duplicate_window resolves duplicate:true with the original seq; after the window it is stored again", async () => {
  await withJs(async ({ jsm, js }) => {
    await jsm.streams.add({
      name: "D",
      subjects: ["d"],
      duplicate_window: nanos(600),
      storage: StorageType.Memory,
    });
    const first = await js.publish("d", "a", { msgID: "id-1" });
    assert.deepEqual(first, { stream: "D", seq: 1, duplicate: false });
    const again = await js.publish("d", "a", { msgID: "id-1" });
    assert.deepEqual(again, { stream: "D", seq: 1, duplicate: true });
    const other = await js.publish("d", "b", { msgID: "id-2" });
    assert.equal(other.seq, 2);
    assert.equal((await jsm.streams.info("D")).state.messages, 2, "held once");
    await delay(900); // the window under test is 600 ms
    const later = await js.publish("d", "a", { msgID: "id-1" });
    assert.deepEqual(later, { stream: "D", seq: 3, duplicate: false });
    assert.equal((await jsm.streams.info("D")).state.messages, 3);
  });
});

Deno.test("expect: each Nats-Expected-* header passes when true and fails with the server's error", async () => {
  await withJs(async ({ jsm, js }) => {
    await jsm.streams.add({ name: "X", subjects: ["x.>"] });
    await jsm.streams.add({ name: "Y", subjects: ["y"] });
    await js.publish("x.a", "1", { msgID: "first" });

    assert.equal((await js.publish("x.a", "2", { expect: { streamName: "X" } })).seq, 2);
    const wrongStream = await rejects(js.publish("x.a", "-", { expect: { streamName: "Y" } }));
    assert.ok(wrongStream instanceof JetStreamApiError);
    assert.equal(wrongStream.code, 10060);
    assert.match(wrongStream.message, /publish to "x.a"/);

    assert.equal((await js.publish("x.b", "3", { expect: { lastSequence: 2 } })).seq, 3);
    const wrongSeq = await rejects(js.publish("x.b", "-", { expect: { lastSequence: 2 } }));
    assert.ok(wrongSeq instanceof JetStreamApiError);
    assert.equal(wrongSeq.code, 10071);
    assert.match(wrongSeq.message, /wrong last sequence/);

    await js.publish("x.c", "4", { msgID: "m4" });
    assert.equal((await js.publish("x.c", "5", { expect: { lastMsgID: "m4" } })).seq, 5);
    const wrongId = await rejects(js.publish("x.c", "-", { expect: { lastMsgID: "m4" } }));
    assert.ok(wrongId instanceof JetStreamApiError);
    assert.equal(wrongId.code, 10070);

    // 0 means: no message on this subject yet.
    assert.equal((await js.publish("x.new", "6", { expect: { lastSubjectSequence: 0 } })).seq, 6);
    const taken = await rejects(js.publish("x.new", "-", { expect: { lastSubjectSequence: 0 } }));
    assert.ok(taken instanceof JetStreamApiError);
    assert.equal(taken.code, 10071);
    assert.equal((await js.publish("x.new", "7", { expect: { lastSubjectSequence: 6 } })).seq, 7);
    const stale = await rejects(js.publish("x.new", "-", { expect: { lastSubjectSequence: 6 } }));
    assert.equal((stale as JetStreamApiError).code, 10071);

    // All at once.
    const all = await js.publish("x.a", "8", {
      msgID: "m8",
      expect: { streamName: "X", lastSequence: 7, lastMsgID: "", lastSubjectSequence: 2 },
    });
    assert.equal(all.seq, 8);
    assert.equal(
      (await jsm.streams.info("X")).state.messages,
      8,
      "failed publishes stored nothing",
    );
  });
});

Deno.test("no stream for the subject: NoStreamError at once (503), not a timeout", async () => {
  await withJs(async ({ js }) => {
    const t0 = performance.now();
    const err = await rejects(js.publish("nobody.home", "x", { timeout: 5_000 }));
    assert.ok(err instanceof NoStreamError, String(err));
    assert.equal(err.subject, "nobody.home");
    assert.match(err.message, /no stream matches subject "nobody.home"/);
    assert.ok(performance.now() - t0 < 1_000, "must not wait for the timeout");
  });
});

Deno.test("a PubAck that never comes is a TimeoutError that says the outcome is unknown", async () => {
  await withJs(async ({ nc, js }) => {
    // Something listens (so no 503) but never answers.
    const sub = nc.subscribe("silent");
    await nc.flush();
    const t0 = performance.now();
    const err = await rejects(js.publish("silent", "x", { timeout: 300 }));
    const ms = performance.now() - t0;
    assert.ok(err instanceof TimeoutError, String(err));
    assert.match(err.message, /within 300 ms/);
    assert.match(err.message, /may or may not have been stored/);
    assert.ok(ms >= 290 && ms < 2_000, `timed out after ${ms} ms`);
    // Without a msgID a timed-out publish is not retried (it could duplicate).
    const err2 = await rejects(js.publish("silent", "y", { timeout: 200, retries: 3 }));
    assert.ok(err2 instanceof TimeoutError);
    await nc.flush();
    assert.equal(sub.getReceived(), 2, "one attempt each");
    sub.unsubscribe();
  });
});

Deno.test("retries: a 503 is retried with a short backoff until the stream exists", async () => {
  await withJs(async ({ jsm, js }) => {
    const p = js.publish("late.a", "x", { retries: 5 });
    await delay(100);
    await jsm.streams.add({ name: "LATE", subjects: ["late.>"] });
    const pa = await p;
    assert.deepEqual(pa, { stream: "LATE", seq: 1, duplicate: false });
    const err = await rejects(js.publish("never", "x", { retries: 1 }));
    assert.ok(err instanceof NoStreamError);
  });
});

Deno.test("retries with a msgID: a timed-out attempt is retried and cannot store a duplicate", async () => {
  await withJs(async ({ server, jsm, js }) => {
    await jsm.streams.add({ name: "R", subjects: ["r"] });
    await server.pause(); // SIGSTOP: every attempt times out while it is paused
    const p = js.publish("r", "once", { msgID: "only-once", timeout: 250, retries: 8 });
    await delay(700);
    await server.resume();
    const pa = await p;
    assert.equal(pa.stream, "R");
    assert.equal(pa.seq, 1);
    assert.equal(pa.duplicate, true, "the retry answered was a duplicate of the first attempt");
    const si = await jsm.streams.info("R");
    assert.equal(si.state.messages, 1, "stored exactly once");
  });
});

Deno.test("pipelined publishes resolve as acks arrive, in order, bounded by maxPendingAcks", async () => {
  await withJs(async ({ nc, jsm }) => {
    // A fake stream shows how many publishes are outstanding at once.
    const held: { reply: string }[] = [];
    const sub = nc.subscribe("fake", { callback: (_e, m) => held.push({ reply: m.reply }) });
    await nc.flush();
    const js = jetstream(nc, { maxPendingAcks: 10 });
    let done = 0;
    const all = Array.from({ length: 25 }, (_, i) =>
      js.publish("fake", String(i)).then((pa) => {
        done++;
        return pa;
      }));
    await waitFor(() => held.length === 10, "10 publishes outstanding");
    await nc.flush();
    await delay(50);
    assert.equal(held.length, 10, "the 11th waits for a slot");
    let seq = 0;
    const answer = (n: number) => {
      for (const h of held.splice(0, n)) {
        nc.publish(h.reply, JSON.stringify({ stream: "FAKE", seq: ++seq }));
      }
    };
    answer(4);
    await waitFor(() => done === 4 && held.length === 10, "4 acked, 4 more sent");
    while (done < 25) {
      answer(held.length);
      await waitFor(() => held.length > 0 || done === 25, "progress");
    }
    const acks = await Promise.all(all);
    assert.deepEqual(acks.map((a) => a.seq), Array.from({ length: 25 }, (_, i) => i + 1));
    sub.unsubscribe();

    // And against the real server: 5,000 in flight together, all stored once, in order.
    await jsm.streams.add({ name: "PIPE", subjects: ["pipe"], storage: StorageType.Memory });
    const real = jetstream(nc, { maxPendingAcks: 256 });
    const pas = await Promise.all(
      Array.from({ length: 5_000 }, (_, i) => real.publish("pipe", String(i))),
    );
    assert.deepEqual(pas.map((p) => p.seq), Array.from({ length: 5_000 }, (_, i) => i + 1));
    assert.equal((await jsm.streams.info("PIPE")).state.messages, 5_000);
    assert.equal((await jsm.streams.getMessage("PIPE", { seq: 4_321 }))?.string(), "4320");
  });
});

Deno.test("server errors on publish: max_msg_size (10054); closing the connection rejects waiting publishes", async () => {
  await withJs(async ({ nc, jsm, js }) => {
    await jsm.streams.add({ name: "SMALL", subjects: ["small"], max_msg_size: 10 });
    const big = await rejects(js.publish("small", "x".repeat(100)));
    assert.ok(big instanceof JetStreamApiError);
    assert.equal(big.code, 10054);
    assert.equal((await js.publish("small", "tiny")).seq, 1);

    nc.subscribe("blackhole");
    await nc.flush();
    const p = js.publish("blackhole", "x", { timeout: 10_000 });
    await delay(20);
    await nc.close();
    const err = await rejects(p);
    assert.ok(err instanceof ClosedConnectionError, String(err));
    await assert.rejects(js.publish("small", "x"), ClosedConnectionError);
  });
});

Deno.test("a JetStream domain: the API prefix becomes $JS.<domain>.API and the PubAck carries it", async () => {
  await using server = await NatsServer.start({
    jetstream: true,
    config: { jetstream: { domain: "hub" } },
  });
  const nc = await connect({ servers: server.url });
  try {
    const jsm = await jetstreamManager(nc, { domain: "hub" });
    assert.equal((await jsm.getAccountInfo()).domain, "hub");
    await jsm.streams.add({ name: "DOM", subjects: ["dom"] });
    const js = jetstream(nc, { domain: "hub" });
    assert.equal(js.apiPrefix, "$JS.hub.API");
    assert.deepEqual(await js.publish("dom", "x"), {
      stream: "DOM",
      seq: 1,
      duplicate: false,
      domain: "hub",
    });
    const c = await jsm.consumers.add("DOM", { durable_name: "d" });
    const m = await (await js.consumers.get("DOM", c.name)).next({ expires: 2_000 });
    assert.equal(m?.string(), "x");
    m?.ack();
    // An explicit prefix works the same.
    const viaPrefix = await jetstreamManager(nc, { apiPrefix: "$JS.hub.API" });
    assert.equal((await viaPrefix.streams.info("DOM")).state.messages, 1);
  } finally {
    await nc.close();
  }
});

Deno.test("clients made with jetstream(nc) share one PubAck inbox subscription", async () => {
  await withJs(async ({ server, nc, jsm }) => {
    await jsm.streams.add({ name: "SH", subjects: ["sh"], storage: StorageType.Memory });
    const subsOf = async () => {
      const c = await server.connz({ subs: true });
      const conns = (c.connections ?? []) as { subscriptions_list?: string[] }[];
      const inboxes = conns.flatMap((x) => x.subscriptions_list ?? []);
      return inboxes.filter((s) => s.startsWith("_INBOX.")).sort();
    };
    await jetstream(nc).publish("sh", "0");
    await nc.flush();
    const before = await subsOf();
    for (let i = 1; i <= 10; i++) {
      assert.equal((await jetstream(nc).publish("sh", String(i))).seq, i + 1);
    }
    await nc.flush();
    assert.deepEqual(await subsOf(), before);
  });
});

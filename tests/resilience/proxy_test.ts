// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * Faults made by the test-owned TCP proxy in front of a real nats-server: a
 * network partition (black hole), a dropped connection while a request is in
 * flight, a client that stops reading (the server cuts it as a slow
 * consumer), and byte streams cut into 1-7-byte writes both ways.
 * RELIABILITY.md §5 tests 5, 22, 23 and 24.
 */
import assert from "node:assert/strict";
import { connect, ErrorCode, headers, type Msg, NatsError } from "../../mod.ts";
import { NatsServer } from "../_helpers/nats_server.ts";
import { TcpProxy } from "../_helpers/tcp_proxy.ts";
import {
  connsNamed,
  deferred,
  firstDiff,
  hostport,
  range,
  StatusLog,
  subsOf,
  take,
  te,
  timed,
  uniqueName,
  waitFor,
  within,
} from "./_util.ts";

function codeOf(err: unknown): string | undefined {
  return (err as { code?: string } | undefined)?.code;
}

Deno.test("proxy sanity: forward mode carries a session; closeAll drops it and the client reconnects through the proxy", async () => {
  await using server = await NatsServer.start();
  await using proxy = TcpProxy.start(server.port);
  const nc = await connect({
    servers: proxy.url,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 50,
    reconnectJitter: 0,
  });
  const log = new StatusLog(nc);
  try {
    const sub = nc.subscribe("px");
    nc.publish("px", "one");
    assert.equal((await take(sub, 1))[0].string(), "one");
    await proxy.closeAll();
    await log.waitType("disconnect");
    await log.waitType("reconnect");
    nc.publish("px", "two");
    assert.equal((await take(sub, 1))[0].string(), "two");
    assert.equal(proxy.stats().accepted, 2);
  } finally {
    await nc.close();
    await log.stop();
  }
});

Deno.test("partition (black hole): staleConnection within 3 x pingInterval, redials time out while partitioned, heal -> reconnect; no duplicate subscriptions; bytes lost in the void are never re-sent, publishes made after the disconnect arrive once", async () => {
  await using server = await NatsServer.start();
  await using proxy = TcpProxy.start(server.port);
  const name = uniqueName("partition");
  const pingInterval = 250;
  const nc = await connect({
    servers: proxy.url,
    name,
    pingInterval,
    maxPingOut: 2,
    timeout: 500, // a dial into the black hole gets no INFO: give up after 500 ms
    maxReconnectAttempts: -1,
    reconnectTimeWait: 50,
    reconnectTimeWaitMax: 100,
    reconnectJitter: 0,
  });
  const log = new StatusLog(nc);
  try {
    const seq = nc.subscribe("part.seq");
    nc.subscribe("part.q", { queue: "g" });
    nc.subscribe("part.>");
    await nc.flush();
    const before = await subsOf(server, name);

    proxy.setMode("blackhole");
    const cut = performance.now();
    // Handed to a socket that leads nowhere: at-most-once says these are gone.
    for (let i = 0; i < 50; i++) nc.publish("part.seq", `void-${i}`);

    const stale = await log.waitType("staleConnection", 3_000);
    const detect = stale.at - cut;
    assert.ok(detect < 3 * pingInterval + 150, `stale after ${detect.toFixed(0)} ms`);
    await log.waitType("disconnect", 1_000);
    // Made after the disconnect: buffered, then replayed once after the heal.
    for (let i = 0; i < 100; i++) nc.publish("part.seq", `buf-${i}`);

    // While partitioned, redials reach the proxy but never get INFO.
    await log.wait(
      (s) => s.type === "reconnecting" && s.attempt >= 2,
      "a second redial into the black hole",
      5_000,
    );
    assert.equal(log.of("reconnect").length, 0);
    assert.equal(nc.isClosed(), false);

    proxy.setMode("forward");
    const rec = await log.waitType("reconnect", 5_000);
    assert.equal(rec.status.server, hostport(proxy.port));

    const got = await take(seq, 100, 5_000);
    assert.equal(
      firstDiff(got.map((m) => m.string()), range(100).map((i) => `buf-${i}`)),
      "equal",
    );
    nc.publish("part.seq", "end");
    assert.equal((await take(seq, 1))[0].string(), "end");
    assert.equal(seq.getReceived(), 101, "a publish lost in the partition was re-sent");

    // The partitioned connection and the timed-out dials are gone server-side;
    // the one left holds each subscription once, with its old sid.
    await waitFor(
      async () => (await connsNamed(server, name)).length === 1,
      "exactly one server connection for the client",
      5_000,
      25,
    );
    const after = await subsOf(server, name);
    const key = (s: { subject: string; qgroup?: string; sid: string }) =>
      `${s.sid} ${s.subject} ${s.qgroup ?? ""}`;
    assert.deepEqual(after.map(key).sort(), before.map(key).sort());
    assert.equal(new Set(after.map(key)).size, after.length, "duplicate subscription");
  } finally {
    await nc.close();
    await log.stop();
  }
});

Deno.test("keepalive is not starved by publishing: a partition is detected within 3 x pingInterval while the client publishes every 20 ms", async () => {
  await using server = await NatsServer.start();
  await using proxy = TcpProxy.start(server.port);
  const pingInterval = 250;
  const nc = await connect({
    servers: proxy.url,
    pingInterval,
    maxPingOut: 2,
    timeout: 500,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 50,
    reconnectJitter: 0,
  });
  const log = new StatusLog(nc);
  let n = 0;
  const timer = setInterval(() => {
    try {
      nc.publish("busy", String(n++));
    } catch {
      // buffer full or closed: irrelevant here
    }
  }, 20);
  try {
    await nc.flush();
    proxy.setMode("blackhole");
    const cut = performance.now();
    const stale = await log.waitType("staleConnection", 3_000);
    assert.ok(stale.at - cut < 3 * pingInterval + 150, `stale after ${stale.at - cut} ms`);
    assert.ok(n > 10, "the publisher did not run");
    proxy.setMode("forward");
    await log.waitType("reconnect", 5_000);
  } finally {
    clearInterval(timer);
    await nc.close();
    await log.stop();
  }
});

Deno.test("failPendingOnDisconnect (default true): a request and a flush in flight when the connection drops reject at once with DISCONNECTED", async () => {
  await using server = await NatsServer.start();
  await using proxy = TcpProxy.start(server.port);
  const responder = await connect({ servers: server.url });
  const got = deferred<Msg>();
  responder.subscribe("svc.hold", { callback: (_e, m) => got.resolve(m) });
  await responder.flush();
  const nc = await connect({
    servers: proxy.url,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 50,
    reconnectJitter: 0,
  });
  const log = new StatusLog(nc);
  try {
    const req = timed(nc.request("svc.hold", "q", { timeout: 10_000 }));
    await within(got.promise, 5_000, "the request to reach the responder");
    proxy.setMode("blackhole");
    const fl = timed(nc.flush());
    await proxy.closeAll();
    const dropped = performance.now();
    for (const [what, p] of [["request", req], ["flush", fl]] as const) {
      const r = await within(p as Promise<{ ms: number; error?: unknown }>, 5_000, what);
      assert.ok(r.error instanceof NatsError, `${what}: ${r.error}`);
      assert.equal(codeOf(r.error), ErrorCode.Disconnected, `${what}: ${r.error}`);
    }
    const ms = performance.now() - dropped;
    assert.ok(ms < 250, `rejected ${ms.toFixed(0)} ms after the drop`);
    proxy.setMode("forward");
    await log.waitType("reconnect", 5_000);
  } finally {
    await nc.close();
    await responder.close();
    await log.stop();
  }
});

Deno.test("failPendingOnDisconnect false: a request in flight across a dropped connection gets its reply after the reconnect", async () => {
  await using server = await NatsServer.start();
  await using proxy = TcpProxy.start(server.port);
  const responder = await connect({ servers: server.url });
  const got = deferred<Msg>();
  responder.subscribe("svc.hold", { callback: (_e, m) => got.resolve(m) });
  await responder.flush();
  const nc = await connect({
    servers: proxy.url,
    failPendingOnDisconnect: false,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 50,
    reconnectJitter: 0,
  });
  const log = new StatusLog(nc);
  try {
    let settled = false;
    const req = nc.request("svc.hold", "q", { timeout: 10_000 });
    req.then(() => settled = true, () => settled = true);
    const m = await within(got.promise, 5_000, "the request to reach the responder");
    await proxy.closeAll();
    await log.waitType("disconnect");
    await log.waitType("reconnect", 5_000);
    assert.equal(settled, false, "the request settled on the disconnect");
    // The reply goes to the shared inbox, which was re-subscribed on reconnect.
    m.respond("answer");
    const reply = await within(req, 3_000, "the reply after the reconnect");
    assert.equal(reply.string(), "answer");
  } finally {
    await nc.close();
    await responder.close();
    await log.stop();
  }
});

Deno.test("server-side slow consumer: a client that stops reading is cut by the server (max_pending 64KB, logged 'Slow Consumer Detected'); the client sees a disconnect, reconnects and resubscribes", async () => {
  await using server = await NatsServer.start({
    // 2.9.10 refuses a max_payload above max_pending.
    config: { max_pending: 65536, max_payload: 32768, write_deadline: "500ms" },
  });
  await using proxy = TcpProxy.start(server.port);
  const name = uniqueName("slowpoke");
  const nc = await connect({
    servers: proxy.url,
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 50,
    reconnectJitter: 0,
  });
  const log = new StatusLog(nc);
  const pc = await connect({ servers: server.url, name: "publisher" });
  try {
    const data = nc.subscribe("sc.data");
    const ctl = nc.subscribe("sc.ctl");
    await nc.flush();
    const seen: number[] = [];
    const reading = (async () => {
      for await (const m of data) seen.push(m.data[0] | (m.data[1] << 8) | (m.data[2] << 16));
    })();

    // The client side stops reading: the server's socket to it backs up.
    proxy.setMode("stall");
    const payload = new Uint8Array(32 * 1024);
    let n = 0;
    const detected = async () => (await server.logs()).includes("Slow Consumer Detected");
    const deadline = performance.now() + 20_000;
    while (!(await detected())) {
      assert.ok(performance.now() < deadline, `not cut after ${n} x 32 KiB`);
      for (let i = 0; i < 16; i++, n++) {
        payload[0] = n & 0xff;
        payload[1] = (n >> 8) & 0xff;
        payload[2] = n >> 16;
        pc.publish("sc.data", payload);
      }
      await pc.flush();
    }
    const line = (await server.logs()).split("\n").find((l) =>
      l.includes("Slow Consumer Detected")
    );
    assert.ok(line !== undefined);

    // Let the bytes flow again: the client drains what was queued, then sees EOF.
    proxy.setMode("forward");
    const disc = await log.waitType("disconnect", 10_000);
    assert.equal(disc.status.server, hostport(proxy.port));
    await log.waitType("reconnect", 10_000);
    assert.equal(nc.isClosed(), false);

    pc.publish("sc.ctl", "after");
    await pc.flush();
    assert.equal((await take(ctl, 1, 5_000))[0].string(), "after");
    await waitFor(
      async () => (await connsNamed(server, name)).length === 1,
      "one server connection for the client",
    );
    const subs = (await subsOf(server, name)).map((s) => s.subject).sort();
    assert.deepEqual(subs, ["sc.ctl", "sc.data"]);
    // At most once: what arrived came in order, each message once.
    for (let i = 1; i < seen.length; i++) {
      assert.ok(
        seen[i] > seen[i - 1],
        `out of order or duplicate at ${i}: ${seen[i - 1]}, ${seen[i]}`,
      );
    }
    data.unsubscribe();
    await reading;
  } finally {
    await pc.close();
    await nc.close();
    await log.stop();
  }
});

/** A deterministic PRNG for payloads (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

Deno.test("re-chunking proxy: 10,000 messages with headers and binary payloads, split into 1-7-byte writes both ways, arrive byte-identical", async () => {
  await using server = await NatsServer.start();
  const seed = 0x5eed1;
  await using proxy = TcpProxy.start(server.port, { mode: "rechunk", seed });
  const nc = await connect({ servers: proxy.url });
  try {
    const rand = prng(seed);
    const N = 10_000;
    const tricky = te.encode("\r\nMSG x 1 2\r\nNATS/1.0\r\n\r\n");
    const expected: {
      subject: string;
      reply: string;
      data: Uint8Array;
      hdr: [string, string][];
    }[] = [];
    const sub = nc.subscribe("rc.>");
    await nc.flush();
    for (let i = 0; i < N; i++) {
      const len = i % 10 === 0 ? 0 : Math.floor(rand() * 160);
      const data = new Uint8Array(len);
      for (let j = 0; j < len; j++) data[j] = Math.floor(rand() * 256);
      if (i % 97 === 0) data.set(tricky.subarray(0, Math.min(len, tricky.length)));
      const subject = `rc.${i % 13}.x${i}`;
      const reply = i % 3 === 0 ? `reply.${i}` : "";
      const hdr: [string, string][] = [["X-Seq", String(i)]];
      if (i % 2 === 0) {
        hdr.push([
          "X-Bin",
          Array.from(data.subarray(0, 8), (b) => b.toString(16)).join(":"),
        ]);
      }
      if (i % 5 === 0) hdr.push(["X-Seq", `dup ${i}`]);
      const h = headers();
      for (const [k, v] of hdr) h.append(k, v);
      nc.publish(subject, data, reply ? { reply, headers: h } : { headers: h });
      expected.push({ subject, reply, data, hdr });
    }
    const got = await take(sub, N, 60_000);
    for (let i = 0; i < N; i++) {
      const m = got[i];
      const e = expected[i];
      assert.equal(m.subject, e.subject, `message ${i}`);
      assert.equal(m.reply, e.reply, `message ${i}`);
      assert.deepEqual(m.data, e.data, `payload of message ${i}`);
      // Iteration groups values by key, keys in first-seen order.
      const want = new Map<string, string[]>();
      for (const [k, v] of e.hdr) want.set(k, [...(want.get(k) ?? []), v]);
      assert.deepEqual([...m.headers!], [...want], `headers of message ${i}`);
    }
    const st = proxy.stats();
    assert.ok(st.chunkedWrites > (st.toServer + st.toClient) / 7, "the proxy did not re-chunk");
  } finally {
    await nc.close();
  }
});

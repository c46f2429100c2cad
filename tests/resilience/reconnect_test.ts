// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * Reconnect against one real nats-server: SIGKILL and restart on the same
 * port, the publish buffer kept while disconnected, pending operations on a
 * disconnect, the reconnect policy (attempts, backoff, custom delays), close()
 * in the middle of a backoff, and waitOnFirstConnect.
 * RELIABILITY.md §5 tests 1-8.
 */
import assert from "node:assert/strict";
import { connect, ErrorCode, NatsError } from "../../mod.ts";
import { NatsServer } from "../_helpers/nats_server.ts";
import {
  deferred,
  delay,
  firstDiff,
  hostport,
  range,
  StatusLog,
  subsOf,
  take,
  timed,
  uniqueName,
  waitFor,
  within,
} from "./_util.ts";

/** Fast, deterministic reconnect settings for tests (no jitter). */
const FAST = {
  maxReconnectAttempts: -1,
  reconnectTimeWait: 50,
  reconnectTimeWaitMax: 200,
  reconnectJitter: 0,
} as const;

function codeOf(err: unknown): string | undefined {
  return (err as { code?: string } | undefined)?.code;
}

Deno.test("reconnect: after SIGKILL + same-port restart every sub (plain, queue, wildcards) is restored once, and 1,000 publishes made while down arrive once each, in order", async () => {
  await using server = await NatsServer.start();
  const name = uniqueName("sigkill");
  const nc = await connect({ servers: server.url, name, ...FAST });
  const log = new StatusLog(nc);
  try {
    const plain = nc.subscribe("r.plain");
    const queue = nc.subscribe("r.queue", { queue: "workers" });
    const star = nc.subscribe("r.star.*");
    const full = nc.subscribe("r.full.>");
    const seq = nc.subscribe("r.seq");
    await nc.flush();
    const before = await subsOf(server, name);
    assert.equal(before.length, 5);

    await server.kill();
    const disc = await log.waitType("disconnect", 5_000);
    assert.equal(disc.status.server, hostport(server.port));
    // Made while disconnected: kept in order and sent after the SUBs.
    for (let i = 0; i < 1_000; i++) nc.publish("r.seq", String(i));
    assert.equal(nc.isClosed(), false);

    await server.restart();
    const rec = await log.waitType("reconnect", 10_000);
    assert.equal(rec.status.server, hostport(server.port));

    const got = await take(seq, 1_000, 10_000);
    const nums = got.map((m) => Number(m.string()));
    assert.equal(firstDiff(nums, range(1_000)), "equal");
    await nc.flush();
    assert.equal(seq.getReceived(), 1_000, "a buffered publish was delivered twice");

    // Every SID is listed once, with the same subject, queue and sid as before.
    const after = await subsOf(server, name);
    const key = (s: { subject: string; qgroup?: string; sid: string }) =>
      `${s.sid} ${s.subject} ${s.qgroup ?? ""}`;
    assert.deepEqual(after.map(key).sort(), before.map(key).sort());

    // ...and each delivers again, to a publisher on another connection.
    const other = await connect({ servers: server.url });
    try {
      other.publish("r.plain", "p");
      other.publish("r.queue", "q");
      other.publish("r.star.x", "s");
      other.publish("r.full.a.b", "f");
      await other.flush();
    } finally {
      await other.close();
    }
    assert.equal((await take(plain, 1))[0].string(), "p");
    assert.equal((await take(queue, 1))[0].string(), "q");
    assert.equal((await take(star, 1))[0].subject, "r.star.x");
    assert.equal((await take(full, 1))[0].subject, "r.full.a.b");

    assert.equal(log.of("disconnect").length, 1, `events: ${log.describe()}`);
    assert.equal(log.of("reconnect").length, 1, `events: ${log.describe()}`);
  } finally {
    await nc.close();
    await log.stop();
  }
});

Deno.test("reconnect: subscriptions made, removed and auto-unsubscribing during the outage are reflected after the reconnect", async () => {
  await using server = await NatsServer.start();
  const name = uniqueName("subs-changed");
  const nc = await connect({ servers: server.url, name, ...FAST });
  const log = new StatusLog(nc);
  try {
    const removed = nc.subscribe("c.removed");
    const limited = nc.subscribe("c.limited", { max: 5 });
    await nc.flush();
    nc.publish("c.limited", "0");
    nc.publish("c.limited", "1");
    await take(limited, 2);

    await server.kill();
    await log.waitType("disconnect");
    const added = nc.subscribe("c.added");
    removed.unsubscribe();
    await server.restart();
    await log.waitType("reconnect", 10_000);

    const subs = await subsOf(server, name);
    const subjects = subs.map((s) => s.subject).sort();
    assert.deepEqual(subjects, ["c.added", "c.limited"]);
    // The remainder of the auto-unsubscribe (5 - 2) is what the server holds.
    const lim = subs.find((s) => s.subject === "c.limited")!;
    assert.equal(lim.max, 3, `connz: ${JSON.stringify(lim)}`);

    for (let i = 2; i < 10; i++) nc.publish("c.limited", String(i));
    nc.publish("c.added", "new");
    nc.publish("c.removed", "gone");
    await nc.flush();
    assert.equal((await take(added, 1))[0].string(), "new");
    const rest = await take(limited, 3);
    assert.deepEqual(rest.map((m) => m.string()), ["2", "3", "4"]);
    await within(limited.closed, 2_000, "auto-unsubscribed sub to close");
    assert.equal(limited.getReceived(), 5);
    assert.equal(removed.getReceived(), 0);
  } finally {
    await nc.close();
    await log.stop();
  }
});

Deno.test("reconnect buffer: past reconnectBufSize a publish throws RECONNECT_BUFFER_EXCEEDED synchronously; what fitted is delivered once, what overflowed never", async () => {
  await using server = await NatsServer.start();
  const cap = 200;
  const nc = await connect({ servers: server.url, reconnectBufSize: cap, ...FAST });
  const log = new StatusLog(nc);
  try {
    const sub = nc.subscribe("cap");
    await nc.flush();
    await server.kill();
    await log.waitType("disconnect");

    let accepted = 0;
    let payloadBytes = 0;
    let thrown: unknown;
    for (let i = 0; i < 1_000; i++) {
      const p = `m${i}`;
      try {
        nc.publish("cap", p);
      } catch (err) {
        thrown = err;
        break;
      }
      accepted++;
      payloadBytes += p.length;
    }
    assert.ok(thrown !== undefined, "no publish was refused with a 200-byte buffer");
    assert.ok(thrown instanceof NatsError, `got ${thrown}`);
    assert.equal(codeOf(thrown), ErrorCode.ReconnectBufferExceeded);
    assert.ok(accepted >= 1, "not even one small publish fitted");
    assert.ok(payloadBytes <= cap, `${payloadBytes} payload bytes kept under a ${cap}-byte cap`);
    // Still full: a big one is refused as well, and nothing half-written stays behind.
    assert.throws(
      () => nc.publish("cap", new Uint8Array(1024)),
      (e: unknown) => codeOf(e) === ErrorCode.ReconnectBufferExceeded,
    );

    await server.restart();
    await log.waitType("reconnect", 10_000);
    const got = await take(sub, accepted, 5_000);
    assert.deepEqual(got.map((m) => m.string()), range(accepted).map((i) => `m${i}`));
    await nc.flush();
    assert.equal(sub.getReceived(), accepted, "a refused publish was delivered");
    // Connected again: publishing works and the cap no longer applies.
    nc.publish("cap", new Uint8Array(1024));
    assert.equal((await take(sub, 1))[0].data.length, 1024);
  } finally {
    await nc.close();
    await log.stop();
  }
});

Deno.test("reconnect buffer: the default cap is 8 MiB, and an 8 MiB backlog is replayed in order", async () => {
  await using server = await NatsServer.start();
  const nc = await connect({ servers: server.url, ...FAST });
  const log = new StatusLog(nc);
  try {
    const sub = nc.subscribe("big");
    await nc.flush();
    await server.kill();
    await log.waitType("disconnect");
    const chunk = 64 * 1024;
    let n = 0;
    let thrown: unknown;
    for (; n < 1_000; n++) {
      const p = new Uint8Array(chunk);
      p[0] = n & 0xff;
      p[1] = n >> 8;
      try {
        nc.publish("big", p);
      } catch (err) {
        thrown = err;
        break;
      }
    }
    assert.equal(codeOf(thrown), ErrorCode.ReconnectBufferExceeded, `got ${thrown}`);
    const MiB8 = 8 * 1024 * 1024;
    assert.ok(n * chunk <= MiB8, `${n} x 64 KiB kept`);
    // Allow for per-message protocol overhead in the accounting.
    assert.ok((n + 1) * chunk + n * 64 > MiB8, `only ${n} x 64 KiB kept before the cap`);

    await server.restart();
    await log.waitType("reconnect", 10_000);
    const got = await take(sub, n, 15_000);
    assert.deepEqual(got.map((m) => m.data[0] | (m.data[1] << 8)), range(n));
  } finally {
    await nc.close();
    await log.stop();
  }
});

Deno.test("reconnect buffer: reconnectBufSize -1 disables buffering: a publish while disconnected throws synchronously and is never sent", async () => {
  await using server = await NatsServer.start();
  const nc = await connect({ servers: server.url, reconnectBufSize: -1, ...FAST });
  const log = new StatusLog(nc);
  try {
    const sub = nc.subscribe("nobuf");
    await nc.flush();
    await server.kill();
    await log.waitType("disconnect");
    let thrown: unknown;
    try {
      nc.publish("nobuf", "lost");
    } catch (err) {
      thrown = err;
    }
    assert.ok(thrown instanceof NatsError, `publish while disconnected did not throw: ${thrown}`);
    assert.ok(
      codeOf(thrown) === ErrorCode.ReconnectBufferExceeded ||
        codeOf(thrown) === ErrorCode.Disconnected,
      `code ${codeOf(thrown)}`,
    );
    await server.restart();
    await log.waitType("reconnect", 10_000);
    nc.publish("nobuf", "after");
    const [m] = await take(sub, 1);
    assert.equal(m.string(), "after");
    await nc.flush();
    assert.equal(sub.getReceived(), 1);
  } finally {
    await nc.close();
    await log.stop();
  }
});

Deno.test("disconnect: a pending request, flush() and rtt() reject with DISCONNECTED within 250 ms of the kill (not at their 10 s timeout); flush while disconnected rejects at once", async () => {
  await using server = await NatsServer.start();
  const nc = await connect({ servers: server.url, ...FAST });
  const log = new StatusLog(nc);
  try {
    // Our own silent subscriber holds the request: no reply, no 503.
    const silent = nc.subscribe("svc.silent");
    await nc.flush();
    const req = timed(nc.request("svc.silent", "q", { timeout: 10_000 }));
    await waitFor(() => silent.getReceived() === 1, "the request to reach the subscriber");
    // Frozen server: the PINGs of flush() and rtt() stay unanswered.
    await server.pause();
    const fl = timed(nc.flush());
    const rt = timed(nc.rtt());
    await delay(20); // let the PINGs reach the frozen socket
    await server.kill();
    const killed = performance.now();
    const all: [string, Promise<{ ms: number; error?: unknown }>][] = [
      ["request", req],
      ["flush", fl],
      ["rtt", rt],
    ];
    for (const [what, p] of all) {
      const r = await within(p, 5_000, what);
      assert.ok(r.error !== undefined, `${what} resolved instead of rejecting`);
      assert.ok(r.error instanceof NatsError, `${what}: ${r.error}`);
      assert.equal(codeOf(r.error), ErrorCode.Disconnected, `${what}: ${r.error}`);
    }
    const settledAfter = performance.now() - killed;
    assert.ok(settledAfter < 250, `rejected ${settledAfter.toFixed(0)} ms after the kill`);
    await log.waitType("disconnect");

    const again = await timed(nc.flush());
    assert.ok(again.error instanceof NatsError, `flush while disconnected: ${again.error}`);
    assert.ok(again.ms < 50, `flush while disconnected took ${again.ms} ms`);

    await server.restart();
    await log.waitType("reconnect", 10_000);
    assert.ok((await nc.rtt()) >= 0);
  } finally {
    await nc.close();
    await log.stop();
  }
});

Deno.test("reconnect policy: maxReconnectAttempts 3 gives exactly three reconnecting events (no wait, then the doubling backoff), then closed() resolves with the error and a close status", async () => {
  await using server = await NatsServer.start();
  const nc = await connect({
    servers: server.url,
    maxReconnectAttempts: 3,
    reconnectTimeWait: 50,
    reconnectTimeWaitMax: 1_000,
    reconnectJitter: 0,
  });
  const log = new StatusLog(nc);
  try {
    await server.kill();
    const err = await within(nc.closed(), 5_000, "closed()");
    assert.ok(err instanceof NatsError, `closed() resolved with ${err}`);
    await waitFor(() => log.of("close").length === 1, "close status");
    const rc = log.timed("reconnecting");
    assert.deepEqual(rc.map((e) => e.status.attempt), [1, 2, 3], log.describe());
    for (const e of rc) assert.equal(e.status.server, hostport(server.port));
    // Reported delays: immediate, then 50 ms, then 100 ms (rounded; no jitter).
    const delays = rc.map((e) => e.status.delay);
    assert.equal(delays[0], 0);
    assert.ok(delays[1] >= 45 && delays[1] <= 50, `delays ${delays}`);
    assert.ok(delays[2] >= 95 && delays[2] <= 100, `delays ${delays}`);
    // Each event is emitted as its wait begins: the next event (or the
    // close) comes at least that long after it.
    const closeAt = log.timed("close")[0].at;
    const next = [rc[1].at, rc[2].at, closeAt];
    for (let i = 0; i < 3; i++) {
      const gap = next[i] - rc[i].at;
      assert.ok(gap >= delays[i] - 2, `attempt ${i + 1}: waited ${gap} ms, announced ${delays[i]}`);
    }
    const close = log.of("close")[0];
    assert.equal(close.error, err);
    assert.equal(log.of("disconnect").length, 1);
    assert.equal(log.of("reconnect").length, 0);
    assert.equal(nc.isClosed(), true);
    assert.deepEqual(log.types().at(-1), "close");
  } finally {
    await nc.close();
    await log.stop();
  }
});

Deno.test("reconnect policy: reconnectDelayHandler(attempt) replaces backoff and jitter", async () => {
  await using server = await NatsServer.start();
  const calls: number[] = [];
  const nc = await connect({
    servers: server.url,
    maxReconnectAttempts: 4,
    reconnectTimeWait: 5_000, // ignored: the handler decides
    reconnectJitter: 5_000,
    reconnectDelayHandler: (attempt) => {
      calls.push(attempt);
      return 30 * attempt;
    },
  });
  const log = new StatusLog(nc);
  try {
    await server.kill();
    const { ms, value: err } = await timed(within(nc.closed(), 5_000, "closed()"));
    assert.ok(err instanceof NatsError, `closed() resolved with ${err}`);
    // 0 + 30 + 60 + 90 ms of waiting, far from the 5 s the ignored options imply.
    assert.ok(ms < 2_000, `took ${ms} ms`);
    const rc = log.timed("reconnecting");
    assert.deepEqual(rc.map((e) => e.status.attempt), [1, 2, 3, 4]);
    assert.deepEqual(calls.slice(0, 3), [1, 2, 3]);
    const delays = rc.map((e) => e.status.delay);
    assert.equal(delays[0], 0);
    for (let i = 1; i < 4; i++) {
      assert.ok(
        delays[i] <= 30 * i && delays[i] >= 30 * i - 5,
        `attempt ${i + 1} delay ${delays[i]}, handler said ${30 * i}`,
      );
    }
    const closeAt = log.timed("close")[0].at;
    for (let i = 0; i < 4; i++) {
      const gap = (i < 3 ? rc[i + 1].at : closeAt) - rc[i].at;
      assert.ok(gap >= delays[i] - 2, `attempt ${i + 1}: waited ${gap} ms, announced ${delays[i]}`);
    }
  } finally {
    await nc.close();
    await log.stop();
  }
});

Deno.test("close() during a reconnect backoff resolves promptly and leaves no timer behind (sanitizers)", async () => {
  await using server = await NatsServer.start();
  const waiting = deferred<void>();
  const nc = await connect({
    servers: server.url,
    maxReconnectAttempts: -1,
    // The handler runs when a dial failed and the 10 s wait is about to start.
    reconnectDelayHandler: () => {
      waiting.resolve();
      return 10_000;
    },
  });
  const log = new StatusLog(nc);
  try {
    await server.kill();
    await within(waiting.promise, 5_000, "the first failed redial");
    const { ms } = await timed(nc.close());
    assert.ok(ms < 1_000, `close() took ${ms} ms`);
    assert.equal(await within(nc.closed(), 1_000, "closed()"), undefined);
    assert.equal(nc.isClosed(), true);
    await waitFor(() => log.of("close").length === 1, "close status");
  } finally {
    await nc.close();
    await log.stop();
  }
});

Deno.test("close() during the default exponential backoff resolves promptly (sanitizers)", async () => {
  await using server = await NatsServer.start();
  const nc = await connect({
    servers: server.url,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 10_000,
    reconnectTimeWaitMax: 10_000,
  });
  const log = new StatusLog(nc);
  try {
    await server.kill();
    // The second reconnecting event is emitted as its 10 s wait begins.
    const second = await log.wait(
      (s) => s.type === "reconnecting" && s.attempt === 2,
      "second reconnecting event",
    );
    assert.ok((second.status as { delay: number }).delay >= 9_000);
    const { ms } = await timed(nc.close());
    assert.ok(ms < 1_000, `close() took ${ms} ms`);
    assert.equal(nc.isClosed(), true);
  } finally {
    await nc.close();
    await log.stop();
  }
});

Deno.test("waitOnFirstConnect: connect() keeps trying until a late server appears on the port", async () => {
  // Learn a port the launcher can come back on, then take the server down.
  await using server = await NatsServer.start();
  const port = server.port;
  await server.kill();
  const name = uniqueName("late");
  let settled = false;
  const pending = connect({
    servers: `nats://127.0.0.1:${port}`,
    name,
    waitOnFirstConnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 50,
    reconnectTimeWaitMax: 100,
    reconnectJitter: 0,
  }).finally(() => settled = true);
  pending.catch(() => {});
  // Several dials are refused meanwhile (each takes well under a millisecond).
  await delay(300);
  assert.equal(settled, false, "connect() settled with nothing listening");
  await server.restart();
  const nc = await within(pending, 5_000, "connect() after the server started");
  try {
    assert.equal(nc.getServer(), `nats://127.0.0.1:${port}`);
    const sub = nc.subscribe("late");
    nc.publish("late", "hi");
    assert.equal((await take(sub, 1))[0].string(), "hi");
    assert.equal((await subsOf(server, name)).length, 1);
  } finally {
    await nc.close();
  }
});

Deno.test("without waitOnFirstConnect a dead port fails the first connect at once", async () => {
  await using server = await NatsServer.start();
  await server.kill();
  const r = await timed(connect({ servers: server.url, maxReconnectAttempts: -1 }));
  assert.ok(r.error instanceof NatsError, `got ${r.error}`);
  assert.ok(r.ms < 1_000, `took ${r.ms} ms`);
});

// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
import assert from "node:assert/strict";
import {
  ClosedConnectionError,
  connect,
  DrainingConnectionError,
  type Msg,
  type NatsConnection,
  type Subscription,
  TimeoutError,
} from "../../mod.ts";
import { NatsServer } from "../_helpers/nats_server.ts";
import {
  connByName,
  drainIter,
  randomBytes,
  take,
  te,
  uniqueName,
  waitFor,
  waitStatus,
  within,
} from "./_util.ts";

/** Makes sure everything `pub` sent has been routed to `sub`'s connection and read. */
async function settle(pub: NatsConnection, sub: NatsConnection) {
  await pub.flush();
  if (sub !== pub) await sub.flush();
}

/** Messages currently queued on an iterator subscription, read without waiting. */
async function queued(sub: Subscription): Promise<Msg[]> {
  return await take(sub, sub.getPending());
}

Deno.test("subscribe() wildcards: * is one token, > is one or more, foo.> does not match foo", async () => {
  await using server = await NatsServer.start();
  const nc = await connect({ servers: server.url });
  try {
    const star = nc.subscribe("foo.*");
    const gt = nc.subscribe("foo.>");
    const mid = nc.subscribe("a.*.c");
    const all = nc.subscribe(">");
    await nc.flush();
    for (const s of ["foo", "foo.a", "foo.a.b", "bar", "a.b.c", "a.b.c.d"]) {
      nc.publish(s);
    }
    await nc.flush();
    const subjects = async (s: Subscription) => (await queued(s)).map((m) => m.subject);
    assert.deepEqual(await subjects(star), ["foo.a"]);
    assert.deepEqual(await subjects(gt), ["foo.a", "foo.a.b"]);
    assert.deepEqual(await subjects(mid), ["a.b.c"]);
    assert.deepEqual(await subjects(all), [
      "foo",
      "foo.a",
      "foo.a.b",
      "bar",
      "a.b.c",
      "a.b.c.d",
    ]);
  } finally {
    await nc.close();
  }
});

Deno.test("queue group: 3 members share N messages exactly once, a plain subscriber gets all", async () => {
  await using server = await NatsServer.start();
  const members = await Promise.all(
    [0, 1, 2].map(() => connect({ servers: server.url })),
  );
  const plainNc = await connect({ servers: server.url });
  const pub = await connect({ servers: server.url });
  try {
    const got: number[][] = [[], [], []];
    members.forEach((nc, i) =>
      nc.subscribe("work.q", {
        queue: "workers",
        callback: (_e, m) => got[i].push(Number(m.string())),
      })
    );
    const plain: number[] = [];
    plainNc.subscribe("work.q", {
      callback: (_e, m) => plain.push(Number(m.string())),
    });
    await Promise.all([...members, plainNc].map((nc) => nc.flush()));
    const N = 300;
    for (let i = 0; i < N; i++) pub.publish("work.q", String(i));
    await pub.flush();
    await Promise.all([...members, plainNc].map((nc) => nc.flush()));
    const all = got.flat().sort((a, b) => a - b);
    assert.deepEqual(all, Array.from({ length: N }, (_, i) => i));
    for (const g of got) {
      assert.ok(
        g.length > 0,
        `a member got nothing: ${got.map((g) => g.length)}`,
      );
    }
    assert.deepEqual(plain, Array.from({ length: N }, (_, i) => i));
  } finally {
    await Promise.all([...members, plainNc, pub].map((nc) => nc.close()));
  }
});

Deno.test("subscribe({ max }) closes exactly at max", async () => {
  await using server = await NatsServer.start();
  const name = uniqueName("max");
  const nc = await connect({ servers: server.url, name });
  try {
    const sub = nc.subscribe("max.x", { max: 3 });
    assert.equal(sub.getMax(), 3);
    for (let i = 0; i < 5; i++) nc.publish("max.x", String(i));
    await nc.flush();
    const got = await drainIter(sub);
    assert.deepEqual(got.map((m) => m.string()), ["0", "1", "2"]);
    assert.equal(sub.getReceived(), 3);
    assert.equal(sub.getProcessed(), 3);
    assert.equal(sub.isClosed(), true);
    await within(sub.closed, 1_000, "sub.closed");
    // The server forgot the subscription too.
    await nc.flush();
    const c = await connByName(server, name);
    assert.equal(c?.subscriptions, 0);
  } finally {
    await nc.close();
  }
});

Deno.test("unsubscribe(max) later stops after max messages in total", async () => {
  await using server = await NatsServer.start();
  const nc = await connect({ servers: server.url });
  try {
    const sub = nc.subscribe("later.x");
    nc.publish("later.x", "0");
    nc.publish("later.x", "1");
    assert.deepEqual((await take(sub, 2)).map((m) => m.string()), ["0", "1"]);
    sub.unsubscribe(5);
    assert.equal(sub.getMax(), 5);
    for (let i = 2; i < 10; i++) nc.publish("later.x", String(i));
    await nc.flush();
    const rest = await drainIter(sub);
    assert.deepEqual(rest.map((m) => m.string()), ["2", "3", "4"]);
    assert.equal(sub.getReceived(), 5);
    assert.equal(sub.isClosed(), true);
  } finally {
    await nc.close();
  }
});

Deno.test("unsubscribe() ends a pending iterator and drops later messages", async () => {
  await using server = await NatsServer.start();
  const nc = await connect({ servers: server.url });
  try {
    const sub = nc.subscribe("unsub.x");
    const loop = drainIter(sub);
    nc.publish("unsub.x", "a");
    await waitFor(() => sub.getProcessed() === 1, "first message");
    sub.unsubscribe();
    const got = await loop;
    assert.deepEqual(got.map((m) => m.string()), ["a"]);
    assert.equal(sub.isClosed(), true);
    await within(sub.closed, 1_000, "sub.closed");
    nc.publish("unsub.x", "b");
    await nc.flush();
    assert.equal(sub.getReceived(), 1);
  } finally {
    await nc.close();
  }
});

Deno.test("subscribe() callback style receives messages with err === null", async () => {
  await using server = await NatsServer.start();
  const nc = await connect({ servers: server.url });
  try {
    const got: string[] = [];
    const errs: unknown[] = [];
    const sub = nc.subscribe("cb.x", {
      callback: (err, m) => {
        if (err) errs.push(err);
        else got.push(m.string());
      },
    });
    for (const s of ["a", "b", "c"]) nc.publish("cb.x", s);
    await nc.flush();
    assert.deepEqual(got, ["a", "b", "c"]);
    assert.deepEqual(errs, []);
    assert.equal(sub.getProcessed(), 3);
    assert.throws(() => sub[Symbol.asyncIterator](), TypeError);
  } finally {
    await nc.close();
  }
});

Deno.test("a throwing callback does not stop delivery and emits an error status", async () => {
  await using server = await NatsServer.start();
  const nc = await connect({ servers: server.url });
  try {
    const boom = new Error("boom from callback");
    const errStatus = waitStatus(
      nc,
      (s) => s.type === "error" && s.error === boom,
    );
    const got: string[] = [];
    nc.subscribe("throw.x", {
      callback: (_e, m) => {
        got.push(m.string());
        if (m.string() === "1") throw boom;
      },
    });
    for (const s of ["0", "1", "2", "3"]) nc.publish("throw.x", s);
    await nc.flush();
    assert.deepEqual(got, ["0", "1", "2", "3"]);
    const st = await errStatus.promise;
    assert.equal(st.type, "error");
    assert.equal(nc.isClosed(), false);
  } finally {
    await nc.close();
  }
});

Deno.test("binary payload with protocol-looking bytes and all 256 byte values arrives intact", async () => {
  await using server = await NatsServer.start();
  const nc = await connect({ servers: server.url });
  try {
    const sub = nc.subscribe("bin.x");
    const tricky = te.encode("\r\nMSG x 1 3\r\n");
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const both = new Uint8Array([...tricky, ...all, ...tricky]);
    nc.publish("bin.x", tricky);
    nc.publish("bin.x", all);
    nc.publish("bin.x", both);
    const [a, b, c] = await take(sub, 3);
    assert.deepEqual(a.data, tricky);
    assert.deepEqual(b.data, all);
    assert.deepEqual(c.data, both);
    // views with a byteOffset (short and long payload paths)
    const backing = randomBytes(100_000);
    const shortView = backing.subarray(10, 40);
    const longView = backing.subarray(1_000, 80_000);
    nc.publish("bin.x", shortView);
    nc.publish("bin.x", longView);
    const [d, e] = await take(sub, 2);
    assert.deepEqual(d.data, backing.slice(10, 40));
    assert.deepEqual(e.data, backing.slice(1_000, 80_000));
  } finally {
    await nc.close();
  }
});

Deno.test("multi-byte UTF-8 subjects and payloads round trip", async () => {
  await using server = await NatsServer.start();
  const nc = await connect({ servers: server.url });
  try {
    const subject = "héllo.wörld.日本.🚀";
    const payload = "ünïcødé ✓ 日本語 🚀🌍 – end";
    const sub = nc.subscribe("héllo.*.日本.>");
    nc.publish(subject, payload);
    const [m] = await take(sub, 1);
    assert.equal(m.subject, subject);
    assert.equal(m.string(), payload);
    assert.deepEqual(m.data, te.encode(payload));
  } finally {
    await nc.close();
  }
});

Deno.test("empty payloads (none, '' and 0 bytes) arrive as 0-byte messages", async () => {
  await using server = await NatsServer.start();
  const nc = await connect({ servers: server.url });
  try {
    const sub = nc.subscribe("empty.x");
    nc.publish("empty.x");
    nc.publish("empty.x", "");
    nc.publish("empty.x", new Uint8Array(0));
    nc.publish("empty.x", "after");
    const got = await take(sub, 4);
    assert.deepEqual(got.map((m) => m.data.length), [0, 0, 0, 5]);
    assert.equal(got[3].string(), "after");
  } finally {
    await nc.close();
  }
});

Deno.test("a 900 KiB payload arrives intact", async () => {
  await using server = await NatsServer.start();
  const nc = await connect({ servers: server.url });
  const pub = await connect({ servers: server.url });
  try {
    const sub = nc.subscribe("big.x");
    await nc.flush();
    const big = randomBytes(900 * 1024);
    pub.publish("big.x", big);
    pub.publish("big.x", "small after big");
    const [a, b] = await take(sub, 2);
    assert.equal(a.data.length, big.length);
    assert.deepEqual(a.data, big);
    assert.equal(b.string(), "small after big");
  } finally {
    await pub.close();
    await nc.close();
  }
});

Deno.test("publish() with a reply subject delivers msg.reply", async () => {
  await using server = await NatsServer.start();
  const nc = await connect({ servers: server.url });
  try {
    const sub = nc.subscribe("reply.x");
    nc.publish("reply.x", "q", { reply: "answers.here" });
    nc.publish("reply.x", "no reply");
    const [a, b] = await take(sub, 2);
    assert.equal(a.reply, "answers.here");
    assert.equal(b.reply, "");
  } finally {
    await nc.close();
  }
});

Deno.test("caller may mutate its buffer right after publish() returns", async () => {
  await using server = await NatsServer.start();
  const nc = await connect({ servers: server.url });
  try {
    const sub = nc.subscribe("mut.x");
    const small = new Uint8Array(16).fill(0xaa);
    const large = new Uint8Array(100_000).fill(0xbb);
    nc.publish("mut.x", small);
    small.fill(0);
    nc.publish("mut.x", large);
    large.fill(0);
    // String payloads share an internal scratch buffer: each must keep its bytes.
    nc.publish("mut.x", "first string");
    nc.publish("mut.x", "second");
    const [a, b, c, d] = await take(sub, 4);
    assert.ok(a.data.every((x) => x === 0xaa), "small payload was mutated");
    assert.equal(b.data.length, 100_000);
    assert.ok(b.data.every((x) => x === 0xbb), "large payload was mutated");
    assert.equal(c.string(), "first string");
    assert.equal(d.string(), "second");
  } finally {
    await nc.close();
  }
});

Deno.test("10k messages keep their order", async () => {
  await using server = await NatsServer.start();
  const subNc = await connect({ servers: server.url });
  const pub = await connect({ servers: server.url });
  try {
    const N = 10_000;
    const got: number[] = [];
    const done = Promise.withResolvers<void>();
    subNc.subscribe("order.x", {
      callback: (_e, m) => {
        got.push(Number(m.string()));
        if (got.length === N) done.resolve();
      },
    });
    await subNc.flush();
    for (let i = 0; i < N; i++) pub.publish("order.x", String(i));
    await pub.flush();
    await within(done.promise, 10_000, "10k messages");
    let bad = -1;
    for (let i = 0; i < N; i++) {
      if (got[i] !== i) {
        bad = i;
        break;
      }
    }
    assert.equal(bad, -1, `out of order at ${bad}: ${got.slice(bad, bad + 3)}`);
  } finally {
    await pub.close();
    await subNc.close();
  }
});

Deno.test("sub.drain() delivers in-flight messages then closes", async () => {
  await using server = await NatsServer.start();
  const nc = await connect({ servers: server.url });
  const pub = await connect({ servers: server.url });
  try {
    const sub = nc.subscribe("drain.sub");
    await nc.flush();
    const N = 1_000;
    for (let i = 0; i < N; i++) pub.publish("drain.sub", String(i));
    await pub.flush(); // all N are on their way to nc
    const reading = drainIter(sub);
    const drained = sub.drain();
    assert.equal(sub.isDraining(), true);
    await within(drained, 3_000, "sub.drain()");
    const got = await reading;
    assert.equal(got.length, N);
    assert.equal(got[N - 1].string(), String(N - 1));
    assert.equal(sub.isClosed(), true);
    // No interest is left on the server.
    pub.publish("drain.sub", "late");
    await settle(pub, nc);
    assert.equal(sub.getReceived(), N);
  } finally {
    await pub.close();
    await nc.close();
  }
});

Deno.test("nc.drain() drains subscriptions, flushes replies made meanwhile, then closes", async () => {
  await using server = await NatsServer.start();
  const nc = await connect({ servers: server.url });
  const other = await connect({ servers: server.url });
  try {
    const echoed: string[] = [];
    other.subscribe("drain.out", {
      callback: (_e, m) => echoed.push(m.string()),
    });
    await other.flush();
    const handled: string[] = [];
    nc.subscribe("drain.in", {
      callback: (_e, m) => {
        handled.push(m.string());
        nc.publish("drain.out", m.data); // responders keep publishing while draining
      },
    });
    const iterSub = nc.subscribe("drain.iter");
    await nc.flush();
    const N = 200;
    for (let i = 0; i < N; i++) {
      other.publish("drain.in", String(i));
      other.publish("drain.iter", String(i));
    }
    await other.flush();
    const reading = drainIter(iterSub);
    const drained = nc.drain();
    assert.equal(nc.isDraining(), true);
    assert.throws(
      () => nc.subscribe("drain.new"),
      (e: unknown) =>
        e instanceof DrainingConnectionError &&
        e.code === "CONNECTION_DRAINING",
    );
    await within(drained, 5_000, "nc.drain()");
    assert.equal(await within(nc.closed(), 1_000, "closed()"), undefined);
    assert.equal(nc.isClosed(), true);
    assert.equal(handled.length, N);
    assert.equal((await reading).length, N);
    assert.throws(() => nc.publish("drain.out", "x"), ClosedConnectionError);
    await other.flush();
    assert.equal(echoed.length, N, `only ${echoed.length} replies got out`);
  } finally {
    await other.close();
    await nc.close();
  }
});

Deno.test("flush() resolves after the server processed prior publishes", async () => {
  await using server = await NatsServer.start();
  const subNc = await connect({ servers: server.url });
  const pub = await connect({ servers: server.url });
  try {
    let count = 0;
    subNc.subscribe("flush.x", { callback: () => count++ });
    await subNc.flush();
    const N = 5_000;
    for (let i = 0; i < N; i++) pub.publish("flush.x", "0123456789");
    await pub.flush();
    // Every MSG was queued to subNc before this PING's PONG.
    await subNc.flush();
    assert.equal(count, N);
  } finally {
    await pub.close();
    await subNc.close();
  }
});

Deno.test("subscribe({ timeout }) fails with TimeoutError when nothing arrives", async () => {
  await using server = await NatsServer.start();
  const nc = await connect({ servers: server.url });
  try {
    const start = performance.now();
    const sub = nc.subscribe("nothing.here", { timeout: 200 });
    await assert.rejects(
      drainIter(sub, 3_000),
      (e: unknown) => e instanceof TimeoutError && e.code === "TIMEOUT",
    );
    const ms = performance.now() - start;
    assert.ok(ms >= 150 && ms < 1_500, `timed out after ${ms} ms`);
    assert.equal(sub.isClosed(), true);
    await within(sub.closed.catch(() => {}), 1_000, "sub.closed");

    // Callback style gets the error through the callback.
    const errs: unknown[] = [];
    const cbSub = nc.subscribe("nothing.either", {
      timeout: 100,
      callback: (err) => errs.push(err),
    });
    await within(cbSub.closed.catch(() => {}), 2_000, "callback sub closed");
    assert.equal(errs.length, 1);
    assert.ok(errs[0] instanceof TimeoutError);

    // A message before the timeout cancels it.
    const ok = nc.subscribe("something.here", { timeout: 300 });
    nc.publish("something.here", "hi");
    const [m] = await take(ok, 1);
    assert.equal(m.string(), "hi");
    ok.unsubscribe();
  } finally {
    await nc.close();
  }
});

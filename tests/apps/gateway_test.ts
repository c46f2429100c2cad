// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * The HTTP gateway end to end: every endpoint driven over HTTP with fetch
 * against real nats-servers (JetStream, user/password and token auth,
 * permissions, TLS) on free loopback ports. Covers connect (ok, 401, 502),
 * publish/subscribe round trips, request (responded, no responders,
 * timeout, one muxed inbox), the pool (one connection per credentials,
 * closed when idle, on shutdown), JetStream info/streams/publish/pull/ack
 * (PubAck and dedupe, acks confirmed, tokens acked/naked/termed later,
 * ephemeral vs durable), input validation (400 naming the field, before
 * any dial), the host allow-list, TLS with a CA, and the CLI as a
 * subprocess. Every response body and log line is checked for credentials.
 * Waits are event-driven (server /connz, pool counters, child output).
 *
 * @module
 */
import assert from "node:assert/strict";
import { connect, jetstreamManager, nanos, type NatsConnection } from "../../mod.ts";
import { NatsServer } from "../_helpers/nats_server.ts";
import { deadPort, waitFor, within } from "../integration/_util.ts";
import { type Gateway, type ServeOptions, startGateway } from "../../examples/http_gateway/mod.ts";

const ROOT = new URL("../../", import.meta.url);
const ALICE = { user: "alice", pass: "alice-pw-7f3kQ" };
const BOB = { user: "bob", pass: "bob-pw-2q9zW" };
const LIMITED = { user: "limited", pass: "limited-pw-x1Y" };
const TOKEN = "tok-9d8f7e6c5b4a";
/** Every secret the tests use: no response body or log line may contain one. */
const SECRETS = [ALICE.pass, BOB.pass, LIMITED.pass, TOKEN, "wrong-pw-Zq81", "bad-tok-77x"];
const GATEWAY_NAME = "nats-rt-gateway";

type Body = Record<string, unknown>;
interface Reply {
  status: number;
  body: Body & { error?: Body };
}

function assertNoSecrets(text: string, where: string): void {
  for (const s of SECRETS) assert.ok(!text.includes(s), `${where} contains a credential`);
}

/** POSTs `body` to an endpoint, reads the whole response and checks it for credentials. */
async function call(gw: Gateway, endpoint: string, body: unknown): Promise<Reply> {
  const res = await fetch(`${gw.url}/api/nats/${endpoint}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  assertNoSecrets(text, `response of /${endpoint}`);
  assert.match(res.headers.get("content-type") ?? "", /application\/json/);
  return { status: res.status, body: JSON.parse(text) };
}

/** Like {@link call}, asserting the status (with the body in the message when it differs). */
async function expect(
  gw: Gateway,
  endpoint: string,
  body: unknown,
  status: number,
): Promise<Reply["body"]> {
  const r = await call(gw, endpoint, body);
  assert.equal(r.status, status, `/${endpoint} → ${r.status}: ${JSON.stringify(r.body)}`);
  assert.equal(r.body.ok, status === 200);
  return r.body;
}

const USERS_CONFIG = {
  authorization: {
    users: [
      { user: ALICE.user, password: ALICE.pass },
      { user: BOB.user, password: BOB.pass },
      {
        user: LIMITED.user,
        password: LIMITED.pass,
        permissions: { publish: { deny: ["secret.>"] }, subscribe: { deny: ["secret.>"] } },
      },
    ],
  },
};

/** A JetStream server with users, a gateway on it, and the gateway's log lines. */
async function setup(opts: ServeOptions = {}) {
  const server = await NatsServer.start({ jetstream: true, config: USERS_CONFIG });
  const logs: string[] = [];
  let gw: Gateway;
  try {
    gw = await startGateway({ port: 0, server: server.url, log: (l) => logs.push(l), ...opts });
  } catch (err) {
    await server.dispose();
    throw err;
  }
  return {
    server,
    gw,
    logs,
    async [Symbol.asyncDispose]() {
      try {
        await gw.shutdown();
        for (const l of logs) assertNoSecrets(l, "a gateway log line");
      } finally {
        await server.dispose();
      }
    },
  };
}

/** The server's connections opened by the gateway. */
async function gatewayConns(server: NatsServer): Promise<Array<Record<string, unknown>>> {
  const c = await server.connz({ subs: true });
  return ((c.connections ?? []) as Array<Record<string, unknown>>).filter((x) =>
    x.name === GATEWAY_NAME
  );
}

/** Resolves once some gateway connection has a subscription on `subject`. */
function subscribed(server: NatsServer, subject: string): Promise<unknown> {
  return waitFor(
    async () =>
      (await gatewayConns(server)).some((c) =>
        ((c.subscriptions_list ?? []) as string[]).includes(subject)
      ),
    `the gateway's subscription on ${subject}`,
  );
}

async function direct(server: NatsServer): Promise<NatsConnection> {
  return await connect({ servers: server.url, ...ALICE, name: "test-direct" });
}

// ------------------------------------------------------------------ connect

Deno.test("gateway: connect — ok and reused; bad password and unknown user are 401 at once; unreachable is 502; a token server", async () => {
  await using t = await setup({ allowHosts: ["127.0.0.1"] });
  const { gw, server } = t;
  const ok = await expect(gw, "connect", { ...ALICE }, 200);
  assert.equal(ok.server, server.url);
  assert.equal(ok.version, "2.9.10");
  assert.equal(ok.jetstream, true);
  assert.equal(ok.reused, false);
  assert.equal(typeof ok.rtt_ms, "number");
  assert.equal((await expect(gw, "connect", { ...ALICE }, 200)).reused, true);

  const t0 = performance.now();
  const bad = await expect(gw, "connect", { user: "alice", pass: "wrong-pw-Zq81" }, 401);
  assert.equal(bad.error!.code, "AUTHORIZATION_VIOLATION");
  assert.match(String(bad.error!.message), /Authorization Violation/);
  const unknown = await expect(gw, "connect", { user: "mallory", pass: "wrong-pw-Zq81" }, 401);
  assert.equal(unknown.error!.code, "AUTHORIZATION_VIOLATION");
  // No credentials at all, on a server that requires them.
  assert.equal((await call(gw, "connect", {})).status, 401);
  const down = await expect(gw, "connect", {
    ...ALICE,
    server: `nats://127.0.0.1:${deadPort()}`,
  }, 502);
  assert.equal(down.error!.code, "CONNECTION_REFUSED");
  assert.ok(performance.now() - t0 < 3_000, "CONNECT errors are reported at once");
  // Failed dials are not pooled: only alice's connection is open.
  assert.equal(gw.stats().connections, 1);
  assert.equal((await gatewayConns(server)).length, 1);

  await using tokServer = await NatsServer.start({ config: { authorization: { token: TOKEN } } });
  const srv = tokServer.url;
  assert.equal((await expect(gw, "connect", { server: srv, token: TOKEN }, 200)).server, srv);
  const badTok = await expect(gw, "connect", { server: srv, token: "bad-tok-77x" }, 401);
  assert.equal(badTok.error!.code, "AUTHORIZATION_VIOLATION");
});

// ------------------------------------------------------- publish / subscribe

Deno.test("gateway: publish and subscribe round trip — text, JSON, binary (base64) and headers; a quiet subject times out empty", async () => {
  await using t = await setup();
  const { gw, server } = t;
  const collecting = call(gw, "subscribe", {
    ...ALICE,
    subject: "gw.rt.>",
    max_messages: 3,
    timeout_ms: 10_000,
  });
  await subscribed(server, "gw.rt.>");
  const p1 = await expect(gw, "publish", { ...ALICE, subject: "gw.rt.text", data: "héllo" }, 200);
  assert.deepEqual(p1, { ok: true, subject: "gw.rt.text", bytes: 6 });
  await expect(gw, "publish", {
    ...ALICE,
    subject: "gw.rt.json",
    data: { id: 7, tags: ["a"] },
    headers: { "X-Trace": "t-1", "X-Multi": ["a", "b"] },
    reply: "gw.replies",
  }, 200);
  await expect(gw, "publish", {
    ...ALICE,
    subject: "gw.rt.bin",
    data: "AP8NCg==",
    encoding: "base64",
  }, 200);
  const r = await collecting;
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.count, 3);
  assert.equal(r.body.ended, "max_messages");
  const [m1, m2, m3] = r.body.messages as Body[];
  assert.deepEqual(m1, { subject: "gw.rt.text", data: "héllo" });
  assert.deepEqual(m2, {
    subject: "gw.rt.json",
    data: '{"id":7,"tags":["a"]}',
    reply: "gw.replies",
    headers: { "X-Trace": ["t-1"], "X-Multi": ["a", "b"] },
  });
  // 00 ff 0d 0a is not UTF-8: it comes back as base64.
  assert.deepEqual(m3, { subject: "gw.rt.bin", data: "AP8NCg==", encoding: "base64" });

  const quiet = await expect(gw, "subscribe", {
    ...ALICE,
    subject: "gw.quiet",
    timeout_ms: 150,
  }, 200);
  assert.equal(quiet.count, 0);
  assert.equal(quiet.ended, "timeout");
  assert.deepEqual(quiet.messages, []);
  // Collections unsubscribe when they end.
  const subs = (await gatewayConns(server)).flatMap((c) => c.subscriptions_list as string[]);
  assert.ok(!subs.includes("gw.rt.>") && !subs.includes("gw.quiet"), String(subs));
});

Deno.test("gateway: permission violations are 403, not silent successes (publish and subscribe)", async () => {
  await using t = await setup();
  const { gw } = t;
  const pub = await expect(gw, "publish", { ...LIMITED, subject: "secret.plans", data: "x" }, 403);
  assert.equal(pub.error!.code, "PERMISSIONS_VIOLATION");
  assert.match(String(pub.error!.message), /secret\.plans/);
  const sub = await expect(gw, "subscribe", { ...LIMITED, subject: "secret.>" }, 403);
  assert.equal(sub.error!.code, "PERMISSIONS_VIOLATION");
  // The same connection still works for allowed subjects.
  await expect(gw, "publish", { ...LIMITED, subject: "public.news", data: "x" }, 200);
  assert.equal(gw.stats().dials, 1);
});

// ------------------------------------------------------------------ request

Deno.test("gateway: request — responded true with the reply; no responders 503 and timeout 504 with responded false; one muxed inbox", async () => {
  await using t = await setup();
  const { gw, server } = t;
  const svc = await direct(server);
  try {
    svc.subscribe("svc.echo", {
      callback: (_e, m) => m.respond(`echo:${m.string()}`, { headers: m.headers }),
    });
    svc.subscribe("svc.silent", { callback: () => {} });
    await svc.flush();

    const r = await expect(gw, "request", {
      ...ALICE,
      subject: "svc.echo",
      data: "ping",
      headers: { "X-Id": "42" },
      timeout_ms: 2_000,
    }, 200);
    assert.equal(r.responded, true);
    assert.equal(r.subject, "svc.echo");
    assert.deepEqual(r.response, { data: "echo:ping", headers: { "X-Id": ["42"] } });
    for (let i = 0; i < 3; i++) {
      const again = await expect(
        gw,
        "request",
        { ...ALICE, subject: "svc.echo", data: `${i}` },
        200,
      );
      assert.equal((again.response as Body).data, `echo:${i}`);
    }
    // Four requests, one connection, one shared inbox subscription.
    const conns = await gatewayConns(server);
    assert.equal(conns.length, 1);
    const inboxes = (conns[0].subscriptions_list as string[]).filter((s) =>
      s.startsWith("_INBOX.")
    );
    assert.equal(inboxes.length, 1, String(inboxes));
    assert.match(inboxes[0], /^_INBOX\.[^.]+\.\*$/);

    const none = await expect(gw, "request", { ...ALICE, subject: "svc.nobody" }, 503);
    assert.equal(none.responded, false);
    assert.equal(none.error!.code, "NO_RESPONDERS");
    const t0 = performance.now();
    const slow = await expect(gw, "request", {
      ...ALICE,
      subject: "svc.silent",
      timeout_ms: 200,
    }, 504);
    assert.ok(performance.now() - t0 < 2_000);
    assert.equal(slow.responded, false);
    assert.equal(slow.error!.code, "TIMEOUT");
  } finally {
    await svc.close();
  }
});

// --------------------------------------------------------------------- pool

Deno.test("gateway: pool — one connection per server + credentials reused across requests and endpoints, closed when idle", async () => {
  await using t = await setup({ idleMs: 300 });
  const { gw, server } = t;
  const first = await expect(gw, "connect", { ...ALICE }, 200);
  assert.equal(first.reused, false);
  await expect(gw, "publish", { ...ALICE, subject: "pool.a" }, 200);
  await expect(gw, "jetstream-info", { ...ALICE }, 200);
  // Concurrent requests share one connection (and one dial).
  const many = await Promise.all(
    Array.from({ length: 10 }, () => expect(gw, "connect", { ...ALICE }, 200)),
  );
  assert.ok(many.every((b) => b.reused === true));
  assert.equal((await gatewayConns(server)).length, 1);
  assert.equal(gw.stats().dials, 1);

  // Other credentials: another connection; concurrent first requests dial once.
  const bobs = await Promise.all(
    Array.from({ length: 5 }, () => expect(gw, "connect", { ...BOB }, 200)),
  );
  assert.equal(bobs.filter((b) => b.reused === false).length, 1);
  assert.equal((await gatewayConns(server)).length, 2);
  assert.equal(gw.stats().dials, 2);

  // Idle: both close.
  await waitFor(async () => (await gatewayConns(server)).length === 0, "idle connections closed");
  assert.equal(gw.stats().connections, 0);
  assert.equal(gw.stats().idleClosed, 2);
  // And the next request dials again.
  assert.equal((await expect(gw, "connect", { ...ALICE }, 200)).reused, false);
  assert.equal(gw.stats().dials, 3);
});

Deno.test("gateway: shutdown ends a long subscribe early with what it has and closes every pooled connection", async () => {
  const t = await setup();
  const { gw, server } = t;
  try {
    await expect(gw, "connect", { ...BOB }, 200);
    const waiting = call(gw, "subscribe", { ...ALICE, subject: "long.wait", timeout_ms: 30_000 });
    await subscribed(server, "long.wait");
    await expect(gw, "publish", { ...BOB, subject: "long.wait", data: "one" }, 200);
    assert.equal((await gatewayConns(server)).length, 2);
    const t0 = performance.now();
    await gw.shutdown();
    const r = await waiting;
    assert.ok(performance.now() - t0 < 3_000, "shutdown did not wait for the 30 s collection");
    assert.equal(r.status, 200);
    assert.equal(r.body.ended, "shutdown");
    assert.equal(r.body.count, 1);
    await waitFor(async () => (await gatewayConns(server)).length === 0, "pool closed");
    assert.equal(gw.stats().connections, 0);
    await gw.shutdown(); // idempotent
  } finally {
    await t[Symbol.asyncDispose]();
  }
});

// ---------------------------------------------------------------- jetstream

Deno.test("gateway: jetstream-info and jetstream-stream — create with every config field, info, list, delete; 10074 for num_replicas 3; 404 for a missing stream", async () => {
  await using t = await setup();
  const { gw, server } = t;
  const info0 = await expect(gw, "jetstream-info", { ...ALICE }, 200);
  assert.equal((info0.account as Body).streams, 0);
  assert.equal(info0.version, "2.9.10");

  const config = {
    subjects: ["orders.>", "refunds.*"],
    description: "orders",
    retention: "limits",
    storage: "memory",
    num_replicas: 1,
    max_msgs: 1_000,
    max_bytes: 1_048_576,
    max_age: 3_600_000,
    max_msg_size: 65_536,
    max_msgs_per_subject: 100,
    max_consumers: 10,
    discard: "new",
    duplicate_window: 60_000,
  };
  const created = await expect(gw, "jetstream-stream", {
    ...ALICE,
    action: "create",
    stream: "ORDERS",
    config,
  }, 200);
  const view = created.stream as Body;
  assert.equal(view.name, "ORDERS");
  assert.deepEqual(view.config, config);
  // What the server stored (durations in nanoseconds there).
  const nc = await direct(server);
  try {
    const jsm = await jetstreamManager(nc);
    const si = await jsm.streams.info("ORDERS");
    assert.equal(si.config.max_age, nanos(3_600_000));
    assert.equal(si.config.duplicate_window, nanos(60_000));
    assert.equal(si.config.storage, "memory");
    assert.equal(si.config.discard, "new");
    assert.equal(si.config.num_replicas, 1);
    assert.equal(si.config.max_msgs, 1_000);
    assert.equal(si.config.max_bytes, 1_048_576);
    assert.deepEqual(si.config.subjects, ["orders.>", "refunds.*"]);
  } finally {
    await nc.close();
  }
  // Same config again: the existing stream; another config: 409 with the code.
  await expect(
    gw,
    "jetstream-stream",
    { ...ALICE, action: "create", stream: "ORDERS", config },
    200,
  );
  const clash = await expect(gw, "jetstream-stream", {
    ...ALICE,
    action: "create",
    stream: "ORDERS",
    config: { ...config, max_msgs: 5 },
  }, 409);
  assert.equal((clash.error!.jetstream as Body).err_code, 10058);

  const r3 = await expect(gw, "jetstream-stream", {
    ...ALICE,
    action: "create",
    stream: "R3",
    config: { subjects: ["r3.>"], num_replicas: 3 },
  }, 422);
  assert.equal(r3.error!.code, "JETSTREAM_API_ERROR");
  assert.deepEqual(r3.error!.jetstream, {
    err_code: 10074,
    status: 500,
    description: "replicas > 1 not supported in non-clustered mode",
  });
  assert.match(String(r3.error!.message), /num_replicas > 1 needs a JetStream cluster/);

  await expect(gw, "jetstream-stream", {
    ...ALICE,
    action: "create",
    stream: "EVENTS",
    config: { subjects: "events.>", retention: "workqueue" },
  }, 200);
  const info = await expect(
    gw,
    "jetstream-stream",
    { ...ALICE, action: "info", stream: "ORDERS" },
    200,
  );
  assert.equal((info.stream as Body).name, "ORDERS");
  assert.equal(((info.stream as Body).state as Body).messages, 0);
  const list = await expect(gw, "jetstream-stream", { ...ALICE, action: "list" }, 200);
  assert.equal(list.total, 2);
  assert.deepEqual((list.streams as Body[]).map((s) => s.name), ["EVENTS", "ORDERS"]);
  const filtered = await expect(gw, "jetstream-stream", {
    ...ALICE,
    action: "list",
    subject: "events.x",
  }, 200);
  assert.deepEqual((filtered.streams as Body[]).map((s) => s.name), ["EVENTS"]);
  assert.equal(
    ((await expect(gw, "jetstream-info", { ...ALICE }, 200)).account as Body).streams,
    2,
  );

  const del = await expect(
    gw,
    "jetstream-stream",
    { ...ALICE, action: "delete", stream: "EVENTS" },
    200,
  );
  assert.deepEqual(del, { ok: true, action: "delete", stream: "EVENTS", deleted: true });
  const gone = await expect(
    gw,
    "jetstream-stream",
    { ...ALICE, action: "info", stream: "EVENTS" },
    404,
  );
  assert.equal(gone.error!.code, "STREAM_NOT_FOUND");
  assert.equal((gone.error!.jetstream as Body).err_code, 10059);
  const delGone = await call(gw, "jetstream-stream", {
    ...ALICE,
    action: "delete",
    stream: "EVENTS",
  });
  assert.equal(delGone.status, 404);
});

Deno.test("gateway: jetstream-publish returns the real PubAck; msg_id dedupes (duplicate: true, same seq); expectations and missing streams are clear errors", async () => {
  await using t = await setup();
  const { gw } = t;
  await expect(gw, "jetstream-stream", {
    ...ALICE,
    action: "create",
    stream: "ORDERS",
    config: { subjects: ["orders.>"] },
  }, 200);
  const a = await expect(gw, "jetstream-publish", {
    ...ALICE,
    subject: "orders.new",
    data: { id: 1 },
    msg_id: "order-1",
  }, 200);
  assert.deepEqual(a, { ok: true, stream: "ORDERS", seq: 1, duplicate: false });
  const dup = await expect(gw, "jetstream-publish", {
    ...ALICE,
    subject: "orders.new",
    data: { id: 1 },
    msg_id: "order-1",
  }, 200);
  assert.deepEqual(dup, { ok: true, stream: "ORDERS", seq: 1, duplicate: true });
  const b = await expect(gw, "jetstream-publish", {
    ...ALICE,
    subject: "orders.new",
    data: "two",
    msg_id: "order-2",
    headers: { "X-Source": "test" },
  }, 200);
  assert.equal(b.seq, 2);
  assert.equal(b.duplicate, false);
  const c = await expect(gw, "jetstream-publish", { ...ALICE, subject: "orders.x" }, 200);
  assert.equal(c.seq, 3);

  const wrongSeq = await expect(gw, "jetstream-publish", {
    ...ALICE,
    subject: "orders.new",
    expect: { last_seq: 1, stream: "ORDERS" },
  }, 400);
  assert.equal((wrongSeq.error!.jetstream as Body).err_code, 10071);
  const okSeq = await expect(gw, "jetstream-publish", {
    ...ALICE,
    subject: "orders.new",
    expect: { last_seq: 3 },
  }, 200);
  assert.equal(okSeq.seq, 4);
  const none = await expect(gw, "jetstream-publish", { ...ALICE, subject: "nowhere.x" }, 404);
  assert.equal(none.error!.code, "NO_STREAM");
  const camel = await expect(gw, "jetstream-publish", {
    ...ALICE,
    subject: "orders.new",
    msgId: "x",
  }, 400);
  assert.equal(camel.error!.field, "msgId");
  assert.match(String(camel.error!.message), /did you mean "msg_id"/);
});

Deno.test("gateway: jetstream-pull (durable) returns subject, data, headers, sequences and delivery count and acks them; a second pull gets nothing; the ack floor advanced", async () => {
  await using t = await setup();
  const { gw, server } = t;
  await expect(gw, "jetstream-stream", {
    ...ALICE,
    action: "create",
    stream: "ORDERS",
    config: { subjects: ["orders.>"] },
  }, 200);
  for (let i = 1; i <= 3; i++) {
    await expect(gw, "jetstream-publish", {
      ...ALICE,
      subject: `orders.${i}`,
      data: { n: i },
      headers: { "X-N": String(i) },
    }, 200);
  }
  const r = await expect(gw, "jetstream-pull", {
    ...ALICE,
    stream: "ORDERS",
    durable: "worker",
    max_messages: 3,
    timeout_ms: 5_000,
  }, 200);
  assert.equal(r.count, 3);
  assert.equal(r.acked, 3);
  const msgs = r.messages as Body[];
  msgs.forEach((m, i) => {
    assert.equal(m.subject, `orders.${i + 1}`);
    assert.equal(m.data, `{"n":${i + 1}}`);
    assert.deepEqual(m.headers, { "X-N": [String(i + 1)] });
    assert.equal(m.seq, i + 1);
    assert.equal(m.consumer_seq, i + 1);
    assert.equal(m.delivery_count, 1);
    assert.equal(m.redelivered, false);
    assert.equal(m.pending, 2 - i);
    assert.equal(m.acked, true);
    assert.equal(typeof m.timestamp, "string");
    assert.equal(m.ack_token, undefined);
  });
  const ci = r.consumer as Body;
  assert.equal(ci.name, "worker");
  assert.equal(ci.durable, true);
  assert.equal(ci.num_ack_pending, 0);
  assert.deepEqual(ci.ack_floor, { consumer_seq: 3, stream_seq: 3 });

  const again = await expect(gw, "jetstream-pull", {
    ...ALICE,
    stream: "ORDERS",
    durable: "worker",
    no_wait: true,
  }, 200);
  assert.equal(again.count, 0);
  assert.deepEqual(again.messages, []);

  const nc = await direct(server);
  try {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.consumers.info("ORDERS", "worker");
    assert.equal(info.ack_floor.stream_seq, 3);
    assert.equal(info.num_ack_pending, 0);
    assert.equal(info.config.durable_name, "worker");
  } finally {
    await nc.close();
  }
  // A filtered durable that already exists with another filter: a clear 409.
  const conflict = await expect(gw, "jetstream-pull", {
    ...ALICE,
    stream: "ORDERS",
    durable: "worker",
    filter_subject: "orders.1",
  }, 409);
  assert.equal(conflict.error!.field, "durable");
});

Deno.test("gateway: jetstream-pull with ack: false returns ack tokens; jetstream-ack acks, naks (redelivered with delivery count 2) and terms them", async () => {
  await using t = await setup();
  const { gw, server } = t;
  await expect(gw, "jetstream-stream", {
    ...ALICE,
    action: "create",
    stream: "JOBS",
    config: { subjects: ["jobs.>"] },
  }, 200);
  for (const j of ["a", "b", "c"]) {
    await expect(gw, "jetstream-publish", { ...ALICE, subject: `jobs.${j}`, data: j }, 200);
  }
  const pulled = await expect(gw, "jetstream-pull", {
    ...ALICE,
    stream: "JOBS",
    durable: "manual",
    ack: false,
    max_messages: 3,
    timeout_ms: 5_000,
  }, 200);
  const msgs = pulled.messages as Body[];
  assert.equal(msgs.length, 3);
  assert.equal(pulled.acked, undefined);
  assert.ok(msgs.every((m) => typeof m.ack_token === "string" && m.acked === undefined));
  assert.equal((pulled.consumer as Body).num_ack_pending, 3);
  const [ta, tb, tc] = msgs.map((m) => m.ack_token as string);

  const acked = await expect(gw, "jetstream-ack", { ...ALICE, tokens: [ta] }, 200);
  assert.deepEqual(acked, {
    ok: true,
    action: "ack",
    count: 1,
    results: [{ stream: "JOBS", consumer: "manual", seq: 1, delivery_count: 1, done: true }],
  });
  await expect(gw, "jetstream-ack", { ...ALICE, tokens: [tb], action: "nak" }, 200);
  await expect(gw, "jetstream-ack", { ...ALICE, tokens: [tc], action: "term" }, 200);

  const redelivered = await expect(gw, "jetstream-pull", {
    ...ALICE,
    stream: "JOBS",
    durable: "manual",
    ack: false,
    max_messages: 1,
    timeout_ms: 5_000,
  }, 200);
  const m = (redelivered.messages as Body[])[0];
  assert.equal(m.seq, 2);
  assert.equal(m.data, "b");
  assert.equal(m.delivery_count, 2);
  assert.equal(m.redelivered, true);
  const w = await expect(gw, "jetstream-ack", {
    ...ALICE,
    tokens: [m.ack_token],
    action: "working",
  }, 200);
  assert.equal(w.action, "working");
  await expect(gw, "jetstream-ack", { ...ALICE, tokens: [m.ack_token] }, 200);

  const empty = await expect(gw, "jetstream-pull", {
    ...ALICE,
    stream: "JOBS",
    durable: "manual",
    no_wait: true,
  }, 200);
  assert.equal(empty.count, 0);
  const ci = empty.consumer as Body;
  assert.equal(ci.num_ack_pending, 0);
  assert.deepEqual(ci.ack_floor, { consumer_seq: 4, stream_seq: 3 });

  // Tokens are checked: garbage is a 400 naming the token; a nak delay needs nak.
  const bad = await expect(gw, "jetstream-ack", { ...ALICE, tokens: [ta, "not-a-token"] }, 400);
  assert.equal(bad.error!.field, "tokens[1]");
  const subj = await expect(gw, "jetstream-ack", { ...ALICE, tokens: [btoa("foo.bar")] }, 400);
  assert.equal(subj.error!.field, "tokens[0]");
  const delay = await expect(gw, "jetstream-ack", { ...ALICE, tokens: [ta], delay_ms: 10 }, 400);
  assert.equal(delay.error!.field, "delay_ms");

  // A token of a consumer that is gone: 404 with per-token results.
  const eph = await expect(gw, "jetstream-pull", {
    ...ALICE,
    stream: "JOBS",
    ack: false,
    max_messages: 1,
    timeout_ms: 5_000,
  }, 200);
  const token = (eph.messages as Body[])[0].ack_token;
  const nc = await direct(server);
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.consumers.delete("JOBS", (eph.consumer as Body).name as string);
  } finally {
    await nc.close();
  }
  const lost = await expect(gw, "jetstream-ack", { ...ALICE, tokens: [token] }, 404);
  assert.equal(lost.error!.code, "CONSUMER_NOT_FOUND");
  assert.equal((lost.results as Body[])[0].done, false);
});

Deno.test("gateway: consumers are ephemeral unless a durable name is given", async () => {
  await using t = await setup();
  const { gw, server } = t;
  await expect(gw, "jetstream-stream", {
    ...ALICE,
    action: "create",
    stream: "LOG",
    config: { subjects: ["log.>"] },
  }, 200);
  for (let i = 0; i < 2; i++) {
    await expect(gw, "jetstream-publish", { ...ALICE, subject: "log.x", data: `${i}` }, 200);
  }
  const nc = await direct(server);
  try {
    const jsm = await jetstreamManager(nc);
    const names = async () => {
      const out: string[] = [];
      for await (const ci of jsm.consumers.list("LOG")) out.push(ci.name);
      return out.sort();
    };
    // Acked ephemeral pull: its consumer is deleted at the end; each pull starts afresh.
    const e1 = await expect(
      gw,
      "jetstream-pull",
      { ...ALICE, stream: "LOG", max_messages: 2 },
      200,
    );
    assert.equal(e1.count, 2);
    const c1 = e1.consumer as Body;
    assert.equal(c1.durable, false);
    assert.equal(c1.deleted, true);
    assert.deepEqual(await names(), []);
    const e2 = await expect(gw, "jetstream-pull", {
      ...ALICE,
      stream: "LOG",
      max_messages: 2,
      filter_subject: "log.x",
      deliver_policy: "last",
      timeout_ms: 300,
    }, 200);
    assert.equal(e2.count, 1, "deliver_policy last: only the last message");
    assert.deepEqual(await names(), []);

    // Unacked ephemeral pull: the consumer stays (with an inactivity TTL) so tokens work,
    // and `consumer` pulls from it again.
    const e3 = await expect(gw, "jetstream-pull", {
      ...ALICE,
      stream: "LOG",
      ack: false,
      max_messages: 1,
      timeout_ms: 2_000,
    }, 200);
    const c3 = e3.consumer as Body;
    assert.equal(c3.durable, false);
    assert.equal(c3.deleted, undefined);
    assert.deepEqual(await names(), [c3.name]);
    const info = await jsm.consumers.info("LOG", c3.name as string);
    assert.equal(info.config.durable_name, undefined);
    assert.equal(info.config.inactive_threshold, nanos(5 * 60_000));
    const e4 = await expect(gw, "jetstream-pull", {
      ...ALICE,
      stream: "LOG",
      consumer: c3.name,
      max_messages: 5,
      timeout_ms: 300,
    }, 200);
    assert.equal(e4.count, 1);
    assert.equal((e4.messages as Body[])[0].seq, 2);
    assert.equal((e4.consumer as Body).deleted, undefined, "a named consumer is never deleted");
    await jsm.consumers.delete("LOG", c3.name as string);

    // Durable: created once, kept, resumed.
    const d1 = await expect(gw, "jetstream-pull", {
      ...ALICE,
      stream: "LOG",
      durable: "keeper",
      max_messages: 1,
    }, 200);
    assert.equal((d1.consumer as Body).durable, true);
    assert.equal((d1.messages as Body[])[0].seq, 1);
    const d2 = await expect(gw, "jetstream-pull", {
      ...ALICE,
      stream: "LOG",
      durable: "keeper",
      max_messages: 1,
    }, 200);
    assert.equal((d2.messages as Body[])[0].seq, 2);
    assert.deepEqual(await names(), ["keeper"]);

    const missing = await expect(gw, "jetstream-pull", {
      ...ALICE,
      stream: "LOG",
      consumer: "nope",
    }, 404);
    assert.equal(missing.error!.code, "CONSUMER_NOT_FOUND");
    const noStream = await expect(gw, "jetstream-pull", { ...ALICE, stream: "NOPE" }, 404);
    assert.equal(noStream.error!.code, "STREAM_NOT_FOUND");
  } finally {
    await nc.close();
  }
});

// -------------------------------------------------------------- validation

Deno.test("gateway: bad input is a 400 naming the field, checked before any connection is made; 404, 405 and 413", async () => {
  await using t = await setup({ maxBodyBytes: 4_096 });
  const { gw } = t;
  // Well-formed (a $JS.ACK subject), for cases about other fields.
  const FAKE_TOKEN = btoa("$JS.ACK.S.c.1.1.1.1700000000000000000.0");
  const cases: Array<[string, unknown, string, RegExp?]> = [
    ["publish", {}, "subject", /required/],
    ["publish", { subject: "a..b" }, "subject", /empty token/],
    ["publish", { subject: "a b" }, "subject", /whitespace/],
    ["publish", { subject: "a.*" }, "subject", /wildcards/],
    ["publish", { subject: 7 }, "subject", /string/],
    ["publish", { subject: "a", data: "@@@", encoding: "base64" }, "data", /base64/],
    ["publish", { subject: "a", data: 5, encoding: "base64" }, "data"],
    ["publish", { subject: "a", encoding: "hex" }, "encoding", /"utf8", "base64"/],
    ["publish", { subject: "a", headers: { "X-A": 1 } }, "headers.X-A"],
    ["publish", { subject: "a", headers: ["x"] }, "headers", /object/],
    ["publish", { subject: "a", subjct: "b" }, "subjct", /unknown field/],
    ["publish", { subject: "a", password: "x" }, "password", /did you mean "pass"/],
    ["subscribe", { subject: "a.>.b" }, "subject", /last token/],
    ["subscribe", { subject: "a", max_messages: 0 }, "max_messages", /at least 1/],
    ["subscribe", { subject: "a", max_messages: 1.5 }, "max_messages", /integer/],
    ["subscribe", { subject: "a", timeout_ms: 600_000 }, "timeout_ms", /at most 60000/],
    ["subscribe", { subject: "a", queue: "q.x" }, "queue"],
    ["request", { subject: "a", timeout_ms: "1s" }, "timeout_ms", /number/],
    ["connect", { user: "alice" }, "pass", /required with user/],
    ["connect", { pass: "x" }, "user", /required with pass/],
    ["connect", { user: "a", pass: "b", token: "c" }, "token", /not both/],
    ["connect", { server: "http://127.0.0.1:80" }, "server", /nats:\/\/ or tls:\/\//],
    ["connect", { server: "nats://[::1" }, "server", /not a valid URL/],
    ["connect", { server: "nats://u:hunter22@127.0.0.1:4222" }, "server", /credentials/],
    ["connect", { tls: "yes" }, "tls", /true or false/],
    ["connect", { ca: "not pem" }, "ca", /PEM/],
    ["jetstream-stream", {}, "action", /required/],
    ["jetstream-stream", { action: "drop" }, "action", /"list", "info", "create", "delete"/],
    ["jetstream-stream", { action: "info" }, "stream", /required/],
    ["jetstream-stream", { action: "create", stream: "a.b" }, "stream", /'\.'/],
    [
      "jetstream-stream",
      { action: "create", stream: "S", config: { max_age: -1 } },
      "config.max_age",
      /at least 0/,
    ],
    [
      "jetstream-stream",
      { action: "create", stream: "S", config: { retention: "forever" } },
      "config.retention",
    ],
    [
      "jetstream-stream",
      { action: "create", stream: "S", config: { storage: "disk" } },
      "config.storage",
    ],
    [
      "jetstream-stream",
      { action: "create", stream: "S", config: { num_replicas: 0 } },
      "config.num_replicas",
    ],
    [
      "jetstream-stream",
      { action: "create", stream: "S", config: { subjects: ["ok", ""] } },
      "config.subjects[1]",
    ],
    [
      "jetstream-stream",
      { action: "create", stream: "S", config: { replicas: 3 } },
      "config.replicas",
      /num_replicas/,
    ],
    ["jetstream-stream", { action: "create", stream: "S", config: [] }, "config", /object/],
    ["jetstream-publish", { subject: "a", msg_id: "" }, "msg_id", /empty/],
    ["jetstream-publish", { subject: "a", expect: { last_seq: -1 } }, "expect.last_seq"],
    ["jetstream-pull", {}, "stream", /required/],
    ["jetstream-pull", { stream: "S", max_messages: 5_000 }, "max_messages", /at most 1000/],
    ["jetstream-pull", { stream: "S", durable: "d", consumer: "c" }, "consumer", /not both/],
    ["jetstream-pull", { stream: "S", consumer: "c", filter_subject: "x" }, "filter_subject"],
    ["jetstream-pull", { stream: "S", no_wait: true, timeout_ms: 5 }, "timeout_ms"],
    ["jetstream-pull", { stream: "S", deliver_policy: "first" }, "deliver_policy"],
    ["jetstream-pull", { stream: "S", ack: "no" }, "ack"],
    ["jetstream-ack", {}, "tokens", /required/],
    ["jetstream-ack", { tokens: [] }, "tokens", /required/],
    ["jetstream-ack", { tokens: [5] }, "tokens[0]"],
    ["jetstream-ack", { tokens: [FAKE_TOKEN], action: "skip" }, "action"],
    ["jetstream-ack", { tokens: [FAKE_TOKEN], delay_ms: -1, action: "nak" }, "delay_ms"],
  ];
  for (const [endpoint, body, field, message] of cases) {
    const where = `${endpoint} ${JSON.stringify(body)}`;
    // Connection-field cases carry their own (broken) credentials.
    const full = endpoint === "connect" ? body : { ...ALICE, ...(body as Body) };
    const r = await call(gw, endpoint, full);
    assert.equal(r.status, 400, `${where} → ${r.status} ${JSON.stringify(r.body)}`);
    assert.equal(r.body.ok, false);
    assert.equal(r.body.error!.code, "BAD_REQUEST", where);
    assert.equal(r.body.error!.field, field, `${where}: ${JSON.stringify(r.body.error)}`);
    assert.ok(String(r.body.error!.message).startsWith(`${field}: `), where);
    if (message) assert.match(String(r.body.error!.message), message, where);
  }
  // The password inside a refused URL is not repeated.
  const url = await call(gw, "connect", { server: "nats://u:hunter22@127.0.0.1:4222" });
  assert.ok(!JSON.stringify(url.body).includes("hunter22"));

  for (const raw of ["{not json", "[1,2]", '"text"', "null"]) {
    const r = await call(gw, "publish", raw);
    assert.equal(r.status, 400, raw);
    assert.equal(r.body.error!.field, "body");
  }
  const big = await call(gw, "publish", { ...ALICE, subject: "a", data: "x".repeat(5_000) });
  assert.equal(big.status, 413);
  assert.equal(big.body.error!.code, "PAYLOAD_TOO_LARGE");

  const nf = await fetch(`${gw.url}/api/nats/nope`, { method: "POST", body: "{}" });
  assert.equal(nf.status, 404);
  assert.equal((await nf.json()).error.code, "NOT_FOUND");
  const get = await fetch(`${gw.url}/api/nats/publish`);
  assert.equal(get.status, 405);
  assert.equal(get.headers.get("allow"), "POST");
  assert.equal((await get.json()).error.code, "METHOD_NOT_ALLOWED");
  const index = await fetch(`${gw.url}/`);
  const idx = await index.json();
  assert.equal(idx.endpoints.length, 9);

  // Nothing above reached NATS.
  assert.equal(gw.stats().dials, 0);
});

Deno.test("gateway: the host allow-list — only the default server unless allowed; host:port and * entries; 403 without dialling", async () => {
  await using other = await NatsServer.start({ config: USERS_CONFIG });
  await using t = await setup();
  const { gw, server } = t;
  // Default: only the --server host:port.
  await expect(gw, "connect", { ...ALICE }, 200);
  await expect(gw, "connect", { ...ALICE, server: server.url }, 200);
  const denied = await expect(gw, "connect", { ...ALICE, server: other.url }, 403);
  assert.equal(denied.error!.code, "HOST_NOT_ALLOWED");
  assert.equal(denied.error!.field, "server");
  for (const s of ["nats://10.1.2.3:4222", "tls://example.com", "localhost:4222"]) {
    assert.equal((await call(gw, "publish", { ...ALICE, server: s, subject: "x" })).status, 403);
  }
  assert.equal(gw.stats().dials, 1);

  // host:port entries allow exactly that port.
  await using gw2 = await startGateway({
    port: 0,
    server: server.url,
    allowHosts: [`127.0.0.1:${other.port}`],
  });
  await expect(gw2, "connect", { ...ALICE, server: other.url }, 200);
  await expect(gw2, "connect", { ...ALICE, server: `nats://127.0.0.1:${deadPort()}` }, 403);
  await expect(gw2, "connect", { ...ALICE, server: "nats://10.1.2.3:4222" }, 403);
  // * allows any host.
  await using gw3 = await startGateway({ port: 0, server: server.url, allowHosts: ["*"] });
  await expect(gw3, "connect", { ...ALICE, server: other.url }, 200);
  await expect(gw3, "connect", { ...ALICE, server: `nats://127.0.0.1:${deadPort()}` }, 502);
  // An upstream without JetStream: 502 that says so.
  const noJs = await expect(gw3, "jetstream-info", { ...ALICE, server: other.url }, 502);
  assert.equal(noJs.error!.code, "JETSTREAM_NOT_ENABLED");
  assert.match(String(noJs.error!.message), /JetStream is not enabled/);
});

Deno.test("gateway: credentials never appear in responses or logs, even in error paths that would quote them", async () => {
  await using t = await setup();
  const { gw, logs } = t;
  // A subject that happens to equal the password is quoted by the no-responders message.
  const r = await call(gw, "request", { ...ALICE, subject: ALICE.pass });
  assert.equal(r.status, 503);
  assert.match(JSON.stringify(r.body), /\[REDACTED\]/);
  await call(gw, "connect", { user: "alice", pass: "wrong-pw-Zq81" });
  await call(gw, "connect", { token: "bad-tok-77x" });
  await call(gw, "connect", { ...ALICE, server: `nats://127.0.0.1:${deadPort()}` });
  await call(gw, "jetstream-stream", { ...ALICE, action: "info", stream: "NOPE" });
  await call(gw, "publish", { ...ALICE, subject: "ok", extra: ALICE.pass });
  assert.ok(logs.length >= 6);
  for (const l of logs) assertNoSecrets(l, "a log line");
});

// --------------------------------------------------------------------- TLS

Deno.test("gateway: TLS — tls: true with the CA PEM connects; without the CA it is a 502 naming the certificate problem", async () => {
  await using tlsServer = await NatsServer.start({ tls: true, config: USERS_CONFIG });
  await using gw = await startGateway({ port: 0, server: tlsServer.url });
  const ca = tlsServer.certs!.caPem;
  const plainUrl = `nats://127.0.0.1:${tlsServer.port}`;
  const withCa = await expect(gw, "connect", { ...ALICE, tls: true, ca }, 200);
  assert.equal(withCa.tls, true);
  assert.equal(withCa.server, tlsServer.url);
  // nats:// plus tls: true is the same server (allowed as the same host:port).
  await expect(
    gw,
    "publish",
    { ...ALICE, server: plainUrl, tls: true, ca, subject: "secure" },
    200,
  );
  const noCa = await expect(gw, "connect", { ...ALICE, tls: true }, 502);
  assert.equal(noCa.error!.code, "CONNECTION_REFUSED");
  assert.equal(noCa.error!.reason, "untrusted-certificate");
  // The pool keys on the CA too: the failed dial left no connection behind.
  assert.equal(gw.stats().connections, 2);
});

// --------------------------------------------------------------------- CLI

Deno.test("gateway: the CLI with --port 0 prints its URL, serves, and stops cleanly on SIGINT", async () => {
  await using server = await NatsServer.start({ jetstream: true, config: USERS_CONFIG });
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "examples/http_gateway/main.ts",
      "--port",
      "0",
      "--server",
      server.url,
      "--idle-ms",
      "60000",
    ],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let out = "";
  const reading = child.stdout.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (chunk) => void (out += chunk) }),
  );
  const errText = new Response(child.stderr).text();
  let exited = false;
  try {
    const url = await waitFor(
      () => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1],
      "the CLI to print its URL",
      15_000,
    );
    assert.match(out, new RegExp(`default server\\s+${server.url.replaceAll(".", "\\.")}`));
    const res = await fetch(`${url}/api/nats/jetstream-info`, {
      method: "POST",
      body: JSON.stringify(ALICE),
    });
    const body = await res.text();
    assert.equal(res.status, 200, body);
    assert.equal(JSON.parse(body).ok, true);
    assert.equal((await gatewayConns(server)).length, 1);
    await waitFor(() => out.includes("POST /api/nats/jetstream-info 200"), "the request log line");
    child.kill("SIGINT");
    const status = await within(child.status, 10_000, "the CLI to exit");
    exited = true;
    await reading;
    assert.equal(status.code, 0, `${out}\n${await errText}`);
    assert.match(out, /stopped \(pool closed\)/);
    assertNoSecrets(out, "CLI output");
    await waitFor(
      async () => (await gatewayConns(server)).length === 0,
      "the CLI's connection closed",
    );
  } finally {
    if (!exited) {
      try {
        child.kill("SIGKILL");
      } catch {
        // already gone
      }
      await child.status;
      await reading.catch(() => {});
    }
    await errText;
  }
});

// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
import assert from "node:assert/strict";
import {
  AuthorizationError,
  ClosedConnectionError,
  connect,
  ConnectionError,
  type Msg,
  type NatsConnection,
  TimeoutError,
  type TraceEvent,
} from "../../mod.ts";
import { NatsServer } from "../_helpers/nats_server.ts";
import { connByName, deadPort, take, td, te, timed, uniqueName, waitFor, within } from "./_util.ts";

/** Subscribes, publishes one message on the same connection and returns it. */
async function roundTrip(nc: NatsConnection, subject = "rt.check") {
  const sub = nc.subscribe(subject, { max: 1 });
  nc.publish(subject, "ping");
  const [m] = await take(sub, 1, 3_000);
  assert.equal(m.string(), "ping");
}

Deno.test("connect() then close(): isClosed flips and closed() resolves undefined", async () => {
  await using server = await NatsServer.start();
  const nc = await connect({ servers: server.url });
  assert.equal(nc.isClosed(), false);
  await roundTrip(nc);
  await nc.close();
  assert.equal(nc.isClosed(), true);
  assert.equal(await nc.closed(), undefined);
});

Deno.test("connect() accepts servers as nats://127.0.0.1:port", async () => {
  await using server = await NatsServer.start();
  const nc = await connect({ servers: `nats://127.0.0.1:${server.port}` });
  try {
    assert.equal(nc.getServer(), `nats://127.0.0.1:${server.port}`);
    await roundTrip(nc);
  } finally {
    await nc.close();
  }
});

Deno.test("connect() accepts servers as bare 127.0.0.1:port", async () => {
  await using server = await NatsServer.start();
  const nc = await connect({ servers: `127.0.0.1:${server.port}` });
  try {
    assert.equal(nc.getServer(), `nats://127.0.0.1:${server.port}`);
    await roundTrip(nc);
  } finally {
    await nc.close();
  }
});

Deno.test("connect() with [dead port, live port] skips the dead one", async () => {
  await using server = await NatsServer.start();
  const dead = deadPort();
  const { ms, value: nc, error } = await timed(connect({
    servers: [`127.0.0.1:${dead}`, `127.0.0.1:${server.port}`],
    noRandomize: true,
    timeout: 5_000,
  }));
  assert.equal(error, undefined);
  try {
    assert.equal(nc!.getServer(), `nats://127.0.0.1:${server.port}`);
    assert.ok(ms < 2_000, `took ${ms} ms to fall through a refused port`);
    await roundTrip(nc!);
  } finally {
    await nc?.close();
  }
});

/**
 * A loopback-only relay from [::1]:<random> to the IPv4 server, so that the
 * client's IPv6 URL handling is exercised without binding nats-server to a
 * wildcard address. Records the peers it accepted.
 */
function ipv6Relay(target: number) {
  const listener = Deno.listen({ hostname: "::1", port: 0 });
  const peers: string[] = [];
  const pipes: Promise<unknown>[] = [];
  const conns: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const c of listener) {
      peers.push((c.remoteAddr as Deno.NetAddr).hostname);
      const up = await Deno.connect({ hostname: "127.0.0.1", port: target });
      conns.push(c, up);
      const pipe = (a: Deno.Conn, b: Deno.Conn) => a.readable.pipeTo(b.writable).catch(() => {});
      pipes.push(pipe(c, up), pipe(up, c));
    }
  })().catch(() => {});
  return {
    port: (listener.addr as Deno.NetAddr).port,
    peers,
    async close() {
      listener.close();
      await accepting;
      for (const c of conns) {
        try {
          c.close();
        } catch {
          // already closed by pipeTo
        }
      }
      await Promise.all(pipes);
    },
  };
}

/** Why IPv6 loopback cannot be used here, or "" when it can. */
const noIpv6 = (() => {
  try {
    Deno.listen({ hostname: "::1", port: 0 }).close();
    return "";
  } catch (err) {
    return (err as Error).message;
  }
})();
if (noIpv6) {
  // deno-lint-ignore no-console -- the brief asks for a printed skip reason
  console.log(`skipping the [::1] test: cannot listen on [::1] (${noIpv6})`);
}

Deno.test({
  name: "connect() accepts an IPv6 literal [::1]:port",
  ignore: noIpv6 !== "",
  fn: async () => {
    await using server = await NatsServer.start();
    const relay = ipv6Relay(server.port);
    try {
      const nc = await connect({
        servers: `[::1]:${relay.port}`,
        timeout: 3_000,
      });
      try {
        assert.equal(nc.getServer(), `nats://[::1]:${relay.port}`);
        assert.deepEqual(relay.peers, ["::1"]);
        await roundTrip(nc);
      } finally {
        await nc.close();
      }
    } finally {
      await relay.close();
    }
  },
});

Deno.test("connect() to a closed port rejects quickly with ConnectionError CONNECTION_REFUSED", async () => {
  const port = deadPort();
  const { ms, error } = await timed(
    connect({ servers: `127.0.0.1:${port}`, timeout: 5_000 }),
  );
  assert.ok(error instanceof ConnectionError, `got ${error}`);
  assert.equal((error as ConnectionError).code, "CONNECTION_REFUSED");
  assert.ok(ms < 1_000, `refusal took ${ms} ms`);
});

Deno.test("connect() to a paused server rejects with TimeoutError after about the timeout", async () => {
  await using server = await NatsServer.start();
  await server.pause();
  try {
    const { ms, error } = await timed(
      connect({ servers: server.url, timeout: 400 }),
    );
    assert.ok(error instanceof TimeoutError, `got ${error}`);
    assert.equal((error as TimeoutError).code, "TIMEOUT");
    assert.ok(ms >= 350 && ms < 1_500, `timed out after ${ms} ms`);
  } finally {
    await server.resume();
  }
});

const USERPASS = { authorization: { user: "alice", password: "s3cr3t-Pa55" } };

Deno.test("connect() with the right user/pass succeeds", async () => {
  await using server = await NatsServer.start({ config: USERPASS });
  const nc = await connect({
    servers: server.url,
    user: "alice",
    pass: "s3cr3t-Pa55",
  });
  try {
    assert.equal(nc.info?.auth_required, true);
    await roundTrip(nc);
  } finally {
    await nc.close();
  }
});

Deno.test("connect() with a wrong password rejects with AuthorizationError AUTHORIZATION_VIOLATION", async () => {
  await using server = await NatsServer.start({ config: USERPASS });
  const { ms, error } = await timed(connect({
    servers: server.url,
    user: "alice",
    pass: "nope",
    timeout: 5_000,
  }));
  assert.ok(error instanceof AuthorizationError, `got ${error}`);
  assert.equal((error as AuthorizationError).code, "AUTHORIZATION_VIOLATION");
  assert.ok(ms < 3_000, `auth failure took ${ms} ms`);
});

Deno.test("connect() without credentials to an auth server rejects with AuthorizationError", async () => {
  await using server = await NatsServer.start({ config: USERPASS });
  await assert.rejects(
    connect({ servers: server.url, timeout: 5_000 }),
    (e: unknown) => e instanceof AuthorizationError && e.code === "AUTHORIZATION_VIOLATION",
  );
});

Deno.test("connect() takes user/pass from nats://u:p@127.0.0.1:port", async () => {
  await using server = await NatsServer.start({ config: USERPASS });
  const nc = await connect({
    servers: `nats://alice:s3cr3t-Pa55@127.0.0.1:${server.port}`,
  });
  try {
    assert.ok(!nc.getServer().includes("s3cr3t"), nc.getServer());
    await roundTrip(nc);
  } finally {
    await nc.close();
  }
  await assert.rejects(
    connect({ servers: `nats://alice:bad@127.0.0.1:${server.port}` }),
    AuthorizationError,
  );
});

Deno.test("connect() decodes percent-encoded credentials in the URL", async () => {
  await using server = await NatsServer.start({
    config: { authorization: { user: "al ice", password: "p@ss:w/rd" } },
  });
  const nc = await connect({
    servers: `nats://al%20ice:p%40ss%3Aw%2Frd@127.0.0.1:${server.port}`,
  });
  try {
    await roundTrip(nc);
  } finally {
    await nc.close();
  }
});

const TOKEN = { authorization: { token: "tok-Z9y8X7" } };

Deno.test("connect() with the token option succeeds, a wrong token fails", async () => {
  await using server = await NatsServer.start({ config: TOKEN });
  const nc = await connect({ servers: server.url, token: "tok-Z9y8X7" });
  try {
    await roundTrip(nc);
  } finally {
    await nc.close();
  }
  await assert.rejects(
    connect({ servers: server.url, token: "wrong" }),
    (e: unknown) => e instanceof AuthorizationError && e.code === "AUTHORIZATION_VIOLATION",
  );
});

Deno.test("connect() takes a token from nats://token@host:port", async () => {
  await using server = await NatsServer.start({ config: TOKEN });
  const nc = await connect({
    servers: `nats://tok-Z9y8X7@127.0.0.1:${server.port}`,
  });
  try {
    assert.ok(!nc.getServer().includes("tok-Z9y8X7"), nc.getServer());
    await roundTrip(nc);
  } finally {
    await nc.close();
  }
});

Deno.test("connect() name is visible in the server's connz", async () => {
  await using server = await NatsServer.start();
  const name = uniqueName("conn-name");
  const nc = await connect({ servers: server.url, name });
  try {
    await nc.flush();
    const c = await waitFor(() => connByName(server, name), "connz entry");
    assert.equal(c.lang, "nats-rt");
    assert.equal(c.cid, nc.info?.client_id);
  } finally {
    await nc.close();
  }
});

Deno.test("noEcho: true drops own publishes but delivers another connection's", async () => {
  await using server = await NatsServer.start();
  const nc = await connect({ servers: server.url, noEcho: true });
  const other = await connect({ servers: server.url });
  try {
    const sub = nc.subscribe("echo.test");
    await nc.flush();
    nc.publish("echo.test", "mine");
    await nc.flush(); // the server has processed (and not echoed) our publish
    other.publish("echo.test", "theirs");
    await other.flush();
    await nc.flush(); // anything routed to us has now arrived
    const [m] = await take(sub, 1, 2_000);
    assert.equal(m.string(), "theirs");
    assert.equal(sub.getReceived(), 1);
    assert.equal(sub.getPending(), 0);
  } finally {
    await other.close();
    await nc.close();
  }
});

Deno.test("verbose: true works (server +OKs do not break anything)", async () => {
  await using server = await NatsServer.start({ trace: true });
  const name = uniqueName("verbose");
  const nc = await connect({ servers: server.url, verbose: true, name });
  try {
    const c = await waitFor(() => connByName(server, name), "connz entry");
    assert.ok(c.cid);
    const sub = nc.subscribe("verbose.>");
    for (let i = 0; i < 50; i++) nc.publish(`verbose.${i}`, String(i));
    const got = await take(sub, 50);
    assert.deepEqual(
      got.map((m) => m.string()),
      Array.from({ length: 50 }, (_, i) => String(i)),
    );
    const resp = nc.subscribe("verbose.svc", {
      callback: (_e, m) => m.respond("pong"),
    });
    const r = await nc.request("verbose.svc", "ping", { timeout: 2_000 });
    assert.equal(r.string(), "pong");
    resp.unsubscribe();
    await nc.flush();
    assert.equal(nc.isClosed(), false);
    // The server really was in verbose mode: its trace shows the +OKs.
    const log = await waitFor(async () => {
      const l = await server.logs();
      return l.includes("->> [OK]") && l;
    }, "+OK in the server trace");
    assert.ok(
      log.includes('"verbose":true'),
      "CONNECT did not ask for verbose",
    );
  } finally {
    await nc.close();
  }
});

Deno.test("pedantic: true works", async () => {
  await using server = await NatsServer.start({ trace: true });
  const nc = await connect({ servers: server.url, pedantic: true });
  try {
    const sub = nc.subscribe("ped.*.x");
    nc.publish("ped.a.x", "1");
    nc.publish("ped.b.x", "2");
    const got = await take(sub, 2);
    assert.deepEqual(got.map((m) => m.subject), ["ped.a.x", "ped.b.x"]);
    await nc.flush();
    assert.equal(nc.isClosed(), false);
    const log = await waitFor(async () => {
      const l = await server.logs();
      return l.includes('"pedantic":true') && l;
    }, "pedantic CONNECT in the server trace");
    assert.ok(
      !log.includes("-ERR"),
      "the server sent an -ERR in pedantic mode",
    );
  } finally {
    await nc.close();
  }
});

Deno.test("nc.info carries server_id and max_payload of the server", async () => {
  await using server = await NatsServer.start();
  const nc = await connect({ servers: server.url });
  try {
    const varz = await server.varz();
    assert.ok(nc.info);
    assert.equal(nc.info.server_id, varz.server_id);
    assert.equal(nc.info.max_payload, 1024 * 1024);
    assert.equal(nc.info.headers, true);
    assert.equal(typeof nc.info.client_id, "number");
  } finally {
    await nc.close();
  }
});

Deno.test("stats() counts messages and bytes both ways, matching the server's view", async () => {
  await using server = await NatsServer.start();
  const name = uniqueName("stats");
  const nc = await connect({ servers: server.url, name });
  try {
    const before = nc.stats();
    const sub = nc.subscribe("stats.x");
    const payload = new Uint8Array(100).fill(7);
    for (let i = 0; i < 20; i++) nc.publish("stats.x", payload);
    await take(sub, 20);
    await nc.flush();
    const s = nc.stats();
    assert.equal(s.outMsgs - before.outMsgs, 20);
    assert.equal(s.inMsgs - before.inMsgs, 20);
    assert.ok(
      s.outBytes - before.outBytes >= 20 * 100,
      `outBytes ${s.outBytes}`,
    );
    assert.ok(s.inBytes - before.inBytes >= 20 * 100, `inBytes ${s.inBytes}`);
    const c = await waitFor(() => connByName(server, name), "connz entry");
    // The server's in_msgs are our PUBs; its out_msgs are our MSGs.
    assert.equal(c.in_msgs, s.outMsgs);
    assert.equal(c.out_msgs, s.inMsgs);
  } finally {
    await nc.close();
  }
});

Deno.test("close() twice is safe and closed() resolves undefined", async () => {
  await using server = await NatsServer.start();
  const nc = await connect({ servers: server.url });
  const closed = nc.closed();
  await Promise.all([nc.close(), nc.close()]);
  await nc.close();
  assert.equal(await within(closed, 1_000, "closed()"), undefined);
  assert.equal(nc.isClosed(), true);
});

Deno.test("publish/subscribe after close throw ClosedConnectionError, request/flush reject with it", async () => {
  await using server = await NatsServer.start();
  const nc = await connect({ servers: server.url });
  await nc.close();
  const isClosedErr = (e: unknown) =>
    e instanceof ClosedConnectionError && e.code === "CONNECTION_CLOSED";
  assert.throws(() => nc.publish("x", "y"), isClosedErr);
  assert.throws(() => nc.subscribe("x"), isClosedErr);
  await assert.rejects(nc.request("x", "y", { timeout: 500 }), isClosedErr);
  await assert.rejects(nc.request("x", "y", { noMux: true }), isClosedErr);
  await assert.rejects(nc.flush(), isClosedErr);
  await assert.rejects(nc.drain(), isClosedErr);
});

Deno.test("close() ends pending requests and open subscriptions", async () => {
  await using server = await NatsServer.start();
  const nc = await connect({ servers: server.url });
  const sub = nc.subscribe("never");
  nc.subscribe("svc.silent", { callback: () => {} });
  await nc.flush();
  const req = nc.request("svc.silent", "x", { timeout: 10_000 });
  req.catch(() => {});
  await nc.close();
  await assert.rejects(within(req, 1_000, "request"), ClosedConnectionError);
  await within(sub.closed, 1_000, "sub.closed");
  assert.equal(sub.isClosed(), true);
});

Deno.test("with reconnect: false, losing the server closes the connection; closed() resolves to a ConnectionError", async () => {
  await using server = await NatsServer.start();
  const nc = await connect({ servers: server.url, reconnect: false });
  try {
    const sub = nc.subscribe("gone");
    await nc.flush();
    await server.kill();
    const err = await within(nc.closed(), 3_000, "closed()");
    assert.ok(err instanceof ConnectionError, `closed() resolved to ${err}`);
    assert.equal(nc.isClosed(), true);
    await within(sub.closed, 1_000, "sub.closed");
    assert.throws(() => nc.publish("x"), ClosedConnectionError);
  } finally {
    await nc.close();
  }
});

Deno.test("close() resolves promptly even when the server has stopped reading", async () => {
  await using server = await NatsServer.start();
  const nc = await connect({ servers: server.url });
  await server.pause();
  // Far more than the loopback socket buffers hold: the writes cannot finish.
  const chunk = new Uint8Array(900 * 1024);
  for (let i = 0; i < 20; i++) nc.publish("stuck", chunk);
  const closing = nc.close();
  try {
    const { ms, error } = await timed(within(closing, 3_000, "close()"));
    assert.equal(error, undefined, String(error));
    assert.ok(nc.isClosed());
    assert.ok(ms < 3_000);
  } finally {
    // If close() hung, let the writes drain so that it can finish.
    await server.resume();
    await closing;
  }
});

Deno.test("debug hook sees CONNECT, PUB and MSG lines but never the password", async () => {
  const secret = "pw-Hunter2-Q9";
  await using server = await NatsServer.start({
    config: { authorization: { user: "bob", password: secret } },
  });
  const lines: TraceEvent[] = [];
  const nc = await connect({
    servers: server.url,
    user: "bob",
    pass: secret,
    debug: (e) => lines.push(e),
  });
  try {
    const sub = nc.subscribe("dbg.x");
    nc.publish("dbg.x", "hello");
    await take(sub, 1);
    await nc.flush();
  } finally {
    await nc.close();
  }
  const out = lines.filter((l) => l.direction === "out").map((l) => l.line);
  const inn = lines.filter((l) => l.direction === "in").map((l) => l.line);
  const connectLine = out.find((l) => l.startsWith("CONNECT "));
  assert.ok(connectLine, `no CONNECT traced: ${out.join(" | ")}`);
  assert.ok(connectLine.includes('"user":"bob"'), connectLine);
  assert.ok(out.some((l) => l.startsWith("PUB dbg.x")), out.join(" | "));
  assert.ok(inn.some((l) => l.startsWith("MSG dbg.x")), inn.join(" | "));
  for (const l of lines) {
    assert.ok(
      !l.line.includes(secret),
      `secret leaked in ${JSON.stringify(l)}`,
    );
  }
});

Deno.test("debug hook never shows a token, given as option or in the URL", async () => {
  const secret = "tok-Secret-77Q";
  await using server = await NatsServer.start({
    config: { authorization: { token: secret } },
  });
  for (
    const opts of [
      { servers: server.url, token: secret },
      { servers: `nats://${secret}@127.0.0.1:${server.port}` },
    ]
  ) {
    const lines: TraceEvent[] = [];
    const nc = await connect({ ...opts, debug: (e) => lines.push(e) });
    try {
      nc.publish("dbg.tok", "x");
      await nc.flush();
    } finally {
      await nc.close();
    }
    assert.ok(lines.some((l) => l.line.startsWith("CONNECT ")));
    assert.ok(lines.some((l) => l.line.startsWith("PUB dbg.tok")));
    for (const l of lines) {
      assert.ok(
        !l.line.includes(secret),
        `token leaked in ${JSON.stringify(l)}`,
      );
    }
  }
});

Deno.test("await using closes the connection at the end of the scope", async () => {
  await using server = await NatsServer.start();
  let ref: NatsConnection | undefined;
  let got: Msg | undefined;
  {
    await using nc = await connect({ servers: server.url });
    ref = nc;
    const sub = nc.subscribe("using.x", { max: 1 });
    nc.publish("using.x", te.encode("in scope"));
    [got] = await take(sub, 1);
    assert.equal(nc.isClosed(), false);
  }
  assert.equal(td.decode(got!.data), "in scope");
  assert.equal(ref.isClosed(), true);
  assert.equal(await within(ref.closed(), 1_000, "closed()"), undefined);
});

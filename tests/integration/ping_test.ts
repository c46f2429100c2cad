// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
import assert from "node:assert/strict";
import { connect, ConnectionError } from "../../mod.ts";
import { NatsServer } from "../_helpers/nats_server.ts";
import { connByName, take, timed, uniqueName, waitFor, waitStatus } from "./_util.ts";

/** Counts trace lines of connection `cid` in the server log that end with `suffix`. */
function countTrace(log: string, cid: number, suffix: string): number {
  return log.split("\n").filter((l) => l.includes(`- cid:${cid} -`) && l.endsWith(suffix)).length;
}

Deno.test("connection survives several server PINGs (ping_interval 1s): the client answers PONG", async () => {
  await using server = await NatsServer.start({
    trace: true,
    config: { ping_interval: "1s", ping_max: 1 },
  });
  const name = uniqueName("pinged");
  const nc = await connect({ servers: server.url, name });
  try {
    const cid = nc.info!.client_id!;
    assert.equal(typeof cid, "number");
    // Deadline polling on the server's trace: ->> [PING] is the server's,
    // <<- [PONG] is our answer. With ping_max 1 a client that did not answer
    // would be cut off at the second PING.
    const log = await waitFor(
      async () => {
        const l = await server.logs();
        return countTrace(l, cid, "<<- [PONG]") >= 2 && l;
      },
      "two PONG answers in the server trace",
      6_000,
      50,
    );
    assert.ok(countTrace(log, cid, "->> [PING]") >= 2);
    assert.ok(!log.includes("Stale Connection"), "server called us stale");
    // still connected: round trip, and the server still lists the same client
    const sub = nc.subscribe("alive", { max: 1 });
    nc.publish("alive", "yes");
    const [m] = await take(sub, 1);
    assert.equal(m.string(), "yes");
    const c = await connByName(server, name);
    assert.equal(c?.cid, cid);
    assert.equal(nc.isClosed(), false);
  } finally {
    await nc.close();
  }
});

Deno.test("client pings detect a paused server: closed() resolves to a STALE_CONNECTION error", async () => {
  await using server = await NatsServer.start();
  const nc = await connect({
    servers: server.url,
    pingInterval: 200,
    maxPingOut: 2,
    reconnect: false,
  });
  const stale = waitStatus(nc, (s) => s.type === "staleConnection", 3_000);
  try {
    await nc.flush();
    await server.pause();
    const { ms, value: err } = await timed(nc.closed());
    assert.ok(err instanceof Error, `closed() resolved to ${err}`);
    assert.ok(err instanceof ConnectionError, `got ${err}`);
    assert.equal((err as ConnectionError).code, "STALE_CONNECTION");
    assert.ok(ms < 1_500, `stale detection took ${ms} ms`);
    assert.equal(nc.isClosed(), true);
    const st = await stale.promise;
    assert.equal(st.type, "staleConnection");
    assert.ok(
      stale.seen.some((s) => s.type === "ping"),
      "no ping status events before the stale one",
    );
  } finally {
    stale.stop();
    await nc.close();
    await server.resume();
  }
});

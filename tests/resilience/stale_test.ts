// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * A frozen server (SIGSTOP, confirmed through /proc): the client's PINGs go
 * unanswered, it reports a stale connection, its redials complete TCP but get
 * no INFO and end at the handshake timeout, and after SIGCONT it reconnects.
 * RELIABILITY.md §5 test 9.
 */
import assert from "node:assert/strict";
import { connect, ErrorCode } from "../../mod.ts";
import { NatsServer } from "../_helpers/nats_server.ts";
import { connsNamed, hostport, StatusLog, subsOf, take, uniqueName, waitFor } from "./_util.ts";

Deno.test("stale: SIGSTOP -> staleConnection within pingInterval x (maxPingOut + 1); redials to the frozen server end at the handshake timeout; SIGCONT -> reconnect with subs restored", async () => {
  await using server = await NatsServer.start();
  const name = uniqueName("frozen");
  const pingInterval = 250;
  const maxPingOut = 2;
  const timeout = 400;
  const nc = await connect({
    servers: server.url,
    name,
    pingInterval,
    maxPingOut,
    timeout,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 50,
    reconnectTimeWaitMax: 100,
    reconnectJitter: 0,
  });
  const log = new StatusLog(nc);
  try {
    const sub = nc.subscribe("frozen.x");
    await nc.flush();
    await server.pause();
    const stopped = performance.now();
    const stale = await log.waitType("staleConnection", 3_000);
    const ms = stale.at - stopped;
    assert.ok(
      ms <= pingInterval * (maxPingOut + 1) + 100,
      `stale after ${ms.toFixed(0)} ms (bound ${pingInterval * (maxPingOut + 1)} ms)`,
    );
    assert.equal(stale.status.server, hostport(server.port));
    const disc = await log.waitType("disconnect", 1_000);
    assert.equal(
      (disc.status.error as { code?: string } | undefined)?.code,
      ErrorCode.StaleConnection,
    );
    assert.ok(log.of("ping").length >= maxPingOut, "no ping events before the stale one");

    // Redials: the kernel completes the TCP handshake, no INFO ever comes.
    const first = await log.wait(
      (s) => s.type === "reconnecting" && s.attempt === 1,
      "first redial",
    );
    const third = await log.wait(
      (s) => s.type === "reconnecting" && s.attempt === 3,
      "third redial",
      5_000,
    );
    // Two failed dials in between, each lasting about the handshake timeout.
    assert.ok(
      third.at - first.at >= 2 * timeout - 20,
      `redials failed after ${(third.at - first.at).toFixed(0)} ms: not by handshake timeout?`,
    );
    assert.equal(log.of("reconnect").length, 0);

    await server.resume();
    const rec = await log.waitType("reconnect", 5_000);
    assert.equal(rec.status.server, hostport(server.port));
    nc.publish("frozen.x", "thawed");
    assert.equal((await take(sub, 1))[0].string(), "thawed");
    // The frozen-era sockets are gone once the server runs again.
    await waitFor(
      async () => (await connsNamed(server, name)).length === 1,
      "one connection left for the client",
    );
    assert.deepEqual((await subsOf(server, name)).map((s) => s.subject), ["frozen.x"]);
  } finally {
    await nc.close();
    await log.stop();
    if (server.paused) await server.resume();
  }
});

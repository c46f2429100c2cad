// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * Server input that only a scripted fake can produce on demand: an HMSG whose
 * header block is malformed, an `-ERR` no server version sends (which must
 * close the connection with that error), and `-ERR 'Stale Connection'`
 * (which must reconnect). The real-server counterparts are in
 * server_errors_test.ts. RELIABILITY.md §2.1 and §5 test 13.
 */
import assert from "node:assert/strict";
import { connect, ErrorCode, type Msg, ServerError } from "../../mod.ts";
import { type FakeConn, FakeServer } from "../_helpers/fake_server.ts";
import { StatusLog, timed, waitFor, within } from "./_util.ts";

function codeOf(err: unknown): string | undefined {
  return (err as { code?: string } | undefined)?.code;
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}(${codeOf(err)}): ${err.message}` : String(err);
}

/** A well-behaved session that answers every PING until the client leaves. */
async function wellBehaved(c: FakeConn): Promise<void> {
  await c.sendInfo();
  if (!await c.acceptHandshake()) return;
  let answered = 1; // the handshake PING
  while (!c.closed) {
    const pings = c.received.split("PING\r\n").length - 1;
    for (; answered < pings; answered++) await c.send("PONG\r\n");
    // Wake on any new input (or every 100 ms) to look for PINGs.
    await c.waitFor(`\u0000never`, 100);
  }
}

Deno.test("a well-framed HMSG with a malformed header block: the session either ends with PROTOCOL_ERROR or the message arrives and reading its headers throws PROTOCOL_ERROR", async () => {
  await using fake = FakeServer.start(async (conn) => {
    if (conn.index > 0) return await wellBehaved(conn);
    await conn.sendInfo();
    if (!await conn.acceptHandshake()) return;
    if (!await conn.waitFor("SUB hostile 1\r\n")) return;
    await conn.send("HMSG hostile 1 12 12\r\nNOTNATS/1.\r\n\r\n");
    await wellBehaved(conn);
  });
  const nc = await connect({ servers: fake.url, maxReconnectAttempts: -1, reconnectTimeWait: 20 });
  const log = new StatusLog(nc);
  try {
    const got: Msg[] = [];
    nc.subscribe("hostile", { callback: (_e, m) => got.push(m) });
    await waitFor(
      () => got.length > 0 || log.of("disconnect").length > 0,
      "delivery or disconnect",
    );
    if (got.length > 0) {
      assert.throws(() => got[0].headers, (e: unknown) => codeOf(e) === ErrorCode.Protocol);
      await within(nc.flush(), 3_000, "flush on the same session");
      assert.equal(log.of("disconnect").length, 0);
    } else {
      assert.equal(codeOf(log.of("disconnect")[0].error), ErrorCode.Protocol);
      await log.waitType("reconnect");
    }
  } finally {
    await nc.close();
    await log.stop();
  }
});

Deno.test("an unknown -ERR mid-session closes the connection with a ServerError (no reconnect); 'Stale Connection' reconnects", async () => {
  {
    await using fake = FakeServer.start(async (conn) => {
      if (conn.index > 0) return await wellBehaved(conn);
      await conn.sendInfo();
      if (!await conn.acceptHandshake()) return;
      await conn.send("-ERR 'Something Unheard Of'\r\n");
      await conn.waitClosed(5_000);
    });
    const nc = await connect({
      servers: fake.url,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 20,
    });
    const err = await within(nc.closed(), 5_000, "closed()");
    assert.ok(err instanceof ServerError, describe(err));
    assert.equal(codeOf(err), ErrorCode.Server);
    assert.equal(fake.conns.length, 1, "the client reconnected after a fatal -ERR");
  }
  {
    await using fake = FakeServer.start(async (conn) => {
      if (conn.index > 0) return await wellBehaved(conn);
      await conn.sendInfo();
      if (!await conn.acceptHandshake()) return;
      if (!await conn.waitFor("SUB ready 1\r\n")) return;
      await conn.send("-ERR 'Stale Connection'\r\n");
      await conn.close();
    });
    const nc = await connect({
      servers: fake.url,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 20,
    });
    const log = new StatusLog(nc);
    try {
      nc.subscribe("ready");
      const disc = await log.waitType("disconnect");
      assert.equal(codeOf(disc.status.error), ErrorCode.StaleConnection);
      await log.waitType("reconnect");
      await within(nc.flush(), 3_000, "flush after the reconnect");
    } finally {
      await nc.close();
      await log.stop();
    }
  }
});

Deno.test("handshake timeouts: a server that sends no INFO, or INFO but never the PONG, fails connect() with TIMEOUT at about `timeout`", async () => {
  for (const mode of ["no INFO", "no PONG"] as const) {
    await using fake = FakeServer.start(async (conn) => {
      if (mode === "no PONG") await conn.sendInfo();
      await conn.waitClosed(5_000);
    });
    const r = await timed(connect({ servers: fake.url, timeout: 500 }));
    assert.equal(codeOf(r.error), ErrorCode.Timeout, `${mode}: ${describe(r.error)}`);
    assert.ok(r.ms >= 450 && r.ms < 1_500, `${mode}: failed after ${r.ms.toFixed(0)} ms`);
    if (mode === "no PONG") {
      assert.ok(fake.conns[0].received.startsWith("CONNECT "), "no CONNECT after INFO");
    }
  }
});

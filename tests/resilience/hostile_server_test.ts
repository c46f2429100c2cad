// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * Malformed server input from a scripted fake server (a real nats-server
 * never sends these): huge and unterminated INFO, INFO that is not JSON or
 * not an object, wrong field types, junk connect_urls, frames that are not
 * INFO first, garbage after INFO and mid-session. The client must fail only
 * with PROTOCOL_ERROR (or carry on when a field can simply be ignored),
 * never hang, never throw anything else, and recover by reconnecting.
 * RELIABILITY.md §3 and §5 test 31.
 */
import assert from "node:assert/strict";
import { connect, ErrorCode, NatsError } from "../../mod.ts";
import { type FakeConn, FakeServer, infoLine } from "../_helpers/fake_server.ts";
import { StatusLog, timed, within } from "./_util.ts";

function codeOf(err: unknown): string | undefined {
  return (err as { code?: string } | undefined)?.code;
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}(${codeOf(err)}): ${err.message}` : String(err);
}

/**
 * A well-behaved session that answers every PING, for the connection after a
 * misbehaving one.
 */
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

const HUGE = 2 * 1024 * 1024;

/** First-connect cases: what the fake sends instead of a proper INFO + PONG. */
const HANDSHAKE_CASES: { name: string; send: (port: number) => string | Uint8Array }[] = [
  { name: "2 MB INFO without CRLF", send: () => "INFO {" + "a".repeat(HUGE) },
  { name: "2 MB INFO line with CRLF", send: () => `INFO {"x":"${"a".repeat(HUGE)}"}\r\n` },
  { name: "INFO that is not JSON", send: () => "INFO {not json at all\r\n" },
  { name: "INFO with an empty body", send: () => "INFO \r\n" },
  { name: "INFO null", send: () => "INFO null\r\n" },
  { name: "INFO array", send: () => "INFO [1,2,3]\r\n" },
  { name: "INFO string", send: () => 'INFO "server"\r\n' },
  { name: "INFO number", send: () => "INFO 42\r\n" },
  { name: "first frame PONG", send: (p) => "PONG\r\n" + infoLine(p) },
  { name: "first frame MSG", send: () => "MSG a 1 2\r\nhi\r\n" },
  { name: "first frame garbage", send: () => "GARBAGE\r\n" },
  { name: "an HTTP server", send: () => "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n" },
  {
    name: "binary noise",
    send: () => Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919) & 0xff),
  },
  { name: "garbage right after INFO", send: (p) => infoLine(p) + "GARBAGE\r\n" },
  { name: "MSG with a huge size after INFO", send: (p) => infoLine(p) + "MSG a 1 99999999999\r\n" },
];

Deno.test("hostile handshake: each malformed opening fails connect() with PROTOCOL_ERROR, quickly, with nothing else thrown", async () => {
  const problems: string[] = [];
  for (const c of HANDSHAKE_CASES) {
    await using fake = FakeServer.start(async (conn) => {
      await conn.send(c.send(fake.port));
      await conn.waitClosed(5_000);
    });
    const r = await timed(connect({ servers: fake.url, timeout: 2_000 }));
    if (r.error === undefined) {
      await (r.value as { close(): Promise<void> }).close();
      problems.push(`${c.name}: connected`);
    } else if (!(r.error instanceof NatsError) || codeOf(r.error) !== ErrorCode.Protocol) {
      problems.push(`${c.name}: ${describe(r.error)} after ${r.ms.toFixed(0)} ms`);
    } else if (r.ms > 1_500) {
      problems.push(`${c.name}: took ${r.ms.toFixed(0)} ms`);
    }
  }
  assert.deepEqual(problems, []);
});

/** INFO fields of the wrong type or value: ignorable, or a PROTOCOL_ERROR. */
const FIELD_CASES: { name: string; extra: Record<string, unknown> }[] = [
  { name: "max_payload string", extra: { max_payload: "abc" } },
  { name: "max_payload -1", extra: { max_payload: -1 } },
  { name: "max_payload 0", extra: { max_payload: 0 } },
  { name: "max_payload null", extra: { max_payload: null } },
  { name: "max_payload 1e308", extra: { max_payload: 1e308 } },
  { name: "headers string", extra: { headers: "yes" } },
  { name: "connect_urls string", extra: { connect_urls: "127.0.0.1:1" } },
  { name: "connect_urls object", extra: { connect_urls: { a: 1 } } },
  {
    name: "connect_urls junk entries",
    extra: {
      connect_urls: [1, null, {}, [], "", "::::", "http://x:1", "a b:1", "h:99999", "h:-1"],
    },
  },
  {
    name: "10k junk connect_urls",
    extra: { connect_urls: Array.from({ length: 10_000 }, (_, i) => (i % 2 ? "::::" : `h${i}:x`)) },
  },
  { name: "ldm string", extra: { ldm: "true" } },
  { name: "nonce number", extra: { nonce: 5 } },
  { name: "tls_required string", extra: { tls_required: "no" } },
  { name: "auth_required number", extra: { auth_required: 1 } },
  { name: "server_id number", extra: { server_id: 7 } },
  { name: "server_id missing", extra: { server_id: undefined } },
  { name: "proto string", extra: { proto: "x" } },
  { name: "port string", extra: { port: "abc" } },
  { name: "client_id string", extra: { client_id: "x" } },
  { name: "jetstream string", extra: { jetstream: "yes" } },
  { name: "__proto__ key", extra: JSON.parse('{"__proto__": {"polluted": true}}') },
];

Deno.test("hostile INFO fields, in the first INFO and in an async INFO: wrong types and junk values are ignored (the connection works) or fail with PROTOCOL_ERROR; junk connect_urls never reach the pool", async () => {
  const problems: string[] = [];
  for (const position of ["first", "async"] as const) {
    for (const c of FIELD_CASES) {
      const name = `${position} INFO, ${c.name}`;
      await using fake = FakeServer.start(async (conn) => {
        await conn.send(infoLine(fake.port, position === "first" ? c.extra : {}));
        if (!await conn.acceptHandshake()) return;
        if (position === "async") {
          if (!await conn.waitFor("SUB ready 1\r\n")) return;
          await conn.send(infoLine(fake.port, c.extra));
        }
        if (!await conn.waitFor("PUB field.ok 2\r\nok\r\nPING\r\n")) return;
        await conn.send("PONG\r\n");
        await conn.waitClosed();
      });
      const r = await timed(connect({ servers: fake.url, timeout: 2_000, reconnect: false }));
      if (r.error !== undefined) {
        if (!(r.error instanceof NatsError) || codeOf(r.error) !== ErrorCode.Protocol) {
          problems.push(`${name}: ${describe(r.error)}`);
        }
        continue;
      }
      const nc = r.value!;
      const log = new StatusLog(nc);
      try {
        nc.subscribe("ready");
        nc.publish("field.ok", "ok");
        const f = await timed(within(nc.flush(), 3_000, "flush"));
        if (f.error !== undefined) {
          const e = position === "async" ? log.of("disconnect")[0]?.error ?? f.error : f.error;
          if (!(e instanceof NatsError) || codeOf(e) !== ErrorCode.Protocol) {
            problems.push(`${name}: ${describe(e)}`);
          }
          continue;
        }
        // The pool gets only entries the server actually advertised as
        // host:port strings: nothing invented from numbers, nulls or URLs.
        const advertised = Array.isArray(c.extra.connect_urls) ? c.extra.connect_urls : [];
        for (const u of log.of("update").flatMap((s) => s.added ?? [])) {
          if (!advertised.includes(u) || !/^[A-Za-z0-9.-]+:\d{1,5}$/.test(u)) {
            problems.push(`${name}: pool got ${JSON.stringify(u)}`);
          }
        }
        if (nc.isClosed()) problems.push(`${name}: closed`);
        if (log.of("ldm").length > 0) problems.push(`${name}: ldm status`);
        if (({} as Record<string, unknown>).polluted !== undefined) {
          problems.push(`${name}: Object.prototype polluted`);
        }
      } finally {
        await nc.close();
        await log.stop();
      }
    }
  }
  assert.deepEqual(problems, []);
});

/** Mid-session frames: each must end the session with PROTOCOL_ERROR, then reconnect. */
const SESSION_CASES: { name: string; frame: string }[] = [
  { name: "garbage line", frame: "GARBAGE\r\n" },
  { name: "MSG with a huge size", frame: "MSG hostile 1 99999999999\r\n" },
  { name: "MSG with a negative size", frame: "MSG hostile 1 -5\r\nhello\r\n" },
  { name: "MSG with a non-numeric sid", frame: "MSG hostile x 5\r\nhello\r\n" },
  { name: "MSG with too few fields", frame: "MSG hostile\r\n" },
  { name: "MSG payload not followed by CRLF", frame: "MSG hostile 1 2\r\nhelloXX\r\n" },
  { name: "HMSG with header size over total", frame: "HMSG hostile 1 10 5\r\nNATS/1.0\r\n\r\n" },
  { name: "async INFO that is not JSON", frame: "INFO {bad\r\n" },
  { name: "async INFO null", frame: "INFO null\r\n" },
  { name: "async 2 MB INFO without CRLF", frame: "INFO {" + "a".repeat(HUGE) },
  { name: "2 MB -ERR without CRLF", frame: "-ERR '" + "e".repeat(HUGE) },
  { name: "NUL bytes", frame: "\u0000\u0000\u0000\r\n" },
];

Deno.test("hostile frames mid-session: each ends the session with PROTOCOL_ERROR; the client reconnects cleanly and works", async () => {
  const problems: string[] = [];
  for (const c of SESSION_CASES) {
    let hostile = true;
    await using fake = FakeServer.start(async (conn) => {
      if (conn.index > 0 || !hostile) return await wellBehaved(conn);
      await conn.sendInfo();
      if (!await conn.acceptHandshake()) return;
      // Wait for the subscription, then misbehave.
      if (!await conn.waitFor("SUB hostile 1\r\n")) return;
      await conn.send(c.frame);
      await conn.waitClosed(5_000);
    });
    const nc = await connect({
      servers: fake.url,
      timeout: 2_000,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 20,
      reconnectJitter: 0,
    });
    const log = new StatusLog(nc);
    try {
      const sub = nc.subscribe("hostile");
      sub.closed.catch(() => {});
      const disc = await log.waitType("disconnect", 5_000).catch((e) => e as Error);
      if (disc instanceof Error) {
        problems.push(`${c.name}: ${disc.message}`);
        continue;
      }
      hostile = false;
      const err = disc.status.error;
      if (!(err instanceof NatsError) || codeOf(err) !== ErrorCode.Protocol) {
        problems.push(`${c.name}: disconnect cause ${describe(err)}`);
      }
      const rec = await log.waitType("reconnect", 5_000).catch((e) => e as Error);
      if (rec instanceof Error) {
        problems.push(`${c.name}: ${rec.message}`);
        continue;
      }
      nc.publish("after.ok", "x");
      const f = await timed(within(nc.flush(), 3_000, "flush"));
      if (f.error !== undefined) {
        problems.push(`${c.name}: flush after reconnect ${describe(f.error)}`);
      }
      if (!fake.conns[1]?.received.includes("SUB hostile 1\r\n")) {
        problems.push(`${c.name}: subscription not re-sent`);
      }
      if (sub.getReceived() !== 0) problems.push(`${c.name}: a hostile message was delivered`);
    } finally {
      await nc.close();
      await log.stop();
    }
  }
  assert.deepEqual(problems, []);
});

// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
// deno-lint-ignore-file no-console -- console output is captured and searched for secrets
/**
 * Secrets never leak with debug on: passwords and tokens (given as options,
 * in the URL, or by an authenticator) appear in no trace line, error, status
 * event, console output, `getServer()` or `info`, across a connect, a
 * reconnect after SIGKILL, and refused credentials. RELIABILITY.md §4 and
 * §5 test 38.
 */
import assert from "node:assert/strict";
import { connect, type ConnectionOptions, type NatsConnection } from "../../mod.ts";
import { NatsServer } from "../_helpers/nats_server.ts";
import { deadPort, dump, StatusLog, timed } from "./_util.ts";

const USER = "alice";
const PASS = "pw-Zq8x1-never-print-me";
const TOKEN = "tok-9Hc2-never-print-me";
const URL_PASS = "urlpw-K7s1-never-print-me";
const URL_TOKEN = "urltok-P3m5-never-print-me";

/** Collects console output while `fn` runs (the client must print nothing secret). */
async function captureConsole<T>(sink: string[], fn: () => Promise<T>): Promise<T> {
  const methods = ["log", "error", "warn", "info", "debug", "trace"] as const;
  const saved = methods.map((m) => console[m]);
  for (const m of methods) {
    console[m] = (...args: unknown[]) => sink.push(args.map((a) => dump(a)).join(" "));
  }
  try {
    return await fn();
  } finally {
    methods.forEach((m, i) => console[m] = saved[i]);
  }
}

interface Observed {
  text: string[];
}

/** Connects with `opts` + a debug hook, runs a kill/restart cycle, and records everything seen. */
async function exercise(
  server: NatsServer,
  opts: ConnectionOptions,
  seen: Observed,
): Promise<void> {
  const traces: string[] = [];
  const nc: NatsConnection = await connect({
    ...opts,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 50,
    reconnectJitter: 0,
    debug: (e) => traces.push(`${e.direction} ${e.line}`),
  });
  const log = new StatusLog(nc);
  try {
    await nc.flush();
    assert.ok(traces.some((t) => t.includes("CONNECT")), "the debug hook saw no CONNECT");
    seen.text.push(nc.getServer(), dump(nc.info), Deno.inspect(nc, { depth: 8 }), String(nc));
    await server.kill();
    await log.waitType("disconnect");
    await server.restart();
    await log.waitType("reconnect", 10_000);
    await nc.flush();
    seen.text.push(nc.getServer(), dump(nc.info));
  } finally {
    await nc.close();
    await log.stop();
    seen.text.push(...traces, ...log.events.map((e) => dump(e.status)));
  }
  // The CONNECT was traced twice (connect and reconnect), redacted both times.
  assert.ok(traces.filter((t) => t.includes("CONNECT")).length >= 2);
}

function assertClean(seen: Observed, secrets: string[]): void {
  const all = seen.text.join("\n");
  assert.ok(all.length > 0);
  for (const s of secrets) {
    assert.ok(!all.includes(s), `secret ${s.slice(0, 6)}… leaked in: ${excerpt(all, s)}`);
  }
}

function excerpt(all: string, s: string): string {
  const i = all.indexOf(s);
  return all.slice(Math.max(0, i - 200), i + s.length + 50);
}

Deno.test("secrets: user/password options and a URL password never appear in traces, errors, status events, console output or accessors", async () => {
  await using server = await NatsServer.start({
    config: {
      authorization: {
        users: [{ user: USER, password: PASS }, { user: "bob", password: URL_PASS }],
      },
    },
  });
  const seen: Observed = { text: [] };
  const consoleOut: string[] = [];
  await captureConsole(consoleOut, async () => {
    await exercise(server, { servers: server.url, user: USER, pass: PASS }, seen);
    await exercise(server, { servers: `nats://bob:${URL_PASS}@127.0.0.1:${server.port}` }, seen);
    // Refused credentials, and a dead URL carrying credentials.
    const traces: string[] = [];
    const bad = await timed(connect({
      servers: server.url,
      user: USER,
      pass: PASS + "-wrong",
      debug: (e) => traces.push(e.line),
    }));
    assert.ok(bad.error instanceof Error, "wrong password accepted");
    seen.text.push(dump(bad.error), ...traces);
    const dead = await timed(connect({
      servers: `nats://bob:${URL_PASS}@127.0.0.1:${deadPort()}`,
      debug: (e) => traces.push(e.line),
    }));
    assert.ok(dead.error instanceof Error);
    seen.text.push(dump(dead.error), ...traces);
  });
  seen.text.push(...consoleOut);
  assertClean(seen, [PASS, URL_PASS]);
});

Deno.test("secrets: a token (option, URL, or from an authenticator) never appears in traces, errors, status events, console output or accessors", async () => {
  await using server = await NatsServer.start({ config: { authorization: { token: TOKEN } } });
  const seen: Observed = { text: [] };
  const consoleOut: string[] = [];
  await captureConsole(consoleOut, async () => {
    await exercise(server, { servers: server.url, token: TOKEN }, seen);
    await exercise(
      server,
      { servers: server.url, authenticator: () => ({ auth_token: TOKEN }) },
      seen,
    );
    const bad = await timed(connect({ servers: server.url, token: TOKEN + "-wrong" }));
    assert.ok(bad.error instanceof Error, "wrong token accepted");
    seen.text.push(dump(bad.error));
  });
  seen.text.push(...consoleOut);
  assertClean(seen, [TOKEN]);

  await using other = await NatsServer.start({ config: { authorization: { token: URL_TOKEN } } });
  const seen2: Observed = { text: [] };
  await captureConsole(consoleOut, async () => {
    await exercise(other, { servers: `nats://${URL_TOKEN}@127.0.0.1:${other.port}` }, seen2);
  });
  seen2.text.push(...consoleOut);
  assertClean(seen2, [URL_TOKEN]);
});

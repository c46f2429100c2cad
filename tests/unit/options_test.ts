// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
import assert from "node:assert/strict";
import { parseServer, redactUrl, resolveOptions } from "../../src/options.ts";

Deno.test("parseServer() accepts every documented form", () => {
  const cases: [string, string, string, number, string][] = [
    ["nats://127.0.0.1:4333", "nats", "127.0.0.1", 4333, "127.0.0.1:4333"],
    ["127.0.0.1:4333", "nats", "127.0.0.1", 4333, "127.0.0.1:4333"],
    ["localhost", "nats", "localhost", 4222, "localhost:4222"],
    ["[::1]:4222", "nats", "::1", 4222, "[::1]:4222"],
    ["nats://[::1]", "nats", "::1", 4222, "[::1]:4222"],
    ["tls://demo.example:4443", "tls", "demo.example", 4443, "demo.example:4443"],
    ["ws://127.0.0.1:8080", "ws", "127.0.0.1", 8080, "127.0.0.1:8080"],
    ["ws://h:80", "ws", "h", 80, "h:80"],
    ["wss://h", "wss", "h", 443, "h:443"],
  ];
  for (const [input, scheme, hostname, port, hostport] of cases) {
    const s = parseServer(input);
    assert.deepEqual(
      [s.scheme, s.hostname, s.port, s.hostport],
      [scheme, hostname, port, hostport],
      input,
    );
  }
});

Deno.test("parseServer() takes user/pass and token from the URL, never into url", () => {
  const a = parseServer("nats://alice:s%40cret@127.0.0.1:4222");
  assert.equal(a.user, "alice");
  assert.equal(a.pass, "s@cret");
  assert.ok(!a.url.includes("cret"));
  const t = parseServer("nats://tok123@127.0.0.1");
  assert.equal(t.token, "tok123");
  assert.equal(t.user, undefined);
});

Deno.test("parseServer() rejects unknown schemes and hostless URLs with TypeError", () => {
  assert.throws(() => parseServer("http://x:1"), TypeError);
  assert.throws(() => parseServer("nats://"), TypeError);
  assert.throws(() => parseServer("nats://a b:1"), TypeError);
});

Deno.test("redactUrl() hides credentials", () => {
  assert.equal(redactUrl("nats://u:p@h:1"), "nats://***@h:1");
  assert.equal(redactUrl("nats://h:1"), "nats://h:1");
});

Deno.test("resolveOptions() fills defaults and rejects bad values with TypeError", () => {
  const o = resolveOptions({});
  assert.deepEqual(o.servers, ["127.0.0.1:4222"]);
  assert.equal(o.maxPingOut, 2);
  assert.equal(o.reconnect, true);
  assert.deepEqual(resolveOptions({ servers: "h:1" }).servers, ["h:1"]);
  assert.throws(() => resolveOptions({ servers: [] }), TypeError);
  assert.throws(() => resolveOptions({ timeout: -5 }), TypeError);
  assert.throws(() => resolveOptions({ maxReconnectAttempts: -2 }), TypeError);
  assert.equal(resolveOptions({ maxReconnectAttempts: -1 }).maxReconnectAttempts, -1);
  // deno-lint-ignore no-explicit-any
  assert.throws(() => resolveOptions({ user: 5 as any }), TypeError);
});

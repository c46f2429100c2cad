// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
import assert from "node:assert/strict";
import { connect, headers, InvalidHeaderError, Match } from "../../mod.ts";
import { NatsServer } from "../_helpers/nats_server.ts";
import { take } from "./_util.ts";

Deno.test("headers round trip: case preserved, repeated values in order, UTF-8 values, ':' in values", async () => {
  await using server = await NatsServer.start();
  const nc = await connect({ servers: server.url });
  const other = await connect({ servers: server.url });
  try {
    const sub = other.subscribe("hdr.x");
    await other.flush();
    const h = headers();
    h.set("X-MiXeD", "Value-Case");
    h.append("Multi", "one");
    h.append("Multi", "two");
    h.append("Multi", "three");
    h.set("Utf8", "héllo 日本 🚀");
    h.set("Url", "http://host:8080/a?b=c");
    nc.publish("hdr.x", "payload ✓", { headers: h });
    const [m] = await take(sub, 1);
    assert.equal(m.string(), "payload ✓");
    const got = m.headers;
    assert.ok(got, "headers missing");
    assert.deepEqual(got.keys(), ["X-MiXeD", "Multi", "Utf8", "Url"]);
    assert.equal(got.get("X-MiXeD"), "Value-Case");
    assert.equal(got.get("x-mixed"), "", "default match must be exact");
    assert.equal(got.get("x-mixed", Match.IgnoreCase), "Value-Case");
    assert.deepEqual(got.values("Multi"), ["one", "two", "three"]);
    assert.equal(got.last("Multi"), "three");
    assert.equal(got.get("Utf8"), "héllo 日本 🚀");
    assert.equal(got.get("Url"), "http://host:8080/a?b=c");
    assert.equal(got.code, 0);
    assert.equal(got.hasError, false);
  } finally {
    await other.close();
    await nc.close();
  }
});

Deno.test("empty headers arrive as an empty header block; no headers means undefined", async () => {
  await using server = await NatsServer.start();
  const nc = await connect({ servers: server.url });
  try {
    const sub = nc.subscribe("hdr.empty");
    nc.publish("hdr.empty", "a", { headers: headers() });
    nc.publish("hdr.empty", "b");
    const [a, b] = await take(sub, 2);
    assert.ok(a.headers);
    assert.deepEqual(a.headers.keys(), []);
    assert.equal(a.string(), "a");
    assert.equal(b.headers, undefined);
    assert.equal(b.string(), "b");
  } finally {
    await nc.close();
  }
});

Deno.test("headers() set/append with CR or LF throws InvalidHeaderError and the connection stays usable", async () => {
  await using server = await NatsServer.start();
  const nc = await connect({ servers: server.url });
  try {
    const isInvalid = (e: unknown) =>
      e instanceof InvalidHeaderError && e.code === "INVALID_HEADER" &&
      e instanceof TypeError;
    const h = headers();
    assert.throws(() => h.set("X-Bad", "a\r\nInjected: yes"), isInvalid);
    assert.throws(() => h.set("X-Bad", "a\nb"), isInvalid);
    assert.throws(() => h.append("X-Bad", "a\rb"), isInvalid);
    assert.throws(() => h.set("Bad\r\nKey", "v"), isInvalid);
    assert.throws(() => h.set("Bad Key", "v"), isInvalid);
    assert.throws(() => h.set("Bad:Key", "v"), isInvalid);
    assert.throws(() => h.set("", "v"), isInvalid);
    assert.deepEqual(h.keys(), [], "a rejected header was kept");

    const sub = nc.subscribe("hdr.after");
    h.set("X-Good", "fine");
    nc.publish("hdr.after", "ok", { headers: h });
    const [m] = await take(sub, 1);
    assert.equal(m.headers?.get("X-Good"), "fine");
    assert.deepEqual(m.headers?.keys(), ["X-Good"]);
    assert.equal(nc.isClosed(), false);
  } finally {
    await nc.close();
  }
});

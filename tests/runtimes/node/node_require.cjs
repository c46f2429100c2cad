// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * CommonJS: `require("nats-rt")` loads the ES module package through Node's
 * require(esm) (unflagged since Node 20.19 and 22.12), with the same API.
 */
const assert = require("node:assert/strict");
const { test } = require("node:test");

test("require('nats-rt') loads the package and connects", async () => {
  const api = require("nats-rt");
  assert.equal(typeof api.connect, "function");
  assert.equal(typeof api.headers, "function");
  assert.equal(require.resolve("nats-rt").endsWith("/src/transports/node.js"), true);
  const { url } = JSON.parse(process.env.NATS_RT_ENV ?? "{}");
  const nc = await api.connect({ servers: url });
  const sub = nc.subscribe("cjs.hello", { max: 1 });
  nc.publish("cjs.hello", "from require");
  for await (const m of sub) assert.equal(m.string(), "from require");
  await nc.close();
});

test("require('nats-rt/ws') and require('nats-rt/node') load too", () => {
  assert.equal(typeof require("nats-rt/ws").connect, "function");
  assert.equal(typeof require("nats-rt/node").connect, "function");
});

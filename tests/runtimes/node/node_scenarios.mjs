// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * Runs under `node --test` in a temp project where the packed npm tarball is
 * installed: every scenario through `import "nats-rt"` (or the entry named
 * by NATS_RT_ENTRY), against the nats-server the Deno harness started.
 * NATS_RT_ENV carries the scenario config as JSON.
 *
 * @module
 */
import assert from "node:assert/strict";
import { test } from "node:test";

// Computed specifiers: these modules exist only in the temp project.
const local = (path) => new URL(path, import.meta.url).href;
const { envFromConfig, runAll, scenarios } = await import(local("./scenarios.mjs"));
const entry = process.env.NATS_RT_ENTRY ?? "nats-rt";
const api = await import(entry);
const cfg = JSON.parse(process.env.NATS_RT_ENV ?? "{}");

/** The Node transport itself (not exported: reached by path) for the backpressure check. */
async function dial() {
  const { nodeTcp } = await import(local("./node_modules/nats-rt/src/transports/_node_socket.js"));
  const u = new URL(cfg.url);
  return nodeTcp({
    scheme: "nats",
    hostname: u.hostname,
    port: Number(u.port),
    hostport: u.host,
    url: cfg.url,
  }, {});
}

const env = envFromConfig(cfg, cfg.url.startsWith("nats") ? dial : undefined);

test(`"${entry}" resolves to ${process.env.NATS_RT_EXPECT_FILE}`, () => {
  assert.ok(
    import.meta.resolve(entry).endsWith(process.env.NATS_RT_EXPECT_FILE),
    import.meta.resolve(entry),
  );
});

for (const s of scenarios) {
  test(s.name, async (t) => {
    const [r] = await runAll(api, env, [s.name]);
    if (r.skipped) t.skip("does not apply to this runtime");
    else if (!r.ok) assert.fail(r.error);
  });
}

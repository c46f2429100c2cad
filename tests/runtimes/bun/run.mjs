// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
// deno-lint-ignore-file no-console
/**
 * Runs under Bun in a temp project where the packed npm tarball is
 * installed: every scenario through `import "nats-rt"` (Bun's "bun"
 * condition picks the node:net transport) or the entry named by
 * NATS_RT_ENTRY, then prints the report as one JSON line. NATS_RT_ENV
 * carries the scenario config.
 *
 * @module
 */
// Computed specifiers: these modules exist only in the temp project.
const local = (path) => new URL(path, import.meta.url).href;
const { nodeTcp } = await import(local("./node_modules/nats-rt/src/transports/_node_socket.js"));
const { envFromConfig, runAll } = await import(local("./scenarios.mjs"));

const entry = process.env.NATS_RT_ENTRY ?? "nats-rt";
const expectFile = process.env.NATS_RT_EXPECT_FILE ?? "/nats-rt/src/transports/node.js";
const api = await import(entry);
const cfg = JSON.parse(process.env.NATS_RT_ENV ?? "{}");
const u = new URL(cfg.url);
const dial = () =>
  nodeTcp({
    scheme: "nats",
    hostname: u.hostname,
    port: Number(u.port),
    hostport: u.host,
    url: cfg.url,
  }, {});

const resolved = import.meta.resolve(entry);
const report = [{
  name: `bun resolves ${entry} to ${expectFile}`,
  ok: resolved.endsWith(expectFile),
  ms: 0,
  error: resolved,
}];
report.push(
  ...await runAll(api, envFromConfig(cfg, cfg.url.startsWith("nats") ? dial : undefined)),
);
console.log(JSON.stringify(report));
process.exit(0);

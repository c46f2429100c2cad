// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * Bun runtime suite: the same npm tarball and scenarios as the Node suite,
 * run by Bun (npm package `bun`, installed into the tools cache when
 * missing) through `import "nats-rt"`, including TLS with client
 * certificates and the backpressure check on the shared node:net transport;
 * then the WebSocket entry (`nats-rt/ws`) over Bun's own WebSocket.
 *
 * Run: deno task test:runtimes (or deno test -A tests/runtimes/bun/bun_suite.ts)
 * @module
 */
import { NatsServer } from "../../_helpers/nats_server.ts";
import { type EnvConfig, envFromConfig, expectedScenarios } from "../_scenarios.ts";
import {
  assertReport,
  bundleScenarios,
  controlServer,
  ensureTools,
  makeProject,
  parseReport,
  run,
  toolBin,
} from "../_harness.ts";

const here = new URL(".", import.meta.url).pathname;

Deno.test('bun: the npm tarball through import "nats-rt"', async () => {
  const tools = await ensureTools("bun");
  const bun = await toolBin(tools, "bun");
  await using project = await makeProject({ "run.mjs": `${here}run.mjs` });
  await bundleScenarios(`${project.dir}/scenarios.mjs`);
  await using srv = await NatsServer.start({ jetstream: true, websocket: true });
  await using tlsSrv = await NatsServer.start({ tls: { verify: true } });
  await using ctl = controlServer(srv);
  const c = tlsSrv.certs!;
  const cfg: EnvConfig = {
    runtime: "bun",
    url: srv.url,
    jetstream: true,
    control: ctl.url,
    tls: { url: tlsSrv.url, ca: c.caPem, cert: c.clientCertPem!, key: c.clientKeyPem! },
  };
  const version = (await run(bun, ["--version"])).stdout.trim();
  const out = await run(bun, ["run.mjs"], {
    cwd: project.dir,
    env: { NATS_RT_ENV: JSON.stringify(cfg) },
    timeoutMs: 120_000,
  });
  const report = parseReport(out.stdout, out.stderr, `bun ${version}`);
  if (Deno.env.get("NATS_RT_VERBOSE")) {
    // deno-lint-ignore no-console
    console.log(`bun ${version}:`, report.map((r) => `${r.ok ? "ok" : "FAIL"} ${r.name}`));
  }
  assertReport(report, [
    "bun resolves nats-rt to /nats-rt/src/transports/node.js",
    ...expectedScenarios(envFromConfig(cfg, () => Promise.reject())),
  ], `bun ${version}`);

  // Bun's own WebSocket, through the WebSocket-only entry.
  const wsCfg: EnvConfig = {
    runtime: "bun-ws",
    url: srv.wsUrl!,
    jetstream: true,
    control: ctl.url,
    wsOnly: { tcpUrl: srv.url, wsAtTcpPort: `ws://127.0.0.1:${srv.port}` },
  };
  const ws = await run(bun, ["run.mjs"], {
    cwd: project.dir,
    env: {
      NATS_RT_ENV: JSON.stringify(wsCfg),
      NATS_RT_ENTRY: "nats-rt/ws",
      NATS_RT_EXPECT_FILE: "/nats-rt/src/transports/websocket.js",
    },
    timeoutMs: 120_000,
  });
  assertReport(parseReport(ws.stdout, ws.stderr, `bun ${version} (ws)`), [
    "bun resolves nats-rt/ws to /nats-rt/src/transports/websocket.js",
    ...expectedScenarios(envFromConfig(wsCfg)),
  ], `bun ${version} (nats-rt/ws)`);
});

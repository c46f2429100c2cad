// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * Node.js runtime suite: `npm pack` the build, install the tarball into a
 * temp project, and run the scenarios with `node --test` through
 * `import "nats-rt"` (the "node" condition), TLS with client certificates,
 * the backpressure check, `require("nats-rt")`, and the WebSocket entry under
 * `--experimental-websocket` (Node 20; Node 22+ has WebSocket built in).
 *
 * Run: deno task test:runtimes (or deno test -A tests/runtimes/node/node_suite.ts)
 * @module
 */
import { NatsServer } from "../../_helpers/nats_server.ts";
import { type EnvConfig, envFromConfig, expectedScenarios } from "../_scenarios.ts";
import { bundleScenarios, controlServer, ensureTools, makeProject, run } from "../_harness.ts";

const here = new URL(".", import.meta.url).pathname;

/** Names of the tests that passed / were skipped / failed, from node's TAP output. */
function parseTap(tap: string): { ok: string[]; skipped: string[]; failed: string[] } {
  const ok: string[] = [];
  const skipped: string[] = [];
  const failed: string[] = [];
  for (const line of tap.split("\n")) {
    // Top-level tests only (subtests are indented).
    const m = /^(not ok|ok) \d+ - (.*?)(\s+# SKIP.*)?$/.exec(line);
    if (m === null) continue;
    if (m[1] === "not ok") failed.push(m[2]);
    else if (m[3] !== undefined) skipped.push(m[2]);
    else ok.push(m[2]);
  }
  return { ok, skipped, failed };
}

function checkTap(
  out: { code: number; stdout: string; stderr: string },
  expected: string[],
  where: string,
): void {
  const tap = parseTap(out.stdout);
  if (Deno.env.get("NATS_RT_VERBOSE")) {
    // deno-lint-ignore no-console
    console.log(`${where}: ${tap.ok.length} ok, ${tap.skipped.length} skipped\n${out.stdout}`);
  }
  const missing = expected.filter((n) => !tap.ok.includes(n));
  if (out.code !== 0 || tap.failed.length > 0 || missing.length > 0) {
    throw new Error(
      `${where}: exit ${out.code}; failed: ${tap.failed.join(" | ")}; not passed: ${
        missing.join(" | ")
      }\n--- stdout\n${out.stdout}\n--- stderr\n${out.stderr}`,
    );
  }
}

Deno.test('node: the npm tarball, through import "nats-rt", require() and nats-rt/ws', async () => {
  await using project = await makeProject({
    "node_scenarios.mjs": `${here}node_scenarios.mjs`,
    "node_require.cjs": `${here}node_require.cjs`,
  });
  await bundleScenarios(`${project.dir}/scenarios.mjs`);
  await using srv = await NatsServer.start({ jetstream: true, websocket: true });
  await using tlsSrv = await NatsServer.start({ tls: { verify: true } });
  await using ctl = controlServer(srv);
  const c = tlsSrv.certs!;
  const cfg: EnvConfig = {
    runtime: "node",
    url: srv.url,
    jetstream: true,
    control: ctl.url,
    tls: { url: tlsSrv.url, ca: c.caPem, cert: c.clientCertPem!, key: c.clientKeyPem! },
  };

  // 1. import "nats-rt" (+ require) on plain Node.
  const tcp = await run("node", [
    "--test",
    "--test-reporter=tap",
    "node_scenarios.mjs",
    "node_require.cjs",
  ], {
    cwd: project.dir,
    env: {
      NATS_RT_ENV: JSON.stringify(cfg),
      NATS_RT_EXPECT_FILE: "/nats-rt/src/transports/node.js",
    },
    timeoutMs: 120_000,
  });
  const expected = expectedScenarios(envFromConfig(cfg, () => Promise.reject()));
  checkTap(tcp, [
    ...expected,
    `"nats-rt" resolves to /nats-rt/src/transports/node.js`,
    "require('nats-rt') loads the package and connects",
    "require('nats-rt/ws') and require('nats-rt/node') load too",
  ], "node --test (nats-rt)");

  // 2. The WebSocket entry on Node 20 with --experimental-websocket.
  const wsCfg: EnvConfig = {
    runtime: "node-ws",
    url: srv.wsUrl!,
    jetstream: true,
    control: ctl.url,
    wsOnly: { tcpUrl: srv.url, wsAtTcpPort: `ws://127.0.0.1:${srv.port}` },
  };
  const ws = await run("node", [
    "--experimental-websocket",
    "--no-warnings",
    "--test",
    "--test-reporter=tap",
    "node_scenarios.mjs",
  ], {
    cwd: project.dir,
    env: {
      NATS_RT_ENV: JSON.stringify(wsCfg),
      NATS_RT_ENTRY: "nats-rt/ws",
      NATS_RT_EXPECT_FILE: "/nats-rt/src/transports/websocket.js",
    },
    timeoutMs: 120_000,
  });
  checkTap(ws, [
    ...expectedScenarios(envFromConfig(wsCfg)),
    `"nats-rt/ws" resolves to /nats-rt/src/transports/websocket.js`,
  ], "node --test (nats-rt/ws)");
});

/** A TypeScript consumer of every entry, type-checked against the tarball's .d.ts files. */
const CONSUMER =
  `import { connect, headers, jetstream, type NatsConnection, TlsError } from "nats-rt";
import { connect as nodeConnect } from "nats-rt/node";
import { connect as wsConnect } from "nats-rt/ws";
import { connect as cfConnect } from "nats-rt/cloudflare";
import { jetstreamManager } from "nats-rt/jetstream";

export async function main(): Promise<void> {
  const nc: NatsConnection = await connect({ servers: "nats://127.0.0.1:4222", tls: { ca: "pem" } });
  const h = headers();
  h.set("a", "b");
  nc.publish("x", "y", { headers: h });
  const pa = await jetstream(nc).publish("x", "y");
  const n: number = pa.seq;
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: "S", subjects: ["x"] });
  const same: (typeof connect)[] = [nodeConnect, wsConnect, cfConnect];
  const e = new TlsError("x", "handshake");
  console.log(n, same.length, e.reason);
}
`;

Deno.test("npm types: a TypeScript consumer of every entry type-checks (NodeNext and Bundler)", async () => {
  const tools = await ensureTools("typescript");
  await using project = await makeProject();
  await Deno.writeTextFile(`${project.dir}/app.ts`, CONSUMER);
  for (const [module, resolution] of [["NodeNext", "NodeNext"], ["ESNext", "Bundler"]]) {
    await Deno.writeTextFile(
      `${project.dir}/tsconfig.json`,
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module,
          moduleResolution: resolution,
          lib: ["ES2022", "ESNext.Disposable", "DOM"],
          types: [],
          strict: true,
          noEmit: true,
          skipLibCheck: false,
        },
        files: ["app.ts"],
      }),
    );
    const out = await run("node", [`${tools}/node_modules/typescript/bin/tsc`, "-p", "."], {
      cwd: project.dir,
    });
    if (out.code !== 0) {
      throw new Error(`tsc (${resolution}) failed:\n${out.stdout}\n${out.stderr}`);
    }
  }
});

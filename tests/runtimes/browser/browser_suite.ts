// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * Browser runtime suite: headless Chromium (Debian's `chromium` package,
 * driven by playwright-core from npm with `executablePath: /usr/bin/chromium`)
 * loads a page served on localhost that imports the browser bundle shipped
 * in the npm tarball (`bundle/nats-rt.min.js`, the `./ws` entry) and runs
 * the scenarios over nats-server's websocket listener; the test reads the
 * report from the page.
 *
 * Run: deno task test:runtimes (or deno test -A tests/runtimes/browser/browser_suite.ts)
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
} from "../_harness.ts";

const here = new URL(".", import.meta.url).pathname;
const CHROMIUM = Deno.env.get("CHROMIUM") ?? "/usr/bin/chromium";

async function file(path: string, type: string): Promise<Response> {
  return new Response(await Deno.readFile(path), {
    headers: { "content-type": type, "cache-control": "no-store" },
  });
}

Deno.test("browser: Chromium runs the scenarios from the npm bundle over WebSocket", async () => {
  try {
    await Deno.stat(CHROMIUM);
  } catch {
    throw new Error(`${CHROMIUM} not found: install it with "apt-get install -y chromium"`);
  }
  const tools = await ensureTools("playwright-core");
  await using project = await makeProject();
  await bundleScenarios(`${project.dir}/scenarios.mjs`);
  await using srv = await NatsServer.start({ jetstream: true, websocket: true });
  const cfg: Omit<EnvConfig, "control"> = {
    runtime: "chromium",
    url: srv.wsUrl!,
    jetstream: true,
    wsOnly: { tcpUrl: srv.url, wsAtTcpPort: `ws://127.0.0.1:${srv.port}` },
  };
  const js = "text/javascript; charset=utf-8";
  await using ctl = controlServer(srv, {
    "/": () => file(`${here}index.html`, "text/html; charset=utf-8"),
    "/nats-rt.min.js": () => file(`${project.dir}/node_modules/nats-rt/bundle/nats-rt.min.js`, js),
    "/scenarios.mjs": () => file(`${project.dir}/scenarios.mjs`, js),
    "/config.json": () => Response.json(cfg),
  });
  const page = ctl.url.replace("127.0.0.1", "localhost") + "/";
  const out = await run("node", [`${here}driver.mjs`, page], {
    env: {
      PLAYWRIGHT_CORE: `${tools}/node_modules/playwright-core/index.mjs`,
      CHROMIUM,
    },
    timeoutMs: 150_000,
  });
  const report = parseReport(out.stdout, out.stderr, "chromium");
  if (Deno.env.get("NATS_RT_VERBOSE")) {
    // deno-lint-ignore no-console
    console.log(out.stderr, report.map((r) => `${r.ok ? "ok" : "FAIL"} ${r.name} ${r.ms}ms`));
  }
  assertReport(report, expectedScenarios(envFromConfig({ ...cfg, control: "" })), "chromium");
});

// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * Cloudflare Workers runtime suite: workerd (npm package `workerd`) serves a
 * Worker bundled from the npm tarball the way wrangler bundles (esbuild,
 * conditions `workerd,worker,browser`, `cloudflare:*` external), so
 * `import "nats-rt"` lands on the `./cloudflare` entry. The Worker runs the
 * scenarios against the local nats-server over `cloudflare:sockets`
 * (including a STARTTLS upgrade trusted through workerd's
 * `trustedCertificates`); the test calls it over HTTP and checks its report.
 *
 * Run: deno task test:runtimes (or deno test -A tests/runtimes/workerd/workerd_suite.ts)
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
  mustRun,
  type ReportLine,
  toolBin,
} from "../_harness.ts";

/**
 * The Worker under test, written into the temp project: `import "nats-rt"`
 * resolved the way wrangler does. POST a scenario config as JSON; the
 * response is the report.
 */
const WORKER = `import * as api from "nats-rt";
import { envFromConfig, runAll } from "./scenarios.mjs";

export default {
  async fetch(req) {
    if (req.method !== "POST") return new Response("POST a scenario config", { status: 405 });
    const cfg = await req.json();
    return Response.json(await runAll(api, envFromConfig(cfg)));
  },
};
`;

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** workerd config: one Worker, outbound network that may reach loopback and trusts `ca`. */
function capnp(ca: string): string {
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "net", network = (
      allow = ["public", "private", "local"],
      tlsOptions = (trustedCertificates = [${JSON.stringify(ca)}]),
    )),
  ],
  sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [(name = "worker.js", esModule = embed "worker.bundle.mjs")],
  compatibilityDate = "2025-06-01",
  globalOutbound = "net",
);
`;
}

async function waitHttp(url: string, ms: number, child: Deno.ChildProcess): Promise<void> {
  const end = Date.now() + ms;
  let exited = false;
  child.status.then(() => exited = true);
  while (Date.now() < end) {
    if (exited) throw new Error("workerd exited during startup");
    try {
      const r = await fetch(url);
      await r.body?.cancel();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`workerd did not answer on ${url} within ${ms} ms`);
}

Deno.test("workerd: a Worker built from nats-rt runs the scenarios over cloudflare:sockets", async () => {
  const tools = await ensureTools("workerd", "esbuild");
  await using project = await makeProject();
  await bundleScenarios(`${project.dir}/scenarios.mjs`);
  await Deno.writeTextFile(`${project.dir}/worker.mjs`, WORKER);
  await mustRun(await toolBin(tools, "esbuild"), [
    "worker.mjs",
    "--bundle",
    "--format=esm",
    "--platform=neutral",
    "--conditions=workerd,worker,browser",
    "--main-fields=browser,module,main",
    "--external:cloudflare:*",
    "--log-level=warning",
    "--outfile=worker.bundle.mjs",
  ], { cwd: project.dir });
  const bundle = await Deno.readTextFile(`${project.dir}/worker.bundle.mjs`);
  if (!bundle.includes('from "cloudflare:sockets"')) {
    throw new Error("the workerd condition did not select the ./cloudflare entry");
  }

  await using srv = await NatsServer.start({ jetstream: true, websocket: true });
  await using tlsSrv = await NatsServer.start({ tls: true });
  await using otherTls = await NatsServer.start({ tls: true });
  await using ctl = controlServer(srv);
  await Deno.writeTextFile(`${project.dir}/config.capnp`, capnp(tlsSrv.certs!.caPem));
  const port = freePort();
  const child = new Deno.Command(await toolBin(tools, "workerd"), {
    args: ["serve", "config.capnp", "--socket-addr", `http=127.0.0.1:${port}`],
    cwd: project.dir,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ]);
  const cfg: EnvConfig = {
    runtime: "workerd",
    url: srv.url,
    jetstream: true,
    control: ctl.url,
    platformTls: { url: tlsSrv.url, ca: tlsSrv.certs!.caPem, untrustedUrl: otherTls.url },
  };
  // The same entry over the Workers WebSocket client (ws:// URL).
  const wsCfg: EnvConfig = {
    runtime: "workerd-ws",
    url: srv.wsUrl!,
    jetstream: true,
    control: ctl.url,
  };
  const post = async (c: EnvConfig): Promise<ReportLine[]> => {
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), 180_000);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`, {
        method: "POST",
        body: JSON.stringify(c),
        signal: ac.signal,
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`worker answered ${res.status}: ${text}`);
      return JSON.parse(text);
    } finally {
      clearTimeout(timer);
    }
  };
  let report: ReportLine[] | undefined;
  let wsReport: ReportLine[] | undefined;
  try {
    await waitHttp(`http://127.0.0.1:${port}/`, 15_000, child);
    report = await post(cfg);
    wsReport = await post(wsCfg);
  } finally {
    try {
      child.kill("SIGTERM");
    } catch {
      // already exited
    }
    await child.status;
    const [out, err] = await output;
    if (wsReport === undefined || Deno.env.get("NATS_RT_VERBOSE")) {
      // deno-lint-ignore no-console
      console.log(`workerd stdout:\n${out}\nworkerd stderr:\n${err}`);
    }
  }
  if (Deno.env.get("NATS_RT_VERBOSE")) {
    // deno-lint-ignore no-console
    console.log(
      [...report!, ...wsReport!].map((r) =>
        `${r.ok ? "ok" : "FAIL"} ${r.skipped ? "(skip) " : ""}${r.name} ${r.ms}ms`
      ),
    );
  }
  assertReport(wsReport!, expectedScenarios(envFromConfig(wsCfg)), "workerd (ws://)");
  assertReport(report!, expectedScenarios(envFromConfig(cfg)), "workerd");
});

// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * nats-rt against the official nats.js v3 client (`@nats-io/transport-node`
 * and `@nats-io/jetstream`), side by side, on Deno and on Node, against one
 * local nats-server with JetStream: every row of issue 7 in one table.
 *
 * ```sh
 * deno run -A bench/bench.ts [--short] [--json out.json] [--svg chart.svg]
 *     [--only name[,name]] [--rounds K] [--runtimes deno,node]
 *     [--node-build] [--node-ours module.js]
 * ```
 *
 * This driver starts the server, then runs `runner.ts` in a fresh process
 * per runtime: with Deno from source, and with Node as a bundle of the same
 * file (made here with `deno bundle`) that loads nats-rt from the npm build
 * (`npm/`, made by `scripts/build_npm.ts`; `--node-build` runs it first) and
 * the official client from a `node_modules` directory it installs with npm
 * into a cache directory (`$NATS_RT_BENCH_DEPS`, else
 * `~/.cache/nats-rt-bench`), at the version `deno.lock` pins for Deno. The
 * RSS rows run each client alone in its own process, so the other client's
 * code and garbage do not count; the bundle size rows come from
 * `scripts/size.ts`.
 *
 * Bench names for `--only`: the runner's (`pub16`, `pub1k`, `sub16`,
 * `sub1k`, `pubsub16`, `pubsub1k`, `rr` (with the raw floor), `concurrent`, `js_sync16`,
 * `js_sync1k`, `js_async16`, `js_async1k`, `js_iter16`, `js_iter1k`,
 * `js_cb16`, `js_cb1k`) plus `rss` and `size`.
 *
 * `--short` is the CI guard: small sizes, two rounds; it prints the ratios
 * and fails (exit 1) only when a ratio is below half its goal (a time,
 * memory or size ratio above twice its goal) or a measurement failed. A
 * full run writes the chart to `bench/chart.svg` unless `--svg` says where.
 * Exit code 2: bad arguments.
 *
 * @module
 */
import { NatsServer } from "../tests/_helpers/nats_server.ts";
import {
  buildRows,
  buildSizeRows,
  type RowResult,
  type RuntimeResult,
  type SizeResult,
  svgChart,
  table,
  tally,
} from "./_report.ts";
import { BENCH_NAMES, FULL, type RssRecord, SHORT, type Sizes } from "./_suite.ts";
import type { LibSpec, RunnerConfig, RunnerResult } from "./runner.ts";

const root = new URL("../", import.meta.url);
const rootPath = decodeURIComponent(root.pathname).replace(/\/$/, "");
const EXTRA_NAMES = ["rss", "size"] as const;
const RUNTIMES = ["deno", "node"] as const;
type Runtime = typeof RUNTIMES[number];

// ------------------------------------------------------------------ output

const encoder = new TextEncoder();
function writeAll(fd: { writeSync(p: Uint8Array): number }, s: string): void {
  let bytes = encoder.encode(s);
  while (bytes.length > 0) bytes = bytes.subarray(fd.writeSync(bytes));
}
/** A line on stdout (the report). */
function out(line = ""): void {
  writeAll(Deno.stdout, line + "\n");
}
/** A line on stderr (progress). */
function progress(line: string): void {
  writeAll(Deno.stderr, line + "\n");
}

// -------------------------------------------------------------------- args

interface Args {
  short: boolean;
  json?: string;
  svg?: string;
  only?: string[];
  rounds?: number;
  runtimes: Runtime[];
  nodeBuild: boolean;
  nodeOurs?: string;
}

const USAGE = "usage: deno run -A bench/bench.ts [--short] [--json out.json] [--svg chart.svg] " +
  "[--only name[,name]] [--rounds K] [--runtimes deno,node] [--node-build] " +
  "[--node-ours module.js]";

function parseArgs(argv: string[]): Args {
  const args: Args = { short: false, runtimes: [...RUNTIMES], nodeBuild: false };
  const known = [...BENCH_NAMES, ...EXTRA_NAMES];
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i];
    let value: string | undefined;
    const eq = a.indexOf("=");
    if (a.startsWith("--") && eq > 0) {
      value = a.slice(eq + 1);
      a = a.slice(0, eq);
    }
    const next = () => {
      const v = value ?? argv[++i];
      if (v === undefined || v === "") throw new Error(`${a} needs a value`);
      return v;
    };
    switch (a) {
      case "--short":
        args.short = true;
        break;
      case "--json":
        args.json = next();
        break;
      case "--svg":
        args.svg = next();
        break;
      case "--only": {
        const names = next().split(",").map((s) => s.trim()).filter(Boolean);
        for (const n of names) {
          if (!known.includes(n)) {
            throw new Error(`unknown bench "${n}" (known: ${known.join(", ")})`);
          }
        }
        args.only = [...(args.only ?? []), ...names];
        break;
      }
      case "--rounds": {
        const k = Number(next());
        if (!Number.isInteger(k) || k < 1) throw new Error("--rounds needs a positive integer");
        args.rounds = k;
        break;
      }
      case "--runtimes": {
        const names = next().split(",").map((s) => s.trim()).filter(Boolean);
        for (const n of names) {
          if (!(RUNTIMES as readonly string[]).includes(n)) {
            throw new Error(`unknown runtime "${n}" (known: ${RUNTIMES.join(", ")})`);
          }
        }
        args.runtimes = names as Runtime[];
        break;
      }
      case "--node-build":
        args.nodeBuild = true;
        break;
      case "--node-ours":
        args.nodeOurs = next();
        break;
      case "-h":
      case "--help":
        out(USAGE);
        Deno.exit(0);
        break;
      default:
        throw new Error(`unknown argument "${argv[i]}"\n${USAGE}`);
    }
  }
  return args;
}

// ----------------------------------------------------------------- helpers

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

async function capture(cmd: string, args: string[]): Promise<{ ok: boolean; stdout: string }> {
  try {
    const r = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "inherit" }).output();
    return { ok: r.success, stdout: new TextDecoder().decode(r.stdout) };
  } catch {
    return { ok: false, stdout: "" };
  }
}

/** Runs a command with stdout going to our stderr (progress); true on success. */
async function run(cmd: string, args: string[], env?: Record<string, string>): Promise<boolean> {
  const r = await new Deno.Command(cmd, {
    args,
    cwd: rootPath,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  // Forward the child's stdout as progress.
  const pump = r.stdout.pipeTo(
    new WritableStream({ write: (c) => void Deno.stderr.writeSync(c) }),
  );
  const status = await r.status;
  await pump.catch(() => {});
  return status.success;
}

async function cpuModel(): Promise<string | undefined> {
  try {
    const text = await Deno.readTextFile("/proc/cpuinfo");
    return /^model name\s*:\s*(.+)$/m.exec(text)?.[1]?.trim();
  } catch {
    return undefined;
  }
}

/** Versions of the official packages Deno resolves (from deno.lock). */
async function officialVersions(): Promise<{ core: string; js: string }> {
  const lock = JSON.parse(await Deno.readTextFile(`${rootPath}/deno.lock`));
  const spec = lock.specifiers ?? {};
  return {
    core: spec["npm:@nats-io/transport-node@3"] ?? "3",
    js: spec["npm:@nats-io/jetstream@3"] ?? "3",
  };
}

// ---------------------------------------------------------------- runtimes

interface Prepared {
  cmd: string;
  /** Arguments before the config file. */
  args: string[];
  libs: Partial<Record<"ours" | "official", LibSpec>>;
  note?: string;
}

function prepareDeno(): Prepared {
  return {
    cmd: Deno.execPath(),
    args: ["run", "-A", `${rootPath}/bench/runner.ts`],
    libs: {
      ours: { core: new URL("mod.ts", root).href },
      official: { core: "npm:@nats-io/transport-node@3", js: "npm:@nats-io/jetstream@3" },
    },
  };
}

/** The directory holding the official client's node_modules for Node. */
function depsDir(): string {
  const env = Deno.env.get("NATS_RT_BENCH_DEPS");
  if (env) return env;
  const cache = Deno.env.get("XDG_CACHE_HOME") ?? `${Deno.env.get("HOME") ?? "/tmp"}/.cache`;
  return `${cache}/nats-rt-bench`;
}

async function installedVersion(dir: string, name: string): Promise<string | undefined> {
  try {
    return JSON.parse(await Deno.readTextFile(`${dir}/node_modules/${name}/package.json`)).version;
  } catch {
    return undefined;
  }
}

async function prepareNode(args: Args, tmp: string): Promise<Prepared | string> {
  const node = await capture("node", ["--version"]);
  if (!node.ok) return "node is not installed";
  // The official client, at the version Deno uses, in a cache directory.
  const v = await officialVersions();
  const dir = depsDir();
  const want = [
    ["@nats-io/transport-node", v.core],
    ["@nats-io/jetstream", v.js],
  ] as const;
  const missing = [];
  for (const [name, version] of want) {
    if ((await installedVersion(dir, name)) !== version) missing.push(`${name}@${version}`);
  }
  if (missing.length > 0) {
    await Deno.mkdir(dir, { recursive: true });
    if (!(await exists(`${dir}/package.json`))) {
      await Deno.writeTextFile(
        `${dir}/package.json`,
        JSON.stringify({ name: "nats-rt-bench-deps", private: true }) + "\n",
      );
    }
    progress(`installing ${missing.join(" ")} into ${dir}`);
    const ok = await run("npm", [
      "install",
      "--prefix",
      dir,
      "--no-audit",
      "--no-fund",
      "--ignore-scripts",
      "--save-exact",
      "--loglevel=error",
      ...missing,
    ]);
    if (!ok) return `npm install of ${missing.join(" ")} failed`;
  }
  const official = {
    core: `file://${dir}/node_modules/@nats-io/transport-node/index.js`,
    js: `file://${dir}/node_modules/@nats-io/jetstream/lib/mod.js`,
  };
  // nats-rt: the npm build (or a module given with --node-ours).
  let note: string | undefined;
  if (args.nodeBuild) {
    if (await exists(`${rootPath}/scripts/build_npm.ts`)) {
      progress("building the npm package (scripts/build_npm.ts)");
      if (!(await run(Deno.execPath(), ["run", "-A", `${rootPath}/scripts/build_npm.ts`]))) {
        return "scripts/build_npm.ts failed";
      }
    } else {
      note = "--node-build: scripts/build_npm.ts does not exist yet";
    }
  }
  let ours: LibSpec | undefined;
  if (args.nodeOurs !== undefined) {
    const p = args.nodeOurs.startsWith("/") ? args.nodeOurs : `${Deno.cwd()}/${args.nodeOurs}`;
    ours = { core: `file://${p}` };
  } else if (await exists(`${rootPath}/npm/src/transports/node.js`)) {
    ours = { core: `file://${rootPath}/npm/src/transports/node.js` };
    const built = (await Deno.stat(`${rootPath}/npm/src/transports/node.js`)).mtime?.getTime() ?? 0;
    const newest = await newestSource(`${rootPath}/src`);
    if (newest > built) {
      note = "the npm build is older than src/ (run with --node-build to rebuild it)";
      progress(`warning: ${note}`);
    }
  } else {
    note = "nats-rt on Node is pending: no npm build (npm/) yet; official client only";
    progress(`warning: ${note}`);
  }
  // The runner as one ES module for Node (its client imports stay dynamic).
  const bundle = `${tmp}/runner.mjs`;
  const ok = await run(Deno.execPath(), [
    "bundle",
    "--quiet",
    "--platform",
    "deno",
    "--format",
    "esm",
    "-o",
    bundle,
    `${rootPath}/bench/runner.ts`,
  ]);
  if (!ok) return "deno bundle of bench/runner.ts failed";
  return {
    cmd: "node",
    args: [bundle],
    libs: ours === undefined ? { official } : { ours, official },
    note,
  };
}

async function newestSource(dir: string): Promise<number> {
  let newest = 0;
  for await (const e of Deno.readDir(dir)) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory) newest = Math.max(newest, await newestSource(p));
    else if (e.name.endsWith(".ts")) {
      newest = Math.max(newest, (await Deno.stat(p)).mtime?.getTime() ?? 0);
    }
  }
  return newest;
}

let tagSeq = 0;

async function runRunner(
  p: Prepared,
  base: Omit<RunnerConfig, "mode" | "out" | "tag" | "libs" | "client">,
  tmp: string,
  mode: "bench" | "rss",
  client?: "ours" | "official",
): Promise<{ ok: boolean; text?: string }> {
  const tag = `r${++tagSeq}`;
  const cfg: RunnerConfig = {
    ...base,
    mode,
    client,
    libs: mode === "rss" ? { [client!]: p.libs[client!] } : p.libs,
    out: `${tmp}/${tag}.out.json`,
    tag,
  };
  const path = `${tmp}/${tag}.config.json`;
  await Deno.writeTextFile(path, JSON.stringify(cfg));
  const ok = await run(p.cmd, [...p.args, path]);
  const text = await Deno.readTextFile(cfg.out).catch(() => undefined);
  return { ok, text };
}

// -------------------------------------------------------------------- size

/** Bundle sizes from scripts/size.ts (another module owns it), when it exists. */
async function bundleSizes(): Promise<SizeResult | string> {
  const script = `${rootPath}/scripts/size.ts`;
  if (!(await exists(script))) return "scripts/size.ts does not exist yet";
  const r = await capture(Deno.execPath(), ["run", "-A", script]);
  if (!r.ok) return "scripts/size.ts failed";
  const sizes: SizeResult = {};
  for (const line of r.stdout.split("\n")) {
    // "<features>  <client>  <min> KiB  <min+gzip> KiB"
    const m = /^(.+?)\s{2,}(.+?)\s{2,}([\d.]+) KiB\s+([\d.]+) KiB\s*$/.exec(line);
    if (m === null) continue;
    const feature = m[1].trim();
    const who = m[2].startsWith("nats-rt") ? "ours" : "official";
    const gz = Math.round(Number(m[4]) * 1024);
    (sizes[feature] ??= { ours: NaN, official: NaN })[who] = gz;
  }
  for (const k of Object.keys(sizes)) {
    if (!Number.isFinite(sizes[k].ours) || !Number.isFinite(sizes[k].official)) delete sizes[k];
  }
  return Object.keys(sizes).length > 0 ? sizes : "could not read the output of scripts/size.ts";
}

// -------------------------------------------------------------------- main

async function main(): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(Deno.args);
  } catch (err) {
    writeAll(Deno.stderr, `${err instanceof Error ? err.message : err}\n`);
    return 2;
  }
  const sizes: Sizes = { ...(args.short ? SHORT : FULL) };
  if (args.rounds !== undefined) sizes.rounds = args.rounds;
  const wants = (name: string) => args.only === undefined || args.only.includes(name);
  const benchOnly = args.only?.filter((n) => BENCH_NAMES.includes(n));
  const runBenches = args.only === undefined || (benchOnly?.length ?? 0) > 0;

  const started = new Date();
  const t0 = performance.now();
  const tmp = await Deno.makeTempDir({ prefix: "nats-rt-bench-" });
  let server: NatsServer | undefined;
  const failures: string[] = [];
  try {
    server = await NatsServer.start({ jetstream: true });
    if (server.port === 4222) throw new Error("refusing to use port 4222");
    const varz = await server.varz();
    const base = {
      url: server.url,
      port: server.port,
      monitor: `http://127.0.0.1:${server.monitorPort}`,
      sizes,
      only: benchOnly,
      serverPid: server.pid,
    };

    const results: RuntimeResult[] = [];
    for (const rt of args.runtimes) {
      const p = rt === "deno" ? prepareDeno() : await prepareNode(args, tmp);
      if (typeof p === "string") {
        progress(`skipping ${rt}: ${p}`);
        results.push({ runtime: rt, version: "?", benches: [], rss: {}, note: p });
        continue;
      }
      const r: RuntimeResult = { runtime: rt, version: "?", benches: [], rss: {}, note: p.note };
      if (runBenches) {
        progress(`== ${rt}: benches`);
        const { ok, text } = await runRunner(p, base, tmp, "bench");
        if (text !== undefined) {
          const res = JSON.parse(text) as RunnerResult;
          r.version = res.version;
          r.benches = res.benches;
        }
        if (!ok) failures.push(`${rt}: the runner failed`);
      }
      if (wants("rss")) {
        // Each client alone in its own process; which goes first alternates by runtime.
        const order = rt === "deno" ? ["ours", "official"] as const : ["official", "ours"] as const;
        for (const who of order) {
          if (p.libs[who] === undefined) continue;
          progress(`== ${rt}: RSS, ${who} alone (${sizes.rssRuns} x ${sizes.rssMsgs} msgs)`);
          const { ok, text } = await runRunner(p, base, tmp, "rss", who);
          if (ok && text !== undefined) r.rss[who] = JSON.parse(text) as RssRecord;
          else failures.push(`${rt}: the RSS run of ${who} failed`);
        }
      }
      if (r.version === "?") {
        r.version = rt === "deno"
          ? Deno.version.deno
          : (await capture("node", ["--version"])).stdout.trim().replace(/^v/, "");
      }
      results.push(r);
    }

    let size: SizeResult | undefined;
    let sizeNote: string | undefined;
    if (wants("size")) {
      progress("== browser bundle sizes (scripts/size.ts)");
      const s = await bundleSizes();
      if (typeof s === "string") {
        sizeNote = s;
        progress(`bundle size: ${s}`);
      } else size = s;
    }

    // ------------------------------------------------------------ report
    const cpu = await cpuModel();
    const errors = results.flatMap((r) =>
      r.benches.flatMap((b) => b.errors.map((e) => `${r.runtime} ${b.name} ${e}`))
    );
    const rowsBy = results.map((r) => ({ r, rows: buildRows(r) }));
    const sizeRows = buildSizeRows(size);
    const allRows: RowResult[] = [...rowsBy.flatMap((x) => x.rows), ...sizeRows];

    out(
      `nats-rt vs the official client (@nats-io/transport-node + @nats-io/jetstream), ` +
        `${started.toISOString().slice(0, 10)}`,
    );
    out(
      `nats-server ${varz.version} (${varz.go}), JetStream on, memory streams; ` +
        `${Deno.build.os}/${Deno.build.arch} ${Deno.osRelease()}, ` +
        `${navigator.hardwareConcurrency} cores${cpu ? ` (${cpu})` : ""}`,
    );
    out(
      `mode: ${args.short ? "short (CI guard)" : "full"}, ${sizes.rounds} rounds + 1 warm-up ` +
        `per bench, alternating which client goes first; medians`,
    );
    for (const { r, rows } of rowsBy) {
      out();
      out(`### ${r.runtime === "deno" ? "Deno" : "Node"} ${r.version}: ${tally(rows)}`);
      if (r.note) out(`note: ${r.note}`);
      out();
      if (rows.length > 0) out(table(rows));
    }
    if (sizeRows.length > 0 || sizeNote !== undefined) {
      out();
      out(
        `### Browser bundle (scripts/size.ts)${sizeRows.length > 0 ? `: ${tally(sizeRows)}` : ""}`,
      );
      out();
      if (sizeRows.length > 0) out(table(sizeRows));
      else out(`not measured: ${sizeNote}`);
    }
    const regressions = allRows.filter((r) => r.regression);
    if (errors.length > 0 || failures.length > 0) {
      out();
      out("errors:");
      for (const e of [...failures, ...errors]) out(`  ${e}`);
    }
    if (regressions.length > 0) {
      out();
      out("regressions (below half the goal):");
      for (const r of regressions) out(`  ${r.runtime}: ${r.label}`);
    }
    const elapsed = (performance.now() - t0) / 1000;
    out();
    out(`total ${elapsed.toFixed(1)} s`);

    const svgPath = args.svg ??
      (args.short || args.only !== undefined ? undefined : `${rootPath}/bench/chart.svg`);
    if (svgPath !== undefined) {
      const colors: Record<string, string> = { deno: "#3b82f6", node: "#22a06b" };
      const svg = svgChart(
        rowsBy.map(({ r, rows }) => ({
          name: `${r.runtime === "deno" ? "Deno" : "Node"} ${r.version}`,
          color: colors[r.runtime],
          rows,
        })).concat(
          sizeRows.length > 0 ? [{ name: "browser", color: "#8b5cf6", rows: sizeRows }] : [],
        ),
        "nats-rt / official nats.js v3, same machine, same nats-server",
        `${started.toISOString().slice(0, 10)}, nats-server ${varz.version}, ` +
          `${navigator.hardwareConcurrency} cores${cpu ? ` ${cpu}` : ""}; ticks: goals of issue 7`,
      );
      await Deno.writeTextFile(svgPath, svg);
      // deno fmt formats SVG too: write it the way `deno fmt --check` wants it.
      await capture(Deno.execPath(), ["fmt", "--quiet", svgPath]);
      out(`wrote ${svgPath}`);
    }
    if (args.json !== undefined) {
      const report = {
        date: started.toISOString(),
        elapsedSeconds: elapsed,
        mode: args.short ? "short" : "full",
        args,
        sizes,
        machine: {
          cpu,
          cores: navigator.hardwareConcurrency,
          os: Deno.build.os,
          arch: Deno.build.arch,
          osRelease: Deno.osRelease(),
        },
        server: { version: varz.version, go: varz.go },
        runtimes: Object.fromEntries(results.map((r) => [r.runtime, r.version])),
        rows: allRows,
        results,
        size: size ?? sizeNote,
        failures,
      };
      await Deno.writeTextFile(args.json, JSON.stringify(report, null, 2) + "\n");
      out(`wrote ${args.json}`);
    }
    return errors.length > 0 || failures.length > 0 || regressions.length > 0 ? 1 : 0;
  } catch (err) {
    writeAll(Deno.stderr, `bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    return 1;
  } finally {
    await server?.dispose();
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  Deno.exit(await main());
}

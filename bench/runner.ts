// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * The bench runner: one program for every runtime. `bench.ts` (the driver)
 * runs it with Deno as it is and with Node as a bundle (`deno bundle`), in a
 * fresh process per runtime, with a config file naming the server and the
 * client modules to load:
 *
 * ```sh
 * deno run -A bench/runner.ts <config.json>
 * node runner.mjs <config.json>
 * ```
 *
 * The client modules are loaded with dynamic `import()` from the URLs in the
 * config, so the same code measures nats-rt from source on Deno and from the
 * npm build on Node, and the official client from Deno's npm cache or from a
 * `node_modules` directory. Results go to the config's `out` file as JSON.
 *
 * @module
 */
import { currentHost } from "./_hosts.ts";
import {
  BENCHES,
  type BenchRecord,
  type ClientId,
  type ClientLib,
  closeAdmin,
  type Ctx,
  type RssRecord,
  runBench,
  runRss,
  shutAll,
  type Sizes,
} from "./_suite.ts";

/** Module URLs of one client. */
export interface LibSpec {
  /** Exports `connect` (and, for nats-rt, `jetstream`/`jetstreamManager`). */
  core: string;
  /** Exports `jetstream` and `jetstreamManager`; defaults to `core`. */
  js?: string;
}

/** What the driver tells a runner. */
export interface RunnerConfig {
  url: string;
  port: number;
  monitor: string;
  sizes: Sizes;
  /** Bench names to run (all when absent). */
  only?: string[];
  /** "bench": the side-by-side benches; "rss": the RSS runs of `client` alone. */
  mode: "bench" | "rss";
  client?: ClientId;
  libs: Partial<Record<ClientId, LibSpec>>;
  /** Where to write the JSON result. */
  out: string;
  /** Unique prefix for subjects and streams. */
  tag: string;
  /** nats-server's pid (its CPU time is read from /proc on Linux). */
  serverPid?: number;
}

/** What a runner writes in bench mode. */
export interface RunnerResult {
  runtime: "deno" | "node";
  version: string;
  v8: string;
  clients: ClientId[];
  benches: BenchRecord[];
}

async function load(spec: LibSpec): Promise<ClientLib> {
  const core = await import(spec.core);
  const js = spec.js === undefined ? core : await import(spec.js);
  for (const [m, name] of [[core, "connect"], [js, "jetstream"], [js, "jetstreamManager"]]) {
    if (typeof m[name] !== "function") throw new Error(`${spec.core}: no export "${name}"`);
  }
  return {
    connect: core.connect,
    jetstream: js.jetstream,
    jetstreamManager: js.jetstreamManager,
  };
}

async function main(): Promise<number> {
  const host = currentHost();
  const path = host.args()[0];
  if (path === undefined) {
    host.progress("usage: runner <config.json> (the driver, bench/bench.ts, writes it)");
    return 2;
  }
  const cfg = JSON.parse(await host.readText(path)) as RunnerConfig;
  const clients = {} as Record<ClientId, ClientLib>;
  const wanted: ClientId[] = cfg.mode === "rss"
    ? [cfg.client ?? "ours"]
    : (["ours", "official"] as const).filter((c) => cfg.libs[c] !== undefined);
  for (const id of wanted) clients[id] = await load(cfg.libs[id]!);
  const ctx: Ctx = {
    host,
    url: cfg.url,
    port: cfg.port,
    monitor: cfg.monitor,
    sizes: cfg.sizes,
    clients,
    tag: cfg.tag,
    seq: 0,
    serverPid: cfg.serverPid,
  };
  try {
    if (cfg.mode === "rss") {
      const rec: RssRecord = await runRss(ctx, wanted[0]);
      await host.writeText(cfg.out, JSON.stringify(rec) + "\n");
      return 0;
    }
    const result: RunnerResult = {
      runtime: host.runtime,
      version: host.version,
      v8: host.v8,
      clients: wanted,
      benches: [],
    };
    for (const def of BENCHES) {
      if (cfg.only !== undefined && !cfg.only.includes(def.name)) continue;
      if (!def.contestants.every((c) => c === "floor" || wanted.includes(c))) {
        // Without nats-rt (no npm build) a bench still runs for the official client.
        const rest = def.contestants.filter((c) => c === "floor" || wanted.includes(c));
        if (rest.length === 0) continue;
        def.contestants = rest;
      }
      host.progress(
        `[${host.runtime}] ${def.name}: ${def.title} ${JSON.stringify(def.params(cfg.sizes))}`,
      );
      const t0 = performance.now();
      result.benches.push(await runBench(ctx, def));
      host.progress(`  (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
      // Write as we go: a crash later still leaves the finished benches.
      await host.writeText(cfg.out, JSON.stringify(result) + "\n");
    }
    return 0;
  } catch (err) {
    host.progress(`runner failed: ${err instanceof Error ? err.stack : String(err)}`);
    return 1;
  } finally {
    await closeAdmin();
    await shutAll();
  }
}

const code = await main();
// Leftover timers or sockets of a failed client must not keep the process alive.
(globalThis as { Deno?: { exit(c: number): never } }).Deno?.exit(code);
(globalThis as unknown as { process: { exit(c: number): never } }).process.exit(code);

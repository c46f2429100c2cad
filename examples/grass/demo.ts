// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * GRASS end to end: the simulator publishes game events (some malformed),
 * the client validates and applies them and shows its live summary; after a
 * few seconds the demo prints the counts and checks them against what was
 * published. Exits 0 when every valid event was applied and every malformed
 * one skipped.
 *
 * Server: `--server <url>` or `NATS_URL` when given; else whatever answers
 * NATS on 127.0.0.1:4222; else (or with `--launch`) a temporary nats-server
 * started through the test launcher and stopped at the end.
 *
 *     deno run -A examples/grass/demo.ts [--server url] [--launch] [--duration s]
 *
 * @module
 */
// deno-lint-ignore-file no-console
import { connect, type NatsConnection } from "../../mod.ts";
import { NatsServer, readInfo } from "../../tests/_helpers/nats_server.ts";
import { onInterrupt, parseArgs } from "../_args.ts";
import { connectionOptions, GRASS_RECONNECT, GrassClient } from "./grass_client.ts";
import { GrassSimulator, runSimulator } from "./simulator.ts";
import { LivePrinter, renderSummary, type SummaryView } from "./summary.ts";

const args = parseArgs(Deno.args, {
  usage: `
usage: demo.ts [--server url] [--launch] [--duration s] [--rate n] [--seed n]

Runs the GRASS simulator and client end to end for a few seconds.

  --server    NATS server (default: $NATS_URL, else 127.0.0.1:4222 if something
              answers NATS there, else a temporary nats-server)
  --launch    always start a temporary nats-server
  --duration  seconds of simulated traffic (default 3)
  --rate      simulated events per second (default 60)
  --seed      simulator seed (default 1)
`,
  options: ["duration", "rate", "seed"],
  flags: ["launch"],
  maxPositional: 0,
});

function num(name: string, fallback: number, min: number): number {
  const v = args.get(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) args.fail(`--${name} must be a number >= ${min}, got "${v}"`);
  return n;
}
const durationMs = num("duration", 3, 0) * 1000;
const rate = num("rate", 60, 1);
const seed = Math.floor(num("seed", 1, 0));

const useColor = Deno.stdout.isTerminal() && !Deno.noColor;
const paint = (code: number) => (s: string) => useColor ? `\x1b[${code}m${s}\x1b[0m` : s;
const green = paint(32);
const red = paint(31);
const dim = paint(2);
const bold = paint(1);
const enc = new TextEncoder();
const write = (s: string) => Deno.stdout.writeSync(enc.encode(s));
const columns = () => {
  try {
    return Deno.consoleSize().columns;
  } catch {
    return 100;
  }
};

let server: NatsServer | undefined;
const conns: NatsConnection[] = [];
async function cleanup(): Promise<void> {
  await Promise.allSettled(conns.map((c) => c.close()));
  if (server !== undefined) {
    const s = server;
    server = undefined;
    await s.dispose();
    console.log(dim(`stopped the temporary nats-server (port ${s.port})`));
  }
}
const stopListening = onInterrupt(() => {
  console.log("\ninterrupted");
  cleanup().finally(() => Deno.exit(130));
});

async function pickServer(): Promise<{ url: string; origin: string }> {
  const flag = args.get("server");
  if (flag !== undefined) return { url: flag, origin: "from --server" };
  const env = Deno.env.get("NATS_URL");
  if (env && !args.has("launch")) return { url: env, origin: "from NATS_URL" };
  if (!args.has("launch")) {
    try {
      const info = await readInfo(4222, 1_000);
      return { url: "nats://127.0.0.1:4222", origin: `nats-server ${info.version} already there` };
    } catch {
      // nothing (or not NATS) on 4222
    }
  }
  server = await NatsServer.start();
  const info = await server.info();
  return { url: server.url, origin: `temporary nats-server ${info.version}` };
}

async function main(): Promise<boolean> {
  console.log(bold("nats-rt · GRASS demo: simulator → NATS → validating client → game state"));
  const { url, origin } = await pickServer();
  console.log(`server: ${url} ${dim(`(${origin})`)}`);

  const nc = await connect({ servers: url, name: "grass-demo-client", ...connectionOptions() });
  conns.push(nc);
  const simConn = await connect({ servers: url, name: "grass-demo-simulator" });
  conns.push(simConn);

  const started = performance.now();
  const view = (): SummaryView => ({
    server: url,
    state: client.state,
    elapsedMs: performance.now() - started,
    counters: client.counters,
    store: client.store,
    last: client.last,
    patterns: client.patterns,
  });
  const printer = new LivePrinter(view, { write, tty: Deno.stdout.isTerminal(), columns });
  // `structs.player.*` is on purpose: the client explains why it rewrites it.
  const client = await GrassClient.start(nc, {
    patterns: ["structs.player.*", "planets", "guilds", "structs", "fleets", "global"],
    log: (line) => printer.log(`  ${line}`),
  });
  for (const n of client.notes) console.log(`note: ${n}`);
  const p = GRASS_RECONNECT;
  console.log(
    `client: reconnect ${p.firstWaitMs} ms doubling to ${p.maxWaitMs} ms, ${p.maxRetries} retries\n`,
  );
  printer.start();

  const sim = new GrassSimulator({ seed });
  await runSimulator(sim, simConn, { rate, durationMs });
  await client.waitUntil(
    (c) => c.counters.received >= sim.counts.total,
    5_000,
    `all ${sim.counts.total} simulated events`,
  );
  printer.stop(true);
  await client.stop();

  const c = client.counters;
  const s = sim.counts;
  console.log("");
  for (const line of renderSummary(view())) console.log(line);
  console.log("");
  console.log(`simulated: ${s.total} published, ${s.valid} valid, ${s.invalid} malformed`);
  console.log(`messages applied: ${c.applied}`);
  console.log(`invalid skipped: ${c.invalid}`);
  const problems: string[] = [];
  if (c.applied !== s.valid) problems.push(`applied ${c.applied}, expected ${s.valid}`);
  if (c.invalid !== s.invalid) problems.push(`skipped ${c.invalid}, expected ${s.invalid}`);
  for (const k of ["json", "shape", "mismatch", "subject"] as const) {
    if (c.invalidBy[k] !== s.byExpect[k]) {
      problems.push(`${k}: skipped ${c.invalidBy[k]}, expected ${s.byExpect[k]}`);
    }
  }
  if (c.errors > 0) problems.push(`${c.errors} processing errors`);
  if (problems.length > 0) {
    console.log(red(`✘ ${problems.join("; ")}`));
    return false;
  }
  console.log(green("✔ every valid event applied, every malformed one logged and skipped"));
  return true;
}

let ok = false;
try {
  ok = await main();
} catch (err) {
  console.error(red(`error: ${(err as Error).message}`));
} finally {
  await cleanup();
  stopListening();
}
Deno.exit(ok ? 0 : 1);

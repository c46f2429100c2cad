// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * GRASS client CLI: subscribes to the patterns given, validates every
 * message per entity type, keeps the game state and shows a live summary.
 *
 *     deno run -A examples/grass/client.ts --server nats://localhost:4222 structs.>
 *     deno run -A examples/grass/client.ts players planets global
 *     deno run -A examples/grass/client.ts --simulate --duration 5
 *
 * @module
 */
// deno-lint-ignore-file no-console
import { connect, type NatsConnection } from "../../mod.ts";
import { onInterrupt, parseArgs } from "../_args.ts";
import {
  connectionOptions,
  GRASS_RECONNECT,
  GrassClient,
  type ReconnectPolicy,
} from "./grass_client.ts";
import { GrassSimulator, runSimulator } from "./simulator.ts";
import { LivePrinter, renderSummary, type SummaryView } from "./summary.ts";

const args = parseArgs(Deno.args, {
  usage: `
usage: client.ts [--server url] [options] [pattern ...]

Subscribes to GRASS (Structs game state over NATS), validates every message,
keeps the game state and prints a live summary. Invalid messages are logged
with their subject and reason, counted and skipped.

patterns  NATS subjects with wildcards, or shorthands: all players planets
          guilds structs fleets global (default: structs.>). Player subjects
          have two id tokens (structs.player.{guildId}.{playerId}), so
          structs.player.* alone matches no player update; it is rewritten
          to structs.player.*.*

  --server URL             NATS server (default $NATS_URL, else nats://localhost:4222)
  --user, --pass, --token  credentials (GRASS authentication is optional)
  --reconnect-wait MS      wait before the first retry (default 1000)
  --reconnect-max-wait MS  cap of the exponential backoff (default 30000)
  --max-reconnects N       failed retries before giving up; -1 forever (default 10)
  --reconnect-jitter MS    random extra wait per retry (default 0)
  --duration S             exit after S seconds (default: until Ctrl-C)
  --count N                exit after N messages
  --interval MS            summary refresh (default 250 on a terminal, else 1000)
  --quiet                  no live summary: log lines and the final summary only
  --json                   print the final game state as JSON
  --simulate               also publish simulated GRASS events on the same server
  --sim-rate N             simulated events per second (default 50)
  --sim-count N            stop simulating after N events, then exit once all arrived
  --seed N                 simulator seed (default 1)
`,
  options: [
    "user",
    "pass",
    "token",
    "reconnect-wait",
    "reconnect-max-wait",
    "max-reconnects",
    "reconnect-jitter",
    "duration",
    "count",
    "interval",
    "sim-rate",
    "sim-count",
    "seed",
  ],
  flags: ["quiet", "json", "simulate"],
});

/** A numeric option: finite, at least `min`. */
function num(name: string, fallback: number, min: number): number {
  const v = args.get(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n) || n < min) {
    args.fail(`--${name} must be a number >= ${min}, got "${v}"`);
  }
  return n;
}

const policy: ReconnectPolicy = {
  firstWaitMs: num("reconnect-wait", GRASS_RECONNECT.firstWaitMs, 1),
  maxWaitMs: num("reconnect-max-wait", GRASS_RECONNECT.maxWaitMs, 1),
  maxRetries: Math.floor(num("max-reconnects", GRASS_RECONNECT.maxRetries, -1)),
  factor: GRASS_RECONNECT.factor,
  jitterMs: num("reconnect-jitter", GRASS_RECONNECT.jitterMs, 0),
};
if (policy.maxWaitMs < policy.firstWaitMs) {
  args.fail("--reconnect-max-wait must be at least --reconnect-wait");
}
const server = args.get("server") ?? Deno.env.get("NATS_URL") ?? "nats://localhost:4222";
const durationMs = args.get("duration") === undefined ? undefined : num("duration", 0, 0) * 1000;
const count = args.get("count") === undefined ? undefined : Math.floor(num("count", 0, 1));
const simulate = args.has("simulate");
const simCount = args.get("sim-count") === undefined
  ? undefined
  : Math.floor(num("sim-count", 0, 0));
if (!simulate && (args.get("sim-count") ?? args.get("sim-rate") ?? args.get("seed"))) {
  args.fail("--sim-rate, --sim-count and --seed need --simulate");
}
const tty = Deno.stdout.isTerminal() && !args.has("quiet");
const enc = new TextEncoder();
const write = (s: string) => Deno.stdout.writeSync(enc.encode(s));
const columns = () => {
  try {
    return Deno.consoleSize().columns;
  } catch {
    return 100;
  }
};

let nc: NatsConnection;
try {
  nc = await connect({
    servers: server,
    name: "grass-client",
    user: args.get("user"),
    pass: args.get("pass"),
    token: args.get("token"),
    ...connectionOptions(policy),
  });
} catch (err) {
  console.error(`error: cannot connect to ${server}: ${(err as Error).message}`);
  Deno.exit(1);
}

const started = performance.now();
let printer: LivePrinter | undefined;
const log = (line: string) => printer ? printer.log(line) : console.log(line);
const client: GrassClient = await GrassClient.start(nc, { patterns: args.positional, log })
  .catch(async (err) => {
    await nc.close();
    return args.fail((err as Error).message); // e.g. a malformed pattern
  });
for (const note of client.notes) console.log(`note: ${note}`);
console.log(
  `subscribed to ${client.patterns.join(" ")} on ${nc.getServer()} ` +
    `(reconnect: ${policy.firstWaitMs} ms doubling to ${policy.maxWaitMs} ms, ` +
    `${policy.maxRetries === -1 ? "no limit" : `${policy.maxRetries} retries`})`,
);

const view = (): SummaryView => ({
  server: nc.getServer(),
  state: client.state,
  elapsedMs: performance.now() - started,
  counters: client.counters,
  store: client.store,
  last: client.last,
  patterns: client.patterns,
});
if (!args.has("quiet")) {
  printer = new LivePrinter(view, {
    write,
    tty,
    columns,
    intervalMs: args.get("interval") === undefined ? undefined : num("interval", 0, 10),
  });
  printer.start();
}

// Everything that ends the run resolves `stop`.
let finish!: (why: string) => void;
const stopped = new Promise<string>((r) => finish = r);
const stopListening = onInterrupt(() => finish("interrupted"));
const timer = durationMs === undefined
  ? undefined
  : setTimeout(() => finish(`${durationMs / 1000} s elapsed`), durationMs);
if (count !== undefined) {
  client.waitUntil((c) => c.counters.received >= count, Infinity)
    .then(() => finish(`${count} messages received`), () => {});
}
nc.closed().then((err) => finish(err ? `connection closed: ${err.message}` : "connection closed"));

let sim: GrassSimulator | undefined;
let simConn: NatsConnection | undefined;
const simAbort = new AbortController();
let simDone: Promise<void> = Promise.resolve();
if (simulate) {
  sim = new GrassSimulator({ seed: Math.floor(num("seed", 1, 0)) });
  simConn = await connect({
    servers: server,
    name: "grass-simulator",
    ...connectionOptions(policy),
  });
  const s = sim;
  simDone = runSimulator(s, simConn, {
    rate: num("sim-rate", 50, 0.001),
    count: simCount,
    signal: simAbort.signal,
  }).then(async () => {
    if (simCount === undefined) return;
    // Finite simulation: exit once everything published has arrived.
    await client.waitUntil(
      (c) => c.counters.received >= s.counts.total,
      10_000,
      "simulated events",
    );
    finish(`${s.counts.total} simulated events processed`);
  }).catch((err) => finish(`simulator failed: ${(err as Error).message}`));
}

const why = await stopped;
clearTimeout(timer);
stopListening();
simAbort.abort();
await simDone;
await simConn?.close();
printer?.stop(true);
const closedWithError = nc.isClosed() && (await nc.closed()) instanceof Error;
await client.stop();
await nc.close();

console.log(`stopped: ${why}`);
for (const line of renderSummary(view())) console.log(line);
if (sim !== undefined) {
  const c = sim.counts;
  console.log(`simulated: ${c.total} published, ${c.valid} valid, ${c.invalid} malformed`);
}
console.log(`messages applied: ${client.counters.applied}`);
console.log(`invalid skipped: ${client.counters.invalid}`);
if (args.has("json")) console.log(JSON.stringify(client.store.snapshot(), null, 2));
if (closedWithError) Deno.exitCode = 1;

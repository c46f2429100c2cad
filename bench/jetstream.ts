// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * JetStream: nats-rt against the official client (`@nats-io/jetstream` v3
 * over `@nats-io/transport-node`), side by side in one process against one
 * local nats-server with JetStream (memory streams, so the disk does not
 * set the pace).
 *
 * ```sh
 * deno run -A bench/jetstream.ts [--short] [--json out.json] [--only name[,name]]
 *                                [--rounds K]
 * ```
 *
 * Benches (names for `--only`):
 * - `pub_sync`: publish, each PubAck awaited before the next publish.
 * - `pub_async`: pipelined publishes, at most {@link WINDOW} PubAcks
 *   outstanding (the same window code drives both clients).
 * - `consume_iter`: pull `consume()` read with `for await`, each message acked.
 * - `consume_cb`: pull `consume()` with a callback, each message acked.
 *
 * Each bench runs one untimed warm-up round, then K rounds; the client that
 * goes first alternates, and each row shows the median. Ratio > 1.0 means
 * nats-rt did better. The last column is the CPU time (user + system) this
 * process spent per message during the timed part: unlike the rate it does
 * not depend on how the OS shares the cores with nats-server, so it shows
 * the client's own cost on a busy machine. Missing a goal is reported, not fatal; the exit code
 * is 1 only when a measurement failed, 2 on bad arguments.
 *
 * @module
 */
import {
  connect as connectOurs,
  jetstream as ourJetstream,
  jetstreamManager as ourManager,
  VERSION as OURS_VERSION,
} from "../mod.ts";
// Dev-only comparison target (import map); the package has no dependency on it.
import { connect as connectOfficial } from "@nats-io/transport-node";
import { jetstream as theirJetstream, jetstreamManager as theirManager } from "@nats-io/jetstream";
import process from "node:process";
import { NatsServer } from "../tests/_helpers/nats_server.ts";

// ---------------------------------------------------------------- settings

/** Goal per row as the minimum ratio (> 1 = nats-rt better). */
const GOALS: Readonly<Record<BenchName, number>> = {
  pub_sync: 1.0,
  pub_async: 1.0,
  consume_iter: 1.0,
  consume_cb: 1.0,
};

/** Most PubAcks outstanding in `pub_async`. */
const WINDOW = 256;
/** Messages per pull in the consume benches (both clients). */
const PULL_BATCH = 500;
const PAYLOAD = new Uint8Array(128).fill(0x61);

interface Sizes {
  rounds: number;
  pubSync: number;
  pubAsync: number;
  consume: number;
}
const FULL: Sizes = { rounds: 5, pubSync: 5_000, pubAsync: 100_000, consume: 100_000 };
const SHORT: Sizes = { rounds: 2, pubSync: 1_000, pubAsync: 20_000, consume: 20_000 };
const WARMUP_FRACTION = 0.2;

const BENCH_NAMES = ["pub_sync", "pub_async", "consume_iter", "consume_cb"] as const;
type BenchName = typeof BENCH_NAMES[number];
const TITLES: Record<BenchName, string> = {
  pub_sync: "JS publish, awaited one by one",
  pub_async: `JS publish, pipelined (window ${WINDOW})`,
  consume_iter: "pull consume + ack (iterator)",
  consume_cb: "pull consume + ack (callback)",
};

// ------------------------------------------------------------------ output

const encoder = new TextEncoder();
function writeAll(fd: { writeSync(p: Uint8Array): number }, s: string): void {
  let bytes = encoder.encode(s);
  while (bytes.length > 0) bytes = bytes.subarray(fd.writeSync(bytes));
}
function out(line = ""): void {
  writeAll(Deno.stdout, line + "\n");
}
function progress(line: string): void {
  writeAll(Deno.stderr, line + "\n");
}
function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}
function fmtRate(v: number): string {
  return Number.isFinite(v) ? `${Math.round(v).toLocaleString("en-US")} msg/s` : "n/a";
}

// ------------------------------------------------------------------ clients

/** The part of a JetStream message the benches use. */
interface BMsg {
  ack(): void;
}
/** The part of consume() the benches use. */
interface BMessages extends AsyncIterable<BMsg> {
  close(): Promise<void | Error>;
}
/** One client's JetStream, reduced to what the benches call. */
interface BJs {
  publish(subject: string, payload: Uint8Array): Promise<{ seq: number }>;
  addConsumer(stream: string, name: string): Promise<void>;
  consume(
    stream: string,
    name: string,
    callback?: (m: BMsg) => void,
  ): Promise<BMessages>;
  flush(): Promise<void>;
  close(): Promise<void>;
}

type ClientId = "ours" | "official";

async function openOurs(url: string): Promise<BJs> {
  const nc = await connectOurs({ servers: url, name: "bench-js-ours" });
  const js = ourJetstream(nc);
  const jsm = await ourManager(nc);
  return {
    publish: (s, p) => js.publish(s, p),
    addConsumer: async (stream, name) => {
      await jsm.consumers.add(stream, {
        durable_name: name,
        ack_policy: "explicit",
        max_ack_pending: 20_000,
      });
    },
    consume: async (stream, name, callback) => {
      const c = await js.consumers.get(stream, name);
      return await c.consume({ max_messages: PULL_BATCH, callback });
    },
    flush: () => nc.flush(),
    close: () => nc.close(),
  };
}

async function openOfficial(url: string): Promise<BJs> {
  const nc = await connectOfficial({ servers: url, name: "bench-js-official" });
  const js = theirJetstream(nc);
  const jsm = await theirManager(nc);
  return {
    publish: (s, p) => js.publish(s, p),
    addConsumer: async (stream, name) => {
      await jsm.consumers.add(stream, {
        durable_name: name,
        ack_policy: "explicit",
        max_ack_pending: 20_000,
      });
    },
    consume: async (stream, name, callback) => {
      const c = await js.consumers.get(stream, name);
      return await c.consume(
        callback ? { max_messages: PULL_BATCH, callback } : { max_messages: PULL_BATCH },
      ) as unknown as BMessages;
    },
    flush: () => nc.flush(),
    close: () => nc.close(),
  };
}

// ------------------------------------------------------------------ benches

interface Ctx {
  server: NatsServer;
  url: string;
  sizes: Sizes;
  seq: number;
  /** Our manager, for setup (streams, checks). */
  admin: Awaited<ReturnType<typeof ourManager>>;
  /** Our client on the admin connection, for filling streams. */
  filler: ReturnType<typeof ourJetstream>;
}

/** One timed run: messages per second, and client CPU (user + system) per message. */
interface Sample {
  rate: number;
  cpuUs: number;
}

/** Starts timing `n` messages; call the result to stop. */
function meter(n: number): () => Sample {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  return () => {
    const ms = performance.now() - t0;
    const c = process.cpuUsage(c0);
    return { rate: n / (ms / 1000), cpuUs: (c.user + c.system) / n };
  };
}

async function freshStream(ctx: Ctx, subject: string): Promise<string> {
  const name = `B${++ctx.seq}`;
  await ctx.admin.streams.add({ name, subjects: [subject], storage: "memory" });
  return name;
}

async function pubSync(ctx: Ctx, js: BJs, n: number): Promise<Sample> {
  const subject = `bench.sync.${ctx.seq + 1}`;
  const stream = await freshStream(ctx, subject);
  const stop = meter(n);
  for (let i = 0; i < n; i++) await js.publish(subject, PAYLOAD);
  const sample = stop();
  await check(ctx, stream, n);
  return sample;
}

async function pubAsync(ctx: Ctx, js: BJs, n: number): Promise<Sample> {
  const subject = `bench.async.${ctx.seq + 1}`;
  const stream = await freshStream(ctx, subject);
  let inflight = 0;
  let wake: (() => void) | null = null;
  let failed: unknown = null;
  const done = () => {
    inflight--;
    const w = wake;
    if (w !== null) {
      wake = null;
      w();
    }
  };
  const fail = (e: unknown) => {
    failed = e;
    done();
  };
  const stop = meter(n);
  for (let i = 0; i < n; i++) {
    while (inflight >= WINDOW) await new Promise<void>((r) => wake = r);
    inflight++;
    js.publish(subject, PAYLOAD).then(done, fail);
  }
  while (inflight > 0) await new Promise<void>((r) => wake = r);
  const sample = stop();
  if (failed !== null) throw failed;
  await check(ctx, stream, n);
  return sample;
}

async function check(ctx: Ctx, stream: string, n: number): Promise<void> {
  const si = await ctx.admin.streams.info(stream);
  if (si.state.messages !== n) {
    throw new Error(`stream ${stream} holds ${si.state.messages} messages, expected ${n}`);
  }
  await ctx.admin.streams.delete(stream);
}

/** A stream filled once per bench, read by a fresh durable per run. */
const consumeStreams = new Map<number, string>();
async function consumeStream(ctx: Ctx, n: number): Promise<string> {
  const have = consumeStreams.get(n);
  if (have !== undefined) return have;
  const subject = `bench.consume.${n}`;
  const stream = await freshStream(ctx, subject);
  const js = ctx.filler;
  const acks: Promise<unknown>[] = [];
  for (let i = 0; i < n; i++) {
    acks.push(js.publish(subject, PAYLOAD));
    if (acks.length === 1_000) await Promise.all(acks.splice(0));
  }
  await Promise.all(acks);
  consumeStreams.set(n, stream);
  return stream;
}

async function consume(ctx: Ctx, js: BJs, n: number, cb: boolean): Promise<Sample> {
  const stream = await consumeStream(ctx, n);
  const name = `c${++ctx.seq}`;
  await js.addConsumer(stream, name);
  let count = 0;
  let sample: Sample;
  if (cb) {
    let resolve!: () => void;
    const finished = new Promise<void>((r) => resolve = r);
    const stop = meter(n);
    const msgs = await js.consume(stream, name, (m) => {
      m.ack();
      if (++count === n) resolve();
    });
    await finished;
    await js.flush(); // the acks reached the server
    sample = stop();
    await msgs.close();
  } else {
    const stop = meter(n);
    const msgs = await js.consume(stream, name);
    for await (const m of msgs) {
      m.ack();
      if (++count === n) break;
    }
    await js.flush();
    sample = stop();
    await msgs.close();
  }
  const ci = await ctx.admin.consumers.info(stream, name);
  if (ci.ack_floor.stream_seq !== n) {
    throw new Error(`consumer ${name}: ack floor ${ci.ack_floor.stream_seq}, expected ${n}`);
  }
  await ctx.admin.consumers.delete(stream, name);
  return sample;
}

function sizeOf(name: BenchName, s: Sizes): number {
  return name === "pub_sync" ? s.pubSync : name === "pub_async" ? s.pubAsync : s.consume;
}

function run(ctx: Ctx, name: BenchName, js: BJs, n: number): Promise<Sample> {
  switch (name) {
    case "pub_sync":
      return pubSync(ctx, js, n);
    case "pub_async":
      return pubAsync(ctx, js, n);
    case "consume_iter":
      return consume(ctx, js, n, false);
    case "consume_cb":
      return consume(ctx, js, n, true);
  }
}

interface Result {
  name: BenchName;
  ours: Sample[];
  official: Sample[];
  errors: string[];
}

async function runBench(ctx: Ctx, name: BenchName, conns: Record<ClientId, BJs>): Promise<Result> {
  const r: Result = { name, ours: [], official: [], errors: [] };
  const n = sizeOf(name, ctx.sizes);
  const warm = Math.max(100, Math.floor(n * WARMUP_FRACTION));
  // The consume benches read a pre-filled stream of exactly n (or warm) messages.
  for (const id of ["ours", "official"] as const) await run(ctx, name, conns[id], warm);
  for (let round = 0; round < ctx.sizes.rounds; round++) {
    const order: ClientId[] = round % 2 === 0 ? ["ours", "official"] : ["official", "ours"];
    for (const id of order) {
      try {
        r[id].push(await run(ctx, name, conns[id], n));
      } catch (err) {
        r.errors.push(`${id} round ${round + 1}: ${err instanceof Error ? err.message : err}`);
      }
    }
  }
  return r;
}

// -------------------------------------------------------------------- main

interface Args {
  short: boolean;
  json: string | undefined;
  only: BenchName[] | undefined;
  rounds: number | undefined;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { short: false, json: undefined, only: undefined, rounds: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--short") args.short = true;
    else if (a === "--json") args.json = next();
    else if (a === "--rounds") {
      const k = Number(next());
      if (!Number.isInteger(k) || k < 1) throw new Error("--rounds needs a positive integer");
      args.rounds = k;
    } else if (a === "--only") {
      const names = next().split(",").map((s) => s.trim()).filter(Boolean);
      for (const x of names) {
        if (!(BENCH_NAMES as readonly string[]).includes(x)) {
          throw new Error(`unknown bench "${x}" (known: ${BENCH_NAMES.join(", ")})`);
        }
      }
      args.only = names as BenchName[];
    } else throw new Error(`unknown argument "${a}"`);
  }
  return args;
}

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
  const selected = BENCH_NAMES.filter((b) => args.only === undefined || args.only.includes(b));
  const t0 = performance.now();
  let server: NatsServer | undefined;
  const conns: Partial<Record<ClientId, BJs>> = {};
  let adminNc: Awaited<ReturnType<typeof connectOurs>> | undefined;
  try {
    server = await NatsServer.start({ jetstream: true });
    if (server.port === 4222) throw new Error("refusing to use port 4222");
    adminNc = await connectOurs({ servers: server.url, name: "bench-js-admin" });
    const admin = await ourManager(adminNc);
    const ctx: Ctx = {
      server,
      url: server.url,
      sizes,
      seq: 0,
      admin,
      filler: ourJetstream(adminNc),
    };
    conns.ours = await openOurs(server.url);
    conns.official = await openOfficial(server.url);
    const varz = await server.varz();
    out(
      `JetStream: nats-rt ${OURS_VERSION} vs official @nats-io/jetstream 3 ` +
        `(@nats-io/transport-node); nats-server ${varz.version} on ${server.url}; ` +
        `Deno ${Deno.version.deno}; ${navigator.hardwareConcurrency} cores`,
    );
    out(
      `mode: ${args.short ? "short" : "full"}, ${sizes.rounds} rounds + 1 warm-up per bench, ` +
        `alternating which client goes first; memory streams, ${PAYLOAD.length} B payloads`,
    );
    out();
    const results: Result[] = [];
    for (const name of selected) {
      progress(`${name}: ${TITLES[name]} (${sizeOf(name, sizes)} messages)`);
      const b0 = performance.now();
      results.push(await runBench(ctx, name, conns as Record<ClientId, BJs>));
      progress(`  (${((performance.now() - b0) / 1000).toFixed(1)} s)`);
    }
    const head = [
      "row",
      "nats-rt (median)",
      "official (median)",
      "ratio (>1 = nats-rt better)",
      "goal",
      "result",
      "client CPU/msg nats-rt : official",
    ];
    const rows = results.map((r) => {
      const ours = median(r.ours.map((x) => x.rate));
      const official = median(r.official.map((x) => x.rate));
      const oursCpu = median(r.ours.map((x) => x.cpuUs));
      const officialCpu = median(r.official.map((x) => x.cpuUs));
      const ratio = ours / official;
      const goal = GOALS[r.name];
      return {
        name: r.name,
        ours,
        official,
        ratio,
        goal,
        oursCpuUs: oursCpu,
        officialCpuUs: officialCpu,
        cells: [
          TITLES[r.name],
          fmtRate(ours),
          fmtRate(official),
          Number.isFinite(ratio) ? `${ratio.toFixed(2)}x` : "n/a",
          `≥${goal.toFixed(1)}x`,
          !Number.isFinite(ratio) ? "n/a" : ratio >= goal ? "ok" : "BELOW GOAL",
          `${oursCpu.toFixed(1)} µs : ${officialCpu.toFixed(1)} µs`,
        ],
      };
    });
    const all = [head, ...rows.map((r) => r.cells)];
    const widths = head.map((_, i) => Math.max(...all.map((c) => c[i].length)));
    const line = (cells: string[]) =>
      "| " + cells.map((c, i) =>
        i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])
      ).join(" | ") +
      " |";
    out(line(head));
    out("|" + widths.map((w, i) => "-".repeat(w + 1) + (i === 0 ? "-" : ":")).join("|") + "|");
    for (const r of rows) out(line(r.cells));
    const errors = results.flatMap((r) => r.errors.map((e) => `${r.name} ${e}`));
    if (errors.length > 0) {
      out();
      out("errors:");
      for (const e of errors) out(`  ${e}`);
    }
    const elapsed = (performance.now() - t0) / 1000;
    out();
    out(`total ${elapsed.toFixed(1)} s`);
    if (args.json !== undefined) {
      await Deno.writeTextFile(
        args.json,
        JSON.stringify(
          {
            date: new Date().toISOString(),
            elapsedSeconds: elapsed,
            sizes,
            window: WINDOW,
            pullBatch: PULL_BATCH,
            server: varz.version,
            rows: rows.map(({ cells: _c, ...r }) => r),
            raw: results,
          },
          null,
          2,
        ) + "\n",
      );
      out(`wrote ${args.json}`);
    }
    return errors.length > 0 ? 1 : 0;
  } catch (err) {
    writeAll(Deno.stderr, `bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    return 1;
  } finally {
    await conns.ours?.close().catch(() => {});
    await conns.official?.close().catch(() => {});
    await adminNc?.close().catch(() => {});
    await server?.dispose();
  }
}

if (import.meta.main) {
  Deno.exit(await main());
}

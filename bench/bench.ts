// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * nats-rt against the official nats.js v3 client (`@nats-io/transport-node`),
 * side by side in one process, against one local nats-server.
 *
 * ```sh
 * deno run -A bench/bench.ts [--short] [--json out.json] [--only name[,name]]
 *                            [--rounds K]
 * ```
 *
 * Benches (names for `--only`): pub16, pub1k, sub16, sub1k, rr, floor,
 * concurrent. Each bench runs one untimed warm-up round, then K rounds; the
 * client that goes first alternates from round to round, and each row shows
 * the median over the rounds. In the "ratio" column, a value above 1.0
 * always means nats-rt did better (ours/official for rates,
 * official/ours for times). Missing a goal is reported, not fatal; the exit
 * code is 1 only when a measurement failed (e.g. a slow-consumer drop), 2 on
 * bad arguments.
 *
 * @module
 */
import { connect as connectOurs, VERSION as OURS_VERSION } from "../mod.ts";
// Dev-only comparison target; kept inline so the package has no dependency.
import { connect as connectOfficial } from "@nats-io/transport-node";
import { NatsServer } from "../tests/_helpers/nats_server.ts";

// ---------------------------------------------------------------- settings

/**
 * Goals per row, as the minimum ratio (>1 = nats-rt better). One table so a
 * later issue can raise them (e.g. 2.0 for publish).
 */
const GOALS: Readonly<Record<RowKey, number>> = {
  pub16: 1.0,
  pub1k: 1.0,
  sub16: 1.0,
  sub1k: 1.0,
  rr_median: 1.0,
  rr_p99: 1.0,
  concurrent: 1.0,
};

/** Sizes of a run. */
interface Sizes {
  /** Timed rounds per bench. */
  rounds: number;
  /** Messages published, 16 B payload. */
  pub16: number;
  /** Messages published, 1 KiB payload. */
  pub1k: number;
  /** Messages received, 16 B payload. */
  sub16: number;
  /** Messages received, 1 KiB payload. */
  sub1k: number;
  /** Sequential requests per round (also for the raw-socket floor). */
  rr: number;
  /** Concurrent requests per batch. */
  concurrent: number;
  /** Timed batches of concurrent requests per round. */
  concurrentReps: number;
}

const FULL: Sizes = {
  rounds: 5,
  pub16: 1_000_000,
  pub1k: 200_000,
  sub16: 500_000,
  sub1k: 200_000,
  rr: 5_000,
  concurrent: 1_000,
  concurrentReps: 10,
};

const SHORT: Sizes = {
  rounds: 2,
  pub16: 200_000,
  pub1k: 50_000,
  sub16: 100_000,
  sub1k: 50_000,
  rr: 1_000,
  concurrent: 1_000,
  concurrentReps: 3,
};

/** Warm-up rounds run this fraction of the timed sizes. */
const WARMUP_FRACTION = 0.2;
/** Untimed requests on each fresh requester before measuring. */
const REQUEST_WARMUP = 200;
/** Request timeout used by the benches (both clients). */
const REQUEST_TIMEOUT_MS = 10_000;
/** The raw publisher writes about this many bytes per write. */
const PUB_BATCH_BYTES = 128 * 1024;
/**
 * The raw publisher stays at most this many bytes ahead of what the
 * subscriber has received, far below the server's 64 MB pending limit, so a
 * slower subscriber is measured rather than dropped as a slow consumer.
 */
const PUB_WINDOW_BYTES = 8 * 1024 * 1024;
/** A subscribe bench with no progress for this long gives up. */
const STALL_MS = 5_000;
const PAYLOAD_BYTE = 0x61; // "a"

const BENCH_NAMES = [
  "pub16",
  "pub1k",
  "sub16",
  "sub1k",
  "rr",
  "floor",
  "concurrent",
] as const;
type BenchName = typeof BENCH_NAMES[number];

type RowKey =
  | "pub16"
  | "pub1k"
  | "sub16"
  | "sub1k"
  | "rr_median"
  | "rr_p99"
  | "concurrent";

// ------------------------------------------------------------ output utils

const encoder = new TextEncoder();
const decoder = new TextDecoder();

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

function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Nearest-rank percentile. */
function percentile(xs: ArrayLike<number>, p: number): number {
  if (xs.length === 0) return NaN;
  const s = Array.from(xs).sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * s.length);
  return s[Math.min(s.length, Math.max(1, rank)) - 1];
}

/** Milliseconds to microseconds, rounded to the nanosecond. */
function micros(ms: number): number {
  return Math.round(ms * 1e6) / 1e3;
}

function fmtRate(v: number): string {
  if (!Number.isFinite(v)) return "n/a";
  return `${Math.round(v).toLocaleString("en-US")} msg/s`;
}

function fmtUs(v: number): string {
  return Number.isFinite(v) ? `${v.toFixed(1)} µs` : "n/a";
}

function fmtMs(v: number): string {
  return Number.isFinite(v) ? `${v.toFixed(2)} ms` : "n/a";
}

function fmtRatio(v: number): string {
  return Number.isFinite(v) ? `${v.toFixed(2)}x` : "n/a";
}

function errMsg(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

// ------------------------------------------------------------------ clients

/** The part of a received message the benches use (both clients fit it). */
interface BenchMsg {
  readonly data: Uint8Array;
  respond(payload?: Uint8Array): boolean;
}

/** The part of a connection the benches use (both clients fit it). */
interface BenchConn {
  publish(subject: string, payload?: Uint8Array): void;
  subscribe(
    subject: string,
    opts: { callback: (err: Error | null, msg: BenchMsg) => void },
  ): unknown;
  request(
    subject: string,
    payload?: Uint8Array,
    opts?: { timeout?: number },
  ): Promise<BenchMsg>;
  flush(): Promise<void>;
  close(): Promise<void>;
}

type ClientId = "ours" | "official";

interface Client {
  id: ClientId;
  label: string;
  connect(url: string, name: string): Promise<BenchConn>;
}

const OURS: Client = {
  id: "ours",
  label: "nats-rt",
  connect: (url, name) => connectOurs({ servers: url, name }),
};

const OFFICIAL: Client = {
  id: "official",
  label: "official",
  connect: (url, name) => connectOfficial({ servers: url, name }),
};

const CLIENTS: readonly Client[] = [OURS, OFFICIAL];

/** Every connection still open, closed at the end whatever happened. */
const live = new Set<BenchConn>();

async function open(c: Client, url: string, name: string): Promise<BenchConn> {
  const nc = await c.connect(url, `bench-${c.id}-${name}`);
  live.add(nc);
  return nc;
}

async function shut(nc: BenchConn | undefined): Promise<void> {
  if (nc === undefined || !live.has(nc)) return;
  live.delete(nc);
  await nc.close().catch(() => {});
}

async function shutAll(): Promise<void> {
  const all = [...live];
  live.clear();
  await Promise.allSettled(all.map((nc) => nc.close()));
}

// -------------------------------------------------------- raw socket client

const CRLF = encoder.encode("\r\n");
const PING = encoder.encode("PING\r\n");
const PONG = encoder.encode("PONG\r\n");

function indexOfCrlf(buf: Uint8Array, from: number, end: number): number {
  for (let i = from; i + 1 < end; i++) {
    if (buf[i] === 13 && buf[i + 1] === 10) return i;
  }
  return -1;
}

function startsWith(buf: Uint8Array, at: number, s: string): boolean {
  if (at + s.length > buf.length) return false;
  for (let i = 0; i < s.length; i++) {
    if (buf[at + i] !== s.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * A hand-written minimal NATS client on a plain Deno TCP socket: the raw
 * publisher of the subscribe benches and the request/reply floor.
 */
class RawConn {
  #conn: Deno.TcpConn;
  #buf = new Uint8Array(256 * 1024);
  #got = 0;
  #closed = false;

  private constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
  }

  /** Connects, reads INFO, sends CONNECT (+ `extra`) and waits for PONG. */
  static async connect(port: number, extra = ""): Promise<RawConn> {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    conn.setNoDelay(true);
    const rc = new RawConn(conn);
    try {
      await rc.#readLine("INFO ");
      await rc.write(encoder.encode(
        'CONNECT {"verbose":false,"pedantic":false}\r\n' + extra + "PING\r\n",
      ));
      await rc.#readLine("PONG");
      return rc;
    } catch (err) {
      rc.close();
      throw err;
    }
  }

  async write(bytes: Uint8Array): Promise<void> {
    let off = 0;
    while (off < bytes.length) {
      off += await this.#conn.write(off === 0 ? bytes : bytes.subarray(off));
    }
  }

  async #fill(): Promise<void> {
    if (this.#got === this.#buf.length) {
      const bigger = new Uint8Array(this.#buf.length * 2);
      bigger.set(this.#buf);
      this.#buf = bigger;
    }
    const n = await this.#conn.read(this.#buf.subarray(this.#got));
    if (n === null) throw new Error("raw connection closed by the server");
    this.#got += n;
  }

  #drop(n: number): void {
    this.#buf.copyWithin(0, n, this.#got);
    this.#got -= n;
  }

  /** Reads control lines until one starts with `op` (answers PINGs). */
  async #readLine(op: string): Promise<void> {
    for (;;) {
      const eol = indexOfCrlf(this.#buf, 0, this.#got);
      if (eol < 0) {
        await this.#fill();
        continue;
      }
      const line = decoder.decode(this.#buf.subarray(0, eol));
      this.#drop(eol + 2);
      if (line.startsWith(op)) return;
      if (line.startsWith("-ERR")) throw new Error(`server: ${line}`);
      if (line === "PING") await this.write(PONG);
    }
  }

  /** PING and wait for the PONG: the server has processed everything. */
  async ping(): Promise<void> {
    await this.write(PING);
    await this.#readLine("PONG");
  }

  /**
   * Waits for exactly `frame` (a whole MSG, pre-built) after other
   * control lines; the floor's read path.
   */
  async expect(frame: Uint8Array): Promise<void> {
    for (;;) {
      const got = this.#got;
      const buf = this.#buf;
      if (got >= frame.length && buf[0] === 77 /* M */) {
        let same = true;
        for (let i = 0; i < frame.length; i++) {
          if (buf[i] !== frame[i]) {
            same = false;
            break;
          }
        }
        if (!same) throw new Error("raw client: unexpected MSG");
        this.#drop(frame.length);
        return;
      }
      if (got > 0 && buf[0] !== 77) {
        // PING, +OK, INFO...: handle the line and look again.
        const eol = indexOfCrlf(buf, 0, got);
        if (eol >= 0) {
          if (startsWith(buf, 0, "-ERR")) {
            throw new Error(`server: ${decoder.decode(buf.subarray(0, eol))}`);
          }
          const ping = startsWith(buf, 0, "PING");
          this.#drop(eol + 2);
          if (ping) await this.write(PONG);
          continue;
        }
      }
      await this.#fill();
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch {
      // already closed
    }
  }
}

// ------------------------------------------------------------------ benches

/** One measurement of one contestant. */
interface Measurement {
  metrics: Record<string, number>;
  raw?: number[];
  note?: string;
}

interface Ctx {
  server: NatsServer;
  url: string;
  port: number;
  sizes: Sizes;
  seq: number;
}

function payloadOf(size: number): Uint8Array {
  return new Uint8Array(size).fill(PAYLOAD_BYTE);
}

function unique(ctx: Ctx, base: string): string {
  return `${base}.${++ctx.seq}`;
}

async function benchPublish(
  ctx: Ctx,
  c: Client,
  n: number,
  size: number,
): Promise<Measurement> {
  const nc = await open(c, ctx.url, "pub");
  try {
    const subject = unique(ctx, "bench.pub");
    const payload = payloadOf(size);
    const t0 = performance.now();
    for (let i = 0; i < n; i++) nc.publish(subject, payload);
    await nc.flush();
    const ms = performance.now() - t0;
    return { metrics: { rate: (n / ms) * 1000, ms } };
  } finally {
    await shut(nc);
  }
}

async function slowConsumers(server: NatsServer): Promise<number> {
  try {
    return Number((await server.varz()).slow_consumers ?? 0);
  } catch {
    return NaN;
  }
}

async function benchSubscribe(
  ctx: Ctx,
  c: Client,
  n: number,
  size: number,
): Promise<Measurement> {
  const subject = unique(ctx, "bench.sub");
  const slowBefore = await slowConsumers(ctx.server);
  let nc: BenchConn | undefined;
  let pub: RawConn | undefined;
  let watchdog: ReturnType<typeof setInterval> | undefined;
  let aborted = false;
  let wake: (() => void) | null = null;
  const stop = () => {
    aborted = true;
    const w = wake;
    wake = null;
    w?.();
  };
  try {
    nc = await open(c, ctx.url, "sub");
    let count = 0;
    let bytes = 0;
    let t0 = 0;
    let t1 = 0;
    let wakeAt = -1;
    let finish!: () => void;
    let fail!: (e: Error) => void;
    const done = new Promise<void>((resolve, reject) => {
      finish = resolve;
      fail = reject;
    });
    // A late failure (after this bench gave up) must not go unhandled.
    done.catch(() => {});
    nc.subscribe(subject, {
      callback: (err, m) => {
        if (err !== null) {
          fail(err);
          return;
        }
        if (count === 0) t0 = performance.now();
        bytes += m.data.length;
        if (++count === wakeAt) {
          wakeAt = -1;
          const w = wake;
          wake = null;
          w?.();
        }
        if (count === n) {
          t1 = performance.now();
          finish();
        }
      },
    });
    await nc.flush();

    const frame = encoder.encode(`PUB ${subject} ${size}\r\n`);
    const one = new Uint8Array(frame.length + size + 2);
    one.set(frame);
    one.set(payloadOf(size), frame.length);
    one.set(CRLF, frame.length + size);
    const perBatch = Math.max(1, Math.floor(PUB_BATCH_BYTES / one.length));
    const batch = new Uint8Array(perBatch * one.length);
    for (let i = 0; i < perBatch; i++) batch.set(one, i * one.length);
    const window = Math.max(
      perBatch * 2,
      Math.floor(PUB_WINDOW_BYTES / one.length),
    );
    pub = await RawConn.connect(ctx.port);
    const rawPub = pub;

    let last = -1;
    let lastChange = performance.now();
    watchdog = setInterval(() => {
      if (count !== last) {
        last = count;
        lastChange = performance.now();
      } else if (performance.now() - lastChange > STALL_MS) {
        fail(
          new Error(`stalled: ${count.toLocaleString("en-US")}/${n} received`),
        );
      }
    }, 250);

    const publishing = (async () => {
      let sent = 0;
      while (sent < n && !aborted) {
        if (sent - count > window) {
          await new Promise<void>((resolve) => {
            wake = resolve;
            wakeAt = Math.max(count + 1, sent - (window >> 1));
          });
          continue;
        }
        const k = Math.min(perBatch, n - sent);
        await rawPub.write(
          k === perBatch ? batch : batch.subarray(0, k * one.length),
        );
        sent += k;
      }
      if (!aborted) await rawPub.ping();
    })();
    publishing.catch(() => {});

    try {
      await Promise.race([
        done,
        publishing.then(() => done),
      ]);
      await publishing;
    } catch (err) {
      const slow = (await slowConsumers(ctx.server)) - slowBefore;
      throw new Error(
        slow > 0
          ? `server dropped the subscriber as a slow consumer (${errMsg(err)})`
          : errMsg(err),
      );
    }
    if (bytes !== n * size) {
      throw new Error(`received ${bytes} payload bytes, expected ${n * size}`);
    }
    const ms = t1 - t0;
    return { metrics: { rate: ((n - 1) / ms) * 1000, ms } };
  } finally {
    stop();
    clearInterval(watchdog);
    pub?.close();
    await shut(nc);
  }
}

/** Starts a responder echoing the payload, on its own connection. */
async function responder(
  ctx: Ctx,
  c: Client,
  subject: string,
): Promise<BenchConn> {
  const nc = await open(c, ctx.url, "responder");
  nc.subscribe(subject, {
    callback: (err, m) => {
      if (err === null) m.respond(m.data);
    },
  });
  await nc.flush();
  return nc;
}

async function benchRequestReply(
  ctx: Ctx,
  c: Client,
  k: number,
): Promise<Measurement> {
  const subject = unique(ctx, "bench.rr");
  let rsp: BenchConn | undefined;
  let nc: BenchConn | undefined;
  try {
    rsp = await responder(ctx, c, subject);
    nc = await open(c, ctx.url, "requester");
    const payload = payloadOf(16);
    const opts = { timeout: REQUEST_TIMEOUT_MS };
    for (let i = 0; i < REQUEST_WARMUP; i++) {
      await nc.request(subject, payload, opts);
    }
    const lat = new Array<number>(k);
    for (let i = 0; i < k; i++) {
      const t = performance.now();
      await nc.request(subject, payload, opts);
      lat[i] = micros(performance.now() - t);
    }
    return {
      metrics: { median: median(lat), p99: percentile(lat, 99) },
      raw: lat,
    };
  } finally {
    await shut(nc);
    await shut(rsp);
  }
}

async function benchFloor(ctx: Ctx, k: number): Promise<Measurement> {
  const subject = unique(ctx, "bench.rr");
  const inbox = unique(ctx, "_INBOX.floor");
  let rsp: BenchConn | undefined;
  let raw: RawConn | undefined;
  try {
    rsp = await responder(ctx, OFFICIAL, subject);
    raw = await RawConn.connect(ctx.port, `SUB ${inbox} 1\r\n`);
    const data = "a".repeat(16);
    const req = encoder.encode(`PUB ${subject} ${inbox} 16\r\n${data}\r\n`);
    const reply = encoder.encode(`MSG ${inbox} 1 16\r\n${data}\r\n`);
    for (let i = 0; i < REQUEST_WARMUP; i++) {
      await raw.write(req);
      await raw.expect(reply);
    }
    const lat = new Array<number>(k);
    for (let i = 0; i < k; i++) {
      const t = performance.now();
      await raw.write(req);
      await raw.expect(reply);
      lat[i] = micros(performance.now() - t);
    }
    return {
      metrics: { median: median(lat), p99: percentile(lat, 99) },
      raw: lat,
    };
  } finally {
    raw?.close();
    await shut(rsp);
  }
}

async function benchConcurrent(
  ctx: Ctx,
  c: Client,
  n: number,
  reps: number,
): Promise<Measurement> {
  const subject = unique(ctx, "bench.rr");
  let rsp: BenchConn | undefined;
  let nc: BenchConn | undefined;
  try {
    rsp = await responder(ctx, c, subject);
    nc = await open(c, ctx.url, "requester");
    const requester = nc;
    const payload = payloadOf(16);
    const opts = { timeout: REQUEST_TIMEOUT_MS };
    for (let i = 0; i < REQUEST_WARMUP; i++) {
      await requester.request(subject, payload, opts);
    }
    const times: number[] = [];
    for (let r = 0; r < reps; r++) {
      const t = performance.now();
      await Promise.all(
        Array.from(
          { length: n },
          () => requester.request(subject, payload, opts),
        ),
      );
      times.push(Math.round((performance.now() - t) * 1e3) / 1e3);
    }
    return { metrics: { ms: median(times) }, raw: times };
  } finally {
    await shut(nc);
    await shut(rsp);
  }
}

// ---------------------------------------------------------- bench runner

type ContestantId = ClientId | "floor";

interface BenchDef {
  name: BenchName;
  title: string;
  params: (s: Sizes) => Record<string, number>;
  contestants: readonly ContestantId[];
  run: (
    ctx: Ctx,
    who: ContestantId,
    s: Sizes,
    scale: number,
  ) => Promise<Measurement>;
}

function clientOf(id: ContestantId): Client {
  if (id === "ours") return OURS;
  if (id === "official") return OFFICIAL;
  throw new Error(`${id} is not a client`);
}

function scaled(n: number, scale: number): number {
  return Math.max(1, Math.round(n * scale));
}

const BOTH: readonly ContestantId[] = ["ours", "official"];

const BENCHES: readonly BenchDef[] = [
  {
    name: "pub16",
    title: "publish 16 B",
    params: (s) => ({ msgs: s.pub16, size: 16 }),
    contestants: BOTH,
    run: (ctx, who, s, k) => benchPublish(ctx, clientOf(who), scaled(s.pub16, k), 16),
  },
  {
    name: "pub1k",
    title: "publish 1 KiB",
    params: (s) => ({ msgs: s.pub1k, size: 1024 }),
    contestants: BOTH,
    run: (ctx, who, s, k) => benchPublish(ctx, clientOf(who), scaled(s.pub1k, k), 1024),
  },
  {
    name: "sub16",
    title: "subscribe 16 B",
    params: (s) => ({ msgs: s.sub16, size: 16 }),
    contestants: BOTH,
    run: (ctx, who, s, k) => benchSubscribe(ctx, clientOf(who), scaled(s.sub16, k), 16),
  },
  {
    name: "sub1k",
    title: "subscribe 1 KiB",
    params: (s) => ({ msgs: s.sub1k, size: 1024 }),
    contestants: BOTH,
    run: (ctx, who, s, k) => benchSubscribe(ctx, clientOf(who), scaled(s.sub1k, k), 1024),
  },
  {
    name: "rr",
    title: "request/reply, sequential",
    params: (s) => ({ requests: s.rr, size: 16 }),
    contestants: BOTH,
    run: (ctx, who, s, k) => benchRequestReply(ctx, clientOf(who), scaled(s.rr, k)),
  },
  {
    name: "floor",
    title: "request/reply floor, raw socket (official responder)",
    params: (s) => ({ requests: s.rr, size: 16 }),
    contestants: ["floor"],
    run: (ctx, _who, s, k) => benchFloor(ctx, scaled(s.rr, k)),
  },
  {
    name: "concurrent",
    title: "concurrent requests, Promise.all",
    params: (s) => ({ requests: s.concurrent, reps: s.concurrentReps }),
    contestants: BOTH,
    run: (ctx, who, s, k) =>
      benchConcurrent(
        ctx,
        clientOf(who),
        s.concurrent,
        Math.max(1, Math.round(s.concurrentReps * k)),
      ),
  },
];

interface RoundRecord {
  round: number;
  warmup: boolean;
  order: ContestantId[];
  results: Partial<Record<ContestantId, Measurement | { error: string }>>;
}

interface BenchRecord {
  name: BenchName;
  title: string;
  params: Record<string, number>;
  rounds: RoundRecord[];
  /** Median over timed rounds of each metric, per contestant. */
  medians: Partial<Record<ContestantId, Record<string, number>>>;
  errors: string[];
}

function orderFor(
  contestants: readonly ContestantId[],
  round: number,
): ContestantId[] {
  const r = ((round % contestants.length) + contestants.length) %
    contestants.length;
  return [...contestants.slice(r), ...contestants.slice(0, r)];
}

function describe(m: Measurement): string {
  return Object.entries(m.metrics)
    .map(([k, v]) => `${k}=${v >= 1000 ? Math.round(v) : v.toFixed(1)}`)
    .join(" ");
}

async function runBench(ctx: Ctx, def: BenchDef): Promise<BenchRecord> {
  const s = ctx.sizes;
  const rec: BenchRecord = {
    name: def.name,
    title: def.title,
    params: def.params(s),
    rounds: [],
    medians: {},
    errors: [],
  };
  for (let round = 0; round <= s.rounds; round++) {
    const warmup = round === 0;
    // Round 0 is the warm-up; timed round r starts with contestant (r-1)%n.
    const order = orderFor(def.contestants, round - 1);
    const rr: RoundRecord = { round, warmup, order, results: {} };
    const parts: string[] = [];
    for (const who of order) {
      try {
        const m = await def.run(ctx, who, s, warmup ? WARMUP_FRACTION : 1);
        rr.results[who] = m;
        parts.push(`${who}: ${describe(m)}`);
      } catch (err) {
        const msg = errMsg(err);
        rr.results[who] = { error: msg };
        rec.errors.push(`round ${round} ${who}: ${msg}`);
        parts.push(`${who}: ERROR ${msg}`);
      }
    }
    rec.rounds.push(rr);
    progress(
      `  ${def.name} ${warmup ? "warm-up" : `round ${round}/${s.rounds}`}: ` +
        parts.join(" | "),
    );
  }
  for (const who of def.contestants) {
    const timed = rec.rounds.filter((r) => !r.warmup)
      .map((r) => r.results[who])
      .filter((m): m is Measurement => m !== undefined && "metrics" in m);
    if (timed.length === 0) continue;
    const med: Record<string, number> = {};
    for (const key of Object.keys(timed[0].metrics)) {
      med[key] = median(timed.map((m) => m.metrics[key]));
    }
    rec.medians[who] = med;
  }
  return rec;
}

// ------------------------------------------------------------------- rows

interface RowDef {
  key: RowKey;
  label: string;
  bench: BenchName;
  metric: string;
  better: "higher" | "lower";
  fmt: (v: number) => string;
}

const ROWS: readonly RowDef[] = [
  {
    key: "pub16",
    label: "publish 16 B",
    bench: "pub16",
    metric: "rate",
    better: "higher",
    fmt: fmtRate,
  },
  {
    key: "pub1k",
    label: "publish 1 KiB",
    bench: "pub1k",
    metric: "rate",
    better: "higher",
    fmt: fmtRate,
  },
  {
    key: "sub16",
    label: "subscribe 16 B",
    bench: "sub16",
    metric: "rate",
    better: "higher",
    fmt: fmtRate,
  },
  {
    key: "sub1k",
    label: "subscribe 1 KiB",
    bench: "sub1k",
    metric: "rate",
    better: "higher",
    fmt: fmtRate,
  },
  {
    key: "rr_median",
    label: "request/reply median",
    bench: "rr",
    metric: "median",
    better: "lower",
    fmt: fmtUs,
  },
  {
    key: "rr_p99",
    label: "request/reply p99",
    bench: "rr",
    metric: "p99",
    better: "lower",
    fmt: fmtUs,
  },
  {
    key: "concurrent",
    label: "1,000 concurrent requests",
    bench: "concurrent",
    metric: "ms",
    better: "lower",
    fmt: fmtMs,
  },
];

interface RowResult {
  key: RowKey | "floor";
  label: string;
  unit: string;
  better: "higher" | "lower" | "info";
  ours: number | null;
  official: number | null;
  /** > 1 means nats-rt is better. */
  ratio: number | null;
  goal: number | null;
  met: boolean | null;
  cells: string[];
}

function unitOf(metric: string): string {
  return metric === "rate" ? "msg/s" : metric === "ms" ? "ms" : "µs";
}

function buildRows(records: Map<BenchName, BenchRecord>): RowResult[] {
  const rows: RowResult[] = [];
  const num = (v: number | undefined) => v !== undefined && Number.isFinite(v) ? v : null;
  for (const def of ROWS) {
    const rec = records.get(def.bench);
    if (rec === undefined) continue;
    const ours = num(rec.medians.ours?.[def.metric]);
    const official = num(rec.medians.official?.[def.metric]);
    const ratio = ours !== null && official !== null
      ? def.better === "higher" ? ours / official : official / ours
      : null;
    const goal = GOALS[def.key];
    const met = ratio === null ? null : ratio >= goal;
    rows.push({
      key: def.key,
      label: def.label,
      unit: unitOf(def.metric),
      better: def.better,
      ours,
      official,
      ratio,
      goal,
      met,
      cells: [
        def.label,
        ours === null ? "error" : def.fmt(ours),
        official === null ? "error" : def.fmt(official),
        ratio === null ? "n/a" : fmtRatio(ratio),
        `≥${goal.toFixed(1)}x`,
        met === null ? "n/a" : met ? "ok" : "BELOW GOAL",
      ],
    });
  }
  const floor = records.get("floor")?.medians.floor;
  if (floor !== undefined) {
    const rr = records.get("rr")?.medians;
    const times = (v: number | undefined) =>
      v === undefined || !Number.isFinite(v) ? "n/a" : `${(v / floor.median).toFixed(2)}x floor`;
    rows.push({
      key: "floor",
      label: "raw-socket request/reply floor",
      unit: "µs",
      better: "info",
      ours: null,
      official: null,
      ratio: null,
      goal: null,
      met: null,
      cells: [
        `req/reply floor, raw socket: ${floor.median.toFixed(1)} µs ` +
        `(p99 ${floor.p99.toFixed(1)} µs)`,
        times(rr?.ours?.median),
        times(rr?.official?.median),
        "",
        "info",
        "",
      ],
    });
  }
  return rows;
}

function printTable(rows: RowResult[]): void {
  const head = [
    "row",
    "nats-rt (median)",
    "official (median)",
    "ratio (>1 = nats-rt better)",
    "goal",
    "result",
  ];
  const all = [head, ...rows.map((r) => r.cells)];
  const widths = head.map((_, i) => Math.max(...all.map((cells) => cells[i].length)));
  const line = (cells: string[]) =>
    "| " +
    cells.map((c, i) => i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))
      .join(" | ") +
    " |";
  out(line(head));
  out(
    "|" +
      widths.map((w, i) => "-".repeat(w + 1) + (i === 0 ? "-" : ":")).join(
        "|",
      ) +
      "|",
  );
  for (const r of rows) out(line(r.cells));
}

// -------------------------------------------------------------------- main

interface Args {
  short: boolean;
  json: string | undefined;
  only: BenchName[] | undefined;
  rounds: number | undefined;
}

const USAGE = "usage: deno run -A bench/bench.ts [--short] [--json out.json] " +
  `[--only ${BENCH_NAMES.join("|")}[,...]] [--rounds K]`;

function parseArgs(argv: string[]): Args {
  const args: Args = {
    short: false,
    json: undefined,
    only: undefined,
    rounds: undefined,
  };
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
      case "--only": {
        const names = next().split(",").map((s) => s.trim()).filter(Boolean);
        for (const n of names) {
          if (!(BENCH_NAMES as readonly string[]).includes(n)) {
            throw new Error(
              `unknown bench "${n}" (known: ${BENCH_NAMES.join(", ")})`,
            );
          }
        }
        args.only = [...(args.only ?? []), ...names as BenchName[]];
        break;
      }
      case "--rounds": {
        const k = Number(next());
        if (!Number.isInteger(k) || k < 1) {
          throw new Error("--rounds needs a positive integer");
        }
        args.rounds = k;
        break;
      }
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

async function cpuModel(): Promise<string | undefined> {
  try {
    const text = await Deno.readTextFile("/proc/cpuinfo");
    return /^model name\s*:\s*(.+)$/m.exec(text)?.[1]?.trim();
  } catch {
    return undefined;
  }
}

/** Round trip of a bare PING/PONG on a raw socket, in µs. */
async function rawPingRtt(
  port: number,
  k: number,
): Promise<{ median: number; p99: number }> {
  const rc = await RawConn.connect(port);
  try {
    const lat: number[] = [];
    for (let i = 0; i < k; i++) {
      const t = performance.now();
      await rc.ping();
      lat.push(micros(performance.now() - t));
    }
    return { median: median(lat), p99: percentile(lat, 99) };
  } finally {
    rc.close();
  }
}

/** Connects each client once and asks the server what they call themselves. */
async function clientVersions(
  ctx: Ctx,
): Promise<Record<ClientId, { lang: string; version: string }>> {
  const conns: BenchConn[] = [];
  try {
    for (const c of CLIENTS) conns.push(await open(c, ctx.url, "probe"));
    const connz = await ctx.server.connz();
    const list = (connz.connections ?? []) as {
      name?: string;
      lang?: string;
      version?: string;
    }[];
    const found = {} as Record<ClientId, { lang: string; version: string }>;
    for (const c of CLIENTS) {
      const e = list.find((x) => x.name === `bench-${c.id}-probe`);
      found[c.id] = { lang: e?.lang ?? "?", version: e?.version ?? "?" };
    }
    return found;
  } finally {
    for (const nc of conns) await shut(nc);
  }
}

async function main(): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(Deno.args);
  } catch (err) {
    writeAll(Deno.stderr, `${errMsg(err)}\n`);
    return 2;
  }
  const sizes: Sizes = { ...(args.short ? SHORT : FULL) };
  if (args.rounds !== undefined) sizes.rounds = args.rounds;
  const selected = BENCHES.filter((b) => args.only === undefined || args.only.includes(b.name));

  const started = new Date();
  const t0 = performance.now();
  let server: NatsServer | undefined;
  try {
    server = await NatsServer.start();
    if (server.port === 4222) throw new Error("refusing to use port 4222");
    const ctx: Ctx = {
      server,
      url: server.url,
      port: server.port,
      sizes,
      seq: 0,
    };
    const varz = await server.varz();
    const versions = await clientVersions(ctx);
    const pingRtt = await rawPingRtt(ctx.port, 1_000);
    const machine = {
      deno: Deno.version,
      hardwareConcurrency: navigator.hardwareConcurrency,
      os: Deno.build.os,
      arch: Deno.build.arch,
      osRelease: Deno.osRelease(),
      cpu: await cpuModel(),
    };

    out(
      `nats-rt ${OURS_VERSION} (CONNECT: ${versions.ours.lang} ` +
        `${versions.ours.version}) vs official @nats-io/transport-node ` +
        `(CONNECT: ${versions.official.lang} ${versions.official.version})`,
    );
    out(
      `nats-server ${varz.version} (${varz.go}) on ${ctx.url}; ` +
        `Deno ${Deno.version.deno}, V8 ${Deno.version.v8}; ` +
        `${machine.os}/${machine.arch} ${machine.osRelease}, ` +
        `${machine.hardwareConcurrency} cores${machine.cpu ? ` (${machine.cpu})` : ""}`,
    );
    out(
      `raw-socket PING/PONG round trip to the server: median ` +
        `${pingRtt.median.toFixed(1)} µs, p99 ${pingRtt.p99.toFixed(1)} µs`,
    );
    out(
      `mode: ${args.short ? "short" : "full"}, ${sizes.rounds} rounds ` +
        `+ 1 warm-up per bench, alternating which client goes first`,
    );
    out();

    const records = new Map<BenchName, BenchRecord>();
    for (const def of selected) {
      progress(
        `${def.name}: ${def.title} ${JSON.stringify(def.params(sizes))}`,
      );
      const b0 = performance.now();
      records.set(def.name, await runBench(ctx, def));
      progress(`  (${((performance.now() - b0) / 1000).toFixed(1)} s)`);
    }
    const rows = buildRows(records);
    out();
    printTable(rows);
    const errors = [...records.values()].flatMap((r) => r.errors.map((e) => `${r.name} ${e}`));
    if (errors.length > 0) {
      out();
      out("errors:");
      for (const e of errors) out(`  ${e}`);
    }
    const elapsed = (performance.now() - t0) / 1000;
    out();
    out(`total ${elapsed.toFixed(1)} s`);

    if (args.json !== undefined) {
      const report = {
        date: started.toISOString(),
        elapsedSeconds: elapsed,
        mode: args.short ? "short" : "full",
        args,
        sizes,
        goals: GOALS,
        machine,
        server: {
          version: varz.version,
          go: varz.go,
          url: ctx.url,
          rawPingRttUs: pingRtt,
        },
        clients: {
          "nats-rt": { version: OURS_VERSION, connect: versions.ours },
          official: {
            package: "npm:@nats-io/transport-node@3",
            connect: versions.official,
          },
        },
        rows: rows.map(({ cells: _cells, ...r }) => r),
        benches: Object.fromEntries(records),
      };
      await Deno.writeTextFile(
        args.json,
        JSON.stringify(report, null, 2) + "\n",
      );
      out(`wrote ${args.json}`);
    }
    return errors.length > 0 ? 1 : 0;
  } catch (err) {
    writeAll(
      Deno.stderr,
      `bench failed: ${err instanceof Error ? err.stack : String(err)}\n`,
    );
    return 1;
  } finally {
    await shutAll();
    await server?.dispose();
  }
}

if (import.meta.main) {
  Deno.exit(await main());
}

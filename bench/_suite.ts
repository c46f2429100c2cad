// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * The benches, runtime neutral: run by `runner.ts` under Deno and (bundled)
 * under Node, against a server the driver (`bench.ts`) started. Each bench
 * runs one untimed warm-up round, then K rounds; the client that goes first
 * alternates from round to round; the driver takes medians.
 *
 * Every measurement also records the CPU time (user + system) this process
 * spent per message while it was timed: unlike a rate it does not depend on
 * how the OS shares the two cores with nats-server, so it shows the
 * client's own cost when the server sets the pace.
 *
 * @module
 */
import type { Host } from "./_hosts.ts";
import { RawConn } from "./_raw.ts";

// ------------------------------------------------------------------ sizes

/** Sizes of a run. */
export interface Sizes {
  /** Timed rounds per bench. */
  rounds: number;
  pub16: number;
  pub1k: number;
  sub16: number;
  sub1k: number;
  pubsub16: number;
  pubsub1k: number;
  /** Sequential requests per round (also for the raw floor). */
  rr: number;
  /** Concurrent requests per batch. */
  concurrent: number;
  /** Timed batches of concurrent requests per round. */
  concurrentReps: number;
  /** JetStream publishes, each awaited. */
  jsSync: number;
  /** JetStream publishes, pipelined. */
  jsAsync: number;
  /** Messages consumed (and acked) per run. */
  jsConsume: number;
  /** Messages per subscribe run in the RSS bench. */
  rssMsgs: number;
  /** Repeated subscribe runs in the RSS bench. */
  rssRuns: number;
}

/** Full run: what BENCHMARKS.md records. */
export const FULL: Sizes = {
  rounds: 5,
  pub16: 1_000_000,
  pub1k: 200_000,
  sub16: 500_000,
  sub1k: 200_000,
  pubsub16: 500_000,
  pubsub1k: 200_000,
  rr: 5_000,
  concurrent: 1_000,
  concurrentReps: 10,
  jsSync: 3_000,
  jsAsync: 30_000,
  jsConsume: 50_000,
  rssMsgs: 1_000_000,
  rssRuns: 10,
};

/** Short run for CI: ratios only, a large regression fails. */
export const SHORT: Sizes = {
  rounds: 2,
  pub16: 200_000,
  pub1k: 50_000,
  sub16: 100_000,
  sub1k: 50_000,
  pubsub16: 100_000,
  pubsub1k: 50_000,
  rr: 1_000,
  concurrent: 1_000,
  concurrentReps: 3,
  jsSync: 500,
  jsAsync: 5_000,
  jsConsume: 10_000,
  rssMsgs: 200_000,
  rssRuns: 3,
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
 * A publisher stays at most this many bytes ahead of what the subscriber has
 * received, far below the server's 64 MB pending limit, so a slower
 * subscriber is measured rather than dropped as a slow consumer.
 */
const PUB_WINDOW_BYTES = 8 * 1024 * 1024;
/** A bench with no progress for this long gives up. */
const STALL_MS = 10_000;
/** Most PubAcks outstanding in the pipelined JetStream publish. */
export const JS_WINDOW = 256;
/** Messages per pull in the consume benches (both clients). */
export const PULL_BATCH = 500;
const PAYLOAD_BYTE = 0x61; // "a"

// ---------------------------------------------------------------- clients

/** The part of a received message the benches use (both clients fit it). */
export interface BenchMsg {
  readonly data: Uint8Array;
  respond(payload?: Uint8Array): boolean;
}

/** The part of a connection the benches use (both clients fit it). */
export interface BenchConn {
  publish(subject: string, payload?: Uint8Array): void;
  subscribe(
    subject: string,
    opts: { callback: (err: Error | null, msg: BenchMsg) => void },
  ): { unsubscribe(): void };
  request(subject: string, payload?: Uint8Array, opts?: { timeout?: number }): Promise<BenchMsg>;
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** The part of a JetStream message the benches use. */
export interface BenchJsMsg {
  ack(): void;
}

/** The part of `consume()`'s result the benches use. */
export interface BenchMessages extends AsyncIterable<BenchJsMsg> {
  close(): Promise<void | Error>;
}

/** The JetStream client calls the benches make (nats.js v3 names, both clients). */
export interface BenchJs {
  publish(subject: string, payload: Uint8Array): Promise<{ seq: number }>;
  consumers: {
    get(stream: string, name: string): Promise<{
      consume(opts: {
        max_messages: number;
        callback?: (m: BenchJsMsg) => void;
      }): Promise<BenchMessages>;
    }>;
  };
}

/** The JetStream manager calls the benches make. */
export interface BenchJsm {
  streams: {
    add(cfg: { name: string; subjects: string[]; storage: "memory" }): Promise<unknown>;
    info(name: string): Promise<{ state: { messages: number } }>;
    delete(name: string): Promise<unknown>;
  };
  consumers: {
    add(stream: string, cfg: {
      durable_name: string;
      ack_policy: "explicit";
      max_ack_pending: number;
    }): Promise<unknown>;
    info(stream: string, name: string): Promise<{ ack_floor: { stream_seq: number } }>;
    delete(stream: string, name: string): Promise<unknown>;
  };
}

/** One client library, as loaded by the runner. */
export interface ClientLib {
  connect(opts: { servers: string; name: string }): Promise<BenchConn>;
  jetstream(nc: BenchConn): BenchJs;
  jetstreamManager(nc: BenchConn): Promise<BenchJsm>;
}

/** The two contestants. */
export type ClientId = "ours" | "official";
/** Who can appear in a round: the two clients, or the raw-socket floor. */
export type ContestantId = ClientId | "floor";

// ------------------------------------------------------------------ bench

/** One measurement of one contestant. */
export interface Measurement {
  metrics: Record<string, number>;
}

/** The context every bench gets. */
export interface Ctx {
  host: Host;
  url: string;
  port: number;
  /** `http://127.0.0.1:<port>` of the server's monitoring endpoint. */
  monitor: string;
  sizes: Sizes;
  clients: Record<ClientId, ClientLib>;
  /** Prefix for subjects and streams, unique per runner process. */
  tag: string;
  seq: number;
  /** nats-server's pid, to read its CPU time from /proc (Linux), when known. */
  serverPid?: number;
}

/** A bench: what to run for one contestant, scaled by `k` (the warm-up runs 0.2). */
export interface BenchDef {
  name: string;
  title: string;
  params(s: Sizes): Record<string, number>;
  contestants: readonly ContestantId[];
  run(ctx: Ctx, who: ContestantId, k: number): Promise<Measurement>;
  /** Measures every contestant in one go (they take turns inside), when given. */
  runAll?(
    ctx: Ctx,
    order: readonly ContestantId[],
    k: number,
  ): Promise<Partial<Record<ContestantId, Measurement>>>;
}

function payloadOf(size: number): Uint8Array {
  return new Uint8Array(size).fill(PAYLOAD_BYTE);
}

function unique(ctx: Ctx, base: string): string {
  return `${base}.${ctx.tag}.${++ctx.seq}`;
}

function scaled(n: number, k: number): number {
  return Math.max(1, Math.round(n * k));
}

/** Milliseconds to microseconds, rounded to the nanosecond. */
function micros(ms: number): number {
  return Math.round(ms * 1e6) / 1e3;
}

/** Median of numbers (NaN for none). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Nearest-rank percentile. */
export function percentile(xs: ArrayLike<number>, p: number): number {
  if (xs.length === 0) return NaN;
  const s = Array.from(xs).sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * s.length);
  return s[Math.min(s.length, Math.max(1, rank)) - 1];
}

/** Every connection still open, closed at the end whatever happened. */
const live = new Set<BenchConn>();

async function open(ctx: Ctx, who: ClientId, name: string): Promise<BenchConn> {
  const nc = await ctx.clients[who].connect({
    servers: ctx.url,
    name: `bench-${ctx.host.runtime}-${who}-${name}`,
  });
  live.add(nc);
  return nc;
}

async function shut(nc: BenchConn | undefined): Promise<void> {
  if (nc === undefined || !live.has(nc)) return;
  live.delete(nc);
  await nc.close().catch(() => {});
}

/** Closes every connection a failed bench left open. */
export async function shutAll(): Promise<void> {
  const all = [...live];
  live.clear();
  await Promise.allSettled(all.map((nc) => nc.close()));
}

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

/**
 * CPU time (user + system) nats-server has used so far, µs, from
 * /proc/<pid>/stat; undefined where that is not available. Resolution: 10 ms.
 */
async function serverCpuUs(ctx: Ctx): Promise<number | undefined> {
  if (ctx.serverPid === undefined) return undefined;
  try {
    const stat = await ctx.host.readText(`/proc/${ctx.serverPid}/stat`);
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Fields 14 and 15 (utime, stime) are at 11 and 12 after the command name.
    return ((Number(f[11]) + Number(f[12])) * 1e6) / USER_HZ;
  } catch {
    return undefined;
  }
}

/**
 * Starts timing `n` messages: wall time, this process's CPU time and, when
 * known, nats-server's CPU time (read after the clock stops, so untimed).
 */
async function meter(ctx: Ctx, n: number): Promise<() => Promise<Record<string, number>>> {
  const s0 = await serverCpuUs(ctx);
  const host = ctx.host;
  const t0 = performance.now();
  const c0 = host.cpuUs();
  return async () => {
    const ms = performance.now() - t0;
    const cpu = host.cpuUs() - c0;
    const m: Record<string, number> = { rate: (n / ms) * 1000, ms, cpuUs: cpu / n };
    const s1 = await serverCpuUs(ctx);
    if (s0 !== undefined && s1 !== undefined) m.serverCpuUs = (s1 - s0) / n;
    return m;
  };
}

async function slowConsumers(ctx: Ctx): Promise<number> {
  try {
    const r = await fetch(`${ctx.monitor}/varz`);
    return Number((await r.json()).slow_consumers ?? 0);
  } catch {
    return NaN;
  }
}

/** A raw connection, the floor's and the subscribe benches' publisher. */
async function rawConn(ctx: Ctx, extra = ""): Promise<RawConn> {
  return await RawConn.open(await ctx.host.rawConnect(ctx.port), extra);
}

// ------------------------------------------------------------ core benches

async function benchPublish(
  ctx: Ctx,
  who: ClientId,
  n: number,
  size: number,
): Promise<Measurement> {
  const nc = await open(ctx, who, "pub");
  try {
    const subject = unique(ctx, "bench.pub");
    const payload = payloadOf(size);
    await nc.flush();
    const stop = await meter(ctx, n);
    for (let i = 0; i < n; i++) nc.publish(subject, payload);
    await nc.flush();
    return { metrics: await stop() };
  } finally {
    await shut(nc);
  }
}

/**
 * Counts deliveries and lets a publisher wait until the subscriber is
 * within a window; fails the run on an error or a stall.
 */
class Progress {
  count = 0;
  bytes = 0;
  t0 = 0;
  t1 = 0;
  readonly done: Promise<void>;
  #finish!: () => void;
  #fail!: (e: Error) => void;
  #wake: (() => void) | null = null;
  #wakeAt = -1;
  #watchdog: ReturnType<typeof setInterval>;
  #n: number;

  constructor(n: number) {
    this.#n = n;
    this.done = new Promise<void>((resolve, reject) => {
      this.#finish = resolve;
      this.#fail = reject;
    });
    // A late failure (after the bench gave up) must not go unhandled.
    this.done.catch(() => {});
    let last = -1;
    let lastChange = performance.now();
    this.#watchdog = setInterval(() => {
      if (this.count !== last) {
        last = this.count;
        lastChange = performance.now();
      } else if (performance.now() - lastChange > STALL_MS) {
        this.fail(new Error(`stalled: ${this.count}/${n} received`));
      }
    }, 250);
  }

  /** Call for every message received. */
  got(size: number): void {
    if (this.count === 0) this.t0 = performance.now();
    this.bytes += size;
    if (++this.count === this.#wakeAt) {
      this.#wakeAt = -1;
      const w = this.#wake;
      this.#wake = null;
      w?.();
    }
    if (this.count === this.#n) {
      this.t1 = performance.now();
      this.#finish();
    }
  }

  fail(err: Error): void {
    this.#fail(err);
    const w = this.#wake;
    this.#wake = null;
    w?.();
  }

  /** Resolves once `count` reaches `at`. */
  until(at: number): Promise<void> {
    if (this.count >= at) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.#wake = resolve;
      this.#wakeAt = at;
    });
  }

  stop(): void {
    clearInterval(this.#watchdog);
    this.fail(new Error("stopped"));
  }
}

async function explain(ctx: Ctx, slowBefore: number, err: unknown): Promise<Error> {
  const slow = (await slowConsumers(ctx)) - slowBefore;
  const msg = err instanceof Error ? err.message : String(err);
  return new Error(
    slow > 0 ? `server dropped the subscriber as a slow consumer (${msg})` : msg,
  );
}

/**
 * Pre-framed `PUB subject size` frames for `n` messages, written in ~128 KiB
 * batches by a raw connection, at most PUB_WINDOW_BYTES ahead of `p`.
 */
async function rawPublish(
  pub: RawConn,
  p: Progress,
  subject: string,
  n: number,
  size: number,
): Promise<void> {
  const encoder = new TextEncoder();
  const head = encoder.encode(`PUB ${subject} ${size}\r\n`);
  const one = new Uint8Array(head.length + size + 2);
  one.set(head);
  one.fill(PAYLOAD_BYTE, head.length, head.length + size);
  one.set([13, 10], head.length + size);
  const perBatch = Math.max(1, Math.floor(PUB_BATCH_BYTES / one.length));
  const batch = new Uint8Array(perBatch * one.length);
  for (let i = 0; i < perBatch; i++) batch.set(one, i * one.length);
  const window = Math.max(perBatch * 2, Math.floor(PUB_WINDOW_BYTES / one.length));
  let sent = 0;
  while (sent < n) {
    if (sent - p.count > window) {
      await p.until(sent - (window >> 1));
      continue;
    }
    const k = Math.min(perBatch, n - sent);
    await pub.write(k === perBatch ? batch : batch.subarray(0, k * one.length));
    sent += k;
  }
  await pub.ping();
}

/**
 * Subscribes with `who` (or, for "floor", a raw-socket subscriber that only
 * finds the frames and counts their bytes: the most any client can receive
 * on this machine) while a raw connection publishes `n` messages.
 */
async function benchSubscribe(
  ctx: Ctx,
  who: ContestantId,
  n: number,
  size: number,
): Promise<Measurement> {
  const subject = unique(ctx, "bench.sub");
  const slowBefore = await slowConsumers(ctx);
  let nc: BenchConn | undefined;
  let raw: RawConn | undefined;
  let pub: RawConn | undefined;
  const p = new Progress(n);
  try {
    if (who === "floor") {
      raw = await rawConn(ctx, `SUB ${subject} 1\r\n`);
      raw.onMsg = (_b, _rs, _re, ps, pe) => p.got(pe - ps);
    } else {
      nc = await open(ctx, who, "sub");
      nc.subscribe(subject, {
        callback: (err, m) => {
          if (err !== null) p.fail(err);
          else p.got(m.data.length);
        },
      });
      await nc.flush();
    }
    pub = await rawConn(ctx);
    const s0 = await serverCpuUs(ctx);
    const c0 = ctx.host.cpuUs();
    const publishing = rawPublish(pub, p, subject, n, size);
    publishing.catch((e) => p.fail(e));
    try {
      await p.done;
      await publishing;
    } catch (err) {
      throw await explain(ctx, slowBefore, err);
    }
    const cpu = ctx.host.cpuUs() - c0;
    const s1 = await serverCpuUs(ctx);
    if (p.bytes !== n * size) throw new Error(`received ${p.bytes} bytes, expected ${n * size}`);
    const ms = p.t1 - p.t0;
    const m: Record<string, number> = { rate: ((n - 1) / ms) * 1000, ms, cpuUs: cpu / n };
    if (s0 !== undefined && s1 !== undefined) m.serverCpuUs = (s1 - s0) / n;
    return { metrics: m };
  } finally {
    p.stop();
    pub?.close();
    raw?.close();
    await shut(nc);
  }
}

/** One connection subscribes to a subject and publishes to it. */
async function benchPubSub(
  ctx: Ctx,
  who: ClientId,
  n: number,
  size: number,
): Promise<Measurement> {
  const subject = unique(ctx, "bench.pubsub");
  const slowBefore = await slowConsumers(ctx);
  let nc: BenchConn | undefined;
  const p = new Progress(n);
  try {
    nc = await open(ctx, who, "pubsub");
    nc.subscribe(subject, {
      callback: (err, m) => {
        if (err !== null) p.fail(err);
        else p.got(m.data.length);
      },
    });
    await nc.flush();
    const payload = payloadOf(size);
    const window = Math.max(1_000, Math.floor(PUB_WINDOW_BYTES / 2 / (size + 40)));
    const stop = await meter(ctx, n);
    try {
      let sent = 0;
      while (sent < n) {
        if (sent - p.count >= window) {
          await Promise.race([p.until(sent - (window >> 1)), p.done]);
          continue;
        }
        const k = Math.min(n - sent, window - (sent - p.count));
        for (let i = 0; i < k; i++) nc.publish(subject, payload);
        sent += k;
      }
      await p.done;
    } catch (err) {
      throw await explain(ctx, slowBefore, err);
    }
    const m = await stop();
    if (p.bytes !== n * size) throw new Error(`received ${p.bytes} bytes, expected ${n * size}`);
    return { metrics: m };
  } finally {
    p.stop();
    await shut(nc);
  }
}

/** Starts a responder echoing the payload, on its own connection. */
async function responder(ctx: Ctx, who: ClientId, subject: string): Promise<BenchConn> {
  const nc = await open(ctx, who, "responder");
  nc.subscribe(subject, {
    callback: (err, m) => {
      if (err === null) m.respond(m.data);
    },
  });
  await nc.flush();
  return nc;
}

/** Sends one request and resolves on its reply. */
type Requester = () => Promise<unknown>;

/** A client's requester with its own responder, as a {@link Requester}. */
async function clientRequester(
  ctx: Ctx,
  who: ClientId,
  subject: string,
  conns: BenchConn[],
): Promise<Requester> {
  conns.push(await responder(ctx, who, subject));
  const nc = await open(ctx, who, "requester");
  conns.push(nc);
  const payload = payloadOf(16);
  const opts = { timeout: REQUEST_TIMEOUT_MS };
  return () => nc.request(subject, payload, opts);
}

/**
 * The floor: a raw requester and a raw responder, each a hand-written client
 * on a plain socket of this runtime, pre-framed PUBs, no parsing beyond
 * finding the frame. What request/reply costs with no client library at all.
 */
async function floorRequester(ctx: Ctx, subject: string, raws: RawConn[]): Promise<Requester> {
  const inbox = unique(ctx, "_INBOX.floor");
  const rsp = await rawConn(ctx, `SUB ${subject} 1\r\n`);
  raws.push(rsp);
  rsp.onMsg = (b, rs, re, ps, pe) => {
    // PUB <reply> <size>\r\n<payload>\r\n, assembled from the MSG's bytes.
    const size = String(pe - ps);
    const frame = new Uint8Array(4 + (re - rs) + 1 + size.length + 2 + (pe - ps) + 2);
    let i = 0;
    for (const c of "PUB ") frame[i++] = c.charCodeAt(0);
    frame.set(b.subarray(rs, re), i);
    i += re - rs;
    frame[i++] = 32;
    for (const c of size) frame[i++] = c.charCodeAt(0);
    frame[i++] = 13;
    frame[i++] = 10;
    frame.set(b.subarray(ps, pe), i);
    i += pe - ps;
    frame[i++] = 13;
    frame[i++] = 10;
    rsp.write(frame).catch(() => {});
  };
  const req = await rawConn(ctx, `SUB ${inbox} 1\r\n`);
  raws.push(req);
  let wake: (() => void) | null = null;
  req.onMsg = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  const frame = new TextEncoder().encode(`PUB ${subject} ${inbox} 16\r\n${"a".repeat(16)}\r\n`);
  return () => {
    const got = new Promise<void>((r) => wake = r);
    req.write(frame).catch(() => {});
    return got;
  };
}

/** Requests per turn before the next contestant takes over. */
const RR_BLOCK = 100;

/**
 * Sequential request/reply: each contestant (the two clients, each with its
 * own responder, and the raw floor) sends `k` requests one at a time. They
 * take turns in blocks of RR_BLOCK requests, so a change in the machine's
 * load hits all three alike; CPU time is counted per contestant.
 */
async function benchRequestReplyAll(
  ctx: Ctx,
  order: readonly ContestantId[],
  k: number,
): Promise<Partial<Record<ContestantId, Measurement>>> {
  const conns: BenchConn[] = [];
  const raws: RawConn[] = [];
  try {
    const subject = unique(ctx, "bench.rr");
    const reqs: Partial<Record<ContestantId, Requester>> = {};
    for (const who of order) {
      reqs[who] = who === "floor"
        ? await floorRequester(ctx, `${subject}.floor`, raws)
        : await clientRequester(ctx, who, `${subject}.${who}`, conns);
    }
    for (const who of order) {
      for (let i = 0; i < REQUEST_WARMUP; i++) await reqs[who]!();
    }
    const lat: Partial<Record<ContestantId, number[]>> = {};
    const cpu: Partial<Record<ContestantId, number>> = {};
    for (const who of order) {
      lat[who] = [];
      cpu[who] = 0;
    }
    for (let done = 0; done < k; done += RR_BLOCK) {
      const m = Math.min(RR_BLOCK, k - done);
      for (const who of order) {
        const send = reqs[who]!;
        const l = lat[who]!;
        const c0 = ctx.host.cpuUs();
        for (let i = 0; i < m; i++) {
          const t = performance.now();
          await send();
          l.push(micros(performance.now() - t));
        }
        cpu[who]! += ctx.host.cpuUs() - c0;
      }
    }
    const out: Partial<Record<ContestantId, Measurement>> = {};
    for (const who of order) {
      const l = lat[who]!;
      out[who] = {
        metrics: { median: median(l), p99: percentile(l, 99), cpuUs: cpu[who]! / l.length },
      };
    }
    return out;
  } finally {
    for (const r of raws) r.close();
    for (const nc of conns) await shut(nc);
  }
}

async function benchConcurrent(
  ctx: Ctx,
  who: ClientId,
  n: number,
  reps: number,
): Promise<Measurement> {
  const subject = unique(ctx, "bench.rr");
  let rsp: BenchConn | undefined;
  let nc: BenchConn | undefined;
  try {
    rsp = await responder(ctx, who, subject);
    nc = await open(ctx, who, "requester");
    const requester = nc;
    const payload = payloadOf(16);
    const opts = { timeout: REQUEST_TIMEOUT_MS };
    for (let i = 0; i < REQUEST_WARMUP; i++) await requester.request(subject, payload, opts);
    const times: number[] = [];
    const c0 = ctx.host.cpuUs();
    for (let r = 0; r < reps; r++) {
      const t = performance.now();
      const all: Promise<BenchMsg>[] = [];
      for (let i = 0; i < n; i++) all.push(requester.request(subject, payload, opts));
      await Promise.all(all);
      times.push(Math.round((performance.now() - t) * 1e3) / 1e3);
    }
    const cpu = ctx.host.cpuUs() - c0;
    return { metrics: { ms: median(times), cpuUs: cpu / (n * reps) } };
  } finally {
    await shut(nc);
    await shut(rsp);
  }
}

// ------------------------------------------------------- JetStream benches

/** A JetStream session of one client: its connection, client and manager. */
interface JsSession {
  nc: BenchConn;
  js: BenchJs;
  jsm: BenchJsm;
}

async function jsOpen(ctx: Ctx, who: ClientId, name: string): Promise<JsSession> {
  const nc = await open(ctx, who, name);
  const lib = ctx.clients[who];
  return { nc, js: lib.jetstream(nc), jsm: await lib.jetstreamManager(nc) };
}

/** Our client on its own connection, for setup and checks (not timed). */
let admin: JsSession | undefined;
async function adminOf(ctx: Ctx): Promise<JsSession> {
  return admin ??= await jsOpen(ctx, "ours", "admin");
}

/** Closes the admin connection. */
export async function closeAdmin(): Promise<void> {
  const a = admin;
  admin = undefined;
  if (a !== undefined) await shut(a.nc);
}

async function freshStream(ctx: Ctx, subject: string): Promise<string> {
  const name = `B_${ctx.tag}_${++ctx.seq}`;
  await (await adminOf(ctx)).jsm.streams.add({ name, subjects: [subject], storage: "memory" });
  return name;
}

async function checkStream(ctx: Ctx, stream: string, n: number): Promise<void> {
  const jsm = (await adminOf(ctx)).jsm;
  const si = await jsm.streams.info(stream);
  if (si.state.messages !== n) {
    throw new Error(`stream ${stream} holds ${si.state.messages} messages, expected ${n}`);
  }
  await jsm.streams.delete(stream);
}

async function benchJsPublish(
  ctx: Ctx,
  who: ClientId,
  n: number,
  size: number,
  window: number,
): Promise<Measurement> {
  const subject = unique(ctx, "bench.js");
  const stream = await freshStream(ctx, subject);
  const s = await jsOpen(ctx, who, "jspub");
  try {
    const js = s.js;
    const payload = payloadOf(size);
    const stop = await meter(ctx, n);
    if (window <= 1) {
      for (let i = 0; i < n; i++) await js.publish(subject, payload);
    } else {
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
      for (let i = 0; i < n; i++) {
        while (inflight >= window) await new Promise<void>((r) => wake = r);
        inflight++;
        js.publish(subject, payload).then(done, fail);
      }
      while (inflight > 0) await new Promise<void>((r) => wake = r);
      if (failed !== null) throw failed;
    }
    const m = await stop();
    await checkStream(ctx, stream, n);
    return { metrics: m };
  } finally {
    await shut(s.nc);
  }
}

/** Streams filled once per (count, size), read by a fresh durable per run. */
const consumeStreams = new Map<string, string>();

async function consumeStream(ctx: Ctx, n: number, size: number): Promise<string> {
  const key = `${n}/${size}`;
  const have = consumeStreams.get(key);
  if (have !== undefined) return have;
  const subject = unique(ctx, "bench.consume");
  const stream = await freshStream(ctx, subject);
  await fillStream((await adminOf(ctx)).js, subject, n, payloadOf(size));
  consumeStreams.set(key, stream);
  return stream;
}

/** Publishes `n` messages to a stream's subject, 1,000 PubAcks outstanding at most. */
export async function fillStream(
  js: BenchJs,
  subject: string,
  n: number,
  payload: Uint8Array,
): Promise<void> {
  const acks: Promise<unknown>[] = [];
  for (let i = 0; i < n; i++) {
    acks.push(js.publish(subject, payload));
    if (acks.length === 1_000) await Promise.all(acks.splice(0));
  }
  await Promise.all(acks);
}

/**
 * Waits (untimed) until consumer `name` has processed all `n` acks, then
 * deletes it. JetStream applies acks asynchronously: the PONG of a flush does
 * not mean the consumer has processed them all. A lost ack throws.
 */
export async function waitAckFloor(
  jsm: BenchJsm,
  stream: string,
  name: string,
  n: number,
): Promise<void> {
  let floor = 0;
  for (const t = performance.now(); performance.now() - t < 5_000;) {
    floor = (await jsm.consumers.info(stream, name)).ack_floor.stream_seq;
    if (floor === n) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  if (floor !== n) throw new Error(`consumer ${name}: ack floor ${floor}, expected ${n}`);
  await jsm.consumers.delete(stream, name);
}

/**
 * The raw-socket floor of the consume benches: pulls exactly as nats-rt's
 * `consume({ max_messages: PULL_BATCH })` does (one pull of PULL_BATCH, then
 * a pull topping it up whenever a quarter of it has arrived), acks every
 * message with a pre-framed `PUB <reply> 0`, the acks of one read in one
 * write, and parses nothing beyond finding the frames.
 */
async function rawConsume(ctx: Ctx, stream: string, name: string, n: number) {
  const inbox = `_INBOX.raw_${ctx.tag}_${++ctx.seq}`;
  const raw = await rawConn(ctx, `SUB ${inbox} 1\r\n`);
  const p = new Progress(n);
  try {
    const te = new TextEncoder();
    const pullHead = `PUB $JS.API.CONSUMER.MSG.NEXT.${stream}.${name} ${inbox} `;
    const pull = (batch: number) => {
      const body = `{"batch":${batch}}`;
      raw.send(te.encode(`${pullHead}${body.length}\r\n${body}\r\n`));
    };
    const ackTail = te.encode(" 0\r\n\r\n");
    let acks = new Uint8Array(64 * 1024);
    let pos = 0;
    let queued = false;
    const flushAcks = () => {
      queued = false;
      raw.send(acks.slice(0, pos));
      pos = 0;
    };
    let outstanding = 0;
    raw.onMsg = (b, rs, re) => {
      if (re <= rs) return; // a status message (no reply subject)
      const need = pos + 4 + (re - rs) + ackTail.length;
      if (need > acks.length) {
        const grown = new Uint8Array(Math.max(need, acks.length * 2));
        grown.set(acks.subarray(0, pos));
        acks = grown;
      }
      acks[pos] = 0x50; // "PUB "
      acks[pos + 1] = 0x55;
      acks[pos + 2] = 0x42;
      acks[pos + 3] = 0x20;
      acks.set(b.subarray(rs, re), pos + 4);
      acks.set(ackTail, pos + 4 + (re - rs));
      pos = need;
      if (!queued) {
        queued = true;
        queueMicrotask(flushAcks);
      }
      outstanding--;
      if (outstanding <= PULL_BATCH * 0.75 && p.count + 1 + outstanding < n) {
        pull(PULL_BATCH - outstanding);
        outstanding = PULL_BATCH;
      }
      p.got(re - rs);
    };
    const stop = await meter(ctx, n);
    pull(PULL_BATCH);
    outstanding = PULL_BATCH;
    await p.done;
    await raw.ping(); // the acks reached the server
    return await stop();
  } finally {
    p.stop();
    raw.close();
  }
}

async function benchConsume(
  ctx: Ctx,
  who: ContestantId,
  n: number,
  size: number,
  callback: boolean,
): Promise<Measurement> {
  const stream = await consumeStream(ctx, n, size);
  const name = `c_${ctx.tag}_${++ctx.seq}`;
  const jsm = (await adminOf(ctx)).jsm;
  await jsm.consumers.add(stream, {
    durable_name: name,
    ack_policy: "explicit",
    max_ack_pending: 20_000,
  });
  if (who === "floor") {
    const m = await rawConsume(ctx, stream, name, n);
    await waitAckFloor(jsm, stream, name, n);
    return { metrics: m };
  }
  const s = await jsOpen(ctx, who, "consume");
  try {
    const c = await s.js.consumers.get(stream, name);
    let count = 0;
    let m: Record<string, number>;
    if (callback) {
      let resolve!: () => void;
      const finished = new Promise<void>((r) => resolve = r);
      const stop = await meter(ctx, n);
      const msgs = await c.consume({
        max_messages: PULL_BATCH,
        callback: (jm) => {
          jm.ack();
          if (++count === n) resolve();
        },
      });
      await finished;
      await s.nc.flush(); // the acks reached the server
      m = await stop();
      await msgs.close();
    } else {
      const stop = await meter(ctx, n);
      const msgs = await c.consume({ max_messages: PULL_BATCH });
      for await (const jm of msgs) {
        jm.ack();
        if (++count === n) break;
      }
      await s.nc.flush();
      m = await stop();
      await msgs.close();
    }
    await waitAckFloor(jsm, stream, name, n);
    return { metrics: m };
  } finally {
    await shut(s.nc);
  }
}

// ------------------------------------------------------------ bench table

const BOTH: readonly ContestantId[] = ["ours", "official"];

function pubSubRows(): BenchDef[] {
  const defs: BenchDef[] = [];
  for (const [suffix, size] of [["16", 16], ["1k", 1024]] as const) {
    const label = size === 16 ? "16 B" : "1 KiB";
    defs.push({
      name: `pub${suffix}`,
      title: `publish ${label}`,
      params: (s) => ({ msgs: s[`pub${suffix}`], size }),
      contestants: BOTH,
      run: (ctx, who, k) =>
        benchPublish(ctx, who as ClientId, scaled(ctx.sizes[`pub${suffix}`], k), size),
    });
  }
  for (const [suffix, size] of [["16", 16], ["1k", 1024]] as const) {
    const label = size === 16 ? "16 B" : "1 KiB";
    defs.push({
      name: `sub${suffix}`,
      title: `subscribe ${label} (raw publisher; raw subscriber as the ceiling)`,
      params: (s) => ({ msgs: s[`sub${suffix}`], size }),
      contestants: ["ours", "official", "floor"],
      run: (ctx, who, k) => benchSubscribe(ctx, who, scaled(ctx.sizes[`sub${suffix}`], k), size),
    });
  }
  for (const [suffix, size] of [["16", 16], ["1k", 1024]] as const) {
    const label = size === 16 ? "16 B" : "1 KiB";
    defs.push({
      name: `pubsub${suffix}`,
      title: `publish + subscribe, one connection, ${label}`,
      params: (s) => ({ msgs: s[`pubsub${suffix}`], size }),
      contestants: BOTH,
      run: (ctx, who, k) =>
        benchPubSub(ctx, who as ClientId, scaled(ctx.sizes[`pubsub${suffix}`], k), size),
    });
  }
  return defs;
}

function jsRows(): BenchDef[] {
  const defs: BenchDef[] = [];
  for (const [suffix, size] of [["16", 16], ["1k", 1024]] as const) {
    const label = size === 16 ? "16 B" : "1 KiB";
    defs.push({
      name: `js_sync${suffix}`,
      title: `JetStream publish, awaited one by one, ${label}`,
      params: (s) => ({ msgs: s.jsSync, size }),
      contestants: BOTH,
      run: (ctx, who, k) =>
        benchJsPublish(ctx, who as ClientId, scaled(ctx.sizes.jsSync, k), size, 1),
    });
    defs.push({
      name: `js_async${suffix}`,
      title: `JetStream publish, pipelined (window ${JS_WINDOW}), ${label}`,
      params: (s) => ({ msgs: s.jsAsync, size, window: JS_WINDOW }),
      contestants: BOTH,
      run: (ctx, who, k) =>
        benchJsPublish(ctx, who as ClientId, scaled(ctx.sizes.jsAsync, k), size, JS_WINDOW),
    });
  }
  for (const [suffix, size] of [["16", 16], ["1k", 1024]] as const) {
    const label = size === 16 ? "16 B" : "1 KiB";
    for (const cb of [false, true]) {
      defs.push({
        name: `js_${cb ? "cb" : "iter"}${suffix}`,
        title: `pull consume + ack (${cb ? "callback" : "iterator"}), ${label}`,
        params: (s) => ({ msgs: s.jsConsume, size, batch: PULL_BATCH }),
        // The callback style runs next to a raw-socket consumer (the ceiling).
        contestants: cb ? ["ours", "official", "floor"] : BOTH,
        run: (ctx, who, k) => benchConsume(ctx, who, scaled(ctx.sizes.jsConsume, k), size, cb),
      });
    }
  }
  return defs;
}

/** Every bench of the runner, in run order (`--only` takes these names). */
export const BENCHES: readonly BenchDef[] = [
  ...pubSubRows(),
  {
    name: "rr",
    title: "request/reply, sequential, 16 B (with the raw floor, taking turns)",
    params: (s) => ({ requests: s.rr, size: 16, block: RR_BLOCK }),
    contestants: ["ours", "official", "floor"],
    run: () => Promise.reject(new Error("rr runs all contestants at once")),
    runAll: (ctx, order, k) => benchRequestReplyAll(ctx, order, scaled(ctx.sizes.rr, k)),
  },
  {
    name: "concurrent",
    title: "1,000 concurrent requests (Promise.all), 16 B",
    params: (s) => ({ requests: s.concurrent, reps: s.concurrentReps }),
    contestants: BOTH,
    run: (ctx, who, k) =>
      benchConcurrent(
        ctx,
        who as ClientId,
        ctx.sizes.concurrent,
        Math.max(1, Math.round(ctx.sizes.concurrentReps * k)),
      ),
  },
  ...jsRows(),
];

/** Names of every bench. */
export const BENCH_NAMES: readonly string[] = BENCHES.map((b) => b.name);

// ----------------------------------------------------------------- runner

/** One round of one bench. */
export interface RoundRecord {
  round: number;
  warmup: boolean;
  order: ContestantId[];
  results: Partial<Record<ContestantId, Measurement | { error: string }>>;
}

/** Everything measured by one bench. */
export interface BenchRecord {
  name: string;
  title: string;
  params: Record<string, number>;
  rounds: RoundRecord[];
  /** Median over timed rounds of each metric, per contestant. */
  medians: Partial<Record<ContestantId, Record<string, number>>>;
  errors: string[];
}

function orderFor(contestants: readonly ContestantId[], round: number): ContestantId[] {
  const n = contestants.length;
  const r = ((round % n) + n) % n;
  return [...contestants.slice(r), ...contestants.slice(0, r)];
}

function describe(m: Measurement): string {
  return Object.entries(m.metrics)
    .map(([k, v]) => `${k}=${v >= 1000 ? Math.round(v) : v.toFixed(1)}`)
    .join(" ");
}

/** Runs one bench: a warm-up round, then `sizes.rounds` timed rounds. */
export async function runBench(ctx: Ctx, def: BenchDef): Promise<BenchRecord> {
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
    if (def.runAll !== undefined) {
      try {
        const all = await def.runAll(ctx, order, warmup ? WARMUP_FRACTION : 1);
        for (const who of order) {
          const m = all[who];
          if (m === undefined) continue;
          rr.results[who] = m;
          parts.push(`${who}: ${describe(m)}`);
        }
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        for (const who of order) rr.results[who] = { error: msg };
        rec.errors.push(`round ${round}: ${msg}`);
        parts.push(`ERROR ${msg}`);
        await shutAll();
      }
    }
    for (const who of def.runAll === undefined ? order : []) {
      try {
        const m = await def.run(ctx, who, warmup ? WARMUP_FRACTION : 1);
        rr.results[who] = m;
        parts.push(`${who}: ${describe(m)}`);
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        rr.results[who] = { error: msg };
        rec.errors.push(`round ${round} ${who}: ${msg}`);
        parts.push(`${who}: ERROR ${msg}`);
        await shutAll();
        await closeAdmin();
      }
    }
    rec.rounds.push(rr);
    ctx.host.progress(
      `  [${ctx.host.runtime}] ${def.name} ${warmup ? "warm-up" : `round ${round}/${s.rounds}`}: ` +
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

// -------------------------------------------------------------------- RSS

/** One subscribe run of the RSS bench. */
export interface RssRun {
  /** Highest RSS sampled during the run, bytes. */
  peak: number;
  /** RSS when the run ended, bytes. */
  end: number;
  /** Messages per second. */
  rate: number;
}

/** What an RSS child reports. */
export interface RssRecord {
  client: ClientId;
  msgs: number;
  size: number;
  /** RSS before the first run (client loaded, nothing connected). */
  base: number;
  runs: RssRun[];
}

/** How often RSS is sampled during a run (ms). */
const RSS_SAMPLE_MS = 20;

/**
 * `runs` subscribe runs of `n` 16-byte messages each, every run on a fresh
 * connection with a raw publisher, sampling RSS meanwhile. Meant for a
 * process that loaded only this one client.
 */
export async function runRss(ctx: Ctx, who: ClientId): Promise<RssRecord> {
  const n = ctx.sizes.rssMsgs;
  const size = 16;
  const rec: RssRecord = { client: who, msgs: n, size, base: ctx.host.rss(), runs: [] };
  for (let r = 0; r < ctx.sizes.rssRuns; r++) {
    let peak = ctx.host.rss();
    const sampler = setInterval(() => {
      const v = ctx.host.rss();
      if (v > peak) peak = v;
    }, RSS_SAMPLE_MS);
    try {
      const m = await benchSubscribe(ctx, who, n, size);
      const end = ctx.host.rss();
      if (end > peak) peak = end;
      rec.runs.push({ peak, end, rate: m.metrics.rate });
      ctx.host.progress(
        `  [${ctx.host.runtime}] rss ${who} run ${r + 1}/${ctx.sizes.rssRuns}: ` +
          `peak ${(peak / 2 ** 20).toFixed(1)} MiB, end ${(end / 2 ** 20).toFixed(1)} MiB, ` +
          `${Math.round(m.metrics.rate)} msg/s`,
      );
    } finally {
      clearInterval(sampler);
    }
  }
  return rec;
}

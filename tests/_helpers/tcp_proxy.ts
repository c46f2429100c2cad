// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * A test-owned TCP proxy on loopback, for faults a real server cannot make by
 * itself: partitions, a reader that stops reading, and byte streams cut into
 * tiny pieces.
 *
 * Each accepted client connection is paired with a fresh connection to the
 * target, and two pumps move bytes between them according to the current
 * {@link ProxyMode} (changing the mode affects live pairs at once):
 *
 * - `forward`: bytes pass through unchanged.
 * - `blackhole`: both directions keep being read, nothing is forwarded (a
 *   network partition: no RST, no FIN, just silence). New connections are
 *   still accepted and paired, then silenced the same way.
 * - `rechunk`: both directions are forwarded in random writes of 1 to 7 bytes
 *   (Nagle off), so the peers' parsers see frames split at every offset.
 * - `stall`: toward the server bytes pass; toward the client nothing is even
 *   read from the server, so the server's socket backs up (a client that
 *   stopped reading: the server-side slow consumer).
 *
 * When either side of a pair ends (EOF or error), both sides are closed.
 * {@link TcpProxy.close} stops the listener, closes every pair and awaits
 * every task it started, so Deno's op and resource sanitizers stay clean.
 *
 * @module
 */

/** How the proxy treats bytes; see the module documentation. */
export type ProxyMode = "forward" | "blackhole" | "rechunk" | "stall";

/** Options for {@link TcpProxy.start}. */
export interface ProxyOptions {
  /** Initial mode (default `forward`). */
  mode?: ProxyMode;
  /** Target host (default 127.0.0.1). */
  hostname?: string;
  /** Seed for the rechunking PRNG (default: random). */
  seed?: number;
}

/** Byte counters, per direction, of what was actually forwarded. */
export interface ProxyStats {
  /** Client connections accepted so far. */
  accepted: number;
  /** Pairs currently open. */
  open: number;
  /** Bytes written toward the server. */
  toServer: number;
  /** Bytes written toward the client. */
  toClient: number;
  /** Bytes read and discarded in `blackhole` mode (both directions). */
  discarded: number;
  /** Writes made in `rechunk` mode (both directions). */
  chunkedWrites: number;
}

/** A small, fast PRNG (mulberry32), seeded so a failing run can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Pair {
  client: Deno.TcpConn;
  server: Deno.TcpConn | undefined;
  closed: boolean;
  tasks: Promise<void>[];
}

/** A loopback TCP proxy in front of one target port. */
export class TcpProxy {
  /** Seed of the rechunking PRNG. */
  readonly seed: number;
  readonly #listener: Deno.TcpListener;
  readonly #hostname: string;
  readonly #targetPort: number;
  readonly #pairs = new Set<Pair>();
  readonly #tasks = new Set<Promise<void>>();
  readonly #rand: () => number;
  #mode: ProxyMode;
  #modeChanged: { promise: Promise<void>; resolve: () => void };
  #acceptLoop: Promise<void>;
  #closing: Promise<void> | undefined;
  #stats: ProxyStats = {
    accepted: 0,
    open: 0,
    toServer: 0,
    toClient: 0,
    discarded: 0,
    chunkedWrites: 0,
  };

  private constructor(targetPort: number, opts: ProxyOptions) {
    this.#hostname = opts.hostname ?? "127.0.0.1";
    this.#targetPort = targetPort;
    this.#mode = opts.mode ?? "forward";
    this.seed = opts.seed ?? (crypto.getRandomValues(new Uint32Array(1))[0]);
    this.#rand = prng(this.seed);
    this.#modeChanged = TcpProxy.#signal();
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    this.#acceptLoop = this.#accept();
  }

  /** Starts a proxy on a free loopback port in front of `targetPort`. */
  static start(targetPort: number, opts: ProxyOptions = {}): TcpProxy {
    return new TcpProxy(targetPort, opts);
  }

  static #signal(): { promise: Promise<void>; resolve: () => void } {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => resolve = r);
    return { promise, resolve };
  }

  /** The port the proxy listens on. */
  get port(): number {
    return this.#listener.addr.port;
  }

  /** `nats://127.0.0.1:<port>`. */
  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  /** The current mode. */
  get mode(): ProxyMode {
    return this.#mode;
  }

  /** Changes the mode of every live pair and of pairs accepted later. */
  setMode(mode: ProxyMode): void {
    if (mode === this.#mode) return;
    this.#mode = mode;
    const prev = this.#modeChanged;
    this.#modeChanged = TcpProxy.#signal();
    prev.resolve();
  }

  /** A copy of the counters. */
  stats(): ProxyStats {
    return { ...this.#stats, open: this.#pairs.size };
  }

  /** Closes every open pair (both sides); the listener keeps accepting. */
  async closeAll(): Promise<void> {
    const pairs = [...this.#pairs];
    for (const p of pairs) this.#closePair(p);
    await Promise.all(pairs.flatMap((p) => p.tasks));
  }

  /** Stops accepting, closes every pair and awaits every task. Idempotent. */
  close(): Promise<void> {
    if (!this.#closing) {
      this.#closing = (async () => {
        try {
          this.#listener.close();
        } catch {
          // already closed
        }
        await this.#acceptLoop;
        for (const p of [...this.#pairs]) this.#closePair(p);
        // Wake pumps parked in `stall`.
        this.#modeChanged.resolve();
        while (this.#tasks.size > 0) await Promise.all([...this.#tasks]);
      })();
    }
    return this.#closing;
  }

  /** Same as {@link close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #track(p: Promise<void>): Promise<void> {
    const t = p.catch(() => {}).finally(() => this.#tasks.delete(t));
    this.#tasks.add(t);
    return t;
  }

  async #accept(): Promise<void> {
    for (;;) {
      let client: Deno.TcpConn;
      try {
        client = await this.#listener.accept();
      } catch {
        return; // listener closed
      }
      if (this.#closing) {
        client.close();
        return;
      }
      this.#stats.accepted++;
      const pair: Pair = { client, server: undefined, closed: false, tasks: [] };
      this.#pairs.add(pair);
      pair.tasks.push(this.#track(this.#open(pair)));
    }
  }

  async #open(pair: Pair): Promise<void> {
    let server: Deno.TcpConn;
    try {
      server = await Deno.connect({ hostname: this.#hostname, port: this.#targetPort });
    } catch {
      this.#closePair(pair);
      return;
    }
    if (pair.closed) {
      server.close();
      return;
    }
    pair.server = server;
    try {
      pair.client.setNoDelay(true);
      server.setNoDelay(true);
    } catch {
      // closed meanwhile
    }
    const up = this.#track(this.#pump(pair, pair.client, server, "toServer"));
    const down = this.#track(this.#pump(pair, server, pair.client, "toClient"));
    pair.tasks.push(up, down);
    await Promise.all([up, down]);
  }

  async #pump(
    pair: Pair,
    src: Deno.TcpConn,
    dst: Deno.TcpConn,
    dir: "toServer" | "toClient",
  ): Promise<void> {
    const buf = new Uint8Array(32 * 1024);
    try {
      while (!pair.closed) {
        if (dir === "toClient" && this.#mode === "stall") {
          await this.#modeChanged.promise;
          continue;
        }
        const n = await src.read(buf);
        if (n === null) break;
        const mode = this.#mode;
        if (mode === "blackhole") {
          this.#stats.discarded += n;
          continue;
        }
        const data = buf.subarray(0, n);
        if (mode === "rechunk") {
          let off = 0;
          while (off < n) {
            const len = Math.min(n - off, 1 + Math.floor(this.#rand() * 7));
            await this.#writeAll(dst, data.subarray(off, off + len));
            this.#stats.chunkedWrites++;
            off += len;
          }
        } else {
          await this.#writeAll(dst, data);
        }
        this.#stats[dir] += n;
      }
    } catch {
      // a side closed or reset: end the pair
    } finally {
      this.#closePair(pair);
    }
  }

  async #writeAll(dst: Deno.TcpConn, data: Uint8Array): Promise<void> {
    let off = 0;
    while (off < data.length) off += await dst.write(data.subarray(off));
  }

  #closePair(pair: Pair): void {
    if (pair.closed) return;
    pair.closed = true;
    this.#pairs.delete(pair);
    for (const c of [pair.client, pair.server]) {
      try {
        c?.close();
      } catch {
        // already closed
      }
    }
    // A pump parked in `stall` must notice the close.
    const prev = this.#modeChanged;
    this.#modeChanged = TcpProxy.#signal();
    prev.resolve();
  }
}

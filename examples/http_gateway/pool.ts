// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * The gateway's connection pool: one NATS connection per server and
 * credentials, shared by every HTTP request that names them, closed after it
 * has been idle for a while.
 *
 * - Connections are keyed by a SHA-256 of (server, TLS settings,
 *   credentials): no credential is kept as a map key or written anywhere.
 * - Concurrent requests for the same key share one dial; a failed dial is
 *   not cached, so the next request dials again (and reports the error
 *   again: 401 for refused credentials, 502 for an unreachable server).
 * - An entry counts its users; when the last one releases it, an idle timer
 *   starts; a request arriving meanwhile cancels it. A connection that
 *   closes on its own (server gone for good) leaves the pool at once.
 * - `close()` clears every timer and closes every connection, so a gateway
 *   shut down in a test leaves nothing behind.
 * - Permission violations the server reports asynchronously (a publish to a
 *   denied subject is dropped with an `-ERR`) are recorded per connection so
 *   `/publish` can turn them into a 403 instead of a silent success.
 *
 * @module
 */
import {
  connect,
  jetstream,
  type JetStreamClient,
  type JetStreamManager,
  jetstreamManager,
  type NatsConnection,
  PermissionViolationError,
} from "../../mod.ts";
import type { ConnectionSpec } from "./schema.ts";

/** Options of {@link ConnectionPool}. */
export interface PoolOptions {
  /** Milliseconds a connection may stay unused before it is closed (default 30000). */
  idleMs?: number;
  /** Connect timeout in milliseconds (default 5000). */
  connectTimeoutMs?: number;
  /** Connection name shown by the server (default `nats-rt-gateway`). */
  name?: string;
}

/** Pool counters. */
export interface PoolStats {
  /** Connections open or being opened. */
  connections: number;
  /** Connections in use by a request right now. */
  inUse: number;
  /** Dials started since the pool was created. */
  dials: number;
  /** Times a request reused an existing connection. */
  reuses: number;
  /** Connections closed because they were idle. */
  idleClosed: number;
}

/** A permission violation the server reported on a connection. */
interface RecordedViolation {
  seq: number;
  error: PermissionViolationError;
}

interface Entry {
  key: string;
  dial: Promise<NatsConnection>;
  nc?: NatsConnection;
  refs: number;
  timer?: ReturnType<typeof setTimeout>;
  jsm?: Promise<JetStreamManager>;
  js?: JetStreamClient;
  errSeq: number;
  violations: RecordedViolation[];
  watching?: Promise<void>;
}

/** One request's use of a pooled connection. Release it exactly once. */
export interface Lease {
  /** The connection. */
  readonly nc: NatsConnection;
  /** True when the connection existed before this request. */
  readonly reused: boolean;
  /** The JetStream manager of this connection (created once, on first use). */
  jsm(): Promise<JetStreamManager>;
  /** The JetStream client of this connection. */
  js(): JetStreamClient;
  /** A mark to pass to {@link Lease.violationSince} later. */
  mark(): number;
  /** A publish permission violation for `subject` reported after `mark`, if any. */
  violationSince(mark: number, subject: string): PermissionViolationError | undefined;
}

/** The gateway is shutting down and takes no new work. */
export class PoolClosedError extends Error {
  /** Creates the error. */
  constructor() {
    super("the gateway is shutting down");
    this.name = "PoolClosedError";
  }
}

const te = new TextEncoder();

/** SHA-256 (hex) of the connection parameters, credentials included. */
async function keyOf(spec: ConnectionSpec): Promise<string> {
  const material = JSON.stringify([
    spec.url,
    spec.tls,
    spec.ca ?? "",
    spec.user ?? "",
    spec.pass ?? "",
    spec.token ?? "",
  ]);
  const digest = await crypto.subtle.digest("SHA-256", te.encode(material));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Connections pooled per server + credentials, closed when idle. */
export class ConnectionPool {
  readonly #idleMs: number;
  readonly #connectTimeoutMs: number;
  readonly #name: string;
  readonly #entries = new Map<string, Entry>();
  readonly #closing = new Set<Promise<void>>();
  #closed = false;
  #dials = 0;
  #reuses = 0;
  #idleClosed = 0;

  /**
   * Creates an empty pool.
   *
   * @param opts idle time, connect timeout and connection name
   */
  constructor(opts: PoolOptions = {}) {
    this.#idleMs = opts.idleMs ?? 30_000;
    this.#connectTimeoutMs = opts.connectTimeoutMs ?? 5_000;
    this.#name = opts.name ?? "nats-rt-gateway";
  }

  /** Counters, for monitoring and tests. */
  stats(): PoolStats {
    let inUse = 0;
    for (const e of this.#entries.values()) if (e.refs > 0) inUse++;
    return {
      connections: this.#entries.size,
      inUse,
      dials: this.#dials,
      reuses: this.#reuses,
      idleClosed: this.#idleClosed,
    };
  }

  /**
   * Runs `fn` with a connection for `spec` (reused, or dialled now) and
   * releases it afterwards, whatever `fn` does.
   */
  async use<T>(spec: ConnectionSpec, fn: (lease: Lease) => Promise<T>): Promise<T> {
    const { lease, release } = await this.#acquire(spec);
    try {
      return await fn(lease);
    } finally {
      release();
    }
  }

  async #acquire(spec: ConnectionSpec): Promise<{ lease: Lease; release: () => void }> {
    const key = await keyOf(spec);
    for (let attempt = 0;; attempt++) {
      if (this.#closed) throw new PoolClosedError();
      let e = this.#entries.get(key);
      const reused = e !== undefined;
      if (e === undefined) {
        e = this.#dial(key, spec);
        this.#entries.set(key, e);
      } else {
        this.#reuses++;
      }
      e.refs++;
      clearTimeout(e.timer);
      e.timer = undefined;
      let nc: NatsConnection;
      try {
        nc = await e.dial;
      } catch (err) {
        e.refs--;
        if (this.#entries.get(key) === e) this.#entries.delete(key);
        throw err;
      }
      if (nc.isClosed() || nc.isDraining()) {
        // Closed between the lookup and now: forget it and dial again (once).
        e.refs--;
        if (this.#entries.get(key) === e) this.#entries.delete(key);
        if (attempt === 0) continue;
      }
      if (this.#closed) {
        e.refs--;
        throw new PoolClosedError();
      }
      return { lease: this.#lease(e, nc, reused), release: this.#releaser(e) };
    }
  }

  #dial(key: string, spec: ConnectionSpec): Entry {
    this.#dials++;
    const e: Entry = {
      key,
      refs: 0,
      errSeq: 0,
      violations: [],
      dial: connect({
        servers: spec.url,
        name: this.#name,
        user: spec.user,
        pass: spec.pass,
        token: spec.token,
        tls: spec.tls ? (spec.ca === undefined ? {} : { ca: spec.ca }) : undefined,
        timeout: this.#connectTimeoutMs,
        // A pooled connection rides out a short outage; one that cannot come
        // back closes and leaves the pool, and the next request dials afresh.
        reconnect: true,
        maxReconnectAttempts: 3,
        reconnectTimeWait: 250,
        reconnectTimeWaitMax: 1_000,
      }),
    };
    e.dial.then((nc) => {
      e.nc = nc;
      e.watching = this.#watch(e, nc);
    }, () => {});
    return e;
  }

  /** Follows a connection's status: records permission errors, forgets it when closed. */
  async #watch(e: Entry, nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) {
      if (s.type === "error" && s.error instanceof PermissionViolationError) {
        e.violations.push({ seq: ++e.errSeq, error: s.error });
        if (e.violations.length > 64) e.violations.shift();
      }
    }
    // The iterator ends when the connection is closed.
    clearTimeout(e.timer);
    e.timer = undefined;
    if (this.#entries.get(e.key) === e) this.#entries.delete(e.key);
  }

  #lease(e: Entry, nc: NatsConnection, reused: boolean): Lease {
    return {
      nc,
      reused,
      jsm: () => {
        if (e.jsm === undefined) {
          const p = jetstreamManager(nc);
          e.jsm = p;
          // A failed check is not cached: JetStream may be enabled later.
          p.catch(() => {
            if (e.jsm === p) e.jsm = undefined;
          });
        }
        return e.jsm;
      },
      js: () => e.js ??= jetstream(nc),
      mark: () => e.errSeq,
      violationSince: (mark, subject) =>
        e.violations.find((v) =>
          v.seq > mark && v.error.operation === "publish" && v.error.subject === subject
        )?.error,
    };
  }

  #releaser(e: Entry): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      e.refs--;
      if (e.refs > 0 || this.#closed || this.#entries.get(e.key) !== e) return;
      e.timer = setTimeout(() => {
        e.timer = undefined;
        if (e.refs > 0 || this.#entries.get(e.key) !== e) return;
        this.#entries.delete(e.key);
        this.#idleClosed++;
        this.#track(this.#closeEntry(e));
      }, this.#idleMs);
    };
  }

  #track(p: Promise<void>): void {
    this.#closing.add(p);
    p.finally(() => this.#closing.delete(p));
  }

  async #closeEntry(e: Entry): Promise<void> {
    clearTimeout(e.timer);
    e.timer = undefined;
    const nc = await e.dial.catch(() => undefined);
    if (nc !== undefined) await nc.close().catch(() => {});
    await e.watching;
  }

  /** Closes every connection and clears every timer; later requests get {@link PoolClosedError}. */
  async close(): Promise<void> {
    this.#closed = true;
    const entries = [...this.#entries.values()];
    this.#entries.clear();
    for (const e of entries) this.#track(this.#closeEntry(e));
    while (this.#closing.size > 0) await Promise.all([...this.#closing]);
  }
}

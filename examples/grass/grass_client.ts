// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * The GRASS client: subscribes to GRASS patterns with `subscribeJson`,
 * validates every message per entity type, applies it to a
 * {@link GameStore}, and counts and logs what it skips. Runtime-neutral: it
 * takes a connection, so it works with any nats-rt entry point (TCP on
 * Deno/Node/Bun, WebSocket in browsers).
 *
 * Reconnects follow the GRASS guidance — wait 1 s, double each time up to
 * 30 s, give up after 10 retries — through {@link connectionOptions}; the
 * connection resubscribes everything by itself, and the store keeps its
 * state across the outage.
 *
 * @module
 */
import type { ConnectionOptions, Msg, NatsConnection, Status } from "../../mod.ts";
import { type InvalidMessageError, type JsonSubscription, subscribeJson } from "../../src/json.ts";
import { type GrassEvent, grassValidator, issueKind } from "./schema.ts";
import { GameStore } from "./store.ts";
import { normalizePatterns } from "./subjects.ts";

/** Reconnect policy, in GRASS terms. */
export interface ReconnectPolicy {
  /** Wait before retrying after the first failed attempt, in ms (GRASS: 1000). */
  firstWaitMs: number;
  /** Cap of the wait, in ms (GRASS: 30000). */
  maxWaitMs: number;
  /** Failed attempts before giving up; -1 retries forever, 0 never reconnects (GRASS: 10). */
  maxRetries: number;
  /** Growth of the wait per failed attempt (default 2). */
  factor: number;
  /** Random extra wait, up to this many ms (default 0). */
  jitterMs: number;
}

/** The GRASS guidance: 1 s, doubling, capped at 30 s, 10 retries. */
export const GRASS_RECONNECT: Readonly<ReconnectPolicy> = Object.freeze({
  firstWaitMs: 1_000,
  maxWaitMs: 30_000,
  maxRetries: 10,
  factor: 2,
  jitterMs: 0,
});

/**
 * The wait before retry number `attempt` (1, 2, ...): `firstWaitMs ×
 * factor^(attempt-1)`, capped at `maxWaitMs`, plus jitter. With the GRASS
 * policy: 1 s, 2 s, 4 s, 8 s, 16 s, 30 s, 30 s, ...
 *
 * @param p the policy
 * @param attempt failed attempts so far (1 or more)
 * @param random source of jitter (for tests)
 * @returns milliseconds
 */
export function reconnectDelay(
  p: ReconnectPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const base = Math.min(p.firstWaitMs * p.factor ** Math.max(0, attempt - 1), p.maxWaitMs);
  return base + (p.jitterMs > 0 ? random() * p.jitterMs : 0);
}

/**
 * Maps a {@link ReconnectPolicy} onto nats-rt connection options:
 * `maxReconnectAttempts` (per server; -1 forever), `reconnectTimeWait` and
 * `reconnectTimeWaitMax` (for tools that read them) and a
 * `reconnectDelayHandler` computing {@link reconnectDelay}. nats-rt dials
 * the lost server once at once after a disconnect (a restart is often
 * quick); every later attempt waits as the policy says.
 *
 * @param p the policy (default {@link GRASS_RECONNECT})
 * @returns options to spread into `connect()`
 */
export function connectionOptions(p: ReconnectPolicy = GRASS_RECONNECT): ConnectionOptions {
  return {
    reconnect: p.maxRetries !== 0,
    maxReconnectAttempts: p.maxRetries,
    reconnectTimeWait: p.firstWaitMs,
    reconnectTimeWaitMax: p.maxWaitMs,
    reconnectJitter: p.jitterMs,
    reconnectDelayHandler: (attempt) => reconnectDelay(p, attempt),
  };
}

/** Why messages were skipped. */
export type InvalidCategory = "json" | "shape" | "mismatch" | "subject" | "validator";

/** The client's counters. */
export interface ClientCounters {
  /** Messages received (applied + ignored + invalid). */
  received: number;
  /** Messages applied to the store. */
  applied: number;
  /** Well-formed messages the store does not track. */
  ignored: number;
  /** Messages skipped as invalid. */
  invalid: number;
  /** Errors thrown while processing a valid message (logged; processing went on). */
  errors: number;
  /** Connections lost. */
  disconnects: number;
  /** Reconnects (each followed by a resubscribe). */
  reconnects: number;
  /** Reconnects after which the server has confirmed every subscription. */
  resumed: number;
  /** Skipped messages by category. */
  invalidBy: Record<InvalidCategory, number>;
}

/** Connection state as the client sees it. */
export type ConnState = "connected" | "reconnecting" | "closed";

/** A skipped message, as remembered for display. */
export interface InvalidRecord {
  /** Subject of the message. */
  subject: string;
  /** Why it was skipped. */
  category: InvalidCategory;
  /** What was wrong. */
  text: string;
}

/** Options for {@link GrassClient}. */
export interface GrassClientOptions {
  /** Patterns (subjects, wildcards, shorthands); default `structs.>`. See `normalizePatterns`. */
  patterns?: readonly string[];
  /** Store to update (default a new one). */
  store?: GameStore;
  /** Receives log lines: invalid messages, processing errors, connection events. */
  log?: (line: string) => void;
  /**
   * Called for each applied event, after the store. A throw (or rejection)
   * is logged and counted as an error; processing goes on.
   */
  onEvent?: (ev: GrassEvent, msg: Msg) => void | Promise<void>;
}

/** Describes an applied event in a few words. */
export function describeEvent(ev: GrassEvent, subject: string): string {
  switch (ev.kind) {
    case "player":
      return `${subject} player ${ev.player.id} (guild ${ev.player.guildId})${
        ev.form === "legacy" ? " [older form]" : ""
      }`;
    case "planet":
      return `${subject} ${ev.event} owner ${ev.planet.ownerId ?? "none"}`;
    case "planet_activity": {
      const h = ev.structHealth;
      return h === undefined
        ? `${subject} planet_activity ${ev.details.join(",")}`
        : `${subject} struct_health ${h.structId} ${h.health}/${h.maxHealth}`;
    }
    case "guild":
      return `${subject} ${ev.event}`;
    case "struct":
      return `${subject} ${ev.event} ${ev.struct.status}`;
    case "fleet":
      return `${subject} ${ev.event} at ${ev.fleet.locationId}`;
    case "global":
      return `${subject} block ${ev.blockHeight}`;
    case "ignored":
      return `${subject} ignored (${ev.why})`;
  }
}

/** A GRASS client on an open connection. */
export class GrassClient {
  /** The connection (owned by the caller). */
  readonly nc: NatsConnection;
  /** The game state. */
  readonly store: GameStore;
  /** What is subscribed. */
  readonly patterns: readonly string[];
  /** Notes about patterns that were rewritten or dropped. */
  readonly notes: readonly string[];
  /** Counters. */
  readonly counters: ClientCounters = {
    received: 0,
    applied: 0,
    ignored: 0,
    invalid: 0,
    errors: 0,
    disconnects: 0,
    reconnects: 0,
    resumed: 0,
    invalidBy: { json: 0, shape: 0, mismatch: 0, subject: 0, validator: 0 },
  };
  /** The last few skipped messages. */
  readonly recentInvalid: InvalidRecord[] = [];
  /** Connection state. */
  state: ConnState = "connected";
  /** The last applied event, described. */
  last: string | undefined;

  #subs: JsonSubscription<GrassEvent>[] = [];
  #log: (line: string) => void;
  #onEvent: GrassClientOptions["onEvent"];
  #waiters = new Set<() => void>();
  #status: AsyncIterator<Status>;
  #statusLoop: Promise<void>;

  /**
   * Subscribes at once; use {@link GrassClient.start} to also wait until the
   * server has the subscriptions.
   *
   * @param nc an open connection
   * @param opts patterns, store, log and hooks
   */
  constructor(nc: NatsConnection, opts: GrassClientOptions = {}) {
    this.nc = nc;
    this.store = opts.store ?? new GameStore();
    this.#log = opts.log ?? (() => {});
    this.#onEvent = opts.onEvent;
    const { patterns, notes } = normalizePatterns(opts.patterns ?? []);
    this.patterns = patterns;
    this.notes = notes;
    this.#status = nc.status()[Symbol.asyncIterator]();
    this.#statusLoop = this.#watch();
    try {
      for (const p of patterns) {
        this.#subs.push(subscribeJson(nc, p, {
          validate: grassValidator,
          callback: (m) => this.#apply(m.value, m.msg),
          onInvalid: (err) => this.#invalid(err),
        }));
      }
    } catch (err) {
      for (const s of this.#subs) s.unsubscribe();
      this.#status.return?.();
      throw err;
    }
  }

  /**
   * Subscribes and resolves once the server has every subscription.
   *
   * @param nc an open connection
   * @param opts patterns, store, log and hooks
   * @returns the client
   */
  static async start(nc: NatsConnection, opts: GrassClientOptions = {}): Promise<GrassClient> {
    const c = new GrassClient(nc, opts);
    await nc.flush();
    return c;
  }

  #apply(ev: GrassEvent, msg: Msg): void | Promise<void> {
    this.counters.received++;
    if (this.store.apply(ev)) {
      this.counters.applied++;
      this.last = describeEvent(ev, msg.subject);
    } else {
      this.counters.ignored++;
    }
    this.#notify();
    return this.#onEvent?.(ev, msg);
  }

  #invalid(err: InvalidMessageError): void {
    if (err.reason === "callback") {
      this.counters.errors++;
      this.#log(`error    ${err.subject}: processing failed: ${err.issues[0]?.message}`);
      this.#notify();
      return;
    }
    const category: InvalidCategory = err.reason === "schema"
      ? issueKind(err.issues)
      : err.reason === "json"
      ? "json"
      : "validator";
    this.counters.received++;
    this.counters.invalid++;
    this.counters.invalidBy[category]++;
    const text = err.message.slice(err.message.indexOf(": ") + 2);
    this.recentInvalid.push({ subject: err.subject, category, text });
    if (this.recentInvalid.length > 5) this.recentInvalid.shift();
    this.#log(`invalid  ${err.subject} [${category}] ${text}`);
    this.#notify();
  }

  async #watch(): Promise<void> {
    for (;;) {
      const r = await this.#status.next();
      if (r.done) break;
      const s = r.value;
      switch (s.type) {
        case "disconnect":
          this.state = "reconnecting";
          this.counters.disconnects++;
          this.#log(`disconnected from ${s.server}${s.error ? `: ${s.error.message}` : ""}`);
          break;
        case "reconnecting":
          this.#log(`reconnecting to ${s.server}: attempt ${s.attempt}, in ${s.delay} ms`);
          break;
        case "reconnect":
          this.state = "connected";
          this.counters.reconnects++;
          this.#log(`reconnected to ${s.server}; resubscribing ${this.patterns.length} pattern(s)`);
          // The connection resubscribed; this PONG confirms the server has the SUBs.
          this.nc.flush().then(() => {
            this.counters.resumed++;
            this.#log(`resumed: ${this.patterns.join(" ")}`);
            this.#notify();
          }, () => {});
          break;
        case "close":
          this.state = "closed";
          if (s.error) this.#log(`connection closed: ${s.error.message}`);
          break;
        case "error":
          this.#log(`connection error: ${s.error.message}`);
          break;
      }
      this.#notify();
    }
    if (this.nc.isClosed()) this.state = "closed";
    this.#notify();
  }

  #notify(): void {
    for (const w of [...this.#waiters]) w();
  }

  /**
   * Resolves once `pred` holds (checked after every message and connection
   * event); rejects after `timeoutMs` (`Infinity`: never).
   *
   * @param pred condition on the client
   * @param timeoutMs deadline
   * @param what named in the timeout error
   */
  waitUntil(
    pred: (c: GrassClient) => boolean,
    timeoutMs = 5_000,
    what = "condition",
  ): Promise<void> {
    if (pred(this)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      const check = () => {
        if (!pred(this)) return;
        done();
        resolve();
      };
      if (Number.isFinite(timeoutMs)) {
        timer = setTimeout(() => {
          done();
          reject(new Error(`GRASS client: timed out after ${timeoutMs} ms waiting for ${what}`));
        }, timeoutMs);
      }
      this.#waiters.add(check);
    });
  }

  /** Ends the subscriptions, delivering what is in flight; the connection stays open. */
  async stop(): Promise<void> {
    await Promise.all(
      this.#subs.map((s) => this.nc.isClosed() ? s.closed : s.drain().catch(() => s.closed)),
    );
    await this.#status.return?.();
    await this.#statusLoop;
  }
}

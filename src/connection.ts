// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * The connection: handshake, read loop, coalesced writes, subscriptions,
 * the request mux, PING/PONG bookkeeping, drain and close, and reconnect.
 * Runtime-neutral: sockets come from the {@link Transports} it is given.
 *
 * @module
 */
import {
  AuthorizationError,
  classifyServerError,
  ClosedConnectionError,
  ConnectionError,
  DrainingConnectionError,
  ErrorCode,
  MaxPayloadExceededError,
  NoRespondersError,
  PermissionViolationError,
  ProtocolError,
  TimeoutError,
} from "./errors.ts";
import { encodeHeaders } from "./headers.ts";
import { MsgImpl } from "./msg.ts";
import {
  type ParsedServer,
  parseServer,
  redactUrl,
  type ResolvedOptions,
  resolveOptions,
} from "./options.ts";
import { Parser, type ParserHandler } from "./protocol/parser.ts";
import { Outbound } from "./protocol/writer.ts";
import { type SubscriptionHost, SubscriptionImpl } from "./subscription.ts";
import type { Transport, TransportFactory, Transports } from "./transport.ts";
import type {
  Auth,
  ConnectionOptions,
  Msg,
  MsgHdrs,
  Payload,
  PublishOptions,
  RequestOptions,
  ServerInfo,
  Stats,
  Status,
  Subscription,
  SubscriptionOptions,
} from "./types.ts";
import { validatePublishSubject, validateQueueName, validateSubscribeSubject } from "./_subject.ts";
import { nuid } from "./_nuid.ts";
import { Channel } from "./_channel.ts";
import { VERSION } from "./version.ts";

const EMPTY = new Uint8Array(0);
const PING = new TextEncoder().encode("PING\r\n");
const PONG = new TextEncoder().encode("PONG\r\n");
/** Past this many queued bytes a publish flushes inline instead of waiting for the microtask. */
const FLUSH_THRESHOLD = 64 * 1024;
/** Default request timeout (ms), as in nats.js. */
const DEFAULT_REQUEST_TIMEOUT = 1_000;
/** Longest close() waits for unsent bytes to reach the socket (ms). */
const CLOSE_FLUSH_TIMEOUT = 2_000;
/** Status events kept for an iterator that is not being read. */
const STATUS_BACKLOG = 1_024;

/** An open connection to a NATS server. nats.js v3 names and shapes. */
export interface NatsConnection {
  /** The INFO of the server currently connected (updated by later INFOs). */
  readonly info: ServerInfo | undefined;
  /** Publishes a message; synchronous, fire-and-forget. */
  publish(subject: string, payload?: Payload, opts?: PublishOptions): void;
  /** Subscribes to a subject (wildcards allowed). */
  subscribe(subject: string, opts?: SubscriptionOptions): Subscription;
  /** Sends a request and resolves with the first reply. */
  request(
    subject: string,
    payload?: Payload,
    opts?: RequestOptions,
  ): Promise<Msg>;
  /** Resolves when the server has processed everything sent so far. */
  flush(): Promise<void>;
  /** Round trip time to the server in milliseconds. */
  rtt(): Promise<number>;
  /** Drains all subscriptions, flushes, then closes. */
  drain(): Promise<void>;
  /** Closes the connection; pending work is flushed first. */
  close(): Promise<void>;
  /** Resolves when the connection is closed, with the error that closed it, if any. */
  closed(): Promise<void | Error>;
  /** True once closed. */
  isClosed(): boolean;
  /** True while draining. */
  isDraining(): boolean;
  /** Message and byte counters. */
  stats(): Stats;
  /** Async iterator of connection events. */
  status(): AsyncIterable<Status>;
  /** URL of the server currently connected (credentials removed). */
  getServer(): string;
  /** A fresh inbox subject under this connection's `inboxPrefix`. */
  createInbox(): string;
  /** Same as `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

type State = "connecting" | "connected" | "reconnecting" | "draining" | "closed";

/** A server in the pool, with its reconnect bookkeeping. */
interface PoolEntry extends ParsedServer {
  /** Consecutive failed dials. */
  failures: number;
  /** Not to be dialled before this time (performance.now()). */
  readyAt: number;
  /** Learned from INFO connect_urls rather than given by the user. */
  gossiped: boolean;
  /** TLS name to verify when the entry is an IP learned by gossip. */
  tlsName?: string;
  /** Text of the last authorization error from this server, for the twice-in-a-row rule. */
  lastAuthError?: string;
}

function entry(s: ParsedServer, gossiped = false, tlsName?: string): PoolEntry {
  return { ...s, failures: 0, readyAt: 0, gossiped, tlsName };
}

/** `host:port` or `[ipv6]:port` as servers advertise them in connect_urls. */
const HOSTPORT_RE = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/;
const IP_RE = /^(\d+\.\d+\.\d+\.\d+|.*:.*)$/;

interface PendingRequest {
  resolve: (m: Msg) => void;
  reject: (e: Error) => void;
  subject: string;
  /** performance.now() past which the request times out. */
  deadline: number;
  timeout: number;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/** A PONG waiter; `null` stands for a PING whose waiter is gone. */
type PongWaiter = ((err?: Error) => void) | null;

interface Handshake {
  phase: "info" | "pong";
  resolve: () => void;
  reject: (e: Error) => void;
}

const REDACTED = "[REDACTED]";
function redactConnect(c: Record<string, unknown>): string {
  const copy: Record<string, unknown> = { ...c };
  for (const k of ["pass", "auth_token", "sig", "jwt"]) {
    if (copy[k] !== undefined) copy[k] = REDACTED;
  }
  return `CONNECT ${JSON.stringify(copy)}`;
}

/** Internal implementation of {@link NatsConnection}. */
export class NatsConnectionImpl implements NatsConnection {
  /** The current server's INFO. */
  info: ServerInfo | undefined;

  #opts: ResolvedOptions;
  #transports: Transports;
  #pool: PoolEntry[];
  #server: PoolEntry;
  #fatal = false;
  #migrating = false;
  #lastSubSid = 0;
  #transport: Transport | null = null;
  #readDone: Promise<void> = Promise.resolve();
  #parser: Parser;
  #out = new Outbound();
  #state: State = "connecting";
  #noPublish = false;
  #subs = new Map<number, SubscriptionImpl>();
  #sid = 0;
  #pongs: PongWaiter[] = [];
  #queuedPings = 0;
  #pingsOut = 0;
  #pingTimer: ReturnType<typeof setInterval> | undefined;
  #flushScheduled = false;
  #writing: Promise<void> | null = null;
  #session: Promise<void> | null = null;
  #tlsActive = false;
  #stats: Stats = { inBytes: 0, outBytes: 0, inMsgs: 0, outMsgs: 0 };
  #handshake: Handshake | null = null;
  #serverError: Error | undefined;
  #maxPayload = 1024 * 1024;
  #listeners = new Set<Channel<Status>>();
  #closedPromise: Promise<void | Error>;
  #resolveClosed!: (v: void | Error) => void;
  #sleepCancel: (() => void) | null = null;
  // Request mux: one wildcard subscription, a token per request.
  #muxPrefix = "";
  #muxSub: SubscriptionImpl | null = null;
  #muxPending = new Map<string, PendingRequest>();
  #muxToken = 0;
  // One timer for every request timeout, armed at the earliest deadline it
  // knows of; a sweep settles what expired and re-arms. A request that gets
  // its reply costs no timer at all (no setTimeout/clearTimeout, no closure).
  #muxTimer: ReturnType<typeof setTimeout> | undefined;
  #muxTimerAt = Infinity;
  /** The last subject publish() validated (most publishers reuse one). */
  #pubSubject: string | undefined = undefined;
  #trace:
    | ((e: { direction: "in" | "out" | "state"; line: string }) => void)
    | undefined;

  /** @internal use {@link connectWith} */
  constructor(opts: ResolvedOptions, transports: Transports) {
    this.#opts = opts;
    this.#transports = transports;
    this.#pool = opts.servers.map((u) => entry(parseServer(u)));
    if (!opts.noRandomize && this.#pool.length > 1) shuffle(this.#pool);
    this.#server = this.#pool[0];
    this.#trace = opts.debug;
    this.#parser = new Parser(this.#handler);
    this.#closedPromise = new Promise((r) => this.#resolveClosed = r);
  }

  // ---------------------------------------------------------------- connect

  /**
   * First connect: each server once, in pool order; with
   * `waitOnFirstConnect`, keep going with the reconnect policy.
   */
  async start(): Promise<void> {
    try {
      await this.#connectLoop(!this.#opts.waitOnFirstConnect);
      this.#afterConnect();
    } catch (err) {
      this.#state = "closed";
      this.#resolveClosed(err as Error);
      throw err;
    }
  }

  /** The wait before retrying a server that has failed `failures` times in a row. */
  #backoff(server: PoolEntry, failures: number): number {
    const o = this.#opts;
    if (o.reconnectDelayHandler !== undefined) {
      const d = o.reconnectDelayHandler(failures);
      return Number.isFinite(d) && d > 0 ? d : 0;
    }
    const base = Math.min(o.reconnectTimeWait * 2 ** (failures - 1), o.reconnectTimeWaitMax);
    const tls = server.scheme === "tls" || server.scheme === "wss" || this.#opts.tls != null;
    return base + Math.random() * (tls ? o.reconnectJitterTLS : o.reconnectJitter);
  }

  /** The next server to dial: the one ready soonest, pool order breaking ties. */
  #nextServer(once: boolean): PoolEntry | undefined {
    // A first connect dials every server once whatever the reconnect limit.
    const max = once ? -1 : this.#opts.maxReconnectAttempts;
    let best: PoolEntry | undefined;
    for (const s of this.#pool) {
      if (max !== -1 && s.failures >= max) continue;
      if (best === undefined || s.readyAt < best.readyAt) best = s;
    }
    return best;
  }

  /**
   * Dials servers until one accepts. `once`: try each server once without
   * waiting (a plain first connect). Throws the last error when the pool is
   * exhausted, when the same authorization error came twice in a row from
   * one server, or when the connection was closed meanwhile.
   */
  async #connectLoop(once: boolean): Promise<void> {
    let lastErr: Error | undefined;
    const tried = new Set<PoolEntry>();
    while (true) {
      if (this.#state === "closed") throw new ClosedConnectionError();
      const server = this.#nextServer(once);
      if (server === undefined || (once && tried.has(server))) break;
      tried.add(server);
      const wait = once ? 0 : server.readyAt - performance.now();
      if (!once) {
        this.#emit({
          type: "reconnecting",
          server: server.hostport,
          attempt: server.failures + 1,
          delay: Math.max(0, Math.round(wait)),
        });
      }
      if (wait > 0) {
        await this.#sleep(wait);
        if (this.isClosed()) throw new ClosedConnectionError();
      }
      try {
        await this.#dial(server);
        server.failures = 0;
        server.readyAt = 0;
        server.lastAuthError = undefined;
        return;
      } catch (err) {
        lastErr = err as Error;
        server.failures++;
        server.readyAt = performance.now() + this.#backoff(server, server.failures);
        if (lastErr instanceof AuthorizationError) {
          if (!once) this.#emit({ type: "error", error: lastErr });
          // The same authorization error twice in a row from one server ends
          // the connection (nats.go's rule): the credentials are wrong.
          if (server.lastAuthError === lastErr.message) throw lastErr;
          server.lastAuthError = lastErr.message;
          // A first connect reports refused credentials at once.
          if (once) throw lastErr;
        } else {
          server.lastAuthError = undefined;
        }
        this.#log("state", `dial ${server.url} failed: ${lastErr.message}`);
      }
    }
    throw lastErr ?? new ConnectionError("no server left to connect to");
  }

  #pickFactory(server: PoolEntry): TransportFactory {
    const ws = server.scheme === "ws" || server.scheme === "wss";
    const f = ws ? this.#transports.ws : this.#transports.tcp;
    if (f === undefined) {
      const rt = this.#transports.runtime ?? "this runtime";
      throw new ConnectionError(
        ws
          ? `${rt} has no WebSocket transport for "${server.url}"`
          : `${rt} cannot open TCP connections ("${server.url}"): use a ws:// or wss:// URL`,
      );
    }
    return f;
  }

  /** Opens a transport to `server` and runs the handshake; resolves on the first PONG. */
  async #dial(server: PoolEntry): Promise<void> {
    const factory = this.#pickFactory(server);
    this.#server = server;
    this.#serverError = undefined;
    const timeout = this.#opts.timeout;
    const ac = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        ac.abort();
        reject(
          new TimeoutError(
            `connection to ${server.hostport} timed out after ${timeout} ms`,
          ),
        );
      }, timeout);
    });
    let t: Transport | undefined;
    try {
      this.#log("state", `dialing ${server.url}`);
      t = await Promise.race([
        factory(server, {
          signal: ac.signal,
          tls: this.#opts.tls ?? undefined,
        }),
        timedOut,
      ]);
      const hs = new Promise<void>((resolve, reject) => {
        this.#handshake = { phase: "info", resolve, reject };
      });
      this.#parser.reset();
      // A transport whose chunks are fresh buffers, never reused (Node's
      // sockets), may say so with `chunksOwned`: the parser then hands out
      // larger payloads as views of the chunk instead of copying them.
      this.#parser.zeroCopy = t.chunksOwned === true;
      this.#transport = t;
      this.#readDone = this.#readLoop(t);
      await Promise.race([hs, timedOut]);
    } catch (err) {
      this.#handshake = null;
      if (t !== undefined) {
        if (this.#transport === t) this.#transport = null;
        await t.close().catch(() => {});
        await this.#readDone;
      }
      throw err;
    } finally {
      clearTimeout(timer);
      // The losing side of the race must not become an unhandled rejection.
      timedOut.catch(() => {});
    }
  }

  #afterConnect(): void {
    this.#state = "connected";
    this.#pingsOut = 0;
    clearInterval(this.#pingTimer);
    if (this.#opts.pingInterval > 0) {
      this.#pingTimer = setInterval(
        () => this.#clientPing(),
        this.#opts.pingInterval,
      );
    }
    this.#log("state", `connected to ${this.#server.url}`);
    // Publishes buffered while disconnected go out now, after the SUBs.
    this.#kick();
  }

  async #connectFrame(): Promise<string> {
    const o = this.#opts;
    const c: Record<string, unknown> = {
      verbose: o.verbose ?? false,
      pedantic: o.pedantic ?? false,
      lang: "nats-rt",
      version: VERSION,
      protocol: 1,
      headers: true,
      no_responders: true,
      echo: !(o.noEcho ?? false),
    };
    if (o.name !== undefined) c.name = o.name;
    if (this.#tlsActive) c.tls_required = true;
    const user = o.user ?? this.#server.user;
    const pass = o.pass ?? this.#server.pass;
    const token = o.token ?? this.#server.token;
    if (user !== undefined) c.user = user;
    if (pass !== undefined) c.pass = pass;
    if (token !== undefined) c.auth_token = token;
    const auths = o.authenticator === undefined
      ? []
      : Array.isArray(o.authenticator)
      ? o.authenticator
      : [o.authenticator];
    for (const a of auths) {
      let r: Auth;
      try {
        r = await a(this.info?.nonce);
      } catch (cause) {
        // A user authenticator's message may quote its secret: repeat only
        // our own typed errors (which never carry one), and keep no cause.
        const own = typeof (cause as { code?: unknown })?.code === "string";
        throw new AuthorizationError(
          own
            ? `authenticator failed: ${(cause as Error).message}`
            : `authenticator failed (${(cause as Error)?.name ?? typeof cause})`,
        );
      }
      for (const [k, v] of Object.entries(r ?? {})) if (v !== undefined) c[k] = v;
    }
    if (this.#trace) this.#log("out", redactConnect(c));
    return `CONNECT ${JSON.stringify(c)}\r\n`;
  }

  /**
   * The first INFO arrived: upgrade to TLS when either side wants it, then
   * send CONNECT, PING and the live subscriptions in one write. Reading is
   * paused (see #readLoop) until this finishes, so a TLS upgrade never races
   * a pending read.
   */
  async #beginSession(t: Transport, info: ServerInfo): Promise<void> {
    const server: PoolEntry = this.#server;
    const wantTls = !t.isWebSocket &&
      (server.scheme === "tls" || (this.#opts.tls !== undefined && this.#opts.tls !== null) ||
        info.tls_required === true);
    this.#tlsActive = false;
    if (wantTls) {
      if (!info.tls_required && !info.tls_available) {
        throw new ConnectionError(
          `TLS was requested but ${server.hostport} does not offer it (secure connection not available)`,
          undefined,
          ErrorCode.TlsNotAvailable,
        );
      }
      if (t.upgradeTls === undefined) {
        throw new ConnectionError(
          `the ${this.#transports.runtime ?? "current"} transport cannot upgrade to TLS`,
        );
      }
      const tls = this.#opts.tls ?? {};
      // A gossiped IP keeps the TLS name of the URL the user gave.
      await t.upgradeTls(
        server.tlsName !== undefined && tls.servername === undefined
          ? { ...tls, servername: server.tlsName }
          : tls,
        server.hostname,
      );
      this.#tlsActive = true;
      this.#log("state", `TLS established with ${server.hostport}`);
    }
    // CONNECT, the live subscriptions, then PING: when its PONG arrives the
    // server has registered every subscription, so `reconnect` means ready.
    let s = await this.#connectFrame();
    for (const sub of this.#subs.values()) {
      s += sub.queue === undefined
        ? `SUB ${sub.subject} ${sub.sid}\r\n`
        : `SUB ${sub.subject} ${sub.queue} ${sub.sid}\r\n`;
      if (sub.max !== undefined) s += `UNSUB ${sub.sid} ${sub.max - sub.received}\r\n`;
    }
    s += "PING\r\n";
    // The handshake PING is answered before any PING still queued in the outbound buffer.
    this.#pongs.unshift((err) => {
      const hs = this.#handshake;
      if (hs === null) return;
      this.#handshake = null;
      if (err) hs.reject(err);
      else hs.resolve();
    });
    const bytes = new TextEncoder().encode(s);
    this.#stats.outBytes += bytes.length;
    await t.write(bytes);
  }

  // -------------------------------------------------------------- read side

  async #readLoop(t: Transport): Promise<void> {
    let err: Error | undefined;
    try {
      for await (const chunk of t.readable) {
        if (this.#transport !== t) break;
        this.#stats.inBytes += chunk.length;
        this.#parser.parse(chunk);
        if (this.#session !== null) {
          // No read may be pending while the session starts (TLS upgrade).
          const session = this.#session;
          this.#session = null;
          try {
            await session;
          } catch (e) {
            const hs = this.#handshake;
            this.#handshake = null;
            hs?.reject(e as Error);
            break;
          }
        }
      }
    } catch (e) {
      err = e as Error;
    }
    if (this.#transport === t) {
      this.#transport = null;
      await t.close().catch(() => {});
      this.#onTransportEnd(t, err);
    }
  }

  #handler: ParserHandler = {
    msg: (subject, sid, reply, hdr, data) => {
      this.#stats.inMsgs++;
      const sub = this.#subs.get(sid);
      if (sub === undefined) {
        this.#expectInfo("MSG");
        return; // unsubscribed; may still be in flight
      }
      const received = ++sub.received;
      const max = sub.max;
      if (this.#trace) {
        this.#log("in", `MSG ${subject} ${sid} ${reply} ${data.length}`);
      }
      sub.deliver(new MsgImpl(this, subject, sid, reply, hdr, data));
      if (max !== undefined && received >= max) {
        this.#subs.delete(sid);
        sub.close(undefined, true);
      }
    },
    info: (json) => {
      let info: ServerInfo;
      try {
        info = JSON.parse(json);
      } catch (cause) {
        throw new ProtocolError("server sent an INFO that is not JSON", { cause });
      }
      if (info === null || typeof info !== "object" || Array.isArray(info)) {
        throw new ProtocolError("server sent an INFO that is not a JSON object");
      }
      if (this.#trace) this.#log("in", `INFO ${json}`);
      this.#applyInfo(info);
    },
    ping: () => {
      const t = this.#transport;
      if (t === null) return;
      // Answer at once (not through the coalescing buffer, which may hold
      // publishes waiting for a handshake) or the server calls us stale.
      if (this.#state === "connected" || this.#state === "draining") {
        this.#out.raw(PONG);
        this.#kick();
      } else {
        t.write(PONG).catch(() => {});
      }
    },
    pong: () => {
      this.#expectInfo("PONG");
      this.#pingsOut = 0;
      const w = this.#pongs.shift();
      if (w) w();
    },
    ok: () => {},
    err: (text) => {
      if (this.#trace) this.#log("in", `-ERR '${text}'`);
      this.#serverErr(text);
    },
  };

  /** The server must open with INFO; anything else is not a NATS server. */
  #expectInfo(op: string): void {
    if (this.#handshake?.phase === "info") {
      throw new ProtocolError(`expected INFO from the server, got ${op}`);
    }
  }

  #applyInfo(info: ServerInfo): void {
    const first = this.#handshake !== null && this.#handshake.phase === "info";
    const prev = this.info;
    this.info = info;
    if (typeof info.max_payload === "number" && info.max_payload > 0) {
      this.#maxPayload = info.max_payload;
    }
    if (first) {
      // The cluster's other servers are known from the first INFO on.
      if (!this.#opts.ignoreClusterUpdates && Array.isArray(info.connect_urls)) {
        this.#updatePool(info.connect_urls, true);
      }
      this.#handshake!.phase = "pong";
      this.#session = this.#beginSession(this.#transport!, info);
      return;
    }
    if (!this.#opts.ignoreClusterUpdates && Array.isArray(info.connect_urls)) {
      this.#updatePool(info.connect_urls);
    }
    if (info.ldm === true && prev?.ldm !== true) {
      this.#emit({ type: "ldm", server: this.#server.hostport });
      this.#leaveLameDuck();
    }
  }

  /**
   * The server is shutting down: move to another one now rather than when it
   * drops us. Writes stop, the chunk in flight completes (the server still
   * delivers it), then the socket closes; publishes not yet written stay
   * queued and go to the next server.
   */
  #leaveLameDuck(): void {
    const current = this.#server;
    if (!this.#opts.reconnect || !this.#pool.some((s) => s !== current)) return;
    current.readyAt = performance.now() + this.#opts.reconnectTimeWait;
    this.#migrating = true;
    const t = this.#transport;
    (this.#writing ?? Promise.resolve()).catch(() => {}).then(() => {
      if (this.#transport !== t || t === null) return;
      this.#serverError = new ConnectionError(
        `${current.hostport} entered lame duck mode`,
        undefined,
        ErrorCode.Disconnected,
      );
      t.close().catch(() => {});
    });
  }

  #updatePool(urls: unknown[], quiet = false): void {
    const cur = this.#server;
    const tlsName = cur.tlsName ?? (IP_RE.test(cur.hostname) ? undefined : cur.hostname);
    const seen = new Set<string>();
    const known = new Set(this.#pool.map((s) => s.hostport));
    const added: string[] = [];
    for (const u of urls) {
      // Only host:port strings; anything else in a hostile INFO is skipped.
      if (typeof u !== "string" || !HOSTPORT_RE.test(u)) continue;
      let s: ParsedServer;
      try {
        // Advertised URLs are host:port: keep the scheme we connected with.
        s = parseServer(`${cur.scheme}://${u}`);
      } catch {
        continue;
      }
      seen.add(s.hostport);
      if (!known.has(s.hostport)) {
        this.#pool.push(entry(s, true, tlsName));
        known.add(s.hostport);
        added.push(s.hostport);
      }
    }
    // Forget gossiped servers the cluster no longer advertises (never the
    // current one: a lame duck's INFO lists only the others).
    const deleted: string[] = [];
    this.#pool = this.#pool.filter((s) => {
      if (!s.gossiped || s === cur || seen.has(s.hostport)) return true;
      deleted.push(s.hostport);
      return false;
    });
    if (!quiet && (added.length > 0 || deleted.length > 0)) {
      const ev: { type: "update"; added?: string[]; deleted?: string[] } = { type: "update" };
      if (added.length > 0) ev.added = added;
      if (deleted.length > 0) ev.deleted = deleted;
      this.#emit(ev);
    }
  }

  #serverErr(text: string): void {
    const { error, action } = classifyServerError(text) as {
      error: Error & { code: ErrorCode };
      action: "keep" | "reconnect" | "close";
    };
    const hs = this.#handshake;
    // During the handshake only errors that end the session fail it; a
    // refused resubscription (permissions, limits) fails just that subscription.
    if (hs !== null && action !== "keep") {
      this.#handshake = null;
      hs.reject(error);
      this.#transport?.close().catch(() => {});
      return;
    }
    if (error instanceof PermissionViolationError) {
      if (error.operation === "subscription") {
        for (const sub of [...this.#subs.values()]) {
          if (sub.subject === error.subject && sub.queue === error.queue) {
            this.#subs.delete(sub.sid);
            sub.close(error);
            if (sub === this.#muxSub) {
              // The shared inbox was refused: fail its requests now (not by
              // timeout) and let the next request try a fresh inbox.
              this.#muxSub = null;
              for (const [token, p] of this.#muxPending) this.#settle(token, p, error);
            }
          }
        }
      } else {
        for (const [token, p] of this.#muxPending) {
          if (p.subject === error.subject) this.#settle(token, p, error);
        }
      }
    }
    if (error.code === ErrorCode.MaxSubscriptionsExceeded) {
      // The server refused the most recent SUB; only that subscription fails.
      const sub = this.#subs.get(this.#lastSubSid);
      if (sub !== undefined) {
        this.#subs.delete(sub.sid);
        sub.close(error);
      }
    }
    this.#emit({ type: "error", error });
    if (action === "keep") return;
    this.#serverError = error;
    if (action === "close") {
      this.#fatal = true;
    } else if (error instanceof AuthorizationError) {
      // Counts toward the twice-in-a-row rule on the next dial of this server.
      this.#server.lastAuthError = error.message;
    }
    this.#transport?.close().catch(() => {});
  }

  // ------------------------------------------------------------- write side

  #kick(): void {
    if ((this.#state !== "connected" && this.#state !== "draining") || this.#migrating) return;
    if (this.#out.length >= FLUSH_THRESHOLD && this.#writing === null) {
      this.#flushNow();
      return;
    }
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      queueMicrotask(this.#flushNow);
    }
  }

  #flushNow = (): void => {
    this.#flushScheduled = false;
    const t = this.#transport;
    if (
      t === null || (this.#state !== "connected" && this.#state !== "draining")
    ) return;
    if (this.#writing !== null || this.#migrating) return; // its completion writes the rest
    const bytes = this.#out.take();
    if (bytes === null) return;
    // PINGs still queued stay counted until the whole backlog is handed over.
    if (this.#out.length === 0) this.#queuedPings = 0;
    this.#stats.outBytes += bytes.length;
    this.#writing = t.write(bytes).then(
      () => {
        this.#writing = null;
        this.#out.release(bytes);
        if (this.#out.length > 0) this.#flushNow();
      },
      () => {
        // The socket died; those bytes are lost (core NATS is at-most-once).
        this.#writing = null;
        this.#out.release(bytes);
        t.close().catch(() => {});
      },
    );
  };

  #checkOpen(): void {
    if (this.#state === "closed") throw new ClosedConnectionError();
  }

  /** Publishes a message; synchronous, fire-and-forget. */
  publish(subject: string, payload?: Payload, opts?: PublishOptions): void {
    this.#checkOpen();
    if (this.#noPublish) throw new DrainingConnectionError();
    // Most publishers send to one subject over and over: validate it once.
    if (subject !== this.#pubSubject) {
      validatePublishSubject(subject);
      this.#pubSubject = subject;
    }
    let reply = "";
    if (opts !== undefined && opts.reply !== undefined && opts.reply !== "") {
      validatePublishSubject(opts.reply, "reply subject");
      reply = opts.reply;
    }
    this.#publishChecked(subject, payload, reply, opts?.headers);
  }

  /** publish() once the connection is open and `subject` and `reply` are known to be valid. */
  #publishChecked(
    subject: string,
    payload: Payload | undefined,
    reply: string,
    headers: MsgHdrs | undefined,
  ): void {
    if (this.#noPublish) throw new DrainingConnectionError();
    let data: Uint8Array;
    if (payload === undefined || payload === null) data = EMPTY;
    else if (payload instanceof Uint8Array) data = payload;
    else if (typeof payload === "string") {
      data = payload.length === 0 ? EMPTY : this.#out.scratch(payload);
    } else throw new TypeError("payload must be a Uint8Array or a string");
    let hdr: Uint8Array | null = null;
    if (headers !== undefined) {
      if (this.info !== undefined && this.info.headers === false) {
        throw new TypeError(
          "the server does not support headers (INFO headers: false)",
        );
      }
      hdr = encodeHeaders(headers);
    }
    const size = data.length + (hdr === null ? 0 : hdr.length);
    if (size > this.#maxPayload) {
      throw new MaxPayloadExceededError(size, this.#maxPayload);
    }
    if (this.#state !== "connected" && this.#state !== "draining") this.#checkBuffer(size);
    this.#out.pub(subject, reply, hdr, data);
    this.#stats.outMsgs++;
    if (this.#trace) {
      this.#log("out", `${hdr ? "HPUB" : "PUB"} ${subject} ${reply} ${size}`);
    }
    this.#kick();
  }

  /** While disconnected, publishes queue up to `reconnectBufSize` bytes. */
  #checkBuffer(size: number): void {
    const cap = this.#opts.reconnectBufSize;
    if (cap === -1) {
      throw new ConnectionError(
        "disconnected: publishing while disconnected is disabled (reconnectBufSize -1)",
        undefined,
        ErrorCode.ReconnectBufferExceeded,
      );
    }
    if (this.#out.length + size > cap) {
      throw new ConnectionError(
        `disconnected: the reconnect buffer is full (${this.#out.length} of ${cap} bytes queued)`,
        undefined,
        ErrorCode.ReconnectBufferExceeded,
      );
    }
  }

  /** Subscribes to a subject. */
  subscribe(subject: string, opts: SubscriptionOptions = {}): Subscription {
    this.#checkOpen();
    if (this.#state === "draining") throw new DrainingConnectionError();
    return this.#subscribe(subject, opts);
  }

  #subscribe(
    subject: string,
    opts: SubscriptionOptions & { internal?: (m: MsgImpl) => void },
  ): SubscriptionImpl {
    validateSubscribeSubject(subject);
    if (opts.queue !== undefined && opts.queue !== "") {
      validateQueueName(opts.queue);
    }
    if (
      opts.max !== undefined && (!Number.isInteger(opts.max) || opts.max <= 0)
    ) {
      throw new TypeError(
        `subscription max must be a positive integer, got ${opts.max}`,
      );
    }
    if (opts.callback !== undefined && typeof opts.callback !== "function") {
      throw new TypeError("subscription callback must be a function");
    }
    const sid = ++this.#sid;
    const queue = opts.queue === "" ? undefined : opts.queue;
    const sub = new SubscriptionImpl(this.#subHost, sid, subject, {
      ...opts,
      queue,
    });
    this.#subs.set(sid, sub);
    this.#lastSubSid = sid;
    if (this.#state === "connected" || this.#state === "draining") {
      this.#out.line(
        queue === undefined ? `SUB ${subject} ${sid}` : `SUB ${subject} ${queue} ${sid}`,
      );
      if (opts.max !== undefined) this.#out.line(`UNSUB ${sid} ${opts.max}`);
      if (this.#trace) this.#log("out", `SUB ${subject} ${queue ?? ""} ${sid}`);
      this.#kick();
    }
    return sub;
  }

  #subHost: SubscriptionHost = {
    unsub: (sub, max, keepRouting) => {
      if (max === undefined && !keepRouting) this.#subs.delete(sub.sid);
      if (this.#state !== "connected" && this.#state !== "draining") return;
      this.#out.line(
        max === undefined ? `UNSUB ${sub.sid}` : `UNSUB ${sub.sid} ${max}`,
      );
      this.#kick();
    },
    forget: (sub) => {
      if (this.#subs.get(sub.sid) === sub) this.#subs.delete(sub.sid);
    },
    flush: () => this.flush(),
    slowConsumer: (sub, pending) => {
      this.#emit({ type: "slowConsumer", sub, pending });
    },
    callbackError: (_sub, err) => {
      this.#emit({
        type: "error",
        error: err instanceof Error ? err : new Error(String(err)),
      });
    },
  };

  // ----------------------------------------------------------------- request

  /** Sends a request over the shared inbox and resolves with the first reply. */
  request(
    subject: string,
    payload?: Payload,
    opts: RequestOptions = {},
  ): Promise<Msg> {
    try {
      this.#checkOpen();
      const timeout = opts.timeout ?? DEFAULT_REQUEST_TIMEOUT;
      if (!Number.isFinite(timeout) || timeout <= 0) {
        throw new TypeError(
          `request timeout must be a positive number of ms, got ${timeout}`,
        );
      }
      if (opts.signal?.aborted) return Promise.reject(opts.signal.reason);
      // Validate before the shared inbox exists, so bad input sends nothing.
      validatePublishSubject(subject);
      if (opts.noMux) return this.#requestNoMux(subject, payload, opts);
      if (this.#muxSub === null) {
        this.#muxPrefix = `${this.#opts.inboxPrefix}.${nuid.next()}.`;
        this.#muxSub = this.#subscribe(`${this.#muxPrefix}*`, {
          internal: this.#muxDeliver,
        });
      }
      const token = (++this.#muxToken).toString(36);
      // Publish first: a bad payload throws before anything is registered.
      // The subject was validated above and the reply is ours.
      this.#publishChecked(subject, payload, this.#muxPrefix + token, opts.headers);
      return new Promise<Msg>((resolve, reject) => {
        const deadline = performance.now() + timeout;
        const p: PendingRequest = {
          resolve,
          reject,
          subject,
          deadline,
          timeout,
          signal: opts.signal,
          onAbort: undefined,
        };
        if (deadline < this.#muxTimerAt) this.#armMux(deadline);
        if (opts.signal !== undefined) {
          p.onAbort = () => this.#settle(token, p, opts.signal!.reason);
          opts.signal.addEventListener("abort", p.onAbort, { once: true });
        }
        this.#muxPending.set(token, p);
      });
    } catch (err) {
      return Promise.reject(err);
    }
  }

  #settle(token: string, p: PendingRequest, result: Error | Msg): void {
    this.#muxPending.delete(token);
    if (p.onAbort !== undefined) {
      p.signal!.removeEventListener("abort", p.onAbort);
    }
    if (result instanceof Error) p.reject(result);
    else p.resolve(result);
  }

  #armMux(at: number): void {
    clearTimeout(this.#muxTimer);
    this.#muxTimerAt = at;
    this.#muxTimer = setTimeout(this.#muxSweep, Math.max(0, at - performance.now()));
  }

  /** Times out every request past its deadline; re-arms for the next one. */
  #muxSweep = (): void => {
    this.#muxTimer = undefined;
    this.#muxTimerAt = Infinity;
    const now = performance.now();
    let next = Infinity;
    for (const [token, p] of this.#muxPending) {
      if (p.deadline <= now) {
        this.#settle(
          token,
          p,
          new TimeoutError(`request to "${p.subject}" timed out after ${p.timeout} ms`),
        );
      } else if (p.deadline < next) next = p.deadline;
    }
    if (next !== Infinity && this.#state !== "closed") this.#armMux(next);
  };

  #muxDeliver = (m: MsgImpl): void => {
    const token = m.subject.substring(this.#muxPrefix.length);
    const p = this.#muxPending.get(token);
    if (p === undefined) return; // late reply after a timeout: dropped
    this.#settle(
      token,
      p,
      isNoResponders(m) ? new NoRespondersError(p.subject) : m,
    );
  };

  async #requestNoMux(
    subject: string,
    payload: Payload | undefined,
    opts: RequestOptions,
  ): Promise<Msg> {
    const timeout = opts.timeout ?? DEFAULT_REQUEST_TIMEOUT;
    const reply = opts.reply ?? `${this.#opts.inboxPrefix}.${nuid.next()}`;
    const sub = this.#subscribe(reply, { max: 1, timeout });
    this.publish(subject, payload, { reply, headers: opts.headers });
    const onAbort = () => {
      this.#subHost.unsub(sub);
      sub.close(opts.signal!.reason);
    };
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      for await (const m of sub) {
        if (isNoResponders(m as MsgImpl)) throw new NoRespondersError(subject);
        return m;
      }
      throw sub.error ?? new ClosedConnectionError();
    } catch (err) {
      if (err instanceof TimeoutError) {
        throw new TimeoutError(
          `request to "${subject}" timed out after ${timeout} ms`,
        );
      }
      throw err;
    } finally {
      opts.signal?.removeEventListener("abort", onAbort);
    }
  }

  // ------------------------------------------------------------ flush / rtt

  /** Resolves on the PONG that answers this call's own PING. */
  flush(): Promise<void> {
    if (this.#state === "closed") {
      return Promise.reject(new ClosedConnectionError());
    }
    if (this.#state !== "connected" && this.#state !== "draining") {
      return Promise.reject(
        new ConnectionError(
          "disconnected: flush cannot complete until reconnected",
        ),
      );
    }
    return new Promise<void>((resolve, reject) => {
      this.#pongs.push((err) => err ? reject(err) : resolve());
      this.#out.raw(PING);
      this.#queuedPings++;
      this.#kick();
    });
  }

  /** Round trip time to the server in milliseconds. */
  async rtt(): Promise<number> {
    const start = performance.now();
    await this.flush();
    return performance.now() - start;
  }

  #clientPing(): void {
    if (this.#state !== "connected") return;
    if (this.#pingsOut >= this.#opts.maxPingOut) {
      this.#emit({ type: "staleConnection", server: this.#server.hostport });
      this.#serverError = new ConnectionError(
        `stale connection: ${this.#pingsOut} PINGs to ${this.#server.hostport} unanswered`,
        undefined,
        ErrorCode.StaleConnection,
      );
      this.#transport?.close().catch(() => {});
      return;
    }
    this.#pingsOut++;
    this.#emit({ type: "ping", pendingPings: this.#pingsOut });
    this.#pongs.push(null);
    this.#out.raw(PING);
    this.#queuedPings++;
    this.#kick();
  }

  /** Rejects PONG waiters whose PINGs went to a dead socket; keeps places for PINGs still queued. */
  #failPongs(err: Error): void {
    const waiters = this.#pongs;
    this.#pongs = [];
    for (const w of waiters) if (w) w(err);
    for (let i = 0; i < this.#queuedPings; i++) this.#pongs.push(null);
  }

  // -------------------------------------------------------- disconnect/close

  #onTransportEnd(_t: Transport, err: Error | undefined): void {
    const cause = this.#serverError ?? err ??
      new ConnectionError(`connection to ${this.#server.hostport} closed by the server`);
    const hs = this.#handshake;
    if (hs !== null) {
      this.#handshake = null;
      hs.reject(cause);
      return;
    }
    // A failed dial is handled by whoever dialled.
    if (this.#state !== "connected" && this.#state !== "draining") return;
    clearInterval(this.#pingTimer);
    this.#pingTimer = undefined;
    this.#migrating = false;
    this.#log("state", `disconnected from ${this.#server.url}: ${cause.message}`);
    this.#emit({ type: "disconnect", server: this.#server.hostport, error: cause });
    const disconnected = new ConnectionError(
      `disconnected from ${this.#server.hostport}`,
      { cause },
      ErrorCode.Disconnected,
    );
    this.#failPongs(disconnected);
    if (this.#opts.reconnect && this.#state !== "draining" && !this.#fatal) {
      if (this.#opts.failPendingOnDisconnect) {
        for (const [token, p] of this.#muxPending) this.#settle(token, p, disconnected);
      }
      this.#state = "reconnecting";
      this.#reconnect(cause);
    } else {
      this.#shutdown(cause);
    }
  }

  /**
   * Walks the pool with backoff until a server accepts. The lost server goes
   * to the back: its first retry is immediate only if it is the only one.
   */
  async #reconnect(cause: Error): Promise<void> {
    const lost = this.#server;
    const i = this.#pool.indexOf(lost);
    if (i >= 0) this.#pool.push(...this.#pool.splice(i, 1));
    if (lost.readyAt < performance.now()) lost.readyAt = performance.now();
    try {
      await this.#connectLoop(false);
    } catch (err) {
      if (this.#state === "reconnecting") {
        this.#shutdown(err instanceof ClosedConnectionError ? cause : err as Error);
      }
      return;
    }
    if (this.#state !== "reconnecting") {
      // close() was called during the dial.
      const t = this.#transport;
      this.#transport = null;
      await t?.close().catch(() => {});
      return;
    }
    this.#afterConnect();
    this.#emit({ type: "reconnect", server: this.#server.hostport });
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#sleepCancel = null;
        resolve();
      }, ms);
      this.#sleepCancel = () => {
        clearTimeout(timer);
        this.#sleepCancel = null;
        resolve();
      };
    });
  }

  /** Ends everything: timers, transport, subscriptions, requests, status iterators. */
  async #shutdown(err?: Error): Promise<void> {
    if (this.#state === "closed") return;
    this.#state = "closed";
    clearInterval(this.#pingTimer);
    this.#pingTimer = undefined;
    this.#sleepCancel?.();
    const closedErr = new ClosedConnectionError(
      err ? { cause: err } : undefined,
    );
    const t = this.#transport;
    this.#transport = null;
    if (t !== null) {
      // What the user published before close() still goes out: wait for the
      // write in flight, then write what is left, but never longer than
      // CLOSE_FLUSH_TIMEOUT: a server that stopped reading must not block close().
      let timer: ReturnType<typeof setTimeout> | undefined;
      const limit = new Promise<void>((r) => timer = setTimeout(r, CLOSE_FLUSH_TIMEOUT));
      const flushed = (async () => {
        while (this.#writing !== null) await this.#writing;
        for (let b = this.#out.take(); b !== null; b = this.#out.take()) {
          this.#stats.outBytes += b.length;
          await t.write(b);
        }
      })();
      await Promise.race([flushed.catch(() => {}), limit]);
      clearTimeout(timer);
      await t.close().catch(() => {});
      await flushed.catch(() => {});
    }
    await this.#readDone;
    this.#failPongs(closedErr);
    this.#pongs = [];
    for (const [token, p] of this.#muxPending) {
      this.#settle(token, p, closedErr);
    }
    clearTimeout(this.#muxTimer);
    this.#muxTimer = undefined;
    this.#muxTimerAt = Infinity;
    for (const sub of this.#subs.values()) sub.close(undefined, true);
    this.#subs.clear();
    this.#log("state", "closed");
    this.#emit({ type: "close", error: err });
    for (const l of this.#listeners) l.end();
    this.#listeners.clear();
    this.#resolveClosed(err);
  }

  /** Closes the connection; what was published before is flushed first. */
  async close(): Promise<void> {
    if (this.#state === "closed") {
      await this.#closedPromise;
      return;
    }
    await this.#shutdown();
  }

  /** Drains every subscription, flushes outbound data, then closes. */
  async drain(): Promise<void> {
    if (this.#state === "closed") throw new ClosedConnectionError();
    if (this.#state === "draining") {
      await this.#closedPromise;
      return;
    }
    this.#state = "draining";
    const subs = [...this.#subs.values()].filter((s) => s !== this.#muxSub);
    await Promise.all(subs.map((s) => s.drain()));
    this.#noPublish = true;
    try {
      await this.flush();
    } catch {
      // closing anyway
    }
    await this.#shutdown();
  }

  /** Resolves when closed, with the error that closed the connection, if any. */
  closed(): Promise<void | Error> {
    return this.#closedPromise;
  }

  /** True once closed. */
  isClosed(): boolean {
    return this.#state === "closed";
  }

  /** True while draining. */
  isDraining(): boolean {
    return this.#state === "draining";
  }

  /** Message and byte counters (a copy). */
  stats(): Stats {
    return { ...this.#stats };
  }

  /** A fresh inbox subject under this connection's `inboxPrefix`. */
  createInbox(): string {
    return `${this.#opts.inboxPrefix}.${nuid.next()}`;
  }

  /** URL of the server currently used, without credentials. */
  getServer(): string {
    return this.#server.url;
  }

  /** Async iterator of connection events from now on. */
  status(): AsyncIterable<Status> {
    const q = new Channel<Status>(STATUS_BACKLOG, this.#listeners);
    if (this.#state === "closed") q.end();
    else this.#listeners.add(q);
    return q;
  }

  #emit(s: Status): void {
    for (const l of this.#listeners) l.push(s);
  }

  #log(direction: "in" | "out" | "state", line: string): void {
    const t = this.#trace;
    if (t === undefined) return;
    try {
      t({ direction, line: direction === "state" ? redactUrl(line) : line });
    } catch {
      // A throwing trace hook must not break the connection.
    }
  }

  /** Same as `close()`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

function isNoResponders(m: MsgImpl): boolean {
  return m.data.length === 0 && m.statusCode === 503;
}

function shuffle<T>(a: T[]): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
}

/**
 * Connects with the given transports. Runtime entry points (`mod.ts`,
 * `./node`, `./ws`, ...) call this with their own factories; the transport
 * is chosen per connection by URL scheme, never through global state.
 *
 * @param opts connection options
 * @param transports transport factories for this runtime
 * @returns the connection, once the server has answered the first PING
 */
export async function connectWith(
  opts: ConnectionOptions | undefined,
  transports: Transports,
): Promise<NatsConnection> {
  const nc = new NatsConnectionImpl(resolveOptions(opts), transports);
  await nc.start();
  return nc;
}

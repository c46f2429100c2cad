// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * The HTTP gateway: routes `POST /api/nats/<endpoint>` to the endpoints,
 * turns every failure into a JSON error with a clear status (400 bad input
 * naming the field, 401 refused credentials, 403 host not allowed or
 * permission denied, 404 missing stream/consumer, 502 upstream failure, 503
 * no responders, 504 timeout), logs one line per request (never a body or a
 * credential), and serves with `Deno.serve`.
 *
 * @module
 */
import {
  ErrorCode,
  JetStreamApiCodes,
  JetStreamApiError,
  JetStreamError,
  JetStreamNotEnabledError,
  JetStreamStatusError,
  NoStreamError,
  TlsError,
} from "../../mod.ts";
import {
  connectEndpoint,
  type Endpoint,
  type EndpointContext,
  EndpointError,
  jetstreamAckEndpoint,
  jetstreamInfoEndpoint,
  jetstreamPublishEndpoint,
  jetstreamPullEndpoint,
  jetstreamStreamEndpoint,
  publishEndpoint,
  requestEndpoint,
  subscribeEndpoint,
} from "./endpoints.ts";
import { ConnectionPool, PoolClosedError, type PoolStats } from "./pool.ts";
import { GatewayError, HostAllowList, parseServer } from "./schema.ts";

/** Server used when neither the options nor a request name one. */
export const DEFAULT_SERVER = "nats://127.0.0.1:4222";

/** The endpoints, by path. */
export const ENDPOINTS: Readonly<Record<string, Endpoint>> = {
  "/api/nats/connect": connectEndpoint,
  "/api/nats/publish": publishEndpoint,
  "/api/nats/subscribe": subscribeEndpoint,
  "/api/nats/request": requestEndpoint,
  "/api/nats/jetstream-info": jetstreamInfoEndpoint,
  "/api/nats/jetstream-stream": jetstreamStreamEndpoint,
  "/api/nats/jetstream-publish": jetstreamPublishEndpoint,
  "/api/nats/jetstream-pull": jetstreamPullEndpoint,
  "/api/nats/jetstream-ack": jetstreamAckEndpoint,
};

/** Options of {@link createGateway} and {@link startGateway}. */
export interface GatewayOptions {
  /** NATS server for requests that name none (default `nats://127.0.0.1:4222`). */
  server?: string;
  /**
   * Hosts requests may name in `server`: `host` (any port), `host:port`, or
   * `*` for any. The default server (its host and port) is always allowed;
   * by default it is the only one.
   */
  allowHosts?: readonly string[];
  /** Milliseconds an unused pooled connection stays open (default 30000). */
  idleMs?: number;
  /** NATS connect timeout in ms (default 5000). */
  connectTimeoutMs?: number;
  /** Largest request body in bytes (default 1 MiB). */
  maxBodyBytes?: number;
  /** Longest `timeout_ms` a request may ask for (default 60000). */
  maxWaitMs?: number;
  /** Most messages one request may collect or ack (default 1000). */
  maxMessages?: number;
  /** One line per request and per notable event; never a body or a credential. */
  log?: (line: string) => void;
}

/** A request handler plus the pool behind it. */
export interface GatewayHandler {
  /** Handles one HTTP request. */
  handler: (req: Request) => Promise<Response>;
  /** The connection pool. */
  pool: ConnectionPool;
  /** The default server URL (credential-free). */
  defaultServer: string;
  /** The allow-list, described. */
  allowed: string;
  /** Ends long waits (subscribe, pull, request) early: they answer with what they have. */
  stopWaits(): void;
  /** Ends long waits, then closes every pooled connection. */
  close(): Promise<void>;
}

/** The JSON error body (inside `{ ok: false, error }`). */
export interface ErrorInfo {
  /** HTTP status. */
  status: number;
  /** Stable code: the library's (`AUTHORIZATION_VIOLATION`, `TIMEOUT`, ...) or the gateway's. */
  code: string;
  /** What went wrong, in plain words. */
  message: string;
  /** The request field at fault. */
  field?: string;
  /** For TLS failures: `untrusted-certificate`, `hostname-mismatch`, ... */
  reason?: string;
  /** For JetStream API errors: the server's error object. */
  jetstream?: { err_code: number; status: number; description: string };
}

/** JetStream `err_code`s that mean "your request conflicts with what exists". */
const JS_STATUS_OVERRIDES: Record<number, number> = {
  [JetStreamApiCodes.StreamNameInUse]: 409,
  [JetStreamApiCodes.ConsumerNameExists]: 409,
  // replicas > 1 on a server without a cluster: retrying will not help.
  10074: 422,
};

/** Maps any error to its HTTP status and JSON description. */
export function describeError(err: unknown): ErrorInfo {
  if (err instanceof EndpointError) return describeError(err.cause);
  if (err instanceof GatewayError) {
    return { status: err.status, code: err.code, message: err.message, field: err.field };
  }
  if (err instanceof PoolClosedError || (err as Error)?.name === "AbortError") {
    return { status: 503, code: "GATEWAY_SHUTTING_DOWN", message: "the gateway is shutting down" };
  }
  if (err instanceof JetStreamApiError) {
    const override = JS_STATUS_OVERRIDES[err.err_code];
    const status = override ?? (err.status >= 400 && err.status < 500 ? err.status : 502);
    const code = err.err_code === JetStreamApiCodes.StreamNotFound
      ? "STREAM_NOT_FOUND"
      : err.err_code === JetStreamApiCodes.ConsumerNotFound
      ? "CONSUMER_NOT_FOUND"
      : "JETSTREAM_API_ERROR";
    return {
      status,
      code,
      message: err.message,
      jetstream: { err_code: err.err_code, status: err.status, description: err.description },
    };
  }
  if (err instanceof JetStreamNotEnabledError) {
    return { status: 502, code: "JETSTREAM_NOT_ENABLED", message: err.message };
  }
  if (err instanceof NoStreamError) {
    return { status: 404, code: "NO_STREAM", message: err.message, field: "subject" };
  }
  if (err instanceof JetStreamStatusError) {
    return { status: 502, code: "JETSTREAM_STATUS", message: err.message };
  }
  if (err instanceof JetStreamError) {
    return { status: 502, code: "JETSTREAM_ERROR", message: err.message };
  }
  const e = err as { code?: unknown; message?: unknown; name?: unknown };
  const message = typeof e?.message === "string" ? e.message : String(err);
  switch (e?.code) {
    case ErrorCode.Authorization:
    case ErrorCode.AuthenticationExpired:
      return { status: 401, code: e.code, message };
    case ErrorCode.PermissionsViolation:
      return { status: 403, code: e.code, message };
    case ErrorCode.Timeout:
      return { status: 504, code: e.code, message };
    case ErrorCode.NoResponders:
      return { status: 503, code: e.code, message };
    case ErrorCode.InvalidSubject:
      return { status: 400, code: "BAD_REQUEST", message: `subject: ${message}`, field: "subject" };
    case ErrorCode.InvalidHeader:
      return { status: 400, code: "BAD_REQUEST", message: `headers: ${message}`, field: "headers" };
    case ErrorCode.MaxPayloadExceeded:
      return { status: 413, code: e.code, message, field: "data" };
    case ErrorCode.ConnectionRefused:
    case ErrorCode.ConnectionClosed:
    case ErrorCode.Disconnected:
    case ErrorCode.StaleConnection:
    case ErrorCode.TlsNotAvailable:
    case ErrorCode.Protocol:
    case ErrorCode.Server:
    case ErrorCode.MaxConnectionsExceeded:
    case ErrorCode.MaxSubscriptionsExceeded:
    case ErrorCode.ConnectionDraining:
    case ErrorCode.ReconnectBufferExceeded: {
      const info: ErrorInfo = { status: 502, code: e.code, message };
      if (err instanceof TlsError) info.reason = err.reason;
      return info;
    }
  }
  if (err instanceof TypeError || err instanceof RangeError) {
    // Option checks of the library (e.g. a batch above a consumer's max_batch).
    return { status: 400, code: "BAD_REQUEST", message };
  }
  return { status: 500, code: "INTERNAL", message: "internal error (see the gateway log)" };
}

/** Replaces every occurrence of each secret (3+ characters) with `[REDACTED]`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 3) out = out.replaceAll(s, "[REDACTED]");
  return out;
}

/** The secrets a request body carries, for {@link redact}. */
function secretsOf(body: unknown): string[] {
  if (typeof body !== "object" || body === null) return [];
  const b = body as Record<string, unknown>;
  return [b.pass, b.token].filter((v): v is string => typeof v === "string");
}

function json(status: number, body: unknown, extra?: HeadersInit): Response {
  const h = new Headers(extra);
  h.set("content-type", "application/json; charset=utf-8");
  h.set("cache-control", "no-store");
  return new Response(JSON.stringify(body) + "\n", { status, headers: h });
}

/** Reads at most `max` bytes of the body; undefined when it is longer. */
async function readBody(req: Request, max: number): Promise<Uint8Array | undefined> {
  const declared = Number(req.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > max) {
    await req.body?.cancel().catch(() => {});
    return undefined;
  }
  if (req.body === null) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = req.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > max) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

const td = new TextDecoder();

/** Builds the request handler and its pool (serve it with any HTTP server). */
export function createGateway(opts: GatewayOptions = {}): GatewayHandler {
  const defaultServer = parseServer(opts.server ?? DEFAULT_SERVER, "--server");
  const defaultEntry = defaultServer.hostname.includes(":")
    ? `[${defaultServer.hostname}]:${defaultServer.port}`
    : `${defaultServer.hostname}:${defaultServer.port}`;
  const allow = new HostAllowList([defaultEntry, ...(opts.allowHosts ?? [])]);
  const pool = new ConnectionPool({
    idleMs: opts.idleMs,
    connectTimeoutMs: opts.connectTimeoutMs,
  });
  const shutdown = new AbortController();
  const maxBody = opts.maxBodyBytes ?? 1024 * 1024;
  const log = opts.log ?? (() => {});
  const ctx: EndpointContext = {
    pool,
    defaultServer,
    allow,
    signal: shutdown.signal,
    maxWaitMs: opts.maxWaitMs ?? 60_000,
    maxMessages: opts.maxMessages ?? 1_000,
  };

  const index = {
    ok: true,
    name: "nats-rt HTTP gateway",
    default_server: defaultServer.url,
    endpoints: Object.keys(ENDPOINTS).map((p) => `POST ${p}`),
  };

  async function handle(req: Request): Promise<{ res: Response; code?: string }> {
    const path = new URL(req.url).pathname.replace(/\/+$/, "") || "/";
    const endpoint = Object.hasOwn(ENDPOINTS, path) ? ENDPOINTS[path] : undefined;
    if (endpoint === undefined) {
      await req.body?.cancel().catch(() => {});
      if ((path === "/" || path === "/api/nats") && req.method === "GET") {
        return { res: json(200, index) };
      }
      const error = { status: 404, code: "NOT_FOUND", message: `no endpoint ${path}` };
      return { res: json(404, { ok: false, error }), code: error.code };
    }
    if (req.method !== "POST") {
      await req.body?.cancel().catch(() => {});
      const error = {
        status: 405,
        code: "METHOD_NOT_ALLOWED",
        message: `${path} takes POST with a JSON body`,
      };
      return { res: json(405, { ok: false, error }, { allow: "POST" }), code: error.code };
    }
    const bytes = await readBody(req, maxBody);
    if (bytes === undefined) {
      const error = {
        status: 413,
        code: "PAYLOAD_TOO_LARGE",
        message: `body: larger than ${maxBody} bytes`,
        field: "body",
      };
      return { res: json(413, { ok: false, error }), code: error.code };
    }
    let body: unknown;
    try {
      body = bytes.length === 0 ? {} : JSON.parse(td.decode(bytes));
    } catch {
      const error = {
        status: 400,
        code: "BAD_REQUEST",
        message: "body: not valid JSON",
        field: "body",
      };
      return { res: json(400, { ok: false, error }), code: error.code };
    }
    try {
      const r = await endpoint(body, ctx);
      return { res: json(r.status ?? 200, r.body) };
    } catch (err) {
      const secrets = secretsOf(body);
      const info = describeError(err);
      if (info.code === "INTERNAL") {
        const e = err as Error;
        log(redact(`internal error on ${path}: ${e?.name}: ${e?.message}`, secrets));
      }
      info.message = redact(info.message, secrets);
      const extra = err instanceof EndpointError ? err.extra : {};
      const out = JSON.parse(
        redact(JSON.stringify({ ok: false, ...extra, error: info }), secrets),
      );
      return { res: json(info.status, out), code: info.code };
    }
  }

  return {
    pool,
    defaultServer: defaultServer.url,
    allowed: allow.describe(),
    async handler(req: Request): Promise<Response> {
      const started = performance.now();
      const path = new URL(req.url).pathname;
      const { res, code } = await handle(req);
      const ms = Math.round(performance.now() - started);
      log(`${req.method} ${path} ${res.status}${code ? ` ${code}` : ""} ${ms}ms`);
      return res;
    },
    stopWaits(): void {
      shutdown.abort();
    },
    async close(): Promise<void> {
      shutdown.abort();
      await pool.close();
    },
  };
}

/** A running gateway. */
export interface Gateway {
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  /** Port actually bound. */
  readonly port: number;
  /** Host name bound. */
  readonly hostname: string;
  /** The default NATS server (credential-free). */
  readonly defaultServer: string;
  /** The allow-list, described. */
  readonly allowed: string;
  /** Pool counters. */
  stats(): PoolStats;
  /**
   * Stops accepting requests, ends long waits early, waits for requests in
   * flight, then closes every pooled connection and its timers.
   */
  shutdown(): Promise<void>;
  /** Same as `shutdown()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** Options of {@link startGateway}: the gateway's plus where to listen. */
export interface ServeOptions extends GatewayOptions {
  /** Interface to bind (default `127.0.0.1`). */
  hostname?: string;
  /** Port to bind; 0 picks a free one (default 8080). */
  port?: number;
}

/**
 * Starts the gateway with `Deno.serve` and resolves once it listens.
 *
 * @example
 * ```ts ignore
 * await using gw = await startGateway({ port: 0, server: "nats://127.0.0.1:4222" });
 * const r = await fetch(`${gw.url}/api/nats/publish`, {
 *   method: "POST",
 *   body: JSON.stringify({ subject: "greet", data: "hello" }),
 * });
 * console.log(await r.json()); // { ok: true, subject: "greet", bytes: 5 }
 * ```
 */
export async function startGateway(opts: ServeOptions = {}): Promise<Gateway> {
  const gw = createGateway(opts);
  const hostname = opts.hostname ?? "127.0.0.1";
  let listening!: (addr: Deno.NetAddr) => void;
  const ready = new Promise<Deno.NetAddr>((r) => listening = r);
  const server = Deno.serve({
    hostname,
    port: opts.port ?? 8080,
    onListen: (addr) => listening(addr as Deno.NetAddr),
    onError: (err) => {
      opts.log?.(`unhandled: ${(err as Error)?.name ?? "error"}`);
      return new Response(
        JSON.stringify({
          ok: false,
          error: { status: 500, code: "INTERNAL", message: "internal error" },
        }),
        { status: 500, headers: { "content-type": "application/json" } },
      );
    },
  }, gw.handler);
  const addr = await ready;
  const host = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
  let stopping: Promise<void> | undefined;
  const shutdown = () =>
    stopping ??= (async () => {
      // End subscribe/pull waits first so requests in flight answer promptly,
      // let them finish, then close the pool.
      gw.stopWaits();
      await server.shutdown();
      await server.finished;
      await gw.close();
    })();
  return {
    url: `http://${host}:${addr.port}`,
    port: addr.port,
    hostname: addr.hostname,
    defaultServer: gw.defaultServer,
    allowed: gw.allowed,
    stats: () => gw.pool.stats(),
    shutdown,
    [Symbol.asyncDispose]: shutdown,
  };
}

// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * Connection option defaults, validation and server URL parsing.
 *
 * @module
 */
import type { ServerAddress } from "./transport.ts";
import type { ConnectionOptions } from "./types.ts";

/** Default NATS client port. */
export const DEFAULT_PORT = 4222;

/** Options with every default filled in. */
export interface ResolvedOptions extends ConnectionOptions {
  servers: string[];
  timeout: number;
  pingInterval: number;
  maxPingOut: number;
  reconnect: boolean;
  maxReconnectAttempts: number;
  reconnectTimeWait: number;
  reconnectTimeWaitMax: number;
  reconnectJitter: number;
  reconnectJitterTLS: number;
  reconnectBufSize: number;
  failPendingOnDisconnect: boolean;
  inboxPrefix: string;
}

function positiveInt(name: string, v: unknown, allowMinusOne = false): void {
  if (v === undefined) return;
  if (
    typeof v !== "number" || !Number.isInteger(v) ||
    (v < 0 && !(allowMinusOne && v === -1))
  ) {
    throw new TypeError(
      `option "${name}" must be a non-negative integer${allowMinusOne ? " or -1" : ""}, got ${
        String(v)
      }`,
    );
  }
}

/** Validates options and fills in defaults. Throws `TypeError` on bad input. */
export function resolveOptions(opts: ConnectionOptions = {}): ResolvedOptions {
  if (opts === null || typeof opts !== "object") {
    throw new TypeError("connect options must be an object");
  }
  let servers: string[];
  if (opts.servers === undefined) servers = [`127.0.0.1:${DEFAULT_PORT}`];
  else if (typeof opts.servers === "string") servers = [opts.servers];
  else if (Array.isArray(opts.servers)) servers = [...opts.servers];
  else {throw new TypeError(
      'option "servers" must be a string or an array of strings',
    );}
  if (servers.length === 0) {
    throw new TypeError('option "servers" must name at least one server');
  }
  for (const s of servers) {
    if (typeof s !== "string" || s.trim() === "") {
      throw new TypeError("every server must be a non-empty string");
    }
  }
  positiveInt("timeout", opts.timeout);
  positiveInt("pingInterval", opts.pingInterval);
  positiveInt("maxPingOut", opts.maxPingOut);
  positiveInt("maxReconnectAttempts", opts.maxReconnectAttempts, true);
  positiveInt("reconnectTimeWait", opts.reconnectTimeWait);
  positiveInt("reconnectTimeWaitMax", opts.reconnectTimeWaitMax);
  positiveInt("reconnectJitter", opts.reconnectJitter);
  positiveInt("reconnectJitterTLS", opts.reconnectJitterTLS);
  positiveInt("reconnectBufSize", opts.reconnectBufSize, true);
  if (
    opts.reconnectDelayHandler !== undefined && typeof opts.reconnectDelayHandler !== "function"
  ) {
    throw new TypeError('option "reconnectDelayHandler" must be a function');
  }
  for (const k of ["user", "pass", "token", "name", "inboxPrefix"] as const) {
    if (opts[k] !== undefined && typeof opts[k] !== "string") {
      throw new TypeError(`option "${k}" must be a string`);
    }
  }
  if (opts.debug !== undefined && typeof opts.debug !== "function") {
    throw new TypeError('option "debug" must be a function');
  }
  return {
    ...opts,
    servers,
    timeout: opts.timeout ?? 20_000,
    pingInterval: opts.pingInterval ?? 120_000,
    maxPingOut: opts.maxPingOut ?? 2,
    reconnect: opts.reconnect ?? true,
    maxReconnectAttempts: opts.maxReconnectAttempts ?? 10,
    reconnectTimeWait: opts.reconnectTimeWait ?? 2_000,
    reconnectTimeWaitMax: opts.reconnectTimeWaitMax ?? 30_000,
    reconnectJitter: opts.reconnectJitter ?? 100,
    reconnectJitterTLS: opts.reconnectJitterTLS ?? 1_000,
    reconnectBufSize: opts.reconnectBufSize ?? 8 * 1024 * 1024,
    failPendingOnDisconnect: opts.failPendingOnDisconnect ?? true,
    inboxPrefix: opts.inboxPrefix ?? "_INBOX",
  };
}

/** A parsed server URL, with any credentials it carried. */
export interface ParsedServer extends ServerAddress {
  /** User from the URL's userinfo. */
  user?: string;
  /** Password from the URL's userinfo. */
  pass?: string;
  /** Token from the URL's userinfo (`nats://token@host`). */
  token?: string;
}

const SCHEMES = new Set(["nats", "tls", "ws", "wss"]);

/**
 * Parses `nats://host:port`, `host:port`, `host`, `[::1]:4222`,
 * `nats://user:pass@host`, `nats://token@host`, `tls://`, `ws://`, `wss://`.
 * Throws `TypeError` naming the URL when it cannot be parsed.
 */
export function parseServer(input: string): ParsedServer {
  let s = input.trim();
  let scheme = "nats";
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(s);
  if (m) {
    scheme = m[1].toLowerCase();
    if (!SCHEMES.has(scheme)) {
      throw new TypeError(
        `unsupported URL scheme "${scheme}://" in server "${
          redactUrl(input)
        }": use nats://, tls://, ws:// or wss://`,
      );
    }
    s = s.slice(m[0].length);
  }
  let u: URL;
  try {
    // Parse with a special scheme so that IPv6 hosts and ports are handled
    // by the WHATWG parser; the real scheme is kept aside.
    u = new URL(`http://${s}`);
  } catch {
    // No cause: the URL parser's message would repeat the credentials.
    throw new TypeError(`invalid server URL "${redactUrl(input)}"`);
  }
  const defaultPort = scheme === "ws" ? 80 : scheme === "wss" ? 443 : DEFAULT_PORT;
  // `new URL("http://h:80")` drops the default port 80, so read it back from the text.
  let port = u.port === "" ? defaultPort : Number(u.port);
  if (u.port === "" && /:80(\/|$)/.test(s.replace(/^.*@/, ""))) port = 80;
  let hostname = u.hostname;
  if (hostname === "") {
    throw new TypeError(`server URL "${redactUrl(input)}" has no host`);
  }
  if (hostname.startsWith("[")) hostname = hostname.slice(1, -1);
  const hostport = hostname.includes(":") ? `[${hostname}]:${port}` : `${hostname}:${port}`;
  const out: ParsedServer = {
    scheme,
    hostname,
    port,
    hostport,
    url: `${scheme}://${hostport}${
      scheme === "ws" || scheme === "wss" ? (u.pathname === "/" ? "" : u.pathname) : ""
    }`,
  };
  const user = decodeURIComponent(u.username);
  const pass = decodeURIComponent(u.password);
  if (user !== "" && pass !== "") {
    out.user = user;
    out.pass = pass;
  } else if (user !== "") {
    out.token = user;
  }
  return out;
}

/** Replaces URL credentials with `***` so the URL can be logged. */
export function redactUrl(url: string): string {
  // With or without a scheme: "nats://u:p@h", "u:p@h", "token@h".
  return url.replace(
    /^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)?[^@/]*@/,
    (_m, scheme) => `${scheme ?? ""}***@`,
  );
}

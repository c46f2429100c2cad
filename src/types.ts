// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * Public types, named and shaped as in nats.js v3 so that switching clients
 * is a change of import.
 *
 * @module
 */
import type { TlsOptions } from "./transport.ts";

/** How a header key is matched. */
export const Match = {
  /** Exact, case-sensitive match (the default). */
  Exact: 0,
  /** Canonical MIME form (`content-type` → `Content-Type`). */
  CanonicalMIME: 1,
  /** Case-insensitive match. */
  IgnoreCase: 2,
} as const;
/** One of the values of {@link Match}. */
export type Match = typeof Match[keyof typeof Match];

/** NATS message headers (`NATS/1.0` block), with status for server status messages. */
export interface MsgHdrs extends Iterable<[string, string[]]> {
  /** True when the status code is 300 or more (100 Idle Heartbeat is not an error). */
  readonly hasError: boolean;
  /** Status code and description as one string (`"503"`, `"408 Request Timeout"`), or `""`. */
  readonly status: string;
  /** Status code (`503`, `404`, `408`, `409`, `100`), or 0 when there is none. */
  readonly code: number;
  /** Status description, or `""`. */
  readonly description: string;
  /** First value of `k`, or `""`. */
  get(k: string, match?: Match): string;
  /** Replaces all values of `k` with `v`. */
  set(k: string, v: string, match?: Match): void;
  /** Adds `v` to the values of `k`. */
  append(k: string, v: string, match?: Match): void;
  /** True when `k` has at least one value. */
  has(k: string, match?: Match): boolean;
  /** All keys, in insertion order. */
  keys(): string[];
  /** All values of `k`, in order. */
  values(k: string, match?: Match): string[];
  /** Removes `k`. */
  delete(k: string, match?: Match): void;
  /** Last value of `k`, or `""`. */
  last(k: string, match?: Match): string;
}

/** Payload accepted by publish, request and respond. */
export type Payload = Uint8Array | string;

/** Options for `publish`. */
export interface PublishOptions {
  /** Subject the receiver should answer to. */
  reply?: string;
  /** Headers to send (HPUB). */
  headers?: MsgHdrs;
}

/** A received message. */
export interface Msg {
  /** Subject the message was published to. */
  readonly subject: string;
  /** Subscription id that received it. */
  readonly sid: number;
  /** Reply subject, or `""` when there is none. */
  readonly reply: string;
  /**
   * Payload bytes, owned by the message: never a view of a read buffer the
   * client reuses. Small payloads share a slab (16 KiB, or 64 KiB for those
   * over 512 B), so keeping one message keeps at most that slab alive.
   */
  readonly data: Uint8Array;
  /** Headers, or `undefined` when the message had none. */
  readonly headers?: MsgHdrs;
  /** Payload decoded as UTF-8. */
  string(): string;
  /** Payload parsed as JSON. */
  json<T = unknown>(): T;
  /**
   * Publishes a response to `reply`. Returns `false` (and sends nothing) when
   * the message has no reply subject.
   */
  respond(payload?: Payload, opts?: PublishOptions): boolean;
}

/** Callback style delivery: `err` is set when the subscription fails. */
export type MsgCallback<T> = (err: Error | null, msg: T) => void;

/** Options for `subscribe`. */
export interface SubscriptionOptions {
  /** Queue group: each message goes to one member of the group. */
  queue?: string;
  /** Unsubscribe automatically after this many messages. */
  max?: number;
  /**
   * Fail the subscription with a `TimeoutError` if no message arrives within
   * this many milliseconds.
   */
  timeout?: number;
  /** Deliver through this callback instead of the async iterator (fast path). */
  callback?: MsgCallback<Msg>;
  /**
   * Messages an iterator may have waiting before further ones are dropped
   * and a `slowConsumer` status is reported (default 524288, as nats.go; -1 no limit).
   */
  pendingMsgsLimit?: number;
  /** Bytes an iterator may have waiting before dropping (default 64 MiB; -1 no limit). */
  pendingBytesLimit?: number;
}

/** A subscription: an async iterator of messages, or a callback. */
export interface Subscription extends AsyncIterable<Msg> {
  /**
   * Resolves when the subscription ends: to `undefined`, or to the Error that
   * ended it (a permissions violation, a timeout). It never rejects.
   */
  readonly closed: Promise<void | Error>;
  /** Subscription id. */
  getID(): number;
  /** Subject subscribed to. */
  getSubject(): string;
  /** Messages received so far. */
  getReceived(): number;
  /** Messages handed to the user so far. */
  getProcessed(): number;
  /** Messages received but not yet handed to the user (iterator style). */
  getPending(): number;
  /** Messages dropped because the subscription was over its pending limits. */
  getDropped(): number;
  /** Auto-unsubscribe limit, if any. */
  getMax(): number | undefined;
  /** True once the subscription has ended. */
  isClosed(): boolean;
  /** True while draining. */
  isDraining(): boolean;
  /** Stops delivery now, or after `max` messages in total. */
  unsubscribe(max?: number): void;
  /** Stops interest, delivers what is in flight, then closes. */
  drain(): Promise<void>;
  /** Same as `unsubscribe()`, for `using` declarations. */
  [Symbol.dispose](): void;
}

/** Options for `request`. */
export interface RequestOptions {
  /** Milliseconds before the request rejects with a `TimeoutError` (default 1000, as in nats.js). */
  timeout?: number;
  /** Headers to send with the request. */
  headers?: MsgHdrs;
  /** Use a dedicated inbox subscription instead of the shared one. */
  noMux?: boolean;
  /** Reply subject for `noMux` requests (defaults to a fresh inbox). */
  reply?: string;
  /** Abort the request early. */
  signal?: AbortSignal;
}

/** Connection statistics. */
export interface Stats {
  /** Bytes received. */
  inBytes: number;
  /** Bytes sent. */
  outBytes: number;
  /** Messages received (MSG and HMSG). */
  inMsgs: number;
  /** Messages sent (PUB and HPUB). */
  outMsgs: number;
}

/** The server's INFO, in its wire shape. Unknown fields are kept. */
export interface ServerInfo {
  /** Server id. */
  server_id: string;
  /** Server name. */
  server_name: string;
  /** Server version. */
  version: string;
  /** Protocol version. */
  proto: number;
  /** Server host. */
  host: string;
  /** Server port. */
  port: number;
  /** Whether headers are supported. */
  headers?: boolean;
  /** Largest message (headers + payload) the server accepts. */
  max_payload: number;
  /** Whether the server requires authentication. */
  auth_required?: boolean;
  /** Whether the server requires TLS. */
  tls_required?: boolean;
  /** Whether the server verifies client certificates. */
  tls_verify?: boolean;
  /** Whether TLS is optional on this port. */
  tls_available?: boolean;
  /** Nonce to sign for nkey/JWT authentication. */
  nonce?: string;
  /** Other servers in the cluster, `host:port`. */
  connect_urls?: string[];
  /** Lame duck mode: the server is about to shut down. */
  ldm?: boolean;
  /** Whether JetStream is enabled. */
  jetstream?: boolean;
  /** Id the server gave this client. */
  client_id?: number;
  /** Address the server sees for this client. */
  client_ip?: string;
  /** Cluster name. */
  cluster?: string;
  /** JetStream domain. */
  domain?: string;
  /** Any other field the server sends. */
  [key: string]: unknown;
}

/** A connection event, as yielded by `nc.status()`. */
export type Status =
  | { type: "disconnect"; server: string; error?: Error }
  | { type: "reconnecting"; server: string; attempt: number; delay: number }
  | { type: "reconnect"; server: string }
  | { type: "update"; added?: string[]; deleted?: string[] }
  | { type: "ldm"; server: string }
  | { type: "error"; error: Error }
  | { type: "ping"; pendingPings: number }
  | { type: "staleConnection"; server?: string }
  | { type: "slowConsumer"; sub: Subscription; pending: number }
  | { type: "close"; error?: Error };

/** A trace event handed to the `debug` hook. Credentials are always redacted. */
export interface TraceEvent {
  /** `"in"` for bytes from the server, `"out"` for bytes to it, `"state"` for lifecycle. */
  direction: "in" | "out" | "state";
  /** One protocol line (payloads omitted) or a lifecycle message. */
  line: string;
}

/**
 * Credentials an {@link Authenticator} adds to CONNECT, in the wire's field
 * names. `sig` is the server nonce signed with the nkey seed (base64url).
 */
export interface Auth {
  /** User name. */
  user?: string;
  /** Password. */
  pass?: string;
  /** Token. */
  auth_token?: string;
  /** Public nkey. */
  nkey?: string;
  /** Signature of the server's nonce. */
  sig?: string;
  /** User JWT. */
  jwt?: string;
}

/**
 * Produces credentials for each (re)connect, given the server's nonce. May be
 * async (WebCrypto signing is). Called again on every reconnect, so rotating
 * credentials work.
 */
export type Authenticator = (nonce?: string) => Auth | Promise<Auth>;

/** Options for `connect`. */
export interface ConnectionOptions {
  /** Server URL(s): `nats://host:port`, `host:port`, `[::1]:4222`, `nats://user:pass@host`. Default `127.0.0.1:4222`. */
  servers?: string | string[];
  /** Connection name shown by the server. */
  name?: string;
  /** User name. */
  user?: string;
  /** Password. */
  pass?: string;
  /** Authentication token. */
  token?: string;
  /** Connect timeout in milliseconds (default 20000). */
  timeout?: number;
  /** Milliseconds between client PINGs (default 120000). */
  pingInterval?: number;
  /** Unanswered PINGs before the connection is stale (default 2). */
  maxPingOut?: number;
  /** Do not deliver this connection's own publishes to its subscriptions. */
  noEcho?: boolean;
  /** Ask the server to `+OK` every operation. */
  verbose?: boolean;
  /** Ask the server for strict subject checking. */
  pedantic?: boolean;
  /** Reconnect after a lost connection (default true). */
  reconnect?: boolean;
  /**
   * Failed dials per server (counting the immediate first attempt after a
   * disconnect) before it leaves the pool; -1 forever (default 10). A first
   * connect always dials each server once.
   */
  maxReconnectAttempts?: number;
  /**
   * Base wait before retrying a server that just failed, in ms (default 2000).
   * Each further failure of that server doubles it, up to `reconnectTimeWaitMax`.
   * The first attempt after a disconnect is immediate, and another server in
   * the pool is tried at once rather than waiting for the failed one.
   */
  reconnectTimeWait?: number;
  /** Cap of the exponential backoff in ms (default 30000). */
  reconnectTimeWaitMax?: number;
  /** Random extra wait added to each backoff, in ms (default 100). */
  reconnectJitter?: number;
  /** Random extra wait for TLS servers, in ms (default 1000). */
  reconnectJitterTLS?: number;
  /**
   * Custom policy: returns the wait in ms before retrying a server that has
   * failed `attempt` times in a row (1, 2, ...). Replaces the backoff and jitter.
   */
  reconnectDelayHandler?: (attempt: number) => number;
  /** Keep trying (with the reconnect policy) when the first connect fails (default false). */
  waitOnFirstConnect?: boolean;
  /**
   * Bytes of publishes kept while disconnected and sent after reconnecting
   * (default 8 MiB, like nats.go). A publish past it throws
   * RECONNECT_BUFFER_EXCEEDED synchronously; -1 disables buffering (publishing
   * while disconnected throws).
   */
  reconnectBufSize?: number;
  /**
   * Reject pending requests at once with a DISCONNECTED error when the
   * connection drops (default true). When false they wait for a reply after
   * the reconnect or for their own timeout. flush() and rtt() always reject.
   */
  failPendingOnDisconnect?: boolean;
  /** Prefix for inbox subjects (default `_INBOX`). */
  inboxPrefix?: string;
  /** Require TLS (`tls://` URLs imply it). */
  tls?: TlsOptions | null;
  /** Do not shuffle the server list. */
  noRandomize?: boolean;
  /** Ignore `connect_urls` learned from the server. */
  ignoreClusterUpdates?: boolean;
  /** Credential providers (nkey, JWT, creds, rotating secrets); applied in order. */
  authenticator?: Authenticator | Authenticator[];
  /** Trace hook: receives protocol lines with credentials redacted. */
  debug?: (event: TraceEvent) => void;
}

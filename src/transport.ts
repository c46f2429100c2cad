// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * The runtime seam. A transport opens a byte stream to one server, reads
 * chunks, writes chunks, optionally upgrades to TLS, and closes. It knows
 * nothing of the NATS protocol and keeps no buffering policy of its own: the
 * connection coalesces writes and parses reads.
 *
 * @module
 */

/** A server endpoint taken from the server pool. */
export interface ServerAddress {
  /** URL scheme without the colon: `nats`, `tls`, `ws` or `wss`. */
  scheme: string;
  /** Host name or IP address (IPv6 without brackets). */
  hostname: string;
  /** TCP port. */
  port: number;
  /** `host:port` as written in status events and errors (IPv6 in brackets). */
  hostport: string;
  /** The URL normalised as `scheme://host:port`, credentials removed. */
  url: string;
}

/**
 * TLS settings (nats.js names). Server certificates are always verified;
 * `ca` replaces nothing, it adds trust anchors for private CAs.
 */
export interface TlsOptions {
  /** PEM CA certificate(s) to trust. */
  ca?: string | string[];
  /** Path of a PEM CA file (runtimes with a file system). */
  caFile?: string;
  /** PEM client certificate chain, for servers that verify clients. */
  cert?: string;
  /** Path of a PEM client certificate. */
  certFile?: string;
  /** PEM private key of the client certificate. */
  key?: string;
  /** Path of the PEM private key. */
  keyFile?: string;
  /** Server name to verify (defaults to the host name dialled). */
  servername?: string;
}

/** Options handed to a transport factory for one dial. */
export interface TransportOptions {
  /** Abort the dial when this signal fires (connect timeout). */
  signal?: AbortSignal;
  /** TLS settings, used by `upgradeTls`. */
  tls?: TlsOptions;
}

/**
 * An open byte stream to one server.
 *
 * Contract: chunks yielded by `readable` may be views into a buffer the
 * transport reuses, so they are valid only until the next chunk is requested;
 * the reader copies whatever must outlive that. `write` may keep a reference
 * to its argument until the returned promise settles; the caller does not
 * touch that buffer until then.
 */
export interface Transport {
  /** Inbound chunks; ends when the peer closes, throws on a socket error. */
  readonly readable: AsyncIterable<Uint8Array>;
  /** Writes all of `bytes`; resolves when the runtime has taken them. */
  write(bytes: Uint8Array): Promise<void>;
  /**
   * Upgrades the stream to TLS in place (NATS sends INFO in plain text and
   * the client then upgrades). Must be called while no read is pending.
   */
  upgradeTls?(opts: TlsOptions, hostname: string): Promise<void>;
  /** Closes the stream; idempotent. */
  close(): Promise<void>;
  /** True when the transport speaks WebSocket framing (TLS comes from `wss`). */
  readonly isWebSocket?: boolean;
  /**
   * True when every chunk `readable` yields is a fresh buffer the transport
   * never touches again (Node sockets, WebSocket messages). The connection
   * then hands out larger payloads as views of the chunk instead of copying
   * them. Leave unset when a read buffer is reused.
   */
  readonly chunksOwned?: boolean;
}

/** Opens a transport to one server. */
export type TransportFactory = (
  server: ServerAddress,
  opts: TransportOptions,
) => Promise<Transport>;

/** Transport factories by kind; the connection picks one by URL scheme. */
export interface Transports {
  /** Factory for `nats://`, `tls://` and bare `host:port` URLs. */
  tcp?: TransportFactory;
  /** Factory for `ws://` and `wss://` URLs. */
  ws?: TransportFactory;
  /** Name of the runtime, for error messages (`"deno"`, `"browser"`...). */
  runtime?: string;
}

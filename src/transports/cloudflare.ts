// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * nats-rt for Cloudflare Workers: TCP with `connect()` from
 * `cloudflare:sockets`, opened with `secureTransport: "starttls"` and
 * upgraded with `startTls()` after the server's INFO when TLS is wanted.
 * `ws://` and `wss://` URLs use the Workers `WebSocket`. The API is the same
 * as every other entry point.
 *
 * Workers verify the server's certificate against the platform's trust
 * store and the host name dialled, and cannot present client certificates,
 * so `tls.ca`, `tls.cert`, `tls.key` (and their `File` forms) and a
 * `tls.servername` other than the host dialled are refused with a
 * {@link TlsError} (`unsupported-option`) instead of being ignored.
 *
 * @example A Worker that publishes
 * ```ts ignore
 * import { connect } from "nats-rt"; // the "workerd" condition picks this entry
 *
 * export default {
 *   async fetch(req: Request): Promise<Response> {
 *     const nc = await connect({ servers: "tls://nats.example.com:4222" });
 *     nc.publish("hits", new URL(req.url).pathname);
 *     await nc.close();
 *     return new Response("ok");
 *   },
 * };
 * ```
 *
 * @module
 */
import { connect as cfConnectUntyped } from "cloudflare:sockets";
import { connectWith, type NatsConnection } from "../connection.ts";
import { ConnectionError, TlsError } from "../errors.ts";
import type {
  ServerAddress,
  TlsOptions,
  Transport,
  TransportFactory,
  TransportOptions,
} from "../transport.ts";
import type { ConnectionOptions } from "../types.ts";
import { tlsError } from "./_tls.ts";
import { webSocket } from "./_websocket.ts";

/** The `ReadableStreamDefaultReader` members used. */
interface Reader {
  read(): Promise<{ done: boolean; value?: Uint8Array }>;
  releaseLock(): void;
}
/** The `WritableStreamDefaultWriter` members used. */
interface Writer {
  write(chunk: Uint8Array): Promise<void>;
  releaseLock(): void;
}
/** The `cloudflare:sockets` `Socket` members used. */
interface CfSocket {
  readonly readable: { getReader(): Reader };
  readonly writable: { getWriter(): Writer };
  readonly opened: Promise<unknown>;
  readonly closed: Promise<void>;
  close(): Promise<void>;
  startTls(): CfSocket;
}
type CfConnect = (
  address: { hostname: string; port: number },
  opts: { secureTransport: "off" | "on" | "starttls"; allowHalfOpen: boolean },
) => CfSocket;

const cfConnect = cfConnectUntyped as unknown as CfConnect;

/** Longest `close()` waits for the socket to close (ms). */
const CLOSE_WAIT = 1_000;

function refuseTlsOptions(opts: TlsOptions | undefined, hostname: string): void {
  if (opts === undefined) return;
  const bad = (["ca", "caFile", "cert", "certFile", "key", "keyFile"] as const)
    .filter((k) => opts[k] !== undefined);
  if (bad.length > 0) {
    throw new TlsError(
      `Cloudflare Workers sockets cannot use tls.${bad.join(", tls.")}: Workers verify ` +
        "servers against the platform's trust store and cannot present client certificates",
      "unsupported-option",
    );
  }
  // workerd ignores startTls({ expectedServerHostname }) (it logs "unsupported
  // expectedServerHostname option") and always checks the host name dialled.
  if (opts.servername !== undefined && opts.servername !== hostname) {
    throw new TlsError(
      `Cloudflare Workers sockets cannot verify TLS against tls.servername ` +
        `"${opts.servername}": the certificate is checked against the host dialled ` +
        `("${hostname}"); dial the name the certificate lists`,
      "unsupported-option",
    );
  }
}

/**
 * workerd reports TLS failures to JavaScript as "internal error; reference =
 * ..." (the reason goes to its own log only), so the reason is rarely known:
 * say what the usual causes are.
 */
function cfTlsError(err: unknown, hostport: string, name: string, opts: TlsOptions): TlsError {
  const t = tlsError(err, hostport, name, opts)!;
  if (t.reason !== "handshake" || !/internal error/i.test(t.message)) return t;
  return new TlsError(
    `${t.message}: Workers hide the TLS error; the usual causes are a server certificate ` +
      `not signed by a CA the platform trusts, or one that does not cover "${name}"`,
    "handshake",
    { cause: err },
  );
}

class CloudflareTransport implements Transport {
  #sock: CfSocket;
  #server: ServerAddress;
  #reader: Reader;
  #writer: Writer;
  #closed = false;
  #tls: { name: string; opts: TlsOptions } | undefined;
  /** True once data arrived over TLS (the handshake is over). */
  #tlsUp = false;
  readonly readable: AsyncIterable<Uint8Array>;

  constructor(sock: CfSocket, server: ServerAddress) {
    this.#sock = sock;
    this.#server = server;
    this.#reader = sock.readable.getReader();
    this.#writer = sock.writable.getWriter();
    this.readable = { [Symbol.asyncIterator]: () => this.#read() };
  }

  #fail(err: unknown, what: string): Error {
    if (this.#tls !== undefined && !this.#tlsUp) {
      // Until the first byte arrives over TLS, a failure is the handshake's.
      return cfTlsError(err, this.#server.hostport, this.#tls.name, this.#tls.opts);
    }
    return new ConnectionError(
      `${what} ${this.#server.hostport} failed: ${(err as Error)?.message ?? String(err)}`,
      { cause: err },
    );
  }

  async *#read(): AsyncGenerator<Uint8Array> {
    while (!this.#closed) {
      let r: { done: boolean; value?: Uint8Array };
      try {
        // The reader is fetched on every read: a TLS upgrade replaces it.
        r = await this.#reader.read();
      } catch (err) {
        if (this.#closed) return;
        throw this.#fail(err, "read from");
      }
      if (r.done) return;
      if (r.value !== undefined && r.value.length > 0) {
        if (this.#tls !== undefined) this.#tlsUp = true;
        yield r.value;
      }
    }
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (this.#closed) throw new ConnectionError(`connection to ${this.#server.hostport} is closed`);
    try {
      // Resolves once the stream has taken the chunk: the buffer is then free.
      await this.#writer.write(bytes);
    } catch (err) {
      throw this.#fail(err, "write to");
    }
  }

  async upgradeTls(opts: TlsOptions, hostname: string): Promise<void> {
    refuseTlsOptions(opts, hostname);
    const name = hostname;
    this.#tls = { name, opts };
    // startTls() takes over the plain socket; no read is pending (the
    // connection guarantees it), so the locks can be released.
    this.#reader.releaseLock();
    this.#writer.releaseLock();
    let sock: CfSocket;
    try {
      sock = this.#sock.startTls();
    } catch (err) {
      throw cfTlsError(err, this.#server.hostport, name, opts);
    }
    this.#sock = sock;
    this.#reader = sock.readable.getReader();
    this.#writer = sock.writable.getWriter();
    try {
      await sock.opened;
    } catch (err) {
      throw cfTlsError(err, this.#server.hostport, name, opts);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.#sock.close().catch(() => {}),
      new Promise<void>((r) => timer = setTimeout(r, CLOSE_WAIT)),
    ]);
    clearTimeout(timer);
  }
}

/** Opens a TCP socket with `cloudflare:sockets` (`secureTransport: "starttls"`). */
const cloudflareTcp: TransportFactory = async (
  server: ServerAddress,
  opts: TransportOptions,
): Promise<Transport> => {
  refuseTlsOptions(opts.tls, server.hostname);
  let sock: CfSocket;
  try {
    sock = cfConnect({ hostname: server.hostname, port: server.port }, {
      secureTransport: "starttls",
      allowHalfOpen: false,
    });
    await sock.opened;
  } catch (err) {
    throw new ConnectionError(
      `could not connect to ${server.hostport}: ${(err as Error)?.message ?? String(err)}`,
      { cause: err },
    );
  }
  if (opts.signal?.aborted) {
    await sock.close().catch(() => {});
    throw new ConnectionError(`connection to ${server.hostport} aborted`);
  }
  return new CloudflareTransport(sock, server);
};

/**
 * Connects to a NATS server from a Cloudflare Worker over `cloudflare:sockets`
 * (`nats://`, `tls://`, `host:port`), or over WebSocket (`ws://`, `wss://`).
 *
 * @param opts servers, credentials, timeouts and other options (no TLS files or CAs: see the module doc)
 * @returns the connection, once the server has accepted it
 * @example Connect and close inside a request
 * ```ts ignore
 * const nc = await connect({ servers: "tls://nats.example.com:4222" });
 * await nc.close();
 * ```
 */
export function connect(opts?: ConnectionOptions): Promise<NatsConnection> {
  return connectWith(opts, { tcp: cloudflareTcp, ws: webSocket, runtime: "cloudflare workers" });
}

export * from "../_api.ts";

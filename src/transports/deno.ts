// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * Deno TCP transport (`Deno.connect`, `Deno.startTls`). The only place,
 * with the other files in this folder, that touches a runtime API.
 *
 * `Deno.startTls` cannot present a client certificate, so when `tls.cert`,
 * `tls.key`, `tls.certFile` or `tls.keyFile` is set the connection is made
 * with `node:net` and upgraded with `node:tls` instead (Deno's Node
 * compatibility layer, loaded only then).
 *
 * Only the `Deno` members called here are typed (small local interfaces), so
 * the npm build needs no Deno types.
 *
 * @module
 */
import { ConnectionError } from "../errors.ts";
import type {
  ServerAddress,
  TlsOptions,
  Transport,
  TransportFactory,
  TransportOptions,
} from "../transport.ts";
import { hasClientCert, tlsError } from "./_tls.ts";

/** Read buffer size. Chunks are views into it: the parser copies what it keeps. */
const READ_SIZE = 64 * 1024;

/** The `Deno.Conn` members used. */
interface DenoConn {
  read(p: Uint8Array): Promise<number | null>;
  write(p: Uint8Array): Promise<number>;
  close(): void;
}
/** The `Deno.TcpConn` members used. */
interface DenoTcpConn extends DenoConn {
  setNoDelay(noDelay?: boolean): void;
}
/** The `Deno.TlsConn` members used. */
interface DenoTlsConn extends DenoConn {
  handshake(): Promise<unknown>;
}
/** The `Deno` namespace members used. */
interface DenoNs {
  connect(opts: { hostname: string; port: number; transport: "tcp" }): Promise<DenoTcpConn>;
  startTls(
    conn: DenoTcpConn,
    opts: { hostname: string; caCerts?: string[] },
  ): Promise<DenoTlsConn>;
  readTextFile(path: string): Promise<string>;
  errors: { ConnectionRefused: abstract new (...args: never[]) => Error };
}

const deno = (globalThis as unknown as { Deno: DenoNs }).Deno;

class DenoTransport implements Transport {
  #conn: DenoConn;
  #server: ServerAddress;
  #buf = new Uint8Array(READ_SIZE);
  #closed = false;
  #tls: { name: string; opts: TlsOptions } | undefined;
  readonly readable: AsyncIterable<Uint8Array>;

  constructor(conn: DenoTcpConn, server: ServerAddress) {
    this.#conn = conn;
    this.#server = server;
    this.readable = { [Symbol.asyncIterator]: () => this.#read() };
  }

  async *#read(): AsyncGenerator<Uint8Array> {
    while (!this.#closed) {
      let n: number | null;
      try {
        n = await this.#conn.read(this.#buf);
      } catch (err) {
        if (this.#closed) return;
        if (this.#tls !== undefined) {
          // A refused client certificate shows up as an alert on the first read.
          const t = tlsError(err, this.#server.hostport, this.#tls.name, this.#tls.opts, false);
          if (t !== undefined) throw t;
        }
        throw new ConnectionError(`read failed: ${(err as Error).message}`, { cause: err });
      }
      if (n === null) return;
      yield this.#buf.subarray(0, n);
    }
  }

  async write(bytes: Uint8Array): Promise<void> {
    let off = 0;
    while (off < bytes.length) {
      off += await this.#conn.write(off === 0 ? bytes : bytes.subarray(off));
    }
  }

  async upgradeTls(opts: TlsOptions, hostname: string): Promise<void> {
    const caCerts = opts.ca === undefined ? [] : Array.isArray(opts.ca) ? [...opts.ca] : [opts.ca];
    if (opts.caFile !== undefined) caCerts.push(await deno.readTextFile(opts.caFile));
    const name = opts.servername ?? hostname;
    this.#tls = { name, opts };
    let conn: DenoTlsConn;
    try {
      conn = await deno.startTls(this.#conn as DenoTcpConn, {
        hostname: name,
        caCerts: caCerts.length > 0 ? caCerts : undefined,
      });
    } catch (err) {
      throw tlsError(err, this.#server.hostport, name, opts);
    }
    this.#conn = conn;
    try {
      // Run the handshake now, so certificate errors surface here, typed.
      await conn.handshake();
    } catch (err) {
      throw tlsError(err, this.#server.hostport, name, opts);
    }
  }

  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      try {
        this.#conn.close();
      } catch {
        // already closed
      }
    }
    return Promise.resolve();
  }
}

/**
 * Opens a TCP connection with `Deno.connect`, or with `node:net` when a
 * client certificate is configured (see the module doc).
 */
export const denoTcp: TransportFactory = async (
  server: ServerAddress,
  opts: TransportOptions,
): Promise<Transport> => {
  if (opts.tls !== undefined && hasClientCert(opts.tls)) {
    const { nodeTcp } = await import("./_node_socket.ts");
    return nodeTcp(server, opts);
  }
  let conn: DenoTcpConn;
  try {
    conn = await deno.connect({ hostname: server.hostname, port: server.port, transport: "tcp" });
  } catch (err) {
    const why = err instanceof deno.errors.ConnectionRefused
      ? "connection refused (is a nats-server listening there?)"
      : (err as Error).message;
    throw new ConnectionError(`could not connect to ${server.hostport}: ${why}`, { cause: err });
  }
  if (opts.signal?.aborted) {
    // The connect timeout fired while the socket was opening.
    conn.close();
    throw new ConnectionError(`connection to ${server.hostport} aborted`);
  }
  conn.setNoDelay(true);
  return new DenoTransport(conn, server);
};

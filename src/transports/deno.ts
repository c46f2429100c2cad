// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * Deno TCP transport (`Deno.connect`, `Deno.startTls`). The only place,
 * with the other files in this folder, that touches a runtime API.
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

/** Read buffer size. Chunks are views into it: the parser copies what it keeps. */
const READ_SIZE = 64 * 1024;

class DenoTransport implements Transport {
  #conn: Deno.Conn;
  #buf = new Uint8Array(READ_SIZE);
  #closed = false;
  readonly readable: AsyncIterable<Uint8Array>;

  constructor(conn: Deno.Conn) {
    this.#conn = conn;
    this.readable = { [Symbol.asyncIterator]: () => this.#read() };
  }

  async *#read(): AsyncGenerator<Uint8Array> {
    while (!this.#closed) {
      let n: number | null;
      try {
        n = await this.#conn.read(this.#buf);
      } catch (err) {
        if (this.#closed) return;
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
    if (opts.caFile !== undefined) caCerts.push(await Deno.readTextFile(opts.caFile));
    this.#conn = await Deno.startTls(this.#conn as Deno.TcpConn, {
      hostname: opts.servername ?? hostname,
      caCerts: caCerts.length > 0 ? caCerts : undefined,
    });
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

/** Opens a TCP connection with `Deno.connect`. */
export const denoTcp: TransportFactory = async (
  server: ServerAddress,
  opts: TransportOptions,
): Promise<Transport> => {
  let conn: Deno.TcpConn;
  try {
    conn = await Deno.connect({ hostname: server.hostname, port: server.port, transport: "tcp" });
  } catch (err) {
    const why = err instanceof Deno.errors.ConnectionRefused
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
  return new DenoTransport(conn);
};

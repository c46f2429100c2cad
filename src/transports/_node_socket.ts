// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * Private: the `node:net` / `node:tls` transport. Node and Bun use it through
 * the `./node` entry; Deno uses it when a client certificate is configured,
 * because `Deno.startTls` cannot present one.
 *
 * Only the members called below are typed (small local interfaces), so the
 * npm build needs no `@types/node`.
 *
 * @module
 */
import { connect as netConnectUntyped, isIP as isIPUntyped } from "node:net";
import { connect as tlsConnectUntyped, rootCertificates as rootsUntyped } from "node:tls";
import { readFile as readFileUntyped } from "node:fs/promises";
import { ConnectionError } from "../errors.ts";
import type {
  ServerAddress,
  TlsOptions,
  Transport,
  TransportFactory,
  TransportOptions,
} from "../transport.ts";
import { ChunkQueue } from "./_queue.ts";
import { tlsError } from "./_tls.ts";

/** An error from `node:net` (`code` such as `ECONNREFUSED`). */
interface NodeError extends Error {
  code?: string;
}

/** The `net.Socket` / `tls.TLSSocket` members this transport uses. */
interface NodeSocket {
  readonly destroyed: boolean;
  write(data: Uint8Array, cb: (err?: Error | null) => void): boolean;
  on(event: "data", fn: (chunk: Uint8Array) => void): unknown;
  on(event: "error", fn: (err: NodeError) => void): unknown;
  on(event: "end" | "close", fn: () => void): unknown;
  once(event: "connect" | "secureConnect" | "close", fn: () => void): unknown;
  once(event: "error", fn: (err: NodeError) => void): unknown;
  removeListener(event: string, fn: (...args: never[]) => void): unknown;
  pause(): unknown;
  resume(): unknown;
  setNoDelay(noDelay: boolean): unknown;
  destroy(): unknown;
}

type NetConnect = (opts: { host: string; port: number }) => NodeSocket;
type TlsConnect = (opts: {
  socket: NodeSocket;
  host: string;
  servername?: string;
  ca?: string[];
  cert?: string;
  key?: string;
  rejectUnauthorized: boolean;
}) => NodeSocket;

const netConnect = netConnectUntyped as unknown as NetConnect;
const isIP = isIPUntyped as unknown as (host: string) => number;
const tlsConnect = tlsConnectUntyped as unknown as TlsConnect;
const rootCertificates = rootsUntyped as unknown as readonly string[];
const readFile = readFileUntyped as unknown as (path: string, enc: "utf8") => Promise<string>;

function closedError(server: ServerAddress): ConnectionError {
  return new ConnectionError(`connection to ${server.hostport} is closed`);
}

/** `ca` adds trust anchors (as on Deno), so the runtime's roots stay in. */
async function caList(opts: TlsOptions): Promise<string[] | undefined> {
  const extra = opts.ca === undefined ? [] : Array.isArray(opts.ca) ? [...opts.ca] : [opts.ca];
  if (opts.caFile !== undefined) extra.push(await readFile(opts.caFile, "utf8"));
  return extra.length === 0 ? undefined : [...rootCertificates, ...extra];
}

/** A connected `node:net` socket (later a `node:tls` one) as a {@link Transport}. */
export class NodeTransport implements Transport {
  #sock: NodeSocket;
  #server: ServerAddress;
  #queue: ChunkQueue;
  #detach: () => void = () => {};
  #closed = false;
  #tls: { name: string; opts: TlsOptions } | undefined;
  /** Rejecters of the writes whose callback has not run yet. */
  #writes = new Set<(err: Error) => void>();
  /** Inbound chunks (owned Buffers; nothing is reused). */
  readonly readable: AsyncIterable<Uint8Array>;
  /** Node, Bun and Deno's `node:net` hand every `data` event a fresh Buffer. */
  readonly chunksOwned = true;

  /**
   * @param sock a connected socket
   * @param server the server it is connected to
   */
  constructor(sock: NodeSocket, server: ServerAddress) {
    this.#sock = sock;
    this.#server = server;
    this.#queue = new ChunkQueue({
      pause: () => this.#sock.pause(),
      resume: () => this.#sock.resume(),
    });
    this.readable = this.#queue;
    this.#attach(sock);
  }

  #attach(sock: NodeSocket): void {
    const onData = (chunk: Uint8Array) => this.#queue.push(chunk);
    const onEnd = () => this.#queue.end();
    const onClose = () => {
      this.#queue.end();
      this.#failWrites();
    };
    const onError = (err: NodeError) => this.#queue.end(this.#readError(err));
    sock.on("data", onData);
    sock.on("end", onEnd);
    sock.on("close", onClose);
    sock.on("error", onError);
    this.#detach = () => {
      sock.removeListener("data", onData);
      sock.removeListener("end", onEnd);
      sock.removeListener("close", onClose);
      sock.removeListener("error", onError);
    };
  }

  #readError(err: NodeError): Error {
    if (this.#tls !== undefined) {
      // A server that refuses the client certificate says so with an alert
      // after the client's side of the handshake is done: it shows up here.
      const t = tlsError(err, this.#server.hostport, this.#tls.name, this.#tls.opts, false);
      if (t !== undefined) return t;
    }
    return new ConnectionError(`read from ${this.#server.hostport} failed: ${err.message}`, {
      cause: err,
    });
  }

  /**
   * Hands `bytes` to the socket and resolves in its write callback, once Node
   * has written them to the kernel: the caller reuses the buffer only after
   * that. Should several writes be pending at once, the socket keeps their
   * order.
   */
  write(bytes: Uint8Array): Promise<void> {
    const sock = this.#sock;
    if (this.#closed || sock.destroyed) return Promise.reject(closedError(this.#server));
    return new Promise<void>((resolve, reject) => {
      const fail = (err: Error) =>
        reject(
          err instanceof ConnectionError ? err : new ConnectionError(
            `write to ${this.#server.hostport} failed: ${err.message}`,
            { cause: err },
          ),
        );
      this.#writes.add(fail);
      sock.write(bytes, (err) => {
        if (!this.#writes.delete(fail)) return; // failed when the socket closed
        if (err) fail(err);
        else resolve();
      });
    });
  }

  /** Fails the writes still pending (the socket closed under them). */
  #failWrites(): void {
    if (this.#writes.size === 0) return;
    const err = closedError(this.#server);
    const fails = [...this.#writes];
    this.#writes.clear();
    for (const fail of fails) fail(err);
  }

  /** Wraps the socket in `node:tls` (certificates verified, SNI unless an IP). */
  async upgradeTls(opts: TlsOptions, hostname: string): Promise<void> {
    const name = opts.servername ?? hostname;
    const ca = await caList(opts);
    const cert = opts.cert ??
      (opts.certFile === undefined ? undefined : await readFile(opts.certFile, "utf8"));
    const key = opts.key ??
      (opts.keyFile === undefined ? undefined : await readFile(opts.keyFile, "utf8"));
    if (this.#closed) throw closedError(this.#server);
    const raw = this.#sock;
    this.#detach();
    // The TLS socket reports errors from now on; the raw one must not throw
    // an unhandled 'error' event.
    raw.on("error", () => {});
    const sock = tlsConnect({
      socket: raw,
      host: name,
      servername: isIP(name) === 0 ? name : undefined,
      ca,
      cert,
      key,
      rejectUnauthorized: true,
    });
    this.#sock = sock;
    this.#tls = { name, opts };
    try {
      await new Promise<void>((resolve, reject) => {
        const onError = (err: NodeError) => reject(err);
        sock.once("secureConnect", () => {
          sock.removeListener("error", onError);
          resolve();
        });
        sock.once("error", onError);
      });
    } catch (err) {
      sock.on("error", () => {});
      sock.destroy();
      throw tlsError(err, this.#server.hostport, name, opts);
    }
    this.#attach(sock);
  }

  /** Destroys the socket; queued reads end. Idempotent. */
  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#sock.destroy();
      this.#queue.end();
      this.#failWrites();
    }
    return Promise.resolve();
  }
}

/** Opens a TCP connection with `node:net` (Node, Bun, and Deno's Node compatibility). */
export const nodeTcp: TransportFactory = (
  server: ServerAddress,
  opts: TransportOptions,
): Promise<Transport> =>
  new Promise<Transport>((resolve, reject) => {
    const signal = opts.signal;
    if (signal?.aborted) {
      reject(new ConnectionError(`connection to ${server.hostport} aborted`));
      return;
    }
    const sock = netConnect({ host: server.hostname, port: server.port });
    const onAbort = () => {
      sock.destroy();
      reject(new ConnectionError(`connection to ${server.hostport} aborted`));
    };
    const onError = (err: NodeError) => {
      signal?.removeEventListener("abort", onAbort);
      const why = err.code === "ECONNREFUSED"
        ? "connection refused (is a nats-server listening there?)"
        : err.message;
      reject(
        new ConnectionError(`could not connect to ${server.hostport}: ${why}`, { cause: err }),
      );
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    sock.once("error", onError);
    sock.once("connect", () => {
      signal?.removeEventListener("abort", onAbort);
      sock.removeListener("error", onError);
      sock.setNoDelay(true);
      resolve(new NodeTransport(sock, server));
    });
  });

// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * Private: the W3C `WebSocket` transport (browsers, Deno, Node >= 22, Bun,
 * Workers) for nats-server's `websocket {}` listener. NATS protocol bytes
 * travel in binary frames; frame boundaries mean nothing to the parser.
 *
 * Only the `WebSocket` members used are typed, and the constructor is looked
 * up on `globalThis` when dialling, so importing this module is safe
 * everywhere.
 *
 * @module
 */
import { ConnectionError } from "../errors.ts";
import type { ServerAddress, Transport, TransportFactory, TransportOptions } from "../transport.ts";
import { ChunkQueue } from "./_queue.ts";
import { tlsError } from "./_tls.ts";

/** The event fields read (`MessageEvent`, `CloseEvent`, `ErrorEvent`). */
interface WsEvent {
  data?: unknown;
  code?: number;
  reason?: string;
  message?: string;
  error?: unknown;
}

/** The `WebSocket` members used. */
interface W3CWebSocket {
  binaryType: string;
  readonly readyState: number;
  readonly bufferedAmount?: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  addEventListener(
    type: "open" | "message" | "error" | "close",
    fn: (ev: WsEvent) => void,
  ): void;
}

type WebSocketCtor = new (url: string) => W3CWebSocket;

const OPEN = 1;
/** Past this many bytes queued in the socket, `write` waits for it to drain. */
const HIGH_WATER = 4 * 1024 * 1024;
/** ...until fewer than this many remain. */
const LOW_WATER = 1024 * 1024;
/** Longest `close()` waits for the closing handshake (ms). */
const CLOSE_WAIT = 1_000;

const encoder = new TextEncoder();

function detailOf(ev: WsEvent | undefined): string {
  const e = ev?.error as { message?: unknown } | undefined;
  if (typeof e?.message === "string" && e.message !== "") return e.message;
  if (typeof ev?.message === "string" && ev.message !== "") return ev.message;
  return "";
}

/**
 * The error for a WebSocket that never opened. Browsers report no detail,
 * and the usual mistake is dialling the NATS client port, which answers a
 * WebSocket handshake with `INFO`: so the message names the websocket port.
 */
function openError(server: ServerAddress, ev: WsEvent | undefined): Error {
  const detail = detailOf(ev);
  if (server.scheme === "wss" && detail !== "") {
    const t = tlsError(new Error(detail), server.hostport, server.hostname, {}, false, true);
    if (t !== undefined) return t;
  }
  if (/refused/i.test(detail)) {
    return new ConnectionError(
      `could not connect to ${server.url}: connection refused ` +
        "(is a nats-server with a websocket listener running there?)",
      { cause: ev?.error ?? ev },
    );
  }
  return new ConnectionError(
    `could not open a WebSocket to ${server.url}${detail === "" ? "" : ` (${detail})`}: ` +
      "the server did not complete a WebSocket handshake. Use the port of nats-server's " +
      "websocket listener (the websocket { port } setting), not the NATS client port " +
      "(4222 by default), which does not speak WebSocket",
    { cause: ev?.error ?? ev },
  );
}

class WebSocketTransport implements Transport {
  #ws: W3CWebSocket;
  #server: ServerAddress;
  #queue = new ChunkQueue();
  #closed = false;
  #closeEvent: Promise<void>;
  /** Inbound frames' payloads, in order. */
  readonly readable: AsyncIterable<Uint8Array> = this.#queue;
  /** WebSocket framing: TLS comes from `wss://`, never from an upgrade. */
  readonly isWebSocket = true;
  /** Every message event carries its own buffer. */
  readonly chunksOwned = true;

  constructor(ws: W3CWebSocket, server: ServerAddress) {
    this.#ws = ws;
    this.#server = server;
    ws.addEventListener("message", (ev) => {
      const d = ev.data;
      if (d instanceof ArrayBuffer) this.#queue.push(new Uint8Array(d));
      else if (typeof d === "string") this.#queue.push(encoder.encode(d));
      else if (ArrayBuffer.isView(d)) {
        // A view may share its buffer with something else: copy it (rare).
        this.#queue.push(new Uint8Array(d.buffer, d.byteOffset, d.byteLength).slice());
      }
    });
    this.#closeEvent = new Promise<void>((resolve) => {
      ws.addEventListener("close", (ev) => {
        this.#queue.end(
          this.#closed || ev.code === 1000 ? undefined : new ConnectionError(
            `WebSocket to ${server.url} closed (code ${ev.code}${
              ev.reason ? `: ${ev.reason}` : ""
            })`,
          ),
        );
        resolve();
      });
    });
  }

  async write(bytes: Uint8Array): Promise<void> {
    const ws = this.#ws;
    if (this.#closed || ws.readyState !== OPEN) {
      throw new ConnectionError(`WebSocket to ${this.#server.url} is closed`);
    }
    // send() copies (client frames are masked), so the buffer is free at once.
    ws.send(bytes);
    // The only backpressure signal of the W3C API is bufferedAmount.
    if ((ws.bufferedAmount ?? 0) > HIGH_WATER) {
      while ((ws.bufferedAmount ?? 0) > LOW_WATER && ws.readyState === OPEN) {
        await new Promise((r) => setTimeout(r, 5));
      }
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue.end();
    try {
      this.#ws.close(1000);
    } catch {
      // already closing
    }
    // Wait (briefly) for the closing handshake so no socket outlives close().
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.#closeEvent,
      new Promise<void>((r) => timer = setTimeout(r, CLOSE_WAIT)),
    ]);
    clearTimeout(timer);
  }
}

/** Opens a WebSocket (`ws://` or `wss://`) to nats-server's websocket listener. */
export const webSocket: TransportFactory = (
  server: ServerAddress,
  opts: TransportOptions,
): Promise<Transport> => {
  const Ctor = (globalThis as { WebSocket?: WebSocketCtor }).WebSocket;
  if (Ctor === undefined) {
    return Promise.reject(
      new ConnectionError(
        `cannot dial ${server.url}: this runtime has no global WebSocket ` +
          "(Node.js 20 needs --experimental-websocket; Node.js 22 and later have it)",
      ),
    );
  }
  return new Promise<Transport>((resolve, reject) => {
    let ws: W3CWebSocket;
    try {
      ws = new Ctor(server.url);
    } catch (err) {
      reject(
        new ConnectionError(`cannot dial ${server.url}: ${(err as Error).message}`, {
          cause: err,
        }),
      );
      return;
    }
    ws.binaryType = "arraybuffer";
    const t = new WebSocketTransport(ws, server);
    let settled = false;
    let lastError: WsEvent | undefined;
    const signal = opts.signal;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener("abort", onAbort);
      t.close().catch(() => {});
      reject(err);
    };
    const onAbort = () => fail(new ConnectionError(`connection to ${server.url} aborted`));
    signal?.addEventListener("abort", onAbort, { once: true });
    ws.addEventListener("open", () => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener("abort", onAbort);
      resolve(t);
    });
    ws.addEventListener("error", (ev) => {
      lastError = ev;
      if (!settled && ws.readyState !== OPEN) fail(openError(server, ev));
    });
    ws.addEventListener("close", (ev) => {
      if (!settled) fail(openError(server, lastError ?? ev));
    });
  });
};

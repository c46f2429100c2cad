// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * A hand-written minimal NATS client over a plain socket, for the benches:
 * the pre-framed publisher of the subscribe benches and both ends of the
 * raw request/reply floor. Runtime neutral: the socket comes from the
 * runtime's {@link RawSocket}.
 *
 * @module
 */

/** The few socket operations the raw client needs (see `_hosts.ts`). */
export interface RawSocket {
  /** Writes all of `bytes`; resolves when the runtime is done with them. */
  write(bytes: Uint8Array): Promise<void>;
  /**
   * Starts reading: `onData` gets each chunk (valid only during the call),
   * `onEnd` once when the socket ends or fails.
   */
  start(onData: (chunk: Uint8Array) => void, onEnd: (err?: Error) => void): void;
  /** Closes the socket. */
  close(): void;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const PING = encoder.encode("PING\r\n");
const PONG = encoder.encode("PONG\r\n");
const CR = 13;
const LF = 10;
const SPACE = 32;

/**
 * Receives a MSG: `buf[rs, re)` is the reply subject (empty when none) and
 * `buf[ps, pe)` the payload; both views are valid only during the call.
 */
export type RawMsgHandler = (
  buf: Uint8Array,
  rs: number,
  re: number,
  ps: number,
  pe: number,
) => void;

/** A minimal NATS connection on a {@link RawSocket}. */
export class RawConn {
  #sock: RawSocket;
  #buf = new Uint8Array(64 * 1024);
  #len = 0;
  #pongs: Array<(err?: Error) => void> = [];
  #failed: Error | undefined;
  /** Called for every MSG received. */
  onMsg: RawMsgHandler | null = null;

  private constructor(sock: RawSocket) {
    this.#sock = sock;
  }

  /**
   * Sends CONNECT (plus `extra` protocol lines, e.g. SUBs) and PING on a
   * connected socket, and resolves on the PONG.
   */
  static async open(sock: RawSocket, extra = ""): Promise<RawConn> {
    const rc = new RawConn(sock);
    sock.start((c) => rc.#data(c), (err) => rc.#end(err));
    try {
      await rc.write(encoder.encode(
        'CONNECT {"verbose":false,"pedantic":false,"echo":false}\r\n' + extra,
      ));
      await rc.ping();
      return rc;
    } catch (err) {
      rc.close();
      throw err;
    }
  }

  /** Writes bytes as they are (pre-framed protocol). */
  write(bytes: Uint8Array): Promise<void> {
    if (this.#failed !== undefined) return Promise.reject(this.#failed);
    return this.#sock.write(bytes);
  }

  #queued: Uint8Array[] = [];
  #sending = false;

  /**
   * Queues pre-framed bytes (the caller gives up `bytes`): everything queued
   * in one turn goes out in one write, one write at a time, in order.
   */
  send(bytes: Uint8Array): void {
    this.#queued.push(bytes);
    if (this.#sending) return;
    this.#sending = true;
    queueMicrotask(() => this.#drain());
  }

  async #drain(): Promise<void> {
    while (this.#queued.length > 0 && this.#failed === undefined) {
      const parts = this.#queued;
      this.#queued = [];
      let out = parts[0];
      if (parts.length > 1) {
        let len = 0;
        for (const p of parts) len += p.length;
        out = new Uint8Array(len);
        let o = 0;
        for (const p of parts) {
          out.set(p, o);
          o += p.length;
        }
      }
      try {
        await this.#sock.write(out);
      } catch {
        break; // the socket failed: #end reports it
      }
    }
    this.#sending = false;
  }

  /** PING and wait for the PONG: the server has processed everything sent before. */
  ping(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.#failed !== undefined) {
        reject(this.#failed);
        return;
      }
      this.#pongs.push((err) => err ? reject(err) : resolve());
      this.#sock.write(PING).catch(() => {});
    });
  }

  /** Closes the socket. */
  close(): void {
    this.#sock.close();
    this.#end(new Error("raw connection closed"));
  }

  #end(err?: Error): void {
    if (this.#failed !== undefined) return;
    this.#failed = err ?? new Error("raw connection closed by the server");
    for (const p of this.#pongs.splice(0)) p(this.#failed);
  }

  #data(chunk: Uint8Array): void {
    const need = this.#len + chunk.length;
    if (need > this.#buf.length) {
      let cap = this.#buf.length * 2;
      while (cap < need) cap *= 2;
      const grown = new Uint8Array(cap);
      grown.set(this.#buf.subarray(0, this.#len));
      this.#buf = grown;
    }
    this.#buf.set(chunk, this.#len);
    this.#len = need;
    let pos = 0;
    try {
      pos = this.#parse();
    } catch (err) {
      this.#end(err as Error);
      this.#sock.close();
      return;
    }
    if (pos > 0) {
      this.#buf.copyWithin(0, pos, this.#len);
      this.#len -= pos;
    }
  }

  /** Handles every complete frame in the buffer; returns the bytes consumed. */
  #parse(): number {
    const b = this.#buf;
    const len = this.#len;
    let pos = 0;
    while (pos < len) {
      const lf = b.indexOf(LF, pos);
      if (lf < 0 || lf >= len) break; // past len: stale bytes of an earlier read
      const end = lf > pos && b[lf - 1] === CR ? lf - 1 : lf;
      const c0 = b[pos];
      if (c0 === 0x4d /* M */) {
        // MSG <subject> <sid> [reply] <size>
        const starts: number[] = [];
        const ends: number[] = [];
        let i = pos + 3;
        while (i < end) {
          while (i < end && b[i] === SPACE) i++;
          if (i >= end) break;
          starts.push(i);
          while (i < end && b[i] !== SPACE) i++;
          ends.push(i);
        }
        const n = starts.length;
        let size = 0;
        for (let k = starts[n - 1]; k < ends[n - 1]; k++) size = size * 10 + b[k] - 48;
        const ps = lf + 1;
        if (ps + size + 2 > len) break; // payload not complete yet
        const rs = n === 4 ? starts[2] : 0;
        const re = n === 4 ? ends[2] : 0;
        this.onMsg?.(b, rs, re, ps, ps + size);
        pos = ps + size + 2;
        continue;
      }
      if (c0 === 0x50 /* P */ && b[pos + 1] === 0x49 /* I */) {
        this.#sock.write(PONG).catch(() => {});
      } else if (c0 === 0x50 /* P */) {
        this.#pongs.shift()?.();
      } else if (c0 === 0x2d /* - */) {
        throw new Error(`server: ${decoder.decode(b.subarray(pos, end))}`);
      }
      pos = lf + 1;
    }
    return pos;
  }
}

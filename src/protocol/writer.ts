// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * Outbound encoder. Every frame is appended to one growable buffer: ASCII
 * control lines are written byte by byte (integers without `toString`), the
 * payload is copied exactly once, and the caller may reuse its payload buffer
 * as soon as the call returns. While the transport writes one chunk the next
 * one fills; a chunk past SEAL_AT is queued as is, so a long publish loop
 * never re-copies its backlog.
 *
 * @module
 */

const encoder = new TextEncoder();

const INITIAL = 64 * 1024;
/** A chunk this full is handed off as is rather than grown. */
const SEAL_AT = 256 * 1024;
/** Largest buffer kept for reuse. */
const POOL_MAX = 1024 * 1024;

const CR = 13;
const LF = 10;
const SP = 32;

/** A two-buffer, growable outbound byte queue. */
export class Outbound {
  #buf: Uint8Array = new Uint8Array(INITIAL);
  #pos = 0;
  /** Full chunks waiting for the transport, oldest first. */
  #sealed: Uint8Array[] = [];
  #sealedBytes = 0;
  /** Buffers returned by the transport, reused for new chunks. */
  #free: Uint8Array[] = [];
  #scratch: Uint8Array = new Uint8Array(1024);

  /** Bytes waiting to be taken. */
  get length(): number {
    return this.#sealedBytes + this.#pos;
  }

  /** A buffer of at least `min` bytes (and at least `size`), reused when one was released. */
  #fresh(min: number, size = INITIAL): Uint8Array {
    const free = this.#free;
    for (let i = free.length - 1; i >= 0; i--) {
      const f = free[i];
      if (f.length >= min) {
        free[i] = free[free.length - 1];
        free.pop();
        return f;
      }
    }
    return new Uint8Array(Math.max(size, min));
  }

  #seal(): void {
    this.#sealed.push(this.#buf.subarray(0, this.#pos));
    this.#sealedBytes += this.#pos;
    this.#pos = 0;
  }

  #ensure(extra: number): void {
    const need = this.#pos + extra;
    if (need <= this.#buf.length) return;
    if (this.#pos > 0 && need > SEAL_AT) {
      // A chunk never grows past SEAL_AT: a large backlog (a tight publish
      // loop) goes on in a new chunk of SEAL_AT bytes, so nothing queued is
      // ever copied again and no chunk is allocated twice. (Doubling on past
      // SEAL_AT allocated and zeroed ~2x, and copied ~1x, every byte published.)
      this.#seal();
      this.#buf = this.#fresh(Math.max(extra, SEAL_AT));
      return;
    }
    let size = this.#buf.length * 2;
    while (size < need) size *= 2;
    if (size > SEAL_AT && need <= SEAL_AT) size = SEAL_AT;
    const next = this.#fresh(size, size);
    next.set(this.#buf.subarray(0, this.#pos));
    this.#buf = next;
  }

  /**
   * Appends `PUB subject [reply] size` or `HPUB subject [reply] hdrSize totalSize`,
   * the header block, the payload and the trailing CRLF.
   */
  pub(
    subject: string,
    reply: string,
    hdr: Uint8Array | null,
    payload: Uint8Array,
  ): void {
    const hlen = hdr === null ? 0 : hdr.length;
    const plen = payload.length;
    // Control line: op (5) + subject + reply (x3 for non-ASCII) + 2 ints + spaces + CRLFs.
    this.#ensure(32 + (subject.length + reply.length) * 3 + hlen + plen);
    // The whole frame is written through locals: one capacity check above,
    // no field access per byte.
    const buf = this.#buf;
    let p = this.#pos;
    if (hdr !== null) buf[p++] = 0x48; // H
    buf[p++] = 0x50; // P
    buf[p++] = 0x55; // U
    buf[p++] = 0x42; // B
    buf[p++] = SP;
    p = putStr(buf, p, subject);
    if (reply.length > 0) {
      buf[p++] = SP;
      p = putStr(buf, p, reply);
    }
    buf[p++] = SP;
    if (hdr !== null) {
      p = putInt(buf, p, hlen);
      buf[p++] = SP;
      p = putInt(buf, p, hlen + plen);
    } else {
      p = putInt(buf, p, plen);
    }
    buf[p++] = CR;
    buf[p++] = LF;
    if (hdr !== null) {
      buf.set(hdr, p);
      p += hlen;
    }
    if (plen < 64) {
      // Short payloads: a loop beats the call overhead of set().
      for (let i = 0; i < plen; i++) buf[p++] = payload[i];
    } else {
      buf.set(payload, p);
      p += plen;
    }
    buf[p++] = CR;
    buf[p++] = LF;
    this.#pos = p;
  }

  /**
   * Encodes a string payload into a reused scratch buffer and returns a view
   * of it, valid until the next call. Used so that the size is known before
   * the control line is written.
   */
  scratch(s: string): Uint8Array {
    const max = s.length * 3;
    if (this.#scratch.length < max) {
      this.#scratch = new Uint8Array(Math.max(max, this.#scratch.length * 2));
    }
    const r = encoder.encodeInto(s, this.#scratch);
    return this.#scratch.subarray(0, r.written);
  }

  /** Appends raw bytes (pre-encoded control frames). */
  raw(bytes: Uint8Array): void {
    this.#ensure(bytes.length);
    this.#buf.set(bytes, this.#pos);
    this.#pos += bytes.length;
  }

  /** Appends an ASCII/UTF-8 control line followed by CRLF. */
  line(s: string): void {
    this.#ensure(s.length * 3 + 2);
    const buf = this.#buf;
    let p = putStr(buf, this.#pos, s);
    buf[p++] = CR;
    buf[p++] = LF;
    this.#pos = p;
  }

  /**
   * Takes the oldest queued chunk for the transport; `null` when nothing is
   * queued. The view stays valid until it is given back with `release()`.
   */
  take(): Uint8Array | null {
    if (this.#sealed.length === 0) {
      if (this.#pos === 0) return null;
      this.#seal();
      this.#buf = this.#fresh(0);
    }
    const out = this.#sealed.shift() as Uint8Array;
    this.#sealedBytes -= out.length;
    return out;
  }

  /** Gives back a chunk from `take()` once the transport is done with it. */
  release(view: Uint8Array): void {
    // Keep a few ordinary-sized buffers for reuse; let a burst's giant one go.
    if (view.buffer.byteLength <= POOL_MAX && this.#free.length < 4) {
      this.#free.push(new Uint8Array(view.buffer));
    }
  }

  /** Drops everything queued (bytes not yet taken). */
  clear(): void {
    this.#pos = 0;
    this.#sealed = [];
    this.#sealedBytes = 0;
  }
}

/**
 * Writes `s` at `buf[p]` and returns the position after it: ASCII byte by
 * byte, the rest (from the first non-ASCII unit on) with TextEncoder. The
 * caller has made room for 3 bytes per UTF-16 unit.
 */
function putStr(buf: Uint8Array, p: number, s: string): number {
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) return p + encoder.encodeInto(s.slice(i), buf.subarray(p)).written;
    buf[p++] = c;
  }
  return p;
}

/** Writes the decimal digits of `v` (a non-negative integer) at `buf[p]`, without `toString`. */
function putInt(buf: Uint8Array, p: number, v: number): number {
  if (v < 10) {
    buf[p] = 48 + v; // '0' + v
    return p + 1;
  }
  let digits = 1;
  for (let t = 10; t <= v; t *= 10) digits++;
  const end = p + digits;
  let q = end;
  while (v >= 10) {
    const d = Math.floor(v / 10);
    buf[--q] = 48 + (v - d * 10);
    v = d;
  }
  buf[--q] = 48 + v;
  return end;
}

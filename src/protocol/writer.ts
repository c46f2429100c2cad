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

// Pre-encoded constants.
const PUB = 0x50_55_42_20; // "PUB " as one big-endian word (written bytewise below)
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

  #fresh(min: number): Uint8Array {
    const f = this.#free.pop();
    if (f !== undefined && f.length >= min) return f;
    return new Uint8Array(Math.max(INITIAL, min));
  }

  #seal(): void {
    this.#sealed.push(this.#buf.subarray(0, this.#pos));
    this.#sealedBytes += this.#pos;
    this.#pos = 0;
  }

  #ensure(extra: number): void {
    const need = this.#pos + extra;
    if (need <= this.#buf.length) return;
    if (this.#pos >= SEAL_AT) {
      // Large backlog (a tight publish loop): start a new chunk instead of
      // doubling and copying everything queued so far.
      this.#seal();
      this.#buf = this.#fresh(extra);
      return;
    }
    let size = this.#buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.#pos));
    this.#buf = next;
  }

  /** Writes an ASCII or UTF-8 string at the current position (capacity ensured by the caller for ASCII). */
  #str(s: string): void {
    const buf = this.#buf;
    let p = this.#pos;
    const n = s.length;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) {
        // Non-ASCII: encode the rest with TextEncoder (at most 3 bytes per UTF-16 unit).
        this.#pos = p;
        const rest = s.slice(i);
        this.#ensure(rest.length * 3);
        const r = encoder.encodeInto(rest, this.#buf.subarray(this.#pos));
        this.#pos += r.written;
        return;
      }
      buf[p++] = c;
    }
    this.#pos = p;
  }

  #int(v: number): void {
    const buf = this.#buf;
    if (v < 10) {
      buf[this.#pos++] = 48 + v;
      return;
    }
    let digits = 0;
    for (let t = v; t > 0; t = Math.floor(t / 10)) digits++;
    let p = this.#pos + digits;
    this.#pos = p;
    while (v > 0) {
      const q = Math.floor(v / 10);
      buf[--p] = 48 + (v - q * 10);
      v = q;
    }
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
    this.#ensure(
      32 + (subject.length + reply.length) * 3 + hlen + plen,
    );
    const buf = this.#buf;
    let p = this.#pos;
    if (hdr !== null) {
      buf[p++] = 0x48; // H
    }
    buf[p++] = (PUB >>> 24) & 0xff; // P
    buf[p++] = (PUB >>> 16) & 0xff; // U
    buf[p++] = (PUB >>> 8) & 0xff; // B
    buf[p++] = SP;
    this.#pos = p;
    this.#str(subject);
    if (reply.length > 0) {
      this.#buf[this.#pos++] = SP;
      this.#str(reply);
    }
    this.#buf[this.#pos++] = SP;
    if (hdr !== null) {
      this.#int(hlen);
      this.#buf[this.#pos++] = SP;
      this.#int(hlen + plen);
    } else {
      this.#int(plen);
    }
    this.#buf[this.#pos++] = CR;
    this.#buf[this.#pos++] = LF;
    if (hdr !== null) {
      this.#buf.set(hdr, this.#pos);
      this.#pos += hlen;
    }
    if (plen > 0) {
      if (plen < 64) {
        // Short payloads: a loop beats the call overhead of set().
        const b = this.#buf;
        let q = this.#pos;
        for (let i = 0; i < plen; i++) b[q++] = payload[i];
        this.#pos = q;
      } else {
        this.#buf.set(payload, this.#pos);
        this.#pos += plen;
      }
    }
    this.#buf[this.#pos++] = CR;
    this.#buf[this.#pos++] = LF;
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
    this.#str(s);
    this.#buf[this.#pos++] = CR;
    this.#buf[this.#pos++] = LF;
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

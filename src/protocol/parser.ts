// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * Incremental parser for the server-to-client half of the NATS protocol
 * (`INFO`, `MSG`, `HMSG`, `PING`, `PONG`, `+OK`, `-ERR`).
 *
 * The parser is a two-state machine over raw bytes:
 *
 * - **line**: waiting for a control line. The end of the line is found with a
 *   byte search for LF; the line is then tokenized in place, byte by byte. A
 *   line that is not complete at the end of a chunk is copied into a
 *   parser-owned buffer and finished when the next chunk arrives.
 * - **payload**: after `MSG`/`HMSG`, waiting for exactly `#bytes` payload bytes
 *   followed by CRLF. Payload bytes are never searched: the byte count says
 *   where they end, so binary payloads may contain anything (including
 *   `"\r\nMSG ..."`).
 *
 * When a whole frame is inside the current chunk its payload is copied out
 * (into a shared slab, see `copy`) and the parser jumps over it; with
 * `zeroCopy`, larger payloads are views of the chunk instead. A frame that spans chunks
 * is collected in buffers preallocated to the announced size, so large
 * payloads cost O(n) however they are split.
 *
 * Leniency and strictness:
 *
 * - Control lines end with CRLF. A bare LF is accepted as well (the CR is
 *   optional); a CR anywhere else in a MSG/HMSG line is an error. A payload,
 *   on the other hand, must be followed by exactly CRLF.
 * - Ops are case-insensitive; arguments are separated by runs of spaces and
 *   tabs; blanks after PING, PONG and +OK are ignored, anything else after
 *   them is an error. An empty line is an unknown op.
 * - A sid is decimal digits up to 2^53 - 1; sizes are decimal digits up to
 *   `maxPayload`; an HMSG header size of 0 is accepted (the header block is
 *   not validated here).
 * - A bad op is reported as soon as its first bytes arrive, without waiting
 *   for the end of the line.
 *
 * Subjects and replies are decoded with `String.fromCharCode` when short and
 * ASCII, with a shared TextDecoder otherwise. Subjects additionally go
 * through a tiny cache that hands back the same string for a repeated
 * subject, and switches itself off while subjects do not repeat.
 *
 * The module is runtime neutral: it uses only `Uint8Array` and `TextDecoder`.
 *
 * @module
 */

import { ProtocolError } from "../errors.ts";

// ---------------------------------------------------------------------------
// Byte constants.

/**
 * Slabs payloads are copied into (see `copy`): pieces up to SMALL_PIECE_MAX
 * share 16 KiB slabs, larger ones up to SLAB_PIECE_MAX share 64 KiB slabs
 * (an ArrayBuffer costs ~7 µs at 16 KiB and ~9 µs at 64 KiB in Deno 2.9, so
 * medium payloads need the larger slab to amortise it). A kept message pins
 * at most its slab: 16 KiB for small payloads, 64 KiB for medium ones.
 */
const SMALL_SLAB = 16 * 1024;
const SMALL_PIECE_MAX = 512;
const MEDIUM_SLAB = 64 * 1024;
/** Payload pieces larger than this get their own allocation. */
const SLAB_PIECE_MAX = 4096;
const TAB = 0x09; // '\t'
const LF = 0x0a; // '\n'
const CR = 0x0d; // '\r'
const SPACE = 0x20; // ' '
const QUOTE = 0x27; // "'"
const ZERO = 0x30; // '0'
/** OR-ing an ASCII letter with this bit lowercases it. */
const LOWER = 0x20;

// Operation ids (index into OP_WORDS).
const OP_MSG = 0;
const OP_HMSG = 1;
const OP_INFO = 2;
const OP_PING = 3;
const OP_PONG = 4;
const OP_OK = 5;
const OP_ERR = 6;
/** The bytes seen so far are a valid prefix of an op but too short to tell. */
const OP_MORE = -1;
/** The bytes are not a known op. */
const OP_BAD = -2;

/** Lowercase spelling of each op; every byte after the first is a letter. */
const OP_WORDS: readonly Uint8Array[] = [
  new Uint8Array([0x6d, 0x73, 0x67]), // "msg"
  new Uint8Array([0x68, 0x6d, 0x73, 0x67]), // "hmsg"
  new Uint8Array([0x69, 0x6e, 0x66, 0x6f]), // "info"
  new Uint8Array([0x70, 0x69, 0x6e, 0x67]), // "ping"
  new Uint8Array([0x70, 0x6f, 0x6e, 0x67]), // "pong"
  new Uint8Array([0x2b, 0x6f, 0x6b]), // "+ok"
  new Uint8Array([0x2d, 0x65, 0x72, 0x72]), // "-err"
];
/** Longest op word plus its separator: enough bytes to reject a bad op early. */
const OP_PREFIX_CHECK = 5;

// Parser states.
const S_LINE = 0;
const S_PAYLOAD = 1;

/** Default limit for one control line (INFO lines can be several KiB). */
const DEFAULT_MAX_CONTROL_LINE = 64 * 1024;
/** Default limit for the announced size of one message (headers + payload). */
const DEFAULT_MAX_PAYLOAD = 64 * 1024 * 1024;

/**
 * ASCII tokens up to this length are built with `String.fromCharCode`;
 * longer ones go through TextDecoder, whose fixed call cost is lower than
 * fromCharCode's per-byte cost beyond about this length.
 */
const CHARCODE_MAX = 24;
/** Subjects longer than this bypass the subject cache. */
const CACHE_TOKEN_MAX = 64;
/** Number of subject cache slots (power of two). */
const CACHE_SLOTS = 128;
/** The subject cache judges its hit rate over windows of this many lookups. */
const CACHE_WINDOW = 256;
/** Fewer hits than this in a window switch the cache off for a while. */
const CACHE_MIN_HITS = 32;
/** Lookups skipped while the cache is off, before it is tried again. */
const CACHE_OFF_SPAN = 8192;

/** Shared, stateless (non-streaming, non-fatal) UTF-8 decoder. */
const utf8 = new TextDecoder();

// ---------------------------------------------------------------------------
// Public API.

/** Receives the frames decoded by a {@link Parser}, in stream order. */
export interface ParserHandler {
  /**
   * MSG or HMSG. `reply` is "" when absent. `hdr` is null for MSG; for HMSG
   * it is an owned copy of the header block bytes (from "NATS/1.0" through
   * the final blank line CRLFCRLF inclusive). `data` is an owned copy of the
   * payload: never a view into the input chunk, since the caller reuses
   * chunks, unless the caller said it does not ({@link Parser.zeroCopy}).
   */
  msg(
    subject: string,
    sid: number,
    reply: string,
    hdr: Uint8Array | null,
    data: Uint8Array,
  ): void;
  /** INFO: the raw JSON text after "INFO ". */
  info(json: string): void;
  /** PING: the server checks that the client is alive (answer with PONG). */
  ping(): void;
  /** PONG: the server answered one of the client's PINGs. */
  pong(): void;
  /** +OK: acknowledgement in verbose mode. */
  ok(): void;
  /** -ERR with surrounding single quotes stripped (e.g. "Authorization Violation"). */
  err(text: string): void;
}

/** Limits enforced by a {@link Parser}. */
export interface ParserOptions {
  /**
   * Longest control line accepted, in bytes, not counting its CRLF
   * (default 64 KiB). A longer line is a ProtocolError.
   */
  maxControlLine?: number;
  /**
   * Largest announced message size (headers plus payload) accepted, in
   * bytes (default 64 MiB). A larger size is a ProtocolError.
   */
  maxPayload?: number;
  /** Initial value of {@link Parser.zeroCopy} (default false). */
  zeroCopy?: boolean;
}

/**
 * Incremental, allocation-lean parser for bytes received from a NATS server.
 * Feed it chunks with {@link Parser.parse}; it calls the handler for every
 * complete frame. Frames may be split at any byte boundary.
 */
export class Parser {
  private readonly h: ParserHandler;
  private readonly maxLine: number;
  private readonly maxPayload: number;
  /**
   * The caller never reuses or changes a chunk after passing it to parse()
   * (e.g. Node's socket chunks, which are fresh buffers): payloads and
   * header blocks larger than 512 bytes are then handed out as views of the
   * chunk instead of copies. A message kept by the application pins its
   * chunk, as it would pin a 64 KiB slab otherwise. Small pieces are still
   * copied into 16 KiB slabs, so a kept small message never pins a whole
   * chunk. Off by default: Deno's transport reuses its read buffer.
   */
  zeroCopy: boolean;

  private state = S_LINE;
  private failed = false;
  /** Bumped by reset(), so a reset from inside a handler stops the chunk. */
  private epoch = 0;

  // Partial control line carried across chunks.
  private line = new Uint8Array(256);
  private slab = new ArrayBuffer(SMALL_SLAB);
  private slabBytes = new Uint8Array(this.slab);
  private slabPos = 0;
  private midBytes = new Uint8Array(MEDIUM_SLAB);
  private midPos = 0;
  private lineLen = 0;

  // Token boundaries of the current MSG/HMSG line (reused, never reallocated).
  private readonly tokStart = new Int32Array(5);
  private readonly tokEnd = new Int32Array(5);

  // The MSG/HMSG whose payload is being read.
  private subject = "";
  private sid = 0;
  private reply = "";
  private hdrSize = -1; // -1 for MSG
  private total = 0;
  private hdrBuf: Uint8Array | null = null;
  private dataBuf: Uint8Array | null = null;
  private filled = 0;
  private termSeen = 0; // bytes of the trailing CRLF seen so far

  // Tiny direct-mapped cache of decoded ASCII subjects, keyed by a hash of
  // their bytes; each slot keeps a copy of the bytes to compare against. A
  // hit returns the same string instance again, which saves building it and
  // makes later Map lookups by subject cheaper (the hash is kept on the
  // string). When subjects rarely repeat (wildcards over many subjects,
  // inboxes) the cache notices and switches itself off for a while.
  private readonly cacheBytes = new Uint8Array(CACHE_SLOTS * CACHE_TOKEN_MAX);
  private readonly cacheLen = new Int32Array(CACHE_SLOTS);
  private readonly cacheStr: string[] = new Array(CACHE_SLOTS).fill("");
  // The last subject decoded, compared first: a stream of messages on one
  // subject costs one byte comparison pass, no hashing.
  private readonly lastBytes = new Uint8Array(CACHE_TOKEN_MAX);
  private lastLen = -1;
  private lastStr = "";
  private cacheTick = 0; // lookups in the current window (or off span)
  private cacheHits = 0; // hits in the current window
  private cacheOff = false;

  /**
   * Creates a parser in the line state, with no partial frame.
   *
   * @param handler receives the decoded frames
   * @param opts limits; see {@link ParserOptions}
   */
  constructor(handler: ParserHandler, opts?: ParserOptions) {
    this.h = handler;
    this.maxLine = limit(
      opts?.maxControlLine,
      DEFAULT_MAX_CONTROL_LINE,
      "maxControlLine",
    );
    this.maxPayload = limit(
      opts?.maxPayload,
      DEFAULT_MAX_PAYLOAD,
      "maxPayload",
    );
    this.zeroCopy = opts?.zeroCopy === true;
  }

  /**
   * Parses one chunk. The chunk may be reused by the caller after this
   * returns, so anything kept across calls (a partial frame) must be copied.
   * Throws ProtocolError (from ../errors.ts) on malformed input; after a
   * throw the parser is unusable until reset(). An exception thrown by the
   * handler propagates unchanged and also leaves the parser unusable.
   */
  parse(chunk: Uint8Array): void {
    if (this.failed) {
      throw new ProtocolError(
        "parser is unusable after an earlier error; call reset()",
      );
    }
    // A subclass may have a slice() that returns a view instead of a copy:
    // look at its bytes through a plain Uint8Array.
    const buf = chunk.constructor === Uint8Array
      ? chunk
      : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    try {
      this.run(buf);
    } catch (err) {
      this.failed = true;
      throw err;
    }
  }

  /**
   * Forgets any partial frame (used for a new connection). When called from
   * inside a handler, the rest of the chunk being parsed is dropped too.
   */
  reset(): void {
    this.epoch++;
    this.state = S_LINE;
    this.failed = false;
    this.lineLen = 0;
    if (this.line.length > DEFAULT_MAX_CONTROL_LINE) {
      this.line = new Uint8Array(256);
    }
    this.subject = "";
    this.reply = "";
    this.hdrBuf = null;
    this.dataBuf = null;
    this.filled = 0;
    this.termSeen = 0;
  }

  // -------------------------------------------------------------------------
  // Main loop.

  /** Parses one chunk, resuming whatever frame the previous chunk left open. */
  private run(buf: Uint8Array): void {
    const len = buf.length;
    const epoch = this.epoch;
    let pos = 0;
    if (this.state === S_PAYLOAD) {
      pos = this.fill(buf, 0, len);
      if (this.state === S_PAYLOAD || this.epoch !== epoch) return;
    } else if (this.lineLen > 0) {
      pos = this.finishLine(buf, len);
      if (pos < 0 || this.state === S_PAYLOAD || this.epoch !== epoch) return;
    }
    while (pos < len) {
      const lf = buf.indexOf(LF, pos);
      if (lf < 0) {
        this.stash(buf, pos, len);
        return;
      }
      let end = lf;
      if (end > pos && buf[end - 1] === CR) end--;
      if (end - pos > this.maxLine) throw this.tooLong(buf, pos, end);
      const total = this.control(buf, pos, end);
      pos = lf + 1;
      if (total >= 0) {
        pos = this.payload(buf, pos, len);
        if (this.state === S_PAYLOAD) return;
      }
      if (this.epoch !== epoch) return;
    }
  }

  /**
   * Completes the control line begun in an earlier chunk. Returns the
   * position after it (and after its payload when that is in `buf`), or -1
   * when `buf` ended before the line did.
   */
  private finishLine(buf: Uint8Array, len: number): number {
    const lf = buf.indexOf(LF);
    if (lf < 0) {
      this.stash(buf, 0, len);
      return -1;
    }
    if (this.lineLen + lf > this.maxLine + 1) {
      throw this.tooLong(this.line, 0, this.lineLen);
    }
    this.append(buf, 0, lf);
    const line = this.line;
    let end = this.lineLen;
    this.lineLen = 0;
    if (end > 0 && line[end - 1] === CR) end--;
    if (end > this.maxLine) throw this.tooLong(line, 0, end);
    const total = this.control(line, 0, end);
    const pos = lf + 1;
    return total >= 0 ? this.payload(buf, pos, len) : pos;
  }

  /** Keeps the unterminated tail `buf[s, e)` of a control line for later. */
  private stash(buf: Uint8Array, s: number, e: number): void {
    // One extra byte of slack: the tail may end with the CR of the CRLF.
    if (this.lineLen + (e - s) > this.maxLine + 1) {
      if (this.lineLen === 0) throw this.tooLong(buf, s, e);
      throw this.tooLong(this.line, 0, this.lineLen);
    }
    this.append(buf, s, e);
    const n = this.lineLen < OP_PREFIX_CHECK ? this.lineLen : OP_PREFIX_CHECK;
    if (identifyOp(this.line, 0, n, true) === OP_BAD) {
      throw unknownOp(this.line, 0, this.lineLen);
    }
  }

  /** Appends `buf[s, e)` to the partial line, growing its buffer geometrically. */
  private append(buf: Uint8Array, s: number, e: number): void {
    const need = this.lineLen + (e - s);
    if (need > this.line.length) {
      let cap = this.line.length * 2;
      if (cap < need) cap = need;
      const grown = new Uint8Array(cap);
      grown.set(this.line.subarray(0, this.lineLen));
      this.line = grown;
    }
    this.line.set(buf.subarray(s, e), this.lineLen);
    this.lineLen = need;
  }

  // -------------------------------------------------------------------------
  // Control lines.

  /**
   * Handles the control line `b[s, e)` (line terminator excluded). Emits
   * everything but MSG/HMSG directly and returns -1; for MSG/HMSG it records
   * the frame's arguments and returns the number of bytes that follow.
   */
  private control(b: Uint8Array, s: number, e: number): number {
    const op = identifyOp(b, s, e, false);
    switch (op) {
      case OP_MSG:
        return this.msgArgs(b, s, e, false);
      case OP_HMSG:
        return this.msgArgs(b, s, e, true);
      case OP_PING:
        expectEnd(b, s, e, 4);
        this.h.ping();
        return -1;
      case OP_PONG:
        expectEnd(b, s, e, 4);
        this.h.pong();
        return -1;
      case OP_OK:
        expectEnd(b, s, e, 3);
        this.h.ok();
        return -1;
      case OP_INFO: {
        const i = skipBlanks(b, s + 4, e);
        if (i >= e) throw malformed("INFO without a body", b, s, e);
        this.h.info(utf8.decode(b.subarray(i, e)));
        return -1;
      }
      case OP_ERR: {
        let i = skipBlanks(b, s + 4, e);
        let j = e;
        while (j > i && (b[j - 1] === SPACE || b[j - 1] === TAB)) j--;
        if (j - i >= 2 && b[i] === QUOTE && b[j - 1] === QUOTE) {
          i++;
          j--;
        }
        this.h.err(utf8.decode(b.subarray(i, j)));
        return -1;
      }
      default:
        throw unknownOp(b, s, e);
    }
  }

  /** Parses the arguments of MSG (`headers` false) or HMSG. */
  private msgArgs(
    b: Uint8Array,
    s: number,
    e: number,
    headers: boolean,
  ): number {
    const ts = this.tokStart;
    const te = this.tokEnd;
    const maxTok = headers ? 5 : 4;
    let n = 0;
    let i = s + (headers ? 4 : 3);
    for (;;) {
      while (i < e && (b[i] === SPACE || b[i] === TAB)) i++;
      if (i >= e) break;
      if (n === maxTok) throw malformed("too many arguments", b, s, e);
      ts[n] = i;
      for (; i < e; i++) {
        const c = b[i];
        // One comparison for ordinary token bytes; blanks and CR are all below '!'.
        if (c > SPACE) continue;
        if (c === SPACE || c === TAB) break;
        if (c === CR) throw malformed("stray CR", b, s, e);
      }
      te[n++] = i;
    }
    if (n < maxTok - 1) throw malformed("missing arguments", b, s, e);
    const hasReply = n === maxTok;

    const sid = parseUint(b, ts[1], te[1], Number.MAX_SAFE_INTEGER);
    if (sid < 0) throw malformed("invalid sid", b, s, e);
    const last = n - 1;
    const total = parseUint(b, ts[last], te[last], this.maxPayload);
    if (total === TOO_BIG) throw this.tooBig(b, s, e);
    if (total < 0) throw malformed("invalid size", b, s, e);
    let hdrSize = -1;
    if (headers) {
      hdrSize = parseUint(b, ts[last - 1], te[last - 1], total);
      if (hdrSize === TOO_BIG) {
        throw malformed("header size larger than total size", b, s, e);
      }
      if (hdrSize < 0) throw malformed("invalid header size", b, s, e);
    }

    this.subject = this.decodeSubject(b, ts[0], te[0]);
    this.reply = hasReply ? decodeToken(b, ts[2], te[2]) : "";
    this.sid = sid;
    this.hdrSize = hdrSize;
    this.total = total;
    return total;
  }

  // -------------------------------------------------------------------------
  // Payloads.

  /**
   * Reads the payload of the MSG/HMSG just parsed, starting at `buf[pos]`.
   * Returns the position after it, or `len` (with the state set to
   * payload) when the frame continues in a later chunk.
   */
  private payload(buf: Uint8Array, pos: number, len: number): number {
    const total = this.total;
    if (len - pos >= total + 2) {
      // Whole frame in this chunk: one copy, then jump over it.
      const end = pos + total;
      if (buf[end] !== CR || buf[end + 1] !== LF) throw this.noTerminator();
      const hs = this.hdrSize;
      let hdr: Uint8Array | null = null;
      let data: Uint8Array;
      if (hs < 0) {
        data = this.copy(buf, pos, end);
      } else {
        hdr = this.copy(buf, pos, pos + hs);
        data = this.copy(buf, pos + hs, end);
      }
      this.h.msg(this.subject, this.sid, this.reply, hdr, data);
      return end + 2;
    }
    // The frame spans chunks: collect it in buffers of the announced size.
    const hs = this.hdrSize;
    this.hdrBuf = hs < 0 ? null : new Uint8Array(hs);
    this.dataBuf = new Uint8Array(hs < 0 ? total : total - hs);
    this.filled = 0;
    this.termSeen = 0;
    this.state = S_PAYLOAD;
    return this.fill(buf, pos, len);
  }

  /**
   * Copies `buf[s..e)` out of the (reusable) chunk. Small pieces go into a
   * shared slab and come back as views of it: on V8 every fresh typed array
   * costs an ArrayBuffer allocation (~0.65 µs in Deno 2.9, 20x a view), which
   * dominated the receive path. A message the user keeps pins at most one
   * slab (SLAB_SIZE), never a read buffer. Large pieces get their own copy.
   */
  private copy(buf: Uint8Array, s: number, e: number): Uint8Array {
    const n = e - s;
    if (n === 0) return new Uint8Array(this.slab, 0, 0);
    if (n > SMALL_PIECE_MAX && this.zeroCopy) return buf.subarray(s, e);
    if (n > SLAB_PIECE_MAX) return buf.slice(s, e);
    let dst: Uint8Array;
    let at: number;
    if (n <= SMALL_PIECE_MAX) {
      at = this.slabPos;
      if (at + n > SMALL_SLAB) {
        this.slab = new ArrayBuffer(SMALL_SLAB);
        this.slabBytes = new Uint8Array(this.slab);
        at = 0;
      }
      dst = this.slabBytes;
      this.slabPos = at + n;
    } else {
      at = this.midPos;
      if (at + n > MEDIUM_SLAB) {
        this.midBytes = new Uint8Array(MEDIUM_SLAB);
        at = 0;
      }
      dst = this.midBytes;
      this.midPos = at + n;
    }
    if (n <= 64) {
      for (let i = 0; i < n; i++) dst[at + i] = buf[s + i];
    } else {
      dst.set(buf.subarray(s, e), at);
    }
    return new Uint8Array(dst.buffer, at, n);
  }

  /** Continues a payload that spans chunks; returns the position after what it consumed. */
  private fill(buf: Uint8Array, pos: number, len: number): number {
    const total = this.total;
    let filled = this.filled;
    if (filled < total) {
      let take = total - filled;
      if (take > len - pos) take = len - pos;
      const hs = this.hdrSize < 0 ? 0 : this.hdrSize;
      let from = pos;
      const to = pos + take;
      if (filled < hs) {
        // Still in the header block.
        const n = hs - filled < take ? hs - filled : take;
        (this.hdrBuf as Uint8Array).set(buf.subarray(from, from + n), filled);
        from += n;
        filled += n;
      }
      if (from < to) {
        (this.dataBuf as Uint8Array).set(buf.subarray(from, to), filled - hs);
        filled += to - from;
      }
      this.filled = filled;
      pos = to;
      if (filled < total) return pos;
    }
    while (this.termSeen < 2) {
      if (pos >= len) return pos;
      const c = buf[pos++];
      if (c !== (this.termSeen === 0 ? CR : LF)) throw this.noTerminator();
      this.termSeen++;
    }
    const hdr = this.hdrBuf;
    const data = this.dataBuf as Uint8Array;
    this.hdrBuf = null;
    this.dataBuf = null;
    this.state = S_LINE;
    this.h.msg(this.subject, this.sid, this.reply, hdr, data);
    return pos;
  }

  // -------------------------------------------------------------------------
  // Subjects.

  /**
   * Decodes a subject: short ASCII subjects go through the subject cache,
   * everything else through {@link decodeToken}.
   */
  private decodeSubject(b: Uint8Array, s: number, e: number): string {
    const n = e - s;
    if (n > CACHE_TOKEN_MAX) return decodeToken(b, s, e);
    if (n === this.lastLen) {
      const last = this.lastBytes;
      let i = 0;
      while (i < n && last[i] === b[s + i]) i++;
      if (i === n) return this.lastStr;
    }
    const str = this.lookupSubject(b, s, e);
    if (str.length === n) {
      // ASCII (one byte per char): remember it for the next message.
      const last = this.lastBytes;
      for (let i = 0; i < n; i++) last[i] = b[s + i];
      this.lastLen = n;
      this.lastStr = str;
    }
    return str;
  }

  /** The subject cache lookup behind {@link decodeSubject}. */
  private lookupSubject(b: Uint8Array, s: number, e: number): string {
    const n = e - s;
    if (this.cacheOff) {
      if (++this.cacheTick === CACHE_OFF_SPAN) {
        this.cacheOff = false;
        this.cacheTick = 0;
      }
      return decodeToken(b, s, e);
    }
    if (++this.cacheTick === CACHE_WINDOW) {
      this.cacheOff = this.cacheHits < CACHE_MIN_HITS;
      this.cacheTick = 0;
      this.cacheHits = 0;
    }
    let hash = n;
    let high = 0;
    for (let i = s; i < e; i++) {
      const c = b[i];
      high |= c;
      hash = Math.imul(hash ^ c, 0x01000193);
    }
    if (high >= 0x80) return utf8.decode(b.subarray(s, e));
    const slot = (hash ^ (hash >>> 15)) & (CACHE_SLOTS - 1);
    const base = slot * CACHE_TOKEN_MAX;
    const cache = this.cacheBytes;
    if (this.cacheLen[slot] === n) {
      let i = 0;
      while (i < n && cache[base + i] === b[s + i]) i++;
      if (i === n) {
        this.cacheHits++;
        return this.cacheStr[slot];
      }
    }
    const str = n <= CHARCODE_MAX ? charCodes(b, s, e) : utf8.decode(b.subarray(s, e));
    for (let i = 0; i < n; i++) cache[base + i] = b[s + i];
    this.cacheLen[slot] = n;
    this.cacheStr[slot] = str;
    return str;
  }

  // -------------------------------------------------------------------------
  // Errors.

  /** The line starting with `b[s, e)` is too long (or is garbage). */
  private tooLong(b: Uint8Array, s: number, e: number): ProtocolError {
    if (identifyOp(b, s, e, true) === OP_BAD) return unknownOp(b, s, e);
    return new ProtocolError(
      `control line longer than ${this.maxLine} bytes without CRLF: ${quote(b, s, e)}`,
    );
  }

  /** The MSG/HMSG line `b[s, e)` announces more than `maxPayload` bytes. */
  private tooBig(b: Uint8Array, s: number, e: number): ProtocolError {
    return malformed(
      `message size exceeds the limit of ${this.maxPayload} bytes`,
      b,
      s,
      e,
    );
  }

  /** The payload being read is not followed by CRLF. */
  private noTerminator(): ProtocolError {
    return new ProtocolError(
      `payload of ${this.total} bytes for subject ${
        JSON.stringify(this.subject)
      } is not followed by CRLF`,
    );
  }
}

// ---------------------------------------------------------------------------
// Helpers.

/**
 * Identifies the op at the start of `b[s, e)`. Returns an op id when the op
 * word is complete and followed by the end of input, a blank, or (when
 * `partial`, i.e. the line's CRLF may be arriving) a CR; OP_MORE when the
 * bytes are a valid but incomplete prefix; OP_BAD otherwise.
 */
function identifyOp(
  b: Uint8Array,
  s: number,
  e: number,
  partial: boolean,
): number {
  const n = e - s;
  if (n <= 0) return OP_MORE;
  let op: number;
  switch (b[s]) {
    case 0x4d: // 'M'
    case 0x6d: // 'm'
      op = OP_MSG;
      break;
    case 0x48: // 'H'
    case 0x68: // 'h'
      op = OP_HMSG;
      break;
    case 0x50: // 'P'
    case 0x70: { // 'p'
      if (n < 2) return OP_MORE;
      const c = b[s + 1] | LOWER;
      if (c === 0x69) op = OP_PING; // 'i'
      else if (c === 0x6f) op = OP_PONG; // 'o'
      else return OP_BAD;
      break;
    }
    case 0x49: // 'I'
    case 0x69: // 'i'
      op = OP_INFO;
      break;
    case 0x2b: // '+'
      op = OP_OK;
      break;
    case 0x2d: // '-'
      op = OP_ERR;
      break;
    default:
      return OP_BAD;
  }
  const word = OP_WORDS[op];
  const wl = word.length;
  const m = n < wl ? n : wl;
  // Every byte after the first is a letter, so `| LOWER` folds case exactly.
  for (let i = 1; i < m; i++) {
    if ((b[s + i] | LOWER) !== word[i]) return OP_BAD;
  }
  if (n < wl) return OP_MORE;
  if (n > wl) {
    const c = b[s + wl];
    if (c !== SPACE && c !== TAB && !(partial && c === CR)) return OP_BAD;
  }
  return op;
}

/**
 * Decodes a subject or reply token: short ASCII tokens with
 * `String.fromCharCode`, anything else with the shared TextDecoder.
 */
function decodeToken(b: Uint8Array, s: number, e: number): string {
  if (e - s > CHARCODE_MAX) return utf8.decode(b.subarray(s, e));
  let high = 0;
  for (let i = s; i < e; i++) high |= b[i];
  return high < 0x80 ? charCodes(b, s, e) : utf8.decode(b.subarray(s, e));
}

/** Builds a string from the ASCII bytes `b[s, e)` (at most CHARCODE_MAX). */
function charCodes(b: Uint8Array, s: number, e: number): string {
  return String.fromCharCode.apply(
    null,
    b.subarray(s, e) as unknown as number[],
  );
}

/** Throws unless `b[s + wl, e)` (what follows an argument-less op) is blank. */
function expectEnd(b: Uint8Array, s: number, e: number, wl: number): void {
  if (skipBlanks(b, s + wl, e) < e) {
    throw malformed("unexpected arguments", b, s, e);
  }
}

function skipBlanks(b: Uint8Array, i: number, e: number): number {
  while (i < e && (b[i] === SPACE || b[i] === TAB)) i++;
  return i;
}

/** Returned by parseUint when the number exceeds its maximum. */
const TOO_BIG = -2;

/**
 * Parses the decimal digits `b[s, e)`. Returns -1 when the token is empty or
 * holds a non-digit, TOO_BIG when the value exceeds `max`.
 */
function parseUint(b: Uint8Array, s: number, e: number, max: number): number {
  if (s >= e) return -1;
  let v = 0;
  for (let i = s; i < e; i++) {
    const d = b[i] - ZERO;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
    if (v > max) {
      // Still reject non-digits after the overflow point.
      for (let j = i + 1; j < e; j++) {
        const x = b[j] - ZERO;
        if (x < 0 || x > 9) return -1;
      }
      return TOO_BIG;
    }
  }
  return v;
}

function limit(v: number | undefined, dflt: number, name: string): number {
  if (v === undefined) return dflt;
  if (!Number.isSafeInteger(v) || v <= 0) {
    throw new RangeError(`${name} must be a positive integer, got ${v}`);
  }
  return v;
}

/** How many bytes of an offending line an error message quotes. */
const QUOTE_LIMIT = 40;

/** Quotes `b[s, e)` for an error message: truncated, non-printables escaped. */
function quote(b: Uint8Array, s: number, e: number): string {
  const stop = e - s > QUOTE_LIMIT ? s + QUOTE_LIMIT : e;
  let out = '"';
  for (let i = s; i < stop; i++) {
    const c = b[i];
    if (c === 0x22) out += '\\"'; // '"'
    else if (c === 0x5c) out += "\\\\"; // '\'
    else if (c === CR) out += "\\r";
    else if (c === LF) out += "\\n";
    else if (c === TAB) out += "\\t";
    else if (c >= SPACE && c < 0x7f) out += String.fromCharCode(c);
    else out += "\\x" + (c < 16 ? "0" : "") + c.toString(16);
  }
  out += '"';
  if (stop < e) out += `... (${e - s} bytes)`;
  return out;
}

function unknownOp(b: Uint8Array, s: number, e: number): ProtocolError {
  return new ProtocolError(`unknown protocol operation ${quote(b, s, e)}`);
}

function malformed(
  what: string,
  b: Uint8Array,
  s: number,
  e: number,
): ProtocolError {
  return new ProtocolError(`${what} in control line ${quote(b, s, e)}`);
}

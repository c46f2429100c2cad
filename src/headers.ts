// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * Message headers: the `NATS/1.0` block carried by HPUB and HMSG.
 *
 * Keys keep the case they were written with. Lookups are exact by default;
 * {@link Match} selects case-insensitive or canonical MIME matching. A key
 * with several values is sent as several lines, never comma-joined.
 *
 * UTF-8 is encoded and decoded here by hand so that the module uses no
 * runtime API at all.
 *
 * @module
 */
import { InvalidHeaderError, ProtocolError } from "./errors.ts";
import { Match, type MsgHdrs } from "./types.ts";

const CR = 0x0d;
const LF = 0x0a;
const COLON = 0x3a;

/** Characters besides letters and digits that Go's `textproto` treats as token characters. */
const TOKEN_PUNCT = "!#$%&'*+-.^_`|~";

/**
 * Canonical MIME form of a header key: the first letter and every letter
 * after a `-` upper case, all other letters lower case (`content-type` →
 * `Content-Type`). A key holding a character that is not an HTTP token
 * character is returned unchanged, as Go's `textproto` does.
 *
 * @param k the header key
 * @returns the canonical form of `k`
 * @example
 * ```ts
 * canonicalMIMEHeaderKey("x-request-id"); // "X-Request-Id"
 * ```
 */
export function canonicalMIMEHeaderKey(k: string): string {
  let upper = true;
  let out = "";
  for (let i = 0; i < k.length; i++) {
    let c = k.charCodeAt(i);
    const isLower = c >= 0x61 && c <= 0x7a;
    const isUpper = c >= 0x41 && c <= 0x5a;
    if (
      !isLower && !isUpper && !(c >= 0x30 && c <= 0x39) &&
      TOKEN_PUNCT.indexOf(k[i]) === -1
    ) {
      return k;
    }
    if (upper && isLower) c -= 0x20;
    else if (!upper && isUpper) c += 0x20;
    out += String.fromCharCode(c);
    upper = c === 0x2d; // '-'
  }
  return out;
}

// ---------------------------------------------------------------------------
// Validation

function describeKeyChar(c: number): string {
  if (c === COLON) return "':'";
  if (c === 0x20) return "a space";
  if (c === 0x09) return "a tab";
  if (c === CR) return "a CR";
  if (c === LF) return "an LF";
  return `U+${c.toString(16).toUpperCase().padStart(4, "0")}`;
}

function checkKey(k: string): void {
  if (typeof k !== "string") {
    throw new InvalidHeaderError(
      `header key must be a string, got ${typeof k}`,
    );
  }
  if (k.length === 0) {
    throw new InvalidHeaderError("header key must not be empty");
  }
  for (let i = 0; i < k.length; i++) {
    const c = k.charCodeAt(i);
    if (c < 33 || c > 126 || c === COLON) {
      throw new InvalidHeaderError(
        `invalid header key ${JSON.stringify(k)}: ${
          describeKeyChar(c)
        } at index ${i} (keys must be printable ASCII without ':')`,
      );
    }
  }
}

function checkValue(k: string, v: string): void {
  if (typeof v !== "string") {
    throw new InvalidHeaderError(
      `value of header ${JSON.stringify(k)} must be a string, got ${typeof v}`,
    );
  }
  if (v.indexOf("\r") !== -1 || v.indexOf("\n") !== -1) {
    throw new InvalidHeaderError(
      `invalid value for header ${JSON.stringify(k)}: values must not contain CR or LF`,
    );
  }
}

function checkStatus(code: number, description: string): void {
  if (
    typeof code !== "number" || !Number.isInteger(code) || code < 0 ||
    code > 999
  ) {
    throw new InvalidHeaderError(
      `invalid status code ${String(code)}: must be an integer from 0 to 999`,
    );
  }
  if (typeof description !== "string") {
    throw new InvalidHeaderError(
      `status description must be a string, got ${typeof description}`,
    );
  }
  if (description.indexOf("\r") !== -1 || description.indexOf("\n") !== -1) {
    throw new InvalidHeaderError(
      "invalid status description: it must not contain CR or LF",
    );
  }
  if (code === 0 && description !== "") {
    throw new InvalidHeaderError(
      `status description ${JSON.stringify(description)} given without a status code`,
    );
  }
}

// ---------------------------------------------------------------------------
// Key matching

function normalize(k: string, match: Match): string {
  return match === Match.IgnoreCase
    ? k.toLowerCase()
    : match === Match.CanonicalMIME
    ? canonicalMIMEHeaderKey(k)
    : k;
}

function isExact(match: Match): boolean {
  return match !== Match.IgnoreCase && match !== Match.CanonicalMIME;
}

// ---------------------------------------------------------------------------
// UTF-8

// Small encoded blocks are carved out of a shared slab: allocating a typed
// array costs far more than a subarray view on some runtimes (about 10x on
// Deno 2.9), and a fresh header set per publish is a common pattern. A view
// pins at most one slab.
const SLAB_SIZE = 8192;
const SLAB_MAX = SLAB_SIZE >>> 3;
let slab = new Uint8Array(0);
let slabOff = 0;

function allocBytes(n: number): Uint8Array {
  if (n > SLAB_MAX) return new Uint8Array(n);
  if (slabOff + n > slab.length) {
    slab = new Uint8Array(SLAB_SIZE);
    slabOff = 0;
  }
  const out = slab.subarray(slabOff, slabOff + n);
  slabOff += n;
  return out;
}

/** Number of UTF-8 bytes of `s`; a lone surrogate counts as U+FFFD (3). */
function utf8Size(s: string): number {
  const n = s.length;
  let size = n;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) size += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        size += 2; // two units, four bytes
        i++;
      } else size += 2;
    } else size += 2;
  }
  return size;
}

/**
 * Writes `s` as UTF-8 at `p` and returns the offset after it. Lone
 * surrogates become U+FFFD, as the WHATWG Encoding standard specifies.
 */
function writeUtf8(s: string, out: Uint8Array, p: number): number {
  const n = s.length;
  for (let i = 0; i < n; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      out[p++] = c;
    } else if (c < 0x800) {
      out[p++] = 0xc0 | (c >> 6);
      out[p++] = 0x80 | (c & 0x3f);
    } else {
      if (c >= 0xd800 && c <= 0xdfff) {
        const d = i + 1 < n ? s.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
          const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          out[p++] = 0xf0 | (cp >> 18);
          out[p++] = 0x80 | ((cp >> 12) & 0x3f);
          out[p++] = 0x80 | ((cp >> 6) & 0x3f);
          out[p++] = 0x80 | (cp & 0x3f);
          i++;
          continue;
        }
        c = 0xfffd;
      }
      out[p++] = 0xe0 | (c >> 12);
      out[p++] = 0x80 | ((c >> 6) & 0x3f);
      out[p++] = 0x80 | (c & 0x3f);
    }
  }
  return p;
}

const CHUNK = 4096;

/**
 * Joins UTF-16 code units into a string. A plain array is used rather than a
 * typed one: `fromCharCode.apply` takes it fastest, and it costs no typed
 * array allocation.
 */
function unitsToString(units: number[]): string {
  if (units.length <= CHUNK) return String.fromCharCode.apply(null, units);
  let s = "";
  for (let i = 0; i < units.length; i += CHUNK) {
    s += String.fromCharCode.apply(null, units.slice(i, i + CHUNK));
  }
  return s;
}

/**
 * Decodes UTF-8 as the WHATWG Encoding standard does (non-fatal): each maximal invalid
 * subsequence becomes one U+FFFD. No BOM handling (header blocks start with
 * `NATS/`).
 */
function utf8Decode(b: Uint8Array): string {
  const n = b.length;
  const u: number[] = [];
  let i = 0;
  while (i < n) {
    const b0 = b[i];
    if (b0 < 0x80) {
      u.push(b0);
      i++;
      continue;
    }
    let need: number;
    let lower = 0x80;
    let upper = 0xbf;
    let cp: number;
    if (b0 >= 0xc2 && b0 <= 0xdf) {
      need = 1;
      cp = b0 & 0x1f;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
      need = 2;
      cp = b0 & 0x0f;
      if (b0 === 0xe0) lower = 0xa0;
      else if (b0 === 0xed) upper = 0x9f;
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      need = 3;
      cp = b0 & 0x07;
      if (b0 === 0xf0) lower = 0x90;
      else if (b0 === 0xf4) upper = 0x8f;
    } else {
      u.push(0xfffd);
      i++;
      continue;
    }
    let j = i + 1;
    let ok = true;
    for (let k = 0; k < need; k++, j++) {
      const bk = j < n ? b[j] : -1;
      if (bk < lower || bk > upper) {
        ok = false;
        break;
      }
      lower = 0x80;
      upper = 0xbf;
      cp = (cp << 6) | (bk & 0x3f);
    }
    // On failure, j points at the byte that broke the sequence: it is
    // decoded afresh on the next turn.
    i = j;
    if (!ok) {
      u.push(0xfffd);
    } else if (cp > 0xffff) {
      cp -= 0x10000;
      u.push(0xd800 | (cp >> 10), 0xdc00 | (cp & 0x3ff));
    } else {
      u.push(cp);
    }
  }
  return unitsToString(u);
}

// ---------------------------------------------------------------------------
// Encoding

/**
 * Sizes the block, then writes it straight into its buffer: no intermediate
 * string. `entries` is iterated twice.
 */
function encodeBlock(
  code: number,
  description: string,
  entries: Iterable<[string, string[]]>,
): Uint8Array {
  const codeStr = code === 0 ? "" : String(code);
  let size = 12; // "NATS/1.0\r\n" ... "\r\n"
  if (code !== 0) {
    size += 1 + codeStr.length;
    if (description !== "") size += 1 + utf8Size(description);
  }
  for (const [k, vs] of entries) {
    const line = utf8Size(k) + 4; // ": " and CRLF
    for (let i = 0; i < vs.length; i++) size += line + utf8Size(vs[i]);
  }
  const out = allocBytes(size);
  // "NATS/1.0"
  out[0] = 0x4e;
  out[1] = 0x41;
  out[2] = 0x54;
  out[3] = 0x53;
  out[4] = 0x2f;
  out[5] = 0x31;
  out[6] = 0x2e;
  out[7] = 0x30;
  let p = 8;
  if (code !== 0) {
    out[p++] = 0x20;
    p = writeUtf8(codeStr, out, p);
    if (description !== "") {
      out[p++] = 0x20;
      p = writeUtf8(description, out, p);
    }
  }
  out[p++] = CR;
  out[p++] = LF;
  for (const [k, vs] of entries) {
    for (let i = 0; i < vs.length; i++) {
      p = writeUtf8(k, out, p);
      out[p++] = COLON;
      out[p++] = 0x20;
      p = writeUtf8(vs[i], out, p);
      out[p++] = CR;
      out[p++] = LF;
    }
  }
  out[p++] = CR;
  out[p++] = LF;
  return out;
}

// Module-private access to the private state of MsgHdrsImpl, set in its
// static block.
let encodeImpl: (h: MsgHdrsImpl) => Uint8Array;
let appendUnchecked: (h: MsgHdrsImpl, k: string, v: string) => void;

/**
 * The header set used by nats-rt. Exported for the connection; applications
 * should create headers with {@link headers}.
 *
 * Keys keep their case. Every method takes an optional {@link Match}:
 * `Match.Exact` (default) compares keys exactly, `Match.IgnoreCase` compares
 * them case-insensitively, `Match.CanonicalMIME` compares their canonical
 * MIME forms and writes new keys in canonical form.
 */
export class MsgHdrsImpl implements MsgHdrs {
  #map = new Map<string, string[]>();
  #code: number;
  #description: string;
  #encoded: Uint8Array | undefined = undefined;

  /**
   * Creates an empty header set with an optional status.
   *
   * @param code status code, 0 for none
   * @param description status description (requires a code)
   * @throws {InvalidHeaderError} when the code is not an integer from 0 to
   * 999, or the description holds CR or LF or has no code
   */
  constructor(code = 0, description = "") {
    checkStatus(code, description);
    this.#code = code;
    this.#description = description;
  }

  /** Status code (`503`, `408`, ...), or 0 when there is none. */
  get code(): number {
    return this.#code;
  }

  /** Status description, or `""`. */
  get description(): string {
    return this.#description;
  }

  /** `"503"`, `"408 Request Timeout"`, or `""` when there is no status. */
  get status(): string {
    if (this.#code === 0) return "";
    return this.#description === "" ? String(this.#code) : `${this.#code} ${this.#description}`;
  }

  /** True when the status code is 300 or more. */
  get hasError(): boolean {
    return this.#code >= 300;
  }

  /** First value of `k`, or `""`. */
  get(k: string, match: Match = Match.Exact): string {
    if (isExact(match)) {
      const vs = this.#map.get(k);
      return vs === undefined ? "" : vs[0];
    }
    const nk = normalize(k, match);
    for (const [key, vs] of this.#map) {
      if (normalize(key, match) === nk) return vs[0];
    }
    return "";
  }

  /** Last value of `k`, or `""`. */
  last(k: string, match: Match = Match.Exact): string {
    if (isExact(match)) {
      const vs = this.#map.get(k);
      return vs === undefined ? "" : vs[vs.length - 1];
    }
    const nk = normalize(k, match);
    let last = "";
    for (const [key, vs] of this.#map) {
      if (normalize(key, match) === nk) last = vs[vs.length - 1];
    }
    return last;
  }

  /** True when `k` has at least one value. */
  has(k: string, match: Match = Match.Exact): boolean {
    if (isExact(match)) return this.#map.has(k);
    const nk = normalize(k, match);
    for (const key of this.#map.keys()) {
      if (normalize(key, match) === nk) return true;
    }
    return false;
  }

  /** All values of `k` (of every matching key, in insertion order); a copy. */
  values(k: string, match: Match = Match.Exact): string[] {
    if (isExact(match)) {
      const vs = this.#map.get(k);
      return vs === undefined ? [] : vs.slice();
    }
    const nk = normalize(k, match);
    const out: string[] = [];
    for (const [key, vs] of this.#map) {
      if (normalize(key, match) === nk) out.push(...vs);
    }
    return out;
  }

  /** All keys, with their case, in insertion order. */
  keys(): string[] {
    return [...this.#map.keys()];
  }

  /**
   * Adds `v` to the values of `k`. With a non-exact `match`, the value joins
   * the first matching key; when there is none a new key is added (in
   * canonical form for `Match.CanonicalMIME`).
   *
   * @throws {InvalidHeaderError} when `k` is empty or holds a character
   * outside printable ASCII or a `:`, or `v` holds CR or LF
   */
  append(k: string, v: string, match: Match = Match.Exact): void {
    checkKey(k);
    checkValue(k, v);
    this.#append(k, v, match);
  }

  /**
   * Replaces all values of `k` (of every matching key) with `v`: a delete
   * followed by an append. Nothing changes when validation fails.
   *
   * @throws {InvalidHeaderError} as {@link MsgHdrsImpl.append}
   */
  set(k: string, v: string, match: Match = Match.Exact): void {
    checkKey(k);
    checkValue(k, v);
    this.delete(k, match);
    this.#append(k, v, match);
  }

  /** Removes `k` (every matching key). */
  delete(k: string, match: Match = Match.Exact): void {
    if (isExact(match)) {
      if (this.#map.delete(k)) this.#encoded = undefined;
      return;
    }
    const nk = normalize(k, match);
    for (const key of [...this.#map.keys()]) {
      if (normalize(key, match) === nk) {
        this.#map.delete(key);
        this.#encoded = undefined;
      }
    }
  }

  /** Iterates `[key, values]` pairs in insertion order (values are copies). */
  *[Symbol.iterator](): Generator<[string, string[]]> {
    for (const [k, vs] of this.#map) yield [k, vs.slice()];
  }

  #append(k: string, v: string, match: Match): void {
    this.#encoded = undefined;
    if (!isExact(match)) {
      const nk = normalize(k, match);
      for (const [key, vs] of this.#map) {
        if (normalize(key, match) === nk) {
          vs.push(v);
          return;
        }
      }
      if (match === Match.CanonicalMIME) k = canonicalMIMEHeaderKey(k);
    }
    const vs = this.#map.get(k);
    if (vs === undefined) this.#map.set(k, [v]);
    else vs.push(v);
  }

  static {
    encodeImpl = (h) => h.#encoded ??= encodeBlock(h.#code, h.#description, h.#map);
    appendUnchecked = (h, k, v) => {
      const vs = h.#map.get(k);
      if (vs === undefined) h.#map.set(k, [v]);
      else vs.push(v);
    };
  }
}

/**
 * Creates an empty header set, optionally with a status (as in a server
 * status message).
 *
 * @param code status code, such as `503`; 0 or omitted for none
 * @param description status description, such as `"No Responders"`
 * @returns a new, mutable header set
 * @throws {InvalidHeaderError} when the code is not an integer from 0 to 999,
 * or the description holds CR or LF or is given without a code
 * @example
 * ```ts
 * const h = headers();
 * h.set("X-Request-Id", "42");
 * h.append("Tag", "a");
 * h.append("Tag", "b");
 * h.values("Tag"); // ["a", "b"]
 * ```
 */
export function headers(code?: number, description?: string): MsgHdrs {
  return new MsgHdrsImpl(code ?? 0, description ?? "");
}

/**
 * Encodes headers as the block sent by HPUB:
 * `NATS/1.0[ <code>[ <description>]]\r\n`, one `Key: value\r\n` line per
 * value, then `\r\n`. An empty set encodes to the 12 bytes `NATS/1.0\r\n\r\n`.
 *
 * For a {@link MsgHdrsImpl} the bytes are cached until the next mutation, so
 * publishing the same headers again costs nothing. Treat the result as
 * read-only; small blocks are views into a shared buffer (mind `byteOffset`
 * when using `.buffer`). Any other {@link MsgHdrs} is encoded through its iterator and
 * validated on the way.
 *
 * @param h the headers to encode
 * @returns the encoded block (UTF-8)
 * @throws {InvalidHeaderError} when a foreign implementation holds an invalid
 * key, value or status
 * @example
 * ```ts
 * const h = headers();
 * h.set("A", "1");
 * encodeHeaders(h); // bytes of "NATS/1.0\r\nA: 1\r\n\r\n"
 * ```
 */
export function encodeHeaders(h: MsgHdrs): Uint8Array {
  if (h instanceof MsgHdrsImpl) return encodeImpl(h);
  const code = h.code ?? 0;
  const description = h.description ?? "";
  checkStatus(code, description);
  const list = [...h];
  for (const [k, vs] of list) {
    checkKey(k);
    for (const v of vs) checkValue(k, v);
  }
  return encodeBlock(code, description, list);
}

function trimSpTab(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && (s.charCodeAt(a) === 0x20 || s.charCodeAt(a) === 0x09)) a++;
  while (
    b > a && (s.charCodeAt(b - 1) === 0x20 || s.charCodeAt(b - 1) === 0x09)
  ) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

function bareCR(line: string): ProtocolError {
  return new ProtocolError(`header line with a bare CR: ${preview(line)}`);
}

function preview(s: string): string {
  return JSON.stringify(s.length > 64 ? s.slice(0, 64) + "…" : s);
}

/**
 * Parses a header block as received in HMSG: a `NATS/<version>` line with an
 * optional status code and description (`NATS/1.0 503`,
 * `NATS/1.0 408 Request Timeout`), then `Key: value` lines up to an empty
 * line. Each line is split at its first `:`; key and value are trimmed of
 * surrounding spaces and tabs; repeated keys keep their order. Lines may end
 * in CRLF or LF; a missing final empty line is tolerated.
 *
 * @param bytes the header block
 * @returns the decoded headers
 * @throws {ProtocolError} when the block does not start with `NATS/`, the
 * status code is not 1 to 3 digits, a line holds a CR that does not end it,
 * or a header line has no key or no `:`
 * @example
 * ```ts
 * const h = decodeHeaders(encodeHeaders(headers(408, "Request Timeout")));
 * h.code; // 408
 * h.status; // "408 Request Timeout"
 * ```
 */
export function decodeHeaders(bytes: Uint8Array): MsgHdrsImpl {
  const s = utf8Decode(bytes);
  if (!s.startsWith("NATS/")) {
    throw new ProtocolError(
      `header block does not start with "NATS/": ${preview(s)}`,
    );
  }
  const n = s.length;
  let nl = s.indexOf("\n");
  let end = nl === -1 ? n : nl;
  let line = s.slice(
    0,
    end > 0 && s.charCodeAt(end - 1) === CR ? end - 1 : end,
  );

  if (line.indexOf("\r") !== -1) throw bareCR(line);

  // Status line: "NATS/1.0[ <code>[ <description>]]".
  let code = 0;
  let description = "";
  let sp = 5;
  while (
    sp < line.length && line.charCodeAt(sp) !== 0x20 &&
    line.charCodeAt(sp) !== 0x09
  ) {
    sp++;
  }
  const rest = trimSpTab(line.slice(sp));
  if (rest !== "") {
    let d = 0;
    while (
      d < rest.length && rest.charCodeAt(d) >= 0x30 &&
      rest.charCodeAt(d) <= 0x39
    ) d++;
    const after = d < rest.length ? rest.charCodeAt(d) : 0x20;
    if (d === 0 || d > 3 || (after !== 0x20 && after !== 0x09)) {
      throw new ProtocolError(
        `invalid status line in header block: ${preview(line)}`,
      );
    }
    code = Number(rest.slice(0, d));
    description = code === 0 ? "" : trimSpTab(rest.slice(d));
  }
  const h = new MsgHdrsImpl(code, description);

  let pos = nl === -1 ? n : nl + 1;
  while (pos < n) {
    nl = s.indexOf("\n", pos);
    end = nl === -1 ? n : nl;
    line = s.slice(
      pos,
      end > pos && s.charCodeAt(end - 1) === CR ? end - 1 : end,
    );
    if (line === "") break;
    if (line.indexOf("\r") !== -1) throw bareCR(line);
    const colon = line.indexOf(":");
    if (colon === -1) {
      throw new ProtocolError(`header line without ':': ${preview(line)}`);
    }
    const key = trimSpTab(line.slice(0, colon));
    if (key === "") {
      throw new ProtocolError(`header line without a key: ${preview(line)}`);
    }
    appendUnchecked(h, key, trimSpTab(line.slice(colon + 1)));
    pos = end + 1;
  }
  return h;
}

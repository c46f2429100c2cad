// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * NATS nkeys without dependencies: RFC 4648 base32 (no padding), the CRC16
 * (XMODEM) checksum, seed and public-key encoding, and Ed25519 signing
 * through WebCrypto (`crypto.subtle`). Runtime-neutral: Deno, Node ≥ 20, Bun,
 * browsers and workerd.
 *
 * Formats, as nats-server reads them:
 * - public key: `[type] + 32-byte Ed25519 public key + CRC16 (little-endian)`,
 *   base32 → 56 characters (`U…`, `A…`, `O…`, `N…`, `C…`);
 * - seed: `[SEED | type >> 5, (type & 31) << 3] + 32-byte Ed25519 seed +
 *   CRC16`, base32 → 58 characters (`SU…`, `SA…`, …).
 *
 * Error messages never contain the input: it may be a secret.
 *
 * @module
 */

/** Why credentials were rejected; see {@link InvalidCredentialsError.reason}. */
export type InvalidCredentialsReason =
  | "base32"
  | "checksum"
  | "length"
  | "prefix"
  | "key-type"
  | "creds"
  | "jwt"
  | "input"
  | "crypto";

/**
 * Credentials (an nkey seed, a JWT, a `.creds` file, a user name, password or
 * token) are malformed, or signing with them failed. Extends `TypeError` (it
 * is bad input) and carries `code` `INVALID_CREDENTIALS`. The message names
 * what is wrong but never contains the credentials themselves.
 *
 * @example Telling a bad seed apart
 * ```ts
 * import { InvalidCredentialsError, nkeyAuthenticator } from "@nats-rt/nats";
 *
 * try {
 *   nkeyAuthenticator("SUNOTASEED");
 * } catch (err) {
 *   if (err instanceof InvalidCredentialsError) console.log(err.reason, err.message);
 * }
 * ```
 */
export class InvalidCredentialsError extends TypeError {
  /** Always `INVALID_CREDENTIALS`. */
  readonly code = "INVALID_CREDENTIALS" as const;
  /**
   * What was wrong: `base32` (not base32), `checksum` (CRC16 mismatch),
   * `length`, `prefix` (not a seed / not a public key), `key-type` (e.g. an
   * account seed where a user seed is needed), `creds` (malformed `.creds`
   * file), `jwt` (not a JWT), `input` (wrong type, or a credentials function
   * that threw) or `crypto` (WebCrypto refused the key).
   */
  readonly reason: InvalidCredentialsReason;
  /**
   * Creates the error.
   *
   * @param reason what was wrong
   * @param message a description that does not contain the credentials
   * @param options standard `cause`
   */
  constructor(reason: InvalidCredentialsReason, message: string, options?: ErrorOptions) {
    super(message, options);
    this.reason = reason;
    this.name = "InvalidCredentialsError";
  }
}

// ------------------------------------------------------------------ base32

const B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const B32_REV = /* @__PURE__ */ (() => {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < 32; i++) {
    t[B32.charCodeAt(i)] = i;
    t[B32.toLowerCase().charCodeAt(i)] = i;
  }
  return t;
})();

/** RFC 4648 base32 without padding. */
export function base32Encode(bytes: Uint8Array): string {
  let out = "";
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < bytes.length; i++) {
    acc = (acc << 8) | bytes[i];
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += B32[(acc >>> bits) & 31];
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out += B32[(acc << (5 - bits)) & 31];
  return out;
}

/**
 * Decodes RFC 4648 base32 without padding (trailing `=` are accepted, case is
 * ignored). Throws {@link InvalidCredentialsError} (`base32`) on any other
 * character or an impossible length; the message never quotes the input.
 */
export function base32Decode(text: string): Uint8Array {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 61 /* = */) end--;
  // 1, 3 and 6 trailing characters cannot end a whole number of bytes.
  const rem = end % 8;
  if (rem === 1 || rem === 3 || rem === 6) {
    throw new InvalidCredentialsError("base32", "not valid base32: impossible length");
  }
  const out = new Uint8Array(Math.floor((end * 5) / 8));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? B32_REV[c] : -1;
    if (v < 0) {
      throw new InvalidCredentialsError(
        "base32",
        `not valid base32: unexpected character at position ${i}`,
      );
    }
    acc = ((acc << 5) | v) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >>> bits) & 0xff;
    }
  }
  return out;
}

// ------------------------------------------------------------------- crc16

const CRC_TABLE = /* @__PURE__ */ (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 8;
    for (let j = 0; j < 8; j++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
    t[i] = c;
  }
  return t;
})();

/** CRC-16/XMODEM (poly 0x1021, init 0, no reflection), as nkeys use. */
export function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (let i = 0; i < bytes.length; i++) {
    crc = ((crc << 8) & 0xffff) ^ CRC_TABLE[((crc >>> 8) ^ bytes[i]) & 0xff];
  }
  return crc;
}

// --------------------------------------------------------------- base64url

const B64U = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** base64url (RFC 4648 §5) without padding. */
export function base64UrlEncode(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += B64U[n >>> 18] + B64U[(n >>> 12) & 63] + B64U[(n >>> 6) & 63] + B64U[n & 63];
  }
  const left = bytes.length - i;
  if (left === 1) {
    const n = bytes[i] << 16;
    out += B64U[n >>> 18] + B64U[(n >>> 12) & 63];
  } else if (left === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += B64U[n >>> 18] + B64U[(n >>> 12) & 63] + B64U[(n >>> 6) & 63];
  }
  return out;
}

const B64_REV = /* @__PURE__ */ (() => {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < 64; i++) t[B64U.charCodeAt(i)] = i;
  // Standard base64 too: JWK and older peers.
  t[43 /* + */] = 62;
  t[47 /* / */] = 63;
  return t;
})();

/**
 * Decodes base64url or standard base64, with or without padding. Throws
 * {@link InvalidCredentialsError} (`reason`) on a bad character or length.
 */
export function base64UrlDecode(
  text: string,
  reason: InvalidCredentialsReason = "input",
): Uint8Array {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 61 /* = */) end--;
  if (end % 4 === 1) {
    throw new InvalidCredentialsError(reason, "not valid base64: impossible length");
  }
  const out = new Uint8Array(Math.floor((end * 6) / 8));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? B64_REV[c] : -1;
    if (v < 0) {
      throw new InvalidCredentialsError(
        reason,
        `not valid base64: unexpected character at position ${i}`,
      );
    }
    acc = ((acc << 6) | v) & 0xffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >>> bits) & 0xff;
    }
  }
  return out;
}

// ------------------------------------------------------------------- nkeys

/** Prefix bytes (the first base32 character) of nkey types. */
export const Prefix = {
  /** `S`: a seed (followed by the key type). */
  Seed: 18 << 3,
  /** `P`: a raw private key. */
  Private: 15 << 3,
  /** `O`: operator. */
  Operator: 14 << 3,
  /** `N`: server. */
  Server: 13 << 3,
  /** `C`: cluster. */
  Cluster: 2 << 3,
  /** `A`: account. */
  Account: 0,
  /** `U`: user. */
  User: 20 << 3,
  /** `X`: curve (X25519) keys; they cannot sign. */
  Curve: 23 << 3,
} as const;

/** The Ed25519 key types: user, account, operator, server, cluster. */
export type KeyType = "user" | "account" | "operator" | "server" | "cluster";

const TYPE_PREFIX: Record<KeyType, number> = {
  user: Prefix.User,
  account: Prefix.Account,
  operator: Prefix.Operator,
  server: Prefix.Server,
  cluster: Prefix.Cluster,
};

function typeOf(prefix: number): KeyType | undefined {
  for (const [t, p] of Object.entries(TYPE_PREFIX)) if (p === prefix) return t as KeyType;
  return undefined;
}

function article(t: KeyType): string {
  return t === "account" || t === "operator" ? "an" : "a";
}

/** Appends the CRC16 of `body` (little-endian). */
function withCrc(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.length + 2);
  out.set(body);
  const c = crc16(body);
  out[body.length] = c & 0xff;
  out[body.length + 1] = c >>> 8;
  return out;
}

/** Checks and strips the trailing CRC16. */
function checkCrc(raw: Uint8Array, what: string): Uint8Array {
  const body = raw.subarray(0, raw.length - 2);
  const want = raw[raw.length - 2] | (raw[raw.length - 1] << 8);
  if (crc16(body) !== want) {
    throw new InvalidCredentialsError("checksum", `${what} has a bad checksum (CRC16 mismatch)`);
  }
  return body;
}

/** Text of an nkey given as a string or as its ASCII bytes, trimmed. */
export function keyText(input: string | Uint8Array, what: string): string {
  if (typeof input === "string") return input.trim();
  if (input instanceof Uint8Array) {
    let s = "";
    for (let i = 0; i < input.length; i++) s += String.fromCharCode(input[i]);
    return s.trim();
  }
  throw new InvalidCredentialsError("input", `${what} must be a string or a Uint8Array`);
}

/** Encodes a 32-byte Ed25519 public key as a public nkey (`U…`, `A…`, …). */
export function encodePublicKey(type: KeyType, key: Uint8Array): string {
  if (key.length !== 32) throw new InvalidCredentialsError("length", "a public key is 32 bytes");
  const body = new Uint8Array(33);
  body[0] = TYPE_PREFIX[type];
  body.set(key, 1);
  return base32Encode(withCrc(body));
}

/** Decodes a public nkey into its type and 32-byte Ed25519 key. */
export function decodePublicKey(input: string | Uint8Array): { type: KeyType; key: Uint8Array } {
  const raw = base32Decode(keyText(input, "a public nkey"));
  if (raw.length !== 35) {
    throw new InvalidCredentialsError("length", "not a public nkey: wrong length");
  }
  const body = checkCrc(raw, "the public nkey");
  const type = typeOf(body[0]);
  if (type === undefined) {
    throw new InvalidCredentialsError(
      "prefix",
      (body[0] & 0xf8) === Prefix.Seed
        ? "got a seed where a public nkey was expected"
        : "not a public nkey: unknown prefix",
    );
  }
  return { type, key: body.slice(1) };
}

/** Encodes a 32-byte Ed25519 seed as an nkey seed (`SU…`, `SA…`, …). */
export function encodeSeed(type: KeyType, seed: Uint8Array): string {
  if (seed.length !== 32) throw new InvalidCredentialsError("length", "a seed is 32 bytes");
  const p = TYPE_PREFIX[type];
  const body = new Uint8Array(34);
  body[0] = Prefix.Seed | (p >>> 5);
  body[1] = (p & 31) << 3;
  body.set(seed, 2);
  const out = base32Encode(withCrc(body));
  body.fill(0);
  return out;
}

/** A decoded seed. */
export interface DecodedSeed {
  /** The key type the seed is for. */
  type: KeyType;
  /** The 32-byte Ed25519 private seed. */
  seed: Uint8Array;
}

/**
 * Decodes an nkey seed (as a string or as its ASCII bytes; surrounding
 * whitespace and lowercase are tolerated): base32, CRC16, the seed prefix,
 * and the key type, which must be `expect` when given. Throws
 * {@link InvalidCredentialsError} whose message never contains the seed.
 */
export function decodeSeed(input: string | Uint8Array, expect?: KeyType): DecodedSeed {
  const text = keyText(input, "an nkey seed");
  if (text.length === 0) throw new InvalidCredentialsError("length", "the nkey seed is empty");
  const raw = base32Decode(text);
  try {
    if (raw.length !== 36) {
      throw new InvalidCredentialsError(
        "length",
        `not an nkey seed: decodes to ${raw.length} bytes, expected 36`,
      );
    }
    const body = checkCrc(raw, "the nkey seed");
    if ((body[0] & 0xf8) !== Prefix.Seed) {
      throw new InvalidCredentialsError(
        "prefix",
        typeOf(body[0]) !== undefined || body[0] === Prefix.Private
          ? "not an nkey seed (a seed starts with S): got a public or private key"
          : "not an nkey seed (a seed starts with S)",
      );
    }
    const p = ((body[0] & 7) << 5) | ((body[1] & 0xf8) >>> 3);
    const type = typeOf(p);
    if (type === undefined) {
      throw new InvalidCredentialsError(
        "key-type",
        p === Prefix.Curve
          ? "a curve (X25519) seed cannot sign; an Ed25519 seed is needed"
          : "the nkey seed has an unknown key type",
      );
    }
    if (expect !== undefined && type !== expect) {
      throw new InvalidCredentialsError(
        "key-type",
        `expected ${article(expect)} ${expect} seed (S${B32[TYPE_PREFIX[expect] >>> 3]}…), ` +
          `got ${article(type)} ${type} seed (S${B32[p >>> 3]}…)`,
      );
    }
    return { type, seed: body.slice(2) };
  } finally {
    raw.fill(0);
  }
}

// ----------------------------------------------------------------- Ed25519

/** RFC 8410 PKCS#8 header for an Ed25519 private key; the 32-byte seed follows. */
const PKCS8_ED25519 = /* @__PURE__ */ hex("302e020100300506032b657004220420");

function hex(h: string): Uint8Array {
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function pkcs8(seed: Uint8Array): Uint8Array<ArrayBuffer> {
  const der = new Uint8Array(PKCS8_ED25519.length + 32);
  der.set(PKCS8_ED25519);
  der.set(seed, PKCS8_ED25519.length);
  return der;
}

function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (s === undefined) {
    throw new InvalidCredentialsError(
      "crypto",
      "WebCrypto (crypto.subtle) is not available: nkey signing needs it " +
        "(browsers expose it only in secure contexts)",
    );
  }
  return s;
}

/** An Ed25519 nkey that can sign: the private key stays inside WebCrypto. */
export interface NKeySigner {
  /** The key type. */
  readonly type: KeyType;
  /** The public nkey (`U…`). */
  readonly publicKey: string;
  /** Signs `data` with Ed25519; 64 bytes. */
  sign(data: Uint8Array): Promise<Uint8Array<ArrayBuffer>>;
}

/**
 * Imports a 32-byte Ed25519 seed into WebCrypto (PKCS#8) and derives the
 * public key (from the JWK export's `x`). The signing key is non-extractable.
 */
export async function signerFromRawSeed(type: KeyType, seed: Uint8Array): Promise<NKeySigner> {
  const s = subtle();
  const der = pkcs8(seed);
  let key: CryptoKey;
  let pub: Uint8Array;
  try {
    const exportable = await s.importKey("pkcs8", der, { name: "Ed25519" }, true, ["sign"]);
    const jwk = await s.exportKey("jwk", exportable);
    if (typeof jwk.x !== "string") throw new Error("no public key in the JWK export");
    pub = base64UrlDecode(jwk.x, "crypto");
    if (jwk.d !== undefined) jwk.d = "";
    key = await s.importKey("pkcs8", der, { name: "Ed25519" }, false, ["sign"]);
  } catch (cause) {
    // The cause comes from WebCrypto and names no key material.
    throw new InvalidCredentialsError(
      "crypto",
      `this runtime's WebCrypto could not import the Ed25519 key (${
        (cause as Error)?.name ?? "Error"
      }); Ed25519 needs Deno, Node ≥ 20, Bun, workerd or a current browser`,
      { cause },
    );
  } finally {
    der.fill(0);
  }
  const publicKey = encodePublicKey(type, pub);
  return {
    type,
    publicKey,
    async sign(data: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
      const copy = new Uint8Array(data.length);
      copy.set(data);
      return new Uint8Array(await s.sign({ name: "Ed25519" }, key, copy));
    },
  };
}

/** Decodes an nkey seed (see {@link decodeSeed}) and imports it for signing. */
export async function signerFromSeed(
  input: string | Uint8Array,
  expect?: KeyType,
): Promise<NKeySigner> {
  const { type, seed } = decodeSeed(input, expect);
  try {
    return await signerFromRawSeed(type, seed);
  } finally {
    seed.fill(0);
  }
}

/**
 * Verifies an Ed25519 signature against a public nkey (`U…`, `A…`, …)
 * through WebCrypto. False for a bad signature; throws on a bad public key.
 */
export async function verify(
  publicKey: string,
  data: Uint8Array,
  sig: Uint8Array,
): Promise<boolean> {
  const { key } = decodePublicKey(publicKey);
  const s = subtle();
  const k = await s.importKey("raw", new Uint8Array(key), { name: "Ed25519" }, false, [
    "verify",
  ]);
  return await s.verify({ name: "Ed25519" }, k, new Uint8Array(sig), new Uint8Array(data));
}

// -------------------------------------------------------------- JWT, creds

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * Checks that `jwt` looks like a JWT (three base64url parts separated by
 * dots) and returns it trimmed. The message of the error never quotes it.
 */
export function checkJwt(jwt: unknown, what = "the JWT"): string {
  if (typeof jwt !== "string") {
    throw new InvalidCredentialsError("input", `${what} must be a string`);
  }
  const t = jwt.trim();
  if (t.length === 0) throw new InvalidCredentialsError("jwt", `${what} is empty`);
  if (!JWT_SHAPE.test(t)) {
    throw new InvalidCredentialsError(
      "jwt",
      `${what} is not a JWT (expected three base64url parts separated by dots)`,
    );
  }
  return t;
}

const BEGIN = /^\s*-{3,}\s*BEGIN\s+(.*?)\s*-{3,}\s*$/i;
const END = /^\s*-{3,}\s*END\b.*-{3,}\s*$/i;

/**
 * Reads a `.creds` file: the `-----BEGIN NATS USER JWT-----` block and the
 * `-----BEGIN USER NKEY SEED-----` block (dash runs of any length ≥ 3, LF,
 * CRLF or CR line ends, a BOM, and the `*** … ***` comment lines between the
 * blocks are all tolerated). The JWT's shape and the seed (a user seed) are
 * checked. Errors name the problem, never the contents.
 */
export function parseCreds(creds: string | Uint8Array): { jwt: string; seed: string } {
  let text: string;
  if (typeof creds === "string") text = creds;
  else if (creds instanceof Uint8Array) text = new TextDecoder().decode(creds);
  else {
    throw new InvalidCredentialsError("input", "the creds must be a string or a Uint8Array");
  }
  const lines = text.replace(/^\uFEFF/, "").split(/\r\n|\r|\n/);
  let jwt: string | undefined;
  let seed: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const m = BEGIN.exec(lines[i]);
    if (m === null) continue;
    const label = m[1].toUpperCase();
    let body = "";
    let closed = false;
    for (i++; i < lines.length; i++) {
      if (END.test(lines[i])) {
        closed = true;
        break;
      }
      if (BEGIN.test(lines[i])) break;
      body += lines[i].trim();
    }
    const name = label.includes("JWT") ? "JWT" : label.includes("SEED") ? "seed" : "";
    if (!closed) {
      throw new InvalidCredentialsError(
        "creds",
        `malformed creds: the ${name || "BEGIN"} block has no END line`,
      );
    }
    if (name === "JWT" && jwt === undefined) jwt = body;
    else if (name === "seed" && seed === undefined) seed = body;
  }
  if (jwt === undefined) {
    throw new InvalidCredentialsError(
      "creds",
      "malformed creds: no JWT block (-----BEGIN NATS USER JWT-----)",
    );
  }
  if (seed === undefined) {
    throw new InvalidCredentialsError(
      "creds",
      "malformed creds: no seed block (-----BEGIN USER NKEY SEED-----)",
    );
  }
  try {
    checkJwt(jwt, "the creds JWT");
    decodeSeed(seed, "user").seed.fill(0);
  } catch (err) {
    const e = err as InvalidCredentialsError;
    throw new InvalidCredentialsError(e.reason, `malformed creds: ${e.message}`);
  }
  return { jwt, seed };
}

// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * Unique ids for inboxes: 22 characters from `[0-9A-Za-z]`, a 12-character
 * random prefix followed by a 10-character sequence.
 *
 * The sequence space is 62^10, which is larger than `Number.MAX_SAFE_INTEGER`,
 * so it is kept as two 5-digit halves (each below 62^5, well inside 2^30).
 * Only the low half is re-encoded on each call; the prefix and the high half
 * are cached strings.
 *
 * @module
 */

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const BASE = 62;
const PREFIX_LEN = 12;
/** 62^5: the range of each half of the sequence. */
const HALF = 916_132_832;
/** Largest multiple of HALF that fits in a uint32, for unbiased sampling. */
const HALF_LIMIT = HALF * 4;
/** Largest multiple of 62 that fits in a byte, for unbiased sampling. */
const BYTE_LIMIT = BASE * 4;
const MIN_INC = 33;
const MAX_INC = 333;

/** Five base-62 digits, most significant first. */
function encode5(x: number): string {
  const d4 = x % BASE;
  x = (x - d4) / BASE;
  const d3 = x % BASE;
  x = (x - d3) / BASE;
  const d2 = x % BASE;
  x = (x - d2) / BASE;
  const d1 = x % BASE;
  const d0 = (x - d1) / BASE;
  return ALPHABET[d0] + ALPHABET[d1] + ALPHABET[d2] + ALPHABET[d3] +
    ALPHABET[d4];
}

/** A uniform integer in [0, HALF). */
function randomHalf(buf: Uint32Array<ArrayBuffer>): number {
  for (;;) {
    crypto.getRandomValues(buf);
    for (let i = 0; i < buf.length; i++) {
      if (buf[i] < HALF_LIMIT) return buf[i] % HALF;
    }
  }
}

/**
 * Generator of unique 22-character ids. Not cryptographic tokens: the
 * sequence part is predictable, only the prefix is random.
 */
export class Nuid {
  private prefix = "";
  private hi = 0;
  private hiStr = "";
  private lo = 0;
  private inc = 0;
  private readonly rnd = new Uint32Array(4);

  /** Creates a generator with a random prefix and sequence. */
  constructor() {
    this.reset();
  }

  /** Picks a new random prefix and a new random sequence start and increment. */
  reset(): void {
    this.randomizePrefix();
    this.hi = randomHalf(this.rnd);
    this.hiStr = encode5(this.hi);
    this.lo = randomHalf(this.rnd);
    crypto.getRandomValues(this.rnd);
    this.inc = MIN_INC + (this.rnd[0] % (MAX_INC - MIN_INC));
  }

  /**
   * Returns the next id: 22 characters from `[0-9A-Za-z]`.
   *
   * @example
   * ```ts
   * const id = nuid.next(); // e.g. "pQ3vX0b7TzLmA1c9kDfE2h"
   * ```
   */
  next(): string {
    let lo = this.lo + this.inc;
    if (lo >= HALF) {
      lo -= HALF;
      const hi = this.hi + 1;
      if (hi >= HALF) {
        // The 62^10 sequence is used up: start over with a fresh prefix.
        this.reset();
        return this.prefix + this.hiStr + encode5(this.lo);
      }
      this.hi = hi;
      this.hiStr = encode5(hi);
    }
    this.lo = lo;
    return this.prefix + this.hiStr + encode5(lo);
  }

  /** Draws a fresh 12-character prefix (unbiased: bytes >= 248 are skipped). */
  private randomizePrefix(): void {
    const bytes = new Uint8Array(PREFIX_LEN * 2);
    let out = "";
    while (out.length < PREFIX_LEN) {
      crypto.getRandomValues(bytes);
      for (let i = 0; i < bytes.length && out.length < PREFIX_LEN; i++) {
        if (bytes[i] < BYTE_LIMIT) out += ALPHABET[bytes[i] % BASE];
      }
    }
    this.prefix = out;
  }
}

let shared: Nuid | undefined;

/**
 * Shared id generator used for inboxes and request ids. The generator is
 * created on first use, not when the module loads: Cloudflare Workers refuse
 * `crypto.getRandomValues` at module scope ("Disallowed operation called
 * within global scope") and would fail to load the whole package.
 */
export const nuid: Pick<Nuid, "next"> = {
  next: (): string => (shared ??= new Nuid()).next(),
};

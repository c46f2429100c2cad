// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * Authenticators, with the nats.js v3 names: user/password, token, nkey,
 * user JWT (+ seed) and `.creds` files. Pass one (or several) as the
 * `authenticator` connection option. Each credential may be given as a value
 * or as a function; a function is called again on every (re)connect, so
 * rotated credentials are picked up without a new connection.
 *
 * Nkey signing uses WebCrypto Ed25519 with a non-extractable key; no
 * dependency. No error message ever contains a seed, JWT, password or token.
 *
 * @module
 */
import {
  base64UrlEncode,
  checkJwt,
  decodeSeed,
  InvalidCredentialsError,
  type NKeySigner,
  parseCreds,
  signerFromRawSeed,
} from "./_nkeys.ts";
import type { Auth, Authenticator } from "./types.ts";

export { InvalidCredentialsError } from "./_nkeys.ts";
export type { InvalidCredentialsReason } from "./_nkeys.ts";

/** A value, or a function returning it (called on every (re)connect; may be async). */
type Source<T> = T | (() => T | Promise<T>);

const te = new TextEncoder();

/**
 * Calls a credentials function. What it throws is replaced by an error with a
 * fixed message and no `cause`: its message may quote the secret (a JSON
 * parse error quotes its input), and loggers print causes.
 */
async function resolve<T>(src: Source<T>, what: string): Promise<T> {
  if (typeof src !== "function") return src;
  try {
    return await (src as () => T | Promise<T>)();
  } catch (err) {
    if (err instanceof InvalidCredentialsError) throw err;
    const name = err instanceof Error ? err.name : typeof err;
    throw new InvalidCredentialsError("input", `the ${what} function threw (${name})`);
  }
}

function checkString(v: unknown, what: string): string {
  if (typeof v !== "string") throw new InvalidCredentialsError("input", `${what} must be a string`);
  return v;
}

function checkSource(v: unknown, what: string, types: string[]): void {
  if (typeof v === "function") return;
  if (types.includes(typeof v)) return;
  if (types.includes("Uint8Array") && v instanceof Uint8Array) return;
  throw new InvalidCredentialsError(
    "input",
    `${what} must be ${types.join(" or ")} or a function returning one`,
  );
}

/**
 * Returns a function that yields a signer for a user seed. A fixed seed is
 * decoded now (bad input throws at once) and imported into WebCrypto once;
 * after that the raw bytes are wiped and only the non-extractable key stays.
 */
function userSigner(src: Source<Uint8Array | string>): () => Promise<NKeySigner> {
  checkSource(src, "the seed", ["string", "Uint8Array"]);
  if (typeof src === "function") {
    return async () => {
      const d = decodeSeed(await resolve(src, "seed"), "user");
      try {
        return await signerFromRawSeed(d.type, d.seed);
      } finally {
        d.seed.fill(0);
      }
    };
  }
  const d = decodeSeed(src, "user");
  let signer: Promise<NKeySigner> | undefined;
  return () => {
    signer ??= signerFromRawSeed(d.type, d.seed).then((s) => {
      d.seed.fill(0);
      return s;
    }, (err) => {
      signer = undefined;
      throw err;
    });
    return signer;
  };
}

async function sign(signer: NKeySigner, nonce: string): Promise<string> {
  return base64UrlEncode(await signer.sign(te.encode(nonce)));
}

/**
 * Authenticates with an nkey: CONNECT carries the public key (`nkey`) and the
 * server's nonce signed with the seed (`sig`, Ed25519, base64url). The seed is
 * a user seed (`SU…`) as a string or as its bytes (e.g. a file's contents);
 * surrounding whitespace is ignored. A fixed seed is checked at once (base32,
 * CRC16, seed type) and throws {@link InvalidCredentialsError}; a function is
 * called on every (re)connect.
 *
 * @param seed the user seed, or a function returning it
 * @returns an authenticator for the `authenticator` connection option
 * @example Connect with an nkey seed
 * ```ts ignore
 * import { connect, nkeyAuthenticator } from "@nats-rt/nats";
 *
 * const seed = await readSecret("user.nk") // your runtime's file or vault read;
 * const nc = await connect({ servers: "127.0.0.1:4222", authenticator: nkeyAuthenticator(seed) });
 * ```
 */
export function nkeyAuthenticator(
  seed: Uint8Array | string | (() => Uint8Array | string | Promise<Uint8Array | string>),
): Authenticator {
  const signer = userSigner(seed);
  return async (nonce?: string): Promise<Auth> => {
    const s = await signer();
    const auth: Auth = { nkey: s.publicKey };
    if (nonce) auth.sig = await sign(s, nonce);
    return auth;
  };
}

/**
 * Authenticates with a user JWT and, unless the JWT is a bearer token, the
 * user seed that signs the server's nonce. CONNECT carries `jwt` and `sig`
 * (no `nkey`: the server takes the key from the JWT). Fixed values are
 * checked at once and throw {@link InvalidCredentialsError}; functions are
 * called on every (re)connect, so a refreshed JWT is picked up on reconnect.
 *
 * @param jwt the user JWT, or a function returning it
 * @param seed the user seed (`SU…`, string or bytes), or a function returning it
 * @returns an authenticator for the `authenticator` connection option
 * @example Connect with a JWT and a seed
 * ```ts ignore
 * import { connect, jwtAuthenticator } from "@nats-rt/nats";
 *
 * const nc = await connect({
 *   servers: "127.0.0.1:4222",
 *   authenticator: jwtAuthenticator(() => currentJwt(), currentSeed()),
 * });
 * ```
 */
export function jwtAuthenticator(
  jwt: string | (() => string | Promise<string>),
  seed?: Uint8Array | string | (() => Uint8Array | string | Promise<Uint8Array | string>),
): Authenticator {
  checkSource(jwt, "the JWT", ["string"]);
  if (typeof jwt !== "function") checkJwt(jwt);
  const signer = seed === undefined ? undefined : userSigner(seed);
  return async (nonce?: string): Promise<Auth> => {
    const auth: Auth = { jwt: checkJwt(await resolve(jwt, "JWT")) };
    if (signer !== undefined) {
      const s = await signer();
      if (nonce) auth.sig = await sign(s, nonce);
    }
    return auth;
  };
}

/**
 * Authenticates with a `.creds` file (as written by `nsc` or `nats-server`
 * tooling): its `NATS USER JWT` block and its `USER NKEY SEED` block. LF or
 * CRLF line ends, the `*** … ***` comment lines and dash runs of any length
 * are accepted. Fixed contents are parsed at once and throw
 * {@link InvalidCredentialsError} (missing block, bad JWT, bad seed); a
 * function is called on every (re)connect, so a rewritten file is picked up.
 *
 * @param creds the file's contents (bytes or text), or a function returning them
 * @returns an authenticator for the `authenticator` connection option
 * @example Connect with a creds file, re-read on every reconnect
 * ```ts ignore
 * import { connect, credsAuthenticator } from "@nats-rt/nats";
 *
 * const nc = await connect({
 *   servers: "127.0.0.1:4222",
 *   authenticator: credsAuthenticator(() => readSecret("user.creds")),
 * });
 * ```
 */
export function credsAuthenticator(
  creds: Uint8Array | string | (() => Uint8Array | string | Promise<Uint8Array | string>),
): Authenticator {
  checkSource(creds, "the creds", ["string", "Uint8Array"]);
  if (typeof creds === "function") {
    return async (nonce?: string): Promise<Auth> => {
      const c = parseCreds(await resolve(creds, "creds"));
      return await jwtAuthenticator(c.jwt, c.seed)(nonce);
    };
  }
  const c = parseCreds(creds);
  return jwtAuthenticator(c.jwt, c.seed);
}

/**
 * Authenticates with a user name and password (CONNECT `user`, `pass`).
 * Either may be a function, called on every (re)connect.
 *
 * @param user the user name, or a function returning it
 * @param pass the password, or a function returning it
 * @returns an authenticator for the `authenticator` connection option
 * @example Connect with user and password
 * ```ts ignore
 * import { connect, usernamePasswordAuthenticator } from "@nats-rt/nats";
 *
 * const nc = await connect({
 *   servers: "127.0.0.1:4222",
 *   authenticator: usernamePasswordAuthenticator("alice", () => currentPassword()),
 * });
 * ```
 */
export function usernamePasswordAuthenticator(
  user: string | (() => string | Promise<string>),
  pass?: string | (() => string | Promise<string>),
): Authenticator {
  checkSource(user, "the user name", ["string"]);
  if (pass !== undefined) checkSource(pass, "the password", ["string"]);
  return async (): Promise<Auth> => {
    const auth: Auth = { user: checkString(await resolve(user, "user name"), "the user name") };
    if (pass !== undefined) {
      auth.pass = checkString(await resolve(pass, "password"), "the password");
    }
    return auth;
  };
}

/**
 * Authenticates with a token (CONNECT `auth_token`). The token may be a
 * function, called on every (re)connect.
 *
 * @param token the token, or a function returning it
 * @returns an authenticator for the `authenticator` connection option
 * @example Connect with a token
 * ```ts ignore
 * import { connect, tokenAuthenticator } from "@nats-rt/nats";
 *
 * const nc = await connect({
 *   servers: "127.0.0.1:4222",
 *   authenticator: tokenAuthenticator(() => currentToken()),
 * });
 * ```
 */
export function tokenAuthenticator(
  token: string | (() => string | Promise<string>),
): Authenticator {
  checkSource(token, "the token", ["string"]);
  return async (): Promise<Auth> => ({
    auth_token: checkString(await resolve(token, "token"), "the token"),
  });
}

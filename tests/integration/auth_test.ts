// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * Authentication against real nats-server 2.9.10 processes: nkey users,
 * user JWT + seed and `.creds` files under an operator with a MEMORY
 * resolver, bearer JWTs, expiring JWTs refreshed on reconnect, credentials
 * revoked by a config reload, rotating credentials picked up on reconnect,
 * and secrets (seed, JWT, password, token) never showing up in debug traces,
 * errors, status events, `nc.info` or `getServer()`.
 *
 * Fixtures (operator/account/user keys and JWTs) are generated at test time
 * with the dev-only reference packages; nothing secret is committed.
 */
import assert from "node:assert/strict";
// deno-lint-ignore no-import-prefix
import * as refNkeys from "npm:@nats-io/nkeys@2";
// deno-lint-ignore no-import-prefix
import * as refJwt from "npm:@nats-io/jwt@0.0.11";
import {
  type Authenticator,
  AuthorizationError,
  connect,
  type ConnectionOptions,
  credsAuthenticator,
  InvalidCredentialsError,
  jwtAuthenticator,
  type NatsConnection,
  nkeyAuthenticator,
  type Status,
  tokenAuthenticator,
  type TraceEvent,
  usernamePasswordAuthenticator,
} from "../../mod.ts";
import { NatsServer } from "../_helpers/nats_server.ts";
import { take, td, te, timed, waitFor, waitStatus } from "./_util.ts";

// ---------------------------------------------------------------- fixtures

type RefKeyPair = ReturnType<typeof refNkeys.createUser>;

function userKeys() {
  const kp = refNkeys.createUser();
  return { kp, seed: td.decode(kp.getSeed()), pub: kp.getPublicKey() };
}

/** An operator, one account preloaded in a MEMORY resolver, and the server config. */
async function operatorSetup() {
  const okp = refNkeys.createOperator();
  const akp = refNkeys.createAccount();
  const operatorJwt = await refJwt.encodeOperator("OP", okp);
  // Without explicit limits a v2 account JWT reads as "0 connections allowed".
  const limits = {
    subs: -1,
    data: -1,
    payload: -1,
    imports: -1,
    exports: -1,
    wildcards: true,
    conn: -1,
    leaf: -1,
  };
  const accountJwt = await refJwt.encodeAccount("ACC", akp, { limits }, { signer: okp });
  return {
    akp,
    /** The account JWT again, with `extra` claims (e.g. revocations). */
    reissueAccount: (extra: Record<string, unknown>) =>
      refJwt.encodeAccount("ACC", akp, { limits, ...extra }, { signer: okp }),
    config: {
      operator: operatorJwt,
      resolver: "MEMORY",
      resolver_preload: { [akp.getPublicKey()]: accountJwt },
    },
  };
}

/** A user of account `akp`: keys, JWT (with `claims`/`opts`) and a `.creds` file. */
async function jwtUser(
  akp: RefKeyPair,
  claims: Record<string, unknown> = {},
  opts: Record<string, unknown> = {},
) {
  const u = userKeys();
  const jwt = await refJwt.encodeUser("user", u.kp, akp, claims, opts);
  return { ...u, jwt, creds: refJwt.fmtCreds(jwt, u.kp) };
}

// ----------------------------------------------------------------- helpers

/** Subscribes, publishes one message and reads it back. */
async function roundTrip(nc: NatsConnection, subject = "auth.rt") {
  const sub = nc.subscribe(subject, { max: 1 });
  nc.publish(subject, "ping");
  const [m] = await take(sub, 1, 3_000);
  assert.equal(m.string(), "ping");
}

/** Every status event of `nc` from now until the connection closes. */
function recordStatus(nc: NatsConnection): Status[] {
  const seen: Status[] = [];
  (async () => {
    for await (const s of nc.status()) seen.push(s);
  })().catch(() => {});
  return seen;
}

/** An error's text as a logger would print it: name, message, stack and the cause chain. */
function errorText(e: unknown, depth = 0): string {
  if (e === undefined || e === null || depth > 5) return "";
  if (!(e instanceof Error)) return String(e);
  return `${e.name}: ${e.message}\n${e.stack ?? ""}\n${JSON.stringify(e)}\n` +
    errorText(e.cause, depth + 1);
}

function statusText(s: Status): string {
  const { error, ...rest } = s as Status & { error?: unknown };
  return `${JSON.stringify({ ...rest, sub: undefined })} ${errorText(error)}`;
}

/** Fails if any of `secrets` (or a recognizable 16-char piece of one) occurs in `texts`. */
function assertNoSecrets(texts: string[], secrets: string[], where: string): void {
  const pieces = (s: string) => s.length > 24 ? [s, s.slice(-16), s.slice(4, 20)] : [s];
  for (const [n, secret] of secrets.entries()) {
    for (const p of pieces(secret)) {
      const hit = texts.find((t) => t.includes(p));
      if (hit === undefined) continue;
      // Name the place by the start of the text, cut before any secret (failures are logged).
      const cut = Math.min(
        60,
        ...secrets.flatMap(pieces).map((q) => hit.indexOf(q)).filter((i) => i >= 0),
      );
      assert.fail(`secret #${n} leaked in ${where}, in a text starting "${hit.slice(0, cut)}"`);
    }
  }
}

// ---------------------------------------------------------------- nkey auth

Deno.test("nkey: the seed signs the server nonce and connects; CONNECT has nkey + redacted sig", async () => {
  const u = userKeys();
  await using srv = await NatsServer.start({
    config: { authorization: { users: [{ nkey: u.pub }] } },
  });
  const trace: TraceEvent[] = [];
  const nc = await connect({
    servers: srv.url,
    authenticator: nkeyAuthenticator(u.seed),
    debug: (e) => trace.push(e),
  });
  try {
    assert.equal(nc.info?.auth_required, true);
    assert.equal(typeof nc.info?.nonce, "string");
    await roundTrip(nc);
  } finally {
    await nc.close();
  }
  const connectLine = trace.find((t) => t.line.startsWith("CONNECT "))?.line ?? "";
  const c = JSON.parse(connectLine.slice("CONNECT ".length));
  assert.equal(c.nkey, u.pub);
  assert.equal(c.sig, "[REDACTED]");
  assert.equal(c.jwt, undefined);
  assertNoSecrets(trace.map((t) => t.line), [u.seed], "the debug trace");
});

Deno.test("nkey: seed given as bytes, or as a function, connects too", async () => {
  const u = userKeys();
  await using srv = await NatsServer.start({
    config: { authorization: { users: [{ nkey: u.pub }] } },
  });
  for (const seed of [te.encode(`${u.seed}\n`), () => u.seed]) {
    const nc = await connect({ servers: srv.url, authenticator: nkeyAuthenticator(seed) });
    try {
      await roundTrip(nc);
    } finally {
      await nc.close();
    }
  }
});

Deno.test("nkey: a wrong seed → AuthorizationError AUTHORIZATION_VIOLATION, fast, seed not in the error", async () => {
  const u = userKeys();
  const other = userKeys();
  await using srv = await NatsServer.start({
    config: { authorization: { users: [{ nkey: u.pub }] } },
  });
  const { ms, error } = await timed(connect({
    servers: srv.url,
    authenticator: nkeyAuthenticator(other.seed),
    timeout: 5_000,
  }));
  assert.ok(error instanceof AuthorizationError, `got ${error}`);
  assert.equal(error.code, "AUTHORIZATION_VIOLATION");
  assert.ok(ms < 3_000, `auth failure took ${ms} ms`);
  assertNoSecrets([errorText(error)], [other.seed, u.seed], "the error");
});

Deno.test("nkey: an account seed is refused before connecting, with an error naming the seed type only", () => {
  const akp = refNkeys.createAccount();
  const seed = td.decode(akp.getSeed());
  assert.throws(
    () => nkeyAuthenticator(seed),
    (e: unknown) =>
      e instanceof InvalidCredentialsError && e.reason === "key-type" &&
      /expected a user seed/.test(e.message) && !e.message.includes(seed),
  );
});

// ---------------------------------------------------------- JWT and creds

Deno.test("jwt: user JWT + seed, and a .creds file (bytes, text with CRLF, function), connect under an operator", async () => {
  const { akp, config } = await operatorSetup();
  await using srv = await NatsServer.start({ config });
  const u = await jwtUser(akp);
  const credsText = td.decode(u.creds).replaceAll("\n", "\r\n");
  const auths: [string, Authenticator][] = [
    ["jwtAuthenticator", jwtAuthenticator(u.jwt, u.seed)],
    ["jwtAuthenticator(fn, fn)", jwtAuthenticator(() => u.jwt, () => te.encode(u.seed))],
    ["credsAuthenticator(bytes)", credsAuthenticator(u.creds)],
    ["credsAuthenticator(CRLF text)", credsAuthenticator(credsText)],
    ["credsAuthenticator(fn)", credsAuthenticator(() => u.creds)],
  ];
  for (const [name, authenticator] of auths) {
    const trace: TraceEvent[] = [];
    const nc = await connect({ servers: srv.url, authenticator, debug: (e) => trace.push(e) });
    try {
      await roundTrip(nc, `jwt.${name.length}`);
    } finally {
      await nc.close();
    }
    const line = trace.find((t) => t.line.startsWith("CONNECT "))?.line ?? "";
    const c = JSON.parse(line.slice("CONNECT ".length));
    assert.equal(c.jwt, "[REDACTED]", name);
    assert.equal(c.sig, "[REDACTED]", name);
    assert.equal(c.nkey, undefined, `${name}: nkey must not be sent with a JWT`);
    assertNoSecrets(trace.map((t) => t.line), [u.seed, u.jwt], `${name}'s trace`);
  }
});

Deno.test("jwt: a bearer JWT connects without a seed (no sig sent)", async () => {
  const { akp, config } = await operatorSetup();
  await using srv = await NatsServer.start({ config });
  const u = await jwtUser(akp, { bearer_token: true });
  const nc = await connect({ servers: srv.url, authenticator: jwtAuthenticator(u.jwt) });
  try {
    await roundTrip(nc);
  } finally {
    await nc.close();
  }
  // A non-bearer JWT without its seed is refused.
  const v = await jwtUser(akp);
  await assert.rejects(
    connect({ servers: srv.url, authenticator: jwtAuthenticator(v.jwt) }),
    (e: unknown) => e instanceof AuthorizationError && e.code === "AUTHORIZATION_VIOLATION",
  );
});

Deno.test("jwt: wrong seed for the JWT, or an account the server does not know → AuthorizationError", async () => {
  const { akp, config } = await operatorSetup();
  await using srv = await NatsServer.start({ config });
  const u = await jwtUser(akp);
  const other = userKeys();
  const stranger = await jwtUser(refNkeys.createAccount());
  for (
    const [name, authenticator, secrets] of [
      ["JWT + another user's seed", jwtAuthenticator(u.jwt, other.seed), [u.jwt, other.seed]],
      ["unknown account", credsAuthenticator(stranger.creds), [stranger.jwt, stranger.seed]],
    ] as const
  ) {
    const { error } = await timed(connect({ servers: srv.url, authenticator, timeout: 5_000 }));
    assert.ok(error instanceof AuthorizationError, `${name}: got ${error}`);
    assert.equal(error.code, "AUTHORIZATION_VIOLATION");
    assertNoSecrets([errorText(error)], [...secrets], `${name}'s error`);
  }
});

Deno.test("jwt: an expiring JWT → error AUTHENTICATION_EXPIRED; the JWT function's fresh JWT reconnects", async () => {
  const { akp, config } = await operatorSetup();
  await using srv = await NatsServer.start({ config });
  const u = userKeys();
  const exp = Math.floor(Date.now() / 1000) + 2;
  const shortJwt = await refJwt.encodeUser("short", u.kp, akp, {}, { exp });
  const longJwt = await refJwt.encodeUser("long", u.kp, akp, {});
  let calls = 0;
  const nc = await connect({
    servers: srv.url,
    authenticator: jwtAuthenticator(() => (++calls === 1 ? shortJwt : longJwt), u.seed),
    reconnectTimeWait: 50,
  });
  const events = recordStatus(nc);
  try {
    await roundTrip(nc);
    await waitFor(
      () => events.some((s) => s.type === "reconnect"),
      "reconnect after expiry",
      8_000,
    );
    const err = events.find((s) => s.type === "error");
    assert.ok(
      err?.type === "error" && err.error instanceof AuthorizationError,
      JSON.stringify(events),
    );
    assert.equal((err.error as AuthorizationError).code, "AUTHENTICATION_EXPIRED");
    const disc = events.find((s) => s.type === "disconnect");
    assert.ok(disc?.type === "disconnect" && disc.error instanceof AuthorizationError);
    assert.equal(calls, 2);
    await roundTrip(nc, "auth.after.refresh");
  } finally {
    await nc.close();
  }
  assertNoSecrets(events.map(statusText), [u.seed, shortJwt, longJwt], "status events");
});

// ----------------------------------------------- revocation and rotation

/** The AuthorizationError of the first status event carrying one, or undefined. */
function authErrorEvent(events: Status[]): AuthorizationError | undefined {
  for (const s of events) {
    if ("error" in s && s.error instanceof AuthorizationError) return s.error;
  }
  return undefined;
}

Deno.test("reload: a changed password → error + disconnect with AuthorizationError; old creds refused", async () => {
  const oldPass = "old-Pa55-9Zq";
  const newPass = "new-Pa55-7Xw";
  await using srv = await NatsServer.start({
    config: { authorization: { users: [{ user: "alice", password: oldPass }] } },
  });
  const trace: TraceEvent[] = [];
  const nc = await connect({
    servers: srv.url,
    authenticator: usernamePasswordAuthenticator("alice", oldPass),
    reconnectTimeWait: 50,
    debug: (e) => trace.push(e),
  });
  const events = recordStatus(nc);
  try {
    await roundTrip(nc);
    await srv.reload({ authorization: { users: [{ user: "alice", password: newPass }] } });
    // 2.9.10 re-checks live clients on reload and sends -ERR 'Authorization Violation'.
    await waitFor(() => authErrorEvent(events), "a status event with an AuthorizationError");
    const err = events.find((s) => s.type === "error");
    assert.ok(
      err?.type === "error" && err.error instanceof AuthorizationError,
      JSON.stringify(events),
    );
    assert.equal((err.error as AuthorizationError).code, "AUTHORIZATION_VIOLATION");
    await waitFor(() => events.find((s) => s.type === "disconnect"), "disconnect");
    const disc = events.find((s) => s.type === "disconnect");
    assert.ok(disc?.type === "disconnect" && disc.error instanceof AuthorizationError);
    // A new connection with the old password is refused; the new one works.
    await assert.rejects(
      connect({
        servers: srv.url,
        authenticator: usernamePasswordAuthenticator("alice", oldPass),
        timeout: 5_000,
      }),
      (e: unknown) => e instanceof AuthorizationError && e.code === "AUTHORIZATION_VIOLATION",
    );
    const nc2 = await connect({
      servers: srv.url,
      authenticator: usernamePasswordAuthenticator("alice", newPass),
    });
    await roundTrip(nc2);
    await nc2.close();
  } finally {
    await nc.close();
  }
  assertNoSecrets(
    [...trace.map((t) => t.line), ...events.map(statusText), errorText(await nc.closed())],
    [oldPass, newPass],
    "trace, status events and close error",
  );
});

Deno.test("reload: a removed nkey → disconnect, then reconnects refused with AuthorizationError", async () => {
  const a = userKeys();
  const b = userKeys();
  await using srv = await NatsServer.start({
    config: { authorization: { users: [{ nkey: a.pub }] } },
  });
  const trace: TraceEvent[] = [];
  const nc = await connect({
    servers: srv.url,
    authenticator: nkeyAuthenticator(a.seed),
    reconnectTimeWait: 50,
    debug: (e) => trace.push(e),
  });
  const events = recordStatus(nc);
  try {
    await roundTrip(nc);
    await srv.reload({ authorization: { users: [{ nkey: b.pub }] } });
    // 2.9.10 drops a client whose nkey user was removed without an -ERR; the
    // old seed is then refused when the client reconnects.
    await waitFor(() => events.find((s) => s.type === "disconnect"), "disconnect");
    const err = await waitFor(() => authErrorEvent(events), "an AuthorizationError status", 8_000);
    assert.equal(err.code, "AUTHORIZATION_VIOLATION");
    await assert.rejects(
      connect({ servers: srv.url, authenticator: nkeyAuthenticator(a.seed), timeout: 5_000 }),
      (e: unknown) => e instanceof AuthorizationError && e.code === "AUTHORIZATION_VIOLATION",
    );
  } finally {
    await nc.close();
  }
  assertNoSecrets(
    [...trace.map((t) => t.line), ...events.map(statusText), errorText(await nc.closed())],
    [a.seed, b.seed],
    "trace, status events and close error",
  );
});

Deno.test("reload: a user JWT revoked by the account → 'User Authentication Revoked'; rotated creds reconnect", async () => {
  const { akp, config, reissueAccount } = await operatorSetup();
  await using srv = await NatsServer.start({ config });
  const first = await jwtUser(akp);
  const second = await jwtUser(akp);
  let current = first;
  let calls = 0;
  const nc = await connect({
    servers: srv.url,
    authenticator: credsAuthenticator(() => {
      calls++;
      return current.creds;
    }),
    reconnectTimeWait: 50,
  });
  const events = recordStatus(nc);
  try {
    await roundTrip(nc);
    current = second;
    // Revoke every JWT of the first user issued up to a second from now.
    const revoked = await reissueAccount({
      revocations: { [first.pub]: Math.floor(Date.now() / 1000) + 1 },
    });
    await srv.reload({ resolver_preload: { [akp.getPublicKey()]: revoked } });
    // Under load the server may report more than one auth event around the
    // reload: look for the revocation among them, not just the first.
    const err = await waitFor(
      () =>
        events.map((s) => "error" in s ? s.error : undefined).find((e) =>
          e instanceof AuthorizationError && /revoked/i.test(e.message)
        ),
      "a 'User Authentication Revoked' AuthorizationError status",
      8_000,
    );
    assert.ok(err instanceof AuthorizationError);
    await waitFor(() => events.some((s) => s.type === "reconnect"), "reconnect with rotated creds");
    // Called again for the reconnect (more than once if a dial raced the reload).
    assert.ok(calls >= 2, `authenticator called ${calls} times`);
    await roundTrip(nc, "auth.after.revoke");
    await assert.rejects(
      connect({ servers: srv.url, authenticator: credsAuthenticator(first.creds), timeout: 5_000 }),
      AuthorizationError,
    );
  } finally {
    await nc.close();
  }
  assertNoSecrets(
    events.map(statusText),
    [first.seed, first.jwt, second.seed, second.jwt],
    "status events",
  );
});

Deno.test("reload: a rotating seed function swapped before the reload reconnects with the new key", async () => {
  const a = userKeys();
  const b = userKeys();
  await using srv = await NatsServer.start({
    config: { authorization: { users: [{ nkey: a.pub }] } },
  });
  let current = a.seed;
  let calls = 0;
  const nc = await connect({
    servers: srv.url,
    authenticator: nkeyAuthenticator(() => {
      calls++;
      return current;
    }),
    reconnectTimeWait: 50,
  });
  const reconnected = waitStatus(nc, (s) => s.type === "reconnect", 8_000);
  try {
    const sub = nc.subscribe("rot.reload");
    await nc.flush();
    current = b.seed;
    await srv.reload({ authorization: { users: [{ nkey: b.pub }] } });
    await reconnected.promise;
    assert.equal(calls, 2);
    nc.publish("rot.reload", "after");
    const [m] = await take(sub, 1);
    assert.equal(m.string(), "after");
    const conns = (await srv.connz({ auth: true })).connections as Record<string, unknown>[];
    assert.ok(conns.some((c) => c.authorized_user === b.pub), JSON.stringify(conns));
  } finally {
    await nc.close();
  }
});

Deno.test("restart: a rotating authenticator function is called again on reconnect and its new key is used", async () => {
  const a = userKeys();
  const b = userKeys();
  await using srv = await NatsServer.start({
    config: { authorization: { users: [{ nkey: a.pub }] } },
  });
  let current = a.seed;
  const nonces: (string | undefined)[] = [];
  const inner = nkeyAuthenticator(() => current);
  const nc = await connect({
    servers: srv.url,
    authenticator: (nonce) => {
      nonces.push(nonce);
      return inner(nonce);
    },
    reconnectTimeWait: 50,
    maxReconnectAttempts: -1,
  });
  try {
    const sub = nc.subscribe("rot.restart");
    await nc.flush();
    const reconnected = waitStatus(nc, (s) => s.type === "reconnect", 15_000);
    await srv.kill();
    // The server comes back accepting only the rotated key.
    await srv.updateConfig({ authorization: { users: [{ nkey: b.pub }] } });
    current = b.seed;
    await srv.restart();
    await reconnected.promise;
    assert.equal(nonces.length, 2, "authenticator calls");
    assert.ok(nonces[0] && nonces[1] && nonces[0] !== nonces[1], "a fresh nonce each time");
    nc.publish("rot.restart", "back");
    const [m] = await take(sub, 1);
    assert.equal(m.string(), "back");
  } finally {
    await nc.close();
  }
});

// ---------------------------------------------------------- no leaks

Deno.test("secrets never leak: token, user/pass, nkey, JWT and creds — traces, errors, status, info", async () => {
  const token = "tok-Leak-Check-4x9";
  const pass = "pw-Leak-Check-8k2";
  const nk = userKeys();
  const { akp, config: opConfig } = await operatorSetup();
  const ju = await jwtUser(akp);
  const secrets = [token, pass, nk.seed, ju.seed, ju.jwt];

  await using tokSrv = await NatsServer.start({ config: { authorization: { token } } });
  await using upSrv = await NatsServer.start({
    config: { authorization: { users: [{ user: "bob", password: pass }, { nkey: nk.pub }] } },
  });
  await using jwtSrv = await NatsServer.start({ config: opConfig });

  const texts: string[] = [];
  const good: [string, ConnectionOptions][] = [
    ["token option", { servers: tokSrv.url, token }],
    ["token URL", { servers: `nats://${token}@127.0.0.1:${tokSrv.port}` }],
    ["tokenAuthenticator", { servers: tokSrv.url, authenticator: tokenAuthenticator(token) }],
    ["user/pass options", { servers: upSrv.url, user: "bob", pass }],
    ["user/pass URL", { servers: `nats://bob:${pass}@127.0.0.1:${upSrv.port}` }],
    [
      "usernamePasswordAuthenticator",
      { servers: upSrv.url, authenticator: usernamePasswordAuthenticator("bob", pass) },
    ],
    ["nkeyAuthenticator", { servers: upSrv.url, authenticator: nkeyAuthenticator(nk.seed) }],
    ["jwtAuthenticator", { servers: jwtSrv.url, authenticator: jwtAuthenticator(ju.jwt, ju.seed) }],
    ["credsAuthenticator", { servers: jwtSrv.url, authenticator: credsAuthenticator(ju.creds) }],
  ];
  for (const [name, opts] of good) {
    const nc = await connect({ ...opts, debug: (e) => texts.push(`${name}: ${e.line}`) });
    const events = recordStatus(nc);
    try {
      await roundTrip(nc, "leak.check");
      texts.push(nc.getServer(), JSON.stringify(nc.info), JSON.stringify(nc.stats()));
    } finally {
      await nc.close();
    }
    texts.push(...events.map(statusText), errorText(await nc.closed()));
  }
  assert.ok(texts.filter((t) => t.includes("CONNECT {")).length >= good.length);

  // Failures: wrong credentials, and authenticators that fail locally.
  const wrongSeed = userKeys().seed;
  const acctSeed = td.decode(refNkeys.createAccount().getSeed());
  const bad: [string, ConnectionOptions][] = [
    ["wrong token", { servers: tokSrv.url, token: `${token}x` }],
    ["wrong password", { servers: upSrv.url, user: "bob", pass: `${pass}x` }],
    ["wrong nkey", { servers: upSrv.url, authenticator: nkeyAuthenticator(wrongSeed) }],
    [
      "wrong JWT seed",
      { servers: jwtSrv.url, authenticator: jwtAuthenticator(ju.jwt, wrongSeed) },
    ],
    [
      "seed function returns an account seed",
      { servers: upSrv.url, authenticator: nkeyAuthenticator(() => acctSeed) },
    ],
    [
      "creds function throws with the secret in its message",
      {
        servers: jwtSrv.url,
        authenticator: credsAuthenticator(() => {
          throw new Error(`vault refused ${ju.jwt} / ${ju.seed}`);
        }),
      },
    ],
  ];
  for (const [name, opts] of bad) {
    const { error } = await timed(connect({
      ...opts,
      timeout: 5_000,
      debug: (e) => texts.push(`${name}: ${e.line}`),
    }));
    assert.ok(error instanceof Error, `${name}: connect should fail`);
    texts.push(`${name}: ${errorText(error)}`);
  }
  assertNoSecrets(texts, [...secrets, wrongSeed, acctSeed], "traces, errors, status or info");
});

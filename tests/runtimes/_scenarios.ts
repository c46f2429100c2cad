// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * The one scenario list every runtime runs through its own public entry
 * point (Deno, Node, Bun, Chromium, workerd). Runtime-neutral: it imports
 * nothing at run time; the entry's module namespace comes in as `api`, and
 * whatever the runtime can do beyond the basics (restart the server, TLS
 * material, a raw transport for the backpressure check) comes in `env`.
 * Each runtime's harness bundles this file to plain JS.
 *
 * @module
 */
import type * as Api from "../../mod.ts";

/** The public API of an entry point (every entry exports the same names). */
export type NatsApi = typeof Api;

/** TLS material for the TLS scenarios (server started with `verify: true`). */
export interface TlsEnv {
  /** `tls://127.0.0.1:<port>` of a server that requires client certificates. */
  url: string;
  /** CA certificate (PEM). */
  ca: string;
  /** Client certificate (PEM). */
  cert: string;
  /** Client key (PEM). */
  key: string;
}

/** A raw transport, for the backpressure scenario. */
export interface RawTransport {
  write(bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

/** What a runtime offers the scenarios. */
export interface ScenarioEnv {
  /** Runtime name, for messages. */
  runtime: string;
  /** URL of the server for this runtime's transport (`nats://` or `ws://`). */
  url: string;
  /** Restarts the server on the same ports; resolves once it accepts clients again. */
  restart(): Promise<void>;
  /** The server has JetStream enabled. */
  jetstream: boolean;
  /** For WebSocket-only entries: URLs that must fail with a clear error. */
  wsOnly?: {
    /** `nats://` URL of the server (a TCP URL the entry must refuse). */
    tcpUrl: string;
    /** `ws://` URL pointing at the server's TCP port. */
    wsAtTcpPort: string;
  };
  /** For entries that speak TLS with options (Node, Bun, Deno). */
  tls?: TlsEnv;
  /** For the Node transport: pause/resume the server and dial it raw. */
  backpressure?: {
    pause(): Promise<void>;
    resume(): Promise<void>;
    dial(): Promise<RawTransport>;
  };
  /** For Workers: a TLS server whose CA the platform trusts (workerd `trustedCertificates`). */
  platformTls?: {
    /** `tls://` URL of a server whose CA the platform trusts. */
    url: string;
    /** That CA (PEM), to check that passing it is refused. */
    ca: string;
    /** `tls://` URL of a server whose CA the platform does not trust. */
    untrustedUrl: string;
  };
}

/** One scenario. */
export interface Scenario {
  /** Short name, unique in the list. */
  name: string;
  /** Throws on failure. */
  run(api: NatsApi, env: ScenarioEnv): Promise<void>;
  /** When present and false, the scenario is skipped for this env. */
  applies?(api: NatsApi, env: ScenarioEnv): boolean;
}

/** The outcome of one scenario. */
export interface Result {
  name: string;
  ok: boolean;
  skipped?: boolean;
  ms: number;
  error?: string;
}

const te = new TextEncoder();

function check(cond: unknown, what: string): asserts cond {
  if (!cond) throw new Error(`check failed: ${what}`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Races `p` against a deadline (the timer is always cleared). */
async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function expectError(p: Promise<unknown>, what: string): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error(`${what}: expected an error, got success`);
}

/** Collects `n` messages from a subscription iterator. */
async function take(sub: Api.Subscription, n: number, what: string): Promise<Api.Msg[]> {
  const out: Api.Msg[] = [];
  await within(
    (async () => {
      for await (const m of sub) {
        out.push(m);
        if (out.length >= n) break;
      }
    })(),
    5_000,
    what,
  );
  return out;
}

function uid(): string {
  return Math.random().toString(36).slice(2, 10);
}

/** Every scenario, in the order runtimes run them. */
export const scenarios: Scenario[] = [
  {
    name: "connect",
    async run(api, env) {
      const nc = await api.connect({ servers: env.url, name: `rt-${env.runtime}` });
      check(typeof nc.info?.server_id === "string", "INFO has a server_id");
      check(nc.getServer().length > 0, "getServer() names the server");
      await nc.flush();
      check(typeof (await nc.rtt()) === "number", "rtt() is a number");
      await nc.close();
      check(nc.isClosed(), "isClosed() after close()");
      check((await nc.closed()) === undefined, "closed() resolves without an error");
    },
  },
  {
    name: "publish/subscribe with wildcards",
    async run(api, env) {
      const nc = await api.connect({ servers: env.url });
      try {
        const p = `rt.${uid()}`;
        const star = nc.subscribe(`${p}.*.temp`);
        const gt = nc.subscribe(`${p}.>`);
        const bin = new Uint8Array([0, 1, 2, 255, 13, 10]);
        nc.publish(`${p}.a.temp`, "one");
        nc.publish(`${p}.b.temp`, bin);
        nc.publish(`${p}.a.b.c`, "deep");
        const s = await take(star, 2, "* subscription");
        const g = await take(gt, 3, "> subscription");
        check(s[0].subject === `${p}.a.temp` && s[0].string() === "one", "first * message");
        check(s[1].data.length === 6 && s[1].data[3] === 255, "binary payload intact");
        check(
          g.map((m) => m.subject).join() === [`${p}.a.temp`, `${p}.b.temp`, `${p}.a.b.c`].join(),
          "> order",
        );
      } finally {
        await nc.close();
      }
    },
  },
  {
    // A synchronous burst spans many writes (several in flight where the
    // transport allows it) and many read chunks (payloads may be views of
    // them): order and every kept payload must come out intact.
    name: "burst: order and kept payloads intact across writes and chunks",
    async run(api, env) {
      const pub = await api.connect({ servers: env.url });
      const sub = await api.connect({ servers: env.url });
      try {
        const subject = `rt.burst.${uid()}`;
        const n = 4_000;
        const sizeOf = (i: number) => (i * 797) % 3_000; // 0..2999 bytes, ~6 MB in all
        const fill = (i: number) => (i * 31 + 7) & 0xff;
        const got: Api.Msg[] = [];
        let done!: () => void;
        const all = new Promise<void>((r) => done = r);
        sub.subscribe(subject, {
          callback: (err, m) => {
            if (err === null && got.push(m) === n) done();
          },
        });
        await sub.flush();
        for (let i = 0; i < n; i++) {
          const p = new Uint8Array(sizeOf(i) + 4);
          new DataView(p.buffer).setUint32(0, i);
          p.fill(fill(i), 4);
          pub.publish(subject, p);
        }
        await pub.flush();
        await within(all, 15_000, "burst delivered");
        for (let i = 0; i < n; i++) {
          const d = got[i].data;
          check(d.length === sizeOf(i) + 4, `message ${i} has its size`);
          const seq = new DataView(d.buffer, d.byteOffset, d.byteLength).getUint32(0);
          check(seq === i, `message ${i} arrived in order (got ${seq})`);
          for (let k = 4; k < d.length; k++) {
            if (d[k] !== fill(i)) check(false, `message ${i} byte ${k} intact`);
          }
        }
      } finally {
        await pub.close();
        await sub.close();
      }
    },
  },
  {
    name: "queue group",
    async run(api, env) {
      const a = await api.connect({ servers: env.url });
      const b = await api.connect({ servers: env.url });
      try {
        const subj = `rt.q.${uid()}`;
        let na = 0;
        let nb = 0;
        a.subscribe(subj, { queue: "workers", callback: () => na++ });
        b.subscribe(subj, { queue: "workers", callback: () => nb++ });
        await a.flush();
        await b.flush();
        for (let i = 0; i < 40; i++) a.publish(subj, `${i}`);
        await a.flush();
        const deadline = Date.now() + 5_000;
        while (na + nb < 40 && Date.now() < deadline) await sleep(10);
        check(na + nb === 40, `every message delivered once (got ${na}+${nb})`);
        check(na > 0 && nb > 0, `both members got messages (${na}/${nb})`);
      } finally {
        await a.close();
        await b.close();
      }
    },
  },
  {
    name: "request/reply and no responders",
    async run(api, env) {
      const nc = await api.connect({ servers: env.url });
      try {
        const subj = `rt.svc.${uid()}`;
        nc.subscribe(subj, { callback: (_e, m) => m.respond(`echo:${m.string()}`) });
        await nc.flush();
        const r = await nc.request(subj, "hi", { timeout: 2_000 });
        check(r.string() === "echo:hi", `reply body (${r.string()})`);
        const err = await expectError(
          nc.request(`rt.nobody.${uid()}`, "x", { timeout: 2_000 }),
          "request without responders",
        );
        check(err instanceof api.NoRespondersError, `NoRespondersError (got ${err.name})`);
        check((err as Api.NatsError).code === api.ErrorCode.NoResponders, "code NO_RESPONDERS");
      } finally {
        await nc.close();
      }
    },
  },
  {
    name: "headers",
    async run(api, env) {
      const nc = await api.connect({ servers: env.url });
      try {
        const subj = `rt.h.${uid()}`;
        nc.subscribe(subj, {
          callback: (_e, m) => {
            const h = api.headers();
            h.set("X-Echo", m.headers?.get("X-Id") ?? "none");
            m.respond(m.data, { headers: h });
          },
        });
        await nc.flush();
        const h = api.headers();
        h.set("X-Id", "42");
        h.append("X-Multi", "a");
        h.append("X-Multi", "b");
        const sub = nc.subscribe(`${subj}.plain`, { max: 1 });
        nc.publish(`${subj}.plain`, "body", { headers: h });
        const [m] = await take(sub, 1, "message with headers");
        check(m.headers?.get("X-Id") === "42", "header value");
        check(m.headers?.values("X-Multi").join() === "a,b", "multi-value header");
        check(m.string() === "body", "payload beside headers");
        const r = await nc.request(subj, "q", { headers: h, timeout: 2_000 });
        check(r.headers?.get("X-Echo") === "42", "header echoed in the reply");
      } finally {
        await nc.close();
      }
    },
  },
  {
    name: "jetstream: stream, publish with PubAck, pull fetch with ack",
    applies: (_api, env) => env.jetstream,
    async run(api, env) {
      check(typeof api.jetstreamManager === "function", "this entry exports jetstreamManager");
      const nc = await api.connect({ servers: env.url });
      try {
        const name = `RT_${uid().toUpperCase()}`;
        const jsm = await api.jetstreamManager(nc);
        await jsm.streams.add({ name, subjects: [`${name}.>`] });
        const js = api.jetstream(nc);
        const acks = [];
        for (let i = 1; i <= 3; i++) acks.push(await js.publish(`${name}.e`, `m${i}`));
        check(acks.map((a) => a.seq).join() === "1,2,3", "PubAck sequences");
        check(acks.every((a) => a.stream === name), "PubAck stream name");
        await jsm.consumers.add(name, { durable_name: "c", ack_policy: "explicit" });
        const c = await js.consumers.get(name, "c");
        const iter = await c.fetch({ max_messages: 3, expires: 3_000 });
        const got: string[] = [];
        for await (const m of iter) {
          got.push(m.string());
          if (got.length === 3) check(await m.ackAck(), "last ack acknowledged");
          else m.ack();
          if (got.length === 3) break;
        }
        check(got.join() === "m1,m2,m3", `fetched in order (${got.join()})`);
        const info = await c.info();
        check(info.num_ack_pending === 0, `nothing left pending (${info.num_ack_pending})`);
        await jsm.streams.delete(name);
      } finally {
        await nc.close();
      }
    },
  },
  {
    name: "server restart: reconnect, subscriptions survive",
    async run(api, env) {
      const nc = await api.connect({
        servers: env.url,
        reconnectTimeWait: 100,
        maxReconnectAttempts: -1,
      });
      try {
        const subj = `rt.rc.${uid()}`;
        const sub = nc.subscribe(subj);
        await nc.flush();
        const events: string[] = [];
        const reconnected = (async () => {
          for await (const s of nc.status()) {
            events.push(s.type);
            if (s.type === "reconnect") return;
          }
        })();
        await env.restart();
        await within(reconnected, 15_000, `reconnect (events: ${events.join()})`);
        check(events.includes("disconnect"), `disconnect reported (${events.join()})`);
        nc.publish(subj, "after");
        const [m] = await take(sub, 1, "message after reconnect");
        check(m.string() === "after", "subscription works after the restart");
        const r = await nc.request(`rt.nobody.${uid()}`, "", { timeout: 2_000 }).catch((e) => e);
        check(r instanceof api.NoRespondersError, "requests work after the restart");
      } finally {
        await nc.close();
      }
    },
  },
  {
    name: "ws-only entry: a TCP URL fails at once naming ws://",
    applies: (_api, env) => env.wsOnly !== undefined,
    async run(api, env) {
      const start = Date.now();
      const err = await expectError(
        api.connect({ servers: env.wsOnly!.tcpUrl, timeout: 10_000 }),
        "connect with nats://",
      );
      check(Date.now() - start < 1_000, `failed at once (${Date.now() - start} ms)`);
      check(err.message.includes("ws://"), `message names ws:// (${err.message})`);
    },
  },
  {
    name: "websocket at the TCP port: a clear error naming the websocket port",
    applies: (_api, env) => env.wsOnly !== undefined,
    async run(api, env) {
      const url = env.wsOnly!.wsAtTcpPort;
      const err = await expectError(
        api.connect({ servers: url, timeout: 5_000, reconnect: false }),
        "ws:// at the TCP port",
      );
      check(
        err instanceof api.ConnectionError,
        `ConnectionError (got ${err.name}: ${err.message})`,
      );
      check(
        /websocket listener/i.test(err.message),
        `message names the websocket listener (${err.message})`,
      );
    },
  },
  {
    name: "tls: upgrade with ca, cert and key; typed failures",
    applies: (_api, env) => env.tls !== undefined,
    async run(api, env) {
      const t = env.tls!;
      const nc = await api.connect({
        servers: t.url,
        tls: { ca: t.ca, cert: t.cert, key: t.key },
      });
      await nc.flush();
      await nc.close();
      const fail = async (tls: Api.TlsOptions, reason: string) => {
        const err = await expectError(
          api.connect({ servers: t.url, tls, reconnect: false, timeout: 5_000 }),
          `tls ${reason}`,
        );
        check(
          err instanceof api.TlsError,
          `TlsError for ${reason} (got ${err.name}: ${err.message})`,
        );
        check(
          (err as Api.TlsError).reason === reason,
          `reason ${reason} (got ${(err as Api.TlsError).reason}: ${err.message})`,
        );
      };
      await fail({ cert: t.cert, key: t.key }, "untrusted-certificate");
      await fail(
        { ca: t.ca, cert: t.cert, key: t.key, servername: "nats.example.com" },
        "hostname-mismatch",
      );
      await fail({ ca: t.ca }, "client-certificate");
    },
  },
  {
    name: "tls with the platform's trust store; unsupported options refused",
    applies: (_api, env) => env.platformTls !== undefined,
    async run(api, env) {
      const t = env.platformTls!;
      const nc = await api.connect({ servers: t.url });
      await nc.flush();
      check(nc.info?.tls_required === true, "server requires TLS");
      await nc.close();
      const err = await expectError(
        api.connect({ servers: t.url, tls: { ca: t.ca }, reconnect: false }),
        "tls.ca on Workers",
      );
      check(
        err instanceof api.TlsError && err.reason === "unsupported-option",
        `unsupported-option (${err.message})`,
      );
      const sni = await expectError(
        api.connect({ servers: t.url, tls: { servername: "nats.example.com" }, reconnect: false }),
        "tls.servername on Workers",
      );
      check(
        sni instanceof api.TlsError && sni.reason === "unsupported-option",
        `servername: unsupported-option (${sni.message})`,
      );
      const untrusted = await expectError(
        api.connect({ servers: t.untrustedUrl, reconnect: false, timeout: 5_000 }),
        "a server signed by an unknown CA",
      );
      // workerd hides the cause from JavaScript ("internal error"), so the
      // reason may only be "handshake"; the message must still say what to check.
      check(
        untrusted instanceof api.TlsError &&
          (untrusted.reason === "untrusted-certificate" ||
            (untrusted.reason === "handshake" && /trusts/.test(untrusted.message))),
        `untrusted certificate reported (${untrusted.name}: ${untrusted.message})`,
      );
    },
  },
  {
    name: "backpressure: a write waits while the server does not read",
    applies: (_api, env) => env.backpressure !== undefined,
    async run(_api, env) {
      const bp = env.backpressure!;
      // 32 MiB of valid protocol: far more than loopback socket buffers hold.
      const frame = te.encode(`PUB rt.bp 1024\r\n${"x".repeat(1024)}\r\n`);
      const n = Math.ceil((32 * 1024 * 1024) / frame.length);
      const bytes = new Uint8Array(frame.length * n + 12);
      bytes.set(te.encode("CONNECT {}\r\n"));
      for (let i = 0; i < n; i++) bytes.set(frame, 12 + i * frame.length);
      await bp.pause();
      let t: RawTransport | undefined;
      try {
        t = await bp.dial();
        let done = false;
        const w = t.write(bytes).then(() => done = true);
        await sleep(500);
        check(!done, "write() still pending while the server is paused");
        await bp.resume();
        await within(w, 15_000, "write() after the server resumed");
        check(done, "write() resolved once the socket drained");
      } finally {
        await bp.resume();
        await t?.close();
      }
    },
  },
];

/**
 * What a harness hands the runtime side as JSON (env var, query, POST body):
 * the plain-data part of a {@link ScenarioEnv}. `control` is the base URL of
 * the harness's control server (`/control/restart`, `/control/pause`, ...).
 */
export interface EnvConfig {
  runtime: string;
  url: string;
  jetstream: boolean;
  control: string;
  wsOnly?: ScenarioEnv["wsOnly"];
  tls?: TlsEnv;
  platformTls?: ScenarioEnv["platformTls"];
}

/**
 * Builds a {@link ScenarioEnv} from an {@link EnvConfig}: server control goes
 * over HTTP to the harness; `dial` (Node and Bun only) enables the
 * backpressure scenario.
 */
export function envFromConfig(cfg: EnvConfig, dial?: () => Promise<RawTransport>): ScenarioEnv {
  const control = async (what: string) => {
    const res = await fetch(`${cfg.control}/control/${what}`, { method: "POST" });
    const text = await res.text();
    if (!res.ok) throw new Error(`control ${what} failed: ${res.status} ${text}`);
  };
  return {
    runtime: cfg.runtime,
    url: cfg.url,
    jetstream: cfg.jetstream,
    restart: () => control("restart"),
    wsOnly: cfg.wsOnly,
    tls: cfg.tls,
    platformTls: cfg.platformTls,
    backpressure: dial === undefined ? undefined : {
      pause: () => control("pause"),
      resume: () => control("resume"),
      dial,
    },
  };
}

/** The names of the scenarios that apply to `env` (what a runtime must report). */
export function expectedScenarios(env: ScenarioEnv): string[] {
  return scenarios.filter((s) => s.applies === undefined || s.applies({} as NatsApi, env))
    .map((s) => s.name);
}

/**
 * Runs the scenarios (optionally only those named) one after the other and
 * reports each; never throws.
 */
export async function runAll(
  api: NatsApi,
  env: ScenarioEnv,
  only?: string[],
): Promise<Result[]> {
  const out: Result[] = [];
  for (const s of scenarios) {
    if (only !== undefined && !only.includes(s.name)) continue;
    const start = Date.now();
    if (s.applies !== undefined && !s.applies(api, env)) {
      out.push({ name: s.name, ok: true, skipped: true, ms: 0 });
      continue;
    }
    try {
      await within(s.run(api, env), 60_000, s.name);
      out.push({ name: s.name, ok: true, ms: Date.now() - start });
    } catch (err) {
      const e = err as Error;
      out.push({
        name: s.name,
        ok: false,
        ms: Date.now() - start,
        error: `${e?.name}: ${e?.message}${e?.stack ? `\n${e.stack}` : ""}`,
      });
    }
  }
  return out;
}

// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
// deno-lint-ignore-file no-console
/**
 * Bounded chaos run: a 3-node nats-server cluster on loopback whose nodes are
 * SIGKILLed and restarted, or frozen (SIGSTOP) and thawed, at random, while
 * publishers, subscribers, a queue group of responders and requesters run.
 *
 *   deno run -A scripts/chaos.ts [--duration=40] [--seed=N]
 *
 * Prints published, received, duplicates, and requests ok / failed cleanly /
 * hung. Core NATS is at-most-once, so messages lost during an outage are
 * reported but allowed; the run fails (exit 1) on any duplicate delivery, any
 * request that neither resolves nor rejects within its timeout plus a grace
 * period, any request that fails with something other than a typed NatsError
 * or gets a wrong reply, any client that closes on its own, or a run that
 * delivered nothing. The whole run, cluster start and teardown included,
 * stays under 60 s with the default duration: no fault starts in the last
 * 4 s, and a guard fails the run (and kills the servers) at 59 s.
 */
import { connect, type Msg, type NatsConnection } from "../mod.ts";
import {
  disposeAll,
  type NatsServer,
  startCluster,
  waitForCluster,
} from "../tests/_helpers/nats_server.ts";

// ------------------------------------------------------------------ options

function flag(name: string): string | undefined {
  const pre = `--${name}=`;
  return Deno.args.find((a) => a.startsWith(pre))?.slice(pre.length);
}

const DURATION_S = Number(flag("duration") ?? 40);
const SEED = Number(flag("seed") ?? Math.floor(Math.random() * 2 ** 31));
if (!Number.isFinite(DURATION_S) || DURATION_S <= 0 || DURATION_S > 50) {
  console.error("--duration must be a number of seconds in (0, 50]");
  Deno.exit(2);
}
if (!Number.isInteger(SEED)) {
  console.error("--seed must be an integer");
  Deno.exit(2);
}

const PUBLISHERS = 3;
const SUBSCRIBERS = 3;
const RESPONDERS = 2;
const REQUESTERS = 2;
const REQUEST_LOOPS_PER_CLIENT = 3;
const REQUEST_TIMEOUT = 1_000;
/** A request unsettled this long after its timeout counts as hung. */
const HANG_GRACE = 3_000;

// ------------------------------------------------------------------ helpers

/** mulberry32: the chaos schedule is reproducible from the seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = prng(SEED);
const between = (lo: number, hi: number) => lo + rand() * (hi - lo);

const t0 = performance.now();
const elapsed = () => ((performance.now() - t0) / 1000).toFixed(1).padStart(5);
const say = (s: string) => console.log(`[${elapsed()}s] ${s}`);

/** A sleep that a stop signal cuts short. */
function sleep(ms: number, stop?: { stopped: boolean; wake: Set<() => void> }): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      stop?.wake.delete(done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    stop?.wake.add(done);
  });
}

const td = new TextDecoder();

// ------------------------------------------------------------------ state

interface ClientState {
  name: string;
  nc: NatsConnection;
  disconnects: number;
  reconnects: number;
  closedUnexpectedly: boolean;
  connected: boolean;
}

const clients: ClientState[] = [];
let finishing = false;

async function client(name: string, urls: string[]): Promise<ClientState> {
  const nc = await connect({
    servers: urls,
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 100,
    reconnectTimeWaitMax: 1_000,
    reconnectJitter: 100,
    pingInterval: 1_000,
    maxPingOut: 2,
    timeout: 2_000,
  });
  const st: ClientState = {
    name,
    nc,
    disconnects: 0,
    reconnects: 0,
    closedUnexpectedly: false,
    connected: true,
  };
  (async () => {
    for await (const s of nc.status()) {
      if (s.type === "disconnect") {
        st.disconnects++;
        st.connected = false;
      } else if (s.type === "reconnect") {
        st.reconnects++;
        st.connected = true;
      } else if (s.type === "close" && !finishing) {
        st.closedUnexpectedly = true;
        say(`!! ${name} closed: ${s.error?.message ?? "no error"}`);
      }
    }
  })();
  clients.push(st);
  return st;
}

// ------------------------------------------------------------------ main

const stop = { stopped: false, wake: new Set<() => void>() };
let exitCode = 0;
let servers: NatsServer[] = [];

/** Hard bound on the whole run: report, kill the servers, exit non-zero. */
const RUN_LIMIT_MS = 59_000;
const guard = setTimeout(async () => {
  const stuck = clients.filter((c) => !c.connected).map((c) => c.name);
  console.error(
    `chaos run exceeded ${RUN_LIMIT_MS / 1000} s (clients not connected: ${
      stuck.join(", ") || "none"
    }): FAIL`,
  );
  await Promise.race([Promise.allSettled(servers.map((s) => s.kill())), sleep(2_000)]);
  Deno.exit(1);
}, RUN_LIMIT_MS);

try {
  say(`starting a 3-node cluster (seed ${SEED}, chaos for ${DURATION_S} s)`);
  servers = await startCluster(3);
  const urls = servers.map((s) => s.url);
  const pick = (i: number) => [urls[i % 3], urls[(i + 1) % 3], urls[(i + 2) % 3]];

  // Subscribers: every (publisher, seq) seen, per subscriber.
  const seen: Map<string, number>[] = [];
  let outOfOrder = 0;
  for (let i = 0; i < SUBSCRIBERS; i++) {
    const c = await client(`sub-${i}`, pick(i));
    const counts = new Map<string, number>();
    const last = new Map<string, number>();
    seen.push(counts);
    c.nc.subscribe("chaos.data", {
      callback: (_e, m: Msg) => {
        const key = m.string();
        counts.set(key, (counts.get(key) ?? 0) + 1);
        const [p, n] = key.split(":");
        const seq = Number(n);
        if (seq < (last.get(p) ?? -1)) outOfOrder++;
        last.set(p, seq);
      },
    });
    await c.nc.flush();
  }

  // Responders: a queue group echoing the payload.
  for (let i = 0; i < RESPONDERS; i++) {
    const c = await client(`responder-${i}`, pick(i + 1));
    c.nc.subscribe("chaos.svc", { queue: "svc", callback: (_e, m) => m.respond(m.data) });
    await c.nc.flush();
  }

  // Publishers: numbered messages until told to stop.
  const published: number[] = new Array(PUBLISHERS).fill(0);
  let refused = 0;
  const pubLoops: Promise<void>[] = [];
  for (let i = 0; i < PUBLISHERS; i++) {
    const c = await client(`pub-${i}`, pick(i + 2));
    pubLoops.push((async () => {
      while (!stop.stopped) {
        for (let k = 0; k < 5; k++) {
          try {
            c.nc.publish("chaos.data", `p${i}:${published[i]}`);
            published[i]++;
          } catch {
            refused++; // reconnect buffer full: a typed, synchronous refusal
          }
        }
        await sleep(5);
      }
    })());
  }

  // Requesters: sequential loops, each request tracked for hangs.
  const req = { ok: 0, wrongReply: 0, hung: 0, unclean: 0, failed: new Map<string, number>() };
  const inflight = new Map<number, number>();
  let reqId = 0;
  const reqLoops: Promise<void>[] = [];
  for (let i = 0; i < REQUESTERS; i++) {
    const c = await client(`requester-${i}`, pick(i));
    for (let l = 0; l < REQUEST_LOOPS_PER_CLIENT; l++) {
      reqLoops.push((async () => {
        while (!stop.stopped) {
          const id = ++reqId;
          const body = `r${id}`;
          inflight.set(id, performance.now());
          try {
            const m = await c.nc.request("chaos.svc", body, { timeout: REQUEST_TIMEOUT });
            if (td.decode(m.data) === body) req.ok++;
            else req.wrongReply++;
          } catch (err) {
            const code = (err as { code?: string }).code;
            if (typeof code === "string") req.failed.set(code, (req.failed.get(code) ?? 0) + 1);
            else {
              req.unclean++;
              say(`!! request failed uncleanly: ${err}`);
            }
          } finally {
            inflight.delete(id);
          }
          await sleep(between(5, 25));
        }
      })());
    }
  }
  const hungIds = new Set<number>();
  const watchdog = setInterval(() => {
    const now = performance.now();
    for (const [id, at] of inflight) {
      if (now - at > REQUEST_TIMEOUT + HANG_GRACE && !hungIds.has(id)) {
        hungIds.add(id);
        say(`!! request ${id} unsettled after ${(now - at).toFixed(0)} ms`);
      }
    }
  }, 250);

  // Chaos: one node at a time is killed and restarted, or frozen and thawed.
  let kills = 0;
  let freezes = 0;
  const chaosEnd = performance.now() + DURATION_S * 1000;
  while (performance.now() < chaosEnd) {
    await sleep(between(1_000, 3_000));
    // No new fault in the last 4 s: a fault takes up to 3.5 s to undo.
    if (performance.now() + 4_000 >= chaosEnd) break;
    const n = Math.floor(rand() * servers.length);
    const s = servers[n];
    if (rand() < 0.7) {
      const down = between(300, 2_000);
      say(`kill -9 node ${n} (pid ${s.pid}); restart in ${down.toFixed(0)} ms`);
      await s.kill();
      kills++;
      await sleep(down);
      await s.restart();
      say(`node ${n} back (pid ${s.pid})`);
    } else {
      const frozen = between(1_000, 3_500);
      say(`SIGSTOP node ${n} (pid ${s.pid}) for ${frozen.toFixed(0)} ms`);
      await s.pause();
      freezes++;
      await sleep(frozen);
      await s.resume();
      say(`node ${n} thawed`);
    }
  }

  // The load runs on, fault-free, to the end of the duration.
  await sleep(Math.max(0, chaosEnd - performance.now()));

  // Settle: all nodes up and routed, then stop the load.
  say("chaos over; letting the cluster and the clients settle");
  await waitForCluster(servers, 10_000);
  stop.stopped = true;
  for (const w of stop.wake) w();
  await Promise.all(pubLoops);
  const settleEnd = performance.now() + 8_000;
  while (clients.some((c) => !c.connected) && performance.now() < settleEnd) await sleep(50);
  // Everything published is handed over; then end markers prove the pipes are empty.
  for (const c of clients.filter((c) => c.name.startsWith("pub-"))) {
    await c.nc.flush().catch(() => {});
  }
  const markers = new Set<string>();
  const markerSubs = await Promise.all(
    clients.filter((c) => c.name.startsWith("sub-")).map(
      (c) => {
        const sub = c.nc.subscribe("chaos.end", {
          callback: (_e, m) => markers.add(`${c.name}/${m.string()}`),
        });
        return c.nc.flush().then(() => sub);
      },
    ),
  );
  await sleep(200); // interest crosses the routes
  for (const c of clients.filter((c) => c.name.startsWith("pub-"))) {
    c.nc.publish("chaos.end", c.name);
    await c.nc.flush().catch(() => {});
  }
  const markerEnd = performance.now() + 5_000;
  while (markers.size < SUBSCRIBERS * PUBLISHERS && performance.now() < markerEnd) await sleep(20);
  for (const s of markerSubs) s.unsubscribe();
  await Promise.race([Promise.all(reqLoops), sleep(REQUEST_TIMEOUT + HANG_GRACE)]);
  clearInterval(watchdog);
  req.hung = new Set([...hungIds, ...inflight.keys()]).size;

  // ---------------------------------------------------------------- report
  const totalPublished = published.reduce((a, b) => a + b, 0);
  let received = 0;
  let duplicates = 0;
  let phantom = 0;
  for (const counts of seen) {
    for (const [key, c] of counts) {
      const [p, n] = key.split(":");
      if (Number(n) >= published[Number(p.slice(1))]) phantom++;
      received++;
      if (c > 1) duplicates += c - 1;
    }
  }
  const expected = totalPublished * SUBSCRIBERS;
  const failedClean = [...req.failed.values()].reduce((a, b) => a + b, 0);
  const unexpectedClose = clients.filter((c) => c.closedUnexpectedly).length;
  const reconnects = clients.reduce((a, c) => a + c.reconnects, 0);
  const row = (k: string, v: string | number) => console.log(`  ${k.padEnd(24)} ${v}`);
  console.log("");
  console.log(`chaos summary (seed ${SEED}, ${DURATION_S} s, ${kills} kills, ${freezes} freezes)`);
  row("published", `${totalPublished} (${refused} refused: reconnect buffer full)`);
  row(
    "received",
    `${received} of ${expected} (${SUBSCRIBERS} subscribers; ${
      expected - received
    } lost in outages, at-most-once)`,
  );
  row("duplicates", duplicates);
  row("out of order", `${outOfOrder} (allowed across a failover)`);
  row("end markers", `${markers.size} of ${SUBSCRIBERS * PUBLISHERS}`);
  row("requests ok", req.ok);
  row(
    "requests failed cleanly",
    `${failedClean} (${[...req.failed].map(([k, v]) => `${k} ${v}`).join(", ") || "none"})`,
  );
  row("requests hung", req.hung);
  row("requests unclean/wrong", `${req.unclean} / ${req.wrongReply}`);
  row("client reconnects", reconnects);
  row("clients closed", unexpectedClose);

  const failures: string[] = [];
  if (duplicates > 0) failures.push(`${duplicates} duplicate deliveries`);
  if (phantom > 0) failures.push(`${phantom} messages never published`);
  if (req.hung > 0) failures.push(`${req.hung} hung requests`);
  if (req.unclean > 0) failures.push(`${req.unclean} requests failed without a typed error`);
  if (req.wrongReply > 0) failures.push(`${req.wrongReply} wrong replies`);
  if (unexpectedClose > 0) failures.push(`${unexpectedClose} clients closed on their own`);
  if (received === 0 || req.ok === 0) failures.push("nothing got through");
  if (markers.size < SUBSCRIBERS * PUBLISHERS) failures.push("end markers missing after settling");
  row("result", failures.length === 0 ? "PASS" : `FAIL: ${failures.join("; ")}`);
  exitCode = failures.length === 0 ? 0 : 1;
} catch (err) {
  console.error(`chaos run aborted: ${(err as Error).stack ?? err}`);
  exitCode = 1;
} finally {
  finishing = true;
  stop.stopped = true;
  for (const w of stop.wake) w();
  await Promise.allSettled(clients.map((c) => c.nc.close()));
  await disposeAll(servers).catch((err) => console.error(`teardown: ${err}`));
  say(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  clearTimeout(guard);
}
Deno.exit(exitCode);

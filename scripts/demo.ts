// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * `deno task demo`: shows nats-rt working against a real server, live.
 *
 * Server: `--server <url>` or `NATS_URL` when given; otherwise whatever
 * answers NATS on 127.0.0.1:4222; otherwise a temporary nats-server started
 * through the test launcher (and stopped at the end).
 *
 * Steps: pub/sub with `*` and `>`, a queue group of 3 workers sharing 30
 * jobs, request/reply (with no responders and a timeout), headers, typed
 * errors, drain. Exits 0 only when every check passed.
 *
 * Run: deno run -A scripts/demo.ts [--server url]
 * @module
 */
// deno-lint-ignore-file no-console
import {
  connect,
  ErrorCode,
  headers,
  InvalidSubjectError,
  Match,
  type Msg,
  type NatsConnection,
  NoRespondersError,
  type Stats,
  TimeoutError,
  VERSION,
} from "../mod.ts";
import { NatsServer, natsServerBin, readInfo } from "../tests/_helpers/nats_server.ts";
import { onInterrupt, parseArgs } from "../examples/_args.ts";

const STEP_TIMEOUT_MS = 5_000;
const JOBS = 30;
const WORKERS = 3;

const args = parseArgs(Deno.args, {
  usage: `
usage: deno task demo [--server url]

  --server   NATS server to use (default: $NATS_URL, else 127.0.0.1:4222 if
             something answers NATS there, else a temporary nats-server)
`,
  maxPositional: 0,
});

// ------------------------------------------------------------------ output

const useColor = Deno.stdout.isTerminal() && !Deno.noColor;
const paint = (code: number) => (s: string) => useColor ? `\x1b[${code}m${s}\x1b[0m` : s;
const green = paint(32);
const red = paint(31);
const dim = paint(2);
const bold = paint(1);

function heading(s: string): void {
  console.log(`\n${bold(s)}`);
}

function say(s: string): void {
  console.log(`  ${s}`);
}

function ms(t: number): string {
  return `${t.toFixed(2)} ms`;
}

// ----------------------------------------------------------------- helpers

/** Polls `cond` every few ms; throws after `limit` ms. */
async function waitFor(
  cond: () => boolean,
  what: string,
  limit = 2_000,
): Promise<void> {
  const deadline = Date.now() + limit;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function assert(cond: unknown, msg: string): asserts cond {
  if (!cond) throw new Error(msg);
}

/** Runs `p` with a deadline; the timer is always cleared. */
async function within<T>(p: Promise<T>, limit: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`step did not finish within ${limit} ms`)),
      limit,
    );
  });
  try {
    return await Promise.race([p, t]);
  } finally {
    clearTimeout(timer);
  }
}

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}
const checks: Check[] = [];

/** Runs one step; its return value is the detail printed in the summary. */
async function step(
  name: string,
  fn: () => Promise<string>,
): Promise<void> {
  try {
    const detail = await within(fn(), STEP_TIMEOUT_MS);
    checks.push({ name, ok: true, detail });
    say(green(`✔ ${name}`));
  } catch (err) {
    const detail = (err as Error).message;
    checks.push({ name, ok: false, detail });
    say(red(`✘ ${name}: ${detail}`));
  }
}

// ------------------------------------------------------------------ server

const started = performance.now();
let server: NatsServer | undefined;
const conns: NatsConnection[] = [];

async function cleanup(): Promise<void> {
  await Promise.allSettled(conns.map((c) => c.close()));
  if (server !== undefined) {
    const s = server;
    server = undefined;
    await s.dispose();
    console.log(dim(`\nstopped the temporary nats-server (port ${s.port})`));
  }
}

const stopListening = onInterrupt(() => {
  console.log("\ninterrupted");
  cleanup().finally(() => Deno.exit(130));
});

async function fatal(msg: string): Promise<never> {
  console.error(red(`error: ${msg}`));
  await cleanup();
  stopListening();
  Deno.exit(1);
}

/** Picks the server: --server, NATS_URL, 127.0.0.1:4222, or a new one. */
async function pickServer(): Promise<{ url: string; origin: string }> {
  const flag = args.get("server");
  if (flag !== undefined) return { url: flag, origin: "from --server" };
  const env = Deno.env.get("NATS_URL");
  if (env) return { url: env, origin: "from NATS_URL" };
  try {
    const info = await readInfo(4222, 1_000);
    return {
      url: "nats://127.0.0.1:4222",
      origin: `found nats-server ${info.version} already listening`,
    };
  } catch {
    // nothing (or not NATS) on 4222
  }
  say("nothing answers NATS on 127.0.0.1:4222; starting a temporary server");
  try {
    const bin = await natsServerBin();
    server = await NatsServer.start();
    const info = await server.info();
    return {
      url: server.url,
      origin: `temporary nats-server ${info.version} from ${bin}`,
    };
  } catch (err) {
    return await fatal(
      `could not start nats-server: ${(err as Error).message}`,
    );
  }
}

// -------------------------------------------------------------------- demo
async function main(): Promise<boolean> {
  console.log(bold(`nats-rt ${VERSION} demo`));
  const { url, origin } = await pickServer();
  say(`server: ${url} ${dim(`(${origin})`)}`);

  const nc = await connect({
    servers: url,
    name: "nats-rt demo",
    timeout: 5_000,
  })
    .catch((err) => fatal(`cannot connect to ${url}: ${(err as Error).message}`));
  conns.push(nc);
  /** Opens one more connection (workers and the service have their own). */
  async function open(name: string): Promise<NatsConnection> {
    const c = await connect({ servers: url, name, timeout: 5_000 });
    conns.push(c);
    return c;
  }

  const firstRtt = await nc.rtt();
  say(
    `connected: nats-server ${nc.info?.version}, headers ${
      nc.info?.headers ? "on" : "off"
    }, max_payload ${nc.info?.max_payload} bytes, rtt ${ms(firstRtt)}`,
  );
  // A prefix of our own, so runs sharing a server never see each other's messages.
  const P = `demo-${crypto.randomUUID().slice(0, 4)}`;
  say(dim(`all subjects below start with "${P}."`));
  const rel = (subject: string) => subject.slice(P.length + 1);

  // 1. ------------------------------------------------------------ pub/sub
  heading("1. Publish / subscribe with wildcards");
  await step("pub/sub with wildcards (* and >)", async () => {
    const star: string[] = [];
    const gt: string[] = [];
    const listen = (pattern: string, into: string[]) =>
      nc.subscribe(`${P}.${pattern}`, {
        callback: (err, m) => {
          if (err) return;
          into.push(rel(m.subject));
          say(
            `  ${pattern.padEnd(9)} got ${rel(m.subject).padEnd(14)} "${m.string()}"`,
          );
        },
      });
    const s1 = listen("orders.*", star);
    const s2 = listen("orders.>", gt);
    await nc.flush(); // the server now knows both subscriptions
    const subjects = ["orders.new", "orders.paid", "orders.eu.new", "orders"];
    say(
      `subscribed to orders.* and orders.>; publishing ${subjects.join(", ")}`,
    );
    subjects.forEach((s, i) => nc.publish(`${P}.${s}`, `order #${i + 1}`));
    await nc.flush();
    await waitFor(
      () => star.length >= 2 && gt.length >= 3,
      "wildcard deliveries",
    );
    await nc.flush(); // anything unexpected would have arrived by now
    s1.unsubscribe();
    s2.unsubscribe();
    assert(
      star.join() === "orders.new,orders.paid",
      `orders.* got [${star}], expected [orders.new, orders.paid]`,
    );
    assert(
      gt.join() === "orders.new,orders.paid,orders.eu.new",
      `orders.> got [${gt}], expected [orders.new, orders.paid, orders.eu.new]`,
    );
    say(
      dim(
        `"*" matched one token (2 messages), ">" one or more (3); "orders" alone matched neither`,
      ),
    );
    return `* got ${star.length}, > got ${gt.length}`;
  });

  // 2. --------------------------------------------------------- queue group
  heading(`2. Queue group: ${WORKERS} workers share ${JOBS} jobs`);
  await step("queue group", async () => {
    const counts = new Array<number>(WORKERS).fill(0);
    const seen = new Map<string, number>();
    for (let w = 0; w < WORKERS; w++) {
      const c = await open(`nats-rt demo worker-${w + 1}`);
      c.subscribe(`${P}.jobs`, {
        queue: "workers",
        callback: (err, m) => {
          if (err) return;
          counts[w]++;
          seen.set(m.string(), (seen.get(m.string()) ?? 0) + 1);
        },
      });
      await c.flush();
    }
    say(
      `${WORKERS} connections joined queue group "workers" on jobs; publishing ${JOBS} jobs`,
    );
    for (let j = 1; j <= JOBS; j++) nc.publish(`${P}.jobs`, `job ${j}`);
    await nc.flush();
    await waitFor(() => seen.size >= JOBS, `${JOBS} jobs to be handled`);
    // Every worker has its own connection: a flush on each proves nothing is still on the way.
    await Promise.all(conns.slice(1, 1 + WORKERS).map((c) => c.flush()));
    const width = Math.max(...counts);
    counts.forEach((n, w) => {
      say(`  worker-${w + 1}  ${"█".repeat(n)}${" ".repeat(width - n)}  ${n}`);
    });
    const total = counts.reduce((a, b) => a + b, 0);
    const dup = [...seen.values()].filter((n) => n > 1).length;
    assert(total === JOBS, `workers handled ${total} jobs, expected ${JOBS}`);
    assert(seen.size === JOBS && dup === 0, `${dup} jobs were handled twice`);
    say(dim(`each job went to exactly one worker`));
    return `${JOBS} jobs over ${WORKERS} workers (${counts.join("/")})`;
  });

  // 3. ------------------------------------------------------- request/reply
  heading("3. Request / reply");
  const svc = await open("nats-rt demo service").catch((err) =>
    fatal(`service connection: ${(err as Error).message}`)
  );
  let served = 0;
  svc.subscribe(`${P}.greet`, {
    callback: (err, m) => {
      if (err) return;
      served++;
      const h = headers();
      h.set("Served-By", "greeter");
      const id = m.headers?.get("Request-Id");
      if (id) h.set("Request-Id", id);
      m.respond(`hello, ${m.string()}!`, { headers: h });
    },
  });
  // Subscribed, but never answers: requests to it time out.
  svc.subscribe(`${P}.silent`, { callback: () => {} });
  await svc.flush();
  say(`service "greet" is up on its own connection ("silent" never answers)`);
  const rtts: number[] = [];

  await step("request/reply", async () => {
    for (const name of ["alice", "bob", "carol"]) {
      const t0 = performance.now();
      const m = await nc.request(`${P}.greet`, name, { timeout: 2_000 });
      const t = performance.now() - t0;
      rtts.push(t);
      say(
        `  request greet "${name}" -> "${m.string()}" in ${ms(t)} ` +
          dim(`(Served-By: ${m.headers?.get("Served-By")})`),
      );
      assert(
        m.string() === `hello, ${name}!`,
        `unexpected reply "${m.string()}"`,
      );
    }
    return `3 requests answered, ${served} served`;
  });

  await step("no responders", async () => {
    const t0 = performance.now();
    try {
      await nc.request(`${P}.nobody`, "anyone?", { timeout: 2_000 });
    } catch (err) {
      const t = performance.now() - t0;
      assert(
        err instanceof NoRespondersError && err.code === ErrorCode.NoResponders,
        `expected NoRespondersError, got ${err}`,
      );
      say(
        `  request nobody -> ${err.name} (code ${err.code}) in ${ms(t)}, ` +
          `without waiting for the 2000 ms timeout`,
      );
      return `failed fast in ${ms(t)}`;
    }
    throw new Error("the request to a subject nobody listens on got a reply");
  });

  await step("request timeout", async () => {
    const t0 = performance.now();
    try {
      await nc.request(`${P}.silent`, "hello?", { timeout: 250 });
    } catch (err) {
      const t = performance.now() - t0;
      assert(
        err instanceof TimeoutError && err.code === ErrorCode.Timeout,
        `expected TimeoutError, got ${err}`,
      );
      say(`  request silent -> ${err.name} (code ${err.code}) after ${ms(t)}`);
      return `timed out after ${Math.round(t)} ms`;
    }
    throw new Error("the silent service answered");
  });

  // 4. ------------------------------------------------------------- headers
  heading("4. Headers");
  await step("headers", async () => {
    const sub = nc.subscribe(`${P}.audit`, { max: 1 });
    await nc.flush();
    const h = headers();
    h.set("Order-Id", "42");
    h.append("Tag", "rush");
    h.append("Tag", "gift");
    nc.publish(`${P}.audit`, "order shipped", { headers: h });
    say(`published to audit with Order-Id: 42, Tag: rush, Tag: gift`);
    let got: Msg | undefined;
    for await (const m of sub) got = m;
    assert(got?.headers, "the message arrived without headers");
    for (const [k, vs] of got.headers) {
      say(`  received header ${k}: ${vs.join(", ")}`);
    }
    assert(got.headers.get("Order-Id") === "42", "Order-Id header lost");
    assert(got.headers.values("Tag").join() === "rush,gift", "Tag values lost");
    assert(
      got.headers.get("order-id", Match.IgnoreCase) === "42",
      "case-insensitive lookup failed",
    );
    say(dim(`get("order-id", Match.IgnoreCase) -> "42"`));

    const rh = headers();
    rh.set("Request-Id", "r-7");
    const r = await nc.request(`${P}.greet`, "dave", {
      headers: rh,
      timeout: 2_000,
    });
    say(
      `  request with Request-Id: r-7 -> reply headers Request-Id: ${
        r.headers?.get("Request-Id")
      }, Served-By: ${r.headers?.get("Served-By")}`,
    );
    assert(r.headers?.get("Request-Id") === "r-7", "Request-Id not echoed");
    return "multi-value, case-insensitive, on requests and replies";
  });

  // 5. -------------------------------------------------------- typed errors
  heading("5. Typed errors");
  await step("typed errors", () => {
    const tries: [string, () => void][] = [
      ['publish("orders..new")', () => nc.publish(`${P}.orders..new`, "x")],
      ['subscribe("orders.>.eu")', () => nc.subscribe(`${P}.orders.>.eu`)],
    ];
    for (const [what, fn] of tries) {
      try {
        fn();
      } catch (err) {
        assert(
          err instanceof InvalidSubjectError &&
            err.code === ErrorCode.InvalidSubject,
          `${what}: expected InvalidSubjectError, got ${err}`,
        );
        say(`  ${what} -> ${err.name} (code ${err.code})`);
        continue;
      }
      throw new Error(`${what} was accepted`);
    }
    return Promise.resolve("bad subjects rejected before reaching the server");
  });

  // 6. --------------------------------------------------------------- drain
  heading("6. Drain and close");
  const rtt = Math.min(firstRtt, await nc.rtt(), await nc.rtt());
  let totals: Stats = { inMsgs: 0, outMsgs: 0, inBytes: 0, outBytes: 0 };
  await step("drain and close", async () => {
    await Promise.all(conns.map((c) => c.drain()));
    for (const c of conns) {
      const err = await c.closed();
      assert(err === undefined, `a connection closed with ${err}`);
      const s = c.stats();
      totals = {
        inMsgs: totals.inMsgs + s.inMsgs,
        outMsgs: totals.outMsgs + s.outMsgs,
        inBytes: totals.inBytes + s.inBytes,
        outBytes: totals.outBytes + s.outBytes,
      };
    }
    say(`drained ${conns.length} connections; closed() resolved without error`);
    return `${conns.length} connections`;
  });

  // ------------------------------------------------------------- summary
  await cleanup();

  heading("Summary");
  say(`server:            ${url} ${dim(`(${origin})`)}`);
  say(`messages sent:     ${totals.outMsgs} (${totals.outBytes} bytes)`);
  say(`messages received: ${totals.inMsgs} (${totals.inBytes} bytes)`);
  say(
    `rtt:               ${ms(rtt)}` +
      (rtts.length ? `; request round trip ${ms(Math.min(...rtts))} best` : ""),
  );
  for (const c of checks) {
    say(
      `${c.ok ? green("OK  ") : red("FAIL")}  ${c.name}` +
        dim(` - ${c.detail}`),
    );
  }
  const failed = checks.filter((c) => !c.ok).length;
  const took = ((performance.now() - started) / 1000).toFixed(1);
  if (failed === 0) {
    console.log(
      green(bold(`\nAll ${checks.length} checks passed in ${took} s.`)),
    );
    return true;
  }
  console.log(red(bold(`\n${failed} of ${checks.length} checks FAILED.`)));
  return false;
}

let passed = false;
try {
  passed = await main();
} catch (err) {
  console.error(red(`error: ${(err as Error).stack ?? err}`));
} finally {
  // Also on an unexpected error: never leave a temporary server behind.
  await cleanup();
  stopListening();
}
if (!passed) Deno.exit(1);

// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * Runs `scripts/demo.ts` and the scripts in `examples/` as subprocesses
 * (`deno run -A`) against servers started by the launcher, so nothing here
 * depends on port 4222. Sanitizers stay on: every child is awaited (and
 * killed first if it is still running) before a test ends.
 *
 * @module
 */
import assert from "node:assert/strict";
import { NatsServer } from "../_helpers/nats_server.ts";

const ROOT = new URL("../../", import.meta.url);
const RUN_TIMEOUT_MS = 30_000;
const READY_TIMEOUT_MS = 15_000;

function script(path: string): string {
  return new URL(path, ROOT).href;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

function describe(what: string, r: RunResult): string {
  return `${what} exited ${r.code}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`;
}

/** Runs a script to completion (killed after {@link RUN_TIMEOUT_MS}). */
async function run(
  path: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<RunResult> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), RUN_TIMEOUT_MS);
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", script(path), ...args],
      cwd: ROOT.pathname,
      env: { NO_COLOR: "1", ...env },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: ac.signal,
    }).output();
    const dec = new TextDecoder();
    return {
      code: out.code,
      stdout: dec.decode(out.stdout),
      stderr: dec.decode(out.stderr),
    };
  } finally {
    clearTimeout(timer);
  }
}

/** A long-running script whose output is collected as it arrives. */
class Child {
  readonly name: string;
  stdout = "";
  stderr = "";
  #proc: Deno.ChildProcess;
  #exit: Deno.CommandStatus | undefined;
  #done: Promise<Deno.CommandStatus>;

  constructor(path: string, args: string[]) {
    this.name = path;
    this.#proc = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", script(path), ...args],
      cwd: ROOT.pathname,
      env: { NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const pump = async (
      stream: ReadableStream<Uint8Array>,
      into: "stdout" | "stderr",
    ) => {
      for await (const text of stream.pipeThrough(new TextDecoderStream())) {
        this[into] += text;
      }
    };
    this.#done = Promise.all([
      pump(this.#proc.stdout, "stdout"),
      pump(this.#proc.stderr, "stderr"),
      this.#proc.status,
    ]).then(([, , st]) => this.#exit = st);
  }

  #dump(): string {
    return `--- ${this.name} stdout ---\n${this.stdout}\n--- stderr ---\n${this.stderr}`;
  }

  /** Resolves once stdout contains `text`; throws if the child exits or time runs out. */
  async ready(text: string): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (!this.stdout.includes(text)) {
      if (this.#exit) {
        throw new Error(
          `${this.name} exited (${this.#exit.code}) before printing "${text}"\n${this.#dump()}`,
        );
      }
      if (Date.now() > deadline) {
        throw new Error(
          `${this.name} did not print "${text}"\n${this.#dump()}`,
        );
      }
      await sleep(10);
    }
  }

  /** Waits for the child to exit by itself and returns its output. */
  async result(): Promise<RunResult> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<"timeout">((r) => {
      timer = setTimeout(() => r("timeout"), RUN_TIMEOUT_MS);
    });
    try {
      const st = await Promise.race([this.#done, deadline]);
      if (st === "timeout") {
        throw new Error(`${this.name} did not exit\n${this.#dump()}`);
      }
      return { code: st.code, stdout: this.stdout, stderr: this.stderr };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Kills the child if it is still running, then awaits its exit and output. */
  async stop(): Promise<void> {
    if (!this.#exit) {
      try {
        this.#proc.kill("SIGKILL");
      } catch {
        // already gone
      }
    }
    await this.#done;
  }
}

/** Starts a launcher server and children, and always cleans both up. */
async function withChildren(
  fn: (
    url: string,
    spawn: (path: string, args: string[]) => Child,
  ) => Promise<void>,
): Promise<void> {
  const server = await NatsServer.start();
  const children: Child[] = [];
  try {
    await fn(server.url, (path, args) => {
      const c = new Child(path, args);
      children.push(c);
      return c;
    });
  } finally {
    await Promise.all(children.map((c) => c.stop()));
    await server.dispose();
  }
}

Deno.test("demo: every step passes against a launcher server", async () => {
  const server = await NatsServer.start();
  try {
    const r = await run("scripts/demo.ts", ["--server", server.url]);
    assert.equal(r.code, 0, describe("demo", r));
    const out = r.stdout;
    assert.ok(
      out.includes(`server: ${server.url} (from --server)`),
      describe("demo (wrong server)", r),
    );
    for (
      const line of [
        "OK    pub/sub with wildcards (* and >) - * got 2, > got 3",
        "OK    queue group - 30 jobs over 3 workers (",
        "OK    request/reply - 3 requests answered",
        "OK    no responders",
        "OK    request timeout",
        "OK    headers",
        "OK    typed errors",
        "OK    drain and close",
        "All 8 checks passed",
      ]
    ) {
      assert.ok(
        out.includes(line),
        `missing "${line}"\n${describe("demo", r)}`,
      );
    }
    assert.ok(!out.includes("FAIL"), describe("demo", r));
    const split = /30 jobs over 3 workers \((\d+)\/(\d+)\/(\d+)\)/.exec(out);
    assert.ok(split, describe("demo", r));
    assert.equal(Number(split[1]) + Number(split[2]) + Number(split[3]), 30);
    assert.match(out, /messages sent:\s+\d+ \(\d+ bytes\)/);
    assert.match(out, /messages received:\s+\d+ \(\d+ bytes\)/);
    assert.match(out, /rtt:\s+\d+\.\d+ ms/);

    // NATS_URL is honoured when there is no --server.
    const e = await run("scripts/demo.ts", [], { NATS_URL: server.url });
    assert.equal(e.code, 0, describe("demo with NATS_URL", e));
    assert.ok(e.stdout.includes(`server: ${server.url} (from NATS_URL)`));
  } finally {
    await server.dispose();
  }
});

Deno.test("demo: exits non-zero when the server cannot be reached", async () => {
  // Port 1 on loopback: nothing listens there.
  const r = await run("scripts/demo.ts", ["--server", "127.0.0.1:1"]);
  assert.equal(r.code, 1, describe("demo", r));
  assert.match(r.stderr, /cannot connect to 127\.0\.0\.1:1/);
});

Deno.test("examples: subscribe, reply_service, publish and request", async () => {
  await withChildren(async (url, spawn) => {
    const sub = spawn("examples/subscribe.ts", [
      "--server",
      url,
      "--count",
      "2",
      "ex.orders.>",
    ]);
    const svc = spawn("examples/reply_service.ts", [
      "--server",
      url,
      "--count",
      "1",
      "ex.upper",
    ]);
    await sub.ready('Listening on "ex.orders.>"');
    await svc.ready('Service listening on "ex.upper"');

    const p1 = await run("examples/publish.ts", [
      "--server",
      url,
      "ex.orders.new",
      "first order",
    ]);
    assert.equal(p1.code, 0, describe("publish", p1));
    assert.match(p1.stdout, /published 1 message to "ex\.orders\.new"/);
    const p2 = await run("examples/publish.ts", [
      "--server",
      url,
      "--header",
      "X-Trace=abc",
      "ex.orders.eu.paid",
      "second order",
    ]);
    assert.equal(p2.code, 0, describe("publish", p2));

    const rq = await run("examples/request.ts", [
      "--server",
      url,
      "--header",
      "Request-Id=42",
      "ex.upper",
      "hello there",
    ]);
    assert.equal(rq.code, 0, describe("request", rq));
    assert.match(
      rq.stdout,
      /reply from "ex\.upper" in \d+\.\d ms: HELLO THERE/,
    );
    assert.match(rq.stdout, /header: Request-Id: 42/);

    const s = await sub.result();
    assert.equal(s.code, 0, describe("subscribe", s));
    for (
      const line of [
        "[#1] subject: ex.orders.new",
        "data:    first order",
        "[#2] subject: ex.orders.eu.paid",
        "header:  X-Trace: abc",
        "data:    second order",
        "received 2 messages",
      ]
    ) {
      assert.ok(
        s.stdout.includes(line),
        `missing "${line}"\n${describe("subscribe", s)}`,
      );
    }

    const v = await svc.result();
    assert.equal(v.code, 0, describe("reply_service", v));
    assert.ok(
      v.stdout.includes('[#1] ex.upper: "hello there" -> "HELLO THERE"'),
    );
    assert.ok(v.stdout.includes("answered 1 request"));

    // The service has exited: nobody listens any more.
    const nr = await run("examples/request.ts", ["--server", url, "ex.upper"]);
    assert.equal(nr.code, 1, describe("request", nr));
    assert.match(
      nr.stderr,
      /no responders: nothing is subscribed to "ex\.upper"/,
    );
  });
});

Deno.test("examples: request timeout and queue_worker", async () => {
  await withChildren(async (url, spawn) => {
    // A subscriber that never answers: the request must time out.
    const quiet = spawn("examples/subscribe.ts", [
      "--server",
      url,
      "--count",
      "1",
      "ex.quiet",
    ]);
    const worker = spawn("examples/queue_worker.ts", [
      "--server",
      url,
      "--count",
      "1",
      "--name",
      "w1",
      "--queue",
      "crew",
      "ex.jobs",
    ]);
    await quiet.ready('Listening on "ex.quiet"');
    await worker.ready('w1 joined queue "crew" on "ex.jobs"');

    const [to, job] = await Promise.all([
      run("examples/request.ts", [
        "--server",
        url,
        "--timeout",
        "300",
        "ex.quiet",
        "anyone?",
      ]),
      run("examples/request.ts", ["--server", url, "ex.jobs", "resize"]),
    ]);
    assert.equal(to.code, 1, describe("request", to));
    assert.match(to.stderr, /timeout: no reply from "ex\.quiet" within 300 ms/);
    assert.equal(job.code, 0, describe("request", job));
    assert.match(job.stdout, /reply from "ex\.jobs" in .*: done by w1/);

    const q = await quiet.result();
    assert.equal(q.code, 0, describe("subscribe", q));
    assert.match(q.stdout, /reply:\s+_INBOX\./);
    assert.ok(q.stdout.includes("data:    anyone?"));

    const w = await worker.result();
    assert.equal(w.code, 0, describe("queue_worker", w));
    assert.ok(w.stdout.includes("w1 job #1 (ex.jobs): resize"));
    assert.ok(w.stdout.includes("w1 handled 1 job"));
  });
});

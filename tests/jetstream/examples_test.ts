// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * Runs the JetStream examples as subprocesses against a launcher server with
 * JetStream (never port 4222) and checks what they print.
 *
 * @module
 */
import assert from "node:assert/strict";
import { connect, jetstream } from "../../mod.ts";
import { NatsServer } from "../_helpers/nats_server.ts";

const ROOT = new URL("../../", import.meta.url);

async function run(path: string, args: string[]): Promise<{ code: number; out: string }> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), 30_000);
  try {
    const r = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL(path, ROOT).href, ...args],
      cwd: ROOT.pathname,
      env: { NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: ac.signal,
    }).output();
    const dec = new TextDecoder();
    return { code: r.code, out: dec.decode(r.stdout) + dec.decode(r.stderr) };
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("examples: quickstart, worker and replay against a JetStream server", async () => {
  await using server = await NatsServer.start({ jetstream: true });
  const url = server.url;

  const q = await run("examples/jetstream_quickstart.ts", ["--server", url, "--count", "3"]);
  assert.equal(q.code, 0, q.out);
  assert.match(q.out, /stored in ORDERS at seq 1 \(duplicate: false\)/);
  assert.match(q.out, /stored in ORDERS at seq 3/);
  assert.match(q.out, /got #2 on orders\.new: \{"item":"widget-2"\} \(delivery 1\)/);
  assert.match(q.out, /acked up to seq 3, 0 left/);

  const nc = await connect({ servers: url });
  try {
    const js = jetstream(nc);
    for (let i = 0; i < 4; i++) await js.publish("orders.more", `more-${i}`);
  } finally {
    await nc.close();
  }
  const w = await run("examples/jetstream_worker.ts", [
    "--server",
    url,
    "--count",
    "4",
    "ORDERS",
    "processor",
  ]);
  assert.equal(w.code, 0, w.out);
  assert.match(w.out, /#4 orders\.more: more-0/);
  assert.match(w.out, /#7 orders\.more: more-3/);
  assert.doesNotMatch(w.out, /redelivered/);

  const r = await run("examples/jetstream_replay.ts", ["--server", url, "--from", "3", "ORDERS"]);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /#3 orders\.new/);
  assert.match(r.out, /replayed 5 messages \(stream last seq 7\)/);
  assert.doesNotMatch(r.out, /#2 /);

  const noJs = await NatsServer.start();
  try {
    const e = await run("examples/jetstream_quickstart.ts", ["--server", noJs.url]);
    assert.equal(e.code, 1);
    assert.match(e.out, /JetStream is not enabled.*start the server with -js/);
  } finally {
    await noJs.dispose();
  }
});

// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * A long outage with fast retries must leave memory flat: every failed dial
 * releases what it allocated (timers, promises, sockets). Measured in a child
 * process with forced GCs; the official client is measured for the record.
 */
import assert from "node:assert/strict";
import { NatsServer } from "../_helpers/nats_server.ts";

interface ProbeResult {
  attempts: number;
  growth: number;
  perAttempt: number;
}

async function probe(which: "ours" | "official", seconds: number): Promise<ProbeResult> {
  await using srv = await NatsServer.start();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--v8-flags=--expose-gc",
      new URL("./_probes/outage_probe.ts", import.meta.url).pathname,
      srv.url,
      String(seconds),
      which,
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!out.includes("connected\n")) {
    const r = await reader.read();
    if (r.done) break;
    out += r.value;
  }
  await srv.kill(); // the outage starts and never ends
  const w = child.stdin.getWriter();
  await w.write(new Uint8Array([10]));
  await w.close();
  while (true) {
    const r = await reader.read();
    if (r.done) break;
    out += r.value;
  }
  const status = await child.status;
  assert.ok(status.success, `probe exited with ${status.code}`);
  const line = out.trim().split("\n").pop()!;
  return JSON.parse(line) as ProbeResult;
}

Deno.test("a long outage with fast retries leaves memory flat", async () => {
  const ours = await probe("ours", 20);
  // Thousands of failed dials (each ~5 ms apart) while the heap is sampled.
  assert.ok(ours.attempts > 500, `only ${ours.attempts} reconnect attempts`);
  // Flat: well under 200 bytes retained per failed attempt (noise allowance).
  assert.ok(
    ours.perAttempt < 200,
    `heap grew ${ours.growth} bytes over ${ours.attempts} attempts (${
      ours.perAttempt.toFixed(0)
    } B/attempt)`,
  );
  // deno-lint-ignore no-console
  console.log(`nats-rt: ${ours.attempts} attempts, heap growth ${ours.growth} B`);
});

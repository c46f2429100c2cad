// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
// deno-lint-ignore-file no-console
/**
 * Probe for outage_memory_test.ts: connects, loses the server for good, and
 * keeps retrying fast for a while, sampling the heap after forced GCs.
 * Run with --v8-flags=--expose-gc. Prints one JSON line.
 *
 * Usage: deno run -A --v8-flags=--expose-gc outage_probe.ts <url> <seconds> [official]
 * @module
 */
const [url, secondsArg, which] = Deno.args;
const seconds = Number(secondsArg);
const gc = (globalThis as unknown as { gc: () => void }).gc;

function heap(): number {
  for (let i = 0; i < 3; i++) gc();
  return Deno.memoryUsage().heapUsed;
}

const opts = {
  servers: url,
  reconnectTimeWait: 1,
  reconnectTimeWaitMax: 5,
  reconnectJitter: 0,
  reconnectDelayHandler: which === "official" ? () => 5 : undefined,
  maxReconnectAttempts: -1,
  pingInterval: 60_000,
};
let nc: { close(): Promise<void>; status(): AsyncIterable<{ type: string }> };
if (which === "official") {
  const { connect } = await import("@nats-io/transport-node");
  nc = await connect(opts) as unknown as typeof nc;
} else {
  const { connect } = await import("../../../mod.ts");
  nc = await connect(opts);
}
let attempts = 0;
const counting = (async () => {
  for await (const s of nc.status()) if (s.type === "reconnecting") attempts++;
})();
// The test kills the server once we say we are connected.
console.log("connected");
await new Promise<void>((resolve) => {
  const buf = new Uint8Array(16);
  Deno.stdin.read(buf).then(() => resolve());
});
const warm = seconds / 4;
await new Promise((r) => setTimeout(r, warm * 1000));
const h1 = heap();
const a1 = attempts;
await new Promise((r) => setTimeout(r, (seconds - warm) * 1000));
const h2 = heap();
const a2 = attempts;
await nc.close();
await counting;
console.log(
  JSON.stringify({
    attempts: a2 - a1,
    growth: h2 - h1,
    perAttempt: (h2 - h1) / Math.max(1, a2 - a1),
  }),
);

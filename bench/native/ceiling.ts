// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
// deno-lint-ignore-file no-console
/**
 * The native ceiling: what a minimal C client (no JavaScript, its own
 * processes) gets from the same nats-server on this machine, for the rows
 * where nats-server sets the pace (subscribe, callback consume + ack). If the
 * native client reaches less than a goal times the official client's rate,
 * no JavaScript client can meet that goal here.
 *
 *     deno run -A bench/native/ceiling.ts [--runs 5]
 *
 * Needs a C compiler (`cc`); the clients are compiled into a temp dir.
 * Sizes and pull settings are the bench's (bench/_suite.ts).
 *
 * @module
 */
import { NatsServer } from "../../tests/_helpers/nats_server.ts";
import { connect, jetstream, jetstreamManager } from "../../mod.ts";
import { fillStream, median, waitAckFloor } from "../_suite.ts";

const here = new URL(".", import.meta.url).pathname;
const runsArg = Deno.args.indexOf("--runs");
const RUNS = runsArg >= 0 ? Number(Deno.args[runsArg + 1]) : 5;
if (!Number.isInteger(RUNS) || RUNS < 1) {
  console.error("usage: ceiling.ts [--runs N]");
  Deno.exit(2);
}

async function compile(dir: string, name: string): Promise<string> {
  const bin = `${dir}/${name}`;
  const out = await new Deno.Command("cc", {
    args: ["-O2", "-Wall", "-o", bin, `${here}${name}.c`],
    stderr: "inherit",
  }).output().catch((err) => {
    console.error(`cc is needed to build the native clients: ${err.message}`);
    Deno.exit(1);
  });
  if (!out.success) throw new Error(`cc ${name}.c failed`);
  return bin;
}

const decoder = new TextDecoder();

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  let text = "";
  for await (const chunk of stream) text += decoder.decode(chunk, { stream: true });
  return text;
}

/**
 * A running client: `ready` resolves once it printed "ready" on stderr (a
 * subscriber whose SUB is registered), `rate` with the number it prints on
 * stdout when it exits (or rejects with its stderr).
 */
function spawn(bin: string, args: string[]): { ready: Promise<void>; rate: Promise<number> } {
  const child = new Deno.Command(bin, { args, stdout: "piped", stderr: "piped" }).spawn();
  let err = "";
  let signal!: () => void;
  const ready = new Promise<void>((r) => signal = r);
  const stderr = (async () => {
    for await (const chunk of child.stderr) {
      err += decoder.decode(chunk, { stream: true });
      if (err.includes("ready")) signal();
    }
    signal();
  })();
  const rate = (async () => {
    const [out, status] = await Promise.all([readAll(child.stdout), child.status, stderr]);
    if (!status.success) throw new Error(`${bin} failed: ${err}`);
    return Number(out.trim());
  })();
  return { ready, rate };
}

const dir = await Deno.makeTempDir({ prefix: "nats-rt-ceiling-" });
await using srv = await NatsServer.start({ jetstream: true });
const rows: Array<[string, number[]]> = [];
try {
  const [subBin, pubBin, consumeBin] = await Promise.all(
    ["sub", "pub", "consume"].map((n) => compile(dir, n)),
  );
  const port = String(srv.port);

  // Only 1 KiB: at 16 B this subscriber's byte-at-a-time line scan is itself
  // slower than the bench's JavaScript raw subscriber, so it is no ceiling.
  for (const [label, n, size] of [["subscribe 1 KiB", 200_000, 1024]] as const) {
    const rates: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const subject = `ceiling.sub.${size}.${i}`;
      const sub = spawn(subBin, [port, subject, String(n)]);
      await sub.ready;
      const pub = spawn(pubBin, [port, subject, String(n), String(size)]);
      const [rate] = await Promise.all([sub.rate, pub.rate]);
      rates.push(rate);
    }
    rows.push([label, rates]);
  }

  const nc = await connect({ servers: srv.url });
  try {
    const jsm = await jetstreamManager(nc);
    const js = jetstream(nc);
    for (
      const [label, size] of [["pull consume + ack, callback, 16 B", 16], [
        "pull consume + ack, callback, 1 KiB",
        1024,
      ]] as const
    ) {
      const n = 50_000;
      const stream = `CEILING_${size}`;
      await jsm.streams.add({ name: stream, subjects: [`ceiling.js.${size}`], storage: "memory" });
      await fillStream(
        js,
        `ceiling.js.${size}`,
        n,
        new Uint8Array(size).fill(0x61),
      );
      const rates: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const name = `c${i}`;
        await jsm.consumers.add(stream, {
          durable_name: name,
          ack_policy: "explicit",
          max_ack_pending: 20_000,
        });
        rates.push(await spawn(consumeBin, [port, stream, name, String(n), "500"]).rate);
        await waitAckFloor(jsm, stream, name, n);
      }
      rows.push([label, rates]);
    }
  } finally {
    await nc.close();
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}

console.log(`native C clients, same nats-server as the bench, ${RUNS} runs each (msg/s)\n`);
console.log("| row | median | min | max |");
console.log("|---|---:|---:|---:|");
for (const [label, rates] of rows) {
  const f = (x: number) => Math.round(x).toLocaleString("en-US");
  console.log(
    `| ${label} | ${f(median(rates))} | ${f(Math.min(...rates))} | ${f(Math.max(...rates))} |`,
  );
}

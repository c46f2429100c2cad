// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * HTTP gateway CLI: serves the NATS HTTP API and prints its URL.
 *
 *     deno run -A examples/http_gateway/main.ts --port 8080 --server nats://127.0.0.1:4222
 *     deno run -A examples/http_gateway/main.ts --port 0 --allow-host nats.internal,10.0.0.7:4222
 *
 * Ctrl-C (or SIGTERM) stops serving, lets requests in flight finish and
 * closes every pooled NATS connection.
 *
 * @module
 */
// deno-lint-ignore-file no-console
import { onInterrupt, parseArgs } from "../_args.ts";
import { DEFAULT_SERVER, ENDPOINTS, startGateway } from "./gateway.ts";

// `deno task gateway -- --port 0` hands the `--` through (Deno 2): skip it.
const argv = Deno.args[0] === "--" ? Deno.args.slice(1) : Deno.args;
const args = parseArgs(argv, {
  usage: `
usage: main.ts [--port N] [--server URL] [--allow-host h1,h2] [options]

Serves an HTTP API to NATS: POST /api/nats/connect, publish, subscribe, request,
jetstream-info, jetstream-stream, jetstream-publish, jetstream-pull, jetstream-ack.
Every request body may carry server, user/pass or token, tls and ca.

  --port N                 port to listen on; 0 picks a free one (default 8080)
  --hostname H             interface to listen on (default 127.0.0.1)
  --server URL             NATS server for requests that name none
                           (default ${DEFAULT_SERVER})
  --allow-host LIST        other hosts requests may name in "server": host or
                           host:port, comma-separated or repeated; * allows any.
                           The --server host:port is always allowed; by default
                           it is the only one.
  --idle-ms MS             close a pooled connection unused this long (default 30000)
  --connect-timeout-ms MS  NATS connect timeout (default 5000)
  --quiet                  no per-request log lines
`,
  options: ["port", "hostname", "allow-host", "idle-ms", "connect-timeout-ms"],
  flags: ["quiet"],
  maxPositional: 0,
});

/** A non-negative integer option. */
function int(name: string, fallback: number, min: number): number {
  const v = args.get(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (v.trim() === "" || !Number.isInteger(n) || n < min) {
    args.fail(`--${name} must be an integer >= ${min}, got "${v}"`);
  }
  return n;
}

const port = int("port", 8080, 0);
if (port > 65_535) args.fail(`--port must be at most 65535, got ${port}`);
const allowHosts = args.all("allow-host").flatMap((s) => s.split(",")).map((s) => s.trim())
  .filter((s) => s !== "");
const quiet = args.has("quiet");
const stamp = () => new Date().toISOString().slice(11, 23);

let gw;
try {
  gw = await startGateway({
    hostname: args.get("hostname", "127.0.0.1"),
    port,
    server: args.get("server", DEFAULT_SERVER),
    allowHosts,
    idleMs: int("idle-ms", 30_000, 1),
    connectTimeoutMs: int("connect-timeout-ms", 5_000, 1),
    log: quiet ? undefined : (line) => console.log(`${stamp()} ${line}`),
  });
} catch (err) {
  console.error(`error: ${(err as Error).message}`);
  Deno.exit(1);
}

console.log(`nats-rt HTTP gateway listening on ${gw.url}`);
console.log(`  default server  ${gw.defaultServer}`);
console.log(`  allowed hosts   ${gw.allowed}`);
console.log(
  `  endpoints       POST ${gw.url}/api/nats/{${
    Object.keys(ENDPOINTS).map((p) => p.slice("/api/nats/".length)).join(",")
  }}`,
);
console.log(`  try             curl -s -X POST ${gw.url}/api/nats/connect -d '{}'`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  console.log(`${stamp()} shutting down`);
  await gw.shutdown();
  console.log(`${stamp()} stopped (pool closed)`);
  removeInt();
  try {
    Deno.removeSignalListener("SIGTERM", onTerm);
  } catch {
    // signals unsupported
  }
};
const onTerm = () => void stop();
const removeInt = onInterrupt(() => void stop());
try {
  Deno.addSignalListener("SIGTERM", onTerm);
} catch {
  // signals unsupported
}

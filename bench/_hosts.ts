// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * What the bench runner needs from its runtime, for Deno and for Node: raw
 * TCP sockets, process CPU time and RSS, output, files. The runner (and so
 * this file) is run by Deno directly and by Node as a bundle made with
 * `deno bundle`, so only `node:` modules both runtimes have are imported
 * statically; each runtime's own API is used only when running there.
 *
 * @module
 */
import process from "node:process";
import { connect as netConnectUntyped } from "node:net";
import { readFile, writeFile } from "node:fs/promises";
import type { RawSocket } from "./_raw.ts";

/** The runtime the runner is in. */
export interface Host {
  /** "deno" or "node". */
  readonly runtime: "deno" | "node";
  /** Runtime version, e.g. "2.9.6" or "20.20.2". */
  readonly version: string;
  /** V8 version. */
  readonly v8: string;
  /** A TCP connection to 127.0.0.1:`port`, Nagle off. */
  rawConnect(port: number): Promise<RawSocket>;
  /** CPU time (user + system) used by this process so far, µs. */
  cpuUs(): number;
  /** Resident set size of this process, bytes. */
  rss(): number;
  /** Command-line arguments after the script. */
  args(): string[];
  /** A line on stderr. */
  progress(line: string): void;
  readText(path: string): Promise<string>;
  writeText(path: string, text: string): Promise<void>;
}

/** The `Deno` members used. */
interface DenoNs {
  version: { deno: string; v8: string };
  args: string[];
  connect(o: { hostname: string; port: number }): Promise<DenoConn>;
  stderr: { writeSync(p: Uint8Array): number };
}
interface DenoConn {
  read(p: Uint8Array): Promise<number | null>;
  write(p: Uint8Array): Promise<number>;
  setNoDelay(on: boolean): void;
  close(): void;
}
/** The `net.Socket` members used. */
interface NodeSocket {
  setNoDelay(on: boolean): void;
  write(b: Uint8Array, cb: (err?: Error | null) => void): boolean;
  on(ev: "data", fn: (b: Uint8Array) => void): void;
  on(ev: "close" | "end", fn: () => void): void;
  on(ev: "error", fn: (e: Error) => void): void;
  once(ev: "connect", fn: () => void): void;
  once(ev: "error", fn: (e: Error) => void): void;
  removeAllListeners(ev: string): void;
  destroy(): void;
}
const netConnect = netConnectUntyped as unknown as (
  o: { host: string; port: number },
) => NodeSocket;

const deno = (globalThis as { Deno?: DenoNs }).Deno;
const encoder = new TextEncoder();

function cpuUs(): number {
  const c = process.cpuUsage();
  return c.user + c.system;
}

function denoHost(d: DenoNs): Host {
  return {
    runtime: "deno",
    version: d.version.deno,
    v8: d.version.v8,
    async rawConnect(port) {
      const conn = await d.connect({ hostname: "127.0.0.1", port });
      conn.setNoDelay(true);
      let closed = false;
      return {
        async write(bytes) {
          let off = 0;
          while (off < bytes.length) {
            off += await conn.write(off === 0 ? bytes : bytes.subarray(off));
          }
        },
        start(onData, onEnd) {
          (async () => {
            const buf = new Uint8Array(256 * 1024);
            try {
              for (;;) {
                const n = await conn.read(buf);
                if (n === null) break;
                onData(buf.subarray(0, n));
              }
              onEnd();
            } catch (err) {
              onEnd(closed ? undefined : err as Error);
            }
          })();
        },
        close() {
          if (closed) return;
          closed = true;
          try {
            conn.close();
          } catch {
            // already closed
          }
        },
      };
    },
    cpuUs,
    rss: () => process.memoryUsage.rss(),
    args: () => d.args,
    progress(line) {
      let b = encoder.encode(line + "\n");
      while (b.length > 0) b = b.subarray(d.stderr.writeSync(b));
    },
    readText: (p) => readFile(p, "utf8"),
    writeText: (p, t) => writeFile(p, t),
  };
}

function nodeHost(): Host {
  return {
    runtime: "node",
    version: process.versions.node,
    v8: process.versions.v8,
    rawConnect(port) {
      return new Promise<RawSocket>((resolve, reject) => {
        const s = netConnect({ host: "127.0.0.1", port });
        s.once("error", reject);
        s.once("connect", () => {
          s.removeAllListeners("error");
          s.setNoDelay(true);
          resolve({
            write: (bytes) =>
              new Promise<void>((res, rej) => {
                s.write(bytes, (err) => err ? rej(err) : res());
              }),
            start(onData, onEnd) {
              let ended = false;
              const end = (err?: Error) => {
                if (ended) return;
                ended = true;
                onEnd(err);
              };
              s.on("data", onData);
              s.on("end", () => end());
              s.on("close", () => end());
              s.on("error", (e) => end(e));
            },
            close: () => s.destroy(),
          });
        });
      });
    },
    cpuUs,
    rss: () => process.memoryUsage.rss(),
    args: () => process.argv.slice(2),
    progress: (line) => {
      process.stderr.write(line + "\n");
    },
    readText: (p) => readFile(p, "utf8"),
    writeText: (p, t) => writeFile(p, t),
  };
}

/** The host for the runtime this code runs in. */
export function currentHost(): Host {
  return deno !== undefined ? denoHost(deno) : nodeHost();
}

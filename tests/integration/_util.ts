// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * Shared helpers for the integration tests: deadline polling, bounded waits
 * (every timer is cleared), status-event waiters, message collectors and
 * `/connz` lookups. No helper sleeps to synchronize: waits end as soon as
 * the awaited condition holds.
 *
 * @module
 */
import type { Msg, NatsConnection, Status, Subscription } from "../../mod.ts";
import type { Json, NatsServer } from "../_helpers/nats_server.ts";

export const te: TextEncoder = new TextEncoder();
export const td: TextDecoder = new TextDecoder();

/**
 * Races `p` against a deadline; rejects with an Error naming `what` when the
 * deadline passes first. The timer is always cleared.
 */
export async function within<T>(
  p: Promise<T>,
  ms: number,
  what = "operation",
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not settle within ${ms} ms`)),
      ms,
    );
  });
  try {
    return await Promise.race([p, t]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves after `ms` (only for waits where elapsed time is what is tested). */
export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** `T` without its falsy members. */
export type Truthy<T> = Exclude<T, false | 0 | "" | null | undefined>;

/**
 * Deadline polling: calls `fn` until it returns a truthy value (returned),
 * or throws after `timeout` ms naming `what`.
 */
export async function waitFor<T>(
  fn: () => T | Promise<T>,
  what: string,
  timeout = 5_000,
  interval = 10,
): Promise<Truthy<T>> {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await fn();
    if (v) return v as Truthy<T>;
    if (Date.now() > end) {
      throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    }
    await delay(interval);
  }
}

/** Reads exactly `n` messages from an iterator-style subscription. */
export async function take(
  sub: Subscription,
  n: number,
  ms = 5_000,
): Promise<Msg[]> {
  const out: Msg[] = [];
  if (n === 0) return out;
  const it = sub[Symbol.asyncIterator]();
  const read = (async () => {
    while (out.length < n) {
      const r = await it.next();
      if (r.done) break;
      out.push(r.value);
    }
  })();
  await within(read, ms, `reading ${n} messages from ${sub.getSubject()}`);
  return out;
}

/** Reads an iterator-style subscription until it ends; returns what arrived. */
export async function drainIter(
  sub: Subscription,
  ms = 5_000,
): Promise<Msg[]> {
  const out: Msg[] = [];
  await within(
    (async () => {
      for await (const m of sub) out.push(m);
    })(),
    ms,
    `subscription ${sub.getSubject()} to end`,
  );
  return out;
}

/** A promise with its settle functions exposed. */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve: (v: T) => void;
  reject: (e: unknown) => void;
}

/** Creates a {@link Deferred}. */
export function deferred<T = void>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A status listener started before the action that should produce the event. */
export interface StatusWaiter {
  /** Resolves with the first matching event; rejects after the timeout. */
  promise: Promise<Status>;
  /** Every event seen so far. */
  seen: Status[];
  /** Stops listening (also done automatically when the promise settles). */
  stop: () => void;
}

/**
 * Starts iterating `nc.status()` now and resolves with the first event for
 * which `pred` is true. The iterator is always returned and the timer cleared.
 */
export function waitStatus(
  nc: NatsConnection,
  pred: (s: Status) => boolean,
  ms = 5_000,
): StatusWaiter {
  const it = nc.status()[Symbol.asyncIterator]();
  const seen: Status[] = [];
  let stopped = false;
  const stop = () => {
    if (!stopped) {
      stopped = true;
      it.return?.();
    }
  };
  const loop = (async () => {
    for (;;) {
      const r = await it.next();
      if (r.done) throw new Error("status iterator ended before the event");
      seen.push(r.value);
      if (pred(r.value)) return r.value;
    }
  })();
  const promise = within(loop, ms, "status event").finally(stop);
  // A waiter whose promise is never awaited must not become an unhandled rejection.
  promise.catch(() => {});
  return { promise, seen, stop };
}

/** A free loopback TCP port with nothing listening (bound then released). */
export function deadPort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** The `/connz` entries of `server` (with subscription lists when `subs`). */
export async function connections(
  server: NatsServer,
  subs = false,
): Promise<Json[]> {
  const c = await server.connz(subs ? { subs: true } : undefined);
  return (c.connections as Json[] | undefined) ?? [];
}

/** The `/connz` entry whose connection name is `name`, or undefined. */
export async function connByName(
  server: NatsServer,
  name: string,
  subs = false,
): Promise<Json | undefined> {
  return (await connections(server, subs)).find((c) => c.name === name);
}

/** A unique connection name, for finding a connection in `/connz`. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${crypto.randomUUID().slice(0, 8)}`;
}

/** Bytes of `n` pseudo-random values (any length; getRandomValues caps at 64 KiB). */
export function randomBytes(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let off = 0; off < n; off += 65_536) {
    crypto.getRandomValues(b.subarray(off, Math.min(n, off + 65_536)));
  }
  return b;
}

/** Milliseconds elapsed while `p` settles, and its outcome. */
export async function timed<T>(
  p: Promise<T>,
): Promise<{ ms: number; value?: T; error?: unknown }> {
  const start = performance.now();
  try {
    const value = await p;
    return { ms: performance.now() - start, value };
  } catch (error) {
    return { ms: performance.now() - start, error };
  }
}

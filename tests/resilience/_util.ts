// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * Helpers for the resilience suite: a status recorder that keeps every event
 * with its time (so a test can ask for an event that may already have
 * happened), subscription lookups in `/connz`, and numbered payloads.
 *
 * @module
 */
import type { NatsConnection, Status } from "../../mod.ts";
import type { Json, NatsServer } from "../_helpers/nats_server.ts";
import { connections } from "../integration/_util.ts";

export {
  connByName,
  connections,
  deadPort,
  deferred,
  delay,
  take,
  td,
  te,
  timed,
  uniqueName,
  waitFor,
  within,
} from "../integration/_util.ts";

/** A status event and when it was seen (performance.now()). */
export interface Seen {
  at: number;
  status: Status;
}

/**
 * Records every `nc.status()` event from now on. The loop ends by itself when
 * the connection closes (the iterator ends); {@link stop} ends it earlier.
 */
export class StatusLog {
  /** Every event so far, in order. */
  readonly events: Seen[] = [];
  readonly #it: AsyncIterator<Status>;
  readonly #loop: Promise<void>;
  #wake: (() => void)[] = [];
  #ended = false;

  constructor(nc: NatsConnection) {
    const it = nc.status()[Symbol.asyncIterator]();
    this.#it = it;
    this.#loop = (async () => {
      try {
        for (;;) {
          const r = await it.next();
          if (r.done) break;
          this.events.push({ at: performance.now(), status: r.value });
          this.#notify();
        }
      } finally {
        this.#ended = true;
        this.#notify();
      }
    })();
  }

  #notify(): void {
    const w = this.#wake;
    this.#wake = [];
    for (const f of w) f();
  }

  /** Events of one type. */
  of<T extends Status["type"]>(type: T): Extract<Status, { type: T }>[] {
    return this.events.filter((e) => e.status.type === type).map((e) =>
      e.status as Extract<Status, { type: T }>
    );
  }

  /** Events of one type, with their times. */
  timed<T extends Status["type"]>(type: T): { at: number; status: Extract<Status, { type: T }> }[] {
    return this.events.filter((e) => e.status.type === type) as {
      at: number;
      status: Extract<Status, { type: T }>;
    }[];
  }

  /** Types of every event so far, in order. */
  types(): string[] {
    return this.events.map((e) => e.status.type);
  }

  /**
   * Resolves with the first event at index `from` or later that matches
   * `pred`; rejects after `ms` naming `what`, or when the iterator ends first.
   */
  async wait(
    pred: (s: Status) => boolean,
    what: string,
    ms = 5_000,
    from = 0,
  ): Promise<Seen> {
    const end = performance.now() + ms;
    for (let i = from;;) {
      for (; i < this.events.length; i++) {
        if (pred(this.events[i].status)) return this.events[i];
      }
      if (this.#ended) {
        throw new Error(`status iterator ended before ${what}; seen: ${this.describe()}`);
      }
      const left = end - performance.now();
      if (left <= 0) {
        throw new Error(`no ${what} within ${ms} ms; seen: ${this.describe()}`);
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((r) => {
        this.#wake.push(r);
        timer = setTimeout(r, left);
      });
      clearTimeout(timer);
    }
  }

  /** Waits for the first event of `type` (from index `from`). */
  waitType<T extends Status["type"]>(
    type: T,
    ms = 5_000,
    from = 0,
  ): Promise<{ at: number; status: Extract<Status, { type: T }> }> {
    return this.wait((s) => s.type === type, `"${type}" status`, ms, from) as Promise<{
      at: number;
      status: Extract<Status, { type: T }>;
    }>;
  }

  /** A compact, printable summary of what was seen. */
  describe(): string {
    return JSON.stringify(this.events.map((e) => {
      const s = e.status as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(s)) {
        if (k === "sub") out.sub = (v as { getSubject(): string }).getSubject();
        else if (v instanceof Error) {
          out[k] = `${v.name}(${(v as { code?: string }).code}): ${v.message}`;
        } else out[k] = v;
      }
      return out;
    }));
  }

  /** Stops listening and awaits the loop. */
  async stop(): Promise<void> {
    await this.#it.return?.();
    await this.#loop;
  }
}

/** A subscription as listed by `/connz?subs=detail`. */
export interface ConnzSub {
  subject: string;
  qgroup?: string;
  sid: string;
  msgs: number;
  max?: number;
  cid: number;
}

/** The `/connz` entries named `name`, with subscription details. */
export async function connsNamed(server: NatsServer, name: string): Promise<Json[]> {
  const c = await server.connz({ subs: "detail" });
  return ((c.connections as Json[] | undefined) ?? []).filter((x) => x.name === name);
}

/** The subscriptions of the only connection named `name` (throws if there is not exactly one). */
export async function subsOf(server: NatsServer, name: string): Promise<ConnzSub[]> {
  const cs = await connsNamed(server, name);
  if (cs.length !== 1) {
    throw new Error(`expected one connection named ${name}, found ${cs.length}`);
  }
  return (cs[0].subscriptions_list_detail as ConnzSub[] | undefined) ?? [];
}

/** How many client connections the server has. */
export async function clientCount(server: NatsServer): Promise<number> {
  return (await connections(server)).length;
}

/** `[0, 1, ..., n-1]`. */
export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** The first index where `a` and `b` differ, for readable failures on long sequences. */
export function firstDiff(a: readonly unknown[], b: readonly unknown[]): string {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) {
      return `index ${i}: got ${String(a[i])}, expected ${String(b[i])} ` +
        `(lengths ${a.length} vs ${b.length})`;
    }
  }
  return "equal";
}

/** `127.0.0.1:<port>`, as status events name servers. */
export function hostport(port: number): string {
  return `127.0.0.1:${port}`;
}

/** Everything observable about a value, as text: messages, causes, own fields, stacks. */
export function dump(v: unknown, depth = 0): string {
  if (depth > 6) return "";
  if (v instanceof Error) {
    const parts = [v.name, v.message, v.stack ?? "", Deno.inspect(v, { depth: 8 })];
    for (const [k, x] of Object.entries(v)) parts.push(k, dump(x, depth + 1));
    if (v.cause !== undefined) parts.push(dump(v.cause, depth + 1));
    return parts.join("\n");
  }
  if (v !== null && typeof v === "object") {
    const parts = [Deno.inspect(v, { depth: 8 })];
    for (const [k, x] of Object.entries(v)) parts.push(k, dump(x, depth + 1));
    return parts.join("\n");
  }
  return String(v);
}

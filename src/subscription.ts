// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * Subscriptions: one delivery path with two consumers, a callback fast path
 * (no promise per message) and an async iterator.
 *
 * @module
 */
import { TimeoutError } from "./errors.ts";
import type { MsgImpl } from "./msg.ts";
import type { Msg, MsgCallback, Subscription } from "./types.ts";

/** Default iterator backlog limit in messages (as nats.go). */
export const DEFAULT_PENDING_MSGS = 512 * 1024;
/** Default iterator backlog limit in bytes (as nats.go). */
export const DEFAULT_PENDING_BYTES = 64 * 1024 * 1024;

function limit(name: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (v === -1) return Infinity;
  if (!Number.isInteger(v) || v <= 0) {
    throw new TypeError(`${name} must be a positive integer or -1, got ${v}`);
  }
  return v;
}

/** What a subscription needs from its connection. */
export interface SubscriptionHost {
  /**
   * Sends UNSUB (with an optional max). Without a max the sid is forgotten at
   * once, unless `keepRouting` (drain): messages already in flight must still
   * reach the subscription until `forget()`.
   */
  unsub(sub: SubscriptionImpl, max?: number, keepRouting?: boolean): void;
  /** Stops routing messages to the subscription. */
  forget(sub: SubscriptionImpl): void;
  /** Resolves when everything sent so far has been processed by the server. */
  flush(): Promise<void>;
  /** Reports an error thrown by a user callback. */
  callbackError(sub: SubscriptionImpl, err: unknown): void;
  /** Reports the start of a slow-consumer episode (once per episode). */
  slowConsumer(sub: SubscriptionImpl, pending: number): void;
}

/** Internal implementation of {@link Subscription}. */
export class SubscriptionImpl implements Subscription {
  /** Subscription id (unique per connection, kept across reconnects). */
  readonly sid: number;
  /** Subject subscribed to. */
  readonly subject: string;
  /** Queue group, or undefined. */
  readonly queue: string | undefined;
  /** Auto-unsubscribe limit (total messages since subscribe). */
  max: number | undefined;
  /** Messages received. */
  received = 0;
  /** Messages handed to the user. */
  processed = 0;
  /** Callback consumer, if any. */
  readonly callback: MsgCallback<Msg> | undefined;
  /** Internal consumer used by the request mux; bypasses counting of processed. */
  readonly internal: ((msg: MsgImpl) => void) | undefined;
  /** Resolves when the subscription ends, with the error that ended it, if any. */
  readonly closed: Promise<void | Error>;

  #host: SubscriptionHost;
  #queue: Msg[] = [];
  #head = 0;
  #wake: (() => void) | null = null;
  #done = false;
  #draining = false;
  #error: Error | undefined;
  #resolveClosed!: (v: void | Error) => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #pendingBytes = 0;
  #maxMsgs: number;
  #maxBytes: number;
  #dropped = 0;
  #slow = false;

  /**
   * @param host the owning connection
   * @param sid subscription id
   * @param subject subject
   * @param opts queue, max, timeout, callback or internal consumer
   */
  constructor(
    host: SubscriptionHost,
    sid: number,
    subject: string,
    opts: {
      queue?: string;
      max?: number;
      timeout?: number;
      callback?: MsgCallback<Msg>;
      internal?: (msg: MsgImpl) => void;
      pendingMsgsLimit?: number;
      pendingBytesLimit?: number;
    },
  ) {
    this.#host = host;
    this.sid = sid;
    this.subject = subject;
    this.queue = opts.queue;
    this.max = opts.max;
    this.callback = opts.callback;
    this.internal = opts.internal;
    this.closed = new Promise<void | Error>((r) => this.#resolveClosed = r);
    this.#maxMsgs = limit("pendingMsgsLimit", opts.pendingMsgsLimit, DEFAULT_PENDING_MSGS);
    this.#maxBytes = limit("pendingBytesLimit", opts.pendingBytesLimit, DEFAULT_PENDING_BYTES);
    if (opts.timeout !== undefined && opts.timeout > 0) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        if (this.received === 0 && !this.#done) {
          this.#host.unsub(this);
          this.close(
            new TimeoutError(
              `subscription to "${subject}" received nothing within ${opts.timeout} ms`,
            ),
          );
        }
      }, opts.timeout);
    }
  }

  /** Hands one message to the consumer. Called by the connection's read path. */
  deliver(msg: MsgImpl): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.internal !== undefined) {
      this.internal(msg);
      return;
    }
    const cb = this.callback;
    if (cb !== undefined) {
      this.processed++;
      try {
        cb(null, msg);
      } catch (err) {
        this.#host.callbackError(this, err);
      }
      return;
    }
    const pending = this.#queue.length - this.#head;
    const size = msg.data.length;
    if (pending >= this.#maxMsgs || this.#pendingBytes + size > this.#maxBytes) {
      // Over the limits: drop, count, and report once per episode. Memory
      // stays bounded however far behind the reader is.
      this.#dropped++;
      if (!this.#slow) {
        this.#slow = true;
        this.#host.slowConsumer(this, pending);
      }
      return;
    }
    this.#pendingBytes += size;
    this.#queue.push(msg);
    const w = this.#wake;
    if (w !== null) {
      this.#wake = null;
      w();
    }
  }

  /**
   * Ends the subscription. Messages still queued are delivered to the
   * iterator only when `keepQueued` (drain); otherwise they are dropped.
   */
  close(err?: Error, keepQueued = false): void {
    if (this.#done) return;
    this.#done = true;
    this.#error = err;
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (!keepQueued) {
      this.#queue = [];
      this.#head = 0;
      this.#pendingBytes = 0;
    }
    if (err !== undefined && this.callback !== undefined) {
      try {
        this.callback(err, undefined as unknown as Msg);
      } catch (e) {
        this.#host.callbackError(this, e);
      }
    }
    const w = this.#wake;
    if (w !== null) {
      this.#wake = null;
      w();
    }
    this.#resolveClosed(err);
  }

  /** The error the subscription ended with, if any. */
  get error(): Error | undefined {
    return this.#error;
  }

  /** Subscription id. */
  getID(): number {
    return this.sid;
  }
  /** Subject subscribed to. */
  getSubject(): string {
    return this.subject;
  }
  /** Messages received. */
  getReceived(): number {
    return this.received;
  }
  /** Messages handed to the user. */
  getProcessed(): number {
    return this.processed;
  }
  /** Messages queued for the iterator. */
  getPending(): number {
    return this.#queue.length - this.#head;
  }
  /** Messages dropped for being over the pending limits. */
  getDropped(): number {
    return this.#dropped;
  }
  /** Auto-unsubscribe limit. */
  getMax(): number | undefined {
    return this.max;
  }
  /** True once ended. */
  isClosed(): boolean {
    return this.#done;
  }
  /** True while draining. */
  isDraining(): boolean {
    return this.#draining;
  }

  /** Stops delivery now, or after `max` messages in total. */
  unsubscribe(max?: number): void {
    if (this.#done) return;
    if (max !== undefined) {
      if (!Number.isInteger(max) || max < 0) {
        throw new TypeError(
          `unsubscribe max must be a non-negative integer, got ${max}`,
        );
      }
      if (max > this.received) {
        this.max = max;
        this.#host.unsub(this, max);
        return;
      }
    }
    this.#host.unsub(this);
    this.close();
  }

  /** Stops interest, waits for in-flight messages, delivers them, then closes. */
  async drain(): Promise<void> {
    if (this.#done) return;
    if (!this.#draining) {
      this.#draining = true;
      this.#host.unsub(this, undefined, true);
      try {
        // Everything published before the server saw our UNSUB arrives before this PONG.
        await this.#host.flush();
      } catch {
        // The connection closed meanwhile; what arrived is still delivered.
      }
      this.#host.forget(this);
      this.close(undefined, true);
    }
    await this.closed;
  }

  /** Same as `unsubscribe()`. */
  [Symbol.dispose](): void {
    this.unsubscribe();
  }

  /** Async iterator over messages (not available with a callback). */
  [Symbol.asyncIterator](): AsyncIterator<Msg> {
    if (this.callback !== undefined || this.internal !== undefined) {
      throw new TypeError("a subscription with a callback cannot be iterated");
    }
    return {
      next: async (): Promise<IteratorResult<Msg>> => {
        while (true) {
          if (this.#head < this.#queue.length) {
            const m = this.#queue[this.#head];
            this.#queue[this.#head++] = undefined as unknown as Msg;
            this.#pendingBytes -= m.data.length;
            // The episode ends once the reader has caught up to half the limit.
            if (this.#slow && this.#queue.length - this.#head <= this.#maxMsgs / 2) {
              this.#slow = false;
            }
            if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
              this.#queue = this.#queue.slice(this.#head);
              this.#head = 0;
            }
            this.processed++;
            return { value: m, done: false };
          }
          if (this.#done) {
            const err = this.#error;
            if (err !== undefined) {
              this.#error = undefined;
              throw err;
            }
            return { value: undefined, done: true };
          }
          await new Promise<void>((r) => this.#wake = r);
        }
      },
      return: (): Promise<IteratorResult<Msg>> => {
        // Breaking out of `for await` ends the subscription.
        this.unsubscribe();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}

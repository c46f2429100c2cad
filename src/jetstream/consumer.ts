// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * Pull consumers: `next()`, `fetch()` and `consume()` over one inbox
 * subscription per call.
 *
 * The engine ({@link PullMessagesImpl}) keeps two counts per limit: what the
 * server still owes on open pulls ("outstanding") and what was received but
 * not yet handed to the application ("buffered"). `consume()` pulls again
 * when their sum falls to the threshold, so an iterator that is read slowly
 * never makes the client buffer more than `max_messages`. Statuses that
 * carry `Nats-Pending-Messages`/`-Bytes` (408 at expiry, 409 max bytes)
 * give back what a pull left unfilled. Any traffic on the inbox counts as a
 * heartbeat; two silent heartbeat intervals while a pull is open mean the
 * pull was lost, and consume pulls again from scratch. Reconnects do the
 * same. The callback style hands each message to the callback on the read
 * path: no promise per message.
 *
 * @module
 */
import { Channel } from "../_channel.ts";
import type { NatsConnection } from "../connection.ts";
import type { MsgImpl } from "../msg.ts";
import type { Msg, Status, Subscription } from "../types.ts";
import { BaseApi, type ResolvedJsOptions } from "./_api.ts";
import { type ConsumerInfo, JsHeaders, nanos } from "./api_types.ts";
import {
  ConsumerNotFoundError,
  JetStreamError,
  JetStreamStatusError,
  StreamNotFoundError,
} from "./errors.ts";
import { type AckContext, JsMsgImpl, versionAtLeast } from "./jsmsg.ts";
import type {
  ConsumeOptions,
  Consumer,
  ConsumerCallbackFn,
  ConsumerMessages,
  ConsumerNotification,
  FetchOptions,
  JsMsg,
  NextOptions,
} from "./types.ts";

/** Default messages per pull. */
const DEFAULT_BATCH = 100;
/** Default pull expiry (ms). */
const DEFAULT_EXPIRES = 30_000;
/** Shortest consume() expiry (ms). */
const MIN_CONSUME_EXPIRES = 1_000;
/** Batch size of pulls limited by bytes only (batch 0 would mean 1). */
const BYTES_ONLY_BATCH = 1_000_000;
/** Extra time the client waits for a fetch after its expiry (ms). */
const FETCH_GRACE = 1_000;
/** Client-side limit of a `no_wait` fetch sent without `expires` (ms). */
const NO_WAIT_TIMEOUT = 5_000;
/**
 * A fetch that has heard nothing after this long (ms) checks that its
 * consumer exists: nats-server drops a pull for a missing consumer without
 * any reply, so this is how fetch/next fail promptly instead of at expires.
 */
const PROBE_AFTER = 1_000;
/** First pause before retrying after trouble (ms); doubles up to {@link MAX_RETRY}. */
const FIRST_RETRY = 250;
const MAX_RETRY = 5_000;
/** Notifications kept for a status iterator that is not read. */
const NOTIFY_BACKLOG = 256;

/** Whether a message is accepted, dropped, or shows a gap (ordered consumers). */
export type Verdict = 0 | 1 | 2;
/** Hand the message over. */
export const ACCEPT: Verdict = 0;
/** Drop it silently. */
export const DROP: Verdict = 1;
/** Drop it and reset (sequence gap). */
export const GAP: Verdict = 2;

/** Pull-size limits of a consumer (0: none). */
export interface PullLimitsCfg {
  /** `max_batch` */
  maxBatch: number;
  /** `max_expires` in ms */
  maxExpires: number;
  /** `max_bytes` */
  maxBytes: number;
}

/** What the pull engine needs from its consumer. */
export interface PullHost {
  /** The connection. */
  readonly nc: NatsConnection;
  /** Stream name. */
  readonly stream: string;
  /** Current consumer name. */
  readonly name: string;
  /** Ack context for the messages. */
  readonly ack: AckContext;
  /** Current pull-size limits. */
  limits(): PullLimitsCfg;
  /** The `MSG.NEXT` subject of the current consumer. */
  pullSubject(): string;
  /** Ordered consumers: checks each message's place in the sequence. */
  accept?(m: JsMsgImpl): Verdict;
  /**
   * Ordered consumers: recreates the server-side consumer; resolves when
   * pulling may resume. Rejects only when the engine should stop.
   */
  reset?(reason: string, stopped: () => boolean, retry?: boolean): Promise<void>;
  /** Fetches fresh consumer info (for missing-resource checks and limits). */
  refresh(): Promise<ConsumerInfo>;
  /** Called once when the engine stops. */
  onStop?(): void;
}

/** Reads limits from a consumer config. */
export function limitsOf(ci: ConsumerInfo | undefined): PullLimitsCfg {
  const c = ci?.config;
  return {
    maxBatch: c?.max_batch ?? 0,
    maxExpires: c?.max_expires ? Math.floor(c.max_expires / 1_000_000) : 0,
    maxBytes: c?.max_bytes ?? 0,
  };
}

/** Engine settings. */
export interface EngineOptions {
  /** `fetch` ends after one batch; `consume` runs until stopped. */
  mode: "fetch" | "consume";
  /** Messages per pull. */
  batch: number;
  /** Bytes per pull (0: not limited by bytes). */
  maxBytes: number;
  /** Pull expiry in ms. */
  expires: number;
  /** Heartbeat interval in ms (0: none). */
  hb: number;
  /** Pull again at or below this many messages (consume). */
  thresholdMessages: number;
  /** Pull again at or below this many bytes (consume, bytes mode). */
  thresholdBytes: number;
  /** `no_wait` pulls (fetch). */
  noWait: boolean;
  /** Callback style. */
  callback?: ConsumerCallbackFn;
  /** Stop when the consumer or stream is missing. */
  abortOnMissing: boolean;
  /** Abort signal. */
  signal?: AbortSignal;
}

function lower(s: string): string {
  return s.toLowerCase();
}

/** Internal implementation of {@link ConsumerMessages}: the pull engine. */
export class PullMessagesImpl implements ConsumerMessages {
  #host: PullHost;
  #o: EngineOptions;
  #sub: Subscription | null = null;
  #inbox = "";
  // counts
  #outMsgs = 0;
  #outBytes = 0;
  #bufMsgs = 0;
  #bufBytes = 0;
  #got = 0;
  #gotBytes = 0;
  #received = 0;
  #processed = 0;
  #lastPull = 0;
  #exceededCount = 0;
  // iterator queue
  #queue: JsMsgImpl[] = [];
  #head = 0;
  #wake: (() => void) | null = null;
  #stopped = false;
  #ended = false;
  #error: Error | undefined;
  #closed: Promise<void | Error>;
  #resolveClosed!: (v: void | Error) => void;
  // timers and state
  #hbTimer: ReturnType<typeof setInterval> | undefined;
  #fetchTimer: ReturnType<typeof setTimeout> | undefined;
  #probeTimer: ReturnType<typeof setTimeout> | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #retryDelay = FIRST_RETRY;
  #seen = false;
  #missed = 0;
  #disconnected = false;
  #paused = false;
  #statusIt: AsyncIterator<Status> | null = null;
  #listeners = new Set<Channel<ConsumerNotification>>();
  #bytesMode: boolean;
  #onAbort: (() => void) | undefined;
  #missingCount = 0;

  /**
   * @param host the consumer
   * @param o settings (already validated)
   */
  constructor(host: PullHost, o: EngineOptions) {
    this.#host = host;
    this.#o = o;
    this.#bytesMode = o.maxBytes > 0;
    this.#closed = new Promise((r) => this.#resolveClosed = r);
  }

  /** Subscribes, sends the first pull and starts the timers. */
  start(): void {
    const o = this.#o;
    if (o.signal !== undefined) {
      if (o.signal.aborted) {
        this.stop(abortReason(o.signal));
        return;
      }
      this.#onAbort = () => this.stop(abortReason(o.signal!));
      o.signal.addEventListener("abort", this.#onAbort, { once: true });
    }
    this.#subscribe();
    if (o.hb > 0) this.#hbTimer = setInterval(this.#tick, o.hb);
    if (o.mode === "fetch") {
      const limit = o.expires > 0 ? o.expires + FETCH_GRACE : NO_WAIT_TIMEOUT;
      this.#fetchTimer = setTimeout(() => this.stop(), limit);
      const probe = o.expires > 0 ? Math.min(PROBE_AFTER, o.expires / 2) : PROBE_AFTER;
      this.#probeTimer = setTimeout(this.#probe, probe);
    }
    if (o.mode === "consume" || o.hb > 0) this.#watchConnection();
    this.#pull(o.batch, o.maxBytes);
  }

  // ---------------------------------------------------------------- inbox

  #subscribe(): void {
    const old = this.#sub;
    this.#inbox = this.#host.nc.createInbox();
    this.#sub = this.#host.nc.subscribe(this.#inbox, { callback: this.#onMsg });
    const sub = this.#sub;
    sub.closed.then((err) => {
      // The connection closed (or the server refused the subscription).
      if (this.#sub === sub && !this.#stopped) this.stop(err ?? undefined);
    });
    old?.unsubscribe();
  }

  #onMsg = (err: Error | null, msg: Msg): void => {
    if (err !== null) {
      this.stop(err);
      return;
    }
    if (this.#stopped) return;
    this.#seen = true;
    if (this.#probeTimer !== undefined) {
      clearTimeout(this.#probeTimer);
      this.#probeTimer = undefined;
    }
    const m = msg as MsgImpl;
    const code = m.statusCode;
    if (code === 0 && m.reply !== "") this.#onUser(m);
    else this.#onStatus(m, code);
  };

  #onUser(m: MsgImpl): void {
    this.#received++;
    const jm = new JsMsgImpl(m, this.#host.ack);
    const host = this.#host;
    if (host.accept !== undefined) {
      const v = host.accept(jm);
      if (v !== ACCEPT) {
        if (v === GAP) this.#trouble("a gap in the consumer sequence");
        return;
      }
    }
    const size = this.#bytesMode ? sizeOf(m) : 0;
    if (this.#retryDelay !== FIRST_RETRY) this.#retryDelay = FIRST_RETRY;
    if (this.#outMsgs > 0) this.#outMsgs--;
    this.#outBytes = Math.max(0, this.#outBytes - size);
    const o = this.#o;
    if (o.mode === "fetch") {
      this.#got++;
      this.#gotBytes += size;
      this.#deliver(jm, size);
      if (this.#got >= o.batch || (this.#bytesMode && this.#gotBytes >= o.maxBytes)) {
        this.stop();
      }
      return;
    }
    this.#deliver(jm, size);
  }

  #deliver(jm: JsMsgImpl, size: number): void {
    const cb = this.#o.callback;
    if (cb !== undefined) {
      this.#processed++;
      this.#checkPull();
      cb(jm);
      return;
    }
    jm._size = size;
    this.#queue.push(jm);
    this.#bufMsgs++;
    this.#bufBytes += size;
    const w = this.#wake;
    if (w !== null) {
      this.#wake = null;
      w();
    }
  }

  #onStatus(m: MsgImpl, code: number): void {
    const h = m.headers;
    const desc = h?.description ?? "";
    const d = lower(desc);
    const fetch = this.#o.mode === "fetch";
    switch (code) {
      case 100: {
        // Idle heartbeat or flow control: answer a stalled or flow-control request.
        const stalled = h?.get(JsHeaders.ConsumerStalledHdr) ?? "";
        if (stalled !== "") this.#host.nc.publish(stalled);
        else if (m.reply !== "") this.#host.nc.publish(m.reply);
        if (this.#listeners.size > 0 && h !== undefined) {
          this.#notify({
            type: "heartbeat",
            lastConsumerSequence: Number(h.get(JsHeaders.LastConsumerSeqHdr) || 0),
            lastStreamSequence: Number(h.get(JsHeaders.LastStreamSeqHdr) || 0),
          });
        }
        return;
      }
      case 404:
      case 408:
        if (fetch) {
          this.stop();
          return;
        }
        this.#giveBack(h, desc);
        this.#checkPull();
        return;
      case 409:
        if (d.startsWith("message size exceeds maxbytes") || d.startsWith("batch completed")) {
          if (fetch) {
            this.stop();
            return;
          }
          const left = Number(h?.get(JsHeaders.PendingBytesHdr) || 0);
          if (d.startsWith("message size") && this.#bytesMode && left >= this.#o.maxBytes) {
            // A full-size pull got nothing: the next message can never fit.
            this.stop(
              new JetStreamStatusError(
                `consumer "${this.#host.name}": the next message is larger than max_bytes ` +
                  `(${this.#o.maxBytes}); consume() with a larger max_bytes (${code} ${desc})`,
                code,
                desc,
              ),
            );
            return;
          }
          this.#giveBack(h, desc);
          this.#checkPull();
          return;
        }
        if (d.startsWith("consumer deleted")) {
          this.#notify({
            type: "consumer_deleted",
            code,
            description: desc,
            reason: `consumer "${this.#host.name}" on stream "${this.#host.stream}" was deleted ` +
              `while a pull waited (${code} ${desc})`,
          });
          const err = new JetStreamStatusError(
            `consumer "${this.#host.name}" on stream "${this.#host.stream}" was deleted ` +
              `while the pull waited (409 ${desc})`,
            code,
            desc,
          );
          if (fetch) this.stop(err);
          else this.#trouble("the consumer was deleted", true);
          return;
        }
        if (d.startsWith("consumer is push based")) {
          this.stop(
            new JetStreamStatusError(
              `consumer "${this.#host.name}" is a push consumer: it cannot be pulled (409 ${desc})`,
              code,
              desc,
            ),
          );
          return;
        }
        if (d.startsWith("exceeded max")) {
          this.#notify({
            type: "exceeded_limits",
            code,
            description: desc,
            reason: `the server refused a pull: ${desc} (${code}); pulls are resized to the ` +
              `consumer's limits`,
          });
          const err = new JetStreamStatusError(
            `pull refused by consumer "${this.#host.name}": ${desc} (409)`,
            code,
            desc,
          );
          if (fetch) {
            this.stop(err);
            return;
          }
          this.#onExceeded(err, d.startsWith("exceeded maxwaiting"));
          return;
        }
        if (d.startsWith("leadership change")) {
          if (fetch) {
            this.stop();
            return;
          }
          this.#notify({ type: "debug", code, description: desc });
          this.#outMsgs = 0;
          this.#outBytes = 0;
          this.#checkPull();
          return;
        }
        break;
      case 400:
        this.stop(
          new JetStreamStatusError(
            `pull refused by consumer "${this.#host.name}": ${desc} (400)`,
            code,
            desc,
          ),
        );
        return;
      case 503:
        this.#notify({
          type: "no_responders",
          code,
          reason: `nothing answered the pull for consumer "${this.#host.name}" (503): the ` +
            `consumer, its stream or JetStream is not there`,
        });
        if (fetch) {
          this.#stopWithLookup();
        } else {
          this.#trouble("nothing answered the pull (503)", true);
        }
        return;
    }
    // Unknown status: an error for fetch, a note for consume.
    if (fetch) {
      this.stop(
        new JetStreamStatusError(`unexpected status ${code} ${desc} on a pull`, code, desc),
      );
    } else {
      this.#notify({ type: "debug", code, description: desc });
    }
  }

  /** Subtracts what a finished pull left unfilled. */
  #giveBack(h: Msg["headers"], desc: string): void {
    const msgs = h?.get(JsHeaders.PendingMessagesHdr) ?? "";
    const bytes = h?.get(JsHeaders.PendingBytesHdr) ?? "";
    if (msgs === "" && bytes === "") {
      // A server without pending headers: assume nothing is outstanding.
      this.#outMsgs = 0;
      this.#outBytes = 0;
      if (desc !== "") this.#notify({ type: "debug", code: 408, description: desc });
      return;
    }
    const m = Number(msgs) || 0;
    const b = Number(bytes) || 0;
    this.#outMsgs = Math.max(0, this.#outMsgs - m);
    this.#outBytes = Math.max(0, this.#outBytes - b);
    if (this.#listeners.size > 0) {
      this.#notify({ type: "discard", messagesLeft: m, bytesLeft: b });
    }
  }

  /** A 409 Exceeded...: refresh the limits and pull once more, smaller; stop if it repeats. */
  #onExceeded(err: JetStreamStatusError, maxWaiting: boolean): void {
    if (maxWaiting) {
      // The newest pull was turned away; try again later.
      this.#outMsgs = Math.max(0, this.#outMsgs - this.#lastPull);
      this.#retryLater();
      return;
    }
    if (++this.#exceededCount > 1) {
      this.stop(err);
      return;
    }
    this.#outMsgs = 0;
    this.#outBytes = 0;
    this.#paused = true;
    this.#host.refresh().then(
      () => {
        this.#paused = false;
        this.#checkPull();
      },
      () => {
        this.#paused = false;
        this.#retryLater();
      },
    );
  }

  // ----------------------------------------------------------------- pulls

  #checkPull(): void {
    if (this.#o.mode !== "consume" || this.#stopped || this.#disconnected || this.#paused) return;
    const o = this.#o;
    if (this.#bytesMode) {
      const have = this.#outBytes + this.#bufBytes;
      if (have <= o.thresholdBytes) this.#pull(o.batch, o.maxBytes - have);
    } else {
      const have = this.#outMsgs + this.#bufMsgs;
      if (have <= o.thresholdMessages) this.#pull(o.batch - have, 0);
    }
  }

  #pull(batch: number, maxBytes: number): void {
    if (this.#stopped) return;
    const o = this.#o;
    const lim = this.#host.limits();
    if (lim.maxBatch > 0 && batch > lim.maxBatch) batch = lim.maxBatch;
    if (lim.maxBytes > 0 && maxBytes > lim.maxBytes) maxBytes = lim.maxBytes;
    let expires = o.expires;
    if (lim.maxExpires > 0 && expires > lim.maxExpires) expires = lim.maxExpires;
    let hb = o.hb;
    if (hb > 0 && hb * 2 > expires) hb = Math.floor(expires / 2);
    if (batch <= 0) return;
    const body: {
      batch: number;
      expires?: number;
      max_bytes?: number;
      idle_heartbeat?: number;
      no_wait?: boolean;
    } = {
      batch,
    };
    if (expires > 0) body.expires = nanos(expires);
    if (maxBytes > 0) body.max_bytes = maxBytes;
    if (hb > 0 && expires > 0) body.idle_heartbeat = nanos(hb);
    if (o.noWait) body.no_wait = true;
    try {
      this.#host.nc.publish(this.#host.pullSubject(), JSON.stringify(body), {
        reply: this.#inbox,
      });
    } catch (err) {
      this.stop(err as Error);
      return;
    }
    this.#lastPull = batch;
    this.#outMsgs += batch;
    this.#outBytes += maxBytes;
    if (this.#listeners.size > 0) this.#notify({ type: "next", options: body });
  }

  // ------------------------------------------------------ heartbeats, trouble

  #tick = (): void => {
    if (this.#stopped || this.#disconnected || this.#paused) return;
    if (this.#seen) {
      this.#seen = false;
      this.#missed = 0;
      return;
    }
    // Heartbeats only come while a pull is open at the server.
    if (this.#outMsgs === 0 && this.#outBytes === 0) return;
    if (++this.#missed < 2) return;
    this.#notify({
      type: "heartbeats_missed",
      count: this.#missed,
      reason: `no heartbeat from the server for ${this.#missed * this.#o.hb} ms ` +
        `(${this.#missed} missed): the pull was lost or the server is unreachable` +
        (this.#o.mode === "consume" ? "; checking the consumer and pulling again" : ""),
    });
    if (this.#o.mode === "fetch") {
      this.stop(
        new JetStreamError(
          `fetch from consumer "${this.#host.name}" on stream "${this.#host.stream}" ended: ` +
            `no heartbeat for ${
              this.#missed * this.#o.hb
            } ms (the pull was lost, or the server is gone)`,
        ),
      );
      return;
    }
    this.#missed = 0;
    this.#trouble("missed heartbeats", true);
  };

  /**
   * Something went wrong with the open pulls: ordered consumers recreate
   * themselves; others pull again, after checking that the consumer exists
   * when `lookup` is set.
   */
  #trouble(reason: string, lookup = false): void {
    if (this.#stopped || this.#paused) return;
    this.#outMsgs = 0;
    this.#outBytes = 0;
    const host = this.#host;
    if (host.reset !== undefined) {
      this.#paused = true;
      // Stale messages of the old consumer go to the old inbox and are dropped.
      this.#subscribe();
      host.reset(reason, () => this.#stopped).then(
        () => {
          this.#paused = false;
          this.#retryDelay = FIRST_RETRY;
          if (this.#stopped) return;
          this.#notify({
            type: "ordered_consumer_recreated",
            name: host.name,
            reason: `${reason}: recreated the ordered consumer as "${host.name}", ` +
              `resuming after the last message delivered`,
          });
          if (this.#o.mode === "consume") {
            this.#checkPull();
          } else {
            // The fetch goes on with the new consumer for what is left of the batch.
            const o = this.#o;
            const bytesLeft = this.#bytesMode ? Math.max(1, o.maxBytes - this.#gotBytes) : 0;
            this.#pull(o.batch - this.#got, bytesLeft);
          }
        },
        (err) => this.stop(err),
      );
      return;
    }
    if (!lookup) {
      this.#checkPull();
      return;
    }
    this.#paused = true;
    host.refresh().then(
      () => {
        // The consumer exists: the trouble was transient (JetStream starting up).
        this.#missingCount = 0;
        this.#paused = false;
        this.#retryLater();
      },
      (err) => {
        this.#paused = false;
        if (err instanceof ConsumerNotFoundError) {
          this.#notify({
            type: "consumer_not_found",
            reason: `consumer "${host.name}" was not found on stream "${host.stream}"` +
              (this.#o.abortOnMissing ? "; stopping" : "; retrying until it is back"),
            name: host.name,
            stream: host.stream,
            count: ++this.#missingCount,
          });
        } else if (err instanceof StreamNotFoundError) {
          this.#notify({
            type: "stream_not_found",
            name: host.stream,
            reason: `stream "${host.stream}" was not found` +
              (this.#o.abortOnMissing ? "; stopping" : "; retrying until it is back"),
          });
        }
        const missing = err instanceof ConsumerNotFoundError || err instanceof StreamNotFoundError;
        if (missing && this.#o.abortOnMissing) {
          this.stop(err);
          return;
        }
        this.#retryLater();
      },
    );
  }

  #retryLater(): void {
    if (this.#stopped || this.#retryTimer !== undefined) return;
    const d = this.#retryDelay;
    this.#retryDelay = Math.min(MAX_RETRY, d * 2);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#outMsgs = 0;
      this.#outBytes = 0;
      this.#exceededCount = 0;
      this.#checkPull();
    }, d);
  }

  /** Nothing heard yet on a fetch: fail at once if the consumer or its stream is gone. */
  #probe = (): void => {
    this.#probeTimer = undefined;
    if (this.#stopped) return;
    this.#host.refresh().then(
      () => {},
      (err) => {
        if (err instanceof ConsumerNotFoundError && this.#host.reset !== undefined) {
          // An ordered consumer replaces a lost consumer instead of failing.
          this.#trouble("the consumer is gone");
        } else if (err instanceof ConsumerNotFoundError || err instanceof StreamNotFoundError) {
          this.stop(err);
        }
      },
    );
  };

  /** 503 on a fetch: find out what is missing, then fail with that. */
  #stopWithLookup(): void {
    this.#paused = true;
    const host = this.#host;
    const fallback = new JetStreamError(
      `pull from consumer "${host.name}" on stream "${host.stream}": nothing answered (503 no responders)`,
    );
    host.refresh().then(
      () => this.stop(fallback),
      (err) => this.stop(err instanceof JetStreamError ? err : fallback),
    );
  }

  #watchConnection(): void {
    const it = this.#host.nc.status()[Symbol.asyncIterator]();
    this.#statusIt = it;
    (async () => {
      for (;;) {
        const r = await it.next();
        if (r.done || this.#stopped) return;
        const s = r.value;
        if (s.type === "disconnect") {
          this.#disconnected = true;
          if (this.#o.mode === "fetch") this.stop();
        } else if (s.type === "reconnect") {
          this.#disconnected = false;
          this.#seen = true;
          this.#missed = 0;
          this.#notify({
            type: "reset",
            name: this.#host.name,
            reason: `reconnected to ${s.server}: pulling again`,
          });
          this.#trouble("reconnected");
        }
      }
    })().catch(() => {});
  }

  // ----------------------------------------------------------- notifications

  #notify(n: ConsumerNotification): void {
    for (const l of this.#listeners) l.push(n);
  }

  /** Notifications from now on. */
  status(): AsyncIterable<ConsumerNotification> {
    const q = new Channel<ConsumerNotification>(NOTIFY_BACKLOG, this.#listeners);
    if (this.#stopped) q.end();
    else this.#listeners.add(q);
    return q;
  }

  // --------------------------------------------------------------- lifecycle

  /** Stops pulling; buffered messages are still yielded, then the iterator ends. */
  stop(err?: Error): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#error = err;
    clearInterval(this.#hbTimer);
    clearTimeout(this.#fetchTimer);
    clearTimeout(this.#probeTimer);
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    if (this.#onAbort !== undefined) {
      this.#o.signal?.removeEventListener("abort", this.#onAbort);
    }
    const sub = this.#sub;
    this.#sub = null;
    if (sub !== null && !sub.isClosed()) {
      try {
        sub.unsubscribe();
      } catch {
        // the connection is closed
      }
    }
    this.#statusIt?.return?.();
    this.#host.onStop?.();
    for (const l of this.#listeners) l.end();
    this.#listeners.clear();
    if (this.#o.callback !== undefined || this.#head >= this.#queue.length) this.#end();
    const w = this.#wake;
    if (w !== null) {
      this.#wake = null;
      w();
    }
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#resolveClosed(this.#error);
  }

  /** True once stopped (no more pulls). */
  isStopped(): boolean {
    return this.#stopped;
  }

  /** Stops and resolves when the iterator has ended. */
  close(): Promise<void | Error> {
    this.stop();
    return this.#closed;
  }

  /** Resolves when done. */
  closed(): Promise<void | Error> {
    return this.#closed;
  }

  /** Same as `close()`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** Messages handed to the application. */
  getProcessed(): number {
    return this.#processed;
  }
  /** Messages buffered. */
  getPending(): number {
    return this.#queue.length - this.#head;
  }
  /** Messages received. */
  getReceived(): number {
    return this.#received;
  }

  /** Iterates the messages. */
  [Symbol.asyncIterator](): AsyncIterator<JsMsg> {
    if (this.#o.callback !== undefined) {
      throw new TypeError("messages delivered to a callback cannot be iterated");
    }
    return {
      next: async (): Promise<IteratorResult<JsMsg>> => {
        for (;;) {
          if (this.#head < this.#queue.length) {
            const m = this.#queue[this.#head];
            this.#queue[this.#head++] = undefined as unknown as JsMsgImpl;
            if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
              this.#queue = this.#queue.slice(this.#head);
              this.#head = 0;
            }
            this.#bufMsgs--;
            this.#bufBytes -= m._size;
            this.#processed++;
            this.#checkPull();
            return { value: m, done: false };
          }
          if (this.#stopped) {
            this.#end();
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
      return: (): Promise<IteratorResult<JsMsg>> => {
        this.stop();
        this.#queue = [];
        this.#head = 0;
        this.#end();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}

function abortReason(signal: AbortSignal): Error {
  const r = signal.reason;
  return r instanceof Error ? r : new DOMException("aborted", "AbortError");
}

/** Bytes the server counts for `max_bytes`: subject, reply, headers and payload. */
function sizeOf(m: MsgImpl): number {
  return m.subject.length + m.reply.length + m.data.length + m.headerLength;
}

// ------------------------------------------------------------ option checks

function positive(v: number | undefined, what: string): void {
  if (v !== undefined && (!Number.isFinite(v) || v <= 0)) {
    throw new TypeError(`${what} must be a positive number, got ${v}`);
  }
}

/** Resolves `fetch()` options into engine settings (throws on bad input). */
export function fetchSettings(opts: FetchOptions, lim: PullLimitsCfg, name: string): EngineOptions {
  positive(opts.max_messages, "max_messages");
  positive(opts.max_bytes, "max_bytes");
  positive(opts.expires, "expires");
  if (opts.idle_heartbeat !== undefined && opts.idle_heartbeat !== 0) {
    positive(opts.idle_heartbeat, "idle_heartbeat");
  }
  const maxBytes = opts.max_bytes ?? 0;
  const batch = opts.max_messages ?? (maxBytes > 0 ? BYTES_ONLY_BATCH : DEFAULT_BATCH);
  const noWait = opts.no_wait === true;
  // A no_wait pull with expires would wait for messages up to expires (PL8).
  const expires = opts.expires ?? (noWait ? 0 : DEFAULT_EXPIRES);
  let hb = opts.idle_heartbeat ?? (expires > 30_000 ? Math.min(30_000, expires / 2) : 0);
  hb = Math.floor(hb);
  if (hb > 0 && hb * 2 > expires) {
    throw new TypeError(
      `idle_heartbeat (${hb} ms) must be at most half of expires (${expires} ms)`,
    );
  }
  checkLimits(batch, maxBytes, expires, lim, name, opts.max_messages !== undefined);
  return {
    mode: "fetch",
    batch,
    maxBytes,
    expires,
    hb,
    thresholdMessages: 0,
    thresholdBytes: 0,
    noWait,
    abortOnMissing: true,
    signal: opts.signal,
  };
}

function checkLimits(
  batch: number,
  maxBytes: number,
  expires: number,
  lim: PullLimitsCfg,
  name: string,
  batchGiven: boolean,
): void {
  if (lim.maxBatch > 0 && batch > lim.maxBatch && batchGiven) {
    throw new RangeError(
      `max_messages ${batch} exceeds the max_batch ${lim.maxBatch} of consumer "${name}"`,
    );
  }
  if (lim.maxBytes > 0 && maxBytes > lim.maxBytes) {
    throw new RangeError(
      `max_bytes ${maxBytes} exceeds the max_bytes ${lim.maxBytes} of consumer "${name}"`,
    );
  }
  if (lim.maxExpires > 0 && expires > lim.maxExpires) {
    throw new RangeError(
      `expires ${expires} ms exceeds the max_expires ${lim.maxExpires} ms of consumer "${name}"`,
    );
  }
}

/** Resolves `consume()` options into engine settings (throws on bad input). */
export function consumeSettings(opts: ConsumeOptions, lim: PullLimitsCfg): EngineOptions {
  positive(opts.max_messages, "max_messages");
  positive(opts.max_bytes, "max_bytes");
  positive(opts.expires, "expires");
  if (opts.max_messages !== undefined && opts.max_bytes !== undefined) {
    throw new TypeError("max_messages and max_bytes exclude each other in consume()");
  }
  if (opts.callback !== undefined && typeof opts.callback !== "function") {
    throw new TypeError("callback must be a function");
  }
  const maxBytes = opts.max_bytes ?? 0;
  let batch = maxBytes > 0 ? BYTES_ONLY_BATCH : opts.max_messages ?? DEFAULT_BATCH;
  // Pulls never ask more than the consumer allows; consume pulls in smaller pieces.
  if (lim.maxBatch > 0 && batch > lim.maxBatch) batch = lim.maxBatch;
  const expires = opts.expires ?? DEFAULT_EXPIRES;
  if (expires < MIN_CONSUME_EXPIRES) {
    throw new RangeError(
      `consume() expires must be at least ${MIN_CONSUME_EXPIRES} ms, got ${expires}`,
    );
  }
  let hb = opts.idle_heartbeat ?? Math.min(30_000, Math.max(500, expires / 2));
  hb = Math.floor(hb);
  positive(hb, "idle_heartbeat");
  if (hb * 2 > expires) {
    throw new TypeError(
      `idle_heartbeat (${hb} ms) must be at most half of expires (${expires} ms)`,
    );
  }
  const tm = opts.threshold_messages ?? Math.floor(batch * 0.75);
  const tb = opts.threshold_bytes ?? Math.floor(maxBytes * 0.75);
  if (maxBytes === 0 && tm > batch) {
    throw new RangeError(`threshold_messages ${tm} is larger than max_messages ${batch}`);
  }
  if (maxBytes > 0 && tb > maxBytes) {
    throw new RangeError(`threshold_bytes ${tb} is larger than max_bytes ${maxBytes}`);
  }
  return {
    mode: "consume",
    batch,
    maxBytes,
    expires,
    hb,
    thresholdMessages: tm,
    thresholdBytes: tb,
    noWait: false,
    callback: opts.callback,
    abortOnMissing: opts.abort_on_missing_resource === true,
    signal: opts.signal,
  };
}

/** Waits for the first message of a one-message fetch. */
export async function firstOf(iter: ConsumerMessages): Promise<JsMsg | null> {
  for await (const m of iter) return m;
  return null;
}

/** Internal implementation of a named pull {@link Consumer}. */
export class PullConsumerImpl implements Consumer, PullHost {
  /** The connection. */
  readonly nc: NatsConnection;
  /** Stream name. */
  readonly stream: string;
  /** Consumer name. */
  readonly name: string;
  /** Ack context. */
  readonly ack: AckContext;
  #api: BaseApi;
  #info: ConsumerInfo;
  #limits: PullLimitsCfg;
  #subject: string;

  /**
   * @param nc the connection
   * @param opts resolved JetStream options
   * @param info the consumer's info
   */
  constructor(nc: NatsConnection, opts: ResolvedJsOptions, info: ConsumerInfo) {
    this.nc = nc;
    this.#api = new BaseApi(nc, opts);
    this.stream = info.stream_name;
    this.name = info.name;
    this.#info = info;
    this.#limits = limitsOf(info);
    this.#subject = `${opts.prefix}.CONSUMER.MSG.NEXT.${this.stream}.${this.name}`;
    this.ack = {
      nc,
      timeout: opts.timeout,
      ackNone: info.config.ack_policy === "none",
      termReason: versionAtLeast(nc.info?.version, 2, 10, 4),
    };
  }

  /** Current limits. */
  limits(): PullLimitsCfg {
    return this.#limits;
  }
  /** The pull subject. */
  pullSubject(): string {
    return this.#subject;
  }
  /** Fresh info (updates the cached limits). */
  async refresh(): Promise<ConsumerInfo> {
    const ci = await this.#api.api<ConsumerInfo>(
      `CONSUMER.INFO.${this.stream}.${this.name}`,
      undefined,
      `consumer info "${this.name}" on stream "${this.stream}"`,
    );
    this.#info = ci;
    this.#limits = limitsOf(ci);
    this.ack.ackNone = ci.config.ack_policy === "none";
    return ci;
  }

  /** Consumer info. */
  info(cached = false): Promise<ConsumerInfo> {
    return cached ? Promise.resolve(this.#info) : this.refresh();
  }

  /** One message or null. */
  next(opts: NextOptions = {}): Promise<JsMsg | null> {
    return this.fetch({ ...opts, max_messages: 1 }).then(firstOf);
  }

  /** One batch. */
  fetch(opts: FetchOptions = {}): Promise<ConsumerMessages> {
    try {
      const e = new PullMessagesImpl(this, fetchSettings(opts, this.#limits, this.name));
      e.start();
      return Promise.resolve(e);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Continuous delivery. */
  consume(opts: ConsumeOptions = {}): Promise<ConsumerMessages> {
    try {
      const e = new PullMessagesImpl(this, consumeSettings(opts, this.#limits));
      e.start();
      return Promise.resolve(e);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Deletes the consumer. */
  async delete(): Promise<boolean> {
    const r = await this.#api.api<{ success: boolean }>(
      `CONSUMER.DELETE.${this.stream}.${this.name}`,
      undefined,
      `delete consumer "${this.name}" on stream "${this.stream}"`,
    );
    return r.success === true;
  }

  /** True. */
  isPullConsumer(): boolean {
    return true;
  }
  /** False. */
  isPushConsumer(): boolean {
    return false;
  }
}

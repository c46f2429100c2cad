// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * The JetStream client: publish with the real PubAck, and handles on streams
 * and consumers.
 *
 * Publishes share one wildcard inbox (`_INBOX.<nuid>.<token>`); a map from
 * token to the waiting promise resolves each PubAck as it arrives, so many
 * publishes can be in flight at once. Timeouts are swept by one timer set to
 * the earliest deadline rather than one timer per publish. Past
 * `maxPendingAcks` outstanding acks, further publishes wait for a slot
 * before anything is sent.
 *
 * @module
 */
import type { NatsConnection } from "../connection.ts";
import { ClosedConnectionError, TimeoutError } from "../errors.ts";
import { headers as newHeaders } from "../headers.ts";
import type { MsgImpl } from "../msg.ts";
import type { Msg, MsgHdrs, Payload, Subscription } from "../types.ts";
import { BaseApi, type ResolvedJsOptions, resolveJsOptions, validateToken } from "./_api.ts";
import {
  type ApiError,
  type ConsumerInfo,
  type MsgRequest,
  type PubAck,
  PubHeaders,
  type StreamInfo,
  type StreamInfoRequestOptions,
} from "./api_types.ts";
import { PullConsumerImpl } from "./consumer.ts";
import { apiError, JetStreamError, NoStreamError } from "./errors.ts";
import { ConsumerAPIImpl, JetStreamManagerImpl, StreamAPIImpl } from "./manager.ts";
import { OrderedConsumerImpl } from "./ordered.ts";
import type {
  Consumer,
  Consumers,
  JetStreamClient,
  JetStreamManager,
  JetStreamOptions,
  JetStreamPublishOptions,
  OrderedConsumerOptions,
  StoredMsg,
  Stream,
  Streams,
} from "./types.ts";

/** Default bound on outstanding PubAcks (as nats.go's async publish). */
const DEFAULT_MAX_PENDING_ACKS = 4_000;
/** First pause before a publish retry (ms); grows by this much per retry, up to 1 s. */
const RETRY_STEP = 250;

const decoder = new TextDecoder();

interface PendingAck {
  resolve: (a: PubAck) => void;
  reject: (e: Error) => void;
  subject: string;
  deadline: number;
  timeout: number;
}

interface QueuedPublish {
  subject: string;
  payload: Payload | undefined;
  headers: MsgHdrs | undefined;
  timeout: number;
  resolve: (a: PubAck) => void;
  reject: (e: Error) => void;
}

/** The PubAck mux: one inbox, one sweep timer, a bound on outstanding acks. */
class AckMux {
  #nc: NatsConnection;
  #max: number;
  #sub: Subscription | null = null;
  #prefix = "";
  #prefixLen = 0;
  #token = 0;
  #pending = new Map<string, PendingAck>();
  #queue: QueuedPublish[] = [];
  #qHead = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Infinity;

  constructor(nc: NatsConnection, max: number) {
    this.#nc = nc;
    this.#max = max;
  }

  get pending(): number {
    return this.#pending.size;
  }

  send(
    subject: string,
    payload: Payload | undefined,
    headers: MsgHdrs | undefined,
    timeout: number,
  ): Promise<PubAck> {
    return new Promise<PubAck>((resolve, reject) => {
      if (this.#pending.size >= this.#max) {
        this.#queue.push({ subject, payload, headers, timeout, resolve, reject });
        return;
      }
      this.#send(subject, payload, headers, timeout, resolve, reject);
    });
  }

  #send(
    subject: string,
    payload: Payload | undefined,
    headers: MsgHdrs | undefined,
    timeout: number,
    resolve: (a: PubAck) => void,
    reject: (e: Error) => void,
  ): void {
    try {
      if (this.#sub === null) this.#subscribe();
      const token = (++this.#token).toString(36);
      // Publish first: a bad subject or payload throws before anything is registered.
      this.#nc.publish(
        subject,
        payload,
        headers === undefined
          ? { reply: this.#prefix + token }
          : { reply: this.#prefix + token, headers },
      );
      const deadline = Date.now() + timeout;
      this.#pending.set(token, { resolve, reject, subject, deadline, timeout });
      if (deadline < this.#timerAt) this.#arm(deadline);
    } catch (err) {
      reject(err as Error);
      this.#next();
    }
  }

  #subscribe(): void {
    this.#prefix = `${this.#nc.createInbox()}.`;
    this.#prefixLen = this.#prefix.length;
    const sub = this.#nc.subscribe(`${this.#prefix}*`, { callback: this.#onReply });
    this.#sub = sub;
    sub.closed.then((err) => {
      if (this.#sub !== sub) return;
      this.#sub = null;
      this.#failAll(err instanceof Error ? err : new ClosedConnectionError());
    });
  }

  #onReply = (err: Error | null, msg: Msg): void => {
    if (err !== null) return; // handled by `closed`
    const m = msg as MsgImpl;
    const token = m.subject.substring(this.#prefixLen);
    const p = this.#pending.get(token);
    if (p === undefined) return; // late reply after a timeout
    this.#pending.delete(token);
    if (m.statusCode === 503) {
      p.reject(new NoStreamError(p.subject));
    } else {
      let r: PubAck & { error?: ApiError };
      try {
        r = JSON.parse(decoder.decode(m.data));
      } catch (cause) {
        p.reject(
          new JetStreamError(`publish to "${p.subject}": the PubAck is not JSON`, { cause }),
        );
        this.#next();
        return;
      }
      if (r.error !== undefined) p.reject(apiError(r.error, `publish to "${p.subject}"`));
      else if (typeof r.stream !== "string" || typeof r.seq !== "number") {
        p.reject(new JetStreamError(`publish to "${p.subject}": the reply is not a PubAck`));
      } else {
        const ack: PubAck = { stream: r.stream, seq: r.seq, duplicate: r.duplicate === true };
        if (r.domain !== undefined && r.domain !== "") ack.domain = r.domain;
        p.resolve(ack);
      }
    }
    this.#next();
  };

  /** Sends queued publishes while there is room. */
  #next(): void {
    // The sweep timer stays armed when nothing is pending: publishes awaited
    // one by one would otherwise set and clear a timer each. It fires at most
    // once per timeout period, finds nothing, and is not re-armed.
    while (this.#qHead < this.#queue.length && this.#pending.size < this.#max) {
      const q = this.#queue[this.#qHead];
      this.#queue[this.#qHead++] = undefined as unknown as QueuedPublish;
      this.#send(q.subject, q.payload, q.headers, q.timeout, q.resolve, q.reject);
    }
    if (this.#qHead > 0 && this.#qHead === this.#queue.length) {
      this.#queue = [];
      this.#qHead = 0;
    }
  }

  #arm(at: number): void {
    clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(this.#sweep, Math.max(0, at - Date.now()));
  }

  #sweep = (): void => {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const now = Date.now();
    let next = Infinity;
    for (const [token, p] of this.#pending) {
      if (p.deadline <= now) {
        this.#pending.delete(token);
        p.reject(
          new TimeoutError(
            `no PubAck for the publish to "${p.subject}" within ${p.timeout} ms: the message ` +
              `may or may not have been stored (publish with a msgID to retry safely)`,
          ),
        );
      } else if (p.deadline < next) next = p.deadline;
    }
    if (next !== Infinity) this.#arm(next);
    this.#next();
  };

  #failAll(err: Error): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) p.reject(err);
    const queued = this.#queue.slice(this.#qHead);
    this.#queue = [];
    this.#qHead = 0;
    for (const q of queued) q.reject(err);
  }
}

/**
 * One mux per connection (and bound), shared by every client made with
 * `jetstream(nc)`: creating clients freely never adds inbox subscriptions.
 */
const muxes = new WeakMap<NatsConnection, Map<number, AckMux>>();

function muxFor(nc: NatsConnection, max: number): AckMux {
  let byMax = muxes.get(nc);
  if (byMax === undefined) {
    byMax = new Map();
    muxes.set(nc, byMax);
  }
  let mux = byMax.get(max);
  if (mux === undefined) {
    mux = new AckMux(nc, max);
    byMax.set(max, mux);
  }
  return mux;
}

function buildHeaders(opts: Partial<JetStreamPublishOptions>): MsgHdrs | undefined {
  const e = opts.expect;
  if (opts.msgID === undefined && e === undefined) return opts.headers;
  const h = newHeaders();
  if (opts.headers !== undefined) {
    for (const [k, vs] of opts.headers) for (const v of vs) h.append(k, v);
  }
  if (opts.msgID !== undefined && opts.msgID !== "") h.set(PubHeaders.MsgIdHdr, opts.msgID);
  if (e !== undefined) {
    if (e.streamName !== undefined) h.set(PubHeaders.ExpectedStreamHdr, e.streamName);
    if (e.lastSequence !== undefined) {
      h.set(PubHeaders.ExpectedLastSeqHdr, String(e.lastSequence));
    }
    if (e.lastMsgID !== undefined) h.set(PubHeaders.ExpectedLastMsgIdHdr, e.lastMsgID);
    if (e.lastSubjectSequence !== undefined) {
      h.set(PubHeaders.ExpectedLastSubjectSequenceHdr, String(e.lastSubjectSequence));
    }
  }
  return h;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Internal implementation of {@link JetStreamClient}. */
export class JetStreamClientImpl extends BaseApi implements JetStreamClient {
  /** Consumer handles. */
  readonly consumers: Consumers;
  /** Stream handles. */
  readonly streams: Streams;
  #mux: AckMux;

  /**
   * @param nc the connection
   * @param opts resolved options
   */
  constructor(nc: NatsConnection, opts: ResolvedJsOptions) {
    super(nc, opts);
    const max = opts.given.maxPendingAcks ?? DEFAULT_MAX_PENDING_ACKS;
    if (!Number.isInteger(max) || max <= 0) {
      throw new TypeError(`maxPendingAcks must be a positive integer, got ${max}`);
    }
    this.#mux = muxFor(nc, max);
    this.consumers = new ConsumersImpl(nc, opts);
    this.streams = new StreamsImpl(nc, opts);
  }

  /** The API prefix. */
  get apiPrefix(): string {
    return this.opts.prefix;
  }

  /** Publishes and resolves with the PubAck. */
  publish(
    subject: string,
    payload?: Payload,
    opts?: Partial<JetStreamPublishOptions>,
  ): Promise<PubAck> {
    if (opts === undefined) {
      return this.#mux.send(subject, payload, undefined, this.opts.timeout);
    }
    let h: MsgHdrs | undefined;
    try {
      h = buildHeaders(opts);
    } catch (err) {
      return Promise.reject(err);
    }
    const timeout = opts.timeout ?? this.opts.timeout;
    const retries = opts.retries ?? 0;
    if (retries <= 0) return this.#mux.send(subject, payload, h, timeout);
    return this.#publishRetrying(subject, payload, h, timeout, retries, opts.msgID !== undefined);
  }

  async #publishRetrying(
    subject: string,
    payload: Payload | undefined,
    h: MsgHdrs | undefined,
    timeout: number,
    retries: number,
    idempotent: boolean,
  ): Promise<PubAck> {
    for (let attempt = 0;; attempt++) {
      try {
        return await this.#mux.send(subject, payload, h, timeout);
      } catch (err) {
        // 503: nothing received it, so a retry cannot duplicate. A timeout
        // is ambiguous: retry only when the msgID lets the stream de-duplicate.
        const retryable = err instanceof NoStreamError ||
          (idempotent && err instanceof TimeoutError);
        if (!retryable || attempt >= retries) throw err;
        await sleep(Math.min(1_000, RETRY_STEP * (attempt + 1)));
      }
    }
  }

  /** A manager with the same options. */
  async jetstreamManager(checkAPI = true): Promise<JetStreamManager> {
    const jsm = new JetStreamManagerImpl(this.nc, this.opts);
    if (checkAPI) await jsm.getAccountInfo();
    return jsm;
  }

  /** The options in use. */
  getOptions(): JetStreamOptions {
    return { ...this.opts.given };
  }
}

/** Internal implementation of {@link Consumers}. */
export class ConsumersImpl implements Consumers {
  #nc: NatsConnection;
  #opts: ResolvedJsOptions;
  #api: ConsumerAPIImpl;
  #streams: StreamAPIImpl;

  /**
   * @param nc the connection
   * @param opts resolved options
   */
  constructor(nc: NatsConnection, opts: ResolvedJsOptions) {
    this.#nc = nc;
    this.#opts = opts;
    this.#api = new ConsumerAPIImpl(nc, opts);
    this.#streams = new StreamAPIImpl(nc, opts);
  }

  /** A named pull consumer, or an ordered consumer. */
  async get(
    stream: string,
    name?: string | Partial<OrderedConsumerOptions>,
  ): Promise<Consumer> {
    validateToken(stream, "stream name");
    if (typeof name === "string") {
      const ci = await this.#api.info(stream, name);
      if (ci.config.deliver_subject) {
        throw new JetStreamError(
          `consumer "${name}" on stream "${stream}" is a push consumer (deliver_subject ` +
            `"${ci.config.deliver_subject}"); only pull consumers are supported`,
        );
      }
      return new PullConsumerImpl(this.#nc, this.#opts, ci);
    }
    // Ordered: check the stream now so a typo fails here, not in a retry loop.
    await this.#streams.info(stream);
    return new OrderedConsumerImpl(this.#nc, this.#opts, stream, name ?? {});
  }

  /** A handle from an info you already have. */
  getConsumerFromInfo(ci: ConsumerInfo): Consumer {
    return new PullConsumerImpl(this.#nc, this.#opts, ci);
  }
}

/** Internal implementation of {@link Streams}. */
export class StreamsImpl implements Streams {
  #nc: NatsConnection;
  #opts: ResolvedJsOptions;

  /**
   * @param nc the connection
   * @param opts resolved options
   */
  constructor(nc: NatsConnection, opts: ResolvedJsOptions) {
    this.#nc = nc;
    this.#opts = opts;
  }

  /** A stream handle (checks existence). */
  async get(name: string): Promise<Stream> {
    const api = new StreamAPIImpl(this.#nc, this.#opts);
    return new StreamImpl(this.#nc, this.#opts, await api.info(name));
  }
}

/** Internal implementation of {@link Stream}. */
export class StreamImpl implements Stream {
  /** Stream name. */
  readonly name: string;
  #info: StreamInfo;
  #api: StreamAPIImpl;
  #consumers: ConsumersImpl;

  /**
   * @param nc the connection
   * @param opts resolved options
   * @param info the stream's info
   */
  constructor(nc: NatsConnection, opts: ResolvedJsOptions, info: StreamInfo) {
    this.name = info.config.name;
    this.#info = info;
    this.#api = new StreamAPIImpl(nc, opts);
    this.#consumers = new ConsumersImpl(nc, opts);
  }

  /** Stream info. */
  async info(cached = false, opts?: Partial<StreamInfoRequestOptions>): Promise<StreamInfo> {
    if (cached) return this.#info;
    this.#info = await this.#api.info(this.name, opts);
    return this.#info;
  }

  /** A consumer of this stream. */
  getConsumer(name?: string | Partial<OrderedConsumerOptions>): Promise<Consumer> {
    return this.#consumers.get(this.name, name);
  }

  /** A stored message. */
  getMessage(query: MsgRequest): Promise<StoredMsg | null> {
    return this.#api.getMessage(this.name, query);
  }

  /** Deletes a stored message. */
  deleteMessage(seq: number, erase?: boolean): Promise<boolean> {
    return this.#api.deleteMessage(this.name, seq, erase);
  }
}

/**
 * Creates a JetStream client over a connection: `publish()` with PubAck,
 * `consumers.get()` for pull and ordered consumers, `streams.get()`.
 *
 * @param nc a connection
 * @param opts API prefix or domain, timeout, bound on outstanding acks
 * @returns the client
 */
export function createClient(nc: NatsConnection, opts: JetStreamOptions = {}): JetStreamClientImpl {
  return new JetStreamClientImpl(nc, resolveJsOptions(opts));
}

// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * Ordered consumers, pull form: a chain of ephemeral, ack-less, in-memory
 * consumers named `<prefix>_<serial>`. Every message must carry the next
 * consumer sequence; on a gap, missed heartbeats, a deleted consumer, a 503
 * or a reconnect, the current consumer is dropped and the next one starts at
 * the last stream sequence seen + 1. The pull requests themselves are the
 * flow control. Messages of an old consumer arrive on an old inbox and are
 * dropped, so the application sees every message once, in order.
 *
 * @module
 */
import type { NatsConnection } from "../connection.ts";
import { nuid } from "../_nuid.ts";
import type { ResolvedJsOptions } from "./_api.ts";
import {
  AckPolicy,
  type ConsumerConfig,
  type ConsumerInfo,
  DeliverPolicy,
  nanos,
} from "./api_types.ts";
import {
  ACCEPT,
  consumeSettings,
  DROP,
  fetchSettings,
  firstOf,
  GAP,
  limitsOf,
  type PullHost,
  type PullLimitsCfg,
  PullMessagesImpl,
  type Verdict,
} from "./consumer.ts";
import { JetStreamError, StreamNotFoundError } from "./errors.ts";
import type { AckContext, JsMsgImpl } from "./jsmsg.ts";
import { ConsumerAPIImpl } from "./manager.ts";
import type {
  ConsumeOptions,
  Consumer,
  ConsumerMessages,
  FetchOptions,
  JsMsg,
  NextOptions,
  OrderedConsumerOptions,
} from "./types.ts";

/** Default inactive threshold of each consumer in the chain (ms). */
const DEFAULT_INACTIVE = 5 * 60_000;
const FIRST_RETRY = 250;
const MAX_RETRY = 5_000;

/** Internal implementation of an ordered {@link Consumer}. */
export class OrderedConsumerImpl implements Consumer, PullHost {
  /** The connection. */
  readonly nc: NatsConnection;
  /** Stream name. */
  readonly stream: string;
  /** Ack context (acks do nothing: ack policy none). */
  readonly ack: AckContext;
  #api: ConsumerAPIImpl;
  #opts: Partial<OrderedConsumerOptions>;
  #prefix: string;
  #apiPrefix: string;
  #serial = 0;
  #name = "";
  #info: ConsumerInfo | undefined;
  #streamSeq = 0;
  #consumerSeq = 0;
  #needsReset = true;
  #active: PullMessagesImpl | null = null;
  #wakeSleep: (() => void) | null = null;
  #abortOnMissing = false;

  /**
   * @param nc the connection
   * @param opts resolved JetStream options
   * @param stream stream name
   * @param o ordered consumer options
   */
  constructor(
    nc: NatsConnection,
    opts: ResolvedJsOptions,
    stream: string,
    o: Partial<OrderedConsumerOptions> = {},
  ) {
    this.nc = nc;
    this.stream = stream;
    this.#api = new ConsumerAPIImpl(nc, opts);
    this.#apiPrefix = opts.prefix;
    this.#opts = { ...o };
    const fs = o.filter_subjects;
    if (Array.isArray(fs) && fs.length > 1) {
      // Checked again by the manager against the server version.
      this.#opts.filter_subjects = fs;
    }
    this.#prefix = o.name_prefix ?? `oc_${nuid.next()}`;
    this.ack = { nc, timeout: opts.timeout, ackNone: true, termReason: false };
  }

  /** Current consumer name (`""` before the first pull). */
  get name(): string {
    return this.#name;
  }

  /** Current limits (none: the chain's consumers set no pull limits). */
  limits(): PullLimitsCfg {
    return limitsOf(this.#info);
  }

  /** The pull subject of the current consumer. */
  pullSubject(): string {
    return `${this.#apiPrefix}.CONSUMER.MSG.NEXT.${this.stream}.${this.#name}`;
  }

  /** Info of the current consumer. */
  async refresh(): Promise<ConsumerInfo> {
    if (this.#name === "") throw new JetStreamError("the ordered consumer has not started yet");
    this.#info = await this.#api.info(this.stream, this.#name);
    return this.#info;
  }

  /** Checks that each message is the next one of the current consumer. */
  accept(m: JsMsgImpl): Verdict {
    const di = m.info;
    if (di.consumer !== this.#name) return DROP;
    if (di.deliverySequence !== this.#consumerSeq + 1) {
      this.#needsReset = true;
      return GAP;
    }
    this.#consumerSeq = di.deliverySequence;
    this.#streamSeq = di.streamSequence;
    return ACCEPT;
  }

  #config(): Partial<ConsumerConfig> {
    const o = this.#opts;
    const c: Partial<ConsumerConfig> = {
      name: `${this.#prefix}_${++this.#serial}`,
      ack_policy: AckPolicy.None,
      max_deliver: 1,
      mem_storage: true,
      num_replicas: 1,
      inactive_threshold: nanos(o.inactive_threshold ?? DEFAULT_INACTIVE),
      deliver_policy: o.deliver_policy ?? DeliverPolicy.All,
    };
    if (o.replay_policy !== undefined) c.replay_policy = o.replay_policy;
    if (o.headers_only) c.headers_only = true;
    const fs = o.filter_subjects;
    if (typeof fs === "string" && fs !== "") c.filter_subject = fs;
    else if (Array.isArray(fs) && fs.length === 1) c.filter_subject = fs[0];
    else if (Array.isArray(fs) && fs.length > 1) c.filter_subjects = fs;
    if (this.#streamSeq > 0) {
      c.deliver_policy = DeliverPolicy.StartSequence;
      c.opt_start_seq = this.#streamSeq + 1;
    } else if (c.deliver_policy === DeliverPolicy.StartSequence) {
      c.opt_start_seq = o.opt_start_seq;
    } else if (c.deliver_policy === DeliverPolicy.StartTime) {
      c.opt_start_time = o.opt_start_time;
    }
    return c;
  }

  /** Drops the current consumer (best effort) and creates the next one, retrying until it works. */
  async reset(_reason: string, stopped: () => boolean, retry = true): Promise<void> {
    const old = this.#name;
    if (old !== "") {
      this.#api.delete(this.stream, old).catch(() => {});
    }
    let delay = FIRST_RETRY;
    for (;;) {
      if (stopped()) throw new JetStreamError("ordered consumer stopped");
      try {
        const cfg = this.#config();
        const ci = await this.#api.add(this.stream, cfg);
        this.#name = ci.name;
        this.#info = ci;
        this.#consumerSeq = 0;
        this.#needsReset = false;
        return;
      } catch (err) {
        // Bad options never get better; a missing stream may come back unless
        // the caller asked to stop on missing resources.
        const fatal = !retry || err instanceof TypeError ||
          (err instanceof StreamNotFoundError && this.#abortOnMissing) ||
          (err instanceof JetStreamError && /needs nats-server|did not keep/.test(err.message));
        if (fatal) throw err;
        await this.#sleep(delay);
        delay = Math.min(MAX_RETRY, delay * 2);
      }
    }
  }

  /** A pause that {@link onStop} cuts short, so no timer outlives a stopped engine. */
  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#wakeSleep = null;
        resolve();
      }, ms);
      this.#wakeSleep = () => {
        clearTimeout(timer);
        this.#wakeSleep = null;
        resolve();
      };
    });
  }

  /** The engine stopped: cut a retry pause short. */
  onStop(): void {
    this.#wakeSleep?.();
  }

  #begin(): void {
    if (this.#active !== null && !this.#active.isStopped()) {
      throw new JetStreamError(
        "an ordered consumer allows one fetch() or consume() at a time: stop the current one first",
      );
    }
  }

  async #ensure(): Promise<void> {
    if (this.#needsReset) await this.reset("start", () => false, false);
  }

  /** Info of the current consumer. */
  async info(cached = false): Promise<ConsumerInfo> {
    if (cached && this.#info !== undefined) return this.#info;
    await this.#ensure();
    return await this.refresh();
  }

  /** One message or null. */
  async next(opts: NextOptions = {}): Promise<JsMsg | null> {
    return await firstOf(await this.fetch({ ...opts, max_messages: 1 }));
  }

  /** One batch, in order. */
  async fetch(opts: FetchOptions = {}): Promise<ConsumerMessages> {
    this.#begin();
    const settings = fetchSettings(opts, limitsOf(this.#info), this.#name || "ordered");
    await this.#ensure();
    const e = new PullMessagesImpl(this, settings);
    this.#active = e;
    e.start();
    return e;
  }

  /** Continuous in-order delivery. */
  async consume(opts: ConsumeOptions = {}): Promise<ConsumerMessages> {
    this.#begin();
    const settings = consumeSettings(opts, limitsOf(this.#info));
    this.#abortOnMissing = settings.abortOnMissing;
    await this.#ensure();
    const e = new PullMessagesImpl(this, settings);
    this.#active = e;
    e.start();
    e.closed().then(() => {
      // The last consumer of the chain is not needed any more.
      if (this.#name !== "") {
        const name = this.#name;
        this.#needsReset = true;
        this.#api.delete(this.stream, name).catch(() => {});
      }
    });
    return e;
  }

  /** Deletes the current consumer. */
  async delete(): Promise<boolean> {
    if (this.#name === "") return true;
    const name = this.#name;
    this.#needsReset = true;
    return await this.#api.delete(this.stream, name);
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

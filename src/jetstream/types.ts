// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * Public JetStream interfaces, named and shaped as in nats.js v3
 * (`@nats-io/jetstream`) so that switching clients is a change of import.
 *
 * @module
 */
import type { MsgHdrs, Payload } from "../types.ts";
import type {
  ConsumerConfig,
  ConsumerInfo,
  ConsumerUpdateConfig,
  DeliverPolicy,
  DeliveryInfo,
  JetStreamAccountStats,
  MsgRequest,
  PubAck,
  PurgeOpts,
  PurgeResponse,
  ReplayPolicy,
  StreamConfig,
  StreamInfo,
  StreamInfoRequestOptions,
  StreamUpdateConfig,
} from "./api_types.ts";

/** Options of {@link jetstream} and {@link jetstreamManager}. */
export interface JetStreamOptions {
  /** API prefix (default `$JS.API`); excludes `domain`. */
  apiPrefix?: string;
  /** JetStream domain: the prefix becomes `$JS.<domain>.API`. */
  domain?: string;
  /** Timeout of API calls and publishes in milliseconds (default 5000). */
  timeout?: number;
  /**
   * Most JetStream publishes waiting for their PubAck at once (default 4000).
   * Further publishes wait for a slot before they are sent, which bounds
   * memory and server load when many publishes are pipelined.
   */
  maxPendingAcks?: number;
}

/** Options of {@link jetstreamManager}. */
export interface JetStreamManagerOptions extends JetStreamOptions {
  /** Check at once that JetStream answers (`$JS.API.INFO`; default true). */
  checkAPI?: boolean;
}

/** Expectations checked by the server before it stores a published message. */
export interface StreamExpectations {
  /** `Nats-Expected-Last-Msg-Id`: the stream's last message id. */
  lastMsgID: string;
  /** `Nats-Expected-Stream`: the stream that must store the message. */
  streamName: string;
  /** `Nats-Expected-Last-Sequence`: the stream's last sequence. */
  lastSequence: number;
  /** `Nats-Expected-Last-Subject-Sequence`: the subject's last sequence (0: none yet). */
  lastSubjectSequence: number;
}

/** Options of {@link JetStreamClient.publish}. */
export interface JetStreamPublishOptions {
  /** De-duplication id (`Nats-Msg-Id`). */
  msgID: string;
  /** Milliseconds to wait for the PubAck (default: the client's timeout). */
  timeout: number;
  /** Headers to send (not modified; JetStream headers are added to a copy). */
  headers: MsgHdrs;
  /** Conditions the stream must meet (`Nats-Expected-*` headers). */
  expect: Partial<StreamExpectations>;
  /**
   * Retries after a 503 (no stream answered, e.g. during a leader election),
   * with a short growing pause (default 0). With a `msgID`, a timed-out
   * attempt is retried too: the id makes the retry safe.
   */
  retries: number;
}

/** Pages through a JetStream list. Iterate it, or call `next()` page by page. */
export interface Lister<T> {
  /** Every item of every page. */
  [Symbol.asyncIterator](): AsyncIterator<T>;
  /** The next page (an empty array when there is nothing more). */
  next(): Promise<T[]>;
}

/** Stream management. */
export interface StreamAPI {
  /** Creates a stream (or returns it, when one with the same configuration exists). */
  add(cfg: Partial<StreamConfig> & { name: string }): Promise<StreamInfo>;
  /** Changes a stream: the given fields are merged over its current configuration. */
  update(name: string, cfg: Partial<StreamUpdateConfig>): Promise<StreamInfo>;
  /** Configuration and state of a stream. */
  info(name: string, opts?: Partial<StreamInfoRequestOptions>): Promise<StreamInfo>;
  /** Deletes a stream; resolves `true`. */
  delete(name: string): Promise<boolean>;
  /** Removes messages (all, by subject, below a sequence, or all but the newest N). */
  purge(name: string, opts?: PurgeOpts): Promise<PurgeResponse>;
  /** Names of all streams, optionally only those capturing `subject`. */
  names(subject?: string): Lister<string>;
  /** Infos of all streams, optionally only those capturing `subject`. */
  list(subject?: string): Lister<StreamInfo>;
  /** A stored message by sequence or last on a subject; `null` when there is none. */
  getMessage(name: string, query: MsgRequest): Promise<StoredMsg | null>;
  /** Deletes one message (erased from storage unless `erase` is false); resolves `true`. */
  deleteMessage(name: string, seq: number, erase?: boolean): Promise<boolean>;
  /** The name of the stream capturing `subject`. */
  find(subject: string): Promise<string>;
  /** A handle on a stream (checks that it exists). */
  get(name: string): Promise<Stream>;
}

/** Consumer management. */
export interface ConsumerAPI {
  /**
   * Creates a consumer. With `durable_name` it is durable; without, ephemeral
   * (the server picks a name unless `name` is given, and removes it after
   * `inactive_threshold`).
   */
  add(stream: string, cfg: Partial<ConsumerConfig>): Promise<ConsumerInfo>;
  /** Changes a consumer: the given fields are merged over its current configuration. */
  update(stream: string, name: string, cfg: Partial<ConsumerUpdateConfig>): Promise<ConsumerInfo>;
  /** Configuration and state of a consumer. */
  info(stream: string, name: string): Promise<ConsumerInfo>;
  /** Deletes a consumer; resolves `true`. */
  delete(stream: string, name: string): Promise<boolean>;
  /** Infos of all consumers of a stream. */
  list(stream: string): Lister<ConsumerInfo>;
}

/** Stream and consumer management (`jetstreamManager(nc)`). */
export interface JetStreamManager {
  /** Stream management. */
  readonly streams: StreamAPI;
  /** Consumer management. */
  readonly consumers: ConsumerAPI;
  /** Account usage and limits (`$JS.API.INFO`). */
  getAccountInfo(): Promise<JetStreamAccountStats>;
  /** The options in use. */
  getOptions(): JetStreamOptions;
  /** A client with the same options. */
  jetstream(): JetStreamClient;
}

/** A message stored in a stream, as returned by `streams.getMessage()`. */
export interface StoredMsg {
  /** Subject. */
  readonly subject: string;
  /** Stream sequence. */
  readonly seq: number;
  /** Headers (empty when the message had none). */
  readonly header: MsgHdrs;
  /** Payload. */
  readonly data: Uint8Array;
  /** Time stored. */
  readonly time: Date;
  /** Time stored (RFC 3339, as the server sent it). */
  readonly timestamp: string;
  /** Payload parsed as JSON. */
  json<T = unknown>(): T;
  /** Payload decoded as UTF-8. */
  string(): string;
}

/** A message delivered by a consumer, with its acknowledgement methods. */
export interface JsMsg {
  /** Subject it was published to. */
  readonly subject: string;
  /** Payload. */
  readonly data: Uint8Array;
  /** Headers, or undefined. */
  readonly headers: MsgHdrs | undefined;
  /** Subscription id that received it. */
  readonly sid: number;
  /** The `$JS.ACK...` reply subject. */
  readonly reply: string;
  /** Delivery metadata parsed from the reply subject. */
  readonly info: DeliveryInfo;
  /** Stream sequence. */
  readonly seq: number;
  /** True when delivered before. */
  readonly redelivered: boolean;
  /** Time stored. */
  readonly time: Date;
  /** Time stored, ISO 8601. */
  readonly timestamp: string;
  /** Time stored, exact nanoseconds since the epoch. */
  readonly timestampNanos: bigint;
  /** Acknowledges the message (`+ACK`). Later acks of the same message do nothing. */
  ack(): void;
  /** Asks for redelivery, after `millis` when given (`-NAK {"delay": ns}`). */
  nak(millis?: number): void;
  /** Work in progress: resets the ack-wait timer (`+WPI`); may be sent many times. */
  working(): void;
  /**
   * Stops redelivery (`+TERM`). The reason is sent only to servers 2.10.4+,
   * which understand `+TERM <reason>`; older servers would ignore the whole
   * ack and redeliver.
   */
  term(reason?: string): void;
  /** Acknowledges and waits for the server to confirm; `false` when it was acked before. */
  ackAck(opts?: { timeout?: number }): Promise<boolean>;
  /** Payload parsed as JSON. */
  json<T = unknown>(): T;
  /** Payload decoded as UTF-8. */
  string(): string;
}

/** `consume()` / `fetch()` options limited by message count. */
export interface PullLimits {
  /** Messages per pull (default 100). */
  max_messages?: number;
  /** Bytes per pull; excludes `max_messages` in `consume()`. */
  max_bytes?: number;
  /** Milliseconds a pull stays open at the server (default 30000, minimum 1000 for consume). */
  expires?: number;
  /**
   * Milliseconds between server heartbeats while a pull waits (default:
   * expires / 2 within 0.5 to 30 s for consume; off for fetch unless expires > 30 s).
   * Two missed heartbeats end a fetch with an error and make consume pull again.
   */
  idle_heartbeat?: number;
}

/** Options of {@link Consumer.fetch}. */
export interface FetchOptions extends PullLimits {
  /** Return at once with what is available (a partial batch, or none). */
  no_wait?: boolean;
  /** Abort the fetch. */
  signal?: AbortSignal;
}

/** Options of {@link Consumer.next}. */
export interface NextOptions {
  /** Milliseconds to wait for a message (default 30000). */
  expires?: number;
  /** Heartbeat interval in milliseconds (see {@link PullLimits.idle_heartbeat}). */
  idle_heartbeat?: number;
  /** Abort the wait. */
  signal?: AbortSignal;
}

/** Options of {@link Consumer.consume}. */
export interface ConsumeOptions extends PullLimits {
  /** Pull again when this many messages or fewer are outstanding (default 75% of max_messages). */
  threshold_messages?: number;
  /** Pull again when this many bytes or fewer are outstanding (default 75% of max_bytes). */
  threshold_bytes?: number;
  /** Deliver through this callback (no promise per message) instead of the iterator. */
  callback?: ConsumerCallbackFn;
  /** Stop with an error when the consumer or its stream is found missing (default false: keep trying). */
  abort_on_missing_resource?: boolean;
  /** Stop consuming when aborted. */
  signal?: AbortSignal;
}

/** Callback of callback-style `consume()`. */
export type ConsumerCallbackFn = (m: JsMsg) => void;

/** Options of an ordered consumer (`consumers.get(stream)` without a name). */
export interface OrderedConsumerOptions {
  /** Prefix of the generated consumer names. */
  name_prefix: string;
  /** Only deliver messages on this subject (one filter; several need nats-server 2.10+). */
  filter_subjects: string[] | string;
  /** Where to start (default all). */
  deliver_policy: DeliverPolicy;
  /** Start sequence with `by_start_sequence`. */
  opt_start_seq: number;
  /** Start time (RFC 3339) with `by_start_time`. */
  opt_start_time: string;
  /** Replay policy. */
  replay_policy: ReplayPolicy;
  /** Milliseconds without activity before the server removes the consumer (default 5 minutes). */
  inactive_threshold: number;
  /** Deliver headers only. */
  headers_only: boolean;
}

/** The consumer's heartbeats stopped arriving. */
export interface HeartbeatsMissed {
  /** Notification type. */
  type: "heartbeats_missed";
  /** Heartbeats missed in a row. */
  count: number;
  /** What happened, in plain words. */
  reason: string;
}
/** The consumer was not found when checked. */
export interface ConsumerNotFound {
  /** Notification type. */
  type: "consumer_not_found";
  /** Consumer name. */
  name: string;
  /** Stream name. */
  stream: string;
  /** Times found missing in a row. */
  count: number;
  /** What happened, in plain words. */
  reason: string;
}
/** The stream was not found when checked. */
export interface StreamNotFound {
  /** Notification type. */
  type: "stream_not_found";
  /** Stream name. */
  name: string;
  /** What happened, in plain words. */
  reason: string;
}
/** The server said the consumer was deleted (`409 Consumer Deleted`). */
export interface ConsumerDeleted {
  /** Notification type. */
  type: "consumer_deleted";
  /** Status code. */
  code: number;
  /** Status description. */
  description: string;
  /** What happened, in plain words. */
  reason: string;
}
/** Nothing answered the pull (503): the consumer, its stream or JetStream is gone. */
export interface NoResponders {
  /** Notification type. */
  type: "no_responders";
  /** Status code (503). */
  code: number;
  /** What happened, in plain words. */
  reason: string;
}
/** An ordered consumer recreated its server-side consumer. */
export interface OrderedConsumerRecreated {
  /** Notification type. */
  type: "ordered_consumer_recreated";
  /** Name of the new consumer. */
  name: string;
  /** What happened, in plain words. */
  reason: string;
}
/** A pull asked more than the consumer allows (`409 Exceeded ...`) or `max_waiting` was hit. */
export interface ExceededLimits {
  /** Notification type. */
  type: "exceeded_limits";
  /** Status code. */
  code: number;
  /** Status description. */
  description: string;
  /** What happened, in plain words. */
  reason: string;
}
/** A status that needs no action, for troubleshooting. */
export interface Debug {
  /** Notification type. */
  type: "debug";
  /** Status code. */
  code: number;
  /** Status description. */
  description: string;
}
/** A pull ended with messages or bytes left unfilled. */
export interface Discard {
  /** Notification type. */
  type: "discard";
  /** Messages not delivered. */
  messagesLeft: number;
  /** Bytes not delivered. */
  bytesLeft: number;
}
/** A new pull request was sent. */
export interface Next {
  /** Notification type. */
  type: "next";
  /** The request body. */
  options: { batch: number; max_bytes?: number; expires?: number; idle_heartbeat?: number };
}
/** An idle heartbeat arrived. */
export interface Heartbeat {
  /** Notification type. */
  type: "heartbeat";
  /** Last consumer sequence the server delivered. */
  lastConsumerSequence: number;
  /** Last stream sequence the server delivered. */
  lastStreamSequence: number;
}
/** Pulling resumed after a reconnect (all outstanding counts were reset). */
export interface Reset {
  /** Notification type. */
  type: "reset";
  /** Consumer name. */
  name: string;
  /** What happened, in plain words. */
  reason: string;
}

/** Events of a running `consume()` or `fetch()`, as yielded by `status()`. */
export type ConsumerNotification =
  | HeartbeatsMissed
  | ConsumerNotFound
  | StreamNotFound
  | ConsumerDeleted
  | NoResponders
  | OrderedConsumerRecreated
  | ExceededLimits
  | Debug
  | Discard
  | Next
  | Heartbeat
  | Reset;

/** Messages from `fetch()` or `consume()`: an async iterator, with status events. */
export interface ConsumerMessages extends AsyncIterable<JsMsg> {
  /** Iterates the messages (not available when a callback was given). */
  [Symbol.asyncIterator](): AsyncIterator<JsMsg>;
  /**
   * Stops pulling now. Messages already received are still yielded, then the
   * iterator ends (throwing `err`, when given).
   */
  stop(err?: Error): void;
  /** Stops, then resolves once the iterator has ended (as `closed()`). */
  close(): Promise<void | Error>;
  /** Resolves when done, with the error that ended it, if any. Never rejects. */
  closed(): Promise<void | Error>;
  /** Notifications from now on (heartbeats missed, consumer deleted, ...). */
  status(): AsyncIterable<ConsumerNotification>;
  /** Messages handed to the application. */
  getProcessed(): number;
  /** Messages received and not yet handed over. */
  getPending(): number;
  /** Messages received. */
  getReceived(): number;
  /** Same as `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** A pull consumer (or an ordered consumer). */
export interface Consumer {
  /** Stream name. */
  readonly stream: string;
  /** Consumer name (for an ordered consumer: the current one, `""` before the first pull). */
  readonly name: string;
  /** Consumer info; the last one fetched when `cached`. */
  info(cached?: boolean): Promise<ConsumerInfo>;
  /** One message, or `null` when none arrived within `expires`. */
  next(opts?: NextOptions): Promise<JsMsg | null>;
  /** One batch: ends when it is full, at `expires`, or at once with `no_wait`. */
  fetch(opts?: FetchOptions): Promise<ConsumerMessages>;
  /** Continuous delivery with pipelined pulls, until stopped. */
  consume(opts?: ConsumeOptions): Promise<ConsumerMessages>;
  /** Deletes the consumer on the server. */
  delete(): Promise<boolean>;
  /** Always true (push consumers are not supported). */
  isPullConsumer(): boolean;
  /** Always false. */
  isPushConsumer(): boolean;
}

/** Consumer handles (`js.consumers`). */
export interface Consumers {
  /**
   * A pull consumer by name (checks that it exists), or, without a name or
   * with options, a new ordered consumer.
   */
  get(stream: string, name?: string | Partial<OrderedConsumerOptions>): Promise<Consumer>;
  /** A handle built from an info you already have (no request). */
  getConsumerFromInfo(ci: ConsumerInfo): Consumer;
}

/** A stream handle. */
export interface Stream {
  /** Stream name. */
  readonly name: string;
  /** Stream info; the last one fetched when `cached`. */
  info(cached?: boolean, opts?: Partial<StreamInfoRequestOptions>): Promise<StreamInfo>;
  /** A consumer of this stream (ordered when no name is given). */
  getConsumer(name?: string | Partial<OrderedConsumerOptions>): Promise<Consumer>;
  /** A stored message; `null` when there is none. */
  getMessage(query: MsgRequest): Promise<StoredMsg | null>;
  /** Deletes a stored message. */
  deleteMessage(seq: number, erase?: boolean): Promise<boolean>;
}

/** Stream handles (`js.streams`). */
export interface Streams {
  /** A stream by name (checks that it exists). */
  get(name: string): Promise<Stream>;
}

/** The JetStream client (`jetstream(nc)`): publish and consume. */
export interface JetStreamClient {
  /**
   * Publishes to a stream and resolves with the server's PubAck. Many
   * publishes may be in flight at once (pipelining); see
   * {@link JetStreamOptions.maxPendingAcks}.
   */
  publish(
    subject: string,
    payload?: Payload,
    opts?: Partial<JetStreamPublishOptions>,
  ): Promise<PubAck>;
  /** The API prefix in use. */
  readonly apiPrefix: string;
  /** Consumer handles. */
  readonly consumers: Consumers;
  /** Stream handles. */
  readonly streams: Streams;
  /** A manager with the same options. */
  jetstreamManager(checkAPI?: boolean): Promise<JetStreamManager>;
  /** The options in use. */
  getOptions(): JetStreamOptions;
}

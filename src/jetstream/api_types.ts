// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * JetStream API request and response shapes exactly as the server sends them
 * (snake_case, durations in nanoseconds, timestamps as RFC 3339 strings).
 * Names follow nats.js v3 (`@nats-io/jetstream`).
 *
 * Sequences and counters are JSON numbers parsed with `JSON.parse`: they are
 * exact up to 2^53 - 1 (about 9 × 10^15), far beyond what a stream reaches in
 * practice. Nanosecond timestamps in ack subjects pass that limit, which is
 * why {@link JsMsg.timestampNanos} is a `bigint`.
 *
 * @module
 */

/** A duration in nanoseconds, as the server expects. Use {@link nanos} to convert milliseconds. */
export type Nanos = number;

/**
 * Converts milliseconds to the nanoseconds the JetStream API uses for
 * durations (`max_age`, `ack_wait`, `duplicate_window`, ...).
 *
 * @param millis a duration in milliseconds
 * @returns the same duration in nanoseconds
 * @example Keep messages for an hour
 * ```ts
 * import { nanos } from "./api_types.ts";
 * const cfg = { name: "ORDERS", subjects: ["orders.>"], max_age: nanos(60 * 60 * 1000) };
 * ```
 */
export function nanos(millis: number): Nanos {
  return Math.round(millis * 1_000_000);
}

/**
 * Converts nanoseconds from the JetStream API to milliseconds.
 *
 * @param ns a duration in nanoseconds
 * @returns the same duration in milliseconds
 * @example
 * ```ts
 * import { millis } from "./api_types.ts";
 * millis(30_000_000_000); // 30000
 * ```
 */
export function millis(ns: Nanos): number {
  return Math.floor(ns / 1_000_000);
}

/** How a stream retains messages. */
export const RetentionPolicy = {
  /** Keep messages until a limit (count, bytes, age) removes them. */
  Limits: "limits",
  /** Keep messages while some consumer has not acknowledged them. */
  Interest: "interest",
  /** Remove each message once one consumer acknowledged it. */
  Workqueue: "workqueue",
} as const;
/** One of the values of {@link RetentionPolicy}. */
export type RetentionPolicy = typeof RetentionPolicy[keyof typeof RetentionPolicy];

/** What a stream does when a limit is reached. */
export const DiscardPolicy = {
  /** Remove old messages to make room. */
  Old: "old",
  /** Refuse new messages. */
  New: "new",
} as const;
/** One of the values of {@link DiscardPolicy}. */
export type DiscardPolicy = typeof DiscardPolicy[keyof typeof DiscardPolicy];

/** Where a stream keeps its messages. */
export const StorageType = {
  /** On disk. */
  File: "file",
  /** In memory. */
  Memory: "memory",
} as const;
/** One of the values of {@link StorageType}. */
export type StorageType = typeof StorageType[keyof typeof StorageType];

/** Where in the stream a consumer starts. */
export const DeliverPolicy = {
  /** From the first message. */
  All: "all",
  /** From the last message. */
  Last: "last",
  /** Only messages stored after the consumer was created. */
  New: "new",
  /** From `opt_start_seq`. */
  StartSequence: "by_start_sequence",
  /** From the first message stored at or after `opt_start_time`. */
  StartTime: "by_start_time",
  /** The last message of each subject. */
  LastPerSubject: "last_per_subject",
} as const;
/** One of the values of {@link DeliverPolicy}. */
export type DeliverPolicy = typeof DeliverPolicy[keyof typeof DeliverPolicy];

/** How a consumer expects acknowledgements. */
export const AckPolicy = {
  /** No acks: a message counts as handled once sent. */
  None: "none",
  /** Acking sequence N acknowledges everything up to N. */
  All: "all",
  /** Every message must be acked on its own. */
  Explicit: "explicit",
  /** Not set: the server default (explicit) applies. */
  NotSet: "",
} as const;
/** One of the values of {@link AckPolicy}. */
export type AckPolicy = typeof AckPolicy[keyof typeof AckPolicy];

/** How fast a consumer replays stored messages. */
export const ReplayPolicy = {
  /** As fast as the consumer takes them. */
  Instant: "instant",
  /** At the pace they were stored. */
  Original: "original",
} as const;
/** One of the values of {@link ReplayPolicy}. */
export type ReplayPolicy = typeof ReplayPolicy[keyof typeof ReplayPolicy];

/** Stream compression (nats-server 2.10+). */
export const StoreCompression = {
  /** No compression. */
  None: "none",
  /** S2 compression. */
  S2: "s2",
} as const;
/** One of the values of {@link StoreCompression}. */
export type StoreCompression = typeof StoreCompression[keyof typeof StoreCompression];

/** Headers that JetStream publishes understand. */
export const PubHeaders = {
  /** De-duplication id. */
  MsgIdHdr: "Nats-Msg-Id",
  /** The stream that must store the message. */
  ExpectedStreamHdr: "Nats-Expected-Stream",
  /** The stream's last sequence must be this. */
  ExpectedLastSeqHdr: "Nats-Expected-Last-Sequence",
  /** The stream's last message id must be this. */
  ExpectedLastMsgIdHdr: "Nats-Expected-Last-Msg-Id",
  /** The last sequence stored on this subject must be this (0: none yet). */
  ExpectedLastSubjectSequenceHdr: "Nats-Expected-Last-Subject-Sequence",
} as const;
/** One of the values of {@link PubHeaders}. */
export type PubHeaders = typeof PubHeaders[keyof typeof PubHeaders];

/** Headers JetStream puts on status messages and stored messages. */
export const JsHeaders = {
  /** Set on messages copied from a source stream. */
  StreamSourceHdr: "Nats-Stream-Source",
  /** Idle heartbeat: the last consumer sequence delivered. */
  LastConsumerSeqHdr: "Nats-Last-Consumer",
  /** Idle heartbeat: the last stream sequence delivered. */
  LastStreamSeqHdr: "Nats-Last-Stream",
  /** Heartbeat of a stalled push consumer: publish to this subject to resume. */
  ConsumerStalledHdr: "Nats-Consumer-Stalled",
  /** Payload size of a `headers_only` message. */
  MessageSizeHdr: "Nats-Msg-Size",
  /** Rollup request on a publish (`sub` or `all`). */
  RollupHdr: "Nats-Rollup",
  /** Messages a pull request did not get (on 408/409 statuses). */
  PendingMessagesHdr: "Nats-Pending-Messages",
  /** Bytes a pull request did not get (on 408/409 statuses). */
  PendingBytesHdr: "Nats-Pending-Bytes",
} as const;
/** One of the values of {@link JsHeaders}. */
export type JsHeaders = typeof JsHeaders[keyof typeof JsHeaders];

/** The `error` object of a failed JetStream API reply. */
export interface ApiError {
  /** HTTP-like status (400, 404, 500, 503, ...). */
  code: number;
  /** Stable JetStream error code (10059 stream not found, ...): branch on this. */
  err_code: number;
  /** Human-readable description; its text changes between server versions. */
  description: string;
}

/** Paging fields of list replies. */
export interface ApiPaged {
  /** Items in total. */
  total: number;
  /** Offset of this page. */
  offset: number;
  /** Page size the server used. */
  limit: number;
}

/** A stream placement preference. */
export interface Placement {
  /** Cluster name. */
  cluster?: string;
  /** Server tags. */
  tags?: string[];
}

/** A stream in another JetStream domain or account. */
export interface ExternalStream {
  /** API prefix of the other domain or account. */
  api: string;
  /** Delivery prefix. */
  deliver?: string;
}

/** A subject transform (nats-server 2.10+). */
export interface SubjectTransformConfig {
  /** Source subject filter. */
  src?: string;
  /** Destination subject. */
  dest: string;
}

/** A mirror or source of a stream. Passed through to the server as given. */
export interface StreamSource {
  /** Name of the source stream. */
  name: string;
  /** Start at this sequence of the source. */
  opt_start_seq?: number;
  /** Start at this time (RFC 3339). */
  opt_start_time?: string;
  /** Only copy matching subjects. */
  filter_subject?: string;
  /** The source lives in another domain or account. */
  external?: ExternalStream;
  /** Domain of the source (the client turns it into `external`). */
  domain?: string;
  /** Subject transforms (nats-server 2.10+). */
  subject_transforms?: SubjectTransformConfig[];
}

/** Republish stored messages to another subject. */
export interface Republish {
  /** Source subject filter. */
  src: string;
  /** Destination subject. */
  dest: string;
  /** Republish headers only. */
  headers_only?: boolean;
}

/** Default limits for the consumers of a stream (nats-server 2.10+). */
export interface StreamConsumerLimits {
  /** Default inactive threshold, in nanoseconds. */
  inactive_threshold?: Nanos;
  /** Default max ack pending. */
  max_ack_pending?: number;
}

/** The stream settings that `streams.update()` may change. */
export interface StreamUpdateConfig {
  /** Subjects the stream captures (wildcards allowed). */
  subjects: string[];
  /** Free-form description. */
  description?: string;
  /** Most messages kept per subject (-1: unlimited). */
  max_msgs_per_subject: number;
  /** Most messages kept (-1: unlimited). */
  max_msgs: number;
  /** Oldest message age kept, in nanoseconds (0: unlimited). */
  max_age: Nanos;
  /** Most bytes kept (-1: unlimited). */
  max_bytes: number;
  /** Largest message accepted (-1: unlimited). */
  max_msg_size: number;
  /** What happens when a limit is reached. */
  discard: DiscardPolicy;
  /** With `discard: new`, apply the per-subject limit to new messages (2.9+). */
  discard_new_per_subject?: boolean;
  /** Do not send PubAcks. */
  no_ack?: boolean;
  /** Window for `Nats-Msg-Id` de-duplication, in nanoseconds (default 2 minutes). */
  duplicate_window: Nanos;
  /** Streams to copy messages from. */
  sources?: StreamSource[];
  /** Allow `Nats-Rollup` headers. */
  allow_rollup_hdrs: boolean;
  /** Replicas, sent as given (R>1 needs a cluster). */
  num_replicas: number;
  /** Placement preference. */
  placement?: Placement;
  /** Refuse message deletes. */
  deny_delete: boolean;
  /** Refuse purges. */
  deny_purge: boolean;
  /** Allow direct get (`$JS.API.DIRECT.GET`). */
  allow_direct: boolean;
  /** Allow direct get on a mirror. */
  mirror_direct: boolean;
  /** Republish stored messages. */
  republish?: Republish;
  /** Free-form metadata (nats-server 2.10+). */
  metadata?: Record<string, string>;
  /** Subject transform (nats-server 2.10+). */
  subject_transform?: SubjectTransformConfig;
  /** Compression (nats-server 2.10+). */
  compression?: StoreCompression;
  /** Consumer defaults (nats-server 2.10+). */
  consumer_limits?: StreamConsumerLimits;
  /** Mirror of another stream (cannot be changed after creation). */
  mirror?: StreamSource;
  /** Allow per-message TTLs (nats-server 2.11+). */
  allow_msg_ttl?: boolean;
}

/** A stream configuration. */
export interface StreamConfig extends StreamUpdateConfig {
  /** Stream name: no spaces, `.`, `*`, `>`, `/` or `\`. */
  name: string;
  /** Retention policy. */
  retention: RetentionPolicy;
  /** Storage type. */
  storage: StorageType;
  /** Most consumers (-1: unlimited). */
  max_consumers: number;
  /** Sealed streams refuse writes, deletes and purges. */
  sealed: boolean;
  /** First sequence (nats-server 2.10+). */
  first_seq?: number;
}

/** Messages lost to a storage failure. */
export interface LostStreamData {
  /** Lost sequences. */
  msgs: number[] | null;
  /** Lost bytes. */
  bytes: number;
}

/** The current state of a stream. */
export interface StreamState {
  /** Messages stored. */
  messages: number;
  /** Bytes stored. */
  bytes: number;
  /** First sequence stored. */
  first_seq: number;
  /** Time of the first message (RFC 3339). */
  first_ts: string;
  /** Last sequence stored. */
  last_seq: number;
  /** Time of the last message (RFC 3339). */
  last_ts: string;
  /** Deleted messages between first and last. */
  num_deleted?: number;
  /** Deleted sequences (with `deleted_details`). */
  deleted?: number[];
  /** Lost data, if any. */
  lost?: LostStreamData;
  /** Number of consumers. */
  consumer_count: number;
  /** Number of subjects. */
  num_subjects?: number;
  /** Messages per subject (with `subjects_filter`). */
  subjects?: Record<string, number>;
}

/** A peer of a clustered stream or consumer. */
export interface PeerInfo {
  /** Server name. */
  name: string;
  /** Whether it is up to date. */
  current: boolean;
  /** Whether it is offline. */
  offline?: boolean;
  /** Nanoseconds since last seen. */
  active: Nanos;
  /** Operations behind the leader. */
  lag?: number;
}

/** Cluster information of a stream or consumer. */
export interface ClusterInfo {
  /** Cluster name. */
  name?: string;
  /** Leader server name. */
  leader?: string;
  /** Other replicas. */
  replicas?: PeerInfo[];
}

/** State of a mirror or source. */
export interface StreamSourceInfo {
  /** Source stream name. */
  name: string;
  /** Messages behind. */
  lag: number;
  /** Nanoseconds since last contact. */
  active: Nanos;
  /** Error, if the source is failing. */
  error?: ApiError;
}

/** A stream's configuration and state. */
export interface StreamInfo {
  /** Configuration, with server defaults filled in. */
  config: StreamConfig;
  /** Creation time (RFC 3339). */
  created: string;
  /** Current state. */
  state: StreamState;
  /** Cluster information. */
  cluster?: ClusterInfo;
  /** Mirror state. */
  mirror?: StreamSourceInfo;
  /** Sources state. */
  sources?: StreamSourceInfo[];
  /** Server time of the reply (RFC 3339, nats-server 2.10+). */
  ts?: string;
}

/** Options of `streams.info()`. */
export interface StreamInfoRequestOptions {
  /** Report message counts per subject matching this filter (in `state.subjects`). */
  subjects_filter: string;
  /** Report the deleted sequences (in `state.deleted`). */
  deleted_details: boolean;
}

/** Purge everything below `seq` (exclusive), optionally only on `filter`. */
export interface PurgeBySeq {
  /** Subject filter. */
  filter?: string;
  /** Purge sequences below this one. */
  seq: number;
}
/** Purge all but the newest `keep` messages, optionally only on `filter`. */
export interface PurgeTrimOpts {
  /** Subject filter. */
  filter?: string;
  /** Messages to keep. */
  keep: number;
}
/** Purge the messages on `filter`. */
export interface PurgeBySubject {
  /** Subject filter (wildcards allowed). */
  filter: string;
}
/** Options of `streams.purge()`: `seq` and `keep` exclude each other. */
export type PurgeOpts = PurgeBySeq | PurgeTrimOpts | PurgeBySubject;

/** Reply of a purge. */
export interface PurgeResponse {
  /** Always true on success. */
  success: boolean;
  /** Messages removed. */
  purged: number;
}

/** Look up a stored message by sequence. */
export interface SeqMsgRequest {
  /** Stream sequence. */
  seq: number;
}
/** Look up the last message stored on a subject. */
export interface LastForMsgRequest {
  /** Subject (no wildcards). */
  last_by_subj: string;
}
/** Options of `streams.getMessage()`. */
export type MsgRequest = SeqMsgRequest | LastForMsgRequest;

/** A consumer's settings that `consumers.update()` may change. */
export interface ConsumerUpdateConfig {
  /** Free-form description. */
  description?: string;
  /** How long the server waits for an ack before redelivering, in nanoseconds (default 30s). */
  ack_wait?: Nanos;
  /** Most deliveries of one message (-1: unlimited). */
  max_deliver?: number;
  /** Sampling rate of ack advisories (`"100%"`). */
  sample_freq?: string;
  /** Most unacknowledged messages outstanding (default 1000). */
  max_ack_pending?: number;
  /** Most pull requests waiting at once (default 512). */
  max_waiting?: number;
  /** Deliver headers only (with `Nats-Msg-Size`). */
  headers_only?: boolean;
  /** Push consumers only: where messages are sent. */
  deliver_subject?: string;
  /** Largest batch a pull request may ask for. */
  max_batch?: number;
  /** Longest `expires` a pull request may ask for, in nanoseconds. */
  max_expires?: Nanos;
  /** An ephemeral consumer is removed after this long without activity, in nanoseconds. */
  inactive_threshold?: Nanos;
  /** Redelivery delays, in nanoseconds (needs `max_deliver` > its length). */
  backoff?: Nanos[];
  /** Largest `max_bytes` a pull request may ask for. */
  max_bytes?: number;
  /** Replicas, sent as given. */
  num_replicas?: number;
  /** Keep the consumer state in memory. */
  mem_storage?: boolean;
  /** Only deliver messages on this subject (wildcards allowed). */
  filter_subject?: string;
  /** Several filters (nats-server 2.10+). */
  filter_subjects?: string[];
  /** Free-form metadata (nats-server 2.10+). */
  metadata?: Record<string, string>;
}

/** A consumer configuration. Without `durable_name` the consumer is ephemeral. */
export interface ConsumerConfig extends ConsumerUpdateConfig {
  /** Ack policy. */
  ack_policy: AckPolicy;
  /** Where to start. */
  deliver_policy: DeliverPolicy;
  /** Push consumers only: queue group. */
  deliver_group?: string;
  /** Name of a durable consumer; leave it out for an ephemeral consumer. */
  durable_name?: string;
  /** Name of the consumer (durable or ephemeral; nats-server 2.9+). */
  name?: string;
  /** Push consumers only: flow control. */
  flow_control?: boolean;
  /** Push consumers only: idle heartbeat, in nanoseconds. */
  idle_heartbeat?: Nanos;
  /** Start sequence with `by_start_sequence`. */
  opt_start_seq?: number;
  /** Start time (RFC 3339) with `by_start_time`. */
  opt_start_time?: string;
  /** Push consumers only: rate limit in bits per second. */
  rate_limit_bps?: number;
  /** Replay policy. */
  replay_policy: ReplayPolicy;
}

/** Consumer and stream sequences of a consumer. */
export interface SequenceInfo {
  /** Consumer sequence. */
  consumer_seq: number;
  /** Stream sequence. */
  stream_seq: number;
  /** Time of the last activity (RFC 3339). */
  last_active?: string;
}

/** A consumer's configuration and state. */
export interface ConsumerInfo {
  /** Stream name. */
  stream_name: string;
  /** Consumer name. */
  name: string;
  /** Creation time (RFC 3339). */
  created: string;
  /** Configuration, with server defaults filled in. */
  config: ConsumerConfig;
  /** Last delivered sequences. */
  delivered: SequenceInfo;
  /** Sequences up to which everything is acknowledged. */
  ack_floor: SequenceInfo;
  /** Messages delivered and not yet acknowledged. */
  num_ack_pending: number;
  /** Messages redelivered. */
  num_redelivered: number;
  /** Pull requests waiting. */
  num_waiting: number;
  /** Messages not yet delivered. */
  num_pending: number;
  /** Cluster information. */
  cluster?: ClusterInfo;
  /** Push consumers: whether a subscriber is bound. */
  push_bound?: boolean;
  /** Server time of the reply (RFC 3339, nats-server 2.10+). */
  ts?: string;
}

/** Account limits. */
export interface AccountLimits {
  /** Memory storage limit (-1: unlimited). */
  max_memory: number;
  /** File storage limit (-1: unlimited). */
  max_storage: number;
  /** Stream count limit (-1: unlimited). */
  max_streams: number;
  /** Consumer count limit (-1: unlimited). */
  max_consumers: number;
  /** Max ack pending limit (-1: unlimited). */
  max_ack_pending?: number;
  /** Largest memory stream (-1: unlimited). */
  memory_max_stream_bytes?: number;
  /** Largest file stream (-1: unlimited). */
  storage_max_stream_bytes?: number;
  /** Streams must set `max_bytes`. */
  max_bytes_required?: boolean;
}

/** JetStream API counters of an account. */
export interface JetStreamApiStats {
  /** API calls. */
  total: number;
  /** API calls that failed. */
  errors: number;
  /** API level (nats-server 2.11+). */
  level?: number;
}

/** Account usage and limits (`$JS.API.INFO`). */
export interface JetStreamAccountStats {
  /** Memory used, bytes. */
  memory: number;
  /** Storage used, bytes. */
  storage: number;
  /** Streams. */
  streams: number;
  /** Consumers. */
  consumers: number;
  /** Limits. */
  limits: AccountLimits;
  /** API counters. */
  api: JetStreamApiStats;
  /** Domain, if any. */
  domain?: string;
}

/** A pull request body (`$JS.API.CONSUMER.MSG.NEXT`). */
export interface PullOptions {
  /** Messages to deliver. */
  batch: number;
  /** Return at once when nothing is pending. */
  no_wait?: boolean;
  /** Nanoseconds the request stays open. */
  expires?: Nanos;
  /** Most bytes to deliver. */
  max_bytes?: number;
  /** Nanoseconds between idle heartbeats while the request waits. */
  idle_heartbeat?: Nanos;
}

/** A successful JetStream publish: where and at which sequence the message was stored. */
export interface PubAck {
  /** Stream that stored the message. */
  stream: string;
  /** JetStream domain, when the server has one. */
  domain?: string;
  /** Stream sequence of the message (the original one for a duplicate). */
  seq: number;
  /** True when the `msgID` was seen inside the duplicate window: nothing was stored. */
  duplicate: boolean;
}

/** Delivery metadata of a JetStream message, parsed from its `$JS.ACK` reply subject. */
export interface DeliveryInfo {
  /** JetStream domain, `""` when none. */
  domain: string;
  /** Account hash (11+-token ack subjects only). */
  account_hash?: string;
  /** Stream name. */
  stream: string;
  /** Consumer name. */
  consumer: string;
  /** How many times this message has been delivered (1 the first time). */
  deliveryCount: number;
  /** Sequence in the stream. */
  streamSequence: number;
  /** Sequence in the consumer. */
  deliverySequence: number;
  /**
   * Time the message was stored, nanoseconds since the epoch, as a number
   * (precise to about a microsecond; `JsMsg.timestampNanos` is exact).
   */
  timestampNanos: number;
  /** Messages still pending for the consumer after this one. */
  pending: number;
  /** True when `deliveryCount` > 1. */
  redelivered: boolean;
}

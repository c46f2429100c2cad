// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * JetStream for nats-rt: stream and consumer management, publishes that
 * resolve with the server's PubAck, and pull consumers (`next`, `fetch`,
 * `consume`, ordered) whose messages are acked with `ack()`, `nak()`,
 * `working()`, `term()` or `ackAck()`. The API mirrors `@nats-io/jetstream`
 * v3; everything here is also exported from the package root.
 *
 * Configurations use the server's wire shape: snake_case names, durations in
 * nanoseconds ({@link nanos} converts milliseconds). A consumer config
 * without `durable_name` makes an ephemeral consumer.
 *
 * @example Create a stream, publish, pull and ack
 * ```ts ignore
 * import { connect } from "@nats-rt/nats";
 * import { AckPolicy, jetstream, jetstreamManager } from "@nats-rt/nats/jetstream";
 *
 * const nc = await connect({ servers: "127.0.0.1:4222" });
 * const jsm = await jetstreamManager(nc);
 * await jsm.streams.add({ name: "ORDERS", subjects: ["orders.>"] });
 * await jsm.consumers.add("ORDERS", { durable_name: "worker", ack_policy: AckPolicy.Explicit });
 *
 * const js = jetstream(nc);
 * const pa = await js.publish("orders.new", JSON.stringify({ id: 1 }));
 * console.log(pa.stream, pa.seq, pa.duplicate); // ORDERS 1 false
 *
 * const c = await js.consumers.get("ORDERS", "worker");
 * const m = await c.next({ expires: 5_000 });
 * if (m) {
 *   console.log(m.subject, m.seq, m.json());
 *   m.ack();
 * }
 * await nc.drain();
 * ```
 *
 * @module
 */
import type { NatsConnection } from "../connection.ts";
import { createClient } from "./client.ts";
import { createManager } from "./manager.ts";
import type {
  JetStreamClient,
  JetStreamManager,
  JetStreamManagerOptions,
  JetStreamOptions,
} from "./types.ts";

/**
 * Creates a JetStream client on a connection: `publish()` resolving with
 * the PubAck, `consumers.get()` for pull and ordered consumers, and
 * `streams.get()`. Nothing is sent until it is used.
 *
 * @param nc an open connection
 * @param opts `domain` or `apiPrefix`, `timeout` (ms, default 5000),
 *   `maxPendingAcks` (bound on pipelined publishes, default 4000)
 * @returns the client
 * @example Publish and read the PubAck
 * ```ts ignore
 * const js = jetstream(nc);
 * const pa = await js.publish("orders.new", "hello", { msgID: "order-1" });
 * console.log(pa.stream, pa.seq, pa.duplicate);
 * ```
 */
export function jetstream(nc: NatsConnection, opts?: JetStreamOptions): JetStreamClient {
  return createClient(nc, opts);
}

/**
 * Creates a JetStream manager on a connection: `streams.*`, `consumers.*`
 * and `getAccountInfo()`. Unless `checkAPI` is false it first asks
 * `$JS.API.INFO`, so a server without JetStream fails here with
 * {@link JetStreamNotEnabledError}.
 *
 * @param nc an open connection
 * @param opts `domain` or `apiPrefix`, `timeout` (ms, default 5000), `checkAPI`
 * @returns the manager
 * @example Create a stream
 * ```ts ignore
 * const jsm = await jetstreamManager(nc);
 * const si = await jsm.streams.add({ name: "ORDERS", subjects: ["orders.>"] });
 * console.log(si.config.name, si.state.messages);
 * ```
 */
export function jetstreamManager(
  nc: NatsConnection,
  opts?: JetStreamManagerOptions,
): Promise<JetStreamManager> {
  return createManager(nc, opts);
}

export {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  JsHeaders,
  millis,
  nanos,
  PubHeaders,
  ReplayPolicy,
  RetentionPolicy,
  StorageType,
  StoreCompression,
} from "./api_types.ts";
export type {
  AccountLimits,
  ApiError,
  ApiPaged,
  ClusterInfo,
  ConsumerConfig,
  ConsumerInfo,
  ConsumerUpdateConfig,
  DeliveryInfo,
  ExternalStream,
  JetStreamAccountStats,
  JetStreamApiStats,
  LastForMsgRequest,
  LostStreamData,
  MsgRequest,
  Nanos,
  PeerInfo,
  Placement,
  PubAck,
  PullOptions,
  PurgeBySeq,
  PurgeBySubject,
  PurgeOpts,
  PurgeResponse,
  PurgeTrimOpts,
  Republish,
  SeqMsgRequest,
  SequenceInfo,
  StreamConfig,
  StreamConsumerLimits,
  StreamInfo,
  StreamInfoRequestOptions,
  StreamSource,
  StreamSourceInfo,
  StreamState,
  StreamUpdateConfig,
  SubjectTransformConfig,
} from "./api_types.ts";
export {
  ConsumerNotFoundError,
  JetStreamApiCodes,
  JetStreamApiError,
  JetStreamError,
  JetStreamNotEnabledError,
  JetStreamStatusError,
  NoStreamError,
  StreamNotFoundError,
} from "./errors.ts";
export { parseInfo } from "./jsmsg.ts";
export type {
  ConsumeOptions,
  Consumer,
  ConsumerAPI,
  ConsumerCallbackFn,
  ConsumerDeleted,
  ConsumerMessages,
  ConsumerNotFound,
  ConsumerNotification,
  Consumers,
  Debug,
  Discard,
  ExceededLimits,
  FetchOptions,
  Heartbeat,
  HeartbeatsMissed,
  JetStreamClient,
  JetStreamManager,
  JetStreamManagerOptions,
  JetStreamOptions,
  JetStreamPublishOptions,
  JsMsg,
  Lister,
  Next,
  NextOptions,
  NoResponders,
  OrderedConsumerOptions,
  OrderedConsumerRecreated,
  PullLimits,
  Reset,
  StoredMsg,
  Stream,
  StreamAPI,
  StreamExpectations,
  StreamNotFound,
  Streams,
} from "./types.ts";
// Core types the JetStream API refers to, so the "./jetstream" entry is complete on its own.
export type { NatsConnection } from "../connection.ts";
export type * from "../types.ts";
export type { TlsOptions } from "../transport.ts";

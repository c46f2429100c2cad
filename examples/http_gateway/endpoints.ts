// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * The gateway's endpoints. Each one reads and checks its whole body first
 * (connection fields and its own), so bad input is a 400 that costs no
 * connection, then runs on a pooled connection. Results are plain JSON
 * objects; failures are thrown and turned into responses by `gateway.ts`.
 *
 * @module
 */
import {
  AckPolicy,
  type ConsumerConfig,
  type ConsumerInfo,
  ConsumerNotFoundError,
  DeliverPolicy,
  DiscardPolicy,
  headers as newHeaders,
  type JetStreamPublishOptions,
  type JsMsg,
  millis,
  type Msg,
  type MsgHdrs,
  nanos,
  NoRespondersError,
  parseInfo,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
  type StreamInfo,
} from "../../mod.ts";
import type { ConnectionPool } from "./pool.ts";
import {
  badField,
  checkName,
  checkSubject,
  type ConnectionSpec,
  Fields,
  fromBase64,
  GatewayError,
  type HostAllowList,
  payloadView,
  readConnection,
  readHeaders,
  readPayload,
  type ServerUrl,
} from "./schema.ts";

/** What every endpoint gets besides its body. */
export interface EndpointContext {
  /** The connection pool. */
  pool: ConnectionPool;
  /** Server used when a request names none. */
  defaultServer: ServerUrl;
  /** Hosts requests may name. */
  allow: HostAllowList;
  /** Fires when the gateway shuts down: long waits end early with what they have. */
  signal: AbortSignal;
  /** Longest wait a request may ask for, in ms. */
  maxWaitMs: number;
  /** Most messages one request may collect. */
  maxMessages: number;
}

/** A successful result: the JSON body (and a status other than 200, if any). */
export interface Result {
  /** HTTP status (default 200). */
  status?: number;
  /** The JSON body. */
  body: Record<string, unknown>;
}

/** An endpoint: reads its body and answers, or throws. */
export type Endpoint = (body: unknown, ctx: EndpointContext) => Promise<Result>;

const te = new TextEncoder();
const td = new TextDecoder();

// ------------------------------------------------------------------ helpers

/** The connection fields plus the endpoint's own, read by `read`; unknown fields refused. */
function parse<T>(
  body: unknown,
  ctx: EndpointContext,
  read: (f: Fields) => T,
): { spec: ConnectionSpec; params: T } {
  const f = new Fields(body);
  // Endpoint fields first: a bad field is reported before a host refusal.
  const params = read(f);
  const spec = readConnection(f, ctx.defaultServer, ctx.allow);
  f.done();
  return { spec, params };
}

function waitMs(f: Fields, ctx: EndpointContext, fallback: number): number {
  return f.num("timeout_ms", { min: 1, max: ctx.maxWaitMs, integer: true }, fallback);
}

function maxMessages(f: Fields, ctx: EndpointContext, fallback: number): number {
  return f.num("max_messages", { min: 1, max: ctx.maxMessages, integer: true }, fallback);
}

function buildHeaders(list: Array<[string, string[]]> | undefined): MsgHdrs | undefined {
  if (list === undefined) return undefined;
  const h = newHeaders();
  for (const [k, vs] of list) for (const v of vs) h.append(k, v);
  return h;
}

/** Headers as `{ name: [values] }`, or undefined when there are none. */
function headersView(h: MsgHdrs | undefined): Record<string, string[]> | undefined {
  if (h === undefined) return undefined;
  const out: Record<string, string[]> = {};
  let any = false;
  for (const [k, vs] of h) {
    out[k] = vs;
    any = true;
  }
  return any ? out : undefined;
}

/** A core message as returned by `/subscribe` and `/request`. */
function msgView(m: Msg): Record<string, unknown> {
  const v: Record<string, unknown> = { subject: m.subject, ...payloadView(m.data) };
  if (m.reply !== "") v.reply = m.reply;
  const h = headersView(m.headers);
  if (h !== undefined) v.headers = h;
  return v;
}

/** Ends `wait` early when `signal` fires; the listener is always removed. */
function onAbort(signal: AbortSignal, fn: () => void): () => void {
  if (signal.aborted) {
    fn();
    return () => {};
  }
  signal.addEventListener("abort", fn, { once: true });
  return () => signal.removeEventListener("abort", fn);
}

// ------------------------------------------------------------------ connect

/** `POST /api/nats/connect`: dials (or reuses) a connection and describes the server. */
export function connectEndpoint(body: unknown, ctx: EndpointContext): Promise<Result> {
  const { spec } = parse(body, ctx, () => undefined);
  return ctx.pool.use(spec, async (lease) => {
    const rtt = await lease.nc.rtt();
    const info = lease.nc.info;
    return {
      body: {
        ok: true,
        server: lease.nc.getServer(),
        server_id: info?.server_id,
        server_name: info?.server_name,
        version: info?.version,
        jetstream: info?.jetstream === true,
        headers: info?.headers === true,
        max_payload: info?.max_payload,
        tls: spec.tls,
        rtt_ms: Math.round(rtt * 1000) / 1000,
        reused: lease.reused,
      },
    };
  });
}

// ------------------------------------------------------------------ publish

/** `POST /api/nats/publish`: publishes one message and confirms the server took it. */
export function publishEndpoint(body: unknown, ctx: EndpointContext): Promise<Result> {
  const { spec, params } = parse(body, ctx, (f) => ({
    subject: checkSubject(f.str("subject", { required: true }), "subject", false),
    payload: readPayload(f),
    headers: readHeaders(f),
    reply: (() => {
      const r = f.str("reply");
      return r === undefined ? undefined : checkSubject(r, "reply", false);
    })(),
  }));
  return ctx.pool.use(spec, async (lease) => {
    const mark = lease.mark();
    lease.nc.publish(params.subject, params.payload, {
      reply: params.reply,
      headers: buildHeaders(params.headers),
    });
    // The server answers the flush's PING after it has handled the PUB, so
    // a permission -ERR for it has been read by then; status events reach
    // the pool's watcher through promise jobs, all run before a timer fires.
    await lease.nc.flush();
    await new Promise((r) => setTimeout(r, 0));
    const denied = lease.violationSince(mark, params.subject);
    if (denied !== undefined) throw denied;
    return { body: { ok: true, subject: params.subject, bytes: params.payload.length } };
  });
}

// ---------------------------------------------------------------- subscribe

/**
 * `POST /api/nats/subscribe`: subscribes, collects messages until
 * `max_messages` arrived or `timeout_ms` passed, unsubscribes and returns them.
 */
export function subscribeEndpoint(body: unknown, ctx: EndpointContext): Promise<Result> {
  const { spec, params } = parse(body, ctx, (f) => ({
    subject: checkSubject(f.str("subject", { required: true }), "subject", true),
    queue: (() => {
      const q = f.str("queue");
      return q === undefined ? undefined : checkName(q, "queue");
    })(),
    max: maxMessages(f, ctx, 100),
    timeout: waitMs(f, ctx, 1_000),
  }));
  return ctx.pool.use(spec, async (lease) => {
    const started = performance.now();
    const sub = lease.nc.subscribe(params.subject, { queue: params.queue, max: params.max });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      sub.unsubscribe();
    }, params.timeout);
    const unlisten = onAbort(ctx.signal, () => sub.unsubscribe());
    const messages: Record<string, unknown>[] = [];
    try {
      // Registered once the server answers the PING (a refused SUB ends `sub` before that).
      await lease.nc.flush();
      for await (const m of sub) {
        messages.push(msgView(m));
        if (messages.length >= params.max) break;
      }
    } finally {
      clearTimeout(timer);
      unlisten();
      sub.unsubscribe();
    }
    const ended = await sub.closed;
    if (ended instanceof Error) throw ended;
    // Answer once the server has dropped the interest too.
    await lease.nc.flush().catch(() => {});
    return {
      body: {
        ok: true,
        subject: params.subject,
        count: messages.length,
        ended: messages.length >= params.max ? "max_messages" : timedOut ? "timeout" : "shutdown",
        elapsed_ms: Math.round(performance.now() - started),
        messages,
      },
    };
  });
}

// ------------------------------------------------------------------ request

/**
 * `POST /api/nats/request`: one request over the connection's shared (muxed)
 * inbox. `responded` tells whether anything answered; no responders is a
 * 503, a timeout a 504, both with `responded: false`.
 */
export function requestEndpoint(body: unknown, ctx: EndpointContext): Promise<Result> {
  const { spec, params } = parse(body, ctx, (f) => ({
    subject: checkSubject(f.str("subject", { required: true }), "subject", false),
    payload: readPayload(f),
    headers: readHeaders(f),
    timeout: waitMs(f, ctx, 1_000),
  }));
  return ctx.pool.use(spec, async (lease) => {
    const started = performance.now();
    try {
      const m = await lease.nc.request(params.subject, params.payload, {
        timeout: params.timeout,
        headers: buildHeaders(params.headers),
        signal: ctx.signal,
      });
      const r = msgView(m);
      delete r.subject; // the inbox the reply came to: meaningless to the caller
      return {
        body: {
          ok: true,
          responded: true,
          subject: params.subject,
          elapsed_ms: Math.round(performance.now() - started),
          response: r,
        },
      };
    } catch (err) {
      throw new EndpointError(err, { responded: false, subject: params.subject });
    }
  });
}

/** An error plus fields to add to the error response (e.g. `responded: false`). */
export class EndpointError extends Error {
  /** Extra fields of the error body. */
  readonly extra: Record<string, unknown>;
  /**
   * Wraps an error.
   *
   * @param cause the error
   * @param extra fields to add to the error body
   */
  constructor(cause: unknown, extra: Record<string, unknown>) {
    super("endpoint error", { cause });
    this.name = "EndpointError";
    this.extra = extra;
  }
}

// ------------------------------------------------------------ jetstream-info

/** `POST /api/nats/jetstream-info`: the account's JetStream usage and limits. */
export function jetstreamInfoEndpoint(body: unknown, ctx: EndpointContext): Promise<Result> {
  const { spec } = parse(body, ctx, () => undefined);
  return ctx.pool.use(spec, async (lease) => {
    const jsm = await lease.jsm();
    const a = await jsm.getAccountInfo();
    const account: Record<string, unknown> = {
      memory: a.memory,
      storage: a.storage,
      streams: a.streams,
      consumers: a.consumers,
      limits: a.limits,
      api: a.api,
    };
    if (a.domain) account.domain = a.domain;
    return {
      body: {
        ok: true,
        server: lease.nc.getServer(),
        version: lease.nc.info?.version,
        account,
      },
    };
  });
}

// ---------------------------------------------------------- jetstream-stream

const RETENTION = [
  RetentionPolicy.Limits,
  RetentionPolicy.Interest,
  RetentionPolicy.Workqueue,
] as const;
const STORAGE = [StorageType.File, StorageType.Memory] as const;
const DISCARD = [DiscardPolicy.Old, DiscardPolicy.New] as const;

/** Reads the `config` of a stream `create` (durations in ms). */
function readStreamConfig(
  f: Fields | undefined,
  name: string,
): Partial<StreamConfig> & { name: string } {
  const cfg: Partial<StreamConfig> & { name: string } = { name };
  if (f === undefined) return cfg;
  const subjects = f.strList("subjects", { max: 1_000 });
  if (subjects !== undefined) {
    subjects.forEach((s, i) => checkSubject(s, `${f.name("subjects")}[${i}]`, true));
    cfg.subjects = subjects;
  }
  const description = f.str("description", { max: 4_096 });
  if (description !== undefined) cfg.description = description;
  const retention = f.oneOf("retention", RETENTION);
  if (retention !== undefined) cfg.retention = retention;
  const storage = f.oneOf("storage", STORAGE);
  if (storage !== undefined) cfg.storage = storage;
  const discard = f.oneOf("discard", DISCARD);
  if (discard !== undefined) cfg.discard = discard;
  const replicas = f.num("num_replicas", { min: 1, max: 5, integer: true });
  if (replicas !== undefined) cfg.num_replicas = replicas;
  const limit = { min: -1, integer: true, max: Number.MAX_SAFE_INTEGER };
  const maxMsgs = f.num("max_msgs", limit);
  if (maxMsgs !== undefined) cfg.max_msgs = maxMsgs;
  const maxBytes = f.num("max_bytes", limit);
  if (maxBytes !== undefined) cfg.max_bytes = maxBytes;
  const maxMsgSize = f.num("max_msg_size", { ...limit, max: 2 ** 31 - 1 });
  if (maxMsgSize !== undefined) cfg.max_msg_size = maxMsgSize;
  const perSubject = f.num("max_msgs_per_subject", limit);
  if (perSubject !== undefined) cfg.max_msgs_per_subject = perSubject;
  const maxConsumers = f.num("max_consumers", limit);
  if (maxConsumers !== undefined) cfg.max_consumers = maxConsumers;
  // Durations are milliseconds here; the server wants nanoseconds.
  const ms = { min: 0, max: Number.MAX_SAFE_INTEGER / 1_000_000 };
  const maxAge = f.num("max_age", ms);
  if (maxAge !== undefined) cfg.max_age = nanos(maxAge);
  const dupWindow = f.num("duplicate_window", ms);
  if (dupWindow !== undefined) cfg.duplicate_window = nanos(dupWindow);
  f.done();
  return cfg;
}

/** A stream as the gateway returns it (durations in ms, as accepted by `create`). */
function streamView(si: StreamInfo): Record<string, unknown> {
  const c = si.config;
  const config: Record<string, unknown> = {
    subjects: c.subjects ?? [],
    retention: c.retention,
    storage: c.storage,
    num_replicas: c.num_replicas,
    max_msgs: c.max_msgs,
    max_bytes: c.max_bytes,
    max_age: millis(c.max_age ?? 0),
    max_msg_size: c.max_msg_size,
    max_msgs_per_subject: c.max_msgs_per_subject,
    max_consumers: c.max_consumers,
    discard: c.discard,
    duplicate_window: millis(c.duplicate_window ?? 0),
  };
  if (c.description) config.description = c.description;
  const s = si.state;
  const v: Record<string, unknown> = {
    name: c.name,
    created: si.created,
    config,
    state: {
      messages: s.messages,
      bytes: s.bytes,
      first_seq: s.first_seq,
      last_seq: s.last_seq,
      consumer_count: s.consumer_count,
      num_subjects: s.num_subjects ?? 0,
    },
  };
  if (si.cluster?.leader) v.cluster = { name: si.cluster.name, leader: si.cluster.leader };
  return v;
}

/**
 * `POST /api/nats/jetstream-stream`: `action` `list`, `info`, `create`
 * (with `config`: subjects, retention, storage, num_replicas, max_msgs,
 * max_bytes, max_age in ms, ...) or `delete`.
 */
export function jetstreamStreamEndpoint(body: unknown, ctx: EndpointContext): Promise<Result> {
  const { spec, params } = parse(body, ctx, (f) => {
    const action = f.oneOf("action", ["list", "info", "create", "delete"] as const);
    if (action === undefined) throw badField("action", "required");
    if (action === "list") {
      const subject = f.str("subject");
      return {
        action,
        subject: subject === undefined ? undefined : checkSubject(subject, "subject", true),
      } as const;
    }
    const stream = checkName(f.str("stream", { required: true }), "stream");
    if (action === "create") return { action, cfg: readStreamConfig(f.obj("config"), stream) };
    return { action, stream };
  });
  return ctx.pool.use(spec, async (lease) => {
    const jsm = await lease.jsm();
    switch (params.action) {
      case "list": {
        const streams: Record<string, unknown>[] = [];
        for await (const si of jsm.streams.list(params.subject)) streams.push(streamView(si));
        streams.sort((a, b) => String(a.name).localeCompare(String(b.name)));
        return { body: { ok: true, action: "list", total: streams.length, streams } };
      }
      case "info": {
        const si = await jsm.streams.info(params.stream);
        return { body: { ok: true, action: "info", stream: streamView(si) } };
      }
      case "create": {
        const si = await jsm.streams.add(params.cfg);
        return { body: { ok: true, action: "create", stream: streamView(si) } };
      }
      case "delete": {
        const deleted = await jsm.streams.delete(params.stream);
        return { body: { ok: true, action: "delete", stream: params.stream, deleted } };
      }
    }
  });
}

// --------------------------------------------------------- jetstream-publish

/** `POST /api/nats/jetstream-publish`: publishes to a stream and returns the server's PubAck. */
export function jetstreamPublishEndpoint(body: unknown, ctx: EndpointContext): Promise<Result> {
  const { spec, params } = parse(body, ctx, (f) => {
    const subject = checkSubject(f.str("subject", { required: true }), "subject", false);
    const payload = readPayload(f);
    const headers = readHeaders(f);
    const msgId = f.str("msg_id", { nonEmpty: true, max: 1_024 });
    const timeout = waitMs(f, ctx, 5_000);
    const e = f.obj("expect");
    let expect: JetStreamPublishOptions["expect"] | undefined;
    if (e !== undefined) {
      expect = {};
      const stream = e.str("stream");
      if (stream !== undefined) expect.streamName = checkName(stream, e.name("stream"));
      const lastSeq = e.num("last_seq", { min: 0, integer: true });
      if (lastSeq !== undefined) expect.lastSequence = lastSeq;
      const lastSubjSeq = e.num("last_subject_seq", { min: 0, integer: true });
      if (lastSubjSeq !== undefined) expect.lastSubjectSequence = lastSubjSeq;
      const lastMsgId = e.str("last_msg_id", { nonEmpty: true });
      if (lastMsgId !== undefined) expect.lastMsgID = lastMsgId;
      e.done();
    }
    return { subject, payload, headers, msgId, timeout, expect };
  });
  return ctx.pool.use(spec, async (lease) => {
    const opts: Partial<JetStreamPublishOptions> = { timeout: params.timeout };
    if (params.msgId !== undefined) opts.msgID = params.msgId;
    if (params.expect !== undefined) opts.expect = params.expect;
    const h = buildHeaders(params.headers);
    if (h !== undefined) opts.headers = h;
    const pa = await lease.js().publish(params.subject, params.payload, opts);
    const out: Record<string, unknown> = {
      ok: true,
      stream: pa.stream,
      seq: pa.seq,
      duplicate: pa.duplicate === true,
    };
    if (pa.domain) out.domain = pa.domain;
    return { body: out };
  });
}

// ------------------------------------------------------------ jetstream-pull

/** Milliseconds an ephemeral consumer of an `ack: false` pull outlives its last use. */
export const EPHEMERAL_TTL_MS = 5 * 60_000;

/**
 * An ack token: the message's `$JS.ACK` reply subject, base64url-encoded.
 * Opaque to clients; checked to be a JetStream ack subject when used.
 */
export function ackToken(reply: string): string {
  let bin = "";
  for (const b of te.encode(reply)) bin += String.fromCharCode(b);
  return btoa(bin).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** The ack subject inside a token, or a 400 naming `field`. */
export function ackSubject(token: string, field: string): string {
  if (token.length === 0 || token.length > 2_048) throw badField(field, "is not an ack token");
  let reply: string;
  try {
    reply = td.decode(fromBase64(token, field));
  } catch {
    throw badField(field, "is not an ack token");
  }
  try {
    parseInfo(reply);
  } catch {
    throw badField(field, "is not an ack token");
  }
  if (/[\s\p{Cc}*>]/u.test(reply)) throw badField(field, "is not an ack token");
  return reply;
}

function consumerView(ci: ConsumerInfo, ephemeral: boolean): Record<string, unknown> {
  return {
    stream: ci.stream_name,
    name: ci.name,
    durable: !ephemeral,
    ack_policy: ci.config.ack_policy,
    filter_subject: ci.config.filter_subject || undefined,
    num_pending: ci.num_pending,
    num_ack_pending: ci.num_ack_pending,
    num_redelivered: ci.num_redelivered,
    delivered: { consumer_seq: ci.delivered.consumer_seq, stream_seq: ci.delivered.stream_seq },
    ack_floor: { consumer_seq: ci.ack_floor.consumer_seq, stream_seq: ci.ack_floor.stream_seq },
  };
}

function jsMsgView(m: JsMsg): Record<string, unknown> {
  const i = m.info;
  const v: Record<string, unknown> = {
    subject: m.subject,
    ...payloadView(m.data),
    seq: i.streamSequence,
    consumer_seq: i.deliverySequence,
    delivery_count: i.deliveryCount,
    redelivered: i.redelivered,
    pending: i.pending,
    timestamp: m.timestamp,
  };
  const h = headersView(m.headers);
  if (h !== undefined) v.headers = h;
  return v;
}

const DELIVER = [DeliverPolicy.All, DeliverPolicy.New, DeliverPolicy.Last] as const;

/**
 * `POST /api/nats/jetstream-pull`: pulls a batch from a consumer — an
 * ephemeral one made for this pull unless `durable` (created when missing)
 * or `consumer` (must exist) names one — and acks every message (confirmed
 * by the server), or with `ack: false` returns an ack token per message for
 * `/jetstream-ack`.
 */
export function jetstreamPullEndpoint(body: unknown, ctx: EndpointContext): Promise<Result> {
  const { spec, params } = parse(body, ctx, (f) => {
    const stream = checkName(f.str("stream", { required: true }), "stream");
    const durableText = f.str("durable");
    const durable = durableText === undefined ? undefined : checkName(durableText, "durable");
    const consumerText = f.str("consumer");
    const consumer = consumerText === undefined ? undefined : checkName(consumerText, "consumer");
    if (durable !== undefined && consumer !== undefined) {
      throw badField("consumer", "give either durable or consumer, not both");
    }
    const filterText = f.str("filter_subject");
    const filter = filterText === undefined
      ? undefined
      : checkSubject(filterText, "filter_subject", true);
    const deliver = f.oneOf("deliver_policy", DELIVER);
    const ackWait = f.num("ack_wait_ms", { min: 1, max: 12 * 3_600_000, integer: true });
    if (consumer !== undefined) {
      for (
        const [k, v] of [["filter_subject", filter], ["deliver_policy", deliver], [
          "ack_wait_ms",
          ackWait,
        ]] as const
      ) {
        if (v !== undefined) {
          throw badField(k, "configures a new consumer: not allowed with consumer (it exists)");
        }
      }
    }
    const noWait = f.bool("no_wait", false);
    const timeout = waitMs(f, ctx, 1_000);
    if (noWait && f.has("timeout_ms")) {
      throw badField("timeout_ms", "not allowed with no_wait (it returns at once)");
    }
    return {
      stream,
      durable,
      consumer,
      filter,
      deliver,
      ackWait,
      max: maxMessages(f, ctx, 10),
      timeout,
      noWait,
      ack: f.bool("ack", true),
    };
  });
  return ctx.pool.use(spec, async (lease) => {
    const jsm = await lease.jsm();
    const cfg: Partial<ConsumerConfig> = { ack_policy: AckPolicy.Explicit };
    if (params.filter !== undefined) cfg.filter_subject = params.filter;
    if (params.deliver !== undefined) cfg.deliver_policy = params.deliver;
    if (params.ackWait !== undefined) cfg.ack_wait = nanos(params.ackWait);

    let ci: ConsumerInfo;
    let ephemeral = false;
    if (params.consumer !== undefined) {
      ci = await jsm.consumers.info(params.stream, params.consumer);
      ephemeral = !ci.config.durable_name;
    } else if (params.durable !== undefined) {
      try {
        ci = await jsm.consumers.info(params.stream, params.durable);
        const want = params.filter ?? "";
        if (params.filter !== undefined && (ci.config.filter_subject ?? "") !== want) {
          throw new GatewayError(
            409,
            "CONSUMER_CONFLICT",
            `durable: consumer "${params.durable}" exists with filter_subject ` +
              `"${ci.config.filter_subject ?? ""}", not "${want}"`,
            "durable",
          );
        }
      } catch (err) {
        if (!(err instanceof ConsumerNotFoundError)) throw err;
        ci = await jsm.consumers.add(params.stream, { ...cfg, durable_name: params.durable });
      }
    } else {
      ephemeral = true;
      // Acked pulls delete their consumer at the end; the TTL is a safety net.
      // Unacked ones keep it so the tokens stay valid (and `consumer` can pull again).
      cfg.inactive_threshold = nanos(params.ack ? 60_000 : EPHEMERAL_TTL_MS);
      ci = await jsm.consumers.add(params.stream, cfg);
    }
    const deleteAfter = ephemeral && params.ack && params.consumer === undefined;
    try {
      const c = lease.js().consumers.getConsumerFromInfo(ci);
      const batch = await c.fetch(
        params.noWait
          ? { max_messages: params.max, no_wait: true }
          : { max_messages: params.max, expires: params.timeout },
      );
      const unlisten = onAbort(ctx.signal, () => batch.stop());
      const msgs: JsMsg[] = [];
      try {
        for await (const m of batch) msgs.push(m);
      } finally {
        unlisten();
      }
      const views = msgs.map(jsMsgView);
      let acked = 0;
      if (params.ack) {
        // Confirmed acks: the answer says acked only when the server said so.
        const results = await Promise.all(
          msgs.map((m) => m.ackAck({ timeout: 5_000 }).then(() => true, () => false)),
        );
        results.forEach((ok, i) => {
          views[i].acked = ok;
          if (ok) acked++;
        });
      } else {
        msgs.forEach((m, i) => views[i].ack_token = ackToken(m.reply));
      }
      const info = await jsm.consumers.info(params.stream, ci.name);
      return {
        body: {
          ok: true,
          stream: params.stream,
          consumer: { ...consumerView(info, ephemeral), deleted: deleteAfter || undefined },
          count: views.length,
          acked: params.ack ? acked : undefined,
          messages: views,
        },
      };
    } finally {
      if (deleteAfter) await jsm.consumers.delete(params.stream, ci.name).catch(() => {});
    }
  });
}

// ------------------------------------------------------------- jetstream-ack

const ACTIONS = ["ack", "nak", "term", "working"] as const;

/**
 * `POST /api/nats/jetstream-ack`: acks, naks (optionally after `delay_ms`),
 * terms or extends (`working`) messages by their ack tokens; each one is
 * confirmed by the server. A consumer that is gone is a 404 for its token.
 */
export function jetstreamAckEndpoint(body: unknown, ctx: EndpointContext): Promise<Result> {
  const { spec, params } = parse(body, ctx, (f) => {
    const tokens = f.strList("tokens", { max: ctx.maxMessages });
    if (tokens === undefined || tokens.length === 0) {
      throw badField("tokens", "required (one or more ack tokens from /jetstream-pull)");
    }
    const subjects = tokens.map((t, i) => ackSubject(t, `tokens[${i}]`));
    const action = f.oneOf("action", ACTIONS) ?? "ack";
    const delay = f.num("delay_ms", { min: 0, max: 365 * 86_400_000, integer: true });
    if (delay !== undefined && action !== "nak") {
      throw badField("delay_ms", 'only with action "nak"');
    }
    return { subjects, action, delay, timeout: waitMs(f, ctx, 5_000) };
  });
  const payload = te.encode(
    params.action === "ack"
      ? "+ACK"
      : params.action === "term"
      ? "+TERM"
      : params.action === "working"
      ? "+WPI"
      : params.delay
      ? `-NAK {"delay":${nanos(params.delay)}}`
      : "-NAK",
  );
  return ctx.pool.use(spec, async (lease) => {
    const results = await Promise.all(params.subjects.map(async (subject) => {
      const i = parseInfo(subject);
      const r: Record<string, unknown> = {
        stream: i.stream,
        consumer: i.consumer,
        seq: i.streamSequence,
        delivery_count: i.deliveryCount,
      };
      try {
        await lease.nc.request(subject, payload, { timeout: params.timeout });
        r.done = true;
      } catch (err) {
        r.done = false;
        r.error = err instanceof NoRespondersError
          ? { code: "CONSUMER_NOT_FOUND", message: `consumer "${i.consumer}" is gone` }
          : { code: (err as { code?: string }).code ?? "ERROR", message: (err as Error).message };
      }
      return r;
    }));
    const failed = results.filter((r) => r.done === false);
    if (failed.length > 0) {
      const first = failed[0].error as { code: string; message: string };
      const status = first.code === "CONSUMER_NOT_FOUND"
        ? 404
        : first.code === "TIMEOUT"
        ? 504
        : 502;
      throw new EndpointError(
        new GatewayError(
          status,
          first.code,
          `${failed.length} of ${results.length} ${params.action}s failed: ${first.message}`,
        ),
        { action: params.action, results },
      );
    }
    return { body: { ok: true, action: params.action, count: results.length, results } };
  });
}

// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * Stream and consumer management over the `$JS.API` request subjects, with
 * paged listers, stored-message access and account info.
 *
 * @module
 */
import type { NatsConnection } from "../connection.ts";
import { decodeHeaders, headers as newHeaders } from "../headers.ts";
import type { MsgHdrs } from "../types.ts";
import { BaseApi, type ResolvedJsOptions, resolveJsOptions, validateToken } from "./_api.ts";
import type {
  ApiPaged,
  ConsumerConfig,
  ConsumerInfo,
  ConsumerUpdateConfig,
  JetStreamAccountStats,
  MsgRequest,
  PurgeOpts,
  PurgeResponse,
  StreamConfig,
  StreamInfo,
  StreamInfoRequestOptions,
  StreamSource,
  StreamUpdateConfig,
} from "./api_types.ts";
import { JetStreamApiCodes, JetStreamApiError, JetStreamError } from "./errors.ts";
import { versionAtLeast } from "./jsmsg.ts";
import type {
  ConsumerAPI,
  JetStreamClient,
  JetStreamManager,
  JetStreamManagerOptions,
  JetStreamOptions,
  Lister,
  StoredMsg,
  Stream,
  StreamAPI,
} from "./types.ts";
// Circular on purpose: only used inside methods, never at module evaluation.
import { JetStreamClientImpl, StreamImpl } from "./client.ts";

const decoder = new TextDecoder();

/** Fields that older servers drop silently, with the first version that keeps them. */
const STREAM_FIELD_MIN: Record<string, [number, number, number]> = {
  metadata: [2, 10, 0],
  subject_transform: [2, 10, 0],
  compression: [2, 10, 0],
  consumer_limits: [2, 10, 0],
  first_seq: [2, 10, 0],
  allow_msg_ttl: [2, 11, 0],
};
const CONSUMER_FIELD_MIN: Record<string, [number, number, number]> = {
  filter_subjects: [2, 10, 0],
  metadata: [2, 10, 0],
};

/** True for values the server leaves out of its reply (`omitempty`). */
function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === "") return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === "object") return Object.keys(v as object).length === 0;
  return false;
}

/** Copy without `undefined` members, so unset fields are left out of the JSON. */
function defined<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}

/**
 * Refuses fields the connected server is known to drop (before anything is
 * created), naming the version that supports them.
 */
function checkFieldVersions(
  nc: NatsConnection,
  cfg: Record<string, unknown>,
  table: Record<string, [number, number, number]>,
  what: string,
): void {
  const version = nc.info?.version;
  if (version === undefined) return;
  for (const [k, [a, b, c]] of Object.entries(table)) {
    if (!isEmpty(cfg[k]) && !versionAtLeast(version, a, b, c)) {
      throw new JetStreamError(
        `${what} field "${k}" needs nats-server ${a}.${b}.${c} or newer; ` +
          `the server is ${version} and would silently ignore it`,
      );
    }
  }
}

/**
 * Compares what was sent with what the server kept: a field the user set
 * that is missing from the returned config was dropped by a server that
 * does not know it.
 */
function checkFieldsKept(
  nc: NatsConnection,
  sent: Record<string, unknown>,
  kept: Record<string, unknown>,
  what: string,
): void {
  const dropped = Object.keys(sent).filter((k) => !isEmpty(sent[k]) && !(k in kept));
  if (dropped.length === 0) return;
  const v = nc.info?.version ?? "unknown";
  throw new JetStreamError(
    `${what}: the server (nats-server ${v}) did not keep field(s) ${
      dropped.map((d) => `"${d}"`).join(", ")
    }: it does not support them. The change was applied without them; ` +
      `remove them or upgrade the server`,
  );
}

/** Internal implementation of {@link Lister}. */
export class ListerImpl<T> implements Lister<T> {
  #fetch: (offset: number) => Promise<{ items: T[] | null; page: ApiPaged }>;
  #offset = 0;
  #done = false;

  /** @param fetch loads the page at `offset` */
  constructor(fetch: (offset: number) => Promise<{ items: T[] | null; page: ApiPaged }>) {
    this.#fetch = fetch;
  }

  /** The next page, or `[]` at the end. */
  async next(): Promise<T[]> {
    if (this.#done) return [];
    const { items, page } = await this.#fetch(this.#offset);
    // The server sends `null` rather than `[]` for an empty list.
    const list = items ?? [];
    this.#offset += list.length;
    if (list.length === 0 || this.#offset >= page.total) this.#done = true;
    return list;
  }

  /** Every item of every page. */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      const page = await this.next();
      if (page.length === 0) return;
      yield* page;
    }
  }
}

/** Internal implementation of {@link StoredMsg}. */
export class StoredMsgImpl implements StoredMsg {
  /** Subject. */
  readonly subject: string;
  /** Stream sequence. */
  readonly seq: number;
  /** Payload. */
  readonly data: Uint8Array;
  /** Time stored (RFC 3339). */
  readonly timestamp: string;
  #hdrs: string | undefined;
  #header: MsgHdrs | undefined;

  /** @param m the `message` object of a `STREAM.MSG.GET` reply */
  constructor(m: { subject: string; seq: number; hdrs?: string; data?: string; time: string }) {
    this.subject = m.subject;
    this.seq = m.seq;
    this.data = m.data ? fromBase64(m.data) : new Uint8Array(0);
    this.timestamp = m.time;
    this.#hdrs = m.hdrs;
  }
  /** Headers (empty when there are none). */
  get header(): MsgHdrs {
    return this.#header ??= this.#hdrs ? decodeHeaders(fromBase64(this.#hdrs)) : newHeaders();
  }
  /** Time stored. */
  get time(): Date {
    return new Date(Date.parse(this.timestamp));
  }
  /** Payload parsed as JSON. */
  json<T = unknown>(): T {
    return JSON.parse(decoder.decode(this.data)) as T;
  }
  /** Payload decoded as UTF-8. */
  string(): string {
    return decoder.decode(this.data);
  }
}

function fromBase64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** A source or mirror given with `domain` becomes one with `external.api`. */
function convertDomain(s: StreamSource | undefined): StreamSource | undefined {
  if (s === undefined || s.domain === undefined || s.domain === "") return s;
  if (s.external !== undefined) {
    throw new TypeError(`source "${s.name}": domain and external exclude each other`);
  }
  const { domain, ...rest } = s;
  return { ...rest, external: { api: `$JS.${domain}.API` } };
}

function prepareStreamConfig(cfg: Partial<StreamConfig>): Partial<StreamConfig> {
  const c = defined({ ...cfg });
  if (c.mirror !== undefined) c.mirror = convertDomain(c.mirror);
  if (c.sources !== undefined) c.sources = c.sources.map((s) => convertDomain(s)!);
  return c;
}

/** Internal implementation of {@link StreamAPI}. */
export class StreamAPIImpl extends BaseApi implements StreamAPI {
  /** Creates a stream. */
  async add(cfg: Partial<StreamConfig> & { name: string }): Promise<StreamInfo> {
    validateToken(cfg?.name, "stream name");
    const c = prepareStreamConfig(cfg);
    checkFieldVersions(this.nc, c, STREAM_FIELD_MIN, `stream "${cfg.name}"`);
    const si = await this.api<StreamInfo>(
      `STREAM.CREATE.${cfg.name}`,
      c,
      `create stream "${cfg.name}"`,
    );
    checkFieldsKept(this.nc, c, si.config as never, `create stream "${cfg.name}"`);
    return si;
  }

  /** Merges `cfg` over the current configuration and sends it. */
  async update(name: string, cfg: Partial<StreamUpdateConfig> = {}): Promise<StreamInfo> {
    validateToken(name, "stream name");
    const given = cfg as Partial<StreamConfig>;
    if (given.name !== undefined && given.name !== name) {
      throw new TypeError(`stream update: config name "${given.name}" differs from "${name}"`);
    }
    const c = prepareStreamConfig(cfg);
    checkFieldVersions(this.nc, c, STREAM_FIELD_MIN, `stream "${name}"`);
    const current = await this.info(name);
    const merged = { ...current.config, ...c, name };
    const si = await this.api<StreamInfo>(
      `STREAM.UPDATE.${name}`,
      merged,
      `update stream "${name}"`,
    );
    checkFieldsKept(this.nc, c, si.config as never, `update stream "${name}"`);
    return si;
  }

  /** Stream info. */
  async info(name: string, opts?: Partial<StreamInfoRequestOptions>): Promise<StreamInfo> {
    validateToken(name, "stream name");
    const body = opts === undefined ? undefined : defined({ ...opts });
    return await this.api<StreamInfo>(`STREAM.INFO.${name}`, body, `stream info "${name}"`);
  }

  /** Deletes a stream. */
  async delete(name: string): Promise<boolean> {
    validateToken(name, "stream name");
    const r = await this.api<{ success: boolean }>(
      `STREAM.DELETE.${name}`,
      undefined,
      `delete stream "${name}"`,
    );
    return r.success === true;
  }

  /** Purges a stream. */
  async purge(name: string, opts?: PurgeOpts): Promise<PurgeResponse> {
    validateToken(name, "stream name");
    let body: PurgeOpts | undefined;
    if (opts !== undefined) {
      const o = opts as { seq?: number; keep?: number; filter?: string };
      if (o.seq !== undefined && o.keep !== undefined) {
        throw new TypeError("purge: seq and keep exclude each other");
      }
      body = defined({ ...opts });
    }
    const r = await this.api<PurgeResponse>(
      `STREAM.PURGE.${name}`,
      body,
      `purge stream "${name}"`,
    );
    return { success: r.success, purged: r.purged };
  }

  /** Stream names, paged (1024 per page). */
  names(subject = ""): Lister<string> {
    return new ListerImpl<string>(async (offset) => {
      const body: Record<string, unknown> = { offset };
      if (subject !== "") body.subject = subject;
      const r = await this.api<ApiPaged & { streams: string[] | null }>(
        "STREAM.NAMES",
        body,
        "list stream names",
      );
      return { items: r.streams, page: r };
    });
  }

  /** Stream infos, paged (256 per page). */
  list(subject = ""): Lister<StreamInfo> {
    return new ListerImpl<StreamInfo>(async (offset) => {
      const body: Record<string, unknown> = { offset };
      if (subject !== "") body.subject = subject;
      const r = await this.api<ApiPaged & { streams: StreamInfo[] | null }>(
        "STREAM.LIST",
        body,
        "list streams",
      );
      return { items: r.streams, page: r };
    });
  }

  /** A stored message, or null. */
  async getMessage(name: string, query: MsgRequest): Promise<StoredMsg | null> {
    validateToken(name, "stream name");
    const q = query as { seq?: number; last_by_subj?: string };
    if (q?.seq === undefined && q?.last_by_subj === undefined) {
      throw new TypeError("getMessage: give { seq } or { last_by_subj }");
    }
    try {
      const r = await this.api<{
        message: { subject: string; seq: number; hdrs?: string; data?: string; time: string };
      }>(`STREAM.MSG.GET.${name}`, defined({ ...q }), `get message from stream "${name}"`);
      return new StoredMsgImpl(r.message);
    } catch (err) {
      if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.NoMessageFound) {
        return null;
      }
      throw err;
    }
  }

  /** Deletes one message. */
  async deleteMessage(name: string, seq: number, erase = true): Promise<boolean> {
    validateToken(name, "stream name");
    const body: Record<string, unknown> = { seq };
    if (!erase) body.no_erase = true;
    const r = await this.api<{ success: boolean }>(
      `STREAM.MSG.DELETE.${name}`,
      body,
      `delete message ${seq} from stream "${name}"`,
    );
    return r.success === true;
  }

  /** The stream capturing `subject`. */
  async find(subject: string): Promise<string> {
    const r = await this.api<ApiPaged & { streams: string[] | null }>(
      "STREAM.NAMES",
      { subject },
      `find stream for "${subject}"`,
    );
    const names = r.streams ?? [];
    if (names.length !== 1) {
      throw new JetStreamError(
        names.length === 0
          ? `no stream matches subject "${subject}"`
          : `several streams match subject "${subject}": ${names.join(", ")}`,
      );
    }
    return names[0];
  }

  /** A stream handle (checks existence). */
  async get(name: string): Promise<Stream> {
    const si = await this.info(name);
    return new StreamImpl(this.nc, this.opts, si);
  }
}

/** Internal implementation of {@link ConsumerAPI}. */
export class ConsumerAPIImpl extends BaseApi implements ConsumerAPI {
  /** Creates a consumer (ephemeral unless `durable_name` is set). */
  add(stream: string, cfg: Partial<ConsumerConfig> = {}): Promise<ConsumerInfo> {
    return this.#create(stream, cfg, "create");
  }

  async #create(
    stream: string,
    cfg: Partial<ConsumerConfig>,
    action: "create" | "update",
  ): Promise<ConsumerInfo> {
    validateToken(stream, "stream name");
    const c = defined({ ...cfg });
    if (c.durable_name !== undefined) validateToken(c.durable_name, "durable_name");
    if (c.name !== undefined) validateToken(c.name, "consumer name");
    if (c.name !== undefined && c.durable_name !== undefined && c.name !== c.durable_name) {
      throw new TypeError(
        `consumer name "${c.name}" and durable_name "${c.durable_name}" must be the same`,
      );
    }
    if (c.filter_subject !== undefined && c.filter_subjects !== undefined) {
      throw new TypeError("filter_subject and filter_subjects exclude each other");
    }
    checkFieldVersions(this.nc, c, CONSUMER_FIELD_MIN, "consumer");
    const name = c.name ?? c.durable_name;
    let subj: string;
    if (name === undefined) {
      // Unnamed ephemeral: the server picks the name.
      subj = `CONSUMER.CREATE.${stream}`;
    } else {
      const fs = c.filter_subject;
      // The filter token is optional; a wildcard one could not be published to.
      subj = fs !== undefined && fs !== ">" && !/[*>]/.test(fs)
        ? `CONSUMER.CREATE.${stream}.${name}.${fs}`
        : `CONSUMER.CREATE.${stream}.${name}`;
    }
    const what = `${action} consumer ${name === undefined ? "(ephemeral)" : `"${name}"`} ` +
      `on stream "${stream}"`;
    // `action` is understood by nats-server 2.10+; 2.9 ignores it.
    const ci = await this.api<ConsumerInfo>(subj, { stream_name: stream, config: c, action }, what);
    checkFieldsKept(this.nc, c, ci.config as never, what);
    return ci;
  }

  /** Merges `cfg` over the current configuration and sends it. */
  async update(
    stream: string,
    name: string,
    cfg: Partial<ConsumerUpdateConfig> = {},
  ): Promise<ConsumerInfo> {
    const current = await this.info(stream, name);
    const c = defined({ ...cfg }) as Partial<ConsumerConfig>;
    checkFieldVersions(this.nc, c, CONSUMER_FIELD_MIN, "consumer");
    const merged: Partial<ConsumerConfig> = { ...current.config, ...c };
    if (merged.durable_name === undefined) merged.name = current.name;
    const ci = await this.#create(stream, merged, "update");
    checkFieldsKept(this.nc, c, ci.config as never, `update consumer "${name}"`);
    return ci;
  }

  /** Consumer info. */
  async info(stream: string, name: string): Promise<ConsumerInfo> {
    validateToken(stream, "stream name");
    validateToken(name, "consumer name");
    return await this.api<ConsumerInfo>(
      `CONSUMER.INFO.${stream}.${name}`,
      undefined,
      `consumer info "${name}" on stream "${stream}"`,
    );
  }

  /** Deletes a consumer. */
  async delete(stream: string, name: string): Promise<boolean> {
    validateToken(stream, "stream name");
    validateToken(name, "consumer name");
    const r = await this.api<{ success: boolean }>(
      `CONSUMER.DELETE.${stream}.${name}`,
      undefined,
      `delete consumer "${name}" on stream "${stream}"`,
    );
    return r.success === true;
  }

  /** Consumer infos, paged (256 per page). */
  list(stream: string): Lister<ConsumerInfo> {
    validateToken(stream, "stream name");
    return new ListerImpl<ConsumerInfo>(async (offset) => {
      const r = await this.api<ApiPaged & { consumers: ConsumerInfo[] | null }>(
        `CONSUMER.LIST.${stream}`,
        { offset },
        `list consumers of stream "${stream}"`,
      );
      return { items: r.consumers, page: r };
    });
  }
}

/** Internal implementation of {@link JetStreamManager}. */
export class JetStreamManagerImpl extends BaseApi implements JetStreamManager {
  /** Stream management. */
  readonly streams: StreamAPIImpl;
  /** Consumer management. */
  readonly consumers: ConsumerAPIImpl;

  /**
   * @param nc the connection
   * @param opts resolved options
   */
  constructor(nc: NatsConnection, opts: ResolvedJsOptions) {
    super(nc, opts);
    this.streams = new StreamAPIImpl(nc, opts);
    this.consumers = new ConsumerAPIImpl(nc, opts);
  }

  /** Account info. */
  getAccountInfo(): Promise<JetStreamAccountStats> {
    return this.api<JetStreamAccountStats>("INFO", undefined, "JetStream account info");
  }

  /** The options in use. */
  getOptions(): JetStreamOptions {
    return { ...this.opts.given };
  }

  /** A client with the same options. */
  jetstream(): JetStreamClient {
    return new JetStreamClientImpl(this.nc, this.opts);
  }
}

/**
 * Creates a JetStream manager: streams, consumers and account info. By
 * default it first checks that JetStream answers, so a server without
 * JetStream fails here with {@link JetStreamNotEnabledError}.
 *
 * @param nc a connection
 * @param opts API prefix or domain, timeout, `checkAPI`
 * @returns the manager
 */
export async function createManager(
  nc: NatsConnection,
  opts: JetStreamManagerOptions = {},
): Promise<JetStreamManagerImpl> {
  const jsm = new JetStreamManagerImpl(nc, resolveJsOptions(opts));
  if (opts.checkAPI !== false) await jsm.getAccountInfo();
  return jsm;
}

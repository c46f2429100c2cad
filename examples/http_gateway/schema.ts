// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * Request-body validation for the HTTP gateway. Every endpoint reads its JSON
 * body through a {@link Fields} reader, which checks each field's type and
 * range, names the field (with its path, e.g. `config.max_age` or
 * `tokens[2]`) in the 400 it raises, and refuses fields it does not know so
 * typos fail loudly instead of being ignored. Values of secret fields are
 * never repeated in messages.
 *
 * The connection part shared by every endpoint ({@link ConnectionSpec}:
 * `server`, `user`, `pass`, `token`, `tls`, `ca`) is read by
 * {@link readConnection}, which also applies the host allow-list.
 *
 * @module
 */

/** A 4xx the gateway answers itself, before anything reaches NATS. */
export class GatewayError extends Error {
  /** HTTP status. */
  readonly status: number;
  /** Stable machine-readable code (`BAD_REQUEST`, `HOST_NOT_ALLOWED`, ...). */
  readonly code: string;
  /** The request field at fault, when there is one. */
  readonly field?: string;
  /**
   * Creates the error.
   *
   * @param status HTTP status
   * @param code stable code
   * @param message what is wrong, in plain words (never a secret)
   * @param field the field at fault
   */
  constructor(status: number, code: string, message: string, field?: string) {
    super(message);
    this.name = "GatewayError";
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

/** A 400 naming the field at fault. */
export function badField(field: string, message: string): GatewayError {
  return new GatewayError(400, "BAD_REQUEST", `${field}: ${message}`, field);
}

/** Field names people commonly try, with the name the gateway uses. */
const DID_YOU_MEAN: Record<string, string> = {
  msgId: "msg_id",
  msgID: "msg_id",
  password: "pass",
  username: "user",
  auth_token: "token",
  url: "server",
  servers: "server",
  host: "server",
  timeout: "timeout_ms",
  expires: "timeout_ms",
  batch: "max_messages",
  max: "max_messages",
  count: "max_messages",
  payload: "data",
  name: "stream",
  durable_name: "durable",
  replicas: "num_replicas",
  max_age_ms: "max_age",
  msgs: "max_msgs",
  token_list: "tokens",
};

/** Options of {@link Fields.str}. */
export interface StrOptions {
  /** Refuse a missing field. */
  required?: boolean;
  /** Refuse `""`. */
  nonEmpty?: boolean;
  /** Longest accepted length. */
  max?: number;
}

/** Options of {@link Fields.num}. */
export interface NumOptions {
  /** Smallest accepted value. */
  min?: number;
  /** Largest accepted value. */
  max?: number;
  /** Only integers. */
  integer?: boolean;
}

/**
 * Reads the fields of one JSON object, checking each, and refuses unknown
 * ones at {@link Fields.done}.
 */
export class Fields {
  readonly #o: Record<string, unknown>;
  readonly #path: string;
  readonly #seen = new Set<string>();

  /**
   * Wraps one decoded object (a 400 when it is not an object).
   *
   * @param value the decoded object
   * @param path its path in the body (`""` for the body itself)
   */
  constructor(value: unknown, path = "") {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw path === ""
        ? new GatewayError(400, "BAD_REQUEST", "body: must be a JSON object", "body")
        : badField(path, "must be a JSON object");
    }
    this.#o = value as Record<string, unknown>;
    this.#path = path;
  }

  /** The full path of a field. */
  name(k: string): string {
    return this.#path === "" ? k : `${this.#path}.${k}`;
  }

  /** The raw value of a field (marks it as known). */
  raw(k: string): unknown {
    this.#seen.add(k);
    const v = this.#o[k];
    return v === null ? undefined : v;
  }

  /** True when the field is present and not null. */
  has(k: string): boolean {
    return this.#o[k] !== undefined && this.#o[k] !== null;
  }

  /** A string field. */
  str(k: string, opts: StrOptions & { required: true }): string;
  /** A string field. */
  str(k: string, opts?: StrOptions): string | undefined;
  /** A string field. */
  str(k: string, opts: StrOptions = {}): string | undefined {
    const v = this.raw(k);
    if (v === undefined) {
      if (opts.required) throw badField(this.name(k), "required");
      return undefined;
    }
    if (typeof v !== "string") throw badField(this.name(k), "must be a string");
    if (opts.nonEmpty && v.length === 0) throw badField(this.name(k), "must not be empty");
    if (opts.max !== undefined && v.length > opts.max) {
      throw badField(this.name(k), `must be at most ${opts.max} characters`);
    }
    return v;
  }

  /** A boolean field. */
  bool(k: string, fallback: boolean): boolean;
  /** A boolean field. */
  bool(k: string): boolean | undefined;
  /** A boolean field. */
  bool(k: string, fallback?: boolean): boolean | undefined {
    const v = this.raw(k);
    if (v === undefined) return fallback;
    if (typeof v !== "boolean") throw badField(this.name(k), "must be true or false");
    return v;
  }

  /** A number field. */
  num(k: string, opts: NumOptions, fallback: number): number;
  /** A number field. */
  num(k: string, opts?: NumOptions): number | undefined;
  /** A number field. */
  num(k: string, opts: NumOptions = {}, fallback?: number): number | undefined {
    const v = this.raw(k);
    if (v === undefined) return fallback;
    const n = this.name(k);
    if (typeof v !== "number" || !Number.isFinite(v)) throw badField(n, "must be a number");
    if (opts.integer && !Number.isInteger(v)) throw badField(n, "must be an integer");
    if (opts.min !== undefined && v < opts.min) throw badField(n, `must be at least ${opts.min}`);
    if (opts.max !== undefined && v > opts.max) throw badField(n, `must be at most ${opts.max}`);
    return v;
  }

  /** One of a fixed set of strings. */
  oneOf<T extends string>(k: string, values: readonly T[]): T | undefined {
    const v = this.str(k);
    if (v === undefined) return undefined;
    if (!(values as readonly string[]).includes(v)) {
      throw badField(this.name(k), `must be one of ${values.map((x) => `"${x}"`).join(", ")}`);
    }
    return v as T;
  }

  /** A nested object, or undefined. */
  obj(k: string): Fields | undefined {
    const v = this.raw(k);
    return v === undefined ? undefined : new Fields(v, this.name(k));
  }

  /** A list of strings; a single string counts as a list of one. */
  strList(k: string, opts: { max?: number } = {}): string[] | undefined {
    const v = this.raw(k);
    if (v === undefined) return undefined;
    const list = typeof v === "string" ? [v] : v;
    if (!Array.isArray(list)) throw badField(this.name(k), "must be a list of strings");
    if (opts.max !== undefined && list.length > opts.max) {
      throw badField(this.name(k), `must have at most ${opts.max} items`);
    }
    list.forEach((s, i) => {
      if (typeof s !== "string") throw badField(`${this.name(k)}[${i}]`, "must be a string");
    });
    return list as string[];
  }

  /** Refuses any field that was not read. */
  done(): void {
    for (const k of Object.keys(this.#o)) {
      if (this.#seen.has(k)) continue;
      const hint = DID_YOU_MEAN[k];
      // The field name comes from the client; keep it short in the message.
      const shown = k.length > 64 ? `${k.slice(0, 64)}…` : k;
      throw badField(
        this.name(shown),
        hint === undefined ? "unknown field" : `unknown field (did you mean "${hint}"?)`,
      );
    }
  }
}

// ------------------------------------------------------------------ subjects

/**
 * Checks a subject: non-empty tokens, no whitespace; wildcards only when
 * `wildcards` (and `>` only as the last token).
 */
export function checkSubject(subject: string, field: string, wildcards: boolean): string {
  if (subject.length === 0) throw badField(field, "must not be empty");
  if (subject.length > 1024) throw badField(field, "must be at most 1024 characters");
  if (/[\s\p{Cc}]/u.test(subject)) {
    throw badField(field, "must not contain whitespace or control characters");
  }
  const tokens = subject.split(".");
  tokens.forEach((t, i) => {
    if (t.length === 0) throw badField(field, "has an empty token (a leading, trailing or '..')");
    const wild = t === "*" || t === ">";
    if (wild && !wildcards) throw badField(field, "must not contain wildcards ('*' or '>')");
    if (t === ">" && i !== tokens.length - 1) {
      throw badField(field, "'>' may only be the last token");
    }
    if (!wild && (t.includes("*") || t.includes(">"))) {
      throw badField(field, "wildcards must be whole tokens");
    }
  });
  return subject;
}

/**
 * A stream or consumer name: one token, no `.`, `*`, `>`, `/`, `\` or
 * whitespace, at most 255 characters.
 */
export function checkName(name: string, field: string): string {
  if (name.length === 0) throw badField(field, "must not be empty");
  if (name.length > 255) throw badField(field, "must be at most 255 characters");
  if (/[.*>/\\\s\p{Cc}]/u.test(name)) {
    throw badField(field, "must not contain '.', '*', '>', '/', '\\' or whitespace");
  }
  return name;
}

// ------------------------------------------------------------------ payloads

const te = new TextEncoder();
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** Decodes standard or URL-safe base64, or throws a 400 naming `field`. */
export function fromBase64(s: string, field: string): Uint8Array {
  const std = s.replaceAll("-", "+").replaceAll("_", "/").replace(/=+$/, "");
  if (!/^[A-Za-z0-9+/]*$/.test(std) || std.length % 4 === 1) {
    throw badField(field, "is not valid base64");
  }
  const bin = atob(std + "=".repeat((4 - std.length % 4) % 4));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Encodes bytes as standard base64. */
export function toBase64(b: Uint8Array): string {
  let bin = "";
  for (let i = 0; i < b.length; i += 0x8000) {
    bin += String.fromCharCode(...b.subarray(i, i + 0x8000));
  }
  return btoa(bin);
}

/**
 * Reads `data` and `encoding`: a string is sent as UTF-8 (or decoded from
 * base64 with `encoding: "base64"`); any other JSON value is sent as its
 * JSON text; missing means an empty payload.
 */
export function readPayload(f: Fields): Uint8Array {
  const encoding = f.oneOf("encoding", ["utf8", "base64"] as const) ?? "utf8";
  const v = f.raw("data");
  if (v === undefined) return new Uint8Array(0);
  if (encoding === "base64") {
    if (typeof v !== "string") {
      throw badField(f.name("data"), 'must be a string with encoding "base64"');
    }
    return fromBase64(v, f.name("data"));
  }
  return te.encode(typeof v === "string" ? v : JSON.stringify(v));
}

/**
 * A payload as the gateway returns it: `data` is the UTF-8 text, or base64
 * with `encoding: "base64"` when the bytes are not valid UTF-8.
 */
export function payloadView(b: Uint8Array): { data: string; encoding?: "base64" } {
  try {
    return { data: strictUtf8.decode(b) };
  } catch {
    return { data: toBase64(b), encoding: "base64" };
  }
}

/** Reads `headers`: an object of header name to a string or a list of strings. */
export function readHeaders(f: Fields): Array<[string, string[]]> | undefined {
  const h = f.obj("headers");
  if (h === undefined) return undefined;
  const out: Array<[string, string[]]> = [];
  for (const k of Object.keys(f.raw("headers") as object)) {
    const values = h.strList(k, { max: 100 }) ?? [];
    out.push([k, values]);
  }
  h.done();
  return out.length === 0 ? undefined : out;
}

// --------------------------------------------------------------- connection

/** Where and how to connect: the auth schema shared by every endpoint. */
export interface ConnectionSpec {
  /** `scheme://host:port` without credentials (`nats` or `tls`). */
  url: string;
  /** Host name or address (IPv6 without brackets), lower case. */
  hostname: string;
  /** Port. */
  port: number;
  /** User name (with `pass`). */
  user?: string;
  /** Password (with `user`). */
  pass?: string;
  /** Token (instead of user/pass). */
  token?: string;
  /** TLS required (`tls: true`, a `tls://` URL, or a `ca`). */
  tls: boolean;
  /** PEM CA certificate(s) to trust, for private CAs. */
  ca?: string;
}

/** A parsed `server` URL. */
export interface ServerUrl {
  /** `nats` or `tls`. */
  scheme: "nats" | "tls";
  /** Host name or address (IPv6 without brackets), lower case. */
  hostname: string;
  /** Port (4222 when not given). */
  port: number;
  /** `scheme://host:port`. */
  url: string;
}

/**
 * Parses a server URL (`nats://host:port`, `tls://host:port`, `host:port`,
 * `host`). Credentials inside the URL are refused, without repeating them.
 */
export function parseServer(s: string, field = "server"): ServerUrl {
  const text = s.trim();
  if (text.length === 0) throw badField(field, "must not be empty");
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `nats://${text}`;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    throw badField(field, "is not a valid URL (expected nats://host:port or tls://host:port)");
  }
  if (u.username !== "" || u.password !== "") {
    throw badField(field, "must not carry credentials: send them as user/pass or token");
  }
  const scheme = u.protocol.slice(0, -1).toLowerCase();
  if (scheme !== "nats" && scheme !== "tls") {
    throw badField(field, "scheme must be nats:// or tls://");
  }
  if ((u.pathname !== "" && u.pathname !== "/") || u.search !== "" || u.hash !== "") {
    throw badField(field, "must be scheme://host:port with no path or query");
  }
  let hostname = u.hostname.toLowerCase();
  if (hostname.startsWith("[") && hostname.endsWith("]")) hostname = hostname.slice(1, -1);
  if (hostname === "") throw badField(field, "has no host");
  const port = u.port === "" ? 4222 : Number(u.port);
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  return { scheme, hostname, port, url: `${scheme}://${host}:${port}` };
}

/**
 * The host allow-list: entries are `host` (any port) or `host:port`
 * (`[v6]:port` for IPv6), case-insensitive; `*` allows every host.
 */
export class HostAllowList {
  readonly #any: boolean;
  readonly #hosts = new Set<string>();
  readonly #hostPorts = new Set<string>();

  /**
   * Parses the entries.
   *
   * @param entries the allowed hosts
   */
  constructor(entries: readonly string[]) {
    let any = false;
    for (const raw of entries) {
      const e = raw.trim().toLowerCase();
      if (e === "") continue;
      if (e === "*") {
        any = true;
        continue;
      }
      const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(e) ?? /^([^:]+)(?::(\d+))?$/.exec(e);
      if (m === null) {
        // A bare IPv6 address without brackets: a host with no port.
        this.#hosts.add(e);
      } else if (m[2] === undefined) {
        this.#hosts.add(m[1]);
      } else {
        this.#hostPorts.add(`${m[1]}:${Number(m[2])}`);
      }
    }
    this.#any = any;
  }

  /** True when every host is allowed. */
  get any(): boolean {
    return this.#any;
  }

  /** True when `hostname:port` may be reached. */
  allows(hostname: string, port: number): boolean {
    const h = hostname.toLowerCase();
    return this.#any || this.#hosts.has(h) || this.#hostPorts.has(`${h}:${port}`);
  }

  /** The entries, for the start-up banner. */
  describe(): string {
    if (this.#any) return "any host";
    return [...this.#hosts, ...this.#hostPorts].join(", ");
  }
}

/**
 * Reads the connection fields shared by every endpoint: `server` (default:
 * the gateway's), `user` + `pass` or `token`, `tls`, `ca`. Throws 400 for a
 * malformed field and 403 for a host outside the allow-list.
 */
export function readConnection(
  f: Fields,
  defaultServer: ServerUrl,
  allow: HostAllowList,
): ConnectionSpec {
  const serverText = f.str("server", { max: 1024 });
  const server = serverText === undefined ? defaultServer : parseServer(serverText);
  const user = f.str("user", { nonEmpty: true, max: 1024 });
  // Secret fields: never quoted, only typed and bounded.
  const pass = f.str("pass", { max: 4096 });
  const token = f.str("token", { nonEmpty: true, max: 4096 });
  if (pass !== undefined && user === undefined) {
    throw badField("user", "required with pass");
  }
  if (user !== undefined && pass === undefined) {
    throw badField("pass", "required with user");
  }
  if (token !== undefined && user !== undefined) {
    throw badField("token", "give either user/pass or token, not both");
  }
  const tlsFlag = f.bool("tls", false);
  const ca = f.str("ca", { max: 256 * 1024 });
  if (ca !== undefined && !ca.includes("-----BEGIN CERTIFICATE-----")) {
    throw badField("ca", "must be PEM text (-----BEGIN CERTIFICATE-----)");
  }
  if (!allow.allows(server.hostname, server.port)) {
    throw new GatewayError(
      403,
      "HOST_NOT_ALLOWED",
      `server: ${server.hostname}:${server.port} is not in the gateway's host allow-list`,
      "server",
    );
  }
  return {
    url: server.url,
    hostname: server.hostname,
    port: server.port,
    user,
    pass,
    token,
    tls: tlsFlag || ca !== undefined || server.scheme === "tls",
    ca,
  };
}

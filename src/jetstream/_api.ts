// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * Private: the JSON request/reply plumbing shared by the manager and the
 * client. Every call is a request to `<prefix>.<...>` with a JSON body (or
 * none); a reply with an `error` object becomes a typed error, a 503 means
 * nothing serves the prefix (JetStream off, or a wrong domain/prefix).
 *
 * @module
 */
import type { NatsConnection } from "../connection.ts";
import { NoRespondersError, TimeoutError } from "../errors.ts";
import type { Msg } from "../types.ts";
import type { ApiError } from "./api_types.ts";
import { apiError, JetStreamError, JetStreamNotEnabledError } from "./errors.ts";
import type { JetStreamOptions } from "./types.ts";

/** Default timeout of API calls and publishes, in milliseconds (as in nats.js). */
export const DEFAULT_TIMEOUT = 5_000;
/** Default API prefix. */
export const DEFAULT_PREFIX = "$JS.API";

const decoder = new TextDecoder();

/** Resolved JetStream options. */
export interface ResolvedJsOptions {
  /** API prefix without a trailing dot. */
  prefix: string;
  /** Timeout in ms. */
  timeout: number;
  /** The options as given. */
  given: JetStreamOptions;
}

/** Resolves `apiPrefix` / `domain` / `timeout`. */
export function resolveJsOptions(opts: JetStreamOptions = {}): ResolvedJsOptions {
  if (opts.apiPrefix !== undefined && opts.domain !== undefined) {
    throw new TypeError("apiPrefix and domain exclude each other");
  }
  let prefix = DEFAULT_PREFIX;
  if (opts.domain !== undefined && opts.domain !== "") {
    validateToken(opts.domain, "domain");
    prefix = `$JS.${opts.domain}.API`;
  } else if (opts.apiPrefix !== undefined && opts.apiPrefix !== "") {
    prefix = opts.apiPrefix.endsWith(".") ? opts.apiPrefix.slice(0, -1) : opts.apiPrefix;
  }
  const timeout = opts.timeout ?? DEFAULT_TIMEOUT;
  if (!Number.isFinite(timeout) || timeout <= 0) {
    throw new TypeError(`timeout must be a positive number of ms, got ${timeout}`);
  }
  return { prefix, timeout, given: { ...opts } };
}

/**
 * Validates a stream, consumer or domain name: it goes into a subject, so it
 * must be one non-empty token without wildcards, and (ADR-6) safe as a file
 * name.
 */
export function validateToken(name: unknown, what: string): asserts name is string {
  if (typeof name !== "string" || name.length === 0) {
    throw new TypeError(`${what} is required (a non-empty string)`);
  }
  if (name.length > 255) {
    throw new TypeError(`${what} "${name.slice(0, 32)}…" is longer than 255 characters`);
  }
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    // "." "*" ">" "/" "\" and whitespace or control characters
    if (
      c === 0x2e || c === 0x2a || c === 0x3e || c === 0x2f || c === 0x5c || c <= 0x20 ||
      c === 0x7f
    ) {
      const ch = c <= 0x20 || c === 0x7f ? `U+${c.toString(16).padStart(4, "0")}` : name[i];
      throw new TypeError(
        `${what} "${name}" cannot contain '${ch}' (no '.', '*', '>', '/', '\\' or whitespace)`,
      );
    }
  }
}

/** Parses an API reply; throws the typed error when it carries `error`. */
export function parseReply<T>(m: Msg, context: string): T {
  if (m.data.length === 0) {
    throw new JetStreamError(`${context}: the server sent an empty reply`);
  }
  let r: { error?: ApiError };
  try {
    r = JSON.parse(decoder.decode(m.data));
  } catch (cause) {
    throw new JetStreamError(`${context}: the reply is not JSON`, { cause });
  }
  if (r.error !== undefined) throw apiError(r.error, context);
  return r as T;
}

/** The request/reply base shared by the manager and the client. */
export class BaseApi {
  /** The connection. */
  readonly nc: NatsConnection;
  /** Resolved options. */
  readonly opts: ResolvedJsOptions;

  /**
   * @param nc the connection
   * @param opts resolved options
   */
  constructor(nc: NatsConnection, opts: ResolvedJsOptions) {
    this.nc = nc;
    this.opts = opts;
  }

  /** The API prefix (`$JS.API`, `$JS.<domain>.API` or a custom one). */
  get prefix(): string {
    return this.opts.prefix;
  }

  /**
   * Sends `body` (JSON, or nothing) to `<prefix>.<subject>` and parses the
   * reply. A 503 becomes {@link JetStreamNotEnabledError}, a timeout a
   * {@link TimeoutError} that names the call.
   */
  async api<T>(
    subject: string,
    body: unknown,
    context: string,
    timeout = this.opts.timeout,
  ): Promise<T> {
    const subj = `${this.opts.prefix}.${subject}`;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    let m: Msg;
    try {
      m = await this.nc.request(subj, payload, { timeout });
    } catch (err) {
      if (err instanceof NoRespondersError) throw this.notEnabled(subj, err);
      if (err instanceof TimeoutError) {
        throw new TimeoutError(`${context}: no reply from JetStream within ${timeout} ms`, {
          cause: err,
        });
      }
      throw err;
    }
    return parseReply<T>(m, context);
  }

  /** The error for a 503 on an API subject. */
  notEnabled(subject: string, cause?: Error): JetStreamNotEnabledError {
    const where = this.opts.prefix === DEFAULT_PREFIX
      ? "is JetStream enabled on the server (-js)?"
      : `is "${this.opts.prefix}" the right API prefix/domain?`;
    return new JetStreamNotEnabledError(
      `JetStream is not enabled: nothing answered "${subject}" (503 no responders); ${where}`,
      { cause },
    );
  }
}

// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * JetStream errors. API errors are keyed on the server's stable `err_code`
 * (descriptions change between server versions); each message says what was
 * asked, what the server answered and, for the common codes, what it means.
 *
 * @module
 */
import type { ApiError } from "./api_types.ts";

/** Stable `err_code` values of the JetStream API that callers commonly branch on. */
export const JetStreamApiCodes = {
  /** Consumer not found. */
  ConsumerNotFound: 10014,
  /** A consumer with this name exists with a different configuration. */
  ConsumerNameExists: 10013,
  /** The consumer could not be created (the description says why). */
  ConsumerCreate: 10012,
  /** No message with that sequence or subject. */
  NoMessageFound: 10037,
  /** JetStream is not enabled for the account. */
  JetStreamNotEnabledForAccount: 10039,
  /** The message is bigger than the stream's `max_msg_size`. */
  StreamMessageExceedsMaximum: 10054,
  /** The stream name in the subject differs from the one in the body. */
  StreamMismatch: 10056,
  /** A stream with this name exists with a different configuration. */
  StreamNameInUse: 10058,
  /** Stream not found. */
  StreamNotFound: 10059,
  /** `Nats-Expected-Stream` did not match. */
  StreamNotMatch: 10060,
  /** `Nats-Expected-Last-Msg-Id` did not match. */
  StreamWrongLastMsgID: 10070,
  /** `Nats-Expected-Last-Sequence` or `Nats-Expected-Last-Subject-Sequence` did not match. */
  StreamWrongLastSequence: 10071,
  /** Insufficient resources (storage or memory) for the stream. */
  InsufficientResources: 10023,
  /** `num_replicas` > 1 on a server that is not clustered. */
  StreamReplicasNotSupported: 10074,
  /** JetStream is not enabled. */
  JetStreamNotEnabled: 10076,
} as const;
/** One of the values of {@link JetStreamApiCodes}. */
export type JetStreamApiCodes = typeof JetStreamApiCodes[keyof typeof JetStreamApiCodes];

/** Base class of every JetStream error. */
export class JetStreamError extends Error {
  /**
   * Creates the error.
   *
   * @param message what went wrong
   * @param options standard `cause`
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "JetStreamError";
  }
}

/**
 * JetStream is not available: nothing answers on the API prefix (no
 * JetStream on the server, or a wrong `domain`/`apiPrefix`), or the account
 * has it turned off.
 */
export class JetStreamNotEnabledError extends JetStreamError {
  /**
   * Creates the error.
   *
   * @param message what went wrong
   * @param options standard `cause`
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "JetStreamNotEnabledError";
  }
}

const HINTS: Record<number, string> = {
  10013: "a consumer with that name already exists with a different configuration",
  10039: "JetStream is not enabled for this account",
  10054: "the message is larger than the stream's max_msg_size",
  10056: "the stream name in the request does not match the one in the configuration",
  10058: "a stream with that name already exists with a different configuration",
  10060: "the Nats-Expected-Stream header names another stream",
  10070: "the Nats-Expected-Last-Msg-Id header did not match the stream's last message id",
  10071:
    "the Nats-Expected-Last-Sequence (or -Last-Subject-Sequence) header did not match the stream",
  10074: "more replicas than servers: num_replicas > 1 needs a JetStream cluster",
  10076: "JetStream is not enabled",
};

/**
 * The JetStream API refused a request: `{"error": {code, err_code,
 * description}}`. As in nats.js v3, `code` is the stable `err_code`
 * (10059 stream not found, 10014 consumer not found, 10058 stream name in
 * use, 10071 wrong last sequence, ...) and `status` the HTTP-like code.
 */
export class JetStreamApiError extends JetStreamError {
  /** Stable JetStream error code (same as `err_code`). */
  readonly code: number;
  /** Stable JetStream error code, as the server names it. */
  readonly err_code: number;
  /** HTTP-like status the server sent (400, 404, 500, 503, ...). */
  readonly status: number;
  /** The server's description. */
  readonly description: string;
  /**
   * Creates the error.
   *
   * @param err the server's `error` object
   * @param context what was asked, e.g. `stream info "ORDERS"`
   * @param options standard `cause`
   */
  constructor(err: ApiError, context = "", options?: ErrorOptions) {
    const hint = HINTS[err.err_code];
    const what = context === "" ? "" : `${context}: `;
    const desc = err.description ?? "";
    const tail = hint !== undefined && !desc.toLowerCase().startsWith(hint.toLowerCase())
      ? ` — ${hint}`
      : "";
    super(`${what}${desc}${tail} (err_code ${err.err_code}, status ${err.code})`, options);
    this.name = "JetStreamApiError";
    this.code = err.err_code;
    this.err_code = err.err_code;
    this.status = err.code;
    this.description = desc;
  }

  /** The server's `error` object (a copy). */
  apiError(): ApiError {
    return { code: this.status, err_code: this.err_code, description: this.description };
  }
}

/** The stream does not exist (`err_code` 10059). */
export class StreamNotFoundError extends JetStreamApiError {
  /**
   * Creates the error.
   *
   * @param err the server's `error` object
   * @param context what was asked
   * @param options standard `cause`
   */
  constructor(err: ApiError, context = "", options?: ErrorOptions) {
    super(err, context, options);
    this.name = "StreamNotFoundError";
  }
}

/** The consumer does not exist (`err_code` 10014). */
export class ConsumerNotFoundError extends JetStreamApiError {
  /**
   * Creates the error.
   *
   * @param err the server's `error` object
   * @param context what was asked
   * @param options standard `cause`
   */
  constructor(err: ApiError, context = "", options?: ErrorOptions) {
    super(err, context, options);
    this.name = "ConsumerNotFoundError";
  }
}

/**
 * A status message ended a pull: `409 Consumer Deleted`, `400 Bad Request`,
 * `409 Consumer is push based`, `409 Exceeded MaxRequestBatch of N`, ...
 * `code` is the status code.
 */
export class JetStreamStatusError extends JetStreamError {
  /** Status code (400, 409, ...). */
  readonly code: number;
  /** Status description as the server sent it. */
  readonly description: string;
  /**
   * Creates the error.
   *
   * @param message what happened, in plain words
   * @param code status code
   * @param description the server's status description
   * @param options standard `cause`
   */
  constructor(message: string, code: number, description: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "JetStreamStatusError";
    this.code = code;
    this.description = description;
  }
}

/**
 * A JetStream publish reached no stream: no stream captures the subject
 * (the server answered 503 no responders).
 */
export class NoStreamError extends JetStreamError {
  /** The subject published to. */
  readonly subject: string;
  /**
   * Creates the error.
   *
   * @param subject the subject published to
   * @param options standard `cause`
   */
  constructor(subject: string, options?: ErrorOptions) {
    super(
      `no stream matches subject "${subject}": nothing stored it (503 no responders); ` +
        `create a stream whose subjects include it`,
      options,
    );
    this.name = "NoStreamError";
    this.subject = subject;
  }
}

/**
 * Builds the most specific error for an API error object.
 *
 * @param err the server's `error` object
 * @param context what was asked
 * @returns a {@link StreamNotFoundError}, {@link ConsumerNotFoundError},
 *   {@link JetStreamNotEnabledError} or {@link JetStreamApiError}
 */
export function apiError(err: ApiError, context = ""): JetStreamError {
  switch (err.err_code) {
    case JetStreamApiCodes.StreamNotFound:
      return new StreamNotFoundError(err, context);
    case JetStreamApiCodes.ConsumerNotFound:
      return new ConsumerNotFoundError(err, context);
    case JetStreamApiCodes.JetStreamNotEnabled:
    case JetStreamApiCodes.JetStreamNotEnabledForAccount:
      return new JetStreamNotEnabledError(
        `${context === "" ? "" : context + ": "}${err.description} (err_code ${err.err_code})`,
        { cause: new JetStreamApiError(err, context) },
      );
    default:
      return new JetStreamApiError(err, context);
  }
}

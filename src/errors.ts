// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * Catchable error classes. Each carries a stable `code` so callers can branch
 * without `instanceof` across package copies. Errors are constructed only when
 * they are raised, so the rare paths (timeouts, no responders) cost nothing on
 * the common path.
 *
 * @module
 */

/** Stable codes carried by every nats-rt error (`err.code`). */
export const ErrorCode = {
  /** An operation did not complete in time. */
  Timeout: "TIMEOUT",
  /** A request reached no subscriber (server status 503). */
  NoResponders: "NO_RESPONDERS",
  /** The server refused the credentials. */
  Authorization: "AUTHORIZATION_VIOLATION",
  /** The user's credentials expired. */
  AuthenticationExpired: "AUTHENTICATION_EXPIRED",
  /** The server refused a publish or subscribe for lack of permission. */
  PermissionsViolation: "PERMISSIONS_VIOLATION",
  /** The connection is closed. */
  ConnectionClosed: "CONNECTION_CLOSED",
  /** The connection is draining and refuses new work. */
  ConnectionDraining: "CONNECTION_DRAINING",
  /** The connection could not be established (refused, reset, unreachable). */
  ConnectionRefused: "CONNECTION_REFUSED",
  /** A subject (or queue name) is malformed. */
  InvalidSubject: "INVALID_SUBJECT",
  /** A message is larger than the server's `max_payload`. */
  MaxPayloadExceeded: "MAX_PAYLOAD_EXCEEDED",
  /** A header name or value is malformed. */
  InvalidHeader: "INVALID_HEADER",
  /** The server (or a peer) sent bytes that are not the NATS protocol. */
  Protocol: "PROTOCOL_ERROR",
  /** The server stopped answering pings. */
  StaleConnection: "STALE_CONNECTION",
  /** The server rejected the connection count. */
  MaxConnectionsExceeded: "MAX_CONNECTIONS_EXCEEDED",
  /** The server rejected a subscription for exceeding its subscription limit. */
  MaxSubscriptionsExceeded: "MAX_SUBSCRIPTIONS_EXCEEDED",
  /** The connection dropped while the operation was pending. */
  Disconnected: "DISCONNECTED",
  /** A publish made while disconnected would overflow `reconnectBufSize`. */
  ReconnectBufferExceeded: "RECONNECT_BUFFER_EXCEEDED",
  /** Credentials given to an authenticator are malformed (seed, JWT, creds file). */
  InvalidCredentials: "INVALID_CREDENTIALS",
  /** A JSON message failed decoding or validation (`subscribeJson`). */
  InvalidMessage: "INVALID_MESSAGE",
  /** TLS was required by the client but the server offers none. */
  TlsNotAvailable: "TLS_NOT_AVAILABLE",
  /** Any other `-ERR` text from the server. */
  Server: "SERVER_ERROR",
} as const;

/** One of the values of {@link ErrorCode}. */
export type ErrorCode = typeof ErrorCode[keyof typeof ErrorCode];

/** Base class for conditions a caller is expected to catch. */
export class NatsError extends Error {
  /** Stable machine-readable code. */
  readonly code: ErrorCode;
  /**
   * Creates the error.
   *
   * @param code stable code from {@link ErrorCode}
   * @param message human-readable description
   * @param options standard `cause`
   */
  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.name = "NatsError";
  }
}

/** An operation (request, flush, connect) did not complete within its timeout. */
export class TimeoutError extends NatsError {
  /**
   * Creates the error.
   *
   * @param message what timed out
   * @param options standard `cause`
   */
  constructor(message = "timeout", options?: ErrorOptions) {
    super(ErrorCode.Timeout, message, options);
    this.name = "TimeoutError";
  }
}

/** A request was published but no subscription was listening (server status 503). */
export class NoRespondersError extends NatsError {
  /** The subject of the request. */
  readonly subject: string;
  /**
   * Creates the error.
   * @param subject the request subject
   */
  constructor(subject: string) {
    super(ErrorCode.NoResponders, `no responders for request to "${subject}"`);
    this.subject = subject;
    this.name = "NoRespondersError";
  }
}

/** The server refused the credentials (`Authorization Violation`). */
export class AuthorizationError extends NatsError {
  /**
   * Creates the error.
   *
   * @param message the server's text
   * @param code `AUTHORIZATION_VIOLATION` or `AUTHENTICATION_EXPIRED`
   */
  constructor(
    message = "Authorization Violation",
    code: ErrorCode = ErrorCode.Authorization,
  ) {
    super(code, message);
    this.name = "AuthorizationError";
  }
}

/** The server refused a publish or subscription for lack of permission. */
export class PermissionViolationError extends NatsError {
  /** `"publish"` or `"subscription"`. */
  readonly operation: "publish" | "subscription";
  /** The subject the server named. */
  readonly subject: string;
  /** The queue group the server named, if any. */
  readonly queue?: string;
  /**
   * Creates the error.
   *
   * @param message the server's text
   * @param operation which operation was refused
   * @param subject the subject the server named
   * @param queue the queue group the server named
   */
  constructor(
    message: string,
    operation: "publish" | "subscription",
    subject: string,
    queue?: string,
  ) {
    super(ErrorCode.PermissionsViolation, message);
    this.operation = operation;
    this.subject = subject;
    this.queue = queue;
    this.name = "PermissionViolationError";
  }
}

/** The connection is closed: no more publishes, subscriptions or requests. */
export class ClosedConnectionError extends NatsError {
  /**
   * Creates the error.
   * @param options standard `cause` (the error that closed the connection, if any)
   */
  constructor(options?: ErrorOptions) {
    super(ErrorCode.ConnectionClosed, "connection closed", options);
    this.name = "ClosedConnectionError";
  }
}

/** The connection is draining: it refuses new subscriptions and publishes. */
export class DrainingConnectionError extends NatsError {
  /** Creates the error. */
  constructor() {
    super(ErrorCode.ConnectionDraining, "connection is draining");
    this.name = "DrainingConnectionError";
  }
}

/** The connection could not be established or was lost. */
export class ConnectionError extends NatsError {
  /**
   * Creates the error.
   *
   * @param message what failed
   * @param options standard `cause`
   * @param code a more specific code, such as `STALE_CONNECTION`
   */
  constructor(
    message: string,
    options?: ErrorOptions,
    code: ErrorCode = ErrorCode.ConnectionRefused,
  ) {
    super(code, message, options);
    this.name = "ConnectionError";
  }
}

/** The peer sent bytes that are not valid NATS protocol. */
export class ProtocolError extends NatsError {
  /**
   * Creates the error.
   *
   * @param message what was wrong
   * @param options standard `cause`
   */
  constructor(message: string, options?: ErrorOptions) {
    super(ErrorCode.Protocol, message, options);
    this.name = "ProtocolError";
  }
}

/** An `-ERR` from the server that has no more specific class. */
export class ServerError extends NatsError {
  /**
   * Creates the error.
   *
   * @param message the server's text
   * @param code a more specific code, if known
   */
  constructor(message: string, code: ErrorCode = ErrorCode.Server) {
    super(code, message);
    this.name = "ServerError";
  }
}

/**
 * A subject, reply subject or queue name is malformed. Extends `TypeError`
 * (it is bad input) and carries `code` `INVALID_SUBJECT`.
 */
export class InvalidSubjectError extends TypeError {
  /** Always `INVALID_SUBJECT`. */
  readonly code: ErrorCode = ErrorCode.InvalidSubject;
  /** The rejected subject. */
  readonly subject: string;
  /**
   * Creates the error.
   *
   * @param subject the rejected subject
   * @param reason why it was rejected
   */
  constructor(subject: string, reason: string) {
    super(`invalid subject ${JSON.stringify(subject)}: ${reason}`);
    this.subject = subject;
    this.name = "InvalidSubjectError";
  }
}

/** A header name or value is malformed (CR/LF, or a bad name). Extends `TypeError`. */
export class InvalidHeaderError extends TypeError {
  /** Always `INVALID_HEADER`. */
  readonly code: ErrorCode = ErrorCode.InvalidHeader;
  /**
   * Creates the error.
   * @param message what was wrong
   */
  constructor(message: string) {
    super(message);
    this.name = "InvalidHeaderError";
  }
}

/**
 * A message (headers plus payload) is larger than the server's `max_payload`.
 * Extends `RangeError` and carries `code` `MAX_PAYLOAD_EXCEEDED`.
 */
export class MaxPayloadExceededError extends RangeError {
  /** Always `MAX_PAYLOAD_EXCEEDED`. */
  readonly code: ErrorCode = ErrorCode.MaxPayloadExceeded;
  /** Size of the rejected message in bytes. */
  readonly size: number;
  /** The server's limit in bytes. */
  readonly max: number;
  /**
   * Creates the error.
   *
   * @param size size of the rejected message in bytes
   * @param max the server's `max_payload`
   */
  constructor(size: number, max: number) {
    super(`message of ${size} bytes exceeds the server's max_payload of ${max} bytes`);
    this.size = size;
    this.max = max;
    this.name = "MaxPayloadExceededError";
  }
}

/**
 * How the connection must react to a server `-ERR` (the way nats.go does):
 * `keep` the connection (only the affected subscription or request fails),
 * `reconnect` (the server closes the socket; try again, for authorization
 * errors only until the same error comes twice in a row from one server), or
 * `close` for good with the error.
 */
export type ServerErrorAction = "keep" | "reconnect" | "close";

/**
 * Turns the text of a server `-ERR` (quotes already stripped) into an error
 * and the action the connection takes.
 * Matching is case-insensitive and by prefix: the text is not a stable API.
 */
export function classifyServerError(
  text: string,
): { error: Error; action: ServerErrorAction } {
  const t = text.toLowerCase();
  if (t.startsWith("permissions violation")) {
    // 'Permissions Violation for Publish to "<s>"',
    // 'Permissions Violation for Publish with Reply of "<r>"',
    // 'Permissions Violation for Subscription to "<s>" [using queue "<q>"]'
    const op = t.includes("for subscription") ? "subscription" : "publish";
    const quoted = [...text.matchAll(/"([^"]*)"/g)].map((m) => m[1]);
    const queue = t.includes("using queue") ? quoted[1] : undefined;
    return {
      error: new PermissionViolationError(text, op, quoted[0] ?? "", queue),
      action: "keep",
    };
  }
  if (t.startsWith("authorization violation")) {
    return { error: new AuthorizationError(text), action: "reconnect" };
  }
  if (
    t.startsWith("user authentication expired") ||
    t.startsWith("account authentication expired") ||
    t.startsWith("user authentication revoked")
  ) {
    return {
      error: new AuthorizationError(text, ErrorCode.AuthenticationExpired),
      action: "reconnect",
    };
  }
  if (t.startsWith("authentication timeout")) {
    return { error: new AuthorizationError(text), action: "reconnect" };
  }
  if (t.startsWith("stale connection")) {
    return {
      error: new ConnectionError(text, undefined, ErrorCode.StaleConnection),
      action: "reconnect",
    };
  }
  if (t.startsWith("maximum connections exceeded")) {
    return {
      error: new ServerError(text, ErrorCode.MaxConnectionsExceeded),
      action: "reconnect",
    };
  }
  if (t.startsWith("maximum subscriptions exceeded")) {
    return {
      error: new ServerError(text, ErrorCode.MaxSubscriptionsExceeded),
      action: "keep",
    };
  }
  if (t.startsWith("maximum payload violation")) {
    return {
      error: new ServerError(text, ErrorCode.MaxPayloadExceeded),
      action: "close",
    };
  }
  if (t.startsWith("invalid subject") || t.startsWith("invalid publish subject")) {
    return {
      error: new ServerError(text, ErrorCode.InvalidSubject),
      action: "keep",
    };
  }
  if (
    t.startsWith("unknown protocol operation") ||
    t.startsWith("maximum control line exceeded") ||
    t.startsWith("invalid client protocol") ||
    t.startsWith("parser error")
  ) {
    return { error: new ProtocolError(text), action: "close" };
  }
  // Everything else (TLS required, route port, no responders requires
  // headers, ...) is followed by the server closing the socket.
  return { error: new ServerError(text), action: "close" };
}

/**
 * The TLS handshake with a server failed, or the server ended the TLS session
 * because it refused the client certificate. `reason` names what to fix;
 * `cause` carries the runtime's own error. Extends {@link ConnectionError}
 * (code `CONNECTION_REFUSED`), so code that handles connection failures
 * handles it too.
 */
export class TlsError extends ConnectionError {
  /**
   * What went wrong:
   * - `untrusted-certificate`: the server's certificate is not signed by a
   *   trusted CA (pass `tls.ca` or `tls.caFile`);
   * - `hostname-mismatch`: the certificate does not cover the name dialled
   *   (dial a name it lists, or set `tls.servername`);
   * - `expired-certificate`: the certificate is expired or not yet valid;
   * - `client-certificate`: the server wants a client certificate and got
   *   none, or refused the one it got (`tls.cert`/`tls.key`);
   * - `unsupported-option`: the runtime cannot apply a TLS option given;
   * - `handshake`: any other TLS failure.
   */
  readonly reason:
    | "untrusted-certificate"
    | "hostname-mismatch"
    | "expired-certificate"
    | "client-certificate"
    | "unsupported-option"
    | "handshake";
  /**
   * Creates the error.
   *
   * @param message what failed and how to fix it
   * @param reason the kind of failure
   * @param options standard `cause` (the runtime's TLS error)
   */
  constructor(message: string, reason: TlsError["reason"], options?: ErrorOptions) {
    super(message, options);
    this.reason = reason;
    this.name = "TlsError";
  }
}

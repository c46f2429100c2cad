// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * Typed JSON subscriptions with validation.
 *
 * {@link subscribeJson} decodes every message of a subscription as JSON,
 * checks it with a validator and hands on typed values. The validator is a
 * plain function or any [Standard Schema](https://standardschema.dev) v1
 * object (zod, valibot, arktype and others expose one as `~standard`); no
 * validator library is a dependency. A message that is not JSON, or that the
 * validator rejects, is reported as an {@link InvalidMessageError} on an
 * error channel (`onInvalid` and/or the `invalid` async iterable) and
 * skipped: the subscription goes on.
 *
 * @example Typed values from a subject
 * ```ts ignore
 * import { connect, subscribeJson, ValidationFailure } from "@nats-rt/nats";
 *
 * interface Reading { sensor: string; celsius: number }
 * const reading = (v: unknown): Reading | ValidationFailure => {
 *   const r = v as Reading;
 *   return typeof r?.sensor === "string" && typeof r.celsius === "number"
 *     ? r
 *     : new ValidationFailure("expected { sensor, celsius }");
 * };
 *
 * const nc = await connect();
 * const sub = subscribeJson(nc, "readings.>", {
 *   validate: reading,
 *   onInvalid: (err) => console.warn(err.message),
 * });
 * for await (const { value, msg } of sub) console.log(msg.subject, value.celsius);
 * ```
 *
 * @module
 */
import { Channel } from "./_channel.ts";
import type { NatsConnection } from "./connection.ts";
import type { Msg, PublishOptions, Subscription, SubscriptionOptions } from "./types.ts";

// ------------------------------------------------------------ Standard Schema

/**
 * A validator implementing [Standard Schema](https://standardschema.dev) v1:
 * an object with a `~standard` property. zod (3.24+), valibot (1.0+),
 * arktype (2.0+) and others implement it; this is the spec's interface,
 * declared here so that no validator library is a dependency.
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  /** The Standard Schema properties. */
  readonly "~standard": StandardSchemaV1Props<Input, Output>;
}

/** The `~standard` property of a {@link StandardSchemaV1} validator. */
export interface StandardSchemaV1Props<Input = unknown, Output = Input> {
  /** Version of the Standard Schema spec (always 1). */
  readonly version: 1;
  /** Library that made the validator (`"zod"`, `"valibot"`, ...). */
  readonly vendor: string;
  /** Validates an unknown value; may be sync or async. */
  readonly validate: (
    value: unknown,
  ) => StandardSchemaV1Result<Output> | Promise<StandardSchemaV1Result<Output>>;
  /** Inferred types (type-level only). */
  readonly types?: StandardSchemaV1Types<Input, Output> | undefined;
}

/** What `~standard.validate` returns: success when `issues` is undefined. */
export type StandardSchemaV1Result<Output> =
  | StandardSchemaV1SuccessResult<Output>
  | StandardSchemaV1FailureResult;

/** A successful validation. */
export interface StandardSchemaV1SuccessResult<Output> {
  /** The validated (possibly transformed) value. */
  readonly value: Output;
  /** Absent on success. */
  readonly issues?: undefined;
}

/** A failed validation. */
export interface StandardSchemaV1FailureResult {
  /** What is wrong with the value. */
  readonly issues: ReadonlyArray<StandardSchemaV1Issue>;
}

/** One problem found by a validator. */
export interface StandardSchemaV1Issue {
  /** Human-readable description. */
  readonly message: string;
  /** Where in the value, from the root (`["data", "player", "id"]`). */
  readonly path?: ReadonlyArray<PropertyKey | StandardSchemaV1PathSegment> | undefined;
}

/** A path segment given as an object. */
export interface StandardSchemaV1PathSegment {
  /** The key of the segment. */
  readonly key: PropertyKey;
}

/** Type-level input and output of a {@link StandardSchemaV1} validator. */
export interface StandardSchemaV1Types<Input = unknown, Output = Input> {
  /** Input type. */
  readonly input: Input;
  /** Output type. */
  readonly output: Output;
}

// ----------------------------------------------------------------- validators

const FAILURE_BRAND = Symbol.for("nats-rt.ValidationFailure");

/**
 * Returned (or thrown) by a plain-function validator to reject a value with
 * issues. Anything else a validator throws is reported with reason
 * `"validator"`.
 *
 * @example Rejecting a value
 * ```ts ignore
 * const positive = (v: unknown): number | ValidationFailure =>
 *   typeof v === "number" && v > 0 ? v : new ValidationFailure("expected a positive number");
 * ```
 */
export class ValidationFailure extends Error {
  /** The problems found. */
  readonly issues: ReadonlyArray<StandardSchemaV1Issue>;
  /**
   * Creates a failure.
   *
   * @param issues a message, one issue, or a list of issues
   * @param path where the single issue is, when `issues` is a message
   */
  constructor(
    issues: string | StandardSchemaV1Issue | ReadonlyArray<StandardSchemaV1Issue>,
    path?: ReadonlyArray<PropertyKey | StandardSchemaV1PathSegment>,
  ) {
    const list: StandardSchemaV1Issue[] = typeof issues === "string"
      ? [path === undefined ? { message: issues } : { message: issues, path }]
      : Array.isArray(issues)
      ? [...issues]
      : [issues as StandardSchemaV1Issue];
    super(formatIssues(list));
    this.name = "ValidationFailure";
    this.issues = list;
    // A brand, so that a failure made by another copy of this module is recognised.
    Object.defineProperty(this, FAILURE_BRAND, { value: true });
  }
}

function isFailure(v: unknown): v is ValidationFailure {
  return v instanceof ValidationFailure ||
    (typeof v === "object" && v !== null &&
      (v as Record<symbol, unknown>)[FAILURE_BRAND] === true &&
      Array.isArray((v as { issues?: unknown }).issues));
}

/**
 * A plain-function validator: returns the typed value (possibly
 * transformed), or rejects by returning or throwing a
 * {@link ValidationFailure} (reason `"schema"`) or by throwing anything else
 * (reason `"validator"`). May be async. Gets the message too, so it can check
 * the body against the subject.
 */
export type JsonValidateFn<T> = (
  value: unknown,
  msg: Msg,
) => T | ValidationFailure | Promise<T | ValidationFailure>;

/**
 * A validator: a {@link StandardSchemaV1} object (checked first, so callable
 * schemas such as arktype's are used through `~standard`) or a
 * {@link JsonValidateFn}.
 */
export type JsonValidator<T> = StandardSchemaV1<unknown, T> | JsonValidateFn<T>;

function isStandardSchema(v: unknown): v is StandardSchemaV1 {
  return (typeof v === "object" || typeof v === "function") && v !== null &&
    "~standard" in v;
}

// ---------------------------------------------------------------------- errors

/**
 * Why a message was reported:
 * - `"json"`: the payload is not UTF-8 JSON;
 * - `"schema"`: the validator returned issues (or a {@link ValidationFailure});
 * - `"validator"`: the validator threw (the error is the `cause`);
 * - `"callback"`: the value was valid but the `callback` threw or rejected
 *   (the error is the `cause`).
 */
export type InvalidReason = "json" | "schema" | "validator" | "callback";

/**
 * A message of a JSON subscription that was skipped (or whose callback
 * failed). Carries the subject, the reason, the issues and the message
 * itself. The text never includes the payload.
 */
export class InvalidMessageError extends Error {
  /** Stable code. */
  readonly code: "INVALID_MESSAGE" = "INVALID_MESSAGE";
  /** Subject of the message. */
  readonly subject: string;
  /** Why it was reported. */
  readonly reason: InvalidReason;
  /** What is wrong (for `"json"`, `"validator"` and `"callback"`, one issue with the error text). */
  readonly issues: ReadonlyArray<StandardSchemaV1Issue>;
  /** The message. */
  readonly msg: Msg;

  /**
   * Creates the error.
   *
   * @param msg the message
   * @param reason why it is reported
   * @param issues what is wrong
   * @param options standard `cause`
   */
  constructor(
    msg: Msg,
    reason: InvalidReason,
    issues: ReadonlyArray<StandardSchemaV1Issue>,
    options?: ErrorOptions,
  ) {
    super(`${reason} error in message on "${msg.subject}": ${formatIssues(issues)}`, options);
    this.name = "InvalidMessageError";
    this.subject = msg.subject;
    this.reason = reason;
    this.issues = issues;
    this.msg = msg;
  }
}

/** Renders a path as `data.events[0].height`. */
function formatPath(
  path: ReadonlyArray<PropertyKey | StandardSchemaV1PathSegment> | undefined,
): string {
  if (path === undefined || path.length === 0) return "";
  let s = "";
  for (const seg of path) {
    const k = typeof seg === "object" && seg !== null ? seg.key : seg;
    if (typeof k === "number") s += `[${k}]`;
    else s += s === "" ? String(k) : `.${String(k)}`;
  }
  return s;
}

function formatIssues(issues: ReadonlyArray<StandardSchemaV1Issue>): string {
  if (issues.length === 0) return "rejected";
  const one = (i: StandardSchemaV1Issue) => {
    const p = formatPath(i.path);
    return p === "" ? String(i.message) : `${p}: ${i.message}`;
  };
  const shown = issues.slice(0, 3).map(one).join("; ");
  return issues.length > 3 ? `${shown}; and ${issues.length - 3} more` : shown;
}

function errorText(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

// --------------------------------------------------------------------- decode

type Outcome<T> = { ok: true; value: T } | { ok: false; error: InvalidMessageError };

const utf8 = new TextDecoder("utf-8", { fatal: true });

function isThenable<V>(v: unknown): v is PromiseLike<V> {
  return (typeof v === "object" || typeof v === "function") && v !== null &&
    typeof (v as { then?: unknown }).then === "function";
}

/** Parses the payload; sync. */
function parse(msg: Msg): { ok: true; value: unknown } | { ok: false; error: InvalidMessageError } {
  let text: string;
  try {
    text = utf8.decode(msg.data);
  } catch (cause) {
    return {
      ok: false,
      error: new InvalidMessageError(msg, "json", [{ message: "payload is not valid UTF-8" }], {
        cause,
      }),
    };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (cause) {
    const message = text.length === 0
      ? "empty payload is not JSON"
      : `payload is not JSON (${errorText(cause)})`;
    return { ok: false, error: new InvalidMessageError(msg, "json", [{ message }], { cause }) };
  }
}

function fromStandard<T>(msg: Msg, r: unknown): Outcome<T> {
  if (typeof r !== "object" || r === null) {
    return {
      ok: false,
      error: new InvalidMessageError(msg, "validator", [{
        message: "the Standard Schema validator returned no result object",
      }]),
    };
  }
  const issues = (r as { issues?: unknown }).issues;
  if (issues === undefined) return { ok: true, value: (r as { value: T }).value };
  const list = Array.isArray(issues)
    ? issues as StandardSchemaV1Issue[]
    : [{ message: String(issues) }];
  return { ok: false, error: new InvalidMessageError(msg, "schema", list) };
}

function fromFunction<T>(msg: Msg, r: unknown): Outcome<T> {
  if (isFailure(r)) return { ok: false, error: new InvalidMessageError(msg, "schema", r.issues) };
  return { ok: true, value: r as T };
}

function fromThrow<T>(msg: Msg, err: unknown): Outcome<T> {
  if (isFailure(err)) {
    return { ok: false, error: new InvalidMessageError(msg, "schema", err.issues) };
  }
  return {
    ok: false,
    error: new InvalidMessageError(msg, "validator", [{ message: errorText(err) }], {
      cause: err,
    }),
  };
}

/** A compiled validator: sync when the validator answered synchronously. */
type Check<T> = (msg: Msg) => Outcome<T> | Promise<Outcome<T>>;

function compile<T>(validate: JsonValidator<T> | undefined): Check<T> {
  if (validate === undefined) {
    return (msg) => parse(msg) as Outcome<T>;
  }
  if (isStandardSchema(validate)) {
    const std = validate["~standard"];
    if (typeof std !== "object" || std === null || std.version !== 1) {
      throw new TypeError(
        `validate: unsupported Standard Schema version ${
          String((std as { version?: unknown })?.version)
        } (only version 1 is supported)`,
      );
    }
    if (typeof std.validate !== "function") {
      throw new TypeError(
        "validate: the Standard Schema object has no ~standard.validate function",
      );
    }
    return (msg) => {
      const p = parse(msg);
      if (!p.ok) return p;
      let r: unknown;
      try {
        r = std.validate(p.value);
      } catch (err) {
        return fromThrow<T>(msg, err);
      }
      if (isThenable<unknown>(r)) {
        return Promise.resolve(r).then((v) => fromStandard<T>(msg, v), (e) => fromThrow<T>(msg, e));
      }
      return fromStandard<T>(msg, r);
    };
  }
  if (typeof validate === "function") {
    return (msg) => {
      const p = parse(msg);
      if (!p.ok) return p;
      let r: unknown;
      try {
        r = validate(p.value, msg);
      } catch (err) {
        return fromThrow<T>(msg, err);
      }
      if (isThenable<unknown>(r)) {
        return Promise.resolve(r).then((v) => fromFunction<T>(msg, v), (e) => fromThrow<T>(msg, e));
      }
      return fromFunction<T>(msg, r);
    };
  }
  throw new TypeError("validate must be a function or a Standard Schema v1 object (~standard)");
}

/**
 * Decodes one message as JSON and validates it, for messages that do not
 * come from {@link subscribeJson} (a request's reply, a JetStream message).
 *
 * @param msg the message
 * @param validate a plain function or a Standard Schema v1 object; without
 *   it the parsed JSON is returned unchecked
 * @returns the validated value
 * @throws {InvalidMessageError} when the payload is not JSON or is rejected
 * @example Validating a reply
 * ```ts ignore
 * const reply = await nc.request("time.now", "");
 * const { iso } = await decodeJson(reply, (v) => v as { iso: string });
 * ```
 */
export async function decodeJson<T = unknown>(
  msg: Msg,
  validate?: JsonValidator<T>,
): Promise<T> {
  const o = await compile(validate)(msg);
  if (!o.ok) throw o.error;
  return o.value;
}

// ---------------------------------------------------------------- subscription

/** A decoded, validated message. */
export interface JsonMsg<T> {
  /** The validated value. */
  readonly value: T;
  /** The message it came from (subject, headers, reply). */
  readonly msg: Msg;
}

/** Options for {@link subscribeJson}. */
export interface JsonSubscriptionOptions<T> extends Omit<SubscriptionOptions, "callback"> {
  /**
   * Checks each decoded value: a plain function or a Standard Schema v1
   * object. Without it every JSON value is accepted and typed `T` unchecked
   * (as `msg.json<T>()` does).
   */
  validate?: JsonValidator<T>;
  /**
   * Deliver values through this callback instead of the async iterator. With
   * an async validator, validations overlap but values are still delivered in
   * message order. If it throws or its
   * promise rejects, the error is reported with reason `"callback"` and the
   * subscription goes on.
   */
  callback?: (m: JsonMsg<T>) => void | Promise<void>;
  /** Called for every reported message (errors it throws are ignored). */
  onInvalid?: (err: InvalidMessageError, msg: Msg) => void;
  /**
   * Reports the `invalid` iterable keeps while nobody reads them; older ones
   * are dropped first (default 1024).
   */
  invalidBacklog?: number;
}

/**
 * A JSON subscription: an async iterator of {@link JsonMsg} (or a callback),
 * with an error channel for invalid messages.
 */
export interface JsonSubscription<T> extends AsyncIterable<JsonMsg<T>> {
  /** The underlying subscription (counters, pending limits). */
  readonly sub: Subscription;
  /**
   * Reports of skipped messages (and of callback failures), from the start of
   * the subscription (up to `invalidBacklog` unread). Ends once the
   * subscription has ended and its messages have been processed.
   */
  readonly invalid: AsyncIterable<InvalidMessageError>;
  /**
   * Resolves when the subscription ends (callback style: once the last
   * message has been processed), to `undefined` or the error that ended it.
   */
  readonly closed: Promise<void | Error>;
  /** Subject subscribed to. */
  getSubject(): string;
  /** Values delivered so far. */
  getValid(): number;
  /** Messages skipped so far (bad JSON, rejected, validator threw). */
  getInvalid(): number;
  /** True once the underlying subscription has ended. */
  isClosed(): boolean;
  /** Stops delivery now, or after `max` messages in total (valid or not). */
  unsubscribe(max?: number): void;
  /** Stops interest, processes the messages in flight, then closes. */
  drain(): Promise<void>;
  /** Same as `unsubscribe()`, for `using` declarations. */
  [Symbol.dispose](): void;
}

class JsonSubscriptionImpl<T> implements JsonSubscription<T> {
  readonly sub: Subscription;
  readonly invalid: Channel<InvalidMessageError>;
  readonly closed: Promise<void | Error>;
  #check: Check<T>;
  #callback: ((m: JsonMsg<T>) => void | Promise<void>) | undefined;
  #onInvalid: ((err: InvalidMessageError, msg: Msg) => void) | undefined;
  #valid = 0;
  #invalidCount = 0;
  /** Callback style: the last delivery waiting behind an async validation. */
  #tail: Promise<void> | null = null;
  #iterators = 0;

  constructor(
    nc: Pick<NatsConnection, "subscribe">,
    subject: string,
    opts: JsonSubscriptionOptions<T>,
  ) {
    const { validate, callback, onInvalid, invalidBacklog, ...subOpts } = opts;
    if (callback !== undefined && typeof callback !== "function") {
      throw new TypeError("callback must be a function");
    }
    if (onInvalid !== undefined && typeof onInvalid !== "function") {
      throw new TypeError("onInvalid must be a function");
    }
    const cap = invalidBacklog ?? 1024;
    if (!Number.isInteger(cap) || cap <= 0) {
      throw new TypeError(`invalidBacklog must be a positive integer, got ${invalidBacklog}`);
    }
    this.#check = compile(validate);
    this.#callback = callback;
    this.#onInvalid = onInvalid;
    this.invalid = new Channel(cap);
    this.sub = nc.subscribe(
      subject,
      callback === undefined ? subOpts : {
        ...subOpts,
        callback: (err, msg) => {
          if (err === null) this.#onMessage(msg);
        },
      },
    );
    this.closed = this.sub.closed.then(async (v) => {
      while (this.#tail !== null) await this.#tail;
      return v;
    });
    this.closed.then(() => this.#maybeEnd());
  }

  /**
   * Callback style: validation starts at once (async validations overlap);
   * delivery follows message order, so a message waits for those before it.
   */
  #onMessage(msg: Msg): void {
    const o = this.#check(msg);
    if (this.#tail === null && !isThenable<Outcome<T>>(o)) {
      this.#deliver(msg, o);
      return;
    }
    const prev = this.#tail ?? Promise.resolve();
    const t: Promise<void> = prev.then(() => o).then((r) => {
      this.#deliver(msg, r);
      if (this.#tail === t) this.#tail = null;
    });
    this.#tail = t;
  }

  #deliver(msg: Msg, o: Outcome<T>): void {
    if (!o.ok) {
      this.#report(o.error);
      return;
    }
    this.#valid++;
    try {
      const r = this.#callback!({ value: o.value, msg });
      if (isThenable<void>(r)) {
        Promise.resolve(r).catch((err) => this.#callbackFailed(msg, err));
      }
    } catch (err) {
      this.#callbackFailed(msg, err);
    }
  }

  #callbackFailed(msg: Msg, err: unknown): void {
    this.#emit(
      new InvalidMessageError(msg, "callback", [{ message: errorText(err) }], { cause: err }),
    );
  }

  #report(err: InvalidMessageError): void {
    this.#invalidCount++;
    this.#emit(err);
  }

  #emit(err: InvalidMessageError): void {
    const cb = this.#onInvalid;
    if (cb !== undefined) {
      try {
        cb(err, err.msg);
      } catch {
        // A failing error handler must not stop the subscription.
      }
    }
    this.invalid.push(err);
  }

  /** Ends the error channel once nothing more can be reported. */
  #maybeEnd(): void {
    if (!this.sub.isClosed() || this.#tail !== null || this.#iterators > 0) return;
    if (this.#callback === undefined && this.sub.getPending() > 0) return;
    this.invalid.end();
  }

  async *#iterate(): AsyncGenerator<JsonMsg<T>, void, undefined> {
    this.#iterators++;
    try {
      for await (const msg of this.sub) {
        let o = this.#check(msg);
        if (isThenable<Outcome<T>>(o)) o = await o;
        if (o.ok) {
          this.#valid++;
          yield { value: o.value, msg };
        } else {
          this.#report(o.error);
        }
      }
    } finally {
      this.#iterators--;
      this.#maybeEnd();
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<JsonMsg<T>> {
    if (this.#callback !== undefined) {
      throw new TypeError("a JSON subscription with a callback cannot be iterated");
    }
    return this.#iterate();
  }

  getSubject(): string {
    return this.sub.getSubject();
  }
  getValid(): number {
    return this.#valid;
  }
  getInvalid(): number {
    return this.#invalidCount;
  }
  isClosed(): boolean {
    return this.sub.isClosed();
  }
  unsubscribe(max?: number): void {
    this.sub.unsubscribe(max);
  }
  async drain(): Promise<void> {
    await this.sub.drain();
    await this.closed;
  }
  [Symbol.dispose](): void {
    this.sub.unsubscribe();
  }
}

/**
 * Subscribes to `subject` and delivers each message as a decoded, validated
 * value. A message that is not JSON, that the validator rejects, or whose
 * validator throws is reported — `onInvalid(err, msg)` and the `invalid`
 * async iterable, as an {@link InvalidMessageError} with the subject, the
 * reason and the issues — and skipped; the subscription goes on. Values keep
 * the order of their messages, also with async validators.
 *
 * @param nc the connection (anything with nats.js' `subscribe`)
 * @param subject subject, wildcards allowed
 * @param opts `validate`, `callback`, `onInvalid`, and the usual `queue`,
 *   `max`, `timeout` and pending limits
 * @returns the subscription, iterable unless a callback was given
 * @example Iterate typed values; log what is skipped
 * ```ts ignore
 * import { z } from "zod"; // or valibot, arktype, a plain function
 *
 * const Order = z.object({ id: z.string(), qty: z.number().int().positive() });
 * const sub = subscribeJson(nc, "orders.*", { validate: Order, queue: "workers" });
 * (async () => {
 *   for await (const err of sub.invalid) console.warn(err.subject, err.reason, err.issues);
 * })();
 * for await (const { value } of sub) console.log(value.id, value.qty); // typed
 * ```
 * @example Callback style with a plain function
 * ```ts ignore
 * subscribeJson(nc, "temps.>", {
 *   validate: (v) => {
 *     if (typeof v !== "number") throw new Error("expected a number");
 *     return v;
 *   },
 *   callback: ({ value, msg }) => console.log(msg.subject, value.toFixed(1)),
 *   onInvalid: (err) => console.warn(err.message),
 * });
 * ```
 */
export function subscribeJson<T = unknown>(
  nc: Pick<NatsConnection, "subscribe">,
  subject: string,
  opts: JsonSubscriptionOptions<T> = {},
): JsonSubscription<T> {
  return new JsonSubscriptionImpl<T>(nc, subject, opts);
}

/**
 * Publishes `value` as JSON.
 *
 * @param nc the connection (anything with nats.js' `publish`)
 * @param subject subject to publish to
 * @param value any value `JSON.stringify` accepts
 * @param opts reply subject and headers
 * @throws {TypeError} when `value` has no JSON form (`undefined`, a function)
 * @example Publish an object
 * ```ts ignore
 * publishJson(nc, "orders.new", { id: "o-1", qty: 3 });
 * ```
 */
export function publishJson(
  nc: Pick<NatsConnection, "publish">,
  subject: string,
  value: unknown,
  opts?: PublishOptions,
): void {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError(`cannot publish ${typeof value} as JSON`);
  nc.publish(subject, text, opts);
}

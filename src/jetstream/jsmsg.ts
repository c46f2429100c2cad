// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * JetStream messages: delivery metadata from the `$JS.ACK` reply subject and
 * the ack protocol (`+ACK`, `-NAK`, `+WPI`, `+TERM`). Acks are plain
 * publishes, so the connection coalesces them with everything else.
 *
 * @module
 */
import type { NatsConnection } from "../connection.ts";
import { NoRespondersError } from "../errors.ts";
import type { Msg, MsgHdrs } from "../types.ts";
import type { DeliveryInfo } from "./api_types.ts";
import { JetStreamError } from "./errors.ts";
import type { JsMsg } from "./types.ts";

const te = new TextEncoder();
/** `+ACK` */
export const ACK: Uint8Array = te.encode("+ACK");
const NAK = te.encode("-NAK");
const WPI = te.encode("+WPI");
const TERM = te.encode("+TERM");

/**
 * Parses the delivery metadata of an ack subject. Accepts the 9-token form
 * `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>`
 * (what nats-server up to 2.13 sends) and the 11+-token form
 * `$JS.ACK.<domain>.<acchash>.<stream>...` (domain `_` means none; extra
 * trailing tokens are ignored).
 *
 * @param reply the reply subject of a JetStream message
 * @returns the parsed metadata
 * @throws {JetStreamError} when the subject has any other shape
 * @example
 * ```ts
 * import { parseInfo } from "./jsmsg.ts";
 * const di = parseInfo("$JS.ACK.ORDERS.worker.1.42.40.1700000000000000000.7");
 * di.streamSequence; // 42
 * ```
 */
export function parseInfo(reply: string): DeliveryInfo {
  const t = reply.split(".");
  let i: number;
  let domain = "";
  let hash: string | undefined;
  if (t.length === 9) {
    i = 2;
  } else if (t.length >= 11) {
    domain = t[2] === "_" ? "" : t[2];
    hash = t[3];
    i = 4;
  } else {
    throw notJs(reply);
  }
  if (t[0] !== "$JS" || t[1] !== "ACK") throw notJs(reply);
  const deliveryCount = toInt(t[i + 2], reply);
  const di: DeliveryInfo = {
    domain,
    stream: t[i],
    consumer: t[i + 1],
    deliveryCount,
    streamSequence: toInt(t[i + 3], reply),
    deliverySequence: toInt(t[i + 4], reply),
    timestampNanos: toInt(t[i + 5], reply),
    pending: toInt(t[i + 6], reply),
    redelivered: deliveryCount > 1,
  };
  if (hash !== undefined) di.account_hash = hash;
  return di;
}

function toInt(s: string, reply: string): number {
  const n = Number(s);
  if (s === "" || !Number.isFinite(n) || n < 0) throw notJs(reply);
  return n;
}

function notJs(reply: string): JetStreamError {
  return new JetStreamError(
    `not a JetStream message: reply subject ${
      JSON.stringify(reply)
    } is not a $JS.ACK subject with 9 or 11+ tokens`,
  );
}

/** The token holding the timestamp, as a bigint (exact). */
function timestampToken(reply: string): bigint {
  const t = reply.split(".");
  return BigInt(t[t.length === 9 ? 7 : 9]);
}

/** What a message needs from its consumer. */
export interface AckContext {
  /** The connection, for acks and ackAck requests. */
  nc: NatsConnection;
  /** ackAck timeout in ms. */
  timeout: number;
  /** The consumer's ack policy is `none`: ack calls do nothing. */
  ackNone: boolean;
  /** The server understands `+TERM <reason>` (2.10.4+). */
  termReason: boolean;
}

/** Whether a server version (`"2.10.4"`) is at least `major.minor.patch`. */
export function versionAtLeast(
  v: string | undefined,
  major: number,
  minor: number,
  patch: number,
): boolean {
  if (v === undefined) return false;
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(v);
  if (m === null) return false;
  const a = [Number(m[1]), Number(m[2]), Number(m[3])];
  const b = [major, minor, patch];
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] > b[i];
  return true;
}

/** Internal implementation of {@link JsMsg}. */
export class JsMsgImpl implements JsMsg {
  /** The underlying core message. */
  readonly msg: Msg;
  #ctx: AckContext;
  #info: DeliveryInfo | undefined;
  #acked = false;
  /** Size counted for `max_bytes` while buffered (set by the pull engine). */
  _size = 0;

  /**
   * @param msg the core message (reply is a `$JS.ACK` subject)
   * @param ctx ack context shared by the consumer's messages
   */
  constructor(msg: Msg, ctx: AckContext) {
    this.msg = msg;
    this.#ctx = ctx;
  }

  /** Subject. */
  get subject(): string {
    return this.msg.subject;
  }
  /** Payload. */
  get data(): Uint8Array {
    return this.msg.data;
  }
  /** Headers. */
  get headers(): MsgHdrs | undefined {
    return this.msg.headers;
  }
  /** Subscription id. */
  get sid(): number {
    return this.msg.sid;
  }
  /** Ack subject. */
  get reply(): string {
    return this.msg.reply;
  }
  /** Delivery metadata, parsed on first use. */
  get info(): DeliveryInfo {
    return this.#info ??= parseInfo(this.msg.reply);
  }
  /** Stream sequence. */
  get seq(): number {
    return this.info.streamSequence;
  }
  /** Delivered before. */
  get redelivered(): boolean {
    return this.info.deliveryCount > 1;
  }
  /** Time stored, exact nanoseconds. */
  get timestampNanos(): bigint {
    this.info; // validates the shape
    return timestampToken(this.msg.reply);
  }
  /** Time stored. */
  get time(): Date {
    return new Date(Number(this.timestampNanos / 1_000_000n));
  }
  /** Time stored, ISO 8601. */
  get timestamp(): string {
    return this.time.toISOString();
  }

  #send(payload: Uint8Array, final: boolean): void {
    if (this.#acked || this.#ctx.ackNone) return;
    if (final) this.#acked = true;
    this.#ctx.nc.publish(this.msg.reply, payload);
  }

  /** `+ACK` */
  ack(): void {
    this.#send(ACK, true);
  }
  /** `-NAK`, or `-NAK {"delay": ns}` */
  nak(millis?: number): void {
    if (millis !== undefined && millis > 0) {
      this.#send(te.encode(`-NAK {"delay":${Math.round(millis * 1_000_000)}}`), true);
    } else {
      this.#send(NAK, true);
    }
  }
  /** `+WPI` */
  working(): void {
    this.#send(WPI, false);
  }
  /** `+TERM`, with the reason only for servers 2.10.4+. */
  term(reason?: string): void {
    if (reason !== undefined && reason !== "" && this.#ctx.termReason) {
      this.#send(te.encode(`+TERM ${reason}`), true);
    } else {
      this.#send(TERM, true);
    }
  }
  /** Acks and waits for the server's confirmation. */
  async ackAck(opts?: { timeout?: number }): Promise<boolean> {
    if (this.#acked || this.#ctx.ackNone) return false;
    this.#acked = true;
    try {
      await this.#ctx.nc.request(this.msg.reply, ACK, {
        timeout: opts?.timeout ?? this.#ctx.timeout,
      });
    } catch (err) {
      if (err instanceof NoRespondersError) {
        throw new JetStreamError(
          `ack of stream sequence ${this.seq} was not confirmed: nothing answered ` +
            `(503 no responders; the consumer "${this.info.consumer}" may be gone)`,
          { cause: err },
        );
      }
      throw err;
    }
    return true;
  }
  /** Payload parsed as JSON. */
  json<T = unknown>(): T {
    return this.msg.json<T>();
  }
  /** Payload decoded as UTF-8. */
  string(): string {
    return this.msg.string();
  }
}

// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * The received message. Headers stay as bytes until first read.
 *
 * @module
 */
import { decodeHeaders } from "./headers.ts";
import type { Msg, MsgHdrs, Payload, PublishOptions } from "./types.ts";

const decoder = new TextDecoder();

/** What a message needs from its connection to respond. */
export interface Publisher {
  /** Publishes a message. */
  publish(subject: string, payload?: Payload, opts?: PublishOptions): void;
}

/** A received message (internal implementation of {@link Msg}). */
export class MsgImpl implements Msg {
  /** Subject the message was published to. */
  readonly subject: string;
  /** Subscription id. */
  readonly sid: number;
  /** Reply subject or "". */
  readonly reply: string;
  /** Payload bytes. */
  readonly data: Uint8Array;
  #hdr: Uint8Array | null;
  #headers: MsgHdrs | undefined;
  #pub: Publisher;

  /**
   * @param pub connection used by `respond`
   * @param subject message subject
   * @param sid subscription id
   * @param reply reply subject or ""
   * @param hdr raw header block or null
   * @param data payload
   */
  constructor(
    pub: Publisher,
    subject: string,
    sid: number,
    reply: string,
    hdr: Uint8Array | null,
    data: Uint8Array,
  ) {
    this.#pub = pub;
    this.subject = subject;
    this.sid = sid;
    this.reply = reply;
    this.#hdr = hdr;
    this.data = data;
  }

  /** Headers, decoded on first access. */
  get headers(): MsgHdrs | undefined {
    if (this.#hdr === null) return undefined;
    return this.#headers ??= decodeHeaders(this.#hdr);
  }

  /** Size of the raw header block in bytes (0 without headers), as the server counts it. */
  get headerLength(): number {
    return this.#hdr === null ? 0 : this.#hdr.length;
  }

  /** Status code of a status message (503, 408, ...), 0 when none; cheap check without full decoding. */
  get statusCode(): number {
    const h = this.#hdr;
    // "NATS/1.0 503": the code starts at byte 9.
    if (h === null || h.length < 12 || h[8] !== 32) return 0;
    const a = h[9] - 48, b = h[10] - 48, c = h[11] - 48;
    if (a < 0 || a > 9 || b < 0 || b > 9 || c < 0 || c > 9) return 0;
    return a * 100 + b * 10 + c;
  }

  /** Payload decoded as UTF-8. */
  string(): string {
    return decoder.decode(this.data);
  }

  /** Payload parsed as JSON. */
  json<T = unknown>(): T {
    return JSON.parse(decoder.decode(this.data)) as T;
  }

  /** Publishes to `reply`; `false` when there is no reply subject. */
  respond(payload?: Payload, opts?: PublishOptions): boolean {
    if (this.reply === "") return false;
    this.#pub.publish(this.reply, payload, opts);
    return true;
  }
}

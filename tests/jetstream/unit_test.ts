// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * No-network checks: ack subject parsing (9- and 11+-token forms), version
 * comparison, duration helpers, error messages and option validation.
 */
import assert from "node:assert/strict";
import {
  ConsumerNotFoundError,
  JetStreamApiError,
  JetStreamError,
  JetStreamNotEnabledError,
  millis,
  nanos,
  parseInfo,
  StreamNotFoundError,
} from "../../mod.ts";
import { apiError } from "../../src/jetstream/errors.ts";
import { versionAtLeast } from "../../src/jetstream/jsmsg.ts";
import { consumeSettings, fetchSettings } from "../../src/jetstream/consumer.ts";
import { resolveJsOptions, validateToken } from "../../src/jetstream/_api.ts";

const NONE = { maxBatch: 0, maxExpires: 0, maxBytes: 0 };

Deno.test("parseInfo() reads the 9-token ack subject nats-server 2.9 sends", () => {
  const di = parseInfo("$JS.ACK.ORDERS.worker.3.42.40.1700000000123456789.7");
  assert.deepEqual(di, {
    domain: "",
    stream: "ORDERS",
    consumer: "worker",
    deliveryCount: 3,
    streamSequence: 42,
    deliverySequence: 40,
    timestampNanos: 1700000000123456789,
    pending: 7,
    redelivered: true,
  });
});

Deno.test("parseInfo() reads the 11+-token form: domain, account hash, extra tokens", () => {
  const di = parseInfo("$JS.ACK.hub.ACCHASH.ORDERS.worker.1.5.6.1700000000000000000.0.rand");
  assert.equal(di.domain, "hub");
  assert.equal(di.account_hash, "ACCHASH");
  assert.equal(di.stream, "ORDERS");
  assert.equal(di.consumer, "worker");
  assert.equal(di.deliveryCount, 1);
  assert.equal(di.streamSequence, 5);
  assert.equal(di.deliverySequence, 6);
  assert.equal(di.pending, 0);
  assert.equal(di.redelivered, false);
  assert.equal(parseInfo("$JS.ACK._.H.S.C.1.2.3.4.5").domain, "", "_ means no domain");
});

Deno.test("parseInfo() rejects anything that is not a $JS.ACK subject", () => {
  for (
    const bad of [
      "",
      "_INBOX.abc",
      "$JS.ACK.S.C.1.2.3.4", // 8 tokens
      "$JS.ACK.D.H.S.C.1.2.3.4", // 10 tokens
      "$JS.NAK.S.C.1.2.3.4.5",
      "$JS.ACK.S.C.x.2.3.4.5",
    ]
  ) {
    assert.throws(() => parseInfo(bad), JetStreamError, bad);
  }
});

Deno.test("versionAtLeast() compares major.minor.patch", () => {
  assert.equal(versionAtLeast("2.9.10", 2, 10, 4), false);
  assert.equal(versionAtLeast("2.10.4", 2, 10, 4), true);
  assert.equal(versionAtLeast("2.10.3", 2, 10, 4), false);
  assert.equal(versionAtLeast("2.11.0-beta", 2, 10, 4), true);
  assert.equal(versionAtLeast(undefined, 2, 0, 0), false);
  assert.equal(versionAtLeast("garbage", 2, 0, 0), false);
});

Deno.test("nanos() and millis() convert durations", () => {
  assert.equal(nanos(1), 1_000_000);
  assert.equal(nanos(30_000), 30_000_000_000);
  assert.equal(millis(30_000_000_000), 30_000);
  assert.equal(millis(nanos(1234)), 1234);
});

Deno.test("API errors: most specific class, stable code, readable message", () => {
  const nf = apiError({ code: 404, err_code: 10059, description: "stream not found" }, 'x "S"');
  assert.ok(nf instanceof StreamNotFoundError);
  assert.ok(nf instanceof JetStreamApiError);
  assert.ok(nf instanceof JetStreamError);
  assert.equal((nf as JetStreamApiError).code, 10059);
  assert.equal((nf as JetStreamApiError).status, 404);
  assert.equal(nf.message, 'x "S": stream not found (err_code 10059, status 404)');
  const cnf = apiError({ code: 404, err_code: 10014, description: "consumer not found" });
  assert.ok(cnf instanceof ConsumerNotFoundError);
  const seq = apiError({ code: 400, err_code: 10071, description: "wrong last sequence: 5" });
  assert.match(seq.message, /wrong last sequence: 5 — the Nats-Expected-Last-Sequence/);
  const off = apiError({ code: 503, err_code: 10039, description: "jetstream not enabled" });
  assert.ok(off instanceof JetStreamNotEnabledError);
  assert.ok(off.cause instanceof JetStreamApiError);
});

Deno.test("names and options are validated with TypeError/RangeError", () => {
  for (const bad of ["", "a.b", "a b", "a*", "a>", "a/b", "a\\b", "x".repeat(256), "tab\t"]) {
    assert.throws(() => validateToken(bad, "stream name"), TypeError, JSON.stringify(bad));
  }
  validateToken("ORDERS-1_ok", "stream name");
  assert.equal(resolveJsOptions({ domain: "hub" }).prefix, "$JS.hub.API");
  assert.equal(resolveJsOptions({ apiPrefix: "custom.api." }).prefix, "custom.api");
  assert.equal(resolveJsOptions().prefix, "$JS.API");
  assert.throws(() => resolveJsOptions({ timeout: 0 }), TypeError);

  assert.throws(() => consumeSettings({ max_messages: 10, max_bytes: 10 }, NONE), TypeError);
  assert.throws(() => consumeSettings({ expires: 500 }, NONE), RangeError);
  assert.throws(() => consumeSettings({ expires: 2_000, idle_heartbeat: 1_500 }, NONE), TypeError);
  assert.throws(
    () => consumeSettings({ max_messages: 10, threshold_messages: 20 }, NONE),
    RangeError,
  );
  assert.throws(() => consumeSettings({ max_messages: -1 }, NONE), TypeError);
  const d = consumeSettings({}, NONE);
  assert.equal(d.batch, 100);
  assert.equal(d.expires, 30_000);
  assert.equal(d.hb, 15_000);
  assert.equal(d.thresholdMessages, 75, "refill at 75% as nats.js does");
  assert.equal(consumeSettings({ max_messages: 1 }, NONE).thresholdMessages, 0);
  const clamped = consumeSettings({ max_messages: 500 }, { ...NONE, maxBatch: 50 });
  assert.equal(clamped.batch, 50);
  const bytes = consumeSettings({ max_bytes: 1024 }, NONE);
  assert.equal(bytes.batch, 1_000_000, "byte-limited pulls ask for a large batch");
  assert.equal(bytes.thresholdBytes, 768);

  assert.equal(fetchSettings({}, NONE, "c").hb, 0, "no heartbeat for a 30 s fetch");
  assert.equal(fetchSettings({ expires: 60_000 }, NONE, "c").hb, 30_000);
  assert.equal(fetchSettings({ no_wait: true }, NONE, "c").expires, 0);
  assert.throws(() => fetchSettings({ expires: 1_000, idle_heartbeat: 600 }, NONE, "c"), TypeError);
});

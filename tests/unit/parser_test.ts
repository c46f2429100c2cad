// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
import assert from "node:assert/strict";
import { Parser, type ParserHandler } from "../../src/protocol/parser.ts";
import { ProtocolError } from "../../src/errors.ts";

// ---------------------------------------------------------------------------
// Helpers.

type Event =
  | ["msg", string, number, string, Uint8Array | null, Uint8Array]
  | ["info", string]
  | ["ping"]
  | ["pong"]
  | ["ok"]
  | ["err", string];

class Recorder implements ParserHandler {
  events: Event[] = [];
  msg(
    subject: string,
    sid: number,
    reply: string,
    hdr: Uint8Array | null,
    data: Uint8Array,
  ): void {
    this.events.push(["msg", subject, sid, reply, hdr, data]);
  }
  info(json: string): void {
    this.events.push(["info", json]);
  }
  ping(): void {
    this.events.push(["ping"]);
  }
  pong(): void {
    this.events.push(["pong"]);
  }
  ok(): void {
    this.events.push(["ok"]);
  }
  err(text: string): void {
    this.events.push(["err", text]);
  }
}

const enc = new TextEncoder();
const dec = new TextDecoder();

function bytes(...parts: (string | Uint8Array)[]): Uint8Array {
  const arrs = parts.map((p) => typeof p === "string" ? enc.encode(p) : p);
  const out = new Uint8Array(arrs.reduce((n, a) => n + a.length, 0));
  let off = 0;
  for (const a of arrs) {
    out.set(a, off);
    off += a.length;
  }
  return out;
}

/** Seeded PRNG (mulberry32), returns floats in [0, 1). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Parses `input` cut at `cuts` (sorted positions), returning the events. */
function feed(
  input: Uint8Array,
  cuts: number[] = [],
  opts?: ConstructorParameters<typeof Parser>[1],
): Event[] {
  const rec = new Recorder();
  const parser = new Parser(rec, opts);
  let prev = 0;
  for (const c of [...cuts, input.length]) {
    parser.parse(input.subarray(prev, c));
    prev = c;
  }
  return rec.events;
}

/**
 * Like feed(), but each piece is copied into one shared scratch buffer that
 * is overwritten with garbage after every parse() call, as a caller reusing
 * its read buffer would.
 */
function feedReused(input: Uint8Array, cuts: number[]): Event[] {
  const rec = new Recorder();
  const parser = new Parser(rec);
  const scratch = new Uint8Array(input.length + 1);
  let prev = 0;
  for (const c of [...cuts, input.length]) {
    const n = c - prev;
    scratch.set(input.subarray(prev, c));
    parser.parse(scratch.subarray(0, n));
    scratch.fill(0xee);
    prev = c;
  }
  return rec.events;
}

function parseAll(input: string | Uint8Array): Event[] {
  return feed(typeof input === "string" ? enc.encode(input) : input);
}

function msg(
  subject: string,
  sid: number,
  reply: string,
  hdr: string | Uint8Array | null,
  data: string | Uint8Array,
): Event {
  return [
    "msg",
    subject,
    sid,
    reply,
    hdr === null ? null : typeof hdr === "string" ? enc.encode(hdr) : hdr,
    typeof data === "string" ? enc.encode(data) : data,
  ];
}

function assertProtocolError(err: unknown): asserts err is ProtocolError {
  assert.ok(
    err instanceof ProtocolError,
    `expected ProtocolError, got ${String(err)}`,
  );
  assert.equal(err.code, "PROTOCOL_ERROR");
}

/** Feeds `input` (in `cuts` pieces) and asserts a ProtocolError is thrown. */
function expectProtocolError(
  input: string | Uint8Array,
  cuts: number[] = [],
  opts?: ConstructorParameters<typeof Parser>[1],
): ProtocolError {
  const data = typeof input === "string" ? enc.encode(input) : input;
  const parser = new Parser(new Recorder(), opts);
  let prev = 0;
  try {
    for (const c of [...cuts, data.length]) {
      parser.parse(data.subarray(prev, c));
      prev = c;
    }
  } catch (err) {
    assertProtocolError(err);
    return err;
  }
  assert.fail(`no ProtocolError for ${JSON.stringify(dec.decode(data))}`);
}

function everyByte(n: number): number[] {
  return Array.from({ length: Math.max(0, n - 1) }, (_, i) => i + 1);
}

// A realistic server stream, as a NATS server writes it.
const INFO_JSON = JSON.stringify({
  server_id: "NCXQ3W7BO2NQUBJ6ERN3GIBQ7DMTW7XGJP4VQJCRBBYBW5Y5RF6OMJDY",
  server_name: "n1",
  version: "2.10.22",
  proto: 1,
  go: "go1.23.2",
  host: "0.0.0.0",
  port: 4222,
  headers: true,
  max_payload: 1048576,
  client_id: 5,
  client_ip: "127.0.0.1",
  connect_urls: ["10.0.0.1:4222", "10.0.0.2:4222"],
  xkey: "XAWZ3WV2TNLLH5JPXTDKQY6QOF7RFJD4BZ5FKNUVYRO4XHY3AAWUGIKH",
});
const HDR1 = "NATS/1.0\r\nNats-Msg-Id: 42\r\nX-Trace: a b c\r\n\r\n";
const STATUS = "NATS/1.0 503\r\n\r\n";
const BINARY = bytes(
  new Uint8Array([0, 1, 2, 0xff, 0xfe, 13, 10]),
  "\r\nMSG a 1 3\r\nabc\r\n",
  new Uint8Array([13]),
);
const STREAM = bytes(
  `INFO ${INFO_JSON} \r\n`,
  "+OK\r\n",
  "PING\r\n",
  "MSG foo.bar 1 5\r\nhello\r\n",
  "MSG foo.bar 1 _INBOX.8n2P6bQ3.1 11\r\nhello world\r\n",
  `HMSG orders.new 2 ${HDR1.length} ${HDR1.length + 7}\r\n${HDR1}payload\r\n`,
  "PONG\r\n",
  `HMSG _INBOX.8n2P6bQ3.* 3 _INBOX.x.1 ${STATUS.length} ${STATUS.length}\r\n${STATUS}\r\n`,
  "MSG empty 4 0\r\n\r\n",
  `MSG bin 5 ${BINARY.length}\r\n`,
  BINARY,
  "\r\n",
  "MSG caf\u00e9.\u65e5\u672c 6 r\u00e9ply 10\r\n\u00e9t\u00e9 \u{1f600}\r\n",
  "-ERR 'Permissions Violation for Subscription to \"secret\"'\r\n",
  "PING\r\n",
  "MSG foo.bar 1 5\r\nworld\r\n",
);
const STREAM_EVENTS: Event[] = [
  ["info", `${INFO_JSON} `],
  ["ok"],
  ["ping"],
  msg("foo.bar", 1, "", null, "hello"),
  msg("foo.bar", 1, "_INBOX.8n2P6bQ3.1", null, "hello world"),
  msg("orders.new", 2, "", HDR1, "payload"),
  ["pong"],
  msg("_INBOX.8n2P6bQ3.*", 3, "_INBOX.x.1", STATUS, ""),
  msg("empty", 4, "", null, ""),
  msg("bin", 5, "", null, BINARY),
  msg(
    "caf\u00e9.\u65e5\u672c",
    6,
    "r\u00e9ply",
    null,
    "\u00e9t\u00e9 \u{1f600}",
  ),
  ["err", 'Permissions Violation for Subscription to "secret"'],
  ["ping"],
  msg("foo.bar", 1, "", null, "world"),
];

// ---------------------------------------------------------------------------
// Single ops.

Deno.test("parser: PING, PONG and +OK", () => {
  assert.deepEqual(parseAll("PING\r\n"), [["ping"]]);
  assert.deepEqual(parseAll("PONG\r\n"), [["pong"]]);
  assert.deepEqual(parseAll("+OK\r\n"), [["ok"]]);
  assert.deepEqual(parseAll("PING\r\nPONG\r\n+OK\r\n"), [
    ["ping"],
    ["pong"],
    ["ok"],
  ]);
  // Trailing blanks after an argument-less op are tolerated.
  assert.deepEqual(parseAll("PING \t\r\n"), [["ping"]]);
});

Deno.test("parser: INFO delivers the raw JSON text", () => {
  const json = '{"server_id":"x","max_payload":1048576,"nonce":"\u00e9"}';
  const events = parseAll(`INFO ${json}\r\n`);
  assert.deepEqual(events, [["info", json]]);
  assert.equal(JSON.parse((events[0] as ["info", string])[1]).nonce, "\u00e9");
  // Several blanks between INFO and the JSON.
  assert.deepEqual(parseAll(`INFO \t  ${json}\r\n`), [["info", json]]);
});

Deno.test("parser: -ERR strips surrounding single quotes", () => {
  assert.deepEqual(parseAll("-ERR 'Authorization Violation'\r\n"), [
    ["err", "Authorization Violation"],
  ]);
  assert.deepEqual(parseAll("-ERR  'Stale Connection' \r\n"), [
    ["err", "Stale Connection"],
  ]);
  assert.deepEqual(parseAll("-ERR Unquoted text\r\n"), [
    ["err", "Unquoted text"],
  ]);
  assert.deepEqual(parseAll("-ERR 'it''s'\r\n"), [["err", "it''s"]]);
  assert.deepEqual(parseAll("-ERR\r\n"), [["err", ""]]);
  assert.deepEqual(parseAll("-ERR ''\r\n"), [["err", ""]]);
  assert.deepEqual(parseAll("-ERR 'x\r\n"), [["err", "'x"]]);
});

Deno.test("parser: MSG without and with reply", () => {
  assert.deepEqual(parseAll("MSG foo 9 3\r\nabc\r\n"), [
    msg("foo", 9, "", null, "abc"),
  ]);
  assert.deepEqual(parseAll("MSG foo.bar 12345 _INBOX.abc.def 3\r\nabc\r\n"), [
    msg("foo.bar", 12345, "_INBOX.abc.def", null, "abc"),
  ]);
  assert.deepEqual(parseAll("MSG foo 0 1\r\nx\r\n"), [
    msg("foo", 0, "", null, "x"),
  ]);
});

Deno.test("parser: HMSG without and with reply", () => {
  const hdr = "NATS/1.0\r\nA: 1\r\nB: two\r\n\r\n";
  const n = hdr.length;
  const events = parseAll(`HMSG foo 3 ${n} ${n + 4}\r\n${hdr}data\r\n`);
  assert.deepEqual(events, [msg("foo", 3, "", hdr, "data")]);
  assert.deepEqual(
    parseAll(`HMSG foo 3 reply.to ${n} ${n + 4}\r\n${hdr}data\r\n`),
    [msg("foo", 3, "reply.to", hdr, "data")],
  );
  // Header-only message (a status), and a 0-length header block.
  assert.deepEqual(parseAll(`HMSG s 1 16 16\r\nNATS/1.0 408\r\n\r\n\r\n`), [
    msg("s", 1, "", "NATS/1.0 408\r\n\r\n", ""),
  ]);
  assert.deepEqual(parseAll("HMSG s 1 0 2\r\nhi\r\n"), [
    msg("s", 1, "", "", "hi"),
  ]);
});

Deno.test("parser: zero-length payloads", () => {
  assert.deepEqual(parseAll("MSG a 1 0\r\n\r\nMSG b 2 r 0\r\n\r\n"), [
    msg("a", 1, "", null, ""),
    msg("b", 2, "r", null, ""),
  ]);
  // Split between the control line and the empty payload's CRLF.
  const input = enc.encode("MSG a 1 0\r\n\r\nPING\r\n");
  for (const cut of everyByte(input.length)) {
    assert.deepEqual(feed(input, [cut]), [msg("a", 1, "", null, ""), [
      "ping",
    ]]);
  }
});

Deno.test("parser: binary payload containing protocol bytes", () => {
  const all = new Uint8Array(256).map((_, i) => i);
  const payload = bytes("\r\nMSG a 1 3\r\n", all, "\r\nPING\r\n", "\r");
  const input = bytes(`MSG bin 1 ${payload.length}\r\n`, payload, "\r\n");
  const expected = [msg("bin", 1, "", null, payload)];
  assert.deepEqual(feed(input), expected);
  assert.deepEqual(feed(input, everyByte(input.length)), expected);
  for (const cut of everyByte(input.length)) {
    assert.deepEqual(feed(input, [cut]), expected);
  }
});

Deno.test("parser: multi-byte UTF-8 in subject, reply and payload", () => {
  const subject = "\u00fcber.\u65e5\u672c\u8a9e.\u{1f680}";
  const reply = "r\u00e9ponse.\u{1f4e8}";
  const data = "na\u00efve \u2603 \u{1f600}";
  const n = enc.encode(data).length;
  const input = enc.encode(`MSG ${subject} 7 ${reply} ${n}\r\n${data}\r\n`);
  const expected = [msg(subject, 7, reply, null, data)];
  assert.deepEqual(feed(input), expected);
  for (const cut of everyByte(input.length)) {
    assert.deepEqual(feed(input, [cut]), expected);
  }
  assert.deepEqual(feed(input, everyByte(input.length)), expected);
});

Deno.test("parser: ops are case-insensitive", () => {
  const input = "msg a 1 1\r\nx\r\nMsG a 1 1\r\nx\r\n" +
    "hmsg a 1 12 12\r\nNATS/1.0\r\n\r\n\r\nHmSg a 1 12 12\r\nNATS/1.0\r\n\r\n\r\n" +
    "info {}\r\nInFo {}\r\nping\r\nPiNg\r\npong\r\npOnG\r\n+ok\r\n+oK\r\n" +
    "-err 'a'\r\n-ErR 'b'\r\n";
  assert.deepEqual(parseAll(input), [
    msg("a", 1, "", null, "x"),
    msg("a", 1, "", null, "x"),
    msg("a", 1, "", "NATS/1.0\r\n\r\n", ""),
    msg("a", 1, "", "NATS/1.0\r\n\r\n", ""),
    ["info", "{}"],
    ["info", "{}"],
    ["ping"],
    ["ping"],
    ["pong"],
    ["pong"],
    ["ok"],
    ["ok"],
    ["err", "a"],
    ["err", "b"],
  ]);
});

Deno.test("parser: tabs and multiple blanks between arguments", () => {
  assert.deepEqual(parseAll("MSG\tfoo\t\t7 \t bar   3 \t\r\nabc\r\n"), [
    msg("foo", 7, "bar", null, "abc"),
  ]);
  assert.deepEqual(
    parseAll("HMSG  foo \t 8\t12   14\r\nNATS/1.0\r\n\r\nhi\r\n"),
    [msg("foo", 8, "", "NATS/1.0\r\n\r\n", "hi")],
  );
});

Deno.test("parser: a bare LF ends a control line, the payload needs CRLF", () => {
  assert.deepEqual(parseAll("PING\nMSG a 1 2\nhi\r\n+OK\n"), [
    ["ping"],
    msg("a", 1, "", null, "hi"),
    ["ok"],
  ]);
  expectProtocolError("MSG a 1 2\nhi\n");
});

// ---------------------------------------------------------------------------
// Streams and splits.

Deno.test("parser: realistic stream fed whole", () => {
  assert.deepEqual(feed(STREAM), STREAM_EVENTS);
  assert.deepEqual(feedReused(STREAM, []), STREAM_EVENTS);
});

Deno.test("parser: realistic stream fed one byte at a time", () => {
  const cuts = everyByte(STREAM.length);
  assert.deepEqual(feed(STREAM, cuts), STREAM_EVENTS);
  assert.deepEqual(feedReused(STREAM, cuts), STREAM_EVENTS);
});

Deno.test("parser: realistic stream split in two at every position", () => {
  for (const cut of everyByte(STREAM.length)) {
    assert.deepEqual(feedReused(STREAM, [cut]), STREAM_EVENTS, `cut ${cut}`);
  }
});

Deno.test("parser: realistic stream in 200 random splits", () => {
  const rnd = prng(0x5eed);
  for (let round = 0; round < 200; round++) {
    const n = 1 + Math.floor(rnd() * 40);
    const set = new Set<number>();
    for (let i = 0; i < n; i++) {
      set.add(1 + Math.floor(rnd() * (STREAM.length - 1)));
    }
    const cuts = [...set].sort((a, b) => a - b);
    assert.deepEqual(feedReused(STREAM, cuts), STREAM_EVENTS, `round ${round}`);
  }
});

Deno.test("parser: payload copies survive reuse of the input chunk", () => {
  const rec = new Recorder();
  const parser = new Parser(rec);
  const chunk = enc.encode(
    "MSG a 1 5\r\nhello\r\nHMSG b 2 12 15\r\nNATS/1.0\r\n\r\nabc\r\nMSG c 3 4\r\nsp",
  );
  parser.parse(chunk);
  chunk.fill(0x41); // 'A'
  chunk.set(enc.encode("an\r\n"));
  parser.parse(chunk.subarray(0, 4));
  chunk.fill(0x42); // 'B'
  assert.deepEqual(rec.events, [
    msg("a", 1, "", null, "hello"),
    msg("b", 2, "", "NATS/1.0\r\n\r\n", "abc"),
    msg("c", 3, "", null, "span"),
  ]);
  for (const e of rec.events) {
    if (e[0] !== "msg") continue;
    // Owned copies: never a view of the caller's chunk, and a kept message
    // pins at most one small slab (16 KiB), never a read buffer.
    assert.notEqual(e[5].buffer, chunk.buffer);
    assert.ok(e[5].buffer.byteLength <= 16 * 1024);
    if (e[4]) assert.notEqual(e[4].buffer, chunk.buffer);
  }
});

Deno.test("parser: small payloads share a slab; large ones get their own buffer", () => {
  const rec = new Recorder();
  const parser = new Parser(rec);
  const big = "x".repeat(5000);
  parser.parse(enc.encode(`MSG a 1 3\r\nabc\r\nMSG a 1 3\r\ndef\r\nMSG b 2 5000\r\n${big}\r\n`));
  const [m1, m2, m3] = rec.events.map((e) => e[5] as Uint8Array);
  assert.equal(m1.buffer, m2.buffer);
  assert.equal(new TextDecoder().decode(m1), "abc");
  assert.equal(new TextDecoder().decode(m2), "def");
  assert.equal(m3.buffer.byteLength, 5000);
  // Filling a slab moves on to a fresh one without corrupting earlier views.
  const frames = [];
  for (let i = 0; i < 100; i++) frames.push(`MSG s 1 1000\r\n${String(i % 10).repeat(1000)}\r\n`);
  const before = rec.events.length;
  parser.parse(enc.encode(frames.join("")));
  const views = rec.events.slice(before).map((e) => e[5] as Uint8Array);
  views.forEach((v, i) => assert.ok(v.every((b) => b === 48 + (i % 10)), `message ${i}`));
  assert.ok(new Set(views.map((v) => v.buffer)).size > 1);
});

Deno.test("parser: many frames in one chunk", () => {
  const parts: string[] = [];
  for (let i = 0; i < 10_000; i++) {
    parts.push(
      i % 3 === 0 ? "PING\r\n" : `MSG s.${i % 7} ${i} 3\r\n${i % 10}xy\r\n`,
    );
  }
  const events = parseAll(parts.join(""));
  assert.equal(events.length, 10_000);
  assert.deepEqual(events[1], msg("s.1", 1, "", null, "1xy"));
  assert.deepEqual(events[9_998], msg("s.2", 9_998, "", null, "8xy"));
});

Deno.test("parser: 5 MiB payload in 64 KiB chunks", () => {
  const size = 5 * 1024 * 1024;
  const payload = new Uint8Array(size);
  for (let i = 0; i < size; i++) payload[i] = (i * 31 + 7) & 0xff;
  const hdr = "NATS/1.0\r\nK: v\r\n\r\n";
  const input = bytes(
    `MSG big 1 ${size}\r\n`,
    payload,
    "\r\n",
    `HMSG big 2 r ${hdr.length} ${hdr.length + size}\r\n${hdr}`,
    payload,
    "\r\nPING\r\n",
  );
  const cuts: number[] = [];
  for (let c = 65536; c < input.length; c += 65536) cuts.push(c);
  const t0 = performance.now();
  const events = feedReused(input, cuts);
  const ms = performance.now() - t0;
  assert.equal(events.length, 3);
  assert.deepEqual(events[0], msg("big", 1, "", null, payload));
  assert.deepEqual(events[1], msg("big", 2, "r", hdr, payload));
  assert.deepEqual(events[2], ["ping"]);
  assert.ok(ms < 2000, `took ${ms} ms`);
  // And in one chunk.
  assert.deepEqual(feed(input).length, 3);
});

// ---------------------------------------------------------------------------
// Garbage.

Deno.test("parser: unknown op is a ProtocolError quoting the bytes", () => {
  const err = expectProtocolError("FOO bar\r\n");
  assert.match(err.message, /"FOO bar"/);
  const bin = expectProtocolError(
    new Uint8Array([0x00, 0x22, 0x5c, 0xff, 13, 10]),
  );
  assert.match(bin.message, /"\\x00\\"\\\\\\xff"/);
  const long = expectProtocolError(`X${"y".repeat(500)}\r\n`);
  assert.ok(long.message.length < 200, long.message);
  for (
    const bad of [
      "PINGX\r\n",
      "PIN\r\n",
      "MSGX a 1 1\r\nx\r\n",
      "+OKAY\r\n",
      "-ERROR\r\n",
      "\r\n",
      "\n",
      " PING\r\n",
      "INFO{}\r\n",
      "PING\rX\r\n",
    ]
  ) {
    expectProtocolError(bad);
    expectProtocolError(bad, everyByte(bad.length));
  }
});

Deno.test("parser: an unknown op is rejected before its line ends", () => {
  // Without any LF in sight, a bad op is still caught from its first bytes.
  expectProtocolError("GET / HTTP/1.1");
  expectProtocolError("PX");
  expectProtocolError("MSGa");
  expectProtocolError("G");
  expectProtocolError("PINGx", everyByte(5));
});

Deno.test("parser: malformed MSG and HMSG arguments", () => {
  const cases = [
    "MSG foo 1 abc\r\nabc\r\n", // non-numeric size
    "MSG foo 1 3x\r\nabc\r\n",
    "MSG foo 1 \r\n\r\n", // missing size
    "MSG foo x 3\r\nabc\r\n", // non-numeric sid
    "MSG foo -1 3\r\nabc\r\n", // negative sid
    "MSG foo 1 -3\r\nabc\r\n", // negative size
    "MSG foo 1 99999999999999999999999\r\n", // huge size
    "MSG foo 99999999999999999999 3\r\nabc\r\n", // sid beyond 2^53
    "MSG foo 1 67108865\r\n", // 64 MiB + 1
    "MSG foo 1 r x 3\r\nabc\r\n", // too many arguments
    "MSG foo\r\n", // too few
    "MSG\r\n",
    "MSG foo 1 1\rx\r\nx\r\n", // stray CR
    "HMSG foo 1 5 3\r\nabcde\r\n", // header size > total
    "HMSG foo 1 3\r\nabc\r\n", // total missing
    "HMSG foo 1 r 1 2 3\r\nabc\r\n", // too many
    "HMSG foo 1 x 3\r\nabc\r\n",
    "HMSG foo 1 1 x\r\nabc\r\n",
    "INFO\r\n",
    "INFO   \r\n",
    "PING x\r\n",
    "+OK x\r\n",
  ];
  for (const c of cases) {
    expectProtocolError(c);
    expectProtocolError(c, everyByte(c.length));
  }
  // A configured maxPayload applies to headers plus payload.
  expectProtocolError("MSG foo 1 11\r\n", [], { maxPayload: 10 });
  expectProtocolError("HMSG foo 1 5 11\r\n", [], { maxPayload: 10 });
  assert.deepEqual(
    feed(
      enc.encode("MSG foo 1 10\r\n0123456789\r\n"),
      [],
      { maxPayload: 10 },
    ),
    [msg("foo", 1, "", null, "0123456789")],
  );
});

Deno.test("parser: payload not followed by CRLF", () => {
  for (
    const c of [
      "MSG a 1 3\r\nabcd\r\n",
      "MSG a 1 3\r\nabc\n",
      "MSG a 1 3\r\nabc\rX",
      "MSG a 1 3\r\nab\r\n\r\n",
      "MSG a 1 0\r\nX\r\n",
      "HMSG a 1 12 13\r\nNATS/1.0\r\n\r\nxy\r\n",
    ]
  ) {
    expectProtocolError(c);
    expectProtocolError(c, everyByte(c.length));
  }
});

Deno.test("parser: overlong control line", () => {
  const long = "INFO " + "x".repeat(70_000);
  const err = expectProtocolError(long);
  assert.match(err.message, /control line/);
  expectProtocolError(long + "\r\n");
  // Arriving in small pieces, it fails once it passes the limit.
  const cuts: number[] = [];
  for (let c = 1000; c < long.length; c += 1000) cuts.push(c);
  expectProtocolError(long, cuts);
  // Custom limit; a line of exactly the limit passes (its CR is not counted).
  const line = `INFO ${"y".repeat(95)}\r\n`;
  const p = new Parser(new Recorder(), { maxControlLine: 100 });
  p.parse(enc.encode(line));
  expectProtocolError(`INFO ${"y".repeat(96)}\r\n`, [], {
    maxControlLine: 100,
  });
  expectProtocolError(`INFO ${"y".repeat(96)}\r\n`, everyByte(103), {
    maxControlLine: 100,
  });
  for (const cut of everyByte(line.length)) {
    const rec = new Recorder();
    const q = new Parser(rec, { maxControlLine: 100 });
    q.parse(enc.encode(line.slice(0, cut)));
    q.parse(enc.encode(line.slice(cut)));
    assert.deepEqual(rec.events, [["info", "y".repeat(95)]]);
  }
});

Deno.test("parser: random bytes only ever throw ProtocolError", () => {
  const rnd = prng(42);
  let thrown = 0;
  const rounds = 500;
  for (let round = 0; round < rounds; round++) {
    const input = new Uint8Array(1 + Math.floor(rnd() * 300));
    for (let i = 0; i < input.length; i++) input[i] = Math.floor(rnd() * 256);
    const parser = new Parser(new Recorder());
    let pos = 0;
    try {
      while (pos < input.length) {
        const n = 1 + Math.floor(rnd() * 50);
        parser.parse(input.subarray(pos, pos + n));
        pos += n;
      }
    } catch (err) {
      assertProtocolError(err);
      thrown++;
    }
  }
  // Random bytes almost never start with a valid op, and bad ops are caught
  // early, so nearly every round must fail.
  assert.ok(thrown > rounds * 0.9, `only ${thrown} of ${rounds} threw`);
});

Deno.test("parser: mutated streams only ever throw ProtocolError", () => {
  const rnd = prng(7);
  const interesting = [0x0d, 0x0a, 0x20, 0x09, 0x30, 0x39, 0x2d, 0x00, 0xff];
  for (let round = 0; round < 500; round++) {
    const input = STREAM.slice();
    const flips = 1 + Math.floor(rnd() * 4);
    for (let i = 0; i < flips; i++) {
      const at = Math.floor(rnd() * input.length);
      input[at] = rnd() < 0.5
        ? interesting[Math.floor(rnd() * interesting.length)]
        : Math.floor(rnd() * 256);
    }
    const cuts: number[] = [];
    for (let c = 1 + Math.floor(rnd() * 64); c < input.length;) {
      cuts.push(c);
      c += 1 + Math.floor(rnd() * 64);
    }
    try {
      feed(input, cuts);
    } catch (err) {
      assertProtocolError(err);
    }
  }
});

// ---------------------------------------------------------------------------
// Failure and reset.

Deno.test("parser: unusable after an error until reset()", () => {
  const rec = new Recorder();
  const p = new Parser(rec);
  assert.throws(() => p.parse(enc.encode("BOGUS\r\n")), ProtocolError);
  assert.throws(() => p.parse(enc.encode("PING\r\n")), ProtocolError);
  assert.deepEqual(rec.events, []);
  p.reset();
  p.parse(enc.encode("PING\r\n"));
  assert.deepEqual(rec.events, [["ping"]]);
});

Deno.test("parser: truncated frames followed by reset() parse a new stream", () => {
  for (const cut of everyByte(STREAM.length)) {
    const rec = new Recorder();
    const p = new Parser(rec);
    p.parse(STREAM.subarray(0, cut));
    p.reset();
    rec.events = [];
    p.parse(STREAM);
    assert.deepEqual(rec.events, STREAM_EVENTS, `cut ${cut}`);
  }
});

Deno.test("parser: handler exceptions propagate", () => {
  class Throwing extends Recorder {
    override ping(): void {
      throw new Error("boom");
    }
  }
  const rec = new Throwing();
  const p = new Parser(rec);
  assert.throws(() => p.parse(enc.encode("PING\r\n")), /boom/);
  p.reset();
  p.parse(enc.encode("PONG\r\n"));
  assert.deepEqual(rec.events, [["pong"]]);
});

Deno.test("parser: invalid options", () => {
  const h = new Recorder();
  assert.throws(() => new Parser(h, { maxPayload: 0 }), RangeError);
  assert.throws(() => new Parser(h, { maxControlLine: -1 }), RangeError);
  assert.throws(() => new Parser(h, { maxControlLine: 1.5 }), RangeError);
});

Deno.test("parser: repeated subjects decode to equal strings", () => {
  // Exercises the subject cache: hits, collisions and overwrites.
  const parts: string[] = [];
  const expected: Event[] = [];
  for (let i = 0; i < 2000; i++) {
    const subject = `s.${i % 300}.${"x".repeat(i % 70)}`;
    const reply = i % 2 ? `_INBOX.${i}` : "";
    parts.push(`MSG ${subject} ${i}${reply ? " " + reply : ""} 1\r\nz\r\n`);
    expected.push(msg(subject, i, reply, null, "z"));
  }
  const input = enc.encode(parts.join(""));
  assert.deepEqual(feed(input), expected);
  assert.deepEqual(feed(input, [7, 100, 4099, 20000]), expected);
});

Deno.test("parser: subject cache stays correct as it switches off and on", () => {
  const parts: string[] = [];
  const expected: Event[] = [];
  const add = (subject: string, sid: number) => {
    parts.push(`MSG ${subject} ${sid} 0\r\n\r\n`);
    expected.push(msg(subject, sid, "", null, ""));
  };
  // Unique subjects (cache turns itself off), then repeated ones (it comes
  // back on), then a mix, twice over.
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 10_000; i++) add(`uniq.${round}.${i}`, i);
    for (let i = 0; i < 10_000; i++) add(`rep.${i % 5}`, i);
    for (let i = 0; i < 5_000; i++) {
      add(i % 2 ? `mix.${i}` : `rep.${i % 3}`, i);
    }
  }
  const input = enc.encode(parts.join(""));
  assert.deepEqual(feed(input), expected);
});

Deno.test("parser: reset() from inside a handler drops the rest of the chunk", () => {
  class Resetting extends Recorder {
    parser?: Parser;
    override err(text: string): void {
      super.err(text);
      this.parser?.reset();
    }
  }
  const rec = new Resetting();
  const p = new Parser(rec);
  rec.parser = p;
  p.parse(
    enc.encode("PING\r\n-ERR 'Stale Connection'\r\nPONG\r\nMSG a 1 2\r\nhi"),
  );
  assert.deepEqual(rec.events, [["ping"], ["err", "Stale Connection"]]);
  // The parser starts afresh with the next chunk.
  p.parse(enc.encode("+OK\r\n"));
  assert.deepEqual(rec.events.at(-1), ["ok"]);
});

Deno.test("parser: sid limits", () => {
  assert.deepEqual(parseAll(`MSG a ${Number.MAX_SAFE_INTEGER} 0\r\n\r\n`), [
    msg("a", Number.MAX_SAFE_INTEGER, "", null, ""),
  ]);
  expectProtocolError(`MSG a ${Number.MAX_SAFE_INTEGER + 1} 0\r\n\r\n`);
  expectProtocolError("MSG a 1.5 0\r\n\r\n");
  expectProtocolError("MSG a 0x10 0\r\n\r\n");
});

Deno.test("parser: long garbage is reported as an unknown op", () => {
  const junk = "\u0000junk".repeat(20_000);
  assert.match(expectProtocolError(junk).message, /unknown protocol operation/);
  assert.match(
    expectProtocolError(junk + "\r\n").message,
    /unknown protocol operation/,
  );
});

Deno.test("parser: payloads are copies even for a Uint8Array subclass whose slice() is a view", () => {
  class ViewSlicing extends Uint8Array {
    override slice(start?: number, end?: number): Uint8Array<ArrayBuffer> {
      return this.subarray(start, end) as Uint8Array<ArrayBuffer>;
    }
  }
  const src = enc.encode("MSG a 1 5\r\nhello\r\nHMSG b 2 12 14\r\nNATS/1.0\r\n\r\nhi\r\n");
  const chunk = new ViewSlicing(src.length);
  chunk.set(src);
  const rec = new Recorder();
  new Parser(rec).parse(chunk);
  chunk.fill(0);
  assert.deepEqual(rec.events, [
    msg("a", 1, "", null, "hello"),
    msg("b", 2, "", "NATS/1.0\r\n\r\n", "hi"),
  ]);
});

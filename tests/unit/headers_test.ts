// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
import assert from "node:assert/strict";
import {
  canonicalMIMEHeaderKey,
  decodeHeaders,
  encodeHeaders,
  headers,
  MsgHdrsImpl,
} from "../../src/headers.ts";
import { InvalidHeaderError, ProtocolError } from "../../src/errors.ts";
import { Match, type MsgHdrs } from "../../src/types.ts";

const te = new TextEncoder();
const td = new TextDecoder();
const bytes = (s: string): Uint8Array => te.encode(s);
const text = (b: Uint8Array): string => td.decode(b);

function entries(h: MsgHdrs): [string, string[]][] {
  return [...h];
}

Deno.test("headers: empty block is exactly NATS/1.0 CRLF CRLF (12 bytes)", () => {
  const b = encodeHeaders(headers());
  assert.equal(b.length, 12);
  assert.equal(text(b), "NATS/1.0\r\n\r\n");
  const h = decodeHeaders(b);
  assert.deepEqual(h.keys(), []);
  assert.equal(h.code, 0);
  assert.equal(h.status, "");
});

Deno.test("headers: encode layout, repeated keys on separate lines", () => {
  const h = headers();
  h.set("X-MiXeD", "1");
  h.append("Tag", "a");
  h.append("Tag", "b");
  assert.equal(
    text(encodeHeaders(h)),
    "NATS/1.0\r\nX-MiXeD: 1\r\nTag: a\r\nTag: b\r\n\r\n",
  );
});

Deno.test("headers: round trip keeps case, order, repeated keys", () => {
  const h = headers();
  h.set("X-MiXeD", "Value");
  h.append("k", "1");
  h.append("k", "2");
  h.append("k", "3");
  h.set("lower", "x");
  const d = decodeHeaders(encodeHeaders(h));
  assert.deepEqual(d.keys(), ["X-MiXeD", "k", "lower"]);
  assert.equal(d.get("X-MiXeD"), "Value");
  assert.equal(d.get("x-mixed"), "");
  assert.deepEqual(d.values("k"), ["1", "2", "3"]);
  assert.equal(d.last("k"), "3");
  assert.deepEqual(entries(d), entries(h));
});

Deno.test("headers: UTF-8 values round trip, byte length counts", () => {
  const h = headers();
  const v = "grüße 日本 🎉 ok";
  h.set("U", v);
  const b = encodeHeaders(h);
  const expected = `NATS/1.0\r\nU: ${v}\r\n\r\n`;
  assert.deepEqual(b, te.encode(expected));
  assert.ok(b.length > expected.length);
  assert.equal(decodeHeaders(b).get("U"), v);
});

Deno.test("headers: encoder and decoder agree with TextEncoder/TextDecoder", () => {
  const samples = [
    "ascii",
    "é",
    "\u07ff\u0800\uffff",
    "😀",
    "a\ud800b", // lone high surrogate
    "a\udc00b", // lone low surrogate
    "\ud83d", // lone high at end
    "x".repeat(10_000) + "ü",
  ];
  for (const v of samples) {
    const h = new MsgHdrsImpl();
    h.set("K", v);
    const b = encodeHeaders(h);
    assert.deepEqual(b, te.encode(`NATS/1.0\r\nK: ${v}\r\n\r\n`), v);
    assert.equal(decodeHeaders(b).get("K"), td.decode(te.encode(v)));
  }
  // Random code points.
  for (let n = 0; n < 200; n++) {
    let v = "";
    for (let i = 0; i < 20; i++) {
      const r = Math.random();
      const cp = r < 0.3
        ? 0x21 + Math.floor(Math.random() * 94)
        : r < 0.6
        ? 0x80 + Math.floor(Math.random() * 0x780)
        : r < 0.9
        ? 0x800 + Math.floor(Math.random() * 0xf800)
        : 0x10000 + Math.floor(Math.random() * 0xfffff);
      // Skip the surrogate range: lone surrogates are covered above.
      v += String.fromCodePoint(cp >= 0xd800 && cp <= 0xdfff ? 0xe000 : cp);
    }
    v = v.replace(/[\r\n]/g, "x");
    const h = new MsgHdrsImpl();
    h.set("K", v);
    const b = encodeHeaders(h);
    assert.deepEqual(b, te.encode(`NATS/1.0\r\nK: ${v}\r\n\r\n`));
    assert.equal(decodeHeaders(b).get("K"), v);
  }
});

Deno.test("headers: decoder replaces invalid UTF-8 like TextDecoder", () => {
  const prefix = bytes("NATS/1.0\r\nK: ");
  const suffix = bytes("\r\n\r\n");
  const cases = [
    [0xff],
    [0xc0, 0x80],
    [0xe0, 0x80, 0x80],
    [0xed, 0xa0, 0x80],
    [0xf4, 0x90, 0x80, 0x80],
    [0xf0, 0x9f, 0x98], // truncated 4-byte sequence
    [0xe2, 0x82], // truncated 3-byte sequence
    [0x61, 0x80, 0x62],
    [0xc3, 0x41],
  ];
  for (const c of cases) {
    const b = new Uint8Array([...prefix, ...c, ...suffix]);
    assert.equal(
      decodeHeaders(b).get("K"),
      td.decode(new Uint8Array(c)).trim(),
      JSON.stringify(c),
    );
  }
  // Random bytes (no CR/LF, no leading/trailing space/tab).
  for (let n = 0; n < 500; n++) {
    const c = new Uint8Array(16);
    crypto.getRandomValues(c);
    for (let i = 0; i < c.length; i++) {
      if (c[i] === 0x0d || c[i] === 0x0a || c[i] === 0x20 || c[i] === 0x09) {
        c[i] = 0x41;
      }
    }
    const b = new Uint8Array([...prefix, ...c, ...suffix]);
    assert.equal(
      decodeHeaders(b).get("K"),
      td.decode(c),
      Array.from(c).join(","),
    );
  }
});

Deno.test("headers: values may contain ':'; split on the first ':'", () => {
  const h = headers();
  h.set("Url", "nats://host:4222/a:b");
  h.set("Empty", "");
  const d = decodeHeaders(encodeHeaders(h));
  assert.equal(d.get("Url"), "nats://host:4222/a:b");
  assert.equal(d.has("Empty"), true);
  assert.equal(d.get("Empty"), "");

  const raw = decodeHeaders(bytes("NATS/1.0\r\nA:b:c\r\nB:  x y \t\r\n\r\n"));
  assert.equal(raw.get("A"), "b:c");
  assert.equal(raw.get("B"), "x y");
});

Deno.test("headers: status lines with and without description", () => {
  const cases: [string, number, string, string][] = [
    ["NATS/1.0 503\r\n\r\n", 503, "", "503"],
    [
      "NATS/1.0 408 Request Timeout\r\n\r\n",
      408,
      "Request Timeout",
      "408 Request Timeout",
    ],
    [
      "NATS/1.0 100 Idle Heartbeat\r\n\r\n",
      100,
      "Idle Heartbeat",
      "100 Idle Heartbeat",
    ],
    [
      "NATS/1.0 409 Consumer Deleted\r\n\r\n",
      409,
      "Consumer Deleted",
      "409 Consumer Deleted",
    ],
    [
      "NATS/1.0 409 Exceeded MaxRequestBatch of 10 - now\r\n\r\n",
      409,
      "Exceeded MaxRequestBatch of 10 - now",
      "409 Exceeded MaxRequestBatch of 10 - now",
    ],
    ["NATS/1.0 404 No Messages\r\n\r\n", 404, "No Messages", "404 No Messages"],
    ["NATS/1.0\r\n\r\n", 0, "", ""],
  ];
  for (const [wire, code, description, status] of cases) {
    const h = decodeHeaders(bytes(wire));
    assert.equal(h.code, code, wire);
    assert.equal(h.description, description, wire);
    assert.equal(h.status, status, wire);
    // Re-encoding gives the same bytes.
    assert.equal(text(encodeHeaders(h)), wire);
  }
});

Deno.test("headers: status line with headers after it", () => {
  const h = decodeHeaders(
    bytes(
      "NATS/1.0 409 Consumer Deleted\r\nNats-Pending-Messages: 3\r\nNats-Pending-Bytes: 10\r\n\r\n",
    ),
  );
  assert.equal(h.code, 409);
  assert.equal(h.description, "Consumer Deleted");
  assert.equal(h.get("Nats-Pending-Messages"), "3");
  assert.equal(h.get("Nats-Pending-Bytes"), "10");
});

Deno.test("headers: hasError, code, description, status", () => {
  const none = headers();
  assert.equal(none.code, 0);
  assert.equal(none.description, "");
  assert.equal(none.status, "");
  assert.equal(none.hasError, false);

  const e = headers(503);
  assert.equal(e.code, 503);
  assert.equal(e.status, "503");
  assert.equal(e.hasError, true);
  assert.equal(text(encodeHeaders(e)), "NATS/1.0 503\r\n\r\n");

  const t = headers(408, "Request Timeout");
  assert.equal(t.status, "408 Request Timeout");
  assert.equal(t.hasError, true);
  assert.equal(
    text(encodeHeaders(t)),
    "NATS/1.0 408 Request Timeout\r\n\r\n",
  );

  assert.equal(headers(100, "Idle Heartbeat").hasError, false);
  assert.equal(headers(200).hasError, false);
  assert.equal(headers(299).hasError, false);
  assert.equal(headers(300).hasError, true);
});

Deno.test("headers: invalid status arguments are rejected", () => {
  assert.throws(() => headers(-1), InvalidHeaderError);
  assert.throws(() => headers(1000), InvalidHeaderError);
  assert.throws(() => headers(1.5), InvalidHeaderError);
  assert.throws(() => headers(503, "a\r\nb"), InvalidHeaderError);
  assert.throws(() => headers(0, "desc"), InvalidHeaderError);
});

Deno.test("headers: CR/LF in values rejected by set and append", () => {
  for (const v of ["a\r\nb", "a\rb", "a\nb", "\n", "x\r"]) {
    for (const op of ["set", "append"] as const) {
      const h = headers();
      assert.throws(
        () => h[op]("Key", v),
        (err: unknown) => {
          assert.ok(err instanceof InvalidHeaderError);
          assert.equal(err.code, "INVALID_HEADER");
          assert.match(err.message, /"Key"/);
          assert.match(err.message, /CR or LF/);
          return true;
        },
      );
      assert.deepEqual(h.keys(), []);
    }
  }
});

Deno.test("headers: bad keys rejected by set and append", () => {
  const bad = ["", "a b", "a:b", ":", "a\tb", "a\r\nb", "ü", "a\x7f", "a\x00"];
  for (const k of bad) {
    for (const op of ["set", "append"] as const) {
      const h = headers();
      assert.throws(
        () => h[op](k, "v"),
        (err: unknown) => {
          assert.ok(err instanceof InvalidHeaderError);
          if (k !== "") {
            assert.ok(err.message.includes(JSON.stringify(k)), err.message);
          }
          return true;
        },
        JSON.stringify(k),
      );
      assert.deepEqual(h.keys(), []);
    }
  }
  // Printable ASCII other than ':' is fine.
  const h = headers();
  h.set("!#$%&'*+-.^_`|~\"(),/;<=>?@[\\]{}", "v");
  assert.equal(h.keys().length, 1);
});

Deno.test("headers: failed set does not delete the old value", () => {
  const h = headers();
  h.set("A", "1");
  assert.throws(() => h.set("A", "x\ny"), InvalidHeaderError);
  assert.equal(h.get("A"), "1");
});

Deno.test("headers: get/set/append/has/values/delete/last, exact match", () => {
  const h = headers();
  assert.equal(h.get("A"), "");
  assert.equal(h.last("A"), "");
  assert.equal(h.has("A"), false);
  assert.deepEqual(h.values("A"), []);

  h.append("A", "1");
  h.append("A", "2");
  assert.equal(h.get("A"), "1");
  assert.equal(h.last("A"), "2");
  assert.equal(h.has("A"), true);
  assert.equal(h.has("a"), false);
  assert.deepEqual(h.values("A"), ["1", "2"]);

  h.set("A", "3");
  assert.deepEqual(h.values("A"), ["3"]);

  h.set("a", "lower");
  assert.deepEqual(h.keys(), ["A", "a"]);
  assert.equal(h.get("a"), "lower");

  h.delete("A");
  assert.deepEqual(h.keys(), ["a"]);
  h.delete("missing");
  assert.deepEqual(h.keys(), ["a"]);

  // Returned arrays are copies.
  h.values("a").push("zzz");
  assert.deepEqual(h.values("a"), ["lower"]);
  for (const [, vs] of h) vs.push("zzz");
  assert.deepEqual(h.values("a"), ["lower"]);
});

Deno.test("headers: Match.IgnoreCase", () => {
  const h = headers();
  h.append("X-MiXeD", "1");
  h.append("x-mixed", "2");
  assert.equal(h.get("X-MIXED"), "");
  assert.equal(h.get("X-MIXED", Match.IgnoreCase), "1");
  assert.equal(h.last("X-MIXED", Match.IgnoreCase), "2");
  assert.equal(h.has("x-MIXED", Match.IgnoreCase), true);
  assert.deepEqual(h.values("X-MIXED", Match.IgnoreCase), ["1", "2"]);

  // append joins the first matching key.
  h.append("X-MIXED", "3", Match.IgnoreCase);
  assert.deepEqual(h.values("X-MiXeD"), ["1", "3"]);
  assert.deepEqual(h.keys(), ["X-MiXeD", "x-mixed"]);

  // set replaces every matching key with the key as given.
  h.set("X-MIXED", "4", Match.IgnoreCase);
  assert.deepEqual(h.keys(), ["X-MIXED"]);
  assert.deepEqual(h.values("X-MIXED"), ["4"]);

  h.delete("x-mixed", Match.IgnoreCase);
  assert.deepEqual(h.keys(), []);

  // No match: a new key as given.
  h.append("New-Key", "v", Match.IgnoreCase);
  assert.deepEqual(h.keys(), ["New-Key"]);
});

Deno.test("headers: Match.CanonicalMIME", () => {
  assert.equal(canonicalMIMEHeaderKey("content-type"), "Content-Type");
  assert.equal(canonicalMIMEHeaderKey("CONTENT-TYPE"), "Content-Type");
  assert.equal(canonicalMIMEHeaderKey("x-mIxEd-1a"), "X-Mixed-1a");
  assert.equal(canonicalMIMEHeaderKey("nats-msg-id"), "Nats-Msg-Id");
  assert.equal(canonicalMIMEHeaderKey("a/b"), "a/b"); // not a token: unchanged

  const h = headers();
  h.set("content-type", "text/plain", Match.CanonicalMIME);
  assert.deepEqual(h.keys(), ["Content-Type"]);
  assert.equal(h.get("content-type"), "");
  assert.equal(h.get("content-type", Match.CanonicalMIME), "text/plain");
  assert.equal(h.get("CONTENT-TYPE", Match.CanonicalMIME), "text/plain");
  assert.equal(h.has("Content-type", Match.CanonicalMIME), true);

  h.append("CONTENT-TYPE", "x", Match.CanonicalMIME);
  assert.deepEqual(h.values("Content-Type"), ["text/plain", "x"]);

  // A non-canonical key from the wire is still found.
  const d = decodeHeaders(bytes("NATS/1.0\r\nnats-msg-id: 7\r\n\r\n"));
  assert.equal(d.get("Nats-Msg-Id"), "");
  assert.equal(d.get("Nats-Msg-Id", Match.CanonicalMIME), "7");
  d.delete("NATS-MSG-ID", Match.CanonicalMIME);
  assert.equal(d.has("nats-msg-id"), false);
});

Deno.test("headers: encode cache is invalidated on mutation", () => {
  const h = headers();
  h.set("A", "1");
  const b1 = encodeHeaders(h);
  assert.equal(encodeHeaders(h), b1, "same headers: cached bytes reused");

  h.append("A", "2");
  const b2 = encodeHeaders(h);
  assert.notEqual(b2, b1);
  assert.equal(text(b2), "NATS/1.0\r\nA: 1\r\nA: 2\r\n\r\n");

  h.set("A", "3");
  const b3 = encodeHeaders(h);
  assert.equal(text(b3), "NATS/1.0\r\nA: 3\r\n\r\n");

  h.delete("missing");
  assert.equal(encodeHeaders(h), b3, "no-op delete keeps the cache");

  h.delete("A");
  assert.equal(text(encodeHeaders(h)), "NATS/1.0\r\n\r\n");

  h.set("b", "1");
  h.delete("B", Match.IgnoreCase);
  assert.equal(text(encodeHeaders(h)), "NATS/1.0\r\n\r\n");

  // Failed mutations leave a valid cache.
  h.set("C", "1");
  const b4 = encodeHeaders(h);
  assert.throws(() => h.append("C", "\n"), InvalidHeaderError);
  assert.equal(encodeHeaders(h), b4);
});

Deno.test("headers: foreign MsgHdrs encoded through its iterator and validated", () => {
  const make = (
    data: [string, string[]][],
    code = 0,
    description = "",
  ): MsgHdrs => ({
    hasError: code >= 300,
    status: "",
    code,
    description,
    get: () => "",
    set: () => {},
    append: () => {},
    has: () => false,
    keys: () => data.map(([k]) => k),
    values: () => [],
    delete: () => {},
    last: () => "",
    [Symbol.iterator]: () => data[Symbol.iterator](),
  });
  assert.equal(
    text(
      encodeHeaders(
        make([["A", ["1", "2"]], ["B", ["x"]]], 503, "No Responders"),
      ),
    ),
    "NATS/1.0 503 No Responders\r\nA: 1\r\nA: 2\r\nB: x\r\n\r\n",
  );
  assert.throws(
    () => encodeHeaders(make([["A", ["1\r\nB: 2"]]])),
    InvalidHeaderError,
  );
  assert.throws(
    () => encodeHeaders(make([["A B", ["1"]]])),
    InvalidHeaderError,
  );
  assert.throws(() => encodeHeaders(make([], 0, "x")), InvalidHeaderError);
});

Deno.test("headers: malformed blocks throw ProtocolError", () => {
  const bad = [
    "",
    "HTTP/1.1 200 OK\r\n\r\n",
    "nats/1.0\r\n\r\n",
    "NATS/1.0 abc\r\n\r\n",
    "NATS/1.0 5030\r\n\r\n",
    "NATS/1.0 503x\r\n\r\n",
    "NATS/1.0\r\nno colon here\r\n\r\n",
    "NATS/1.0\r\n: empty key\r\n\r\n",
    "NATS/1.0\r\nA\rB: v\r\n\r\n",
    "NATS/1.0\r\nA: x\ry\r\n\r\n",
    "NATS/1.0 503 No\rResponders\r\n\r\n",
  ];
  for (const s of bad) {
    assert.throws(
      () => decodeHeaders(bytes(s)),
      ProtocolError,
      JSON.stringify(s),
    );
  }
});

Deno.test("headers: decoder tolerance", () => {
  // LF-only line ends, missing final empty line, bytes after the empty line.
  const h = decodeHeaders(bytes("NATS/1.0\nA: 1\nB: 2"));
  assert.deepEqual(entries(h), [["A", ["1"]], ["B", ["2"]]]);
  const g = decodeHeaders(bytes("NATS/1.0\r\nA: 1\r\n\r\nignored"));
  assert.deepEqual(entries(g), [["A", ["1"]]]);
  // Extra spaces around the status.
  const s = decodeHeaders(bytes("NATS/1.0  503   No Responders  \r\n\r\n"));
  assert.equal(s.code, 503);
  assert.equal(s.description, "No Responders");
  // Decoded keys are not re-validated (lenient on receive).
  const w = decodeHeaders(bytes("NATS/1.0\r\nOdd Key: v\r\n\r\n"));
  assert.equal(w.get("Odd Key"), "v");
});

Deno.test("headers: decodeHeaders result is mutable and re-encodes", () => {
  const d = decodeHeaders(bytes("NATS/1.0\r\nA: 1\r\n\r\n"));
  assert.ok(d instanceof MsgHdrsImpl);
  d.append("B", "2");
  assert.equal(text(encodeHeaders(d)), "NATS/1.0\r\nA: 1\r\nB: 2\r\n\r\n");
});

Deno.test("headers: cached bytes survive later encodes (shared buffer)", () => {
  const keep: [MsgHdrs, string][] = [];
  for (let i = 0; i < 2000; i++) {
    const h = headers();
    h.set("I", String(i).repeat(1 + (i % 7)));
    keep.push([h, text(encodeHeaders(h))]);
  }
  for (const [h, expected] of keep) {
    assert.equal(text(encodeHeaders(h)), expected);
  }
});

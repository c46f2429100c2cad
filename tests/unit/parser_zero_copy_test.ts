// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * Parser.zeroCopy: for a caller that never reuses its chunks, payloads and
 * header blocks over 512 bytes are views of the chunk; small ones are still
 * copies; frames split across chunks are still assembled in fresh buffers.
 */
import assert from "node:assert/strict";
import { Parser, type ParserHandler } from "../../src/protocol/parser.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

interface Got {
  subject: string;
  hdr: Uint8Array | null;
  data: Uint8Array;
}

function recorder(): { handler: ParserHandler; got: Got[] } {
  const got: Got[] = [];
  const handler: ParserHandler = {
    msg: (subject, _sid, _reply, hdr, data) => got.push({ subject, hdr, data }),
    info() {},
    ping() {},
    pong() {},
    ok() {},
    err() {},
  };
  return { handler, got };
}

Deno.test("parser zeroCopy: large payloads are views of the chunk, small ones copies", () => {
  const big = "x".repeat(600);
  const hdr = `NATS/1.0\r\nK: ${"v".repeat(600)}\r\n\r\n`;
  const chunk = enc.encode(
    `MSG big 1 ${big.length}\r\n${big}\r\nMSG small 1 5\r\nhello\r\n` +
      `HMSG h 2 ${hdr.length} ${hdr.length + 3}\r\n${hdr}abc\r\n`,
  );
  const { handler, got } = recorder();
  new Parser(handler, { zeroCopy: true }).parse(chunk);
  assert.equal(got.length, 3);
  assert.equal(dec.decode(got[0].data), big);
  assert.equal(got[0].data.buffer, chunk.buffer, "a 600-byte payload is a view of the chunk");
  assert.equal(dec.decode(got[1].data), "hello");
  assert.notEqual(got[1].data.buffer, chunk.buffer, "a 5-byte payload is copied");
  assert.equal(dec.decode(got[2].hdr!), hdr);
  assert.equal(got[2].hdr!.buffer, chunk.buffer, "a 600-byte header block is a view");
  assert.equal(dec.decode(got[2].data), "abc");
  // The copies do not change with the chunk; the views do (the caller promised not to).
  chunk.fill(0x2e);
  assert.equal(dec.decode(got[1].data), "hello");
  assert.equal(dec.decode(got[2].data), "abc");
});

Deno.test("parser zeroCopy: off by default, and a frame split across chunks is assembled", () => {
  const big = "y".repeat(2000);
  const whole = enc.encode(`MSG s 1 ${big.length}\r\n${big}\r\n`);
  const a = recorder();
  new Parser(a.handler).parse(whole);
  assert.notEqual(a.got[0].data.buffer, whole.buffer, "copied without zeroCopy");

  const b = recorder();
  const p = new Parser(b.handler, { zeroCopy: true });
  for (let i = 0; i < whole.length; i += 700) p.parse(whole.slice(i, i + 700));
  assert.equal(b.got.length, 1);
  assert.equal(dec.decode(b.got[0].data), big);

  // The flag can change between connections.
  const c = recorder();
  const q = new Parser(c.handler);
  q.zeroCopy = true;
  const again = enc.encode(`MSG s 1 ${big.length}\r\n${big}\r\n`);
  q.parse(again);
  assert.equal(c.got[0].data.buffer, again.buffer);
});

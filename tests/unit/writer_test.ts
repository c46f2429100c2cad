// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
import assert from "node:assert/strict";
import { Outbound } from "../../src/protocol/writer.ts";

const dec = new TextDecoder();
const enc = new TextEncoder();

function drain(o: Outbound): string {
  const b = o.take();
  if (b === null) return "";
  const s = dec.decode(b);
  o.release(b);
  return s;
}

Deno.test("Outbound.pub() frames PUB with and without reply", () => {
  const o = new Outbound();
  o.pub("a.b", "", null, enc.encode("hello"));
  o.pub("a.b", "_INBOX.x", null, new Uint8Array(0));
  assert.equal(drain(o), "PUB a.b 5\r\nhello\r\nPUB a.b _INBOX.x 0\r\n\r\n");
});

Deno.test("Outbound.pub() frames HPUB with header and total sizes", () => {
  const o = new Outbound();
  const hdr = enc.encode("NATS/1.0\r\nA: b\r\n\r\n");
  o.pub("s", "r", hdr, enc.encode("xyz"));
  assert.equal(
    drain(o),
    `HPUB s r ${hdr.length} ${hdr.length + 3}\r\nNATS/1.0\r\nA: b\r\n\r\nxyz\r\n`,
  );
});

Deno.test("Outbound.pub() writes multi-digit sizes and UTF-8 subjects by bytes", () => {
  const o = new Outbound();
  for (const n of [0, 9, 10, 99, 100, 12345, 1048576]) {
    o.pub("ü.subj", "", null, new Uint8Array(n));
    const b = o.take()!;
    const line = dec.decode(b.subarray(0, b.indexOf(10) + 1));
    assert.equal(line, `PUB ü.subj ${n}\r\n`);
    assert.equal(b.length, line.length + 1 + n + 2); // 'ü' is 2 bytes
    o.release(b);
  }
});

Deno.test("Outbound copies the payload: the caller may reuse its buffer at once", () => {
  const o = new Outbound();
  const p = enc.encode("0123456789".repeat(10));
  o.pub("s", "", null, p);
  p.fill(0);
  assert.match(drain(o), /^PUB s 100\r\n(0123456789){10}\r\n$/);
});

Deno.test("Outbound grows past its initial size and keeps every byte in order", () => {
  const o = new Outbound();
  const payload = new Uint8Array(1000).fill(120);
  for (let i = 0; i < 500; i++) o.pub(`s.${i}`, "", null, payload);
  // 500 KB: the first chunk grew past the initial 64 KiB; the rest follows in order.
  const chunks: Uint8Array[] = [];
  for (let c = o.take(); c !== null; c = o.take()) chunks.push(c);
  assert.ok(chunks[0].length > 64 * 1024);
  const s = chunks.map((c) => dec.decode(c)).join("");
  const frames = s.split("PUB ").slice(1);
  assert.equal(frames.length, 500);
  assert.equal(frames[499].slice(0, 9), "s.499 100");
});

Deno.test("Outbound.take() hands out queued chunks in order and reuses released ones", () => {
  const o = new Outbound();
  o.line("PING");
  const a = o.take()!;
  assert.equal(dec.decode(a), "PING\r\n");
  o.line("PONG");
  assert.equal(o.length, 6);
  const b = o.take()!;
  assert.equal(dec.decode(b), "PONG\r\n");
  assert.equal(o.take(), null);
  assert.equal(o.length, 0);
  o.release(a);
  o.release(b);
});

Deno.test("Outbound seals large backlogs into chunks instead of re-copying them", () => {
  const o = new Outbound();
  const payload = new Uint8Array(1024).fill(97);
  for (let i = 0; i < 2000; i++) o.pub("s", "", null, payload);
  const total = o.length;
  const chunks: Uint8Array[] = [];
  for (let c = o.take(); c !== null; c = o.take()) chunks.push(c);
  assert.ok(chunks.length > 1, "a 2 MB backlog is split into several chunks");
  assert.equal(chunks.reduce((n, c) => n + c.length, 0), total);
  const text = chunks.map((c) => dec.decode(c)).join("");
  assert.equal(text.split("PUB s 1024\r\n").length - 1, 2000);
  // No frame is split across chunks: each chunk starts with a PUB.
  for (const c of chunks) assert.equal(dec.decode(c.subarray(0, 4)), "PUB ");
});

Deno.test("Outbound.scratch() encodes strings by UTF-8 bytes", () => {
  const o = new Outbound();
  const v = o.scratch("héllo ✓");
  assert.equal(v.length, enc.encode("héllo ✓").length);
  o.pub("s", "", null, v);
  assert.equal(drain(o), `PUB s ${v.length}\r\nhéllo ✓\r\n`);
});

// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
import assert from "node:assert/strict";
import { Nuid, nuid } from "../../src/_nuid.ts";

const ID = /^[0-9A-Za-z]{22}$/;

Deno.test("nuid: 22 characters from [0-9A-Za-z]", () => {
  for (let i = 0; i < 10_000; i++) {
    const id = nuid.next();
    assert.equal(id.length, 22);
    assert.match(id, ID);
  }
});

Deno.test("nuid: 100k ids are unique", () => {
  const n = new Nuid();
  const seen = new Set<string>();
  for (let i = 0; i < 100_000; i++) seen.add(n.next());
  assert.equal(seen.size, 100_000);
});

Deno.test("nuid: consecutive ids differ, share the prefix", () => {
  const n = new Nuid();
  let prev = n.next();
  for (let i = 0; i < 1000; i++) {
    const id = n.next();
    assert.notEqual(id, prev);
    assert.equal(id.slice(0, 12), prev.slice(0, 12));
    prev = id;
  }
});

Deno.test("nuid: separate generators have different prefixes", () => {
  const a = new Nuid().next();
  const b = new Nuid().next();
  assert.notEqual(a.slice(0, 12), b.slice(0, 12));
});

Deno.test("nuid: prefix characters cover the alphabet", () => {
  const counts = new Map<string, number>();
  for (let i = 0; i < 2000; i++) {
    for (const c of new Nuid().next().slice(0, 12)) {
      counts.set(c, (counts.get(c) ?? 0) + 1);
    }
  }
  assert.equal(counts.size, 62);
});

// Reaches into private state to drive the sequence to its edges.
type Internals = { prefix: string; hi: number; lo: number; inc: number };
const HALF = 62 ** 5;

Deno.test("nuid: low half carries into the high half", () => {
  const n = new Nuid();
  const s = n as unknown as Internals;
  s.lo = HALF - 1;
  const before = s.hi;
  const id = n.next();
  assert.equal(s.hi, before + 1);
  assert.equal(s.lo, s.inc - 1);
  assert.match(id, ID);
});

Deno.test("nuid: sequence overflow re-randomizes the prefix", () => {
  const n = new Nuid();
  const s = n as unknown as Internals;
  const first = n.next();
  s.hi = HALF - 1;
  s.lo = HALF - 1;
  const last = n.next();
  assert.match(last, ID);
  assert.notEqual(last.slice(0, 12), first.slice(0, 12));
  assert.ok(s.hi < HALF && s.lo < HALF);
  // The generator keeps working after the reset.
  const after = n.next();
  assert.match(after, ID);
  assert.equal(after.slice(0, 12), last.slice(0, 12));
  assert.notEqual(after, last);
});

Deno.test("nuid: sequence digits encode the counter (base 62, big-endian)", () => {
  const n = new Nuid();
  const s = n as unknown as Internals;
  s.hi = 0;
  s.lo = 0;
  (n as unknown as { hiStr: string }).hiStr = "00000";
  s.inc = 61;
  assert.equal(n.next().slice(12), "000000000z");
  s.inc = 1;
  assert.equal(n.next().slice(12), "0000000010");
  s.lo = HALF - 1;
  assert.equal(n.next().slice(12), "0000100000");
});

// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
import assert from "node:assert/strict";
import {
  validatePublishSubject,
  validateQueueName,
  validateSubscribeSubject,
} from "../../src/_subject.ts";
import { InvalidSubjectError } from "../../src/errors.ts";

function rejects(fn: () => void, subject: unknown, reason: RegExp): void {
  assert.throws(
    fn,
    (err: unknown) => {
      assert.ok(err instanceof InvalidSubjectError, String(err));
      assert.ok(err instanceof TypeError);
      assert.equal(err.code, "INVALID_SUBJECT");
      assert.equal(err.subject, String(subject));
      assert.match(err.message, reason);
      return true;
    },
    JSON.stringify(subject),
  );
}

const invalidForBoth: [string, RegExp][] = [
  ["", /is empty/],
  [" ", /space/],
  ["a b", /space at index 1/],
  ["a\tb", /tab at index 1/],
  ["a\r\nb", /CR at index 1/],
  ["a\nb", /LF at index 1/],
  ["a\x00b", /U\+0000/],
  ["a\x1fb", /U\+001F/],
  ["a\x7fb", /U\+007F/],
  ["a..b", /empty token \('\.\.' at index 1\)/],
  [".a", /empty token \(a leading '\.'\)/],
  ["a.", /empty token \(a trailing '\.'\)/],
  [".", /empty token/],
  ["foo*", /'\*' inside a token/],
  ["*foo", /'\*' inside a token/],
  ["a>", /'>' inside a token/],
  ["a>b", /'>' inside a token/],
  ["a.b>.c", /'>' inside a token/],
  ["a.**", /'\*' inside a token/],
];

const validForBoth = [
  "a",
  "a.b.c",
  "ü.b",
  "日本.語",
  "_INBOX.x.y",
  "$JS.API.INFO",
  "a-b_c.d~e",
  "1.2.3",
  "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p",
];

Deno.test("subject: publish rejects every invalid form", () => {
  for (const [s, reason] of invalidForBoth) {
    rejects(() => validatePublishSubject(s), s, reason);
  }
  for (const s of ["*", ">", "a.*", "a.>", "*.a", "a.*.b", "a.b.>"]) {
    rejects(
      () => validatePublishSubject(s),
      s,
      /wildcard token '[*>]' \(publish subjects must be literal\)/,
    );
  }
});

Deno.test("subject: publish accepts literal subjects", () => {
  for (const s of validForBoth) validatePublishSubject(s);
});

Deno.test("subject: publish error names 'what'", () => {
  rejects(
    () => validatePublishSubject("a b", "reply subject"),
    "a b",
    /^invalid subject "a b": reply subject contains a space/,
  );
  rejects(
    () => validatePublishSubject("", "reply subject"),
    "",
    /reply subject is empty/,
  );
  rejects(
    () => validatePublishSubject("a.>"),
    "a.>",
    /^invalid subject "a.>": subject /,
  );
});

Deno.test("subject: non-strings are rejected", () => {
  for (const v of [undefined, null, 42, {}]) {
    rejects(
      () => validatePublishSubject(v as unknown as string),
      v,
      /must be a string/,
    );
    rejects(
      () => validateSubscribeSubject(v as unknown as string),
      v,
      /must be a string/,
    );
    rejects(
      () => validateQueueName(v as unknown as string),
      v,
      /must be a string/,
    );
  }
});

Deno.test("subject: subscribe rejects every invalid form", () => {
  for (const [s, reason] of invalidForBoth) {
    rejects(() => validateSubscribeSubject(s), s, reason);
  }
  for (const s of ["a.>.b", ">.a", ">.>", "a.>.>"]) {
    rejects(() => validateSubscribeSubject(s), s, /'>' before its last token/);
  }
});

Deno.test("subject: subscribe accepts literals and whole-token wildcards", () => {
  for (const s of validForBoth) validateSubscribeSubject(s);
  for (
    const s of [
      "*",
      ">",
      "a.*",
      "a.>",
      "*.a",
      "a.*.c",
      "*.*.*",
      "*.>",
      "a.*.>",
      "_INBOX.abc.*",
      "$JS.API.>",
    ]
  ) {
    validateSubscribeSubject(s);
  }
});

Deno.test("subject: queue names", () => {
  for (const q of ["q", "workers", "group-1", "a_b", "ü", "Q$1"]) {
    validateQueueName(q);
  }
  const bad: [string, RegExp][] = [
    ["", /queue name is empty/],
    [" ", /queue name contains a space/],
    ["a b", /space at index 1/],
    ["a\tb", /tab/],
    ["a\r\nb", /CR/],
    ["a\nb", /LF/],
    ["a\x7f", /U\+007F/],
    ["a.b", /queue name contains '\.'/],
    ["*", /queue name contains '\*'/],
    [">", /queue name contains '>'/],
    ["q*", /'\*'/],
  ];
  for (const [q, reason] of bad) {
    rejects(() => validateQueueName(q), q, reason);
  }
});

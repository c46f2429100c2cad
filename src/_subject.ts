// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * Subject and queue-name validation. Publish validation runs on every
 * publish, so each check is a single `charCodeAt` pass with no allocation;
 * the reason text is only built on the throwing path.
 *
 * @module
 */
import { InvalidSubjectError } from "./errors.ts";

const DOT = 0x2e;
const STAR = 0x2a;
const GT = 0x3e;
const DEL = 0x7f;

/** Names a forbidden character for an error message. */
function describeChar(c: number): string {
  switch (c) {
    case 0x20:
      return "a space";
    case 0x09:
      return "a tab";
    case 0x0d:
      return "a CR";
    case 0x0a:
      return "an LF";
    default:
      return `control character U+${c.toString(16).toUpperCase().padStart(4, "0")}`;
  }
}

function notAString(subject: unknown, what: string): InvalidSubjectError {
  return new InvalidSubjectError(
    String(subject),
    `${what} must be a string, got ${subject === null ? "null" : typeof subject}`,
  );
}

function badChar(
  subject: string,
  what: string,
  c: number,
  i: number,
): InvalidSubjectError {
  return new InvalidSubjectError(
    subject,
    `${what} contains ${
      describeChar(c)
    } at index ${i} (whitespace and control characters are not allowed)`,
  );
}

function emptyToken(
  subject: string,
  what: string,
  i: number,
): InvalidSubjectError {
  const where = i === 0
    ? "a leading '.'"
    : i === subject.length
    ? "a trailing '.'"
    : `'..' at index ${i - 1}`;
  return new InvalidSubjectError(
    subject,
    `${what} has an empty token (${where})`,
  );
}

/**
 * Shared scanner. `wildcards` false: publish rules (no `*` or `>` at all).
 * `wildcards` true: subscribe rules (`*` as a whole token anywhere, `>` as
 * a whole token only at the end).
 */
function scan(subject: string, what: string, wildcards: boolean): void {
  if (typeof subject !== "string") throw notAString(subject, what);
  const n = subject.length;
  if (n === 0) throw new InvalidSubjectError(subject, `${what} is empty`);
  let tokenStart = 0;
  for (let i = 0; i < n; i++) {
    const c = subject.charCodeAt(i);
    if (c > GT) {
      // Letters, '_', '$', UTF-8 and the rest of the common case.
      if (c === DEL) throw badChar(subject, what, c, i);
    } else if (c === DOT) {
      if (i === tokenStart) throw emptyToken(subject, what, i);
      tokenStart = i + 1;
    } else if (c <= 0x20) {
      throw badChar(subject, what, c, i);
    } else if (c === STAR || c === GT) {
      const ch = c === STAR ? "*" : ">";
      const whole = i === tokenStart &&
        (i + 1 === n || subject.charCodeAt(i + 1) === DOT);
      if (!whole) {
        throw new InvalidSubjectError(
          subject,
          `${what} has '${ch}' inside a token at index ${i} (a wildcard must be a whole token)`,
        );
      }
      if (!wildcards) {
        throw new InvalidSubjectError(
          subject,
          `${what} contains the wildcard token '${ch}' (publish subjects must be literal)`,
        );
      }
      if (c === GT && i + 1 !== n) {
        throw new InvalidSubjectError(
          subject,
          `${what} has '>' before its last token (the full wildcard must be the last token)`,
        );
      }
    }
  }
  if (tokenStart === n) throw emptyToken(subject, what, n);
}

/**
 * Checks a subject (or reply subject) used to publish: non-empty, no
 * whitespace or control characters, no empty tokens, and no wildcards
 * (neither a `*`/`>` token nor `*`/`>` inside a token).
 *
 * @param subject the subject to check
 * @param what how to name it in the error, such as `"reply subject"`
 * @throws {InvalidSubjectError} when the subject is malformed
 */
export function validatePublishSubject(
  subject: string,
  what = "subject",
): void {
  scan(subject, what, false);
}

/**
 * Checks a subject used to subscribe: the publish rules, except that `*` may
 * be any whole token and `>` may be the whole last token.
 *
 * @param subject the subject to check
 * @throws {InvalidSubjectError} when the subject is malformed
 */
export function validateSubscribeSubject(subject: string): void {
  scan(subject, "subject", true);
}

/**
 * Checks a queue group name: non-empty, no whitespace or control characters,
 * and none of `.`, `*`, `>`.
 *
 * @param queue the queue group name to check
 * @throws {InvalidSubjectError} when the name is malformed
 */
export function validateQueueName(queue: string): void {
  const what = "queue name";
  if (typeof queue !== "string") throw notAString(queue, what);
  const n = queue.length;
  if (n === 0) throw new InvalidSubjectError(queue, `${what} is empty`);
  for (let i = 0; i < n; i++) {
    const c = queue.charCodeAt(i);
    if (c > GT) {
      if (c === DEL) throw badChar(queue, what, c, i);
    } else if (c <= 0x20) {
      throw badChar(queue, what, c, i);
    } else if (c === DOT || c === STAR || c === GT) {
      throw new InvalidSubjectError(
        queue,
        `${what} contains '${
          String.fromCharCode(c)
        }' at index ${i} ('.', '*' and '>' are not allowed)`,
      );
    }
  }
}

// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * A server URL that cannot be parsed throws a typed error whose message,
 * cause chain and inspection never contain the password or token it
 * carried. RELIABILITY.md §3 (bad URLs) and §5 tests 28 and 38.
 */
import assert from "node:assert/strict";
import { connect } from "../../mod.ts";
import { dump } from "./_util.ts";

const SECRET = "urlpw-K7s1-never-print-me";

const BAD_URLS = [
  `nats://bob:${SECRET}@127.0.0.1:notaport`,
  `nats://bob:${SECRET}@127.0.0.1:70000`,
  `nats://${SECRET}@127.0.0.1:abc`,
  `http://bob:${SECRET}@127.0.0.1:4222`,
  `nats://bob:${SECRET}@[::1:4222`,
  `nats://bob:${SECRET}@`,
];

Deno.test("bad server URLs with credentials: each throws a typed error, and no message, cause or inspection shows the secret", async () => {
  const problems: string[] = [];
  for (const url of BAD_URLS) {
    const shown = url.replace(SECRET, "***");
    let err: unknown;
    try {
      await connect({ servers: url });
    } catch (e) {
      err = e;
    }
    if (!(err instanceof TypeError)) {
      problems.push(`${shown}: threw ${err}`);
      continue;
    }
    const text = dump(err);
    const i = text.indexOf(SECRET);
    if (i !== -1) {
      problems.push(
        `${shown}: secret in ${JSON.stringify(text.slice(Math.max(0, i - 80), i + 30))}`,
      );
    }
  }
  assert.deepEqual(problems, []);
});

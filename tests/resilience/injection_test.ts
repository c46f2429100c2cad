// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * Subject and header injection: CR, LF, space and tab (and the other
 * malformed forms) in subjects, replies, queue names, header names and
 * values throw typed errors synchronously, and not one byte of them reaches
 * the wire. Proven three ways: the server's protocol trace (`-DV`), a
 * catch-all subscriber, and `/varz` in_msgs. RELIABILITY.md §3, §5 tests 26-27.
 */
import assert from "node:assert/strict";
import {
  connect,
  ErrorCode,
  headers,
  InvalidHeaderError,
  InvalidSubjectError,
  type Msg,
  type MsgHdrs,
} from "../../mod.ts";
import { NatsServer } from "../_helpers/nats_server.ts";
import { waitFor } from "./_util.ts";

const INJECTED = "foo 6\r\npwntus\r\nPUB bar";

/** Bad publish subjects (and replies). */
const BAD_PUBLISH_SUBJECTS = [
  INJECTED,
  "a b",
  "a\tb",
  "a\rb",
  "a\nb",
  "a\r\nPUB pwntus.crlf 1\r\nx",
  "",
  " ",
  "a..b",
  ".a",
  "a.",
  "a.*",
  "a.>",
  "*",
  ">",
];

/** Bad subscribe subjects (wildcards are fine there). */
const BAD_SUB_SUBJECTS = [
  INJECTED,
  "a b",
  "a\tb",
  "a\rb",
  "a\nb",
  "a\r\nPUB pwntus.sub 1\r\nx",
  "",
  "a..b",
  ".a",
  "a.",
];

const BAD_QUEUES = ["q 1", "q\tx", "q\rx", "q\nx", "q\r\nPUB pwntus.queue 1\r\nx"];

const BAD_HEADER_KEYS = [
  "X Bad",
  "X:Bad",
  "X\tBad",
  "X\r\nInjected",
  "X\nInjected",
  "",
  "Bäd",
  "X\u007f",
];

const BAD_HEADER_VALUES = ["x\r\nInjected: y", "x\ny", "x\ry", "\r\n\r\nPUB pwntus.hdr 1\r\nx"];

/** A MsgHdrs from "elsewhere" (not ours), holding what our setters would refuse. */
function foreignHeaders(entries: [string, string[]][]): MsgHdrs {
  const h = headers();
  return {
    hasError: false,
    status: "",
    code: 0,
    description: "",
    get: h.get.bind(h),
    set: h.set.bind(h),
    append: h.append.bind(h),
    has: h.has.bind(h),
    keys: () => entries.map(([k]) => k),
    values: (k: string) => entries.find(([x]) => x === k)?.[1] ?? [],
    delete: h.delete.bind(h),
    last: h.last.bind(h),
    [Symbol.iterator]: () => entries[Symbol.iterator](),
  };
}

function isInvalidSubject(e: unknown): boolean {
  return e instanceof InvalidSubjectError && e.code === ErrorCode.InvalidSubject;
}

function isInvalidHeader(e: unknown): boolean {
  return e instanceof InvalidHeaderError && e.code === ErrorCode.InvalidHeader;
}

Deno.test("injection table: every malformed subject, reply, queue, header name and value throws a typed error and nothing reaches the wire (server trace, catch-all subscriber, varz)", async () => {
  await using server = await NatsServer.start({ trace: true });
  const spy = await connect({ servers: server.url });
  const seen: Msg[] = [];
  spy.subscribe(">", { callback: (_e, m) => seen.push(m) });
  await spy.flush();
  const out: string[] = [];
  const nc = await connect({
    servers: server.url,
    debug: (e) => {
      if (e.direction === "out") out.push(e.line);
    },
  });
  try {
    const cid = nc.info!.client_id!;
    await nc.flush();
    const inMsgs0 = Number((await server.varz()).in_msgs);
    const outLines0 = out.length;
    let cases = 0;
    const sync = (what: string, fn: () => unknown, pred: (e: unknown) => boolean) => {
      cases++;
      assert.throws(fn, (e: unknown) => {
        assert.ok(pred(e), `${what}: threw ${e}`);
        return true;
      }, what);
    };

    for (const s of BAD_PUBLISH_SUBJECTS) {
      sync(`publish ${JSON.stringify(s)}`, () => nc.publish(s, "x"), isInvalidSubject);
      sync(
        `publish reply ${JSON.stringify(s)}`,
        () => nc.publish("ok.subject", "x", { reply: s === "" ? " " : s }),
        isInvalidSubject,
      );
      cases++;
      await assert.rejects(
        () => nc.request(s, "x", { timeout: 1_000 }),
        isInvalidSubject,
        `request ${JSON.stringify(s)}`,
      );
      cases++;
      await assert.rejects(
        () => nc.request(s, "x", { timeout: 1_000, noMux: true }),
        isInvalidSubject,
        `noMux request ${JSON.stringify(s)}`,
      );
    }
    for (const s of BAD_SUB_SUBJECTS) {
      sync(`subscribe ${JSON.stringify(s)}`, () => nc.subscribe(s), isInvalidSubject);
    }
    for (const q of BAD_QUEUES) {
      sync(
        `queue ${JSON.stringify(q)}`,
        () => nc.subscribe("ok.q", { queue: q }),
        isInvalidSubject,
      );
    }
    for (const k of BAD_HEADER_KEYS) {
      sync(`header key ${JSON.stringify(k)}`, () => headers().set(k, "v"), isInvalidHeader);
      sync(
        `header key ${JSON.stringify(k)} (append)`,
        () => headers().append(k, "v"),
        isInvalidHeader,
      );
      sync(
        `foreign header key ${JSON.stringify(k)}`,
        () => nc.publish("ok.h", "x", { headers: foreignHeaders([[k, ["v"]]]) }),
        isInvalidHeader,
      );
    }
    for (const v of BAD_HEADER_VALUES) {
      sync(`header value ${JSON.stringify(v)}`, () => headers().set("X-Ok", v), isInvalidHeader);
      sync(
        `header value ${JSON.stringify(v)} (append)`,
        () => headers().append("X-Ok", v),
        isInvalidHeader,
      );
      sync(
        `foreign header value ${JSON.stringify(v)}`,
        () => nc.publish("ok.h", "x", { headers: foreignHeaders([["X-Ok", [v]]]) }),
        isInvalidHeader,
      );
      sync(`status description ${JSON.stringify(v)}`, () => headers(503, v), isInvalidHeader);
    }

    // Nothing was handed to the trace hook either.
    assert.deepEqual(out.slice(outLines0), [], "the client traced an outbound line");
    // The connection is fine; the sentinel is the only message after the table.
    nc.publish("inj.done", "done");
    await nc.flush();
    await waitFor(() => seen.some((m) => m.subject === "inj.done"), "the sentinel at the spy");
    await spy.flush();
    assert.deepEqual(
      seen.map((m) => m.subject),
      ["inj.done"],
      "something else reached a subscriber",
    );
    const inMsgs1 = Number((await server.varz()).in_msgs);
    assert.equal(inMsgs1 - inMsgs0, 1, "the server received more than the sentinel");

    // The server's own trace of this connection: only handshake, pings and the sentinel.
    const log = await server.logs();
    const mine = log.split("\n").filter((l) =>
      l.includes(` - cid:${cid} - `) && l.includes("<<- ")
    );
    const ops = mine.map((l) => l.slice(l.indexOf("<<- ") + 4));
    assert.ok(ops.some((o) => o.startsWith("[PUB inj.done")), `trace lacks the sentinel: ${ops}`);
    for (const op of ops) {
      assert.ok(
        /^\[(CONNECT |PING\]|PONG\]|PUB inj\.done 4\])/.test(op) || op === 'MSG_PAYLOAD: ["done"]',
        `unexpected traced input from the client: ${op}`,
      );
    }
    for (const marker of ["pwntus", "Injected", "ok.q", "ok.h", "ok.subject"]) {
      assert.ok(!log.includes(marker), `the server log mentions ${marker}`);
    }
    assert.ok(cases > 100, `${cases} cases`);
    assert.equal(nc.isClosed(), false);
  } finally {
    await nc.close();
    await spy.close();
  }
});

// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * Typed JSON subscriptions without a server: a fake connection hands
 * messages to real subscription objects, so every validation path (plain
 * functions, a hand-made Standard Schema object, sync and async validators)
 * and the error channel are checked deterministically.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  decodeJson,
  InvalidMessageError,
  type JsonMsg,
  publishJson,
  type StandardSchemaV1,
  type StandardSchemaV1Issue,
  subscribeJson,
  ValidationFailure,
} from "../../src/json.ts";
import { MsgImpl } from "../../src/msg.ts";
import { type SubscriptionHost, SubscriptionImpl } from "../../src/subscription.ts";
import type { Msg, Payload, PublishOptions, SubscriptionOptions } from "../../src/types.ts";

const te = new TextEncoder();

/** Just enough of a connection: subscribe, publish, and a way to deliver. */
class FakeConn {
  subs: SubscriptionImpl[] = [];
  published: { subject: string; payload?: Payload; opts?: PublishOptions }[] = [];
  errors: unknown[] = [];
  #sid = 0;
  #host: SubscriptionHost = {
    unsub: () => {},
    forget: () => {},
    flush: () => Promise.resolve(),
    callbackError: (_s, err) => this.errors.push(err),
    slowConsumer: () => {},
  };

  subscribe = (subject: string, opts: SubscriptionOptions = {}): SubscriptionImpl => {
    const sub = new SubscriptionImpl(this.#host, ++this.#sid, subject, opts);
    this.subs.push(sub);
    return sub;
  };

  publish = (subject: string, payload?: Payload, opts?: PublishOptions): void => {
    this.published.push({ subject, payload, opts });
  };

  /** Delivers a raw payload to the latest subscription. */
  send(payload: string | Uint8Array, subject = "t.x"): void {
    const sub = this.subs.at(-1)!;
    sub.received++;
    const data = typeof payload === "string" ? te.encode(payload) : payload;
    sub.deliver(new MsgImpl(this, subject, sub.sid, "", null, data));
  }

  json(value: unknown, subject = "t.x"): void {
    this.send(JSON.stringify(value), subject);
  }
}

function msgOf(payload: string | Uint8Array, subject = "t.x"): Msg {
  const data = typeof payload === "string" ? te.encode(payload) : payload;
  return new MsgImpl(new FakeConn(), subject, 1, "", null, data);
}

/** Collects a callback-style subscription's values and reports. */
function collector<T>() {
  const values: JsonMsg<T>[] = [];
  const invalid: InvalidMessageError[] = [];
  return {
    values,
    invalid,
    callback: (m: JsonMsg<T>) => {
      values.push(m);
    },
    onInvalid: (e: InvalidMessageError) => {
      invalid.push(e);
    },
  };
}

interface Point {
  x: number;
  y: number;
}

/** A plain-function validator that throws on a bad value. */
function pointOrThrow(v: unknown): Point {
  const p = v as Point;
  if (typeof p !== "object" || p === null || typeof p.x !== "number" || typeof p.y !== "number") {
    throw new Error("expected { x: number, y: number }");
  }
  return { x: p.x, y: p.y };
}

/** A hand-made Standard Schema v1 object (what zod/valibot/arktype expose). */
function pointSchema(
  mode: "sync" | "async" = "sync",
): StandardSchemaV1<unknown, Point> & { calls: number } {
  const issuesOf = (v: unknown): StandardSchemaV1Issue[] => {
    const issues: StandardSchemaV1Issue[] = [];
    if (typeof v !== "object" || v === null) return [{ message: "expected an object" }];
    for (const k of ["x", "y"] as const) {
      if (typeof (v as Record<string, unknown>)[k] !== "number") {
        issues.push({ message: "expected a number", path: [k] });
      }
    }
    return issues;
  };
  const schema = {
    calls: 0,
    "~standard": {
      version: 1 as const,
      vendor: "hand-made",
      validate(v: unknown) {
        schema.calls++;
        const issues = issuesOf(v);
        const r = issues.length > 0
          ? { issues }
          : { value: { x: (v as Point).x, y: (v as Point).y } };
        return mode === "sync" ? r : Promise.resolve(r);
      },
    },
  };
  return schema;
}

type IsExact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
function assertType<_T extends true>(): void {}

Deno.test("json: a plain-function validator types the values and reports bad JSON, throws and returned failures without ending the subscription", () => {
  const nc = new FakeConn();
  const c = collector<Point>();
  const sub = subscribeJson(nc, "t.*", {
    validate: (v) => {
      if ((v as { reject?: boolean })?.reject) {
        return new ValidationFailure("rejected on purpose", ["reject"]);
      }
      return pointOrThrow(v);
    },
    callback: c.callback,
    onInvalid: c.onInvalid,
  });
  assertType<IsExact<typeof sub, ReturnType<typeof subscribeJson<Point>>>>();

  nc.json({ x: 1, y: 2, extra: true });
  nc.send("{ not json");
  nc.json({ x: "1", y: 2 });
  nc.json({ reject: true });
  nc.send("");
  nc.send(new Uint8Array([0xff, 0xfe, 0x7b]));
  nc.json({ x: 3, y: 4 });

  assert.deepEqual(c.values.map((m) => m.value), [{ x: 1, y: 2 }, { x: 3, y: 4 }]);
  assert.equal(c.values[0].msg.subject, "t.x");
  assert.deepEqual(c.invalid.map((e) => e.reason), [
    "json",
    "validator",
    "schema",
    "json",
    "json",
  ]);
  const [bad, threw, failed, empty, utf8] = c.invalid;
  assert.ok(bad instanceof InvalidMessageError);
  assert.equal(bad.code, "INVALID_MESSAGE");
  assert.equal(bad.subject, "t.x");
  assert.match(bad.issues[0].message, /payload is not JSON/);
  assert.ok(bad.cause instanceof SyntaxError);
  assert.equal(bad.msg.string(), "{ not json");
  assert.equal(threw.issues[0].message, "expected { x: number, y: number }");
  assert.ok(threw.cause instanceof Error);
  assert.deepEqual(failed.issues, [{ message: "rejected on purpose", path: ["reject"] }]);
  assert.equal(failed.message, 'schema error in message on "t.x": reject: rejected on purpose');
  assert.equal(empty.issues[0].message, "empty payload is not JSON");
  assert.equal(utf8.issues[0].message, "payload is not valid UTF-8");
  assert.equal(sub.getValid(), 2);
  assert.equal(sub.getInvalid(), 5);
  assert.equal(sub.isClosed(), false);
  assert.equal(nc.errors.length, 0);
  sub.unsubscribe();
  assert.equal(sub.isClosed(), true);
});

Deno.test("json: a thrown ValidationFailure is a schema failure; other throws are validator errors with the cause; the payload never appears in the text", () => {
  const nc = new FakeConn();
  const c = collector<string>();
  const secret = "s3cr3t-token";
  subscribeJson<string>(nc, "t.x", {
    validate: (v) => {
      if (v === "a") throw new ValidationFailure({ message: "not a", path: [{ key: "root" }] });
      if (v === "b") throw new RangeError("b is out of range");
      // deno-lint-ignore no-throw-literal
      if (v === "c") throw "a string";
      return String(v);
    },
    callback: c.callback,
    onInvalid: c.onInvalid,
  });
  nc.json("a");
  nc.json("b");
  nc.json("c");
  nc.send(`{"token":"${secret}"`);
  assert.deepEqual(c.invalid.map((e) => [e.reason, e.issues[0].message]), [
    ["schema", "not a"],
    ["validator", "b is out of range"],
    ["validator", "a string"],
    ["json", c.invalid[3].issues[0].message],
  ]);
  assert.equal(c.invalid[0].message, 'schema error in message on "t.x": root: not a');
  assert.ok(c.invalid[1].cause instanceof RangeError);
  for (const e of c.invalid) assert.ok(!e.message.includes(secret), e.message);
  nc.subs[0].unsubscribe();
});

Deno.test("json: a sync Standard Schema object validates, transforms, reports issues with paths, and infers the value type", async () => {
  const nc = new FakeConn();
  const schema = pointSchema("sync");
  const sub = subscribeJson(nc, "t.x", { validate: schema });
  nc.json({ x: 1, y: 2, z: 3 });
  nc.json({ x: "no" });
  nc.json([1, 2]);
  nc.json({ x: 5, y: 6 });
  sub.unsubscribe(); // iterator style: queued messages are dropped on unsubscribe...
  assert.equal(sub.isClosed(), true);

  const nc2 = new FakeConn();
  const sub2 = subscribeJson(nc2, "t.x", { validate: schema, max: 4 });
  nc2.json({ x: 1, y: 2, z: 3 });
  nc2.json({ x: "no" });
  nc2.json([1, 2]);
  nc2.json({ x: 5, y: 6 });
  nc2.subs[0].close(undefined, true); // ...but kept when the sub ends by max (as the connection does)
  const got: Point[] = [];
  for await (const m of sub2) {
    assertType<IsExact<typeof m.value, Point>>();
    got.push(m.value);
  }
  assert.deepEqual(got, [{ x: 1, y: 2 }, { x: 5, y: 6 }]);
  const reports: InvalidMessageError[] = [];
  for await (const e of sub2.invalid) reports.push(e);
  assert.equal(reports.length, 2);
  assert.deepEqual(reports.map((e) => e.reason), ["schema", "schema"]);
  assert.deepEqual(reports[0].issues, [{ message: "expected a number", path: ["x"] }, {
    message: "expected a number",
    path: ["y"],
  }]);
  assert.equal(
    reports[0].message,
    'schema error in message on "t.x": x: expected a number; y: expected a number',
  );
  assert.equal(sub2.getValid(), 2);
  assert.equal(sub2.getInvalid(), 2);
  assert.equal(await sub2.closed, undefined);
});

Deno.test("json: an async Standard Schema validator overlaps validations but keeps message order in callback style, even when they finish out of order", async () => {
  const nc = new FakeConn();
  // Each validation waits for its own gate; gates open in reverse order.
  const gates: (() => void)[] = [];
  const schema: StandardSchemaV1<unknown, number> = {
    "~standard": {
      version: 1,
      vendor: "gated",
      validate: (v) =>
        new Promise((resolve) => {
          gates.push(() =>
            resolve(
              typeof v === "number" ? { value: v * 10 } : { issues: [{ message: "not a number" }] },
            )
          );
        }),
    },
  };
  const c = collector<number>();
  const sub = subscribeJson(nc, "t.x", {
    validate: schema,
    callback: c.callback,
    onInvalid: c.onInvalid,
  });
  nc.json(1);
  nc.json("two");
  nc.json(3);
  nc.send("nope"); // bad JSON is known at once, but is still reported in order
  nc.json(5);
  // Validations overlap: all four started; nothing is delivered yet.
  assert.equal(gates.length, 4);
  assert.equal(c.values.length + c.invalid.length, 0);
  // Finish them last to first; deliveries still follow message order.
  for (let i = gates.length - 1; i >= 0; i--) gates[i]();
  await sub.drain();
  assert.deepEqual(c.values.map((m) => m.value), [10, 30, 50]);
  assert.deepEqual(c.invalid.map((e) => e.reason), ["schema", "json"]);
  assert.equal(c.invalid[0].msg.string(), '"two"');
  assert.equal(await sub.closed, undefined);
});

Deno.test("json: async validators (Standard Schema and plain function) in iterator style; a rejecting validator is a validator error", async () => {
  const nc = new FakeConn();
  const sub = subscribeJson(nc, "t.x", { validate: pointSchema("async") });
  nc.json({ x: 1, y: 1 });
  nc.json({ x: 1 });
  nc.json({ x: 2, y: 2 });
  nc.subs[0].close(undefined, true);
  const got: Point[] = [];
  for await (const m of sub) got.push(m.value);
  assert.deepEqual(got, [{ x: 1, y: 1 }, { x: 2, y: 2 }]);
  assert.equal(sub.getInvalid(), 1);

  const nc2 = new FakeConn();
  const c = collector<Point>();
  const sub2 = subscribeJson(nc2, "t.x", {
    validate: async (v, msg) => {
      await Promise.resolve();
      if (msg.subject === "t.reject") throw new Error(`no values from ${msg.subject}`);
      if (msg.subject === "t.fail") return new ValidationFailure("failed");
      return pointOrThrow(v);
    },
    callback: c.callback,
    onInvalid: c.onInvalid,
  });
  nc2.json({ x: 1, y: 2 }, "t.reject");
  nc2.json({ x: 1, y: 2 }, "t.fail");
  nc2.json({ x: 1 }, "t.ok");
  nc2.json({ x: 7, y: 8 }, "t.ok");
  await sub2.drain();
  assert.deepEqual(c.values.map((m) => m.value), [{ x: 7, y: 8 }]);
  assert.deepEqual(c.invalid.map((e) => [e.reason, e.issues[0].message]), [
    ["validator", "no values from t.reject"],
    ["schema", "failed"],
    ["validator", "expected { x: number, y: number }"],
  ]);
});

Deno.test("json: drain() of a callback subscription resolves only after the async validations in flight are delivered", async () => {
  const nc = new FakeConn();
  const c = collector<number>();
  const sub = subscribeJson<number>(nc, "t.x", {
    validate: async (v) => {
      await new Promise((r) => setTimeout(r, 1));
      return v as number;
    },
    callback: c.callback,
  });
  for (let i = 0; i < 5; i++) nc.json(i);
  assert.equal(c.values.length, 0);
  await sub.drain();
  assert.deepEqual(c.values.map((m) => m.value), [0, 1, 2, 3, 4]);
  const reports: InvalidMessageError[] = [];
  for await (const e of sub.invalid) reports.push(e);
  assert.equal(reports.length, 0);
});

Deno.test("json: a callable Standard Schema (arktype style) is used through ~standard, not called", () => {
  const nc = new FakeConn();
  let called = 0;
  const callable = Object.assign(
    (_v: unknown) => {
      called++;
      return "called";
    },
    {
      "~standard": {
        version: 1 as const,
        vendor: "callable",
        validate: (v: unknown) =>
          typeof v === "string" ? { value: v.toUpperCase() } : { issues: [{ message: "string" }] },
      },
    },
  );
  const c = collector<string>();
  subscribeJson(nc, "t.x", { validate: callable, callback: c.callback, onInvalid: c.onInvalid });
  nc.json("abc");
  nc.json(1);
  assert.equal(called, 0);
  assert.deepEqual(c.values.map((m) => m.value), ["ABC"]);
  assert.equal(c.invalid[0].reason, "schema");
  nc.subs[0].unsubscribe();
});

Deno.test("json: Standard Schema edge cases — a throwing or rejecting validate, a result that is not an object, issues that are not an array", async () => {
  const nc = new FakeConn();
  const c = collector<unknown>();
  let mode = "";
  const sub = subscribeJson(nc, "t.x", {
    validate: {
      "~standard": {
        version: 1,
        vendor: "odd",
        validate: (v: unknown) => {
          mode = String(v);
          if (mode === "throw") throw new TypeError("boom");
          if (mode === "reject") return Promise.reject(new Error("async boom"));
          if (mode === "null") return null as never;
          if (mode === "weird") return { issues: "bad" } as never;
          if (mode === "empty") return { issues: [] };
          return { value: v };
        },
      },
    },
    callback: c.callback,
    onInvalid: c.onInvalid,
  });
  for (const m of ["throw", "reject", "null", "weird", "empty", "fine"]) nc.json(m);
  await sub.drain();
  assert.deepEqual(c.invalid.map((e) => [e.reason, e.issues[0]?.message]), [
    ["validator", "boom"],
    ["validator", "async boom"],
    ["validator", "the Standard Schema validator returned no result object"],
    ["schema", "bad"],
    ["schema", undefined],
  ]);
  assert.equal(c.invalid[4].message, 'schema error in message on "t.x": rejected');
  assert.deepEqual(c.values.map((m) => m.value), ["fine"]);
});

Deno.test("json: bad options are TypeErrors at subscribe time", () => {
  const nc = new FakeConn();
  assert.throws(
    () => subscribeJson(nc, "t.x", { validate: { "~standard": { version: 2 } } as never }),
    /unsupported Standard Schema version 2/,
  );
  assert.throws(
    () => subscribeJson(nc, "t.x", { validate: { "~standard": { version: 1 } } as never }),
    /no ~standard.validate function/,
  );
  assert.throws(() => subscribeJson(nc, "t.x", { validate: 42 as never }), /validate must be/);
  assert.throws(() => subscribeJson(nc, "t.x", { callback: 1 as never }), /callback must be/);
  assert.throws(() => subscribeJson(nc, "t.x", { onInvalid: 1 as never }), /onInvalid must be/);
  assert.throws(() => subscribeJson(nc, "t.x", { invalidBacklog: 0 }), /invalidBacklog/);
  assert.equal(nc.subs.length, 0, "nothing was subscribed");
  const sub = subscribeJson(nc, "t.x", { callback: () => {} });
  assert.throws(() => sub[Symbol.asyncIterator](), /cannot be iterated/);
  sub[Symbol.dispose]();
  assert.equal(sub.isClosed(), true);
});

Deno.test("json: a throwing or rejecting callback is reported with reason callback and delivery goes on; a throwing onInvalid is ignored", async () => {
  const nc = new FakeConn();
  const reports: InvalidMessageError[] = [];
  const seen: number[] = [];
  const sub = subscribeJson<number>(nc, "t.x", {
    callback: ({ value }) => {
      seen.push(value);
      if (value === 2) throw new Error("sync handler failure");
      if (value === 3) return Promise.reject(new Error("async handler failure"));
    },
    onInvalid: (e) => {
      reports.push(e);
      throw new Error("the error handler fails too");
    },
  });
  for (let i = 1; i <= 4; i++) nc.json(i);
  nc.send("x");
  await Promise.resolve();
  await Promise.resolve();
  assert.deepEqual(seen, [1, 2, 3, 4]);
  assert.deepEqual(reports.map((e) => [e.reason, e.issues[0].message]), [
    ["callback", "sync handler failure"],
    ["json", reports[1].issues[0].message],
    ["callback", "async handler failure"],
  ]);
  assert.equal(sub.getValid(), 4);
  assert.equal(sub.getInvalid(), 1, "callback failures are not invalid messages");
  assert.equal(nc.errors.length, 0);
  sub.unsubscribe();
});

Deno.test("json: the invalid channel keeps up to invalidBacklog unread reports (oldest dropped) and ends with the subscription", async () => {
  const nc = new FakeConn();
  const sub = subscribeJson(nc, "t.x", { invalidBacklog: 3, callback: () => {} });
  for (let i = 0; i < 5; i++) nc.send(`bad ${i}`);
  nc.subs[0].close();
  const got: string[] = [];
  for await (const e of sub.invalid) got.push(e.msg.string());
  assert.deepEqual(got, ["bad 2", "bad 3", "bad 4"]);
  assert.equal(sub.getInvalid(), 5);
});

Deno.test("json: breaking out of the iterator unsubscribes and ends the invalid channel; a subscription error is thrown by the iterator", async () => {
  const nc = new FakeConn();
  const sub = subscribeJson<number>(nc, "t.x");
  nc.json(1);
  nc.send("bad");
  nc.json(2);
  for await (const m of sub) {
    assert.equal(m.value, 1);
    break;
  }
  assert.equal(sub.isClosed(), true);
  for await (const _ of sub.invalid) assert.fail("nothing was read after the first value");

  const nc2 = new FakeConn();
  const sub2 = subscribeJson<number>(nc2, "t.x");
  nc2.subs[0].close(new Error("permissions violation"));
  await assert.rejects(async () => {
    for await (const _ of sub2) assert.fail("no values");
  }, /permissions violation/);
  assert.equal((await sub2.closed as Error).message, "permissions violation");
});

Deno.test("json: decodeJson validates one message; publishJson publishes JSON text", async () => {
  assert.deepEqual(await decodeJson(msgOf('{"x":1,"y":2}'), pointSchema()), { x: 1, y: 2 });
  assert.deepEqual(await decodeJson(msgOf("[1]")), [1]);
  const n: number = await decodeJson(msgOf("5"), (v) => v as number);
  assert.equal(n, 5);
  await assert.rejects(
    () => decodeJson(msgOf('{"x":1}', "a.b"), pointSchema("async")),
    (e: unknown) =>
      e instanceof InvalidMessageError && e.reason === "schema" && e.subject === "a.b" &&
      e.issues.length === 1,
  );
  await assert.rejects(
    () => decodeJson(msgOf("{"), pointOrThrow),
    (e: unknown) => e instanceof InvalidMessageError && e.reason === "json",
  );

  const nc = new FakeConn();
  publishJson(nc, "p.x", { a: [1, "b"] }, { reply: "r" });
  publishJson(nc, "p.y", null);
  assert.deepEqual(nc.published, [
    { subject: "p.x", payload: '{"a":[1,"b"]}', opts: { reply: "r" } },
    { subject: "p.y", payload: "null", opts: undefined },
  ]);
  assert.throws(() => publishJson(nc, "p.z", undefined), TypeError);
  assert.throws(() => publishJson(nc, "p.z", () => 1), TypeError);
});

Deno.test("json: ValidationFailure forms and a failure from another module copy (brand) are recognised", async () => {
  assert.deepEqual(new ValidationFailure("m").issues, [{ message: "m" }]);
  assert.deepEqual(
    new ValidationFailure([{ message: "a" }, { message: "b", path: [0, "c"] }]).issues,
    [
      { message: "a" },
      { message: "b", path: [0, "c"] },
    ],
  );
  assert.equal(
    new ValidationFailure([
      { message: "a", path: ["list", 0, { key: "h" }] },
      { message: "b" },
      { message: "c" },
      { message: "d" },
      { message: "e" },
    ]).message,
    "list[0].h: a; b; c; and 2 more",
  );
  const foreign = Object.assign(new Error("x"), { issues: [{ message: "foreign" }] });
  Object.defineProperty(foreign, Symbol.for("nats-rt.ValidationFailure"), { value: true });
  await assert.rejects(
    () => decodeJson(msgOf("1"), () => foreign as never),
    (e: unknown) =>
      e instanceof InvalidMessageError && e.reason === "schema" &&
      e.issues[0].message === "foreign",
  );
});

// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
import assert from "node:assert/strict";
import {
  connect,
  headers,
  InvalidSubjectError,
  MaxPayloadExceededError,
  type Msg,
  type NatsConnection,
  PermissionViolationError,
  type Status,
} from "../../mod.ts";
import { NatsServer } from "../_helpers/nats_server.ts";
import { connByName, connections, take, timed, uniqueName, waitStatus, within } from "./_util.ts";

const isInvalidSubject = (e: unknown) =>
  e instanceof InvalidSubjectError && e.code === "INVALID_SUBJECT" &&
  e instanceof TypeError;

/** A full pub/sub round trip on one connection. */
async function roundTrip(nc: NatsConnection, subject = "still.works") {
  const sub = nc.subscribe(subject, { max: 1 });
  nc.publish(subject, "yes");
  const [m] = await take(sub, 1, 3_000);
  assert.equal(m.string(), "yes");
}

const BAD_PUBLISH = [
  "",
  "a b",
  "a..b",
  ".a",
  "a.",
  "*",
  ">",
  "a.*",
  "a.>",
  "foo*",
  "a>",
  "a\r\nb",
  "a\tb",
  "a\nb",
];

Deno.test("publish() rejects every malformed subject with InvalidSubjectError", async () => {
  await using server = await NatsServer.start();
  const nc = await connect({ servers: server.url });
  try {
    const before = nc.stats().outMsgs;
    for (const s of BAD_PUBLISH) {
      assert.throws(
        () => nc.publish(s, "x"),
        isInvalidSubject,
        `publish(${JSON.stringify(s)}) did not throw InvalidSubjectError`,
      );
    }
    assert.equal(nc.stats().outMsgs, before, "a bad publish was counted/sent");
    await roundTrip(nc);
  } finally {
    await nc.close();
  }
});

Deno.test("publish() rejects a..b with InvalidSubjectError naming the subject", async () => {
  await using server = await NatsServer.start();
  const nc = await connect({ servers: server.url });
  try {
    assert.throws(() => nc.publish("a..b"), (e: unknown) => {
      assert.ok(isInvalidSubject(e));
      assert.equal((e as InvalidSubjectError).subject, "a..b");
      return true;
    });
    await roundTrip(nc);
  } finally {
    await nc.close();
  }
});

Deno.test("subscribe() rejects malformed subjects and queue names with InvalidSubjectError", async () => {
  await using server = await NatsServer.start();
  const name = uniqueName("badsub");
  const nc = await connect({ servers: server.url, name });
  try {
    for (const s of ["", "a..b", "a.>.b", "a b", ".a", "a.", "foo*", "a\tb"]) {
      assert.throws(
        () => nc.subscribe(s),
        isInvalidSubject,
        `subscribe(${JSON.stringify(s)}) did not throw`,
      );
    }
    for (const q of ["a.b", "a b", "*", ">", "q\r\n"]) {
      assert.throws(
        () => nc.subscribe("ok.subject", { queue: q }),
        isInvalidSubject,
        `queue ${JSON.stringify(q)} did not throw`,
      );
    }
    // valid wildcard forms are fine
    nc.subscribe("a.*.b").unsubscribe();
    nc.subscribe("a.>").unsubscribe();
    nc.subscribe(">").unsubscribe();
    await nc.flush();
    const c = await connByName(server, name);
    assert.equal(
      c?.subscriptions,
      0,
      "a rejected subscription reached the server",
    );
    await roundTrip(nc);
  } finally {
    await nc.close();
  }
});

Deno.test("publish() and request() reject an invalid reply subject", async () => {
  await using server = await NatsServer.start();
  const nc = await connect({ servers: server.url });
  try {
    for (const r of ["a..b", "a b", "_INBOX.*", "a.>", "x\r\n"]) {
      assert.throws(
        () => nc.publish("ok", "x", { reply: r }),
        isInvalidSubject,
        `reply ${JSON.stringify(r)} did not throw`,
      );
    }
    await assert.rejects(
      nc.request("ok", "x", { noMux: true, reply: "bad..reply" }),
      isInvalidSubject,
    );
    await assert.rejects(nc.request("bad subject", "x"), isInvalidSubject);
    await roundTrip(nc);
  } finally {
    await nc.close();
  }
});

Deno.test("after many bad inputs a normal pub/sub round trip still works", async () => {
  await using server = await NatsServer.start();
  const nc = await connect({ servers: server.url });
  const other = await connect({ servers: server.url });
  try {
    const sub = other.subscribe("good.>");
    await other.flush();
    for (const s of BAD_PUBLISH) {
      try {
        nc.publish(s, "x");
      } catch { /* expected */ }
      try {
        nc.subscribe(s + "..");
      } catch { /* expected */ }
    }
    for (let i = 0; i < 10; i++) nc.publish(`good.${i}`, String(i));
    const got = await take(sub, 10);
    assert.deepEqual(
      got.map((m) => m.string()),
      Array.from({ length: 10 }, (_, i) => String(i)),
    );
    assert.equal(nc.isClosed(), false);
  } finally {
    await other.close();
    await nc.close();
  }
});

Deno.test("oversize payload throws MaxPayloadExceededError before sending; the connection stays", async () => {
  await using server = await NatsServer.start({
    config: { max_payload: 1024 },
  });
  const name = uniqueName("maxpay");
  const nc = await connect({ servers: server.url, name });
  try {
    assert.equal(nc.info?.max_payload, 1024);
    const cid = nc.info?.client_id;
    const disconnects = waitStatus(nc, (s) => s.type === "disconnect", 60_000);
    const isMax = (e: unknown) =>
      e instanceof MaxPayloadExceededError && e instanceof RangeError &&
      e.code === "MAX_PAYLOAD_EXCEEDED" && e.max === 1024;
    const before = nc.stats();
    assert.throws(() => nc.publish("big", new Uint8Array(1025)), isMax);
    assert.throws(() => nc.publish("big", "é".repeat(513)), isMax); // 1026 UTF-8 bytes
    const h = headers();
    h.set("X-Pad", "p".repeat(40));
    assert.throws(
      () => nc.publish("big", new Uint8Array(1000), { headers: h }),
      isMax,
    );
    const after = nc.stats();
    assert.equal(after.outMsgs, before.outMsgs);
    assert.equal(after.outBytes, before.outBytes, "bytes were written");
    await assert.rejects(nc.request("big", new Uint8Array(2048)), isMax);
    assert.equal(
      nc.stats().outMsgs,
      before.outMsgs,
      "an oversize request went out",
    );

    // exactly max_payload is fine
    const sub = nc.subscribe("edge");
    nc.publish("edge", new Uint8Array(1024).fill(1));
    const [m] = await take(sub, 1);
    assert.equal(m.data.length, 1024);
    await roundTrip(nc);
    // the server did not drop us: same client id, still listed
    const c = await connByName(server, name);
    assert.equal(c?.cid, cid);
    assert.equal(nc.info?.client_id, cid);
    assert.equal(disconnects.seen.length, 0, JSON.stringify(disconnects.seen));
    disconnects.stop();
    assert.ok(!(await server.logs()).includes("Maximum Payload"));
  } finally {
    await nc.close();
  }
});

Deno.test("publish() with a payload of the wrong type throws TypeError", async () => {
  await using server = await NatsServer.start();
  const nc = await connect({ servers: server.url });
  try {
    for (const bad of [42, {}, [1, 2], true, new ArrayBuffer(4)]) {
      assert.throws(
        () => nc.publish("x", bad as unknown as string),
        (e: unknown) => e instanceof TypeError && !(e instanceof InvalidSubjectError),
        `payload ${String(bad)} did not throw TypeError`,
      );
    }
    await roundTrip(nc);
  } finally {
    await nc.close();
  }
});

const PERMS = {
  authorization: {
    users: [{
      user: "a",
      password: "b",
      permissions: {
        publish: { deny: ["secret.>"] },
        subscribe: { deny: ["hidden.>"] },
      },
    }],
  },
};

Deno.test("subscribe to a denied subject closes that subscription with PermissionViolationError", async () => {
  await using server = await NatsServer.start({ config: PERMS });
  const nc = await connect({ servers: server.url, user: "a", pass: "b" });
  try {
    const errStatus = waitStatus(
      nc,
      (s) => s.type === "error" && s.error instanceof PermissionViolationError,
    );
    const sub = nc.subscribe("hidden.x");
    const okSub = nc.subscribe("visible.x");
    await within(sub.closed.catch(() => {}), 3_000, "denied sub to close");
    assert.equal(sub.isClosed(), true);
    await assert.rejects(
      (async () => {
        for await (const _ of sub) { /* nothing */ }
      })(),
      (e: unknown) => {
        assert.ok(e instanceof PermissionViolationError, `got ${e}`);
        assert.equal(e.code, "PERMISSIONS_VIOLATION");
        assert.equal(e.operation, "subscription");
        assert.equal(e.subject, "hidden.x");
        return true;
      },
    );
    const st = await errStatus.promise as Extract<Status, { type: "error" }>;
    assert.equal((st.error as PermissionViolationError).subject, "hidden.x");
    // the connection and the other subscription are fine
    assert.equal(okSub.isClosed(), false);
    nc.publish("visible.x", "v");
    const [m] = await take(okSub, 1);
    assert.equal(m.string(), "v");
    assert.equal(nc.isClosed(), false);
    assert.equal((await connections(server)).length, 1);
  } finally {
    await nc.close();
  }
});

Deno.test("a denied callback subscription gets the PermissionViolationError in its callback", async () => {
  await using server = await NatsServer.start({ config: PERMS });
  const nc = await connect({ servers: server.url, user: "a", pass: "b" });
  try {
    const errs: unknown[] = [];
    const msgs: Msg[] = [];
    const sub = nc.subscribe("hidden.cb", {
      callback: (err, m) => err ? errs.push(err) : msgs.push(m),
    });
    await within(sub.closed.catch(() => {}), 3_000, "denied sub to close");
    assert.equal(errs.length, 1);
    assert.ok(errs[0] instanceof PermissionViolationError);
    assert.equal(
      (errs[0] as PermissionViolationError).operation,
      "subscription",
    );
    assert.equal(msgs.length, 0);
    await roundTrip(nc);
  } finally {
    await nc.close();
  }
});

Deno.test("publish to a denied subject emits an error status with PermissionViolationError", async () => {
  await using server = await NatsServer.start({ config: PERMS });
  const nc = await connect({ servers: server.url, user: "a", pass: "b" });
  try {
    const errStatus = waitStatus(nc, (s) => s.type === "error", 3_000);
    nc.publish("secret.x", "psst");
    const st = await errStatus.promise as Extract<Status, { type: "error" }>;
    const e = st.error as PermissionViolationError;
    assert.ok(e instanceof PermissionViolationError, `got ${e}`);
    assert.equal(e.code, "PERMISSIONS_VIOLATION");
    assert.equal(e.operation, "publish");
    assert.equal(e.subject, "secret.x");
    assert.equal(nc.isClosed(), false);
    await roundTrip(nc);
  } finally {
    await nc.close();
  }
});

Deno.test("request to a denied subject rejects with PermissionViolationError rather than timing out", async () => {
  await using server = await NatsServer.start({ config: PERMS });
  const nc = await connect({ servers: server.url, user: "a", pass: "b" });
  try {
    const { ms, error } = await timed(
      nc.request("secret.x", "q", { timeout: 5_000 }),
    );
    assert.ok(error instanceof PermissionViolationError, `got ${error}`);
    assert.equal(error.operation, "publish");
    assert.equal(error.subject, "secret.x");
    assert.ok(ms < 2_000, `took ${ms} ms`);
    await roundTrip(nc);
  } finally {
    await nc.close();
  }
});

Deno.test("a denied queue subscription closes with PermissionViolationError naming the queue", async () => {
  await using server = await NatsServer.start({ config: PERMS });
  const nc = await connect({ servers: server.url, user: "a", pass: "b" });
  try {
    const sub = nc.subscribe("hidden.q", { queue: "grp" });
    await within(sub.closed.catch(() => {}), 3_000, "denied sub to close");
    await assert.rejects(
      (async () => {
        for await (const _ of sub) { /* nothing */ }
      })(),
      (e: unknown) =>
        e instanceof PermissionViolationError && e.subject === "hidden.q" &&
        e.queue === "grp" && e.operation === "subscription",
    );
    await roundTrip(nc);
  } finally {
    await nc.close();
  }
});

Deno.test("request() rejects with PermissionViolationError when the reply inbox subscription is denied", async () => {
  await using server = await NatsServer.start({
    config: {
      authorization: {
        users: [{
          user: "a",
          password: "b",
          permissions: { subscribe: { deny: ["_INBOX.>"] } },
        }],
      },
    },
  });
  const svc = await connect({ servers: server.url, user: "a", pass: "b" });
  const nc = await connect({ servers: server.url, user: "a", pass: "b" });
  try {
    svc.subscribe("svc.denied", { callback: (_e, m) => m.respond("hi") });
    await svc.flush();
    // nats.js rejects pending requests when the mux inbox is refused (and
    // re-creates the inbox for the next request) instead of timing out.
    for (let i = 0; i < 2; i++) {
      const { ms, error } = await timed(
        nc.request("svc.denied", "x", { timeout: 1_500 }),
      );
      assert.ok(
        error instanceof PermissionViolationError,
        `request ${i + 1}: got ${error} after ${Math.round(ms)} ms`,
      );
      assert.equal(error.operation, "subscription");
      assert.ok(ms < 1_000, `took ${ms} ms`);
    }
    assert.equal(nc.isClosed(), false);
  } finally {
    await nc.close();
    await svc.close();
  }
});

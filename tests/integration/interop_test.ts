// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
// The official client is a dev-only, test-only dependency imported by its
// inline npm: specifier on purpose (it is not a dependency of the library).
/**
 * Interop with the official client (nats.js v3, Node transport), which plays
 * the other side of every exchange.
 */
import assert from "node:assert/strict";
import {
  connect as natsConnect,
  headers as natsHeaders,
  type Msg as NatsMsg,
  type NatsConnection as TheirConnection,
} from "@nats-io/transport-node";
import { connect, headers, type NatsConnection, NoRespondersError } from "../../mod.ts";
import { NatsServer } from "../_helpers/nats_server.ts";
import { take, te } from "./_util.ts";

/** Starts a server with one connection of each client; always cleans up. */
async function withPair(
  fn: (ours: NatsConnection, theirs: TheirConnection) => Promise<void>,
): Promise<void> {
  await using server = await NatsServer.start();
  const ours = await connect({ servers: server.url });
  let theirs: TheirConnection | undefined;
  try {
    theirs = await natsConnect({ servers: server.url });
    await fn(ours, theirs);
  } finally {
    await theirs?.close();
    await ours.close();
  }
}

/** Reads `n` messages from an official-client subscription iterator. */
async function theirTake(
  sub: AsyncIterable<NatsMsg>,
  n: number,
): Promise<NatsMsg[]> {
  const out: NatsMsg[] = [];
  if (n === 0) return out;
  for await (const m of sub) {
    out.push(m);
    if (out.length === n) break;
  }
  return out;
}

Deno.test("interop: our publish reaches their subscriber", async () => {
  await withPair(async (ours, theirs) => {
    const sub = theirs.subscribe("interop.a");
    await theirs.flush();
    ours.publish("interop.a", "hello ✓");
    ours.publish("interop.a", Uint8Array.from([0, 13, 10, 255]));
    ours.publish("interop.a", "with reply", { reply: "reply.to.us" });
    const got = await theirTake(sub, 3);
    assert.equal(got[0].string(), "hello ✓");
    assert.deepEqual([...got[1].data], [0, 13, 10, 255]); // theirs is a Node Buffer
    assert.equal(got[2].reply, "reply.to.us");
  });
});

Deno.test("interop: their publish reaches our subscriber", async () => {
  await withPair(async (ours, theirs) => {
    const sub = ours.subscribe("interop.*.b");
    await ours.flush();
    theirs.publish("interop.x.b", "from them ✓");
    theirs.publish("interop.y.b", Uint8Array.from([1, 2, 3]), {
      reply: "their.reply",
    });
    theirs.publish("interop.z.b");
    const got = await take(sub, 3);
    assert.equal(got[0].subject, "interop.x.b");
    assert.equal(got[0].string(), "from them ✓");
    assert.deepEqual(got[1].data, Uint8Array.from([1, 2, 3]));
    assert.equal(got[1].reply, "their.reply");
    assert.equal(got[2].data.length, 0);
  });
});

Deno.test("interop: their request is answered by our responder", async () => {
  await withPair(async (ours, theirs) => {
    ours.subscribe("interop.svc", {
      callback: (_e, m) => m.respond(`ours:${m.string()}`),
    });
    await ours.flush();
    const r = await theirs.request("interop.svc", "q1", { timeout: 2_000 });
    assert.equal(r.string(), "ours:q1");
    const r2 = await theirs.request("interop.svc", "q2", {
      timeout: 2_000,
      noMux: true,
    });
    assert.equal(r2.string(), "ours:q2");
  });
});

Deno.test("interop: our request is answered by their responder", async () => {
  await withPair(async (ours, theirs) => {
    theirs.subscribe("interop.theirsvc", {
      callback: (_e, m) => {
        m.respond(`theirs:${m.string()}`);
      },
    });
    await theirs.flush();
    const r = await ours.request("interop.theirsvc", "q1", { timeout: 2_000 });
    assert.equal(r.string(), "theirs:q1");
    const many = await Promise.all(
      Array.from(
        { length: 20 },
        (_, i) => ours.request("interop.theirsvc", String(i)),
      ),
    );
    assert.deepEqual(
      many.map((m) => m.string()),
      Array.from({ length: 20 }, (_, i) => `theirs:${i}`),
    );
    const r2 = await ours.request("interop.theirsvc", "q2", { noMux: true });
    assert.equal(r2.string(), "theirs:q2");
  });
});

Deno.test("interop: one queue group with members from both clients delivers each message once", async () => {
  await withPair(async (ours, theirs) => {
    const oursGot: number[] = [];
    const theirsGot: number[] = [];
    ours.subscribe("interop.q", {
      queue: "mixed",
      callback: (_e, m) => oursGot.push(Number(m.string())),
    });
    theirs.subscribe("interop.q", {
      queue: "mixed",
      callback: (_e, m) => {
        theirsGot.push(Number(m.string()));
      },
    });
    await Promise.all([ours.flush(), theirs.flush()]);
    const N = 400;
    for (let i = 0; i < N; i++) {
      (i % 2 === 0 ? ours : theirs).publish("interop.q", String(i));
    }
    await ours.flush();
    await theirs.flush();
    // A final flush on each receiving side: everything routed has been read.
    await Promise.all([ours.flush(), theirs.flush()]);
    const all = [...oursGot, ...theirsGot].sort((a, b) => a - b);
    assert.deepEqual(all, Array.from({ length: N }, (_, i) => i));
    assert.ok(oursGot.length > 0, "our member got nothing");
    assert.ok(theirsGot.length > 0, "their member got nothing");
  });
});

Deno.test("interop: headers both ways (ours to them, theirs to us)", async () => {
  await withPair(async (ours, theirs) => {
    const theirSub = theirs.subscribe("interop.h1");
    const ourSub = ours.subscribe("interop.h2");
    await Promise.all([ours.flush(), theirs.flush()]);

    const h = headers();
    h.set("X-MiXeD", "Ours");
    h.append("Multi", "1");
    h.append("Multi", "2");
    h.set("Utf8", "日本 ✓");
    ours.publish("interop.h1", "body-ours", { headers: h });
    const [tm] = await theirTake(theirSub, 1);
    assert.equal(tm.string(), "body-ours");
    assert.ok(tm.headers);
    assert.equal(tm.headers.get("X-MiXeD"), "Ours");
    assert.deepEqual(tm.headers.values("Multi"), ["1", "2"]);
    assert.equal(tm.headers.get("Utf8"), "日本 ✓");

    const th = natsHeaders();
    th.set("X-Theirs", "Value:With:Colons");
    th.append("Multi", "a");
    th.append("Multi", "b");
    theirs.publish("interop.h2", te.encode("body-theirs"), { headers: th });
    const [om] = await take(ourSub, 1);
    assert.equal(om.string(), "body-theirs");
    assert.ok(om.headers);
    assert.equal(om.headers.get("X-Theirs"), "Value:With:Colons");
    assert.deepEqual(om.headers.values("Multi"), ["a", "b"]);
    assert.deepEqual(om.headers.keys(), ["X-Theirs", "Multi"]);
  });
});

Deno.test("interop: our no-responders error matches what the official client sees (503)", async () => {
  await withPair(async (ours, theirs) => {
    // Both requests fail as no-responders, not as timeouts.
    const ourErr = await ours.request("interop.nobody", "x", { timeout: 5_000 })
      .then(() => undefined, (e) => e);
    const theirErr = await theirs.request("interop.nobody", "x", {
      timeout: 5_000,
    }).then(() => undefined, (e) => e);
    assert.ok(ourErr instanceof NoRespondersError, `ours: ${ourErr}`);
    assert.equal(ourErr.code, "NO_RESPONDERS");
    assert.equal(
      theirErr?.isNoResponders?.(),
      true,
      `theirs: ${theirErr}`,
    );
    assert.equal(theirErr.cause?.subject, ourErr.subject);

    // The raw status each sees on its own inbox is the same 503.
    const ourInbox = ours.subscribe("ours.inbox");
    const theirInbox = theirs.subscribe("theirs.inbox");
    await Promise.all([ours.flush(), theirs.flush()]);
    ours.publish("interop.nobody", "x", { reply: "ours.inbox" });
    theirs.publish("interop.nobody", "x", { reply: "theirs.inbox" });
    const [o] = await take(ourInbox, 1);
    const [t] = await theirTake(theirInbox, 1);
    assert.equal(o.headers?.code, 503);
    assert.equal(t.headers?.code, 503);
    assert.equal(o.headers?.status, t.headers?.status);
    assert.equal(o.headers?.hasError, t.headers?.hasError);
    assert.equal(o.data.length, 0);
    assert.equal(t.data.length, 0);
  });
});

// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
import assert from "node:assert/strict";
import {
  connect,
  headers,
  type Msg,
  NoRespondersError,
  TimeoutError,
  type TraceEvent,
} from "../../mod.ts";
import { NatsServer } from "../_helpers/nats_server.ts";
import { connByName, take, te, timed, uniqueName, waitFor, within } from "./_util.ts";

Deno.test("request() gets the responder's reply (string and Uint8Array payloads)", async () => {
  await using server = await NatsServer.start();
  const svc = await connect({ servers: server.url });
  const nc = await connect({ servers: server.url });
  try {
    svc.subscribe("svc.echo", {
      callback: (_e, m) => {
        const out = new Uint8Array(m.data.length + 1);
        out[0] = 0x21; // "!"
        out.set(m.data, 1);
        m.respond(out);
      },
    });
    await svc.flush();
    const r1 = await nc.request("svc.echo", "hello");
    assert.equal(r1.string(), "!hello");
    const bytes = Uint8Array.from([0, 1, 2, 13, 10, 255]);
    const r2 = await nc.request("svc.echo", bytes);
    assert.deepEqual(r2.data, Uint8Array.from([0x21, 0, 1, 2, 13, 10, 255]));
    const r3 = await nc.request("svc.echo");
    assert.equal(r3.string(), "!");
  } finally {
    await nc.close();
    await svc.close();
  }
});

Deno.test("request() uses one shared inbox subscription for 50 concurrent requests", async () => {
  await using server = await NatsServer.start();
  const svc = await connect({ servers: server.url });
  const name = uniqueName("mux");
  const subLines: string[] = [];
  const nc = await connect({
    servers: server.url,
    name,
    debug: (e: TraceEvent) => {
      if (e.direction === "out" && e.line.startsWith("SUB ")) {
        subLines.push(e.line);
      }
    },
  });
  try {
    svc.subscribe("svc.double", {
      callback: (_e, m) => m.respond(String(Number(m.string()) * 2)),
    });
    await svc.flush();
    const replies = await Promise.all(
      Array.from(
        { length: 50 },
        (_, i) => nc.request("svc.double", String(i), { timeout: 5_000 }),
      ),
    );
    assert.deepEqual(
      replies.map((m) => Number(m.string())),
      Array.from({ length: 50 }, (_, i) => i * 2),
    );
    // and once more, sequentially
    for (let i = 0; i < 5; i++) {
      assert.equal((await nc.request("svc.double", "21")).string(), "42");
    }
    await nc.flush();
    const c = await connByName(server, name, true);
    assert.ok(c, "requester not in connz");
    const inboxes = (c.subscriptions_list as string[] ?? []).filter((s) => s.startsWith("_INBOX."));
    assert.equal(inboxes.length, 1, `inbox subs: ${inboxes}`);
    assert.ok(inboxes[0].endsWith(".*"), inboxes[0]);
    assert.equal(c.subscriptions, 1);
    assert.equal(subLines.length, 1, subLines.join(" | "));
  } finally {
    await nc.close();
    await svc.close();
  }
});

Deno.test("request() timeout rejects with TimeoutError, and a late reply never reaches a later request", async () => {
  await using server = await NatsServer.start();
  const svc = await connect({ servers: server.url });
  const nc = await connect({ servers: server.url });
  try {
    const held: Msg[] = [];
    svc.subscribe("svc.slow", { callback: (_e, m) => held.push(m) });
    await svc.flush();
    const { ms, error } = await timed(
      nc.request("svc.slow", "1", { timeout: 300 }),
    );
    assert.ok(error instanceof TimeoutError, `got ${error}`);
    assert.equal((error as TimeoutError).code, "TIMEOUT");
    assert.ok(ms >= 250 && ms < 1_500, `timed out after ${ms} ms`);
    assert.equal(held.length, 1);

    const second = nc.request("svc.slow", "2", { timeout: 5_000 });
    await waitFor(() => held.length === 2, "second request at the responder");
    held[0].respond("late reply to 1");
    await svc.flush(); // the late reply is on its way to nc before the right one
    held[1].respond("reply to 2");
    const m = await second;
    assert.equal(m.string(), "reply to 2");
  } finally {
    await nc.close();
    await svc.close();
  }
});

Deno.test("request() with no responders rejects with NoRespondersError well before the timeout", async () => {
  await using server = await NatsServer.start();
  const nc = await connect({ servers: server.url });
  try {
    const { ms, error } = await timed(
      nc.request("nobody.home", "x", { timeout: 5_000 }),
    );
    assert.ok(error instanceof NoRespondersError, `got ${error}`);
    assert.equal((error as NoRespondersError).code, "NO_RESPONDERS");
    assert.equal((error as NoRespondersError).subject, "nobody.home");
    assert.ok(ms < 1_000, `no-responders took ${ms} ms`);
    // same for a noMux request
    const r2 = await timed(
      nc.request("nobody.home", "x", { timeout: 5_000, noMux: true }),
    );
    assert.ok(r2.error instanceof NoRespondersError, `got ${r2.error}`);
    assert.ok(r2.ms < 1_000, `noMux no-responders took ${r2.ms} ms`);
  } finally {
    await nc.close();
  }
});

Deno.test("request() with headers, and a reply that carries headers", async () => {
  await using server = await NatsServer.start();
  const svc = await connect({ servers: server.url });
  const nc = await connect({ servers: server.url });
  try {
    svc.subscribe("svc.hdr", {
      callback: (_e, m) => {
        const h = headers();
        h.set("X-Seen", m.headers?.get("X-Req") ?? "none");
        h.append("X-Multi", "a");
        h.append("X-Multi", "b");
        m.respond(`body:${m.string()}`, { headers: h });
      },
    });
    await svc.flush();
    const h = headers();
    h.set("X-Req", "req-value");
    const r = await nc.request("svc.hdr", "q", { headers: h, timeout: 2_000 });
    assert.equal(r.string(), "body:q");
    assert.ok(r.headers);
    assert.equal(r.headers.get("X-Seen"), "req-value");
    assert.deepEqual(r.headers.values("X-Multi"), ["a", "b"]);
    assert.equal(r.headers.hasError, false);
  } finally {
    await nc.close();
    await svc.close();
  }
});

Deno.test("msg.respond() returns false on a message without reply", async () => {
  await using server = await NatsServer.start();
  const nc = await connect({ servers: server.url });
  try {
    const sub = nc.subscribe("noreply.x");
    const probe = nc.subscribe(">"); // anything respond() might send would land here
    await nc.flush();
    nc.publish("noreply.x", "x");
    const [m] = await take(sub, 1);
    const before = nc.stats().outMsgs;
    assert.equal(m.reply, "");
    assert.equal(m.respond("answer"), false);
    assert.equal(nc.stats().outMsgs, before);
    await nc.flush();
    assert.equal(probe.getReceived(), 1); // only the original message
  } finally {
    await nc.close();
  }
});

Deno.test("request({ noMux: true }) works, with a fresh or a given reply subject", async () => {
  await using server = await NatsServer.start();
  const svc = await connect({ servers: server.url });
  const name = uniqueName("nomux");
  const nc = await connect({ servers: server.url, name });
  try {
    const replies: string[] = [];
    svc.subscribe("svc.nomux", {
      callback: (_e, m) => {
        replies.push(m.reply);
        m.respond(m.string().toUpperCase());
      },
    });
    await svc.flush();
    const r = await nc.request("svc.nomux", "abc", {
      noMux: true,
      timeout: 2_000,
    });
    assert.equal(r.string(), "ABC");
    const r2 = await nc.request("svc.nomux", "given", {
      noMux: true,
      reply: "my.own.inbox",
      timeout: 2_000,
    });
    assert.equal(r2.string(), "GIVEN");
    assert.equal(replies[1], "my.own.inbox");
    assert.ok(replies[0].startsWith("_INBOX."), replies[0]);
    assert.ok(!replies[0].endsWith(".*"));
    // The per-request subscriptions are gone.
    await nc.flush();
    const c = await connByName(server, name);
    assert.equal(c?.subscriptions, 0);
    const t = await timed(
      nc.request("svc.none", "x", { noMux: true, timeout: 200 }),
    );
    // svc.none has no responder: no-responders wins over the timeout
    assert.ok(t.error instanceof NoRespondersError, `got ${t.error}`);
  } finally {
    await nc.close();
    await svc.close();
  }
});

Deno.test("request({ noMux: true }) times out with TimeoutError", async () => {
  await using server = await NatsServer.start();
  const svc = await connect({ servers: server.url });
  const nc = await connect({ servers: server.url });
  try {
    svc.subscribe("svc.mute", { callback: () => {} });
    await svc.flush();
    const { ms, error } = await timed(
      nc.request("svc.mute", "x", { noMux: true, timeout: 250 }),
    );
    assert.ok(error instanceof TimeoutError, `got ${error}`);
    assert.ok(ms >= 200 && ms < 1_500, `timed out after ${ms} ms`);
  } finally {
    await nc.close();
    await svc.close();
  }
});

Deno.test("an AbortSignal aborts a pending request (mux and noMux)", async () => {
  await using server = await NatsServer.start();
  const svc = await connect({ servers: server.url });
  const nc = await connect({ servers: server.url });
  try {
    const held: Msg[] = [];
    svc.subscribe("svc.hold", { callback: (_e, m) => held.push(m) });
    await svc.flush();
    for (const noMux of [false, true]) {
      const ac = new AbortController();
      const start = performance.now();
      const p = nc.request("svc.hold", "x", {
        signal: ac.signal,
        timeout: 10_000,
        noMux,
      });
      p.catch(() => {});
      await waitFor(() => held.length > 0, "request at the responder");
      const reason = new Error(`stop (noMux=${noMux})`);
      ac.abort(reason);
      await assert.rejects(within(p, 1_000, "aborted request"), (e) => {
        assert.equal(e, reason);
        return true;
      });
      assert.ok(performance.now() - start < 2_000);
      // A reply after the abort goes nowhere and breaks nothing.
      held.shift()!.respond("too late");
      await svc.flush();
    }
    // An already-aborted signal rejects at once.
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(
      nc.request("svc.hold", "x", { signal: ac.signal }),
      (e: unknown) => (e as Error).name === "AbortError",
    );
    // the connection is fine afterwards
    svc.subscribe("svc.ok", { callback: (_e, m) => m.respond("ok") });
    await svc.flush();
    assert.equal((await nc.request("svc.ok", te.encode("?"))).string(), "ok");
  } finally {
    await nc.close();
    await svc.close();
  }
});

Deno.test("request({ noMux: true }) with an already-aborted signal rejects at once", async () => {
  await using server = await NatsServer.start();
  const svc = await connect({ servers: server.url });
  const nc = await connect({ servers: server.url });
  try {
    svc.subscribe("svc.never", { callback: () => {} });
    await svc.flush();
    const ac = new AbortController();
    const reason = new Error("aborted before the call");
    ac.abort(reason);
    const { ms, error } = await timed(
      nc.request("svc.never", "x", {
        noMux: true,
        signal: ac.signal,
        timeout: 1_500,
      }),
    );
    assert.equal(error, reason, `got ${error}`);
    assert.ok(ms < 500, `took ${ms} ms`);
  } finally {
    await nc.close();
    await svc.close();
  }
});

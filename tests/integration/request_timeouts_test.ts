// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * Request timeouts share one timer per connection (no timer per request):
 * every pending request still times out at its own deadline, whatever the
 * order its timeout was given in, and answered requests never time out.
 */
import assert from "node:assert/strict";
import { connect, type Msg, TimeoutError } from "../../mod.ts";
import { NatsServer } from "../_helpers/nats_server.ts";
import { timed } from "./_util.ts";

Deno.test("request() timeouts: each request times out at its own deadline, in any order", async () => {
  await using server = await NatsServer.start();
  const svc = await connect({ servers: server.url });
  const nc = await connect({ servers: server.url });
  try {
    // A responder that never answers: every request waits for its timeout.
    // A long one first, then shorter ones that must fire before it.
    svc.subscribe("t.none.>", { callback: () => {} });
    await svc.flush();
    const t0 = performance.now();
    const when = (p: Promise<unknown>) =>
      p.then(
        () => assert.fail("resolved"),
        (err) => {
          assert.ok(err instanceof TimeoutError, `got ${err}`);
          return performance.now() - t0;
        },
      );
    const long = when(nc.request("t.none.long", "x", { timeout: 1_200 }));
    const short = when(nc.request("t.none.short", "x", { timeout: 200 }));
    const mid = when(nc.request("t.none.mid", "x", { timeout: 600 }));
    const [l, s, m] = await Promise.all([long, short, mid]);
    assert.ok(s >= 180 && s < 550, `short timed out after ${s} ms`);
    assert.ok(m >= 580 && m < 1_000, `mid timed out after ${m} ms`);
    assert.ok(l >= 1_180 && l < 1_800, `long timed out after ${l} ms`);
  } finally {
    await nc.close();
    await svc.close();
  }
});

Deno.test("request() timeouts: answered requests never time out, later ones still do", async () => {
  await using server = await NatsServer.start();
  const svc = await connect({ servers: server.url });
  const nc = await connect({ servers: server.url });
  try {
    const held: Msg[] = [];
    svc.subscribe("t.echo", { callback: (_e, m) => m.respond(m.data) });
    svc.subscribe("t.hold", { callback: (_e, m) => held.push(m) });
    await svc.flush();
    // Many quick round trips with a short timeout, spread past that timeout:
    // the shared timer fires meanwhile and must leave answered requests alone.
    const start = performance.now();
    let n = 0;
    while (performance.now() - start < 450) {
      const m = await nc.request("t.echo", `${n}`, { timeout: 150 });
      assert.equal(m.string(), `${n++}`);
    }
    // A request made after all that still times out on time.
    const { ms, error } = await timed(nc.request("t.hold", "late", { timeout: 250 }));
    assert.ok(error instanceof TimeoutError, `got ${error}`);
    assert.ok(ms >= 230 && ms < 800, `timed out after ${ms} ms`);
    assert.equal(held.length, 1);
  } finally {
    await nc.close();
    await svc.close();
  }
});

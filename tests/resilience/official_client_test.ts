// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
// The official client is a dev-only, test-only dependency (deno.json maps
// "@nats-io/transport-node"); it is not a dependency of the library.
/**
 * The same outages, played on the official client (nats.js v3, Node
 * transport) and on ours, side by side. These tests pin what nats.js does
 * today; where it differs from us the difference is deliberate policy
 * (RELIABILITY.md §2.1), not an accident:
 *
 * - publishes made while disconnected: nats.js clears its outbound buffer at
 *   every dial and loses them; we buffer them (reconnectBufSize) and deliver
 *   each once, after the subscriptions are re-sent.
 * - a request pending when the connection drops: nats.js keeps it until its
 *   own timeout (the reply may well be lost); we reject it at once with
 *   DISCONNECTED (failPendingOnDisconnect, default true).
 * - a frozen server: both detect it by PING within pingInterval x
 *   (maxPingOut + 1) and reconnect after SIGCONT (no difference).
 */
import assert from "node:assert/strict";
import {
  connect as theirConnect,
  type NatsConnection as TheirConnection,
} from "@nats-io/transport-node";
import { connect, ErrorCode, type NatsConnection } from "../../mod.ts";
import { NatsServer } from "../_helpers/nats_server.ts";
import { delay, StatusLog, take, waitFor, within } from "./_util.ts";

const RECONNECT = {
  maxReconnectAttempts: -1,
  reconnectTimeWait: 50,
  reconnectJitter: 0,
} as const;

/** Resolves when `nc.status()` yields an event of `type` (nats.js status shape). */
function theirStatus(nc: TheirConnection, type: string, ms = 5_000): Promise<number> {
  const it = nc.status()[Symbol.asyncIterator]();
  const p = (async () => {
    for (;;) {
      const r = await it.next();
      if (r.done) throw new Error(`status ended before ${type}`);
      if (r.value.type === type) return performance.now();
    }
  })();
  return within(p, ms, `nats.js ${type} status`).finally(() => it.return?.());
}

Deno.test("differential: publishes made while disconnected — nats.js loses all 100 (deliberate difference), nats-rt delivers all 100 once, in order", async () => {
  await using server = await NatsServer.start();
  const ours: NatsConnection = await connect({ servers: server.url, ...RECONNECT });
  const theirs: TheirConnection = await theirConnect({ servers: server.url, ...RECONNECT });
  const log = new StatusLog(ours);
  try {
    const ourSub = ours.subscribe("diff.ours");
    const theirGot: string[] = [];
    theirs.subscribe("diff.theirs", {
      callback: (_e, m) => {
        theirGot.push(m.string());
      },
    });
    await ours.flush();
    await theirs.flush();

    const theirDisc = theirStatus(theirs, "disconnect");
    const theirRec = theirStatus(theirs, "reconnect", 10_000);
    await server.kill();
    await log.waitType("disconnect");
    await theirDisc;
    for (let i = 0; i < 100; i++) {
      ours.publish("diff.ours", String(i));
      theirs.publish("diff.theirs", String(i)); // nats.js accepts them without error
    }
    await server.restart();
    await log.waitType("reconnect", 10_000);
    await theirRec;

    const got = await take(ourSub, 100, 5_000);
    assert.deepEqual(got.map((m) => m.string()), Array.from({ length: 100 }, (_, i) => String(i)));

    // nats.js: the subscription works again, but the 100 are gone.
    theirs.publish("diff.theirs", "after");
    await theirs.flush();
    await waitFor(
      () => theirGot.includes("after"),
      "nats.js to see its own post-reconnect publish",
    );
    assert.deepEqual(theirGot, ["after"], "nats.js now delivers publishes made while disconnected");
  } finally {
    await theirs.close();
    await ours.close();
    await log.stop();
  }
});

Deno.test("differential: a request pending when the server dies — nats.js waits for its own timeout (deliberate difference), nats-rt rejects at once with DISCONNECTED", async () => {
  await using server = await NatsServer.start();
  const ours = await connect({ servers: server.url, ...RECONNECT });
  const theirs = await theirConnect({ servers: server.url, ...RECONNECT });
  try {
    // Silent subscribers hold the requests: no reply, no 503.
    const ourSilent = ours.subscribe("diff.silent.ours");
    let theirHeld = 0;
    theirs.subscribe("diff.silent.theirs", {
      callback: () => {
        theirHeld++;
      },
    });
    await ours.flush();
    await theirs.flush();
    const timeout = 1_000;
    const stamp = <T>(p: Promise<T>) => p.then(() => performance.now(), () => performance.now());
    const ourReq = ours.request("diff.silent.ours", "q", { timeout });
    const theirReq = theirs.request("diff.silent.theirs", "q", { timeout });
    const [ourAt, theirAt] = [stamp(ourReq), stamp(theirReq)];
    const started = performance.now();
    await waitFor(() => ourSilent.getReceived() === 1 && theirHeld === 1, "both requests held");
    await server.kill();
    const killed = performance.now();
    const ourErr = await within(ourReq.then(() => undefined, (e) => e as Error), 5_000, "ours");
    const theirErr = await within(
      theirReq.then(() => undefined, (e) => e as Error),
      5_000,
      "theirs",
    );
    assert.equal(
      (ourErr as { code?: string } | undefined)?.code,
      ErrorCode.Disconnected,
      `${ourErr}`,
    );
    assert.ok(
      (await ourAt) - killed < 250,
      `ours rejected ${(await ourAt) - killed} ms after the kill`,
    );
    // nats.js: rejected by its timeout, about `timeout` after the request began.
    assert.ok(theirErr instanceof Error, "nats.js resolved a request whose server died");
    assert.ok(
      (await theirAt) - started >= timeout - 50,
      `nats.js rejected after ${(await theirAt) - started} ms`,
    );
    assert.match(`${theirErr.name} ${theirErr.message}`, /timeout/i);
    await server.restart();
  } finally {
    await theirs.close();
    await ours.close();
  }
});

Deno.test("differential: a frozen server (SIGSTOP) — both clients report staleConnection within pingInterval x (maxPingOut + 1) and reconnect after SIGCONT", async () => {
  await using server = await NatsServer.start();
  const opts = {
    servers: server.url,
    ...RECONNECT,
    pingInterval: 250,
    maxPingOut: 2,
    timeout: 400,
  };
  const ours = await connect(opts);
  const theirs = await theirConnect(opts);
  const log = new StatusLog(ours);
  try {
    await ours.flush();
    await theirs.flush();
    const theirStale = theirStatus(theirs, "staleConnection", 3_000);
    const theirRec = theirStatus(theirs, "reconnect", 10_000);
    await server.pause();
    const stopped = performance.now();
    const ourStale = await log.waitType("staleConnection", 3_000);
    const theirAt = await theirStale;
    const bound = 250 * 3 + 100;
    assert.ok(ourStale.at - stopped < bound, `ours: ${ourStale.at - stopped} ms`);
    assert.ok(theirAt - stopped < bound, `nats.js: ${theirAt - stopped} ms`);
    await delay(300); // a redial or two into the frozen server
    await server.resume();
    await log.waitType("reconnect", 5_000);
    await theirRec;
    await ours.flush();
    await theirs.flush();
  } finally {
    await theirs.close();
    await ours.close();
    await log.stop();
    if (server.paused) await server.resume();
  }
});

// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * [multi] Clusters of real nats-server processes routed on loopback:
 * `ignoreClusterUpdates` and lame duck mode (discovery is in
 * cluster_discovery_test.ts). RELIABILITY.md §5 tests 14 and 15. Run serially.
 */
import assert from "node:assert/strict";
import { connect, NatsError } from "../../mod.ts";
import { disposeAll, startCluster } from "../_helpers/nats_server.ts";
import { hostport, StatusLog, subsOf, take, uniqueName, waitFor, within } from "./_util.ts";

const FAST = {
  maxReconnectAttempts: -1,
  reconnectTimeWait: 50,
  reconnectTimeWaitMax: 200,
  reconnectJitter: 0,
} as const;

Deno.test("cluster: ignoreClusterUpdates keeps the pool to the URLs given: the seed's death ends the connection instead of failing over", async () => {
  const servers = await startCluster(2);
  const [a, b] = servers;
  const nc = await connect({
    servers: a.url,
    ignoreClusterUpdates: true,
    maxReconnectAttempts: 3,
    reconnectTimeWait: 20,
    reconnectJitter: 0,
  });
  const log = new StatusLog(nc);
  try {
    await nc.flush();
    await a.kill();
    const err = await within(nc.closed(), 5_000, "closed()");
    assert.ok(err instanceof NatsError, `closed() resolved with ${err}`);
    assert.equal(log.of("update").length, 0);
    const tried = new Set(log.of("reconnecting").map((s) => s.server));
    assert.deepEqual([...tried], [hostport(a.port)], `tried ${[...tried]}, b is ${b.port}`);
  } finally {
    await nc.close();
    await log.stop();
    await disposeAll(servers);
  }
});

Deno.test("lame duck: signal ldm -> ldm status at once; the client moves to the other node by itself with no publish lost or duplicated", async () => {
  const servers = await startCluster(2, {
    // 2.9.10 refuses a lame_duck_duration under 30s; the grace period is what delays the closing.
    config: { lame_duck_duration: "30s", lame_duck_grace_period: "1s" },
  });
  const [a, b] = servers;
  const name = uniqueName("ldm");
  const nc = await connect({ servers: [a.url, b.url], noRandomize: true, name, ...FAST });
  const log = new StatusLog(nc);
  // The witness sits on the node that stays up and counts every publish.
  const witness = await connect({ servers: b.url, ignoreClusterUpdates: true });
  try {
    assert.equal(nc.getServer(), a.url);
    const counts = new Map<number, number>();
    const wsub = witness.subscribe("ldm.seq", {
      callback: (_e, m) => {
        const n = Number(m.string());
        counts.set(n, (counts.get(n) ?? 0) + 1);
      },
    });
    await witness.flush();
    const own = nc.subscribe("ldm.own");
    await nc.flush();
    // Interest from b must reach a before publishing there.
    await waitFor(async () => {
      const probe = await connect({ servers: a.url, ignoreClusterUpdates: true });
      try {
        const before = wsub.getReceived();
        probe.publish("ldm.seq", "-1");
        await probe.flush();
        await witness.flush();
        return wsub.getReceived() > before;
      } finally {
        await probe.close();
      }
    }, "the witness's interest on a");
    counts.delete(-1);

    let next = 0;
    const burst = (n: number) => {
      for (let i = 0; i < n; i++) nc.publish("ldm.seq", String(next++));
    };
    burst(1_000);
    await nc.flush();
    await a.signal("ldm");
    const signalled = performance.now();
    const ldm = await log.waitType("ldm", 2_000);
    assert.equal(ldm.status.server, hostport(a.port));
    assert.ok(ldm.at - signalled < 1_000, `ldm after ${(ldm.at - signalled).toFixed(0)} ms`);
    burst(1_000); // published as the client leaves the lame duck
    const rec = await log.waitType("reconnect", 5_000);
    assert.equal(rec.status.server, hostport(b.port), log.describe());
    // The move was the client's own: it came before the grace period ended.
    assert.ok(rec.at - signalled < 1_000, `moved after ${(rec.at - signalled).toFixed(0)} ms`);
    burst(1_000);
    await nc.flush();

    await waitFor(() => counts.size >= next, `all ${next} publishes at the witness`, 5_000).catch(
      () => {},
    );
    await witness.flush();
    const missing = [];
    for (let i = 0; i < next; i++) if (!counts.has(i)) missing.push(i);
    assert.deepEqual(missing.slice(0, 20), [], `${missing.length} publishes lost`);
    const dups = [...counts].filter(([, c]) => c > 1).map(([n]) => n);
    assert.deepEqual(dups.slice(0, 20), [], `${dups.length} publishes duplicated`);
    // Never back to the lame duck, and the subscription moved along.
    for (const r of log.of("reconnecting")) assert.notEqual(r.server, hostport(a.port));
    assert.deepEqual((await subsOf(b, name)).map((s) => s.subject), ["ldm.own"]);
    nc.publish("ldm.own", "here");
    assert.equal((await take(own, 1))[0].string(), "here");
    await a.waitForExit(10_000);
  } finally {
    await witness.close();
    await nc.close();
    await log.stop();
    await disposeAll(servers);
  }
});

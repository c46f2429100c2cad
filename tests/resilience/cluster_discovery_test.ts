// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * [multi] Discovery: servers learned from INFO `connect_urls` join the pool
 * (the first INFO included), `update` status events announce changes, and a
 * client seeded with one URL fails over to a discovered node.
 * RELIABILITY.md §5 test 14. Run serially.
 */
import assert from "node:assert/strict";
import { connect } from "../../mod.ts";
import { disposeAll, NatsServer, startCluster, waitForCluster } from "../_helpers/nats_server.ts";
import { connsNamed, hostport, StatusLog, subsOf, take, uniqueName, waitFor } from "./_util.ts";

const FAST = {
  maxReconnectAttempts: -1,
  reconnectTimeWait: 50,
  reconnectTimeWaitMax: 200,
  reconnectJitter: 0,
} as const;

Deno.test("cluster: seeded with one URL of a 3-node cluster, the client learns the others from the first INFO and fails over to one of them < 2 s after the seed's SIGKILL", async () => {
  const servers = await startCluster(3);
  const [a, b, c] = servers;
  const name = uniqueName("failover");
  const nc = await connect({ servers: a.url, name, ...FAST });
  const log = new StatusLog(nc);
  try {
    const sub = nc.subscribe("fo.x");
    await nc.flush();
    await a.kill();
    const killed = performance.now();
    const rec = await log.waitType("reconnect", 5_000);
    const ms = rec.at - killed;
    assert.ok(
      [hostport(b.port), hostport(c.port)].includes(rec.status.server),
      `reconnected to ${rec.status.server}; events ${log.describe()}`,
    );
    assert.ok(ms < 2_000, `failover took ${ms.toFixed(0)} ms`);
    // No attempt ever went to a server outside the cluster.
    const known = new Set([a, b, c].map((s) => hostport(s.port)));
    for (const r of log.of("reconnecting")) assert.ok(known.has(r.server), r.server);
    // The subscription came along: a publisher on the third node reaches it.
    const target = rec.status.server === hostport(b.port) ? b : c;
    const other = target === b ? c : b;
    await waitFor(async () => (await connsNamed(target, name)).length === 1, "client on target");
    assert.deepEqual((await subsOf(target, name)).map((s) => s.subject), ["fo.x"]);
    const pub = await connect({ servers: other.url });
    try {
      // Interest crosses the route shortly after the SUB: poll until it arrives.
      await waitFor(async () => {
        pub.publish("fo.x", "via-route");
        await pub.flush();
        return sub.getReceived() > 0;
      }, "a message over the route");
    } finally {
      await pub.close();
    }
    assert.equal((await take(sub, 1))[0].string(), "via-route");
  } finally {
    await nc.close();
    await log.stop();
    await disposeAll(servers);
  }
});

Deno.test("cluster: a node joining later is announced as an update status (added), and one leaving as deleted", async () => {
  const servers = await startCluster(2);
  const [a, b] = servers;
  const nc = await connect({ servers: a.url, ...FAST });
  const log = new StatusLog(nc);
  try {
    await nc.flush();
    const clusterName = String((a.config.cluster as { name: string }).name);
    const c = await NatsServer.start({ cluster: { name: clusterName, routes: [a.routeUrl!] } });
    servers.push(c);
    await waitForCluster([a, b, c]);
    const added = await log.wait(
      (s) => s.type === "update" && (s.added ?? []).includes(hostport(c.port)),
      `update adding ${hostport(c.port)}`,
    );
    const ev = added.status as { added?: string[]; deleted?: string[] };
    assert.ok(!(ev.added ?? []).includes(hostport(a.port)), "the current server was re-added");
    assert.ok(!(ev.added ?? []).includes(hostport(b.port)), "b was already known");

    const from = log.events.length;
    await c.kill();
    await log.wait(
      (s) => s.type === "update" && (s.deleted ?? []).includes(hostport(c.port)),
      `update deleting ${hostport(c.port)}`,
      5_000,
      from,
    );
    assert.equal(log.of("disconnect").length, 0);
  } finally {
    await nc.close();
    await log.stop();
    await disposeAll(servers);
  }
});

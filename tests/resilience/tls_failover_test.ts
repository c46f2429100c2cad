// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
import assert from "node:assert/strict";
import { connect } from "../../mod.ts";
import { disposeAll, generateCerts, startCluster } from "../_helpers/nats_server.ts";

// The servers' certificate names only "localhost", while the cluster gossips
// its members as 127.0.0.1:<port>. Failing over to such an IP must verify the
// certificate against the name of the URL the user gave, not the IP.
Deno.test("fail-over to a gossiped IP keeps the TLS name of the URL given", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const certs = await generateCerts(dir, { serverSans: "DNS:localhost" });
    const servers = await startCluster(2, { tls: { certs } });
    try {
      const [a, b] = servers;
      const nc = await connect({
        servers: `tls://localhost:${a.port}`,
        tls: { ca: certs.caPem },
        reconnectTimeWait: 50,
        noRandomize: true,
      });
      try {
        const events: string[] = [];
        const reconnected = (async () => {
          for await (const s of nc.status()) {
            events.push(s.type + ("error" in s && s.error ? `: ${s.error.message}` : ""));
            if (s.type === "reconnect") return s.server;
          }
        })();
        await a.kill();
        const server = await Promise.race([
          reconnected,
          new Promise<string>((_, reject) => {
            const t = setTimeout(
              () => reject(new Error(`no reconnect: ${events.join(" | ")}`)),
              10_000,
            );
            reconnected.finally(() => clearTimeout(t));
          }),
        ]);
        assert.equal(server, `127.0.0.1:${b.port}`);
        assert.equal(nc.getServer(), `tls://127.0.0.1:${b.port}`);
        assert.equal(nc.info?.tls_required, true);
        const sub = nc.subscribe("t", { max: 1 });
        nc.publish("t", "still secure");
        for await (const m of sub) assert.equal(m.string(), "still secure");
      } finally {
        await nc.close();
      }
    } finally {
      await disposeAll(servers);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

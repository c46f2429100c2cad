// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * The runtime scenarios under Deno: the WebSocket-only entry (`./ws`)
 * against nats-server's websocket listener, `ws://` URLs through the Deno
 * entry (`.`), and TLS through the Deno entry (`Deno.startTls`, or
 * `node:tls` when a client certificate is given).
 *
 * @module
 */
import * as denoApi from "../../../mod.ts";
import * as wsApi from "../../../src/transports/websocket.ts";
import { NatsServer } from "../../_helpers/nats_server.ts";
import { type NatsApi, runAll, type ScenarioEnv, scenarios } from "../_scenarios.ts";

async function runOne(api: NatsApi, name: string, env: ScenarioEnv): Promise<void> {
  const [r] = await runAll(api, env, [name]);
  if (!r.ok) throw new Error(r.error);
}

function wsEnv(srv: NatsServer, runtime: string): ScenarioEnv {
  return {
    runtime,
    url: srv.wsUrl!,
    restart: () => srv.restart(),
    jetstream: true,
    wsOnly: { tcpUrl: srv.url, wsAtTcpPort: `ws://127.0.0.1:${srv.port}` },
  };
}

for (const s of scenarios) {
  if (s.name.startsWith("tls") || s.name.startsWith("backpressure")) continue;
  Deno.test(`deno, ./ws entry over WebSocket: ${s.name}`, async () => {
    await using srv = await NatsServer.start({ websocket: true, jetstream: true });
    await runOne(wsApi, s.name, wsEnv(srv, "deno-ws"));
  });
}

for (
  const name of [
    "publish/subscribe with wildcards",
    "server restart: reconnect, subscriptions survive",
  ]
) {
  Deno.test(`deno, . entry with a ws:// URL: ${name}`, async () => {
    await using srv = await NatsServer.start({ websocket: true });
    await runOne(denoApi, name, { ...wsEnv(srv, "deno"), wsOnly: undefined, jetstream: false });
  });
}

Deno.test("deno, . entry: tls: upgrade with ca, cert and key; typed failures", async () => {
  await using srv = await NatsServer.start({ tls: { verify: true } });
  const c = srv.certs!;
  await runOne(denoApi, "tls: upgrade with ca, cert and key; typed failures", {
    runtime: "deno",
    url: srv.url,
    restart: () => srv.restart(),
    jetstream: false,
    tls: { url: srv.url, ca: c.caPem, cert: c.clientCertPem!, key: c.clientKeyPem! },
  });
});

Deno.test("deno, . entry: Deno.startTls path keeps typed errors (no client certificate needed)", async () => {
  await using srv = await NatsServer.start({ tls: true });
  const c = srv.certs!;
  const nc = await denoApi.connect({ servers: srv.url, tls: { caFile: c.caFile } });
  await nc.flush();
  await nc.close();
  for (
    const [tls, reason] of [
      [{}, "untrusted-certificate"],
      [{ ca: c.caPem, servername: "nats.example.com" }, "hostname-mismatch"],
    ] as const
  ) {
    const err = await denoApi.connect({ servers: srv.url, tls, reconnect: false }).then(
      () => undefined,
      (e) => e,
    );
    if (!(err instanceof denoApi.TlsError) || err.reason !== reason) {
      throw new Error(`expected TlsError ${reason}, got ${err}`);
    }
  }
});

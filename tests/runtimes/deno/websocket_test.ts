// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * The runtime scenarios under Deno: the WebSocket-only entry (`./ws`)
 * against nats-server's websocket listener, `ws://` URLs through the Deno
 * entry (`.`), a burst over TCP through the Deno entry and the `./node`
 * entry (node:net under Deno), and TLS through the Deno entry
 * (`Deno.startTls`, or `node:tls` when a client certificate is given).
 *
 * @module
 */
import * as denoApi from "../../../mod.ts";
import * as wsApi from "../../../src/transports/websocket.ts";
import * as nodeApi from "../../../src/transports/node.ts";
import { generateCerts, NatsServer } from "../../_helpers/nats_server.ts";
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

// The burst over TCP: Deno's transport (one reused read buffer, so payloads
// are copied) and the node:net transport under Deno (owned chunks, payloads
// are views; writes pipelined).
for (const [entry, api] of [[".", denoApi], ["./node (node:net)", nodeApi]] as const) {
  const name = "burst: order and kept payloads intact across writes and chunks";
  Deno.test(`deno, ${entry} entry over TCP: ${name}`, async () => {
    await using srv = await NatsServer.start();
    await runOne(api, name, {
      runtime: "deno",
      url: srv.url,
      restart: () => srv.restart(),
      jetstream: false,
    });
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

Deno.test("deno, ./ws entry: wss:// with the CA trusted through --cert; untrusted → TlsError", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nats-rt-wss-" });
  try {
    const c = await generateCerts(dir);
    await using srv = await NatsServer.start({
      websocket: true,
      config: { websocket: { no_tls: false, tls: { cert_file: c.certFile, key_file: c.keyFile } } },
    });
    // Deno reads extra CAs at startup only (--cert), so the client runs in a child process.
    const script = `${dir}/client.ts`;
    await Deno.writeTextFile(
      script,
      `import * as api from ${
        JSON.stringify(new URL("../../../src/transports/websocket.ts", import.meta.url).href)
      };
try {
  const nc = await api.connect({ servers: "wss://127.0.0.1:${srv.wsPort}", reconnect: false });
  const sub = nc.subscribe("wss.t", { max: 1 });
  nc.publish("wss.t", "over wss");
  for await (const m of sub) console.log("OK " + m.string());
  await nc.close();
} catch (e) {
  console.log("ERR " + e.name + " " + e.reason + " " + e.message);
}
`,
    );
    const runClient = async (args: string[]) => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--no-lock", ...args, script],
        stdout: "piped",
        stderr: "piped",
      }).output();
      return new TextDecoder().decode(out.stdout).trim();
    };
    const trusted = await runClient([`--cert=${c.caFile}`]);
    if (trusted !== "OK over wss") throw new Error(`wss with --cert: ${trusted}`);
    const untrusted = await runClient([]);
    if (!untrusted.startsWith("ERR TlsError untrusted-certificate")) {
      throw new Error(`wss without the CA: ${untrusted}`);
    }
    if (!untrusted.includes("DENO_CERT")) throw new Error(`no advice: ${untrusted}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

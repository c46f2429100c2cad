// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
import assert from "node:assert/strict";
import { connect } from "../../mod.ts";
import { NatsServer } from "../_helpers/nats_server.ts";

Deno.test("tls:// to a plain-text server is refused before any CONNECT byte is sent", async () => {
  await using srv = await NatsServer.start({ trace: true });
  const secret = "s3cret-never-sent";
  await assert.rejects(
    connect({ servers: srv.url.replace("nats://", "tls://"), pass: secret, user: "u" }),
    (err: Error & { code?: string }) => {
      assert.equal(err.code, "TLS_NOT_AVAILABLE");
      assert.match(err.message, /does not offer it/);
      return true;
    },
  );
  // Same with the tls option on a nats:// URL.
  await assert.rejects(
    connect({ servers: srv.url, tls: {}, user: "u", pass: secret }),
    (err: Error & { code?: string }) => err.code === "TLS_NOT_AVAILABLE",
  );
  // The server saw connections but never a CONNECT (nor the password).
  const logs = await srv.logs();
  assert.ok(!logs.includes("CONNECT"), "no CONNECT reached the server");
  assert.ok(!logs.includes(secret));
});

Deno.test("a server that requires TLS is upgraded to automatically under a nats:// URL", async () => {
  await using srv = await NatsServer.start({ tls: true });
  const url = srv.url.replace("tls://", "nats://");
  const nc = await connect({ servers: url, tls: { ca: srv.certs!.caPem } });
  try {
    assert.equal(nc.info?.tls_required, true);
    const sub = nc.subscribe("t", { max: 1 });
    nc.publish("t", "secure");
    for await (const m of sub) assert.equal(m.string(), "secure");
  } finally {
    await nc.close();
  }
});

// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * `maxReconnectAttempts: 0` means "never reconnect", not "never connect": the
 * first connect is not a reconnect attempt (nats.js and nats.go agree).
 */
import assert from "node:assert/strict";
import { connect, NatsError } from "../../mod.ts";
import { NatsServer } from "../_helpers/nats_server.ts";
import { StatusLog, within } from "./_util.ts";

Deno.test("maxReconnectAttempts 0: the first connect works; after the server dies the connection closes without a single reconnect attempt", async () => {
  await using server = await NatsServer.start();
  const nc = await connect({ servers: server.url, maxReconnectAttempts: 0 });
  const log = new StatusLog(nc);
  try {
    await nc.flush();
    await server.kill();
    const err = await within(nc.closed(), 5_000, "closed()");
    assert.ok(err instanceof NatsError, `closed() resolved with ${err}`);
    assert.equal(log.of("reconnecting").length, 0, log.describe());
    assert.equal(log.of("disconnect").length, 1);
  } finally {
    await nc.close();
    await log.stop();
  }
});

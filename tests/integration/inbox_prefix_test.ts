// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
import assert from "node:assert/strict";
import { connect, jetstream, jetstreamManager } from "../../mod.ts";
import { NatsServer } from "../_helpers/nats_server.ts";

// A user whose permissions allow replies only under a custom inbox prefix:
// requests and JetStream (publish acks, pulls) must all use that prefix.
Deno.test("inboxPrefix is honoured by requests and JetStream", async () => {
  await using srv = await NatsServer.start({
    jetstream: true,
    config: {
      authorization: {
        users: [{
          user: "a",
          password: "b",
          permissions: {
            publish: { allow: [">"] },
            subscribe: { allow: ["_MY.>", "svc"], deny: ["_INBOX.>"] },
          },
        }],
      },
    },
  });
  const nc = await connect({ servers: srv.url, user: "a", pass: "b", inboxPrefix: "_MY" });
  try {
    assert.match(nc.createInbox(), /^_MY\.[0-9A-Za-z]{22}$/);
    nc.subscribe("svc", { callback: (_e, m) => m.respond("ok") });
    assert.equal((await nc.request("svc", "x")).string(), "ok");
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: "P", subjects: ["p.>"] });
    const js = jetstream(nc);
    const pa = await js.publish("p.1", "hello");
    assert.equal(pa.seq, 1);
    await jsm.consumers.add("P", { durable_name: "c", ack_policy: "explicit" });
    const c = await js.consumers.get("P", "c");
    const m = await c.next({ expires: 2_000 });
    assert.equal(m?.string(), "hello");
    m?.ack();
  } finally {
    await nc.close();
  }
});

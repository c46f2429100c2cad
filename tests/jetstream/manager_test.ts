// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * JetStream manager against nats-server with JetStream: account info,
 * stream and consumer CRUD in the server's wire shape, paging, stored
 * messages, error codes, and fields an older server drops.
 */
import assert from "node:assert/strict";
import {
  AckPolicy,
  connect,
  ConsumerNotFoundError,
  DeliverPolicy,
  DiscardPolicy,
  headers,
  JetStreamApiCodes,
  JetStreamApiError,
  JetStreamError,
  jetstreamManager,
  JetStreamNotEnabledError,
  millis,
  nanos,
  ReplayPolicy,
  RetentionPolicy,
  StorageType,
  StreamNotFoundError,
} from "../../mod.ts";
import { NatsServer } from "../_helpers/nats_server.ts";
import { fill, rejects, waitFor, withJs } from "./_js.ts";

Deno.test("getAccountInfo() reads $JS.API.INFO: limits and usage", async () => {
  await withJs(async ({ jsm }) => {
    const before = await jsm.getAccountInfo();
    assert.equal(before.streams, 0);
    assert.equal(before.limits.max_streams, -1);
    await jsm.streams.add({ name: "A", subjects: ["a"] });
    const after = await jsm.getAccountInfo();
    assert.equal(after.streams, 1);
    assert.ok(after.api.total > before.api.total);
  });
});

Deno.test("jetstreamManager() on a server without JetStream fails at once with JetStreamNotEnabledError", async () => {
  await using server = await NatsServer.start();
  const nc = await connect({ servers: server.url });
  try {
    const t0 = performance.now();
    const err = await rejects(jetstreamManager(nc));
    assert.ok(err instanceof JetStreamNotEnabledError, String(err));
    assert.match(err.message, /JetStream is not enabled/);
    assert.match(err.message, /\$JS\.API\.INFO/);
    assert.ok(performance.now() - t0 < 1_000, "503 must not wait for the timeout");
    // checkAPI: false defers the error to the first call.
    const jsm = await jetstreamManager(nc, { checkAPI: false });
    assert.ok(await rejects(jsm.streams.info("X")) instanceof JetStreamNotEnabledError);
  } finally {
    await nc.close();
  }
});

Deno.test("a wrong domain is reported as JetStream not enabled, naming the prefix", async () => {
  await withJs(async ({ nc }) => {
    const err = await rejects(jetstreamManager(nc, { domain: "nowhere" }));
    assert.ok(err instanceof JetStreamNotEnabledError);
    assert.match(err.message, /\$JS\.nowhere\.API/);
    await assert.rejects(jetstreamManager(nc, { domain: "a", apiPrefix: "b" }), TypeError);
  });
});

Deno.test("streams.add() sends the full config in wire shape and the server keeps every field", async () => {
  await withJs(async ({ jsm }) => {
    const si = await jsm.streams.add({
      name: "FULL",
      subjects: ["full.>", "other.*"],
      description: "all the knobs",
      retention: RetentionPolicy.Limits,
      storage: StorageType.Memory,
      num_replicas: 1,
      max_msgs: 1000,
      max_bytes: 1 << 20,
      max_age: nanos(60_000),
      max_msg_size: 512,
      max_msgs_per_subject: 10,
      discard: DiscardPolicy.New,
      duplicate_window: nanos(30_000),
      allow_rollup_hdrs: true,
      deny_delete: true,
      deny_purge: false, // roll-ups need purges
      allow_direct: true,
      max_consumers: 5,
    });
    const c = si.config;
    assert.deepEqual(c.subjects, ["full.>", "other.*"]);
    assert.equal(c.description, "all the knobs");
    assert.equal(c.retention, "limits");
    assert.equal(c.storage, "memory");
    assert.equal(c.num_replicas, 1);
    assert.equal(c.max_msgs, 1000);
    assert.equal(c.max_bytes, 1 << 20);
    assert.equal(c.max_age, 60_000_000_000);
    assert.equal(millis(c.max_age), 60_000);
    assert.equal(c.max_msg_size, 512);
    assert.equal(c.max_msgs_per_subject, 10);
    assert.equal(c.discard, "new");
    assert.equal(c.duplicate_window, 30_000_000_000);
    assert.equal(c.allow_rollup_hdrs, true);
    assert.equal(c.deny_delete, true);
    assert.equal(c.deny_purge, false);
    assert.equal(c.allow_direct, true);
    assert.equal(c.max_consumers, 5);
    assert.equal(si.state.messages, 0);
    const locked = await jsm.streams.add({
      name: "LOCKED",
      subjects: ["locked"],
      deny_purge: true,
    });
    assert.equal(locked.config.deny_purge, true);
    assert.ok(await rejects(jsm.streams.purge("LOCKED")) instanceof JetStreamApiError);
  });
});

Deno.test("streams.add(): retention interest/workqueue and file storage; replicas sent as given", async () => {
  await withJs(async ({ jsm }) => {
    const wq = await jsm.streams.add({
      name: "WQ",
      subjects: ["wq"],
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
    });
    assert.equal(wq.config.retention, "workqueue");
    assert.equal(wq.config.storage, "file");
    const interest = await jsm.streams.add({
      name: "INT",
      subjects: ["int"],
      retention: RetentionPolicy.Interest,
    });
    assert.equal(interest.config.retention, "interest");
    // num_replicas is never forced to 1: R3 on a single server is the server's 10074.
    const err = await rejects(jsm.streams.add({ name: "R3", subjects: ["r3"], num_replicas: 3 }));
    assert.ok(err instanceof JetStreamApiError, String(err));
    assert.equal(err.code, JetStreamApiCodes.StreamReplicasNotSupported);
    assert.match(err.message, /replicas/);
  });
});

Deno.test("streams.add() is idempotent for the same config; a different config is 10058", async () => {
  await withJs(async ({ jsm }) => {
    await jsm.streams.add({ name: "S", subjects: ["s"] });
    const again = await jsm.streams.add({ name: "S", subjects: ["s"] });
    assert.equal(again.config.name, "S");
    const err = await rejects(jsm.streams.add({ name: "S", subjects: ["other"] }));
    assert.ok(err instanceof JetStreamApiError);
    assert.equal(err.code, 10058);
    assert.equal(err.err_code, 10058);
    assert.equal(err.status, 400);
    assert.match(err.message, /create stream "S"/);
    assert.match(err.message, /different configuration/);
    assert.deepEqual(err.apiError(), {
      code: 400,
      err_code: 10058,
      description: err.description,
    });
  });
});

Deno.test("stream names are validated before anything is sent", async () => {
  await withJs(async ({ jsm }) => {
    for (const bad of ["", "a.b", "a*", "a>", "a b", "a/b", "a\\b"]) {
      await assert.rejects(jsm.streams.add({ name: bad, subjects: ["x"] }), TypeError, bad);
      await assert.rejects(jsm.streams.info(bad), TypeError);
    }
    assert.equal((await jsm.getAccountInfo()).streams, 0);
  });
});

Deno.test("streams.update() merges over the current config; missing stream 10059; forbidden change refused", async () => {
  await withJs(async ({ jsm }) => {
    await jsm.streams.add({
      name: "U",
      subjects: ["u"],
      max_msgs: 10,
      storage: StorageType.Memory,
    });
    const si = await jsm.streams.update("U", { max_msgs: 20, subjects: ["u", "u2"] });
    assert.equal(si.config.max_msgs, 20);
    assert.deepEqual(si.config.subjects, ["u", "u2"]);
    assert.equal(si.config.storage, "memory", "unchanged fields are kept");
    const missing = await rejects(jsm.streams.update("NOPE", { max_msgs: 1 }));
    assert.ok(missing instanceof StreamNotFoundError);
    assert.equal((missing as JetStreamApiError).code, 10059);
    const forbidden = await rejects(
      jsm.streams.update("U", { storage: StorageType.File } as never),
    );
    assert.ok(forbidden instanceof JetStreamApiError);
    assert.match(forbidden.message, /storage/i);
  });
});

Deno.test("streams.info() with subjects_filter and deleted_details; delete() then 10059", async () => {
  await withJs(async ({ jsm, js }) => {
    await jsm.streams.add({ name: "I", subjects: ["i.>"] });
    await js.publish("i.a", "1");
    await js.publish("i.b", "2");
    await js.publish("i.a", "3");
    await jsm.streams.deleteMessage("I", 2);
    const si = await jsm.streams.info("I", { subjects_filter: ">", deleted_details: true });
    assert.deepEqual(si.state.subjects, { "i.a": 2 });
    assert.deepEqual(si.state.deleted, [2]);
    assert.equal(si.state.last_seq, 3);
    assert.equal(await jsm.streams.delete("I"), true);
    const err = await rejects(jsm.streams.info("I"));
    assert.ok(err instanceof StreamNotFoundError);
    assert.match(err.message, /stream info "I": stream not found \(err_code 10059/);
    assert.ok(await rejects(jsm.streams.delete("I")) instanceof StreamNotFoundError);
  });
});

Deno.test("streams.purge(): all, by filter, below seq, keep newest; seq+keep refused", async () => {
  await withJs(async ({ jsm, js }) => {
    await jsm.streams.add({ name: "P", subjects: ["p.>"] });
    const load = async () => {
      await jsm.streams.purge("P");
      for (let i = 0; i < 5; i++) await js.publish(i % 2 ? "p.odd" : "p.even", String(i));
    };
    await load();
    assert.deepEqual(await jsm.streams.purge("P"), { success: true, purged: 5 });
    await load();
    assert.equal((await jsm.streams.purge("P", { filter: "p.odd" })).purged, 2);
    await load();
    const last = (await jsm.streams.info("P")).state.last_seq;
    assert.equal((await jsm.streams.purge("P", { seq: last - 1 })).purged, 3);
    await load();
    const keep = await jsm.streams.purge("P", { keep: 1 });
    assert.equal(keep.purged, 4);
    assert.equal((await jsm.streams.info("P")).state.messages, 1);
    await assert.rejects(jsm.streams.purge("P", { seq: 1, keep: 1 } as never), TypeError);
  });
});

Deno.test("names() and list() page through more than 1024 streams; empty lists are []", async () => {
  await withJs(async ({ jsm }) => {
    assert.deepEqual(await jsm.streams.names().next(), []);
    const all: string[] = [];
    for await (const n of jsm.streams.names()) all.push(n);
    assert.deepEqual(all, []);
    const infos = [];
    for await (const s of jsm.streams.list()) infos.push(s);
    assert.deepEqual(infos, []);

    const N = 1030;
    for (let b = 0; b < N; b += 100) {
      await Promise.all(
        Array.from({ length: Math.min(100, N - b) }, (_, i) =>
          jsm.streams.add({
            name: `S${b + i}`,
            subjects: [`s.${b + i}`],
            storage: StorageType.Memory,
          })),
      );
    }
    const pager = jsm.streams.names();
    const p1 = await pager.next();
    const p2 = await pager.next();
    assert.equal(p1.length, 1024, "the server's NAMES page is 1024");
    assert.equal(p2.length, N - 1024);
    assert.deepEqual(await pager.next(), []);
    const names = new Set<string>();
    for await (const n of jsm.streams.names()) names.add(n);
    assert.equal(names.size, N);
    assert.ok(names.has("S0") && names.has(`S${N - 1}`));

    const lister = jsm.streams.list();
    assert.equal((await lister.next()).length, 256, "the server's LIST page is 256");
    let count = 1;
    const seen = new Set<string>();
    for await (const si of jsm.streams.list()) {
      seen.add(si.config.name);
      count++;
    }
    assert.equal(seen.size, N);
    assert.ok(count > N);

    const filtered: string[] = [];
    for await (const n of jsm.streams.names("s.7")) filtered.push(n);
    assert.deepEqual(filtered, ["S7"]);
    assert.equal(await jsm.streams.find("s.42"), "S42");
    await assert.rejects(jsm.streams.find("nothing.here"), JetStreamError);
  });
});

Deno.test("getMessage() by seq and last_by_subj with headers; null when missing; deleteMessage()", async () => {
  await withJs(async ({ jsm, js }) => {
    await jsm.streams.add({ name: "M", subjects: ["m.>"] });
    const h = headers();
    h.set("X-Tag", "one");
    await js.publish("m.a", "first", { headers: h });
    await js.publish("m.b", Uint8Array.from([0, 1, 2, 255]));
    await js.publish("m.a", "third");
    const one = await jsm.streams.getMessage("M", { seq: 1 });
    assert.ok(one);
    assert.equal(one.subject, "m.a");
    assert.equal(one.seq, 1);
    assert.equal(one.string(), "first");
    assert.equal(one.header.get("X-Tag"), "one");
    assert.ok(Math.abs(one.time.getTime() - Date.now()) < 60_000);
    const bin = await jsm.streams.getMessage("M", { seq: 2 });
    assert.deepEqual(bin?.data, Uint8Array.from([0, 1, 2, 255]));
    assert.deepEqual(bin?.header.keys(), []);
    const last = await jsm.streams.getMessage("M", { last_by_subj: "m.a" });
    assert.equal(last?.seq, 3);
    assert.equal(last?.string(), "third");
    assert.equal(await jsm.streams.getMessage("M", { seq: 99 }), null);
    assert.equal(await jsm.streams.getMessage("M", { last_by_subj: "m.zzz" }), null);

    assert.equal(await jsm.streams.deleteMessage("M", 1), true);
    assert.equal(await jsm.streams.deleteMessage("M", 2, false), true);
    assert.equal(await jsm.streams.getMessage("M", { seq: 1 }), null);
    assert.equal(await jsm.streams.getMessage("M", { seq: 2 }), null);
    const gone = await rejects(jsm.streams.deleteMessage("M", 1));
    assert.ok(gone instanceof JetStreamApiError);
    assert.ok(
      await rejects(jsm.streams.getMessage("NOPE", { seq: 1 })) instanceof StreamNotFoundError,
    );
  });
});

Deno.test("mirror and sources are passed through to the server", async () => {
  await withJs(async ({ jsm, js }) => {
    await jsm.streams.add({ name: "ORIGIN", subjects: ["origin.>"] });
    await jsm.streams.add({ name: "MIRROR", mirror: { name: "ORIGIN" } });
    await jsm.streams.add({
      name: "AGG",
      subjects: [],
      sources: [{ name: "ORIGIN", filter_subject: "origin.b" }],
    });
    await js.publish("origin.a", "1");
    await js.publish("origin.b", "2");
    await waitFor(async () => (await jsm.streams.info("MIRROR")).state.messages === 2, "mirror");
    await waitFor(async () => (await jsm.streams.info("AGG")).state.messages === 1, "source");
    const mi = await jsm.streams.info("MIRROR");
    assert.equal(mi.config.mirror?.name, "ORIGIN");
    assert.equal((await jsm.streams.getMessage("AGG", { seq: 1 }))?.subject, "origin.b");
  });
});

Deno.test("fields the server does not support are refused before anything is created", async () => {
  await withJs(async ({ jsm, nc }) => {
    const version = nc.info?.version ?? "";
    await jsm.streams.add({ name: "F", subjects: ["f.>"] });
    const meta = jsm.streams.add({ name: "META", subjects: ["meta"], metadata: { owner: "me" } });
    meta.catch(() => {});
    const multi = jsm.consumers.add("F", {
      durable_name: "two",
      filter_subjects: ["f.a", "f.b"],
    });
    multi.catch(() => {});
    if (!/^2\.9\./.test(version)) {
      // A newer server keeps them.
      assert.deepEqual((await meta).config.metadata?.owner, "me");
      assert.deepEqual((await multi).config.filter_subjects, ["f.a", "f.b"]);
      return;
    }
    const err = await rejects(meta);
    assert.ok(err instanceof JetStreamError);
    assert.match(err.message, /"metadata" needs nats-server 2\.10\.0/);
    assert.ok(await rejects(jsm.streams.info("META")) instanceof StreamNotFoundError);
    const fs = await rejects(multi);
    assert.match(fs.message, /"filter_subjects" needs nats-server 2\.10\.0/);
    assert.ok(await rejects(jsm.consumers.info("F", "two")) instanceof ConsumerNotFoundError);
  });
});

Deno.test("a field the server silently drops is detected by comparing the returned config", async () => {
  await withJs(async ({ jsm }) => {
    // Stands for a field newer than the server (the server ignores unknown JSON fields).
    const cfg = { name: "NEW", subjects: ["new"], some_future_field: true };
    const err = await rejects(jsm.streams.add(cfg));
    assert.ok(err instanceof JetStreamError);
    assert.match(err.message, /did not keep field\(s\) "some_future_field"/);
    await jsm.streams.add({ name: "C", subjects: ["c"] });
    const cerr = await rejects(
      jsm.consumers.add("C", { durable_name: "d", future_knob: 3 } as never),
    );
    assert.match(cerr.message, /did not keep field\(s\) "future_knob"/);
  });
});

Deno.test("consumers: durable with durable_name, ephemeral without; nothing turned durable", async () => {
  await withJs(async ({ jsm }) => {
    await jsm.streams.add({ name: "C", subjects: ["c.>"] });
    const durable = await jsm.consumers.add("C", {
      durable_name: "dur",
      ack_policy: AckPolicy.Explicit,
    });
    assert.equal(durable.name, "dur");
    assert.equal(durable.config.durable_name, "dur");

    const eph = await jsm.consumers.add("C", { ack_policy: AckPolicy.Explicit });
    assert.equal(eph.config.durable_name, undefined, "ephemeral: no durable_name");
    assert.ok(eph.name.length > 0, "the server assigned a name");
    assert.notEqual(eph.name, "dur");

    const named = await jsm.consumers.add("C", {
      name: "eph-named",
      ack_policy: AckPolicy.None,
      inactive_threshold: nanos(30_000),
    });
    assert.equal(named.name, "eph-named");
    assert.equal(named.config.durable_name, undefined);
    assert.equal(named.config.inactive_threshold, nanos(30_000));

    const names = [];
    for await (const ci of jsm.consumers.list("C")) names.push(ci.name);
    assert.deepEqual(names.sort(), [eph.name, "dur", "eph-named"].sort());
    assert.equal((await jsm.consumers.info("C", "dur")).name, "dur");
    assert.equal(await jsm.consumers.delete("C", "dur"), true);
    const missing = await rejects(jsm.consumers.info("C", "dur"));
    assert.ok(missing instanceof ConsumerNotFoundError);
    assert.equal((missing as JetStreamApiError).code, JetStreamApiCodes.ConsumerNotFound);
    assert.match(missing.message, /consumer info "dur" on stream "C"/);
    const noStream = await rejects(jsm.consumers.info("NOPE", "dur"));
    assert.ok(noStream instanceof StreamNotFoundError);
    assert.ok(await rejects(jsm.consumers.delete("C", "dur")) instanceof ConsumerNotFoundError);
    assert.ok(await rejects(jsm.consumers.add("NOPE", {})) instanceof StreamNotFoundError);
    await assert.rejects(
      jsm.consumers.add("C", { name: "a", durable_name: "b" }),
      TypeError,
    );
  });
});

Deno.test("an ephemeral consumer disappears after its inactive_threshold; a durable stays", async () => {
  await withJs(async ({ jsm }) => {
    await jsm.streams.add({ name: "E", subjects: ["e"] });
    const eph = await jsm.consumers.add("E", {
      ack_policy: AckPolicy.Explicit,
      inactive_threshold: nanos(500),
    });
    await jsm.consumers.add("E", { durable_name: "stays", ack_policy: AckPolicy.Explicit });
    assert.equal((await jsm.consumers.info("E", eph.name)).name, eph.name);
    await waitFor(
      async () => {
        try {
          await jsm.consumers.info("E", eph.name);
          return false;
        } catch (err) {
          return err instanceof ConsumerNotFoundError;
        }
      },
      "the ephemeral consumer to be removed",
      10_000,
      100,
    );
    assert.equal((await jsm.consumers.info("E", "stays")).name, "stays");
  });
});

Deno.test("consumer config fields round-trip in wire shape", async () => {
  await withJs(async ({ jsm, js }) => {
    await jsm.streams.add({ name: "CF", subjects: ["cf.>"] });
    await js.publish("cf.a", "1");
    const start = new Date(Date.now() - 60_000).toISOString();
    const ci = await jsm.consumers.add("CF", {
      durable_name: "all",
      description: "knobs",
      filter_subject: "cf.>",
      deliver_policy: DeliverPolicy.StartTime,
      opt_start_time: start,
      ack_policy: AckPolicy.All,
      ack_wait: nanos(10_000),
      max_deliver: 5,
      backoff: [nanos(1_000), nanos(2_000)],
      max_ack_pending: 50,
      max_waiting: 20,
      max_batch: 10,
      max_expires: nanos(5_000),
      max_bytes: 4096,
      replay_policy: ReplayPolicy.Instant,
      headers_only: true,
      mem_storage: true,
      num_replicas: 1,
    });
    const c = ci.config;
    assert.equal(c.filter_subject, "cf.>");
    assert.equal(c.deliver_policy, "by_start_time");
    assert.equal(Date.parse(c.opt_start_time!), Date.parse(start));
    assert.equal(c.ack_policy, "all");
    // With a backoff the server makes ack_wait its first step.
    assert.equal(c.ack_wait, nanos(1_000));
    assert.equal(c.max_deliver, 5);
    assert.deepEqual(c.backoff, [nanos(1_000), nanos(2_000)]);
    assert.equal(c.max_ack_pending, 50);
    assert.equal(c.max_waiting, 20);
    assert.equal(c.max_batch, 10);
    assert.equal(c.max_expires, nanos(5_000));
    assert.equal(c.max_bytes, 4096);
    assert.equal(c.headers_only, true);
    assert.equal(c.mem_storage, true);
    assert.equal(c.num_replicas, 1);

    const aw = await jsm.consumers.add("CF", { durable_name: "aw", ack_wait: nanos(10_000) });
    assert.equal(aw.config.ack_wait, nanos(10_000));
    for (
      const [policy, extra] of [
        [DeliverPolicy.All, {}],
        [DeliverPolicy.Last, {}],
        [DeliverPolicy.New, {}],
        [DeliverPolicy.StartSequence, { opt_start_seq: 1 }],
        [DeliverPolicy.LastPerSubject, { filter_subject: "cf.>" }],
      ] as const
    ) {
      const x = await jsm.consumers.add("CF", {
        deliver_policy: policy,
        ack_policy: AckPolicy.Explicit,
        ...extra,
      });
      assert.equal(x.config.deliver_policy, policy);
    }
    // The server's own checks come back as API errors with their err_code.
    const bad = await rejects(
      jsm.consumers.add("CF", { durable_name: "bad", max_deliver: 2, backoff: [1, 2, 3] }),
    );
    assert.ok(bad instanceof JetStreamApiError);
    assert.equal(bad.code, 10116);
  });
});

Deno.test("consumers.update() merges; missing consumer 10014; list pages past 256", async () => {
  await withJs(async ({ jsm }) => {
    await jsm.streams.add({ name: "UP", subjects: ["up"], storage: StorageType.Memory });
    await jsm.consumers.add("UP", {
      durable_name: "d",
      ack_policy: AckPolicy.Explicit,
      max_ack_pending: 10,
    });
    const u = await jsm.consumers.update("UP", "d", { description: "new", max_ack_pending: 20 });
    assert.equal(u.config.description, "new");
    assert.equal(u.config.max_ack_pending, 20);
    assert.equal(u.config.ack_policy, "explicit");
    const miss = await rejects(jsm.consumers.update("UP", "nope", { description: "x" }));
    assert.ok(miss instanceof ConsumerNotFoundError);

    const N = 300;
    await Promise.all(
      Array.from(
        { length: N },
        (_, i) => jsm.consumers.add("UP", { durable_name: `c${i}`, ack_policy: AckPolicy.None }),
      ),
    );
    const seen = new Set<string>();
    for await (const ci of jsm.consumers.list("UP")) seen.add(ci.name);
    assert.equal(seen.size, N + 1);
    const fresh = await jsm.streams.add({ name: "EMPTY", subjects: ["empty"] });
    assert.equal(fresh.state.consumer_count, 0);
    assert.deepEqual(await jsm.consumers.list("EMPTY").next(), []);
  });
});

Deno.test("fill() helper stores what it publishes", async () => {
  await withJs(async ({ jsm, js }) => {
    await jsm.streams.add({ name: "FILL", subjects: ["fill"] });
    await fill(js, "fill", 1200);
    assert.equal((await jsm.streams.info("FILL")).state.messages, 1200);
  });
});

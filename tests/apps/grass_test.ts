// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * The GRASS example end to end against real nats-servers on free loopback
 * ports: hand-written messages of every shape (valid and not) end in the
 * right state and counts; a simulated stream matches a reference store built
 * from the same events; a SIGKILL + same-port restart mid-stream keeps the
 * store and loses nothing published after the reconnect; and the CLI and the
 * demo run as subprocesses and exit 0 with the expected summary lines.
 * Waits are event-driven (client counters, status events, child output).
 *
 * @module
 */
import assert from "node:assert/strict";
import { connect, type NatsConnection } from "../../mod.ts";
import { NatsServer } from "../_helpers/nats_server.ts";
import { waitStatus } from "../integration/_util.ts";
import { ValidationFailure } from "../../src/json.ts";
import {
  connectionOptions,
  GRASS_RECONNECT,
  GrassClient,
  reconnectDelay,
} from "../../examples/grass/grass_client.ts";
import { decodeGrass, type GrassEvent } from "../../examples/grass/schema.ts";
import { GrassSimulator, type SimEvent } from "../../examples/grass/simulator.ts";
import { GameStore } from "../../examples/grass/store.ts";
import { covers, matches, normalizePatterns } from "../../examples/grass/subjects.ts";

const ROOT = new URL("../../", import.meta.url);
const T0 = Date.UTC(2026, 0, 1);
/** Reconnect fast in tests: 50 ms doubling to 200 ms, no retry limit. */
const FAST = connectionOptions({
  firstWaitMs: 50,
  maxWaitMs: 200,
  maxRetries: -1,
  factor: 2,
  jitterMs: 0,
});

/** The store a correct client ends with after `events`: decoded locally. */
function reference(events: readonly SimEvent[]): GameStore {
  const store = new GameStore();
  for (const e of events) {
    if (e.expect !== "valid") continue;
    const ev = decodeGrass(e.subject, JSON.parse(e.payload));
    assert.ok(!(ev instanceof ValidationFailure), `${e.kind}: ${(ev as Error).message}`);
    store.apply(ev as GrassEvent);
  }
  return store;
}

function publishAll(nc: NatsConnection, events: readonly SimEvent[]): void {
  for (const e of events) nc.publish(e.subject, e.payload);
}

// ---------------------------------------------------------------- no server

Deno.test("grass: subjects — structs.player.* matches no player subject and is rewritten; covered patterns are dropped", () => {
  assert.equal(matches("structs.player.*", "structs.player.0-1.1-11"), false);
  assert.equal(matches("structs.player.*.*", "structs.player.0-1.1-11"), true);
  assert.equal(matches("structs.player.>", "structs.player.0-1.1-11"), true);
  assert.equal(matches("structs.player.0-1.*", "structs.player.0-1.1-11"), true);
  assert.equal(covers("structs.>", "structs.planet.*"), true);
  assert.equal(covers("structs.planet.*", "structs.>"), false);
  assert.equal(covers("structs.planet.*", "structs.planet.2-1"), true);

  const n = normalizePatterns(["structs.player.*", "planets", "structs.planet.2-1", "global"]);
  assert.deepEqual(n.patterns, ["structs.player.*.*", "structs.planet.*", "structs.global"]);
  assert.match(n.notes[0], /matches no player update .* two id tokens/);
  assert.match(n.notes[1], /"structs.planet.2-1" is already covered by "structs.planet.\*"/);
  assert.deepEqual(normalizePatterns([]).patterns, ["structs.>"]);
  assert.deepEqual(normalizePatterns(["structs.player.0-1"]).patterns, ["structs.player.0-1.*"]);
  assert.deepEqual(normalizePatterns(["structs.player.1-11"]).patterns, ["structs.player.*.1-11"]);
  assert.deepEqual(normalizePatterns(["all", "players", "fleets"]).patterns, ["structs.>"]);
});

Deno.test("grass: the GRASS reconnect guidance maps onto the connection options (1 s doubling, 30 s cap, 10 retries)", () => {
  const waits = [1, 2, 3, 4, 5, 6, 7, 10].map((a) => reconnectDelay(GRASS_RECONNECT, a));
  assert.deepEqual(waits, [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
  const o = connectionOptions();
  assert.equal(o.maxReconnectAttempts, 10);
  assert.equal(o.reconnectTimeWait, 1_000);
  assert.equal(o.reconnectTimeWaitMax, 30_000);
  assert.equal(o.reconnect, true);
  assert.equal(o.reconnectDelayHandler!(3), 4_000);
  const jittered = reconnectDelay({ ...GRASS_RECONNECT, jitterMs: 100 }, 1, () => 0.5);
  assert.equal(jittered, 1_050);
  assert.equal(connectionOptions({ ...GRASS_RECONNECT, maxRetries: 0 }).reconnect, false);
  assert.equal(connectionOptions({ ...GRASS_RECONNECT, maxRetries: -1 }).maxReconnectAttempts, -1);
});

// ---------------------------------------------------------- real nats-server

Deno.test("grass: valid and invalid messages of every shape end in the right state and counts; a processing error is logged and skipped past", async () => {
  await using server = await NatsServer.start();
  const nc = await connect({ servers: server.url, name: "grass-test-client" });
  const pub = await connect({ servers: server.url, name: "grass-test-pub" });
  const logs: string[] = [];
  const client = await GrassClient.start(nc, {
    patterns: ["structs.>"],
    log: (l) => logs.push(l),
    onEvent: (ev) => {
      if (ev.kind === "guild" && ev.guild.id === "0-2") throw new Error("hook failed on 0-2");
    },
  });
  try {
    const ts = "2026-01-01T00:00:00.000Z";
    const send = (subject: string, body: unknown) =>
      pub.publish(subject, typeof body === "string" ? body : JSON.stringify(body));
    const player = { id: "1-11", primaryAddress: "structs1abc", playerId: "1-11", guildId: "0-1" };
    // valid: 11
    send("structs.player.0-1.1-11", { data: { player, event: "address_register", timestamp: ts } });
    send("structs.player.0-1.1-12", {
      data: { id: "1-12", primaryAddress: "structs1def", playerId: "1-12", guildId: "0-1" },
    });
    send("structs.planet.2-1", {
      data: {
        planet: { id: "2-1", ownerId: "1-11", location: "sector-9" },
        event: "planet_consensus",
        timestamp: ts,
      },
    });
    send("structs.planet.2-1", {
      subject: "structs.planet.2-1",
      category: "planet_activity",
      id: 77,
      updated_at: ts,
      data: {
        planetId: "2-1",
        details: { struct_health: { structId: "5-1", health: 40, maxHealth: 100 } },
      },
    });
    send("structs.guild.0-1", {
      data: {
        guild: { id: "0-1", endpoint: "https://g.example" },
        event: "guild_meta",
        timestamp: 1,
      },
    });
    send("structs.guild.0-2", {
      data: { guild: { id: "0-2" }, event: "guild_meta", timestamp: 2 },
    });
    send("structs.struct.5-1", {
      data: {
        struct: { id: "5-1", type: 3, ownerId: "1-11", locationId: "2-1", status: "online" },
        event: "struct_status",
        timestamp: ts,
      },
    });
    send("structs.fleet.9-1", {
      data: {
        fleet: { id: "9-1", ownerId: "1-12", locationId: "2-1", status: "onStation" },
        event: "fleet_arrive",
        timestamp: ts,
      },
    });
    send("structs.global", {
      data: { blockHeight: 105, timestamp: ts, events: [{ type: "block", height: 105 }] },
    });
    send("structs.global", { data: { blockHeight: 104, timestamp: ts, events: [] } }); // older: kept at 105
    send("structs.consensus", { category: "block", height: 105 }); // well-formed, not tracked: ignored
    // invalid: 7
    send("structs.planet.2-1", '{"data": {"planet": ');
    send("structs.planet.2-1", {
      data: { planet: { id: "2-9", ownerId: null, location: "x" }, event: "e", timestamp: ts },
    });
    send("structs.player.0-2.1-11", { data: { player, event: "player_meta", timestamp: ts } });
    send("structs.planet.2-1", {
      subject: "structs.planet.2-2",
      category: "planet_activity",
      id: 78,
      updated_at: ts,
      data: { planetId: "2-1", details: {} },
    });
    send("structs.struct.5-1", { data: { struct: { id: "5-1" }, event: "e", timestamp: ts } });
    send("structs.fleet.fleet-1", { data: {} });
    send("structs.global", { data: { blockHeight: "106", timestamp: ts, events: [] } });
    await pub.flush();
    await client.waitUntil((c) => c.counters.received === 18, 5_000, "18 messages");

    const c = client.counters;
    assert.equal(c.applied, 10, logs.join("\n"));
    assert.equal(c.ignored, 1);
    assert.equal(c.invalid, 7);
    assert.deepEqual(c.invalidBy, { json: 1, shape: 2, mismatch: 3, subject: 1, validator: 0 });
    assert.equal(c.errors, 1);
    assert.ok(
      logs.some((l) => /^error +structs\.guild\.0-2: processing failed: hook failed/.test(l)),
    );
    for (
      const re of [
        /^invalid +structs\.planet\.2-1 \[json\] payload is not JSON/,
        /^invalid +structs\.planet\.2-1 \[mismatch\] data\.planet\.id: planet id "2-9" does not match the subject's "2-1"/,
        /^invalid +structs\.player\.0-2\.1-11 \[mismatch\] data\.player\.guildId: guild id "0-1"/,
        /^invalid +structs\.planet\.2-1 \[mismatch\] subject: body subject "structs\.planet\.2-2"/,
        /^invalid +structs\.struct\.5-1 \[shape\] data\.struct\.type: expected an integer, got nothing/,
        /^invalid +structs\.fleet\.fleet-1 \[subject\] "fleet-1" is not a fleet id/,
        /^invalid +structs\.global \[shape\] data\.blockHeight: expected an integer, got a string/,
      ]
    ) assert.ok(logs.some((l) => re.test(l)), `no log line matches ${re}\n${logs.join("\n")}`);

    const s = client.store.snapshot();
    assert.deepEqual(s.players, [
      { ...player, lastEvent: "address_register", updatedAt: ts, updates: 1 },
      { id: "1-12", primaryAddress: "structs1def", playerId: "1-12", guildId: "0-1", updates: 1 },
    ]);
    assert.deepEqual(s.planets, [{
      id: "2-1",
      ownerId: "1-11",
      location: "sector-9",
      activity: 1,
      lastEvent: "planet_consensus",
      updatedAt: ts,
      updates: 1,
    }]);
    assert.deepEqual(s.structHealth, [
      { structId: "5-1", health: 40, maxHealth: 100, planetId: "2-1", updatedAt: ts },
    ]);
    assert.deepEqual(
      s.guilds.map((g) => g.id),
      ["0-1", "0-2"],
      "the failing hook ran after the store",
    );
    assert.equal(s.guilds[0].endpoint, "https://g.example");
    assert.deepEqual(s.structs.map((x) => [x.id, x.type, x.status]), [["5-1", 3, "online"]]);
    assert.deepEqual(s.fleets.map((x) => [x.id, x.locationId, x.status]), [[
      "9-1",
      "2-1",
      "onStation",
    ]]);
    assert.deepEqual(s.global, { blockHeight: 105, timestamp: ts, updates: 2, blocks: 1 });
    assert.deepEqual(s.applied, {
      player: 2,
      planet: 1,
      planet_activity: 1,
      guild: 2,
      struct: 1,
      fleet: 1,
      global: 2,
    });
  } finally {
    await client.stop();
    await pub.close();
    await nc.close();
  }
});

Deno.test("grass: on a real server structs.player.* receives no player update, structs.player.*.* does", async () => {
  await using server = await NatsServer.start();
  const nc = await connect({ servers: server.url });
  try {
    const one = nc.subscribe("structs.player.*");
    const two = nc.subscribe("structs.player.*.*");
    nc.publish("structs.player.0-1.1-11", "{}");
    await nc.flush(); // same connection: the MSG for our own publish precedes the PONG
    assert.equal(one.getReceived(), 0);
    assert.equal(two.getReceived(), 1);
  } finally {
    await nc.close();
  }
});

Deno.test("grass: a simulated stream (every entity type, ~10% malformed) ends in the reference state with exact counts", async () => {
  await using server = await NatsServer.start();
  const nc = await connect({ servers: server.url });
  const pub = await connect({ servers: server.url });
  const client = await GrassClient.start(nc, {
    patterns: ["players", "planets", "guilds", "structs", "fleets", "global"],
  });
  try {
    const sim = new GrassSimulator({ seed: 7, startTime: T0 });
    const events = sim.world();
    for (let i = 0; i < 400; i++) events.push(sim.next());
    publishAll(pub, events);
    await pub.flush();
    await client.waitUntil((c) => c.counters.received === events.length, 10_000, "all events");

    const c = client.counters;
    assert.equal(c.applied, sim.counts.valid);
    assert.equal(c.invalid, sim.counts.invalid);
    assert.ok(sim.counts.invalid >= 40, "the stream has malformed events");
    for (const k of ["json", "shape", "mismatch", "subject"] as const) {
      assert.equal(c.invalidBy[k], sim.counts.byExpect[k], k);
      assert.ok(c.invalidBy[k] > 0, `no ${k} case`);
    }
    assert.deepEqual(client.store.snapshot(), reference(events).snapshot());
    const kinds = new Set(events.map((e) => e.kind));
    for (
      const k of [
        "player",
        "player (older form)",
        "planet",
        "planet_activity",
        "guild",
        "struct",
        "fleet",
        "global",
      ]
    ) assert.ok(kinds.has(k), `the simulator published no ${k}`);
  } finally {
    await client.stop();
    await pub.close();
    await nc.close();
  }
});

Deno.test("grass: a server restart mid-stream (SIGKILL + same port) keeps the store and loses nothing published after the reconnect", async () => {
  await using server = await NatsServer.start();
  const nc = await connect({ servers: server.url, name: "grass-restart-client", ...FAST });
  const pub = await connect({ servers: server.url, name: "grass-restart-pub", ...FAST });
  const logs: string[] = [];
  const client = await GrassClient.start(nc, { log: (l) => logs.push(l) });
  try {
    const sim = new GrassSimulator({ seed: 3, startTime: T0 });
    const before = sim.world();
    for (let i = 0; i < 150; i++) before.push(sim.next());
    publishAll(pub, before);
    await pub.flush();
    await client.waitUntil((c) => c.counters.received === before.length, 10_000, "batch 1");
    const stateBefore = client.store.snapshot();
    assert.deepEqual(stateBefore, reference(before).snapshot());

    const pubBack = waitStatus(pub, (s) => s.type === "reconnect", 15_000);
    await server.kill();
    await client.waitUntil((c) => c.counters.disconnects === 1, 5_000, "the disconnect");
    assert.equal(client.state, "reconnecting");
    // The store is untouched by the outage.
    assert.deepEqual(client.store.snapshot(), stateBefore);

    await server.restart();
    // Resumed = reconnected, resubscribed, and the server confirmed the SUBs.
    await client.waitUntil((c) => c.counters.resumed === 1, 15_000, "resubscribe");
    await pubBack.promise;
    assert.equal(client.state, "connected");

    const after: SimEvent[] = [];
    for (let i = 0; i < 250; i++) after.push(sim.next());
    publishAll(pub, after);
    await pub.flush();
    const total = before.length + after.length;
    await client.waitUntil((c) => c.counters.received === total, 10_000, "batch 2");

    const all = [...before, ...after];
    assert.equal(client.counters.applied, all.filter((e) => e.expect === "valid").length);
    assert.equal(client.counters.invalid, all.filter((e) => e.expect !== "valid").length);
    assert.deepEqual(client.store.snapshot(), reference(all).snapshot());
    assert.equal(client.counters.reconnects, 1);
    assert.ok(logs.some((l) => l.startsWith("disconnected from")), logs.join("\n"));
    assert.ok(logs.some((l) => l.startsWith("resumed: structs.>")), logs.join("\n"));
  } finally {
    await client.stop();
    await pub.close();
    await nc.close();
  }
});

// ---------------------------------------------------------------- processes

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** A `deno run -A` child whose output is collected as it arrives. */
class Child {
  stdout = "";
  stderr = "";
  readonly done: Promise<Result>;
  #proc: Deno.ChildProcess;
  #waiters = new Set<() => void>();
  #exited = false;

  constructor(script: string, args: string[]) {
    this.#proc = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL(script, ROOT).href, ...args],
      cwd: ROOT.pathname,
      env: { NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const pump = async (s: ReadableStream<Uint8Array>, into: "stdout" | "stderr") => {
      for await (const text of s.pipeThrough(new TextDecoderStream())) {
        this[into] += text;
        for (const w of [...this.#waiters]) w();
      }
    };
    this.done = Promise.all([
      pump(this.#proc.stdout, "stdout"),
      pump(this.#proc.stderr, "stderr"),
      this.#proc.status,
    ]).then(([, , st]) => {
      this.#exited = true;
      for (const w of [...this.#waiters]) w();
      return { code: st.code, stdout: this.stdout, stderr: this.stderr };
    });
  }

  describe(): string {
    return `--- stdout ---\n${this.stdout}\n--- stderr ---\n${this.stderr}`;
  }

  /** Resolves once stdout contains `text` (rejects if the child exits first, or after `ms`). */
  waitFor(text: string, ms = 15_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.stdout.includes(text)) finish();
        else if (this.#exited) {
          finish(new Error(`exited before printing "${text}"\n${this.describe()}`));
        }
      };
      const timer = setTimeout(
        () => finish(new Error(`did not print "${text}" within ${ms} ms\n${this.describe()}`)),
        ms,
      );
      const finish = (err?: Error) => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        if (err) reject(err);
        else resolve();
      };
      this.#waiters.add(check);
      check();
    });
  }

  /** Waits for the exit (killing the child after `ms`). */
  async result(ms = 20_000): Promise<Result> {
    const timer = setTimeout(() => this.kill(), ms);
    try {
      return await this.done;
    } finally {
      clearTimeout(timer);
    }
  }

  kill(): void {
    try {
      this.#proc.kill("SIGKILL");
    } catch {
      // already gone
    }
  }
}

async function run(script: string, args: string[]): Promise<Result> {
  return await new Child(script, args).result();
}

function expectLines(r: Result, lines: string[]): void {
  const dump = `exit ${r.code}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`;
  assert.equal(r.code, 0, dump);
  for (const l of lines) assert.ok(r.stdout.includes(l), `missing "${l}"\n${dump}`);
}

Deno.test("grass: the CLI with --simulate exits 0 once every simulated event is processed, with the expected counts", async () => {
  await using server = await NatsServer.start();
  const sim = new GrassSimulator({ seed: 5 });
  sim.world();
  for (let i = 0; i < 80; i++) sim.next();
  const r = await run("examples/grass/client.ts", [
    "--server",
    server.url,
    "--simulate",
    "--sim-count",
    "80",
    "--sim-rate",
    "2000",
    "--seed",
    "5",
    "--quiet",
    "structs.player.*",
    "all",
  ]);
  expectLines(r, [
    'note: "structs.player.*" matches no player update',
    `subscribed to structs.> on ${server.url}`,
    `stopped: ${sim.counts.total} simulated events processed`,
    `messages applied: ${sim.counts.valid}`,
    `invalid skipped: ${sim.counts.invalid}`,
    "GRASS live summary",
  ]);
});

Deno.test("grass: the CLI subscribes to the patterns given, logs invalid messages with subject and reason, and exits after --count", async () => {
  await using server = await NatsServer.start();
  const child = new Child("examples/grass/client.ts", [
    "--server",
    server.url,
    "--count",
    "5",
    "--interval",
    "50",
    "structs.planet.*",
    "structs.global",
  ]);
  const pub = await connect({ servers: server.url });
  try {
    await child.waitFor("subscribed to structs.planet.* structs.global");
    const planet = (id: string) =>
      JSON.stringify({
        data: { planet: { id, ownerId: "1-1", location: "l" }, event: "e", timestamp: 1 },
      });
    pub.publish("structs.guild.0-1", "not for this client"); // not subscribed: never counted
    pub.publish("structs.planet.2-1", planet("2-1"));
    pub.publish("structs.planet.2-2", planet("2-7"));
    pub.publish("structs.global", '{"data":{"blockHeight":9,"timestamp":1,"events":[]}}');
    pub.publish("structs.global", "{oops");
    pub.publish("structs.planet.2-3", planet("2-3"));
    await pub.flush();
    const r = await child.result();
    expectLines(r, [
      "stopped: 5 messages received",
      "messages applied: 3",
      "invalid skipped: 2",
      'invalid  structs.planet.2-2 [mismatch] data.planet.id: planet id "2-7" does not match the subject\'s "2-2"',
      "invalid  structs.global [json] payload is not JSON",
      "block       height 9",
    ]);
  } finally {
    child.kill();
    await child.done;
    await pub.close();
  }
});

Deno.test("grass: the demo runs simulator + client end to end and exits 0 with the counts (given server, then its own launched server)", async () => {
  await using server = await NatsServer.start();
  const given = await run("examples/grass/demo.ts", ["--server", server.url, "--duration", "0.6"]);
  expectLines(given, [
    `server: ${server.url} (from --server)`,
    'note: "structs.player.*" matches no player update',
    "GRASS live summary",
    "messages applied: ",
    "invalid skipped: ",
    "✔ every valid event applied, every malformed one logged and skipped",
  ]);
  const applied = Number(/messages applied: (\d+)/.exec(given.stdout)![1]);
  const skipped = Number(/invalid skipped: (\d+)/.exec(given.stdout)![1]);
  assert.ok(applied > 20 && skipped > 0, given.stdout);
  assert.match(given.stdout, new RegExp(`simulated: ${applied + skipped} published`));

  const launched = await run("examples/grass/demo.ts", ["--launch", "--duration", "0.2"]);
  expectLines(launched, [
    "(temporary nats-server",
    "✔ every valid event applied",
    "stopped the temporary nats-server",
  ]);
});

// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * A GRASS simulator: a small deterministic world (guilds, players, planets,
 * structs, fleets, the block height) whose changes are published as GRASS
 * would publish them — every entity type and payload form, including the
 * older player form and planet activity with struct health — plus, every
 * `malformedEvery`-th event, a malformed one (bad JSON, wrong shape, ids that
 * disagree with the subject, a malformed subject). Each event says what a
 * correct client must make of it (`expect`).
 *
 *     deno run -A examples/grass/simulator.ts --server nats://127.0.0.1:4222 --rate 50
 *
 * @module
 */
// deno-lint-ignore-file no-console
import type { NatsConnection } from "../../mod.ts";
import { entityId, subjects } from "./subjects.ts";

/** What a client should make of an event. */
export type Expect = "valid" | "json" | "shape" | "mismatch" | "subject";

/** One message to publish. */
export interface SimEvent {
  /** Subject. */
  subject: string;
  /** Payload (JSON text, or not, for malformed ones). */
  payload: string;
  /** The outcome a correct client reaches. */
  expect: Expect;
  /** What it is (`player`, `planet_activity`, `malformed:mismatch-planet`, ...). */
  kind: string;
}

/** Options for {@link GrassSimulator}. */
export interface SimOptions {
  /** Seed of the pseudo-random choices (default 1). */
  seed?: number;
  /** Guilds (default 2). */
  guilds?: number;
  /** Players per guild (default 3). */
  playersPerGuild?: number;
  /** Planets (default 4). */
  planets?: number;
  /** Structs per planet (default 2). */
  structsPerPlanet?: number;
  /** Fleets (default 3). */
  fleets?: number;
  /** Every n-th event is malformed; 0 never (default 10). */
  malformedEvery?: number;
  /** Block height to start from (default 1000). */
  startHeight?: number;
  /** Epoch ms of the first timestamp (default now); each event adds 250 ms. */
  startTime?: number;
}

/** Counts of what was generated. */
export interface SimCounts {
  /** Events generated. */
  total: number;
  /** Valid ones. */
  valid: number;
  /** Malformed ones. */
  invalid: number;
  /** By expected outcome. */
  byExpect: Record<Expect, number>;
}

/** mulberry32: a small seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface SimPlayer {
  id: string;
  guildId: string;
  primaryAddress: string;
}
interface SimPlanet {
  id: string;
  ownerId: string | null;
  location: string;
}
interface SimStruct {
  id: string;
  type: number;
  ownerId: string;
  locationId: string;
  status: string;
  health: number;
  maxHealth: number;
}
interface SimFleet {
  id: string;
  ownerId: string;
  locationId: string;
  status: "onStation" | "away";
}

const BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
const MALFORMED = [
  "json-truncated",
  "mismatch-planet",
  "shape-health-string",
  "mismatch-player-guild",
  "shape-fleet-owner",
  "json-text",
  "mismatch-block",
  "shape-health-above-max",
  "subject-planet-id",
  "shape-legacy-player",
] as const;

/** Generates GRASS events; see the module doc. */
export class GrassSimulator {
  /** What was generated so far. */
  readonly counts: SimCounts = {
    total: 0,
    valid: 0,
    invalid: 0,
    byExpect: { valid: 0, json: 0, shape: 0, mismatch: 0, subject: 0 },
  };
  #rand: () => number;
  #malformedEvery: number;
  #time: number;
  #height: number;
  #seq = 0;
  #activity = 0;
  #malformed = 0;
  #guilds: string[] = [];
  #players: SimPlayer[] = [];
  #planets: SimPlanet[] = [];
  #structs: SimStruct[] = [];
  #fleets: SimFleet[] = [];

  /** @param opts world size, seed, malformed rate, clock */
  constructor(opts: SimOptions = {}) {
    this.#rand = prng(opts.seed ?? 1);
    this.#malformedEvery = opts.malformedEvery ?? 10;
    this.#time = opts.startTime ?? Date.now();
    this.#height = opts.startHeight ?? 1000;
    const g = opts.guilds ?? 2;
    const ppg = opts.playersPerGuild ?? 3;
    for (let i = 1; i <= g; i++) this.#guilds.push(entityId("guild", i));
    let n = 0;
    for (const guildId of this.#guilds) {
      for (let j = 0; j < ppg; j++) {
        this.#players.push({
          id: entityId("player", ++n),
          guildId,
          primaryAddress: this.#address(),
        });
      }
    }
    for (let i = 1; i <= (opts.planets ?? 4); i++) {
      this.#planets.push({
        id: entityId("planet", i),
        ownerId: this.#pick(this.#players).id,
        location: `sector-${1 + Math.floor(this.#rand() * 64)}`,
      });
    }
    let s = 0;
    for (const planet of this.#planets) {
      for (let j = 0; j < (opts.structsPerPlanet ?? 2); j++) {
        const type = 1 + Math.floor(this.#rand() * 20);
        const maxHealth = 100 + 50 * Math.floor(this.#rand() * 5);
        this.#structs.push({
          id: entityId("struct", ++s),
          type,
          ownerId: planet.ownerId!,
          locationId: planet.id,
          status: "online",
          health: maxHealth,
          maxHealth,
        });
      }
    }
    for (let i = 1; i <= (opts.fleets ?? 3); i++) {
      this.#fleets.push({
        id: entityId("fleet", i),
        ownerId: this.#pick(this.#players).id,
        locationId: this.#pick(this.#planets).id,
        status: "onStation",
      });
    }
  }

  #pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.#rand() * list.length)];
  }

  #address(): string {
    let s = "structs1";
    for (let i = 0; i < 38; i++) s += BECH32[Math.floor(this.#rand() * 32)];
    return s;
  }

  #now(): string {
    this.#time += 250;
    return new Date(this.#time).toISOString();
  }

  #count(ev: SimEvent): SimEvent {
    this.counts.total++;
    this.counts.byExpect[ev.expect]++;
    if (ev.expect === "valid") this.counts.valid++;
    else this.counts.invalid++;
    return ev;
  }

  // ------------------------------------------------------------ payloads

  #playerMsg(p: SimPlayer, event: string, legacy: boolean): SimEvent {
    const fields = {
      id: p.id,
      primaryAddress: p.primaryAddress,
      playerId: p.id,
      guildId: p.guildId,
    };
    const data = legacy
      ? { ...fields, event, timestamp: this.#now() }
      : { player: fields, event, timestamp: this.#now() };
    return {
      subject: subjects.player(p.guildId, p.id),
      payload: JSON.stringify({ data }),
      expect: "valid",
      kind: legacy ? "player (older form)" : "player",
    };
  }

  #planetMsg(p: SimPlanet, event: string): SimEvent {
    return {
      subject: subjects.planet(p.id),
      payload: JSON.stringify({
        data: {
          planet: { id: p.id, ownerId: p.ownerId, location: p.location },
          event,
          timestamp: this.#now(),
        },
      }),
      expect: "valid",
      kind: "planet",
    };
  }

  #healthMsg(s: SimStruct): SimEvent {
    const subject = subjects.planet(s.locationId);
    return {
      subject,
      payload: JSON.stringify({
        subject,
        category: "planet_activity",
        id: ++this.#activity,
        updated_at: this.#now(),
        data: {
          planetId: s.locationId,
          details: {
            struct_health: { structId: s.id, health: s.health, maxHealth: s.maxHealth },
          },
        },
      }),
      expect: "valid",
      kind: "planet_activity",
    };
  }

  #guildMsg(id: string, event: string): SimEvent {
    const i = id.split("-")[1];
    return {
      subject: subjects.guild(id),
      payload: JSON.stringify({
        data: {
          guild: { id, endpoint: `https://guild-${i}.example/api`, primaryReactorId: `3-${i}` },
          event,
          timestamp: this.#now(),
        },
      }),
      expect: "valid",
      kind: "guild",
    };
  }

  #structMsg(s: SimStruct, event: string): SimEvent {
    const { id, type, ownerId, locationId, status } = s;
    return {
      subject: subjects.struct(id),
      payload: JSON.stringify({
        data: { struct: { id, type, ownerId, locationId, status }, event, timestamp: this.#now() },
      }),
      expect: "valid",
      kind: "struct",
    };
  }

  #fleetMsg(f: SimFleet, event: string): SimEvent {
    const { id, ownerId, locationId, status } = f;
    return {
      subject: subjects.fleet(id),
      payload: JSON.stringify({
        data: { fleet: { id, ownerId, locationId, status }, event, timestamp: this.#now() },
      }),
      expect: "valid",
      kind: "fleet",
    };
  }

  #globalMsg(): SimEvent {
    this.#height++;
    return {
      subject: subjects.global(),
      payload: JSON.stringify({
        data: {
          blockHeight: this.#height,
          timestamp: this.#now(),
          events: [{ type: "block", height: this.#height }],
        },
      }),
      expect: "valid",
      kind: "global",
    };
  }

  // -------------------------------------------------------------- events

  /** The initial world: every guild, player, planet, struct and fleet, and a block. */
  world(): SimEvent[] {
    const out: SimEvent[] = [];
    for (const g of this.#guilds) out.push(this.#guildMsg(g, "guild_consensus"));
    this.#players.forEach((p, i) => out.push(this.#playerMsg(p, "address_register", i % 4 === 3)));
    for (const p of this.#planets) out.push(this.#planetMsg(p, "planet_consensus"));
    for (const s of this.#structs) out.push(this.#structMsg(s, "struct_consensus"));
    for (const f of this.#fleets) out.push(this.#fleetMsg(f, "fleet_consensus"));
    out.push(this.#globalMsg());
    return out.map((e) => this.#count(e));
  }

  /** The next event: a change of the world, or every `malformedEvery`-th a malformed one. */
  next(): SimEvent {
    this.#seq++;
    if (this.#malformedEvery > 0 && this.#seq % this.#malformedEvery === 0) {
      return this.#count(this.#bad(MALFORMED[this.#malformed++ % MALFORMED.length]));
    }
    const r = this.#rand();
    if (r < 0.3) return this.#count(this.#damage());
    if (r < 0.45) {
      const p = this.#pick(this.#players);
      if (this.#rand() < 0.1) p.guildId = this.#pick(this.#guilds); // changes guild
      return this.#count(
        this.#playerMsg(
          p,
          this.#pick(["player_consensus", "player_meta", "address_register"]),
          this.#rand() < 0.25,
        ),
      );
    }
    if (r < 0.55) return this.#count(this.#globalMsg());
    if (r < 0.65) {
      const p = this.#pick(this.#planets);
      if (this.#rand() < 0.3) p.ownerId = this.#pick(this.#players).id;
      return this.#count(this.#planetMsg(p, this.#pick(["planet_consensus", "raid_status"])));
    }
    if (r < 0.8) {
      const s = this.#pick(this.#structs);
      if (s.health > 0) s.status = s.status === "online" ? "offline" : "online";
      return this.#count(this.#structMsg(s, "struct_status"));
    }
    if (r < 0.92) {
      const f = this.#pick(this.#fleets);
      if (f.status === "onStation") {
        f.status = "away";
        return this.#count(this.#fleetMsg(f, "fleet_depart"));
      }
      f.status = "onStation";
      f.locationId = this.#pick(this.#planets).id;
      return this.#count(this.#fleetMsg(f, "fleet_arrive"));
    }
    return this.#count(
      this.#guildMsg(
        this.#pick(this.#guilds),
        this.#pick(["guild_consensus", "guild_meta", "guild_membership"]),
      ),
    );
  }

  /** Combat: a struct loses health (or is repaired once destroyed). */
  #damage(): SimEvent {
    const s = this.#pick(this.#structs);
    if (s.health === 0) {
      s.health = s.maxHealth;
      s.status = "online";
    } else {
      s.health = Math.max(0, s.health - (5 + Math.floor(this.#rand() * 40)));
      if (s.health === 0) s.status = "destroyed";
    }
    return this.#healthMsg(s);
  }

  #bad(variant: typeof MALFORMED[number]): SimEvent {
    const kind = `malformed:${variant}`;
    const planet = this.#pick(this.#planets);
    const s = this.#pick(this.#structs);
    switch (variant) {
      case "json-truncated": {
        const good = this.#planetMsg(planet, "planet_consensus");
        return {
          ...good,
          payload: good.payload.slice(0, good.payload.length >> 1),
          expect: "json",
          kind,
        };
      }
      case "json-text":
        return { subject: subjects.global(), payload: "block height: 12", expect: "json", kind };
      case "mismatch-planet": {
        const other = this.#planets.find((p) => p.id !== planet.id) ?? { ...planet, id: "2-999" };
        const good = this.#planetMsg({ ...planet, id: other.id }, "planet_consensus");
        return { ...good, subject: subjects.planet(planet.id), expect: "mismatch", kind };
      }
      case "mismatch-player-guild": {
        const p = this.#pick(this.#players);
        const wrong = `0-${this.#guilds.length + 7}`;
        const good = this.#playerMsg(p, "player_meta", false);
        return { ...good, subject: subjects.player(wrong, p.id), expect: "mismatch", kind };
      }
      case "mismatch-block": {
        const h = this.#height;
        return {
          subject: subjects.global(),
          payload: JSON.stringify({
            data: {
              blockHeight: h,
              timestamp: this.#now(),
              events: [{ type: "block", height: h + 5 }],
            },
          }),
          expect: "mismatch",
          kind,
        };
      }
      case "shape-health-string":
      case "shape-health-above-max": {
        const subject = subjects.planet(s.locationId);
        const health = variant === "shape-health-string" ? String(s.health) : s.maxHealth + 10;
        return {
          subject,
          payload: JSON.stringify({
            subject,
            category: "planet_activity",
            id: ++this.#activity,
            updated_at: this.#now(),
            data: {
              planetId: s.locationId,
              details: { struct_health: { structId: s.id, health, maxHealth: s.maxHealth } },
            },
          }),
          expect: "shape",
          kind,
        };
      }
      case "shape-fleet-owner": {
        const f = this.#pick(this.#fleets);
        return {
          subject: subjects.fleet(f.id),
          payload: JSON.stringify({
            data: {
              fleet: { id: f.id, locationId: f.locationId, status: f.status },
              event: "fleet_arrive",
              timestamp: this.#now(),
            },
          }),
          expect: "shape",
          kind,
        };
      }
      case "shape-legacy-player": {
        const p = this.#pick(this.#players);
        return {
          subject: subjects.player(p.guildId, p.id),
          payload: JSON.stringify({ data: { id: p.id, playerId: p.id, guildId: p.guildId } }),
          expect: "shape",
          kind,
        };
      }
      case "subject-planet-id": {
        const good = this.#planetMsg(planet, "planet_consensus");
        return { ...good, subject: `structs.planet.planet${planet.id}`, expect: "subject", kind };
      }
    }
  }
}

/** Options for {@link runSimulator}. */
export interface RunOptions {
  /** Events per second (default 50). */
  rate?: number;
  /** Stop after this many events after the world (default: no limit). */
  count?: number;
  /** Stop after this many ms (default: no limit). */
  durationMs?: number;
  /** Stop when aborted. */
  signal?: AbortSignal;
  /** Publish the initial world first (default true). */
  world?: boolean;
  /** Called with each event after it is published. */
  onPublish?: (ev: SimEvent) => void;
}

/**
 * Publishes the world, then events at `rate` per second until `count`,
 * `durationMs` or `signal`; then flushes.
 *
 * @param sim the simulator
 * @param nc the connection to publish on
 * @param opts rate and limits
 * @returns events published
 */
export async function runSimulator(
  sim: GrassSimulator,
  nc: NatsConnection,
  opts: RunOptions = {},
): Promise<number> {
  const rate = opts.rate ?? 50;
  if (!(rate > 0)) throw new RangeError(`rate must be positive, got ${rate}`);
  let published = 0;
  const send = (ev: SimEvent) => {
    nc.publish(ev.subject, ev.payload);
    published++;
    opts.onPublish?.(ev);
  };
  if (opts.world !== false) { for (const ev of sim.world()) send(ev); }
  const start = performance.now();
  const stop = () =>
    opts.signal?.aborted === true ||
    (opts.durationMs !== undefined && performance.now() - start >= opts.durationMs);
  let sent = 0;
  while (!stop() && (opts.count === undefined || sent < opts.count)) {
    const due = Math.floor(((performance.now() - start) / 1000) * rate) + 1;
    while (sent < due && (opts.count === undefined || sent < opts.count)) {
      send(sim.next());
      sent++;
    }
    if (opts.count !== undefined && sent >= opts.count) break;
    await new Promise<void>((resolve) => {
      const t = setTimeout(done, Math.max(1, Math.min(20, 1000 / rate)));
      function done() {
        clearTimeout(t);
        opts.signal?.removeEventListener("abort", done);
        resolve();
      }
      opts.signal?.addEventListener("abort", done, { once: true });
    });
  }
  if (!nc.isClosed()) await nc.flush().catch(() => {});
  return published;
}

// ------------------------------------------------------------------- CLI

if (import.meta.main) {
  const { parseArgs, onInterrupt } = await import("../_args.ts");
  const { connect } = await import("../../mod.ts");
  const args = parseArgs(Deno.args, {
    usage: `
usage: simulator.ts [--server url] [--rate n] [--count n] [--duration s] [--seed n]
                    [--malformed-every n]

Publishes simulated GRASS events (every entity type, some malformed).

  --server           NATS server (default $NATS_URL or 127.0.0.1:4222)
  --rate             events per second (default 50)
  --count            stop after n events (after the initial world)
  --duration         stop after s seconds (default: until Ctrl-C)
  --seed             random seed (default 1)
  --malformed-every  every n-th event is malformed; 0 never (default 10)
`,
    options: ["rate", "count", "duration", "seed", "malformed-every"],
    maxPositional: 0,
  });
  const num = (name: string, fallback: number, min = 0): number => {
    const v = args.get(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isFinite(n) || n < min) {
      args.fail(`--${name} must be a number >= ${min}, got "${v}"`);
    }
    return n;
  };
  const server = args.get("server") ?? Deno.env.get("NATS_URL") ?? args.server;
  const sim = new GrassSimulator({
    seed: num("seed", 1),
    malformedEvery: Math.floor(num("malformed-every", 10)),
  });
  let nc: NatsConnection;
  try {
    nc = await connect({ servers: server, name: "grass-simulator" });
  } catch (err) {
    console.error(`error: cannot connect to ${server}: ${(err as Error).message}`);
    Deno.exit(1);
  }
  const ac = new AbortController();
  const stopListening = onInterrupt(() => ac.abort());
  const count = args.get("count") === undefined ? undefined : Math.floor(num("count", 0));
  const duration = args.get("duration") === undefined ? undefined : num("duration", 0) * 1000;
  console.log(`simulating GRASS on ${nc.getServer()} (Ctrl-C to stop)`);
  const published = await runSimulator(sim, nc, {
    rate: num("rate", 50, 0.001),
    count,
    durationMs: duration,
    signal: ac.signal,
  });
  stopListening();
  await nc.close();
  const c = sim.counts;
  console.log(
    `published ${published} events: ${c.valid} valid, ${c.invalid} malformed ` +
      `(json ${c.byExpect.json}, shape ${c.byExpect.shape}, mismatch ${c.byExpect.mismatch}, ` +
      `subject ${c.byExpect.subject})`,
  );
}

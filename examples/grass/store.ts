// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * The local game state: the latest known version of every player, planet,
 * guild, struct and fleet seen, struct health from planet activity, and the
 * global block height. Updates apply in arrival order (NATS keeps the order
 * of one publisher per subject); the block height only moves forward.
 *
 * @module
 */
import type {
  Fleet,
  GrassEvent,
  Guild,
  Planet,
  Player,
  Struct,
  StructHealth,
  Timestamp,
} from "./schema.ts";

/** What the store adds to each entity. */
export interface Tracked {
  /** The last `event` name seen for it. */
  lastEvent?: string;
  /** The time of the last update. */
  updatedAt?: Timestamp;
  /** Updates applied to it. */
  updates: number;
}

/** A player as stored. */
export type PlayerState = Player & Tracked;
/** A planet as stored, with the count of its activity events. */
export type PlanetState = Planet & Tracked & { activity: number };
/** A guild as stored. */
export type GuildState = Guild & Tracked;
/** A struct as stored. */
export type StructState = Struct & Tracked;
/** A fleet as stored. */
export type FleetState = Fleet & Tracked;
/** Struct health as stored, with the planet where it was reported. */
export type HealthState = StructHealth & { planetId: string; updatedAt: Timestamp };

/** The global game state. */
export interface GlobalState {
  /** Highest block height seen, or undefined before the first global update. */
  blockHeight?: number;
  /** Time of the update that set it. */
  timestamp?: Timestamp;
  /** Global updates applied. */
  updates: number;
  /** Block events seen in them. */
  blocks: number;
}

/** Kinds of events the store applies. */
export type AppliedKind = Exclude<GrassEvent["kind"], "ignored">;

/** A plain, JSON-ready copy of the store (entities sorted by id). */
export interface GameSnapshot {
  /** Players. */
  players: PlayerState[];
  /** Planets. */
  planets: PlanetState[];
  /** Guilds. */
  guilds: GuildState[];
  /** Structs. */
  structs: StructState[];
  /** Fleets. */
  fleets: FleetState[];
  /** Struct health. */
  structHealth: HealthState[];
  /** Global state. */
  global: GlobalState;
  /** Events applied, by kind. */
  applied: Record<AppliedKind, number>;
}

function byId<T extends { id: string }>(m: Map<string, T>): T[] {
  return [...m.values()].map((v) => structuredClone(v)).sort((a, b) => compareIds(a.id, b.id));
}

/** Orders `2-10` after `2-9`. */
export function compareIds(a: string, b: string): number {
  const [at, ai] = a.split("-").map(Number);
  const [bt, bi] = b.split("-").map(Number);
  return at - bt || ai - bi || (a < b ? -1 : a > b ? 1 : 0);
}

/** The local game state. */
export class GameStore {
  /** Players by id. */
  readonly players: Map<string, PlayerState> = new Map();
  /** Planets by id. */
  readonly planets: Map<string, PlanetState> = new Map();
  /** Guilds by id. */
  readonly guilds: Map<string, GuildState> = new Map();
  /** Structs by id. */
  readonly structs: Map<string, StructState> = new Map();
  /** Fleets by id. */
  readonly fleets: Map<string, FleetState> = new Map();
  /** Struct health by struct id. */
  readonly structHealth: Map<string, HealthState> = new Map();
  /** Global state. */
  readonly global: GlobalState = { updates: 0, blocks: 0 };
  /** Events applied, by kind. */
  readonly applied: Record<AppliedKind, number> = {
    player: 0,
    planet: 0,
    planet_activity: 0,
    guild: 0,
    struct: 0,
    fleet: 0,
    global: 0,
  };

  /**
   * Applies one event.
   *
   * @param ev a decoded event
   * @returns false when the store does not track it (`ignored`)
   */
  apply(ev: GrassEvent): boolean {
    switch (ev.kind) {
      case "ignored":
        return false;
      case "player":
        upsert(this.players, ev.player, ev.event, ev.timestamp);
        break;
      case "planet": {
        const prev = this.planets.get(ev.planet.id);
        this.planets.set(ev.planet.id, {
          ...ev.planet,
          activity: prev?.activity ?? 0,
          lastEvent: ev.event,
          updatedAt: ev.timestamp,
          updates: (prev?.updates ?? 0) + 1,
        });
        break;
      }
      case "planet_activity": {
        const planet = this.planets.get(ev.planetId);
        if (planet !== undefined) planet.activity++;
        const h = ev.structHealth;
        if (h !== undefined) {
          this.structHealth.set(h.structId, {
            ...h,
            planetId: ev.planetId,
            updatedAt: ev.updatedAt,
          });
        }
        break;
      }
      case "guild":
        upsert(this.guilds, ev.guild, ev.event, ev.timestamp);
        break;
      case "struct":
        upsert(this.structs, ev.struct, ev.event, ev.timestamp);
        break;
      case "fleet":
        upsert(this.fleets, ev.fleet, ev.event, ev.timestamp);
        break;
      case "global": {
        const g = this.global;
        g.updates++;
        g.blocks += ev.events.filter((e) => e.type === "block").length;
        if (g.blockHeight === undefined || ev.blockHeight >= g.blockHeight) {
          g.blockHeight = ev.blockHeight;
          g.timestamp = ev.timestamp;
        }
        break;
      }
    }
    this.applied[ev.kind]++;
    return true;
  }

  /** Events applied in total. */
  get total(): number {
    return Object.values(this.applied).reduce((a, b) => a + b, 0);
  }

  /** A plain copy of everything, for printing, comparing or saving. */
  snapshot(): GameSnapshot {
    return {
      players: byId(this.players),
      planets: byId(this.planets),
      guilds: byId(this.guilds),
      structs: byId(this.structs),
      fleets: byId(this.fleets),
      structHealth: [...this.structHealth.values()].map((h) => ({ ...h })).sort((a, b) =>
        compareIds(a.structId, b.structId)
      ),
      global: { ...this.global },
      applied: { ...this.applied },
    };
  }
}

function upsert<T extends { id: string }>(
  m: Map<string, T & Tracked>,
  v: T,
  event: string | undefined,
  timestamp: Timestamp | undefined,
): void {
  const prev = m.get(v.id);
  const next = { ...v, updates: (prev?.updates ?? 0) + 1 } as T & Tracked;
  const lastEvent = event ?? prev?.lastEvent;
  const updatedAt = timestamp ?? prev?.updatedAt;
  if (lastEvent !== undefined) next.lastEvent = lastEvent;
  if (updatedAt !== undefined) next.updatedAt = updatedAt;
  m.set(v.id, next);
}

// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * GRASS payloads: their types, and a validator per entity type that checks
 * the shape and that the ids in the body match the ids in the subject.
 *
 * Shapes (JSON):
 * - player: `{ data: { player: { id, primaryAddress, playerId, guildId }, event, timestamp } }`,
 *   or the older form with the player fields directly in `data`
 *   (`event` and `timestamp` optional there);
 * - planet: `{ data: { planet: { id, ownerId, location }, event, timestamp } }`;
 * - planet activity: `{ subject, category: "planet_activity", id, updated_at,
 *   data: { planetId, details: { struct_health: { structId, health, maxHealth } } } }`
 *   (published on the planet's subject);
 * - guild: `{ data: { guild: { id, endpoint?, primaryReactorId? }, event, timestamp } }`;
 * - struct: `{ data: { struct: { id, type, ownerId, locationId, status }, event, timestamp } }`;
 * - fleet: `{ data: { fleet: { id, ownerId, locationId, status }, event, timestamp } }`;
 * - global: `{ data: { blockHeight, timestamp, events: [{ type: "block", height }] } }`.
 *
 * {@link grassValidator} plugs into `subscribeJson`: it gets the message, so
 * it decodes by subject. A rejected message carries {@link GrassIssue}s whose
 * `kind` says what was wrong: `"shape"`, `"mismatch"` (subject and body
 * disagree) or `"subject"` (a malformed entity subject).
 *
 * @module
 */
import type { Msg } from "../../mod.ts";
import {
  type JsonValidateFn,
  type StandardSchemaV1Issue,
  ValidationFailure,
} from "../../src/json.ts";
import { type EntityType, ID_TYPES, idType, isEntityId, parseSubject } from "./subjects.ts";

/** A time as GRASS sends it: an ISO 8601 string or epoch milliseconds. */
export type Timestamp = string | number;

/** A player. */
export interface Player {
  /** Player id (`1-11`). */
  id: string;
  /** Player id again (the body has both; they must agree). */
  playerId: string;
  /** Guild id (`0-1`). */
  guildId: string;
  /** The player's primary account address. */
  primaryAddress: string;
}

/** Where a planet is: a name or an object of coordinates, as sent. */
export type PlanetLocation = string | { [key: string]: unknown };

/** A planet. */
export interface Planet {
  /** Planet id (`2-1`). */
  id: string;
  /** Owning player id, or null when unowned. */
  ownerId: string | null;
  /** Location, as sent. */
  location: PlanetLocation;
}

/** Health of one struct, from a planet activity event. */
export interface StructHealth {
  /** Struct id (`5-1`). */
  structId: string;
  /** Current health (0 = destroyed). */
  health: number;
  /** Maximum health. */
  maxHealth: number;
}

/** A guild. */
export interface Guild {
  /** Guild id (`0-1`). */
  id: string;
  /** The guild's API endpoint, if given. */
  endpoint?: string;
  /** The guild's primary reactor id, if given. */
  primaryReactorId?: string;
}

/** A struct (a unit or building). */
export interface Struct {
  /** Struct id (`5-1`). */
  id: string;
  /** Struct type number. */
  type: number;
  /** Owning player id. */
  ownerId: string;
  /** Where it is (a planet or fleet id). */
  locationId: string;
  /** Status (`online`, `offline`, `building`, `destroyed`, ...). */
  status: string;
}

/** A fleet. */
export interface Fleet {
  /** Fleet id (`9-1`). */
  id: string;
  /** Owning player id. */
  ownerId: string;
  /** Planet id where the fleet is. */
  locationId: string;
  /** `onStation` or `away` (or whatever GRASS sends). */
  status: string;
}

/** An entry of the global update's `events`. */
export interface GlobalEvent {
  /** Event type (`block`, ...). */
  type: string;
  /** Block height, for `block` events. */
  height?: number;
}

/** A decoded GRASS message. */
export type GrassEvent =
  | {
    kind: "player";
    /** `current` (`data.player`) or `legacy` (fields directly in `data`). */
    form: "current" | "legacy";
    player: Player;
    event?: string;
    timestamp?: Timestamp;
  }
  | { kind: "planet"; planet: Planet; event: string; timestamp: Timestamp }
  | {
    kind: "planet_activity";
    planetId: string;
    /** The activity's id, as sent. */
    id: string | number;
    updatedAt: Timestamp;
    /** Present when the details carry `struct_health`. */
    structHealth?: StructHealth;
    /** The kinds of details present (`struct_health`, ...). */
    details: string[];
  }
  | { kind: "guild"; guild: Guild; event: string; timestamp: Timestamp }
  | { kind: "struct"; struct: Struct; event: string; timestamp: Timestamp }
  | { kind: "fleet"; fleet: Fleet; event: string; timestamp: Timestamp }
  | { kind: "global"; blockHeight: number; timestamp: Timestamp; events: GlobalEvent[] }
  /** A well-formed message the store does not track (another subject or category). */
  | { kind: "ignored"; subject: string; why: string };

/** What kind of problem an issue is. */
export type IssueKind = "shape" | "mismatch" | "subject";

/** A Standard Schema issue with its {@link IssueKind}. */
export interface GrassIssue extends StandardSchemaV1Issue {
  /** What kind of problem it is. */
  readonly kind: IssueKind;
}

type Path = (string | number)[];
type Obj = Record<string, unknown>;

function describe(v: unknown): string {
  if (v === undefined) return "nothing";
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "string") return v === "" ? "an empty string" : "a string";
  return `a ${typeof v}`;
}

/** Collects issues while reading a value. */
class Reader {
  readonly issues: GrassIssue[] = [];

  add(path: Path, message: string, kind: IssueKind = "shape"): void {
    this.issues.push({ message, path, kind });
  }

  object(v: unknown, path: Path): Obj | undefined {
    if (typeof v === "object" && v !== null && !Array.isArray(v)) return v as Obj;
    this.add(path, `expected an object, got ${describe(v)}`);
    return undefined;
  }

  string(o: Obj, key: string, path: Path, optional = false): string | undefined {
    const v = o[key];
    if (v === undefined && optional) return undefined;
    if (typeof v === "string" && v !== "") return v;
    this.add([...path, key], `expected a non-empty string, got ${describe(v)}`);
    return undefined;
  }

  id(
    o: Obj,
    key: string,
    path: Path,
    type: EntityType | undefined,
    opts: { optional?: boolean; nullable?: boolean } = {},
  ): string | undefined {
    const v = o[key];
    if (v === undefined && opts.optional) return undefined;
    if ((v === null || v === "") && opts.nullable) return undefined;
    if (!isEntityId(v)) {
      this.add([...path, key], `expected an entity id ({type}-{index}), got ${describe(v)}`);
      return undefined;
    }
    if (type !== undefined && idType(v) !== ID_TYPES[type]) {
      this.add(
        [...path, key],
        `"${v}" is not a ${type} id (${type} ids start with ${ID_TYPES[type]}-)`,
      );
      return undefined;
    }
    return v;
  }

  int(o: Obj, key: string, path: Path, min: number): number | undefined {
    const v = o[key];
    if (typeof v === "number" && Number.isInteger(v) && v >= min) return v;
    this.add(
      [...path, key],
      typeof v === "number" && Number.isInteger(v)
        ? `expected an integer >= ${min}, got ${v}`
        : `expected an integer, got ${describe(v)}`,
    );
    return undefined;
  }

  timestamp(o: Obj, key: string, path: Path, optional = false): Timestamp | undefined {
    const v = o[key];
    if (v === undefined && optional) return undefined;
    if (typeof v === "number" && Number.isFinite(v) && v >= 0) return v;
    if (typeof v === "string" && !Number.isNaN(Date.parse(v))) return v;
    this.add([...path, key], `expected an ISO time or epoch milliseconds, got ${describe(v)}`);
    return undefined;
  }

  /** The body id must be the subject's id. */
  same(path: Path, what: string, body: string | undefined, subject: string): void {
    if (body !== undefined && body !== subject) {
      this.add(path, `${what} "${body}" does not match the subject's "${subject}"`, "mismatch");
    }
  }
}

function decodePlayer(r: Reader, guildId: string, playerId: string, v: unknown): GrassEvent | void {
  const root = r.object(v, []);
  const data = root && r.object(root.data, ["data"]);
  if (!data) return;
  const current = data.player !== undefined;
  const path: Path = current ? ["data", "player"] : ["data"];
  const p = current ? r.object(data.player, path) : data;
  if (!p) return;
  const id = r.id(p, "id", path, "player");
  const pid = r.id(p, "playerId", path, "player", { optional: true });
  const gid = r.id(p, "guildId", path, "guild");
  const primaryAddress = r.string(p, "primaryAddress", path);
  const event = r.string(data, "event", ["data"], !current);
  const timestamp = r.timestamp(data, "timestamp", ["data"], !current);
  if (id !== undefined && pid !== undefined && id !== pid) {
    r.add([...path, "playerId"], `playerId "${pid}" differs from id "${id}"`, "mismatch");
  }
  r.same([...path, "id"], "player id", id, playerId);
  r.same([...path, "guildId"], "guild id", gid, guildId);
  if (r.issues.length > 0) return;
  const ev: GrassEvent = {
    kind: "player",
    form: current ? "current" : "legacy",
    player: { id: id!, playerId: pid ?? id!, guildId: gid!, primaryAddress: primaryAddress! },
  };
  if (event !== undefined) ev.event = event;
  if (timestamp !== undefined) ev.timestamp = timestamp;
  return ev;
}

/** `{ data: { <entity>: {...}, event, timestamp } }`: the entity object and the envelope. */
function envelope(
  r: Reader,
  v: unknown,
  entity: string,
): { e: Obj; event: string; timestamp: Timestamp; path: Path } | undefined {
  const root = r.object(v, []);
  const data = root && r.object(root.data, ["data"]);
  if (!data) return undefined;
  const path: Path = ["data", entity];
  const e = r.object(data[entity], path);
  const event = r.string(data, "event", ["data"]);
  const timestamp = r.timestamp(data, "timestamp", ["data"]);
  if (!e || event === undefined || timestamp === undefined) return undefined;
  return { e, event, timestamp, path };
}

function decodePlanet(r: Reader, subject: string, planetId: string, v: unknown): GrassEvent | void {
  const root = r.object(v, []);
  if (!root) return;
  const category = root.category;
  if (category === "planet_activity") return decodeActivity(r, subject, planetId, root);
  if (category !== undefined && root.data !== undefined && !hasKey(root.data, "planet")) {
    return { kind: "ignored", subject, why: `planet category ${JSON.stringify(category)}` };
  }
  const env = envelope(r, root, "planet");
  if (!env) return;
  const { e, path } = env;
  const id = r.id(e, "id", path, "planet");
  const ownerId = r.id(e, "ownerId", path, "player", { nullable: true });
  const location = e.location;
  if (
    !(typeof location === "string" && location !== "") &&
    !(typeof location === "object" && location !== null && !Array.isArray(location))
  ) {
    r.add(
      [...path, "location"],
      `expected a location (string or object), got ${describe(location)}`,
    );
  }
  r.same([...path, "id"], "planet id", id, planetId);
  if (r.issues.length > 0) return;
  return {
    kind: "planet",
    planet: { id: id!, ownerId: ownerId ?? null, location: location as PlanetLocation },
    event: env.event,
    timestamp: env.timestamp,
  };
}

function hasKey(v: unknown, key: string): boolean {
  return typeof v === "object" && v !== null && key in v;
}

function decodeActivity(
  r: Reader,
  subject: string,
  planetId: string,
  root: Obj,
): GrassEvent | void {
  if (root.subject !== undefined && root.subject !== subject) {
    r.add(
      ["subject"],
      `body subject ${
        JSON.stringify(root.subject)
      } does not match the message subject "${subject}"`,
      "mismatch",
    );
  }
  const id = root.id;
  if (!(typeof id === "string" && id !== "") && !(typeof id === "number" && Number.isFinite(id))) {
    r.add(["id"], `expected an id (string or number), got ${describe(id)}`);
  }
  const updatedAt = r.timestamp(root, "updated_at", []);
  const data = r.object(root.data, ["data"]);
  if (!data) return;
  const pid = r.id(data, "planetId", ["data"], "planet");
  r.same(["data", "planetId"], "planet id", pid, planetId);
  const details = r.object(data.details, ["data", "details"]);
  if (!details) return;
  let structHealth: StructHealth | undefined;
  if (details.struct_health !== undefined) {
    const path: Path = ["data", "details", "struct_health"];
    const h = r.object(details.struct_health, path);
    if (h) {
      const structId = r.id(h, "structId", path, "struct");
      const health = r.int(h, "health", path, 0);
      const maxHealth = r.int(h, "maxHealth", path, 1);
      if (health !== undefined && maxHealth !== undefined && health > maxHealth) {
        r.add([...path, "health"], `health ${health} is above maxHealth ${maxHealth}`);
      }
      if (r.issues.length === 0) {
        structHealth = { structId: structId!, health: health!, maxHealth: maxHealth! };
      }
    }
  }
  if (r.issues.length > 0) return;
  const ev: GrassEvent = {
    kind: "planet_activity",
    planetId: pid!,
    id: id as string | number,
    updatedAt: updatedAt!,
    details: Object.keys(details),
  };
  if (structHealth !== undefined) ev.structHealth = structHealth;
  return ev;
}

function decodeGuild(r: Reader, guildId: string, v: unknown): GrassEvent | void {
  const env = envelope(r, v, "guild");
  if (!env) return;
  const { e, path } = env;
  const id = r.id(e, "id", path, "guild");
  const endpoint = r.string(e, "endpoint", path, true);
  const primaryReactorId = r.id(e, "primaryReactorId", path, undefined, { optional: true });
  r.same([...path, "id"], "guild id", id, guildId);
  if (r.issues.length > 0) return;
  const guild: Guild = { id: id! };
  if (endpoint !== undefined) guild.endpoint = endpoint;
  if (primaryReactorId !== undefined) guild.primaryReactorId = primaryReactorId;
  return { kind: "guild", guild, event: env.event, timestamp: env.timestamp };
}

function decodeStruct(r: Reader, structId: string, v: unknown): GrassEvent | void {
  const env = envelope(r, v, "struct");
  if (!env) return;
  const { e, path } = env;
  const id = r.id(e, "id", path, "struct");
  const type = r.int(e, "type", path, 0);
  const ownerId = r.id(e, "ownerId", path, "player");
  const locationId = r.id(e, "locationId", path, undefined);
  const status = r.string(e, "status", path);
  r.same([...path, "id"], "struct id", id, structId);
  if (r.issues.length > 0) return;
  return {
    kind: "struct",
    struct: { id: id!, type: type!, ownerId: ownerId!, locationId: locationId!, status: status! },
    event: env.event,
    timestamp: env.timestamp,
  };
}

function decodeFleet(r: Reader, fleetId: string, v: unknown): GrassEvent | void {
  const env = envelope(r, v, "fleet");
  if (!env) return;
  const { e, path } = env;
  const id = r.id(e, "id", path, "fleet");
  const ownerId = r.id(e, "ownerId", path, "player");
  const locationId = r.id(e, "locationId", path, "planet");
  const status = r.string(e, "status", path);
  r.same([...path, "id"], "fleet id", id, fleetId);
  if (r.issues.length > 0) return;
  return {
    kind: "fleet",
    fleet: { id: id!, ownerId: ownerId!, locationId: locationId!, status: status! },
    event: env.event,
    timestamp: env.timestamp,
  };
}

function decodeGlobal(r: Reader, v: unknown): GrassEvent | void {
  const root = r.object(v, []);
  const data = root && r.object(root.data, ["data"]);
  if (!data) return;
  const blockHeight = r.int(data, "blockHeight", ["data"], 0);
  const timestamp = r.timestamp(data, "timestamp", ["data"]);
  const events: GlobalEvent[] = [];
  if (!Array.isArray(data.events)) {
    r.add(["data", "events"], `expected an array, got ${describe(data.events)}`);
  } else {
    data.events.forEach((raw, i) => {
      const path: Path = ["data", "events", i];
      const e = r.object(raw, path);
      if (!e) return;
      const type = r.string(e, "type", path);
      if (type === undefined) return;
      if (type === "block") {
        const height = r.int(e, "height", path, 0);
        if (height === undefined) return;
        if (blockHeight !== undefined && height > blockHeight) {
          r.add(
            [...path, "height"],
            `block event height ${height} is ahead of blockHeight ${blockHeight}`,
            "mismatch",
          );
        }
        events.push({ type, height });
      } else {
        events.push({ type });
      }
    });
  }
  if (r.issues.length > 0) return;
  return { kind: "global", blockHeight: blockHeight!, timestamp: timestamp!, events };
}

/**
 * Decodes a GRASS message by its subject.
 *
 * @param subject the message subject
 * @param value the parsed JSON
 * @returns the event, or a {@link ValidationFailure} with {@link GrassIssue}s
 */
export function decodeGrass(subject: string, value: unknown): GrassEvent | ValidationFailure {
  const s = parseSubject(subject);
  const r = new Reader();
  let ev: GrassEvent | void = undefined;
  switch (s.type) {
    case "player":
      ev = decodePlayer(r, s.guildId, s.playerId, value);
      break;
    case "planet":
      ev = decodePlanet(r, subject, s.id, value);
      break;
    case "guild":
      ev = decodeGuild(r, s.id, value);
      break;
    case "struct":
      ev = decodeStruct(r, s.id, value);
      break;
    case "fleet":
      ev = decodeFleet(r, s.id, value);
      break;
    case "global":
      ev = decodeGlobal(r, value);
      break;
    case "malformed":
      r.add([], s.problem, "subject");
      break;
    case "other":
      return { kind: "ignored", subject, why: "not a tracked GRASS subject" };
  }
  if (ev === undefined || r.issues.length > 0) return new ValidationFailure(r.issues);
  return ev;
}

/**
 * One kind for a rejected message, for counting: `"subject"` if any issue is
 * about the subject, else `"mismatch"` if any is, else `"shape"`.
 */
export function issueKind(issues: ReadonlyArray<StandardSchemaV1Issue>): IssueKind {
  const kinds = new Set(issues.map((i) => (i as Partial<GrassIssue>).kind));
  return kinds.has("subject") ? "subject" : kinds.has("mismatch") ? "mismatch" : "shape";
}

/** A `subscribeJson` validator for every GRASS subject. */
export const grassValidator: JsonValidateFn<GrassEvent> = (
  value: unknown,
  msg: Msg,
): GrassEvent | ValidationFailure => decodeGrass(msg.subject, value);

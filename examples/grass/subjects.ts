// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * GRASS subjects: builders, parsing, and the patterns a client may give.
 *
 * | Entity  | Subject                                  | Example                   |
 * | ------- | ---------------------------------------- | ------------------------- |
 * | player  | `structs.player.{guildId}.{playerId}`    | `structs.player.0-1.1-11` |
 * | planet  | `structs.planet.{planetId}`              | `structs.planet.2-1`      |
 * | guild   | `structs.guild.{guildId}`                | `structs.guild.0-1`       |
 * | struct  | `structs.struct.{structId}`              | `structs.struct.5-1`      |
 * | fleet   | `structs.fleet.{fleetId}`                | `structs.fleet.9-1`       |
 * | global  | `structs.global`                         | `structs.global`          |
 *
 * Entity ids are `{type}-{index}`; the type numbers seen in GRASS are
 * 0 guild, 1 player, 2 planet, 5 struct, 9 fleet.
 *
 * **Player subjects have two id tokens.** In NATS `*` matches exactly one
 * token and `>` one or more at the end, so `structs.player.*` matches
 * `structs.player.X` only — never `structs.player.0-1.1-11`. Subscribing to
 * it receives no player update at all, silently. Use `structs.player.*.*`
 * (every player), `structs.player.0-1.*` (every player of guild 0-1),
 * `structs.player.*.1-11` (player 1-11 in any guild), or `structs.player.>`.
 * {@link normalizePatterns} rewrites `structs.player.*` to
 * `structs.player.*.*` and says so.
 *
 * @module
 */

/** The entity types GRASS publishes. */
export type EntityType = "player" | "planet" | "guild" | "struct" | "fleet";

/** Root token of every GRASS subject. */
export const ROOT = "structs";

/** Every GRASS subject (and anything else under `structs.`). */
export const ALL_SUBJECTS = "structs.>";

/** Subject of the global game state (block height). */
export const GLOBAL_SUBJECT = "structs.global";

/** The id type number of each entity type (`{type}-{index}`). */
export const ID_TYPES: Readonly<Record<EntityType, number>> = {
  guild: 0,
  player: 1,
  planet: 2,
  struct: 5,
  fleet: 9,
};

const ID_RE = /^(\d+)-(\d+)$/;

/** True when `s` has the entity id form `{type}-{index}`. */
export function isEntityId(s: unknown): s is string {
  return typeof s === "string" && ID_RE.test(s);
}

/** The type number of an entity id (`"2-1"` → 2), or undefined. */
export function idType(id: string): number | undefined {
  const m = ID_RE.exec(id);
  return m === null ? undefined : Number(m[1]);
}

/** An entity id of the given type (`entityId("planet", 3)` → `"2-3"`). */
export function entityId(type: EntityType, index: number): string {
  return `${ID_TYPES[type]}-${index}`;
}

/** Subject builders. */
export const subjects = {
  /** `structs.player.{guildId}.{playerId}` */
  player: (guildId: string, playerId: string): string => `structs.player.${guildId}.${playerId}`,
  /** `structs.planet.{planetId}` */
  planet: (planetId: string): string => `structs.planet.${planetId}`,
  /** `structs.guild.{guildId}` */
  guild: (guildId: string): string => `structs.guild.${guildId}`,
  /** `structs.struct.{structId}` */
  struct: (structId: string): string => `structs.struct.${structId}`,
  /** `structs.fleet.{fleetId}` */
  fleet: (fleetId: string): string => `structs.fleet.${fleetId}`,
  /** `structs.global` */
  global: (): string => GLOBAL_SUBJECT,
};

/** A parsed GRASS subject. */
export type ParsedSubject =
  | { type: "player"; guildId: string; playerId: string }
  | { type: "planet" | "guild" | "struct" | "fleet"; id: string }
  | { type: "global" }
  /** Under `structs.` but not an entity GRASS documents (e.g. `structs.consensus`). */
  | { type: "other" }
  /** An entity subject with missing, extra or malformed id tokens. */
  | { type: "malformed"; entity: EntityType; problem: string };

const SINGLE = new Set(["planet", "guild", "struct", "fleet"]);

/** Parses a message subject (no wildcards). */
export function parseSubject(subject: string): ParsedSubject {
  const t = subject.split(".");
  if (t[0] !== ROOT || t.length < 2) return { type: "other" };
  const kind = t[1];
  if (kind === "global") return t.length === 2 ? { type: "global" } : { type: "other" };
  if (kind === "player") {
    if (t.length !== 4) {
      return {
        type: "malformed",
        entity: "player",
        problem:
          `a player subject is structs.player.{guildId}.{playerId} (4 tokens), got ${t.length}`,
      };
    }
    const bad = checkIdToken(t[2], "guild") ?? checkIdToken(t[3], "player");
    if (bad !== undefined) return { type: "malformed", entity: "player", problem: bad };
    return { type: "player", guildId: t[2], playerId: t[3] };
  }
  if (SINGLE.has(kind)) {
    const entity = kind as "planet" | "guild" | "struct" | "fleet";
    if (t.length !== 3) {
      return {
        type: "malformed",
        entity,
        problem: `a ${entity} subject is structs.${entity}.{id} (3 tokens), got ${t.length}`,
      };
    }
    const bad = checkIdToken(t[2], entity);
    if (bad !== undefined) return { type: "malformed", entity, problem: bad };
    return { type: entity, id: t[2] };
  }
  return { type: "other" };
}

function checkIdToken(token: string, entity: EntityType): string | undefined {
  if (!isEntityId(token)) return `"${token}" is not a ${entity} id ({type}-{index})`;
  if (idType(token) !== ID_TYPES[entity]) {
    return `"${token}" is not a ${entity} id (${entity} ids start with ${ID_TYPES[entity]}-)`;
  }
  return undefined;
}

/** True when the NATS pattern `pattern` matches the concrete `subject`. */
export function matches(pattern: string, subject: string): boolean {
  const p = pattern.split(".");
  const s = subject.split(".");
  for (let i = 0; i < p.length; i++) {
    if (p[i] === ">") return s.length > i;
    if (i >= s.length) return false;
    if (p[i] !== "*" && p[i] !== s[i]) return false;
  }
  return p.length === s.length;
}

/** True when every subject `b` matches is also matched by `a` (a covers b). */
export function covers(a: string, b: string): boolean {
  const x = a.split(".");
  const y = b.split(".");
  for (let i = 0; i < x.length; i++) {
    if (x[i] === ">") return y.length > i;
    if (i >= y.length) return false;
    if (y[i] === ">") return false;
    if (x[i] !== "*" && x[i] !== y[i]) return false;
    if (x[i] !== "*" && y[i] === "*") return false;
  }
  return x.length === y.length;
}

const SHORTHANDS: Record<string, string> = {
  all: ALL_SUBJECTS,
  players: "structs.player.*.*",
  planets: "structs.planet.*",
  guilds: "structs.guild.*",
  structs: "structs.struct.*",
  fleets: "structs.fleet.*",
  global: GLOBAL_SUBJECT,
};

/** The result of {@link normalizePatterns}. */
export interface Patterns {
  /** What to subscribe to: no pattern covered by another. */
  patterns: string[];
  /** What was rewritten or dropped, and why (for the user). */
  notes: string[];
}

/**
 * Turns command-line patterns into subscriptions. Accepts subjects and
 * wildcards as NATS does, plus shorthands (`all`, `players`, `planets`,
 * `guilds`, `structs`, `fleets`, `global`). Rewrites the player patterns
 * that cannot match a player subject (see the module doc), and drops a
 * pattern another one covers — NATS would deliver such a message once per
 * subscription, counting it twice. No patterns means `structs.>`.
 *
 * @param input patterns as given
 * @returns the subscriptions and notes about what changed
 */
export function normalizePatterns(input: readonly string[]): Patterns {
  const notes: string[] = [];
  const out: string[] = [];
  for (const raw of input.length === 0 ? [ALL_SUBJECTS] : input) {
    let p = SHORTHANDS[raw] ?? raw;
    const t = p.split(".");
    if (t[0] === ROOT && t[1] === "player" && t.length === 3 && t[2] !== ">") {
      if (t[2] === "*") {
        p = "structs.player.*.*";
        notes.push(
          `"structs.player.*" matches no player update (player subjects have two id tokens, ` +
            `structs.player.{guildId}.{playerId}); subscribing to "${p}" instead`,
        );
      } else if (idType(t[2]) === ID_TYPES.guild) {
        p = `structs.player.${t[2]}.*`;
        notes.push(`"${raw}" names a guild; subscribing to its players, "${p}"`);
      } else if (idType(t[2]) === ID_TYPES.player) {
        p = `structs.player.*.${t[2]}`;
        notes.push(`"${raw}" names a player; subscribing to "${p}" (any guild)`);
      } else {
        notes.push(`"${raw}" matches no player update: player subjects have two id tokens`);
      }
    } else if (t[0] !== ROOT && t[0] !== "*" && t[0] !== ">") {
      notes.push(`"${p}" is not a GRASS subject (they start with "structs.")`);
    }
    if (out.includes(p)) continue;
    out.push(p);
  }
  const kept = out.filter((p, i) => {
    const by = out.find((q, j) => j !== i && covers(q, p) && (!covers(p, q) || j < i));
    if (by !== undefined) notes.push(`"${p}" is already covered by "${by}"; not subscribing twice`);
    return by === undefined;
  });
  return { patterns: kept, notes };
}

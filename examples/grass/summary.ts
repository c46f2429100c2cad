// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * The live summary: {@link renderSummary} turns a client's counters and store
 * into lines; {@link LivePrinter} redraws them in place on a terminal (or
 * prints a one-line progress report elsewhere) with log lines above.
 *
 * @module
 */
import type { ClientCounters, ConnState } from "./grass_client.ts";
import type { GameStore } from "./store.ts";

/** What the summary shows. */
export interface SummaryView {
  /** Server URL. */
  server: string;
  /** Connection state. */
  state: ConnState;
  /** Milliseconds since the client started. */
  elapsedMs: number;
  /** The client's counters. */
  counters: ClientCounters;
  /** The game state. */
  store: GameStore;
  /** Text of the last applied event, if any. */
  last?: string;
  /** Subscribed patterns. */
  patterns: readonly string[];
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Struct health figures: healthy, damaged, destroyed and the weakest alive. */
export function healthFigures(store: GameStore): {
  healthy: number;
  damaged: number;
  destroyed: number;
  weakest?: { structId: string; health: number; maxHealth: number };
} {
  let healthy = 0, damaged = 0, destroyed = 0;
  let weakest: { structId: string; health: number; maxHealth: number } | undefined;
  for (const h of store.structHealth.values()) {
    if (h.health === 0) destroyed++;
    else if (h.health < h.maxHealth) damaged++;
    else healthy++;
    if (
      h.health > 0 &&
      (weakest === undefined || h.health / h.maxHealth < weakest.health / weakest.maxHealth)
    ) {
      weakest = { structId: h.structId, health: h.health, maxHealth: h.maxHealth };
    }
  }
  return { healthy, damaged, destroyed, weakest };
}

/** The full summary, one string per line. */
export function renderSummary(v: SummaryView): string[] {
  const c = v.counters;
  const s = v.store;
  const lines = [
    `GRASS live summary · ${v.server} · ${v.state} · ${(v.elapsedMs / 1000).toFixed(1)} s`,
    `  subscribed  ${v.patterns.join("  ")}`,
    `  messages    ${c.received} received · ${c.applied} applied · ${c.invalid} invalid · ` +
    `${c.ignored} ignored · ${c.errors} errors`,
  ];
  const by = Object.entries(c.invalidBy).filter(([, n]) => n > 0);
  if (by.length > 0) lines.push(`  invalid     ${by.map(([k, n]) => `${k} ${n}`).join(" · ")}`);
  const g = s.global;
  lines.push(
    `  block       ${
      g.blockHeight === undefined
        ? "no global update yet"
        : `height ${g.blockHeight} (${plural(g.blocks, "block event")})`
    }`,
    `  entities    ${plural(s.players.size, "player")} · ${plural(s.guilds.size, "guild")} · ` +
      `${plural(s.planets.size, "planet")} · ${plural(s.structs.size, "struct")} · ` +
      `${plural(s.fleets.size, "fleet")}`,
  );
  if (s.structHealth.size > 0) {
    const h = healthFigures(s);
    const w = h.weakest;
    lines.push(
      `  health      ${h.healthy} full · ${h.damaged} damaged · ${h.destroyed} destroyed` +
        (w === undefined ? "" : ` · weakest ${w.structId} ${w.health}/${w.maxHealth}`),
    );
  }
  if (s.fleets.size > 0) {
    let on = 0;
    for (const f of s.fleets.values()) if (f.status === "onStation") on++;
    lines.push(`  fleets      ${on} on station · ${s.fleets.size - on} away`);
  }
  if (v.last !== undefined) lines.push(`  last        ${v.last}`);
  if (c.disconnects > 0 || c.reconnects > 0) {
    lines.push(`  connection  ${c.disconnects} disconnects · ${c.reconnects} reconnects`);
  }
  return lines;
}

/** One line of progress, for output that is not a terminal. */
export function renderProgress(v: SummaryView): string {
  const c = v.counters;
  const s = v.store;
  return `[${(v.elapsedMs / 1000).toFixed(1)}s] ${v.state}: received ${c.received}, ` +
    `applied ${c.applied}, invalid ${c.invalid}, block ${s.global.blockHeight ?? "-"}, ` +
    `${s.players.size} players, ${s.planets.size} planets, ${s.structs.size} structs, ` +
    `${s.fleets.size} fleets`;
}

/** Options for {@link LivePrinter}. */
export interface LivePrinterOptions {
  /** Writes text as is (no newline added). */
  write: (text: string) => void;
  /** Redraw in place with ANSI escapes (a terminal) rather than print progress lines. */
  tty: boolean;
  /** Milliseconds between redraws (default 250 on a terminal, 1000 otherwise). */
  intervalMs?: number;
  /**
   * Terminal width: summary lines are cut to fit, since a wrapped line would
   * throw off the redraw (default: no cut).
   */
  columns?: () => number;
}

/** Redraws the summary periodically; log lines go above it. */
export class LivePrinter {
  #view: () => SummaryView;
  #opts: LivePrinterOptions;
  #timer: ReturnType<typeof setInterval> | undefined;
  #drawn = 0;

  /**
   * @param view returns what to show now
   * @param opts where and how to print
   */
  constructor(view: () => SummaryView, opts: LivePrinterOptions) {
    this.#view = view;
    this.#opts = opts;
  }

  /** Starts redrawing. */
  start(): void {
    if (this.#timer !== undefined) return;
    const ms = this.#opts.intervalMs ?? (this.#opts.tty ? 250 : 1000);
    this.#timer = setInterval(() => this.draw(), ms);
    if (this.#opts.tty) this.draw();
  }

  /**
   * Stops redrawing.
   *
   * @param erase also erase the summary from a terminal (to print a final one)
   */
  stop(erase = false): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    if (erase && this.#opts.tty && this.#drawn > 0) {
      this.#opts.write(this.#clear());
      this.#drawn = 0;
    }
  }

  /** Draws now. */
  draw(): void {
    const v = this.#view();
    if (!this.#opts.tty) {
      this.#opts.write(renderProgress(v) + "\n");
      return;
    }
    const width = this.#opts.columns?.() ?? Infinity;
    const lines = renderSummary(v).map((l) => l.length < width ? l : l.slice(0, width - 2) + "…");
    this.#opts.write(this.#clear() + lines.join("\n") + "\n");
    this.#drawn = lines.length;
  }

  /** Prints a log line above the summary. */
  log(line: string): void {
    if (!this.#opts.tty) {
      this.#opts.write(line + "\n");
      return;
    }
    const redraw = this.#drawn > 0;
    this.#opts.write(this.#clear() + line + "\n");
    this.#drawn = 0;
    if (redraw && this.#timer !== undefined) this.draw();
  }

  /** Escape codes that erase the summary drawn last. */
  #clear(): string {
    return this.#drawn === 0 ? "" : `\x1b[${this.#drawn}F\x1b[J`;
  }
}

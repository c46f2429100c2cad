// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * The issue's table: rows, goals, verdicts, the text table and the SVG chart,
 * built from what the runners measured. Runtime neutral (no I/O).
 *
 * Ratios are always nats-rt / official, as in the issue: a goal "≥ 2.0x"
 * (throughput) is met at 2.0 and above, a goal "≤ 0.8x" (time, memory,
 * size) at 0.8 and below. The "score" is the ratio turned so that higher
 * is better (1 / ratio for "≤" goals); the CI guard (`--short`) fails a row
 * only when its score is below half the goal's score, i.e. a throughput
 * ratio below half its goal or a time ratio above twice its goal.
 *
 * @module
 */
import type { BenchRecord, RssRecord } from "./_suite.ts";

/** How a row compares. */
export type Direction = "higher" | "lower";

/** One row of the issue's table. */
export interface RowDef {
  key: string;
  label: string;
  /** Where the numbers come from. */
  source:
    | { kind: "bench"; bench: string; metric: string }
    | { kind: "floor"; bench: string; metric: string }
    | { kind: "rss-peak" }
    | { kind: "rss-drift" }
    | { kind: "size"; feature: string };
  better: Direction;
  /** The goal as a ratio (or, for rss-drift, the largest drift allowed); null: info only. */
  goal: number | null;
  unit: "msg/s" | "µs" | "ms" | "MiB" | "%" | "KiB";
}

function bench(
  key: string,
  label: string,
  metric: string,
  better: Direction,
  goal: number | null,
  unit: RowDef["unit"],
): RowDef {
  return { key, label, source: { kind: "bench", bench: key, metric }, better, goal, unit };
}

/** An info row: nats-rt against a bench's raw-socket contestant (throughput). */
function floorRow(benchName: string, label: string): RowDef {
  return {
    key: `${benchName}_floor`,
    label: `${label} (official column: raw)`,
    source: { kind: "floor", bench: benchName, metric: "rate" },
    better: "higher",
    goal: null,
    unit: "msg/s",
  };
}

/** The rows, in the issue's order. Bench keys equal bench names. */
export const ROWS: readonly RowDef[] = [
  bench("pub16", "publish 16 B", "rate", "higher", 2.0, "msg/s"),
  bench("pub1k", "publish 1 KiB", "rate", "higher", 2.0, "msg/s"),
  bench("sub16", "subscribe 16 B", "rate", "higher", 1.5, "msg/s"),
  floorRow("sub16", "subscribe 16 B vs raw-socket subscriber"),
  bench("sub1k", "subscribe 1 KiB", "rate", "higher", 1.5, "msg/s"),
  floorRow("sub1k", "subscribe 1 KiB vs raw-socket subscriber"),
  bench("pubsub16", "publish + subscribe, one connection, 16 B", "rate", "higher", 1.5, "msg/s"),
  bench("pubsub1k", "publish + subscribe, one connection, 1 KiB", "rate", "higher", 1.5, "msg/s"),
  {
    key: "rr",
    label: "request/reply latency (median)",
    source: { kind: "bench", bench: "rr", metric: "median" },
    better: "lower",
    goal: 0.8,
    unit: "µs",
  },
  {
    key: "rr_floor",
    label: "request/reply vs raw-socket floor (official column: floor)",
    source: { kind: "floor", bench: "rr", metric: "median" },
    better: "lower",
    goal: 1.3,
    unit: "µs",
  },
  {
    key: "rr_p99",
    label: "request/reply latency (p99)",
    source: { kind: "bench", bench: "rr", metric: "p99" },
    better: "lower",
    goal: null,
    unit: "µs",
  },
  bench("concurrent", "1,000 concurrent requests, total time", "ms", "lower", 0.7, "ms"),
  bench("js_sync16", "JetStream publish awaited, 16 B", "rate", "higher", 1.2, "msg/s"),
  bench("js_sync1k", "JetStream publish awaited, 1 KiB", "rate", "higher", 1.2, "msg/s"),
  bench("js_async16", "JetStream publish pipelined, 16 B", "rate", "higher", 1.5, "msg/s"),
  bench("js_async1k", "JetStream publish pipelined, 1 KiB", "rate", "higher", 1.5, "msg/s"),
  bench("js_iter16", "pull consume + ack, iterator, 16 B", "rate", "higher", 1.5, "msg/s"),
  bench("js_iter1k", "pull consume + ack, iterator, 1 KiB", "rate", "higher", 1.5, "msg/s"),
  bench("js_cb16", "pull consume + ack, callback, 16 B", "rate", "higher", 1.5, "msg/s"),
  floorRow("js_cb16", "pull consume + ack, callback, 16 B vs raw-socket consumer"),
  bench("js_cb1k", "pull consume + ack, callback, 1 KiB", "rate", "higher", 1.5, "msg/s"),
  floorRow("js_cb1k", "pull consume + ack, callback, 1 KiB vs raw-socket consumer"),
  {
    key: "rss_peak",
    label: "RSS during a subscribe run (median of run peaks)",
    source: { kind: "rss-peak" },
    better: "lower",
    goal: 1.0,
    unit: "MiB",
  },
  {
    key: "rss_drift",
    label: "RSS drift over repeated runs (goal: flat, ≤ 10%)",
    source: { kind: "rss-drift" },
    better: "lower",
    goal: 0.1,
    unit: "%",
  },
];

/** Browser bundle rows (not per runtime). */
export const SIZE_ROWS: readonly RowDef[] = [
  {
    key: "size_core",
    label: "browser bundle, min+gzip: core",
    source: { kind: "size", feature: "core" },
    better: "lower",
    goal: 1.0,
    unit: "KiB",
  },
  {
    key: "size_js",
    label: "browser bundle, min+gzip: core + JetStream",
    source: { kind: "size", feature: "core + JetStream" },
    better: "lower",
    goal: 1.0,
    unit: "KiB",
  },
];

/** Bundle sizes (bytes, min+gzip) per feature set. */
export type SizeResult = Record<string, { ours: number; official: number }>;

/** What one runtime measured. */
export interface RuntimeResult {
  runtime: "deno" | "node";
  version: string;
  benches: BenchRecord[];
  rss: Partial<Record<"ours" | "official", RssRecord>>;
  /** Why nats-rt (or everything) was not measured here, if so. */
  note?: string;
}

/** One row's numbers and verdict. */
export interface RowResult {
  key: string;
  label: string;
  runtime: string;
  unit: string;
  better: Direction;
  ours: number | null;
  official: number | null;
  /** nats-rt / official (for rss-drift: ours' drift). */
  ratio: number | null;
  goal: number | null;
  /** Goal met; null when not measured or info only. */
  met: boolean | null;
  /** Below half its goal (the CI guard). */
  regression: boolean;
  /** CPU µs per message, when measured. */
  cpuOurs?: number;
  cpuOfficial?: number;
  /** nats-server's CPU µs per message while serving each, when measured. */
  serverOurs?: number;
  serverOfficial?: number;
}

/** Median of the per-run peaks of an RSS record. */
export function rssPeak(r: RssRecord | undefined): number | null {
  if (r === undefined || r.runs.length === 0) return null;
  const s = r.runs.map((x) => x.peak).sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Growth of RSS over repeated runs: the highest peak of the second half of
 * the runs over the highest peak of the first half, minus one (0.05 = 5%).
 */
export function rssDrift(r: RssRecord | undefined): number | null {
  if (r === undefined || r.runs.length < 2) return null;
  const half = Math.floor(r.runs.length / 2);
  const first = Math.max(...r.runs.slice(0, half).map((x) => x.peak));
  const second = Math.max(...r.runs.slice(half).map((x) => x.peak));
  return second / first - 1;
}

function finite(v: number | undefined | null): number | null {
  return v !== undefined && v !== null && Number.isFinite(v) ? v : null;
}

function verdict(
  def: RowDef,
  ratio: number | null,
): { met: boolean | null; regression: boolean } {
  if (ratio === null || def.goal === null) return { met: null, regression: false };
  if (def.better === "higher") return { met: ratio >= def.goal, regression: ratio < def.goal / 2 };
  if (def.source.kind === "size") {
    return { met: ratio < def.goal, regression: ratio > def.goal * 2 };
  }
  return { met: ratio <= def.goal, regression: ratio > def.goal * 2 };
}

/** The rows of one runtime. */
export function buildRows(r: RuntimeResult): RowResult[] {
  const byName = new Map(r.benches.map((b) => [b.name, b]));
  const rows: RowResult[] = [];
  for (const def of ROWS) {
    let ours: number | null = null;
    let official: number | null = null;
    let ratio: number | null = null;
    let cpuOurs: number | undefined;
    let cpuOfficial: number | undefined;
    let serverOurs: number | undefined;
    let serverOfficial: number | undefined;
    const src = def.source;
    if (src.kind === "bench") {
      const rec = byName.get(src.bench);
      if (rec === undefined) continue;
      ours = finite(rec.medians.ours?.[src.metric]);
      official = finite(rec.medians.official?.[src.metric]);
      cpuOurs = rec.medians.ours?.cpuUs;
      cpuOfficial = rec.medians.official?.cpuUs;
      serverOurs = rec.medians.ours?.serverCpuUs;
      serverOfficial = rec.medians.official?.serverCpuUs;
    } else if (src.kind === "floor") {
      const rec = byName.get(src.bench);
      if (rec === undefined || rec.medians.floor === undefined) continue;
      ours = finite(rec.medians.ours?.[src.metric]);
      official = finite(rec.medians.floor?.[src.metric]);
      cpuOurs = rec.medians.ours?.cpuUs;
      cpuOfficial = rec.medians.floor?.cpuUs;
      serverOurs = rec.medians.ours?.serverCpuUs;
      serverOfficial = rec.medians.floor?.serverCpuUs;
    } else if (src.kind === "rss-peak") {
      if (r.rss.ours === undefined && r.rss.official === undefined) continue;
      ours = rssPeak(r.rss.ours);
      official = rssPeak(r.rss.official);
      if (ours !== null) ours /= 2 ** 20;
      if (official !== null) official /= 2 ** 20;
    } else if (src.kind === "rss-drift") {
      if (r.rss.ours === undefined && r.rss.official === undefined) continue;
      ours = rssDrift(r.rss.ours);
      official = rssDrift(r.rss.official);
      ratio = ours;
    } else {
      continue;
    }
    if (src.kind !== "rss-drift" && ours !== null && official !== null) ratio = ours / official;
    rows.push({
      key: def.key,
      label: def.label,
      runtime: r.runtime,
      unit: def.unit,
      better: def.better,
      ours,
      official,
      ratio,
      goal: def.goal,
      ...verdict(def, ratio),
      cpuOurs,
      cpuOfficial,
      serverOurs,
      serverOfficial,
    });
  }
  return rows;
}

/** The browser bundle rows. */
export function buildSizeRows(s: SizeResult | undefined): RowResult[] {
  if (s === undefined) return [];
  const rows: RowResult[] = [];
  for (const def of SIZE_ROWS) {
    if (def.source.kind !== "size") continue;
    const v = s[def.source.feature];
    if (v === undefined) continue;
    const ratio = v.ours / v.official;
    rows.push({
      key: def.key,
      label: def.label,
      runtime: "browser",
      unit: def.unit,
      better: def.better,
      ours: v.ours / 1024,
      official: v.official / 1024,
      ratio,
      goal: def.goal,
      ...verdict(def, ratio),
    });
  }
  return rows;
}

// ------------------------------------------------------------ formatting

function fmtValue(v: number | null, unit: string): string {
  if (v === null) return "n/a";
  switch (unit) {
    case "msg/s":
      return `${Math.round(v).toLocaleString("en-US")} msg/s`;
    case "µs":
      return `${v.toFixed(1)} µs`;
    case "ms":
      return `${v.toFixed(2)} ms`;
    case "MiB":
      return `${v.toFixed(1)} MiB`;
    case "KiB":
      return `${v.toFixed(1)} KiB`;
    case "%":
      return `${(v * 100).toFixed(1)}%`;
    default:
      return String(v);
  }
}

/** The goal as the issue writes it. */
export function goalText(row: RowResult): string {
  if (row.goal === null) return "info";
  if (row.key === "rss_drift") return `≤ ${(row.goal * 100).toFixed(0)}%`;
  if (row.unit === "KiB") return "< 1.00x";
  return `${row.better === "higher" ? "≥" : "≤"} ${row.goal.toFixed(1)}x`;
}

function ratioText(row: RowResult): string {
  if (row.ratio === null) return "n/a";
  if (row.key === "rss_drift") return fmtValue(row.ratio, "%");
  return `${row.ratio.toFixed(2)}x`;
}

function metText(row: RowResult): string {
  if (row.met === null) return row.goal === null ? "" : "n/a";
  return row.met ? "met" : row.regression ? "REGRESSION" : "not met";
}

function pair(a: number | undefined, b: number | undefined): string {
  if (a === undefined && b === undefined) return "";
  const f = (v: number | undefined) =>
    v === undefined || !Number.isFinite(v) ? "n/a" : v.toFixed(2);
  return `${f(a)} : ${f(b)}`;
}

/** A Markdown table of rows. */
export function table(rows: readonly RowResult[]): string {
  const head = [
    "row",
    "nats-rt",
    "official",
    "ratio",
    "goal",
    "result",
    "client CPU µs/msg, nats-rt : official",
    "server CPU µs/msg, with nats-rt : with official",
  ];
  const cells = rows.map((r) => [
    r.label,
    fmtValue(r.ours, r.unit),
    fmtValue(r.official, r.unit),
    ratioText(r),
    goalText(r),
    metText(r),
    pair(r.cpuOurs, r.cpuOfficial),
    pair(r.serverOurs, r.serverOfficial),
  ]);
  const all = [head, ...cells];
  const widths = head.map((_, i) => Math.max(...all.map((c) => c[i].length)));
  const line = (c: string[]) =>
    "| " + c.map((x, i) => i === 0 ? x.padEnd(widths[i]) : x.padStart(widths[i])).join(" | ") +
    " |";
  const sep = "|" + widths.map((w, i) => "-".repeat(w + 1) + (i === 0 ? "-" : ":")).join("|") +
    "|";
  return [line(head), sep, ...cells.map(line)].join("\n");
}

/** "12/14 goals met" for a set of rows. */
export function tally(rows: readonly RowResult[]): string {
  const judged = rows.filter((r) => r.met !== null);
  const met = judged.filter((r) => r.met).length;
  const missing = rows.filter((r) => r.goal !== null && r.met === null).length;
  return `${met}/${judged.length} goals met` + (missing > 0 ? ` (${missing} not measured)` : "");
}

// ------------------------------------------------------------------- SVG

/** How much better than the official client (> 1 better), on the goal's scale. */
function score(r: RowResult): number | null {
  if (r.ratio === null || r.ratio <= 0) return null;
  if (r.key === "rss_drift") return null;
  return r.better === "higher" ? r.ratio : 1 / r.ratio;
}

function goalScore(r: RowResult): number | null {
  if (r.goal === null || r.key === "rss_drift") return null;
  return r.better === "higher" ? r.goal : 1 / r.goal;
}

/** Shorter labels for the chart, where a row's own label is long or reads differently. */
const CHART_LABELS: Record<string, string> = {
  sub16_floor: "subscribe 16 B: nats-rt / raw socket",
  sub1k_floor: "subscribe 1 KiB: nats-rt / raw socket",
  js_cb16_floor: "consume + ack, callback, 16 B: nats-rt / raw socket",
  js_cb1k_floor: "consume + ack, callback, 1 KiB: nats-rt / raw socket",
  rr: "request/reply latency, median",
  rr_floor: "request/reply: raw-socket floor / nats-rt",
  rr_p99: "request/reply latency, p99",
  rss_peak: "RSS, 1M-message subscribe run",
  size_core: "browser bundle, core",
  size_js: "browser bundle, core + JetStream",
};

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * A horizontal bar chart, one group per row and one bar per runtime, on a
 * log scale centred on parity with the official client: bars to the right
 * mean nats-rt is better. Ticks mark the goals.
 */
export function svgChart(
  series: readonly { name: string; color: string; rows: readonly RowResult[] }[],
  title: string,
  subtitle: string,
): string {
  const keys: { key: string; label: string }[] = [];
  for (const s of series) {
    for (const r of s.rows) {
      if (score(r) !== null && !keys.some((k) => k.key === r.key)) {
        keys.push({ key: r.key, label: CHART_LABELS[r.key] ?? r.label });
      }
    }
  }
  const labelW = 330;
  const plotW = 520;
  const barH = 11;
  const groupH = series.length * (barH + 2) + 10;
  const top = 88;
  const height = top + keys.length * groupH + 50;
  const width = labelW + plotW + 90;
  const minL = Math.log2(0.25);
  const maxL = Math.log2(8);
  const x = (v: number) => {
    const l = Math.min(maxL, Math.max(minL, Math.log2(v)));
    return labelW + ((l - minL) / (maxL - minL)) * plotW;
  };
  const out: string[] = [];
  out.push(
    "<!-- Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0. -->",
  );
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
      `viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
  );
  out.push(`<rect width="100%" height="100%" fill="#ffffff"/>`);
  out.push(`<text x="10" y="22" font-size="16" font-weight="bold">${esc(title)}</text>`);
  out.push(`<text x="10" y="40" fill="#555">${esc(subtitle)}</text>`);
  // Legend.
  let lx = labelW;
  for (const s of series) {
    out.push(`<rect x="${lx}" y="48" width="12" height="10" fill="${s.color}"/>`);
    out.push(`<text x="${lx + 16}" y="57">${esc(s.name)}</text>`);
    lx += 130;
  }
  out.push(`<line x1="${lx}" y1="47" x2="${lx}" y2="59" stroke="#000" stroke-width="2"/>`);
  out.push(`<text x="${lx + 6}" y="57">goal</text>`);
  out.push(
    `<text x="${labelW}" y="75" fill="#555">log scale; right of 1x: nats-rt better than the ` +
      `official client</text>`,
  );
  // Grid.
  for (const v of [0.25, 0.5, 1, 2, 4, 8]) {
    const gx = x(v).toFixed(1);
    out.push(
      `<line x1="${gx}" y1="${top - 4}" x2="${gx}" y2="${height - 40}" ` +
        `stroke="${v === 1 ? "#333" : "#ddd"}" stroke-width="${v === 1 ? 1.5 : 1}"/>`,
    );
    out.push(`<text x="${gx}" y="${height - 24}" text-anchor="middle" fill="#555">${v}x</text>`);
  }
  keys.forEach((k, i) => {
    const gy = top + i * groupH;
    if (i % 2 === 0) {
      out.push(
        `<rect x="0" y="${gy - 3}" width="${width}" height="${groupH}" fill="#f6f8fa" ` +
          `fill-opacity="0.7"/>`,
      );
    }
    out.push(
      `<text x="${labelW - 8}" y="${gy + groupH / 2}" text-anchor="end" ` +
        `dominant-baseline="middle">${esc(k.label)}</text>`,
    );
    series.forEach((s, j) => {
      const r = s.rows.find((x) => x.key === k.key);
      const y = gy + 2 + j * (barH + 2);
      if (r === undefined) return;
      const sc = score(r);
      if (sc === null) {
        out.push(`<text x="${x(1) + 4}" y="${y + barH - 2}" fill="#999">not measured</text>`);
        return;
      }
      const x0 = x(1);
      const x1 = x(sc);
      const color = r.met === false ? "#d9534f" : s.color;
      out.push(
        `<rect x="${Math.min(x0, x1).toFixed(1)}" y="${y}" width="${
          Math.max(1, Math.abs(x1 - x0)).toFixed(1)
        }" height="${barH}" fill="${color}"><title>${esc(`${s.name}: ${r.label}`)}</title></rect>`,
      );
      const g = goalScore(r);
      if (g !== null) {
        const gx = x(g).toFixed(1);
        out.push(
          `<line x1="${gx}" y1="${y - 1}" x2="${gx}" y2="${
            y + barH + 1
          }" stroke="#000" stroke-width="2"/>`,
        );
      }
      out.push(
        `<text x="${(Math.max(x0, x1) + 6).toFixed(1)}" y="${y + barH - 2}" fill="#333">${
          esc(`${sc.toFixed(2)}x`)
        }</text>`,
      );
    });
  });
  out.push(
    `<text x="10" y="${height - 8}" fill="#777">Bars in red miss their goal. ` +
      `Times, memory and size are shown inverted (official / nats-rt), so longer is better ` +
      `everywhere.</text>`,
  );
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}

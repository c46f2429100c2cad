// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * The bench's verdicts (bench/_report.ts), which the CI guard (`bench.ts
 * --short`) exits on: a goal is met at its ratio; only a ratio below half
 * its goal (a time, memory or size ratio above twice its goal) is a
 * regression.
 */
import assert from "node:assert/strict";
import {
  buildRows,
  buildSizeRows,
  type RowResult,
  rssDrift,
  type RuntimeResult,
  svgChart,
  table,
} from "../../bench/_report.ts";
import type { BenchRecord, RssRecord } from "../../bench/_suite.ts";

function rec(name: string, medians: BenchRecord["medians"]): BenchRecord {
  return { name, title: name, params: {}, rounds: [], medians, errors: [] };
}

function runtime(benches: BenchRecord[], rss: RuntimeResult["rss"] = {}): RuntimeResult {
  return { runtime: "deno", version: "x", benches, rss };
}

function row(rows: RowResult[], key: string): RowResult {
  const r = rows.find((x) => x.key === key);
  assert.ok(r, `row ${key}`);
  return r;
}

Deno.test("bench report: throughput rows are met at the goal and regress below half of it", () => {
  const rows = buildRows(runtime([
    rec("pub16", { ours: { rate: 200 }, official: { rate: 100 } }),
    rec("pub1k", { ours: { rate: 150 }, official: { rate: 100 } }),
    rec("sub16", { ours: { rate: 74 }, official: { rate: 100 } }),
  ]));
  assert.deepEqual([row(rows, "pub16").met, row(rows, "pub16").regression], [true, false]);
  assert.deepEqual([row(rows, "pub1k").met, row(rows, "pub1k").regression], [false, false]);
  // sub16: goal 1.5, half of it 0.75; 0.74 is a regression.
  assert.deepEqual([row(rows, "sub16").met, row(rows, "sub16").regression], [false, true]);
});

Deno.test("bench report: time rows compare nats-rt / official against a ≤ goal", () => {
  const rows = buildRows(runtime([
    rec("rr", {
      ours: { median: 300, p99: 900 },
      official: { median: 400, p99: 800 },
      floor: { median: 250, p99: 500 },
    }),
    rec("concurrent", { ours: { ms: 15 }, official: { ms: 10 } }),
  ]));
  const rr = row(rows, "rr");
  assert.equal(rr.ratio, 0.75);
  assert.deepEqual([rr.met, rr.regression], [true, false]);
  const floor = row(rows, "rr_floor");
  assert.equal(floor.official, 250);
  assert.equal(floor.ratio, 1.2);
  assert.equal(floor.met, true);
  assert.equal(row(rows, "rr_p99").met, null, "p99 is information only");
  // concurrent: goal 0.7, twice that 1.4; 1.5 is a regression.
  const c = row(rows, "concurrent");
  assert.deepEqual([c.met, c.regression], [false, true]);
});

Deno.test("bench report: RSS peak and drift, bundle sizes strictly smaller", () => {
  const runs = (peaks: number[]): RssRecord => ({
    client: "ours",
    msgs: 1,
    size: 16,
    base: 0,
    runs: peaks.map((peak) => ({ peak, end: peak, rate: 1 })),
  });
  const growing = runs([100, 100, 100, 100, 130, 130].map((x) => x * 2 ** 20));
  assert.ok(Math.abs(rssDrift(growing)! - 0.3) < 1e-9);
  const rows = buildRows(runtime([], {
    ours: growing,
    official: { ...runs([200, 200, 200].map((x) => x * 2 ** 20)), client: "official" },
  }));
  assert.equal(row(rows, "rss_peak").ratio, 0.5);
  assert.equal(row(rows, "rss_peak").met, true);
  assert.equal(row(rows, "rss_drift").met, false, "30% growth is not flat");
  const size = buildSizeRows({
    core: { ours: 1000, official: 1000 },
    "core + JetStream": { ours: 500, official: 1000 },
  });
  assert.equal(row(size, "size_core").met, false, "the same size is not smaller");
  assert.equal(row(size, "size_js").met, true);
});

Deno.test("bench report: the table and the chart render every row", () => {
  const rows = buildRows(runtime([rec("pub16", { ours: { rate: 300 }, official: { rate: 100 } })]));
  assert.match(table(rows), /publish 16 B .*3\.00x .*≥ 2\.0x .*met/);
  const svg = svgChart([{ name: "Deno", color: "#00f", rows }], "t", "s");
  assert.ok(svg.startsWith("<!-- Copyright"));
  assert.match(svg, /<svg [^>]*>[\s\S]*publish 16 B[\s\S]*3\.00x[\s\S]*<\/svg>/);
});

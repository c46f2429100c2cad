// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
// deno-lint-ignore-file no-console
/**
 * Fails when the entry points or the two export maps drift apart:
 *
 * - `deno.json` exports every required subpath (`.`, `./node`, `./ws`,
 *   `./cloudflare`, `./jetstream`);
 * - the connect entries (`.`, `./node`, `./ws`, `./cloudflare`) export the
 *   same names, and the same `connect(opts?: ConnectionOptions):
 *   Promise<NatsConnection>` (read with `deno doc --json`, so the Workers
 *   entry is checked without being run);
 * - the npm export map is exactly what `_package.ts` derives from
 *   `deno.json`, and, when `npm/` is built, `npm/package.json` matches it
 *   and every file it names exists.
 *
 * Run: deno task check:exports
 * @module
 */
import { npmExports, packageJson, readDenoJson, REQUIRED_EXPORTS } from "./_package.ts";

const root = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
const problems: string[] = [];

interface DocSymbol {
  name: string;
  declarations: { kind: string; def?: { params?: unknown; returnType?: unknown } }[];
}

/** Exported symbols of a module, with `connect`'s signature. */
async function exportsOf(file: string): Promise<{ names: string[]; connect?: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--json", file],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(`deno doc ${file}: ${new TextDecoder().decode(out.stderr)}`);
  const doc = JSON.parse(new TextDecoder().decode(out.stdout));
  const url = new URL(file, `file://${root}/`).href;
  const symbols: DocSymbol[] = doc.nodes[url]?.symbols ?? [];
  const connect = symbols.find((s) => s.name === "connect")?.declarations[0];
  return {
    names: symbols.map((s) => s.name).sort(),
    // Type references resolve through different relative paths per entry:
    // compare the types as written, without where they resolve.
    connect: connect === undefined ? undefined : JSON.stringify(
      { kind: connect.kind, params: connect.def?.params, returnType: connect.def?.returnType },
      (k, v) => k === "resolution" || k === "location" ? undefined : v,
    ),
  };
}

const deno = await readDenoJson(root);
for (const sub of REQUIRED_EXPORTS) {
  if (deno.exports[sub] === undefined) problems.push(`deno.json exports lacks "${sub}"`);
}

// 1. Every connect entry exports the same names and the same connect().
const connectEntries = [".", "./node", "./ws", "./cloudflare"].filter((s) => deno.exports[s]);
const seen = new Map<string, { names: string[]; connect?: string }>();
for (const sub of connectEntries) seen.set(sub, await exportsOf(deno.exports[sub]));
const [firstSub, first] = [...seen.entries()][0];
for (const [sub, e] of seen) {
  if (e.connect === undefined) problems.push(`${sub} exports no connect()`);
  else if (e.connect !== first.connect) {
    problems.push(`${sub}: connect() signature differs from ${firstSub}'s`);
  }
  const missing = first.names.filter((n) => !e.names.includes(n));
  const extra = e.names.filter((n) => !first.names.includes(n));
  if (missing.length > 0) {
    problems.push(`${sub} lacks ${missing.join(", ")} (exported by ${firstSub})`);
  }
  if (extra.length > 0) {
    problems.push(`${sub} adds ${extra.join(", ")} (not exported by ${firstSub})`);
  }
}

// 2. The npm export map follows from deno.json, and npm/ (when built) matches it.
const expected = npmExports(deno);
for (const sub of Object.keys(deno.exports)) {
  if (expected[sub] === undefined) problems.push(`npm exports lack "${sub}"`);
}
let built: Record<string, unknown> | undefined;
try {
  built = JSON.parse(await Deno.readTextFile(`${root}/npm/package.json`));
} catch {
  console.log("npm/ not built: checked the derived map only");
}
if (built !== undefined) {
  const want = packageJson(deno);
  for (const k of ["name", "version", "type", "exports", "main", "types", "engines"]) {
    if (JSON.stringify(built[k]) !== JSON.stringify(want[k])) {
      problems.push(`npm/package.json "${k}" is stale or edited: rebuild with deno task build:npm`);
    }
  }
  for (const k of ["dependencies", "scripts", "peerDependencies", "optionalDependencies"]) {
    if (built[k] !== undefined) problems.push(`npm/package.json has "${k}"`);
  }
  const files = new Set<string>();
  const collect = (v: unknown) => {
    if (typeof v === "string") files.add(v);
    else if (v !== null && typeof v === "object") Object.values(v).forEach(collect);
  };
  collect(built.exports);
  for (const f of files) {
    try {
      await Deno.stat(`${root}/npm/${f}`);
    } catch {
      problems.push(`npm/package.json names ${f}, which the build did not emit`);
    }
  }
}

if (problems.length > 0) {
  console.error(`export check failed:\n  ${problems.join("\n  ")}`);
  Deno.exit(1);
}
console.log(
  `exports OK: ${connectEntries.join(", ")} export the same ${first.names.length} names; ` +
    `${Object.keys(expected).length} npm subpaths follow deno.json`,
);

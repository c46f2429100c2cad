// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
// deno-lint-ignore-file no-console
/**
 * Proves the core is runtime-neutral: no file in src/ outside src/transports/
 * mentions Deno, node: modules, process, Buffer or cloudflare:, and the core
 * type-checks against DOM + ESNext libs only (no Deno or Node types).
 *
 * Run: deno run -A scripts/check_neutral.ts
 * @module
 */

const root = new URL("../", import.meta.url).pathname;

async function* walk(dir: string): AsyncGenerator<string> {
  for await (const e of Deno.readDir(dir)) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory) {
      if (p.endsWith("/transports")) continue;
      yield* walk(p);
    } else if (e.name.endsWith(".ts")) yield p;
  }
}

const forbidden = [
  /\bDeno\./,
  /from\s+["']node:/,
  /from\s+["']cloudflare:/,
  /\brequire\(/,
  /\bprocess\./,
  /\bBuffer\b/,
];
const files: string[] = [];
let bad = 0;
for await (const f of walk(`${root}src`)) {
  files.push(f);
  const text = await Deno.readTextFile(f);
  text.split("\n").forEach((line, i) => {
    if (line.trimStart().startsWith("//") || line.trimStart().startsWith("*")) return;
    for (const re of forbidden) {
      if (re.test(line)) {
        console.error(
          `${f.slice(root.length)}:${i + 1}: runtime API in the neutral core: ${line.trim()}`,
        );
        bad++;
      }
    }
  });
}

const dir = await Deno.makeTempDir();
try {
  const config = `${dir}/deno.json`;
  await Deno.writeTextFile(
    config,
    JSON.stringify({ compilerOptions: { lib: ["esnext", "dom", "dom.iterable"] } }),
  );
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["check", "--quiet", "--config", config, ...files],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!out.success) {
    console.error("the neutral core does not type-check with DOM + ESNext libs only");
    bad++;
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}
if (bad > 0) Deno.exit(1);
console.log(`neutral core OK: ${files.length} files`);

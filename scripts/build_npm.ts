// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
// deno-lint-ignore-file no-console
/**
 * Builds the npm package `nats-rt` into `npm/` from the same source as JSR:
 *
 * 1. `tsc` (TypeScript from npm, pinned in `_tools.ts`) emits ES2022 modules
 *    and `.d.ts` files for every `deno.json` export, with
 *    `rewriteRelativeImportExtensions` turning `./x.ts` into `./x.js`. Runtime
 *    modules (`node:*`, `cloudflare:sockets`) are declared as untyped modules
 *    for the build only: the transports type what they use themselves.
 * 2. Every emitted file is checked for relative `.ts` specifiers; `.d.ts`
 *    files can keep them (TypeScript issue #61037), so they are rewritten
 *    there and the check runs again.
 * 3. `package.json` is generated from `deno.json` (see `_package.ts`),
 *    README.md and LICENSE are copied.
 * 4. `bundle/nats-rt.min.js`: one minified ESM file of the `./ws` entry,
 *    made with `deno bundle --platform browser`, for `<script type="module">`.
 *
 * Run: deno task build:npm
 * @module
 */
import { packageJson, readDenoJson } from "./_package.ts";
import { ensureTools } from "./_tools.ts";

const root = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
const out = `${root}/npm`;

/** Module declarations for the build only (transports cast them to local interfaces). */
const RUNTIME_SHIMS = `declare module "node:net";
declare module "node:tls";
declare module "node:fs/promises";
declare module "cloudflare:sockets";
`;

/** Relative import/export specifiers that still end in `.ts` (not `.d.ts`). */
const TS_SPECIFIER = /((?:from|import)\s*\(?\s*["'])(\.{1,2}\/[^"']*?)(?<!\.d)\.ts(["'])/g;

async function run(cmd: string, args: string[], cwd = root): Promise<void> {
  const res = await new Deno.Command(cmd, { args, cwd, stdout: "inherit", stderr: "inherit" })
    .output();
  if (!res.success) throw new Error(`${cmd} ${args.join(" ")} failed (code ${res.code})`);
}

async function* walk(dir: string): AsyncGenerator<string> {
  for await (const e of Deno.readDir(dir)) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory) yield* walk(p);
    else yield p;
  }
}

/** Emits JS and declarations with tsc. */
async function compile(entries: string[]): Promise<void> {
  const tools = await ensureTools("typescript");
  const tmp = await Deno.makeTempDir({ prefix: "nats-rt-build-" });
  try {
    await Deno.writeTextFile(`${tmp}/runtime_shims.d.ts`, RUNTIME_SHIMS);
    const tsconfig = {
      compilerOptions: {
        target: "ES2022",
        module: "ESNext",
        moduleResolution: "Bundler",
        lib: ["ES2022", "ESNext.Disposable", "DOM", "DOM.Iterable"],
        types: [],
        strict: true,
        declaration: true,
        rewriteRelativeImportExtensions: true,
        allowImportingTsExtensions: true,
        verbatimModuleSyntax: true,
        skipLibCheck: true,
        newLine: "lf",
        rootDir: root,
        outDir: out,
      },
      files: [...entries.map((e) => `${root}/${e}`), `${tmp}/runtime_shims.d.ts`],
    };
    await Deno.writeTextFile(`${tmp}/tsconfig.json`, JSON.stringify(tsconfig, null, 2));
    await run("node", [`${tools}/node_modules/typescript/bin/tsc`, "-p", `${tmp}/tsconfig.json`]);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

/** Lines of code (not comment lines) with a relative `.ts` specifier. */
function tsSpecifiers(text: string): { line: number; spec: string }[] {
  const hits: { line: number; spec: string }[] = [];
  text.split("\n").forEach((l, i) => {
    const t = l.trimStart();
    if (t.startsWith("*") || t.startsWith("//") || t.startsWith("/*")) return;
    for (const m of l.matchAll(TS_SPECIFIER)) hits.push({ line: i + 1, spec: `${m[2]}.ts` });
  });
  return hits;
}

/** Rewrites `.ts` specifiers left in `.d.ts` files; fails on any left in `.js` files. */
async function fixSpecifiers(): Promise<number> {
  let rewritten = 0;
  const bad: string[] = [];
  for await (const f of walk(out)) {
    if (!f.endsWith(".js") && !f.endsWith(".d.ts")) continue;
    const text = await Deno.readTextFile(f);
    const hits = tsSpecifiers(text);
    if (hits.length === 0) continue;
    if (f.endsWith(".js")) {
      bad.push(...hits.map((h) => `${f}:${h.line}: ${h.spec}`));
      continue;
    }
    rewritten += hits.length;
    const lines = text.split("\n");
    for (const h of hits) lines[h.line - 1] = lines[h.line - 1].replace(TS_SPECIFIER, "$1$2.js$3");
    await Deno.writeTextFile(f, lines.join("\n"));
  }
  if (bad.length > 0) throw new Error(`emitted JS keeps .ts specifiers:\n${bad.join("\n")}`);
  // Verify: no code line may keep one, in any emitted file.
  for await (const f of walk(out)) {
    if (!f.endsWith(".js") && !f.endsWith(".d.ts")) continue;
    const left = tsSpecifiers(await Deno.readTextFile(f));
    if (left.length > 0) throw new Error(`${f}:${left[0].line} still imports ${left[0].spec}`);
  }
  return rewritten;
}

/** Bundles the `./ws` entry into one minified ESM file. */
export async function bundleBrowser(
  denoExports: Record<string, string>,
  file: string,
  minify = true,
): Promise<void> {
  await run(Deno.execPath(), [
    "bundle",
    "--quiet",
    "--no-lock",
    "--platform",
    "browser",
    "--format",
    "esm",
    ...(minify ? ["--minify"] : []),
    "-o",
    file,
    `${root}/${denoExports["./ws"]}`,
  ]);
}

if (import.meta.main) {
  const started = performance.now();
  const deno = await readDenoJson(root);
  await Deno.remove(out, { recursive: true }).catch(() => {});
  await Deno.mkdir(out, { recursive: true });
  const entries = Object.values(deno.exports).map((p) => p.replace(/^\.\//, ""));
  await compile(entries);
  const rewritten = await fixSpecifiers();
  const pkg = packageJson(deno);
  await Deno.writeTextFile(`${out}/package.json`, JSON.stringify(pkg, null, 2) + "\n");
  await Deno.copyFile(`${root}/README.md`, `${out}/README.md`);
  await Deno.copyFile(`${root}/LICENSE`, `${out}/LICENSE`);
  await Deno.mkdir(`${out}/bundle`, { recursive: true });
  await bundleBrowser(deno.exports, `${out}/bundle/nats-rt.min.js`);
  let files = 0;
  for await (const _ of walk(out)) files++;
  console.log(
    `npm/: ${pkg.name}@${pkg.version}, ${files} files, ${entries.length} entries` +
      (rewritten > 0 ? `, ${rewritten} .ts specifier(s) rewritten in .d.ts files` : "") +
      ` (${((performance.now() - started) / 1000).toFixed(1)} s)`,
  );
}

// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
// deno-lint-ignore-file no-console
/**
 * Private: the npm dev tools the build and the runtime suites use, pinned,
 * installed on demand with `npm install` into a cache directory (never into
 * a root package.json, and never with install scripts: every tool here ships
 * its binary as an optional platform package).
 *
 * Directory: `$NATS_RT_TOOLS`, else `$XDG_CACHE_HOME/nats-rt-tools`, else
 * `~/.cache/nats-rt-tools`.
 *
 * Run: deno task tools (installs every tool; the suites install what they miss)
 *
 * @module
 */

/** Pinned versions of every tool. */
export const TOOLS = {
  /** tsc, for the npm build (ESM + .d.ts with rewriteRelativeImportExtensions). */
  typescript: "5.9.3",
  /** Bundles the worker for workerd with wrangler's resolve conditions. */
  esbuild: "0.28.2",
  /** Drives Debian's Chromium (never downloads a browser). */
  "playwright-core": "1.65.1",
  /** Cloudflare's Workers runtime. */
  workerd: "1.20261117.1",
  /** The Bun runtime. */
  bun: "1.4.5",
} as const;

/** A tool name. */
export type Tool = keyof typeof TOOLS;

/** The tools directory. */
export function toolsDir(): string {
  const env = Deno.env.get("NATS_RT_TOOLS");
  if (env) return env;
  const cache = Deno.env.get("XDG_CACHE_HOME") ?? `${Deno.env.get("HOME") ?? "/tmp"}/.cache`;
  return `${cache}/nats-rt-tools`;
}

async function installedVersion(dir: string, name: string): Promise<string | undefined> {
  try {
    const pkg = JSON.parse(await Deno.readTextFile(`${dir}/node_modules/${name}/package.json`));
    return pkg.version;
  } catch {
    return undefined;
  }
}

/**
 * Makes sure `names` are installed at their pinned versions and returns the
 * tools directory (its `node_modules/` holds them).
 */
export async function ensureTools(...names: Tool[]): Promise<string> {
  const dir = toolsDir();
  const missing: string[] = [];
  for (const n of names) {
    if ((await installedVersion(dir, n)) !== TOOLS[n]) missing.push(`${n}@${TOOLS[n]}`);
  }
  if (missing.length === 0) return dir;
  await Deno.mkdir(dir, { recursive: true });
  try {
    await Deno.stat(`${dir}/package.json`);
  } catch {
    await Deno.writeTextFile(
      `${dir}/package.json`,
      JSON.stringify({ name: "nats-rt-tools", private: true }) + "\n",
    );
  }
  console.error(`installing ${missing.join(" ")} into ${dir}`);
  const out = await new Deno.Command("npm", {
    args: [
      "install",
      "--no-audit",
      "--no-fund",
      "--ignore-scripts",
      "--save-exact",
      "--loglevel=error",
      ...missing,
    ],
    cwd: dir,
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error(`npm install ${missing.join(" ")} failed in ${dir}`);
  return dir;
}

/** Where each native tool's npm package puts its per-platform binary. */
const NATIVE: Record<string, { scope: string; bin: string }> = {
  bun: { scope: "@oven", bin: "bin/bun" },
  workerd: { scope: "@cloudflare", bin: "bin/workerd" },
  esbuild: { scope: "@esbuild", bin: "bin/esbuild" },
};

/**
 * Path of a tool's executable. Native tools (bun, workerd, esbuild) resolve
 * to the binary of their platform package: installed without scripts, their
 * `node_modules/.bin` entries are stubs (bun, workerd) or Node wrappers that
 * leave the real process behind when killed (workerd). When the platform
 * package has no binary (an install that ran the scripts moved it), `.bin`.
 */
export async function toolBin(dir: string, tool: "bun" | "workerd" | "esbuild"): Promise<string> {
  const { scope, bin } = NATIVE[tool];
  try {
    for await (const e of Deno.readDir(`${dir}/node_modules/${scope}`)) {
      const p = `${dir}/node_modules/${scope}/${e.name}/${bin}`;
      try {
        if ((await Deno.stat(p)).isFile) return p;
      } catch {
        // not this platform package
      }
    }
  } catch {
    // scope not installed
  }
  // An install that ran the packages' scripts moved the binary into .bin's target.
  return `${dir}/node_modules/.bin/${tool}`;
}

if (import.meta.main) {
  const dir = await ensureTools(...(Object.keys(TOOLS) as Tool[]));
  console.log(`tools in ${dir}: ${Object.entries(TOOLS).map(([k, v]) => `${k}@${v}`).join(" ")}`);
}

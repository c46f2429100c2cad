// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * Private: the one place that says how the npm package's export map follows
 * from `deno.json`. Every subpath of `deno.json` `exports` becomes the same
 * subpath on npm (`.ts` → `.js` + `.d.ts`); the npm root `"."` adds runtime
 * conditions, each naming a `deno.json` subpath. `build_npm.ts` writes
 * package.json from this; `check_exports.ts` verifies the result.
 *
 * @module
 */

/**
 * Runtime conditions of the npm `"."` entry, in match order, each naming
 * the `deno.json` export it resolves to. Deno also sets `node`, and Bun sets
 * `node` too, so both come before it; wrangler resolves with `workerd`,
 * `worker`, `browser`; `default` serves anything else that has a WebSocket.
 */
export const ROOT_CONDITIONS: ReadonlyArray<readonly [condition: string, denoExport: string]> = [
  ["deno", "."],
  ["bun", "./node"],
  ["workerd", "./cloudflare"],
  ["browser", "./ws"],
  ["node", "./node"],
  ["default", "./ws"],
];

/** The subpaths `deno.json` must export (the list). */
export const REQUIRED_EXPORTS = [".", "./node", "./ws", "./cloudflare", "./jetstream"] as const;

/** The npm package name. */
export const NPM_NAME = "nats-rt";

/** A `deno.json` as far as the build reads it. */
export interface DenoJson {
  name: string;
  version: string;
  license: string;
  exports: Record<string, string>;
}

/** One conditional target: types first, then the module. */
export interface Target {
  types: string;
  default: string;
}

/** `./src/x.ts` → `{ types: "./src/x.d.ts", default: "./src/x.js" }`. */
export function targetOf(tsPath: string): Target {
  if (!tsPath.endsWith(".ts")) throw new Error(`deno.json export ${tsPath} is not a .ts file`);
  const base = tsPath.slice(0, -3);
  return { types: `${base}.d.ts`, default: `${base}.js` };
}

/** Reads `deno.json` from the repository root. */
export async function readDenoJson(root: string): Promise<DenoJson> {
  return JSON.parse(await Deno.readTextFile(`${root}/deno.json`));
}

/** The npm `exports` map derived from `deno.json` `exports`. */
export function npmExports(deno: DenoJson): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const root: Record<string, Target> = {};
  for (const [cond, sub] of ROOT_CONDITIONS) {
    const ts = deno.exports[sub];
    if (ts === undefined) {
      throw new Error(`condition "${cond}" names ${sub}, absent from deno.json`);
    }
    root[cond] = targetOf(ts);
  }
  out["."] = root;
  for (const [sub, ts] of Object.entries(deno.exports)) {
    if (sub !== ".") out[sub] = targetOf(ts);
  }
  out["./package.json"] = "./package.json";
  return out;
}

/** The whole npm package.json. */
export function packageJson(deno: DenoJson): Record<string, unknown> {
  const node = targetOf(deno.exports["./node"]);
  return {
    name: NPM_NAME,
    version: deno.version,
    description:
      "A fast, zero-dependency NATS client for Node.js, Bun, Deno, browsers and Cloudflare Workers, from one source (nats.js v3 API).",
    license: deno.license,
    type: "module",
    sideEffects: false,
    engines: { node: ">=20" },
    keywords: ["nats", "messaging", "pubsub", "jetstream", "websocket", "cloudflare-workers"],
    exports: npmExports(deno),
    main: node.default,
    types: node.types,
    files: ["mod.js", "mod.d.ts", "src/", "bundle/", "README.md", "LICENSE"],
  };
}

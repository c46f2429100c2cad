// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
// deno-lint-ignore-file no-console
/**
 * Browser bundle sizes, minified and gzipped, beside the official client's
 * for the same features. Every bundle is one ESM file made the same way
 * (`deno bundle --platform browser --minify`, i.e. esbuild with tree
 * shaking), from a small entry that imports only what an app would:
 *
 * - core: connect over WebSocket, publish/subscribe/request, headers
 *   (ours: `connect`, `headers` from `./ws`; official: `wsconnect`,
 *   `headers` from `@nats-io/nats-core`);
 * - core + JetStream: the same plus `jetstream`, `jetstreamManager`
 *   (official: from `@nats-io/jetstream`);
 * - and our whole `./ws` entry, as shipped in the npm package
 *   (`bundle/nats-rt.min.js`).
 *
 * Run: deno task size
 * @module
 */

const root = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
/** Official client versions measured (pinned: the numbers must be reproducible). */
const NATS_CORE = "npm:@nats-io/nats-core@3.4.0";
const NATS_JS = "npm:@nats-io/jetstream@3.4.0";
const OURS = `${root}/src/transports/websocket.ts`;

async function gzipSize(bytes: Uint8Array): Promise<number> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new CompressionStream("gzip"));
  return (await new Response(stream).arrayBuffer()).byteLength;
}

async function bundle(dir: string, name: string, source: string): Promise<Uint8Array> {
  const entry = `${dir}/${name}.ts`;
  const out = `${dir}/${name}.min.js`;
  await Deno.writeTextFile(entry, source);
  const res = await new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "--quiet",
      "--no-config",
      "--no-lock",
      "--platform",
      "browser",
      "--format",
      "esm",
      "--minify",
      "-o",
      out,
      entry,
    ],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!res.success) throw new Error(`deno bundle ${name} failed`);
  return await Deno.readFile(out);
}

function kb(n: number): string {
  return `${(n / 1024).toFixed(1)} KiB`;
}

if (import.meta.main) {
  const dir = await Deno.makeTempDir({ prefix: "nats-rt-size-" });
  try {
    const rows: [string, string, Uint8Array][] = [
      [
        "core",
        "nats-rt",
        await bundle(dir, "ours_core", `export { connect, headers } from "${OURS}";\n`),
      ],
      [
        "core",
        "official",
        await bundle(dir, "theirs_core", `export { headers, wsconnect } from "${NATS_CORE}";\n`),
      ],
      [
        "core + JetStream",
        "nats-rt",
        await bundle(
          dir,
          "ours_js",
          `export { connect, headers, jetstream, jetstreamManager } from "${OURS}";\n`,
        ),
      ],
      [
        "core + JetStream",
        "official",
        await bundle(
          dir,
          "theirs_js",
          `export { headers, wsconnect } from "${NATS_CORE}";\n` +
            `export { jetstream, jetstreamManager } from "${NATS_JS}";\n`,
        ),
      ],
      [
        "whole ./ws entry",
        "nats-rt",
        await bundle(dir, "ours_all", `export * from "${OURS}";\n`),
      ],
    ];
    console.log("browser bundle (one ESM file, deno bundle --platform browser --minify)");
    console.log(
      `${"features".padEnd(18)} ${"client".padEnd(38)} ${"min".padStart(10)} ${
        "min+gzip".padStart(10)
      }`,
    );
    const sizes: Record<string, number> = {};
    for (const [feat, who, bytes] of rows) {
      const gz = await gzipSize(bytes);
      sizes[`${feat}/${who}`] = gz;
      const label = who === "official"
        ? (feat === "core" ? "@nats-io/nats-core 3.4.0" : "nats-core + @nats-io/jetstream 3.4.0")
        : "nats-rt (./ws)";
      console.log(
        `${feat.padEnd(18)} ${label.padEnd(38)} ${kb(bytes.length).padStart(10)} ${
          kb(gz).padStart(10)
        }`,
      );
    }
    const core = sizes["core/nats-rt"] / sizes["core/official"];
    const js = sizes["core + JetStream/nats-rt"] / sizes["core + JetStream/official"];
    console.log(
      `\nnats-rt is ${(core * 100).toFixed(0)}% of the official client's min+gzip size ` +
        `for core, ${(js * 100).toFixed(0)}% with JetStream`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * Shared plumbing of the runtime suites (Node, Bun, Chromium, workerd), run
 * from Deno: the npm build and its tarball installed into a temp project,
 * the scenario list bundled to plain JS, a small HTTP control server through
 * which code in another runtime restarts or pauses the nats-server the suite
 * started, and child processes with a deadline.
 *
 * @module
 */
import type { NatsServer } from "../_helpers/nats_server.ts";
import { ensureTools, type Tool, toolBin } from "../../scripts/_tools.ts";

export { ensureTools, type Tool, toolBin };

/** Repository root (no trailing slash). */
export const ROOT: string = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");

const td = new TextDecoder();

/** Output of a finished child process. */
export interface ProcResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command to completion, killing it (SIGKILL) after `timeoutMs`.
 * Never throws for a non-zero exit: the caller checks `code`.
 */
export async function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<ProcResult> {
  const child = new Deno.Command(cmd, {
    args,
    cwd: opts.cwd,
    env: opts.env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }, opts.timeoutMs ?? 120_000);
  try {
    const out = await child.output();
    return {
      code: timedOut ? -1 : out.code,
      stdout: td.decode(out.stdout),
      stderr: td.decode(out.stderr) + (timedOut ? `\n[killed after ${opts.timeoutMs} ms]` : ""),
    };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs a command and throws with its output when it fails. */
export async function mustRun(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<string> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) {
    throw new Error(`${cmd} ${args.join(" ")} failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
  return r.stdout;
}

async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  for await (const e of Deno.readDir(dir)) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory) newest = Math.max(newest, await newestMtime(p));
    else newest = Math.max(newest, (await Deno.stat(p)).mtime?.getTime() ?? 0);
  }
  return newest;
}

/**
 * Makes sure `npm/` holds a build no older than the sources (runs
 * `deno task build:npm` otherwise) and returns its path.
 */
export async function ensureNpmBuild(): Promise<string> {
  let built = 0;
  try {
    built = (await Deno.stat(`${ROOT}/npm/package.json`)).mtime?.getTime() ?? 0;
  } catch {
    // not built
  }
  const src = Math.max(
    await newestMtime(`${ROOT}/src`),
    (await Deno.stat(`${ROOT}/mod.ts`)).mtime?.getTime() ?? 0,
    (await Deno.stat(`${ROOT}/deno.json`)).mtime?.getTime() ?? 0,
  );
  if (built < src) {
    await mustRun(Deno.execPath(), ["run", "-A", `${ROOT}/scripts/build_npm.ts`], {
      cwd: ROOT,
      timeoutMs: 180_000,
    });
  }
  return `${ROOT}/npm`;
}

/** A temp npm project with the packed tarball installed as `nats-rt`. */
export interface Project {
  /** The project directory. */
  dir: string;
  /** The tarball that was installed. */
  tarball: string;
  /** Removes the directory. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Packs `npm/` with `npm pack`, checks the tarball's package.json (no
 * dependencies, no scripts, ESM), installs it into a new temp project and
 * copies `files` (name → source path) into it.
 */
export async function makeProject(files: Record<string, string> = {}): Promise<Project> {
  const npmDir = await ensureNpmBuild();
  const dir = await Deno.makeTempDir({ prefix: "nats-rt-project-" });
  try {
    const packed = await mustRun("npm", ["pack", "--silent", "--pack-destination", dir], {
      cwd: npmDir,
    });
    const tarball = `${dir}/${packed.trim().split("\n").pop()}`;
    const pkg = JSON.parse(await Deno.readTextFile(`${npmDir}/package.json`));
    for (const k of ["dependencies", "peerDependencies", "optionalDependencies", "scripts"]) {
      if (pkg[k] !== undefined) throw new Error(`npm package.json must have no "${k}"`);
    }
    if (pkg.type !== "module") throw new Error(`npm package.json "type" is ${pkg.type}`);
    await Deno.writeTextFile(
      `${dir}/package.json`,
      JSON.stringify({ name: "nats-rt-runtime-test", private: true, type: "module" }),
    );
    await mustRun("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", tarball], {
      cwd: dir,
      timeoutMs: 120_000,
    });
    for (const [name, src] of Object.entries(files)) await Deno.copyFile(src, `${dir}/${name}`);
    return {
      dir,
      tarball,
      [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }),
    };
  } catch (err) {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw err;
  }
}

/** Bundles `tests/runtimes/_scenarios.ts` to one plain ESM file at `out`. */
export async function bundleScenarios(out: string): Promise<void> {
  await mustRun(Deno.execPath(), [
    "bundle",
    "--quiet",
    "--no-lock",
    "--platform",
    "browser",
    "--format",
    "esm",
    "-o",
    out,
    `${ROOT}/tests/runtimes/_scenarios.ts`,
  ], { cwd: ROOT });
}

/** Extra routes of a {@link ControlServer}: path → handler. */
export type Routes = Record<string, (req: Request) => Response | Promise<Response>>;

/** An HTTP server on 127.0.0.1 that lets another runtime drive the test's nats-server. */
export interface ControlServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Stops the HTTP server. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Serves `/control/restart`, `/control/pause`, `/control/resume` for
 * `server` (POST or GET), plus `routes`.
 */
export function controlServer(server: NatsServer, routes: Routes = {}): ControlServer {
  const actions: Record<string, () => Promise<void>> = {
    "/control/restart": () => server.restart(),
    "/control/pause": () => server.paused ? Promise.resolve() : server.pause(),
    "/control/resume": () => server.paused ? server.resume() : Promise.resolve(),
  };
  const ac = new AbortController();
  const httpd = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen: () => {} },
    async (req) => {
      const path = new URL(req.url).pathname;
      const action = actions[path];
      try {
        if (action !== undefined) {
          await action();
          return new Response("ok", { headers: { "access-control-allow-origin": "*" } });
        }
        const route = routes[path];
        if (route !== undefined) return await route(req);
        return new Response("not found", { status: 404 });
      } catch (err) {
        return new Response(String(err), { status: 500 });
      }
    },
  );
  return {
    url: `http://127.0.0.1:${httpd.addr.port}`,
    [Symbol.asyncDispose]: async () => {
      ac.abort();
      await httpd.finished;
    },
  };
}

/** One line of a scenario report, as printed by the runtime side. */
export interface ReportLine {
  name: string;
  ok: boolean;
  skipped?: boolean;
  ms: number;
  error?: string;
}

/**
 * Checks a report: every expected scenario ran (not skipped) and passed.
 * Throws one error listing every failure.
 */
export function assertReport(report: ReportLine[], expected: string[], where: string): void {
  const problems: string[] = [];
  for (const name of expected) {
    const r = report.find((x) => x.name === name);
    if (r === undefined) problems.push(`${name}: did not run`);
    else if (r.skipped) problems.push(`${name}: skipped`);
    else if (!r.ok) problems.push(`${name}: ${r.error}`);
  }
  if (problems.length > 0) {
    throw new Error(`${where}: ${problems.length} scenario(s) failed:\n${problems.join("\n")}`);
  }
}

/** Parses the last line of `stdout` that is a JSON array (the runtime's report). */
export function parseReport(stdout: string, stderr: string, where: string): ReportLine[] {
  const line = stdout.trim().split("\n").reverse().find((l) => l.startsWith("["));
  if (line === undefined) {
    throw new Error(`${where} printed no report.\nstdout:\n${stdout}\nstderr:\n${stderr}`);
  }
  return JSON.parse(line);
}

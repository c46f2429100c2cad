// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * A tiny command-line parser shared by the examples (no std import needed).
 *
 * Understands `--name value`, `--name=value`, boolean `--flag`, repeated
 * options, `--` to end options, and `-h`/`--help`. Unknown options and
 * missing values are usage errors: the usage text is printed and the process
 * exits with code 2.
 *
 * @module
 */
// deno-lint-ignore-file no-console

/** Server used when `--server` is not given. */
export const DEFAULT_SERVER = "127.0.0.1:4222";

/** What a script accepts. */
export interface ArgSpec {
  /** Usage text printed for `--help` and on errors. */
  usage: string;
  /** Options that take a value (without the leading `--`). */
  options?: string[];
  /** Options that take no value. */
  flags?: string[];
  /** Fewest positional arguments accepted. */
  minPositional?: number;
  /** Most positional arguments accepted. */
  maxPositional?: number;
}

/** The parsed command line. */
export interface Args {
  /** Positional arguments, in order. */
  positional: string[];
  /** Last value of an option, or `fallback`. */
  get(name: string, fallback?: string): string | undefined;
  /** Every value of a repeated option, in order. */
  all(name: string): string[];
  /** True when a flag was given. */
  has(name: string): boolean;
  /** An option as a positive integer (exits with a usage error otherwise). */
  int(name: string, fallback?: number): number | undefined;
  /** `--server`, or {@link DEFAULT_SERVER}. */
  server: string;
  /** Prints `msg` and the usage text, then exits with code 2. */
  fail(msg: string): never;
}

/**
 * Parses `argv` (normally `Deno.args`) against `spec`. `--server` is always
 * accepted.
 */
export function parseArgs(argv: string[], spec: ArgSpec): Args {
  const options = new Set(["server", ...(spec.options ?? [])]);
  const flags = new Set(spec.flags ?? []);
  const values = new Map<string, string[]>();
  const seen = new Set<string>();
  const positional: string[] = [];

  const fail = (msg: string): never => {
    console.error(`error: ${msg}\n\n${spec.usage.trim()}`);
    Deno.exit(2);
  };

  // `deno task x -- args` passes the `--` through: a leading one is skipped.
  for (let i = argv[0] === "--" ? 1 : 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (a === "-h" || a === "--help") {
      console.log(spec.usage.trim());
      Deno.exit(0);
    }
    if (!a.startsWith("--") || a === "-") {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    const name = a.slice(2, eq === -1 ? undefined : eq);
    if (flags.has(name)) {
      if (eq !== -1) fail(`--${name} takes no value`);
      seen.add(name);
      continue;
    }
    if (!options.has(name)) fail(`unknown option --${name}`);
    let value: string;
    if (eq !== -1) {
      value = a.slice(eq + 1);
    } else {
      if (i + 1 >= argv.length) fail(`--${name} needs a value`);
      value = argv[++i];
    }
    const list = values.get(name) ?? [];
    list.push(value);
    values.set(name, list);
  }

  const min = spec.minPositional ?? 0;
  const max = spec.maxPositional ?? Infinity;
  if (positional.length < min) fail("missing arguments");
  if (positional.length > max) {
    fail(`unexpected argument "${positional[max]}"`);
  }

  const get = (name: string, fallback?: string) => values.get(name)?.at(-1) ?? fallback;
  return {
    positional,
    get,
    all: (name) => values.get(name) ?? [],
    has: (name) => seen.has(name),
    int: (name, fallback) => {
      const v = get(name);
      if (v === undefined) return fallback;
      const n = Number(v);
      if (!Number.isInteger(n) || n <= 0) {
        fail(`--${name} must be a positive integer, got "${v}"`);
      }
      return n;
    },
    server: get("server", DEFAULT_SERVER)!,
    fail,
  };
}

/** Splits `key=value` (for `--header`), failing on a missing `=`. */
export function keyValue(s: string, args: Args): [string, string] {
  const i = s.indexOf("=");
  if (i <= 0) args.fail(`expected key=value, got "${s}"`);
  return [s.slice(0, i), s.slice(i + 1)];
}

/**
 * Calls `onStop` once on Ctrl-C (SIGINT) and returns a function that removes
 * the listener again, so the process can exit on its own.
 */
export function onInterrupt(onStop: () => void): () => void {
  let fired = false;
  const handler = () => {
    if (fired) Deno.exit(130);
    fired = true;
    onStop();
  };
  try {
    Deno.addSignalListener("SIGINT", handler);
  } catch {
    return () => {}; // signals not supported here
  }
  return () => Deno.removeSignalListener("SIGINT", handler);
}

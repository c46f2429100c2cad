// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
// deno-lint-ignore-file no-console
/**
 * The web console's server: serves the page (`index.html`, `style.css`) and
 * `/app.js`, the page script bundled together with the library's WebSocket
 * entry (`./ws`, what browsers import) by `deno bundle --platform browser`
 * when the server starts, then prints its URL. The browser talks to NATS
 * itself, over nats-server's websocket listener; this server only hands out
 * files (and the default server URL for the connect form, `/config.json`).
 *
 *     deno task web                                      # + a local nats-server
 *     deno task web --port 8090 --server ws://127.0.0.1:9222
 *
 * Without `--server` it starts a temporary nats-server with a websocket
 * listener and JetStream on free loopback ports (stopped with the console),
 * so the page has something to connect to. Ctrl-C stops everything.
 *
 * The page loads nothing from the internet: a Content-Security-Policy
 * allows scripts, styles and fetches from this origin only, and WebSocket
 * connections to any `ws://`/`wss://` server you type in.
 *
 * @module
 */
import { onInterrupt, parseArgs } from "../_args.ts";

const HERE = new URL(".", import.meta.url);
const ROOT = new URL("../../", import.meta.url);

/** Port used when `--port` is not given. */
export const DEFAULT_PORT = 8090;

/** Options of {@link startConsole}. */
export interface ConsoleOptions {
  /** Interface to listen on (default `127.0.0.1`). */
  hostname?: string;
  /** Port to listen on; 0 picks a free one (default {@link DEFAULT_PORT}). */
  port?: number;
  /** The ws:// or wss:// URL the connect form starts with (default empty). */
  server?: string;
}

/** A running console server. */
export interface WebConsole {
  /** `http://<hostname>:<port>/` */
  readonly url: string;
  /** Size of the bundled `/app.js` in bytes. */
  readonly bundleBytes: number;
  /** Stops serving. */
  shutdown(): Promise<void>;
  /** Same as {@link shutdown}. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Bundles `app.ts` and the library's `./ws` entry into one ES module for
 * browsers (`deno bundle --platform browser`).
 */
export async function bundleApp(): Promise<Uint8Array> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "--quiet",
      "--no-lock",
      "--platform",
      "browser",
      "--format",
      "esm",
      new URL("app.ts", HERE).pathname,
    ],
    cwd: ROOT.pathname,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success || out.stdout.length === 0) {
    throw new Error(
      `deno bundle examples/web/app.ts failed (code ${out.code}):\n` +
        new TextDecoder().decode(out.stderr),
    );
  }
  return out.stdout;
}

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self' ws: wss:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  json: "application/json; charset=utf-8",
};

function reply(body: BodyInit | null, type: string, status = 200): Response {
  return new Response(body, {
    status,
    headers: {
      "content-type": type,
      "cache-control": "no-store",
      "content-security-policy": CSP,
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
    },
  });
}

/**
 * Bundles the page script, then serves the console until
 * {@link WebConsole.shutdown}. Static files are read from disk on each
 * request, so edits to the HTML and CSS show on reload.
 */
export async function startConsole(opts: ConsoleOptions = {}): Promise<WebConsole> {
  const app = await bundleApp();
  const config = JSON.stringify({ server: opts.server ?? "" });
  const file = async (name: string, type: string) =>
    reply(await Deno.readFile(new URL(name, HERE)), TYPES[type]);
  const routes: Record<string, () => Response | Promise<Response>> = {
    "/": () => file("index.html", "html"),
    "/index.html": () => file("index.html", "html"),
    "/style.css": () => file("style.css", "css"),
    "/app.js": () => reply(app.slice(), TYPES.js),
    "/config.json": () => reply(config, TYPES.json),
  };
  const ac = new AbortController();
  const hostname = opts.hostname ?? "127.0.0.1";
  const httpd = Deno.serve(
    { hostname, port: opts.port ?? DEFAULT_PORT, signal: ac.signal, onListen: () => {} },
    async (req) => {
      const route = routes[new URL(req.url).pathname];
      if (route === undefined) return reply("not found\n", "text/plain; charset=utf-8", 404);
      if (req.method !== "GET" && req.method !== "HEAD") {
        return reply("method not allowed\n", "text/plain; charset=utf-8", 405);
      }
      try {
        return await route();
      } catch (err) {
        return reply(`${(err as Error).message}\n`, "text/plain; charset=utf-8", 500);
      }
    },
  );
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  let stopped: Promise<void> | undefined;
  const shutdown = () => {
    stopped ??= (async () => {
      ac.abort();
      await httpd.finished;
    })();
    return stopped;
  };
  return {
    url: `http://${host}:${httpd.addr.port}/`,
    bundleBytes: app.length,
    shutdown,
    [Symbol.asyncDispose]: shutdown,
  };
}

if (import.meta.main) {
  const args = parseArgs(Deno.args, {
    usage: `
usage: serve.ts [--port N] [--hostname H] [--server ws://host:port]

Serves the nats-rt web console (connect, publish, subscribe, request and a
JetStream panel, all in the browser over WebSocket) and prints its URL.

  --port N        port to listen on; 0 picks a free one (default ${DEFAULT_PORT})
  --hostname H    interface to listen on (default 127.0.0.1)
  --server URL    ws:// or wss:// URL of a nats-server websocket listener,
                  filled into the connect form. Without it a temporary
                  nats-server (websocket + JetStream, free loopback ports)
                  is started for the session.
`,
    options: ["port", "hostname"],
    maxPositional: 0,
  });
  const portText = args.get("port");
  const port = portText === undefined ? DEFAULT_PORT : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65_535 || portText?.trim() === "") {
    args.fail(`--port must be an integer from 0 to 65535, got "${portText}"`);
  }
  let server = args.get("server");
  if (server !== undefined && !/^wss?:\/\//i.test(server)) {
    args.fail(`--server must be a ws:// or wss:// URL (the websocket listener), got "${server}"`);
  }

  let local: { stop(): Promise<void>; [Symbol.asyncDispose](): Promise<void> } | undefined;
  if (server === undefined) {
    // The demo scripts' launcher: installs nats-server only as root on Debian.
    const { NatsServer } = await import("../../tests/_helpers/nats_server.ts");
    try {
      const srv = await NatsServer.start({ websocket: true, jetstream: true });
      local = srv;
      server = srv.wsUrl!;
    } catch (err) {
      console.error(
        `error: no --server given and a local nats-server could not be started:\n` +
          `${(err as Error).message}\n` +
          `Pass --server ws://host:port to use a running server.`,
      );
      Deno.exit(1);
    }
  }

  let web: WebConsole;
  try {
    web = await startConsole({ hostname: args.get("hostname", "127.0.0.1"), port, server });
  } catch (err) {
    console.error(`error: ${(err as Error).message}`);
    await local?.[Symbol.asyncDispose]();
    Deno.exit(1);
  }

  console.log(`nats-rt web console: ${web.url}`);
  console.log(
    `  NATS server  ${server}${local ? " (temporary nats-server: websocket + JetStream)" : ""}`,
  );
  console.log(
    `  app.js       ${(web.bundleBytes / 1024).toFixed(1)} KiB (page script + ./ws entry)`,
  );
  console.log(`  stop         Ctrl-C`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await web.shutdown();
    if (local) await local[Symbol.asyncDispose]();
    removeInt();
    try {
      Deno.removeSignalListener("SIGTERM", onTerm);
    } catch {
      // signals unsupported
    }
    console.log("stopped");
  };
  const onTerm = () => void stop();
  const removeInt = onInterrupt(() => void stop());
  try {
    Deno.addSignalListener("SIGTERM", onTerm);
  } catch {
    // signals unsupported
  }
}

// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * nats-rt over WebSocket only: for browsers, and for any runtime with a W3C
 * `WebSocket` (Deno, Node.js 22+, Bun, Workers). It imports nothing else
 * from the runtime, so bundlers never pull in a Node module. Dial the port of
 * nats-server's `websocket {}` listener with `ws://` or `wss://`; a
 * `nats://` or `tls://` URL fails at once, naming `ws://`.
 *
 * @example Publish and subscribe from a web page
 * ```ts ignore
 * import { connect } from "nats-rt"; // the "browser" condition picks this entry
 *
 * const nc = await connect({ servers: "wss://nats.example.com:8443" });
 * const sub = nc.subscribe("greet.*", { max: 1 });
 * nc.publish("greet.joe", "hello");
 * for await (const m of sub) console.log(m.subject, m.string());
 * await nc.close();
 * ```
 *
 * @module
 */
import { connectWith, type NatsConnection } from "../connection.ts";
import type { ConnectionOptions } from "../types.ts";
import { webSocket } from "./_websocket.ts";

/**
 * Connects to a NATS server's websocket listener (`ws://` or `wss://`).
 *
 * @param opts servers (ws:// or wss:// URLs), credentials, timeouts and other options
 * @returns the connection, once the server has accepted it
 * @example Connect and close
 * ```ts ignore
 * const nc = await connect({ servers: "ws://127.0.0.1:8080" });
 * await nc.close();
 * ```
 */
export function connect(opts?: ConnectionOptions): Promise<NatsConnection> {
  return connectWith(opts, { ws: webSocket, runtime: "the browser (WebSocket-only) entry point" });
}

export * from "../_api.ts";

// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * nats-rt: a fast, zero-dependency NATS client. This entry point connects
 * over TCP with Deno's sockets; the API mirrors nats.js v3, so switching is a
 * change of import.
 *
 * @example Publish and subscribe
 * ```ts ignore
 * import { connect } from "@nats-rt/nats";
 *
 * const nc = await connect({ servers: "127.0.0.1:4222" });
 * const sub = nc.subscribe("greet.*");
 * nc.publish("greet.joe", "hello");
 * for await (const m of sub) {
 *   console.log(m.subject, m.string());
 *   break;
 * }
 * await nc.close();
 * ```
 *
 * @module
 */
import { connectWith, type NatsConnection } from "./src/connection.ts";
import { denoTcp } from "./src/transports/deno.ts";
import { webSocket } from "./src/transports/_websocket.ts";
import type { ConnectionOptions } from "./src/types.ts";

/**
 * Connects to a NATS server over TCP (Deno); `ws://` and `wss://` URLs use
 * Deno's WebSocket.
 *
 * @param opts servers, credentials, timeouts and other options
 * @returns the connection, once the server has accepted it
 * @example Connect and close
 * ```ts ignore
 * const nc = await connect({ servers: ["nats://127.0.0.1:4222"], name: "me" });
 * await nc.close();
 * ```
 */
export function connect(opts?: ConnectionOptions): Promise<NatsConnection> {
  return connectWith(opts, { tcp: denoTcp, ws: webSocket, runtime: "deno" });
}

export * from "./src/_api.ts";

// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * nats-rt for Node.js and Bun: TCP with `node:net`, TLS with `node:tls`
 * (upgraded after the server's INFO, certificates verified), and `ws://` /
 * `wss://` through the runtime's global `WebSocket` when it has one. The API
 * is the same as every other entry point.
 *
 * @example Publish and subscribe
 * ```ts ignore
 * import { connect } from "nats-rt"; // or "@nats-rt/nats/node" from JSR
 *
 * const nc = await connect({ servers: "nats://127.0.0.1:4222" });
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
import { nodeTcp } from "./_node_socket.ts";
import { webSocket } from "./_websocket.ts";

/**
 * Connects to a NATS server over TCP with `node:net` (Node.js, Bun);
 * `ws://` and `wss://` URLs use the global `WebSocket` (Node.js 22+, Bun).
 *
 * @param opts servers, credentials, TLS, timeouts and other options
 * @returns the connection, once the server has accepted it
 * @example Connect with TLS and a client certificate
 * ```ts ignore
 * import { readFileSync } from "node:fs";
 * const nc = await connect({
 *   servers: "tls://nats.example.com:4222",
 *   tls: { ca: readFileSync("ca.pem", "utf8"), certFile: "client.pem", keyFile: "client-key.pem" },
 * });
 * await nc.close();
 * ```
 */
export function connect(opts?: ConnectionOptions): Promise<NatsConnection> {
  return connectWith(opts, { tcp: nodeTcp, ws: webSocket, runtime: "node" });
}

export * from "../_api.ts";

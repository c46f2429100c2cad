// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * The GRASS module: a client for the Structs game-state stream (GRASS) on
 * nats-rt — subjects and patterns, payload validators, the local game-state
 * store, the live summary and the simulator. The CLIs are `client.ts`,
 * `simulator.ts` and `demo.ts` next to this file.
 *
 * @example Follow the game state
 * ```ts ignore
 * import { connect } from "../../mod.ts";
 * import { connectionOptions, GrassClient } from "./mod.ts";
 *
 * const nc = await connect({ servers: "nats://localhost:4222", ...connectionOptions() });
 * const grass = await GrassClient.start(nc, {
 *   patterns: ["structs.player.*.*", "structs.planet.2-1", "structs.global"],
 *   log: console.log, // invalid messages, processing errors, reconnects
 * });
 * await grass.waitUntil((c) => c.store.global.blockHeight !== undefined, 30_000);
 * console.log(grass.store.snapshot());
 * ```
 *
 * @module
 */
export * from "./subjects.ts";
export * from "./schema.ts";
export * from "./store.ts";
export * from "./summary.ts";
export * from "./grass_client.ts";
export {
  type Expect,
  GrassSimulator,
  type RunOptions,
  runSimulator,
  type SimCounts,
  type SimEvent,
  type SimOptions,
} from "./simulator.ts";

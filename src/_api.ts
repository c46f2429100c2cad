// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * The public API shared by every entry point (`.`, `./node`, `./ws`,
 * `./cloudflare`): types, errors, headers, authenticators and JetStream.
 * Each entry adds only its own `connect`, so they all export the same names
 * with the same signatures; `scripts/check_exports.ts` checks that they do.
 *
 * @module
 */
export type { NatsConnection } from "./connection.ts";
export { headers } from "./headers.ts";
export * from "./errors.ts";
export * from "./types.ts";
export type {
  ServerAddress,
  TlsOptions,
  Transport,
  TransportFactory,
  TransportOptions,
  Transports,
} from "./transport.ts";
export { VERSION } from "./version.ts";
export * from "./auth.ts";
export * from "./jetstream/mod.ts";
export * from "./json.ts";

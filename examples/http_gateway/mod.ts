// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * An HTTP gateway to NATS on nats-rt: `POST /api/nats/connect`, `/publish`,
 * `/subscribe`, `/request`, `/jetstream-info`, `/jetstream-stream`,
 * `/jetstream-publish`, `/jetstream-pull` and `/jetstream-ack`, with one
 * auth schema (`user`/`pass` or `token`, `tls`, `ca`) on every endpoint,
 * pooled connections per server and credentials, validated bodies and clear
 * error statuses. The CLI is `main.ts` next to this file; the JSON schema of
 * every endpoint is in `README.md`.
 *
 * @example Serve, call, shut down
 * ```ts ignore
 * import { startGateway } from "./mod.ts";
 *
 * const gw = await startGateway({ port: 0, server: "nats://127.0.0.1:4222" });
 * const res = await fetch(`${gw.url}/api/nats/request`, {
 *   method: "POST",
 *   body: JSON.stringify({ subject: "time.now", timeout_ms: 500 }),
 * });
 * console.log(res.status, await res.json()); // 200 { ok: true, responded: true, ... }
 * await gw.shutdown(); // stops serving and closes every pooled connection
 * ```
 *
 * @module
 */
export * from "./gateway.ts";
export * from "./pool.ts";
export * from "./schema.ts";
export * from "./endpoints.ts";

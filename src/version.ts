// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/** Library version, sent in CONNECT. Kept in step with deno.json by the tests. */
export const VERSION = "0.1.0";

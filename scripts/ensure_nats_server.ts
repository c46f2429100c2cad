// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
// deno-lint-ignore-file no-console
/**
 * Makes sure a nats-server binary is available (installs Debian's package
 * when absent and running as root on Debian) and prints its version.
 *
 * Run: deno run -A scripts/ensure_nats_server.ts
 * @module
 */
import { natsServerBin } from "../tests/_helpers/nats_server.ts";

const bin = await natsServerBin();
const out = await new Deno.Command(bin, { args: ["--version"] }).output();
console.log(`${bin}: ${new TextDecoder().decode(out.stdout).trim()}`);

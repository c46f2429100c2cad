// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * Shared setup for the JetStream suites: a nats-server with JetStream (temp
 * store dir, free loopback port) and one connection, always cleaned up.
 *
 * @module
 */
import {
  connect,
  type ConnectionOptions,
  jetstream,
  type JetStreamClient,
  type JetStreamManager,
  jetstreamManager,
  type NatsConnection,
} from "../../mod.ts";
import { NatsServer, type ServerOptions } from "../_helpers/nats_server.ts";

export { deferred, delay, waitFor, within } from "../integration/_util.ts";

/** What a JetStream test gets. */
export interface JsCtx {
  /** The server (JetStream on). */
  server: NatsServer;
  /** Our connection. */
  nc: NatsConnection;
  /** Our manager. */
  jsm: JetStreamManager;
  /** Our client. */
  js: JetStreamClient;
}

/** Runs `fn` with a fresh JetStream server and connection. */
export async function withJs(
  fn: (ctx: JsCtx) => Promise<void>,
  opts: { server?: ServerOptions; conn?: ConnectionOptions } = {},
): Promise<void> {
  await using server = await NatsServer.start({ jetstream: true, ...opts.server });
  const nc = await connect({ servers: server.url, ...opts.conn });
  try {
    const jsm = await jetstreamManager(nc);
    await fn({ server, nc, jsm, js: jetstream(nc) });
  } finally {
    await nc.close();
  }
}

/** Publishes `n` messages `subject` (payload = index) and waits for every PubAck. */
export async function fill(
  js: JetStreamClient,
  subject: string,
  n: number,
  payload: (i: number) => string = (i) => String(i),
): Promise<void> {
  const window = 500;
  for (let i = 0; i < n; i += window) {
    const acks: Promise<unknown>[] = [];
    for (let j = i; j < Math.min(n, i + window); j++) acks.push(js.publish(subject, payload(j)));
    await Promise.all(acks);
  }
}

/** Asserts that `p` rejects, and returns the error. */
export async function rejects(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected a rejection");
}

// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * Private: adapts push-style sockets (Node `data` events, WebSocket
 * `message` events) to the pull-style `readable` of a transport. When a
 * `flow` is given, the socket is paused once more than `high` bytes wait
 * unread and resumed when the reader has caught up, so a slow consumer
 * pushes back on the server instead of growing memory.
 *
 * @module
 */

/** Pause/resume hooks of a socket that supports read backpressure. */
export interface Flow {
  /** Stop reading from the socket. */
  pause(): void;
  /** Start reading again. */
  resume(): void;
}

/** Unread bytes past which the socket is paused. */
const HIGH_WATER = 1024 * 1024;

/** A queue of received chunks, read as an async iterable. */
export class ChunkQueue implements AsyncIterable<Uint8Array> {
  #chunks: Uint8Array[] = [];
  #bytes = 0;
  #wake: (() => void) | null = null;
  #done = false;
  #error: Error | undefined;
  #flow: Flow | undefined;
  #paused = false;

  /** @param flow pause/resume hooks, when the socket supports them */
  constructor(flow?: Flow) {
    this.#flow = flow;
  }

  /** Adds a chunk the socket delivered (the queue keeps the reference). */
  push(chunk: Uint8Array): void {
    if (this.#done || chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#bytes += chunk.length;
    if (this.#flow !== undefined && !this.#paused && this.#bytes > HIGH_WATER) {
      this.#paused = true;
      this.#flow.pause();
    }
    this.#notify();
  }

  /** Ends the stream; with `err`, the reader throws it after the queued chunks. */
  end(err?: Error): void {
    if (this.#done) return;
    this.#done = true;
    this.#error = err;
    this.#notify();
  }

  /** True once {@link end} was called. */
  get ended(): boolean {
    return this.#done;
  }

  #notify(): void {
    const w = this.#wake;
    if (w !== null) {
      this.#wake = null;
      w();
    }
  }

  async *#iterate(): AsyncGenerator<Uint8Array> {
    while (true) {
      const c = this.#chunks.shift();
      if (c !== undefined) {
        this.#bytes -= c.length;
        if (this.#paused && this.#bytes <= HIGH_WATER / 4) {
          this.#paused = false;
          this.#flow!.resume();
        }
        yield c;
        continue;
      }
      if (this.#done) {
        if (this.#error !== undefined) throw this.#error;
        return;
      }
      await new Promise<void>((r) => this.#wake = r);
    }
  }

  /** Iterates the chunks in arrival order. */
  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return this.#iterate();
  }
}

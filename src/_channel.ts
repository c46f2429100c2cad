// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * Private: a bounded, single-reader event channel read as an async iterable
 * (status events, consumer notifications, invalid-message reports). When
 * nobody reads, the oldest items are dropped past `cap`, so an ignored
 * channel never grows memory. Breaking out of `for await` ends it and, when
 * an owner set is given, removes it from that set.
 *
 * @module
 */

/** A bounded queue of events that can end. */
export class Channel<T> implements AsyncIterable<T> {
  #items: T[] = [];
  #wake: (() => void) | null = null;
  #done = false;
  #cap: number;
  #owner: Set<Channel<T>> | undefined;

  /**
   * @param cap most items kept for a reader that lags (the oldest go first)
   * @param owner set the channel leaves when its reader stops
   */
  constructor(cap: number, owner?: Set<Channel<T>>) {
    this.#cap = cap;
    this.#owner = owner;
  }

  /** Adds an item (ignored once the channel has ended). */
  push(item: T): void {
    if (this.#done) return;
    if (this.#items.length >= this.#cap) this.#items.shift();
    this.#items.push(item);
    this.#notify();
  }

  /** Ends the channel: the reader gets what is queued, then `done`. */
  end(): void {
    this.#done = true;
    this.#notify();
  }

  #notify(): void {
    const w = this.#wake;
    if (w !== null) {
      this.#wake = null;
      w();
    }
  }

  /** The single reader. */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: async (): Promise<IteratorResult<T>> => {
        while (true) {
          if (this.#items.length > 0) return { value: this.#items.shift()!, done: false };
          if (this.#done) return { value: undefined, done: true };
          await new Promise<void>((r) => this.#wake = r);
        }
      },
      return: (): Promise<IteratorResult<T>> => {
        this.#done = true;
        this.#items = [];
        this.#owner?.delete(this);
        this.#notify();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}

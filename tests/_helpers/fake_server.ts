// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * A scripted byte stream that plays a NATS server, ONLY for malformed-server
 * input (hostile INFO, garbage frames): everything a real server can do is
 * tested against a real nats-server.
 *
 * Each accepted connection runs the script with a {@link FakeConn}; the
 * script's index says which connection it is (0 for the first), so a test
 * can misbehave on the first connection and behave on the next.
 * {@link FakeServer.close} stops the listener, closes every connection and
 * awaits every script, so Deno's sanitizers stay clean.
 *
 * @module
 */

const te = new TextEncoder();
const td = new TextDecoder();

/** A plausible 2.9.10 INFO object; tests spread their own fields over it. */
export function baseInfo(port: number): Record<string, unknown> {
  return {
    server_id: "NFAKESERVERFAKESERVERFAKESERVERFAKESERVERFAKESERVER00",
    server_name: "fake",
    version: "2.9.10",
    proto: 1,
    go: "go1.19",
    host: "127.0.0.1",
    port,
    headers: true,
    max_payload: 1048576,
    client_id: 1,
    client_ip: "127.0.0.1",
  };
}

/** `INFO <json>\r\n` for {@link baseInfo} merged with `extra`. */
export function infoLine(port: number, extra: Record<string, unknown> = {}): string {
  return `INFO ${JSON.stringify({ ...baseInfo(port), ...extra })}\r\n`;
}

/** One accepted connection, as seen by a script. */
export class FakeConn {
  /** 0 for the first connection accepted, 1 for the next, ... */
  readonly index: number;
  /** Everything the client sent so far. */
  received = "";
  readonly #conn: Deno.TcpConn;
  readonly #port: number;
  #closed = false;
  #eof = false;
  #reader: Promise<void> | undefined;
  #waiters: (() => void)[] = [];

  /** @internal */
  constructor(conn: Deno.TcpConn, index: number, port: number) {
    this.#conn = conn;
    this.index = index;
    this.#port = port;
  }

  /** True once the client closed its side or {@link close} was called. */
  get closed(): boolean {
    return this.#closed || this.#eof;
  }

  /** Writes bytes or text; errors (the client went away) are swallowed. */
  async send(data: string | Uint8Array): Promise<void> {
    const b = typeof data === "string" ? te.encode(data) : data;
    let off = 0;
    try {
      while (off < b.length) off += await this.#conn.write(b.subarray(off));
    } catch {
      // the client closed
    }
  }

  /** Sends {@link infoLine} with `extra`. */
  sendInfo(extra: Record<string, unknown> = {}): Promise<void> {
    return this.send(infoLine(this.#port, extra));
  }

  /** Starts reading what the client sends into {@link received} (idempotent). */
  #startReading(): void {
    if (this.#reader) return;
    this.#reader = (async () => {
      const buf = new Uint8Array(16 * 1024);
      try {
        for (;;) {
          const n = await this.#conn.read(buf);
          if (n === null) break;
          this.received += td.decode(buf.subarray(0, n));
          this.#wake();
        }
      } catch {
        // closed
      }
      this.#eof = true;
      this.#wake();
    })();
  }

  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }

  /**
   * Resolves once {@link received} contains `text` (true), or false when the
   * client closes first or `timeoutMs` passes.
   */
  async waitFor(text: string, timeoutMs = 5_000): Promise<boolean> {
    this.#startReading();
    const end = Date.now() + timeoutMs;
    while (!this.received.includes(text)) {
      if (this.closed) return false;
      const left = end - Date.now();
      if (left <= 0) return false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((r) => {
        this.#waiters.push(r);
        timer = setTimeout(r, left);
      });
      clearTimeout(timer);
    }
    return true;
  }

  /**
   * The usual handshake after INFO: waits for the client's CONNECT and PING
   * and answers PONG. Returns false if the client gave up first.
   */
  async acceptHandshake(timeoutMs = 5_000): Promise<boolean> {
    if (!await this.waitFor("CONNECT ", timeoutMs)) return false;
    if (!await this.waitFor("PING\r\n", timeoutMs)) return false;
    await this.send("PONG\r\n");
    return true;
  }

  /** Resolves when the client closes its side (true) or after `timeoutMs` (false). */
  async waitClosed(timeoutMs = 5_000): Promise<boolean> {
    this.#startReading();
    const end = Date.now() + timeoutMs;
    while (!this.#eof) {
      const left = end - Date.now();
      if (left <= 0) return false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((r) => {
        this.#waiters.push(r);
        timer = setTimeout(r, left);
      });
      clearTimeout(timer);
    }
    return true;
  }

  /** Closes the connection and awaits the reader. Idempotent. */
  async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      try {
        this.#conn.close();
      } catch {
        // already closed
      }
      this.#wake();
    }
    await this.#reader;
  }
}

/** What a fake server does with each connection. */
export type FakeScript = (c: FakeConn) => Promise<void>;

/** A loopback listener that runs a {@link FakeScript} per connection. */
export class FakeServer {
  /** Connections accepted so far. */
  readonly conns: FakeConn[] = [];
  readonly #listener: Deno.TcpListener;
  readonly #script: FakeScript;
  readonly #tasks = new Set<Promise<void>>();
  readonly #accepting: Promise<void>;
  #closing: Promise<void> | undefined;
  #onConn: (() => void)[] = [];

  private constructor(script: FakeScript) {
    this.#script = script;
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    this.#accepting = this.#accept();
  }

  /** Starts listening on a free loopback port. */
  static start(script: FakeScript): FakeServer {
    return new FakeServer(script);
  }

  /** The port listened on. */
  get port(): number {
    return this.#listener.addr.port;
  }

  /** `nats://127.0.0.1:<port>`. */
  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  /** Resolves once at least `n` connections were accepted, or false after `timeoutMs`. */
  async waitConns(n: number, timeoutMs = 5_000): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    while (this.conns.length < n) {
      const left = end - Date.now();
      if (left <= 0) return false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((r) => {
        this.#onConn.push(r);
        timer = setTimeout(r, left);
      });
      clearTimeout(timer);
    }
    return true;
  }

  async #accept(): Promise<void> {
    for (;;) {
      let conn: Deno.TcpConn;
      try {
        conn = await this.#listener.accept();
      } catch {
        return;
      }
      if (this.#closing) {
        conn.close();
        return;
      }
      const c = new FakeConn(conn, this.conns.length, this.port);
      this.conns.push(c);
      const w = this.#onConn;
      this.#onConn = [];
      for (const f of w) f();
      const t = (async () => {
        try {
          await this.#script(c);
        } catch {
          // scripts may fail when the client leaves
        }
      })().finally(() => this.#tasks.delete(t));
      this.#tasks.add(t);
    }
  }

  /** Stops listening, closes every connection and awaits every script. */
  close(): Promise<void> {
    if (!this.#closing) {
      this.#closing = (async () => {
        try {
          this.#listener.close();
        } catch {
          // already closed
        }
        await this.#accepting;
        await Promise.all(this.conns.map((c) => c.close()));
        while (this.#tasks.size > 0) await Promise.all([...this.#tasks]);
        await Promise.all(this.conns.map((c) => c.close()));
      })();
    }
    return this.#closing;
  }

  /** Same as {@link close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

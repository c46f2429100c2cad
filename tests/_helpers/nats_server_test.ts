// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * Tests for the nats-server launcher. Every test starts and disposes its own
 * servers; Deno's op/resource sanitizers stay on.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  disposeAll,
  INSTALL_COMMAND,
  locateNatsServer,
  mergeConfig,
  NatsServer,
  natsServerBin,
  startCluster,
  waitForJetStreamCluster,
  withServer,
} from "./nats_server.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * A raw protocol connection. A read that times out stays pending, so a later
 * `line()` picks up what arrives afterwards.
 */
class Raw {
  #conn: Deno.Conn;
  #buf = new Uint8Array(64 * 1024);
  #text = "";
  #pending: Promise<number | null> | undefined;
  #closed = false;

  private constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  /** Connects to 127.0.0.1:port. */
  static async open(port: number): Promise<Raw> {
    return new Raw(await Deno.connect({ hostname: "127.0.0.1", port }));
  }

  /** Next CRLF-terminated line, or null if none arrives within `ms`. */
  async line(ms = 2_000): Promise<string | null> {
    const deadline = Date.now() + ms;
    for (;;) {
      const i = this.#text.indexOf("\r\n");
      if (i >= 0) {
        const line = this.#text.slice(0, i);
        this.#text = this.#text.slice(i + 2);
        return line;
      }
      this.#pending ??= this.#conn.read(this.#buf).catch((err) => {
        if (this.#closed) return null;
        throw err;
      });
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<"timeout">((resolve) => {
        timer = setTimeout(
          () => resolve("timeout"),
          Math.max(0, deadline - Date.now()),
        );
      });
      const n = await Promise.race([this.#pending, timeout]).finally(() => clearTimeout(timer));
      if (n === "timeout") return null;
      this.#pending = undefined;
      if (n === null) throw new Error("connection closed");
      this.#text += dec.decode(this.#buf.subarray(0, n));
    }
  }

  /** Writes a protocol string. */
  async write(s: string): Promise<void> {
    const data = enc.encode(s);
    let off = 0;
    while (off < data.length) off += await this.#conn.write(data.subarray(off));
  }

  /** Closes the socket (a pending read then resolves to null). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#conn.close();
  }
}

/** Reads INFO, sends CONNECT + PING and expects PONG. */
async function pingPong(port: number): Promise<void> {
  const raw = await Raw.open(port);
  try {
    assert.match((await raw.line()) ?? "", /^INFO \{/);
    await raw.write('CONNECT {"verbose":false}\r\nPING\r\n');
    assert.equal(await raw.line(), "PONG");
  } finally {
    raw.close();
  }
}

Deno.test("start: client port answers with INFO", async () => {
  const s = await NatsServer.start();
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: s.port });
    try {
      const buf = new Uint8Array(8192);
      let text = "";
      while (!text.includes("\r\n")) {
        const n = await conn.read(buf);
        assert.notEqual(n, null);
        text += dec.decode(buf.subarray(0, n!));
      }
      assert.ok(text.startsWith("INFO {"), text);
    } finally {
      conn.close();
    }
    assert.equal(s.hostname, "127.0.0.1");
    assert.equal(s.url, `nats://127.0.0.1:${s.port}`);
    assert.equal(s.wsPort, undefined);
    assert.equal(s.clusterPort, undefined);
    assert.equal(s.certs, undefined);
    assert.ok(s.pid > 0);
    assert.ok(s.running);
    assert.match(await s.logs(), /Server is ready/);
    const info = await s.info();
    assert.equal(info.port, s.port);
    assert.equal(info.server_name, s.name);
    const varz = await s.varz();
    assert.equal(varz.port, s.port);
    assert.equal(varz.server_name, s.name);
    assert.equal(await natsServerBin(), await natsServerBin());
  } finally {
    await s.dispose();
  }
});

Deno.test("two servers get different ports, never 4222", async () => {
  const [a, b] = await Promise.all([NatsServer.start(), NatsServer.start()]);
  try {
    assert.notEqual(a.port, b.port);
    assert.notEqual(a.dir, b.dir);
    assert.notEqual(a.name, b.name);
    for (const p of [a.port, b.port, a.monitorPort, b.monitorPort]) {
      assert.notEqual(p, 4222);
      assert.notEqual(p, 8222);
    }
    await Promise.all([pingPong(a.port), pingPong(b.port)]);
  } finally {
    await Promise.all([a.dispose(), b.dispose()]);
  }
});

Deno.test("restart after stop and after kill keeps the ports", async () => {
  await withServer(async (s) => {
    const { port, monitorPort, wsPort } = s;
    assert.ok(wsPort);
    const pid1 = s.pid;

    await s.stop();
    assert.equal(s.running, false);
    assert.equal(await exists(`${s.dir}/nats-server_${pid1}.ports`), false);
    await s.stop(); // no-op when stopped
    await s.restart();
    assert.notEqual(s.pid, pid1);
    assert.deepEqual([s.port, s.monitorPort, s.wsPort], [
      port,
      monitorPort,
      wsPort,
    ]);
    await pingPong(s.port);

    const pid2 = s.pid;
    await s.kill();
    assert.equal(s.running, false);
    // the server leaves its ports file behind on SIGKILL; kill() removes it
    assert.equal(await exists(`${s.dir}/nats-server_${pid2}.ports`), false);
    await s.restart();
    assert.equal(s.port, port);
    assert.equal(s.monitorPort, monitorPort);
    await pingPong(s.port);

    // restart of a running server = stop + start
    const pid3 = s.pid;
    await s.restart();
    assert.notEqual(s.pid, pid3);
    assert.equal(s.port, port);
    assert.equal((await s.varz()).port, port);
  }, { websocket: true });
});

Deno.test("pause stops PONGs, resume brings them back", async () => {
  await withServer(async (s) => {
    const raw = await Raw.open(s.port);
    try {
      assert.match((await raw.line()) ?? "", /^INFO \{/);
      await raw.write('CONNECT {"verbose":false}\r\nPING\r\n');
      assert.equal(await raw.line(), "PONG");

      await s.pause();
      assert.ok(s.paused);
      assert.match(await Deno.readTextFile(`/proc/${s.pid}/stat`), /\) [tT] /);
      await raw.write("PING\r\n");
      assert.equal(await raw.line(300), null, "paused server answered");

      await s.resume();
      assert.equal(s.paused, false);
      assert.equal(await raw.line(), "PONG");
      await raw.write("PING\r\n");
      assert.equal(await raw.line(), "PONG");
    } finally {
      raw.close();
    }
  });
});

Deno.test("dispose of a paused server does not hang", async () => {
  const s = await NatsServer.start();
  await s.pause();
  await s.dispose();
  assert.equal(s.running, false);
  assert.equal(await exists(s.dir), false);
});

Deno.test("jetstream: varz shows it enabled, store dir in the temp dir", async () => {
  await withServer(async (s) => {
    const js = (await s.varz()).jetstream as Record<string, unknown>;
    const config = js.config as Record<string, unknown> | undefined;
    assert.ok(config, `jetstream not enabled: ${JSON.stringify(js)}`);
    assert.equal(config.store_dir, `${s.dir}/js/jetstream`);
    assert.equal(config.max_memory, 8 * 1024 * 1024);
    assert.ok(((await s.jsz()).config as Record<string, unknown>).store_dir);
    await s.restart();
    const again = (await s.varz()).jetstream as Record<string, unknown>;
    // same store after a restart (max_storage follows free disk space)
    assert.equal(
      (again.config as Record<string, unknown>).store_dir,
      config.store_dir,
    );
  }, { jetstream: true, config: { jetstream: { max_memory_store: 8 << 20 } } });
  // a jetstream block given only through `config` still gets a private store
  await withServer(async (s) => {
    const js = (await s.varz()).jetstream as Record<string, unknown>;
    const config = js.config as Record<string, unknown>;
    assert.equal(config.store_dir, `${s.dir}/js/jetstream`);
  }, { config: { jetstream: { max_memory_store: 1 << 20 } } });
  // without the flag JetStream is off
  await withServer(async (s) => {
    assert.deepEqual((await s.varz()).jetstream, {});
  });
});

Deno.test("websocket: wsPort is bound and speaks NATS", async () => {
  await withServer(async (s) => {
    assert.ok(s.wsPort && s.wsPort !== s.port);
    assert.equal(s.wsUrl, `ws://127.0.0.1:${s.wsPort}`);
    const ws = new WebSocket(s.wsUrl!);
    ws.binaryType = "arraybuffer";
    const closed = new Promise<void>((resolve) => {
      ws.onclose = () => resolve();
    });
    const first = await new Promise<string>((resolve, reject) => {
      ws.onmessage = (ev) => {
        resolve(
          typeof ev.data === "string"
            ? ev.data
            : dec.decode(new Uint8Array(ev.data as ArrayBuffer)),
        );
      };
      ws.onerror = () => reject(new Error("websocket error"));
    });
    ws.close();
    await closed;
    assert.ok(first.startsWith("INFO {"), first);
  }, { websocket: true });
});

Deno.test("tls: INFO requires TLS, certs exist, handshake verifies", async () => {
  await withServer(async (s) => {
    assert.equal(s.url, `tls://127.0.0.1:${s.port}`);
    const c = s.certs!;
    assert.ok(c);
    for (const f of [c.caFile, c.certFile, c.keyFile]) {
      assert.ok(await exists(f), f);
      assert.ok(f.startsWith(s.dir));
    }
    assert.match(c.caPem, /BEGIN CERTIFICATE/);
    assert.equal(c.clientCertFile, undefined);
    const info = await s.info();
    assert.equal(info.tls_required, true);
    assert.notEqual(info.tls_verify, true);

    // INFO is plaintext, then the client upgrades; both names verify.
    for (const hostname of ["127.0.0.1", "localhost"]) {
      const tcp = await Deno.connect({ hostname: "127.0.0.1", port: s.port });
      const buf = new Uint8Array(8192);
      let text = "";
      while (!text.includes("\r\n")) {
        const n = await tcp.read(buf);
        if (n === null) throw new Error("closed");
        text += dec.decode(buf.subarray(0, n));
      }
      const tls = await Deno.startTls(tcp, { hostname, caCerts: [c.caPem] });
      try {
        await tls.write(enc.encode('CONNECT {"verbose":false}\r\nPING\r\n'));
        let got = "";
        while (!got.includes("\r\n")) {
          const n = await tls.read(buf);
          if (n === null) throw new Error("closed");
          got += dec.decode(buf.subarray(0, n));
        }
        assert.equal(got, "PONG\r\n");
      } finally {
        tls.close();
      }
    }
  }, { tls: true });

  await withServer(async (s) => {
    const c = s.certs!;
    const info = await s.info();
    assert.equal(info.tls_required, true);
    assert.equal(info.tls_verify, true);
    assert.ok(c.clientCertFile && c.clientKeyFile);
    assert.ok(await exists(c.clientCertFile) && await exists(c.clientKeyFile));
    assert.match(c.clientKeyPem ?? "", /PRIVATE KEY/);
    const out = await new Deno.Command("openssl", {
      args: ["verify", "-CAfile", c.caFile, c.clientCertFile],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.ok(out.success, dec.decode(out.stderr));
  }, { tls: { verify: true } });
});

Deno.test("startCluster(2) forms: connect_urls gossip", async () => {
  const servers = await startCluster(2);
  try {
    const [a, b] = servers;
    assert.ok(a.clusterPort && b.clusterPort);
    assert.notEqual(a.clusterPort, b.clusterPort);
    const va = await a.varz();
    const vb = await b.varz();
    assert.ok((va.connect_urls as string[]).includes(`127.0.0.1:${b.port}`));
    assert.ok((vb.connect_urls as string[]).includes(`127.0.0.1:${a.port}`));
    assert.equal(
      (va.cluster as Record<string, unknown>).name,
      (vb.cluster as Record<string, unknown>).name,
    );
    // a member comes back on its cluster port and re-joins
    await b.kill();
    await b.restart();
    assert.equal((await b.varz()).port, b.port);
  } finally {
    await Promise.all(servers.map((s) => s.dispose()));
  }
});

Deno.test("startCluster(3, jetstream) agrees on a meta leader", async () => {
  const servers = await startCluster(3, {
    jetstream: true,
    config: { jetstream: { max_file_store: 16 << 20 } },
  });
  try {
    const names = servers.map((s) => s.name);
    const leader = await waitForJetStreamCluster(servers);
    assert.ok(names.includes(leader));
    for (const s of servers) {
      const jsz = await s.jsz();
      const meta = jsz.meta_cluster as Record<string, unknown>;
      assert.equal(meta.leader, leader);
      assert.equal(meta.cluster_size, 3);
      const cfg = jsz.config as Record<string, unknown>;
      assert.equal(cfg.store_dir, `${s.dir}/js/jetstream`);
      assert.equal(cfg.max_storage, 16 << 20);
      const urls = (await s.varz()).connect_urls as string[];
      for (const o of servers) assert.ok(urls.includes(`127.0.0.1:${o.port}`));
    }
  } finally {
    await disposeAll(servers);
  }
});

Deno.test("startCluster with tls shares one CA", async () => {
  const servers = await startCluster(2, { tls: true });
  try {
    const [a, b] = servers;
    assert.ok(a.certs && b.certs);
    assert.equal(a.certs.caPem, b.certs.caPem);
    assert.notEqual(a.certs.caFile, b.certs.caFile);
    assert.ok(await exists(b.certs.certFile));
    assert.equal((await b.info()).tls_required, true);
    assert.ok(b.url.startsWith("tls://127.0.0.1:"));
  } finally {
    await disposeAll(servers);
  }
});

Deno.test("config merge: authorization block -> auth_required", async () => {
  await withServer(async (s) => {
    const info = await s.info();
    assert.equal(info.auth_required, true);
    assert.equal(info.max_payload, 1024);
    assert.equal(s.config.port, s.port); // pinned
    const raw = await Raw.open(s.port);
    try {
      await raw.line();
      await raw.write('CONNECT {"verbose":false,"user":"a","pass":"b"}\r\n');
      await raw.write("PING\r\n");
      assert.equal(await raw.line(), "PONG");
    } finally {
      raw.close();
    }
  }, {
    config: { authorization: { user: "a", password: "b" }, max_payload: 1024 },
  });
});

Deno.test("mergeConfig: objects merge, arrays and scalars replace", () => {
  const base = { a: { b: 1, c: [1, 2] }, d: 1, e: 2 };
  const out = mergeConfig(base, { a: { c: [3] }, d: { x: 1 }, e: undefined });
  assert.deepEqual(out, { a: { b: 1, c: [3] }, d: { x: 1 } });
  assert.deepEqual(base, { a: { b: 1, c: [1, 2] }, d: 1, e: 2 });
});

Deno.test("signals: reload applies config, quit/term exit, ldm", async () => {
  await withServer(async (s) => {
    await s.reload({ max_payload: 2048 });
    assert.equal((await s.info()).max_payload, 2048);
    await s.signal("reload");
    // a bad config is reported, and the server keeps running
    await s.updateConfig({ bogus_field: 1 });
    await assert.rejects(() => s.signal("reload"), /unknown field/);
    assert.ok(s.running);
    await s.updateConfig({ bogus_field: undefined });

    await s.signal("quit");
    assert.equal(s.running, false);
    assert.equal((await s.waitForExit()).code, 0);
    await s.restart();
    await s.signal("term");
    assert.equal(s.running, false);
    await s.restart();
    // reload also works once the process runs with the pinned ports
    await s.reload({ max_payload: 4096 });
    assert.equal((await s.info()).max_payload, 4096);

    // lame duck mode with no clients: the server exits by itself. The
    // info() probe above may still be counted as a client for a moment
    // (then LDM would wait out its 10 s grace period), so wait for 0.
    const deadline = Date.now() + 5_000;
    while ((await s.connz()).num_connections !== 0) {
      assert.ok(Date.now() < deadline, "probe connection still listed");
      await new Promise((r) => setTimeout(r, 10));
    }
    await s.signal("ldm");
    await s.waitForExit();
    assert.match(await s.logs(), /Entering lame duck mode/);
    await assert.rejects(() => s.signal("ldm"), /not running/);
  });
});

Deno.test("trace logs protocol lines", async () => {
  await withServer(async (s) => {
    await pingPong(s.port);
    const deadline = Date.now() + 5_000;
    while (!/\[TRC\].*PING/.test(await s.logs())) {
      assert.ok(Date.now() < deadline, "no trace in log");
      await new Promise((r) => setTimeout(r, 20));
    }
  }, { trace: true });
});

Deno.test("bad config: start rejects with the reason, cleans up", async () => {
  const err = await NatsServer.start({ config: { no_such_option: true } })
    .then(() => null, (e: Error) => e);
  assert.ok(err instanceof Error);
  assert.match(err.message, /unknown field "no_such_option"/);
  const conf = /config: (\S+)/.exec(err.message)?.[1];
  assert.ok(conf);
  assert.equal(await exists(conf), false);
});

Deno.test("dispose is idempotent and removes the dir", async () => {
  const s = await NatsServer.start({ jetstream: true, tls: true });
  const dir = s.dir;
  assert.ok(await exists(dir));
  await Promise.all([s.dispose(), s.dispose()]);
  await s.dispose();
  assert.equal(s.running, false);
  assert.equal(await exists(dir), false);
  await assert.rejects(() => s.restart(), /disposed/);

  let d2 = "";
  {
    await using s2 = await NatsServer.start();
    d2 = s2.dir;
  }
  assert.equal(await exists(d2), false);
});

Deno.test("withServer disposes when fn throws", async () => {
  let dir = "";
  await assert.rejects(
    () =>
      withServer((s) => {
        dir = s.dir;
        return Promise.reject(new Error("boom"));
      }),
    /boom/,
  );
  assert.ok(dir);
  assert.equal(await exists(dir), false);
});

Deno.test("locateNatsServer: env, PATH, fallback, install hint", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const fake = `${dir}/nats-server`;
    await Deno.writeTextFile(fake, "#!/bin/sh\n");
    await Deno.chmod(fake, 0o755);
    const none = `${dir}/none`;
    assert.equal(
      await locateNatsServer({ envBin: "", path: `/nonexistent:${dir}` }),
      fake,
    );
    assert.equal(
      await locateNatsServer({ envBin: fake, path: "", fallback: none }),
      fake,
    );
    await assert.rejects(
      () => locateNatsServer({ envBin: none, path: dir }),
      /NATS_SERVER_BIN/,
    );
    const err = await locateNatsServer({
      envBin: "",
      path: "/nonexistent",
      fallback: none,
      autoInstall: false,
    }).then(() => null, (e: Error) => e);
    assert.ok(err instanceof Error);
    assert.ok(err.message.includes(INSTALL_COMMAND), err.message);
    assert.ok(err.message.includes("sudo apt-get install -y nats-server"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

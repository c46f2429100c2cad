// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * The web console end to end in real headless Chromium: Debian's
 * `/usr/bin/chromium` (never a downloaded browser), driven from Deno with
 * playwright-core from the tools cache (`scripts/_tools.ts` installs it when
 * missing; chromium itself is installed with apt-get only when absent and
 * running as root). A nats-server with a websocket listener, JetStream and
 * user/password auth; the console CLI (`examples/web/serve.ts --port 0`) as
 * a subprocess; a responder and a checking subscriber on the Deno client.
 *
 * The test clicks through what a user does and asserts what the page shows
 * at each step: a refused password (AUTHORIZATION_VIOLATION), connect,
 * wildcard subscriptions, a publish with a header seen by both the page and
 * the Deno subscriber, a request answered by the responder, a request to
 * nobody ("no responders"), and JetStream: create a stream, publishes with
 * their PubAcks (a msgID dedupe included), stream info, a pulled batch acked
 * (the ack floor checked with the manager from Deno) and the stream deleted.
 * It saves a screenshot in its output directory (`$NATS_RT_TEST_OUT`, else a
 * new temp dir, printed) and refreshes `examples/web/screenshot.png` when
 * that file is missing or `NATS_RT_UPDATE_SCREENSHOT=1` (ports and times
 * differ on every run, so it is not rewritten by default).
 *
 * @module
 */
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import {
  connect,
  headers,
  jetstreamManager,
  type Msg,
  type NatsConnection,
  StreamNotFoundError,
} from "../../mod.ts";
import { NatsServer } from "../_helpers/nats_server.ts";
import { ensureTools } from "../../scripts/_tools.ts";
import { startConsole } from "../../examples/web/serve.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const CHROMIUM = Deno.env.get("CHROMIUM") ?? "/usr/bin/chromium";
const USER = { user: "console", pass: "console-pw-4Kx9q" };
/** Longest a single wait or browser action may take. */
const STEP_MS = 10_000;
/** The whole test must finish within this. */
const TEST_MS = 55_000;

// ------------------------------------------------------------------ the parts of playwright-core used

interface Locator {
  click(): Promise<void>;
  fill(value: string): Promise<void>;
  selectOption(value: string): Promise<unknown>;
  textContent(): Promise<string | null>;
  inputValue(): Promise<string>;
  getAttribute(name: string): Promise<string | null>;
  count(): Promise<number>;
  first(): Locator;
  nth(i: number): Locator;
}
interface ConsoleMessage {
  type(): string;
  text(): string;
}
interface Page {
  goto(url: string): Promise<unknown>;
  locator(selector: string): Locator;
  waitForFunction<A>(fn: (arg: A) => unknown, arg: A, opts: { timeout: number }): Promise<unknown>;
  screenshot(opts: { path?: string; fullPage?: boolean }): Promise<Uint8Array>;
  setDefaultTimeout(ms: number): void;
  on(event: "console", fn: (m: ConsoleMessage) => void): void;
  on(event: "pageerror", fn: (e: Error) => void): void;
}
interface BrowserContext {
  newPage(): Promise<Page>;
  pages(): Page[];
  close(): Promise<void>;
  browser(): { version(): string } | null;
}
interface Chromium {
  launchPersistentContext(userDataDir: string, opts: {
    executablePath: string;
    headless: boolean;
    args: string[];
    viewport: { width: number; height: number };
    timeout: number;
  }): Promise<BrowserContext>;
}

// ------------------------------------------------------------------ environment

/** Debian's chromium; installed with apt-get only when missing and running as root. */
async function ensureChromium(): Promise<string> {
  const present = async () => {
    try {
      return (await Deno.stat(CHROMIUM)).isFile;
    } catch {
      return false;
    }
  };
  if (await present()) return CHROMIUM;
  const hint = `${CHROMIUM} not found: install Debian's browser with ` +
    `"sudo apt-get install -y chromium" (playwright never downloads one here)`;
  if (CHROMIUM !== "/usr/bin/chromium" || Deno.uid() !== 0) throw new Error(hint);
  for (const args of [["update"], ["install", "-y", "--no-install-recommends", "chromium"]]) {
    const out = await new Deno.Command("apt-get", {
      args,
      env: { DEBIAN_FRONTEND: "noninteractive" },
      stdout: "inherit",
      stderr: "inherit",
    }).output();
    if (!out.success) throw new Error(`apt-get ${args.join(" ")} failed (${out.code}); ${hint}`);
  }
  if (!(await present())) throw new Error(hint);
  return CHROMIUM;
}

/** playwright-core from the tools cache, installed there first when missing. */
async function playwright(): Promise<Chromium> {
  const dir = await ensureTools("playwright-core");
  const require = createRequire(`${dir}/node_modules/`);
  return (require("playwright-core") as { chromium: Chromium }).chromium;
}

/** Where the screenshot and the page log go. */
async function outputDir(): Promise<string> {
  const dir = Deno.env.get("NATS_RT_TEST_OUT");
  if (dir === undefined || dir === "") return await Deno.makeTempDir({ prefix: "nats-rt-web-" });
  const out = `${dir}/web`;
  await Deno.mkdir(out, { recursive: true });
  return out;
}

/** Collects a child's output and waits for a line matching a pattern. */
class Output {
  text = "";
  readonly done: Promise<void>;
  constructor(stream: ReadableStream<Uint8Array>) {
    this.done = (async () => {
      for await (const chunk of stream.pipeThrough(new TextDecoderStream())) this.text += chunk;
    })();
  }
  async match(re: RegExp, ms: number, exited: () => boolean): Promise<RegExpMatchArray> {
    const deadline = Date.now() + ms;
    for (;;) {
      const m = this.text.match(re);
      if (m !== null) return m;
      if (exited() || Date.now() > deadline) {
        throw new Error(`no output matching ${re} (${exited() ? "exited" : "timed out"})`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

// ------------------------------------------------------------------ page helpers

/**
 * The page's `document`, as the predicates below use it. They run in the
 * page (playwright sends their source), so they may only use their argument.
 * They are functions, not strings: the page's Content-Security-Policy has no
 * 'unsafe-eval', and playwright evaluates polled string predicates with eval.
 */
type PageGlobal = {
  document: {
    querySelector(s: string): { textContent: string | null } | null;
    querySelectorAll(s: string): { length: number };
    body: { dataset: Record<string, string | undefined> };
  };
};

/** Waits until the element's text matches, then returns that text. */
async function waitText(page: Page, selector: string, re: RegExp): Promise<string> {
  try {
    await page.waitForFunction(
      ([sel, source, flags]: string[]) => {
        const e = (globalThis as unknown as PageGlobal).document.querySelector(sel);
        return e !== null && new RegExp(source, flags).test(e.textContent ?? "");
      },
      [selector, re.source, re.flags],
      { timeout: STEP_MS },
    );
  } catch (err) {
    const shown = await page.locator(selector).first().textContent().catch(() => null);
    throw new Error(
      `${selector} should show ${re} but shows ${JSON.stringify(shown)}: ${(err as Error).message}`,
    );
  }
  return (await page.locator(selector).first().textContent()) ?? "";
}

/** Waits until `selector` matches exactly `n` elements. */
async function waitCount(page: Page, selector: string, n: number): Promise<void> {
  try {
    await page.waitForFunction(
      ([sel, count]: [string, number]) =>
        (globalThis as unknown as PageGlobal).document.querySelectorAll(sel).length === count,
      [selector, n],
      { timeout: STEP_MS },
    );
  } catch (err) {
    const got = await page.locator(selector).count();
    throw new Error(
      `${selector}: expected ${n} element(s), found ${got}: ${(err as Error).message}`,
    );
  }
}

/** Text of every element matching `selector`, in document order. */
async function texts(page: Page, selector: string): Promise<string[]> {
  const loc = page.locator(selector);
  const n = await loc.count();
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push((await loc.nth(i).textContent()) ?? "");
  return out;
}

// ------------------------------------------------------------------ the test

Deno.test("web console: Chromium clicks through connect, pub/sub, request and JetStream", async () => {
  const chromiumBin = await ensureChromium();
  const chromium = await playwright();
  const out = await outputDir();
  const started = Date.now(); // the bound below excludes first-time installs
  const log: string[] = [];

  await using srv = await NatsServer.start({
    websocket: true,
    jetstream: true,
    config: { authorization: { user: USER.user, password: USER.pass } },
  });
  const wsUrl = srv.wsUrl!;

  // The Deno side: a responder, and a subscriber that sees what the page publishes.
  const deno: NatsConnection = await connect({ servers: srv.url, ...USER });
  const echoed: string[] = [];
  deno.subscribe("demo.echo", {
    callback: (_err, m) => {
      echoed.push(m.string());
      const h = headers();
      h.set("X-Responder", "deno");
      m.respond(`echo: ${m.string()}`, { headers: h });
    },
  });
  const seen: Msg[] = [];
  deno.subscribe("demo.greet", { callback: (_err, m) => seen.push(m) });
  await deno.flush();

  // The console, as `deno task web` runs it.
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "examples/web/serve.ts", "--port", "0", "--server", wsUrl],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stdout = new Output(child.stdout);
  const stderr = new Output(child.stderr);
  let exited = false;
  const status = child.status.finally(() => exited = true);

  const userDataDir = await Deno.makeTempDir({ prefix: "nats-rt-chromium-" });
  let browser: BrowserContext | undefined;
  // The time bound: past it, the browser and the console are stopped, so
  // whatever the test awaits fails at once and the cleanup below runs.
  let overdue = false;
  const guard = setTimeout(() => {
    overdue = true;
    void browser?.close().catch(() => {});
    try {
      child.kill("SIGKILL");
    } catch {
      // already exited
    }
  }, TEST_MS - (Date.now() - started));
  try {
    const url =
      (await stdout.match(/nats-rt web console: (http:\/\/\S+)\n[^]*stop +Ctrl-C\n/, 30_000, () =>
        exited)
        .catch((err) => {
          throw new Error(`${err.message}\nstdout:\n${stdout.text}\nstderr:\n${stderr.text}`);
        }))[1];
    assert.match(stdout.text, new RegExp(`NATS server  ${wsUrl}\\n`));

    browser = await chromium.launchPersistentContext(userDataDir, {
      executablePath: chromiumBin,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
      viewport: { width: 1280, height: 900 },
      timeout: 30_000,
    });
    const page = browser.pages()[0] ?? await browser.newPage();
    page.setDefaultTimeout(STEP_MS);
    const pageErrors: string[] = [];
    page.on("pageerror", (e) =>
      pageErrors.push(e.message));
    page.on("console", (m) =>
      log.push(`[${m.type()}] ${m.text()}`));

    // ---- the page loads, with the server URL filled in
    await page.goto(url);
    await page.waitForFunction(
      () =>
        (globalThis as unknown as PageGlobal).document.body.dataset.ready === "true",
      undefined,
      { timeout: STEP_MS },
    );
    assert.equal(await page.locator("#url").inputValue(), wsUrl);
    await waitText(page, "#conn-state", /^disconnected$/);

    // ---- a wrong password is refused with the typed error's code
    await page.locator("#auth").selectOption("user");
    await page.locator("#user").fill(USER.user);
    await page.locator("#pass").fill("wrong-password");
    await page.locator("#connect").click();
    const refused = await waitText(page, "#connect-result", /AUTHORIZATION_VIOLATION/);
    assert.match(refused, /connect failed/);
    assert.match(refused, /check user\/password or token/);
    await waitText(page, "#conn-state", /not connected \(AUTHORIZATION_VIOLATION\)/);
    assert.match(await waitText(page, "#status-line", /connect failed/), /AUTHORIZATION_VIOLATION/);

    // ---- connect
    await page.locator("#pass").fill(USER.pass);
    await page.locator("#connect").click();
    const pillText = await waitText(page, "#conn-state", /^connected/);
    assert.match(
      pillText,
      new RegExp(
        `^connected · ${wsUrl.replaceAll(".", "\\.")} · nats-server 2\\.\\d+\\.\\d+ · JetStream$`,
      ),
    );
    assert.match(await waitText(page, "#connect-result", /connected/), /JetStream on/);

    // ---- subscribe: the presets fill the subject; `*` and `>` subscriptions
    await page.locator("button.preset[data-subject='demo.greet']").click();
    assert.equal(await page.locator("#sub-subject").inputValue(), "demo.greet");
    await page.locator("button.preset[data-subject='demo.*']").click();
    assert.equal(await page.locator("#sub-subject").inputValue(), "demo.*");
    await page.locator("#subscribe").click();
    await waitText(page, "#sub-result", /subscribed to demo\.\*$/);
    await page.locator("button.preset[data-subject='demo.>']").click();
    assert.equal(await page.locator("#sub-subject").inputValue(), "demo.>");
    await page.locator("#subscribe").click();
    await waitText(page, "#sub-result", /subscribed to demo\.>$/);
    await waitCount(page, "#subs li", 2);
    assert.deepEqual(await texts(page, "#subs li > span:first-child"), ["demo.*", "demo.>"]);

    // ---- publish with a header: both wildcards deliver it; the Deno side sees the header
    await page.locator("#pub-subject").fill("demo.greet");
    await page.locator("#pub-payload").fill("hello from chromium");
    await page.locator("#pub-headers").fill("X-Trace: 42");
    await page.locator("#publish").click();
    await waitText(page, "#pub-result", /published to demo\.greet · 19 bytes · 1 header$/);
    await waitCount(page, "#messages li", 2);
    const greet = await texts(page, "#messages li");
    for (const t of greet) {
      assert.match(t, /demo\.greet/);
      assert.match(t, /X-Trace: 42/);
      assert.match(t, /hello from chromium/);
    }
    assert.deepEqual((await texts(page, "#messages li .via")).sort(), ["via demo.*", "via demo.>"]);
    assert.deepEqual(await texts(page, "#messages li .size"), ["19 B", "19 B"]);
    await waitText(page, "#msg-count", /^2$/);
    assert.equal(seen.length, 1);
    assert.equal(seen[0].string(), "hello from chromium");
    assert.equal(seen[0].headers?.get("X-Trace"), "42");

    // ---- a deeper subject matches `>` but not `*`
    await page.locator("#pub-subject").fill("demo.deep.path");
    await page.locator("#pub-payload").fill("only for >");
    await page.locator("#pub-headers").fill("");
    await page.locator("#publish").click();
    await waitText(page, "#pub-result", /published to demo\.deep\.path · 10 bytes$/);
    await waitText(page, "#msg-count", /^3$/);
    assert.equal(
      await page.locator("#messages li .subject").first().textContent(),
      "demo.deep.path",
    );
    assert.equal(await page.locator("#messages li .via").first().textContent(), "via demo.>");
    assert.equal(await page.locator("#messages li .data").first().textContent(), "only for >");

    // ---- request: the responder's reply, with its header
    await page.locator("#req-subject").fill("demo.echo");
    await page.locator("#req-payload").fill("ping");
    await page.locator("#request").click();
    const replyText = await waitText(page, "#req-result", /^reply/);
    assert.match(replyText, /^reply from demo\.echo in [\d.]+ ms · 10 B/);
    assert.match(replyText, /X-Responder: deno/);
    assert.match(replyText, /echo: ping$/);
    assert.deepEqual(echoed, ["ping"]);
    assert.equal(await page.locator("#req-result").getAttribute("class"), "result ok");

    // ---- request to nobody: "no responders", not an error or a timeout
    await page.locator("#req-subject").fill("nobody.home");
    await page.locator("#request").click();
    const none = await waitText(page, "#req-result", /no responders/);
    assert.match(none, /^no responders · nothing is subscribed to nobody\.home/);
    assert.equal(await page.locator("#req-result").getAttribute("class"), "result warn");
    await waitText(page, "#status-line", /no responders for nobody\.home/);

    // ---- JetStream: create a stream
    const jsm = await jetstreamManager(deno);
    await page.locator("#js-stream").fill("ORDERS");
    await page.locator("#js-subjects").fill("orders.>");
    await page.locator("#js-storage").selectOption("memory");
    await page.locator("#js-create").click();
    await waitText(
      page,
      "#js-stream-result",
      /^created stream ORDERS · subjects orders\.> · memory$/,
    );
    await waitCount(page, "#js-streams tbody tr", 1);
    assert.match(await page.locator("#js-streams tbody tr").first().textContent() ?? "", /^ORDERS/);
    assert.deepEqual((await jsm.streams.info("ORDERS")).config.subjects, ["orders.>"]);

    // ---- publish: no stream stores "nowhere.stored"; the PubAck; a repeated msgID is a duplicate
    await page.locator("#js-pub-subject").fill("nowhere.stored");
    await page.locator("#js-publish").click();
    await waitText(page, "#js-pub-result", /^JetStream publish failed\nNoStreamError: no stream/);
    await page.locator("#js-pub-subject").fill("orders.new");
    await page.locator("#js-pub-payload").fill('{"id":1}');
    await page.locator("#js-publish").click();
    await waitText(page, "#js-pub-result", /^PubAck stream ORDERS · seq 1 · duplicate false$/);
    await page.locator("#js-pub-payload").fill('{"id":2}');
    await page.locator("#js-msgid").fill("order-2");
    await page.locator("#js-publish").click();
    await waitText(page, "#js-pub-result", /^PubAck stream ORDERS · seq 2 · duplicate false$/);
    await page.locator("#js-publish").click();
    await waitText(page, "#js-pub-result", /^PubAck stream ORDERS · seq 2 · duplicate true$/);

    // ---- stream info shows the count
    await page.locator("#js-info").click();
    await waitText(
      page,
      "#js-stream-result",
      /^stream ORDERS · 2 messages · \d+ bytes · last seq 2$/,
    );
    const info = await texts(page, "#js-stream-info dd");
    const dt = await texts(page, "#js-stream-info dt");
    const infoMap = Object.fromEntries(dt.map((k, i) => [k, info[i]]));
    assert.equal(infoMap.messages, "2");
    assert.equal(infoMap["last seq"], "2");
    assert.equal(infoMap.subjects, "orders.>");

    // ---- pull a batch (the durable consumer is created) and ack it
    await page.locator("#js-consumer").fill("console");
    await page.locator("#js-batch").fill("10");
    await page.locator("#js-wait").fill("1000");
    await page.locator("#js-pull").click();
    const pulledText = await waitText(page, "#js-pull-result", /^pulled/);
    assert.match(
      pulledText,
      /^pulled 2 messages from ORDERS › console \(consumer created\) · 0 more waiting · 2 unacked$/,
    );
    await waitCount(page, "#js-msgs li", 2);
    const rows = await texts(page, "#js-msgs li");
    assert.match(rows[0], /^#1orders\.newdelivery 1pending/);
    assert.match(rows[0], /\{"id":1\}/);
    assert.match(rows[1], /^#2orders\.newdelivery 1pending/);
    const before = await jsm.consumers.info("ORDERS", "console");
    assert.equal(before.ack_floor.stream_seq, 0);
    assert.equal(before.num_ack_pending, 2);
    await page.locator("#js-ack-all").click();
    await waitText(page, "#js-pull-result", /^acked 2 of 2 · every ack confirmed by the server$/);
    assert.deepEqual(await texts(page, "#js-msgs li .state"), ["acked ✓", "acked ✓"]);
    const after = await jsm.consumers.info("ORDERS", "console");
    assert.equal(after.ack_floor.stream_seq, 2, "the page's acks advanced the ack floor");
    assert.equal(after.num_ack_pending, 0);

    // ---- the list shows the new state; screenshot of the busy page
    await page.locator("#js-list").click();
    await waitText(page, "#js-stream-result", /^1 stream · ORDERS$/);
    await waitText(page, "#js-streams tbody tr", /^ORDERSorders\.>memory2\d+21$/);
    await page.locator("#js-info").click();
    await waitText(page, "#js-stream-result", /^stream ORDERS · 2 messages/);
    const png = await page.screenshot({ path: `${out}/web-console.png`, fullPage: true });
    assert.deepEqual([...png.slice(1, 4)], [0x50, 0x4e, 0x47]); // "PNG"
    const readme = new URL("examples/web/screenshot.png", `file://${ROOT}`);
    const exists = await Deno.stat(readme).then(() => true, () => false);
    if (!exists || Deno.env.get("NATS_RT_UPDATE_SCREENSHOT") === "1") {
      await Deno.writeFile(readme, png);
    }

    // ---- delete the stream (two clicks)
    await page.locator("#js-delete").click();
    await waitText(page, "#js-delete", /^Really delete ORDERS\?$/);
    await page.locator("#js-delete").click();
    await waitText(page, "#js-stream-result", /^deleted stream ORDERS$/);
    await waitText(page, "#js-delete", /^Delete$/);
    await waitCount(page, "#js-streams tbody tr", 0);
    await assert.rejects(jsm.streams.info("ORDERS"), StreamNotFoundError);
    await page.locator("#js-info").click();
    await waitText(page, "#js-stream-result", /stream info failed\nStreamNotFoundError: /);

    // ---- a server restart: the page reconnects and its subscriptions still deliver
    await srv.restart();
    await waitText(
      page,
      "#status-line",
      /reconnected to 127\.0\.0\.1:\d+; subscriptions restored/,
    );
    await waitText(page, "#conn-state", /^connected · /);
    const count = Number(await page.locator("#msg-count").textContent());
    await page.locator("#pub-subject").fill("demo.after.restart");
    await page.locator("#pub-payload").fill("still here");
    await page.locator("#publish").click();
    await waitText(page, "#msg-count", new RegExp(`^${count + 1}$`));
    assert.equal(await page.locator("#messages li .data").first().textContent(), "still here");

    // ---- disconnect
    await page.locator("#disconnect").click();
    await waitText(page, "#conn-state", /^disconnected$/);
    await waitCount(page, "#subs li", 0);

    assert.deepEqual(pageErrors, [], "uncaught errors in the page");
    assert.deepEqual(log.filter((l) => /Content.Security.Policy/i.test(l)), [], "CSP violations");
    await Deno.writeTextFile(`${out}/page.log`, log.join("\n") + "\n");
    // deno-lint-ignore no-console
    console.log(
      `web console: ${url} · ${browser.browser()?.version() ?? "chromium"} · ` +
        `screenshot ${out}/web-console.png (${png.length} bytes) · ${Date.now() - started} ms`,
    );
  } catch (err) {
    if (overdue) {
      throw new Error(`the test took longer than ${TEST_MS} ms and was stopped`, { cause: err });
    }
    throw err;
  } finally {
    await browser?.close();
    await Deno.remove(userDataDir, { recursive: true }).catch(() => {});
    try {
      child.kill("SIGTERM");
    } catch {
      // already exited
    }
    await status;
    await Promise.all([stdout.done, stderr.done]);
    await deno.close();
    clearTimeout(guard);
  }
  assert.ok(!overdue, `the test took longer than ${TEST_MS} ms`);
  assert.match(stdout.text, /stopped\n$/, `console output:\n${stdout.text}\n${stderr.text}`);
});

Deno.test("web console: serves the page, the bundle and the config under a same-origin CSP", async () => {
  await using web = await startConsole({ port: 0, server: "ws://127.0.0.1:9222" });
  assert.match(web.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  const get = async (path: string, method = "GET") => {
    const res = await fetch(new URL(path, web.url), { method });
    return { res, body: await res.text() };
  };

  const page = await get("/");
  assert.equal(page.res.status, 200);
  assert.equal(page.res.headers.get("content-type"), "text/html; charset=utf-8");
  const csp = page.res.headers.get("content-security-policy") ?? "";
  for (const d of ["default-src 'self'", "script-src 'self'", "connect-src 'self' ws: wss:"]) {
    assert.ok(csp.includes(d), `CSP has ${d}: ${csp}`);
  }
  assert.match(page.body, /<script type="module" src="\/app\.js"><\/script>/);
  assert.doesNotMatch(
    page.body,
    /(src|href)="(https?:)?\/\//,
    "the page loads nothing from elsewhere",
  );

  const app = await get("/app.js");
  assert.equal(app.res.status, 200);
  assert.equal(app.res.headers.get("content-type"), "text/javascript; charset=utf-8");
  assert.equal(new TextEncoder().encode(app.body).length, web.bundleBytes);
  assert.match(app.body, /nats-rt web console/);
  assert.doesNotMatch(app.body, /\bimport\s*(\(|[^;]*\bfrom\s*)["']/, "one self-contained module");
  assert.doesNotMatch(app.body, /["'](https?|jsr|npm):/);

  const css = await get("/style.css");
  assert.equal(css.res.headers.get("content-type"), "text/css; charset=utf-8");
  assert.deepEqual(JSON.parse((await get("/config.json")).body), { server: "ws://127.0.0.1:9222" });
  assert.equal((await get("/nope")).res.status, 404);
  assert.equal((await get("/", "POST")).res.status, 405);
});

Deno.test("web console: the CLI refuses a nats:// --server and a bad --port", async () => {
  const cases: [string[], RegExp][] = [
    [["--server", "nats://127.0.0.1:4222"], /--server must be a ws:\/\/ or wss:\/\/ URL/],
    [["--port", "http"], /--port must be an integer from 0 to 65535, got "http"/],
    [["--port", "70000"], /--port must be an integer from 0 to 65535/],
  ];
  for (const [args, re] of cases) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "examples/web/serve.ts", ...args],
      cwd: ROOT,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 2, `${args.join(" ")}: ${stderr}`);
    assert.match(stderr, re);
    assert.match(stderr, /usage: serve\.ts/);
  }
});

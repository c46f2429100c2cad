// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * The web console's page script. `serve.ts` bundles it together with the
 * library's WebSocket entry (`./ws`, the one browsers get) into `/app.js`
 * with `deno bundle --platform browser`; it runs in the page as a module.
 *
 * Everything the page shows comes from the library's own results: the
 * server's INFO, delivered messages, request replies, typed errors (their
 * stable `code`), PubAcks, stream infos and ack confirmations (`ackAck`).
 * User input is only ever rendered as text, never as HTML.
 *
 * @module
 */
import {
  AckPolicy,
  connect,
  type ConnectionOptions,
  headers as newHeaders,
  jetstream,
  type JetStreamClient,
  type JetStreamManager,
  jetstreamManager,
  type JsMsg,
  type Msg,
  type MsgHdrs,
  type NatsConnection,
  StorageType,
  type StreamInfo,
  type Subscription,
  VERSION,
} from "../../src/transports/websocket.ts";
import {
  document,
  type DomControl,
  type DomElement,
  type DomEvent,
  type DomTable,
  location,
} from "./dom.ts";

// ------------------------------------------------------------------ DOM helpers

function byId<T extends DomElement = DomElement>(id: string): T {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`page is missing #${id}`);
  return el as T;
}

/** Value of an input, select or textarea, trimmed. */
function field(id: string): string {
  return byId<DomControl>(id).value.trim();
}

/** Value of an input or textarea as typed (payloads keep their spaces). */
function rawField(id: string): string {
  return byId<DomControl>(id).value;
}

/** A positive integer from a number input, or `fallback`. */
function intField(id: string, fallback: number, min = 1): number {
  const n = Number(field(id));
  return Number.isInteger(n) && n >= min ? n : fallback;
}

type Child = DomElement | string;

/** Creates an element with a class and children (strings become text nodes). */
function el(tag: string, cls = "", ...children: Child[]): DomElement {
  const e = document.createElement(tag);
  if (cls !== "") e.className = cls;
  e.append(...children);
  return e;
}

/** A `<button type="button">`. */
function button(text: string, cls = ""): DomControl {
  const b = el("button", cls, text) as DomControl;
  b.type = "button";
  return b;
}

/** Listens for an event; a `submit` never navigates, a failure lands in the status line. */
function on(id: string, type: "submit" | "click" | "change", fn: () => unknown): void {
  byId(id).addEventListener(type, (ev: DomEvent) => {
    if (type === "submit") ev.preventDefault();
    Promise.resolve().then(fn).catch((err) => status(describe(err), true));
  });
}

const clock = () => new Date().toTimeString().slice(0, 8);

// ------------------------------------------------------------------ status and results

type Kind = "ok" | "warn" | "err";

/** Shows an outcome under a form. */
function show(id: string, kind: Kind, ...content: Child[]): void {
  const r = byId(id);
  r.className = `result ${kind}`;
  r.replaceChildren(...content);
}

function clear(id: string): void {
  const r = byId(id);
  r.className = "result";
  r.replaceChildren();
}

/** A bold label for a result line. */
const label = (text: string) => el("span", "label", text);

/** The one-line status bar under the header: the last thing that happened. */
function status(text: string, isError = false): void {
  const s = byId("status-line");
  s.textContent = `${clock()}  ${text}`;
  s.classList.toggle("err", isError);
}

/** The connection pill in the header. */
function pill(kind: "off" | "on" | "busy" | "bad", text: string): void {
  const p = byId("conn-state");
  p.className = `pill ${kind}`;
  p.textContent = text;
  p.title = text;
}

/**
 * The typed error's stable code: a string for core errors (`NO_RESPONDERS`,
 * `AUTHORIZATION_VIOLATION`, ...), the server's `err_code` for JetStream API
 * errors.
 */
function codeOf(err: unknown): string | number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" || typeof code === "number" ? code : undefined;
}

/** `CODE: message` for core errors, `ErrorName: message` otherwise. */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = codeOf(err);
  return `${typeof code === "string" ? code : err.name}: ${err.message}`;
}

const HINTS: Record<string, string> = {
  CONNECTION_REFUSED:
    "Is nats-server's websocket listener running at that URL? (websocket { port: N, no_tls: true })",
  AUTHORIZATION_VIOLATION: "The server refused the credentials: check user/password or token.",
  AUTHENTICATION_EXPIRED: "The credentials have expired.",
  TIMEOUT: "The server did not answer in time.",
  PERMISSIONS_VIOLATION: "This user is not allowed to do that on this subject.",
  INVALID_SUBJECT: "Subjects are dot-separated tokens without spaces; * and > are wildcards.",
  INVALID_HEADER: "Header names are printable ASCII without ':' or spaces.",
  MAX_PAYLOAD_EXCEEDED: "The message is larger than the server's max_payload.",
};

/** Shows an error under a form and in the status bar, with a hint for its code. */
function fail(id: string, err: unknown, what: string): void {
  const text = describe(err);
  const code = codeOf(err);
  const hint = typeof code === "string" ? HINTS[code] : undefined;
  show(id, "err", label(`${what} failed`), `\n${text}`, hint ? `\n${hint}` : "");
  status(`${what} failed: ${text}`, true);
}

/** Runs an action with its button disabled, reporting a thrown error under `resultId`. */
async function act(
  button: string,
  resultId: string,
  what: string,
  fn: () => Promise<void> | void,
): Promise<void> {
  const b = byId<DomControl>(button);
  b.disabled = true;
  try {
    await fn();
  } catch (err) {
    fail(resultId, err, what);
  } finally {
    b.disabled = false;
  }
}

// ------------------------------------------------------------------ message rendering

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** The payload as text, or a note for empty and binary payloads. */
function payloadText(data: Uint8Array): string {
  if (data.length === 0) return "(empty)";
  try {
    return utf8.decode(data);
  } catch {
    return `<${data.length} bytes of binary data>`;
  }
}

/** Headers as `Name: value` lines (status first when there is one). */
function headerLines(h: MsgHdrs | undefined): string[] {
  if (h === undefined) return [];
  const lines = h.code > 0 ? [`status: ${h.status}`] : [];
  for (const [k, vs] of h) for (const v of vs) lines.push(`${k}: ${v}`);
  return lines;
}

/** Parses the headers textarea: one `Name: value` per line, blank lines ignored. */
function parseHeaders(text: string): MsgHdrs | undefined {
  const lines = text.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  if (lines.length === 0) return undefined;
  const h = newHeaders();
  lines.forEach((line, i) => {
    const colon = line.indexOf(":");
    if (colon <= 0) throw new Error(`header line ${i + 1} "${line}" is not "Name: value"`);
    h.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  });
  return h;
}

// ------------------------------------------------------------------ connection

let nc: NatsConnection | undefined;
let js: JetStreamClient | undefined;
let jsm: JetStreamManager | undefined;

function conn(): NatsConnection {
  if (nc === undefined) throw new Error("not connected");
  return nc;
}

function connectedText(c: NatsConnection): string {
  const i = c.info;
  const server = i ? `nats-server ${i.version}${i.jetstream ? " · JetStream" : ""}` : "";
  return `connected · ${c.getServer()}${server ? ` · ${server}` : ""}`;
}

function setEnabled(connected: boolean): void {
  for (const f of document.querySelectorAll("fieldset.ops")) {
    (f as DomControl).disabled = !connected;
  }
  byId<DomControl>("connect").disabled = connected;
  byId<DomControl>("disconnect").disabled = !connected;
  for (const id of ["url", "auth", "user", "pass", "token"]) {
    byId<DomControl>(id).disabled = connected;
  }
}

function authChanged(): void {
  const mode = field("auth");
  for (const l of document.querySelectorAll(".auth-user")) l.hidden = mode !== "user";
  for (const l of document.querySelectorAll(".auth-token")) {
    l.hidden = mode !== "token";
  }
}

async function doConnect(): Promise<void> {
  if (nc !== undefined) return;
  const url = field("url");
  if (url === "") {
    show("connect-result", "err", label("connect failed"), "\nenter the server's ws:// URL");
    return;
  }
  const opts: ConnectionOptions = {
    servers: url,
    name: "nats-rt web console",
    timeout: 5_000,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1_000,
    reconnectTimeWaitMax: 5_000,
  };
  const mode = field("auth");
  if (mode === "user") {
    opts.user = field("user");
    opts.pass = rawField("pass");
  } else if (mode === "token") {
    opts.token = rawField("token");
  }
  pill("busy", `connecting to ${url}…`);
  status(`connecting to ${url}`);
  clear("connect-result");
  byId<DomControl>("connect").disabled = true;
  let c: NatsConnection;
  try {
    c = await connect(opts);
  } catch (err) {
    pill("bad", `not connected (${codeOf(err) ?? "error"})`);
    fail("connect-result", err, "connect");
    byId<DomControl>("connect").disabled = false;
    return;
  }
  nc = c;
  js = jetstream(c);
  jsm = undefined;
  setEnabled(true);
  pill("on", connectedText(c));
  const i = c.info;
  show(
    "connect-result",
    "ok",
    label("connected"),
    ` to ${c.getServer()}`,
    i ? `\nserver ${i.server_name} · nats-server ${i.version} · max_payload ${i.max_payload}` : "",
    i ? ` · JetStream ${i.jetstream ? "on" : "off"}` : "",
  );
  status(`connected to ${c.getServer()}`);
  void watch(c);
  void c.closed().then((err) => closed(c, err));
}

/** Follows the connection's status events into the pill and the status bar. */
async function watch(c: NatsConnection): Promise<void> {
  for await (const s of c.status()) {
    if (nc !== c) return;
    switch (s.type) {
      case "disconnect":
        pill("busy", `disconnected from ${s.server}, reconnecting…`);
        status(`disconnected from ${s.server}${s.error ? `: ${describe(s.error)}` : ""}`, true);
        break;
      case "reconnecting":
        pill("busy", `reconnecting to ${s.server} (attempt ${s.attempt})…`);
        break;
      case "reconnect":
        pill("on", connectedText(c));
        status(`reconnected to ${s.server}; subscriptions restored`);
        break;
      case "ldm":
        status(`${s.server} is entering lame duck mode: moving to another server soon`, true);
        break;
      case "error":
        status(describe(s.error), true);
        break;
      case "slowConsumer":
        status(`slow consumer on ${s.sub.getSubject()}: messages dropped`, true);
        break;
      case "close":
        return;
    }
  }
}

function closed(c: NatsConnection, err: void | Error): void {
  if (nc !== c) return;
  nc = undefined;
  js = undefined;
  jsm = undefined;
  for (const s of subs.values()) s.chip.remove();
  subs.clear();
  pulled = [];
  byId<DomControl>("js-ack-all").disabled = true;
  setEnabled(false);
  if (err) {
    pill("bad", `closed (${codeOf(err) ?? "error"})`);
    fail("connect-result", err, "connection");
  } else {
    pill("off", "disconnected");
    show("connect-result", "warn", label("disconnected"));
    status("disconnected");
  }
}

async function doDisconnect(): Promise<void> {
  const c = nc;
  if (c === undefined) return;
  status("closing the connection");
  await c.close();
}

// ------------------------------------------------------------------ publish

function doPublish(): Promise<void> {
  return act("publish", "pub-result", "publish", async () => {
    const c = conn();
    const subject = field("pub-subject");
    const payload = rawField("pub-payload");
    const hdrs = parseHeaders(rawField("pub-headers"));
    c.publish(subject, payload, hdrs ? { headers: hdrs } : undefined);
    await c.flush(); // the server has it (and would have refused it by now)
    const bytes = new TextEncoder().encode(payload).length;
    const n = hdrs ? hdrs.keys().length : 0;
    show(
      "pub-result",
      "ok",
      label("published"),
      ` to ${subject} · ${bytes} bytes${n > 0 ? ` · ${n} header${n === 1 ? "" : "s"}` : ""}`,
    );
    status(`published to ${subject}`);
  });
}

// ------------------------------------------------------------------ subscribe

interface SubEntry {
  sub: Subscription;
  chip: DomElement;
  count: DomElement;
}
const subs = new Map<string, SubEntry>();
const MAX_SHOWN = 300;
let received = 0;

function addMessage(m: Msg, via: string): void {
  received++;
  byId("msg-count").textContent = String(received);
  const meta = el(
    "div",
    "meta",
    el("time", "", clock()),
    el("span", "subject", m.subject),
    el("span", "via", `via ${via}`),
  );
  if (m.reply !== "") meta.append(el("span", "reply", `reply → ${m.reply}`));
  meta.append(el("span", "size", `${m.data.length} B`));
  const li = el("li", "msg", meta);
  const hl = headerLines(m.headers);
  if (hl.length > 0) li.append(el("div", "hdrs", hl.join("  ·  ")));
  li.append(el("pre", "data", payloadText(m.data)));
  const list = byId("messages");
  list.prepend(li);
  while (list.children.length > MAX_SHOWN) list.lastElementChild?.remove();
}

function doSubscribe(): Promise<void> {
  return act("subscribe", "sub-result", "subscribe", async () => {
    const c = conn();
    const subject = field("sub-subject");
    if (subs.has(subject)) {
      show("sub-result", "warn", label("already subscribed"), ` to ${subject}`);
      return;
    }
    const count = el("span", "count", "0");
    const sub = c.subscribe(subject, {
      callback: (err, m) => {
        if (err !== null) return; // reported through `closed` below
        count.textContent = String(sub.getReceived());
        addMessage(m, subject);
      },
    });
    const stop = button("×");
    stop.title = `unsubscribe from ${subject}`;
    stop.setAttribute("aria-label", `unsubscribe from ${subject}`);
    stop.addEventListener("click", () => {
      sub.unsubscribe();
      status(`unsubscribed from ${subject}`);
    });
    const chip = el("li", "", el("span", "", subject), count, stop);
    chip.dataset.subject = subject;
    byId("subs").append(chip);
    subs.set(subject, { sub, chip, count });
    void sub.closed.then((err) => {
      if (subs.get(subject)?.sub !== sub) return;
      subs.delete(subject);
      chip.remove();
      if (err) fail("sub-result", err, `subscription to ${subject}`);
    });
    await c.flush(); // the server has registered the interest
    if (sub.isClosed()) return;
    show("sub-result", "ok", label("subscribed"), ` to ${subject}`);
    status(`subscribed to ${subject}`);
  });
}

// ------------------------------------------------------------------ request

function doRequest(): Promise<void> {
  return act("request", "req-result", "request", async () => {
    const c = conn();
    const subject = field("req-subject");
    const timeout = intField("req-timeout", 2_000);
    clear("req-result");
    const t0 = performance.now();
    try {
      const m = await c.request(subject, rawField("req-payload"), { timeout });
      const ms = (performance.now() - t0).toFixed(1);
      const hl = headerLines(m.headers);
      show(
        "req-result",
        "ok",
        label("reply"),
        ` from ${subject} in ${ms} ms · ${m.data.length} B`,
        hl.length > 0 ? `\n${hl.join("\n")}` : "",
        `\n${payloadText(m.data)}`,
      );
      status(`reply from ${subject} in ${ms} ms`);
    } catch (err) {
      const code = codeOf(err);
      if (code === "NO_RESPONDERS") {
        show(
          "req-result",
          "warn",
          label("no responders"),
          ` · nothing is subscribed to ${subject} (the server answered 503 at once)`,
        );
        status(`no responders for ${subject}`);
      } else if (code === "TIMEOUT") {
        show(
          "req-result",
          "warn",
          label("timeout"),
          ` · a responder exists but no reply came within ${timeout} ms`,
        );
        status(`request to ${subject} timed out`, true);
      } else {
        throw err;
      }
    }
  });
}

// ------------------------------------------------------------------ JetStream

async function manager(): Promise<JetStreamManager> {
  const c = conn();
  if (jsm === undefined) jsm = await jetstreamManager(c);
  return jsm;
}

function client(): JetStreamClient {
  conn();
  if (js === undefined) throw new Error("not connected");
  return js;
}

function streamName(): string {
  const name = field("js-stream");
  if (name === "") throw new Error("enter a stream name");
  return name;
}

function renderStreams(infos: StreamInfo[]): void {
  const table = byId<DomTable>("js-streams");
  const body = table.tBodies[0];
  body.replaceChildren();
  for (const si of infos) {
    const pick = button(si.config.name);
    pick.title = "show this stream";
    pick.addEventListener("click", () => {
      byId<DomControl>("js-stream").value = si.config.name;
      byId<DomControl>("js-subjects").value = (si.config.subjects ?? []).join(", ");
      void doInfo();
    });
    const row = el(
      "tr",
      "",
      el("td", "name", pick),
      el("td", "", (si.config.subjects ?? []).join(", ")),
      el("td", "", si.config.storage),
      el("td", "", String(si.state.messages)),
      el("td", "", String(si.state.bytes)),
      el("td", "", String(si.state.last_seq)),
      el("td", "", String(si.state.consumer_count)),
    );
    row.dataset.stream = si.config.name;
    body.append(row);
  }
  table.hidden = infos.length === 0;
}

function renderInfo(si: StreamInfo | undefined): void {
  const dl = byId("js-stream-info");
  dl.replaceChildren();
  dl.hidden = si === undefined;
  if (si === undefined) return;
  const s = si.state;
  const rows: [string, string][] = [
    ["stream", si.config.name],
    ["subjects", (si.config.subjects ?? []).join(", ")],
    ["storage", `${si.config.storage} · retention ${si.config.retention}`],
    ["messages", String(s.messages)],
    ["bytes", String(s.bytes)],
    ["first seq", String(s.first_seq)],
    ["last seq", String(s.last_seq)],
    ["consumers", String(s.consumer_count)],
    ["created", si.created],
  ];
  for (const [k, v] of rows) dl.append(el("dt", "", k), el("dd", "", v));
  dl.dataset.stream = si.config.name;
  dl.dataset.messages = String(s.messages);
}

async function listStreams(): Promise<StreamInfo[]> {
  const m = await manager();
  const infos: StreamInfo[] = [];
  for await (const si of m.streams.list()) infos.push(si);
  renderStreams(infos);
  return infos;
}

function doList(): Promise<void> {
  return act("js-list", "js-stream-result", "list streams", async () => {
    const infos = await listStreams();
    show(
      "js-stream-result",
      "ok",
      label(`${infos.length} stream${infos.length === 1 ? "" : "s"}`),
      infos.length > 0 ? ` · ${infos.map((i) => i.config.name).join(", ")}` : "",
    );
    status(`listed ${infos.length} stream(s)`);
  });
}

function doInfo(): Promise<void> {
  return act("js-info", "js-stream-result", "stream info", async () => {
    const name = streamName();
    const si = await (await manager()).streams.info(name);
    renderInfo(si);
    show(
      "js-stream-result",
      "ok",
      label(`stream ${name}`),
      ` · ${si.state.messages} message${si.state.messages === 1 ? "" : "s"}`,
      ` · ${si.state.bytes} bytes · last seq ${si.state.last_seq}`,
    );
    status(`stream ${name}: ${si.state.messages} message(s)`);
  });
}

function doCreate(): Promise<void> {
  return act("js-create", "js-stream-result", "create stream", async () => {
    const name = streamName();
    const subjects = field("js-subjects").split(",").map((s) => s.trim()).filter((s) => s !== "");
    if (subjects.length === 0) throw new Error("enter at least one subject");
    const storage = field("js-storage") === "file" ? StorageType.File : StorageType.Memory;
    const si = await (await manager()).streams.add({ name, subjects, storage });
    renderInfo(si);
    await listStreams();
    show(
      "js-stream-result",
      "ok",
      label("created"),
      ` stream ${name} · subjects ${subjects.join(", ")} · ${storage}`,
    );
    status(`created stream ${name}`);
  });
}

let deleteArmed: ReturnType<typeof setTimeout> | undefined;

function disarmDelete(): void {
  clearTimeout(deleteArmed);
  deleteArmed = undefined;
  const b = byId<DomControl>("js-delete");
  b.classList.remove("armed");
  b.textContent = "Delete";
}

/** Deleting takes two clicks: the first arms the button for a few seconds. */
function doDelete(): Promise<void> {
  if (deleteArmed === undefined) {
    let name: string;
    try {
      name = streamName();
    } catch (err) {
      fail("js-stream-result", err, "delete stream");
      return Promise.resolve();
    }
    const b = byId<DomControl>("js-delete");
    b.classList.add("armed");
    b.textContent = `Really delete ${name}?`;
    deleteArmed = setTimeout(disarmDelete, 5_000);
    return Promise.resolve();
  }
  disarmDelete();
  return act("js-delete", "js-stream-result", "delete stream", async () => {
    const name = streamName();
    await (await manager()).streams.delete(name);
    const dl = byId("js-stream-info");
    if (dl.dataset.stream === name) renderInfo(undefined);
    await listStreams();
    show("js-stream-result", "ok", label("deleted"), ` stream ${name}`);
    status(`deleted stream ${name}`);
  });
}

function doJsPublish(): Promise<void> {
  return act("js-publish", "js-pub-result", "JetStream publish", async () => {
    const subject = field("js-pub-subject");
    const msgID = field("js-msgid");
    const pa = await client().publish(
      subject,
      rawField("js-pub-payload"),
      msgID !== "" ? { msgID } : undefined,
    );
    show(
      "js-pub-result",
      "ok",
      label("PubAck"),
      ` stream ${pa.stream} · seq ${pa.seq} · duplicate ${pa.duplicate}`,
    );
    status(`stored in ${pa.stream} as seq ${pa.seq}${pa.duplicate ? " (duplicate)" : ""}`);
  });
}

interface Pulled {
  m: JsMsg;
  state: DomElement;
  buttons: DomControl[];
  done: boolean;
}
let pulled: Pulled[] = [];

function updateAckAll(): void {
  byId<DomControl>("js-ack-all").disabled = !pulled.some((p) => !p.done);
}

/** Acks (confirmed by the server), naks or terms one pulled message. */
async function settle(p: Pulled, how: "ack" | "nak" | "term"): Promise<void> {
  if (p.done) return;
  p.done = true;
  for (const b of p.buttons) b.disabled = true;
  try {
    if (how === "ack") {
      await p.m.ackAck({ timeout: 5_000 });
      p.state.textContent = "acked ✓";
    } else if (how === "nak") {
      p.m.nak();
      p.state.textContent = "nak'd (redelivered soon)";
    } else {
      p.m.term();
      p.state.textContent = "termed";
    }
    p.state.className = `state ${how === "ack" ? "acked" : how === "nak" ? "naked" : "termed"}`;
  } catch (err) {
    p.state.textContent = `${how} failed: ${describe(err)}`;
    p.state.className = "state failed";
    status(`${how} of seq ${p.m.seq} failed: ${describe(err)}`, true);
  }
  updateAckAll();
}

function renderPulled(m: JsMsg): Pulled {
  const state = el("span", "state", "pending");
  const p: Pulled = { m, state, buttons: [], done: false };
  for (const how of ["ack", "nak", "term"] as const) {
    const b = button(how === "ack" ? "Ack" : how === "nak" ? "Nak" : "Term", "small");
    b.addEventListener("click", () => void settle(p, how));
    p.buttons.push(b);
  }
  const meta = el(
    "div",
    "meta",
    el("span", "seq", `#${m.seq}`),
    el("span", "subject", m.subject),
    el("span", "via", `delivery ${m.info.deliveryCount}${m.redelivered ? " (redelivered)" : ""}`),
    el("span", "acks", state, ...p.buttons),
  );
  const li = el("li", "msg", meta);
  li.dataset.seq = String(m.seq);
  const hl = headerLines(m.headers);
  if (hl.length > 0) li.append(el("div", "hdrs", hl.join("  ·  ")));
  li.append(el("pre", "data", payloadText(m.data)));
  byId("js-msgs").append(li);
  return p;
}

function doPull(): Promise<void> {
  return act("js-pull", "js-pull-result", "pull", async () => {
    const stream = streamName();
    const name = field("js-consumer");
    if (name === "") throw new Error("enter a durable consumer name");
    const batch = intField("js-batch", 10);
    const wait = intField("js-wait", 1_000, 0);
    const c = client();
    let consumer;
    let created = false;
    try {
      consumer = await c.consumers.get(stream, name);
    } catch (err) {
      if (codeOf(err) !== 10014) throw err; // anything but "consumer not found"
      await (await manager()).consumers.add(stream, {
        durable_name: name,
        ack_policy: AckPolicy.Explicit,
      });
      consumer = await c.consumers.get(stream, name);
      created = true;
    }
    byId("js-msgs").replaceChildren();
    pulled = [];
    updateAckAll();
    const iter = await consumer.fetch(
      wait > 0 ? { max_messages: batch, expires: wait } : { max_messages: batch, no_wait: true },
    );
    for await (const m of iter) {
      pulled.push(renderPulled(m));
      updateAckAll();
    }
    const ci = await consumer.info();
    show(
      "js-pull-result",
      pulled.length > 0 ? "ok" : "warn",
      label(`pulled ${pulled.length} message${pulled.length === 1 ? "" : "s"}`),
      ` from ${stream} › ${name}${created ? " (consumer created)" : ""}`,
      ` · ${ci.num_pending} more waiting · ${ci.num_ack_pending} unacked`,
    );
    status(`pulled ${pulled.length} message(s) from ${stream} › ${name}`);
  });
}

async function doAckAll(): Promise<void> {
  byId<DomControl>("js-ack-all").disabled = true;
  const open = pulled.filter((p) => !p.done);
  await Promise.all(open.map((p) => settle(p, "ack"))); // settle reports its own failures
  const ok = open.filter((p) => p.state.classList.contains("acked")).length;
  show(
    "js-pull-result",
    ok === open.length ? "ok" : "err",
    label(`acked ${ok} of ${open.length}`),
    ok === open.length ? " · every ack confirmed by the server" : " · see the failed messages",
  );
  status(`acked ${ok} message(s)`, ok !== open.length);
  updateAckAll();
}

// ------------------------------------------------------------------ start

async function main(): Promise<void> {
  byId("footer").textContent =
    `nats-rt ${VERSION} · WebSocket entry (./ws) · no framework, nothing loaded from the internet`;
  let server = "";
  try {
    const cfg = await (await fetch("/config.json")).json() as { server?: string };
    server = cfg.server ?? "";
  } catch {
    // served without a config: leave the URL empty
  }
  const fromQuery = new URLSearchParams(location.search).get("server");
  byId<DomControl>("url").value = fromQuery ?? server;

  authChanged();
  on("auth", "change", authChanged);
  on("connect-form", "submit", doConnect);
  on("disconnect", "click", doDisconnect);
  on("pub-form", "submit", doPublish);
  on("sub-form", "submit", doSubscribe);
  on("req-form", "submit", doRequest);
  on("js-stream-form", "submit", doCreate);
  on("js-list", "click", doList);
  on("js-info", "click", doInfo);
  on("js-delete", "click", doDelete);
  on("js-pub-form", "submit", doJsPublish);
  on("js-pull-form", "submit", doPull);
  on("js-ack-all", "click", doAckAll);
  on("clear-msgs", "click", () => {
    received = 0;
    byId("msg-count").textContent = "0";
    byId("messages").replaceChildren();
  });
  for (const b of document.querySelectorAll("button.preset")) {
    b.addEventListener("click", () => {
      byId<DomControl>("sub-subject").value = b.dataset.subject ?? "";
    });
  }
  for (const id of ["js-stream", "js-subjects", "js-storage"]) {
    byId(id).addEventListener("input", disarmDelete);
  }
  pill("off", "disconnected");
  status("ready: enter the server's ws:// URL and connect");
  document.body.dataset.ready = "true";
}

void main();

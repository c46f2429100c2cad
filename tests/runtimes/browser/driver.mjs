// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
// deno-lint-ignore-file no-console
/**
 * Drives Debian's Chromium (never a downloaded browser) with playwright-core:
 * opens the page the Deno harness serves, waits for the page to publish its
 * scenario report on `window.__report`, and prints it as one JSON line (page
 * console output and errors go to stderr).
 *
 * Usage: node driver.mjs <page url>
 * Env: PLAYWRIGHT_CORE (path of playwright-core's index.mjs),
 *      CHROMIUM (default /usr/bin/chromium)
 *
 * @module
 */
const { chromium } = await import(process.env.PLAYWRIGHT_CORE);
const pageUrl = process.argv[2];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
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
});
try {
  const page = await browser.newPage();
  page.on("console", (m) => console.error(`[page ${m.type()}] ${m.text()}`));
  page.on("pageerror", (e) => console.error(`[page error] ${e.message}`));
  console.error(`chromium ${browser.version()}`);
  await page.goto(pageUrl);
  await page.waitForFunction(
    () => globalThis.__report !== undefined || globalThis.__error !== undefined,
    null,
    { timeout: 120_000 },
  );
  const report = await page.evaluate(() =>
    globalThis.__report ?? [{ name: "page", ok: false, ms: 0, error: String(globalThis.__error) }]
  );
  report.unshift({ name: "browser", ok: true, ms: 0, error: browser.version() });
  console.log(JSON.stringify(report));
} finally {
  await browser.close();
}

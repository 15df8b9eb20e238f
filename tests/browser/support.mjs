// Shared pieces of the browser tests: start and stop a real `tribune serve --demo` on a fresh temp data folder,
// launch the system's headless Chromium (/usr/bin/chromium, never a downloaded browser) through playwright-core,
// and open pages that record every console error, uncaught exception, CSP violation and failed request.
//
// The binary defaults to ../../build/release/tribune; set TRIBUNE_BIN to test another build.
// Set TRIBUNE_ASSETS_DIR (e.g. ../../src/web/assets) to serve site.css and app.js from that folder instead of
// the copies embedded in the binary: for checking a stylesheet or script edit before the binary is rebuilt.
import { deflateSync } from "node:zlib";
import assert from "node:assert/strict";
import { spawn, execFile } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, existsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
export const TRIBUNE_BIN = process.env.TRIBUNE_BIN
  ? path.resolve(process.env.TRIBUNE_BIN)
  : path.resolve(here, "../../build/release/tribune");
export const ASSETS_DIR = process.env.TRIBUNE_ASSETS_DIR ? path.resolve(process.env.TRIBUNE_ASSETS_DIR) : null;
export const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

export const SERVER_START_MS = 15_000;
export const SERVER_STOP_MS = 10_000;
export const BROWSER_LAUNCH_MS = 30_000;
export const STEP_MS = 10_000;       // any single page action or assertion wait
export const NAV_MS = 15_000;        // one navigation
export const TEST_MS = 90_000;       // a whole test
export const BEFORE_MS = SERVER_START_MS + BROWSER_LAUNCH_MS + STEP_MS;
export const AFTER_MS = STEP_MS + SERVER_STOP_MS + 5_000;

export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// A child left behind by a crashed test run would hold a port and a temp folder: never leave one.
const live = new Set();
process.on("exit", () => {
  for (const child of live) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

// One `tribune serve --demo` on 127.0.0.1 with a fresh temp data folder. `log` is the tail of its stderr, for
// failure messages. `start({ config })` adds TOML to the configuration file (e.g. a [stripe] table); with
// TRIBUNE_ASSETS_DIR set it must not have a [site] table of its own. `dataDir` is the data folder while it runs,
// for the CLI (e.g. `tribune token create --data ...`).
export class Tribune {
  baseUrl = null;
  dataDir = null;
  log = "";
  #child = null;
  #root = null;

  async start({ config = "" } = {}) {
    assert.ok(existsSync(TRIBUNE_BIN), `no tribune binary at ${TRIBUNE_BIN} (set TRIBUNE_BIN)`);
    this.#root = mkdtempSync(path.join(tmpdir(), "tribune-browser-"));
    const dataDir = path.join(this.#root, "data");
    mkdirSync(dataDir);
    this.dataDir = dataDir;
    const args = ["serve", "--data", dataDir, "--listen", "127.0.0.1:0", "--demo"];
    let toml = "";
    if (ASSETS_DIR) {
      assert.ok(!/^\s*\[site\]/m.test(config), "with TRIBUNE_ASSETS_DIR set, the extra config must not have a [site] table");
      toml += `[site]\nassets_dir = ${JSON.stringify(ASSETS_DIR)}\n`;
    }
    if (config) toml += config.endsWith("\n") ? config : `${config}\n`;
    if (toml) {
      const file = path.join(this.#root, "tribune.toml");
      writeFileSync(file, toml);
      args.push("--config", file);
    }
    const child = spawn(TRIBUNE_BIN, args, { stdio: ["ignore", "pipe", "pipe"] });
    this.#child = child;
    live.add(child);
    child.once("exit", () => live.delete(child));
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk) => { this.log = (this.log + chunk).slice(-20_000); });
    const listening = new Promise((resolve, reject) => {
      let out = "";
      child.stdout.setEncoding("utf8");
      child.stdout.on("data", (chunk) => {
        out += chunk;
        const m = out.match(/^listening on (http:\/\/127\.0\.0\.1:(\d+))\s*$/m);
        if (m && Number(m[2]) > 0) resolve(m[1]);
      });
      child.once("error", reject);
      child.once("exit", (code, signal) =>
        reject(new Error(`tribune exited before listening (code ${code}, signal ${signal})\n${this.log}`)));
    });
    this.baseUrl = await withTimeout(listening, SERVER_START_MS, "tribune to print its listening line");
    return this.baseUrl;
  }

  // SIGTERM, then check it stopped cleanly; the temp folder goes either way.
  async stop() {
    const child = this.#child;
    try {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
      child.kill("SIGTERM");
      const stopped = await withTimeout(exited, SERVER_STOP_MS, "tribune to stop on SIGTERM").catch((err) => {
        child.kill("SIGKILL");
        throw err;
      });
      assert.ok(stopped.code === 0 || stopped.signal === "SIGTERM",
        `tribune did not stop cleanly on SIGTERM: code ${stopped.code}, signal ${stopped.signal}\n${this.log}`);
    } finally {
      if (this.#root) rmSync(this.#root, { recursive: true, force: true });
      this.dataDir = null;
    }
  }

  async getJson(urlPath) {
    const res = await fetch(this.baseUrl + urlPath, {
      headers: { Accept: "application/json" },
      signal: AbortSignal.timeout(STEP_MS),
    });
    assert.equal(res.status, 200, `GET ${urlPath}`);
    return res.json();
  }
}

export function launchBrowser() {
  assert.ok(existsSync(CHROMIUM), `no browser at ${CHROMIUM}`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: BROWSER_LAUNCH_MS });
}

export function closeBrowser(browser) {
  return browser ? withTimeout(browser.close(), STEP_MS, "browser to close") : Promise.resolve();
}

// A fresh context and page that record every console error, uncaught exception, CSP violation and failed request.
// `ignore(problem)` may excuse problems a test provokes on purpose.
// `reducedMotion: "reduce"` turns off the stylesheet's smooth scrolling: with scripts disabled, Playwright sees an
// element that a smooth scroll is still moving as "not stable" and will not click it.
export async function openPage(browser, baseUrl, { viewport = DESKTOP, javaScriptEnabled = true, reducedMotion } = {}) {
  const context = await browser.newContext({ viewport, baseURL: baseUrl, javaScriptEnabled, reducedMotion });
  context.setDefaultTimeout(STEP_MS);
  context.setDefaultNavigationTimeout(NAV_MS);
  const page = await context.newPage();
  const problems = [];
  page.on("console", (msg) => {
    if (msg.type() !== "error") return;
    const where = msg.location().url ?? "";
    // The browser asks for /favicon.ico on its own, once per run, so whether that 404 lands on a given page
    // depends on test order. It is checked on its own, in article.test.mjs.
    if (new URL(where || "http://x/").pathname === "/favicon.ico") return;
    problems.push(`console error: ${msg.text()} (${where})`);
  });
  page.on("pageerror", (err) => problems.push(`uncaught exception: ${err.message}`));
  // An article page holds a Server-Sent Events stream open (app.js: startLive) for as long as it is shown; the
  // browser aborts it when the page navigates, reloads or closes. That abort is how the stream ends, not a
  // failure: any other end of it (a reset, a refused stream) is still reported.
  // Likewise the page's icon, which the browser fetches on its own after 'load': a test that goes straight on
  // to the next page aborts it.
  page.on("requestfailed", (req) => {
    const error = req.failure()?.errorText ?? "";
    if (req.resourceType() === "eventsource" && error === "net::ERR_ABORTED") return;
    if (error === "net::ERR_ABORTED" && new URL(req.url()).pathname === "/assets/favicon.svg") return;
    problems.push(`request failed: ${req.url()} ${error}`);
  });
  trackRequests(page);
  page.on("response", (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()} for ${res.url()}`);
  });
  if (javaScriptEnabled) {
    // The browser's own report of CSP violations, in case one is not also logged to the console.
    await page.exposeBinding("__tribuneCspViolation", (_source, text) => problems.push(`CSP violation: ${text}`));
    await page.addInitScript(() => {
      document.addEventListener("securitypolicyviolation", (e) => {
        window.__tribuneCspViolation(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`);
      });
    });
  }
  return { context, page, problems };
}

export async function goto(page, urlPath) {
  const res = await page.goto(urlPath, { waitUntil: "load" });
  assert.ok(res, `no response for ${urlPath}`);
  assert.equal(res.status(), 200, `GET ${urlPath}`);
  return res;
}

// Requests a page has in flight, leaving out event streams (which stay open while the page is shown, so the
// network is never "idle" in Playwright's sense on an article page).
const inFlight = new WeakMap();
function trackRequests(page) {
  const pending = new Set();
  inFlight.set(page, pending);
  page.on("request", (req) => { if (req.resourceType() !== "eventsource") pending.add(req); });
  page.on("requestfinished", (req) => pending.delete(req));
  page.on("requestfailed", (req) => pending.delete(req));
}

// Console messages can arrive just after 'load'; give them a moment before judging the page clean. Waits until
// the page has had no request in flight (event streams aside) for 500 ms, at most STEP_MS.
export async function settle(page) {
  const pending = inFlight.get(page);
  if (!pending) {
    await page.waitForLoadState("networkidle", { timeout: STEP_MS }).catch(() => {});
    await page.waitForTimeout(250);
    return;
  }
  await page.waitForLoadState("load", { timeout: STEP_MS }).catch(() => {});
  const deadline = Date.now() + STEP_MS;
  let quietSince = Date.now();
  while (Date.now() < deadline) {
    if (pending.size > 0) quietSince = Date.now();
    else if (Date.now() - quietSince >= 500) break;
    await page.waitForTimeout(50);
  }
  await page.waitForTimeout(250);
}

export async function noHorizontalScroll(page) {
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  assert.ok(scrollWidth <= clientWidth,
    `page scrolls sideways at ${page.viewportSize().width}px: scrollWidth ${scrollWidth} > clientWidth ${clientWidth}`);
}

// A w x h PNG of a gradient, made here (no image tool needed).
// CRC-32 as PNG chunks carry it (node:zlib has crc32 only from Node 20.15; Debian 12 ships Node 18).
function crc32(bytes) {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

export function png(w, h) {
  const chunk = (kind, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(kind, "latin1"), data]);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr[8] = 8; ihdr[9] = 2;
  const rows = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const at = y * (w * 3 + 1) + 1 + x * 3;
      rows[at] = (x * 255 / w) | 0; rows[at + 1] = (y * 255 / h) | 0; rows[at + 2] = 120;
    }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr),
                        chunk("IDAT", deflateSync(rows)), chunk("IEND", Buffer.alloc(0))]);
}

// The Stripe stand-in (tests/stripe_standin.py): its checkout page, its API, its signed webhooks.
const STANDIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../stripe_standin.py");

// The local Stripe: `python3 tests/stripe_standin.py --port 0`, which exits on its own after --lifetime seconds
// whatever happens to this process.
export class StripeStandIn {
  url = null;
  log = "";
  #child = null;

  async start() {
    const child = spawn("python3", [STANDIN, "--port", "0", "--lifetime", "300"], { stdio: ["ignore", "pipe", "pipe"] });
    this.#child = child;
    const reap = () => { if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL"); };
    process.once("exit", reap);
    child.once("exit", () => process.removeListener("exit", reap));
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk) => { this.log = (this.log + chunk).slice(-20_000); });
    const listening = new Promise((resolve, reject) => {
      let out = "";
      child.stdout.setEncoding("utf8");
      child.stdout.on("data", (chunk) => {
        out += chunk;
        const m = out.match(/^listening on (http:\/\/127\.0\.0\.1:(\d+))\s*$/m);
        if (m && Number(m[2]) > 0) resolve(m[1]);
      });
      child.once("error", reject);
      child.once("exit", (code, signal) =>
        reject(new Error(`the Stripe stand-in exited before listening (code ${code}, signal ${signal})\n${this.log}`)));
    });
    this.url = await withTimeout(listening, SERVER_START_MS, "the Stripe stand-in to print its listening line");
    return this.url;
  }

  async stop() {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await withTimeout(exited, SERVER_STOP_MS, "the Stripe stand-in to stop on SIGTERM").catch((err) => {
      child.kill("SIGKILL");
      throw err;
    });
  }

  async #call(method, urlPath, body) {
    const res = await fetch(this.url + urlPath, {
      method, headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(STEP_MS),
    });
    const json = await res.json();
    assert.equal(res.status, 200, `${method} ${urlPath}: ${JSON.stringify(json)}`);
    return json;
  }

  configure(settings) { return this.#call("POST", "/_test/config", settings); }
  session(id) { return this.#call("GET", `/_test/sessions/${encodeURIComponent(id)}`); }
  // Delivers a scenario's signed webhooks for a checkout session ("paid", "refund", ...).
  deliver(id, scenario) { return this.#call("POST", `/_test/sessions/${encodeURIComponent(id)}/events`, { scenario }); }
}


// Runs the tribune command line (stdin: input), resolving to its trimmed stdout.
export function cli(args, input = "") {
  return new Promise((resolve, reject) => {
    const child = execFile(TRIBUNE_BIN, args, { timeout: STEP_MS }, (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout.trim()));
    child.stdin.end(input);
  });
}

// A signed-in session from the answer to POST /api/v1/sessions or /api/v1/accounts.
export async function session(res) {
  const json = await res.json();
  assert.ok(res.status === 200 || res.status === 201, JSON.stringify(json));
  const cookie = res.headers.getSetCookie().map((c) => c.split(";")[0]).find((c) => c.startsWith("tribune_session="));
  return { account: json.account, csrf: json.csrf_token, cookie };
}

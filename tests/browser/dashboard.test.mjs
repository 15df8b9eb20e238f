// The newsroom dashboard in Chromium: an editor keeps it open while a reader comments and another pays, and
// the figures change on their own (the page listens to the newsroom stream); page views read with a browser
// count, a headless browser's do not; the page has no horizontal scroll on a phone. Stripe is the local
// stand-in (tests/stripe_standin.py), delivering signed webhooks.
//
// Run: cd tests/browser && npm ci && node --test dashboard.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  Tribune, TRIBUNE_BIN, StripeStandIn, cli, session, launchBrowser, closeBrowser, openPage as open, goto, settle,
  noHorizontalScroll,
  SERVER_START_MS, SERVER_STOP_MS, STEP_MS, TEST_MS, BEFORE_MS, AFTER_MS, DESKTOP, PHONE,
} from "./support.mjs";

const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0";

const standin = new StripeStandIn();
const tribune = new Tribune();
let baseUrl;
let browser;
let article;
let editor;

function post(target, body, who) {
  const headers = { "Content-Type": "application/json", Accept: "application/json" };
  if (who) Object.assign(headers, { Cookie: who.cookie, "X-CSRF-Token": who.csrf });
  return fetch(`${baseUrl}${target}`, { method: "POST", headers, body: JSON.stringify(body), signal: AbortSignal.timeout(STEP_MS) });
}

before(async () => {
  const standinUrl = await standin.start();
  baseUrl = await tribune.start({
    config: [
      "[stripe]", `api_base = ${JSON.stringify(standinUrl)}`, `checkout_origin = ${JSON.stringify(standinUrl)}`,
      'secret_key = "sk_test_standin"', 'webhook_secret = "whsec_standin"',
      "[analytics]", "flush_seconds = 1",
    ].join("\n"),
  });
  await standin.configure({ webhook_url: `${baseUrl}/webhooks/stripe` });
  await cli(["account", "create", "--data", tribune.dataDir, "--email", "desk@example.org", "--name", "Desk Editor",
             "--role", "editor"], "a long editor password\n");
  editor = await session(await post("/api/v1/sessions", { email: "desk@example.org", password: "a long editor password" }));
  browser = await launchBrowser();
  const { articles } = await tribune.getJson("/api/v1/articles?limit=50");
  article = articles.find((a) => a.comments_open);
}, { timeout: BEFORE_MS + SERVER_START_MS + STEP_MS });

after(async () => {
  try {
    await closeBrowser(browser);
  } finally {
    try { await tribune.stop(); } finally { await standin.stop(); }
  }
}, { timeout: AFTER_MS + SERVER_STOP_MS });

async function editorPage(options) {
  const opened = await open(browser, baseUrl, options);
  const [name, value] = editor.cookie.split("=");
  await opened.context.addCookies([{ name, value, url: baseUrl, httpOnly: true, sameSite: "Lax" }]);
  return opened;
}

const figure = (page, key) => page.locator(`[data-figure="${key}"] .dashboard__value`);

test("the open dashboard counts a new comment, a contribution and page views without a reload", { timeout: TEST_MS }, async () => {
  const { context, page, problems } = await editorPage({ viewport: DESKTOP });
  try {
    const stream = page.waitForResponse((r) => new URL(r.url()).pathname === "/api/v1/desk/events", { timeout: STEP_MS });
    await goto(page, "/desk/dashboard?period=today");
    assert.equal((await stream).status(), 200);
    await page.waitForTimeout(300);  // subscribed
    assert.equal(await figure(page, "comments").innerText(), "0");
    assert.equal(await figure(page, "views").innerText(), "0");

    // Three views by a reader's browser, one by a headless browser (this one's own user agent): three count.
    for (let i = 0; i < 3; i++) {
      const res = await fetch(baseUrl + article.url, { headers: { "User-Agent": FIREFOX }, signal: AbortSignal.timeout(STEP_MS) });
      assert.equal(res.status, 200);
    }
    const headless = await context.newPage();
    await headless.goto(baseUrl + article.url);
    await headless.close();
    await new Promise((r) => setTimeout(r, 2500));  // a flush (every second here)

    // A reader comments: the dashboard hears of it and reads its figures again.
    const reader = await session(await post("/api/v1/accounts",
      { email: "dash.reader@example.org", display_name: "Dash Reader", password: "Dash Reader's long password" }));
    const made = await post(`/api/v1/articles/${article.slug}/comments`, { body: "Counted live." }, reader);
    assert.equal(made.status, 201);
    await page.waitForFunction(() => document.querySelector('[data-figure="comments"] .dashboard__value')?.textContent === "1",
      null, { timeout: STEP_MS });
    assert.equal(await figure(page, "views").innerText(), "3", "a reader's views count, a headless browser's do not");
    assert.match(await page.locator("#dashboard-live").innerText(), /^Figures as of \d\d:\d\d:\d\d\.$/);

    // Someone pays through Checkout: the signed webhook arrives and the dashboard shows the money (on top of
    // what the demo publication's supporters gave today).
    const [, pounds, count] = (await figure(page, "once").innerText()).match(/^£(\d+)\.00 from (\d+)$/);
    const expected = `£${Number(pounds) + 12}.00 from ${Number(count) + 1}`;
    const checkout = await post("/api/v1/contributions/checkout", { amount: 12, article: article.slug, email: "giver@example.org" });
    assert.equal(checkout.status, 201);
    const sessionId = new URL((await checkout.json()).checkout_url).pathname.split("/").pop();
    await standin.deliver(sessionId, "paid");
    await page.waitForFunction((want) => document.querySelector('[data-figure="once"] .dashboard__value')?.textContent === want,
      expected, { timeout: STEP_MS });
    // The top stories table names the piece with its views, comment and money.
    const row = page.locator(".dashboard__stories tbody tr").filter({ hasText: article.title });
    const cells = await row.locator("td").allInnerTexts();
    assert.deepEqual(cells.slice(1, 3), ["3", "1"]);
    assert.ok(Number(cells[3]) >= 1 && /^£\d+\.\d\d$/.test(cells[4]) && Number(cells[4].slice(1)) >= 12, cells.join(" | "));
    await page.screenshot({ path: "/tmp/tribune-dashboard-desktop.png", fullPage: true });
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test("without JavaScript, on a phone, the dashboard is a page with its charts' tables and no sideways scroll", { timeout: TEST_MS }, async () => {
  const { context, page, problems } = await editorPage({ viewport: PHONE, javaScriptEnabled: false });
  try {
    await goto(page, "/desk/dashboard?period=7d");
    await settle(page);
    assert.equal(await page.getByRole("img", { name: /^Comments an hour$/ }).count(), 1);
    await page.locator("summary", { hasText: "Comments an hour as a table" }).click();
    assert.ok(await page.locator("details[open] table tbody tr").count() > 24);
    await page.selectOption("#dashboard-period", "30d");
    await Promise.all([page.waitForURL(/period=30d/), page.getByRole("button", { name: "Show" }).click()]);
    assert.equal(await page.getByRole("img", { name: /^Comments a day$/ }).count(), 1);
    await noHorizontalScroll(page);
    await page.screenshot({ path: "/tmp/tribune-dashboard-phone.png", fullPage: true });
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

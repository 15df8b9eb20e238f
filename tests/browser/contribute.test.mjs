// Browser tests of reader contributions through Stripe Checkout, as readers use them: the appeal form under an
// article (amount and frequency as "chips", an amount of one's own), on to the checkout page and back to a
// thank-you page, with and without JavaScript; errors shown in the form; the form's layout.
//
// Run: cd tests/browser && npm ci && node --test contribute.test.mjs
// Stripe is not reachable from a test: tests/stripe_standin.py stands in for it (its checkout page, its API,
// its signed webhooks). This file starts one on 127.0.0.1 and a Tribune whose [stripe] table points at it.
// Checkouts are limited to 30 an hour per IP address: this file starts 4.
// The layout test checks site.css: against a binary built before a stylesheet edit, run with
// TRIBUNE_ASSETS_DIR=../../src/web/assets. Screenshots of the appeal go to /tmp/shots/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync } from "node:fs";
import { promisify } from "node:util";
import {
  Tribune, TRIBUNE_BIN, StripeStandIn, launchBrowser, closeBrowser, openPage as open, goto, settle, noHorizontalScroll, withTimeout,
  SERVER_START_MS, SERVER_STOP_MS, STEP_MS, NAV_MS, TEST_MS, BEFORE_MS, AFTER_MS, DESKTOP, PHONE,
} from "./support.mjs";

const SHOTS = "/tmp/shots";

const standin = new StripeStandIn();
const tribune = new Tribune();
let baseUrl;
let browser;
let article;        // the newest demo article
let adminToken;     // an API token with the admin role, for the contributions report

const openPage = (options) => open(browser, baseUrl, options);

// The API's refusal of an amount is a 4xx answer, which the browser also logs to the console: expected there.
const CHECKOUT_API = "/api/v1/contributions/checkout";
const refusedCheckout = (p) => p.startsWith("HTTP 422 for ") && p.endsWith(CHECKOUT_API) ||
  /^console error: Failed to load resource: the server responded with a status of 422\b.*\/api\/v1\/contributions\/checkout\)$/.test(p);

function appealForm(page) {
  return page.locator("aside.appeal#support form#appeal-form");
}

// A chip, by its visible text: the label a reader clicks (its radio is visually hidden).
function chip(page, text) {
  const exact = new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s*$`);
  return appealForm(page).locator("label.appeal__choice").filter({ hasText: exact });
}

function chosen(page, name) {
  return appealForm(page).locator(`input[name=${name}]:checked`).evaluate((input) => input.value);
}

function continueButton(page) {
  return appealForm(page).getByRole("button", { name: "Continue to payment", exact: true });
}

// Clicks "Continue to payment" and waits for the stand-in's checkout page; answers the checkout session's id.
async function continueToCheckout(page) {
  const atCheckout = (u) => u.origin === standin.url && u.pathname.startsWith("/pay/");
  await Promise.all([page.waitForURL(atCheckout, { timeout: NAV_MS, waitUntil: "load" }), continueButton(page).click()]);
  await page.locator("#amount").waitFor({ state: "visible" });
  return decodeURIComponent(new URL(page.url()).pathname.slice("/pay/".length));
}

async function checkoutAmount(page) {
  return (await page.locator("#amount").innerText()).trim();
}

async function activeName(page) {
  return page.evaluate(() => document.activeElement?.getAttribute("name") ?? document.activeElement?.tagName);
}

async function report() {
  const res = await fetch(`${baseUrl}/api/v1/admin/contributions/report?days=2`, {
    headers: { Accept: "application/json", Authorization: `Bearer ${adminToken}` }, signal: AbortSignal.timeout(STEP_MS),
  });
  const json = await res.json();
  assert.equal(res.status, 200, JSON.stringify(json));
  return json;
}

before(async () => {
  const stripe = await standin.start();
  baseUrl = await tribune.start({
    config: [
      "[stripe]",
      `api_base = ${JSON.stringify(stripe)}`,
      `checkout_origin = ${JSON.stringify(stripe)}`,
      'secret_key = "sk_test_standin"',
      'webhook_secret = "whsec_standin"',
    ].join("\n"),
  });
  await standin.configure({ webhook_url: `${baseUrl}/webhooks/stripe` });
  const { stdout } = await promisify(execFile)(TRIBUNE_BIN,
    ["token", "create", "--data", tribune.dataDir, "--name", "contribute test", "--role", "admin"],
    { timeout: STEP_MS });
  adminToken = stdout.trim();
  assert.match(adminToken, /^\S+$/, "token create prints the token");
  browser = await launchBrowser();
  const { articles } = await tribune.getJson("/api/v1/articles?limit=50");
  article = articles.find((a) => a.comments_open && a.comment_count === 0);  // not one with demo conversations
}, { timeout: BEFORE_MS + SERVER_START_MS + STEP_MS });

after(async () => {
  try {
    await closeBrowser(browser);
  } finally {
    try {
      await tribune.stop();
    } finally {
      await standin.stop();
    }
  }
}, { timeout: AFTER_MS + SERVER_STOP_MS });

test("a monthly contribution of an amount the reader types goes to the checkout page, and back to a thank-you page", { timeout: TEST_MS }, async () => {
  const { context, page, problems } = await openPage();
  try {
    await goto(page, article.url);
    const form = appealForm(page);
    await form.waitFor({ state: "visible" });
    assert.equal(await chosen(page, "interval"), "once", "once is chosen at first");
    assert.equal(await chosen(page, "amount"), "5", "the first amount is chosen at first");

    await chip(page, "Monthly").click();
    assert.equal(await chosen(page, "interval"), "month");
    await form.locator("input[name=other_amount]").click();
    await page.keyboard.type("12");
    assert.equal(await chosen(page, "amount"), "other", "typing an amount chooses Other");

    const checkout = page.waitForResponse((r) => new URL(r.url()).pathname === CHECKOUT_API);
    const sessionId = await continueToCheckout(page);
    assert.equal((await checkout).request().method(), "POST", "the script asked the API for the checkout");
    assert.equal(await checkoutAmount(page), "12.00 GBP per month");
    assert.equal((await page.locator("#product").innerText()).trim(), "Monthly contribution to The Tribune");

    const session = await standin.session(sessionId);
    assert.equal(session.mode, "subscription");
    assert.equal(session.amount_total, 1200);
    assert.equal(session.currency, "gbp");
    assert.equal(session.metadata.article, article.slug, "the contribution is credited to the article");
    assert.equal(session.metadata.referrer, baseUrl + article.url, "and to the page the reader came from");
    assert.match(session.metadata.contribution_id, /^\d+$/);

    // Paying: the stand-in sends its signed events to Tribune, then returns the reader to Tribune.
    await Promise.all([
      page.waitForURL((u) => u.origin === baseUrl && u.pathname === "/support/thanks", { timeout: NAV_MS }),
      page.locator("button#pay").click(),
    ]);
    assert.equal(new URL(page.url()).searchParams.get("session_id"), sessionId);
    await page.getByRole("heading", { level: 1, name: "Thank you for your support", exact: true }).waitFor({ state: "visible" });

    // The ledger has it: the admins' report counts one monthly contribution from that article.
    let seen;
    const deadline = Date.now() + STEP_MS;
    do {
      seen = await report();
      if (seen.monthly_count === 1) break;
      await page.waitForTimeout(200);
    } while (Date.now() < deadline);
    assert.equal(seen.monthly_count, 1, JSON.stringify(seen));
    assert.equal(seen.monthly_minor, 1200);
    assert.equal(seen.active_monthly, 1);
    // (The demo's own supporter paid once, from no article.)
    assert.deepEqual(seen.articles.filter((a) => a.slug).map((a) => [a.slug, a.contributions, a.amount_minor]),
                     [[article.slug, 1, 1200]]);

    await settle(page);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test("an amount that will not do is explained in the form, with the amount field focused, and nothing navigates", { timeout: TEST_MS }, async () => {
  const { context, page, problems } = await openPage();
  try {
    await goto(page, article.url);
    await settle(page);
    const form = appealForm(page);
    const error = form.locator(".form__error");
    const other = form.locator("input[name=other_amount]");
    assert.equal(await error.isVisible(), false, "no error before the reader does anything");
    assert.equal(await error.getAttribute("role"), "alert", "an error is announced");
    const sent = [];
    page.on("request", (r) => { if (new URL(r.url()).pathname === CHECKOUT_API) sent.push(r); });
    const navigations = [];
    page.on("framenavigated", (f) => { if (f === page.mainFrame()) navigations.push(f.url()); });

    const amountMessage = "Choose an amount, or write one in whole units (for example 20).";

    // Pence: the script says what is wrong in the form, without asking the server (and not in a browser bubble).
    await other.click();
    await page.keyboard.type("12.50");
    await continueButton(page).click();
    await error.waitFor({ state: "visible" });
    assert.equal((await error.innerText()).trim(), amountMessage);
    assert.equal(await activeName(page), "other_amount", "the amount field has the focus");
    assert.equal(sent.length, 0, "nothing was sent");

    // Zero: the server's smallest amount, shown in the same place.
    await other.fill("");
    await page.keyboard.type("0");
    const answered = page.waitForResponse((r) => new URL(r.url()).pathname === CHECKOUT_API);
    await continueButton(page).click();
    assert.equal((await answered).status(), 422);
    await page.waitForFunction(() => document.querySelector("#appeal-form .form__error").textContent.includes("£1.00"),
      null, { timeout: STEP_MS });
    assert.equal((await error.innerText()).trim(), "The smallest contribution is £1.00.");
    assert.equal(await error.isVisible(), true);
    assert.equal(await activeName(page), "other_amount", "the amount field has the focus");
    assert.equal(await continueButton(page).isEnabled(), true, "the reader can try again");

    // "Other" chosen, with nothing written in it.
    await chip(page, "£50").click();
    await other.fill("");
    await chip(page, "Other").click();
    await continueButton(page).click();
    await page.waitForFunction((m) => document.querySelector("#appeal-form .form__error").textContent === m,
      amountMessage, { timeout: STEP_MS });
    assert.equal(await activeName(page), "other_amount", "the amount field has the focus");
    assert.equal(sent.length, 1, "only the zero went to the server");

    assert.deepEqual(navigations, [], "the page stayed where it was");
    assert.equal(new URL(page.url()).pathname, article.url);

    // Put right, it goes through: once (as chosen at first), £3.
    await other.fill("3");
    await continueToCheckout(page);
    assert.equal(await checkoutAmount(page), "3.00 GBP once");

    await settle(page);
    assert.deepEqual(problems.filter((p) => !refusedCheckout(p)), []);
  } finally {
    await context.close();
  }
});

test("without JavaScript the form posts, and the reader lands on the checkout page all the same", { timeout: TEST_MS }, async () => {
  const { context, page, problems } = await openPage({ javaScriptEnabled: false, reducedMotion: "reduce" });
  try {
    await goto(page, article.url);
    await chip(page, "£50").click();
    assert.equal(await chosen(page, "amount"), "50");
    const posted = page.waitForResponse((r) => new URL(r.url()).pathname === "/contribute");
    const sessionId = await continueToCheckout(page);
    const res = await posted;
    assert.equal(res.request().method(), "POST");
    assert.equal(res.status(), 303, "/contribute redirects to the checkout page");
    assert.equal(await checkoutAmount(page), "50.00 GBP once");
    const session = await standin.session(sessionId);
    assert.equal(session.mode, "payment");
    assert.equal(session.amount_total, 5000);
    assert.equal(session.metadata.article, article.slug);

    // "Other" with nothing in it: a page says what went wrong and leads back to the appeal.
    await goto(page, article.url);
    await chip(page, "Other").click();
    await Promise.all([
      page.waitForURL((u) => u.origin === baseUrl && u.pathname === "/contribute", { timeout: NAV_MS }),
      continueButton(page).click(),
    ]);
    await page.getByRole("heading", { level: 1, name: "Your contribution did not start", exact: true }).waitFor();
    assert.match(await page.locator("main").innerText(), /Choose an amount, or write one in whole units \(for example 20\)\./);
    assert.equal(await page.getByRole("link", { name: "Go back", exact: true }).getAttribute("href"), `${article.url}#support`);

    await settle(page);
    // The refusal is a 422 page, which the browser also logs to the console.
    assert.deepEqual(problems.filter((p) => p !== `HTTP 422 for ${baseUrl}/contribute` &&
      p !== `console error: Failed to load resource: the server responded with a status of 422 (Unprocessable Entity) (${baseUrl}/contribute)`), []);
  } finally {
    await context.close();
  }
});

test("without JavaScript, an amount typed into 'Other amount' is the amount charged", { timeout: TEST_MS }, async () => {
  const { context, page } = await openPage({ javaScriptEnabled: false, reducedMotion: "reduce" });
  try {
    await goto(page, article.url);
    await appealForm(page).locator("input[name=other_amount]").fill("12");
    await continueToCheckout(page);
    assert.equal(await checkoutAmount(page), "12.00 GBP once");
  } finally {
    await context.close();
  }
});

// Where the appeal and what follows it sit, and the layout shift Chromium counted from the start of the page.
async function appealLayout(page) {
  return page.evaluate(() => {
    const appeal = document.getElementById("support").getBoundingClientRect();
    return {
      appealTop: appeal.top, appealHeight: appeal.height,
      commentsHeading: document.getElementById("comments-heading").getBoundingClientRect().top,
      shift: window.__tribuneShift ?? null,
      shifted: window.__tribuneShifted ?? null,
    };
  });
}

async function watchShiftsFromStart(page) {
  await page.addInitScript(() => {
    window.__tribuneShift = 0;
    window.__tribuneShifted = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        if (entry.hadRecentInput) continue;
        window.__tribuneShift += entry.value;
        // What moved, so that a failure names the element rather than only the score.
        for (const source of entry.sources ?? []) {
          const node = source.node;
          const what = node?.nodeType === 1
            ? node.tagName.toLowerCase() + (node.id ? `#${node.id}` : "") + (node.className ? `.${String(node.className).replace(/ /g, ".")}` : "")
            : node ? `text "${node.textContent.trim().slice(0, 40)}"` : "(gone)";
          const r = (x) => `${Math.round(x.x)},${Math.round(x.y)} ${Math.round(x.width)}x${Math.round(x.height)}`;
          window.__tribuneShifted.push(`${what} at ${Math.round(entry.startTime)} ms: ${r(source.previousRect)} -> ${r(source.currentRect)}`);
        }
      }
    }).observe({ type: "layout-shift", buffered: true });
  });
}

async function checkAppealLayout(viewport, name) {
  const withJs = await openPage({ viewport });
  const withoutJs = await openPage({ viewport, javaScriptEnabled: false, reducedMotion: "reduce" });
  try {
    const { page, problems } = withJs;
    await watchShiftsFromStart(page);
    await goto(page, article.url);
    await settle(page);
    await goto(withoutJs.page, article.url);
    await settle(withoutJs.page);

    // The form is in the page as served: the script changes nothing anyone can see.
    const scripted = await appealLayout(page);
    const plain = await appealLayout(withoutJs.page);
    assert.ok(scripted.shift < 0.001, `layout shift ${scripted.shift} at ${name}: ${scripted.shifted.join("; ")}`);
    assert.deepEqual({ ...scripted, shift: null, shifted: null }, { ...plain, shift: null, shifted: null },
      `the appeal and the conversation sit in the same place with and without scripts, at ${name}`);

    const form = appealForm(page);
    // One pill per chip: the label is exactly its visible span (no pill drawn round another).
    for (const label of await form.locator("label.appeal__choice").all()) {
      const text = (await label.innerText()).trim();
      const outer = await label.boundingBox();
      const pill = await label.locator("span").boundingBox();
      assert.ok(pill.height >= 44 && pill.width >= 44, `chip ${text} is ${pill.width}x${pill.height}px at ${name}`);
      for (const k of ["x", "y", "width", "height"])
        assert.ok(Math.abs(outer[k] - pill[k]) <= 1, `chip ${text}: label ${JSON.stringify(outer)} vs pill ${JSON.stringify(pill)}`);
    }
    const otherBox = await form.locator("label.appeal__other").boundingBox();
    assert.ok(otherBox.height >= 44, `the Other amount field is ${otherBox.height}px tall at ${name}`);
    const submit = await continueButton(page).boundingBox();
    assert.ok(submit.height >= 44 && submit.width >= 44, `Continue to payment is ${submit.width}x${submit.height}px at ${name}`);

    // Text meant for screen readers only ("How often", "Amount", "Other amount, in GBP") takes no room on screen.
    for (const hidden of await form.locator(".visually-hidden").all()) {
      const box = await hidden.boundingBox();
      assert.ok(!box || (box.width <= 1 && box.height <= 1),
        `"${await hidden.textContent()}" is meant for screen readers only but is ${box?.width}x${box?.height}px at ${name}`);
    }

    // The chosen chips look chosen.
    const look = (locator) => locator.evaluate((span) => getComputedStyle(span).backgroundColor);
    assert.notEqual(await look(chip(page, "Once").locator("span")), await look(chip(page, "Monthly").locator("span")),
      "the chosen frequency looks different from the other");
    assert.notEqual(await look(chip(page, "£5").locator("span")), await look(chip(page, "£50").locator("span")),
      "the chosen amount looks different from the others");

    // Everything fits across the screen.
    const width = viewport.width;
    for (const el of await form.locator("label, button").all()) {
      const box = await el.boundingBox();
      assert.ok(box.x >= 0 && box.x + box.width <= width, `${await el.innerText()} spills out of the ${width}px screen`);
    }
    await noHorizontalScroll(page);
    await noHorizontalScroll(withoutJs.page);

    // As it first looks (before the keyboard check below puts a focus ring on it).
    mkdirSync(SHOTS, { recursive: true });
    await page.locator("aside.appeal#support").screenshot({ path: `${SHOTS}/appeal-${name}.png`, timeout: STEP_MS });

    // A keyboard reader sees where they are: arrow keys move through the chips, the focused one outlined.
    await chip(page, "Once").click();
    await page.keyboard.press("ArrowRight");
    assert.equal(await chosen(page, "interval"), "month");
    assert.equal(await activeName(page), "interval");
    const ring = await chip(page, "Monthly").locator("span").evaluate((span) => getComputedStyle(span).outlineStyle);
    assert.equal(ring, "solid", "the focused chip is outlined");
    await page.keyboard.press("ArrowLeft");

    await settle(page);
    assert.deepEqual(problems, []);
    assert.deepEqual(withoutJs.problems, []);
  } finally {
    await withJs.context.close();
    await withoutJs.context.close();
  }
}

test("on a desktop the appeal form moves nothing as the page loads, and its chips are one 44px pill each", { timeout: TEST_MS }, async () => {
  await checkAppealLayout(DESKTOP, "desktop");
});

test("on a phone the appeal form fits the screen, with 44px targets", { timeout: TEST_MS }, async () => {
  await checkAppealLayout(PHONE, "phone");
});

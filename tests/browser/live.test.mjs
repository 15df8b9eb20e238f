// Browser tests of the live conversation: comments by other readers arrive over Server-Sent Events and wait
// behind a "Show N new comments" button that takes no new space; edits and removals show at once; readers
// recommend each other's comments.
//
// Run: cd tests/browser && npm ci && node --test live.test.mjs
// Three readers, registered through the API (registration: 20 an hour per IP address; this file's own server).
// A ("Ada") reads the article in the browser; B ("Bea") and C ("Cy") write through the JSON API from here, with
// their session cookies and X-CSRF-Token. Comments are limited to 10 a minute per reader: B posts 9 in this file,
// C 8, A 3. The last test checks site.css: against a binary built before a stylesheet edit, run with
// TRIBUNE_ASSETS_DIR=../../src/web/assets.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  Tribune, launchBrowser, closeBrowser, openPage as open, goto, settle, noHorizontalScroll,
  STEP_MS, NAV_MS, TEST_MS, BEFORE_MS, AFTER_MS, PHONE,
} from "./support.mjs";

const tribune = new Tribune();
let baseUrl;
let browser;
let article;        // the newest demo article: comments open
let ada;            // { account, cookie, csrf }: reads in the browser
let bea;            // writes through the API
let cy;             // a third reader, also through the API (so that nobody posts more than 10 a minute)

const LIVE_MS = 2_000;   // a change by another reader shows within this

async function register(name) {
  const res = await fetch(`${baseUrl}/api/v1/accounts`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ email: `${name.toLowerCase()}.live.${process.pid}@example.org`,
                           password: "copper kettle marsh lantern", display_name: `${name} Live` }),
    signal: AbortSignal.timeout(STEP_MS),
  });
  const json = await res.json();
  assert.equal(res.status, 201, JSON.stringify(json));
  const cookie = res.headers.getSetCookie().map((c) => c.split(";")[0]).find((c) => c.startsWith("tribune_session="));
  assert.ok(cookie, "registering sets the session cookie");
  return { account: json.account, csrf: json.csrf_token, cookie };
}

// One JSON API call as `who`, with their session cookie and CSRF token.
async function api(who, method, urlPath, body) {
  const headers = { Accept: "application/json", Cookie: who.cookie, "X-CSRF-Token": who.csrf };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(baseUrl + urlPath, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(STEP_MS),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

async function postAs(who, body) {
  const { status, json } = await api(who, "POST", `/api/v1/articles/${article.slug}/comments`, { body });
  assert.equal(status, 201, JSON.stringify(json));
  return json.comment;
}

// A page that counts the EventSource streams it opens and every error event they fire (the browser logs
// nothing when a stream drops and reconnects, so the test watches for it itself).
async function openPage({ as, ...options } = {}) {
  const opened = await open(browser, baseUrl, options);
  if (as) {
    const [name, value] = as.cookie.split("=");
    await opened.context.addCookies([{ name, value, url: baseUrl, httpOnly: true, sameSite: "Lax" }]);
  }
  await opened.page.addInitScript(() => {
    const Native = window.EventSource;
    if (!Native) return;
    window.__tribuneStreams = [];
    window.EventSource = class extends Native {
      constructor(url, init) {
        super(url, init);
        const record = { url: String(url), opens: 0, errors: 0 };
        window.__tribuneStreams.push(record);
        this.addEventListener("open", () => { record.opens += 1; });
        this.addEventListener("error", () => { record.errors += 1; });
      }
    };
  });
  return opened;
}

// Opens the article and waits until its event stream is connected (and, a moment later, subscribed).
async function openArticle(page) {
  const stream = page.waitForResponse((r) => new URL(r.url()).pathname === `/api/v1/articles/${article.slug}/events`,
    { timeout: NAV_MS });
  await goto(page, article.url);
  const res = await stream;
  assert.equal(res.status(), 200, "the event stream is accepted");
  assert.match(res.headers()["content-type"] ?? "", /^text\/event-stream\b/);
  await page.waitForFunction(() => window.__tribuneStreams?.[0]?.opens === 1, null, { timeout: STEP_MS });
  await page.waitForTimeout(300);   // the server subscribes right after sending the headers
}

// The page's one event stream stayed up: opened once, never an error (which is also what a reconnect starts with).
async function expectSteadyStream(page) {
  const streams = await page.evaluate(() => window.__tribuneStreams);
  assert.equal(streams.length, 1, `one event stream per page: ${JSON.stringify(streams)}`);
  assert.equal(new URL(streams[0].url, baseUrl).pathname, `/api/v1/articles/${article.slug}/events`);
  assert.deepEqual({ opens: streams[0].opens, errors: streams[0].errors }, { opens: 1, errors: 0 },
    "the event stream neither failed nor reconnected");
}

async function expectClean(page, problems, excused = () => false) {
  await settle(page);
  await expectSteadyStream(page);
  assert.deepEqual(problems.filter((p) => !excused(p)), []);
}

async function postFromPage(page, body) {
  const form = page.locator("#comment-form");
  await form.locator("#comment-body").fill(body);
  const created = page.waitForResponse((r) => r.request().method() === "POST" &&
    new URL(r.url()).pathname === `/api/v1/articles/${article.slug}/comments`);
  await form.getByRole("button", { name: "Post comment" }).click();
  const res = await created;
  assert.equal(res.status(), 201);
  return (await res.json()).comment;
}

// Records every time the live button is shown or hidden, with the time since this call, in ms.
async function recordLiveButton(page) {
  await page.evaluate(() => {
    const start = performance.now();
    const button = document.getElementById("live-button");
    window.__tribuneButton = [];
    new MutationObserver(() => {
      window.__tribuneButton.push({ shown: !button.hidden, text: button.textContent, at: Math.round(performance.now() - start) });
    }).observe(button, { attributes: true, attributeFilter: ["hidden"] });
  });
}

function commentItem(page, id) {
  return page.locator(`#comment-${id}`);
}

async function commentCount(page) {
  return Number((await page.locator(".conversation__number").innerText()).trim());
}

async function topIds(page) {
  return page.locator("#comment-list > li.comment").evaluateAll((lis) => lis.map((li) => li.id));
}

// Where the things a reader is looking at sit on screen, and the layout shift the browser has seen since
// watchShifts() (layout-shift entries: Chromium's own measure of content moving without the reader asking).
async function positions(page) {
  return page.evaluate(() => ({
    heading: document.getElementById("comments-heading").getBoundingClientRect().top,
    firstComment: document.querySelector("#comment-list > li.comment").getBoundingClientRect().top,
    scrollY: window.scrollY,
  }));
}

async function watchShifts(page) {
  await page.evaluate(() => {
    window.__tribuneShift = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__tribuneShift += entry.value;
    }).observe({ type: "layout-shift" });
  });
}

before(async () => {
  baseUrl = await tribune.start();
  browser = await launchBrowser();
  const { articles } = await tribune.getJson("/api/v1/articles?limit=50");
  article = articles[0];
  assert.equal(article.comments_open, true, "the newest demo article is open for comments");
  ada = await register("Ada");
  bea = await register("Bea");
  cy = await register("Cy");
}, { timeout: BEFORE_MS });

after(async () => {
  try {
    await closeBrowser(browser);
  } finally {
    await tribune.stop();
  }
}, { timeout: AFTER_MS });

test("another reader's comment waits behind 'Show 1 new comment', moving nothing, until the reader asks for it", { timeout: TEST_MS }, async () => {
  const seed = await postAs(bea, "Already here when the page opened.");
  const a = await openPage({ as: ada });
  const anon = await openPage();
  try {
    const { page } = a;
    await openArticle(page);
    await openArticle(anon.page);
    const button = page.locator("#live-button");
    assert.equal(await button.isVisible(), false, "no live button before anything arrives");
    assert.equal(await page.locator(".conversation__live").getAttribute("aria-live"), "polite", "arrivals are announced");
    assert.equal((await topIds(page))[0], `comment-${seed.id}`);
    const before = await commentCount(page);

    // The reader is reading the conversation: its heading and first comment are on screen.
    await page.evaluate(() => document.getElementById("comments-heading").scrollIntoView({ block: "start", behavior: "instant" }));
    await page.waitForTimeout(100);
    await watchShifts(page);
    const still = await positions(page);
    assert.ok(still.firstComment > 0 && still.firstComment < page.viewportSize().height, "the first comment is on screen");

    const started = Date.now();
    const first = await postAs(bea, "A comment that arrives while you read.");
    await button.waitFor({ state: "visible", timeout: LIVE_MS });
    const waited = Date.now() - started;
    assert.ok(waited <= LIVE_MS, `the button showed after ${waited} ms`);
    assert.equal((await button.innerText()).trim(), "Show 1 new comment");
    assert.equal(await commentItem(page, first.id).count(), 0, "the new comment waits until asked for");
    assert.equal(await commentCount(page), before, "the count waits too");

    const moved = await positions(page);
    assert.deepEqual(moved, still, "nothing on screen moved when the button appeared");
    assert.equal(await page.evaluate(() => window.__tribuneShift), 0, "no layout shift");

    // A reader who is not signed in sees it arrive too.
    await anon.page.locator("#live-button").waitFor({ state: "visible", timeout: LIVE_MS });
    assert.equal((await anon.page.locator("#live-button").innerText()).trim(), "Show 1 new comment");

    await button.click();
    await commentItem(page, first.id).waitFor({ state: "visible" });
    assert.equal((await topIds(page))[0], `comment-${first.id}`, "the new comment is first");
    const item = commentItem(page, first.id);
    assert.equal((await item.locator(".comment__author").innerText()).trim(), "Bea Live");
    assert.equal((await item.locator(".comment__body").innerText()).trim(), "A comment that arrives while you read.");
    assert.equal(await button.isVisible(), false, "the button hides once the comments are shown");
    assert.equal(await commentCount(page), before + 1);

    // Two more: one button for both, and both shown newest first.
    const second = await postAs(bea, "A second arrival.");
    const third = await postAs(bea, "And a third.");
    await page.waitForFunction(() => document.getElementById("live-button").textContent === "Show 2 new comments",
      null, { timeout: LIVE_MS });
    assert.equal(await button.isVisible(), true);
    assert.equal(await commentItem(page, second.id).count() + await commentItem(page, third.id).count(), 0);
    await button.click();
    await commentItem(page, third.id).waitFor({ state: "visible" });
    assert.deepEqual((await topIds(page)).slice(0, 4),
      [third, second, first, seed].map((c) => `comment-${c.id}`), "newest first");
    assert.equal(await button.isVisible(), false);
    assert.equal(await commentCount(page), before + 3);

    await expectClean(page, a.problems);
    await expectClean(anon.page, anon.problems);
  } finally {
    await a.context.close();
    await anon.context.close();
  }
});

test("a reader's own comment shows once, and never behind the live button", { timeout: TEST_MS }, async () => {
  const a = await openPage({ as: ada });
  try {
    const { page } = a;
    await openArticle(page);
    const before = await commentCount(page);
    const mine = await postFromPage(page, "My own comment, posted from the page.");
    await commentItem(page, mine.id).waitFor({ state: "visible" });

    await page.waitForTimeout(LIVE_MS);   // the same comment's event has come and gone
    assert.equal(await page.locator(`[id="comment-${mine.id}"]`).count(), 1, "exactly one copy of the comment");
    assert.equal((await topIds(page))[0], `comment-${mine.id}`);
    assert.equal(await page.locator("#live-button").isVisible(), false, "the live button stays hidden");
    assert.equal(await commentCount(page), before + 1, "counted once");

    await expectClean(page, a.problems);
  } finally {
    await a.context.close();
  }
});

test("an edit shows at once on other readers' pages, and a deleted comment goes from them", { timeout: TEST_MS }, async () => {
  const comment = await postAs(bea, "What I first wrote.");
  const a = await openPage({ as: ada });
  try {
    const { page } = a;
    await openArticle(page);
    await page.evaluate(() => { window.__tribuneMarker = "kept"; });   // gone if the page reloads
    const body = commentItem(page, comment.id).locator(":scope > .comment__box > .comment__body");
    assert.equal((await body.innerText()).trim(), "What I first wrote.");

    const edited = await api(bea, "PATCH", `/api/v1/comments/${comment.id}`, { body: "What I *meant* to write." });
    assert.equal(edited.status, 200, JSON.stringify(edited.json));
    await page.waitForFunction((id) =>
      document.querySelector(`#comment-${id} > .comment__box > .comment__body`)?.textContent.trim() === "What I meant to write.",
      comment.id, { timeout: LIVE_MS });
    assert.equal(await body.locator("em").innerText(), "meant", "the edit's Markdown is rendered");
    assert.equal(await page.locator("#live-button").isVisible(), false, "an edit is not a new comment");

    const removed = await api(bea, "DELETE", `/api/v1/comments/${comment.id}`);
    assert.equal(removed.status, 204);
    await commentItem(page, comment.id).waitFor({ state: "detached", timeout: LIVE_MS });
    assert.equal(await page.evaluate(() => window.__tribuneMarker), "kept", "without a reload");
    assert.equal(await page.locator("#live-button").isVisible(), false);

    await expectClean(page, a.problems);
  } finally {
    await a.context.close();
  }
});

test("a comment removed while it waits behind the button drops out of the count", { timeout: TEST_MS }, async () => {
  const a = await openPage({ as: ada });
  try {
    const { page } = a;
    await openArticle(page);
    const button = page.locator("#live-button");
    const gone = await postAs(bea, "Posted, then thought better of.");
    await page.waitForFunction(() => document.getElementById("live-button").textContent === "Show 1 new comment",
      null, { timeout: LIVE_MS });
    const removed = await api(bea, "DELETE", `/api/v1/comments/${gone.id}`);
    assert.equal(removed.status, 204);
    await button.waitFor({ state: "hidden", timeout: LIVE_MS });
    assert.equal(await commentItem(page, gone.id).count(), 0);
    await expectClean(page, a.problems);
  } finally {
    await a.context.close();
  }
});

test("a reply that arrives live is shown nested under the comment it answers", { timeout: TEST_MS }, async () => {
  const parent = await postAs(cy, "A comment that will get a reply.");
  const a = await openPage({ as: ada });
  try {
    const { page } = a;
    await openArticle(page);
    const before = await commentCount(page);
    const posted = await api(bea, "POST", `/api/v1/articles/${article.slug}/comments`,
      { body: "A reply, live.", parent_id: parent.id });
    assert.equal(posted.status, 201, JSON.stringify(posted.json));
    const reply = posted.json.comment;
    await page.waitForFunction(() => document.getElementById("live-button").textContent === "Show 1 new comment",
      null, { timeout: LIVE_MS });
    await page.locator("#live-button").click();
    const nested = page.locator(`#comment-${parent.id} > ol.comments--replies > li#comment-${reply.id}`);
    await nested.waitFor({ state: "visible" });
    assert.equal(await nested.getAttribute("data-depth"), "1");
    assert.equal((await nested.locator(".comment__body").innerText()).trim(), "A reply, live.");
    assert.equal((await topIds(page))[0], `comment-${parent.id}`, "a reply is not listed as a top-level comment");
    assert.equal(await commentCount(page), before + 1);
    await expectClean(page, a.problems);
  } finally {
    await a.context.close();
  }
});

test("the live button does not flash up for the reader's own comment", {
  timeout: TEST_MS,
}, async () => {
  const a = await openPage({ as: ada });
  try {
    const { page } = a;
    await openArticle(page);
    await recordLiveButton(page);
    const mine = await postFromPage(page, "Posted from the page, watching the live button.");
    await commentItem(page, mine.id).waitFor({ state: "visible" });
    await page.waitForTimeout(LIVE_MS);
    assert.deepEqual(await page.evaluate(() => window.__tribuneButton), [], "the live button was never shown");
    await expectClean(page, a.problems);
  } finally {
    await a.context.close();
  }
});

test("a removed comment leaves the count as well as the page", {
  timeout: TEST_MS,
}, async () => {
  const comment = await postAs(cy, "Here, then gone.");
  const a = await openPage({ as: ada });
  try {
    const { page } = a;
    await openArticle(page);
    const before = await commentCount(page);
    assert.equal((await api(cy, "DELETE", `/api/v1/comments/${comment.id}`)).status, 204);
    await commentItem(page, comment.id).waitFor({ state: "detached", timeout: LIVE_MS });
    const served = (await tribune.getJson(`/api/v1/articles/${article.slug}/comments?limit=1`)).total;
    assert.equal(served, before - 1, "the server counts one fewer");
    assert.equal(await commentCount(page), served, "the page's count matches the server's");
    await expectClean(page, a.problems);
  } finally {
    await a.context.close();
  }
});

test("a comment edited while it waits behind the button is shown as edited", {
  timeout: TEST_MS,
}, async () => {
  const a = await openPage({ as: ada });
  try {
    const { page } = a;
    await openArticle(page);
    const comment = await postAs(cy, "Typo in thsi one.");
    await page.waitForFunction(() => document.getElementById("live-button").textContent === "Show 1 new comment",
      null, { timeout: LIVE_MS });
    assert.equal((await api(cy, "PATCH", `/api/v1/comments/${comment.id}`, { body: "Typo fixed in this one." })).status, 200);
    await page.waitForTimeout(1_000);   // the edit's event arrives
    await page.locator("#live-button").click();
    const body = commentItem(page, comment.id).locator(".comment__body");
    await body.waitFor({ state: "visible" });
    assert.equal((await body.innerText()).trim(), "Typo fixed in this one.");
    await expectClean(page, a.problems);
  } finally {
    await a.context.close();
  }
});

test("with the oldest comments first, a new one is shown last, where the server puts it", {
  timeout: TEST_MS,
}, async () => {
  await postAs(cy, "An older comment, so that first and last differ.");
  const a = await openPage({ as: ada });
  try {
    const { page } = a;
    const stream = page.waitForResponse((r) => new URL(r.url()).pathname.endsWith("/events"));
    await goto(page, `${article.url}?sort=oldest`);
    await stream;
    await page.waitForTimeout(300);
    const arrived = await postAs(bea, "Newest, so last when oldest come first.");
    await page.locator("#live-button").waitFor({ state: "visible", timeout: LIVE_MS });
    await page.locator("#live-button").click();
    await commentItem(page, arrived.id).waitFor({ state: "visible" });
    const ids = await topIds(page);
    assert.equal(ids.at(-1), `comment-${arrived.id}`, `shown at position ${ids.indexOf(`comment-${arrived.id}`) + 1} of ${ids.length}`);
    await expectClean(page, a.problems);
  } finally {
    await a.context.close();
  }
});

test("after 'Show 1 new comment' is pressed from the keyboard, focus goes to the new comment, not back to the page's start", {
  timeout: TEST_MS,
}, async () => {
  const a = await openPage({ as: ada });
  try {
    const { page } = a;
    await openArticle(page);
    const arrived = await postAs(cy, "For keyboard readers.");
    const button = page.locator("#live-button");
    await button.waitFor({ state: "visible", timeout: LIVE_MS });
    await button.focus();
    await page.keyboard.press("Enter");
    await commentItem(page, arrived.id).waitFor({ state: "visible" });
    const focused = await page.evaluate(() => {
      const el = document.activeElement;
      return { tag: el?.tagName, inside: el?.closest("#comment-list li.comment")?.id ?? null };
    });
    assert.equal(focused.inside, `comment-${arrived.id}`, `focus is on ${focused.tag}`);
    await expectClean(page, a.problems);
  } finally {
    await a.context.close();
  }
});

test("Recommend: pressed and counted, remembered after a reload, undone by a second click", { timeout: TEST_MS }, async () => {
  const theirs = await postAs(bea, "Recommend this one, please.");
  const own = await postAs(ada, "Ada's own comment: not hers to recommend.");
  const a = await openPage({ as: ada });
  const anon = await openPage();
  try {
    const { page } = a;
    await openArticle(page);
    await openArticle(anon.page);
    const footer = commentItem(page, theirs.id).locator(":scope > .comment__box > .comment__actions");
    const button = footer.locator(`button[data-recommend="${theirs.id}"]`);
    const count = footer.locator(".comment__recommends");
    assert.equal((await button.innerText()).trim(), "Recommend");
    assert.equal(await button.getAttribute("aria-pressed"), "false");
    assert.equal(await count.count(), 0, "no count before the first recommend");

    const react = (method) => page.waitForResponse((r) => r.request().method() === method &&
      new URL(r.url()).pathname === `/api/v1/comments/${theirs.id}/reactions/recommend`);
    let done = react("PUT");
    await button.click();
    assert.equal((await done).status(), 200);
    await page.waitForFunction((id) =>
      document.querySelector(`button[data-recommend="${id}"]`).getAttribute("aria-pressed") === "true", theirs.id);
    await count.filter({ hasText: /^1 recommend$/ }).waitFor({ state: "visible" });

    // Other readers' pages get the new count live.
    await anon.page.locator(`#comment-${theirs.id} .comment__recommends`).filter({ hasText: /^1 recommend$/ })
      .waitFor({ state: "visible", timeout: LIVE_MS });
    assert.equal(await anon.page.locator(`button[data-recommend="${theirs.id}"]`).getAttribute("aria-pressed"), "false",
      "someone else's recommend does not press this reader's button");

    // A reload: the count comes in the HTML, the pressed state from /comments/mine.
    const mine = page.waitForResponse((r) => new URL(r.url()).pathname === `/api/v1/articles/${article.slug}/comments/mine`);
    await page.reload({ waitUntil: "load" });
    assert.equal((await mine).status(), 200);
    await page.waitForFunction((id) =>
      document.querySelector(`button[data-recommend="${id}"]`)?.getAttribute("aria-pressed") === "true", theirs.id,
      { timeout: STEP_MS });
    assert.equal((await count.innerText()).trim(), "1 recommend");
    await page.waitForFunction(() => window.__tribuneStreams?.[0]?.opens === 1);

    done = react("DELETE");
    await button.click();
    assert.equal((await done).status(), 200);
    await page.waitForFunction((id) =>
      document.querySelector(`button[data-recommend="${id}"]`).getAttribute("aria-pressed") === "false", theirs.id);
    await page.waitForTimeout(500);   // the count's own live update arrives too
    assert.equal(await count.count() === 0 || (await count.innerText()).trim() === "", true, "the count is gone");
    assert.equal(await count.isVisible().catch(() => false), false, "nothing shows where the count was");

    // Her own comment: the server refuses (403) and nothing changes.
    const ownFooter = commentItem(page, own.id).locator(":scope > .comment__box > .comment__actions");
    const ownButton = ownFooter.locator(`button[data-recommend="${own.id}"]`);
    const refused = page.waitForResponse((r) => r.request().method() === "PUT" &&
      new URL(r.url()).pathname === `/api/v1/comments/${own.id}/reactions/recommend`);
    await ownButton.click();
    assert.equal((await refused).status(), 403);
    await page.waitForTimeout(300);
    assert.equal(await ownButton.getAttribute("aria-pressed"), "false");
    assert.equal(await ownFooter.locator(".comment__recommends").count(), 0, "no count on her own comment");
    // Why, said where she is looking (it was only a tooltip).
    const why = ownFooter.locator(".comment__refusal[role=alert]");
    await why.waitFor({ state: "visible", timeout: STEP_MS });
    assert.match(await why.innerText(), /own comment/i);
    const fresh = await tribune.getJson(`/api/v1/articles/${article.slug}/comments?limit=200`);
    assert.equal(fresh.comments.find((c) => c.id === own.id).reactions.recommend, 0);
    assert.equal(fresh.comments.find((c) => c.id === theirs.id).reactions.recommend, 0);

    await expectClean(page, a.problems, (p) =>
      p === `HTTP 403 for ${baseUrl}/api/v1/comments/${own.id}/reactions/recommend` ||
      /^console error: Failed to load resource: the server responded with a status of 403/.test(p));
    await expectClean(anon.page, anon.problems);

    // A reader who is not signed in is asked to sign in, and comes back to the very comment.
    await Promise.all([
      anon.page.waitForURL((u) => u.pathname === "/signin", { timeout: NAV_MS }),
      anon.page.locator(`button[data-recommend="${theirs.id}"]`).click(),
    ]);
    assert.equal(new URL(anon.page.url()).searchParams.get("return_to"), `${article.url}#comment-${theirs.id}`);
    await settle(anon.page);
    assert.deepEqual(anon.problems, []);
  } finally {
    await a.context.close();
    await anon.context.close();
  }
});

test("on a phone, Recommend is a 44px target that looks different when pressed, and the live button fits", { timeout: TEST_MS }, async () => {
  const pressed = await postAs(cy, "One Ada recommends.");
  const plain = await postAs(cy, "One she does not.");
  assert.equal((await api(ada, "PUT", `/api/v1/comments/${pressed.id}/reactions/recommend`)).status, 200);
  const a = await openPage({ as: ada, viewport: PHONE });
  try {
    const { page } = a;
    await openArticle(page);
    const on = page.locator(`button[data-recommend="${pressed.id}"]`);
    const off = page.locator(`button[data-recommend="${plain.id}"]`);
    await page.waitForFunction((id) =>
      document.querySelector(`button[data-recommend="${id}"]`).getAttribute("aria-pressed") === "true", pressed.id);
    for (const button of [on, off]) {
      const box = await button.boundingBox();
      assert.ok(box.height >= 44 && box.width >= 44, `Recommend is ${box.width}x${box.height}px`);
    }
    const look = (button) => button.evaluate((b) => {
      const s = getComputedStyle(b);
      return { color: s.color, background: s.backgroundColor, ring: s.boxShadow, mark: getComputedStyle(b, "::before").content };
    });
    const [onLook, offLook] = [await look(on), await look(off)];
    assert.notEqual(onLook.color, offLook.color, "a pressed Recommend has its own colour");
    assert.notEqual(onLook.background, offLook.background, "and its own background");
    assert.notEqual(onLook.mark, offLook.mark, "and a mark that does not depend on colour");

    await postAs(cy, "Arriving on a phone.");
    const button = page.locator("#live-button");
    await button.waitFor({ state: "visible", timeout: LIVE_MS });
    const box = await button.boundingBox();
    const bar = await page.locator(".conversation__live").boundingBox();
    assert.ok(box.height >= 44, `the live button is ${box.height}px tall`);
    assert.ok(box.y >= bar.y && box.y + box.height <= bar.y + bar.height + 0.5, "the live button fits in its reserved bar");
    await noHorizontalScroll(page);
    await expectClean(page, a.problems);
  } finally {
    await a.context.close();
  }
});

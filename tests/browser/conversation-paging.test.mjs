// Browser tests of a long conversation: the article page shows the 50 newest top-level comments, and
// "More comments" must lead a reader (with or without JavaScript) to the rest.
//
// Run: cd tests/browser && npm ci && node --test
// Comments are limited to 10 a minute per reader, so the 51 comments come from six readers registered through
// the API (registration: 20 an hour per IP address; this file's own server).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  Tribune, launchBrowser, closeBrowser, openPage as open, goto, settle,
  STEP_MS, NAV_MS, TEST_MS, BEFORE_MS, AFTER_MS,
} from "./support.mjs";

const tribune = new Tribune();
let baseUrl;
let browser;
let article;
const posted = [];   // oldest first

const openPage = (options) => open(browser, baseUrl, options);
const PAGE_SIZE = 50;

async function registerThroughApi(i) {
  const res = await fetch(`${baseUrl}/api/v1/accounts`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ email: `pager.${i}.${process.pid}@example.org`, password: "copper kettle marsh lantern",
                           display_name: `Pager ${i}` }),
    signal: AbortSignal.timeout(STEP_MS),
  });
  const json = await res.json();
  assert.equal(res.status, 201, JSON.stringify(json));
  const cookie = res.headers.getSetCookie().map((c) => c.split(";")[0]).find((c) => c.startsWith("tribune_session="));
  return { csrf: json.csrf_token, cookie };
}

async function postAs(reader, body) {
  const res = await fetch(`${baseUrl}/api/v1/articles/${article.slug}/comments`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json", Cookie: reader.cookie,
               "X-CSRF-Token": reader.csrf },
    body: JSON.stringify({ body }),
    signal: AbortSignal.timeout(STEP_MS),
  });
  const json = await res.json();
  assert.equal(res.status, 201, JSON.stringify(json));
  return json.comment;
}

before(async () => {
  baseUrl = await tribune.start();
  browser = await launchBrowser();
  const { articles } = await tribune.getJson("/api/v1/articles?limit=50");
  // An open article without the demo's conversations (serve --demo adds some to the two newest).
  article = articles.find((a) => a.comments_open && a.comment_count === 0);
  assert.equal(article.comments_open, true, "the newest demo article is open for comments");
  const readers = [];
  for (let i = 0; i < 6; i++) readers.push(await registerThroughApi(i));
  for (let n = 1; n <= PAGE_SIZE + 1; n++) posted.push(await postAs(readers[(n - 1) % readers.length], `Comment number ${n}.`));
}, { timeout: BEFORE_MS + 30_000 });

after(async () => {
  try {
    await closeBrowser(browser);
  } finally {
    await tribune.stop();
  }
}, { timeout: AFTER_MS });

test("the article shows the 50 newest comments, newest first, and a link to older ones", { timeout: TEST_MS }, async () => {
  const { context, page, problems } = await openPage();
  try {
    await goto(page, article.url);
    const items = page.locator("#comment-list > li.comment");
    assert.equal(await items.count(), PAGE_SIZE);
    const ids = await items.evaluateAll((lis) => lis.map((li) => li.id));
    assert.deepEqual(ids, posted.slice(1).reverse().map((c) => `comment-${c.id}`));
    assert.equal(await page.locator(`#comment-${posted[0].id}`).count(), 0, "the oldest is not on the first page");
    assert.equal((await page.locator(".conversation__number").innerText()).trim(), String(PAGE_SIZE + 1));
    await page.locator(".conversation__more").getByRole("link", { name: "More comments" }).waitFor({ state: "visible" });
    await settle(page);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test("without JavaScript, 'More comments' opens a page that shows the older comments", {
  timeout: TEST_MS,
}, async () => {
  const { context, page } = await openPage({ javaScriptEnabled: false, reducedMotion: "reduce" });
  try {
    await goto(page, article.url);
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().isNavigationRequest() && r.request().frame() === page.mainFrame(),
        { timeout: NAV_MS }),
      page.locator(".conversation__more a").click(),
    ]);
    await page.waitForLoadState("load");
    assert.match(response.headers()["content-type"] ?? "", /^text\/html/, `Older comments leads to ${page.url()}`);
    await page.locator(`#comment-${posted[0].id}`).waitFor({ state: "visible" });
  } finally {
    await context.close();
  }
});

test("with JavaScript, 'More comments' adds them under the others without leaving the page", {
  timeout: TEST_MS,
}, async () => {
  const { context, page } = await openPage();
  try {
    await goto(page, article.url);
    await page.evaluate(() => { window.__tribuneTestMarker = "kept"; });
    await page.locator(".conversation__more a").click();
    await page.locator(`#comment-list > li#comment-${posted[0].id}`).waitFor({ state: "visible", timeout: 3_000 });
    assert.equal(await page.evaluate(() => window.__tribuneTestMarker), "kept", "the page reloaded or navigated");
    assert.equal(await page.locator("#comment-list > li.comment").count(), PAGE_SIZE + 1);
  } finally {
    await context.close();
  }
});

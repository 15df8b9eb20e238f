// Browser test of Tribune's reader-facing pages, as a reader would see them: headless Chromium (the system's
// /usr/bin/chromium, never a downloaded browser) driven by playwright-core against a real `tribune serve --demo`.
//
// Run: cd tests/browser && npm ci && node --test
// Server, browser and page helpers are in support.mjs.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  Tribune, launchBrowser, closeBrowser, openPage as open, goto, settle, noHorizontalScroll,
  STEP_MS, NAV_MS, TEST_MS, BEFORE_MS, AFTER_MS, PHONE,
} from "./support.mjs";

const DATELINE = /^(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday) \d\d \w+ \d{4} \d\d:\d\d (GMT|BST)$/;

const tribune = new Tribune();
let baseUrl;
let browser;
let articles;       // from GET /api/v1/articles?limit=50

const openPage = (viewport) => open(browser, baseUrl, { viewport });

async function datelineOf(page) {
  return (await page.locator(".article__dateline").innerText({ timeout: STEP_MS })).trim();
}

before(async () => {
  baseUrl = await tribune.start();
  browser = await launchBrowser();
  ({ articles } = await tribune.getJson("/api/v1/articles?limit=50"));
  assert.ok(Array.isArray(articles) && articles.length >= 3, "the demo publication has articles");
}, { timeout: BEFORE_MS });

after(async () => {
  try {
    await closeBrowser(browser);
  } finally {
    await tribune.stop();
  }
}, { timeout: AFTER_MS });

test("home page lists the headlines and the first one opens its article", { timeout: TEST_MS }, async () => {
  const { context, page, problems } = await openPage();
  try {
    await goto(page, "/");
    const headlines = page.locator("main h2 a");
    await headlines.first().waitFor({ state: "visible" });
    const texts = (await headlines.allInnerTexts()).map((t) => t.trim());
    assert.deepEqual(texts, articles.slice(0, texts.length).map((a) => a.title),
      "home page headlines are the newest articles, newest first");
    assert.ok(texts.length >= Math.min(articles.length, 5), `home page shows only ${texts.length} headlines`);

    const first = headlines.first();
    const title = texts[0];
    const href = await first.getAttribute("href");
    assert.equal(href, articles[0].url);
    await Promise.all([page.waitForURL((u) => u.pathname === articles[0].url, { timeout: NAV_MS }), first.click()]);
    await assert.doesNotReject(page.getByRole("heading", { level: 1, name: title, exact: true }).waitFor({ state: "visible" }),
      "the article page's h1 is the headline that was clicked");
    await settle(page);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test("article page shows what a reader expects", { timeout: TEST_MS }, async () => {
  const { context, page, problems } = await openPage();
  try {
    const article = articles[0];
    await goto(page, article.url);

    const h1 = page.locator("h1");
    assert.equal(await h1.count(), 1, "one h1 on the page");
    await h1.waitFor({ state: "visible" });
    assert.equal((await h1.innerText()).trim(), article.title);

    const standfirst = page.locator(".article__standfirst");
    await standfirst.waitFor({ state: "visible" });
    assert.equal((await standfirst.innerText()).trim(), article.standfirst);

    const byline = page.locator(".article__byline a");
    assert.equal(await byline.count(), article.authors.length, "one byline link per author");
    await byline.first().waitFor({ state: "visible" });
    for (let i = 0; i < article.authors.length; i++) {
      assert.match(await byline.nth(i).getAttribute("href"), /^\/authors\/[a-z0-9-]+$/);
      assert.equal((await byline.nth(i).innerText()).trim(), article.authors[i].name);
    }

    const dateline = await datelineOf(page);
    assert.match(dateline, DATELINE);
    assert.equal(await page.locator(".article__dateline time").getAttribute("datetime"), article.published_at);

    const paragraphs = page.locator(".article__body p");
    assert.ok(await paragraphs.count() >= 2, "the body has paragraphs");
    await paragraphs.first().waitFor({ state: "visible" });
    assert.ok((await paragraphs.first().innerText()).trim().length > 40, "the first paragraph has text");

    const bio = page.locator(".article__bio").first();
    await bio.waitFor({ state: "visible" });
    assert.equal((await bio.innerText()).trim(), article.authors[0].bio);

    const appeal = page.locator("aside.appeal");
    assert.equal(await appeal.count(), 1, "the appeal box is on the page");
    await appeal.waitFor({ state: "visible" });
    assert.ok((await appeal.locator("h2").innerText()).trim().length > 0, "the appeal has a heading");

    const conversation = page.getByRole("heading", { level: 2, name: "Join the conversation", exact: true });
    assert.equal(await conversation.count(), 1, "the 'Join the conversation' section is on the page");
    await conversation.waitFor({ state: "visible" });

    // Not syndicated: no "first appeared in" line.
    assert.equal(await page.locator(".article__syndication").count(), 0);

    // JSON-LD for search engines: a NewsArticle whose headline is the h1.
    const ldBlocks = await page.locator('script[type="application/ld+json"]').allTextContents();
    assert.ok(ldBlocks.length >= 1, "the page has a JSON-LD block");
    const ld = ldBlocks.map((t) => JSON.parse(t)).find((j) => j["@type"] === "NewsArticle");
    assert.ok(ld, "one JSON-LD block is a NewsArticle");
    assert.equal(ld.headline, (await h1.innerText()).trim());

    await settle(page);
    assert.deepEqual(problems, [], "no console errors, failed requests or CSP violations on the article page");

    // The byline goes to the author's page.
    const authorHref = await byline.first().getAttribute("href");
    await Promise.all([page.waitForURL((u) => u.pathname === authorHref, { timeout: NAV_MS }), byline.first().click()]);
    await page.getByRole("heading", { level: 1 }).waitFor({ state: "visible" });
    assert.match((await page.locator("h1").innerText()).trim(), new RegExp(article.authors[0].name));
  } finally {
    await context.close();
  }
});

test("syndicated article credits its source", { timeout: TEST_MS }, async () => {
  const syndicated = articles.filter((a) => a.source_name !== null);
  assert.equal(syndicated.length, 1, "the demo has one syndicated article");
  const article = syndicated[0];
  const { context, page, problems } = await openPage();
  try {
    await goto(page, article.url);
    const credit = page.locator(".article__syndication");
    await credit.waitFor({ state: "visible" });
    const text = (await credit.innerText()).trim();
    assert.ok(text.startsWith(`This article first appeared in ${article.source_name}`), `credit reads: ${text}`);
    assert.equal(text, "This article first appeared in Newsweek.");
    const link = credit.getByRole("link", { name: article.source_name, exact: true });
    assert.equal(await link.getAttribute("href"), article.source_url);
    await settle(page);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test("datelines are in London time, GMT or BST as the date requires", { timeout: TEST_MS }, async () => {
  const { context, page, problems } = await openPage();
  try {
    const summer = articles.find((a) => a.url.includes("/2009/07/06/"));
    assert.ok(summer, "the demo has the 2009-07-06 article");
    await goto(page, summer.url);
    assert.equal(await datelineOf(page), "Monday 06 July 2009 00:00 BST");

    const winter = articles.find((a) => a.published_at.startsWith("2010-01-"));
    assert.ok(winter, "the demo has a January 2010 article");
    await goto(page, winter.url);
    const dateline = await datelineOf(page);
    assert.match(dateline, DATELINE);
    assert.ok(dateline.endsWith("GMT"), `January dateline reads ${dateline}`);

    for (const a of articles) {
      await goto(page, a.url);
      assert.match(await datelineOf(page), DATELINE, `dateline of ${a.url}`);
    }
    await settle(page);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test("every article page is clean: no console errors or CSP violations", { timeout: TEST_MS }, async () => {
  const { context, page, problems } = await openPage();
  try {
    for (const a of articles) {
      await goto(page, a.url);
      await settle(page);
      assert.deepEqual(problems, [], `on ${a.url}`);
    }
  } finally {
    await context.close();
  }
});

test("the CSP watch itself works: an injected inline script is reported", { timeout: TEST_MS }, async () => {
  // Guards the test above against passing because nothing was listening.
  const { context, page, problems } = await openPage();
  try {
    await goto(page, articles[0].url);
    await page.evaluate(() => {
      const s = document.createElement("script");
      s.textContent = "window.__injected = true;";
      document.body.append(s);
    });
    await settle(page);
    assert.equal(await page.evaluate(() => window.__injected === true), false, "the page's CSP blocks inline script");
    assert.ok(problems.some((p) => /Content Security Policy|CSP violation/i.test(p)), `recorded: ${problems.join("; ")}`);
  } finally {
    await context.close();
  }
});

test("on a phone the pages do not scroll sideways", { timeout: TEST_MS }, async () => {
  const { context, page, problems } = await openPage(PHONE);
  try {
    const syndicated = articles.find((a) => a.source_name !== null);
    for (const urlPath of [articles[0].url, syndicated.url, "/", articles[0].section.url, articles[0].authors[0].url]) {
      await goto(page, urlPath);
      await page.locator("h1").first().waitFor({ state: "visible" });
      await noHorizontalScroll(page);
    }
    await settle(page);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test("the site has a favicon, so browsers do not log a 404 on the first page a reader opens",
  { timeout: TEST_MS },
  async () => {
    const res = await fetch(baseUrl + "/favicon.ico", { signal: AbortSignal.timeout(STEP_MS) });
    const page = await fetch(baseUrl + "/", { signal: AbortSignal.timeout(STEP_MS) }).then((r) => r.text());
    assert.ok(res.status === 200 || /<link[^>]+rel="(shortcut )?icon"/.test(page),
      `GET /favicon.ico answers ${res.status} and the page names no icon`);
  });

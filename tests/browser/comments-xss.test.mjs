// Browser tests that readers' comments cannot run script in other readers' browsers: hostile bodies and
// display names posted through the JSON API by one reader, then read, hovered and clicked by another, as the
// server renders them and as the page's script inserts them.
//
// The site's Content-Security-Policy (script-src 'self') would block an inline handler or a javascript: URL even if
// one got through, so window.__pwned staying unset proves little alone: the tests also require that no CSP
// violation is reported and that the comments' markup holds no script elements, handlers or script-scheme URLs.
//
// Run: cd tests/browser && npm ci && node --test
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  Tribune, launchBrowser, closeBrowser, openPage as open, goto, settle, STEP_MS, TEST_MS, BEFORE_MS, AFTER_MS,
} from "./support.mjs";

const tribune = new Tribune();
let baseUrl;
let browser;
let article;        // the newest article: comments open

const openPage = (options) => open(browser, baseUrl, options);

// Every one of these would set window.__pwned if it ran.
const HOSTILE_BODIES = [
  "<script>window.__pwned=1</script>",
  '<img src=x onerror="window.__pwned=1">',
  "[x](javascript:window.__pwned=1)",
  '<svg onload="window.__pwned=1">',
  "[upper](JaVaScRiPt:window.__pwned=1)",
  "[entity](&#106;avascript:window.__pwned=1)",
  "[spaced]( javascript:window.__pwned=1 )",
  "<javascript:window.__pwned=1>",
  '<a href="javascript:window.__pwned=1">raw link</a>',
  "[data](data:text/html,<script>window.__pwned=1</script>)",
  "[vb](vbscript:window.__pwned=1)",
  '<iframe src="javascript:window.__pwned=1"></iframe>',
  '<details open ontoggle="window.__pwned=1">x</details>',
  '[title](https://example.org "x\\"><script>window.__pwned=1</script>")',
  '<scr<script>ipt>window.__pwned=1</script>',
  "`<script>window.__pwned=1</script>` in code, and\n\n    <img src=x onerror=window.__pwned=1>",
];
// Display names are free text: markup in one is text too.
const HOSTILE_NAME = "<img src=x onerror=window.__pwned=1>";
const PASSWORD = "copper kettle marsh lantern";

// Elements no comment may contain, whatever its body.
const FORBIDDEN = "script, img, svg, iframe, object, embed, style, link, meta, base, form, input, details, math";

async function registerThroughApi(name, email) {
  const res = await fetch(`${baseUrl}/api/v1/accounts`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ email, password: PASSWORD, display_name: name }),
    signal: AbortSignal.timeout(STEP_MS),
  });
  const json = await res.json();
  assert.equal(res.status, 201, JSON.stringify(json));
  const cookie = res.headers.getSetCookie().map((c) => c.split(";")[0]).find((c) => c.startsWith("tribune_session="));
  assert.ok(cookie, "registering sets the session cookie");
  return { account: json.account, csrf: json.csrf_token, cookie };
}

async function postAs(reader, slug, body, parentId) {
  const res = await fetch(`${baseUrl}/api/v1/articles/${slug}/comments`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json", Cookie: reader.cookie,
               "X-CSRF-Token": reader.csrf },
    body: JSON.stringify(parentId ? { body, parent_id: parentId } : { body }),
    signal: AbortSignal.timeout(STEP_MS),
  });
  const json = await res.json();
  assert.equal(res.status, 201, `posting ${JSON.stringify(body)}: ${JSON.stringify(json)}`);
  return json.comment;
}

async function registerInPlace(page, name, email) {
  const form = page.locator("#register-form");
  await form.getByLabel("Display name").fill(name);
  await form.getByLabel("Email").fill(email);
  await form.getByLabel("Password").fill(PASSWORD);
  await form.getByRole("button", { name: "Register and join in" }).click();
  await page.locator("#comment-form").waitFor({ state: "visible" });
}

// What is inside #comment-list that should never be: forbidden elements, on* attributes, script-scheme links.
async function dangerIn(page, scope, forbidden = FORBIDDEN) {
  return page.locator(scope).evaluate((root, forbidden) => {
    const found = [];
    // The page's own no-JS Recommend form sits in a comment's footer, never in its body.
    const own = (el) => el.matches("footer.comment__actions > form.comment__recommend-form") && !el.closest(".comment__body");
    for (const el of root.querySelectorAll(forbidden))
      if (!own(el)) found.push(`<${el.localName}> ${el.outerHTML.slice(0, 120)}`);
    for (const el of root.querySelectorAll("*")) {
      for (const attr of el.attributes) {
        if (/^on/i.test(attr.name)) found.push(`${attr.name} on <${el.localName}>`);
        if (/^(href|src|action|formaction|xlink:href)$/i.test(attr.name)) {
          const url = new URL(attr.value, document.baseURI);
          if (!["http:", "https:", "mailto:"].includes(url.protocol)) found.push(`${attr.name}="${attr.value}" on <${el.localName}>`);
        }
      }
    }
    return found;
  }, forbidden);
}

// Clicks every link inside comment bodies. Navigations are answered 204 No Content, so the page stays put and
// a javascript: URL, which would run in this very window, would show in window.__pwned.
// Returns the URLs those navigations asked for (each also shows as an aborted request).
async function clickEveryCommentLink(page) {
  const navigations = [];
  await page.route("**/*", (route) => {
    if (!route.request().isNavigationRequest()) return route.continue();
    navigations.push(route.request().url());
    return route.fulfill({ status: 204, body: "" });
  });
  const links = page.locator("#comment-list .comment__body a");
  const count = await links.count();
  for (let i = 0; i < count; i++) {
    const link = links.nth(i);
    await link.scrollIntoViewIfNeeded();
    await link.hover();
    await link.click();
    await page.waitForTimeout(100);
    assert.equal(await page.evaluate(() => window.__pwned), undefined,
      `clicking comment link ${i} (${await link.getAttribute("href")}) ran script`);
  }
  await page.unroute("**/*");
  for (const url of navigations) assert.match(url, /^https?:/, `a comment link navigated to ${url}`);
  return { count, navigations };
}

// A navigation answered 204 is reported by the browser as an aborted request: those are expected.
function withoutHeldNavigations(problems, navigations) {
  return problems.filter((p) => !navigations.some((url) => p === `request failed: ${url} net::ERR_ABORTED`));
}

before(async () => {
  baseUrl = await tribune.start();
  browser = await launchBrowser();
  const { articles } = await tribune.getJson("/api/v1/articles?limit=50");
  article = articles[0];
  assert.equal(article.comments_open, true, "the newest demo article is open for comments");
}, { timeout: BEFORE_MS });

after(async () => {
  try {
    await closeBrowser(browser);
  } finally {
    await tribune.stop();
  }
}, { timeout: AFTER_MS });

test("hostile comments from another reader run nothing when read, hovered or clicked", { timeout: TEST_MS }, async () => {
  const { context, page, problems } = await openPage();
  try {
    await goto(page, article.url);
    await registerInPlace(page, "Reader One", `one.${process.pid}@example.org`);

    const mallory = await registerThroughApi(HOSTILE_NAME, `mallory.${process.pid}@example.org`);
    assert.equal(mallory.account.display_name, HOSTILE_NAME, "the name is kept as typed");
    const posted = [];
    for (const body of HOSTILE_BODIES.slice(0, 8)) posted.push(await postAs(mallory, article.slug, body));
    // Ten comments a minute per reader: the rest come from a second account, some as replies.
    const trudy = await registerThroughApi("Trudy", `trudy.${process.pid}@example.org`);
    for (const [i, body] of HOSTILE_BODIES.slice(8).entries())
      posted.push(await postAs(trudy, article.slug, body, i % 2 ? posted[i].id : undefined));

    await page.reload({ waitUntil: "load" });
    for (const c of posted) await page.locator(`#comment-list li#comment-${c.id}`).waitFor({ state: "attached" });
    assert.deepEqual(await dangerIn(page, "#comment-list"), [], "nothing executable inside #comment-list");
    assert.equal(await page.locator("#comment-list").locator("script, img, svg").count(), 0);
    const names = await page.locator(`#comment-list li#comment-${posted[0].id} .comment__author`).innerText();
    assert.equal(names.trim(), HOSTILE_NAME, "the display name is shown as text");
    // The code span and code block keep the markup as visible text.
    const code = page.locator(`#comment-list li#comment-${posted[15].id} .comment__body`);
    assert.match(await code.innerText(), /<script>window\.__pwned=1<\/script>/);
    assert.match(await code.innerText(), /<img src=x onerror=window\.__pwned=1>/);

    const { count, navigations } = await clickEveryCommentLink(page);
    assert.ok(count >= 6, `only ${count} links to click`);
    await page.waitForTimeout(300);
    assert.equal(await page.evaluate(() => window.__pwned), undefined, "window.__pwned was set");

    await settle(page);
    assert.deepEqual(withoutHeldNavigations(problems, navigations), []);
  } finally {
    await context.close();
  }
});

test("a hostile comment inserted in place by the page's script runs nothing either", { timeout: TEST_MS }, async () => {
  const { context, page, problems } = await openPage();
  try {
    await goto(page, article.url);
    // The masthead and the comment form show this reader's name: the script writes it as text.
    await registerInPlace(page, HOSTILE_NAME, `two.${process.pid}@example.org`);
    assert.equal((await page.locator("#reader .reader__name").innerText()).trim(), HOSTILE_NAME);
    assert.deepEqual(await dangerIn(page, "#reader", "script, img, svg, iframe"), []);
    assert.deepEqual(await dangerIn(page, "#join", "script, img, svg, iframe"), []);

    const inserted = [];
    for (const body of HOSTILE_BODIES.slice(0, 4)) {
      await page.locator("#comment-body").fill(body);
      const created = page.waitForResponse((r) => r.request().method() === "POST" &&
        new URL(r.url()).pathname === `/api/v1/articles/${article.slug}/comments`);
      await page.locator("#comment-form").getByRole("button", { name: "Post comment" }).click();
      const res = await created;
      assert.equal(res.status(), 201);
      const { comment } = await res.json();
      await page.locator(`#comment-list li#comment-${comment.id}.comment--new`).waitFor({ state: "attached" });
      inserted.push(comment);
    }
    // And a reply, through the reply form under a comment.
    const parent = page.locator(`#comment-list li#comment-${inserted[0].id}`);
    await parent.locator(":scope > .comment__box .comment__reply").click();
    const replyForm = parent.locator(":scope > form.comment-form--reply");
    await replyForm.locator("textarea").fill(HOSTILE_BODIES[2]);
    await replyForm.getByRole("button", { name: "Post reply" }).click();
    await parent.locator(":scope > ol.comments--replies > li.comment--new").waitFor({ state: "attached" });

    assert.deepEqual(await dangerIn(page, "#comment-list"), [], "nothing executable among the inserted comments");
    for (const c of inserted)
      assert.equal((await page.locator(`#comment-${c.id} > .comment__box .comment__author`).innerText()).trim(), HOSTILE_NAME);
    const { navigations } = await clickEveryCommentLink(page);
    assert.equal(await page.evaluate(() => window.__pwned), undefined, "window.__pwned was set");

    await settle(page);
    assert.deepEqual(withoutHeldNavigations(problems, navigations), []);
  } finally {
    await context.close();
  }
});

test("a Markdown image in a comment is not shown as an image", {
  timeout: TEST_MS,
}, async () => {
  const { context, page } = await openPage();
  try {
    const reader = await registerThroughApi("Picture Poster", `pictures.${process.pid}@example.org`);
    const c = await postAs(reader, article.slug,
      "![pixel](https://tracker.example/p.png) ![local](/assets/favicon.svg) ![inline](data:image/gif;base64,R0lGODlhAQABAAAAACw=)");
    await goto(page, article.url);
    assert.equal(await page.locator(`#comment-${c.id} .comment__body img`).count(), 0,
      `rendered as ${await page.locator(`#comment-${c.id} .comment__body`).innerHTML()}`);
  } finally {
    await context.close();
  }
});

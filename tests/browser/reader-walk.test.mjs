// A reader's walk through everything they can do to a comment from the page, with and without JavaScript:
// recommend, report (reasons in words, a note), post, edit (then marked "edited"), delete; and a keyboard-only
// reply, reached from the top of the article in a handful of tab stops.
//
// Run: cd tests/browser && npm ci && node --test reader-walk.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  Tribune, launchBrowser, closeBrowser, openPage, goto, settle, STEP_MS, TEST_MS, BEFORE_MS, AFTER_MS,
} from "./support.mjs";

const tribune = new Tribune();
let baseUrl;
let browser;
let article;
let bo;

async function register(email, name) {
  const res = await fetch(`${baseUrl}/api/v1/accounts`, {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email, display_name: name, password: `${name}'s long password` }),
    signal: AbortSignal.timeout(STEP_MS),
  });
  const json = await res.json();
  assert.equal(res.status, 201, JSON.stringify(json));
  const cookie = res.headers.getSetCookie().map((c) => c.split(";")[0]).find((c) => c.startsWith("tribune_session="));
  return { account: json.account, csrf: json.csrf_token, cookie };
}

async function postAs(who, body, parentId) {
  const res = await fetch(`${baseUrl}/api/v1/articles/${article.slug}/comments`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Cookie: who.cookie, "X-CSRF-Token": who.csrf },
    body: JSON.stringify(parentId ? { body, parent_id: parentId } : { body }), signal: AbortSignal.timeout(STEP_MS),
  });
  const json = await res.json();
  assert.equal(res.status, 201, JSON.stringify(json));
  return json.comment;
}

async function pageAs(who, options) {
  const opened = await openPage(browser, baseUrl, options);
  const [name, value] = who.cookie.split("=");
  await opened.context.addCookies([{ name, value, url: baseUrl, httpOnly: true, sameSite: "Lax" }]);
  return opened;
}

// Clicks and waits for the page that answers (a form post and its redirect, or a link).
async function follow(page, locator) {
  await Promise.all([page.waitForNavigation({ waitUntil: "load" }), locator.click()]);
}

before(async () => {
  baseUrl = await tribune.start();
  browser = await launchBrowser();
  const { articles } = await tribune.getJson("/api/v1/articles?limit=50");
  article = articles.find((a) => a.comments_open && a.comment_count === 0);
  assert.ok(article, "an open demo article with no conversation yet");
  bo = await register("walk-bo@example.org", "Bo Walker");
}, { timeout: BEFORE_MS });

after(async () => {
  await closeBrowser(browser);
  await tribune.stop();
}, { timeout: AFTER_MS });

for (const javaScriptEnabled of [false, true]) {
  const how = javaScriptEnabled ? "with JavaScript" : "without JavaScript";
  test(`${how}, a reader recommends, reports, posts, edits and deletes from the page`, { timeout: TEST_MS }, async () => {
    const reader = await register(`walk-${javaScriptEnabled}@example.org`, `Walker ${javaScriptEnabled ? "Js" : "Plain"}`);
    const theirs = await postAs(bo, `Bo's view, for the walk ${how}.`);
    const opened = await pageAs(reader, { javaScriptEnabled, reducedMotion: "reduce" });
    const { page } = opened;
    try {
      await goto(page, article.url);
      const item = page.locator(`#comment-${theirs.id} > .comment__box`);

      // Recommend: pressed in place with JavaScript; without it, a page that asks, then back to the comment.
      const recommend = item.getByRole("button", { name: "Recommend" });
      if (javaScriptEnabled) {
        await recommend.click();
        await page.waitForFunction((id) =>
          document.querySelector(`button[data-recommend="${id}"]`).getAttribute("aria-pressed") === "true", theirs.id);
      } else {
        await follow(page, recommend);
        await follow(page, page.locator("main").getByRole("button", { name: "Recommend" }));
        assert.match(page.url(), new RegExp(`#comment-${theirs.id}$`));
      }
      await goto(page, article.url);
      assert.match(await item.locator(".comment__recommends").innerText(), /^1 recommend$/);

      // Report: the reasons in words, a note, a thank-you.
      await follow(page, item.getByRole("link", { name: "Report or edit" }));
      await page.getByLabel("Abusive or hateful").check();
      await page.getByLabel("Anything the moderators should know (optional)").fill("Walk test note");
      await follow(page, page.getByRole("button", { name: "Send the report" }));
      await page.getByRole("heading", { name: "Thank you for your report" }).waitFor();

      // Post, edit, delete one's own.
      await goto(page, article.url);
      const box = page.locator("#comment-body");
      await box.fill(`My first thought ${how}.`);
      const posted = page.waitForResponse((r) => r.request().method() === "POST");
      if (javaScriptEnabled) await page.getByRole("button", { name: "Post comment" }).click();
      else await follow(page, page.getByRole("button", { name: "Post comment" }));
      await posted;
      const mine = page.locator("#comment-list > li.comment").filter({ hasText: `My first thought ${how}.` });
      await mine.waitFor();
      const id = await mine.getAttribute("data-comment-id");
      await follow(page, mine.getByRole("link", { name: "Report or edit" }));
      assert.match(await page.locator("#edit-window").innerText(), /You can edit it for \d+ more minutes?/);
      await page.locator("#edit-body").fill(`My second thought ${how}.`);
      await follow(page, page.getByRole("button", { name: "Save the edit" }));
      const edited = page.locator(`#comment-${id} > .comment__box`);
      assert.equal((await edited.locator(".comment__body").innerText()).trim(), `My second thought ${how}.`);
      assert.equal(await edited.locator(".comment__edited").innerText(), "edited");
      await follow(page, edited.getByRole("link", { name: "Report or edit" }));
      await follow(page, page.getByRole("button", { name: "Delete my comment" }));
      assert.equal(new URL(page.url()).pathname, article.url);
      assert.equal(await page.locator(`#comment-${id}`).count(), 0, "gone from the conversation");
      await settle(page);
      assert.deepEqual(opened.problems.filter((p) => !p.includes("/events")), []);
    } finally {
      await opened.context.close();
    }
  });
}

test("from the keyboard alone, a reader reaches Reply in a few tab stops and posts a reply", { timeout: TEST_MS }, async (t) => {
  const reader = await register("walk-keys@example.org", "Kay Board");
  const parent = await postAs(bo, "Bo asks: who answers from the keyboard?");
  const opened = await pageAs(reader, { reducedMotion: "reduce" });
  const { page } = opened;
  try {
    await goto(page, article.url);
    await settle(page);
    // The second skip link goes to the conversation; from there, Tab until a Reply link has the focus.
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement.textContent.trim()), "Skip to the conversation");
    await page.keyboard.press("Enter");
    let stops = 2;
    for (; stops < 40; ++stops) {
      await page.keyboard.press("Tab");
      const on = await page.evaluate(() => document.activeElement.getAttribute("data-reply-to"));
      if (on) break;
    }
    t.diagnostic(`Reply reached in ${stops} tab stops from the top of the article`);
    assert.ok(stops <= 14, `Reply reached in ${stops} tab stops (it took 26 before the skip link)`);
    assert.equal(await page.evaluate(() => document.activeElement.getAttribute("data-reply-to")), String(parent.id));
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.activeElement.tagName === "TEXTAREA");
    await page.keyboard.type("Kay answers, without a mouse.");
    // Past the hint's link to the community guidelines, the button.
    for (let i = 0; i < 3 && await page.evaluate(() => document.activeElement.textContent.trim()) !== "Post reply"; ++i)
      await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement.textContent.trim()), "Post reply");
    await page.keyboard.press("Enter");
    const reply = page.locator(`#comment-${parent.id} .comments--replies li.comment`).filter({ hasText: "Kay answers, without a mouse." });
    await reply.waitFor();
    await settle(page);
    assert.deepEqual(opened.problems.filter((p) => !p.includes("/events")), []);
  } finally {
    await opened.context.close();
  }
});

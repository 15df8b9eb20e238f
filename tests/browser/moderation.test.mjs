// Browser test of the moderation loop as both sides see it: a new reader's first comment is held ("awaiting
// review", shown to its author only, also after a reload); a moderator finds it in the queue and approves it
// from the keyboard; the author's open page drops the "awaiting review" label live, their notification badge
// counts up, and everyone now sees the comment. Then the moderator hides a comment from the article page.
//
// Run: cd tests/browser && npm ci && node --test moderation.test.mjs
// Screenshots of the queue and the article go to /tmp/shots/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync } from "node:fs";
import {
  cli, session,
  Tribune, TRIBUNE_BIN, launchBrowser, closeBrowser, openPage, goto, settle,
  STEP_MS, NAV_MS, TEST_MS, BEFORE_MS, AFTER_MS,
} from "./support.mjs";

const tribune = new Tribune();
let baseUrl;
let browser;
let article;
const SHOTS = "/tmp/shots";

async function register(email, name) {
  return session(await fetch(`${baseUrl}/api/v1/accounts`, {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email, display_name: name, password: `${name}'s long password` }),
    signal: AbortSignal.timeout(STEP_MS),
  }));
}

async function signIn(email, password) {
  return session(await fetch(`${baseUrl}/api/v1/sessions`, {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email, password }),
    signal: AbortSignal.timeout(STEP_MS),
  }));
}

async function apiAs(who, method, target, body) {
  const res = await fetch(`${baseUrl}${target}`, {
    method, headers: { "Content-Type": "application/json", Accept: "application/json", Cookie: who.cookie,
                       "X-CSRF-Token": who.csrf },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(STEP_MS),
  });
  const json = res.status === 204 ? {} : await res.json();
  assert.ok(res.ok, `${method} ${target}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

// A published comment: the new-reader rule holds a first comment, so the moderator approves what is held.
async function published(author, moderator, text) {
  const { comment } = await apiAs(author, "POST", `/api/v1/articles/${article.slug}/comments`, { body: text });
  if (comment.status === "pending")
    await apiAs(moderator, "POST", `/api/v1/moderation/comments/${comment.id}/decision`, { decision: "approve" });
  return comment;
}

async function signedInPage(who) {
  const opened = await openPage(browser, baseUrl);
  const [name, value] = who.cookie.split("=");
  await opened.context.addCookies([{ name, value, url: baseUrl, httpOnly: true, sameSite: "Lax" }]);
  return opened;
}

// Opens the article and waits until its event stream is connected and subscribed.
async function openArticle(page) {
  const stream = page.waitForResponse((r) => new URL(r.url()).pathname.endsWith("/events"), { timeout: NAV_MS });
  await goto(page, article.url);
  assert.equal((await stream).status(), 200);
  await page.waitForTimeout(300);   // the server subscribes right after sending the headers
}

before(async () => {
  baseUrl = await tribune.start({ config: "[moderation]\nhold_first_comments = 1\nsuspect_words = [\"idiot\"]\n" });
  await cli(["account", "create", "--data", tribune.dataDir, "--email", "desk@example.org", "--name", "Desk Moderator",
             "--role", "moderator"], "a long moderator password\n");
  browser = await launchBrowser();
  const { articles } = await tribune.getJson("/api/v1/articles?limit=50");
  article = articles.find((a) => a.comments_open && a.comment_count === 0);  // not one with demo conversations
  mkdirSync(SHOTS, { recursive: true });
}, { timeout: BEFORE_MS + STEP_MS });

after(async () => {
  try {
    await closeBrowser(browser);
  } finally {
    await tribune.stop();
  }
}, { timeout: AFTER_MS });

test("a moderator approves a held comment from the queue and its author sees it published", { timeout: TEST_MS }, async () => {
  const author = await session(await fetch(`${baseUrl}/api/v1/accounts`, {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email: "newcomer@example.org", display_name: "Nell Newcomer", password: "a newcomer's password" }),
    signal: AbortSignal.timeout(STEP_MS),
  }));
  const moderator = await session(await fetch(`${baseUrl}/api/v1/sessions`, {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email: "desk@example.org", password: "a long moderator password" }),
    signal: AbortSignal.timeout(STEP_MS),
  }));

  // The author writes their first comment on the page: it is held, and says so.
  const mine = await signedInPage(author);
  await openArticle(mine.page);
  const text = "First time commenting: the bypass consultation deserves more than two weeks.";
  await mine.page.locator("form.comment-form textarea").fill(text);
  await mine.page.locator("form.comment-form button[type=submit]").click();
  const held = mine.page.locator(".comment", { hasText: text });
  await held.locator(".comment__pending").waitFor();
  // After a reload it is still there for its author, still awaiting review.
  await openArticle(mine.page);
  await mine.page.locator(".comment", { hasText: text }).locator(".comment__pending").waitFor();
  const stranger = await openPage(browser, baseUrl);
  await goto(stranger.page, article.url);
  await settle(stranger.page);
  assert.equal(await stranger.page.locator(".comment", { hasText: text }).count(), 0, "no one else sees a held comment");

  // The moderator's queue: the comment, why it was held; j selects it, a approves it.
  const desk = await signedInPage(moderator);
  await goto(desk.page, `/moderation?article=${article.slug}`);  // the demo's own held comment is elsewhere
  const card = desk.page.locator(".card", { hasText: text });
  await card.waitFor();
  assert.match(await card.locator(".card__lead").textContent(), /Held for review \(new_reader\)/);
  await desk.page.screenshot({ path: `${SHOTS}/moderation-queue.png`, fullPage: true });
  await desk.page.keyboard.press("j");
  assert.equal(await card.evaluate((el) => el.classList.contains("card--current")), true, "j moves to the first comment");
  await Promise.all([desk.page.waitForURL(/done=decision/), desk.page.keyboard.press("a")]);
  await desk.page.locator(".form__notice", { hasText: "Decision saved." }).waitFor();
  assert.equal(await desk.page.locator(".card", { hasText: text }).count(), 0, "it left the open queue");

  // The author's open page: the label goes, the badge counts the approval; everyone sees the comment now.
  await mine.page.waitForFunction((t) => {
    const li = [...document.querySelectorAll(".comment")].find((c) => c.textContent.includes(t));
    return li && !li.querySelector(".comment__pending");
  }, text, { timeout: STEP_MS });
  await mine.page.waitForFunction(() => document.getElementById("notification-count")?.textContent.trim() === "1",
    null, { timeout: STEP_MS });
  await goto(stranger.page, article.url);
  await stranger.page.locator(".comment", { hasText: text }).waitFor();
  assert.equal(await stranger.page.locator(".comment", { hasText: text }).locator(".comment__pending").count(), 0);

  // The moderator hides it again from the article page itself, with a reason.
  await goto(desk.page, article.url);
  const onPage = desk.page.locator(".comment", { hasText: text });
  desk.page.once("dialog", (d) => d.accept("Testing the article-page tools"));
  await onPage.locator("button[data-moderate-hide]").click();
  // Done: the button says so, or the live stream has already taken the comment off this page too.
  await desk.page.waitForFunction((t) => {
    const li = [...document.querySelectorAll(".comment")].find((c) => c.textContent.includes(t));
    return !li || li.querySelector("button[data-moderate-hide]")?.textContent === "Hidden";
  }, text, { timeout: STEP_MS });
  await desk.page.screenshot({ path: `${SHOTS}/moderation-article.png` });
  const log = await (await fetch(`${baseUrl}/api/v1/moderation/log?limit=5`, {
    headers: { Cookie: moderator.cookie, Accept: "application/json" }, signal: AbortSignal.timeout(STEP_MS),
  })).json();
  assert.deepEqual(log.entries.slice(0, 2).map((e) => [e.action, e.reason]),
    [["hide", "Testing the article-page tools"], ["approve", ""]]);
  await goto(stranger.page, article.url);
  await settle(stranger.page);
  assert.equal(await stranger.page.locator(".comment", { hasText: text }).count(), 0, "hidden for everyone");

  for (const { page, problems } of [mine, desk, stranger]) {
    await settle(page);
    assert.deepEqual(problems, []);
  }
  await Promise.all([mine.context.close(), desk.context.close(), stranger.context.close()]);
});

// Regression: "Ban author" on the article page marked only the pressed button; the ban is on the reader, so
// every comment of theirs on the page shows it, and no one else's.
test("banning an author from the article page marks all of their comments", { timeout: TEST_MS }, async () => {
  const moderator = await signIn("desk@example.org", "a long moderator password");
  const troll = await register("troll@example.org", "Tobias Troll");
  const bystander = await register("bystander@example.org", "Bea Bystander");
  const texts = ["Troll remark number one about the bypass.", "Troll remark number two about the bypass."];
  for (const text of texts) await published(troll, moderator, text);
  const other = "A calm remark about the bypass from a bystander.";
  await published(bystander, moderator, other);

  const desk = await signedInPage(moderator);
  await openArticle(desk.page);
  const banButtons = desk.page.locator(`button[data-moderate-ban='${troll.account.id}']`);
  for (const text of texts) await desk.page.locator(".comment", { hasText: text }).locator("button[data-moderate-ban]").waitFor();
  assert.equal(await banButtons.count(), 2);
  desk.page.once("dialog", (d) => d.accept("Trolling, twice"));
  await banButtons.first().click();
  await desk.page.waitForFunction((id) => {
    const buttons = [...document.querySelectorAll(`button[data-moderate-ban='${id}']`)];
    return buttons.length === 2 && buttons.every((b) => b.disabled && b.textContent === "Banned");
  }, troll.account.id, { timeout: STEP_MS });
  const bystanderButton = desk.page.locator(".comment", { hasText: other }).locator("button[data-moderate-ban]");
  assert.equal(await bystanderButton.textContent(), "Ban author", "other readers' buttons are untouched");
  assert.equal(await bystanderButton.isDisabled(), false);
  const history = await apiAs(moderator, "GET", `/api/v1/moderation/accounts/${troll.account.id}/history`);
  assert.equal(history.account.ban_reason, "Trolling, twice");

  await settle(desk.page);
  assert.deepEqual(desk.problems, []);
  await desk.context.close();
});

// Regression: the nudge said "post it as it is", but the form had no way to. The reader is offered the button
// where the error is, and using it sends the same text for review.
test("a nudged reader posts the comment as it is from the page", { timeout: TEST_MS }, async () => {
  const moderator = await signIn("desk@example.org", "a long moderator password");
  const reader = await register("nudged@example.org", "Nora Nudged");
  await published(reader, moderator, "A first, uncontroversial comment from Nora.");
  const { page } = await signedInPage(reader);
  await openArticle(page);
  const form = page.locator("#comment-form");
  const text = "Calling the bypass plan idiot-proof was premature.";
  await form.locator("textarea").fill("That plan is idiot proof, they said.");
  await form.locator("button[type=submit]", { hasText: "Post comment" }).click();
  const error = form.locator(".form__error");
  await error.waitFor({ state: "visible", timeout: STEP_MS });
  assert.match(await error.textContent(), /"idiot"/);
  assert.doesNotMatch(await error.textContent(), /[()?|\\]/, "words, never pattern syntax");
  const anyway = form.locator("button", { hasText: "Post it as it is" });
  await anyway.waitFor({ timeout: STEP_MS });
  // The reader rewords a little and still posts it as it is: it goes to the moderators.
  await form.locator("textarea").fill(text);
  await anyway.click();
  const held = page.locator(".comment", { hasText: text });
  await held.locator(".comment__pending").waitFor({ timeout: STEP_MS });
  assert.equal(await form.locator("button", { hasText: "Post it as it is" }).count(), 0, "the offer goes once used");
});

// Regression: deleting a comment took its replies off the page. A reader watching the conversation sees the
// deleted comment become a tombstone, with the reply still under it; a reload shows the same.
test("a deleted comment with a reply becomes a tombstone, live and after a reload", { timeout: TEST_MS }, async () => {
  const moderator = await signIn("desk@example.org", "a long moderator password");
  const first = await register("tomb-first@example.org", "Tess Tomb");
  const second = await register("tomb-second@example.org", "Theo Tomb");
  const top = await published(first, moderator, "A comment its author will think better of.");
  await published(second, moderator, "A reply that stays.");
  const replyText = "A reply to Tess that stays put.";
  const { comment: reply } = await apiAs(second, "POST", `/api/v1/articles/${article.slug}/comments`,
                                         { body: replyText, parent_id: top.id });
  assert.equal(reply.status, "published");
  const watcher = await openPage(browser, baseUrl);
  await openArticle(watcher.page);
  await watcher.page.locator(`#comment-${reply.id}`).waitFor();
  await apiAs(first, "DELETE", `/api/v1/comments/${top.id}`);
  const tombstone = watcher.page.locator(`#comment-${top.id} > .comment__tombstone`);
  await tombstone.waitFor({ timeout: STEP_MS });
  assert.equal((await tombstone.textContent()).trim(), "This comment was deleted by its author.");
  assert.ok(await watcher.page.locator(`#comment-${top.id} #comment-${reply.id}`).isVisible(), "the reply stays under it");
  await openArticle(watcher.page);
  assert.equal((await watcher.page.locator(`#comment-${top.id} > .comment__tombstone`).textContent()).trim(),
               "This comment was deleted by its author.");
  assert.ok(await watcher.page.locator(`#comment-${top.id} #comment-${reply.id}`).isVisible());
  assert.equal(await watcher.page.locator(`#comment-${top.id}`, { hasText: "think better of" }).count(), 0);
});

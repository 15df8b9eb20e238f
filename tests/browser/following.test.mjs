// Browser tests of readers following, notifying and ignoring each other, as two readers see it: Ana ("Ana Lima")
// and Bo ("Bo Stern"), each in their own browser context. Follow from the conversation, the follower count on a
// profile, the masthead's notification badge counting up live, the /notifications and /following pages, and
// ignoring a reader from their profile (a plain form post) so that their comments fold away.
//
// Run: cd tests/browser && npm ci && node --test following.test.mjs
// Two readers, registered through the API (registration: 20 an hour per IP address; this file's own server).
// Comments are limited to 10 a minute per reader: Bo posts 5 in this file, Ana 2. The tests run in order and
// build on each other's state only where a test says so; each sets up the follows it relies on itself.
// Screenshots of /notifications and a profile go to /tmp/shots/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import {
  Tribune, launchBrowser, closeBrowser, openPage as open, goto, settle, noHorizontalScroll,
  STEP_MS, NAV_MS, TEST_MS, BEFORE_MS, AFTER_MS,
} from "./support.mjs";

const tribune = new Tribune();
let baseUrl;
let browser;
let article;        // the newest demo article: comments open
let ana;            // { account, cookie, csrf }
let bo;
let anaFirst;       // Ana's comment, posted before any test opens a page

const LIVE_MS = 2_000;   // a notification or comment by another reader shows within this
const SHOTS = "/tmp/shots";

async function register(name) {
  const res = await fetch(`${baseUrl}/api/v1/accounts`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ email: `${name.split(" ")[0].toLowerCase()}.following.${process.pid}@example.org`,
                           password: "copper kettle marsh lantern", display_name: name }),
    signal: AbortSignal.timeout(STEP_MS),
  });
  const json = await res.json();
  assert.equal(res.status, 201, JSON.stringify(json));
  const cookie = res.headers.getSetCookie().map((c) => c.split(";")[0]).find((c) => c.startsWith("tribune_session="));
  assert.ok(cookie, "registering sets the session cookie");
  return { account: json.account, csrf: json.csrf_token, cookie };
}

// One JSON API call as `who`, with their session cookie, CSRF token and this server's Origin.
async function api(who, method, urlPath, body) {
  const headers = { Accept: "application/json", Cookie: who.cookie, "X-CSRF-Token": who.csrf, Origin: baseUrl };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(baseUrl + urlPath, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(STEP_MS),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

async function postAs(who, body, parentId) {
  const { status, json } = await api(who, "POST", `/api/v1/articles/${article.slug}/comments`,
    parentId ? { body, parent_id: parentId } : { body });
  assert.equal(status, 201, JSON.stringify(json));
  return json.comment;
}

async function setFollow(who, whom, on) {
  const { status, json } = await api(who, on ? "PUT" : "DELETE", `/api/v1/readers/${whom.account.id}/follow`);
  assert.equal(status, 200, JSON.stringify(json));
}

// A page signed in as `as` (if given) that records the EventSource streams it opens and their errors.
async function openPage({ as, ...options } = {}) {
  const opened = await open(browser, baseUrl, options);
  if (as) {
    const [name, value] = as.cookie.split("=");
    await opened.context.addCookies([{ name, value, url: baseUrl, httpOnly: true, sameSite: "Lax" }]);
  }
  if (options.javaScriptEnabled !== false) {
    await opened.page.addInitScript(() => {
      const Native = window.EventSource;
      if (!Native) return;
      window.__tribuneStreams = [];
      window.EventSource = class extends Native {
        constructor(url, init) {
          super(url, init);
          const record = { url: String(url), opens: 0, errors: 0, notifications: 0 };
          window.__tribuneStreams.push(record);
          this.addEventListener("open", () => { record.opens += 1; });
          this.addEventListener("notification", () => { record.notifications += 1; });
          this.addEventListener("error", () => { record.errors += 1; });
        }
      };
    });
  }
  return opened;
}

// Goes to `urlPath` and waits until the page's one event stream (`streamPath`) is connected and subscribed.
async function openWithStream(page, urlPath, streamPath) {
  const stream = page.waitForResponse((r) => new URL(r.url()).pathname === streamPath, { timeout: NAV_MS });
  await goto(page, urlPath);
  const res = await stream;
  assert.equal(res.status(), 200, `the event stream ${streamPath} is accepted`);
  assert.match(res.headers()["content-type"] ?? "", /^text\/event-stream\b/);
  await page.waitForFunction(() => window.__tribuneStreams?.[0]?.opens === 1, null, { timeout: STEP_MS });
  await page.waitForTimeout(300);   // the server subscribes right after sending the headers
}

const openArticle = (page) => openWithStream(page, article.url, `/api/v1/articles/${article.slug}/events`);

// A signed-in article page fetches the reader's own state (recommends, follows, ignores) once it has loaded.
async function openArticleAndMine(page) {
  const mine = page.waitForResponse((r) => new URL(r.url()).pathname === `/api/v1/articles/${article.slug}/comments/mine`,
    { timeout: NAV_MS });
  await openArticle(page);
  assert.equal((await mine).status(), 200, "the reader's own state loads");
}

async function expectSteadyStream(page, streamPath) {
  const streams = await page.evaluate(() => window.__tribuneStreams);
  assert.equal(streams.length, 1, `one event stream per page: ${JSON.stringify(streams)}`);
  assert.equal(new URL(streams[0].url, baseUrl).pathname, streamPath);
  assert.deepEqual({ opens: streams[0].opens, errors: streams[0].errors }, { opens: 1, errors: 0 },
    "the event stream neither failed nor reconnected");
}

async function expectClean(page, problems, streamPath) {
  await settle(page);
  if (streamPath) await expectSteadyStream(page, streamPath);
  assert.deepEqual(problems, []);
}

// The masthead's notification badge as the reader sees it.
async function badge(page) {
  const b = page.locator("#reader a.reader__notifications > span#notification-count.reader__badge");
  assert.equal(await b.count(), 1, "the masthead has the notification badge");
  return { visible: await b.isVisible(), text: (await b.textContent()).trim() };
}

// How many masthead links a screen reader announces with exactly this name (its name must hold its visible text).
async function notificationsLinkNamed(page, name) {
  return page.locator("#reader").getByRole("link", { name, exact: true }).count();
}

async function waitForBadge(page, count, timeout) {
  try {
    await page.waitForFunction((n) => {
      const b = document.getElementById("notification-count");
      return b && !b.hidden && b.textContent.trim() === String(n) && b.getBoundingClientRect().width > 0;
    }, count, { timeout });
  } catch (e) {
    // What the page and the server knew when the badge did not count up, for whoever reads the CI log.
    const state = await page.evaluate(() => ({
      streams: window.__tribuneStreams,
      badge: document.getElementById("notification-count")?.outerHTML ?? null,
    })).catch((err) => ({ unavailable: String(err) }));
    throw new Error(`the badge did not reach ${count} within ${timeout} ms: ${JSON.stringify(state)}\n` +
                    `server log (tail):\n${tribune.log.slice(-3000)}`, { cause: e });
  }
}

async function markWindow(page) {
  await page.evaluate(() => { window.__tribuneMarker = "kept"; });
  return async (what) => assert.equal(await page.evaluate(() => window.__tribuneMarker), "kept",
    `${what}: the page reloaded or navigated`);
}

function commentItem(page, id) {
  return page.locator(`#comment-list li.comment#comment-${id}`);
}

function followButton(page, commentId) {
  return commentItem(page, commentId).locator(":scope > .comment__box > .comment__meta > button.comment__follow");
}

// Each card's lead without the "New" tag an unread card carries, and whether it is marked unread.
async function cards(page) {
  return page.locator("section.activity ol.cards > li.card").evaluateAll((lis) => lis.map((li) => ({
    lead: li.querySelector(".card__lead")?.firstChild?.textContent.trim() ?? "",
    unread: li.classList.contains("card--unread"),
    isNew: !!li.querySelector(".card__lead .card__new"),
    author: li.querySelector(".card__meta .comment__author")?.textContent.trim() ?? "",
    href: li.querySelector(".card__meta a.card__article")?.getAttribute("href") ?? "",
    body: li.querySelector(".card__body")?.textContent.trim() ?? "",
  })));
}

async function screenshot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true, timeout: STEP_MS });
}

before(async () => {
  baseUrl = await tribune.start();
  browser = await launchBrowser();
  const { articles } = await tribune.getJson("/api/v1/articles?limit=50");
  article = articles[0];
  assert.equal(article.comments_open, true, "the newest demo article is open for comments");
  ana = await register("Ana Lima");
  bo = await register("Bo Stern");
  anaFirst = await postAs(ana, "A first thought from Ana on this piece.");
}, { timeout: BEFORE_MS });

after(async () => {
  try {
    await closeBrowser(browser);
  } finally {
    await tribune.stop();
  }
}, { timeout: AFTER_MS });

test("Follow next to another reader's name: pressed, remembered after a reload, and counted on their profile", { timeout: TEST_MS }, async () => {
  const boOwn = await postAs(bo, "Bo's own comment: nobody follows themselves.");
  const b = await openPage({ as: bo });
  try {
    const { page } = b;
    await openArticleAndMine(page);
    const button = followButton(page, anaFirst.id);
    await button.waitFor({ state: "visible" });
    assert.equal((await button.innerText()).trim(), "Follow");
    assert.equal(await button.getAttribute("aria-pressed"), "false");
    assert.equal(await button.getAttribute("data-follow"), String(ana.account.id));
    const author = commentItem(page, anaFirst.id).locator(":scope > .comment__box > .comment__meta > a.comment__author");
    assert.equal((await author.innerText()).trim(), "Ana Lima");
    assert.equal(await author.getAttribute("href"), `/readers/${ana.account.id}`);
    assert.equal(await commentItem(page, boOwn.id).locator("button.comment__follow").count(), 0,
      "no Follow button on the reader's own comment");

    const followed = page.waitForResponse((r) => r.request().method() === "PUT" &&
      new URL(r.url()).pathname === `/api/v1/readers/${ana.account.id}/follow`);
    await button.click();
    assert.equal((await followed).status(), 200);
    await page.waitForFunction((id) => {
      const b = document.querySelector(`#comment-${id} button.comment__follow`);
      return b?.getAttribute("aria-pressed") === "true" && b.textContent.trim() === "Following";
    }, anaFirst.id);
    // Every Follow button for Ana on the page agrees.
    const all = await page.locator(`button[data-follow="${ana.account.id}"]`).evaluateAll((bs) =>
      bs.map((b) => `${b.textContent.trim()}/${b.getAttribute("aria-pressed")}`));
    assert.ok(all.length >= 1 && all.every((s) => s === "Following/true"), JSON.stringify(all));

    // Persisted: after a reload the button comes back pressed.
    const mine = page.waitForResponse((r) => new URL(r.url()).pathname === `/api/v1/articles/${article.slug}/comments/mine`);
    await page.reload({ waitUntil: "load" });
    assert.equal((await mine).status(), 200);
    await button.waitFor({ state: "visible" });
    await page.waitForFunction((id) =>
      document.querySelector(`#comment-${id} button.comment__follow`)?.getAttribute("aria-pressed") === "true", anaFirst.id);
    assert.equal((await button.innerText()).trim(), "Following");
    await page.waitForFunction(() => window.__tribuneStreams?.[0]?.opens === 1);
    await expectClean(page, b.problems, `/api/v1/articles/${article.slug}/events`);

    // Ana's name leads to her profile: one follower, and the profile's own button agrees.
    await Promise.all([
      page.waitForURL((u) => u.pathname === `/readers/${ana.account.id}`, { waitUntil: "load" }),
      author.click(),
    ]);
    const profile = page.locator("section.profile");
    assert.equal((await profile.locator("h1.profile__name").innerText()).trim(), "Ana Lima");
    assert.match(await profile.locator(".profile__since").innerText(), /^Member since \S+ \d{4}$/);
    assert.equal((await profile.locator(".profile__followers").innerText()).trim(), "1 follower");
    const profileFollow = profile.locator(".profile__actions form[action$='/follow'] button");
    assert.equal((await profileFollow.innerText()).trim(), "Following");
    assert.equal(await profileFollow.getAttribute("aria-pressed"), "true");
    await profile.locator(".profile__actions").getByRole("button", { name: "Ignore", exact: true }).waitFor();
    const recent = await profile.locator("ol.cards > li.card .card__body").allInnerTexts();
    assert.ok(recent.some((t) => t.trim() === "A first thought from Ana on this piece."), `recent comments: ${JSON.stringify(recent)}`);
    assert.match(await page.title(), /^Ana Lima \| /);
    await settle(page);
    await screenshot(page, "profile");
    assert.deepEqual(b.problems, []);
  } finally {
    await b.context.close();
  }
});

test("without JavaScript, Follow by a comment leads to the author's profile and back to the comment", { timeout: TEST_MS }, async () => {
  const boComment = await postAs(bo, "Bo says something worth following.");
  const plain = await openPage({ as: ana, javaScriptEnabled: false, reducedMotion: "reduce" });
  try {
    const { page } = plain;
    await goto(page, article.url);
    const item = page.locator(`#comment-${boComment.id}`);
    await Promise.all([
      page.waitForURL((u) => u.pathname === `/readers/${bo.account.id}`, { waitUntil: "load" }),
      item.locator(".comment__meta").getByRole("link", { name: "Follow", exact: true }).click(),
    ]);
    const actions = page.locator(".profile__actions");
    const already = await actions.getByRole("button", { name: "Following", exact: true }).count();
    if (already) {   // an earlier test left Ana following Bo
      await setFollow(ana, bo, false);
      await page.reload();
    }
    await Promise.all([
      page.waitForURL((u) => u.pathname === `/comments/${boComment.id}`, { waitUntil: "load" }),
      actions.getByRole("button", { name: "Follow", exact: true }).click(),
    ]);
    assert.equal(new URL(page.url()).hash, `#comment-${boComment.id}`, "back at the comment Follow was chosen from");
    await page.locator(`#comment-${boComment.id}`).waitFor();
    const { json } = await api(ana, "GET", `/api/v1/readers/${bo.account.id}`);
    assert.equal(json.reader.followed, true, JSON.stringify(json.reader));
    await settle(page);
    assert.deepEqual(plain.problems, []);
  } finally {
    await plain.context.close();
  }
});

test("a reply and an @mention count up Ana's badge live; /notifications lists them, and seen is read", { timeout: TEST_MS }, async () => {
  const a = await openPage({ as: ana });
  try {
    const { page } = a;
    await openArticleAndMine(page);
    const start = await badge(page);
    assert.deepEqual(start, { visible: false, text: "0" }, "no notifications yet");
    const unchanged = await markWindow(page);

    const reply = await postAs(bo, "Replying to Ana: I see it differently.", anaFirst.id);
    await waitForBadge(page, 1, LIVE_MS);
    const mention = await postAs(bo, "As @analima. said above, the numbers do not add up.");
    await waitForBadge(page, 2, LIVE_MS);
    assert.deepEqual(await badge(page), { visible: true, text: "2" });
    assert.equal(await notificationsLinkNamed(page, "Notifications 2 unread"), 1, "the link's name says what it shows");
    await unchanged("after the notifications arrived");
    // The same comments also arrived as comments, behind the live button.
    await page.waitForFunction(() => document.getElementById("live-button").textContent === "Show 2 new comments",
      null, { timeout: LIVE_MS });
    await expectClean(page, a.problems, `/api/v1/articles/${article.slug}/events`);

    // The badge leads to the notifications.
    await Promise.all([
      page.waitForURL((u) => u.pathname === "/notifications", { waitUntil: "load" }),
      page.locator("#reader a.reader__notifications").click(),
    ]);
    assert.equal((await page.locator("section.activity h1").innerText()).trim(), "Notifications");
    const first = await cards(page);
    assert.deepEqual(first.map((c) => c.lead), ["Bo Stern mentioned you", "Bo Stern replied to you"], "newest first");
    assert.deepEqual(first.map((c) => [c.unread, c.isNew]), [[true, true], [true, true]], "both shown as new");
    // Each links where the comment surely is: its parent's thread page, opened at it.
    assert.deepEqual(first.map((c) => c.href), [mention, reply].map((c) => `/comments/${c.parent_id ?? c.id}#comment-${c.id}`));
    assert.deepEqual(first.map((c) => c.author), ["Bo Stern", "Bo Stern"]);
    assert.equal(first[1].body, "Replying to Ana: I see it differently.");
    await settle(page);
    await screenshot(page, "notifications");

    // Seen is read: after a reload nothing is new and the badge is gone.
    await page.reload({ waitUntil: "load" });
    const again = await cards(page);
    assert.deepEqual(again.map((c) => c.lead), ["Bo Stern mentioned you", "Bo Stern replied to you"]);
    assert.deepEqual(again.map((c) => [c.unread, c.isNew]), [[false, false], [false, false]], "nothing is new any more");
    assert.deepEqual(await badge(page), { visible: false, text: "0" });
    assert.equal(await notificationsLinkNamed(page, "Notifications"), 1, "no count, no 'unread' in its name");
    await settle(page);
    assert.deepEqual(a.problems, []);
  } finally {
    await a.context.close();
  }
});

test("a followed reader's new comment: Bo's badge counts up on another page, and /following shows it", { timeout: TEST_MS }, async () => {
  await setFollow(bo, ana, true);
  const b = await openPage({ as: bo });
  try {
    const { page } = b;
    await openWithStream(page, "/following", "/api/v1/me/events");
    assert.equal((await page.locator("section.activity h1").innerText()).trim(), "Readers you follow");
    const start = await badge(page);
    const startCount = start.visible ? Number(start.text) : 0;

    const fresh = await postAs(ana, "A new comment by Ana, for the readers who follow her.");
    await waitForBadge(page, startCount + 1, LIVE_MS);
    await expectClean(page, b.problems, "/api/v1/me/events");

    await page.reload({ waitUntil: "load" });
    const feed = await cards(page);
    assert.ok(feed.length >= 1, "the feed has comments");
    assert.deepEqual(
      { author: feed[0].author, body: feed[0].body, href: feed[0].href },
      { author: "Ana Lima", body: "A new comment by Ana, for the readers who follow her.",
        href: `/comments/${fresh.id}#comment-${fresh.id}` }, "the new comment is first");
    assert.ok(feed.every((c) => c.author === "Ana Lima"), "only followed readers' comments");

    // The card's link leads to the comment in its conversation.
    await Promise.all([
      page.waitForURL((u) => u.pathname === `/comments/${fresh.id}` && u.hash === `#comment-${fresh.id}`, { waitUntil: "load" }),
      page.locator("section.activity ol.cards > li.card").first().locator("a.card__article").click(),
    ]);
    await commentItem(page, fresh.id).waitFor({ state: "visible" });

    await goto(page, "/notifications");
    const notes = await cards(page);
    assert.equal(notes[0]?.lead, "Ana Lima, whom you follow, commented", JSON.stringify(notes));
    assert.equal(notes[0].href, `/comments/${fresh.id}#comment-${fresh.id}`);
    await settle(page);
    assert.deepEqual(b.problems, []);
  } finally {
    await b.context.close();
  }
});

test("Ana ignores Bo from his profile without JavaScript; his comments fold away on the article, and 'Show comment' opens one", { timeout: TEST_MS }, async () => {
  const boComment = await postAs(bo, "A comment by Bo that Ana will not want to read.");
  // Without JavaScript: the profile's Ignore button is a plain form post.
  const plain = await openPage({ as: ana, javaScriptEnabled: false, reducedMotion: "reduce" });
  try {
    const { page } = plain;
    await goto(page, `/readers/${bo.account.id}`);
    assert.equal((await page.locator("h1.profile__name").innerText()).trim(), "Bo Stern");
    await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST" &&
        new URL(r.url()).pathname === `/readers/${bo.account.id}/ignore`),
      page.waitForURL((u) => u.pathname === `/readers/${bo.account.id}`, { waitUntil: "load" }),
      page.locator(".profile__actions").getByRole("button", { name: "Ignore", exact: true }).click(),
    ]);
    await page.locator(".profile__actions").getByRole("button", { name: "Stop ignoring", exact: true }).waitFor();
    assert.match(await page.locator(".profile__note").first().innerText(), /^You ignore this reader/);
    await settle(page);
    assert.deepEqual(plain.problems, []);

    // Still without JavaScript, his comments fold on the article (the masthead's stylesheet), each one
    // opening when its time link is followed.
    await goto(page, article.url);
    const item = page.locator(`#comment-${boComment.id} > .comment__box`);
    assert.equal(await item.locator(".comment__body").isVisible(), false, "folded without JavaScript");
    assert.equal(await item.locator(".comment__author").isVisible(), true, "its author's name still shows");
    assert.match(await item.evaluate((box) => getComputedStyle(box, "::after").content), /You ignore this reader/);
    assert.equal(await page.locator(`#comment-${anaFirst.id} > .comment__box > .comment__body`).isVisible(), true,
      "others stay open");
    await item.locator(".comment__time").click();
    await item.locator(".comment__body").waitFor({ state: "visible" });
    assert.equal((await item.locator(".comment__body").innerText()).trim(), "A comment by Bo that Ana will not want to read.");
  } finally {
    await plain.context.close();
  }

  const a = await openPage({ as: ana });
  try {
    const { page } = a;
    await openArticleAndMine(page);
    const bos = page.locator(`#comment-list li.comment[data-author-id="${bo.account.id}"]`);
    const total = await bos.count();
    assert.ok(total >= 2, `Bo has comments on the page (${total})`);
    await page.waitForFunction((id) => {
      const lis = document.querySelectorAll(`#comment-list li.comment[data-author-id="${id}"]`);
      return [...lis].every((li) => li.classList.contains("comment--ignored"));
    }, bo.account.id);
    const item = commentItem(page, boComment.id);
    const box = item.locator(":scope > .comment__box");
    const line = item.locator(":scope > .comment__ignored");
    assert.equal(await box.isVisible(), false, "the ignored comment's body is hidden");
    assert.equal(await item.getByText("A comment by Bo that Ana will not want to read.").isVisible(), false);
    await line.waitFor({ state: "visible" });
    assert.match((await line.innerText()).trim(), /^You ignore this reader\.\s*Show comment$/);
    // Other readers' comments stay open.
    assert.equal(await commentItem(page, anaFirst.id).evaluate((li) => li.classList.contains("comment--ignored")), false);
    assert.equal(await commentItem(page, anaFirst.id).locator(":scope > .comment__box").isVisible(), true);

    // Bo @mentions her now: his comment still arrives (folded), but no longer notifies her.
    const before = await badge(page);
    const late = await postAs(bo, "@AnaLima, are you ignoring me?");
    await page.locator("#live-button").waitFor({ state: "visible", timeout: LIVE_MS });
    await page.waitForTimeout(500);   // a notification, had there been one, would be here by now
    assert.deepEqual(await badge(page), before, "an ignored reader's mention does not notify");
    await page.locator("#live-button").click();
    await commentItem(page, late.id).waitFor({ state: "attached" });
    await page.waitForFunction((id) => document.getElementById(`comment-${id}`).classList.contains("comment--ignored"), late.id);
    assert.equal(await commentItem(page, late.id).locator(":scope > .comment__box").isVisible(), false);

    // "Show comment" opens the one comment, and only that one.
    await line.getByRole("button", { name: "Show comment" }).click();
    await box.waitFor({ state: "visible" });
    assert.equal(await item.evaluate((li) => li.classList.contains("comment--ignored")), false);
    assert.equal(await line.count(), 0, "the folded line is gone");
    assert.equal((await box.locator(".comment__body").innerText()).trim(), "A comment by Bo that Ana will not want to read.");
    assert.equal(await page.locator(`#comment-list li.comment.comment--ignored[data-author-id="${bo.account.id}"]`).count(),
      total, "Bo's other comments stay folded");   // `total` counted before `late` arrived: one opened, one added

    const served = await api(ana, "GET", "/api/v1/me/notifications");
    assert.equal(served.status, 200);
    assert.equal(served.json.notifications.some((n) => n.comment.id === late.id), false, "no notification was stored");
    await expectClean(page, a.problems, `/api/v1/articles/${article.slug}/events`);
  } finally {
    await a.context.close();
  }
});

// The comment cards of the forum pages share class names with the front page's article cards (.cards, .card,
// .card__meta): neither may take on the other's layout.
test("comment cards stack in one column on /notifications and a profile, and the front page's bylines still line up", {
  timeout: TEST_MS,
}, async () => {
  const a = await openPage({ as: ana });
  try {
    const { page } = a;
    const oneColumn = async (what) => {
      const boxes = await page.locator("ol.cards").first().evaluate((ol) => ({
        list: ol.getBoundingClientRect().toJSON(),
        cards: [...ol.children].map((li) => li.getBoundingClientRect().toJSON()),
      }));
      assert.ok(boxes.cards.length >= 2, `${what}: at least two cards (${boxes.cards.length})`);
      for (const [i, card] of boxes.cards.entries()) {
        assert.ok(Math.abs(card.left - boxes.list.left) <= 1 && Math.abs(card.width - boxes.list.width) <= 1,
          `${what}: card ${i + 1} is ${Math.round(card.width)}px wide at x=${Math.round(card.left)}, ` +
          `the list ${Math.round(boxes.list.width)}px at x=${Math.round(boxes.list.left)}`);
        if (i > 0) assert.ok(card.top >= boxes.cards[i - 1].bottom - 1, `${what}: card ${i + 1} is below card ${i}`);
      }
      await noHorizontalScroll(page);
    };
    await goto(page, "/notifications");
    await oneColumn("/notifications");
    await goto(page, `/readers/${ana.account.id}`);
    await oneColumn("profile");

    // The front page: each article card's byline sits at the card's foot, so a row's bylines line up.
    await goto(page, "/");
    const feet = await page.locator(".cards > .card").evaluateAll((cards) => cards.slice(0, 3).map((card) => {
      const meta = card.querySelector(":scope > .card__meta").getBoundingClientRect();
      const box = card.getBoundingClientRect();
      return { gap: Math.round(box.bottom - parseFloat(getComputedStyle(card).paddingBottom) - meta.bottom),
               bottom: Math.round(meta.bottom) };
    }));
    assert.equal(feet.length, 3);
    assert.deepEqual(feet.map((f) => f.gap), [0, 0, 0], `bylines at the cards' feet: ${JSON.stringify(feet)}`);
    assert.equal(new Set(feet.map((f) => f.bottom)).size, 1, "the first row's bylines line up");
    await settle(page);
    assert.deepEqual(a.problems, []);
  } finally {
    await a.context.close();
  }
});

test("a notification made while the page's stream was down is counted when the stream comes back", { timeout: TEST_MS }, async () => {
  const cy = await register("Cy Gap");
  const a = await openPage({ as: ana });
  try {
    const { page } = a;
    const eventsPath = `/api/v1/articles/${article.slug}/events`;
    // The first connection ends at once (as a dropped one would); the browser's reconnection is held back until
    // the notification exists, so it cannot arrive live: only the count asked for on re-opening can show it.
    let release;
    const held = new Promise((resolve) => { release = resolve; });
    let attempts = 0;
    await page.route((u) => new URL(u).pathname === eventsPath, async (route) => {
      attempts += 1;
      if (attempts === 1)
        return route.fulfill({ status: 200, headers: { "Content-Type": "text/event-stream" }, body: "retry: 300\n\n" });
      await held;
      return route.continue();
    });
    await goto(page, article.url);
    await page.waitForFunction(() => window.__tribuneStreams?.[0]?.errors >= 1, null, { timeout: STEP_MS });
    const before = (await api(ana, "GET", "/api/v1/me/notifications?limit=1")).json.unread;
    assert.deepEqual(await badge(page), { visible: before > 0, text: String(before) });

    await postAs(cy, "Cy replies while Ana's page is reconnecting.", anaFirst.id);
    assert.equal((await api(ana, "GET", "/api/v1/me/notifications?limit=1")).json.unread, before + 1);
    release();
    await page.waitForFunction(() => window.__tribuneStreams[0].opens >= 2, null, { timeout: STEP_MS });
    await waitForBadge(page, before + 1, LIVE_MS);
    const [stream] = await page.evaluate(() => window.__tribuneStreams);
    assert.equal(stream.notifications, 0, "the notification came from the count asked for, not live");
    assert.equal(await notificationsLinkNamed(page, `Notifications ${before + 1} unread`), 1);
  } finally {
    await a.context.close();
  }
});

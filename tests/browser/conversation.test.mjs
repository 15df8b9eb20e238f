// Browser tests of the conversation under an article, as readers use it: registering from the article page
// (with and without JavaScript), posting comments and replies, errors shown in the form, signing out and in.
//
// Run: cd tests/browser && npm ci && node --test
// Registration is limited to 20 an hour per IP address, and every attempt counts, failed or not: this file
// starts its own server and stays well under that (see `registrations` below).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  Tribune, launchBrowser, closeBrowser, openPage as open, goto, settle, noHorizontalScroll,
  STEP_MS, NAV_MS, TEST_MS, BEFORE_MS, AFTER_MS, PHONE,
} from "./support.mjs";

const tribune = new Tribune();
let baseUrl;
let browser;
let articles;       // from GET /api/v1/articles?limit=50
let article;        // the newest article: comments open
let other;          // another article with comments open

const REGISTRATION_BUDGET = 15;   // of the 20 an hour the server allows one address
let registrations = 0;
let readerSeq = 0;

const openPage = (options) => open(browser, baseUrl, options);

// A reader nobody has registered yet. The password is long, not common, and unlike the name or email.
function newReader(first) {
  readerSeq += 1;
  return {
    name: `${first} Reader${readerSeq}`,
    email: `${first.toLowerCase()}.${readerSeq}.${process.pid}@example.org`,
    password: "copper kettle marsh lantern",
  };
}

function countRegistration() {
  registrations += 1;
  assert.ok(registrations <= REGISTRATION_BUDGET, `this file registers more than ${REGISTRATION_BUDGET} readers`);
}

async function fillRegisterForm(page, reader) {
  const form = page.locator("#register-form");
  await form.getByLabel("Display name").fill(reader.name);
  await form.getByLabel("Email").fill(reader.email);
  await form.getByLabel("Password").fill(reader.password);
  return form;
}

// Register through the article page's form, with JavaScript: the page stays, the masthead changes.
async function registerInPlace(page, reader) {
  const form = await fillRegisterForm(page, reader);
  countRegistration();
  await form.getByRole("button", { name: "Register and join in" }).click();
  await page.locator("#reader .reader__name").filter({ hasText: reader.name }).waitFor({ state: "visible" });
}

// Marks the window so that a reload or navigation, which would give a fresh window, can be detected.
async function markWindow(page) {
  const marker = `kept-${Math.random().toString(36).slice(2)}`;
  await page.evaluate((m) => { window.__tribuneTestMarker = m; }, marker);
  return async (what) => {
    const now = await page.evaluate(() => window.__tribuneTestMarker);
    assert.equal(now, marker, `${what}: the page reloaded or navigated`);
  };
}

async function postComment(page, body) {
  const form = page.locator("#comment-form");
  await form.locator("#comment-body").fill(body);
  const created = page.waitForResponse((r) => r.request().method() === "POST" &&
    new URL(r.url()).pathname === `/api/v1/articles/${article.slug}/comments`);
  await form.getByRole("button", { name: "Post comment" }).click();
  const res = await created;
  assert.equal(res.status(), 201, `posting "${body}"`);
  return (await res.json()).comment;
}

// The page's own CSRF token, as a script on it would read it, for posting through the JSON API.
async function postThroughApi(page, slug, body, parentId) {
  return page.evaluate(async ({ slug, body, parentId }) => {
    const token = document.querySelector("#comment-form input[name=csrf_token]").value;
    const res = await fetch(`/api/v1/articles/${slug}/comments`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": token },
      body: JSON.stringify(parentId ? { body, parent_id: parentId } : { body }),
    });
    return { status: res.status, json: await res.json() };
  }, { slug, body, parentId });
}

function commentItem(page, id) {
  return page.locator(`#comment-list li.comment#comment-${id}`);
}

async function readerState(page) {
  return page.locator("#reader").getAttribute("data-state");
}

async function expectAnonymousMasthead(page) {
  assert.equal(await readerState(page), "anonymous");
  const reader = page.locator("#reader");
  await reader.getByRole("link", { name: "Register", exact: true }).waitFor({ state: "visible" });
  await reader.getByRole("link", { name: "Sign in", exact: true }).waitFor({ state: "visible" });
  assert.equal(await reader.locator(".reader__name").count(), 0, "no reader name in the masthead");
}

before(async () => {
  baseUrl = await tribune.start();
  browser = await launchBrowser();
  ({ articles } = await tribune.getJson("/api/v1/articles?limit=50"));
  assert.ok(Array.isArray(articles) && articles.length >= 3, "the demo publication has articles");
  article = articles[0];
  assert.equal(article.comments_open, true, "the newest demo article is open for comments");
  other = articles.slice(1).find((a) => a.comments_open && a.source_name === null);
  assert.ok(other, "another demo article is open for comments");
}, { timeout: BEFORE_MS });

after(async () => {
  try {
    await closeBrowser(browser);
  } finally {
    await tribune.stop();
  }
}, { timeout: AFTER_MS });

test("registering from an article signs the reader in on the spot, and they stay signed in", { timeout: TEST_MS }, async () => {
  const { context, page, problems } = await openPage();
  try {
    await goto(page, article.url);
    await expectAnonymousMasthead(page);
    const conversation = page.locator("section.conversation");
    await conversation.getByRole("heading", { level: 2, name: "Join the conversation", exact: true }).waitFor();
    const form = conversation.locator("#register-form");
    await form.waitFor({ state: "visible" });
    for (const label of ["Display name", "Email", "Password"])
      await form.getByLabel(label).waitFor({ state: "visible" });
    assert.equal(await conversation.locator("#comment-form").count(), 0, "no comment form before registering");

    const reader = newReader("Ada");
    const unchanged = await markWindow(page);
    let navigations = 0;
    page.on("framenavigated", (frame) => { if (frame === page.mainFrame()) navigations += 1; });
    await registerInPlace(page, reader);

    await unchanged("after registering");
    assert.equal(navigations, 0, "registering did not navigate");
    assert.equal(new URL(page.url()).pathname, article.url);
    assert.equal(await readerState(page), "signed-in");
    const name = page.locator("#reader .reader__name");
    assert.equal((await name.innerText()).trim(), reader.name);
    assert.equal(await name.getAttribute("href"), "/account");
    await page.locator("#reader").getByRole("button", { name: "Sign out" }).waitFor({ state: "visible" });

    // The conversation now offers the comment form, in place of the register form.
    const commentForm = conversation.locator("#comment-form");
    await commentForm.waitFor({ state: "visible" });
    assert.equal(await conversation.locator("#register-form").count(), 0, "the register form is gone");
    assert.equal((await commentForm.locator("label.comment-form__label").innerText()).replace(/\s+/g, " ").trim(),
      `Comment as ${reader.name}`);
    await commentForm.getByRole("textbox", { name: `Comment as ${reader.name}` }).waitFor({ state: "visible" });
    assert.ok((await commentForm.locator("input[name=csrf_token]").inputValue()).length >= 16, "the form holds a CSRF token");
    await unchanged("after looking at the comment form");

    // Other pages know the reader: the masthead comes from the server now, not from the script.
    const home = await goto(page, "/");
    assert.match(await home.text(), new RegExp(`<a class="reader__name" href="/account">${reader.name}</a>`),
      "the home page's HTML names the reader");
    assert.equal((await page.locator("#reader .reader__name").innerText()).trim(), reader.name);

    const next = await goto(page, other.url);
    const html = await next.text();
    assert.match(html, new RegExp(`<a class="reader__name" href="/account">${reader.name}</a>`));
    assert.match(html, /id="comment-form"/, "the other article's HTML has the comment form");
    assert.doesNotMatch(html, /id="register-form"/);
    assert.equal((await page.locator("#comment-form label.comment-form__label").innerText()).replace(/\s+/g, " ").trim(),
      `Comment as ${reader.name}`);

    await settle(page);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test("without JavaScript, registering, commenting and replying all work by plain form posts", { timeout: TEST_MS }, async () => {
  const { context, page, problems } = await openPage({ javaScriptEnabled: false, reducedMotion: "reduce" });
  try {
    await goto(page, article.url);
    const reader = newReader("Basil");
    const form = await fillRegisterForm(page, reader);
    countRegistration();
    await Promise.all([
      page.waitForURL((u) => u.pathname === article.url, { timeout: NAV_MS, waitUntil: "load" }),
      form.getByRole("button", { name: "Register and join in" }).click(),
    ]);
    assert.equal(new URL(page.url()).pathname, article.url, "back on the same article");
    assert.equal(await readerState(page), "signed-in");
    assert.equal((await page.locator("#reader .reader__name").innerText()).trim(), reader.name);
    await page.locator("#comment-form").waitFor({ state: "visible" });
    assert.equal(await page.locator("#register-form").count(), 0);

    // A comment: the form posts to /comment, which sends the reader back to the comment on the article.
    const body = `Posted without a script by ${reader.name}.`;
    await page.locator("#comment-body").fill(body);
    await Promise.all([
      page.waitForURL((u) => u.pathname === article.url && /^#comment-\d+$/.test(u.hash), { timeout: NAV_MS }),
      page.getByRole("button", { name: "Post comment" }).click(),
    ]);
    const id = Number(new URL(page.url()).hash.slice("#comment-".length));
    const item = commentItem(page, id);
    await item.waitFor({ state: "visible" });
    assert.equal((await item.locator(":scope > .comment__box .comment__author").innerText()).trim(), reader.name);
    assert.equal((await item.locator(":scope > .comment__box .comment__body").innerText()).trim(), body);
    assert.equal(await page.locator("#comment-list > li.comment").first().getAttribute("id"), `comment-${id}`,
      "the newest comment is first");

    // A reply: "Reply" leads to the reply page, whose form posts and comes back to the nested reply.
    await Promise.all([
      page.waitForURL((u) => u.pathname === `/comments/${id}/reply`, { timeout: NAV_MS }),
      item.locator(":scope > .comment__box").getByRole("link", { name: "Reply" }).click(),
    ]);
    await page.locator(".reply-page").waitFor({ state: "visible" });
    assert.equal((await page.locator(`.reply-page #comment-${id} .comment__body`).innerText()).trim(), body,
      "the reply page quotes the comment being answered");
    const replyBody = "And a reply, also without a script.";
    await page.getByLabel("Your reply").fill(replyBody);
    // A reply lands on its parent's thread page, where it surely is (however deep).
    await Promise.all([
      page.waitForURL((u) => u.pathname === `/comments/${id}` && /^#comment-\d+$/.test(u.hash), { timeout: NAV_MS }),
      page.getByRole("button", { name: "Post reply" }).click(),
    ]);
    const replyId = Number(new URL(page.url()).hash.slice("#comment-".length));
    const reply = page.locator(`#comment-${id} > ol.comments--replies > li#comment-${replyId}`);
    await reply.waitFor({ state: "visible" });
    assert.equal((await reply.locator(".comment__body").innerText()).trim(), replyBody);
    assert.equal(await reply.getAttribute("data-depth"), "1");

    // Sign out: a plain form post too, back to the page the reader was on.
    await Promise.all([
      page.waitForURL((u) => u.pathname === `/comments/${id}`, { timeout: NAV_MS }),
      page.locator("#reader").getByRole("button", { name: "Sign out" }).click(),
    ]);
    await expectAnonymousMasthead(page);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test("registration errors are shown in the form, and the reader stays on the article", { timeout: TEST_MS }, async () => {
  const { context, page, problems } = await openPage();
  try {
    await goto(page, article.url);
    const unchanged = await markWindow(page);
    const form = page.locator("#register-form");
    const error = form.locator(".form__error");
    assert.equal(await error.isVisible(), false, "no error before the first try");
    const accountPosts = [];
    page.on("request", (r) => {
      if (r.method() === "POST" && new URL(r.url()).pathname === "/api/v1/accounts") accountPosts.push(r);
    });

    // Too short: the browser's own check (minlength=8) stops the form before anything is sent.
    const short = { ...newReader("Cleo"), password: "abc123" };
    await fillRegisterForm(page, short);
    await form.getByRole("button", { name: "Register and join in" }).click();
    await page.waitForTimeout(300);
    assert.equal(accountPosts.length, 0, "nothing was sent");
    assert.equal(await form.getByLabel("Password").evaluate((i) => i.validity.tooShort), true);
    await unchanged("after a too-short password");

    // A browser that does not check (or a form without the attribute) sends it: the server's message is shown
    // in the form, by the script, without leaving the page.
    await form.evaluate((f) => { f.noValidate = true; });
    countRegistration();
    const refused = page.waitForResponse((r) => new URL(r.url()).pathname === "/api/v1/accounts");
    await form.getByRole("button", { name: "Register and join in" }).click();
    assert.equal((await refused).status(), 422);
    await error.waitFor({ state: "visible" });
    assert.match((await error.innerText()).trim(), /at least 8 characters/);
    assert.equal(await error.getAttribute("role"), "alert", "the error is announced");
    assert.equal(await page.evaluate(() => document.activeElement?.name), "password", "the password field has focus");
    await unchanged("after the server refused a short password");
    assert.equal(await readerState(page), "anonymous");

    // An email address that is already registered.
    const taken = newReader("Dora");
    countRegistration();
    const first = await fetch(`${baseUrl}/api/v1/accounts`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ email: taken.email, password: taken.password, display_name: taken.name }),
      signal: AbortSignal.timeout(STEP_MS),
    });
    assert.equal(first.status, 201);
    await fillRegisterForm(page, { ...taken, name: `${taken.name} Again` });
    countRegistration();
    const conflict = page.waitForResponse((r) => new URL(r.url()).pathname === "/api/v1/accounts");
    await form.getByRole("button", { name: "Register and join in" }).click();
    assert.equal((await conflict).status(), 409);
    await page.waitForFunction(
      () => !/at least 8 characters/.test(document.querySelector("#register-form .form__error").textContent));
    const message = (await error.innerText()).trim();
    assert.ok(message.length > 0, "the conflict has a message");
    await unchanged("after the server refused a taken email");
    assert.equal(await readerState(page), "anonymous");
    assert.equal(await page.locator("#register-form").count(), 1, "the form is still there to try again");

    await settle(page);
    // The refused requests are logged by the browser; nothing else may be.
    const unexpected = problems.filter((p) =>
      !/^HTTP (409|422) for .*\/api\/v1\/accounts$/.test(p) &&
      !/^console error: Failed to load resource: the server responded with a status of (409|422)/.test(p));
    assert.deepEqual(unexpected, []);
  } finally {
    await context.close();
  }
});

test("a comment posted with JavaScript appears first at once, and is still there after a reload", { timeout: TEST_MS }, async () => {
  const { context, page, problems } = await openPage();
  try {
    await goto(page, article.url);
    const reader = newReader("Edith");
    await registerInPlace(page, reader);
    const unchanged = await markWindow(page);

    const first = await postComment(page, "The *first* thing I have to say.");
    const firstItem = commentItem(page, first.id);
    await firstItem.waitFor({ state: "visible" });
    const second = await postComment(page, "And a second thought, with a [link](https://example.org/flood-maps).");
    const secondItem = commentItem(page, second.id);
    await secondItem.waitFor({ state: "visible" });
    await unchanged("after posting");

    const top = page.locator("#comment-list > li.comment");
    assert.equal(await top.nth(0).getAttribute("id"), `comment-${second.id}`, "the newest comment is first");
    assert.equal(await top.nth(1).getAttribute("id"), `comment-${first.id}`);
    assert.equal(await page.locator("#comments-empty").count(), 0, "'No comments yet' is gone");
    assert.equal(await page.locator("#comment-body").inputValue(), "", "the comment box is emptied");
    assert.equal((await secondItem.locator(".comment__author").innerText()).trim(), reader.name);
    assert.equal(await firstItem.locator(".comment__body em").innerText(), "first", "Markdown is rendered");
    const link = secondItem.locator(".comment__body a");
    assert.equal(await link.getAttribute("href"), "https://example.org/flood-maps");
    assert.match(await link.getAttribute("rel"), /\bnofollow\b/);
    assert.match(await link.getAttribute("rel"), /\bugc\b/);
    assert.equal(await secondItem.locator(".comment__time time").getAttribute("datetime"), second.created_at);

    await page.reload({ waitUntil: "load" });
    const reloaded = page.locator("#comment-list > li.comment");
    assert.equal(await reloaded.nth(0).getAttribute("id"), `comment-${second.id}`, "still first after a reload");
    assert.equal(await reloaded.nth(1).getAttribute("id"), `comment-${first.id}`);
    assert.equal((await commentItem(page, first.id).locator(".comment__body").innerText()).trim(),
      "The first thing I have to say.");
    assert.equal((await commentItem(page, second.id).locator(".comment__author").innerText()).trim(), reader.name);
    assert.match(await page.locator(".conversation__count").innerText(), /^\d+ comments?$/);

    // Only spaces get past the browser's `required`; the server's refusal shows in the form.
    const again = await markWindow(page);
    await page.locator("#comment-body").fill("   ");
    const refused = page.waitForResponse((r) => r.request().method() === "POST" &&
      new URL(r.url()).pathname === `/api/v1/articles/${article.slug}/comments`);
    await page.locator("#comment-form").getByRole("button", { name: "Post comment" }).click();
    assert.equal((await refused).status(), 422);
    const error = page.locator("#comment-form .form__error");
    await error.waitFor({ state: "visible" });
    assert.equal((await error.innerText()).trim(), "Write something first.");
    await again("after an empty comment");

    await settle(page);
    assert.deepEqual(problems.filter((p) =>
      !/^HTTP 422 for .*\/comments$/.test(p) && !/status of 422/.test(p)), []);
  } finally {
    await context.close();
  }
});

test("Reply opens a form under the comment, and the reply is nested under it, before and after a reload", { timeout: TEST_MS }, async () => {
  const { context, page, problems } = await openPage();
  try {
    await goto(page, article.url);
    const reader = newReader("Flora");
    await registerInPlace(page, reader);
    const unchanged = await markWindow(page);
    const parent = await postComment(page, "A comment to answer.");
    const parentItem = commentItem(page, parent.id);
    await parentItem.waitFor({ state: "visible" });

    const replyLink = parentItem.locator(":scope > .comment__box .comment__reply");
    await replyLink.click();
    const replyForm = parentItem.locator(":scope > form.comment-form--reply");
    await replyForm.waitFor({ state: "visible" });
    assert.equal(await parentItem.evaluate((li) => li.querySelector(":scope > .comment__box").nextElementSibling?.tagName),
      "FORM", "the reply form sits right under the comment");
    const textarea = replyForm.locator("textarea");
    assert.equal(await textarea.evaluate((t) => t === document.activeElement), true, "the reply box has focus");
    assert.equal(await replyForm.locator("input[name=parent_id]").inputValue(), String(parent.id));
    await replyLink.click();
    assert.equal(await parentItem.locator("form.comment-form--reply").count(), 1, "a second click opens no second form");
    assert.equal(await page.locator("#comment-form").count(), 1, "the main comment form is still there");
    assert.equal(await page.locator("#comment-form #comment-body").count(), 1);

    await textarea.fill("A reply, in place.");
    const created = page.waitForResponse((r) => r.request().method() === "POST" &&
      new URL(r.url()).pathname === `/api/v1/articles/${article.slug}/comments`);
    await replyForm.getByRole("button", { name: "Post reply" }).click();
    const res = await created;
    assert.equal(res.status(), 201);
    const reply = (await res.json()).comment;
    assert.equal(reply.parent_id, parent.id);
    const nested = page.locator(`#comment-${parent.id} > ol.comments.comments--replies > li#comment-${reply.id}`);
    await nested.waitFor({ state: "visible" });
    assert.equal((await nested.locator(".comment__body").innerText()).trim(), "A reply, in place.");
    assert.equal(await parentItem.locator("form.comment-form--reply").count(), 0, "the reply form closes");
    assert.notEqual(await page.locator("#comment-list > li.comment").first().getAttribute("id"), `comment-${reply.id}`,
      "the reply is not listed as a top-level comment");

    // A reply to the reply nests one level deeper.
    await nested.locator(":scope > .comment__box .comment__reply").click();
    const deeperForm = nested.locator(":scope > form.comment-form--reply");
    await deeperForm.locator("textarea").fill("A reply to the reply.");
    const created2 = page.waitForResponse((r) => r.request().method() === "POST" &&
      new URL(r.url()).pathname === `/api/v1/articles/${article.slug}/comments`);
    await deeperForm.getByRole("button", { name: "Post reply" }).click();
    const deeper = (await (await created2).json()).comment;
    const deeperItem = page.locator(`#comment-${reply.id} > ol.comments--replies > li#comment-${deeper.id}`);
    await deeperItem.waitFor({ state: "visible" });
    await unchanged("after replying");

    await page.reload({ waitUntil: "load" });
    const afterReload = page.locator(`#comment-list > li#comment-${parent.id} > ol.comments--replies > li#comment-${reply.id}`);
    await afterReload.waitFor({ state: "visible" });
    assert.equal((await afterReload.locator(":scope > .comment__box .comment__body").innerText()).trim(), "A reply, in place.");
    assert.equal(await afterReload.getAttribute("data-depth"), "1");
    const deeperAfter = afterReload.locator(`:scope > ol.comments--replies > li#comment-${deeper.id}`);
    await deeperAfter.waitFor({ state: "visible" });
    assert.equal(await deeperAfter.getAttribute("data-depth"), "2");

    await settle(page);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test("Sign out in the masthead returns the reader to anonymous; Reply then asks them to sign in", { timeout: TEST_MS }, async () => {
  const { context, page, problems } = await openPage();
  try {
    await goto(page, article.url);
    const reader = newReader("Gwen");
    await registerInPlace(page, reader);
    const comment = await postComment(page, "Said before signing out.");

    // The masthead's Sign out, as the script drew it after registering: the reader stays on the article.
    await Promise.all([
      page.waitForURL((u) => u.pathname === article.url, { timeout: NAV_MS }),
      page.locator("#reader").getByRole("button", { name: "Sign out" }).click(),
    ]);
    await expectAnonymousMasthead(page);
    const me = await page.evaluate(async () => (await fetch("/api/v1/me", { headers: { Accept: "application/json" } })).status);
    assert.equal(me, 401, "the session is over");

    // Anonymous again: the register form is back, and the article (cached for anonymous readers) shows the comment.
    await goto(page, article.url);
    await expectAnonymousMasthead(page);
    await page.locator("#register-form").waitFor({ state: "visible" });
    assert.equal(await page.locator("#comment-form").count(), 0);
    const item = commentItem(page, comment.id);
    await item.waitFor({ state: "visible" });

    // Reply without a session leads to sign in, which comes back to the reply page.
    await Promise.all([
      page.waitForURL((u) => u.pathname === "/signin", { timeout: NAV_MS }),
      item.locator(":scope > .comment__box .comment__reply").click(),
    ]);
    assert.equal(new URL(page.url()).searchParams.get("return_to"), `/comments/${comment.id}/reply`);
    await page.getByLabel("Email").fill(reader.email);
    await page.getByLabel("Password").fill(reader.password);
    await Promise.all([
      page.waitForURL((u) => u.pathname === `/comments/${comment.id}/reply`, { timeout: NAV_MS }),
      page.locator("main").getByRole("button", { name: "Sign in" }).click(),
    ]);
    assert.equal((await page.locator("#reader .reader__name").innerText()).trim(), reader.name);
    await page.getByLabel("Your reply").waitFor({ state: "visible" });

    // The masthead's Sign out, as the server drew it: the reply page needs a session, so the front page.
    await Promise.all([
      page.waitForURL((u) => u.pathname === "/", { timeout: NAV_MS }),
      page.locator("#reader").getByRole("button", { name: "Sign out" }).click(),
    ]);
    await expectAnonymousMasthead(page);

    await settle(page);
    // /api/v1/me answering 401 is the point of that check, not a problem.
    assert.deepEqual(problems.filter((p) => !/\/api\/v1\/me\b/.test(p) && !/status of 401/.test(p)), []);
  } finally {
    await context.close();
  }
});

test("on a phone, a deep thread does not scroll sideways and the forms have 44px targets", { timeout: TEST_MS }, async () => {
  const { context, page, problems } = await openPage({ viewport: PHONE });
  try {
    await goto(page, article.url);
    await noHorizontalScroll(page);
    for (const control of await page.locator("#register-form input:not([type=hidden]), #register-form button").all()) {
      const box = await control.boundingBox();
      assert.ok(box.height >= 44, `register form control is ${box.height}px tall`);
    }
    const nameBox = await page.locator("#reg-name").boundingBox();
    const formBox = await page.locator("#register-form").boundingBox();
    assert.ok(nameBox.width >= formBox.width - 2, `the name field (${nameBox.width}px) fills the form (${formBox.width}px)`);

    const reader = newReader("Hana");
    await registerInPlace(page, reader);
    // A thread eight replies deep, through the API (the comment form's own token).
    let parentId = null;
    const ids = [];
    for (let depth = 0; depth < 8; depth++) {
      const { status, json } = await postThroughApi(page, article.slug,
        `Depth ${depth}: a reply long enough to wrap over a few lines on a narrow phone screen.`, parentId);
      assert.equal(status, 201, JSON.stringify(json));
      parentId = json.comment.id;
      ids.push(parentId);
    }
    await page.reload({ waitUntil: "load" });
    // The article page indents five levels; deeper replies wait behind "Continue this thread".
    await commentItem(page, ids[5]).waitFor({ state: "visible" });
    assert.equal(await commentItem(page, ids[6]).count(), 0, "the sixth level is not on the article page");
    await noHorizontalScroll(page);

    const viewport = page.viewportSize().width;
    const top = await commentItem(page, ids[0]).locator(":scope > .comment__box").boundingBox();
    const deepest = await commentItem(page, ids[5]).locator(":scope > .comment__box").boundingBox();
    assert.ok(deepest.x + deepest.width <= viewport, "the deepest reply fits on screen");
    assert.ok(deepest.width >= top.width * 0.7,
      `indentation is capped on phones: the deepest reply is ${Math.round(deepest.width)}px wide, the top comment ${Math.round(top.width)}px`);

    const more = commentItem(page, ids[5]).locator(":scope > .comment__continue a");
    for (const control of [page.locator("#comment-form button[type=submit]"), commentItem(page, ids[5]).locator(".comment__reply").first(), more]) {
      const box = await control.boundingBox();
      assert.ok(box.height >= 44, `${await control.innerText()} is ${box.height}px tall`);
    }
    const textarea = await page.locator("#comment-body").boundingBox();
    assert.ok(textarea.height >= 88, `the comment box is ${textarea.height}px tall`);

    // The rest of the thread starts flush on its own page.
    await Promise.all([page.waitForURL(new RegExp(`/comments/${ids[5]}`), { waitUntil: "load" }), more.click()]);
    await commentItem(page, ids[7]).waitFor({ state: "visible" });
    await noHorizontalScroll(page);
    const continued = await commentItem(page, ids[5]).locator(":scope > .comment__box").boundingBox();
    assert.ok(continued.width >= top.width * 0.95, "the continued thread starts at full width");

    await settle(page);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test("after registering or replying, focus and a polite announcement say what happened; Escape closes a reply box", { timeout: TEST_MS }, async () => {
  const { context, page, problems } = await openPage();
  try {
    await goto(page, article.url);
    const reader = newReader("Iris");
    await registerInPlace(page, reader);
    // Registered: the comment box has focus, and the live region says so.
    await page.waitForFunction(() => document.activeElement?.id === "comment-body", null, { timeout: STEP_MS });
    const announcer = page.locator("#announcer[role=status][aria-live=polite]");
    await page.waitForFunction(() => /Thank you for registering: you are signed in/.test(
      document.getElementById("announcer")?.textContent ?? ""), null, { timeout: STEP_MS });

    const parent = await postComment(page, "A comment to answer from the keyboard.");
    const parentItem = commentItem(page, parent.id);
    await parentItem.waitFor({ state: "visible" });
    assert.equal(await parentItem.evaluate((li) => li === document.activeElement), true, "the new comment has focus");

    // Reply, then Escape: the box closes and focus is back on Reply. Cancel does the same.
    const replyLink = parentItem.locator(":scope > .comment__box .comment__reply");
    await replyLink.click();
    const replyForm = parentItem.locator(":scope > form.comment-form--reply");
    await replyForm.locator("textarea").waitFor({ state: "visible" });
    await page.keyboard.press("Escape");
    assert.equal(await replyForm.count(), 0, "Escape closed the reply box");
    assert.equal(await replyLink.evaluate((a) => a === document.activeElement), true, "focus is back on Reply");
    await replyLink.click();
    await replyForm.getByRole("button", { name: "Cancel" }).click();
    assert.equal(await replyForm.count(), 0, "Cancel closed it");

    // A reply posted: focus on it, and it is announced.
    await replyLink.click();
    await replyForm.locator("textarea").fill("A reply written without the mouse.");
    await replyForm.getByRole("button", { name: "Post reply" }).click();
    await page.waitForFunction(() => /Your reply is posted/.test(document.getElementById("announcer")?.textContent ?? ""),
      null, { timeout: STEP_MS });
    assert.equal(await page.evaluate(() => document.activeElement?.classList.contains("comment")), true);
    assert.equal(await announcer.count(), 1);
    await settle(page);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

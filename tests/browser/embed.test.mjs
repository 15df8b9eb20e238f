// Browser tests of the embed (docs/embed.md): another site's page shows a story's conversation in a frame
// from Tribune. Two local servers make the two sites: Tribune answers as http://localhost:PORT, the host pages
// come from a small server here as http://127.0.0.1:PORT (another site to the browser). Third-party cookies are
// blocked (the browser's own switch, checked below), so the frame's session lives in a partitioned cookie.
//
// Run: cd tests/browser && npm ci && node --test embed.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { createHash } from "node:crypto";
import { chromium } from "playwright-core";
import {
  Tribune, closeBrowser, withTimeout, CHROMIUM, STEP_MS, NAV_MS, TEST_MS, BEFORE_MS, AFTER_MS, BROWSER_LAUNCH_MS,
} from "./support.mjs";

const tribune = new Tribune();
let browser;
let tribuneUrl;   // http://localhost:PORT
let hostUrl;      // http://127.0.0.1:PORT: allowed to embed
let strangerUrl;  // http://127.0.0.1:PORT: not allowed
let scriptTag;
const servers = [];

function hostPage(title, body) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>
<body><h1>${title}</h1><p style="height:3000px">The host's own story text.</p>${body}${scriptTag}</body></html>`;
}

function listen(handler) {
  return new Promise((resolve) => {
    const server = createServer(handler);
    servers.push(server);
    server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${server.address().port}`));
  });
}

before(async () => {
  const pages = (req, res) => {
    const here = new URL(req.url, "http://x");
    const scheme = here.searchParams.get("scheme");
    const attrs = scheme ? ` data-tribune-scheme="${scheme}"` : "";
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    res.end(hostPage("Story one",
      `<div id="talk" data-tribune-url="${hostUrl}/story-1" data-tribune-title="Story one"${attrs}></div>`));
  };
  hostUrl = await listen(pages);
  strangerUrl = await listen((req, res) => {
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    res.end(hostPage("Borrowed", `<div data-tribune-url="${hostUrl}/story-1"></div>`));
  });
  await tribune.start({ config: `[embed]\norigins = ["${hostUrl}"]\n` });
  tribuneUrl = tribune.baseUrl.replace("127.0.0.1", "localhost");
  const script = await fetch(`${tribune.baseUrl}/assets/embed.js`, { signal: AbortSignal.timeout(STEP_MS) });
  assert.equal(script.headers.get("access-control-allow-origin"), "*", "the script is loadable with SRI from any site");
  const integrity = "sha256-" + createHash("sha256").update(Buffer.from(await script.arrayBuffer())).digest("base64");
  scriptTag = `<script src="${tribuneUrl}/assets/embed.js" integrity="${integrity}" crossorigin="anonymous" async></script>`;
  browser = await chromium.launch({
    executablePath: CHROMIUM, timeout: BROWSER_LAUNCH_MS,
    args: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--test-third-party-cookie-phaseout"],
  });
}, { timeout: BEFORE_MS });

after(async () => {
  await closeBrowser(browser);
  for (const s of servers) s.close();
  await tribune.stop();
}, { timeout: AFTER_MS });

async function openHost(url) {
  const context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
  context.setDefaultTimeout(STEP_MS);
  context.setDefaultNavigationTimeout(NAV_MS);
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (err) => problems.push(`uncaught exception: ${err.message}`));
  const res = await page.goto(url, { waitUntil: "load" });
  assert.equal(res.status(), 200);
  return { context, page, problems };
}

// The embed's frame once the host page has made it (it is made when scrolled near) and it has loaded.
async function embedFrame(page) {
  await page.locator("#talk").scrollIntoViewIfNeeded();
  const handle = await page.waitForSelector("#talk iframe", { timeout: STEP_MS });
  const frame = await handle.contentFrame();
  await frame.waitForSelector("#comments", { timeout: NAV_MS });
  return { handle, frame };
}

test("a host page embeds the conversation; a reader registers and posts in it with third-party cookies blocked", { timeout: TEST_MS }, async () => {
  const { context, page, problems } = await openHost(`${hostUrl}/story-1`);
  try {
    assert.equal(await page.locator("#talk iframe").count(), 0, "the frame waits until its place is near the viewport");
    const { handle, frame } = await embedFrame(page);
    assert.match(await handle.getAttribute("src"), new RegExp(`^${tribuneUrl}/embed\\?url=`));

    // The browser does block third-party cookies here: an ordinary one set inside the frame is refused.
    const stored = await frame.evaluate(() => {
      document.cookie = "probe=1; SameSite=None; Secure; Path=/";
      return document.cookie.includes("probe=1");
    });
    assert.equal(stored, false, "third-party cookies are blocked in this browser");
    // (The same write on Tribune's own page, first-party, is kept: the refusal above is the blocking.)
    const own = await context.newPage();
    await own.goto(`${tribuneUrl}/`, { waitUntil: "load" });
    assert.equal(await own.evaluate(() => {
      document.cookie = "probe=1; SameSite=None; Secure; Path=/";
      return document.cookie.includes("probe=1");
    }), true, "a first-party page keeps the same cookie");
    await own.evaluate(() => { document.cookie = "probe=; Max-Age=0; Path=/; Secure; SameSite=None"; });
    await own.close();

    const before = await handle.evaluate((f) => f.getBoundingClientRect().height);
    await frame.fill("#reg-name", "Frame Reader");
    await frame.fill("#reg-email", `frame.${process.pid}@example.org`);
    await frame.fill("#reg-password", "copper kettle marsh lantern");
    await frame.click("#register-form button[type=submit]");
    // Registered and signed in at once, in the frame: the comment form replaces the registration form.
    await frame.waitForSelector("#comment-form textarea", { timeout: STEP_MS });
    await frame.fill("#comment-form textarea", "Posted from inside the host page.");
    const answered = page.waitForResponse((r) => r.url().includes("/comments") && r.request().method() === "POST");
    await frame.click("#comment-form button[type=submit]");
    const answer = await answered;
    assert.equal(answer.status(), 201, `posting from the frame: ${await answer.text()} ${JSON.stringify(await context.cookies(tribuneUrl))}`);
    await frame.waitForSelector("text=Posted from inside the host page.", { timeout: STEP_MS });

    // The session is the frame's own, partitioned under the host's site, and survives a reload of the host.
    const cookies = await context.cookies(tribuneUrl);
    const session = cookies.find((c) => c.name === "tribune_embed_session");
    assert.ok(!cookies.some((c) => c.name === "tribune_session"), "nothing takes the first-party session's place");
    assert.ok(session, "the frame keeps a session cookie");
    assert.equal(session.sameSite, "None");
    assert.ok(session.partitionKey, `the session cookie is partitioned: ${JSON.stringify(session)}`);
    await page.reload({ waitUntil: "load" });
    const again = await embedFrame(page);
    await again.frame.waitForSelector("#comment-form textarea", { timeout: STEP_MS });
    assert.equal(await again.frame.locator("#reader .reader__name").textContent(), "Frame Reader");

    // The frame sized itself to its content (the host's script follows its height messages).
    await page.waitForFunction((h) => {
      const f = document.querySelector("#talk iframe");
      return f && Math.abs(f.getBoundingClientRect().height - h) > 20;
    }, before, { timeout: STEP_MS });
    const fits = await again.frame.evaluate(() => document.body.getBoundingClientRect().bottom);
    const height = await again.handle.evaluate((f) => f.getBoundingClientRect().height);
    assert.ok(Math.abs(height - fits) < 40, `the frame (${height}px) is as tall as its content (${fits}px)`);

    // The host's listing asks for its pages' counts in one request (CORS for this site only).
    const counts = await page.evaluate(async (base) => {
      const r = await fetch(`${base}/api/v1/comment-counts?url=${encodeURIComponent(location.origin + "/story-1")}`);
      return r.json();
    }, tribuneUrl);
    assert.equal(counts.counts[0].count, 1);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test("inside the embed: a comment posted on Tribune's own page of the story arrives live, a reader follows its author and is notified of their next comment", { timeout: TEST_MS }, async () => {
  const { context, page } = await openHost(`${hostUrl}/story-1`);
  try {
    const { frame } = await embedFrame(page);
    const slug = await frame.getAttribute("[data-article-slug]", "data-article-slug");
    await frame.fill("#reg-name", "Frame Follower");
    await frame.fill("#reg-email", `follower.${process.pid}@example.org`);
    await frame.fill("#reg-password", "copper kettle marsh lantern");
    await frame.click("#register-form button[type=submit]");
    await frame.waitForSelector("#comment-form textarea", { timeout: STEP_MS });
    // Another reader, on Tribune's own page of the story (first-party, in a browser of their own).
    const other = await browser.newContext({ viewport: { width: 1000, height: 800 } });
    other.setDefaultTimeout(STEP_MS);
    const tribunePage = await other.newPage();
    const shown = await tribunePage.goto(`${tribuneUrl}/embed?story=${slug}`, { waitUntil: "load" });
    assert.equal(shown.status(), 200);
    await tribunePage.fill("#reg-name", "Newsroom Reader");
    await tribunePage.fill("#reg-email", `newsroom.${process.pid}@example.org`);
    await tribunePage.fill("#reg-password", "copper kettle marsh lantern");
    await tribunePage.click("#register-form button[type=submit]");
    await tribunePage.waitForSelector("#comment-form textarea", { timeout: STEP_MS });
    const post = async (text) => {
      await tribunePage.fill("#comment-form textarea", text);
      await tribunePage.click("#comment-form button[type=submit]");
      await tribunePage.waitForSelector(`text=${text}`, { timeout: STEP_MS });
    };
    await post("Live from the newsroom side.");
    // It waits behind the live button in the embed (as on the article page), then shows.
    await frame.waitForSelector("#live-button:not([hidden])", { timeout: STEP_MS });
    await frame.click("#live-button");
    await frame.waitForSelector("text=Live from the newsroom side.", { timeout: STEP_MS });
    const authorId = await tribunePage.getAttribute("#reader", "data-account-id");

    // Follow its author from the comment, in the frame.
    const follow = frame.locator(`button[data-follow='${authorId}']`).first();
    await follow.click();
    await frame.waitForSelector(`button[data-follow='${authorId}'][aria-pressed=true]`, { timeout: STEP_MS });
    const profile = await (await fetch(`${tribune.baseUrl}/api/v1/readers/${authorId}`,
      { signal: AbortSignal.timeout(STEP_MS) })).json();
    assert.equal(profile.reader.followers, 1, JSON.stringify(profile));

    // The followed reader comments again: the frame's reader, signed in on this page without a reload, is told
    // in the frame's bar, live.
    const again = frame;
    await post("A second thought from the newsroom side.");
    await again.waitForSelector("#notification-count:not([hidden])", { timeout: STEP_MS });
    // And the notifications page opens inside the frame (a reader's page, framed by this site only).
    await again.click(".reader__notifications");
    await again.waitForSelector("text=A second thought from the newsroom side.", { timeout: NAV_MS });
    await other.close();
  } finally {
    await context.close();
  }
});

test("the embed follows the host page's colour scheme, and its changes", { timeout: TEST_MS }, async () => {
  const { context, page } = await openHost(`${hostUrl}/story-1?scheme=dark`);
  try {
    const { frame } = await embedFrame(page);
    assert.match(await frame.getAttribute("html", "class"), /embed--dark/);
    const dark = await frame.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.evaluate(() => document.querySelector("#talk").setAttribute("data-tribune-scheme", "light"));
    await frame.waitForFunction(() => document.documentElement.classList.contains("embed--light"), null,
      { timeout: STEP_MS });
    const light = await frame.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.notEqual(dark, light);
    assert.equal(light, "rgb(255, 255, 255)");
  } finally {
    await context.close();
  }
});

test("a site not allowed gets nothing: the frame is refused and no story is made for it", { timeout: TEST_MS }, async () => {
  const { context, page } = await openHost(`${strangerUrl}/`);
  try {
    await page.locator("[data-tribune-url]").scrollIntoViewIfNeeded();
    const handle = await page.waitForSelector("[data-tribune-url] iframe", { timeout: STEP_MS });
    await page.waitForTimeout(1000);
    const frame = await handle.contentFrame();
    // The frame is blocked by the browser (frame-ancestors names only the allowed site): no conversation in it.
    const shown = frame ? await withTimeout(frame.locator("#comments").count(), STEP_MS, "frame count") : 0;
    assert.equal(shown, 0, "no conversation is shown on a site not allowed");
  } finally {
    await context.close();
  }
  // An address on a site not allowed makes no story.
  const res = await fetch(`${tribune.baseUrl}/embed?url=${encodeURIComponent(strangerUrl + "/elsewhere")}`,
    { signal: AbortSignal.timeout(STEP_MS) });
  assert.equal(res.status, 403);
  assert.equal(res.headers.get("x-frame-options"), "DENY");
});

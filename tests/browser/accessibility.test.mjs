// axe-core (WCAG 2.0, 2.1 and 2.2, levels A and AA), and no sideways scrolling, on every page a reader, a signed-in reader and staff can
// reach, at 1280 and 390 px, in the light and the dark colour scheme: zero violations. The demo publication
// (with its living forum) gives every page real content: threads, picks, a held comment, a supporter.
//
// Run: cd tests/browser && npm ci && node --test accessibility.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import {
  Tribune, TRIBUNE_BIN, launchBrowser, closeBrowser, DESKTOP, PHONE,
  STEP_MS, NAV_MS, BEFORE_MS, AFTER_MS,
  png,
} from "./support.mjs";

const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];
const SWEEP_MS = 600_000;

const tribune = new Tribune();
let baseUrl;
let browser;

function cli(args, input) {
  return new Promise((resolve, reject) => {
    const child = execFile(TRIBUNE_BIN, args, { timeout: STEP_MS }, (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout.trim()));
    child.stdin.end(input);
  });
}

async function session(email, password) {
  const res = await fetch(`${baseUrl}/api/v1/sessions`, {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email, password }), signal: AbortSignal.timeout(STEP_MS),
  });
  assert.equal(res.status, 200, `sign in ${email}`);
  const json = await res.json();
  const cookie = res.headers.getSetCookie().map((c) => c.split(";")[0]).find((c) => c.startsWith("tribune_session="));
  return { cookie, csrf: json.csrf_token, account: json.account };
}

async function register(email, name) {
  const password = `${name}'s long password`;
  const res = await fetch(`${baseUrl}/api/v1/accounts`, {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email, display_name: name, password }), signal: AbortSignal.timeout(STEP_MS),
  });
  assert.equal(res.status, 201, `register ${email}`);
  return session(email, password);
}

// Runs axe on one path in the given page (a tab reused for the whole sweep, as a reader's tab goes from page to
// page: a new tab for each path costs the browser about five times the CPU of the page itself); returns its
// violations as readable lines.
async function violations(page, path) {
  const res = await page.goto(path, { waitUntil: "load" });
  assert.ok(res && res.status() < 500, `GET ${path}: ${res && res.status()}`);
  // Not settle(): an article page's event stream keeps the network busy. The script's own work (the reader's
  // Follow buttons, counts) is done well within this.
  await page.waitForTimeout(700);
  await page.evaluate(AXE);
  const found = await page.evaluate(async (tags) => {
    const r = await window.axe.run(document, { runOnly: { type: "tag", values: tags } });
    return r.violations.map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
  }, TAGS);
  const lines = found.map((v) => `${v.id} (${v.help}) at ${v.nodes.join(", ")}`);
  // WCAG 1.4.10 (reflow), which axe cannot see: nothing scrolls sideways on a phone.
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }));
  if (scrollWidth > clientWidth) lines.push(`reflow: the page scrolls sideways (${scrollWidth} > ${clientWidth} px)`);
  return lines;
}

// The four variants (width x colour scheme) go side by side, each in its own context and tab: most of a
// path's time is the settling wait, which they share.
async function sweep(paths, cookie) {
  const variants = [DESKTOP, PHONE].flatMap((viewport) => ["light", "dark"].map((colorScheme) => ({ viewport, colorScheme })));
  const found = await Promise.all(variants.map(async ({ viewport, colorScheme }) => {
    // bypassCSP: axe is injected by the test; the page's own CSP is checked by the other browser tests.
    const context = await browser.newContext({ viewport, colorScheme, baseURL: baseUrl, bypassCSP: true });
    context.setDefaultTimeout(STEP_MS);
    context.setDefaultNavigationTimeout(NAV_MS);
    if (cookie) {
      const [name, value] = cookie.split("=");
      await context.addCookies([{ name, value, url: baseUrl, httpOnly: true, sameSite: "Lax" }]);
    }
    const problems = [];
    try {
      const page = await context.newPage();
      for (const path of paths)
        for (const line of await violations(page, path))
          problems.push(`${path} at ${viewport.width}px, ${colorScheme}: ${line}`);
    } finally {
      await context.close();
    }
    return problems;
  }));
  return found.flat();
}

let pages;

before(async () => {
  baseUrl = await tribune.start({ config: '[embed]\norigins = ["https://news.example"]\n' });
  browser = await launchBrowser();
  const articles = (await tribune.getJson("/api/v1/articles?limit=50")).articles;
  const talked = articles.filter((a) => a.comment_count > 0).sort((a, b) => b.comment_count - a.comment_count)[0];
  assert.ok(talked, "the demo has a conversation");
  const { comments } = await tribune.getJson(`/api/v1/articles/${talked.slug}/comments?limit=50`);
  const comment = comments.find((c) => c.author && c.author.id);
  pages = { article: talked, comment, author: talked.authors[0].slug, section: talked.section.slug };
}, { timeout: BEFORE_MS });

after(async () => {
  await closeBrowser(browser);
  await tribune.stop();
}, { timeout: AFTER_MS });

test("every page a reader can open has no WCAG 2.2 AA violation", { timeout: SWEEP_MS }, async () => {
  const { article, comment, author, section } = pages;
  const problems = await sweep([
    "/", `/${section}`, article.url, `/comments/${comment.id}`, `/authors/${author}`, `/readers/${comment.author.id}`,
    "/register", "/signin", "/forgot", "/support", "/about", "/contact", "/community-guidelines", "/privacy",
    "/terms", "/no-such-page", `/embed?url=${encodeURIComponent("https://news.example/story")}&title=Story`,
    `/embed?url=${encodeURIComponent("https://news.example/story")}&scheme=dark`,
    "/search", "/search?q=museum+library", "/search?q=the&page=2", "/search?q=museum&from=not-a-date",
  ]);
  assert.deepEqual(problems, []);
});

test("every page a signed-in reader can open has no WCAG 2.2 AA violation", { timeout: SWEEP_MS }, async () => {
  const { article, comment } = pages;
  const reader = await register("axe-reader@example.org", "Axe Reader");
  const problems = await sweep([
    "/", article.url, "/account", "/notifications", "/following", `/comments/${comment.id}/options`,
    `/comments/${comment.id}/reply`, `/comments/${comment.id}/recommend`, `/readers/${comment.author.id}`,
  ], reader.cookie);
  assert.deepEqual(problems, []);
});

test("every page staff can open has no WCAG 2.2 AA violation", { timeout: SWEEP_MS }, async () => {
  const { article, comment } = pages;
  const password = "an admin's long password";
  await cli(["account", "create", "--data", tribune.dataDir, "--email", "axe-admin@example.org", "--name", "Axe Admin",
             "--role", "admin"], `${password}\n`);
  const admin = await session("axe-admin@example.org", password);
  await cli(["token", "create", "--data", tribune.dataDir, "--name", "axe bridge", "--role", "editor"]);
  // A lead image for the demo article (its page, the editor and the image library then show pictures).
  const upload = new FormData();
  upload.append("image", new Blob([png(1200, 800)], { type: "image/png" }), "sweep.png");
  upload.append("alt", "A gradient from blue to yellow");
  upload.append("caption", "A picture for the sweep");
  upload.append("credit", "Graphic: the test");
  const uploaded = await fetch(`${baseUrl}/api/v1/images`, {
    method: "POST", body: upload, headers: { Cookie: admin.cookie, "X-CSRF-Token": admin.csrf },
  });
  assert.equal(uploaded.status, 201, await uploaded.clone().text());
  const { image } = await uploaded.json();
  // A second save of the demo article, so that its first revision has a diff to show.
  const current = await (await fetch(`${baseUrl}/api/v1/desk/articles/${article.slug}`, { headers: { Cookie: admin.cookie } })).json();
  const put = await fetch(`${baseUrl}/api/v1/articles/${article.slug}`, {
    method: "PUT", headers: { "Content-Type": "application/json", Cookie: admin.cookie, "X-CSRF-Token": admin.csrf },
    body: JSON.stringify({ title: current.title, authors: current.authors.map((a) => a.name), section: current.section.name,
                           body: current.body + `\n\nA paragraph added for the sweep.\n\n${image.markdown}`, image: image.id }),
  });
  assert.equal(put.status, 200, await put.text());
  const { revisions } = await (await fetch(`${baseUrl}/api/v1/desk/articles/${article.slug}/revisions`, { headers: { Cookie: admin.cookie } })).json();
  const revision = revisions[revisions.length - 1];
  const author = article.authors[0].slug;  // with a photo, on the desk's pages and on the author's own
  const withPhoto = await fetch(`${baseUrl}/api/v1/authors/${author}`, {
    method: 'PUT',
    headers: { Cookie: admin.cookie, 'Content-Type': 'application/json', 'X-CSRF-Token': admin.csrf },
    body: JSON.stringify({ photo: image.id, bio: 'A writer with a photo.' }),
  });
  assert.equal(withPhoto.status, 200, await withPhoto.text());
  const hook = await fetch(`${baseUrl}/api/v1/webhooks`, {  // an endpoint with a delivery in its log
    method: 'POST',
    headers: { Cookie: admin.cookie, 'Content-Type': 'application/json', 'X-CSRF-Token': admin.csrf },
    body: JSON.stringify({ url: 'https://hooks.example/in', description: 'CRM', events: ['article.updated', 'reader.registered'] }),
  });
  const hookText = await hook.text();
  assert.equal(hook.status, 201, hookText);
  const hookId = JSON.parse(hookText).id;
  const touched = await fetch(`${baseUrl}/api/v1/articles/${article.slug}`, {
    method: "PUT", headers: { "Content-Type": "application/json", Cookie: admin.cookie, "X-CSRF-Token": admin.csrf },
    body: JSON.stringify({ title: current.title + " (updated)", authors: current.authors.map((a) => a.name),
                           section: current.section.name, body: current.body }),
  });
  assert.equal(touched.status, 200, await touched.text());
  const problems = await sweep([
    "/", article.url, "/moderation", "/moderation?view=decided", `/moderation/readers/${comment.author.id}`,
    "/moderation/log", `/moderation/comments/${comment.id}/versions`, "/admin/accounts", "/admin/contributions",
    "/desk/pages", "/desk/pages/privacy", "/admin/tokens", "/desk", "/desk?status=draft", "/desk/articles/new",
    `/desk/articles/${article.slug}`, `/desk/articles/${article.slug}/retract`, `/desk/articles/${article.slug}/delete`,
    `/desk/articles/${article.slug}/revisions`, `/desk/articles/${article.slug}/revisions/${revision.id}`,
    "/desk/images", `/desk/images?uploaded=${image.id}`,
    "/desk/sections", `/desk/sections/${article.section.slug}`, "/desk/authors", `/desk/authors/${author}`,
    "/desk/tags", `/authors/${author}`, "/admin/webhooks", `/admin/webhooks/${hookId}`,
    "/admin/embed", "/desk/dashboard", "/desk/dashboard?period=today", "/desk/dashboard?period=30d",
    "/desk/dashboard?period=custom&from=2026-02-30&to=2026-03-01",
  ], admin.cookie);
  assert.deepEqual(problems, []);
});

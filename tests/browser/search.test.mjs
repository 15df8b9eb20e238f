// Readers' search in Chromium: the masthead's box on the front page leads to the results, a word typed without
// its accents finds the piece that has them, matches are marked, and the box fits a phone's masthead. With and
// without JavaScript (the form is a plain GET). And the masthead the box sits in: nothing in it moves while the
// page arrives.
//
// Run: cd tests/browser && npm ci && node --test search.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  Tribune, launchBrowser, closeBrowser, openPage, goto, settle, noHorizontalScroll, session,
  STEP_MS, NAV_MS, TEST_MS, BEFORE_MS, AFTER_MS, DESKTOP, PHONE,
} from "./support.mjs";

const tribune = new Tribune();
let baseUrl;
let browser;

before(async () => {
  baseUrl = await tribune.start();
  browser = await launchBrowser();
}, { timeout: BEFORE_MS });

after(async () => {
  try {
    await closeBrowser(browser);
  } finally {
    await tribune.stop();
  }
}, { timeout: AFTER_MS });

for (const [name, options] of [
  ["with JavaScript, on a desktop", { viewport: DESKTOP }],
  ["without JavaScript, on a phone", { viewport: PHONE, javaScriptEnabled: false }],
]) {
  test(`the masthead's search finds a piece by a body word typed without its accents (${name})`, { timeout: TEST_MS }, async () => {
    const { context, page, problems } = await openPage(browser, baseUrl, options);
    try {
      await goto(page, "/");
      const box = page.getByRole("searchbox", { name: /^Search / });
      await box.fill("aurelie mbemba", { timeout: STEP_MS });
      await Promise.all([page.waitForURL(/\/search\?q=aurelie\+mbemba$/, { timeout: NAV_MS }), box.press("Enter")]);
      await settle(page);
      assert.equal(await page.locator(".search__count").innerText({ timeout: STEP_MS }), "One piece found for “aurelie mbemba”.");
      const result = page.locator(".search-result");
      assert.equal(await result.count(), 1);
      assert.match(await result.locator("h2").innerText(), /Restitution/);
      assert.deepEqual(await result.locator("mark").allInnerTexts(), ["Aurélie", "Mbemba"]);
      // The search page's own form keeps the words; the result leads to the piece.
      assert.equal(await page.locator("#search-q").inputValue(), "aurelie mbemba");
      await noHorizontalScroll(page);
      await page.screenshot({ path: `/tmp/tribune-search-${options.javaScriptEnabled === false ? "phone" : "desktop"}.png`, fullPage: true });
      await Promise.all([page.waitForURL(/restitution/, { timeout: NAV_MS }), result.locator("h2 a").click()]);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
}

test("a date the search cannot read is shown beside its field, and the page says so to assistive technology", { timeout: TEST_MS }, async () => {
  const { context, page, problems } = await openPage(browser, baseUrl, { viewport: DESKTOP });
  try {
    await goto(page, "/search?q=museum");
    await page.locator("#search-from").evaluate((el) => { el.type = "text"; el.value = "last week"; });
    await Promise.all([page.waitForURL(/from=last\+week/, { timeout: NAV_MS }), page.getByRole("button", { name: "Search", exact: true }).last().click()]);
    const alert = page.getByRole("alert");
    assert.equal(await alert.innerText({ timeout: STEP_MS }), "Give a date as YYYY-MM-DD.");
    assert.equal(await page.locator("#search-from").getAttribute("aria-invalid"), "true");
    assert.deepEqual(problems.filter((p) => !p.includes("422")), []);
  } finally {
    await context.close();
  }
});

// A browser paints what it has read of a page when the rest is slow to come (a slow network, a busy phone: seen
// here as a layout shift on a loaded test machine, the search box pushed down by the reader's links read after
// it). So the masthead's parts, in the order the HTML has them, each take a place that nothing read before
// them depends on. The page is served cut short after each part, as the browser would first paint it, and
// every part already there must sit where it sits in the whole page.
const MASTHEAD = [
  ["the name", ".masthead__brand", '<form class="masthead__search"'],
  ["the search", ".masthead__search", '<div class="reader"'],
  ["the reader's links", "#reader", '<nav class="masthead__nav"'],
];

async function mastheadBoxes(page) {
  return page.evaluate((selectors) => Object.fromEntries(selectors.map((sel) => {
    const el = document.querySelector(sel);
    if (!el) return [sel, null];
    const r = el.getBoundingClientRect();
    return [sel, { x: Math.round(r.x), y: Math.round(r.y) }];
  })), MASTHEAD.map(([, sel]) => sel));
}

test("nothing in the masthead moves as the page arrives, signed in or not, from a phone to a desktop", { timeout: TEST_MS }, async () => {
  const res = await fetch(`${baseUrl}/api/v1/accounts`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ email: `masthead.${process.pid}@example.org`, password: "copper kettle marsh lantern",
                           display_name: "Marguerite Okonkwo-Delacroix" }),
    signal: AbortSignal.timeout(STEP_MS),
  });
  const reader = await session(res);
  const front = await (await fetch(baseUrl + "/", { signal: AbortSignal.timeout(STEP_MS) })).text();
  const articlePath = front.match(/<h[23][^>]*>\s*<a href="(\/[^"]+\/\d{4}\/\d{2}\/\d{2}\/[^"]+)"/)[1];
  for (const [who, cookie] of [["anonymous", null], ["signed in", reader.cookie]]) {
    const html = await (await fetch(baseUrl + articlePath, {
      headers: cookie ? { Cookie: cookie } : {}, signal: AbortSignal.timeout(STEP_MS),
    })).text();
    for (const width of [PHONE.width, 560, 800, DESKTOP.width]) {
      const { context, page } = await openPage(browser, baseUrl, { viewport: { width, height: 800 }, javaScriptEnabled: false });
      try {
        // The whole page, as served.
        await goto(page, articlePath);
        const whole = await mastheadBoxes(page);
        for (const [, sel] of MASTHEAD) assert.ok(whole[sel], `${sel} is in the ${who} page`);
        // The page cut short after each part but the last.
        for (const [i, [part, , next]] of MASTHEAD.slice(0, -1).entries()) {
          const cut = html.indexOf(next);
          assert.ok(cut > 0, `${next} is in the ${who} page`);
          await page.route(`${baseUrl}${articlePath}`, (route) =>
            route.fulfill({ status: 200, contentType: "text/html; charset=utf-8", body: html.slice(0, cut) }));
          await page.goto(articlePath, { waitUntil: "load" });
          await page.unroute(`${baseUrl}${articlePath}`);
          const partial = await mastheadBoxes(page);
          for (const [name, sel] of MASTHEAD.slice(0, i + 1))
            assert.deepEqual(partial[sel], whole[sel],
              `${name} moves when what follows ${part} arrives (${who}, ${width}px wide): ${JSON.stringify(partial)} vs ${JSON.stringify(whole)}`);
        }
      } finally {
        await context.close();
      }
    }
  }
});

// Readers' search in Chromium: the masthead's box on the front page leads to the results, a word typed without
// its accents finds the piece that has them, matches are marked, and the box fits a phone's masthead. With and
// without JavaScript (the form is a plain GET).
//
// Run: cd tests/browser && npm ci && node --test search.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  Tribune, launchBrowser, closeBrowser, openPage, goto, settle, noHorizontalScroll,
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

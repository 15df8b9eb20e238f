// Lighthouse scores (performance, accessibility, best practices, SEO) of Tribune's pages, desktop and mobile
// presets, against Debian's Chromium. Prints a table; asserts nothing (scores depend on the machine: run it on
// an idle one). The pages: the front page, an article with at least 50 comments, registration and support.
//
// Run: cd bench/lighthouse && npm ci && node run.mjs      (TRIBUNE_BIN to test another build)
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";
import desktopConfig from "lighthouse/core/config/desktop-config.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = process.env.TRIBUNE_BIN ? path.resolve(process.env.TRIBUNE_BIN) : path.resolve(here, "../../build/release/tribune");
const root = mkdtempSync(path.join(tmpdir(), "tribune-lighthouse-"));
writeFileSync(path.join(root, "tribune.toml"),
  "[limits]\ncomments_per_reader_per_minute = 100000\ncomments_per_ip_per_minute = 100000\nregistrations_per_ip_per_hour = 100000\n");
const server = spawn(bin, ["serve", "--data", path.join(root, "data"), "--listen", "127.0.0.1:0", "--demo",
                           "--config", path.join(root, "tribune.toml")], { stdio: ["ignore", "pipe", "inherit"] });
let chrome;

async function main() {
  const base = await new Promise((resolve, reject) => {
    let out = "";
    server.stdout.setEncoding("utf8");
    server.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) resolve(m[1]);
    });
    server.once("exit", (code) => reject(new Error(`tribune exited (${code})`)));
    setTimeout(() => reject(new Error("tribune did not start")), 15000);
  });
  const json = async (p, init) => {
    const r = await fetch(base + p, init);
    if (!r.ok) throw new Error(`${init?.method ?? "GET"} ${p}: ${r.status} ${await r.text()}`);
    return { body: await r.json(), headers: r.headers };
  };

  // The demo's busiest conversation, filled up to 50 comments by ten readers (some of them replies).
  const { articles } = (await json("/api/v1/articles?limit=50")).body;
  const article = articles.filter((a) => a.comments_open).sort((a, b) => b.comment_count - a.comment_count)[0];
  const readers = [];
  for (let i = 0; i < 10; i++) {
    const r = await json("/api/v1/accounts", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email: `lh${i}@example.org`, display_name: `Reader ${i}`, password: `reader ${i} long password` }),
    });
    const cookie = r.headers.getSetCookie().map((c) => c.split(";")[0]).find((c) => c.startsWith("tribune_session="));
    readers.push({ cookie, csrf: r.body.csrf_token });
  }
  let count = article.comment_count, last = null;
  for (let i = 0; count < 50; i++, count++) {
    const who = readers[i % readers.length];
    const body = { body: `Comment ${i}: a considered view on *this* argument, with a [source](https://example.org/${i}).` };
    if (last && i % 3 === 2) body.parent_id = last;
    const { body: posted } = await json(`/api/v1/articles/${article.slug}/comments`, {
      method: "POST", headers: { "Content-Type": "application/json", Cookie: who.cookie, "X-CSRF-Token": who.csrf },
      body: JSON.stringify(body),
    });
    last = posted.comment.id;
  }

  chrome = await chromeLauncher.launch({ chromePath: "/usr/bin/chromium",
                                         chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu"] });
  const pages = [["home", "/"], [`article (${count} comments)`, article.url], ["register", "/register"], ["support", "/support"]];
  const rows = [];
  for (const [preset, config] of [["desktop", desktopConfig], ["mobile", undefined]]) {
    for (const [name, p] of pages) {
      const result = await lighthouse(base + p, { port: chrome.port, output: "json", logLevel: "error" }, config);
      const c = result.lhr.categories;
      const score = (k) => Math.round((c[k]?.score ?? 0) * 100);
      rows.push({ preset, page: name, performance: score("performance"), accessibility: score("accessibility"),
                  "best-practices": score("best-practices"), seo: score("seo"),
                  lcp_ms: Math.round(result.lhr.audits["largest-contentful-paint"].numericValue),
                  cls: result.lhr.audits["cumulative-layout-shift"].numericValue.toFixed(3) });
    }
  }
  console.table(rows);
}

main()
  .catch((e) => { console.error(e); process.exitCode = 1; })
  .finally(async () => {
    if (chrome) await chrome.kill();
    server.kill("SIGTERM");
    rmSync(root, { recursive: true, force: true });
  });

#!/usr/bin/env python3
"""Does the cost of a page grow with the store? Times the article page and its comments API on a small
store (1,000 comments over 10 articles) and a large one (1,000,000 comments over 10,000 articles), for the
same article with the same 350-comment conversation (bench/gen_comments.py), and prints the ratio.

Every timed request misses the page cache on purpose (a throwaway query parameter), so what is measured is
the real work: the store queries and the rendering. Cached responses cost the same at any size.
Target: large / small <= 1.2 for each request. Everything stays on 127.0.0.1 and stops itself.

With --search it also times search on the large store (docs/search.md): readers' queries through
GET /api/v1/search (each from its own client address, as many readers would send them) and moderators'
text search of the comments through GET /api/v1/moderation/queue?view=all&q=, p50 and p99, on SQLite and,
with --pg URL (an empty scratch database: the large store is copied into it with `tribune store copy`), on
PostgreSQL too. Every article of the large store holds the newest demo piece's text, so a word of that text
matches all 10,000 of them: the ranking's worst case.

Usage: bench/scale.py [--requests 300] [--large-comments 1000000] [--large-articles 10000] [--keep DIR]
                      [--search] [--pg URL] [--skip-pages]
"""
import argparse
import http.client
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("TRIBUNE_BIN", os.path.join(ROOT, "build/release/tribune"))


def serve(data, demo=False, extra=()):
    args = [BIN, "serve", "--data", data, "--listen", "127.0.0.1:0"] + (["--demo"] if demo else []) + list(extra)
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        line = proc.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:(\d+)", line or "")
        if m:
            return proc, int(m.group(1))
        if proc.poll() is not None:
            break
    proc.kill()
    sys.exit("scale: tribune did not start")


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def build(data, articles, comments):
    os.makedirs(data, exist_ok=True)
    proc, _ = serve(data, demo=True)
    stop(proc)
    subprocess.run([sys.executable, os.path.join(ROOT, "bench/gen_comments.py"), data, "--articles", str(articles),
                    "--comments", str(comments), "--target-top", "200", "--target-replies", "150"], check=True,
                   timeout=3600)


def timed(port, paths, n):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    out = {}
    for name, path in paths.items():
        samples = []
        for i in range(n + 20):
            sep = "&" if "?" in path else "?"
            t = time.perf_counter()
            conn.request("GET", f"{path}{sep}bench={i}")
            r = conn.getresponse()
            r.read()
            dt = (time.perf_counter() - t) * 1000
            if r.status != 200:
                sys.exit(f"scale: {path} answered {r.status}")
            if i >= 20:  # the first requests warm the connection pools and the OS page cache
                samples.append(dt)
        samples.sort()
        out[name] = (statistics.median(samples), samples[int(len(samples) * 0.9)])
    conn.close()
    return out


def measure(data, n):
    proc, port = serve(data)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/api/v1/articles?limit=1")
        article = json.loads(conn.getresponse().read())["articles"][0]
        conn.close()
        slug, url = article["slug"], article["url"]
        paths = {
            "article page (newest)": url + "?sort=newest",
            "article page (top)": url + "?sort=top",
            "comments API, 50 newest": f"/api/v1/articles/{slug}/comments?limit=50",
            "comments API, 200 oldest": f"/api/v1/articles/{slug}/comments?limit=200&sort=oldest",
        }
        return timed(port, paths, n), article["comment_count"]
    finally:
        stop(proc)


# Readers' queries: (label, query string of /api/v1/search). The large store's 10,000 copies hold the newest
# demo piece ("Our cities must learn to hold water"); the other seven demo pieces are there once each.
READER_QUERIES = [
    ("word in every piece", "q=cities"),
    ("same, page 5", "q=cities&page=5"),
    ("diacritics typed without", "q=tomas"),
    ("phrase in every piece", "q=%22underground+network%22"),
    ("word in one piece", "q=restitution"),
    ("two words, one piece", "q=museum+restitution"),
    ("every piece, section + dates", "q=cities&section=politics&from=2008-07-01&to=2008-12-31"),
    ("word in no piece", "q=zyzzyva"),
]
# Moderators' text search over every comment, newest first, a page of 20 (bench/gen_comments.py writes its
# comments from 30 words): a word in most comments stops early; a word in none reads them all.
MODERATOR_QUERIES = [
    ("word in most comments", "view=all&q=housing&limit=20"),
    ("same, with a reader", "view=all&q=housing&reader=READER&limit=20"),
    ("word in no comment", "view=all&q=zyzzyva&limit=20"),
]


def percentile(samples, p):
    samples = sorted(samples)
    return samples[min(len(samples) - 1, int(len(samples) * p))]


def timed_search(port, queries, path, n, headers_for):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    out = {}
    for name, query in queries:
        samples, found = [], None
        for i in range(n + 5):
            t = time.perf_counter()
            conn.request("GET", f"{path}?{query}", headers=headers_for(i))
            r = conn.getresponse()
            body = r.read()
            dt = (time.perf_counter() - t) * 1000
            if r.status != 200:
                sys.exit(f"scale: {path}?{query} answered {r.status}: {body[:200]!r}")
            if i >= 5:  # the first requests warm the connection pools and the OS page cache
                samples.append(dt)
            if found is None:
                doc = json.loads(body)
                found = doc.get("total", len(doc.get("items", doc.get("results", []))))
        out[name] = (statistics.median(samples), percentile(samples, 0.99), found)
    conn.close()
    return out


def measure_search(data, n, store_url=None):
    """Times the readers' and moderators' queries on one store; returns {label: (p50, p99, found)}."""
    config = os.path.join(data, "bench-search.toml")
    with open(config, "w") as f:
        f.write('[server]\ntrusted_proxies = ["127.0.0.1"]\n')  # each query from its own reader's address
    store = ["--store", store_url] if store_url else []
    token = subprocess.run([BIN, "token", "create", "--data", data, "--name", "scale bench", "--role", "moderator"]
                           + store, check=True, capture_output=True, text=True, timeout=120).stdout.strip()
    t = time.time()
    proc, port = serve(data, extra=["--config", config] + store)
    print(f"scale: {'postgresql' if store_url else 'sqlite'}: serving after {time.time() - t:.1f} s", file=sys.stderr)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("GET", "/api/v1/moderation/queue?view=all&limit=1", headers={"Authorization": "Bearer " + token})
        reader = json.loads(conn.getresponse().read())["items"][0]["comment"]["author"]["id"]
        conn.close()
        readers = timed_search(port, READER_QUERIES, "/api/v1/search", n,
                               lambda i: {"X-Forwarded-For": f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}"})
        mods = [(k, q.replace("READER", str(reader))) for k, q in MODERATOR_QUERIES]
        moderators = timed_search(port, mods, "/api/v1/moderation/queue", max(20, n // 10),
                                  lambda i: {"Authorization": "Bearer " + token})
        return readers, moderators
    finally:
        stop(proc)


def print_search(results):
    engines = list(results)
    print(f"\n{'search on the large store':34}" + "".join(f" {e + ' p50':>16} {e + ' p99':>16}" for e in engines)
          + f" {'matches':>8}")
    for part, title in ((0, "readers (GET /api/v1/search)"), (1, "moderators (queue view=all&q=)")):
        print(f"  {title}")
        for key in results[engines[0]][part]:
            row = f"    {key:30}"
            for e in engines:
                p50, p99, found = results[e][part][key]
                row += f" {p50:14.2f}ms {p99:14.2f}ms"
            print(row + f" {results[engines[0]][part][key][2]:>8}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=300)
    ap.add_argument("--large-comments", type=int, default=1000000)
    ap.add_argument("--large-articles", type=int, default=10000)
    ap.add_argument("--keep", help="keep the generated stores in this folder")
    ap.add_argument("--search", action="store_true", help="also time search on the large store")
    ap.add_argument("--pg", help="with --search: copy the large store into this empty PostgreSQL database too")
    ap.add_argument("--skip-pages", action="store_true", help="with --search: only the search timings")
    a = ap.parse_args()
    work = a.keep or tempfile.mkdtemp(prefix="tribune-scale.")
    try:
        sizes = [("small", 10, 1000 - 350), ("large", a.large_articles, a.large_comments - 350)]
        if a.skip_pages:
            sizes = sizes[1:]
        results = {}
        for name, articles, comments in sizes:
            data = os.path.join(work, name)
            if not os.path.exists(os.path.join(data, "tribune.db")):
                t = time.time()
                build(data, articles, comments)
                print(f"scale: built the {name} store in {time.time() - t:.0f} s "
                      f"({os.path.getsize(os.path.join(data, 'tribune.db')) / 1e6:.0f} MB)", file=sys.stderr)
            if not a.skip_pages:
                results[name], count = measure(data, a.requests)
                print(f"scale: {name}: target article has {count} comments", file=sys.stderr)
        if a.search:
            large = os.path.join(work, "large")
            found = {"sqlite": measure_search(large, a.requests)}
            if a.pg:
                t = time.time()
                subprocess.run([BIN, "store", "copy", "--data", large, "--to", a.pg], check=True,
                               stdout=subprocess.DEVNULL, timeout=7200)
                print(f"scale: copied the large store to PostgreSQL in {time.time() - t:.0f} s", file=sys.stderr)
                found["postgresql"] = measure_search(large, a.requests, a.pg)
            print_search(found)
        if a.skip_pages:
            return
        print(f"\n{'request (uncached)':28} {'small p50':>10} {'large p50':>10} {'ratio':>6} {'small p90':>10} {'large p90':>10}")
        worst = 0.0
        for key in results["small"]:
            s50, s90 = results["small"][key]
            l50, l90 = results["large"][key]
            ratio = l50 / s50
            worst = max(worst, ratio)
            print(f"{key:28} {s50:9.2f}ms {l50:9.2f}ms {ratio:5.2f}x {s90:9.2f}ms {l90:9.2f}ms")
        print(f"\ntarget: large/small <= 1.2x at the median: worst {worst:.2f}x, {'MET' if worst <= 1.2 else 'NOT MET'}")
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

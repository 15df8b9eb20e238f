#!/usr/bin/env python3
"""Does the cost of a page grow with the store? Times the article page and its comments API on a small
store (1,000 comments over 10 articles) and a large one (1,000,000 comments over 10,000 articles), for the
same article with the same 350-comment conversation (bench/gen_comments.py), and prints the ratio.

Every timed request misses the page cache on purpose (a throwaway query parameter), so what is measured is
the real work: the store queries and the rendering. Cached responses cost the same at any size.
Target: large / small <= 1.2 for each request. Everything stays on 127.0.0.1 and stops itself.

Usage: bench/scale.py [--requests 300] [--large-comments 1000000] [--large-articles 10000] [--keep DIR]
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


def serve(data, demo=False):
    args = [BIN, "serve", "--data", data, "--listen", "127.0.0.1:0"] + (["--demo"] if demo else [])
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


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=300)
    ap.add_argument("--large-comments", type=int, default=1000000)
    ap.add_argument("--large-articles", type=int, default=10000)
    ap.add_argument("--keep", help="keep the generated stores in this folder")
    a = ap.parse_args()
    work = a.keep or tempfile.mkdtemp(prefix="tribune-scale.")
    try:
        sizes = [("small", 10, 1000 - 350), ("large", a.large_articles, a.large_comments - 350)]
        results = {}
        for name, articles, comments in sizes:
            data = os.path.join(work, name)
            if not os.path.exists(os.path.join(data, "tribune.db")):
                t = time.time()
                build(data, articles, comments)
                print(f"scale: built the {name} store in {time.time() - t:.0f} s "
                      f"({os.path.getsize(os.path.join(data, 'tribune.db')) / 1e6:.0f} MB)", file=sys.stderr)
            results[name], count = measure(data, a.requests)
            print(f"scale: {name}: target article has {count} comments", file=sys.stderr)
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

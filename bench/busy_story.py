#!/usr/bin/env python3
"""A story while its conversation is busy (issue 19, item 1): 64 connections read the article page (or its
200-comment JSON) while readers post comments to it at a steady rate, against nginx serving the page's bytes as
a static file. Runs alternate Tribune and nginx so that drift on a shared machine falls on both.

The posts are new top-level comments, so the first screen's long threads give way to short new ones and the
page shrinks as a run goes on: nginx serves the page as the checker below read it during each Tribune run, each
version in turn, so that both serve the same sizes.

Freshness is checked while the load runs: every 100 ms a checker reads the page as an anonymous reader and
compares the comment count it shows with the comments acknowledged (201) more than 1 s before that read began;
the page must never show fewer. Prints, per posting rate, Tribune's and nginx's requests/s, the ratio with its
goal, p99, the posts acknowledged and the freshness checks (and the worst lag seen).

Usage: bench/busy_story.py [--rates 0,25,100] [--duration 10] [--json] [--bin build/release/tribune]
127.0.0.1 only; every process it starts is stopped.
"""
import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOALS = {25: 0.8, 100: 0.6}
UA = "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("--rates", default="0,25,100", help="posting rates to run, comments per second")
ap.add_argument("--duration", type=int, default=10, help="seconds per run")
ap.add_argument("--json", action="store_true", help="read the 200-comment JSON instead of the page")
ap.add_argument("--posters", type=int, default=8, help="reader accounts posting")
ap.add_argument("--bin", default=os.environ.get("TRIBUNE_BIN", os.path.join(ROOT, "build", "release", "tribune")))
args = ap.parse_args()
rates = [int(r) for r in args.rates.split(",")]

for tool, package in (("wrk", "wrk"), ("nginx", "nginx-light")):
    if not shutil.which(tool) and not os.path.exists("/usr/sbin/" + tool):
        subprocess.run(["apt-get", "install", "-y", "-qq", package], check=True, stdout=subprocess.DEVNULL,
                       env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

work = tempfile.mkdtemp(prefix="tribune-busy-")
procs = []


def cleanup(*_):
    for p in procs:
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
    shutil.rmtree(work, ignore_errors=True)


signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def die(message):
    print("bench: " + message, file=sys.stderr)
    sys.exit(1)


def serve(data, extra=()):
    out = open(os.path.join(work, "tribune.out"), "w+")
    p = subprocess.Popen([args.bin, "serve", "--data", data, "--listen", "127.0.0.1:0", "--demo", *extra],
                         stdout=out, stderr=subprocess.STDOUT)
    procs.append(p)
    for _ in range(300):
        out.seek(0)
        m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", out.read())
        if m:
            return p, int(m.group(1))
        if p.poll() is not None:
            break
        time.sleep(0.1)
    out.seek(0)
    die("tribune did not start:\n" + out.read()[-2000:])


def stop(p):
    p.terminate()
    p.wait(10)


def request(port, method, path, body=None, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    h = {"User-Agent": UA, **(headers or {})}
    if body is not None:
        h["Content-Type"] = "application/json"
    c.request(method, path, json.dumps(body) if body is not None else None, h)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r, data


def wrk(url, paths):
    # Both sides go through the same Lua request() (it costs the client a little on these shared cores): Tribune
    # with its one path, nginx with the snapshots of the page Tribune served during the run, in turn.
    script = os.path.join(work, "paths.lua")
    with open(script, "w") as f:
        f.write("local paths = {" + ", ".join(json.dumps(p) for p in paths) + "}\n"
                "local i = 0\n"
                "request = function()\n  i = i % #paths + 1\n  return wrk.format(nil, paths[i])\nend\n")
    out = subprocess.run(["wrk", "-t2", "-c64", f"-d{args.duration}s", "--latency", "-H", f"User-Agent: {UA}",
                          "-s", script, url], capture_output=True, text=True, timeout=args.duration + 60).stdout
    if os.environ.get("BENCH_VERBOSE"):
        print(out, file=sys.stderr)
    rps = float(re.search(r"Requests/sec:\s*([\d.]+)", out).group(1))
    p99 = re.search(r"^\s*99%\s+(\S+)", out, re.M).group(1)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    m = re.search(r"Transfer/sec:\s*([\d.]+)([KMG]?)B", out)
    per_second = float(m.group(1)) * {"": 1, "K": 2**10, "M": 2**20, "G": 2**30}[m.group(2)]
    print(f"bench: {url}: {rps:.0f} req/s, {per_second / max(rps, 1):,.0f} B a response", file=sys.stderr)
    return rps, p99, int(errors.group(1)) if errors else 0


def main():
    data = os.path.join(work, "data")
    os.makedirs(data)
    # The demo, then a conversation of 200 comments and 150 replies on its newest article (the page a reader
    # opens shows 50 threads and their replies), written with no server running.
    p, _ = serve(data)
    stop(p)
    subprocess.run([sys.executable, os.path.join(ROOT, "bench", "gen_comments.py"), data, "--articles", "0",
                    "--comments", "0", "--readers", "500", "--target-top", "200", "--target-replies", "150"],
                   check=True, stdout=subprocess.DEVNULL)
    config = os.path.join(work, "tribune.toml")
    open(config, "w").write("[limits]\ncomments_per_reader_per_minute = 100000000\n"
                            "comments_per_ip_per_minute = 100000000\nregistrations_per_ip_per_hour = 100000\n")
    tribune, port = serve(data, ["--config", config])
    articles = json.loads(request(port, "GET", "/api/v1/articles?limit=50")[1])["articles"]
    target = max(articles, key=lambda a: a["published_at"])
    slug, page = target["slug"], target["url"]
    path = f"/api/v1/articles/{slug}/comments?limit=200" if args.json else page

    posters = []
    for i in range(args.posters):
        r, body = request(port, "POST", "/api/v1/accounts", {"email": f"poster{i}@example.org",
                                                              "display_name": f"Busy Reader {i}",
                                                              "password": "a busy story reader password"})
        if r.status != 201:
            die(f"registering a poster: {r.status} {body[:200]!r}")
        cookie = [v.split(";")[0] for k, v in r.getheaders() if k.lower() == "set-cookie"
                  and v.startswith("tribune_session")]
        posters.append({"Cookie": cookie[0], "X-CSRF-Token": json.loads(body)["csrf_token"]})

    count_re = re.compile(rb'"total":(\d+)' if args.json else rb'class="conversation__number">(\d+)<')

    def shown(conn):
        conn.request("GET", path, headers={"User-Agent": UA})
        r = conn.getresponse()
        body = r.read()
        m = count_re.search(body)
        if r.status != 200 or not m:
            die(f"the checker's read: {r.status}, no comment count")
        return int(m.group(1)), body

    nginx_dir = os.path.join(work, "nginx")
    os.makedirs(os.path.join(nginx_dir, "html"))
    os.makedirs(os.path.join(nginx_dir, "tmp"))
    _, snapshot = shown(http.client.HTTPConnection("127.0.0.1", port, timeout=10))
    open(os.path.join(nginx_dir, "html", "page"), "wb").write(snapshot)  # for the start-up probe
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        nginx_port = s.getsockname()[1]
    kind = "application/json" if args.json else "text/html"
    open(os.path.join(nginx_dir, "nginx.conf"), "w").write(f"""
worker_processes 2; daemon off; pid {nginx_dir}/nginx.pid; error_log {nginx_dir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off; sendfile on; tcp_nopush on; keepalive_timeout 65; keepalive_requests 1000000;
    client_body_temp_path {nginx_dir}/tmp/body; proxy_temp_path {nginx_dir}/tmp/proxy;
    fastcgi_temp_path {nginx_dir}/tmp/fastcgi; uwsgi_temp_path {nginx_dir}/tmp/uwsgi; scgi_temp_path {nginx_dir}/tmp/scgi;
    types {{ }}
    server {{ listen 127.0.0.1:{nginx_port}; root {nginx_dir}/html;
             location /page {{ default_type "{kind}; charset=utf-8"; }} }}
}}""")
    os.chmod(work, 0o755)
    procs.append(subprocess.Popen([NGINX, "-p", nginx_dir, "-c", os.path.join(nginx_dir, "nginx.conf"),
                                   "-e", os.path.join(nginx_dir, "error.log")], stderr=subprocess.DEVNULL))
    for _ in range(50):
        try:
            if request(nginx_port, "GET", "/page")[0].status == 200:
                break
        except OSError:
            pass
        time.sleep(0.1)
    else:
        die("nginx did not start")

    print(f"bench: {'JSON' if args.json else 'page'} {path} ({len(snapshot):,} B), {args.duration} s runs, "
          f"wrk -t2 -c64, {args.posters} posters", file=sys.stderr)
    results = []
    for rate in rates:
        acks, failures, checks, lag, snapshots = [], [], [0, 0], [0.0], []
        stop_at = [None]
        start_count = shown(http.client.HTTPConnection("127.0.0.1", port, timeout=10))[0]
        lock = threading.Lock()
        next_post = [0]
        t0 = time.monotonic() + 0.5

        def poster(headers):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            while True:
                with lock:
                    i = next_post[0]
                    next_post[0] += 1
                due = t0 + i / rate
                if stop_at[0] is not None and due >= stop_at[0]:
                    return
                time.sleep(max(0.0, due - time.monotonic()))
                conn.request("POST", f"/api/v1/articles/{slug}/comments",
                             json.dumps({"body": f"Busy story comment {rate}-{i}: the council's budget, again and "
                                                 "again, and what the water board should have said about it."}),
                             {**headers, "User-Agent": UA, "Content-Type": "application/json"})
                r = conn.getresponse()
                body = r.read()
                if r.status == 201 and json.loads(body).get("status", "published") == "published":
                    with lock:
                        acks.append(time.monotonic())
                else:
                    failures.append((r.status, body[:200]))

        def checker():
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            while stop_at[0] is None or time.monotonic() < stop_at[0] + 1.5:
                began = time.monotonic()
                with lock:
                    owed = start_count + sum(1 for a in acks if a < began - 1.0)
                    owed_times = sorted(a for a in acks)
                count, body = shown(conn)
                if stop_at[0] is None and began >= t0:
                    snapshots.append(body)
                checks[0] += 1
                if count < owed:
                    checks[1] += 1
                # The lag: how long ago the oldest acknowledged comment the page lacks was acknowledged.
                missing = len(owed_times) - (count - start_count)
                if missing > 0:
                    lag[0] = max(lag[0], began - owed_times[len(owed_times) - missing])
                time.sleep(0.1)

        workers = [threading.Thread(target=poster, args=(posters[i % len(posters)],), daemon=True)
                   for i in range(8 if rate else 0)] + [threading.Thread(target=checker, daemon=True)]
        for t in workers:
            t.start()
        time.sleep(max(0.0, t0 - time.monotonic()))
        t_rps, t_p99, t_err = wrk(f"http://127.0.0.1:{port}", [path])
        elapsed = time.monotonic() - t0
        stop_at[0] = time.monotonic()
        for t in workers:
            t.join(30)
        # nginx serves what Tribune served: the page as the checker read it every 100 ms during the run (posts
        # push long threads off the first screen, so the page shrinks as a run goes on; serving only its last,
        # smallest version flattered nginx by about a tenth).
        if not snapshots:
            snapshots.append(shown(http.client.HTTPConnection("127.0.0.1", port, timeout=10))[1])
        for i, body in enumerate(snapshots):
            open(os.path.join(nginx_dir, "html", f"page{i}"), "wb").write(body)
        # The snapshots are even in time, but Tribune answered more requests while the page was small: each
        # goes into nginx's turn about in inverse proportion to its size, so that both answer the same mix
        # (the "B a response" lines show how close).
        smallest = min(len(b) for b in snapshots)
        turns = [f"/page{i}" for i, b in enumerate(snapshots) for _ in range(max(1, round(8 * smallest / len(b))))]
        n_rps, n_p99, _ = wrk(f"http://127.0.0.1:{nginx_port}", turns)
        if tribune.poll() is not None:
            die("tribune died")
        if failures:
            print(f"bench: {len(failures)} posts failed, first: {failures[0]}", file=sys.stderr)
        results.append((rate, len(acks) / max(elapsed, 0.001), t_rps, t_p99, t_err, n_rps, n_p99, checks, lag[0]))
        print(f"bench: {rate}/s done: tribune {t_rps:.0f} req/s, nginx {n_rps:.0f}", file=sys.stderr)

    rss = open(f"/proc/{tribune.pid}/status").read()
    rss = re.search(r"VmRSS:\s*(\d+)", rss).group(1)
    print()
    print(f"{'posts/s':>8} {'acked/s':>8} {'tribune req/s':>14} {'p99':>9} {'nginx req/s':>12} {'ratio':>6} "
          f"{'goal':>6}  freshness (checks, late, worst lag)")
    verdicts = []
    for rate, acked, t_rps, t_p99, t_err, n_rps, n_p99, checks, worst in results:
        ratio = t_rps / n_rps if n_rps else 0.0
        goal = GOALS.get(rate)
        verdict = "" if goal is None else ("MET" if ratio >= goal else "NOT MET")
        verdicts.append(verdict)
        print(f"{rate:>8} {acked:>8.1f} {t_rps:>14.0f} {t_p99:>9} {n_rps:>12.0f} {ratio:>5.2f}x "
              f"{(f'>={goal}' if goal else '-'):>6}  {checks[0]} checks, {checks[1]} late, worst lag {worst:.2f} s"
              f"{'  ' + verdict if verdict else ''}{f'  ({t_err} non-2xx)' if t_err else ''}")
    print(f"tribune RSS after the runs: {int(rss) / 1024:.1f} MB")
    late = sum(r[7][1] for r in results)
    print(f"freshness: {'every read showed every comment acknowledged over 1 s before it' if not late else f'{late} reads LATE'}")
    return 1 if late else 0


try:
    sys.exit(main())
finally:
    cleanup()

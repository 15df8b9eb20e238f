#!/usr/bin/env python3
"""Soak: mixed load for a while on one node (SQLite) or two nodes sharing PostgreSQL, watching the process.

The load, from threads of this process, each request timed: anonymous page reads (front page, articles),
signed-in page reads, comments posted, recommends, follows and unfollows, live readers (SSE) connecting and
leaving after a moment, sign-ins and sign-outs, and contributions paid through the local Stripe stand-in
(tests/stripe_standin.py), whose signed webhooks the node fulfils. With two nodes every client picks a node
for each request, so comments posted on one reach live readers on the other.

Every second it reads each node's resident memory, open file descriptors and threads from /proc. It prints a
line per period (a minute, or a tenth of a short run): requests, errors, p50/p99 latency, RSS, descriptors,
threads. It fails on any 5xx or refused connection, on any acknowledged comment, recommend or contribution
missing from the store at the end, and on RSS or descriptors growing more than 10% from the end of the warm-up
(a fifth of the run; half of a run under 5 minutes) to the end.

Usage: soak.py path/to/tribune [--seconds 600] [--nodes 1|2]
Two nodes need TRIBUNE_TEST_PG (a server where it may create a database); without it exits 77 (skipped).
127.0.0.1 only; every server it starts is stopped; bounded by --seconds plus a minute.
"""
import argparse
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "durability"))
from harness import free_port, serve  # noqa: E402
STANDIN = os.path.join(HERE, "..", "stripe_standin.py")
BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"


class Results:
    """Every request's (time, kind, status, seconds); failures with what they were."""

    def __init__(self):
        self.lock = threading.Lock()
        self.samples = []
        self.failures = []

    def add(self, kind, status, seconds, detail=""):
        with self.lock:
            self.samples.append((time.monotonic(), kind, status, seconds))
            if status == 0 or status >= 500:
                self.failures.append(f"{kind}: {status} {detail}"[:300])


class Client:
    """One keep-alive connection per thread and node; a dropped connection is reopened once."""

    def __init__(self, ports, results):
        self.ports, self.results, self.conns = ports, results, {}

    def call(self, kind, method, path, body=None, headers=None, port=None):
        port = port or random.choice(self.ports)
        h = {"User-Agent": BROWSER_UA}
        if body is not None:
            h["Content-Type"] = "application/json"
        h.update(headers or {})
        payload = json.dumps(body) if body is not None else None
        started = time.monotonic()
        for attempt in (1, 2):
            conn = self.conns.get(port) or http.client.HTTPConnection("127.0.0.1", port, timeout=20)
            self.conns[port] = conn
            try:
                conn.request(method, path, payload, h)
                r = conn.getresponse()
                data = r.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as e:
                conn.close()
                self.conns.pop(port, None)
                if attempt == 2:
                    self.results.add(kind, 0, time.monotonic() - started, repr(e))
                    return 0, None, None
            except OSError as e:
                conn.close()
                self.conns.pop(port, None)
                self.results.add(kind, 0, time.monotonic() - started, repr(e))
                return 0, None, None
        elapsed = time.monotonic() - started
        self.results.add(kind, r.status, elapsed, data[:200].decode(errors="replace"))
        doc = None
        if data and (r.getheader("Content-Type") or "").startswith("application/json"):
            doc = json.loads(data)
        return r.status, doc, r.getheader("Set-Cookie")


def sign_up(client, i, tag):
    status, doc, cookie = client.call("register", "POST", "/api/v1/accounts", {
        "email": f"soak{tag}{i}@example.org", "display_name": f"Soak {tag}{i}",
        "password": "a soak test reader's password"}, port=client.ports[0])
    assert status == 201, (status, doc)
    return {"id": doc["account"]["id"], "email": f"soak{tag}{i}@example.org",
            "headers": {"Cookie": cookie.split(";")[0], "X-CSRF-Token": doc["csrf_token"]}}


def proc_stats(pid):
    with open(f"/proc/{pid}/status") as f:
        status = f.read()
    rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
    threads = int(re.search(r"Threads:\s+(\d+)", status).group(1))
    return rss, len(os.listdir(f"/proc/{pid}/fd")), threads


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("binary")
    ap.add_argument("--seconds", type=int, default=600)
    ap.add_argument("--nodes", type=int, choices=(1, 2), default=1)
    a = ap.parse_args()
    pg = os.environ.get("TRIBUNE_TEST_PG")
    if a.nodes == 2 and not pg:
        print("skipped: two nodes need TRIBUNE_TEST_PG")
        return 77
    work = tempfile.mkdtemp(prefix="tribune-soak-")
    procs, db = [], None
    deadline = time.monotonic() + a.seconds + 60
    try:
        standin_port = free_port()
        standin = subprocess.Popen([sys.executable, STANDIN, "--port", str(standin_port), "--lifetime",
                                    str(a.seconds + 120)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(standin)
        config = os.path.join(work, "tribune.toml")
        with open(config, "w") as f:
            f.write(f"""[server]
trusted_proxies = ["127.0.0.1"]
[limits]
registrations_per_ip_per_hour = 100000
sign_ins_per_ip_per_15_minutes = 100000
comments_per_reader_per_minute = 100000
comments_per_ip_per_minute = 100000
reactions_per_reader_per_minute = 100000
[stripe]
secret_key = "sk_test_standin"
webhook_secret = "whsec_standin"
api_base = "http://127.0.0.1:{standin_port}"
checkout_origin = "http://127.0.0.1:{standin_port}"
[appeal]
max_amount = 100000
""")
        store = []
        if a.nodes == 2:
            db = "soak_" + uuid.uuid4().hex[:8]
            subprocess.run(["psql", pg, "-qc", f"CREATE DATABASE {db}"], check=True, capture_output=True)
            store = ["--store", pg.rsplit("/", 1)[0] + "/" + db]
        ports = []
        for n in range(a.nodes):
            port = free_port()
            data = os.path.join(work, f"node{n}")
            os.mkdir(data)
            procs.append(serve(a.binary, data, port, os.path.join(work, f"node{n}.log"), "--config", config,
                               *store, *(["--demo"] if n == 0 else []), seconds=60))
            ports.append(port)
        nodes = procs[1:]
        for _ in range(100):  # the stand-in is up
            try:
                socket.create_connection(("127.0.0.1", standin_port), 1).close()
                break
            except OSError:
                time.sleep(0.05)
        http.client.HTTPConnection("127.0.0.1", standin_port).request(
            "POST", "/_test/config", json.dumps({"webhook_url": f"http://127.0.0.1:{ports[0]}/webhooks/stripe"}))

        results = Results()
        setup = Client(ports, results)
        articles = [x for x in setup.call("setup", "GET", "/api/v1/articles?limit=50", port=ports[0])[1]["articles"]]
        open_slugs = [x["slug"] for x in articles if x["comments_open"]]
        urls = [x["url"] for x in articles]
        assert open_slugs, "no article open for comments"
        readers = [sign_up(setup, i, "r") for i in range(12)]
        stop = threading.Event()
        acked = {"comments": [], "recommends": set(), "contributions": []}
        lock = threading.Lock()

        def loop(fn):
            def run():
                client = Client(ports, results)
                rng = random.Random()
                while not stop.is_set() and time.monotonic() < deadline:
                    try:
                        fn(client, rng)
                    except Exception as e:  # a bad answer (unreadable, cut short) is a failure, not less load
                        results.add(fn.__name__, 0, 0.0, f"{type(e).__name__}: {e}")
                        time.sleep(0.1)
            return run

        def anonymous(client, rng):
            client.call("page", "GET", rng.choice(["/"] + urls))

        def signed_in(client, rng):
            r = rng.choice(readers)
            client.call("page (signed in)", "GET", rng.choice(urls), headers={"Cookie": r["headers"]["Cookie"]})

        def post(client, rng):
            r = rng.choice(readers)
            slug = rng.choice(open_slugs)
            status, doc, _ = client.call("post", "POST", f"/api/v1/articles/{slug}/comments",
                                         {"body": f"Soak comment {uuid.uuid4().hex[:10]} on the question."},
                                         r["headers"])
            if status == 201:
                with lock:
                    acked["comments"].append((doc["comment"]["id"], r["id"]))
            time.sleep(rng.uniform(0.02, 0.1))

        def react(client, rng):
            with lock:
                mine = [c for c in acked["comments"][-200:]]
            if not mine:
                time.sleep(0.1)
                return
            cid, author = rng.choice(mine)
            r = rng.choice([x for x in readers if x["id"] != author])
            status, _, _ = client.call("recommend", "PUT", f"/api/v1/comments/{cid}/reactions/recommend",
                                       headers=r["headers"])
            if status == 200:
                with lock:
                    acked["recommends"].add((cid, r["id"]))
            time.sleep(rng.uniform(0.02, 0.1))

        def follow(client, rng):
            r, other = rng.sample(readers, 2)
            method = rng.choice(["PUT", "DELETE"])
            client.call("follow", method, f"/api/v1/readers/{other['id']}/follow", headers=r["headers"])
            time.sleep(rng.uniform(0.05, 0.2))

        def live(client, rng):
            port = rng.choice(ports)
            slug = rng.choice(open_slugs)
            started = time.monotonic()
            try:
                s = socket.create_connection(("127.0.0.1", port), 10)
                s.sendall(f"GET /api/v1/articles/{slug}/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          f"Accept: text/event-stream\r\nUser-Agent: {BROWSER_UA}\r\n\r\n".encode())
                s.settimeout(10)
                head = s.recv(4096)
                ok = head.startswith(b"HTTP/1.1 200")
                results.add("live", 200 if ok else int(head[9:12] or 0), time.monotonic() - started,
                            head[:100].decode(errors="replace"))
                until = time.monotonic() + rng.uniform(0.5, 4)
                s.settimeout(0.5)
                while time.monotonic() < until and not stop.is_set():
                    try:
                        if not s.recv(65536):
                            break
                    except socket.timeout:
                        pass
                s.close()
            except OSError as e:
                results.add("live", 0, time.monotonic() - started, repr(e))

        def sign_in(client, rng):
            r = rng.choice(readers)
            status, doc, cookie = client.call("sign in", "POST", "/api/v1/sessions",
                                              {"email": r["email"], "password": "a soak test reader's password"})
            if status == 200:
                h = {"Cookie": cookie.split(";")[0], "X-CSRF-Token": doc["csrf_token"]}
                client.call("sign out", "DELETE", "/api/v1/sessions/current", headers=h)
            time.sleep(rng.uniform(0.2, 0.5))

        def contribute(client, rng):
            # Each from its own reader's address (behind the trusted proxy), as the checkout limit is per address.
            status, doc, _ = client.call("checkout", "POST", "/api/v1/contributions/checkout",
                                         {"amount": rng.randint(1, 50), "article": rng.choice(open_slugs)},
                                         {"X-Forwarded-For": f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"})
            if status != 201:
                time.sleep(0.5)
                return
            sid = doc["checkout_url"].rstrip("/").rsplit("/", 1)[-1]
            c = http.client.HTTPConnection("127.0.0.1", standin_port, timeout=20)
            started = time.monotonic()
            c.request("POST", f"/_test/sessions/{sid}/events", json.dumps({"scenario": "paid"}))
            answer = json.loads(c.getresponse().read())
            c.close()
            delivered = answer.get("delivered", [])
            worst = max([d.get("status", 0) for d in delivered] or [0])
            results.add("contribution webhook", worst, time.monotonic() - started, json.dumps(delivered)[:200])
            if delivered and all(d.get("status") == 200 for d in delivered):
                with lock:
                    acked["contributions"].append(doc["contribution"]["id"])
            time.sleep(rng.uniform(0.3, 0.8))

        plan = [(anonymous, 4), (signed_in, 2), (post, 2), (react, 1), (follow, 1), (live, 3), (sign_in, 1),
                (contribute, 1)]
        threads = [threading.Thread(target=loop(fn), daemon=True) for fn, n in plan for _ in range(n)]
        started = time.monotonic()
        for t in threads:
            t.start()
        # Caches (pages, readers' slots, the store's pages, allocator arenas) fill in the first minutes: a short
        # run waits half its length before it watches for growth, a long one a fifth.
        warmup = max(10.0, a.seconds / 2 if a.seconds < 300 else a.seconds / 5)
        period = 60.0 if a.seconds >= 300 else max(5.0, a.seconds / 10)
        stats = []  # (seconds since start, [(rss_kb, fds, threads) per node])
        while time.monotonic() - started < a.seconds:
            time.sleep(1)
            stats.append((time.monotonic() - started, [proc_stats(p.pid) for p in nodes]))
            for p in nodes:
                if p.poll() is not None:
                    stop.set()
                    sys.exit(f"a node exited during the soak (code {p.returncode})")
        stop.set()
        for t in threads:
            t.join(30)
        if any(t.is_alive() for t in threads):
            print("FAIL: a load thread did not finish")
            return 1

        # The report: one line per period.
        print(f"soak: {a.nodes} node(s){' on PostgreSQL' if a.nodes == 2 else ' on SQLite'}, {a.seconds} s, "
              f"warm-up {warmup:.0f} s")
        print(f"{'period':>9} {'requests':>9} {'req/s':>7} {'errors':>6} {'p50 ms':>8} {'p99 ms':>8} "
              + " ".join(f"{'RSS MB n' + str(i):>10} {'fds':>5} {'thr':>4}" for i in range(a.nodes)))
        samples = sorted(results.samples)
        t0 = started
        for k in range(int(a.seconds // period)):
            lo, hi = t0 + k * period, t0 + (k + 1) * period
            window = [s for s in samples if lo <= s[0] < hi and s[1] not in ("live", "contribution webhook")]
            lat = sorted(s[3] * 1000 for s in window)
            errors = sum(1 for s in window if s[2] == 0 or s[2] >= 500)
            at = [st for st in stats if st[0] <= (k + 1) * period]
            node_cols = " ".join(f"{at[-1][1][i][0] / 1024:10.1f} {at[-1][1][i][1]:5d} {at[-1][1][i][2]:4d}"
                                 for i in range(a.nodes)) if at else ""
            p50 = statistics.median(lat) if lat else 0
            p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] if lat else 0
            print(f"{(k + 1) * period:8.0f}s {len(window):9d} {len(window) / period:7.0f} {errors:6d} {p50:8.2f} "
                  f"{p99:8.2f} {node_cols}")
        kinds = {}
        for s in samples:
            counts = kinds.setdefault(s[1], {})
            counts[s[2]] = counts.get(s[2], 0) + 1
        print("requests by kind (status: count): " + "; ".join(
            f"{k} " + ", ".join(f"{status}: {n}" for status, n in sorted(v.items())) for k, v in sorted(kinds.items())))

        problems = []
        if results.failures:
            problems.append(f"{len(results.failures)} failed requests (5xx or refused), e.g. {results.failures[:5]}")
        # Growth: the median of the 5 samples at the end of the warm-up against the median of the last 5.
        for i in range(a.nodes):
            base = [st[1][i] for st in stats if warmup - 5 <= st[0] <= warmup]
            last = [st[1][i] for st in stats[-5:]]
            for col, name in ((0, "RSS"), (1, "open descriptors"), (2, "threads")):
                b = statistics.median(x[col] for x in base)
                e = statistics.median(x[col] for x in last)
                growth = (e - b) / b
                print(f"node {i}: {name} {b:.0f} -> {e:.0f} after the warm-up ({growth * 100:+.1f}%)")
                if growth > 0.10:
                    problems.append(f"node {i}: {name} grew {growth * 100:.1f}% after the warm-up")

        # Nothing acknowledged is missing from the store.
        if a.nodes == 2:
            def rows(sql):
                out = subprocess.run(["psql", store[1], "-qAtc", sql], check=True, capture_output=True, text=True)
                return [tuple(line.split("|")) for line in out.stdout.split()]
        else:
            sq = sqlite3.connect(os.path.join(work, "node0", "tribune.db"))

            def rows(sql):
                return [tuple(str(v) for v in r) for r in sq.execute(sql)]
        stored_comments = {int(r[0]) for r in rows("SELECT id FROM comments")}
        stored_recommends = {(int(r[0]), int(r[1])) for r in rows(
            "SELECT comment_id, account_id FROM comment_reactions WHERE kind = 'recommend'")}
        paid = {int(r[0]) for r in rows("SELECT id FROM contributions WHERE status IN ('paid', 'succeeded', 'active')")}
        lost_comments = [c for c, _ in acked["comments"] if c not in stored_comments]
        lost_recommends = [r for r in acked["recommends"] if r not in stored_recommends]
        lost_contributions = [c for c in acked["contributions"] if c not in paid]
        print(f"acknowledged: {len(acked['comments'])} comments, {len(acked['recommends'])} recommends, "
              f"{len(acked['contributions'])} paid contributions; missing from the store: {len(lost_comments)}, "
              f"{len(lost_recommends)}, {len(lost_contributions)}")
        if not acked["comments"] or not acked["contributions"]:
            problems.append("the load did not get comments and contributions acknowledged")
        if lost_comments or lost_recommends or lost_contributions:
            problems.append(f"lost acknowledged writes: comments {lost_comments[:5]}, recommends "
                            f"{lost_recommends[:5]}, contributions {lost_contributions[:5]}")
        for p in problems:
            print("FAIL: " + p)
        print("soak: " + ("ok" if not problems else "failed"))
        return 1 if problems else 0
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()
        if db:
            subprocess.run(["psql", pg, "-qc", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"], capture_output=True)
        if os.environ.get("SOAK_KEEP"):
            print(f"soak: kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Reads on a streaming replica that lags: two Tribune nodes share a PostgreSQL primary and read from its hot
standby. With WAL replay paused on the standby (it keeps serving an old snapshot), a comment posted on node A
is seen at once by its author on node B, by anyone on node A, and by anyone on node B as soon as B has heard
of it; a write no node hears of (a follow) is seen by its author through the tribune_pos cookie; a fresh
position skips a node's cache; once replay resumes the replica answers reads again; when it stops, reads go to the primary and
nothing fails. A --replica that is not a standby, or without a PostgreSQL store, is refused at start.

Usage: replica_test.py path/to/tribune. Runs its own primary and standby (free ports) with
scripts/pg-cluster.sh; exits 77 (skipped) when PostgreSQL's binaries are not installed. 127.0.0.1 only.
"""
import http.client, json, os, re, shutil, socket, subprocess, sys, tempfile, time

BIN = sys.argv[1]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLUSTER = os.path.join(ROOT, "scripts", "pg-cluster.sh")


def free_port():
    """A port nothing listens on now (fixed ports collided with other clusters and lingering connections)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return str(s.getsockname()[1])


PRIMARY = dict(os.environ, TRIBUNE_PG_PORT=free_port(), TRIBUNE_PG_STATE="/tmp/tribune-pg-replica-primary")
STANDBY = dict(os.environ, TRIBUNE_PG_STATE="/tmp/tribune-pg-replica-standby", TRIBUNE_PG_PRIMARY_PORT=PRIMARY["TRIBUNE_PG_PORT"])


def cluster(cmd, env):
    r = subprocess.run([CLUSTER, cmd], env=env, capture_output=True, text=True, timeout=90)
    assert r.returncode == 0, f"pg-cluster.sh {cmd} failed ({r.returncode}):\n{r.stderr}"
    return r.stdout.strip()


def psql(url, sql):
    return subprocess.run(["psql", url, "-Atqc", sql], check=True, capture_output=True, text=True, timeout=30).stdout.strip()


class Client:
    """One browser's worth of cookies against one node."""

    def __init__(self, cookies=None):
        self.cookies = dict(cookies or {})
        self.csrf = None

    def call(self, port, method, path, body=None):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        h = {"Accept": "application/json", "Origin": f"http://127.0.0.1:{port}"}
        if body is not None:
            h["Content-Type"] = "application/json"
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.csrf:
            h["X-CSRF-Token"] = self.csrf
        c.request(method, path, json.dumps(body) if body is not None else None, h)
        r = c.getresponse()
        data = r.read()
        for name, value in r.getheaders():
            if name.lower() == "set-cookie":
                k, _, v = value.split(";")[0].partition("=")
                self.cookies[k] = v
        c.close()
        ctype = r.getheader("Content-Type") or ""
        return r.status, (json.loads(data) if data and "json" in ctype else data.decode())


def start_node(bin_, data, store, replica, demo, log_path):
    log = open(log_path, "w+")
    args = [BIN, "serve", "--data", data, "--store", store, "--replica", replica, "--listen", "127.0.0.1:0"]
    if demo:
        args.append("--demo")
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
    for _ in range(400):
        log.seek(0)
        m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", log.read())
        if m:
            return proc, int(m.group(1))
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    log.seek(0)
    raise AssertionError("tribune did not start:\n" + log.read())


def metric(port, series):
    status, text = Client().call(port, "GET", "/metrics")
    assert status == 200
    m = re.search(r"^" + re.escape(series) + r" (\d+)$", text, re.M)
    assert m, f"/metrics has no {series}:\n{text}"
    return int(m.group(1))


REPLICA = 'tribune_store_replica_reads_total{served_by="replica"}'
BEHIND = 'tribune_store_replica_reads_total{served_by="primary",why="behind"}'
FAILED = 'tribune_store_replica_reads_total{served_by="primary",why="failed"}'


def comment_ids(port, client, slug, extra=""):
    status, body = client.call(port, "GET", f"/api/v1/articles/{slug}/comments?sort=newest&limit=50{extra}")
    assert status == 200, body
    return [c["id"] for c in body["comments"]]


def main():
    if not os.path.exists("/usr/lib/postgresql/15/bin/pg_basebackup"):
        print("skipped: PostgreSQL 15 is not installed")
        sys.exit(77)
    work = tempfile.mkdtemp(prefix="tribune-replica-")
    procs = []
    primary = cluster("start", PRIMARY)
    try:
        psql(primary, "DROP DATABASE IF EXISTS replica_test")
        psql(primary, "CREATE DATABASE replica_test")
        for attempt in range(3):  # after CREATE DATABASE: the copy starts with it
            STANDBY["TRIBUNE_PG_PORT"] = free_port()
            try:
                standby = cluster("standby", STANDBY)
                break
            except AssertionError:
                if attempt == 2:
                    raise
        store = primary.rsplit("/", 1)[0] + "/replica_test"
        replica = standby.rsplit("/", 1)[0] + "/replica_test"

        # Refused at start: a "replica" that is the primary itself, and a replica without a PostgreSQL store.
        for store_arg, replica_arg, code in [(store, store, "not a standby"), ("", replica, "set store.url")]:
            args = [BIN, "serve", "--data", os.path.join(work, "refused"), "--replica", replica_arg, "--listen", "127.0.0.1:0"]
            if store_arg:
                args[4:4] = ["--store", store_arg]
            r = subprocess.run(args, capture_output=True, text=True, timeout=60)
            assert r.returncode != 0 and code in r.stderr, (r.returncode, r.stderr)
        print("a replica that is not a standby, or has no PostgreSQL store beside it, is refused at start")

        a, port_a = start_node(BIN, os.path.join(work, "a"), store, replica, True, os.path.join(work, "a.log"))
        procs.append(a)
        b, port_b = start_node(BIN, os.path.join(work, "b"), store, replica, False, os.path.join(work, "b.log"))
        procs.append(b)
        anon = Client()
        status, body = anon.call(port_a, "GET", "/api/v1/articles?limit=50")
        assert status == 200, body
        slug = next(x["slug"] for x in body["articles"] if x["comments_open"])

        reader = Client()
        status, body = reader.call(port_a, "POST", "/api/v1/accounts", {
            "email": "replica.reader@example.org", "display_name": "Rita Replica", "password": "a replica reader's password"})
        assert status == 201, body
        reader.csrf = body["csrf_token"]

        # Caught up: uncached reads (an unknown query parameter is served, never kept) go to the replica.
        deadline = time.time() + 10
        before = metric(port_b, REPLICA)
        while time.time() < deadline and metric(port_b, REPLICA) == before:
            comment_ids(port_b, anon, slug, f"&probe={time.time()}")
            time.sleep(0.05)
        assert metric(port_b, REPLICA) > before, "node B never read from the caught-up replica"
        print("with the replica caught up, node B's uncached reads are answered by it")
        # Before the replica is paused: a comment of the reader's, replayed, and node B's caches filled with it.
        status, body = reader.call(port_a, "POST", f"/api/v1/articles/{slug}/comments", {"body": "Replayed before the pause"})
        assert status == 201, body
        first = body["comment"]["id"]
        fay = Client()
        status, body = fay.call(port_a, "POST", "/api/v1/accounts", {
            "email": "fay.followed@example.org", "display_name": "Fay Followed", "password": "a followed reader's password"})
        assert status == 201, body
        fay_id = body["account"]["id"]
        deadline = time.time() + 10
        while time.time() < deadline and psql(replica, f"SELECT count(*) FROM accounts WHERE id = {fay_id}") != "1":
            time.sleep(0.05)
        assert first in comment_ids(port_b, anon, slug)

        # The replica stops replaying: it keeps answering, from a snapshot older than what follows.
        psql(replica, "SELECT pg_wal_replay_pause()")
        for _ in range(100):
            if psql(replica, "SELECT pg_get_wal_replay_pause_state()") == "paused":
                break
            time.sleep(0.05)

        # A write no other node hears of (following a reader sends no message): the follower, on node B, sees it
        # through their cookie; node B's other readers get the replica's older answer, as designed.
        status, body = reader.call(port_a, "PUT", f"/api/v1/readers/{fay_id}/follow")
        assert status == 200, body
        assert re.fullmatch(r"[0-9a-f]+-[0-9a-f]+", reader.cookies.get("tribune_pos", "")), reader.cookies
        status, body = reader.call(port_b, "GET", f"/api/v1/readers/{fay_id}")
        assert status == 200 and body["reader"]["followers"] == 1, ("the follower does not see their follow on node B", body)
        status, body = anon.call(port_b, "GET", f"/api/v1/readers/{fay_id}")
        assert status == 200 and body["reader"]["followers"] == 0, ("the lagging replica was not used for node B's reads", body)
        print("replica paused: a follower sees their follow on node B through the tribune_pos cookie; "
              "others get the replica's answer")

        # A change behind every cache's back (straight into the primary): node B's cached conversation still
        # shows the old text, but a request carrying a fresh position skips the cache and the lagging replica.
        psql(store, f"UPDATE comments SET body_html = '<p>Changed behind the caches</p>' WHERE id = {first}")
        hi, lo = psql(store, "SELECT pg_current_wal_insert_lsn()").split("/")
        fresh = Client({"tribune_pos": f"{(int(hi, 16) << 32) | int(lo, 16):x}-{int(time.time()):x}"})

        def body_of(client):
            status, body = client.call(port_b, "GET", f"/api/v1/articles/{slug}/comments?sort=newest&limit=50")
            assert status == 200, body
            return next(c["body_html"] for c in body["comments"] if c["id"] == first)

        assert "Changed behind the caches" not in body_of(anon), "node B's conversation was not cached"
        stale = Client({"tribune_pos": f"{(int(hi, 16) << 32) | int(lo, 16):x}-{int(time.time()) - 3600:x}"})
        assert "Changed behind the caches" not in body_of(stale), "an hour-old write still skipped the cache"
        assert "Changed behind the caches" in body_of(fresh), "a fresh position was served from the cache or the replica"
        print("a fresh tribune_pos skips node B's cache and the lagging replica; an old one does not skip the cache")

        behind_b = metric(port_b, BEHIND)
        text = f"Posted while the replica lags, at {time.time()}"
        status, body = reader.call(port_a, "POST", f"/api/v1/articles/{slug}/comments", {"body": text})
        assert status == 201, (body, reader.cookies)
        cid = body["comment"]["id"]
        assert psql(replica, f"SELECT count(*) FROM comments WHERE id = {cid}") == "0", "the replica was meant to lag"

        # The author, on the other node, at once.
        assert cid in comment_ids(port_b, reader, slug), "the author does not see their comment on node B"
        article_url = next(x["url"] for x in anon.call(port_b, "GET", "/api/v1/articles?limit=50")[1]["articles"]
                           if x["slug"] == slug)
        status, html = reader.call(port_b, "GET", article_url)
        assert status == 200 and "Posted while the replica lags" in html, "the author's article page on node B lacks it"
        # Anyone on node A (which wrote it), at once.
        assert cid in comment_ids(port_a, anon, slug), "node A serves a page without the comment it just stored"
        # Anyone on node B as soon as B has heard of the change, never a stale refill.
        seen_at = None
        t0 = time.time()
        while time.time() - t0 < 2:
            if cid in comment_ids(port_b, anon, slug):
                seen_at = time.time() - t0
                break
            time.sleep(0.02)
        assert seen_at is not None, "node B kept serving the conversation without the new comment"
        for _ in range(5):  # and it stays: the refilled cache holds the comment
            assert cid in comment_ids(port_b, anon, slug)
        status, html = anon.call(port_b, "GET", article_url)
        assert status == 200 and "Posted while the replica lags" in html, "node B's article page lacks the new comment"
        assert metric(port_b, BEHIND) > behind_b, "node B's reads did not notice the lagging replica"
        print(f"replica paused: the author saw the comment on node B at once, other readers of node B within "
              f"{seen_at * 1000:.0f} ms (polled every 20 ms)")

        # Replay resumes: the replica catches up and answers reads again.
        psql(replica, "SELECT pg_wal_replay_resume()")
        deadline = time.time() + 10
        while time.time() < deadline and psql(replica, f"SELECT count(*) FROM comments WHERE id = {cid}") != "1":
            time.sleep(0.05)
        before = metric(port_b, REPLICA)
        deadline = time.time() + 10
        while time.time() < deadline and metric(port_b, REPLICA) == before:
            assert cid in comment_ids(port_b, anon, slug, f"&probe={time.time()}")
            time.sleep(0.05)
        assert metric(port_b, REPLICA) > before, "the replica did not serve reads again after catching up"
        print("replay resumed: the replica answers node B's reads again")

        # The replica goes away: reads go to the primary, nothing fails, posting goes on.
        cluster("stop", STANDBY)
        for port in (port_a, port_b):
            assert cid in comment_ids(port, anon, slug, f"&probe={time.time()}")
            status, _ = anon.call(port, "GET", "/")
            assert status == 200
        status, body = reader.call(port_b, "POST", f"/api/v1/articles/{slug}/comments", {"body": "After the replica left"})
        assert status == 201, body
        assert body["comment"]["id"] in comment_ids(port_a, anon, slug, f"&probe={time.time()}")
        assert metric(port_b, FAILED) > 0, "a failed replica read was not counted"
        print("replica stopped: both nodes read from the primary and posting goes on")
        print("ok")
        return 0
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                p.kill()
        cluster("stop", STANDBY)
        cluster("stop", PRIMARY)
        shutil.rmtree(work, ignore_errors=True)


sys.exit(main())

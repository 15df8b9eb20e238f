#!/usr/bin/env python3
"""A comment acknowledged with 201 is never lost: many readers post at once (so that the group commit carries
several comments per transaction), the server is killed with SIGKILL mid-stream, restarted on the same store,
and every acknowledged comment must be there, with the store's integrity check passing. On SQLite, and on
PostgreSQL too when TRIBUNE_TEST_PG names a server (a fresh database there).

Usage: kill9_test.py path/to/tribune. Talks to 127.0.0.1 only; bounded in time; exits non-zero on loss.
"""
import http.client, json, os, re, signal, subprocess, sys, tempfile, threading, time, uuid

BIN = sys.argv[1]
WRITERS = 16
RUN_SECONDS = 1.5


def start(data, config, name, store):
    log = open(os.path.join(data, name + ".log"), "w+")
    proc = subprocess.Popen([BIN, "serve", "--data", data, "--listen", "127.0.0.1:0", "--demo", "--config", config]
                            + (["--store", store] if store else []), stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 20
    while time.time() < deadline:
        log.seek(0)
        found = re.findall(r"listening on http://127\.0\.0\.1:(\d+)", log.read())
        if found:
            return proc, int(found[-1])
        if proc.poll() is not None:
            sys.exit("server exited early")
        time.sleep(0.05)
    proc.kill()
    sys.exit("no listening line")


def call(port, method, path, body=None, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    h = {"Content-Type": "application/json"} if body is not None else {}
    h.update(headers or {})
    c.request(method, path, json.dumps(body) if body is not None else None, h)
    r = c.getresponse()
    data = r.read()
    cookie = r.getheader("Set-Cookie") or ""
    c.close()
    return r.status, (json.loads(data) if data else None), cookie.split(";")[0]


def metric(port, name):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("GET", "/metrics")
    text = c.getresponse().read().decode()
    c.close()
    m = re.search(r"^" + name + r" (\d+)", text, re.M)
    return int(m.group(1)) if m else 0


def run(engine, store=None):
    data = tempfile.mkdtemp(prefix="tribune-kill9-")
    config = os.path.join(data, "tribune.toml")
    with open(config, "w") as f:
        f.write("[limits]\nregistrations_per_ip_per_hour = 1000\ncomments_per_reader_per_minute = 100000\ncomments_per_ip_per_minute = 100000\n")
    proc, port = start(data, config, "first", store)
    slug = next(a["slug"] for a in call(port, "GET", "/api/v1/articles?limit=50")[1]["articles"] if a["comments_open"])
    readers = []
    for i in range(WRITERS):
        status, body, cookie = call(port, "POST", "/api/v1/accounts",
                                    {"email": f"writer{i}@example.org", "display_name": f"Writer {i}",
                                     "password": "a durable writer's password"})
        assert status == 201, body
        readers.append({"Cookie": cookie, "X-CSRF-Token": body["csrf_token"]})
    acked, lock, stop = [], threading.Lock(), threading.Event()

    def writer(headers):
        n = 0
        while not stop.is_set():
            n += 1
            try:
                status, body, _ = call(port, "POST", f"/api/v1/articles/{slug}/comments", {"body": f"durable {n}"}, headers)
            except (OSError, http.client.HTTPException):
                return  # the server died mid-request: that comment was never acknowledged
            if status == 201:
                with lock:
                    acked.append(body["comment"]["id"])

    threads = [threading.Thread(target=writer, args=(h,)) for h in readers]
    for t in threads:
        t.start()
    time.sleep(RUN_SECONDS)
    if store is None:  # SQLite
        # Killed while the checkpointer thread copies pages into the database file beside the writer: post on
        # until it has done so at least once (1,000 WAL frames; a few seconds at most).
        deadline = time.time() + 20
        while metric(port, "tribune_store_checkpoints_total") == 0 and time.time() < deadline:
            time.sleep(0.1)
        checkpoints = metric(port, "tribune_store_checkpoints_total")
        print(f"{engine}: {checkpoints} checkpoint(s) by the checkpointer thread before SIGKILL")
        if checkpoints == 0:
            stop.set()
            proc.kill()
            print(f"{engine}: no checkpoint ran: a kill during checkpoints was not tested")
            return False
    commits, grouped = metric(port, "tribune_store_commits_total"), metric(port, "tribune_store_grouped_writes_total")
    time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    stop.set()
    for t in threads:
        t.join(15)
    proc, port = start(data, config, "after-kill", store)
    try:
        stored, cursor = set(), None
        for _ in range(10000):
            path = f"/api/v1/articles/{slug}/comments?sort=oldest&limit=200" + (f"&cursor={cursor}" if cursor else "")
            status, body, _ = call(port, "GET", path)
            assert status == 200, body
            stored.update(c["id"] for c in body["comments"])
            cursor = body["next_cursor"]
            if not cursor:
                break
        lost = sorted(set(acked) - stored)
        doctor = subprocess.run([BIN, "doctor", "--data", data, "--config", config] + (["--store", store] if store else []),
                                capture_output=True, text=True).stdout
        integrity = "ok" if "integrity check ok" in doctor else doctor
        print(f"{engine}: acknowledged {len(acked)} comments before SIGKILL ({grouped} writes in {commits} commits by "
              f"then); found {len(stored)} after restart; lost {len(lost)}; integrity check: {integrity}")
        if not acked:
            print(f"{engine}: no comment was acknowledged, nothing was tested")
            return False
        if grouped <= commits:
            print(f"{engine}: no commit carried more than one write: the group commit was not tested")
            return False
        if lost or integrity != "ok":
            print(f"{engine}: lost {lost[:20]}")
            return False
        return True
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(10)


def main():
    results = [run("SQLite")]
    server = os.environ.get("TRIBUNE_TEST_PG")
    if server:
        name = "tribune_kill9_" + uuid.uuid4().hex[:8]
        subprocess.run(["psql", server, "-qc", f"CREATE DATABASE {name}"], check=True, capture_output=True)
        try:
            results.append(run("PostgreSQL", server.rsplit("/", 1)[0] + "/" + name))
        finally:
            subprocess.run(["psql", server, "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], capture_output=True)
    else:
        print("PostgreSQL: skipped (TRIBUNE_TEST_PG is not set)")
    failed = results.count(False)
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


sys.exit(main())

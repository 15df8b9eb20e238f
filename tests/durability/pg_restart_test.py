#!/usr/bin/env python3
"""PostgreSQL restarted under load: while readers post, the database stops (immediate shutdown) and comes back.
Meanwhile requests fail fast with 503 and a code; afterwards posting works again without restarting Tribune,
and every comment acknowledged with 201 is stored.

Usage: pg_restart_test.py path/to/tribune. Runs its own PostgreSQL cluster (scripts/pg-cluster.sh, port 55433);
exits 77 (skipped) when PostgreSQL's binaries are not installed. 127.0.0.1 only; bounded in time.
"""
import http.client, json, os, re, subprocess, sys, tempfile, threading, time

BIN = sys.argv[1]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLUSTER = os.path.join(ROOT, "scripts", "pg-cluster.sh")
ENV = dict(os.environ, TRIBUNE_PG_PORT="55433", TRIBUNE_PG_STATE="/tmp/tribune-pg-restart-test")
WRITERS = 8


def cluster(cmd):
    return subprocess.run([CLUSTER, cmd], env=ENV, capture_output=True, text=True, check=True, timeout=60).stdout.strip()


def call(port, method, path, body=None, headers=None, timeout=10):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    h = {"Content-Type": "application/json"} if body is not None else {}
    h.update(headers or {})
    c.request(method, path, json.dumps(body) if body is not None else None, h)
    r = c.getresponse()
    data = r.read()
    cookie = (r.getheader("Set-Cookie") or "").split(";")[0]
    c.close()
    return r.status, (json.loads(data) if data else None), cookie


def main():
    if not os.path.exists("/usr/lib/postgresql/15/bin/initdb"):
        print("skipped: PostgreSQL 15 is not installed")
        sys.exit(77)
    url = cluster("start")
    data = tempfile.mkdtemp(prefix="tribune-pgrestart-")
    config = os.path.join(data, "tribune.toml")
    with open(config, "w") as f:
        f.write("[limits]\nregistrations_per_ip_per_hour = 1000\ncomments_per_reader_per_minute = 100000\n"
                "comments_per_ip_per_minute = 100000\n")
    subprocess.run(["psql", url, "-qc", "DROP DATABASE IF EXISTS restart_test"], check=True, capture_output=True)
    subprocess.run(["psql", url, "-qc", "CREATE DATABASE restart_test"], check=True, capture_output=True)
    store = url.rsplit("/", 1)[0] + "/restart_test"
    log = open(os.path.join(data, "serve.log"), "w+")
    proc = subprocess.Popen([BIN, "serve", "--data", data, "--store", store, "--listen", "127.0.0.1:0", "--demo",
                             "--config", config], stdout=log, stderr=subprocess.STDOUT)
    try:
        port = None
        for _ in range(400):
            log.seek(0)
            m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", log.read())
            if m:
                port = int(m.group(1))
                break
            time.sleep(0.05)
        assert port, "tribune did not start"
        slug = next(a["slug"] for a in call(port, "GET", "/api/v1/articles?limit=50")[1]["articles"] if a["comments_open"])
        readers = []
        for i in range(WRITERS):
            status, body, cookie = call(port, "POST", "/api/v1/accounts", {
                "email": f"restart{i}@example.org", "display_name": f"Restart {i}", "password": "a restart writer's password"})
            assert status == 201, body
            readers.append({"Cookie": cookie, "X-CSRF-Token": body["csrf_token"]})
        acked, failures, slow, lock, stop = [], {}, [], threading.Lock(), threading.Event()

        def writer(headers, w):
            n = 0
            while not stop.is_set():
                n += 1
                t0 = time.time()
                try:
                    status, body, _ = call(port, "POST", f"/api/v1/articles/{slug}/comments",
                                           {"body": f"writer {w} comment {n}"}, headers)
                except OSError as e:
                    status, body = 0, {"error": {"code": type(e).__name__}}
                took = time.time() - t0
                with lock:
                    if status == 201:
                        acked.append(body["comment"]["id"])
                    else:
                        code = (body or {}).get("error", {}).get("code", "?")
                        failures[(status, code)] = failures.get((status, code), 0) + 1
                        if took > 6:
                            slow.append(took)
                if status != 201:
                    time.sleep(0.05)

        threads = [threading.Thread(target=writer, args=(h, i)) for i, h in enumerate(readers)]
        for t in threads:
            t.start()
        time.sleep(1.0)
        before = len(acked)
        cluster("pause")
        time.sleep(2.0)
        cluster("resume")
        time.sleep(3.0)
        stop.set()
        for t in threads:
            t.join(30)
        after_restart = [a for a in acked[before:]]
        status, _, _ = call(port, "POST", f"/api/v1/articles/{slug}/comments", {"body": "after the restart"}, readers[0])
        print(f"acknowledged {len(acked)}; failures by status and code: {failures}")
        assert before > 0, "nothing was acknowledged before the restart"
        assert failures, "PostgreSQL went away and no request noticed"
        bad = {k: v for k, v in failures.items() if k[0] != 503}
        assert not bad, f"failures other than 503: {bad}"
        assert not slow, f"failing requests should fail fast, some took {max(slow):.1f} s"
        assert status == 201, "posting works again without restarting Tribune"
        assert len(after_restart) > 0, "no comment was acknowledged after the restart"
        count = call(port, "GET", f"/api/v1/articles/{slug}")[1]["comment_count"]
        assert count >= len(acked) + 1, f"{len(acked) + 1} acknowledged but {count} stored"
        print(f"ok: {len(acked) + 1} acknowledged, {count} stored, Tribune never restarted")
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
        cluster("stop")


main()

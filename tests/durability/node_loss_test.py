#!/usr/bin/env python3
"""Losing a node: two Tribune nodes on one PostgreSQL database behind nginx; readers post through nginx; node A is
killed with SIGKILL mid-stream. Every comment acknowledged with 201 (by either node) must be stored, and posting
through nginx must go on, served by node B.

Usage: node_loss_test.py path/to/tribune. Needs TRIBUNE_TEST_PG (a PostgreSQL server where it may create a
database) and nginx; exits 77 (skipped) without them. 127.0.0.1 only; bounded in time.
"""
import http.client, json, os, re, shutil, signal, socket, subprocess, sys, tempfile, threading, time, uuid

BIN = sys.argv[1]
SERVER = os.environ.get("TRIBUNE_TEST_PG")
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
WRITERS = 8


def call(port, method, path, body=None, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    h = {"Content-Type": "application/json"} if body is not None else {}
    h.update(headers or {})
    c.request(method, path, json.dumps(body) if body is not None else None, h)
    r = c.getresponse()
    data = r.read()
    cookie = (r.getheader("Set-Cookie") or "").split(";")[0]
    c.close()
    return r.status, (json.loads(data) if data and r.getheader("Content-Type", "").startswith("application/json") else None), cookie


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    if not SERVER or not NGINX:
        print("skipped: needs TRIBUNE_TEST_PG and nginx")
        return 77
    work = tempfile.mkdtemp(prefix="tribune-nodeloss-")
    db = "node_loss_" + uuid.uuid4().hex[:8]
    subprocess.run(["psql", SERVER, "-qc", f"CREATE DATABASE {db}"], check=True, capture_output=True)
    store = SERVER.rsplit("/", 1)[0] + "/" + db
    procs = []
    try:
        config = os.path.join(work, "tribune.toml")
        with open(config, "w") as f:
            f.write("[server]\ntrusted_proxies = [\"127.0.0.1\"]\n[limits]\nregistrations_per_ip_per_hour = 1000\n"
                    "comments_per_reader_per_minute = 100000\ncomments_per_ip_per_minute = 100000\n")
        ports = []
        for name, demo in (("a", True), ("b", False)):
            port = free_port()
            data = os.path.join(work, name)
            os.mkdir(data)
            log = open(os.path.join(work, name + ".log"), "w+")
            args = [BIN, "serve", "--data", data, "--store", store, "--listen", f"127.0.0.1:{port}", "--config", config]
            procs.append(subprocess.Popen(args + (["--demo"] if demo else []), stdout=log, stderr=subprocess.STDOUT))
            for _ in range(400):
                log.seek(0)
                if "listening on" in log.read():
                    break
                time.sleep(0.05)
            else:
                raise SystemExit(f"node {name} did not start")
            ports.append(port)
        front = free_port()
        with open(os.path.join(work, "nginx.conf"), "w") as f:
            f.write(f"""daemon off; worker_processes 1; pid {work}/nginx.pid; error_log {work}/nginx.err;
events {{ worker_connections 1024; }}
http {{ access_log off; client_body_temp_path {work}; proxy_temp_path {work};
  upstream tribune {{ server 127.0.0.1:{ports[0]} max_fails=1 fail_timeout=30s; server 127.0.0.1:{ports[1]}; }}
  server {{ listen 127.0.0.1:{front};
    location / {{ proxy_pass http://tribune; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_set_header Host $host; proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_next_upstream error timeout; }} }} }}
""")
        procs.append(subprocess.Popen([NGINX, "-c", os.path.join(work, "nginx.conf"), "-p", work],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        for _ in range(100):
            try:
                if call(front, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.05)
        slug = next(a["slug"] for a in call(front, "GET", "/api/v1/articles?limit=50")[1]["articles"] if a["comments_open"])
        readers = []
        for i in range(WRITERS):
            status, body, cookie = call(front, "POST", "/api/v1/accounts", {
                "email": f"loss{i}@example.org", "display_name": f"Loss {i}", "password": "a node loss writer's password"})
            assert status == 201, body
            readers.append({"Cookie": cookie, "X-CSRF-Token": body["csrf_token"]})
        acked, errors, lock, stop = [], [], threading.Lock(), threading.Event()
        after_kill = threading.Event()
        acked_after = []

        def writer(headers, w):
            n = 0
            while not stop.is_set():
                n += 1
                try:
                    status, body, _ = call(front, "POST", f"/api/v1/articles/{slug}/comments", {"body": f"w{w} n{n}"}, headers)
                except (OSError, http.client.HTTPException) as e:
                    status, body = 0, str(e)
                with lock:
                    if status == 201:
                        acked.append(body["comment"]["id"])
                        if after_kill.is_set():
                            acked_after.append(body["comment"]["id"])
                    else:
                        errors.append(status)

        threads = [threading.Thread(target=writer, args=(h, i)) for i, h in enumerate(readers)]
        for t in threads:
            t.start()
        time.sleep(1.5)
        procs[0].send_signal(signal.SIGKILL)
        procs[0].wait()
        after_kill.set()
        time.sleep(2.0)
        stop.set()
        for t in threads:
            t.join(15)
        stored, cursor = set(), None
        for _ in range(10000):
            path = f"/api/v1/articles/{slug}/comments?sort=oldest&limit=200" + (f"&cursor={cursor}" if cursor else "")
            status, body, _ = call(ports[1], "GET", path)
            assert status == 200, body
            stored.update(c["id"] for c in body["comments"])
            cursor = body["next_cursor"]
            if not cursor:
                break
        lost = sorted(set(acked) - stored)
        print(f"acknowledged {len(acked)} ({len(acked_after)} after node A died); stored {len(stored)}; lost {len(lost)}; "
              f"failed requests {len(errors)} ({sorted(set(errors))})")
        assert acked and acked_after, "nothing acknowledged after node A died: the other node did not go on"
        assert not lost, f"lost {lost[:20]}"
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
        subprocess.run(["psql", SERVER, "-qc", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


sys.exit(main())

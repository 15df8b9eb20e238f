#!/usr/bin/env python3
"""The system clock jumping under a running node (issue 18), as when a suspended machine resumes or NTP steps
the clock: the wall clock is moved by libfaketime (Debian's faketime package) while the monotonic clock runs
on, as in a real step. Forward three hours: an article scheduled an hour ahead appears on the front page within
seconds, sessions hold, comments carry the new time. Then back five minutes: posting, signing in and live
updates go on, and no rate limit locks anyone out. No 5xx anywhere.

Usage: clock_jump_test.py path/to/tribune. Exits 77 (skipped) without libfaketime or with a sanitizer build
(AddressSanitizer must be the first library loaded, libfaketime is preloaded). 127.0.0.1 only; bounded.
"""
import datetime, http.client, json, os, shutil, signal, socket, subprocess, sys, tempfile, time

from harness import free_port, serve

BIN = sys.argv[1]
FAKETIME = next((p for p in ("/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1",
                              "/usr/lib/faketime/libfaketimeMT.so.1") if os.path.exists(p)), None)


def call(port, method, path, body=None, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    h = {"Content-Type": "application/json"} if body is not None else {}
    h.update(headers or {})
    c.request(method, path, json.dumps(body) if body is not None else None, h)
    r = c.getresponse()
    data = r.read()
    c.close()
    if r.status >= 500:
        raise AssertionError(f"{method} {path}: {r.status} {data[:300]!r}")
    doc = json.loads(data) if data and (r.getheader("Content-Type") or "").startswith("application/json") else None
    return r.status, doc if doc is not None else data.decode(errors="replace"), (r.getheader("Set-Cookie") or "").split(";")[0]


def eventually(what, pred, seconds=8.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if pred():
            return
        time.sleep(0.2)
    raise AssertionError(f"not within {seconds} s: {what}")


def main():
    if not FAKETIME:
        print("skipped: needs libfaketime (apt install faketime)")
        return 77
    if "libasan" in subprocess.run(["ldd", BIN], capture_output=True, text=True).stdout:
        print("skipped: a sanitizer build cannot have libfaketime preloaded")
        return 77
    work = tempfile.mkdtemp(prefix="tribune-clock-")
    offset_file = os.path.join(work, "offset")
    proc = None
    try:
        with open(offset_file, "w") as f:
            f.write("+0\n")
        data = os.path.join(work, "data")
        os.mkdir(data)
        token = subprocess.run([BIN, "token", "create", "--data", data, "--name", "clock", "--role", "editor"],
                               check=True, capture_output=True, text=True).stdout.strip()
        env = dict(os.environ, LD_PRELOAD=FAKETIME, FAKETIME_TIMESTAMP_FILE=offset_file, FAKETIME_NO_CACHE="1",
                   FAKETIME_DONT_FAKE_MONOTONIC="1")
        port = free_port()
        proc = serve(BIN, data, port, os.path.join(work, "serve.log"), "--demo", env=env)
        editor = {"Authorization": "Bearer " + token}
        now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        due = (now + datetime.timedelta(hours=1)).isoformat().replace("+00:00", "Z")
        status, doc, _ = call(port, "POST", "/api/v1/articles", {
            "title": "Written for the small hours", "authors": ["Night Desk"], "section": "Opinion",
            "body": "A piece scheduled an hour ahead.", "published_at": due}, editor)
        assert status == 201, (status, doc)
        slug = next(a["slug"] for a in call(port, "GET", "/api/v1/articles?limit=50")[1]["articles"] if a["comments_open"])
        status, doc, cookie = call(port, "POST", "/api/v1/accounts", {
            "email": "clock@example.org", "display_name": "Clock Watcher", "password": "a clock watcher's password"})
        assert status == 201, doc
        reader = {"Cookie": cookie, "X-CSRF-Token": doc["csrf_token"]}
        assert "Written for the small hours" not in call(port, "GET", "/")[1], "scheduled piece shown early"

        # Forward three hours.
        with open(offset_file, "w") as f:
            f.write("+3h\n")
        eventually("the scheduled piece on the front page after the jump forward",
                   lambda: "Written for the small hours" in call(port, "GET", "/")[1])
        status, doc, _ = call(port, "GET", "/api/v1/me", headers=reader)
        assert status == 200, ("the session did not survive the jump", status, doc)
        status, doc, _ = call(port, "POST", f"/api/v1/articles/{slug}/comments", {"body": "Three hours later."}, reader)
        assert status == 201, doc
        stamped = datetime.datetime.fromisoformat(doc["comment"]["created_at"].replace("Z", "+00:00"))
        ahead = (stamped - datetime.datetime.now(datetime.timezone.utc)).total_seconds()
        assert 3 * 3600 - 120 < ahead < 3 * 3600 + 120, f"a comment's time does not follow the clock ({ahead} s)"

        # Back five minutes, with a live reader listening across the step.
        live = socket.create_connection(("127.0.0.1", port), 10)
        live.sendall(f"GET /api/v1/articles/{slug}/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     "Accept: text/event-stream\r\n\r\n".encode())
        live.settimeout(10)
        assert live.recv(4096).startswith(b"HTTP/1.1 200")
        with open(offset_file, "w") as f:
            f.write("+175m\n")
        time.sleep(1.5)
        posted = []
        for i in range(5):
            status, doc, _ = call(port, "POST", f"/api/v1/articles/{slug}/comments",
                                  {"body": f"After the step back, number {i}."}, reader)
            assert status == 201, ("refused after the clock stepped back", status, doc)
            posted.append(doc["comment"]["id"])
        seen = b""
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline and f'"id":{posted[-1]}'.encode() not in seen.replace(b" ", b""):
            try:
                seen += live.recv(65536)
            except socket.timeout:
                break
        live.close()
        assert f'"id":{posted[-1]}'.encode() in seen.replace(b" ", b""), "the live reader missed the new comment"
        status, doc, cookie2 = call(port, "POST", "/api/v1/sessions",
                                    {"email": "clock@example.org", "password": "a clock watcher's password"})
        assert status == 200, ("signing in failed after the step back", status, doc)
        assert call(port, "GET", "/healthz")[0] == 200
        print("ok: forward 3 h (scheduled piece out, session held, comment dated), back 5 min (5 comments posted, "
              "live update heard, signed in)")
        return 0
    finally:
        if proc and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
        if proc and proc.returncode not in (0, None, -signal.SIGTERM):
            with open(os.path.join(work, "serve.log")) as log:
                print(log.read()[-3000:])
        shutil.rmtree(work, ignore_errors=True)


sys.exit(main())

#!/usr/bin/env python3
"""The data disk full (issue 18): a SQLite store on a small filesystem (a 64 MB tmpfs) that a filler file
then fills to the last byte while readers post comments. Every refused comment must be a clear 503
(`store_unavailable`, a message in words), never a 500 or a dropped connection; pages go on being read; nothing
acknowledged is lost; and once the filler is deleted, posting works again without a restart. At the end the
database passes SQLite's integrity check.

Usage: disk_full_test.py path/to/tribune. Needs root (to mount the tmpfs); exits 77 (skipped) otherwise.
127.0.0.1 only; bounded in time.
"""
import errno, http.client, json, os, shutil, signal, sqlite3, subprocess, sys, tempfile, threading, time

from harness import free_port, serve

BIN = sys.argv[1]


def call(port, method, path, body=None, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    h = {"Content-Type": "application/json"} if body is not None else {}
    h.update(headers or {})
    try:
        c.request(method, path, json.dumps(body) if body is not None else None, h)
        r = c.getresponse()
        data = r.read()
    except (OSError, http.client.HTTPException) as e:
        return 0, {"transport": repr(e)}, ""
    finally:
        c.close()
    doc = json.loads(data) if data and (r.getheader("Content-Type") or "").startswith("application/json") else None
    return r.status, doc, (r.getheader("Set-Cookie") or "").split(";")[0]


def fill(path):
    """Writes until the filesystem refuses: returns the bytes written."""
    written = 0
    with open(path, "wb", buffering=0) as f:
        block = b"\0" * (1 << 20)
        while True:
            try:
                written += f.write(block)
            except OSError as e:
                if e.errno != errno.ENOSPC:
                    raise
                if len(block) == 1:
                    break
                block = block[: len(block) // 16] or b"\0"
    return written


def main():
    if os.geteuid() != 0:
        print("skipped: needs root to mount a small filesystem")
        return 77
    work = tempfile.mkdtemp(prefix="tribune-diskfull-")
    disk = os.path.join(work, "disk")
    os.mkdir(disk)
    try:
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", disk], check=True, capture_output=True)
    except (subprocess.CalledProcessError, FileNotFoundError) as e:
        print(f"skipped: cannot mount a tmpfs here ({e})")
        shutil.rmtree(work, ignore_errors=True)
        return 77
    proc = None
    try:
        data = os.path.join(disk, "data")
        os.mkdir(data)
        config = os.path.join(work, "tribune.toml")
        with open(config, "w") as f:
            f.write("[limits]\nregistrations_per_ip_per_hour = 1000\ncomments_per_reader_per_minute = 100000\n"
                    "comments_per_ip_per_minute = 100000\n")
        port = free_port()
        proc = serve(BIN, data, port, os.path.join(work, "serve.log"), "--config", config, "--demo")
        slug = next(a["slug"] for a in call(port, "GET", "/api/v1/articles?limit=50")[1]["articles"] if a["comments_open"])
        writers = []
        for i in range(4):
            status, body, cookie = call(port, "POST", "/api/v1/accounts", {
                "email": f"full{i}@example.org", "display_name": f"Full {i}", "password": "a full disk's password"})
            assert status == 201, (status, body)
            writers.append({"Cookie": cookie, "X-CSRF-Token": body["csrf_token"]})

        acked, answers, lock, broken = [], {}, threading.Lock(), []

        def post_some(n, tag):
            def run(headers, w):
                try:
                    write_all(headers, w)
                except Exception as e:  # reaches the main thread's assertions
                    broken.append(f"writer {w}: {type(e).__name__}: {e}")

            def write_all(headers, w):
                for k in range(n):
                    status, body, _ = call(port, "POST", f"/api/v1/articles/{slug}/comments",
                                           {"body": f"{tag} w{w} n{k}: " + "a thought worth keeping " * 20}, headers)
                    with lock:
                        answers[status] = answers.get(status, 0) + 1
                        if status == 201:
                            acked.append(body["comment"]["id"])
                        elif status == 503:
                            err = (body or {}).get("error", {})
                            answers.setdefault("codes", set()).add(err.get("code"))
                            if len(err.get("message", "")) <= 10:
                                broken.append(f"a 503 without a message in words: {body}")
            threads = [threading.Thread(target=run, args=(h, w)) for w, h in enumerate(writers)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(120)

        post_some(25, "before")
        before = len(acked)
        filler = os.path.join(disk, "filler")
        filled = fill(filler)
        print(f"filled the disk with {filled / 1e6:.1f} MB; free now {shutil.disk_usage(disk).free} bytes")
        post_some(100, "full")
        refused = answers.get(503, 0)
        page = call(port, "GET", "/")[0]
        article = call(port, "GET", f"/api/v1/articles/{slug}/comments?limit=50")[0]
        print(f"while full: answers {dict((k, v) for k, v in answers.items() if k != 'codes')}, "
              f"codes {answers.get('codes')}; front page {page}, comments {article}")
        os.unlink(filler)
        time.sleep(0.5)
        recovered = None
        for _ in range(40):
            status, body, _ = call(port, "POST", f"/api/v1/articles/{slug}/comments", {"body": "Space again."},
                                   writers[0])
            if status == 201:
                recovered = body["comment"]["id"]
                acked.append(recovered)
                break
            time.sleep(0.25)
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
        proc = None
        db = sqlite3.connect(os.path.join(data, "tribune.db"))
        stored = {r[0] for r in db.execute("SELECT id FROM comments")}
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        db.close()
        lost = sorted(set(acked) - stored)
        print(f"acknowledged {len(acked)} ({before} before the disk filled), refused with 503: {refused}; "
              f"stored {len(stored)}; lost {len(lost)}; recovered: {recovered is not None}; integrity: {integrity}")
        bad = {k: v for k, v in answers.items() if k not in (201, 503, "codes")}
        assert not broken, broken[:5]
        assert refused > 0, "the full disk refused nothing: the test did not fill it"
        assert not bad, f"answers other than 201 and 503: {bad}"
        assert answers.get("codes") == {"store_unavailable"}, answers.get("codes")
        assert page == 200 and article == 200, "reading stopped while the disk was full"
        assert not lost, f"lost acknowledged comments: {lost[:20]}"
        assert recovered is not None, "posting did not come back when space did"
        assert integrity == "ok", integrity
        print("ok")
        return 0
    finally:
        if proc and proc.poll() is None:
            proc.kill()
            proc.wait()
        subprocess.run(["umount", "-l", disk], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


sys.exit(main())

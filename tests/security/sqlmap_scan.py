#!/usr/bin/env python3
"""An injection scan of every route that takes parameters, with sqlmap (Debian's package), signed in and not.

Starts `tribune serve --demo` on 127.0.0.1 with a fresh data folder (SQLite) and registers a reader, then runs
sqlmap against each target below, each parameter of it tested, and fails when sqlmap calls any parameter
injectable or could not test a target (a refused request, a timeout). A canary page with an injection on
purpose is scanned first: the run fails if sqlmap does not find it. Every target is bounded in time; the servers
are stopped at the end.

  python3 tests/security/sqlmap_scan.py            # the brief scan (CI): level 1, risk 1, boolean and error
  python3 tests/security/sqlmap_scan.py --full     # every technique sqlmap has, level 3, risk 2 (bench/)

TRIBUNE_BIN names the binary (default build/release/tribune).
"""
import argparse
import http.server
import json
import os
import re
import shutil
import subprocess
import sqlite3
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("TRIBUNE_BIN", os.path.join(ROOT, "build", "release", "tribune"))


def start(data, config):
    proc = subprocess.Popen([BIN, "serve", "--data", data, "--config", config, "--listen", "127.0.0.1:0", "--demo"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    deadline = time.time() + 20
    while time.time() < deadline:
        line = proc.stdout.readline()
        m = re.match(r"listening on (http://127\.0\.0\.1:\d+)", line or "")
        if m:
            return proc, m.group(1)
    proc.kill()
    sys.exit("tribune did not start")


class Canary(http.server.BaseHTTPRequestHandler):
    """A page with a textbook injection (a parameter pasted into SQL): the scan must find it, or it proves nothing."""

    db = sqlite3.connect(":memory:", check_same_thread=False)
    db.execute("CREATE TABLE items (id INTEGER, name TEXT)")
    db.executemany("INSERT INTO items VALUES (?, ?)", [(1, "one"), (2, "two")])

    def do_GET(self):
        item = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query).get("id", ["1"])[0]
        try:
            rows = self.db.execute(f"SELECT name FROM items WHERE id = {item}").fetchall()  # the flaw, on purpose
            body, status = " ".join(r[0] for r in rows).encode(), 200
        except sqlite3.Error:
            body, status = b"error", 500
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def scan(sqlmap, url, options, seconds, expected=()):
    """sqlmap's verdict on one target: injectable, clean (every parameter tested and found not injectable), or
    inconclusive (it could not test: a refused request, a timeout)."""
    try:
        text = subprocess.run([sqlmap, "-u", url, *options], capture_output=True, text=True, timeout=seconds).stdout
    except subprocess.TimeoutExpired:
        return "timed out", []
    hits = [line for line in text.splitlines()
            if re.search(r"is vulnerable|appears to be injectable|identified the following injection", line)]
    if hits:
        return "INJECTABLE", hits
    # A target the scan could not reach as its user (refused for want of a session, a token or a CSRF token)
    # was not tested, whatever sqlmap concludes.
    refused = [c for c in re.findall(r"^(401|403) \(", text, re.M) if c not in expected]
    if refused:
        return "inconclusive", [f"answered {code} while scanning" for code in sorted(set(refused))]
    if "all tested parameters do not appear to be injectable" in text:
        return "clean", []
    return "inconclusive", [line for line in text.splitlines() if "[CRITICAL]" in line or "[ERROR]" in line][-3:]


def call(base, method, path, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method, headers=headers or {})
    if data is not None:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=10) as res:
        return res.status, dict(res.headers), res.read().decode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--full", action="store_true", help="every technique, level 3, risk 2")
    ap.add_argument("--timeout", type=int, default=0, help="seconds per target (default: 120 brief, 900 full)")
    args = ap.parse_args()
    sqlmap = shutil.which("sqlmap")
    if not sqlmap:
        sys.exit("sqlmap is not installed (apt-get install sqlmap; scripts/install-deps.sh --test installs it)")
    work = tempfile.mkdtemp(prefix="tribune-sqlmap-")
    config = os.path.join(work, "tribune.toml")
    with open(config, "w") as f:
        # Generous limits: sqlmap sends thousands of requests from one address.
        f.write('[embed]\norigins = ["https://news.example"]\n'
                "[limits]\nregistrations_per_ip_per_hour = 100000\ncomments_per_reader_per_minute = 100000\n"
                "comments_per_ip_per_minute = 100000\nsign_ins_per_ip_per_15_minutes = 100000\n")
    proc, base = start(os.path.join(work, "data"), config)
    findings, scanned = [], 0
    try:
        _, hdrs, body = call(base, "POST", "/api/v1/accounts",
                             {"email": "scan@example.org", "password": "copper kettle marsh lantern",
                              "display_name": "Scan Reader"})
        session = re.search(r"tribune_session=([^;]+)", hdrs.get("Set-Cookie", "")).group(1)
        csrf = json.loads(body)["csrf_token"]
        articles = json.loads(call(base, "GET", "/api/v1/articles?limit=5")[2])["articles"]
        article = articles[0]
        slug, section = article["slug"], article["section"]["slug"]
        comments = json.loads(call(base, "GET", f"/api/v1/articles/{slug}/comments?limit=5")[2])["comments"]
        comment_id = comments[0]["id"] if comments else 1
        # The session cookie itself is scanned apart (below): at level 2 and up sqlmap tries every cookie, and a
        # session token tampered with is no session (401), which would make every signed-in target untested.
        signed_in = [f"--cookie=tribune_session={session}", "--skip=tribune_session", f"X-CSRF-Token: {csrf}"]
        # An admin's API token (the CLI writes it beside the running server, as an operator would).
        admin_token = subprocess.run([BIN, "token", "create", "--data", os.path.join(work, "data"), "--name", "scan",
                                      "--role", "admin"], capture_output=True, text=True, check=True,
                                     timeout=30).stdout.split()[-1]
        staff = [f"Authorization: Bearer {admin_token}"]
        json_type = ["Content-Type: application/json"]
        # (url, extra): sqlmap options ("--...") and request headers ("Name: value"). "*" marks a place in the
        # path sqlmap is to try; query and body parameters are each tried.
        targets = [
            (f"{base}/api/v1/articles?section={section}&tag=climate&limit=5", []),
            (f"{base}/api/v1/articles/{slug}*", []),
            (f"{base}/api/v1/articles/{slug}/comments?sort=top&limit=5", []),
            (f"{base}/api/v1/comment-counts?articles={slug}", []),
            (f"{base}/api/v1/comment-counts?url=https%3A%2F%2Fnews.example%2Fa&id=x1", ["Origin: https://news.example"]),
            (f"{base}/{section}*", []),
            (f"{base}/tags/climate*", []),
            (f"{base}/authors/{article['authors'][0]['slug']}*", []),
            (f"{base}/embed?url=https%3A%2F%2Fnews.example%2Fstory&title=A", []),
            (f"{base}/readers/1*", []),
            # Anonymous forms: a browser sends its Origin; a session the answer sets is not kept (it would then
            # need the CSRF token this scan does not send).
            (f"{base}/signin", ["--data=email=a%40example.org&password=wrong+password+here&return_to=%2F",
                                "--drop-set-cookie", f"Origin: {base}", "expect=401"]),
            (f"{base}/api/v1/sessions", json_type + ["--drop-set-cookie", "expect=401",
             '--data={"email":"scan@example.org","password":"copper kettle marsh lantern"}']),
            (f"{base}/api/v1/accounts", json_type + ["--drop-set-cookie",
             '--data={"email":"new@example.org","password":"copper kettle marsh lantern","display_name":"New"}']),
            (f"{base}/api/v1/articles/{slug}/comments", signed_in + json_type + ['--data={"body":"A scan comment"}']),
            (f"{base}/api/v1/comments/{comment_id}/reports", signed_in + json_type +
             ['--data={"reason":"spam","note":"scan"}']),
            (f"{base}/api/v1/me/notifications?limit=5", signed_in),
            (f"{base}/api/v1/me/feed?limit=5", signed_in),
            (f"{base}/api/v1/me/feed", [f"--cookie=tribune_session={session}", "-ptribune_session", "--level=2",
                                        "expect=401"]),
            (f"{base}/api/v1/readers/1?before=0", []),
            (f"{base}/api/v1/moderation/queue?view=pending", staff),
            (f"{base}/api/v1/moderation/log?action=ban&limit=5", staff),
            (f"{base}/api/v1/embed/origins", staff + json_type + ['--data={"origin":"https://a.example"}']),
            (f"{base}/api/v1/articles?status=draft&q=water&limit=5", staff),
            (f"{base}/api/v1/articles/{slug}/comments/mine?ids={comment_id}&authors=1", signed_in),
        ]
        level = ["--level=3", "--risk=2", "--technique=BEUSTQ"] if args.full else ["--level=1", "--risk=1",
                                                                                    "--technique=BE"]
        per_target = args.timeout or (900 if args.full else 120)
        common = ["--batch", "--flush-session", "--disable-coloring", f"--output-dir={os.path.join(work, 'sqlmap')}",
                  "--timeout=10", "--retries=1", "--threads=4", *level]
        # First the canary: a scan that cannot find a textbook injection proves nothing.
        canary = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Canary)
        threading.Thread(target=canary.serve_forever, daemon=True).start()
        verdict, _ = scan(sqlmap, f"http://127.0.0.1:{canary.server_address[1]}/items?id=1", common, per_target)
        canary.shutdown()
        print(f"{verdict:12} (the canary: a page with an injection on purpose)", flush=True)
        if verdict != "INJECTABLE":
            sys.exit("the scan did not find the canary's injection: it would not find one in Tribune either")
        started = time.time()
        for url, extra in targets:
            # "expect=401": an answer the route gives every wrong try (a sign-in with a wrong password).
            expected = [e.split("=", 1)[1] for e in extra if e.startswith("expect=")]
            options = [e for e in extra if e.startswith("-")] + [f"--ignore-code={c}" for c in expected]
            headers = [e for e in extra if not e.startswith("-") and not e.startswith("expect=")]
            if headers:  # one --headers option: sqlmap keeps only the last one given
                options.append("--headers=" + "\\n".join(headers))
            verdict, lines = scan(sqlmap, url, common + ["--dbms=SQLite", *options], per_target, expected)
            scanned += 1
            print(f"{verdict:12} {url.replace(base, '')} {' '.join(e for e in extra if e.startswith('--data'))}",
                  flush=True)
            if verdict != "clean":
                findings.append((url, verdict, lines))
        print(f"{scanned} targets, {len(findings)} not clean, {time.time() - started:.0f} s "
              f"({'full' if args.full else 'brief'} scan)")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(work, ignore_errors=True)
    if findings:
        for url, verdict, lines in findings:
            print("FINDING", verdict, url, *lines, sep="\n  ")
        sys.exit(1)


if __name__ == "__main__":
    main()

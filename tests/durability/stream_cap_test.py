#!/usr/bin/env python3
"""Held-open event streams cannot take the server down (issue 12, item 1).

One client address, then many (127.0.0.2 to 127.0.0.9), open more live streams than the caps allow: the
streams past a cap are refused with 503 too_many_streams and Retry-After, and /healthz and an article page
keep answering while the rest are held. Then plain connections exhaust the process's descriptors (it runs
with ulimit -n 300): accept failures are logged a few times, not thousands, a connection made meanwhile is
closed rather than left hanging (eight of them, from eight addresses), and the server serves again as soon as the connections go.

Usage: stream_cap_test.py path/to/tribune. Talks to 127.0.0.0/8 only; bounded in time.
"""
import atexit, json, os, re, resource, shutil, socket, subprocess, sys, tempfile, time

BIN = sys.argv[1]
PER_ADDRESS, TOTAL, FILES = 10, 60, 300
SERVER_LOG = None


def start(data, config):
    global SERVER_LOG
    SERVER_LOG = os.path.join(data, "server.log")
    log = open(SERVER_LOG, "w+")

    def limit_files():
        resource.setrlimit(resource.RLIMIT_NOFILE, (FILES, FILES))

    proc = subprocess.Popen([BIN, "serve", "--data", data, "--listen", "127.0.0.1:0", "--demo", "--config", config],
                            stdout=log, stderr=subprocess.STDOUT, preexec_fn=limit_files)
    # A failing check must not leave the server running behind it (its data directory stays, for its log).
    atexit.register(lambda: proc.poll() is None and proc.kill())
    deadline = time.time() + 20
    while time.time() < deadline:
        log.seek(0)
        found = re.findall(r"listening on http://127\.0\.0\.1:(\d+)", log.read())
        if found:
            return proc, int(found[-1]), log
        if proc.poll() is not None:
            sys.exit("server exited early")
        time.sleep(0.05)
    proc.kill()
    sys.exit("no listening line")


def connect(port, source="127.0.0.1", timeout=5):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.bind((source, 0))
    s.connect(("127.0.0.1", port))
    return s


def read_head(s):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    return data.decode("latin-1")


def open_stream(port, slug, source):
    """Returns (status, head, socket): the socket stays open for a 200."""
    s = connect(port, source)
    s.sendall(f"GET /api/v1/articles/{slug}/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n".encode())
    head = read_head(s)
    status = int(head.split(" ")[1]) if head.startswith("HTTP/1.1 ") else 0
    return status, head, s


def get(port, path, timeout=3):
    s = connect(port, timeout=timeout)
    s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    return int(data.split(b" ")[1]), data


def check(cond, what):
    if not cond:
        raise AssertionError(what)
    print("ok:", what)


def main():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 4096)), hard))
    data = tempfile.mkdtemp(prefix="tribune-streams-")
    config = os.path.join(data, "tribune.toml")
    with open(config, "w") as f:
        f.write(f"[server]\nmax_streams = {TOTAL}\nmax_streams_per_address = {PER_ADDRESS}\n")
    proc, port, log = start(data, config)
    held = []
    try:
        status, body = get(port, "/api/v1/articles?limit=1")
        slug = json.loads(body.split(b"\r\n\r\n", 1)[1])["articles"][0]["slug"]
        article_url = json.loads(body.split(b"\r\n\r\n", 1)[1])["articles"][0]["url"]

        # One address: PER_ADDRESS streams, then refusals that close the connection.
        results = [open_stream(port, slug, "127.0.0.1") for _ in range(PER_ADDRESS + 15)]
        ok = [r for r in results if r[0] == 200]
        refused = [r for r in results if r[0] == 503]
        held += [r[2] for r in ok]
        check(len(ok) == PER_ADDRESS, f"one address holds {PER_ADDRESS} streams ({len(ok)} opened)")
        check(len(refused) == 15, f"the other 15 are refused with 503 ({len(refused)})")
        head = refused[0][1]
        check("Retry-After: 30" in head, "a refusal carries Retry-After")
        rest = b""
        try:
            while True:
                chunk = refused[0][2].recv(4096)
                if not chunk:
                    break
                rest += chunk
        except socket.timeout:
            raise AssertionError("a refused stream's connection is not closed")
        check("too_many_streams" in head + rest.decode(), "a refusal says too_many_streams, and the connection closes")
        for r in refused:
            r[2].close()

        # Many addresses: the node's total cap.
        many = [open_stream(port, slug, f"127.0.0.{2 + i % 8}") for i in range(8 * PER_ADDRESS)]
        held += [r[2] for r in many if r[0] == 200]
        for r in many:
            if r[0] != 200:
                r[2].close()
        check(len(held) == TOTAL, f"the node holds {TOTAL} streams in total ({len(held)})")
        check(sum(1 for r in many if r[0] == 503) == 8 * PER_ADDRESS - (TOTAL - PER_ADDRESS),
              "streams past the total cap are refused")

        started = time.time()
        check(get(port, "/healthz")[0] == 200, "/healthz answers while the caps are reached")
        check(get(port, article_url)[0] == 200, "the article page answers while the caps are reached")
        check(time.time() - started < 2, "both within 2 s")
        status, metrics = get(port, "/metrics")
        check(f"tribune_live_streams {TOTAL}".encode() in metrics, "/metrics counts the open streams")

        # A stream closed by its reader gives its place back.
        held.pop().close()
        deadline = time.time() + 5
        while time.time() < deadline:
            status, _, s = open_stream(port, slug, "127.0.0.2")
            if status == 200:
                held.append(s)
                break
            s.close()
            time.sleep(0.2)
        check(status == 200, "a place freed by a closed stream can be taken again")
    finally:
        for s in held:
            s.close()

    # Descriptor exhaustion with plain connections.
    time.sleep(0.5)
    log.seek(0, os.SEEK_END)
    before = log.tell()
    flood = []
    try:
        for i in range(FILES + 100):
            try:
                flood.append(connect(port, f"127.0.1.{1 + i % 200}", timeout=2))
            except OSError:
                break
        time.sleep(1.5)
        # Connections made while the server has no descriptor are closed, not left hanging. Several, from
        # several addresses, so that each I/O thread's listening socket (SO_REUSEPORT spreads clients by
        # address) has one waiting: a thread that lost its spare descriptor to another's accept left its
        # clients hanging. Generous: a loaded machine (a PostgreSQL store, a parallel test run) may take
        # seconds to shed them; a connection left hanging waits forever.
        lates = [connect(port, f"127.0.2.{1 + i}", timeout=15) for i in range(8)]
        for late in lates:
            try:
                late.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            except OSError:
                pass  # already closed by the server: the recv below says so
        answers = []
        deadline = time.time() + 15
        for late in lates:
            try:
                late.settimeout(max(0.1, deadline - time.time()))
                answer = late.recv(4096)
                answers.append("closed" if answer == b"" else "served" if answer.startswith(b"HTTP/1.1 200") else repr(answer[:40]))
            except ConnectionResetError:
                answers.append("reset")
            except socket.timeout:
                answers.append("hangs")
            late.close()
        check(all(a in ("closed", "served", "reset") for a in answers),
              f"connections made while out of descriptors are closed, reset or served ({', '.join(answers)})")
        time.sleep(2)
    finally:
        for s in flood:
            s.close()
    log.seek(before)
    shed_log = log.read()
    failures = shed_log.count("accept failed")
    # Informational: how often a thread lost its spare descriptor to another's accept (a race; 0 most runs).
    print(f"info: {shed_log.count('spare was taken')} idle connections closed for a lost spare")
    check(failures <= 4, f"accept failures are logged once per interval ({failures} lines in 3.5 s)")
    deadline = time.time() + 5
    healthy = False
    while time.time() < deadline and not healthy:
        try:
            healthy = get(port, "/healthz", timeout=1)[0] == 200
        except OSError:
            time.sleep(0.1)
    check(healthy, "the server serves again once the connections are gone")
    check(proc.poll() is None, "the server is still running")
    proc.terminate()
    proc.wait(10)
    shutil.rmtree(data, ignore_errors=True)
    print("stream cap test passed")


if __name__ == "__main__":
    try:
        main()
    except AssertionError:
        # The node's log says what it saw (accept failures, refusals), so that a failure in a parallel run can be
        # read from ctest's output alone.
        if SERVER_LOG and os.path.exists(SERVER_LOG):
            print("server log (last 40 lines):\n" + "".join(open(SERVER_LOG).readlines()[-40:]))
        raise

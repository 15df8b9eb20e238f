#!/usr/bin/env python3
"""Live-update load: N Server-Sent Events connections on one article, then M comments posted by another
reader; prints how long each comment took to reach every connection (p50/p99/max over all deliveries),
connection errors, and the server's RSS. 127.0.0.1 only, bounded in time.

Usage: bench/sse_load.py [--connections 10000] [--comments 10] [--bin build/release/tribune]
"""
import argparse, asyncio, json, os, re, resource, signal, statistics, subprocess, sys, tempfile, time

ap = argparse.ArgumentParser()
ap.add_argument("--connections", type=int, default=10000)
ap.add_argument("--comments", type=int, default=10)
ap.add_argument("--bin", default=os.path.join(os.path.dirname(__file__), "..", "build", "release", "tribune"))
ap.add_argument("--timeout", type=float, default=120)
args = ap.parse_args()

soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
if args.connections + 100 > hard:
    sys.exit(f"open-file limit {hard} is below {args.connections} connections")


async def http(port, method, path, body=None, headers=None):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    data = json.dumps(body).encode() if body is not None else b""
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: {len(data)}\r\n"
    if body is not None:
        head += "Content-Type: application/json\r\n"
    for k, v in (headers or {}).items():
        head += f"{k}: {v}\r\n"
    writer.write(head.encode() + b"\r\n" + data)
    raw = await reader.read()
    writer.close()
    header, _, payload = raw.partition(b"\r\n\r\n")
    status = int(header.split()[1])
    cookie = re.search(rb"Set-Cookie: ([^;]+)", header, re.I)
    return status, (json.loads(payload) if payload.strip() else None), cookie.group(1).decode() if cookie else None


async def main():
    data = tempfile.mkdtemp(prefix="tribune-sse-")
    conf = os.path.join(data, "t.toml")
    open(conf, "w").write("[limits]\ncomments_per_reader_per_minute = 100000\ncomments_per_ip_per_minute = 100000\n")
    log = open(os.path.join(data, "out"), "w+")
    proc = subprocess.Popen([args.bin, "serve", "--data", data, "--listen", "127.0.0.1:0", "--demo", "--config", conf],
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        port = None
        for _ in range(200):
            log.seek(0)
            m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", log.read())
            if m:
                port = int(m.group(1))
                break
            await asyncio.sleep(0.05)
        if not port:
            sys.exit("server did not start")
        _, listing, _ = await http(port, "GET", "/api/v1/articles?limit=50")
        slug = next(a["slug"] for a in listing["articles"] if a["comments_open"])
        status, body, cookie = await http(port, "POST", "/api/v1/accounts",
                                          {"email": "load@example.org", "display_name": "Load Writer",
                                           "password": "a load writer's password"})
        assert status == 201, body
        auth = {"Cookie": cookie, "X-CSRF-Token": body["csrf_token"]}

        arrivals = {}  # comment id -> list of arrival times
        errors = 0
        connected = 0

        async def subscriber():
            nonlocal errors, connected
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.write(f"GET /api/v1/articles/{slug}/events HTTP/1.1\r\nHost: x\r\n\r\n".encode())
                await reader.readuntil(b"retry: 3000\n\n")
                connected += 1
                while True:
                    frame = await reader.readuntil(b"\n\n")
                    now = time.perf_counter()
                    m = re.match(rb"id: (\d+)\nevent: comment.created", frame)
                    if m:
                        arrivals.setdefault(int(m.group(1)), []).append(now)
            except (asyncio.IncompleteReadError, ConnectionError, OSError):
                errors += 1

        tasks = []
        for i in range(args.connections):
            tasks.append(asyncio.create_task(subscriber()))
            if i % 500 == 499:
                await asyncio.sleep(0.05)
        deadline = time.time() + args.timeout
        while connected < args.connections and time.time() < deadline:
            await asyncio.sleep(0.2)
        print(f"{connected}/{args.connections} connected")
        rss_idle = int(re.search(r"VmRSS:\s+(\d+)", open(f"/proc/{proc.pid}/status").read()).group(1))
        latencies, sent = [], []
        for n in range(args.comments):
            start = time.perf_counter()
            status, body, _ = await http(port, "POST", f"/api/v1/articles/{slug}/comments", {"body": f"load {n}"}, auth)
            assert status == 201, body
            sent.append((body["comment"]["id"], start))
            await asyncio.sleep(1.0)
        await asyncio.sleep(1.0)
        for cid, start in sent:
            got = arrivals.get(cid, [])
            latencies += [t - start for t in got]
            missing = connected - len(got)
            if missing:
                print(f"comment {cid}: {missing} connections did not receive it")
        rss = int(re.search(r"VmRSS:\s+(\d+)", open(f"/proc/{proc.pid}/status").read()).group(1))
        latencies.sort()
        if latencies:
            p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000
            print(f"deliveries: {len(latencies)} ({args.comments} comments x {connected} connections)")
            print(f"delivery latency ms: p50 {p(0.5):.1f}  p99 {p(0.99):.1f}  max {latencies[-1] * 1000:.1f}")
        print(f"connection errors: {errors}")
        print(f"server RSS: {rss_idle // 1024} MB with {connected} idle connections, {rss // 1024} MB after the run")
        print("target: 10,000 connections on one article, p99 delivery <= 1 s, RSS <= 150 MB")
        for t in tasks:
            t.cancel()
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()


asyncio.run(main())

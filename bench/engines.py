#!/usr/bin/env python3
"""SQLite and PostgreSQL side by side: article page reads/s, comment posts/s and live delivery latency, on one
node and (PostgreSQL) on two nodes sharing the database, where comments are posted on node A and read live on
node B. Prints one table. 127.0.0.1 only, bounded in time; every process it starts is stopped.

Needs wrk and a PostgreSQL server where it may create a database: --pg URL, or TRIBUNE_TEST_PG, or it starts
scripts/pg-cluster.sh itself.

Usage: bench/engines.py [--duration 5] [--listeners 200] [--comments 30] [--bin build/release/tribune]
"""
import argparse, asyncio, json, os, re, shutil, signal, subprocess, sys, tempfile, time, uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ap = argparse.ArgumentParser()
ap.add_argument("--duration", type=int, default=5)
ap.add_argument("--listeners", type=int, default=200)
ap.add_argument("--comments", type=int, default=30)
ap.add_argument("--pg", default=os.environ.get("TRIBUNE_TEST_PG"))
ap.add_argument("--bin", default=os.path.join(ROOT, "build", "release", "tribune"))
args = ap.parse_args()
procs, dirs = [], []
CONFIG = "[limits]\ncomments_per_reader_per_minute = 100000000\ncomments_per_ip_per_minute = 100000000\n" \
         "registrations_per_ip_per_hour = 100000\n"


def start(store=None, demo=True):
    data = tempfile.mkdtemp(prefix="tribune-engines-")
    dirs.append(data)
    open(os.path.join(data, "t.toml"), "w").write(CONFIG)
    cmd = [args.bin, "serve", "--data", data, "--listen", "127.0.0.1:0", "--config", os.path.join(data, "t.toml")]
    if store:
        cmd += ["--store", store]
    if demo:
        cmd.append("--demo")
    log = open(os.path.join(data, "out"), "w+")
    p = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    procs.append(p)
    for _ in range(300):
        log.seek(0)
        m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", log.read())
        if m:
            return int(m.group(1))
        time.sleep(0.05)
    log.seek(0)
    sys.exit("tribune did not start:\n" + log.read()[-2000:])


def stop_all():
    for p in procs:
        p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(15)
        except subprocess.TimeoutExpired:
            p.kill()
    procs.clear()


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
    cookie = re.search(rb"Set-Cookie: ([^;]+)", header, re.I)
    return int(header.split()[1]), (json.loads(payload) if payload.strip() else None), \
        cookie.group(1).decode() if cookie else None


def wrk(url, script=None):
    cmd = ["wrk", "-t2", "-c64", f"-d{args.duration}s", "--latency"] + (["-s", script] if script else []) + [url]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=args.duration + 30).stdout
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    return float(m.group(1)) if m else 0.0


async def measure(post_port, read_port, label):
    _, listing, _ = await http(post_port, "GET", "/api/v1/articles?limit=50")
    article = next(a for a in listing["articles"] if a["comments_open"])
    slug = article["slug"]
    email = f"bench-{uuid.uuid4().hex[:8]}@example.org"
    status, body, cookie = await http(post_port, "POST", "/api/v1/accounts",
                                      {"email": email, "display_name": "Bench Writer", "password": "a benchmark writer password"})
    assert status == 201, body
    auth = {"Cookie": cookie, "X-CSRF-Token": body["csrf_token"]}
    page = f"http://127.0.0.1:{read_port}{article['url']}"
    reads = wrk(page)
    script = os.path.join(dirs[-1], "post.lua")
    open(script, "w").write(f'''wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Cookie"] = "{cookie}"
wrk.headers["X-CSRF-Token"] = "{body['csrf_token']}"
counter = 0
request = function()
  counter = counter + 1
  return wrk.format(nil, nil, nil, '{{"body":"Engine benchmark comment ' .. counter .. ' posted with some *Markdown*."}}')
end
''')
    posts = wrk(f"http://127.0.0.1:{post_port}/api/v1/articles/{slug}/comments", script)

    arrivals, connected = {}, 0

    async def listener():
        nonlocal connected
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", read_port)
            writer.write(f"GET /api/v1/articles/{slug}/events HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            await reader.readuntil(b"retry: 3000\n\n")
            connected += 1
            while True:
                frame = await reader.readuntil(b"\n\n")
                now = time.perf_counter()
                m = re.match(rb"id: (\d+)\nevent: comment.created", frame)
                if m:
                    arrivals.setdefault(int(m.group(1)), []).append(now)
        except (asyncio.IncompleteReadError, ConnectionError, OSError, asyncio.CancelledError):
            pass

    tasks = [asyncio.create_task(listener()) for _ in range(args.listeners)]
    for _ in range(100):
        if connected == args.listeners:
            break
        await asyncio.sleep(0.1)
    await asyncio.sleep(0.3)
    sent = []
    for n in range(args.comments):
        t0 = time.perf_counter()
        status, c, _ = await http(post_port, "POST", f"/api/v1/articles/{slug}/comments", {"body": f"live {n} {label}"}, auth)
        assert status == 201, c
        sent.append((c["comment"]["id"], t0))
        await asyncio.sleep(0.1)
    await asyncio.sleep(1.0)
    lat = sorted(t - t0 for cid, t0 in sent for t in arrivals.get(cid, []))
    missing = len(sent) * connected - len(lat)
    for t in tasks:
        t.cancel()
    pct = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000 if lat else float("nan")
    return reads, posts, pct(0.5), pct(0.99), missing


def create_database(server):
    name = "tribune_bench_" + uuid.uuid4().hex[:8]
    subprocess.run(["psql", server, "-qc", f"CREATE DATABASE {name}"], check=True, capture_output=True)
    base = server.rsplit("/", 1)[0]
    return base + "/" + name


async def main():
    rows = []
    port = start()
    rows.append(("SQLite, 1 node",) + await measure(port, port, "sqlite"))
    stop_all()
    server = args.pg
    started_cluster = False
    if not server:
        server = subprocess.run([os.path.join(ROOT, "scripts", "pg-cluster.sh"), "start"], capture_output=True,
                                text=True, check=True).stdout.strip()
        started_cluster = True
    try:
        url = create_database(server)
        port = start(url)
        rows.append(("PostgreSQL, 1 node",) + await measure(port, port, "pg1"))
        stop_all()
        url = create_database(server)
        a = start(url)
        b = start(url, demo=False)
        rows.append(("PostgreSQL, 2 nodes (post A, read B)",) + await measure(a, b, "pg2"))
        stop_all()
    finally:
        if started_cluster:
            subprocess.run([os.path.join(ROOT, "scripts", "pg-cluster.sh"), "stop"])
    print(f"\n{'engine':38} {'page reads/s':>13} {'posts/s':>9} {'live p50 ms':>12} {'live p99 ms':>12} {'missed':>7}")
    for name, reads, posts, p50, p99, missing in rows:
        print(f"{name:38} {reads:13.0f} {posts:9.0f} {p50:12.1f} {p99:12.1f} {missing:7d}")
    print(f"(wrk -t2 -c64 {args.duration}s per figure; live: {args.listeners} SSE readers, {args.comments} comments 100 ms apart;"
          " all on one 2-core machine, so two nodes share the same cores)")


try:
    asyncio.run(main())
finally:
    stop_all()
    for d in dirs:
        shutil.rmtree(d, ignore_errors=True)

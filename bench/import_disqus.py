#!/usr/bin/env python3
"""Imports a generated Disqus export of COMMENTS comments (default 1,000,000) over THREADS threads (10,000)
with `tribune import disqus`, and prints the rate (comments/s) and the importer's peak memory (VmHWM), then
runs the import again (everything already there) and prints that rate too.

The file is real-shaped: a <thread> per story, then the <post>s in time order; a third of them replies (some
to comments far back, a few before their parent in the file), a few spam and deleted ones, 20,000 authors.
Usage: bench/import_disqus.py [--comments N] [--threads N] [--store postgresql://...] [--keep DIR]
Goal (docs/import-export.md): the 1,000,000-comment file within 5 minutes on SQLite, peak memory under 200 MB.
"""
import argparse, os, random, shutil, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def generate(path, comments, threads):
    rnd = random.Random(7)
    with open(path, "w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="utf-8"?>\n<disqus xmlns="http://disqus.com" '
                'xmlns:dsq="http://disqus.com/disqus-internals">\n')
        for t in range(threads):
            f.write(f'<thread dsq:id="t{t}"><link>https://paper.example/2020/story-{t}/</link>'
                    f'<title>Story number {t}</title><createdAt>2020-01-01T00:00:00Z</createdAt>'
                    f'<author><name>Desk</name></author><isDeleted>false</isDeleted></thread>\n')
        recent = {}
        for i in range(comments):
            t = rnd.randrange(threads)
            parent = ""
            ids = recent.setdefault(t, [])
            if ids and rnd.random() < 0.33:
                parent = f'<parent dsq:id="p{rnd.choice(ids)}"/>'
            # A few replies name a comment that comes later in the file.
            if i + 5 < comments and rnd.random() < 0.001:
                parent = f'<parent dsq:id="p{i + 5}"/>'
            ids.append(i)
            if len(ids) > 50:
                ids.pop(0)
            a = rnd.randrange(20000)
            spam = "true" if rnd.random() < 0.01 else "false"
            deleted = "true" if rnd.random() < 0.01 else "false"
            secs = i * 30
            stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(1577836800 + secs))
            f.write(f'<post dsq:id="p{i}"><message><![CDATA[<p>Comment {i} on the story: the council should '
                    f'<b>think again</b> about the buses, and about the trains.</p>]]></message>'
                    f'<createdAt>{stamp}</createdAt><isDeleted>{deleted}</isDeleted><isSpam>{spam}</isSpam>'
                    f'<author><email>reader{a}@readers.example</email><name>Reader {a}</name>'
                    f'<isAnonymous>false</isAnonymous></author><thread dsq:id="t{t}"/>{parent}</post>\n')
        f.write("</disqus>\n")


def run(binary, args):
    started = time.monotonic()
    p = subprocess.Popen([binary] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    status = f"/proc/{p.pid}/status"
    while p.poll() is None:
        try:
            with open(status) as s:
                for line in s:
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]))
        except OSError:
            pass
        time.sleep(0.2)
    out, err = p.communicate()
    if p.returncode != 0:
        sys.exit(f"import failed ({p.returncode}): {err}")
    return time.monotonic() - started, peak, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--comments", type=int, default=1_000_000)
    ap.add_argument("--threads", type=int, default=10_000)
    ap.add_argument("--store", default="")
    ap.add_argument("--keep", default="")
    o = ap.parse_args()
    binary = os.environ.get("TRIBUNE_BIN", os.path.join(ROOT, "build/release/tribune"))
    work = o.keep or tempfile.mkdtemp(prefix="tribune-import-bench.")
    try:
        xml = os.path.join(work, "disqus.xml")
        if not os.path.exists(xml):
            t = time.monotonic()
            generate(xml, o.comments, o.threads)
            print(f"generated {o.comments:,} comments in {time.monotonic() - t:.0f} s "
                  f"({os.path.getsize(xml) / 1e6:.0f} MB)", file=sys.stderr)
        args = ["import", "disqus", xml, "--data", os.path.join(work, "data")]
        if o.store:
            args += ["--store", o.store]
        seconds, peak, out = run(binary, args)
        print(out, end="")
        print(f"first run: {o.comments / seconds:,.0f} comments/s ({seconds:.1f} s), peak memory {peak / 1024:.0f} MB")
        seconds, peak, _ = run(binary, args)
        print(f"second run (all there): {o.comments / seconds:,.0f} comments/s ({seconds:.1f} s), "
              f"peak memory {peak / 1024:.0f} MB")
    finally:
        if not o.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

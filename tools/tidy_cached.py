#!/usr/bin/env python3
"""clang-tidy over every src/*.cpp of a compile database, in parallel, skipping a file whose clang-tidy input
is the same as when it last passed (as ccache does for compilers).

The key of a file is the SHA-256 of clang-tidy's version, .clang-tidy, the file's path in the tree, its compile
flags (with the tree's and the build's absolute paths taken out) and the bytes of the file and of every file
it includes, as clang++ -M lists them, each with its path (relative where it is in the tree): a change to any
of them, comments and NOLINTs included, runs the file again; another clone of the same tree does not. A file
that passes leaves its key in the cache, one empty file per key: $TRIBUNE_TIDY_CACHE, default
/var/cache/tribune-test/tidy, or ~/.cache/tribune-tidy when that cannot be written; only if the key is the
same after clang-tidy ran as before. A finding, a crash or any
other failure of clang-tidy is printed and makes the exit status 1; so does a database with no file in src/.

Usage: tidy_cached.py BUILD_DIR SOURCE_DIR [JOBS]
"""
import concurrent.futures
import hashlib
import json
import os
import shlex
import subprocess
import sys
import threading


def cache_dir():
    for d in (os.environ.get("TRIBUNE_TIDY_CACHE"), "/var/cache/tribune-test/tidy",
              os.path.expanduser("~/.cache/tribune-tidy")):
        if not d:
            continue
        try:
            os.makedirs(d, exist_ok=True)
            if os.access(d, os.W_OK):
                return d
        except OSError:
            pass
    return None


def dependency_args(entry):
    args = shlex.split(entry["command"]) if "command" in entry else list(entry["arguments"])
    while len(args) > 1 and os.path.basename(args[0]) in ("ccache", "sccache", "distcc"):
        args = args[1:]  # a compiler launcher: the compiler follows
    out, skip = ["clang++"], False
    for a in args[1:]:
        if skip:
            skip = False
            continue
        if a in ("-o", "-MF", "-MT", "-MQ"):
            skip = True
            continue
        if a in ("-c", "-MD", "-MMD") or a.startswith("-fdiagnostics"):
            continue
        out.append(a)
    return out + ["-M", "-Wno-unknown-warning-option", "-w"]


def main():
    build, source = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    jobs = int(sys.argv[3]) if len(sys.argv) > 3 else os.cpu_count() or 1
    with open(os.path.join(build, "compile_commands.json")) as f:
        entries = [e for e in json.load(f)
                   if e["file"].startswith(os.path.join(source, "src") + os.sep) and e["file"].endswith(".cpp")]
    version = subprocess.run(["clang-tidy", "--version"], capture_output=True, text=True).stdout
    with open(os.path.join(source, ".clang-tidy"), "rb") as f:
        config = f.read()
    cache = cache_dir()
    if not entries:
        print(f"clang-tidy: no src/*.cpp in {build}/compile_commands.json")
        return 1
    digests, digest_lock = {}, threading.Lock()

    def digest(path, fresh=False):
        with digest_lock:
            if path in digests and not fresh:
                return digests[path]
        with open(path, "rb") as f:
            d = hashlib.sha256(f.read()).digest()
        with digest_lock:
            digests[path] = d
        return d

    def key_of(entry, rel, fresh=False):
        deps = subprocess.run(dependency_args(entry), cwd=entry["directory"], capture_output=True, text=True)
        if deps.returncode != 0:
            return None
        named = {}  # the name a file is hashed under (relative in the tree, so any clone agrees) -> its path
        for p in shlex.split(deps.stdout.replace("\\\n", " ")):
            if not p.endswith(":"):
                f = os.path.normpath(os.path.join(entry["directory"], p))
                named[os.path.relpath(f, source) if f.startswith(source + os.sep) else f] = f
        flags = " ".join(dependency_args(entry)).replace(source, "<tree>").replace(build, "<build>")
        h = hashlib.sha256()
        for part in (version.encode(), config, rel.encode(), flags.encode()):
            h.update(hashlib.sha256(part).digest())
        for name in sorted(named):  # in the order of those names: a clone elsewhere on disk hashes alike
            h.update(name.encode())
            h.update(digest(named[name], fresh))
        return h.hexdigest()

    def check(entry):
        path = entry["file"]
        rel = os.path.relpath(path, source)
        key = key_of(entry, rel) if cache else None
        if key and os.path.exists(os.path.join(cache, key)):
            return rel, True, ""
        run = subprocess.run(["clang-tidy", "-p", build, "--quiet", "--extra-arg=-Wno-unknown-warning-option", path],
                             capture_output=True, text=True)
        findings = "\n".join(line for line in (run.stdout + run.stderr).splitlines()
                             if "warning:" in line or "error:" in line)
        if run.returncode == 0 and not findings:
            # Kept only if nothing it read changed while clang-tidy ran (an edit mid-run is checked next time).
            if key and key_of(entry, rel, fresh=True) == key:
                open(os.path.join(cache, key), "w").close()
            return rel, False, ""
        tail = (run.stdout + run.stderr)[-2000:]
        return rel, False, findings or tail or f"clang-tidy exited with {run.returncode} and said nothing"

    failed, unchanged = [], 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        for rel, cached, findings in pool.map(check, entries):
            unchanged += cached
            if findings:
                failed.append((rel, findings))
    for rel, findings in failed:
        print(f"{rel}:\n{findings}\n")
    print(f"clang-tidy: {len(entries)} files in src/, {len(entries) - unchanged} checked, {unchanged} unchanged since "
          f"they passed{'' if cache else ' (no cache: nowhere writable)'}; "
          + (f"findings in {len(failed)}" if failed else "no findings"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

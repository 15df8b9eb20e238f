#!/usr/bin/env python3
"""Fails when an #include crosses a layer the wrong way (docs/ARCHITECTURE.md, "Layers").

Each folder under src/ is a layer; ALLOWED lists, for each, the layers its files may include. A folder's own
files and its sub-folders (store/sqlite, store/postgres) are always allowed. Usage: check_layers.py [SRC_DIR].
Exit 1 with one line per offending include; 0 and a one-line summary otherwise.
"""
import os, re, sys

ALLOWED = {
    "util": [],
    "model": ["util"],                      # entities, errors, records shared by every layer above
    "store": ["model", "util"],             # the store's roles and its engines
    "media": ["model", "util"],             # pictures in and out (libvips)
    "domain": ["store", "media", "model", "util"],   # the rules; services take store roles
    "payments": ["domain", "model", "util"],   # adapters behind domain ports
    "hooks": ["domain", "store", "model", "util"],  # calls out; the webhook sender drains its store outbox, as mail's does
    "mail": ["domain", "store", "model", "util"],
    "imports": ["domain", "store", "model", "util"],  # other systems' conversations in: articles, readers, comments
    "http": ["model", "util"],              # transport, pipeline, page cache, cursors
    "live": ["domain", "store", "http", "model", "util"],  # after a comment commits: caches, streams, peers
    "api": ["domain", "http", "live", "model", "util"],
    "web": ["domain", "http", "live", "model", "util"],
    "app": None,                            # the composition root wires everything
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/')
# The whole store (every role at once) is the engines' and the composition root's: services take roles.
WHOLE_STORE = '#include "store/store.h"'
WHOLE_STORE_ALLOWED = ("store", "app")


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "src")
    problems, files = [], 0
    for root, _, names in os.walk(src):
        rel = os.path.relpath(root, src)
        if rel == ".":
            continue
        layer = rel.split(os.sep)[0]
        if layer not in ALLOWED:
            problems.append(f"{rel}: folder is not a known layer (add it to tools/check_layers.py)")
            continue
        allowed = ALLOWED[layer]
        for name in names:
            if not name.endswith((".h", ".cpp")):
                continue
            files += 1
            path = os.path.join(root, name)
            with open(path, encoding="utf-8") as f:
                for n, line in enumerate(f, 1):
                    if line.strip() == WHOLE_STORE and layer not in WHOLE_STORE_ALLOWED:
                        problems.append(f"{os.path.relpath(path, src)}:{n}: {layer}/ includes the whole store; "
                                        f"include the roles it uses (store/roles/)")
                    m = INCLUDE.match(line)
                    if not m or allowed is None:
                        continue
                    target = m.group(1)
                    if target != layer and target not in allowed:
                        problems.append(f"{os.path.relpath(path, src)}:{n}: {layer}/ may not include {target}/ "
                                        f"(allowed: {', '.join(allowed) or 'nothing'})")
    for p in problems:
        print(p)
    if problems:
        print(f"layer check: {len(problems)} include(s) cross a layer the wrong way")
        return 1
    print(f"layer check: {files} files, every include goes down a layer")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Fills a Tribune SQLite store with readers, articles and comments, for benchmarks.

Run it on a data folder that `tribune serve --demo` (or `tribune migrate` plus published articles) created,
with no server running on it. It copies the newest article into --articles articles in all (older than the
demo pieces, so the newest article stays the newest), registers --readers readers (they cannot sign in),
and writes --comments comments spread over every article except the newest. The newest article ("the
target") gets exactly --target-top top-level comments and --target-replies replies, spread three to a thread
over its newest top-level comments, so that the first page of its conversation holds 50 threads and their
replies: the article page a reader opens. Counters (comment counts, reply counts) are recomputed, as the
server keeps them.

Examples:
  bench/gen_comments.py DATA --articles 10000 --comments 1000000 --target-top 200 --target-replies 150
  bench/gen_comments.py DATA --articles 10 --comments 1000 --target-top 200 --target-replies 150
"""
import argparse
import random
import sqlite3
import sys
import time

SCHEMA_VERSION = 8
WORDS = ("the city water policy council trains rail budget housing river school tax vote market local "
         "people long term plan should must never always cost question answer evidence data years").split()


def sentence(rng):
    n = rng.randint(6, 24)
    text = " ".join(rng.choice(WORDS) for _ in range(n))
    return text[0].upper() + text[1:] + "."


def body(rng):
    paragraphs = [" ".join(sentence(rng) for _ in range(rng.randint(1, 2)))]
    return "\n\n".join(paragraphs), "".join("<p>" + p + "</p>\n" for p in paragraphs)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data", help="data folder holding tribune.db")
    ap.add_argument("--articles", type=int, default=10000, help="articles in all (default 10000)")
    ap.add_argument("--comments", type=int, default=1000000, help="comments on the other articles (default 1000000)")
    ap.add_argument("--readers", type=int, default=5000)
    ap.add_argument("--target-top", type=int, default=200)
    ap.add_argument("--target-replies", type=int, default=150)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    if min(a.articles, a.comments, a.readers, a.target_top, a.target_replies) < 0 or a.readers < 1:
        sys.exit("gen_comments: counts must be positive")
    rng = random.Random(a.seed)
    db = sqlite3.connect(a.data + "/tribune.db", isolation_level=None)
    db.execute("PRAGMA foreign_keys = ON")
    if db.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
        sys.exit("gen_comments: run a current `tribune migrate` (or serve) on this folder first")
    start = time.time()
    db.execute("BEGIN IMMEDIATE")
    target = db.execute("SELECT id, slug, section_id, body_markdown, body_html, published_at FROM articles "
                        "ORDER BY published_at DESC, id DESC LIMIT 1").fetchone()
    if target is None:
        sys.exit("gen_comments: the store has no article to copy (serve it once with --demo)")
    target_id, target_slug, section_id, md, html, newest = target
    oldest = db.execute("SELECT min(published_at) FROM articles").fetchone()[0]
    authors = [r[0] for r in db.execute("SELECT author_id FROM article_authors WHERE article_id = ?", (target_id,))]
    have = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    for i in range(max(0, a.articles - have)):
        cur = db.execute(
            "INSERT INTO articles (slug, title, standfirst, section_id, body_markdown, body_html, published_at, "
            "updated_at, comments_mode) VALUES (?, ?, '', ?, ?, ?, ?, ?, 'open')",
            (f"bench-article-{i:06d}", f"Benchmark article {i}", section_id, md, html, oldest - 3600 * (i + 1),
             oldest - 3600 * (i + 1)))
        for pos, author in enumerate(authors):
            db.execute("INSERT INTO article_authors (article_id, author_id, position) VALUES (?, ?, ?)",
                       (cur.lastrowid, author, pos))
    base = db.execute("SELECT coalesce(max(id), 0) FROM accounts").fetchone()[0]
    now = int(time.time())
    db.executemany(
        "INSERT INTO accounts (email, email_normalized, display_name, name_key, name_key_cased, password_hash, "
        "created_at, handle) VALUES (?, ?, ?, ?, ?, '!', ?, ?)",
        ((f"bench{base + i}@example.invalid", f"bench{base + i}@example.invalid", f"Reader {i + 1}",
          f"reader{i + 1}", f"Reader{i + 1}", now - 86400 * 400, f"reader{i + 1}") for i in range(a.readers)))
    readers = [r[0] for r in db.execute("SELECT id FROM accounts WHERE email LIKE 'bench%@example.invalid'")]
    others = [r[0] for r in db.execute("SELECT id FROM articles WHERE id <> ?", (target_id,))]
    insert = ("INSERT INTO comments (id, article_id, parent_id, root_id, depth, author_id, body_markdown, body_html, "
              "status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'published', ?)")
    next_id = db.execute("SELECT coalesce(max(id), 0) FROM comments").fetchone()[0] + 1
    t0 = newest + 60

    def rows():
        nonlocal next_id
        # The target: top-level comments a minute apart, then replies three to a thread on the newest ones.
        tops = []
        for i in range(a.target_top):
            m, h = body(rng)
            tops.append(next_id)
            yield (next_id, target_id, None, next_id, 0, rng.choice(readers), m, h, t0 + 60 * i)
            next_id += 1
        tops.reverse()  # newest first, as the page shows them
        for i in range(a.target_replies):
            root = tops[(i // 3) % max(1, len(tops))]
            m, h = body(rng)
            yield (next_id, target_id, root, root, 1, rng.choice(readers), m, h, t0 + 60 * a.target_top + 10 * i)
            next_id += 1
        # Everything else: spread over the other articles, a fifth of them replies.
        recent = {}
        for i in range(a.comments if others else 0):
            art = rng.choice(others)
            m, h = body(rng)
            parent = recent.get(art) if rng.random() < 0.2 else None
            when = newest - rng.randint(0, 86400 * 365)
            if parent:
                yield (next_id, art, parent, parent, 1, rng.choice(readers), m, h, when)
            else:
                yield (next_id, art, None, next_id, 0, rng.choice(readers), m, h, when)
                recent[art] = next_id
            next_id += 1

    db.executemany(insert, rows())
    db.execute("UPDATE comments SET reply_count = (SELECT count(*) FROM comments r WHERE r.parent_id = comments.id "
               "AND r.status = 'published') WHERE id IN (SELECT DISTINCT parent_id FROM comments WHERE parent_id IS NOT NULL)")
    db.execute("UPDATE articles SET comment_count = (SELECT count(*) FROM comments c WHERE c.article_id = articles.id "
               "AND c.status = 'published')")
    db.execute("UPDATE counters SET value = value + 1 WHERE name = 'content_version'")
    db.execute("COMMIT")
    total = db.execute("SELECT count(*) FROM comments").fetchone()[0]
    arts = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    print(f"gen_comments: {total} comments on {arts} articles, {len(readers)} generated readers; target "
          f"'{target_slug}' has {a.target_top + a.target_replies} ({time.time() - start:.1f} s)")


if __name__ == "__main__":
    main()

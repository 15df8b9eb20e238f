#include "store/sqlite/engine.h"

namespace tribune::sqlite {

SavedComment SqliteStore::add_comment(const NewComment& c) {
  SavedComment out;
  int64_t id = 0;
  writer_.run([&](Db& db) {
    out.notified.clear();
    int64_t root = 0, depth = 0, id_given = 0;
    if (c.parent_id) {
      auto& parent = db.prepare("SELECT article_id, root_id, depth, status FROM comments WHERE id = ?1");
      parent.bind(1, *c.parent_id);
      if (!parent.step() || parent.int64(0) != c.article_id || parent.text(3) != "published")
        throw Error(ErrorKind::invalid, "invalid_parent",
                    "You can only reply to a published comment on the same article.", "parent_id");
      root = parent.int64(1);
      depth = parent.int64(2) + 1;
    } else {
      // A thread starts with its own id as its root: the id SQLite would choose (no AUTOINCREMENT: the
      // largest plus one), chosen here so that the row is written once, not inserted and then updated (which
      // also moved its entry in comments_by_root).
      auto& next = db.prepare("SELECT coalesce(max(id), 0) + 1 FROM comments");
      next.step();
      root = id_given = next.int64(0);
      next.reset();
    }
    db.prepare(
          "INSERT INTO comments (id, article_id, parent_id, root_id, depth, author_id, body_markdown, body_html, "
          "status, created_at, body_hash, moderation_rule, moderation_reason) VALUES (nullif(?13, 0), ?1, ?2, ?3, "
          "?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)")
        .bind(1, c.article_id)
        .bind_optional_int(2, c.parent_id)
        .bind(3, root)
        .bind(4, depth)
        .bind(5, c.author_id)
        .bind(6, c.body_markdown)
        .bind(7, c.body_html)
        .bind(8, to_string(c.status))
        .bind(9, c.created_at.time_since_epoch().count())
        .bind(10, text_hash(c.body_markdown))
        .bind(11, c.moderation_rule)
        .bind(12, c.moderation_reason)
        .bind(13, id_given)
        .run();
    id = db.last_insert_id();
    for (const auto& handle : c.mentions)
      db.prepare(
            "INSERT OR IGNORE INTO comment_mentions (comment_id, account_id) SELECT ?1, a.id FROM accounts a "
            "WHERE a.handle = ?2 ORDER BY EXISTS (SELECT 1 FROM comments x WHERE x.author_id = a.id AND "
            "x.article_id = ?3) DESC, a.id LIMIT 1")
          .bind(1, id)
          .bind(2, handle)
          .bind(3, c.article_id)
          .run();
    if (c.status == CommentStatus::published) {
      recount(db, Counted{c.article_id, c.parent_id}, 1);
      out.notified = notify_published(db, id, c.created_at.time_since_epoch().count());
    }
    // Read back on the writer's connection: no reader to take from the pool and no read transaction of its own.
    auto stored = find_comment_in(db, id);
    if (!stored) throw Error(ErrorKind::internal, "store_error", "the saved comment could not be read back.");
    out.comment = std::move(*stored);
  });
  return out;
}

AuthorActivity SqliteStore::author_activity(const ActivityQuery& q) {
  return readers_.with([&](Db& db) {
    AuthorActivity a;
    if (q.published_cap > 0) {
      auto& published = db.prepare(
          "SELECT count(*) FROM (SELECT 1 FROM comments WHERE author_id = ?1 AND status = "
          "'published' LIMIT ?2)");
      published.bind(1, q.account_id).bind(2, q.published_cap);
      if (published.step()) a.published = published.int64(0);
    }
    auto& same = db.prepare(
        "SELECT count(*) FROM comments WHERE author_id = ?1 AND body_hash = ?2 AND created_at >= ?3 "
        "AND body_markdown = ?4");
    same.bind(1, q.account_id).bind(2, text_hash(q.body)).bind(3, q.same_text_since.time_since_epoch().count());
    if (same.bind(4, q.body).step()) a.same_text = same.int64(0);
    if (q.decisions_since) {
      auto& decided = db.prepare(
          "SELECT count(*), coalesce(sum(action <> 'approve'), 0) FROM moderation_log WHERE account_id = ?1 AND "
          "created_at >= ?2 AND action IN ('approve', 'reject', 'hide')");
      decided.bind(1, q.account_id).bind(2, q.decisions_since->time_since_epoch().count());
      if (decided.step()) {
        a.decided = decided.int64(0);
        a.rejected = decided.int64(1);
      }
    }
    return a;
  });
}

// One process: nothing to count along (rate_hits says so, and the limiter counts in memory).
CommentStore::CountedActivity SqliteStore::author_activity(const ActivityQuery& q, const std::vector<RateKey>& count) {
  return {author_activity(q), rate_hits(count)};
}

std::optional<Comment> SqliteStore::find_comment(int64_t id) {
  return readers_.with([&](Db& db) { return find_comment_in(db, id); });
}

CommentList SqliteStore::list_comments(const CommentQuery& q) {
  return readers_.with([&](Db& db) {
    bool top = q.sort == CommentSort::top;
    bool ascending = q.sort == CommentSort::oldest;
    const char* key = top ? "c.recommend_count" : "c.created_at";
    // Picks are published comments; other listings keep a removed comment with published replies below it
    // (a tombstone: the service empties it).
    std::string sql = std::string("SELECT ") + kCommentColumns + kCommentFrom + "WHERE ";
    if (q.sort == CommentSort::picks && !q.parent_id)
      sql += "c.status = 'published' AND c.article_id = ?1 AND c.picked = 1";
    else if (q.parent_id)
      sql += "(c.status = 'published' OR c.visible_below > 0) AND c.parent_id = ?2";
    else
      sql += "(c.status = 'published' OR c.visible_below > 0) AND c.article_id = ?1 AND c.parent_id IS NULL";
    if (q.after)
      sql += std::string(" AND (") + key + (ascending ? " > ?3" : " < ?3") + " OR (" + key + " = ?3 AND c.id" +
             (ascending ? " > ?4" : " < ?4") + "))";
    sql += std::string(" ORDER BY ") + key + (ascending ? " ASC, c.id ASC" : " DESC, c.id DESC") + " LIMIT ?5";
    auto& st = db.prepare(sql);
    if (q.parent_id)
      st.bind(2, *q.parent_id);
    else
      st.bind(1, q.article_id);
    if (q.after) st.bind(3, q.after->key).bind(4, q.after->id);
    int limit = std::clamp(q.limit, 1, 500);
    st.bind(5, limit + 1);
    CommentList out;
    while (st.step()) out.comments.push_back(read_comment(st));
    if (static_cast<int>(out.comments.size()) > limit) {
      out.comments.pop_back();
      const auto& last = out.comments.back();
      out.next = CommentCursor{top ? last.recommend_count : last.created_at.time_since_epoch().count(), last.id};
    }
    return out;
  });
}

std::vector<Comment> SqliteStore::list_thread_replies(const std::vector<int64_t>& root_ids, int per_thread, int limit) {
  std::vector<Comment> out;
  if (root_ids.empty()) return out;
  return readers_.with([&](Db& db) {
    // One statement per thread keeps each lookup on the comments_by_root index.
    auto& st = db.prepare(
        std::string("SELECT ") + kCommentColumns + kCommentFrom +
        "WHERE c.root_id = ?1 AND c.parent_id IS NOT NULL AND (c.status = 'published' OR c.visible_below > 0) "
        "ORDER BY c.created_at, c.id LIMIT ?2");
    for (int64_t root : root_ids) {
      if (static_cast<int>(out.size()) >= limit) break;
      st.reset();
      st.bind(1, root).bind(2, static_cast<int64_t>(std::min(per_thread, limit - static_cast<int>(out.size()))));
      while (st.step()) out.push_back(read_comment(st));
    }
    return out;
  });
}

bool SqliteStore::edit_comment(int64_t id, const std::string& markdown, const std::string& html, TimePoint edited_at,
                               bool hold) {
  bool edited = false;
  writer_.run([&](Db& db) {
    auto counted = published_counts(db, id);
    if (!counted) return;
    db.prepare(
          "INSERT INTO comment_revisions (comment_id, body_markdown, written_at) SELECT id, body_markdown, "
          "coalesce(edited_at, created_at) FROM comments WHERE id = ?1")
        .bind(1, id)
        .run();
    db.prepare("UPDATE comments SET body_markdown = ?2, body_html = ?3, edited_at = ?4, status = ?5 WHERE id = ?1")
        .bind(1, id)
        .bind(2, markdown)
        .bind(3, html)
        .bind(4, edited_at.time_since_epoch().count())
        .bind(5, std::string(hold ? "pending" : "published"))
        .run();
    if (hold) recount(db, *counted, -1);
    edited = true;
  });
  return edited;
}

std::vector<CommentRevision> SqliteStore::comment_revisions(int64_t comment_id) {
  return readers_.with([&](Db& db) {
    std::vector<CommentRevision> out;
    auto& st = db.prepare("SELECT body_markdown, written_at FROM comment_revisions WHERE comment_id = ?1 ORDER BY id");
    st.bind(1, comment_id);
    while (st.step()) out.push_back({st.text(0), TimePoint(std::chrono::seconds(st.int64(1)))});
    return out;
  });
}

bool SqliteStore::delete_comment(int64_t id) {
  bool deleted = false;
  writer_.run([&](Db& db) {
    auto counted = published_counts(db, id);
    if (!counted) return;
    db.prepare("UPDATE comments SET status = 'deleted' WHERE id = ?1").bind(1, id).run();
    recount(db, *counted, -1);
    deleted = true;
  });
  return deleted;
}

int64_t SqliteStore::set_reaction(int64_t comment_id, int64_t account_id, const std::string& kind, bool on) {
  int64_t count = 0;
  writer_.run([&](Db& db) {
    if (on)
      db.prepare(
            "INSERT OR IGNORE INTO comment_reactions (comment_id, account_id, kind, created_at) VALUES (?1, ?2, ?3, "
            "?4)")
          .bind(1, comment_id)
          .bind(2, account_id)
          .bind(3, kind)
          .bind(4, now_seconds().time_since_epoch().count())
          .run();
    else
      db.prepare("DELETE FROM comment_reactions WHERE comment_id = ?1 AND account_id = ?2 AND kind = ?3")
          .bind(1, comment_id)
          .bind(2, account_id)
          .bind(3, kind)
          .run();
    if (db.changes() > 0 && kind == "recommend")
      db.prepare("UPDATE comments SET recommend_count = recommend_count + ?2 WHERE id = ?1")
          .bind(1, comment_id)
          .bind(2, static_cast<int64_t>(on ? 1 : -1))
          .run();
    auto& st = db.prepare("SELECT recommend_count FROM comments WHERE id = ?1");
    st.bind(1, comment_id);
    if (st.step()) count = st.int64(0);
  });
  return count;
}

std::vector<std::pair<int64_t, std::string>> SqliteStore::reactions_by(int64_t account_id,
                                                                       const std::vector<int64_t>& ids) {
  return readers_.with([&](Db& db) {
    std::vector<std::pair<int64_t, std::string>> out;
    auto& st = db.prepare("SELECT kind FROM comment_reactions WHERE comment_id = ?1 AND account_id = ?2");
    for (int64_t id : ids) {
      st.reset();
      st.bind(1, id).bind(2, account_id);
      while (st.step()) out.emplace_back(id, st.text(0));
    }
    return out;
  });
}

bool SqliteStore::add_report(int64_t comment_id, int64_t reporter_id, const std::string& reason,
                             const std::string& note) {
  bool added = false;
  writer_.run([&](Db& db) {
    db.prepare(
          "INSERT OR IGNORE INTO comment_reports (comment_id, reporter_id, reason, note, created_at) VALUES (?1, ?2, "
          "?3, ?4, ?5)")
        .bind(1, comment_id)
        .bind(2, reporter_id)
        .bind(3, reason)
        .bind(4, note)
        .bind(5, now_seconds().time_since_epoch().count())
        .run();
    added = db.changes() > 0;
  });
  return added;
}

std::vector<Comment> SqliteStore::comments_since(int64_t article_id, int64_t after_id, int limit) {
  return readers_.with([&](Db& db) {
    std::vector<Comment> out;
    auto& st = db.prepare(std::string("SELECT ") + kCommentColumns + kCommentFrom +
                          "WHERE c.article_id = ?1 AND c.id > ?2 AND c.status = 'published' ORDER BY c.id LIMIT ?3");
    st.bind(1, article_id).bind(2, after_id).bind(3, static_cast<int64_t>(limit));
    while (st.step()) out.push_back(read_comment(st));
    return out;
  });
}

int64_t SqliteStore::count_comments(int64_t article_id) {
  return readers_.with([&](Db& db) {
    auto& st = db.prepare("SELECT count(*) FROM comments WHERE article_id = ?1 AND status = 'published'");
    st.bind(1, article_id);
    return st.step() ? st.int64(0) : 0;
  });
}

std::vector<Comment> SqliteStore::held_comments(int64_t author, int64_t article, int limit) {
  return readers_.with([&](Db& db) {
    std::vector<Comment> out;
    auto& st =
        db.prepare(std::string("SELECT ") + kCommentColumns + kCommentFrom +
                   "WHERE c.author_id = ?1 AND c.article_id = ?2 AND c.status = 'pending' ORDER BY c.id LIMIT ?3");
    st.bind(1, author).bind(2, article).bind(3, static_cast<int64_t>(limit));
    while (st.step()) out.push_back(read_comment(st));
    return out;
  });
}

bool SqliteStore::set_pick(int64_t comment_id, bool on) {
  bool changed = false;
  writer_.run([&](Db& db) {
    db.prepare("UPDATE comments SET picked = ?2 WHERE id = ?1 AND status = 'published'")
        .bind(1, comment_id)
        .bind(2, int64_t{on ? 1 : 0})
        .run();
    changed = db.changes() > 0;
  });
  return changed;
}

std::vector<std::pair<std::string, int64_t>> SqliteStore::comment_counts(const std::vector<std::string>& slugs,
                                                                         TimePoint visible_at) {
  return readers_.with([&](Db& db) {
    std::vector<std::pair<std::string, int64_t>> out;
    auto& st = db.prepare(
        "SELECT comment_count FROM articles WHERE slug = ?1 AND published_at <= ?2 AND state IN ('published', "
        "'retracted')");
    for (const auto& slug : slugs) {
      st.reset();
      st.bind(1, slug).bind(2, visible_at.time_since_epoch().count());
      if (st.step()) out.emplace_back(slug, st.int64(0));
    }
    return out;
  });
}

}  // namespace tribune::sqlite

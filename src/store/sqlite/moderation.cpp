#include "store/sqlite/engine.h"

namespace tribune::sqlite {

std::vector<QueueItem> SqliteStore::moderation_queue(const QueueQuery& q) {
  return readers_.with([&](Db& db) {
    std::vector<QueueItem> out;
    bool decided = q.view == "decided";
    std::string sql =
        std::string("SELECT ") + kCommentColumns +
        ", (SELECT count(*) FROM comment_reports r WHERE r.comment_id = c.id AND r.resolved_at IS NULL), "
        "(SELECT group_concat(DISTINCT r.reason) FROM comment_reports r WHERE r.comment_id = c.id AND "
        "r.resolved_at IS NULL), c.moderation_rule, c.moderation_reason, coalesce(ac.role, ''), "
        "coalesce((SELECT group_concat(r.note, ' | ') FROM comment_reports r WHERE r.comment_id = c.id AND "
        "r.resolved_at IS NULL AND r.note <> ''), '')";
    if (decided) {
      sql += ", l.id, l.action, l.actor_name, l.reason, l.created_at" + std::string(kCommentFrom) +
             "JOIN moderation_log l ON l.comment_id = c.id WHERE l.action IN ('approve', 'reject', 'hide') AND "
             "(?1 = 0 OR l.id < ?1)";
    } else if (q.view == "all") {
      sql += std::string(kCommentFrom) + "WHERE c.status <> 'deleted' AND (?1 = 0 OR c.id < ?1)";
    } else {
      std::string held = "SELECT id FROM comments WHERE status = 'pending' AND id > ?1";
      std::string reported = "SELECT comment_id FROM comment_reports WHERE resolved_at IS NULL AND comment_id > ?1";
      sql += std::string(kCommentFrom) + "WHERE c.id IN (" +
             (q.view == "held"       ? held
              : q.view == "reported" ? reported
                                     : held + " UNION " + reported) +
             ") AND c.status IN ('pending', 'published')";
    }
    if (q.article_id) sql += " AND c.article_id = ?3";
    if (!q.rule.empty()) sql += " AND c.moderation_rule = ?4";
    if (q.author_id) sql += " AND c.author_id = ?5";
    if (!q.text.empty()) sql += " AND lower(c.body_markdown) LIKE ?6 ESCAPE '\\'";
    sql += decided           ? " ORDER BY l.id DESC LIMIT ?2"
           : q.view == "all" ? " ORDER BY c.id DESC LIMIT ?2"
                             : " ORDER BY c.id LIMIT ?2";
    auto& st = db.prepare(sql);
    st.bind(1, q.after).bind(2, static_cast<int64_t>(q.limit));
    if (q.article_id) st.bind(3, *q.article_id);
    if (!q.rule.empty()) st.bind(4, q.rule);
    if (q.author_id) st.bind(5, *q.author_id);
    if (!q.text.empty()) st.bind(6, store_rows::like_pattern(q.text));
    while (st.step()) {
      out.push_back(read_queue_item(st, decided));
    }
    return out;
  });
}

SavedComment SqliteStore::decide_comment(int64_t comment_id, int64_t moderator_id, const std::string& decision,
                                         const std::string& reason, bool notify_author) {
  SavedComment out;
  writer_.run([&](Db& db) {
    out.notified.clear();
    auto& st = db.prepare("SELECT article_id, parent_id, status, author_id FROM comments WHERE id = ?1");
    st.bind(1, comment_id);
    if (!st.step()) throw Error(ErrorKind::not_found, "not_found", "The comment was not found.");
    int64_t article = st.int64(0);
    std::optional<int64_t> parent;
    if (!st.is_null(1)) parent = st.int64(1);
    std::string status = st.text(2);
    std::optional<int64_t> author;
    if (!st.is_null(3)) author = st.int64(3);
    st.reset();
    std::string next = decision == "approve" ? "published" : decision == "reject" ? "rejected" : "hidden";
    int64_t delta = (status == "published" ? -1 : 0) + (next == "published" ? 1 : 0);
    db.prepare("UPDATE comments SET status = ?2 WHERE id = ?1").bind(1, comment_id).bind(2, next).run();
    if (delta != 0) recount(db, Counted{article, parent}, delta);
    int64_t now = now_seconds().time_since_epoch().count();
    if (status == "pending" && next == "published") out.notified = notify_published(db, comment_id, now);
    // The author hears about a held comment going up, and about any comment coming down.
    std::string notice = next == "published"                              ? (status == "pending" ? "approved" : "")
                         : (status == "published" || status == "pending") ? next
                                                                          : "";
    if (!notice.empty() && notify_author) {
      // One notice per comment and reader: the latest decision replaces an earlier one.
      db.prepare(
            "DELETE FROM notifications WHERE comment_id = ?1 AND account_id = (SELECT author_id FROM comments "
            "WHERE id = ?1)")
          .bind(1, comment_id)
          .run();
      auto& n = db.prepare(
          "INSERT INTO notifications (account_id, kind, comment_id, detail, created_at) SELECT author_id, "
          "'moderation', id, ?2, ?3 FROM comments WHERE id = ?1 AND author_id IS NOT NULL RETURNING account_id");
      n.bind(1, comment_id).bind(2, notice).bind(3, now);
      while (n.step()) out.notified.push_back(Recipient{n.int64(0), "moderation"});
    }
    db.prepare("UPDATE comment_reports SET resolved_at = ?2 WHERE comment_id = ?1 AND resolved_at IS NULL")
        .bind(1, comment_id)
        .bind(2, now)
        .run();
    log_act(db, moderator_id, decision, comment_id, author, reason, now);
  });
  out.comment = *find_comment(comment_id);
  return out;
}

void SqliteStore::set_ban(int64_t account_id, int64_t moderator_id, std::optional<TimePoint> until,
                          const std::string& reason) {
  writer_.run([&](Db& db) {
    auto& up = db.prepare("UPDATE accounts SET banned_until = ?2, ban_reason = ?3 WHERE id = ?1");
    up.bind(1, account_id);
    if (until)
      up.bind(2, until->time_since_epoch().count());
    else
      up.bind(2, nullptr);
    up.bind(3, reason).run();
    if (db.changes() == 0) throw Error(ErrorKind::not_found, "not_found", "The account was not found.");
    log_act(db, moderator_id, until ? "ban" : "unban", std::nullopt, account_id, reason,
            now_seconds().time_since_epoch().count());
  });
}

void SqliteStore::sanction(int64_t account_id, int64_t moderator_id, const std::string& action,
                           const std::string& reason) {
  writer_.run([&](Db& db) {
    auto exists = [](Statement& st) {
      bool row = st.step();
      st.reset();  // a finished write statement, so that the commit finds none in progress
      return row;
    };
    bool found;
    if (action == "warn") {
      found = exists(
          db.prepare("UPDATE accounts SET warning = ?2 WHERE id = ?1 RETURNING 1").bind(1, account_id).bind(2, reason));
    } else if (action == "premoderate" || action == "release") {
      found = exists(db.prepare("UPDATE accounts SET premoderated = ?2 WHERE id = ?1 RETURNING 1")
                         .bind(1, account_id)
                         .bind(2, int64_t{action == "premoderate"}));
    } else {
      found = exists(db.prepare("SELECT 1 FROM accounts WHERE id = ?1").bind(1, account_id));
    }
    if (!found) throw Error(ErrorKind::not_found, "not_found", "The account was not found.");
    log_act(db, moderator_id, action, std::nullopt, account_id, reason, now_seconds().time_since_epoch().count());
  });
}

bool SqliteStore::acknowledge_warning(int64_t account_id) {
  bool had = false;
  writer_.run([&](Db& db) {
    auto& st = db.prepare("UPDATE accounts SET warning = '' WHERE id = ?1 AND warning <> '' RETURNING 1");
    st.bind(1, account_id);
    had = st.step();
    st.reset();
    if (had)
      log_act(db, account_id, "acknowledge_warning", std::nullopt, account_id, "",
              now_seconds().time_since_epoch().count());
  });
  return had;
}

std::vector<TrainingExample> SqliteStore::training_examples(int64_t after_id, int limit) {
  return readers_.with([&](Db& db) {
    auto& st = db.prepare(
        "SELECT l.id, l.action <> 'approve', c.body_markdown FROM moderation_log l JOIN comments c ON "
        "c.id = l.comment_id WHERE l.id > ?1 AND l.action IN ('approve', 'reject', 'hide') ORDER BY "
        "l.id LIMIT ?2");
    st.bind(1, after_id).bind(2, static_cast<int64_t>(limit));
    std::vector<TrainingExample> out;
    while (st.step()) out.push_back(TrainingExample{st.int64(0), st.int64(1) != 0, st.text(2)});
    return out;
  });
}

void SqliteStore::save_model(const std::string& name, const std::string& blob) {
  writer_.run([&](Db& db) {
    db.prepare(
          "INSERT INTO models (name, blob, saved_at) VALUES (?1, ?2, ?3) ON CONFLICT (name) DO UPDATE SET "
          "blob = excluded.blob, saved_at = excluded.saved_at")
        .bind(1, name)
        .bind_blob(2, blob)
        .bind(3, now_seconds().time_since_epoch().count())
        .run();
  });
}

std::optional<std::string> SqliteStore::load_model(const std::string& name) {
  return readers_.with([&](Db& db) -> std::optional<std::string> {
    auto& st = db.prepare("SELECT blob FROM models WHERE name = ?1");
    st.bind(1, name);
    if (!st.step()) return std::nullopt;
    return st.text(0);
  });
}

void SqliteStore::audit(std::optional<int64_t> actor_id, const std::string& action, std::optional<int64_t> account_id,
                        const std::string& detail) {
  writer_.run([&](Db& db) {
    log_act(db, actor_id.value_or(0), action, std::nullopt, account_id, detail,
            now_seconds().time_since_epoch().count());
  });
}

std::vector<LogEntry> SqliteStore::audit_log(const LogQuery& q) {
  return readers_.with([&](Db& db) {
    std::string sql = std::string("SELECT ") + kLogColumns +
                      " FROM "
                      "moderation_log l WHERE (?1 = 0 OR id < ?1)";
    if (q.subject_id) sql += " AND account_id = ?3";
    if (!q.action.empty()) sql += " AND action = ?4";
    sql += " ORDER BY id DESC LIMIT ?2";
    auto& st = db.prepare(sql);
    st.bind(1, q.before_id).bind(2, static_cast<int64_t>(q.limit));
    if (q.subject_id) st.bind(3, *q.subject_id);
    if (!q.action.empty()) st.bind(4, q.action);
    std::vector<LogEntry> out;
    while (st.step()) {
      out.push_back(read_log_entry(st));
    }
    return out;
  });
}

}  // namespace tribune::sqlite

#include "store/postgres/engine.h"

namespace tribune::postgres {

std::vector<QueueItem> PostgresStore::moderation_queue(const QueueQuery& q) {
  return db_.read([&](Connection& db) {
    std::vector<QueueItem> out;
    bool decided = q.view == "decided";
    std::vector<Param> ps{Param(q.after), Param(static_cast<int64_t>(q.limit))};
    auto arg = [&](Param p) {
      ps.push_back(std::move(p));
      return "$" + std::to_string(ps.size());
    };
    std::string sql = std::string("SELECT ") + kCommentColumns +
                      ", (SELECT count(*) FROM comment_reports r WHERE r.comment_id = c.id AND r.resolved_at IS NULL), "
                      "(SELECT string_agg(DISTINCT r.reason, ',') FROM comment_reports r WHERE r.comment_id = c.id AND "
                      "r.resolved_at IS NULL), c.moderation_rule, c.moderation_reason, coalesce(ac.role, ''), "
                      "coalesce((SELECT string_agg(r.note, ' | ' ORDER BY r.id) FROM comment_reports r WHERE "
                      "r.comment_id = c.id AND r.resolved_at IS NULL AND r.note <> ''), '')";
    if (decided) {
      sql += ", l.id, l.action, l.actor_name, l.reason, l.created_at" + std::string(kCommentFrom) +
             "JOIN moderation_log l ON l.comment_id = c.id WHERE l.action IN ('approve', 'reject', 'hide') AND "
             "($1::bigint = 0 OR l.id < $1)";
    } else if (q.view == "all") {
      sql += std::string(kCommentFrom) + "WHERE c.status <> 'deleted' AND ($1::bigint = 0 OR c.id < $1)";
    } else {
      std::string held = "SELECT id FROM comments WHERE status = 'pending' AND id > $1";
      std::string reported = "SELECT comment_id FROM comment_reports WHERE resolved_at IS NULL AND comment_id > $1";
      sql += std::string(kCommentFrom) + "WHERE c.id IN (" +
             (q.view == "held"       ? held
              : q.view == "reported" ? reported
                                     : held + " UNION " + reported) +
             ") AND c.status IN ('pending', 'published')";
    }
    if (q.article_id) sql += " AND c.article_id = " + arg(*q.article_id);
    if (!q.rule.empty()) sql += " AND c.moderation_rule = " + arg(q.rule);
    if (q.author_id) sql += " AND c.author_id = " + arg(*q.author_id);
    if (!q.text.empty())
      sql += " AND lower(c.body_markdown) LIKE " + arg(store_rows::like_pattern(q.text)) + " ESCAPE '\\'";
    sql += decided           ? " ORDER BY l.id DESC LIMIT $2"
           : q.view == "all" ? " ORDER BY c.id DESC LIMIT $2"
                             : " ORDER BY c.id LIMIT $2";
    for (auto st : db.query(sql, ps)) {
      out.push_back(read_queue_item(st, decided));
    }
    return out;
  });
}

SavedComment PostgresStore::decide_comment(int64_t comment_id, int64_t moderator_id, const std::string& decision,
                                           const std::string& reason, bool notify_author) {
  SavedComment out;
  write([&](Connection& db) {
    out.notified.clear();
    // Locked: two moderators deciding at once apply one after the other, each seeing the other's status.
    auto r = db.query("SELECT article_id, parent_id, status, author_id FROM comments WHERE id = $1 FOR UPDATE",
                      {comment_id});
    if (r.empty()) throw Error(ErrorKind::not_found, "not_found", "The comment was not found.");
    int64_t article = r.front().int64(0);
    std::optional<int64_t> parent;
    if (!r.front().is_null(1)) parent = r.front().int64(1);
    std::string status = r.front().text(2);
    std::optional<int64_t> author;
    if (!r.front().is_null(3)) author = r.front().int64(3);
    std::string next = decision == "approve" ? "published" : decision == "reject" ? "rejected" : "hidden";
    int64_t delta = (status == "published" ? -1 : 0) + (next == "published" ? 1 : 0);
    db.query("UPDATE comments SET status = $2 WHERE id = $1", {comment_id, next});
    if (delta != 0) recount(db, article, parent, delta);
    int64_t now = secs(now_seconds());
    if (status == "pending" && next == "published") out.notified = notify_published(db, comment_id, now);
    // The author hears about a held comment going up, and about any comment coming down.
    std::string notice = next == "published"                              ? (status == "pending" ? "approved" : "")
                         : (status == "published" || status == "pending") ? next
                                                                          : "";
    if (!notice.empty() && notify_author) {
      // One notice per comment and reader: the latest decision replaces an earlier one.
      db.query(
          "DELETE FROM notifications WHERE comment_id = $1 AND account_id = (SELECT author_id FROM comments "
          "WHERE id = $1)",
          {comment_id});
      for (auto row : db.query("INSERT INTO notifications (account_id, kind, comment_id, detail, created_at) SELECT "
                               "author_id, 'moderation', id, $2, $3 FROM comments WHERE id = $1 AND author_id IS NOT "
                               "NULL RETURNING account_id",
                               {comment_id, notice, now}))
        out.notified.push_back(Recipient{row.int64(0), "moderation"});
    }
    db.query("UPDATE comment_reports SET resolved_at = $2 WHERE comment_id = $1 AND resolved_at IS NULL",
             {comment_id, now});
    log_act(db, moderator_id, decision, comment_id, author, reason, now);
  });
  out.comment = *find_comment(comment_id);
  return out;
}

void PostgresStore::set_ban(int64_t account_id, int64_t moderator_id, std::optional<TimePoint> until,
                            const std::string& reason) {
  write_account(account_id, [&](Connection& db) {
    std::optional<int64_t> until_s;
    if (until) until_s = secs(*until);
    if (db.query("UPDATE accounts SET banned_until = $2, ban_reason = $3 WHERE id = $1", {account_id, until_s, reason})
            .affected() == 0)
      throw account_not_found();
    log_act(db, moderator_id, until ? "ban" : "unban", std::nullopt, account_id, reason, secs(now_seconds()));
  });
}

void PostgresStore::sanction(int64_t account_id, int64_t moderator_id, const std::string& action,
                             const std::string& reason) {
  write_account(account_id, [&](Connection& db) {
    int64_t found;
    if (action == "warn")
      found = db.query("UPDATE accounts SET warning = $2 WHERE id = $1", {account_id, reason}).affected();
    else if (action == "premoderate" || action == "release")
      found = db.query("UPDATE accounts SET premoderated = $2 WHERE id = $1", {account_id, action == "premoderate"})
                  .affected();
    else
      found = db.query("SELECT 1 FROM accounts WHERE id = $1", {account_id}).rows();
    if (found == 0) throw account_not_found();
    log_act(db, moderator_id, action, std::nullopt, account_id, reason, secs(now_seconds()));
  });
}

bool PostgresStore::acknowledge_warning(int64_t account_id) {
  return write_account(account_id, [&](Connection& db) {
    bool had =
        db.query("UPDATE accounts SET warning = '' WHERE id = $1 AND warning <> ''", {account_id}).affected() > 0;
    if (had) log_act(db, account_id, "acknowledge_warning", std::nullopt, account_id, "", secs(now_seconds()));
    return had;
  });
}

std::vector<TrainingExample> PostgresStore::training_examples(int64_t after_id, int limit) {
  return db_.read([&](Connection& db) {
    std::vector<TrainingExample> out;
    for (auto st :
         db.query("SELECT l.id, l.action <> 'approve', c.body_markdown FROM moderation_log l JOIN comments c ON "
                  "c.id = l.comment_id WHERE l.id > $1 AND l.action IN ('approve', 'reject', 'hide') ORDER BY "
                  "l.id LIMIT $2",
                  {after_id, static_cast<int64_t>(limit)}))
      out.push_back(TrainingExample{st.int64(0), st.boolean(1), st.text(2)});
    return out;
  });
}

void PostgresStore::save_model(const std::string& name, const std::string& blob) {
  write([&](Connection& db) {
    db.query(
        "INSERT INTO models (name, blob, saved_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO UPDATE SET "
        "blob = excluded.blob, saved_at = excluded.saved_at",
        {name, Param::bytes(blob), secs(now_seconds())});
  });
}

std::optional<std::string> PostgresStore::load_model(const std::string& name) {
  return db_.read([&](Connection& db) -> std::optional<std::string> {
    // encode(): bytes come back as hex text, which is decoded here.
    auto r = db.query("SELECT encode(blob, 'hex') FROM models WHERE name = $1", {name});
    if (r.empty()) return std::nullopt;
    std::string hex = r.front().text(0), out;
    out.reserve(hex.size() / 2);
    auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
    for (size_t i = 0; i + 1 < hex.size(); i += 2) out += static_cast<char>(nibble(hex[i]) << 4 | nibble(hex[i + 1]));
    return out;
  });
}

void PostgresStore::audit(std::optional<int64_t> actor_id, const std::string& action, std::optional<int64_t> account_id,
                          const std::string& detail) {
  write([&](Connection& db) {
    log_act(db, actor_id.value_or(0), action, std::nullopt, account_id, detail, secs(now_seconds()));
  });
}

std::vector<LogEntry> PostgresStore::audit_log(const LogQuery& q) {
  return db_.read_replica([&](Connection& db) {
    std::vector<Param> ps{Param(q.before_id), Param(static_cast<int64_t>(q.limit))};
    std::string sql = std::string("SELECT ") + kLogColumns +
                      " FROM "
                      "moderation_log WHERE ($1::bigint = 0 OR id < $1)";
    if (q.subject_id) {
      ps.emplace_back(*q.subject_id);
      sql += " AND account_id = $" + std::to_string(ps.size());
    }
    if (!q.action.empty()) {
      ps.emplace_back(q.action);
      sql += " AND action = $" + std::to_string(ps.size());
    }
    sql += " ORDER BY id DESC LIMIT $2";
    std::vector<LogEntry> out;
    for (auto st : db.query(sql, ps)) {
      out.push_back(read_log_entry(st));
    }
    return out;
  });
}

}  // namespace tribune::postgres

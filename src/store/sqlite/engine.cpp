#include "store/sqlite/engine.h"

namespace tribune::sqlite {

Article read_article_row(Statement& st, bool with_body) {
  Article a = read_article_head(st);
  if (with_body) {
    a.body_markdown = st.text(kArticleWidth);
    a.body_html = st.text(kArticleWidth + 1);
  }
  return a;
}

void load_authors_and_tags(Db& db, Article& a) {
  auto& au = db.prepare(
      "SELECT au.id, au.slug, au.name, au.bio FROM article_authors aa JOIN authors au ON au.id = aa.author_id "
      "WHERE aa.article_id = ?1 ORDER BY aa.position");
  au.bind(1, a.id);
  while (au.step()) a.authors.push_back(Author{au.int64(0), au.text(1), au.text(2), au.text(3)});
  auto& tg = db.prepare("SELECT tag FROM article_tags WHERE article_id = ?1 ORDER BY tag");
  tg.bind(1, a.id);
  while (tg.step()) a.tags.push_back(tg.text(0));
}

std::optional<Article> find_article_in(Db& db, std::string_view slug) {
  auto& st = db.prepare(std::string("SELECT ") + kArticleColumns +
                        ", a.body_markdown, a.body_html FROM articles a JOIN sections s ON s.id = a.section_id "
                        "WHERE a.slug = ?1");
  st.bind(1, slug);
  if (!st.step()) return std::nullopt;
  Article a = read_article_row(st, true);
  st.reset();
  load_authors_and_tags(db, a);
  return a;
}

void log_act(Db& db, int64_t actor_id, std::string_view action, std::optional<int64_t> comment_id,
             std::optional<int64_t> account_id, std::string_view reason, int64_t now) {
  auto& st = db.prepare(
      "INSERT INTO moderation_log (actor_id, actor_name, action, comment_id, account_id, reason, created_at) VALUES "
      "(nullif(?1, 0), coalesce((SELECT display_name FROM accounts WHERE id = ?1), ''), ?2, ?3, ?4, ?5, ?6)");
  st.bind(1, actor_id).bind(2, action).bind_optional_int(3, comment_id).bind_optional_int(4, account_id);
  st.bind(5, reason).bind(6, now).run();
}

int64_t insert_session(Db& db, int64_t account_id, const NewSession& s) {
  db.prepare(
        "INSERT INTO sessions (token_hash, account_id, created_at, last_seen_at, expires_at, user_agent, ip) "
        "VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?6)")
      .bind_blob(1, s.token_hash)
      .bind(2, account_id)
      .bind(3, s.created_at.time_since_epoch().count())
      .bind(4, s.expires_at.time_since_epoch().count())
      .bind(5, s.user_agent)
      .bind(6, s.ip)
      .run();
  return db.last_insert_id();
}

void insert_token(Db& db, int64_t account_id, const EmailToken& t, int64_t now) {
  auto or_null = [](const std::string& v) { return v.empty() ? std::nullopt : std::optional<std::string>(v); };
  db.prepare(
        "INSERT INTO email_tokens (token_hash, account_id, purpose, created_at, expires_at, new_email, "
        "new_email_normalized) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
      .bind_blob(1, t.token_hash)
      .bind(2, account_id)
      .bind(3, t.purpose)
      .bind(4, now)
      .bind(5, t.expires_at.time_since_epoch().count())
      .bind_optional(6, or_null(t.new_email))
      .bind_optional(7, or_null(t.new_email_normalized))
      .run();
}

std::optional<int64_t> take_token(Db& db, const std::string& hash, const char* purpose, int64_t now) {
  auto& st = db.prepare(
      "SELECT id, account_id FROM email_tokens WHERE token_hash = ?1 AND purpose = ?2 AND used_at IS NULL AND "
      "expires_at > ?3");
  st.bind_blob(1, hash).bind(2, purpose).bind(3, now);
  if (!st.step()) return std::nullopt;
  int64_t id = st.int64(0), account = st.int64(1);
  st.reset();
  db.prepare("UPDATE email_tokens SET used_at = ?2 WHERE id = ?1").bind(1, id).bind(2, now).run();
  return account;
}

void insert_mail(Db& db, const OutboxMail& m, int64_t now) {
  db.prepare(
        "INSERT INTO mail_outbox (recipient, subject, body_text, created_at, next_attempt_at) VALUES (?1, ?2, ?3, ?4, "
        "?4)")
      .bind(1, m.to)
      .bind(2, m.subject)
      .bind(3, m.body_text)
      .bind(4, now)
      .run();
}

std::optional<Counted> published_counts(Db& db, int64_t id) {
  auto& st = db.prepare("SELECT article_id, parent_id FROM comments WHERE id = ?1 AND status = 'published'");
  st.bind(1, id);
  if (!st.step()) return std::nullopt;
  Counted c{st.int64(0), st.is_null(1) ? std::nullopt : std::optional<int64_t>(st.int64(1))};
  st.reset();
  return c;
}

void recount(Db& db, const Counted& c, int64_t delta) {
  db.add_to_counter("UPDATE articles SET comment_count = comment_count + ?2 WHERE id = ?1", c.article, delta);
  if (!c.parent) return;
  db.prepare(
        "WITH RECURSIVE up(id) AS (SELECT ?1 UNION ALL SELECT c.parent_id FROM comments c JOIN up ON c.id = up.id "
        "WHERE c.parent_id IS NOT NULL) "
        "UPDATE comments SET visible_below = visible_below + ?2, "
        "reply_count = reply_count + CASE WHEN id = ?1 THEN ?2 ELSE 0 END WHERE id IN (SELECT id FROM up)")
      .bind(1, *c.parent)
      .bind(2, delta)
      .run();
}

void backfill_handles(Db& db) {
  std::vector<std::pair<int64_t, std::string>> names;
  auto& st = db.prepare("SELECT id, display_name FROM accounts");
  while (st.step()) names.emplace_back(st.int64(0), st.text(1));
  for (const auto& [id, name] : names)
    db.prepare("UPDATE accounts SET handle = ?2 WHERE id = ?1").bind(1, id).bind(2, mention_handle(name)).run();
}

std::vector<Recipient> notify_published(Db& db, int64_t comment_id, int64_t now) {
  static constexpr std::pair<const char*, const char*> kinds[] = {
      {"reply",
       "SELECT p.author_id AS id FROM comments c JOIN comments p ON p.id = c.parent_id WHERE c.id = ?1 AND "
       "p.author_id IS NOT NULL"},
      {"mention", "SELECT m.account_id AS id FROM comment_mentions m WHERE m.comment_id = ?1"},
      {"followed_comment",
       "SELECT f.follower_id AS id FROM comments c JOIN follows f ON f.followed_id = c.author_id WHERE c.id = ?1 LIMIT "
       "10000"},
  };
  std::vector<Recipient> out;
  // Most comments notify nobody (no parent, no mention, no follower): one cheap probe finds which of the
  // three inserts can have anything to do, and only those run.
  auto& probe = db.prepare(
      "SELECT c.parent_id IS NOT NULL, EXISTS (SELECT 1 FROM comment_mentions m WHERE m.comment_id = ?1), "
      "EXISTS (SELECT 1 FROM follows f WHERE f.followed_id = c.author_id) FROM comments c WHERE c.id = ?1");
  probe.bind(1, comment_id);
  if (!probe.step()) return out;
  bool needed[3] = {probe.int64(0) != 0, probe.int64(1) != 0, probe.int64(2) != 0};
  probe.reset();
  for (size_t k = 0; k < 3; ++k) {
    if (!needed[k]) continue;
    const auto& [kind, who] = kinds[k];
    // Who, first; then one small insert each. (INSERT ... SELECT ... RETURNING makes SQLite build temporary
    // tables for every comment, which cost a third of the posting throughput.)
    std::vector<int64_t> ids;
    auto& st = db.prepare(std::string("SELECT r.id FROM (") + who +
                          ") AS r JOIN comments c ON c.id = ?1 WHERE "
                          "r.id IS NOT c.author_id AND NOT EXISTS (SELECT 1 FROM ignores i WHERE i.account_id = r.id "
                          "AND i.ignored_id = c.author_id)");
    st.bind(1, comment_id);
    while (st.step()) ids.push_back(st.int64(0));
    st.reset();
    auto& insert = db.prepare(
        "INSERT OR IGNORE INTO notifications (account_id, kind, comment_id, created_at) VALUES (?1, ?2, ?3, ?4)");
    for (int64_t id : ids) {
      insert.reset();
      insert.bind(1, id).bind(2, std::string_view(kind)).bind(3, comment_id).bind(4, now).run();
      if (db.changes() > 0) out.push_back(Recipient{id, kind});  // one per reader: the unique index
    }
  }
  return out;
}

std::optional<Comment> find_comment_in(Db& db, int64_t id) {
  auto& st = db.prepare(std::string("SELECT ") + kCommentColumns + kCommentFrom + "WHERE c.id = ?1");
  st.bind(1, id);
  if (!st.step()) return std::nullopt;
  return read_comment(st);
}

std::optional<Contribution> contribution_where(Db& db, const std::string& where, const std::string& key) {
  auto& st = db.prepare(std::string("SELECT ") + kContributionColumns + " FROM contributions WHERE " + where + " = ?1");
  st.bind(1, key);
  if (!st.step()) return std::nullopt;
  auto c = read_contribution(st);
  st.reset();
  return c;
}

}  // namespace tribune::sqlite

namespace tribune {

std::unique_ptr<Store> open_sqlite_store(const SqliteOptions& options) {
  return std::make_unique<sqlite::SqliteStore>(options);
}

}  // namespace tribune

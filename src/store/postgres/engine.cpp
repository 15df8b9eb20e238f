#include "store/postgres/engine.h"

#include <boost/json.hpp>

#include "util/text.h"

namespace tribune::postgres {

namespace {

void read_authors_and_tags(const Row& st, int col, Article& a) {
  boost::system::error_code ec;
  auto authors = boost::json::parse(st.text(col), ec);
  auto tags = ec ? boost::json::value() : boost::json::parse(st.text(col + 1), ec);
  if (ec || !authors.is_array() || !tags.is_array())
    throw Error(ErrorKind::internal, "store_error", "an article's authors or tags could not be read.");
  for (const auto& v : authors.as_array()) {
    const auto& f = v.as_array();
    a.authors.push_back(Author{f.at(0).to_number<int64_t>(), std::string(f.at(1).as_string()),
                               std::string(f.at(2).as_string()), std::string(f.at(3).as_string())});
  }
  for (const auto& t : tags.as_array()) a.tags.emplace_back(t.as_string());
}

}  // namespace

Article read_article_row(const Row& st, bool with_body) {
  Article a = read_article_head(st);
  read_authors_and_tags(st, kArticleWidth, a);
  if (with_body) {
    a.body_markdown = st.text(kArticleWidth + 2);
    a.body_html = st.text(kArticleWidth + 3);
  }
  return a;
}

std::optional<Article> find_article_in(Connection& db, std::string_view slug) {
  auto r = db.query(std::string("SELECT ") + kArticleColumns +
                        ", a.body_markdown, a.body_html FROM articles a JOIN sections s ON s.id = a.section_id "
                        "WHERE a.slug = $1",
                    {slug});
  if (r.empty()) return std::nullopt;
  return read_article_row(r.front(), true);
}

std::optional<Article> find_article_by_id_in(Connection& db, int64_t id) {
  auto r = db.query(std::string("SELECT ") + kArticleColumns +
                        ", a.body_markdown, a.body_html FROM articles a JOIN sections s ON s.id = a.section_id "
                        "WHERE a.id = $1",
                    {id});
  if (r.empty()) return std::nullopt;
  return read_article_row(r.front(), true);
}

Error email_taken() {
  return Error(ErrorKind::conflict, "email_taken", "An account with this email address already exists.", "email");
}

std::string storable(std::string_view text) {
  bool utf8 = is_valid_utf8(text);
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    if (ch == '\0') continue;
    out += (!utf8 && static_cast<unsigned char>(ch) >= 0x80) ? '?' : ch;
  }
  return out;
}

int64_t insert_session(Connection& db, int64_t account_id, const NewSession& s) {
  return db
      .query(
          "INSERT INTO sessions (token_hash, account_id, created_at, last_seen_at, expires_at, user_agent, ip) "
          "VALUES ($1, $2, $3, $3, $4, $5, $6) RETURNING id",
          {Param::bytes(s.token_hash), account_id, secs(s.created_at), secs(s.expires_at), storable(s.user_agent),
           storable(s.ip)})
      .front()
      .int64(0);
}

void insert_token(Connection& db, int64_t account_id, const EmailToken& t, int64_t now) {
  db.query(
      "INSERT INTO email_tokens (token_hash, account_id, purpose, created_at, expires_at, new_email, "
      "new_email_normalized) VALUES ($1, $2, $3, $4, $5, nullif($6, ''), nullif($7, ''))",
      {Param::bytes(t.token_hash), account_id, t.purpose, now, secs(t.expires_at), t.new_email,
       t.new_email_normalized});
}

std::optional<int64_t> take_token(Connection& db, const std::string& hash, const char* purpose, int64_t now) {
  auto r = db.query(
      "UPDATE email_tokens SET used_at = $3 WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL "
      "AND expires_at > $3 RETURNING account_id",
      {Param::bytes(hash), purpose, now});
  if (r.empty()) return std::nullopt;
  return r.front().int64(0);
}

void insert_mail(Connection& db, const OutboxMail& m, int64_t now) {
  db.query(
      "INSERT INTO mail_outbox (recipient, subject, body_text, created_at, next_attempt_at) VALUES ($1, $2, $3, $4, "
      "$4)",
      {m.to, m.subject, m.body_text, now});
}

void recount(Connection& db, int64_t article, std::optional<int64_t> parent, int64_t delta) {
  if (parent)
    db.query(
        "WITH RECURSIVE up(id) AS (SELECT $1::bigint UNION ALL SELECT c.parent_id FROM comments c JOIN up ON "
        "c.id = up.id WHERE c.parent_id IS NOT NULL) "
        "UPDATE comments SET visible_below = visible_below + $2, "
        "reply_count = reply_count + CASE WHEN id = $1 THEN $2 ELSE 0 END WHERE id IN (SELECT id FROM up)",
        {*parent, delta});
  db.query("UPDATE articles SET comment_count = comment_count + $2 WHERE id = $1", {article, delta});
}

std::vector<Recipient> notify_published(Connection& db, int64_t comment_id, int64_t now) {
  static constexpr std::pair<const char*, const char*> kinds[] = {
      {"reply",
       "SELECT p.author_id AS id FROM comments c JOIN comments p ON p.id = c.parent_id WHERE c.id = $1 AND "
       "p.author_id IS NOT NULL"},
      {"mention", "SELECT m.account_id AS id FROM comment_mentions m WHERE m.comment_id = $1"},
      {"followed_comment",
       "SELECT f.follower_id AS id FROM comments c JOIN follows f ON f.followed_id = c.author_id WHERE c.id = $1 "
       "LIMIT 10000"},
  };
  std::vector<Recipient> out;
  // Most comments notify nobody: one cheap probe finds which of the three inserts can have anything to do.
  auto probe = db.query(
      "SELECT c.parent_id IS NOT NULL, EXISTS (SELECT 1 FROM comment_mentions m WHERE m.comment_id = $1), "
      "EXISTS (SELECT 1 FROM follows f WHERE f.followed_id = c.author_id) FROM comments c WHERE c.id = $1",
      {comment_id});
  if (probe.empty()) return out;
  bool needed[3] = {probe.front().boolean(0), probe.front().boolean(1), probe.front().boolean(2)};
  for (size_t k = 0; k < 3; ++k) {
    if (!needed[k]) continue;
    const auto& [kind, who] = kinds[k];
    // One reader, one notification per comment (the unique index): ON CONFLICT keeps the earlier kind.
    auto r = db.query(std::string("INSERT INTO notifications (account_id, kind, comment_id, created_at) SELECT r.id, "
                                  "$2::text, $1::bigint, $3::bigint FROM (") +
                          who +
                          ") AS r JOIN comments c ON c.id = $1 WHERE r.id IS DISTINCT FROM c.author_id AND NOT "
                          "EXISTS (SELECT 1 FROM ignores i WHERE i.account_id = r.id AND i.ignored_id = "
                          "c.author_id) ON CONFLICT DO NOTHING RETURNING account_id",
                      {comment_id, kind, now});
    for (auto row : r) out.push_back(Recipient{row.int64(0), kind});
  }
  return out;
}

std::optional<Comment> find_comment_in(Connection& db, int64_t id) {
  auto r = db.query(std::string("SELECT ") + kCommentColumns + kCommentFrom + "WHERE c.id = $1", {id});
  if (r.empty()) return std::nullopt;
  return read_comment(r.front());
}

std::optional<Contribution> contribution_where(Connection& db, const std::string& where, const std::string& key) {
  auto r = db.query(
      std::string("SELECT ") + kContributionColumns + " FROM contributions WHERE " + where + " = $1 FOR UPDATE", {key});
  if (r.empty()) return std::nullopt;
  return read_contribution(r.front());
}

int applied_version(Connection& c) {
  if (!c.query("SELECT to_regclass('schema_migrations') IS NOT NULL").front().boolean(0)) return 0;
  return static_cast<int>(c.query("SELECT coalesce(max(version), 0) FROM schema_migrations").front().int64(0));
}

void log_act(Connection& db, int64_t actor_id, std::string_view action, std::optional<int64_t> comment_id,
             std::optional<int64_t> account_id, std::string_view reason, int64_t now) {
  db.query(
      "INSERT INTO moderation_log (actor_id, actor_name, action, comment_id, account_id, reason, created_at) VALUES "
      "(nullif($1::bigint, 0), coalesce((SELECT display_name FROM accounts WHERE id = $1), ''), $2, $3, $4, $5, $6)",
      {actor_id, action, comment_id, account_id, reason, now});
}

Error account_not_found() {
  return Error(ErrorKind::not_found, "not_found", "The account was not found.");
}

}  // namespace tribune::postgres

namespace tribune {

bool is_postgres_url(std::string_view url) {
  return url.starts_with("postgresql://") || url.starts_with("postgres://");
}

std::unique_ptr<Store> open_postgres_store(const PostgresOptions& options) {
  pg::check_conninfo(options.url);  // a malformed URL is the operator's mistake, not a server to wait for
  return std::make_unique<postgres::PostgresStore>(options);
}

}  // namespace tribune

#include "store/postgres/postgres_store.h"

#include <sodium.h>

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <map>
#include <mutex>

#include "model/error.h"
#include "model/account.h"
#include "store/postgres/listener.h"
#include "store/postgres/migrations.h"
#include "store/postgres/pg.h"
#include "util/text.h"

namespace tribune {

namespace {

using pg::Connection;
using pg::Param;
using pg::Row;

int64_t secs(TimePoint t) { return t.time_since_epoch().count(); }
TimePoint seconds_at(const Row& r, int col) { return TimePoint(std::chrono::seconds(r.int64(col))); }

// Held (transaction-scoped) by every migration step, so that two processes migrating at once apply each step
// once. The number is arbitrary but fixed: "tribune" in ASCII.
constexpr int64_t kMigrationLock = 0x74726962756e65;

constexpr const char* kBumpContentVersion = "UPDATE counters SET value = value + 1 WHERE name = 'content_version'";

// With each article its authors (in byline order) and tags as JSON arrays, so that one query reads a whole
// listing (not two more per article). Tags and names sort byte-wise (COLLATE "C"), as SQLite's default
// collation does, whatever the database's locale.
constexpr const char* kArticleColumns =
    "a.id, a.slug, a.title, a.standfirst, a.published_at, a.updated_at, a.source_name, a.source_url, "
    "a.comments_mode, a.comment_count, a.version, s.id, s.slug, s.name, "
    "(SELECT coalesce(json_agg(json_build_array(au.id, au.slug, au.name, au.bio) ORDER BY aa.position), '[]') "
    "FROM article_authors aa JOIN authors au ON au.id = aa.author_id WHERE aa.article_id = a.id), "
    "(SELECT coalesce(json_agg(t.tag ORDER BY t.tag COLLATE \"C\"), '[]') FROM article_tags t WHERE t.article_id = a.id)";

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

Article read_article_row(const Row& st, bool with_body) {
  Article a;
  a.id = st.int64(0);
  a.slug = st.text(1);
  a.title = st.text(2);
  a.standfirst = st.text(3);
  a.published_at = seconds_at(st, 4);
  a.updated_at = seconds_at(st, 5);
  a.source_name = st.text(6);
  a.source_url = st.text(7);
  a.comments = parse_comments_mode(st.text(8)).value_or(CommentsMode::site_default);
  a.comment_count = st.int64(9);
  a.version = st.int64(10);
  a.section = Section{st.int64(11), st.text(12), st.text(13)};
  read_authors_and_tags(st, 14, a);
  if (with_body) {
    a.body_markdown = st.text(16);
    a.body_html = st.text(17);
  }
  return a;
}

// Concurrent writers creating the same name: ON CONFLICT waits for the other's transaction, and the SELECT
// that follows (a new READ COMMITTED snapshot) sees its row.
int64_t upsert_named(Connection& db, const char* table, const std::string& slug, const std::string& name) {
  auto ins = db.query(std::string("INSERT INTO ") + table +
                          " (slug, name) VALUES ($1, $2) ON CONFLICT (slug) DO NOTHING RETURNING id",
                      {slug, name});
  if (!ins.empty()) return ins.front().int64(0);
  auto sel = db.query(std::string("SELECT id FROM ") + table + " WHERE slug = $1", {slug});
  if (sel.empty()) throw Error(ErrorKind::internal, "store_error", std::string("the ") + table + " row vanished.");
  return sel.front().int64(0);
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

constexpr const char* kAccountColumns =
    "id, email, display_name, role, email_verified_at, created_at, banned_until, ban_reason, digest, "
    "supporter_since IS NOT NULL, show_supporter, warning, premoderated";
constexpr const char* kAccountColumnsA =
    "a.id, a.email, a.display_name, a.role, a.email_verified_at, a.created_at, a.banned_until, a.ban_reason, a.digest, "
    "a.supporter_since IS NOT NULL, a.show_supporter, a.warning, a.premoderated";
constexpr int kAccountWidth = 13;  // columns read by read_account

Account read_account(const Row& st, int c) {
  Account a;
  a.id = st.int64(c);
  a.email = st.text(c + 1);
  a.display_name = st.text(c + 2);
  a.role = st.text(c + 3);
  if (!st.is_null(c + 4)) a.email_verified_at = seconds_at(st, c + 4);
  a.created_at = seconds_at(st, c + 5);
  if (!st.is_null(c + 6)) a.banned_until = seconds_at(st, c + 6);
  a.ban_reason = st.text(c + 7);
  a.digest = st.text(c + 8);
  a.supporter = st.boolean(c + 9);
  a.show_supporter = st.boolean(c + 10);
  a.warning = st.text(c + 11);
  a.premoderated = st.boolean(c + 12);
  return a;
}

Error email_taken() {
  return Error(ErrorKind::conflict, "email_taken", "An account with this email address already exists.", "email");
}

// A check-then-write that lost a race to a concurrent writer surfaces as the same error the check gives.
template <class F>
auto email_unique(F&& f) {
  try {
    return f();
  } catch (const pg::PgError& e) {
    if (e.sqlstate() == "23505" && e.constraint() == "accounts_email_unique") throw email_taken();
    throw;
  }
}

// PostgreSQL text must be UTF-8 without NUL, where SQLite keeps any bytes. The few strings that reach the store
// unvalidated (a User-Agent header, an SMTP error cut at 500 bytes) are made storable: NULs dropped and, when
// the text is not UTF-8, every non-ASCII byte replaced by '?'.
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
  return db.query("INSERT INTO sessions (token_hash, account_id, created_at, last_seen_at, expires_at, user_agent, ip) "
                  "VALUES ($1, $2, $3, $3, $4, $5, $6) RETURNING id",
                  {Param::bytes(s.token_hash), account_id, secs(s.created_at), secs(s.expires_at),
                   storable(s.user_agent), storable(s.ip)})
      .front().int64(0);
}

void insert_token(Connection& db, int64_t account_id, const EmailToken& t, int64_t now) {
  db.query("INSERT INTO email_tokens (token_hash, account_id, purpose, created_at, expires_at, new_email, "
           "new_email_normalized) VALUES ($1, $2, $3, $4, $5, nullif($6, ''), nullif($7, ''))",
           {Param::bytes(t.token_hash), account_id, t.purpose, now, secs(t.expires_at), t.new_email,
            t.new_email_normalized});
}

// Marks the token used if it is valid now; returns its account. One conditional UPDATE: of two concurrent
// callers with the same token, the second waits for the first and then finds it used.
std::optional<int64_t> take_token(Connection& db, const std::string& hash, const char* purpose, int64_t now) {
  auto r = db.query("UPDATE email_tokens SET used_at = $3 WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL "
                    "AND expires_at > $3 RETURNING account_id",
                    {Param::bytes(hash), purpose, now});
  if (r.empty()) return std::nullopt;
  return r.front().int64(0);
}

void insert_mail(Connection& db, const OutboxMail& m, int64_t now) {
  db.query("INSERT INTO mail_outbox (recipient, subject, body_text, created_at, next_attempt_at) VALUES ($1, $2, $3, $4, $4)",
           {m.to, m.subject, m.body_text, now});
}

// Takes a comment that leaves the conversation out of its article's and parent's counts. The article row is
// updated last: it is the hot row of a busy conversation (see add_comment).
void uncount(Connection& db, int64_t article, std::optional<int64_t> parent) {
  if (parent) db.query("UPDATE comments SET reply_count = reply_count - 1 WHERE id = $1", {*parent});
  db.query("UPDATE articles SET comment_count = comment_count - 1 WHERE id = $1", {article});
}

#define TRIBUNE_PG_COMMENT_COLUMNS                                                                            \
  "c.id, c.article_id, c.parent_id, c.root_id, c.depth, c.author_id, coalesce(ac.display_name, ''), "         \
  "c.body_markdown, c.body_html, c.status, c.created_at, c.edited_at, c.reply_count, c.recommend_count, "     \
  "c.picked, coalesce(ac.show_supporter AND ac.supporter_since IS NOT NULL, false)"
constexpr const char* kCommentColumns = TRIBUNE_PG_COMMENT_COLUMNS;
constexpr int kCommentWidth = 16;  // columns read by read_comment
constexpr const char* kCommentFrom = " FROM comments c LEFT JOIN accounts ac ON ac.id = c.author_id ";

Comment read_comment(const Row& st, int o = 0) {
  Comment c;
  c.id = st.int64(o + 0);
  c.article_id = st.int64(o + 1);
  if (!st.is_null(o + 2)) c.parent_id = st.int64(o + 2);
  c.root_id = st.int64(o + 3);
  c.depth = static_cast<int>(st.int64(o + 4));
  if (!st.is_null(o + 5)) c.author_id = st.int64(o + 5);
  c.author_name = st.text(o + 6);
  c.body_markdown = st.text(o + 7);
  c.body_html = st.text(o + 8);
  c.status = parse_comment_status(st.text(o + 9)).value_or(CommentStatus::hidden);
  c.created_at = seconds_at(st, o + 10);
  if (!st.is_null(o + 11)) c.edited_at = seconds_at(st, o + 11);
  c.reply_count = st.int64(o + 12);
  c.recommend_count = st.int64(o + 13);
  c.picked = st.boolean(o + 14);
  c.author_supporter = st.boolean(o + 15);
  return c;
}

constexpr const char* kNotificationColumns = "n.id, n.kind, n.detail, n.created_at, n.read_at, " TRIBUNE_PG_COMMENT_COLUMNS;
constexpr const char* kNotificationFrom =
    " FROM notifications n JOIN comments c ON c.id = n.comment_id LEFT JOIN accounts ac ON ac.id = c.author_id ";
// A notice about a comment taken down stays visible to its author; every other kind goes with its comment.
constexpr const char* kNotificationVisible = "(c.status = 'published' OR n.kind = 'moderation')";

Notification read_notification(const Row& st) {
  Notification n;
  n.id = st.int64(0);
  n.kind = st.text(1);
  n.detail = st.text(2);
  n.created_at = seconds_at(st, 3);
  n.read = !st.is_null(4);
  n.comment = read_comment(st, 5);
  return n;
}

// 63 bits of BLAKE2b (as the SQLite engine computes it): finds a reader's earlier comments with the same text
// through an index.
int64_t text_hash(std::string_view text) {
  unsigned char digest[8];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(text.data()), text.size(), nullptr, 0);
  uint64_t v = 0;
  for (unsigned char b : digest) v = (v << 8) | b;
  return static_cast<int64_t>(v >> 1);
}

// The notifications of a comment that has just been published (Store::add_comment), in the caller's
// transaction. Earlier kinds win: a follower who is also the parent's author gets one "reply".
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
                          who + ") AS r JOIN comments c ON c.id = $1 WHERE r.id IS DISTINCT FROM c.author_id AND NOT "
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

constexpr const char* kContributionColumns =
    "id, amount_minor, currency, interval, status, article_id, referrer, account_id, email, "
    "coalesce(checkout_session_id, ''), coalesce(subscription_id, ''), created_at";

Contribution read_contribution(const Row& st) {
  Contribution c;
  c.id = st.int64(0);
  c.amount_minor = st.int64(1);
  c.currency = st.text(2);
  c.interval = st.text(3);
  c.status = st.text(4);
  if (!st.is_null(5)) c.article_id = st.int64(5);
  c.referrer = st.text(6);
  if (!st.is_null(7)) c.account_id = st.int64(7);
  c.email = st.text(8);
  c.checkout_session_id = st.text(9);
  c.subscription_id = st.text(10);
  c.created_at = seconds_at(st, 11);
  return c;
}

// Locks the row: concurrent events for one contribution apply one after the other.
std::optional<Contribution> contribution_where(Connection& db, const std::string& where, const std::string& key) {
  auto r = db.query(std::string("SELECT ") + kContributionColumns + " FROM contributions WHERE " + where +
                        " = $1 FOR UPDATE",
                    {key});
  if (r.empty()) return std::nullopt;
  return read_contribution(r.front());
}

int applied_version(Connection& c) {
  if (!c.query("SELECT to_regclass('schema_migrations') IS NOT NULL").front().boolean(0)) return 0;
  return static_cast<int>(c.query("SELECT coalesce(max(version), 0) FROM schema_migrations").front().int64(0));
}

// Appends to the audit log, naming the actor as they are now (0: an API token or the command line).
void log_act(Connection& db, int64_t actor_id, std::string_view action, std::optional<int64_t> comment_id,
             std::optional<int64_t> account_id, std::string_view reason, int64_t now) {
  db.query("INSERT INTO moderation_log (actor_id, actor_name, action, comment_id, account_id, reason, created_at) VALUES "
           "(nullif($1::bigint, 0), coalesce((SELECT display_name FROM accounts WHERE id = $1), ''), $2, $3, $4, $5, $6)",
           {actor_id, action, comment_id, account_id, reason, now});
}

Error account_not_found() { return Error(ErrorKind::not_found, "not_found", "The account was not found."); }

class PostgresStore final : public Store {
  // One write method: one transaction, counted for stats() once committed.
  template <class F>
  auto write(F&& f) {
    struct Count {
      std::atomic<int64_t>& n;
      ~Count() {
        if (std::uncaught_exceptions() == 0) n.fetch_add(1);
      }
    } count{writes_};
    return db_.transact(std::forward<F>(f));
  }

 public:
  explicit PostgresStore(const PostgresOptions& o)
      : url_(o.url), db_(o.url, o.pool_size, o.acquire_timeout, o.replica_url) {
    db_.read([](Connection& c) { c.exec("SELECT 1"); });
    if (auto* replica = db_.replica()) {
      try {
        replica->check_standby();
      } catch (const Error& e) {
        if (e.kind() != ErrorKind::unavailable) throw;  // reachable but not a standby: the operator's mistake
        spdlog::warn("the read replica cannot be reached; reading from the primary until it can: {}", e.message());
      }
    }
    sync_position();  // a node starting now has seen nothing, but must not serve older than the primary has
  }
  ~PostgresStore() override { stop_listening(); }

  // Each step is one transaction that first takes the migration lock and then re-reads the applied steps.
  void migrate() override {
    for (const auto& m : postgres::migrations()) {
      db_.transact([&](Connection& c) {
        c.query("SELECT pg_advisory_xact_lock($1)", {kMigrationLock});
        c.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)");
        if (!c.query("SELECT 1 FROM schema_migrations WHERE version = $1", {m.version}).empty()) return;
        c.exec(m.sql);
        c.query("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
                {m.version, secs(now_seconds())});
      });
    }
  }

  int schema_version() override {
    return db_.read([](Connection& c) { return applied_version(c); });
  }

  Article save_article(const ArticleRecord& r, bool replace) override {
    return write([&](Connection& db) {
      const auto& d = r.draft;
      int64_t section_id = upsert_named(db, "sections", slugify(d.section), d.section);
      int64_t now = secs(now_seconds());
      int64_t id = 0;
      // The row lock (or the unique index, for two creators of one slug) orders concurrent saves of a slug.
      for (;;) {
        auto existing = db.query("SELECT id FROM articles WHERE slug = $1 FOR UPDATE", {d.slug});
        if (!existing.empty()) {
          id = existing.front().int64(0);
          if (!replace)
            throw Error(ErrorKind::conflict, "slug_taken", "An article with the slug '" + d.slug + "' already exists.",
                        "slug");
          db.query("UPDATE articles SET title = $2, standfirst = $3, section_id = $4, body_markdown = $5, body_html = $6, "
                   "published_at = $7, updated_at = $8, source_name = $9, source_url = $10, comments_mode = $11, "
                   "version = version + 1 WHERE id = $1",
                   {id, d.title, d.standfirst, section_id, d.body_markdown, r.body_html, secs(r.published_at), now,
                    d.source_name, d.source_url, to_string(d.comments)});
          db.query("DELETE FROM article_authors WHERE article_id = $1", {id});
          db.query("DELETE FROM article_tags WHERE article_id = $1", {id});
          break;
        }
        auto inserted = db.query(
            "INSERT INTO articles (slug, title, standfirst, section_id, body_markdown, body_html, published_at, "
            "updated_at, source_name, source_url, comments_mode) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) "
            "ON CONFLICT (slug) DO NOTHING RETURNING id",
            {d.slug, d.title, d.standfirst, section_id, d.body_markdown, r.body_html, secs(r.published_at), now,
             d.source_name, d.source_url, to_string(d.comments)});
        if (!inserted.empty()) {
          id = inserted.front().int64(0);
          break;
        }
      }
      int64_t position = 0;
      for (const auto& name : d.authors) {
        int64_t author_id = upsert_named(db, "authors", slugify(name), name);
        if (position == 0 && !d.author_bio.empty())
          db.query("UPDATE authors SET bio = $2 WHERE id = $1", {author_id, d.author_bio});
        db.query("INSERT INTO article_authors (article_id, author_id, position) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                 {id, author_id, position++});
      }
      for (const auto& tag : d.tags)
        db.query("INSERT INTO article_tags (article_id, tag) VALUES ($1, $2) ON CONFLICT DO NOTHING", {id, tag});
      db.query(kBumpContentVersion);
      auto saved = find_article_in(db, d.slug);
      if (!saved) throw Error(ErrorKind::internal, "store_error", "the saved article could not be read back.");
      return *saved;
    });
  }

  std::optional<Article> find_article(std::string_view slug) override {
    return db_.read_replica([&](Connection& db) { return find_article_in(db, slug); });
  }

  std::optional<Article> find_article_by_id(int64_t id) override {
    return db_.read_replica([&](Connection& db) { return find_article_by_id_in(db, id); });
  }

  ArticleList list_articles(const ArticleQuery& q) override {
    return db_.read_replica([&](Connection& db) {
      std::vector<Param> ps;
      auto arg = [&](Param p) {
        ps.push_back(std::move(p));
        return "$" + std::to_string(ps.size());
      };
      std::string sql = std::string("SELECT ") + kArticleColumns;
      if (q.with_body) sql += ", a.body_markdown, a.body_html";
      sql += " FROM articles a JOIN sections s ON s.id = a.section_id WHERE a.published_at <= " + arg(secs(q.visible_at));
      if (q.section_slug) sql += " AND s.slug = " + arg(*q.section_slug);
      if (q.author_slug)
        sql += " AND a.id IN (SELECT aa.article_id FROM article_authors aa JOIN authors au ON au.id = aa.author_id "
               "WHERE au.slug = " + arg(*q.author_slug) + ")";
      if (q.tag) sql += " AND a.id IN (SELECT article_id FROM article_tags WHERE tag = " + arg(*q.tag) + ")";
      if (q.after) {
        auto at = arg(q.after->published_at);
        auto id = arg(q.after->id);
        sql += " AND (a.published_at < " + at + " OR (a.published_at = " + at + " AND a.id < " + id + "))";
      }
      int limit = std::clamp(q.limit, 1, 1000);
      sql += " ORDER BY a.published_at DESC, a.id DESC LIMIT " + arg(limit + 1);
      ArticleList out;
      for (auto row : db.query(sql, ps)) out.articles.push_back(read_article_row(row, q.with_body));
      if (static_cast<int>(out.articles.size()) > limit) {
        out.articles.pop_back();
        const auto& last = out.articles.back();
        out.next = ArticleCursor{secs(last.published_at), last.id};
      }
      return out;
    });
  }

  int64_t count_articles() override {
    return db_.read_replica([](Connection& db) { return db.query("SELECT count(*) FROM articles").front().int64(0); });
  }

  std::optional<TimePoint> next_scheduled(TimePoint after) override {
    return db_.read([&](Connection& db) -> std::optional<TimePoint> {
      auto r = db.query("SELECT min(published_at) FROM articles WHERE published_at > $1", {secs(after)});
      if (r.empty() || r.front().is_null(0)) return std::nullopt;
      return seconds_at(r.front(), 0);
    });
  }

  int64_t content_version() override {
    return db_.read([](Connection& db) {
      auto r = db.query("SELECT value FROM counters WHERE name = 'content_version'");
      return r.empty() ? int64_t{0} : r.front().int64(0);
    });
  }

  std::optional<Author> find_author(std::string_view slug) override {
    return db_.read_replica([&](Connection& db) -> std::optional<Author> {
      auto r = db.query("SELECT id, slug, name, bio FROM authors WHERE slug = $1", {slug});
      if (r.empty()) return std::nullopt;
      auto row = r.front();
      return Author{row.int64(0), row.text(1), row.text(2), row.text(3)};
    });
  }

  std::optional<Section> find_section(std::string_view slug) override {
    return db_.read_replica([&](Connection& db) -> std::optional<Section> {
      auto r = db.query("SELECT id, slug, name FROM sections WHERE slug = $1", {slug});
      if (r.empty()) return std::nullopt;
      auto row = r.front();
      return Section{row.int64(0), row.text(1), row.text(2)};
    });
  }

  std::vector<Section> list_sections() override {
    return db_.read_replica([](Connection& db) {
      std::vector<Section> out;
      for (auto row : db.query("SELECT id, slug, name FROM sections ORDER BY name COLLATE \"C\""))
        out.push_back(Section{row.int64(0), row.text(1), row.text(2)});
      return out;
    });
  }

  ApiToken create_api_token(const std::string& token_hash, const std::string& name, const std::string& role) override {
    ApiToken t{0, name, role, now_seconds()};
    t.id = write([&](Connection& db) {
      return db.query("INSERT INTO api_tokens (token_hash, name, role, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
                      {Param::bytes(token_hash), name, role, secs(t.created_at)})
          .front().int64(0);
    });
    return t;
  }

  std::optional<ApiToken> find_api_token(const std::string& token_hash) override {
    return db_.read([&](Connection& db) -> std::optional<ApiToken> {
      auto r = db.query("SELECT id, name, role, created_at FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
                        {Param::bytes(token_hash)});
      if (r.empty()) return std::nullopt;
      auto row = r.front();
      return ApiToken{row.int64(0), row.text(1), row.text(2), seconds_at(row, 3)};
    });
  }

  // --- Accounts and sessions ---

  CreatedAccount create_account(const NewAccount& a, const std::optional<NewSession>& session,
                                const std::optional<EmailToken>& token, const std::optional<OutboxMail>& mail) override {
    return email_unique([&] {
      return write([&](Connection& db) {
        if (!db.query("SELECT 1 FROM accounts WHERE email_normalized = $1", {a.email_normalized}).empty())
          throw email_taken();
        int64_t created = secs(a.created_at);
        CreatedAccount out;
        int64_t id = db.query("INSERT INTO accounts (email, email_normalized, display_name, name_key, name_key_cased, "
                              "password_hash, role, created_at, handle) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
                              "RETURNING id",
                              {a.email, a.email_normalized, a.display_name, a.name_keys[0], a.name_keys[1],
                               a.password_hash, a.role, created, mention_handle(a.display_name)})
                         .front().int64(0);
        out.account = Account{id, a.email, a.display_name, a.role, std::nullopt, a.created_at};
        if (session) out.session_id = insert_session(db, id, *session);
        if (token) insert_token(db, id, *token, created);
        if (mail) insert_mail(db, *mail, created);
        return out;
      });
    });
  }

  std::optional<Credentials> find_credentials(const std::string& email_normalized) override {
    return db_.read([&](Connection& db) -> std::optional<Credentials> {
      auto r = db.query(std::string("SELECT ") + kAccountColumns + ", password_hash FROM accounts WHERE email_normalized = $1",
                        {email_normalized});
      if (r.empty()) return std::nullopt;
      return Credentials{read_account(r.front(), 0), r.front().text(kAccountWidth)};
    });
  }

  std::optional<Account> find_account(int64_t id) override {
    return db_.read([&](Connection& db) -> std::optional<Account> {
      auto r = db.query(std::string("SELECT ") + kAccountColumns + " FROM accounts WHERE id = $1", {id});
      if (r.empty()) return std::nullopt;
      return read_account(r.front(), 0);
    });
  }

  void set_password_hash(int64_t account_id, const std::string& hash) override {
    write([&](Connection& db) { db.query("UPDATE accounts SET password_hash = $2 WHERE id = $1", {account_id, hash}); });
  }

  bool staff_name_taken(const std::array<std::string, 2>& keys) override {
    return db_.read([&](Connection& db) {
      return !db.query("SELECT 1 FROM accounts WHERE role <> 'reader' AND (name_key IN ($1, $2) OR name_key_cased IN "
                       "($1, $2)) LIMIT 1",
                       {keys[0], keys[1]})
                  .empty();
    });
  }

  int64_t create_session(int64_t account_id, const NewSession& session) override {
    return write([&](Connection& db) { return insert_session(db, account_id, session); });
  }

  std::optional<SessionLookup> find_session(const std::string& token_hash) override {
    return db_.read([&](Connection& db) -> std::optional<SessionLookup> {
      auto r = db.query(std::string("SELECT ") + kAccountColumnsA +
                            ", s.id, s.created_at, s.last_seen_at, s.expires_at, s.user_agent, s.ip "
                            "FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE s.token_hash = $1",
                        {Param::bytes(token_hash)});
      if (r.empty()) return std::nullopt;
      auto st = r.front();
      SessionLookup out;
      out.account = read_account(st, 0);
      constexpr int s = kAccountWidth;
      out.session = SessionInfo{st.int64(s), out.account.id, seconds_at(st, s + 1), seconds_at(st, s + 2),
                                seconds_at(st, s + 3), st.text(s + 4), st.text(s + 5)};
      return out;
    });
  }

  void touch_session(int64_t session_id, TimePoint seen) override {
    write([&](Connection& db) { db.query("UPDATE sessions SET last_seen_at = $2 WHERE id = $1", {session_id, secs(seen)}); });
  }

  void delete_session(const std::string& token_hash) override {
    write([&](Connection& db) { db.query("DELETE FROM sessions WHERE token_hash = $1", {Param::bytes(token_hash)}); });
  }

  bool delete_account_session(int64_t account_id, int64_t session_id) override {
    return write([&](Connection& db) {
      return db.query("DELETE FROM sessions WHERE id = $1 AND account_id = $2", {session_id, account_id}).affected() > 0;
    });
  }

  void delete_sessions(int64_t account_id) override {
    write([&](Connection& db) { db.query("DELETE FROM sessions WHERE account_id = $1", {account_id}); });
  }

  std::vector<SessionInfo> list_sessions(int64_t account_id) override {
    return db_.read([&](Connection& db) {
      std::vector<SessionInfo> out;
      for (auto st : db.query("SELECT id, created_at, last_seen_at, expires_at, user_agent, ip FROM sessions WHERE "
                              "account_id = $1 ORDER BY last_seen_at DESC",
                              {account_id}))
        out.push_back(SessionInfo{st.int64(0), account_id, seconds_at(st, 1), seconds_at(st, 2), seconds_at(st, 3),
                                  st.text(4), st.text(5)});
      return out;
    });
  }

  void set_display_name(int64_t id, const std::string& name, const std::array<std::string, 2>& keys) override {
    write([&](Connection& db) {
      db.query("UPDATE accounts SET display_name = $2, name_key = $3, name_key_cased = $4, handle = $5 WHERE id = $1",
               {id, name, keys[0], keys[1], mention_handle(name)});
    });
  }

  void request_email_change(int64_t id, const EmailToken& confirm, const OutboxMail& confirm_mail, const EmailToken& undo,
                            const OutboxMail& notice) override {
    write([&](Connection& db) {
      if (!db.query("SELECT 1 FROM accounts WHERE email_normalized = $1 AND id <> $2", {confirm.new_email_normalized, id})
               .empty())
        throw email_taken();
      int64_t now = secs(now_seconds());
      db.query("UPDATE email_tokens SET used_at = $2 WHERE account_id = $1 AND used_at IS NULL AND new_email IS NOT NULL",
               {id, now});
      insert_token(db, id, confirm, now);
      insert_mail(db, confirm_mail, now);
      insert_token(db, id, undo, now);
      insert_mail(db, notice, now);
    });
  }

  void delete_other_sessions(int64_t account_id, int64_t keep) override {
    write([&](Connection& db) {
      db.query("DELETE FROM sessions WHERE account_id = $1 AND id <> $2", {account_id, keep});
    });
  }

  void delete_account(int64_t id) override {
    write([&](Connection& db) {
      db.query("DELETE FROM sessions WHERE account_id = $1", {id});
      db.query("DELETE FROM email_tokens WHERE account_id = $1", {id});
      db.query("UPDATE comments SET author_id = NULL WHERE author_id = $1", {id});
      if (db.query("DELETE FROM accounts WHERE id = $1", {id}).affected() == 0) throw account_not_found();
    });
  }

  void set_role(int64_t id, const std::string& role) override {
    write([&](Connection& db) {
      if (db.query("UPDATE accounts SET role = $2 WHERE id = $1", {id, role}).affected() == 0) throw account_not_found();
    });
  }

  std::vector<Account> list_accounts(int64_t after_id, int limit) override {
    return db_.read([&](Connection& db) {
      std::vector<Account> out;
      for (auto row : db.query(std::string("SELECT ") + kAccountColumns + " FROM accounts WHERE id > $1 ORDER BY id LIMIT $2",
                               {after_id, std::clamp(limit, 1, 500)}))
        out.push_back(read_account(row, 0));
      return out;
    });
  }

  std::vector<Comment> comments_by_author(int64_t account_id, int limit) override {
    return db_.read([&](Connection& db) {
      std::vector<Comment> out;
      for (auto row : db.query(std::string("SELECT ") + kCommentColumns + kCommentFrom +
                                   "WHERE c.author_id = $1 ORDER BY c.created_at, c.id LIMIT $2",
                               {account_id, limit}))
        out.push_back(read_comment(row));
      return out;
    });
  }

  // --- Comments ---

  SavedComment add_comment(const NewComment& c) override {
    SavedComment out;
    int64_t id = 0;
    write([&](Connection& db) {
      out.notified.clear();
      int64_t root = 0, depth = 0;
      if (c.parent_id) {
        // Locked: a concurrent delete or decision cannot unpublish the parent between this check and the commit.
        auto parent = db.query("SELECT article_id, root_id, depth, status FROM comments WHERE id = $1 FOR UPDATE",
                               {*c.parent_id});
        if (parent.empty() || parent.front().int64(0) != c.article_id || parent.front().text(3) != "published")
          throw Error(ErrorKind::invalid, "invalid_parent",
                      "You can only reply to a published comment on the same article.", "parent_id");
        root = parent.front().int64(1);
        depth = parent.front().int64(2) + 1;
      }
      // The id is drawn first so that a top-level comment is its own thread's root in the same statement.
      id = db.query("WITH next AS (SELECT nextval(pg_get_serial_sequence('comments', 'id')) AS id) "
                    "INSERT INTO comments (id, article_id, parent_id, root_id, depth, author_id, body_markdown, "
                    "body_html, status, created_at, body_hash, moderation_rule, moderation_reason) "
                    "SELECT next.id, $1, $2, coalesce($3, next.id), $4, $5, $6, $7, $8, $9, $10, $11, $12 FROM next "
                    "RETURNING id",
                    {c.article_id, c.parent_id, c.parent_id ? std::optional<int64_t>(root) : std::nullopt, depth,
                     c.author_id, c.body_markdown, c.body_html, to_string(c.status), secs(c.created_at),
                     text_hash(c.body_markdown), c.moderation_rule, c.moderation_reason})
               .front().int64(0);
      for (const auto& handle : c.mentions)
        db.query("INSERT INTO comment_mentions (comment_id, account_id) SELECT $1::bigint, a.id FROM accounts a "
                 "WHERE a.handle = $2 ORDER BY EXISTS (SELECT 1 FROM comments x WHERE x.author_id = a.id AND "
                 "x.article_id = $3) DESC, a.id LIMIT 1 ON CONFLICT DO NOTHING",
                 {id, handle, c.article_id});
      if (c.status == CommentStatus::published) {
        out.notified = notify_published(db, id, secs(c.created_at));
        // The counters last: every comment on the article updates this one row, and its lock is held until
        // the commit, so the less work after it the more comments per second one article takes.
        if (c.parent_id) db.query("UPDATE comments SET reply_count = reply_count + 1 WHERE id = $1", {*c.parent_id});
        db.query("UPDATE articles SET comment_count = comment_count + 1 WHERE id = $1", {c.article_id});
      }
    });
    auto stored = find_comment(id);
    if (!stored) throw Error(ErrorKind::internal, "store_error", "the saved comment could not be read back.");
    out.comment = std::move(*stored);
    return out;
  }

  // One round trip: it runs before every comment is stored. A cap of 0 or no decisions window counts 0.
  AuthorActivity author_activity(const ActivityQuery& q) override {
    return db_.read([&](Connection& db) {
      auto row = db.query(
          "SELECT (SELECT count(*) FROM (SELECT 1 FROM comments WHERE author_id = $1 AND status = 'published' "
          "LIMIT $5) AS p), "
          "(SELECT count(*) FROM comments WHERE author_id = $1 AND body_hash = $2 AND created_at >= $3 AND "
          "body_markdown = $4), d.decided, d.rejected "
          "FROM (SELECT count(*) AS decided, coalesce(sum(CASE WHEN action <> 'approve' THEN 1 ELSE 0 END), 0) AS "
          "rejected FROM moderation_log WHERE account_id = $1 AND created_at >= $6 AND action IN ('approve', "
          "'reject', 'hide')) AS d",
          {q.account_id, text_hash(q.body), secs(q.same_text_since), q.body, std::max<int64_t>(q.published_cap, 0),
           q.decisions_since ? std::optional<int64_t>(secs(*q.decisions_since)) : std::nullopt}).front();
      AuthorActivity a;
      a.published = row.int64(0);
      a.same_text = row.int64(1);
      a.decided = row.int64(2);
      a.rejected = row.int64(3);
      return a;
    });
  }

  std::optional<Comment> find_comment(int64_t id) override {
    return db_.read([&](Connection& db) { return find_comment_in(db, id); });
  }

  CommentList list_comments(const CommentQuery& q) override {
    return db_.read_replica([&](Connection& db) {
      bool top = q.sort == CommentSort::top;
      bool ascending = q.sort == CommentSort::oldest;
      const std::string key = top ? "c.recommend_count" : "c.created_at";
      std::vector<Param> ps;
      auto arg = [&](Param p) {
        ps.push_back(std::move(p));
        return "$" + std::to_string(ps.size());
      };
      std::string sql = std::string("SELECT ") + kCommentColumns + kCommentFrom + "WHERE c.status = 'published' AND ";
      if (q.parent_id) sql += "c.parent_id = " + arg(*q.parent_id);
      else if (q.sort == CommentSort::picks) sql += "c.article_id = " + arg(q.article_id) + " AND c.picked";
      else sql += "c.article_id = " + arg(q.article_id) + " AND c.parent_id IS NULL";
      if (q.after) {
        auto k = arg(q.after->key);
        auto i = arg(q.after->id);
        const char* cmp = ascending ? " > " : " < ";
        sql += " AND (" + key + cmp + k + " OR (" + key + " = " + k + " AND c.id" + cmp + i + "))";
      }
      int limit = std::clamp(q.limit, 1, 500);
      sql += " ORDER BY " + key + (ascending ? " ASC, c.id ASC" : " DESC, c.id DESC") + " LIMIT " + arg(limit + 1);
      CommentList out;
      for (auto row : db.query(sql, ps)) out.comments.push_back(read_comment(row));
      if (static_cast<int>(out.comments.size()) > limit) {
        out.comments.pop_back();
        const auto& last = out.comments.back();
        out.next = CommentCursor{top ? last.recommend_count : secs(last.created_at), last.id};
      }
      return out;
    });
  }

  std::vector<Comment> list_thread_replies(const std::vector<int64_t>& root_ids, int per_thread, int limit) override {
    if (root_ids.empty()) return {};
    return db_.read_replica([&](Connection& db) {
      std::vector<Comment> out;
      // One statement per thread keeps each lookup on the comments_by_root index.
      for (int64_t root : root_ids) {
        if (static_cast<int>(out.size()) >= limit) break;
        for (auto row : db.query(std::string("SELECT ") + kCommentColumns + kCommentFrom +
                                     "WHERE c.root_id = $1 AND c.parent_id IS NOT NULL AND c.status = 'published' "
                                     "ORDER BY c.created_at, c.id LIMIT $2",
                                 {root, std::min(per_thread, limit - static_cast<int>(out.size()))}))
          out.push_back(read_comment(row));
      }
      return out;
    });
  }

  bool edit_comment(int64_t id, const std::string& markdown, const std::string& html, TimePoint edited_at,
                    bool hold) override {
    return write([&](Connection& db) {
      auto r = db.query(
          "UPDATE comments SET body_markdown = $2, body_html = $3, edited_at = $4, status = $5 "
          "WHERE id = $1 AND status = 'published' RETURNING article_id, parent_id",
          {id, markdown, html, secs(edited_at), std::string(hold ? "pending" : "published")});
      if (r.empty()) return false;
      if (hold) uncount(db, r.front().int64(0), r.front().is_null(1) ? std::nullopt : std::optional<int64_t>(r.front().int64(1)));
      return true;
    });
  }

  bool delete_comment(int64_t id) override {
    return write([&](Connection& db) {
      // Locked: of two concurrent deletes, the second finds the comment no longer published.
      auto r = db.query("SELECT article_id, parent_id FROM comments WHERE id = $1 AND status = 'published' FOR UPDATE", {id});
      if (r.empty()) return false;
      db.query("UPDATE comments SET status = 'deleted' WHERE id = $1", {id});
      uncount(db, r.front().int64(0), r.front().is_null(1) ? std::nullopt : std::optional<int64_t>(r.front().int64(1)));
      return true;
    });
  }

  int64_t set_reaction(int64_t comment_id, int64_t account_id, const std::string& kind, bool on) override {
    return write([&](Connection& db) {
      int64_t changed =
          on ? db.query("INSERT INTO comment_reactions (comment_id, account_id, kind, created_at) VALUES ($1, $2, $3, $4) "
                        "ON CONFLICT DO NOTHING",
                        {comment_id, account_id, kind, secs(now_seconds())})
                   .affected()
             : db.query("DELETE FROM comment_reactions WHERE comment_id = $1 AND account_id = $2 AND kind = $3",
                        {comment_id, account_id, kind})
                   .affected();
      if (changed > 0 && kind == "recommend")
        db.query("UPDATE comments SET recommend_count = recommend_count + $2 WHERE id = $1", {comment_id, on ? 1 : -1});
      auto r = db.query("SELECT recommend_count FROM comments WHERE id = $1", {comment_id});
      return r.empty() ? int64_t{0} : r.front().int64(0);
    });
  }

  std::vector<std::pair<int64_t, std::string>> reactions_by(int64_t account_id, const std::vector<int64_t>& ids) override {
    return db_.read([&](Connection& db) {
      std::vector<std::pair<int64_t, std::string>> out;
      for (int64_t id : ids)
        for (auto row : db.query("SELECT kind FROM comment_reactions WHERE comment_id = $1 AND account_id = $2",
                                 {id, account_id}))
          out.emplace_back(id, row.text(0));
      return out;
    });
  }

  bool add_report(int64_t comment_id, int64_t reporter_id, const std::string& reason, const std::string& note) override {
    return write([&](Connection& db) {
      return db.query("INSERT INTO comment_reports (comment_id, reporter_id, reason, note, created_at) VALUES ($1, $2, "
                      "$3, $4, $5) ON CONFLICT DO NOTHING",
                      {comment_id, reporter_id, reason, note, secs(now_seconds())})
                 .affected() > 0;
    });
  }

  std::vector<Comment> comments_since(int64_t article_id, int64_t after_id, int limit) override {
    return db_.read([&](Connection& db) {
      std::vector<Comment> out;
      for (auto row : db.query(std::string("SELECT ") + kCommentColumns + kCommentFrom +
                                   "WHERE c.article_id = $1 AND c.id > $2 AND c.status = 'published' ORDER BY c.id LIMIT $3",
                               {article_id, after_id, limit}))
        out.push_back(read_comment(row));
      return out;
    });
  }

  int64_t count_comments(int64_t article_id) override {
    return db_.read_replica([&](Connection& db) {
      return db.query("SELECT count(*) FROM comments WHERE article_id = $1 AND status = 'published'", {article_id})
          .front().int64(0);
    });
  }

  // --- Mail tokens and the outbox ---

  void create_email_token(int64_t account_id, const EmailToken& token, const OutboxMail& mail) override {
    write([&](Connection& db) {
      int64_t now = secs(now_seconds());
      insert_token(db, account_id, token, now);
      insert_mail(db, mail, now);
    });
  }

  std::optional<std::string> pending_email(int64_t account_id, TimePoint now) override {
    return db_.read([&](Connection& db) -> std::optional<std::string> {
      auto r = db.query(
          "SELECT new_email FROM email_tokens WHERE account_id = $1 AND purpose = 'verify' AND new_email IS NOT NULL "
          "AND used_at IS NULL AND expires_at > $2 ORDER BY id DESC LIMIT 1",
          {account_id, secs(now)});
      if (r.empty()) return std::nullopt;
      return r.front().text(0);
    });
  }

  std::optional<VerifiedEmail> use_verify_token(const std::string& hash, TimePoint now) override {
    return email_unique([&] {
      return write([&](Connection& db) -> std::optional<VerifiedEmail> {
        int64_t t = secs(now);
        auto r = db.query(
            "UPDATE email_tokens e SET used_at = $2 FROM accounts a WHERE a.id = e.account_id AND e.token_hash = $1 "
            "AND e.purpose = 'verify' AND e.used_at IS NULL AND e.expires_at > $2 "
            "RETURNING e.account_id, e.new_email, e.new_email_normalized, a.email",
            {Param::bytes(hash), t});
        if (r.empty()) return std::nullopt;
        VerifiedEmail v{r.front().int64(0), {}};
        if (r.front().is_null(1)) {
          db.query("UPDATE accounts SET email_verified_at = coalesce(email_verified_at, $2) WHERE id = $1",
                   {v.account_id, t});
          return v;
        }
        std::string email = r.front().text(1), normalized = r.front().text(2);
        v.previous_email = r.front().text(3);
        if (!db.query("SELECT 1 FROM accounts WHERE email_normalized = $1 AND id <> $2", {normalized, v.account_id})
                 .empty())
          throw email_taken();
        db.query("UPDATE accounts SET email = $2, email_normalized = $3, email_verified_at = $4 WHERE id = $1",
                 {v.account_id, email, normalized, t});
        // Other verification links are void; the reset link the old address was sent stays valid: its owner can
        // still take the account back if the change was not theirs.
        db.query("UPDATE email_tokens SET used_at = $2 WHERE account_id = $1 AND used_at IS NULL AND purpose = 'verify'",
                 {v.account_id, t});
        return v;
      });
    });
  }

  std::optional<int64_t> use_reset_token(const std::string& hash, const std::string& password_hash, TimePoint now) override {
    return write([&](Connection& db) {
      int64_t t = secs(now);
      auto account = take_token(db, hash, "reset", t);
      if (!account) return account;
      db.query("UPDATE accounts SET password_hash = $2 WHERE id = $1", {*account, password_hash});
      db.query("DELETE FROM sessions WHERE account_id = $1", {*account});
      db.query("UPDATE email_tokens SET used_at = $2 WHERE account_id = $1 AND used_at IS NULL AND "
               "(purpose = 'reset' OR new_email IS NOT NULL)",
               {*account, t});
      return account;
    });
  }

  bool email_token_valid(const std::string& hash, const std::string& purpose, TimePoint now) override {
    return db_.read([&](Connection& db) {
      return !db.query("SELECT 1 FROM email_tokens WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND "
                       "expires_at > $3",
                       {Param::bytes(hash), purpose, secs(now)})
                  .empty();
    });
  }

  // SKIP LOCKED: two senders claiming at once take disjoint rows instead of waiting for each other.
  std::vector<QueuedMail> claim_mail(TimePoint now, std::chrono::seconds lease, int limit) override {
    return write([&](Connection& db) {
      int64_t t = secs(now);
      std::vector<QueuedMail> out;
      for (auto st : db.query("SELECT id, recipient, subject, body_text, attempts FROM mail_outbox WHERE sent_at IS NULL "
                              "AND next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED",
                              {t, limit}))
        out.push_back(QueuedMail{st.int64(0), OutboxMail{st.text(1), st.text(2), st.text(3)}, static_cast<int>(st.int64(4))});
      std::vector<int64_t> ids;
      for (const auto& m : out) ids.push_back(m.id);
      if (!ids.empty())
        db.query("UPDATE mail_outbox SET next_attempt_at = $2, attempts = attempts + 1 WHERE id = ANY($1::bigint[])",
                 {Param::int64_array(ids), t + lease.count()});
      return out;
    });
  }

  void mark_mail_sent(int64_t id, TimePoint now) override {
    write([&](Connection& db) {
      db.query("UPDATE mail_outbox SET sent_at = $2, last_error = NULL WHERE id = $1", {id, secs(now)});
    });
  }

  void mark_mail_failed(int64_t id, const std::string& error, TimePoint retry_at) override {
    write([&](Connection& db) {
      db.query("UPDATE mail_outbox SET last_error = $2, next_attempt_at = $3 WHERE id = $1",
               {id, storable(error.substr(0, 500)), secs(retry_at)});
    });
  }

  OutboxStats outbox_stats() override {
    return db_.read([](Connection& db) {
      auto r = db.query("SELECT count(*) FILTER (WHERE sent_at IS NULL), count(sent_at) FROM mail_outbox").front();
      return OutboxStats{r.int64(0), r.int64(1)};
    });
  }

  // --- Follows and notifications ---

  void set_follow(int64_t follower, int64_t followed, bool on) override {
    write([&](Connection& db) {
      if (db.query("SELECT 1 FROM accounts WHERE id = $1", {followed}).empty())
        throw Error(ErrorKind::not_found, "not_found", "The reader was not found.");
      if (on)
        db.query("INSERT INTO follows (follower_id, followed_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                 {follower, followed, secs(now_seconds())});
      else
        db.query("DELETE FROM follows WHERE follower_id = $1 AND followed_id = $2", {follower, followed});
    });
  }

  bool follows(int64_t follower, int64_t followed) override {
    return db_.read([&](Connection& db) {
      return !db.query("SELECT 1 FROM follows WHERE follower_id = $1 AND followed_id = $2", {follower, followed}).empty();
    });
  }

  FollowCounts follow_counts(int64_t id) override {
    return db_.read_replica([&](Connection& db) {
      auto r = db.query("SELECT (SELECT count(*) FROM follows WHERE followed_id = $1), (SELECT count(*) FROM follows "
                        "WHERE follower_id = $1)",
                        {id})
                   .front();
      return FollowCounts{r.int64(0), r.int64(1)};
    });
  }

  std::vector<Comment> followed_comments(int64_t follower, int64_t before_id, int limit) override {
    return db_.read_replica([&](Connection& db) {
      std::vector<Comment> out;
      for (auto row : db.query(std::string("SELECT ") + kCommentColumns + kCommentFrom +
                                   "WHERE c.author_id IN (SELECT followed_id FROM follows WHERE follower_id = $1) AND "
                                   "c.status = 'published' AND ($2::bigint = 0 OR c.id < $2) ORDER BY c.id DESC LIMIT $3",
                               {follower, before_id, limit}))
        out.push_back(read_comment(row));
      return out;
    });
  }

  std::vector<Comment> comments_of(int64_t author, int64_t before_id, int limit) override {
    return db_.read_replica([&](Connection& db) {
      std::vector<Comment> out;
      for (auto row : db.query(std::string("SELECT ") + kCommentColumns + kCommentFrom +
                                   "WHERE c.author_id = $1 AND c.status = 'published' AND ($2::bigint = 0 OR c.id < $2) "
                                   "ORDER BY c.id DESC LIMIT $3",
                               {author, before_id, limit}))
        out.push_back(read_comment(row));
      return out;
    });
  }

  std::vector<Notification> notifications(int64_t account, int64_t before_id, int limit) override {
    return db_.read([&](Connection& db) {
      std::vector<Notification> out;
      for (auto row : db.query(std::string("SELECT ") + kNotificationColumns + kNotificationFrom +
                                   "WHERE n.account_id = $1 AND " + kNotificationVisible +
                                   " AND ($2::bigint = 0 OR n.id < $2) ORDER BY n.id DESC LIMIT $3",
                               {account, before_id, limit}))
        out.push_back(read_notification(row));
      return out;
    });
  }

  int64_t unread_notifications(int64_t account) override {
    return db_.read([&](Connection& db) {
      return db.query(std::string("SELECT count(*)") + kNotificationFrom + "WHERE n.account_id = $1 AND " +
                          "n.read_at IS NULL AND " + kNotificationVisible,
                      {account})
          .front().int64(0);
    });
  }

  void mark_notifications_read(int64_t account, int64_t up_to_id) override {
    write([&](Connection& db) {
      db.query("UPDATE notifications SET read_at = $3 WHERE account_id = $1 AND id <= $2 AND read_at IS NULL",
               {account, up_to_id, secs(now_seconds())});
    });
  }

  // --- Ignoring, picks, counts ---

  void set_ignore(int64_t account, int64_t ignored, bool on) override {
    write([&](Connection& db) {
      if (db.query("SELECT 1 FROM accounts WHERE id = $1", {ignored}).empty())
        throw Error(ErrorKind::not_found, "not_found", "The reader was not found.");
      if (on)
        db.query("INSERT INTO ignores (account_id, ignored_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                 {account, ignored, secs(now_seconds())});
      else
        db.query("DELETE FROM ignores WHERE account_id = $1 AND ignored_id = $2", {account, ignored});
    });
  }

  std::vector<int64_t> ignored_by(int64_t account, int limit) override {
    return db_.read([&](Connection& db) {
      std::vector<int64_t> out;
      for (auto row : db.query("SELECT ignored_id FROM ignores WHERE account_id = $1 ORDER BY created_at DESC LIMIT $2",
                               {account, limit}))
        out.push_back(row.int64(0));
      return out;
    });
  }

  std::vector<int64_t> followed_among(int64_t follower, const std::vector<int64_t>& ids) override {
    return db_.read([&](Connection& db) {
      std::vector<int64_t> out;
      for (int64_t id : ids)
        if (!db.query("SELECT 1 FROM follows WHERE follower_id = $1 AND followed_id = $2", {follower, id}).empty())
          out.push_back(id);
      return out;
    });
  }

  bool set_pick(int64_t comment_id, bool on) override {
    return write([&](Connection& db) {
      return db.query("UPDATE comments SET picked = $2 WHERE id = $1 AND status = 'published'", {comment_id, on})
                 .affected() > 0;
    });
  }

  std::vector<std::pair<std::string, int64_t>> comment_counts(const std::vector<std::string>& slugs,
                                                              TimePoint visible_at) override {
    return db_.read_replica([&](Connection& db) {
      std::vector<std::pair<std::string, int64_t>> out;
      for (const auto& slug : slugs) {
        auto r = db.query("SELECT comment_count FROM articles WHERE slug = $1 AND published_at <= $2", {slug, secs(visible_at)});
        if (!r.empty()) out.emplace_back(slug, r.front().int64(0));
      }
      return out;
    });
  }

  // --- Notification mail ---

  void set_show_supporter(int64_t account, bool on) override {
    write([&](Connection& db) {
      if (db.query("UPDATE accounts SET show_supporter = $2 WHERE id = $1", {account, on}).affected() == 0)
        throw account_not_found();
      db.query(kBumpContentVersion);
    });
  }

  void set_digest(int64_t account, const std::string& mode) override {
    write([&](Connection& db) {
      if (db.query("UPDATE accounts SET digest = $2 WHERE id = $1", {account, mode}).affected() == 0)
        throw account_not_found();
    });
  }

  std::vector<DueDigest> due_digests(TimePoint now, int limit) override {
    return db_.read([&](Connection& db) {
      std::vector<DueDigest> out;
      for (auto st : db.query(std::string("SELECT ") + kAccountColumnsA +
                                  ", a.digest_cursor FROM accounts a WHERE a.digest <> 'off' AND a.email_verified_at IS "
                                  "NOT NULL AND (a.digest = 'immediate' OR a.digest_sent_at <= $1::bigint - 86400) AND "
                                  "EXISTS (SELECT 1 FROM notifications n WHERE n.account_id = a.id AND n.id > "
                                  "a.digest_cursor AND n.read_at IS NULL) ORDER BY a.id LIMIT $2",
                              {secs(now), limit})) {
        DueDigest d;
        d.account = read_account(st, 0);
        d.cursor = st.int64(kAccountWidth);
        out.push_back(std::move(d));
      }
      for (auto& d : out) {
        for (auto row : db.query(std::string("SELECT ") + kNotificationColumns + kNotificationFrom +
                                     "WHERE n.account_id = $1 AND n.id > $2 AND n.read_at IS NULL AND " +
                                     kNotificationVisible + " ORDER BY n.id LIMIT 21",
                                 {d.account.id, d.cursor}))
          d.items.push_back(read_notification(row));
        auto last = db.query("SELECT max(id), count(*) FILTER (WHERE read_at IS NULL) FROM notifications WHERE "
                             "account_id = $1 AND id > $2",
                             {d.account.id, d.cursor});
        if (!last.empty()) {
          d.up_to = last.front().int64(0);
          d.more = std::max<int64_t>(0, last.front().int64(1) - std::min<int64_t>(20, static_cast<int64_t>(d.items.size())));
        }
        if (d.items.size() > 20) d.items.pop_back();
      }
      return out;
    });
  }

  bool record_digest(int64_t account, int64_t expected, int64_t up_to, TimePoint now,
                     const std::optional<OutboxMail>& mail) override {
    return write([&](Connection& db) {
      int64_t at = secs(now);
      // Compare-and-set: of two workers with the same expected cursor, the second matches no row.
      bool moved = db.query("UPDATE accounts SET digest_cursor = $3, digest_sent_at = CASE WHEN $4 THEN $5 ELSE "
                            "digest_sent_at END WHERE id = $1 AND digest_cursor = $2",
                            {account, expected, up_to, mail.has_value(), at})
                       .affected() > 0;
      if (moved && mail) insert_mail(db, *mail, at);
      return moved;
    });
  }

  // --- Moderation ---

  std::vector<QueueItem> moderation_queue(const QueueQuery& q) override {
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
                        "r.resolved_at IS NULL), c.moderation_rule, c.moderation_reason, coalesce(ac.role, '')";
      if (decided) {
        sql += ", l.id, l.action, l.actor_name, l.reason, l.created_at" + std::string(kCommentFrom) +
               "JOIN moderation_log l ON l.comment_id = c.id WHERE l.action IN ('approve', 'reject', 'hide') AND "
               "($1::bigint = 0 OR l.id < $1)";
      } else {
        std::string held = "SELECT id FROM comments WHERE status = 'pending' AND id > $1";
        std::string reported = "SELECT comment_id FROM comment_reports WHERE resolved_at IS NULL AND comment_id > $1";
        sql += std::string(kCommentFrom) + "WHERE c.id IN (" +
               (q.view == "held" ? held : q.view == "reported" ? reported : held + " UNION " + reported) +
               ") AND c.status IN ('pending', 'published')";
      }
      if (q.article_id) sql += " AND c.article_id = " + arg(*q.article_id);
      if (!q.rule.empty()) sql += " AND c.moderation_rule = " + arg(q.rule);
      if (q.author_id) sql += " AND c.author_id = " + arg(*q.author_id);
      sql += decided ? " ORDER BY l.id DESC LIMIT $2" : " ORDER BY c.id LIMIT $2";
      for (auto st : db.query(sql, ps)) {
        QueueItem item;
        item.comment = read_comment(st);
        item.open_reports = st.int64(kCommentWidth);
        item.reasons = st.text(kCommentWidth + 1);
        item.rule = st.text(kCommentWidth + 2);
        item.rule_reason = st.text(kCommentWidth + 3);
        item.author_role = st.text(kCommentWidth + 4);
        if (decided) {
          item.decision_id = st.int64(kCommentWidth + 5);
          item.decision = st.text(kCommentWidth + 6);
          item.decided_by = st.text(kCommentWidth + 7);
          item.decision_reason = st.text(kCommentWidth + 8);
          item.decided_at = seconds_at(st, kCommentWidth + 9);
        }
        out.push_back(std::move(item));
      }
      return out;
    });
  }

  SavedComment decide_comment(int64_t comment_id, int64_t moderator_id, const std::string& decision,
                              const std::string& reason, bool notify_author) override {
    SavedComment out;
    write([&](Connection& db) {
      out.notified.clear();
      // Locked: two moderators deciding at once apply one after the other, each seeing the other's status.
      auto r = db.query("SELECT article_id, parent_id, status, author_id FROM comments WHERE id = $1 FOR UPDATE", {comment_id});
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
      if (delta != 0) {
        db.query("UPDATE articles SET comment_count = comment_count + $2 WHERE id = $1", {article, delta});
        if (parent) db.query("UPDATE comments SET reply_count = reply_count + $2 WHERE id = $1", {*parent, delta});
      }
      int64_t now = secs(now_seconds());
      if (status == "pending" && next == "published") out.notified = notify_published(db, comment_id, now);
      // The author hears about a held comment going up, and about any comment coming down.
      std::string notice = next == "published" ? (status == "pending" ? "approved" : "") :
                           (status == "published" || status == "pending") ? next : "";
      if (!notice.empty() && notify_author) {
        // One notice per comment and reader: the latest decision replaces an earlier one.
        db.query("DELETE FROM notifications WHERE comment_id = $1 AND account_id = (SELECT author_id FROM comments "
                 "WHERE id = $1)",
                 {comment_id});
        for (auto row : db.query("INSERT INTO notifications (account_id, kind, comment_id, detail, created_at) SELECT "
                                 "author_id, 'moderation', id, $2, $3 FROM comments WHERE id = $1 AND author_id IS NOT "
                                 "NULL RETURNING account_id",
                                 {comment_id, notice, now}))
          out.notified.push_back(Recipient{row.int64(0), "moderation"});
      }
      db.query("UPDATE comment_reports SET resolved_at = $2 WHERE comment_id = $1 AND resolved_at IS NULL", {comment_id, now});
      log_act(db, moderator_id, decision, comment_id, author, reason, now);
    });
    out.comment = *find_comment(comment_id);
    return out;
  }

  void set_ban(int64_t account_id, int64_t moderator_id, std::optional<TimePoint> until, const std::string& reason) override {
    write([&](Connection& db) {
      std::optional<int64_t> until_s;
      if (until) until_s = secs(*until);
      if (db.query("UPDATE accounts SET banned_until = $2, ban_reason = $3 WHERE id = $1", {account_id, until_s, reason})
              .affected() == 0)
        throw account_not_found();
      log_act(db, moderator_id, until ? "ban" : "unban", std::nullopt, account_id, reason, secs(now_seconds()));
    });
  }

  void sanction(int64_t account_id, int64_t moderator_id, const std::string& action, const std::string& reason) override {
    write([&](Connection& db) {
      int64_t found;
      if (action == "warn")
        found = db.query("UPDATE accounts SET warning = $2 WHERE id = $1", {account_id, reason}).affected();
      else if (action == "premoderate" || action == "release")
        found = db.query("UPDATE accounts SET premoderated = $2 WHERE id = $1", {account_id, action == "premoderate"}).affected();
      else
        found = db.query("SELECT 1 FROM accounts WHERE id = $1", {account_id}).rows();
      if (found == 0) throw account_not_found();
      log_act(db, moderator_id, action, std::nullopt, account_id, reason, secs(now_seconds()));
    });
  }

  bool acknowledge_warning(int64_t account_id) override {
    return write([&](Connection& db) {
      bool had = db.query("UPDATE accounts SET warning = '' WHERE id = $1 AND warning <> ''", {account_id}).affected() > 0;
      if (had) log_act(db, account_id, "acknowledge_warning", std::nullopt, account_id, "", secs(now_seconds()));
      return had;
    });
  }

  void audit(std::optional<int64_t> actor_id, const std::string& action, std::optional<int64_t> account_id,
             const std::string& detail) override {
    write([&](Connection& db) {
      log_act(db, actor_id.value_or(0), action, std::nullopt, account_id, detail, secs(now_seconds()));
    });
  }

  std::vector<LogEntry> audit_log(const LogQuery& q) override {
    return db_.read_replica([&](Connection& db) {
      std::vector<Param> ps{Param(q.before_id), Param(static_cast<int64_t>(q.limit))};
      std::string sql = "SELECT id, actor_id, actor_name, action, comment_id, account_id, reason, created_at FROM "
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
        LogEntry e;
        e.id = st.int64(0);
        if (!st.is_null(1)) e.actor_id = st.int64(1);
        e.actor_name = st.text(2);
        e.action = st.text(3);
        if (!st.is_null(4)) e.comment_id = st.int64(4);
        if (!st.is_null(5)) e.account_id = st.int64(5);
        e.reason = st.text(6);
        e.created_at = seconds_at(st, 7);
        out.push_back(std::move(e));
      }
      return out;
    });
  }

  std::vector<TrainingExample> training_examples(int64_t after_id, int limit) override {
    return db_.read([&](Connection& db) {
      std::vector<TrainingExample> out;
      for (auto st : db.query("SELECT l.id, l.action <> 'approve', c.body_markdown FROM moderation_log l JOIN comments c ON "
                              "c.id = l.comment_id WHERE l.id > $1 AND l.action IN ('approve', 'reject', 'hide') ORDER BY "
                              "l.id LIMIT $2",
                              {after_id, static_cast<int64_t>(limit)}))
        out.push_back(TrainingExample{st.int64(0), st.boolean(1), st.text(2)});
      return out;
    });
  }

  void save_model(const std::string& name, const std::string& blob) override {
    write([&](Connection& db) {
      db.query("INSERT INTO models (name, blob, saved_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO UPDATE SET "
               "blob = excluded.blob, saved_at = excluded.saved_at",
               {name, Param::bytes(blob), secs(now_seconds())});
    });
  }

  std::optional<std::string> load_model(const std::string& name) override {
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

  std::vector<Comment> held_comments(int64_t author, int64_t article, int limit) override {
    return db_.read([&](Connection& db) {
      std::vector<Comment> out;
      for (auto row : db.query(std::string("SELECT ") + kCommentColumns + kCommentFrom +
                                   "WHERE c.author_id = $1 AND c.article_id = $2 AND c.status = 'pending' ORDER BY c.id LIMIT $3",
                               {author, article, static_cast<int64_t>(limit)}))
        out.push_back(read_comment(row));
      return out;
    });
  }

  // --- Contributions ---

  Contribution create_contribution(const NewContribution& c) override {
    int64_t id = write([&](Connection& db) {
      return db.query("INSERT INTO contributions (amount_minor, currency, interval, article_id, referrer, account_id, "
                      "email, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                      {c.amount_minor, c.currency, c.interval, c.article_id, c.referrer, c.account_id, c.email,
                       secs(c.created_at)})
          .front().int64(0);
    });
    return *find_contribution(id);
  }

  void set_checkout_session(int64_t id, const std::string& session_id) override {
    write([&](Connection& db) {
      db.query("UPDATE contributions SET checkout_session_id = $2 WHERE id = $1", {id, session_id});
    });
  }

  std::optional<Contribution> find_contribution(int64_t id) override {
    return db_.read([&](Connection& db) -> std::optional<Contribution> {
      auto r = db.query(std::string("SELECT ") + kContributionColumns + " FROM contributions WHERE id = $1", {id});
      if (r.empty()) return std::nullopt;
      return read_contribution(r.front());
    });
  }

  EventOutcome apply_payment_event(const PaymentEvent& e,
                                   const std::function<std::optional<OutboxMail>(const Contribution&)>& thank_you) override {
    return write([&](Connection& db) {
      int64_t now = secs(now_seconds());
      // The event row is created if new and then locked: a redelivery racing this call waits, then sees it processed.
      db.query("INSERT INTO stripe_events (id, type, created, payload, received_at) VALUES ($1, $2, $3, $4, $5) "
               "ON CONFLICT (id) DO NOTHING",
               {e.event_id, e.type, e.created, e.payload, now});
      if (db.query("SELECT processed_at IS NOT NULL FROM stripe_events WHERE id = $1 FOR UPDATE", {e.event_id})
              .front().boolean(0))
        return EventOutcome::duplicate;
      std::optional<Contribution> c;
      if (e.contribution_id) c = contribution_where(db, "id", std::to_string(*e.contribution_id));
      if (!c && !e.session_id.empty()) c = contribution_where(db, "checkout_session_id", e.session_id);
      if (!c && !e.subscription_id.empty()) c = contribution_where(db, "subscription_id", e.subscription_id);
      if (!c && !e.payment_intent_id.empty()) c = contribution_where(db, "payment_intent_id", e.payment_intent_id);
      if (!c && !e.invoice_id.empty()) {
        auto paid = db.query("SELECT contribution_id FROM contribution_payments WHERE stripe_object_id = $1", {e.invoice_id});
        if (!paid.empty()) c = contribution_where(db, "id", std::to_string(paid.front().int64(0)));
      }
      // Found by metadata, it must not contradict the ids Tribune already knows for it.
      if (c && !e.subscription_id.empty() && !c->subscription_id.empty() && c->subscription_id != e.subscription_id)
        c.reset();
      if (!c) return EventOutcome::unmatched;  // kept, processed_at NULL: a later event or retry applies it
      db.query("UPDATE contributions SET checkout_session_id = coalesce(checkout_session_id, nullif($2, '')), "
               "subscription_id = coalesce(subscription_id, nullif($3, '')), payment_intent_id = "
               "coalesce(payment_intent_id, nullif($4, '')), customer_id = CASE WHEN customer_id = '' THEN $5 ELSE "
               "customer_id END, email = CASE WHEN email = '' THEN $6 ELSE email END WHERE id = $1",
               {c->id, e.learn_session_id, e.learn_subscription_id, e.learn_payment_intent_id, e.learn_customer_id,
                e.learn_email});
      // Forward in event time only; at the same second, an ending (canceled, refunded, failed) wins over a
      // beginning, so the order of delivery cannot decide.
      if (e.status)
        db.query("UPDATE contributions SET status = $2, status_at = $3 WHERE id = $1 AND (status_at < $3 OR "
                 "(status_at = $3 AND (CASE $2::text WHEN 'canceled' THEN 3 WHEN 'refunded' THEN 3 WHEN 'failed' THEN 3 "
                 "WHEN 'past_due' THEN 2 ELSE 1 END) >= (CASE status WHEN 'canceled' THEN 3 WHEN 'refunded' THEN 3 "
                 "WHEN 'failed' THEN 3 WHEN 'past_due' THEN 2 ELSE 1 END)))",
                 {c->id, *e.status, e.created});
      if (e.payment)
        db.query("INSERT INTO contribution_payments (contribution_id, stripe_object_id, amount_minor, currency, created_at) "
                 "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (stripe_object_id) DO UPDATE SET amount_minor = "
                 "least(contribution_payments.amount_minor, excluded.amount_minor), created_at = "
                 "greatest(contribution_payments.created_at, excluded.created_at)",
                 {c->id, e.payment->object_id, e.payment->amount_minor, e.payment->currency, e.created});
      if (e.money_arrived) {
        db.query("UPDATE accounts SET supporter_since = coalesce(supporter_since, $2) WHERE id = (SELECT account_id "
                 "FROM contributions WHERE id = $1)",
                 {c->id, now});
        if (db.query("UPDATE contributions SET thanked_at = $2 WHERE id = $1 AND thanked_at IS NULL", {c->id, now})
                .affected() > 0) {
          auto fresh = contribution_where(db, "id", std::to_string(c->id));
          if (auto mail = thank_you(*fresh); mail && !mail->to.empty()) insert_mail(db, *mail, now);
        }
      }
      db.query("UPDATE stripe_events SET processed_at = $2 WHERE id = $1", {e.event_id, now});
      return EventOutcome::applied;
    });
  }

  std::vector<std::pair<std::string, std::string>> unmatched_payment_events(int limit) override {
    return db_.read([&](Connection& db) {
      std::vector<std::pair<std::string, std::string>> out;
      // Recent ones only, newest first: an event that has matched nothing for three days never will, and
      // must not crowd out the ones that still can.
      for (auto row : db.query("SELECT id, payload FROM stripe_events WHERE processed_at IS NULL AND received_at >= $2 "
                               "ORDER BY received_at DESC LIMIT $1",
                               {limit, secs(now_seconds()) - 3 * 86400}))
        out.emplace_back(row.text(0), row.text(1));
      return out;
    });
  }

  ContributionReport contribution_report(const std::string& currency, TimePoint until, int days) override {
    return db_.read_replica([&](Connection& db) {
      ContributionReport r;
      r.currency = currency;
      int64_t end = secs(until) / 86400 * 86400 + 86400;  // the end of until's UTC day
      int64_t start = end - int64_t{days} * 86400;
      std::map<int64_t, ContributionReport::Day> by_day;
      for (int64_t d = start; d < end; d += 86400) by_day[d].date = format_rfc3339(TimePoint(std::chrono::seconds(d))).substr(0, 10);
      for (auto row : db.query("SELECT p.created_at / 86400 * 86400, c.interval, sum(p.amount_minor) FROM "
                               "contribution_payments p JOIN contributions c ON c.id = p.contribution_id WHERE "
                               "p.currency = $1 AND p.created_at >= $2 AND p.created_at < $3 GROUP BY 1, 2",
                               {currency, start, end})) {
        auto& day = by_day[row.int64(0)];
        (row.text(1) == "month" ? day.monthly_minor : day.once_minor) += row.int64(2);
      }
      for (auto& [d, day] : by_day) r.days.push_back(day);
      for (auto row : db.query("SELECT c.interval, sum(CASE WHEN p.amount_minor > 0 THEN p.amount_minor ELSE 0 END), "
                               "sum(CASE WHEN p.amount_minor < 0 THEN -p.amount_minor ELSE 0 END), count(DISTINCT c.id) "
                               "FROM contribution_payments p JOIN contributions c ON c.id = p.contribution_id WHERE "
                               "p.currency = $1 AND p.created_at >= $2 AND p.created_at < $3 GROUP BY 1",
                               {currency, start, end})) {
        bool monthly = row.text(0) == "month";
        (monthly ? r.monthly_minor : r.once_minor) += row.int64(1);
        (monthly ? r.monthly_count : r.once_count) += row.int64(3);
        r.refunded_minor += row.int64(2);
      }
      for (auto row : db.query("SELECT coalesce(a.slug, ''), coalesce(a.title, 'No article (the support page)'), "
                               "count(DISTINCT c.id), sum(p.amount_minor) FROM contribution_payments p JOIN "
                               "contributions c ON c.id = p.contribution_id LEFT JOIN articles a ON a.id = c.article_id "
                               "WHERE p.currency = $1 AND p.created_at >= $2 AND p.created_at < $3 GROUP BY "
                               "c.article_id, a.slug, a.title ORDER BY 4 DESC LIMIT 50",
                               {currency, start, end}))
        r.articles.push_back({row.text(0), row.text(1), row.int64(2), row.int64(3)});
      r.active_monthly = db.query("SELECT count(*) FROM contributions WHERE interval = 'month' AND status = 'active' AND "
                                  "currency = $1",
                                  {currency})
                             .front().int64(0);
      return r;
    });
  }

  std::vector<Contribution> list_contributions(int64_t after_id, int limit) override {
    return db_.read_replica([&](Connection& db) {
      std::vector<Contribution> out;
      for (auto row : db.query(std::string("SELECT ") + kContributionColumns +
                                   " FROM contributions WHERE id > $1 ORDER BY id LIMIT $2",
                               {after_id, limit}))
        out.push_back(read_contribution(row));
      return out;
    });
  }

  void bump_counter(const std::string& name) override {
    write([&](Connection& db) {
      db.query("INSERT INTO counters (name, value) VALUES ($1, 1) ON CONFLICT (name) DO UPDATE SET value = counters.value + 1",
               {name});
    });
  }

  // PostgreSQL checks its own pages (checksums, WAL) and has no cheap whole-database check like SQLite's
  // PRAGMA integrity_check. What this checks instead is what the engine itself could get wrong: the schema is
  // at the newest step, the content_version row exists, and the denormalized counts (comments per article,
  // replies per comment) agree with the comments. It scans the comments table: an admin operation.
  std::string integrity_check() override {
    return db_.read([](Connection& db) -> std::string {
      int newest = postgres::migrations().back().version;
      if (int v = applied_version(db); v != newest)
        return "schema version " + std::to_string(v) + ", expected " + std::to_string(newest);
      if (db.query("SELECT 1 FROM counters WHERE name = 'content_version'").empty()) return "content_version row missing";
      auto a = db.query("SELECT a.slug, a.comment_count, count(c.id) FROM articles a LEFT JOIN comments c ON "
                        "c.article_id = a.id AND c.status = 'published' GROUP BY a.id HAVING a.comment_count <> "
                        "count(c.id) LIMIT 1");
      if (!a.empty())
        return "article " + a.front().text(0) + " counts " + a.front().text(1) + " comments, has " + a.front().text(2);
      auto c = db.query("SELECT p.id, p.reply_count, count(r.id) FROM comments p LEFT JOIN comments r ON r.parent_id = "
                        "p.id AND r.status = 'published' GROUP BY p.id HAVING p.reply_count <> count(r.id) LIMIT 1");
      if (!c.empty())
        return "comment " + c.front().text(0) + " counts " + c.front().text(1) + " replies, has " + c.front().text(2);
      return "ok";
    });
  }

  // Every write is its own transaction (PostgreSQL groups concurrent WAL flushes itself), so commits and
  // writes are equal here.
  // One statement, so atomic without a transaction: every node counts in the same row.
  std::optional<RateWindow> rate_hit(const std::string& key, std::chrono::milliseconds window) override {
    return rate_hits({{key, window}})->front();
  }

  // One statement for all keys (one atomic upsert each, as data-modifying CTEs in key order, so that two
  // statements lock shared keys in the same order): every node counts in the same rows.
  std::optional<std::vector<RateWindow>> rate_hits(const std::vector<RateKey>& keys) override {
    if (keys.empty()) return std::vector<RateWindow>{};
    int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    std::vector<size_t> order(keys.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return keys[a].key < keys[b].key; });
    std::vector<Param> ps{now};
    std::string sql = "WITH ";
    for (size_t n = 0; n < order.size(); ++n) {
      const auto& k = keys[order[n]];
      ps.emplace_back(k.key);
      std::string key = "$" + std::to_string(ps.size());
      ps.emplace_back(static_cast<int64_t>(k.window.count()));
      std::string expired = "rate_limits.window_start <= $1 - $" + std::to_string(ps.size());
      sql += (n ? ", h" : "h") + std::to_string(n) + " AS (INSERT INTO rate_limits (key, window_start, count) VALUES (" +
             key + ", $1, 1) ON CONFLICT (key) DO UPDATE SET window_start = CASE WHEN " + expired +
             " THEN $1 ELSE rate_limits.window_start END, count = CASE WHEN " + expired +
             " THEN 1 ELSE rate_limits.count + 1 END RETURNING " + std::to_string(order[n]) + " AS i, count, window_start)";
    }
    for (size_t n = 0; n < order.size(); ++n) sql += (n ? " UNION ALL SELECT * FROM h" : " SELECT * FROM h") + std::to_string(n);
    std::vector<RateWindow> out(keys.size());
    db_.read([&](Connection& c) {
      for (auto row : c.query(sql, ps))
        out.at(static_cast<size_t>(row.int64(0))) = RateWindow{row.int64(1), std::chrono::milliseconds(row.int64(2))};
    });
    // Ended windows are swept now and then, by whichever node happens to count.
    bool sweep = false;
    for (size_t i = 0; i < keys.size(); ++i) sweep |= ++rate_hits_ % 10000 == 0;
    if (sweep) db_.read([&](Connection& c) { c.query("DELETE FROM rate_limits WHERE window_start < $1", {now - 86400000}); });
    return out;
  }

  void rate_reset(const std::string& key) override {
    db_.read([&](Connection& c) { c.query("DELETE FROM rate_limits WHERE key = $1", {key}); });
  }

  // NOTIFY outside any transaction: delivered at once, to every session listening (this process's own
  // listener included: receivers skip their own messages by content).
  void publish(std::string_view message) override {
    if (message.size() > kMaxMessageBytes)
      throw Error(ErrorKind::invalid, "message_too_large",
                  "A message between nodes is at most " + std::to_string(kMaxMessageBytes) + " bytes.");
    db_.read([&](Connection& c) { c.query("SELECT pg_notify($1, $2)", {kChannel, message}); });
  }

  void listen(std::function<void(std::string_view)> on_message, std::function<void()> on_gap) override {
    std::lock_guard lock(listen_mu_);
    listener_.reset();
    listener_ = std::make_unique<pg::Listener>(url_, kChannel, std::move(on_message), std::move(on_gap));
  }

  void stop_listening() override {
    std::lock_guard lock(listen_mu_);
    listener_.reset();
  }

  StoreStats stats() override {
    StoreStats s;
    s.articles = count_articles();
    s.group_commits = writes_.load();
    s.grouped_writes = writes_.load();
    if (auto* replica = db_.replica()) {
      s.replica = true;
      s.replica_reads = static_cast<int64_t>(replica->served());
      s.replica_behind = static_cast<int64_t>(replica->behind());
      s.replica_failures = static_cast<int64_t>(replica->failures());
    }
    return s;
  }

  // Kept with or without a replica here: this node's messages carry positions for nodes that read from one.
  uint64_t known_position() override { return db_.known_position(); }
  void heard_position(uint64_t p) override { db_.heard_position(p); }
  void sync_position() override {
    db_.heard_position(pg::parse_lsn(db_.read([](Connection& c) { return c.exec_value("SELECT pg_current_wal_insert_lsn()"); })));
  }

 private:
  static constexpr const char* kChannel = "tribune_events";
  std::string url_;
  pg::Database db_;
  std::atomic<int64_t> writes_{0};
  std::atomic<int64_t> rate_hits_{0};
  std::mutex listen_mu_;
  std::unique_ptr<pg::Listener> listener_;
};

}  // namespace

bool is_postgres_url(std::string_view url) {
  return url.starts_with("postgresql://") || url.starts_with("postgres://");
}

std::unique_ptr<Store> open_postgres_store(const PostgresOptions& options) {
  pg::check_conninfo(options.url);  // a malformed URL is the operator's mistake, not a server to wait for
  return std::make_unique<PostgresStore>(options);
}

}  // namespace tribune

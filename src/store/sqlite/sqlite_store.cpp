#include "store/sqlite/sqlite_store.h"

#include <sodium.h>

#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include "model/error.h"
#include "model/account.h"
#include "store/sqlite/db.h"
#include "store/sqlite/migrations.h"

namespace tribune {

namespace {

using sqlite::Db;
using sqlite::Statement;

// Leases read connections to callers; each connection serves one thread at a time.
class ReaderPool {
 public:
  ReaderPool(std::string path, int size) : path_(std::move(path)), size_(size) {}

  template <class F>
  auto with(F&& f) {
    std::unique_ptr<Db> db = acquire();
    struct Return {
      ReaderPool* pool;
      std::unique_ptr<Db>* db;
      ~Return() { pool->release(std::move(*db)); }
    } give_back{this, &db};
    return f(*db);
  }

 private:
  std::unique_ptr<Db> acquire() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !idle_.empty() || created_ < size_; });
    if (!idle_.empty()) {
      auto db = std::move(idle_.back());
      idle_.pop_back();
      return db;
    }
    ++created_;
    lock.unlock();
    try {
      auto db = std::make_unique<Db>(path_, true);
      return db;
    } catch (...) {
      std::lock_guard relock(mu_);
      --created_;
      cv_.notify_one();
      throw;
    }
  }

  void release(std::unique_ptr<Db> db) {
    if (!db) return;
    db->reset_active_statements();
    std::lock_guard lock(mu_);
    idle_.push_back(std::move(db));
    cv_.notify_one();
  }

  std::string path_;
  int size_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Db>> idle_;
  int created_ = 0;
};

// The write path. Callers enqueue a job and block until the commit that carries it is durable. The writer
// thread takes every queued job (up to max_batch), runs each inside its own SAVEPOINT within one
// transaction, and commits once: N concurrent writers pay for one fsync. A job that throws is rolled back
// to its savepoint alone and its caller gets the exception; the others still commit.
class GroupCommitWriter {
 public:
  using Job = std::function<void(Db&)>;

  GroupCommitWriter(std::string path, int max_batch) : db_(path, false), max_batch_(max_batch) {
    db_.exec("PRAGMA journal_mode = WAL");
    db_.exec("PRAGMA synchronous = FULL");
    thread_ = std::thread([this] { loop(); });
  }

  ~GroupCommitWriter() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }

  // Runs job on the writer thread inside a transaction and returns once it is committed durably.
  void run(Job job) {
    Pending p{std::move(job), {}};
    auto done = p.promise.get_future();
    {
      std::lock_guard lock(mu_);
      if (stopping_) throw Error(ErrorKind::unavailable, "shutting_down", "the server is shutting down.");
      queue_.push_back(std::move(p));
    }
    cv_.notify_one();
    done.get();
  }

  // Runs job on the writer thread outside any transaction (schema migration).
  void run_exclusive(const Job& job) {
    run_raw([&](Db& db) { job(db); });
  }

  int64_t commits() const { return commits_.load(); }
  int64_t grouped() const { return grouped_.load(); }

 private:
  struct Pending {
    Job job;
    std::promise<void> promise;
    bool raw = false;
  };

  void run_raw(const Job& job) {
    Pending p{[&](Db& db) { job(db); }, {}, true};
    auto done = p.promise.get_future();
    {
      std::lock_guard lock(mu_);
      queue_.push_back(std::move(p));
    }
    cv_.notify_one();
    done.get();
  }

  void loop() {
    for (;;) {
      std::vector<Pending> batch;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty() && stopping_) return;
        if (queue_.front().raw) {
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        } else {
          while (!queue_.empty() && !queue_.front().raw && static_cast<int>(batch.size()) < max_batch_) {
            batch.push_back(std::move(queue_.front()));
            queue_.pop_front();
          }
        }
      }
      if (batch.front().raw) {
        try {
          batch.front().job(db_);
          batch.front().promise.set_value();
        } catch (...) {
          batch.front().promise.set_exception(std::current_exception());
        }
        continue;
      }
      commit_batch(batch);
    }
  }

  void commit_batch(std::vector<Pending>& batch) {
    std::vector<std::exception_ptr> failures(batch.size());
    try {
      db_.prepare("BEGIN IMMEDIATE").run();
    } catch (...) {
      for (auto& p : batch) p.promise.set_exception(std::current_exception());
      return;
    }
    for (size_t i = 0; i < batch.size(); ++i) {
      try {
        db_.prepare("SAVEPOINT job").run();
        try {
          batch[i].job(db_);
          db_.reset_active_statements();
          db_.prepare("RELEASE job").run();
        } catch (...) {
          failures[i] = std::current_exception();
          db_.reset_active_statements();
          db_.prepare("ROLLBACK TO job").run();
          db_.prepare("RELEASE job").run();
        }
      } catch (...) {
        failures[i] = std::current_exception();
      }
    }
    try {
      db_.prepare("COMMIT").run();
    } catch (...) {
      auto failure = std::current_exception();
      try {
        db_.exec("ROLLBACK");
      } catch (const Error&) {
        // The transaction is already gone; the commit failure below is what callers need to see.
      }
      for (auto& p : batch) p.promise.set_exception(failure);
      return;
    }
    commits_.fetch_add(1);
    grouped_.fetch_add(static_cast<int64_t>(batch.size()));
    for (size_t i = 0; i < batch.size(); ++i) {
      if (failures[i]) batch[i].promise.set_exception(failures[i]);
      else batch[i].promise.set_value();
    }
  }

  Db db_;
  int max_batch_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  std::atomic<int64_t> commits_{0};
  std::atomic<int64_t> grouped_{0};
  std::thread thread_;
};

constexpr const char* kArticleColumns =
    "a.id, a.slug, a.title, a.standfirst, a.published_at, a.updated_at, a.source_name, a.source_url, "
    "a.comments_mode, a.comment_count, a.version, s.id, s.slug, s.name";

Article read_article_row(Statement& st, bool with_body) {
  Article a;
  a.id = st.int64(0);
  a.slug = st.text(1);
  a.title = st.text(2);
  a.standfirst = st.text(3);
  a.published_at = TimePoint(std::chrono::seconds(st.int64(4)));
  a.updated_at = TimePoint(std::chrono::seconds(st.int64(5)));
  a.source_name = st.text(6);
  a.source_url = st.text(7);
  a.comments = parse_comments_mode(st.text(8)).value_or(CommentsMode::site_default);
  a.comment_count = st.int64(9);
  a.version = st.int64(10);
  a.section = Section{st.int64(11), st.text(12), st.text(13)};
  if (with_body) {
    a.body_markdown = st.text(14);
    a.body_html = st.text(15);
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

int64_t upsert_named(Db& db, const char* table, const std::string& slug, const std::string& name) {
  std::string sel = std::string("SELECT id FROM ") + table + " WHERE slug = ?1";
  auto& s = db.prepare(sel);
  s.bind(1, slug);
  if (s.step()) return s.int64(0);
  std::string ins = std::string("INSERT INTO ") + table + " (slug, name) VALUES (?1, ?2)";
  db.prepare(ins).bind(1, slug).bind(2, name).run();
  return db.last_insert_id();
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

constexpr const char* kAccountColumns =
    "id, email, display_name, role, email_verified_at, created_at, banned_until, ban_reason, digest, "
    "supporter_since IS NOT NULL, show_supporter, warning, premoderated";
constexpr const char* kAccountColumnsA =
    "a.id, a.email, a.display_name, a.role, a.email_verified_at, a.created_at, a.banned_until, a.ban_reason, a.digest, "
    "a.supporter_since IS NOT NULL, a.show_supporter, a.warning, a.premoderated";
constexpr int kAccountWidth = 13;  // columns read by read_account

TimePoint seconds_at(Statement& st, int col) { return TimePoint(std::chrono::seconds(st.int64(col))); }

Account read_account(Statement& st, int c) {
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
  a.supporter = st.int64(c + 9) != 0;
  a.show_supporter = st.int64(c + 10) != 0;
  a.warning = st.text(c + 11);
  a.premoderated = st.int64(c + 12) != 0;
  return a;
}

// Appends to the audit log, naming the actor as they are now (0: an API token or the command line).
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
      .bind_blob(1, s.token_hash).bind(2, account_id).bind(3, s.created_at.time_since_epoch().count())
      .bind(4, s.expires_at.time_since_epoch().count()).bind(5, s.user_agent).bind(6, s.ip)
      .run();
  return db.last_insert_id();
}

void insert_token(Db& db, int64_t account_id, const EmailToken& t, int64_t now) {
  auto or_null = [](const std::string& v) { return v.empty() ? std::nullopt : std::optional<std::string>(v); };
  db.prepare("INSERT INTO email_tokens (token_hash, account_id, purpose, created_at, expires_at, new_email, "
             "new_email_normalized) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
      .bind_blob(1, t.token_hash).bind(2, account_id).bind(3, t.purpose).bind(4, now)
      .bind(5, t.expires_at.time_since_epoch().count())
      .bind_optional(6, or_null(t.new_email)).bind_optional(7, or_null(t.new_email_normalized))
      .run();
}

// Marks the token used if it is valid now; returns its account.
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
  db.prepare("INSERT INTO mail_outbox (recipient, subject, body_text, created_at, next_attempt_at) VALUES (?1, ?2, ?3, ?4, ?4)")
      .bind(1, m.to).bind(2, m.subject).bind(3, m.body_text).bind(4, now)
      .run();
}

// Where a published comment is counted: its article, and its parent when it is a reply. nullopt when the
// comment is not published (so not counted).
struct Counted {
  int64_t article = 0;
  std::optional<int64_t> parent;
};
std::optional<Counted> published_counts(Db& db, int64_t id) {
  auto& st = db.prepare("SELECT article_id, parent_id FROM comments WHERE id = ?1 AND status = 'published'");
  st.bind(1, id);
  if (!st.step()) return std::nullopt;
  Counted c{st.int64(0), st.is_null(1) ? std::nullopt : std::optional<int64_t>(st.int64(1))};
  st.reset();
  return c;
}

// Takes a comment that leaves the conversation out of its article's and parent's counts.
void uncount(Db& db, const Counted& c) {
  db.prepare("UPDATE articles SET comment_count = comment_count - 1 WHERE id = ?1").bind(1, c.article).run();
  if (c.parent) db.prepare("UPDATE comments SET reply_count = reply_count - 1 WHERE id = ?1").bind(1, *c.parent).run();
}

#define TRIBUNE_COMMENT_COLUMNS                                                                               \
  "c.id, c.article_id, c.parent_id, c.root_id, c.depth, c.author_id, coalesce(ac.display_name, ''), "         \
  "c.body_markdown, c.body_html, c.status, c.created_at, c.edited_at, c.reply_count, c.recommend_count, "     \
  "c.picked, coalesce(ac.show_supporter = 1 AND ac.supporter_since IS NOT NULL, 0)"
constexpr const char* kCommentColumns = TRIBUNE_COMMENT_COLUMNS;
constexpr int kCommentWidth = 16;  // columns read by read_comment
constexpr const char* kCommentFrom = " FROM comments c LEFT JOIN accounts ac ON ac.id = c.author_id ";

Comment read_comment_at(Statement& st, int o) {
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
  c.picked = st.int64(o + 14) != 0;
  c.author_supporter = st.int64(o + 15) != 0;
  return c;
}

Comment read_comment(Statement& st) { return read_comment_at(st, 0); }

constexpr const char* kNotificationColumns = "n.id, n.kind, n.detail, n.created_at, n.read_at, " TRIBUNE_COMMENT_COLUMNS;
constexpr const char* kNotificationFrom =
    " FROM notifications n JOIN comments c ON c.id = n.comment_id LEFT JOIN accounts ac ON ac.id = c.author_id ";
// A notice about a comment taken down stays visible to its author; every other kind goes with its comment.
constexpr const char* kNotificationVisible = "(c.status = 'published' OR n.kind = 'moderation')";

Notification read_notification(Statement& st) {
  Notification n;
  n.id = st.int64(0);
  n.kind = st.text(1);
  n.detail = st.text(2);
  n.created_at = seconds_at(st, 3);
  n.read = !st.is_null(4);
  n.comment = read_comment_at(st, 5);
  return n;
}

// 63 bits of BLAKE2b: finds a reader's earlier comments with the same text through an index.
int64_t text_hash(std::string_view text) {
  unsigned char digest[8];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(text.data()), text.size(), nullptr, 0);
  uint64_t v = 0;
  for (unsigned char b : digest) v = (v << 8) | b;
  return static_cast<int64_t>(v >> 1);
}

// Schema step 8 added accounts.handle; its value comes from C++ (ICU case folding), not SQL.
void backfill_handles(Db& db) {
  std::vector<std::pair<int64_t, std::string>> names;
  auto& st = db.prepare("SELECT id, display_name FROM accounts");
  while (st.step()) names.emplace_back(st.int64(0), st.text(1));
  for (const auto& [id, name] : names)
    db.prepare("UPDATE accounts SET handle = ?2 WHERE id = ?1").bind(1, id).bind(2, mention_handle(name)).run();
}

// The notifications of a comment that has just been published (Store::add_comment), in the caller's
// transaction. Earlier kinds win: a follower who is also the parent's author gets one "reply".
std::vector<Recipient> notify_published(Db& db, int64_t comment_id, int64_t now) {
  static constexpr std::pair<const char*, const char*> kinds[] = {
      {"reply",
       "SELECT p.author_id AS id FROM comments c JOIN comments p ON p.id = c.parent_id WHERE c.id = ?1 AND "
       "p.author_id IS NOT NULL"},
      {"mention", "SELECT m.account_id AS id FROM comment_mentions m WHERE m.comment_id = ?1"},
      {"followed_comment",
       "SELECT f.follower_id AS id FROM comments c JOIN follows f ON f.followed_id = c.author_id WHERE c.id = ?1 LIMIT 10000"},
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
    auto& st = db.prepare(std::string("SELECT r.id FROM (") + who + ") AS r JOIN comments c ON c.id = ?1 WHERE "
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

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(const SqliteOptions& o)
      : path_(o.path), writer_(o.path, o.max_batch), readers_(o.path, o.read_connections) {}

  void migrate() override {
    writer_.run_exclusive([](Db& db) {
      // BEGIN IMMEDIATE takes the write lock first: two processes migrating at once apply each step once.
      for (const auto& m : sqlite::migrations()) {
        db.exec("BEGIN IMMEDIATE");
        try {
          auto& v = db.prepare("PRAGMA user_version");
          int current = v.step() ? static_cast<int>(v.int64(0)) : 0;
          v.reset();
          if (current >= m.version) {
            db.exec("COMMIT");
            continue;
          }
          db.exec(m.sql);
          if (m.version == 8) backfill_handles(db);
          db.exec("PRAGMA user_version = " + std::to_string(m.version));
          db.exec("COMMIT");
        } catch (...) {
          db.exec("ROLLBACK");
          throw;
        }
      }
    });
  }

  int schema_version() override {
    return readers_.with([](Db& db) {
      auto& v = db.prepare("PRAGMA user_version");
      return v.step() ? static_cast<int>(v.int64(0)) : 0;
    });
  }

  Article save_article(const ArticleRecord& r, bool replace) override {
    int64_t id = 0;
    writer_.run([&](Db& db) {
      const auto& d = r.draft;
      int64_t section_id = upsert_named(db, "sections", slugify(d.section), d.section);
      int64_t now = now_seconds().time_since_epoch().count();
      auto& existing = db.prepare("SELECT id FROM articles WHERE slug = ?1");
      existing.bind(1, d.slug);
      if (existing.step()) {
        id = existing.int64(0);
        if (!replace)
          throw Error(ErrorKind::conflict, "slug_taken", "An article with the slug '" + d.slug + "' already exists.",
                      "slug");
        existing.reset();
        db.prepare(
              "UPDATE articles SET title = ?2, standfirst = ?3, section_id = ?4, body_markdown = ?5, body_html = ?6, "
              "published_at = ?7, updated_at = ?8, source_name = ?9, source_url = ?10, comments_mode = ?11, "
              "version = version + 1 WHERE id = ?1")
            .bind(1, id).bind(2, d.title).bind(3, d.standfirst).bind(4, section_id).bind(5, d.body_markdown)
            .bind(6, r.body_html).bind(7, r.published_at.time_since_epoch().count()).bind(8, now)
            .bind(9, d.source_name).bind(10, d.source_url).bind(11, to_string(d.comments))
            .run();
        db.prepare("DELETE FROM article_authors WHERE article_id = ?1").bind(1, id).run();
        db.prepare("DELETE FROM article_tags WHERE article_id = ?1").bind(1, id).run();
      } else {
        existing.reset();
        db.prepare(
              "INSERT INTO articles (slug, title, standfirst, section_id, body_markdown, body_html, published_at, "
              "updated_at, source_name, source_url, comments_mode) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)")
            .bind(1, d.slug).bind(2, d.title).bind(3, d.standfirst).bind(4, section_id).bind(5, d.body_markdown)
            .bind(6, r.body_html).bind(7, r.published_at.time_since_epoch().count()).bind(8, now)
            .bind(9, d.source_name).bind(10, d.source_url).bind(11, to_string(d.comments))
            .run();
        id = db.last_insert_id();
      }
      int64_t position = 0;
      for (const auto& name : d.authors) {
        int64_t author_id = upsert_named(db, "authors", slugify(name), name);
        if (position == 0 && !d.author_bio.empty())
          db.prepare("UPDATE authors SET bio = ?2 WHERE id = ?1").bind(1, author_id).bind(2, d.author_bio).run();
        db.prepare("INSERT OR IGNORE INTO article_authors (article_id, author_id, position) VALUES (?1, ?2, ?3)")
            .bind(1, id).bind(2, author_id).bind(3, position++).run();
      }
      for (const auto& tag : d.tags)
        db.prepare("INSERT OR IGNORE INTO article_tags (article_id, tag) VALUES (?1, ?2)").bind(1, id).bind(2, tag).run();
      db.prepare("UPDATE counters SET value = value + 1 WHERE name = 'content_version'").run();
    });
    auto saved = readers_.with([&](Db& db) { return find_article_in(db, r.draft.slug); });
    if (!saved) throw Error(ErrorKind::internal, "store_error", "the saved article could not be read back.");
    return *saved;
  }

  std::optional<Article> find_article(std::string_view slug) override {
    return readers_.with([&](Db& db) { return find_article_in(db, slug); });
  }

  std::optional<Article> find_article_by_id(int64_t id) override {
    return readers_.with([&](Db& db) -> std::optional<Article> {
      auto& st = db.prepare("SELECT slug FROM articles WHERE id = ?1");
      st.bind(1, id);
      if (!st.step()) return std::nullopt;
      auto slug = st.text(0);
      st.reset();
      return find_article_in(db, slug);
    });
  }

  ArticleList list_articles(const ArticleQuery& q) override {
    return readers_.with([&](Db& db) {
      std::string sql = std::string("SELECT ") + kArticleColumns;
      if (q.with_body) sql += ", a.body_markdown, a.body_html";
      sql += " FROM articles a JOIN sections s ON s.id = a.section_id WHERE a.published_at <= ?1";
      if (q.section_slug) sql += " AND s.slug = ?2";
      if (q.author_slug)
        sql += " AND a.id IN (SELECT aa.article_id FROM article_authors aa JOIN authors au ON au.id = aa.author_id "
               "WHERE au.slug = ?3)";
      if (q.tag) sql += " AND a.id IN (SELECT article_id FROM article_tags WHERE tag = ?4)";
      if (q.after) sql += " AND (a.published_at < ?5 OR (a.published_at = ?5 AND a.id < ?6))";
      sql += " ORDER BY a.published_at DESC, a.id DESC LIMIT ?7";
      auto& st = db.prepare(sql);
      st.bind(1, q.visible_at.time_since_epoch().count());
      if (q.section_slug) st.bind(2, *q.section_slug);
      if (q.author_slug) st.bind(3, *q.author_slug);
      if (q.tag) st.bind(4, *q.tag);
      if (q.after) st.bind(5, q.after->published_at).bind(6, q.after->id);
      int limit = std::clamp(q.limit, 1, 1000);
      st.bind(7, limit + 1);
      ArticleList out;
      while (st.step()) out.articles.push_back(read_article_row(st, q.with_body));
      st.reset();
      if (static_cast<int>(out.articles.size()) > limit) {
        out.articles.pop_back();
        const auto& last = out.articles.back();
        out.next = ArticleCursor{last.published_at.time_since_epoch().count(), last.id};
      }
      for (auto& a : out.articles) load_authors_and_tags(db, a);
      return out;
    });
  }

  int64_t count_articles() override {
    return readers_.with([](Db& db) {
      auto& st = db.prepare("SELECT count(*) FROM articles");
      return st.step() ? st.int64(0) : 0;
    });
  }

  std::optional<TimePoint> next_scheduled(TimePoint after) override {
    return readers_.with([&](Db& db) -> std::optional<TimePoint> {
      auto& st = db.prepare("SELECT min(published_at) FROM articles WHERE published_at > ?1");
      st.bind(1, after.time_since_epoch().count());
      if (!st.step() || st.is_null(0)) return std::nullopt;
      return TimePoint(std::chrono::seconds(st.int64(0)));
    });
  }

  int64_t content_version() override {
    return readers_.with([](Db& db) {
      auto& st = db.prepare("SELECT value FROM counters WHERE name = 'content_version'");
      return st.step() ? st.int64(0) : 0;
    });
  }

  std::optional<Author> find_author(std::string_view slug) override {
    return readers_.with([&](Db& db) -> std::optional<Author> {
      auto& st = db.prepare("SELECT id, slug, name, bio FROM authors WHERE slug = ?1");
      st.bind(1, slug);
      if (!st.step()) return std::nullopt;
      return Author{st.int64(0), st.text(1), st.text(2), st.text(3)};
    });
  }

  std::optional<Section> find_section(std::string_view slug) override {
    return readers_.with([&](Db& db) -> std::optional<Section> {
      auto& st = db.prepare("SELECT id, slug, name FROM sections WHERE slug = ?1");
      st.bind(1, slug);
      if (!st.step()) return std::nullopt;
      return Section{st.int64(0), st.text(1), st.text(2)};
    });
  }

  std::vector<Section> list_sections() override {
    return readers_.with([](Db& db) {
      std::vector<Section> out;
      auto& st = db.prepare("SELECT id, slug, name FROM sections ORDER BY name");
      while (st.step()) out.push_back(Section{st.int64(0), st.text(1), st.text(2)});
      return out;
    });
  }

  ApiToken create_api_token(const std::string& token_hash, const std::string& name, const std::string& role) override {
    ApiToken t{0, name, role, now_seconds()};
    writer_.run([&](Db& db) {
      db.prepare("INSERT INTO api_tokens (token_hash, name, role, created_at) VALUES (?1, ?2, ?3, ?4)")
          .bind_blob(1, token_hash).bind(2, name).bind(3, role).bind(4, t.created_at.time_since_epoch().count())
          .run();
      t.id = db.last_insert_id();
    });
    return t;
  }

  std::optional<ApiToken> find_api_token(const std::string& token_hash) override {
    return readers_.with([&](Db& db) -> std::optional<ApiToken> {
      auto& st = db.prepare(
          "SELECT id, name, role, created_at FROM api_tokens WHERE token_hash = ?1 AND revoked_at IS NULL");
      st.bind_blob(1, token_hash);
      if (!st.step()) return std::nullopt;
      return ApiToken{st.int64(0), st.text(1), st.text(2), TimePoint(std::chrono::seconds(st.int64(3)))};
    });
  }

  // --- Accounts and sessions ---

  CreatedAccount create_account(const NewAccount& a, const std::optional<NewSession>& session,
                                const std::optional<EmailToken>& token, const std::optional<OutboxMail>& mail) override {
    CreatedAccount out;
    writer_.run([&](Db& db) {
      auto& exists = db.prepare("SELECT 1 FROM accounts WHERE email_normalized = ?1");
      exists.bind(1, a.email_normalized);
      if (exists.step())
        throw Error(ErrorKind::conflict, "email_taken", "An account with this email address already exists.", "email");
      int64_t created = a.created_at.time_since_epoch().count();
      db.prepare(
            "INSERT INTO accounts (email, email_normalized, display_name, name_key, name_key_cased, password_hash, "
            "role, created_at, handle) VALUES (?1, ?2, ?3, ?4, ?8, ?5, ?6, ?7, ?9)")
          .bind(1, a.email).bind(2, a.email_normalized).bind(3, a.display_name).bind(4, a.name_keys[0])
          .bind(8, a.name_keys[1]).bind(5, a.password_hash).bind(6, a.role).bind(7, created)
          .bind(9, mention_handle(a.display_name))
          .run();
      out.account = Account{db.last_insert_id(), a.email, a.display_name, a.role, std::nullopt, a.created_at};
      if (session) out.session_id = insert_session(db, out.account.id, *session);
      if (token) insert_token(db, out.account.id, *token, created);
      if (mail) insert_mail(db, *mail, created);
    });
    return out;
  }

  std::optional<Credentials> find_credentials(const std::string& email_normalized) override {
    return readers_.with([&](Db& db) -> std::optional<Credentials> {
      auto& st = db.prepare(std::string("SELECT ") + kAccountColumns + ", password_hash FROM accounts WHERE email_normalized = ?1");
      st.bind(1, email_normalized);
      if (!st.step()) return std::nullopt;
      return Credentials{read_account(st, 0), st.text(kAccountWidth)};
    });
  }

  std::optional<Account> find_account(int64_t id) override {
    return readers_.with([&](Db& db) -> std::optional<Account> {
      auto& st = db.prepare(std::string("SELECT ") + kAccountColumns + " FROM accounts WHERE id = ?1");
      st.bind(1, id);
      if (!st.step()) return std::nullopt;
      return read_account(st, 0);
    });
  }

  void set_password_hash(int64_t account_id, const std::string& hash) override {
    writer_.run([&](Db& db) {
      db.prepare("UPDATE accounts SET password_hash = ?2 WHERE id = ?1").bind(1, account_id).bind(2, hash).run();
    });
  }

  bool staff_name_taken(const std::array<std::string, 2>& keys) override {
    return readers_.with([&](Db& db) {
      auto& st = db.prepare(
          "SELECT 1 FROM accounts WHERE role <> 'reader' AND (name_key IN (?1, ?2) OR name_key_cased IN (?1, ?2))");
      st.bind(1, keys[0]).bind(2, keys[1]);
      return st.step();
    });
  }

  int64_t create_session(int64_t account_id, const NewSession& session) override {
    int64_t id = 0;
    writer_.run([&](Db& db) { id = insert_session(db, account_id, session); });
    return id;
  }

  std::optional<SessionLookup> find_session(const std::string& token_hash) override {
    return readers_.with([&](Db& db) -> std::optional<SessionLookup> {
      auto& st = db.prepare(std::string("SELECT ") + kAccountColumnsA +
                            ", s.id, s.created_at, s.last_seen_at, s.expires_at, s.user_agent, s.ip "
                            "FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE s.token_hash = ?1");
      st.bind_blob(1, token_hash);
      if (!st.step()) return std::nullopt;
      SessionLookup out;
      out.account = read_account(st, 0);
      constexpr int s = kAccountWidth;
      out.session = SessionInfo{st.int64(s), out.account.id, seconds_at(st, s + 1), seconds_at(st, s + 2),
                                seconds_at(st, s + 3), st.text(s + 4), st.text(s + 5)};
      return out;
    });
  }

  void touch_session(int64_t session_id, TimePoint seen) override {
    writer_.run([&](Db& db) {
      db.prepare("UPDATE sessions SET last_seen_at = ?2 WHERE id = ?1").bind(1, session_id)
          .bind(2, seen.time_since_epoch().count()).run();
    });
  }

  void delete_session(const std::string& token_hash) override {
    writer_.run([&](Db& db) { db.prepare("DELETE FROM sessions WHERE token_hash = ?1").bind_blob(1, token_hash).run(); });
  }

  bool delete_account_session(int64_t account_id, int64_t session_id) override {
    bool deleted = false;
    writer_.run([&](Db& db) {
      db.prepare("DELETE FROM sessions WHERE id = ?1 AND account_id = ?2").bind(1, session_id).bind(2, account_id).run();
      deleted = db.changes() > 0;
    });
    return deleted;
  }

  void delete_sessions(int64_t account_id) override {
    writer_.run([&](Db& db) { db.prepare("DELETE FROM sessions WHERE account_id = ?1").bind(1, account_id).run(); });
  }

  std::vector<SessionInfo> list_sessions(int64_t account_id) override {
    return readers_.with([&](Db& db) {
      std::vector<SessionInfo> out;
      auto& st = db.prepare(
          "SELECT id, created_at, last_seen_at, expires_at, user_agent, ip FROM sessions WHERE account_id = ?1 "
          "ORDER BY last_seen_at DESC");
      st.bind(1, account_id);
      while (st.step())
        out.push_back(SessionInfo{st.int64(0), account_id, seconds_at(st, 1), seconds_at(st, 2), seconds_at(st, 3),
                                  st.text(4), st.text(5)});
      return out;
    });
  }

  void set_display_name(int64_t id, const std::string& name, const std::array<std::string, 2>& keys) override {
    writer_.run([&](Db& db) {
      db.prepare("UPDATE accounts SET display_name = ?2, name_key = ?3, name_key_cased = ?4, handle = ?5 WHERE id = ?1")
          .bind(1, id).bind(2, name).bind(3, keys[0]).bind(4, keys[1]).bind(5, mention_handle(name)).run();
    });
  }

  void request_email_change(int64_t id, const EmailToken& confirm, const OutboxMail& confirm_mail, const EmailToken& undo,
                            const OutboxMail& notice) override {
    writer_.run([&](Db& db) {
      auto& taken = db.prepare("SELECT 1 FROM accounts WHERE email_normalized = ?1 AND id <> ?2");
      taken.bind(1, confirm.new_email_normalized).bind(2, id);
      if (taken.step())
        throw Error(ErrorKind::conflict, "email_taken", "An account with this email address already exists.", "email");
      taken.reset();
      int64_t now = now_seconds().time_since_epoch().count();
      db.prepare("UPDATE email_tokens SET used_at = ?2 WHERE account_id = ?1 AND used_at IS NULL AND new_email IS NOT NULL")
          .bind(1, id).bind(2, now).run();
      insert_token(db, id, confirm, now);
      insert_mail(db, confirm_mail, now);
      insert_token(db, id, undo, now);
      insert_mail(db, notice, now);
    });
  }

  void delete_other_sessions(int64_t account_id, int64_t keep) override {
    writer_.run([&](Db& db) {
      db.prepare("DELETE FROM sessions WHERE account_id = ?1 AND id <> ?2").bind(1, account_id).bind(2, keep).run();
    });
  }

  void delete_account(int64_t id) override {
    writer_.run([&](Db& db) {
      db.prepare("DELETE FROM sessions WHERE account_id = ?1").bind(1, id).run();
      db.prepare("DELETE FROM email_tokens WHERE account_id = ?1").bind(1, id).run();
      db.prepare("UPDATE comments SET author_id = NULL WHERE author_id = ?1").bind(1, id).run();
      db.prepare("DELETE FROM accounts WHERE id = ?1").bind(1, id).run();
      if (db.changes() == 0) throw Error(ErrorKind::not_found, "not_found", "The account was not found.");
    });
  }

  void set_role(int64_t id, const std::string& role) override {
    writer_.run([&](Db& db) {
      db.prepare("UPDATE accounts SET role = ?2 WHERE id = ?1").bind(1, id).bind(2, role).run();
      if (db.changes() == 0) throw Error(ErrorKind::not_found, "not_found", "The account was not found.");
    });
  }

  std::vector<Account> list_accounts(int64_t after_id, int limit) override {
    return readers_.with([&](Db& db) {
      std::vector<Account> out;
      auto& st = db.prepare(std::string("SELECT ") + kAccountColumns + " FROM accounts WHERE id > ?1 ORDER BY id LIMIT ?2");
      st.bind(1, after_id).bind(2, static_cast<int64_t>(std::clamp(limit, 1, 500)));
      while (st.step()) out.push_back(read_account(st, 0));
      return out;
    });
  }

  std::vector<Comment> comments_by_author(int64_t account_id, int limit) override {
    return readers_.with([&](Db& db) {
      std::vector<Comment> out;
      auto& st = db.prepare(std::string("SELECT ") + kCommentColumns + kCommentFrom +
                            "WHERE c.author_id = ?1 ORDER BY c.created_at, c.id LIMIT ?2");
      st.bind(1, account_id).bind(2, static_cast<int64_t>(limit));
      while (st.step()) out.push_back(read_comment(st));
      return out;
    });
  }

  // --- Comments ---

  SavedComment add_comment(const NewComment& c) override {
    SavedComment out;
    int64_t id = 0;
    writer_.run([&](Db& db) {
      out.notified.clear();
      int64_t root = 0, depth = 0;
      if (c.parent_id) {
        auto& parent = db.prepare("SELECT article_id, root_id, depth, status FROM comments WHERE id = ?1");
        parent.bind(1, *c.parent_id);
        if (!parent.step() || parent.int64(0) != c.article_id || parent.text(3) != "published")
          throw Error(ErrorKind::invalid, "invalid_parent",
                      "You can only reply to a published comment on the same article.", "parent_id");
        root = parent.int64(1);
        depth = parent.int64(2) + 1;
      }
      db.prepare(
            "INSERT INTO comments (article_id, parent_id, root_id, depth, author_id, body_markdown, body_html, status, "
            "created_at, body_hash, moderation_rule, moderation_reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
            "?10, ?11, ?12)")
          .bind(1, c.article_id).bind_optional_int(2, c.parent_id).bind(3, root).bind(4, depth).bind(5, c.author_id)
          .bind(6, c.body_markdown).bind(7, c.body_html).bind(8, to_string(c.status))
          .bind(9, c.created_at.time_since_epoch().count()).bind(10, text_hash(c.body_markdown))
          .bind(11, c.moderation_rule).bind(12, c.moderation_reason)
          .run();
      id = db.last_insert_id();
      if (!c.parent_id) db.prepare("UPDATE comments SET root_id = id WHERE id = ?1").bind(1, id).run();
      for (const auto& handle : c.mentions)
        db.prepare(
              "INSERT OR IGNORE INTO comment_mentions (comment_id, account_id) SELECT ?1, a.id FROM accounts a "
              "WHERE a.handle = ?2 ORDER BY EXISTS (SELECT 1 FROM comments x WHERE x.author_id = a.id AND "
              "x.article_id = ?3) DESC, a.id LIMIT 1")
            .bind(1, id).bind(2, handle).bind(3, c.article_id).run();
      if (c.status == CommentStatus::published) {
        if (c.parent_id)
          db.prepare("UPDATE comments SET reply_count = reply_count + 1 WHERE id = ?1").bind(1, *c.parent_id).run();
        db.prepare("UPDATE articles SET comment_count = comment_count + 1 WHERE id = ?1").bind(1, c.article_id).run();
        out.notified = notify_published(db, id, c.created_at.time_since_epoch().count());
      }
    });
    auto stored = find_comment(id);
    if (!stored) throw Error(ErrorKind::internal, "store_error", "the saved comment could not be read back.");
    out.comment = std::move(*stored);
    return out;
  }

  AuthorActivity author_activity(const ActivityQuery& q) override {
    return readers_.with([&](Db& db) {
      AuthorActivity a;
      if (q.published_cap > 0) {
        auto& published = db.prepare("SELECT count(*) FROM (SELECT 1 FROM comments WHERE author_id = ?1 AND status = "
                                     "'published' LIMIT ?2)");
        published.bind(1, q.account_id).bind(2, q.published_cap);
        if (published.step()) a.published = published.int64(0);
      }
      auto& same = db.prepare("SELECT count(*) FROM comments WHERE author_id = ?1 AND body_hash = ?2 AND created_at >= ?3 "
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

  std::optional<Comment> find_comment(int64_t id) override {
    return readers_.with([&](Db& db) { return find_comment_in(db, id); });
  }

  CommentList list_comments(const CommentQuery& q) override {
    return readers_.with([&](Db& db) {
      bool top = q.sort == CommentSort::top;
      bool ascending = q.sort == CommentSort::oldest;
      const char* key = top ? "c.recommend_count" : "c.created_at";
      std::string sql = std::string("SELECT ") + kCommentColumns + kCommentFrom + "WHERE c.status = 'published' AND ";
      if (q.parent_id) sql += "c.parent_id = ?2";
      else if (q.sort == CommentSort::picks) sql += "c.article_id = ?1 AND c.picked = 1";
      else sql += "c.article_id = ?1 AND c.parent_id IS NULL";
      if (q.after)
        sql += std::string(" AND (") + key + (ascending ? " > ?3" : " < ?3") + " OR (" + key + " = ?3 AND c.id" +
               (ascending ? " > ?4" : " < ?4") + "))";
      sql += std::string(" ORDER BY ") + key + (ascending ? " ASC, c.id ASC" : " DESC, c.id DESC") + " LIMIT ?5";
      auto& st = db.prepare(sql);
      if (q.parent_id) st.bind(2, *q.parent_id);
      else st.bind(1, q.article_id);
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

  std::vector<Comment> list_thread_replies(const std::vector<int64_t>& root_ids, int per_thread, int limit) override {
    std::vector<Comment> out;
    if (root_ids.empty()) return out;
    return readers_.with([&](Db& db) {
      // One statement per thread keeps each lookup on the comments_by_root index.
      auto& st = db.prepare(std::string("SELECT ") + kCommentColumns + kCommentFrom +
                            "WHERE c.root_id = ?1 AND c.parent_id IS NOT NULL AND c.status = 'published' "
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

  bool edit_comment(int64_t id, const std::string& markdown, const std::string& html, TimePoint edited_at,
                    bool hold) override {
    bool edited = false;
    writer_.run([&](Db& db) {
      auto counted = published_counts(db, id);
      if (!counted) return;
      db.prepare("UPDATE comments SET body_markdown = ?2, body_html = ?3, edited_at = ?4, status = ?5 WHERE id = ?1")
          .bind(1, id).bind(2, markdown).bind(3, html).bind(4, edited_at.time_since_epoch().count())
          .bind(5, std::string(hold ? "pending" : "published")).run();
      if (hold) uncount(db, *counted);
      edited = true;
    });
    return edited;
  }

  bool delete_comment(int64_t id) override {
    bool deleted = false;
    writer_.run([&](Db& db) {
      auto counted = published_counts(db, id);
      if (!counted) return;
      db.prepare("UPDATE comments SET status = 'deleted' WHERE id = ?1").bind(1, id).run();
      uncount(db, *counted);
      deleted = true;
    });
    return deleted;
  }

  int64_t set_reaction(int64_t comment_id, int64_t account_id, const std::string& kind, bool on) override {
    int64_t count = 0;
    writer_.run([&](Db& db) {
      if (on)
        db.prepare("INSERT OR IGNORE INTO comment_reactions (comment_id, account_id, kind, created_at) VALUES (?1, ?2, ?3, ?4)")
            .bind(1, comment_id).bind(2, account_id).bind(3, kind).bind(4, now_seconds().time_since_epoch().count()).run();
      else
        db.prepare("DELETE FROM comment_reactions WHERE comment_id = ?1 AND account_id = ?2 AND kind = ?3")
            .bind(1, comment_id).bind(2, account_id).bind(3, kind).run();
      if (db.changes() > 0 && kind == "recommend")
        db.prepare("UPDATE comments SET recommend_count = recommend_count + ?2 WHERE id = ?1")
            .bind(1, comment_id).bind(2, static_cast<int64_t>(on ? 1 : -1)).run();
      auto& st = db.prepare("SELECT recommend_count FROM comments WHERE id = ?1");
      st.bind(1, comment_id);
      if (st.step()) count = st.int64(0);
    });
    return count;
  }

  std::vector<std::pair<int64_t, std::string>> reactions_by(int64_t account_id, const std::vector<int64_t>& ids) override {
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

  bool add_report(int64_t comment_id, int64_t reporter_id, const std::string& reason, const std::string& note) override {
    bool added = false;
    writer_.run([&](Db& db) {
      db.prepare("INSERT OR IGNORE INTO comment_reports (comment_id, reporter_id, reason, note, created_at) VALUES (?1, ?2, ?3, ?4, ?5)")
          .bind(1, comment_id).bind(2, reporter_id).bind(3, reason).bind(4, note)
          .bind(5, now_seconds().time_since_epoch().count()).run();
      added = db.changes() > 0;
    });
    return added;
  }

  std::vector<Comment> comments_since(int64_t article_id, int64_t after_id, int limit) override {
    return readers_.with([&](Db& db) {
      std::vector<Comment> out;
      auto& st = db.prepare(std::string("SELECT ") + kCommentColumns + kCommentFrom +
                            "WHERE c.article_id = ?1 AND c.id > ?2 AND c.status = 'published' ORDER BY c.id LIMIT ?3");
      st.bind(1, article_id).bind(2, after_id).bind(3, static_cast<int64_t>(limit));
      while (st.step()) out.push_back(read_comment(st));
      return out;
    });
  }

  int64_t count_comments(int64_t article_id) override {
    return readers_.with([&](Db& db) {
      auto& st = db.prepare("SELECT count(*) FROM comments WHERE article_id = ?1 AND status = 'published'");
      st.bind(1, article_id);
      return st.step() ? st.int64(0) : 0;
    });
  }

  // --- Mail tokens and the outbox ---

  void create_email_token(int64_t account_id, const EmailToken& token, const OutboxMail& mail) override {
    writer_.run([&](Db& db) {
      int64_t now = now_seconds().time_since_epoch().count();
      insert_token(db, account_id, token, now);
      insert_mail(db, mail, now);
    });
  }

  std::optional<std::string> pending_email(int64_t account_id, TimePoint now) override {
    return readers_.with([&](Db& db) -> std::optional<std::string> {
      auto& st = db.prepare(
          "SELECT new_email FROM email_tokens WHERE account_id = ?1 AND purpose = 'verify' AND new_email IS NOT NULL "
          "AND used_at IS NULL AND expires_at > ?2 ORDER BY id DESC LIMIT 1");
      st.bind(1, account_id).bind(2, now.time_since_epoch().count());
      if (!st.step()) return std::nullopt;
      return st.text(0);
    });
  }

  std::optional<VerifiedEmail> use_verify_token(const std::string& hash, TimePoint now) override {
    std::optional<VerifiedEmail> out;
    writer_.run([&](Db& db) {
      out.reset();
      int64_t t = now.time_since_epoch().count();
      auto& st = db.prepare(
          "SELECT e.id, e.account_id, e.new_email, e.new_email_normalized, a.email FROM email_tokens e "
          "JOIN accounts a ON a.id = e.account_id "
          "WHERE e.token_hash = ?1 AND e.purpose = 'verify' AND e.used_at IS NULL AND e.expires_at > ?2");
      st.bind_blob(1, hash).bind(2, t);
      if (!st.step()) return;
      int64_t token_id = st.int64(0);
      VerifiedEmail v{st.int64(1), {}};
      std::optional<std::pair<std::string, std::string>> moving;
      if (!st.is_null(2)) moving.emplace(st.text(2), st.text(3));
      std::string current = st.text(4);
      st.reset();
      db.prepare("UPDATE email_tokens SET used_at = ?2 WHERE id = ?1").bind(1, token_id).bind(2, t).run();
      if (moving) {
        auto& taken = db.prepare("SELECT 1 FROM accounts WHERE email_normalized = ?1 AND id <> ?2");
        taken.bind(1, moving->second).bind(2, v.account_id);
        if (taken.step())
          throw Error(ErrorKind::conflict, "email_taken", "An account with this email address already exists.", "email");
        taken.reset();
        db.prepare("UPDATE accounts SET email = ?2, email_normalized = ?3, email_verified_at = ?4 WHERE id = ?1")
            .bind(1, v.account_id).bind(2, moving->first).bind(3, moving->second).bind(4, t).run();
        // Other verification links are void; the reset link the old address was sent stays valid: its owner can
        // still take the account back if the change was not theirs.
        db.prepare("UPDATE email_tokens SET used_at = ?2 WHERE account_id = ?1 AND used_at IS NULL AND purpose = 'verify'")
            .bind(1, v.account_id).bind(2, t).run();
        v.previous_email = current;
      } else {
        db.prepare("UPDATE accounts SET email_verified_at = coalesce(email_verified_at, ?2) WHERE id = ?1")
            .bind(1, v.account_id).bind(2, t).run();
      }
      out = v;
    });
    return out;
  }

  std::optional<int64_t> use_reset_token(const std::string& hash, const std::string& password_hash, TimePoint now) override {
    std::optional<int64_t> account;
    writer_.run([&](Db& db) {
      int64_t t = now.time_since_epoch().count();
      account = take_token(db, hash, "reset", t);
      if (!account) return;
      db.prepare("UPDATE accounts SET password_hash = ?2 WHERE id = ?1").bind(1, *account).bind(2, password_hash).run();
      db.prepare("DELETE FROM sessions WHERE account_id = ?1").bind(1, *account).run();
      db.prepare("UPDATE email_tokens SET used_at = ?2 WHERE account_id = ?1 AND used_at IS NULL AND "
                 "(purpose = 'reset' OR new_email IS NOT NULL)")
          .bind(1, *account).bind(2, t).run();
    });
    return account;
  }

  bool email_token_valid(const std::string& hash, const std::string& purpose, TimePoint now) override {
    return readers_.with([&](Db& db) {
      auto& st = db.prepare(
          "SELECT 1 FROM email_tokens WHERE token_hash = ?1 AND purpose = ?2 AND used_at IS NULL AND expires_at > ?3");
      st.bind_blob(1, hash).bind(2, purpose).bind(3, now.time_since_epoch().count());
      return st.step();
    });
  }

  std::vector<QueuedMail> claim_mail(TimePoint now, std::chrono::seconds lease, int limit) override {
    std::vector<QueuedMail> out;
    writer_.run([&](Db& db) {
      int64_t t = now.time_since_epoch().count();
      auto& st = db.prepare(
          "SELECT id, recipient, subject, body_text, attempts FROM mail_outbox WHERE sent_at IS NULL AND "
          "next_attempt_at <= ?1 ORDER BY next_attempt_at, id LIMIT ?2");
      st.bind(1, t).bind(2, static_cast<int64_t>(limit));
      while (st.step())
        out.push_back(QueuedMail{st.int64(0), OutboxMail{st.text(1), st.text(2), st.text(3)}, static_cast<int>(st.int64(4))});
      st.reset();
      for (const auto& m : out)
        db.prepare("UPDATE mail_outbox SET next_attempt_at = ?2, attempts = attempts + 1 WHERE id = ?1")
            .bind(1, m.id).bind(2, t + lease.count()).run();
    });
    return out;
  }

  void mark_mail_sent(int64_t id, TimePoint now) override {
    writer_.run([&](Db& db) {
      db.prepare("UPDATE mail_outbox SET sent_at = ?2, last_error = NULL WHERE id = ?1").bind(1, id)
          .bind(2, now.time_since_epoch().count()).run();
    });
  }

  void mark_mail_failed(int64_t id, const std::string& error, TimePoint retry_at) override {
    writer_.run([&](Db& db) {
      db.prepare("UPDATE mail_outbox SET last_error = ?2, next_attempt_at = ?3 WHERE id = ?1").bind(1, id)
          .bind(2, error.substr(0, 500)).bind(3, retry_at.time_since_epoch().count()).run();
    });
  }

  OutboxStats outbox_stats() override {
    return readers_.with([](Db& db) {
      auto& st = db.prepare("SELECT count(*) FILTER (WHERE sent_at IS NULL), count(sent_at) FROM mail_outbox");
      OutboxStats s;
      if (st.step()) {
        s.pending = st.int64(0);
        s.sent = st.int64(1);
      }
      return s;
    });
  }

  // --- Follows and notifications ---

  void set_follow(int64_t follower, int64_t followed, bool on) override {
    writer_.run([&](Db& db) {
      auto& exists = db.prepare("SELECT 1 FROM accounts WHERE id = ?1");
      exists.bind(1, followed);
      if (!exists.step()) throw Error(ErrorKind::not_found, "not_found", "The reader was not found.");
      exists.reset();
      if (on)
        db.prepare("INSERT OR IGNORE INTO follows (follower_id, followed_id, created_at) VALUES (?1, ?2, ?3)")
            .bind(1, follower).bind(2, followed).bind(3, now_seconds().time_since_epoch().count()).run();
      else
        db.prepare("DELETE FROM follows WHERE follower_id = ?1 AND followed_id = ?2").bind(1, follower).bind(2, followed).run();
    });
  }

  bool follows(int64_t follower, int64_t followed) override {
    return readers_.with([&](Db& db) {
      auto& st = db.prepare("SELECT 1 FROM follows WHERE follower_id = ?1 AND followed_id = ?2");
      st.bind(1, follower).bind(2, followed);
      return st.step();
    });
  }

  FollowCounts follow_counts(int64_t id) override {
    return readers_.with([&](Db& db) {
      FollowCounts c;
      auto& a = db.prepare("SELECT count(*) FROM follows WHERE followed_id = ?1");
      a.bind(1, id);
      if (a.step()) c.followers = a.int64(0);
      auto& b = db.prepare("SELECT count(*) FROM follows WHERE follower_id = ?1");
      b.bind(1, id);
      if (b.step()) c.following = b.int64(0);
      return c;
    });
  }

  std::vector<Comment> followed_comments(int64_t follower, int64_t before_id, int limit) override {
    return readers_.with([&](Db& db) {
      std::vector<Comment> out;
      auto& st = db.prepare(std::string("SELECT ") + kCommentColumns + kCommentFrom +
                            "WHERE c.author_id IN (SELECT followed_id FROM follows WHERE follower_id = ?1) AND "
                            "c.status = 'published' AND (?2 = 0 OR c.id < ?2) ORDER BY c.id DESC LIMIT ?3");
      st.bind(1, follower).bind(2, before_id).bind(3, static_cast<int64_t>(limit));
      while (st.step()) out.push_back(read_comment(st));
      return out;
    });
  }

  std::vector<Comment> held_comments(int64_t author, int64_t article, int limit) override {
    return readers_.with([&](Db& db) {
      std::vector<Comment> out;
      auto& st = db.prepare(std::string("SELECT ") + kCommentColumns + kCommentFrom +
                            "WHERE c.author_id = ?1 AND c.article_id = ?2 AND c.status = 'pending' ORDER BY c.id LIMIT ?3");
      st.bind(1, author).bind(2, article).bind(3, static_cast<int64_t>(limit));
      while (st.step()) out.push_back(read_comment(st));
      return out;
    });
  }

  std::vector<Comment> comments_of(int64_t author, int64_t before_id, int limit) override {
    return readers_.with([&](Db& db) {
      std::vector<Comment> out;
      auto& st = db.prepare(std::string("SELECT ") + kCommentColumns + kCommentFrom +
                            "WHERE c.author_id = ?1 AND c.status = 'published' AND (?2 = 0 OR c.id < ?2) "
                            "ORDER BY c.id DESC LIMIT ?3");
      st.bind(1, author).bind(2, before_id).bind(3, static_cast<int64_t>(limit));
      while (st.step()) out.push_back(read_comment(st));
      return out;
    });
  }

  std::vector<Notification> notifications(int64_t account, int64_t before_id, int limit) override {
    return readers_.with([&](Db& db) {
      std::vector<Notification> out;
      auto& st = db.prepare(std::string("SELECT ") + kNotificationColumns + kNotificationFrom +
                            "WHERE n.account_id = ?1 AND " + kNotificationVisible +
                            " AND (?2 = 0 OR n.id < ?2) ORDER BY n.id DESC LIMIT ?3");
      st.bind(1, account).bind(2, before_id).bind(3, static_cast<int64_t>(limit));
      while (st.step()) out.push_back(read_notification(st));
      return out;
    });
  }

  int64_t unread_notifications(int64_t account) override {
    return readers_.with([&](Db& db) {
      auto& st = db.prepare(std::string("SELECT count(*)") + kNotificationFrom + "WHERE n.account_id = ?1 AND " +
                            "n.read_at IS NULL AND " + kNotificationVisible);
      st.bind(1, account);
      return st.step() ? st.int64(0) : 0;
    });
  }

  void mark_notifications_read(int64_t account, int64_t up_to_id) override {
    writer_.run([&](Db& db) {
      db.prepare("UPDATE notifications SET read_at = ?3 WHERE account_id = ?1 AND id <= ?2 AND read_at IS NULL")
          .bind(1, account).bind(2, up_to_id).bind(3, now_seconds().time_since_epoch().count()).run();
    });
  }

  // --- Ignoring, picks, counts ---

  void set_ignore(int64_t account, int64_t ignored, bool on) override {
    writer_.run([&](Db& db) {
      auto& exists = db.prepare("SELECT 1 FROM accounts WHERE id = ?1");
      exists.bind(1, ignored);
      if (!exists.step()) throw Error(ErrorKind::not_found, "not_found", "The reader was not found.");
      exists.reset();
      if (on)
        db.prepare("INSERT OR IGNORE INTO ignores (account_id, ignored_id, created_at) VALUES (?1, ?2, ?3)")
            .bind(1, account).bind(2, ignored).bind(3, now_seconds().time_since_epoch().count()).run();
      else
        db.prepare("DELETE FROM ignores WHERE account_id = ?1 AND ignored_id = ?2").bind(1, account).bind(2, ignored).run();
    });
  }

  std::vector<int64_t> ignored_by(int64_t account, int limit) override {
    return readers_.with([&](Db& db) {
      std::vector<int64_t> out;
      auto& st = db.prepare("SELECT ignored_id FROM ignores WHERE account_id = ?1 ORDER BY created_at DESC LIMIT ?2");
      st.bind(1, account).bind(2, static_cast<int64_t>(limit));
      while (st.step()) out.push_back(st.int64(0));
      return out;
    });
  }

  std::vector<int64_t> followed_among(int64_t follower, const std::vector<int64_t>& ids) override {
    return readers_.with([&](Db& db) {
      std::vector<int64_t> out;
      auto& st = db.prepare("SELECT 1 FROM follows WHERE follower_id = ?1 AND followed_id = ?2");
      for (int64_t id : ids) {
        st.reset();
        st.bind(1, follower).bind(2, id);
        if (st.step()) out.push_back(id);
      }
      return out;
    });
  }

  bool set_pick(int64_t comment_id, bool on) override {
    bool changed = false;
    writer_.run([&](Db& db) {
      db.prepare("UPDATE comments SET picked = ?2 WHERE id = ?1 AND status = 'published'")
          .bind(1, comment_id).bind(2, int64_t{on ? 1 : 0}).run();
      changed = db.changes() > 0;
    });
    return changed;
  }

  std::vector<std::pair<std::string, int64_t>> comment_counts(const std::vector<std::string>& slugs,
                                                              TimePoint visible_at) override {
    return readers_.with([&](Db& db) {
      std::vector<std::pair<std::string, int64_t>> out;
      auto& st = db.prepare("SELECT comment_count FROM articles WHERE slug = ?1 AND published_at <= ?2");
      for (const auto& slug : slugs) {
        st.reset();
        st.bind(1, slug).bind(2, visible_at.time_since_epoch().count());
        if (st.step()) out.emplace_back(slug, st.int64(0));
      }
      return out;
    });
  }

  // --- Notification mail ---

  void set_show_supporter(int64_t account, bool on) override {
    writer_.run([&](Db& db) {
      db.prepare("UPDATE accounts SET show_supporter = ?2 WHERE id = ?1").bind(1, account).bind(2, int64_t{on ? 1 : 0}).run();
      if (db.changes() == 0) throw Error(ErrorKind::not_found, "not_found", "The account was not found.");
      db.prepare("UPDATE counters SET value = value + 1 WHERE name = 'content_version'").run();
    });
  }

  void set_digest(int64_t account, const std::string& mode) override {
    writer_.run([&](Db& db) {
      db.prepare("UPDATE accounts SET digest = ?2 WHERE id = ?1").bind(1, account).bind(2, mode).run();
      if (db.changes() == 0) throw Error(ErrorKind::not_found, "not_found", "The account was not found.");
    });
  }

  std::vector<DueDigest> due_digests(TimePoint now, int limit) override {
    return readers_.with([&](Db& db) {
      std::vector<DueDigest> out;
      auto& st = db.prepare(std::string("SELECT ") + kAccountColumnsA +
                            ", a.digest_cursor FROM accounts a WHERE a.digest <> 'off' AND a.email_verified_at IS NOT "
                            "NULL AND (a.digest = 'immediate' OR a.digest_sent_at <= ?1 - 86400) AND EXISTS (SELECT 1 "
                            "FROM notifications n WHERE n.account_id = a.id AND n.id > a.digest_cursor AND n.read_at "
                            "IS NULL) ORDER BY a.id LIMIT ?2");
      st.bind(1, now.time_since_epoch().count()).bind(2, static_cast<int64_t>(limit));
      while (st.step()) {
        DueDigest d;
        d.account = read_account(st, 0);
        d.cursor = st.int64(kAccountWidth);
        out.push_back(std::move(d));
      }
      st.reset();
      auto& items = db.prepare(std::string("SELECT ") + kNotificationColumns + kNotificationFrom +
                               "WHERE n.account_id = ?1 AND n.id > ?2 AND n.read_at IS NULL AND " + kNotificationVisible +
                               " ORDER BY n.id LIMIT 21");
      auto& last = db.prepare("SELECT max(id), coalesce(sum(read_at IS NULL), 0) FROM notifications WHERE account_id = ?1 AND id > ?2");
      for (auto& d : out) {
        items.reset();
        items.bind(1, d.account.id).bind(2, d.cursor);
        while (items.step()) d.items.push_back(read_notification(items));
        last.reset();
        last.bind(1, d.account.id).bind(2, d.cursor);
        if (last.step()) {
          d.up_to = last.int64(0);
          d.more = std::max<int64_t>(0, last.int64(1) - std::min<int64_t>(20, static_cast<int64_t>(d.items.size())));
        }
        if (d.items.size() > 20) d.items.pop_back();
      }
      return out;
    });
  }

  bool record_digest(int64_t account, int64_t expected, int64_t up_to, TimePoint now,
                     const std::optional<OutboxMail>& mail) override {
    bool moved = false;
    writer_.run([&](Db& db) {
      int64_t at = now.time_since_epoch().count();
      db.prepare("UPDATE accounts SET digest_cursor = ?3, digest_sent_at = CASE WHEN ?4 THEN ?5 ELSE digest_sent_at "
                 "END WHERE id = ?1 AND digest_cursor = ?2")
          .bind(1, account).bind(2, expected).bind(3, up_to).bind(4, int64_t{mail ? 1 : 0}).bind(5, at).run();
      moved = db.changes() > 0;
      if (moved && mail) insert_mail(db, *mail, at);
    });
    return moved;
  }

  // --- Moderation ---

  std::vector<QueueItem> moderation_queue(const QueueQuery& q) override {
    return readers_.with([&](Db& db) {
      std::vector<QueueItem> out;
      bool decided = q.view == "decided";
      std::string sql = std::string("SELECT ") + kCommentColumns +
                        ", (SELECT count(*) FROM comment_reports r WHERE r.comment_id = c.id AND r.resolved_at IS NULL), "
                        "(SELECT group_concat(DISTINCT r.reason) FROM comment_reports r WHERE r.comment_id = c.id AND "
                        "r.resolved_at IS NULL), c.moderation_rule, c.moderation_reason, coalesce(ac.role, '')";
      if (decided) {
        sql += ", l.id, l.action, l.actor_name, l.reason, l.created_at" + std::string(kCommentFrom) +
               "JOIN moderation_log l ON l.comment_id = c.id WHERE l.action IN ('approve', 'reject', 'hide') AND "
               "(?1 = 0 OR l.id < ?1)";
      } else {
        std::string held = "SELECT id FROM comments WHERE status = 'pending' AND id > ?1";
        std::string reported = "SELECT comment_id FROM comment_reports WHERE resolved_at IS NULL AND comment_id > ?1";
        sql += std::string(kCommentFrom) + "WHERE c.id IN (" +
               (q.view == "held" ? held : q.view == "reported" ? reported : held + " UNION " + reported) +
               ") AND c.status IN ('pending', 'published')";
      }
      if (q.article_id) sql += " AND c.article_id = ?3";
      if (!q.rule.empty()) sql += " AND c.moderation_rule = ?4";
      if (q.author_id) sql += " AND c.author_id = ?5";
      sql += decided ? " ORDER BY l.id DESC LIMIT ?2" : " ORDER BY c.id LIMIT ?2";
      auto& st = db.prepare(sql);
      st.bind(1, q.after).bind(2, static_cast<int64_t>(q.limit));
      if (q.article_id) st.bind(3, *q.article_id);
      if (!q.rule.empty()) st.bind(4, q.rule);
      if (q.author_id) st.bind(5, *q.author_id);
      while (st.step()) {
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
      if (delta != 0) {
        db.prepare("UPDATE articles SET comment_count = comment_count + ?2 WHERE id = ?1").bind(1, article).bind(2, delta).run();
        if (parent)
          db.prepare("UPDATE comments SET reply_count = reply_count + ?2 WHERE id = ?1").bind(1, *parent).bind(2, delta).run();
      }
      int64_t now = now_seconds().time_since_epoch().count();
      if (status == "pending" && next == "published") out.notified = notify_published(db, comment_id, now);
      // The author hears about a held comment going up, and about any comment coming down.
      std::string notice = next == "published" ? (status == "pending" ? "approved" : "") :
                           (status == "published" || status == "pending") ? next : "";
      if (!notice.empty() && notify_author) {
        // One notice per comment and reader: the latest decision replaces an earlier one.
        db.prepare("DELETE FROM notifications WHERE comment_id = ?1 AND account_id = (SELECT author_id FROM comments "
                   "WHERE id = ?1)").bind(1, comment_id).run();
        auto& n = db.prepare(
            "INSERT INTO notifications (account_id, kind, comment_id, detail, created_at) SELECT author_id, "
            "'moderation', id, ?2, ?3 FROM comments WHERE id = ?1 AND author_id IS NOT NULL RETURNING account_id");
        n.bind(1, comment_id).bind(2, notice).bind(3, now);
        while (n.step()) out.notified.push_back(Recipient{n.int64(0), "moderation"});
      }
      db.prepare("UPDATE comment_reports SET resolved_at = ?2 WHERE comment_id = ?1 AND resolved_at IS NULL")
          .bind(1, comment_id).bind(2, now).run();
      log_act(db, moderator_id, decision, comment_id, author, reason, now);
    });
    out.comment = *find_comment(comment_id);
    return out;
  }

  void set_ban(int64_t account_id, int64_t moderator_id, std::optional<TimePoint> until, const std::string& reason) override {
    writer_.run([&](Db& db) {
      auto& up = db.prepare("UPDATE accounts SET banned_until = ?2, ban_reason = ?3 WHERE id = ?1");
      up.bind(1, account_id);
      if (until) up.bind(2, until->time_since_epoch().count());
      else up.bind(2, nullptr);
      up.bind(3, reason).run();
      if (db.changes() == 0) throw Error(ErrorKind::not_found, "not_found", "The account was not found.");
      log_act(db, moderator_id, until ? "ban" : "unban", std::nullopt, account_id, reason,
              now_seconds().time_since_epoch().count());
    });
  }

  void sanction(int64_t account_id, int64_t moderator_id, const std::string& action, const std::string& reason) override {
    writer_.run([&](Db& db) {
      auto exists = [](Statement& st) {
        bool row = st.step();
        st.reset();  // a finished write statement, so that the commit finds none in progress
        return row;
      };
      bool found;
      if (action == "warn") {
        found = exists(db.prepare("UPDATE accounts SET warning = ?2 WHERE id = ?1 RETURNING 1").bind(1, account_id).bind(2, reason));
      } else if (action == "premoderate" || action == "release") {
        found = exists(db.prepare("UPDATE accounts SET premoderated = ?2 WHERE id = ?1 RETURNING 1")
                           .bind(1, account_id).bind(2, int64_t{action == "premoderate"}));
      } else {
        found = exists(db.prepare("SELECT 1 FROM accounts WHERE id = ?1").bind(1, account_id));
      }
      if (!found) throw Error(ErrorKind::not_found, "not_found", "The account was not found.");
      log_act(db, moderator_id, action, std::nullopt, account_id, reason, now_seconds().time_since_epoch().count());
    });
  }

  bool acknowledge_warning(int64_t account_id) override {
    bool had = false;
    writer_.run([&](Db& db) {
      auto& st = db.prepare("UPDATE accounts SET warning = '' WHERE id = ?1 AND warning <> '' RETURNING 1");
      st.bind(1, account_id);
      had = st.step();
      st.reset();
      if (had) log_act(db, account_id, "acknowledge_warning", std::nullopt, account_id, "", now_seconds().time_since_epoch().count());
    });
    return had;
  }

  void audit(std::optional<int64_t> actor_id, const std::string& action, std::optional<int64_t> account_id,
             const std::string& detail) override {
    writer_.run([&](Db& db) {
      log_act(db, actor_id.value_or(0), action, std::nullopt, account_id, detail, now_seconds().time_since_epoch().count());
    });
  }

  std::vector<LogEntry> audit_log(const LogQuery& q) override {
    return readers_.with([&](Db& db) {
      std::string sql = "SELECT id, actor_id, actor_name, action, comment_id, account_id, reason, created_at FROM "
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
    return readers_.with([&](Db& db) {
      auto& st = db.prepare("SELECT l.id, l.action <> 'approve', c.body_markdown FROM moderation_log l JOIN comments c ON "
                            "c.id = l.comment_id WHERE l.id > ?1 AND l.action IN ('approve', 'reject', 'hide') ORDER BY "
                            "l.id LIMIT ?2");
      st.bind(1, after_id).bind(2, static_cast<int64_t>(limit));
      std::vector<TrainingExample> out;
      while (st.step()) out.push_back(TrainingExample{st.int64(0), st.int64(1) != 0, st.text(2)});
      return out;
    });
  }

  void save_model(const std::string& name, const std::string& blob) override {
    writer_.run([&](Db& db) {
      db.prepare("INSERT INTO models (name, blob, saved_at) VALUES (?1, ?2, ?3) ON CONFLICT (name) DO UPDATE SET "
                 "blob = excluded.blob, saved_at = excluded.saved_at")
          .bind(1, name).bind_blob(2, blob).bind(3, now_seconds().time_since_epoch().count()).run();
    });
  }

  std::optional<std::string> load_model(const std::string& name) override {
    return readers_.with([&](Db& db) -> std::optional<std::string> {
      auto& st = db.prepare("SELECT blob FROM models WHERE name = ?1");
      st.bind(1, name);
      if (!st.step()) return std::nullopt;
      return st.text(0);
    });
  }

  // --- Contributions ---

  static constexpr const char* kContributionColumns =
      "id, amount_minor, currency, interval, status, article_id, referrer, account_id, email, "
      "coalesce(checkout_session_id, ''), coalesce(subscription_id, ''), created_at";

  static Contribution read_contribution(Statement& st) {
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

  static std::optional<Contribution> contribution_where(Db& db, const std::string& where, const std::string& key) {
    auto& st = db.prepare(std::string("SELECT ") + kContributionColumns + " FROM contributions WHERE " + where + " = ?1");
    st.bind(1, key);
    if (!st.step()) return std::nullopt;
    auto c = read_contribution(st);
    st.reset();
    return c;
  }

  Contribution create_contribution(const NewContribution& c) override {
    int64_t id = 0;
    writer_.run([&](Db& db) {
      auto& st = db.prepare(
          "INSERT INTO contributions (amount_minor, currency, interval, article_id, referrer, account_id, email, "
          "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
      st.bind(1, c.amount_minor).bind(2, c.currency).bind(3, c.interval).bind_optional_int(4, c.article_id)
          .bind(5, c.referrer).bind_optional_int(6, c.account_id).bind(7, c.email)
          .bind(8, c.created_at.time_since_epoch().count()).run();
      id = db.last_insert_id();
    });
    return *find_contribution(id);
  }

  void set_checkout_session(int64_t id, const std::string& session_id) override {
    writer_.run([&](Db& db) {
      db.prepare("UPDATE contributions SET checkout_session_id = ?2 WHERE id = ?1").bind(1, id).bind(2, session_id).run();
    });
  }

  std::optional<Contribution> find_contribution(int64_t id) override {
    return readers_.with([&](Db& db) -> std::optional<Contribution> {
      auto& st = db.prepare(std::string("SELECT ") + kContributionColumns + " FROM contributions WHERE id = ?1");
      st.bind(1, id);
      if (!st.step()) return std::nullopt;
      return read_contribution(st);
    });
  }

  EventOutcome apply_payment_event(const PaymentEvent& e,
                                   const std::function<std::optional<OutboxMail>(const Contribution&)>& thank_you) override {
    EventOutcome outcome = EventOutcome::applied;
    writer_.run([&](Db& db) {
      int64_t now = now_seconds().time_since_epoch().count();
      auto& seen = db.prepare("SELECT processed_at IS NOT NULL FROM stripe_events WHERE id = ?1");
      seen.bind(1, e.event_id);
      bool known = seen.step();
      bool processed = known && seen.int64(0) != 0;
      seen.reset();
      if (processed) {
        outcome = EventOutcome::duplicate;
        return;
      }
      if (!known)
        db.prepare("INSERT INTO stripe_events (id, type, created, payload, received_at) VALUES (?1, ?2, ?3, ?4, ?5)")
            .bind(1, e.event_id).bind(2, e.type).bind(3, e.created).bind(4, e.payload).bind(5, now).run();
      std::optional<Contribution> c;
      if (e.contribution_id) c = contribution_where(db, "id", std::to_string(*e.contribution_id));
      if (!c && !e.session_id.empty()) c = contribution_where(db, "checkout_session_id", e.session_id);
      if (!c && !e.subscription_id.empty()) c = contribution_where(db, "subscription_id", e.subscription_id);
      if (!c && !e.payment_intent_id.empty()) c = contribution_where(db, "payment_intent_id", e.payment_intent_id);
      if (!c && !e.invoice_id.empty()) {
        auto& paid = db.prepare("SELECT contribution_id FROM contribution_payments WHERE stripe_object_id = ?1");
        paid.bind(1, e.invoice_id);
        if (paid.step()) {
          auto contribution = std::to_string(paid.int64(0));
          paid.reset();
          c = contribution_where(db, "id", contribution);
        }
      }
      // Found by metadata, it must not contradict the ids Tribune already knows for it.
      if (c && !e.subscription_id.empty() && !c->subscription_id.empty() && c->subscription_id != e.subscription_id)
        c.reset();
      if (!c) {
        outcome = EventOutcome::unmatched;  // kept, processed_at NULL: a later event or retry applies it
        return;
      }
      db.prepare(
            "UPDATE contributions SET checkout_session_id = coalesce(checkout_session_id, nullif(?2, '')), "
            "subscription_id = coalesce(subscription_id, nullif(?3, '')), payment_intent_id = "
            "coalesce(payment_intent_id, nullif(?4, '')), customer_id = CASE WHEN customer_id = '' THEN ?5 ELSE "
            "customer_id END, email = CASE WHEN email = '' THEN ?6 ELSE email END WHERE id = ?1")
          .bind(1, c->id).bind(2, e.learn_session_id).bind(3, e.learn_subscription_id).bind(4, e.learn_payment_intent_id)
          .bind(5, e.learn_customer_id).bind(6, e.learn_email).run();
      // Forward in event time only; at the same second, an ending (canceled, refunded, failed) wins over a
      // beginning, so the order of delivery cannot decide.
      if (e.status)
        db.prepare("UPDATE contributions SET status = ?2, status_at = ?3 WHERE id = ?1 AND (status_at < ?3 OR "
                   "(status_at = ?3 AND (CASE ?2 WHEN 'canceled' THEN 3 WHEN 'refunded' THEN 3 WHEN 'failed' THEN 3 "
                   "WHEN 'past_due' THEN 2 ELSE 1 END) >= (CASE status WHEN 'canceled' THEN 3 WHEN 'refunded' THEN 3 "
                   "WHEN 'failed' THEN 3 WHEN 'past_due' THEN 2 ELSE 1 END)))")
            .bind(1, c->id).bind(2, *e.status).bind(3, e.created).run();
      if (e.payment)
        db.prepare(
              "INSERT INTO contribution_payments (contribution_id, stripe_object_id, amount_minor, currency, created_at) "
              "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (stripe_object_id) DO UPDATE SET amount_minor = "
              "min(amount_minor, excluded.amount_minor), created_at = max(created_at, excluded.created_at)")
            .bind(1, c->id).bind(2, e.payment->object_id).bind(3, e.payment->amount_minor).bind(4, e.payment->currency)
            .bind(5, e.created).run();
      if (e.money_arrived)
        db.prepare("UPDATE accounts SET supporter_since = coalesce(supporter_since, ?2) WHERE id = (SELECT account_id "
                   "FROM contributions WHERE id = ?1)").bind(1, c->id).bind(2, now).run();
      if (e.money_arrived) {
        db.prepare("UPDATE contributions SET thanked_at = ?2 WHERE id = ?1 AND thanked_at IS NULL").bind(1, c->id).bind(2, now).run();
        if (db.changes() > 0) {
          auto fresh = contribution_where(db, "id", std::to_string(c->id));
          if (auto mail = thank_you(*fresh); mail && !mail->to.empty()) insert_mail(db, *mail, now);
        }
      }
      db.prepare("UPDATE stripe_events SET processed_at = ?2 WHERE id = ?1").bind(1, e.event_id).bind(2, now).run();
    });
    return outcome;
  }

  std::vector<std::pair<std::string, std::string>> unmatched_payment_events(int limit) override {
    return readers_.with([&](Db& db) {
      std::vector<std::pair<std::string, std::string>> out;
      // Recent ones only, newest first: an event that has matched nothing for three days never will, and
      // must not crowd out the ones that still can.
      auto& st = db.prepare("SELECT id, payload FROM stripe_events WHERE processed_at IS NULL AND received_at >= ?2 "
                            "ORDER BY received_at DESC LIMIT ?1");
      st.bind(1, static_cast<int64_t>(limit)).bind(2, now_seconds().time_since_epoch().count() - 3 * 86400);
      while (st.step()) out.emplace_back(st.text(0), st.text(1));
      return out;
    });
  }

  ContributionReport contribution_report(const std::string& currency, TimePoint until, int days) override {
    return readers_.with([&](Db& db) {
      ContributionReport r;
      r.currency = currency;
      int64_t end = until.time_since_epoch().count() / 86400 * 86400 + 86400;  // the end of until's UTC day
      int64_t start = end - int64_t{days} * 86400;
      std::map<int64_t, ContributionReport::Day> by_day;
      for (int64_t d = start; d < end; d += 86400) by_day[d].date = format_rfc3339(TimePoint(std::chrono::seconds(d))).substr(0, 10);
      auto& st = db.prepare(
          "SELECT p.created_at / 86400 * 86400, c.interval, sum(p.amount_minor) FROM contribution_payments p JOIN "
          "contributions c ON c.id = p.contribution_id WHERE p.currency = ?1 AND p.created_at >= ?2 AND p.created_at < "
          "?3 GROUP BY 1, 2");
      st.bind(1, currency).bind(2, start).bind(3, end);
      while (st.step()) {
        auto& day = by_day[st.int64(0)];
        (st.text(1) == "month" ? day.monthly_minor : day.once_minor) += st.int64(2);
      }
      for (auto& [d, day] : by_day) r.days.push_back(day);
      auto& totals = db.prepare(
          "SELECT c.interval, sum(CASE WHEN p.amount_minor > 0 THEN p.amount_minor ELSE 0 END), sum(CASE WHEN "
          "p.amount_minor < 0 THEN -p.amount_minor ELSE 0 END), count(DISTINCT c.id) FROM contribution_payments p "
          "JOIN contributions c ON c.id = p.contribution_id WHERE p.currency = ?1 AND p.created_at >= ?2 AND "
          "p.created_at < ?3 GROUP BY 1");
      totals.bind(1, currency).bind(2, start).bind(3, end);
      while (totals.step()) {
        bool monthly = totals.text(0) == "month";
        (monthly ? r.monthly_minor : r.once_minor) += totals.int64(1);
        (monthly ? r.monthly_count : r.once_count) += totals.int64(3);
        r.refunded_minor += totals.int64(2);
      }
      auto& articles = db.prepare(
          "SELECT coalesce(a.slug, ''), coalesce(a.title, 'No article (the support page)'), count(DISTINCT c.id), "
          "sum(p.amount_minor) FROM contribution_payments p JOIN contributions c ON c.id = p.contribution_id LEFT "
          "JOIN articles a ON a.id = c.article_id WHERE p.currency = ?1 AND p.created_at >= ?2 AND p.created_at < ?3 "
          "GROUP BY c.article_id ORDER BY 4 DESC LIMIT 50");
      articles.bind(1, currency).bind(2, start).bind(3, end);
      while (articles.step())
        r.articles.push_back({articles.text(0), articles.text(1), articles.int64(2), articles.int64(3)});
      auto& active = db.prepare("SELECT count(*) FROM contributions WHERE interval = 'month' AND status = 'active' AND "
                                "currency = ?1");
      active.bind(1, currency);
      if (active.step()) r.active_monthly = active.int64(0);
      return r;
    });
  }

  std::vector<Contribution> list_contributions(int64_t after_id, int limit) override {
    return readers_.with([&](Db& db) {
      std::vector<Contribution> out;
      auto& st = db.prepare(std::string("SELECT ") + kContributionColumns +
                            " FROM contributions WHERE id > ?1 ORDER BY id LIMIT ?2");
      st.bind(1, after_id).bind(2, static_cast<int64_t>(limit));
      while (st.step()) out.push_back(read_contribution(st));
      return out;
    });
  }

  void bump_counter(const std::string& name) override {
    writer_.run([&](Db& db) {
      db.prepare("INSERT INTO counters (name, value) VALUES (?1, 1) ON CONFLICT (name) DO UPDATE SET value = value + 1")
          .bind(1, name).run();
    });
  }

  std::string integrity_check() override {
    return readers_.with([](Db& db) {
      auto& st = db.prepare("PRAGMA integrity_check");
      return st.step() ? st.text(0) : std::string("no answer");
    });
  }

  StoreStats stats() override {
    StoreStats s;
    s.articles = count_articles();
    s.group_commits = writer_.commits();
    s.grouped_writes = writer_.grouped();
    return s;
  }

 private:
  std::string path_;
  GroupCommitWriter writer_;
  ReaderPool readers_;
};

}  // namespace

std::unique_ptr<Store> open_sqlite_store(const SqliteOptions& options) {
  auto store = std::make_unique<SqliteStore>(options);
  return store;
}

}  // namespace tribune

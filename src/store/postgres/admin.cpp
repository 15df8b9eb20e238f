#include "store/postgres/engine.h"
#include "store/postgres/migrations.h"

namespace tribune::postgres {

// Each step is one transaction that first takes the migration lock and then re-reads the applied steps.
void PostgresStore::migrate() {
  for (const auto& m : postgres::migrations()) {
    db_.transact([&](Connection& c) {
      c.query("SELECT pg_advisory_xact_lock($1)", {kMigrationLock});
      c.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)");
      if (!c.query("SELECT 1 FROM schema_migrations WHERE version = $1", {m.version}).empty()) return;
      c.exec(m.sql);
      if (m.version == 23) backfill_tags(c);
      if (m.version == 27) index_for_search(c, "true");
      c.query("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)", {m.version, secs(now_seconds())});
    });
  }
  // The search index is derived data, left out of backups and store copies: what is missing is indexed.
  db_.transact([](Connection& c) {
    index_for_search(c, "NOT EXISTS (SELECT 1 FROM article_search x WHERE x.article_id = a.id)", std::nullopt, false);
  });
}

int PostgresStore::schema_version() {
  return db_.read([](Connection& c) { return applied_version(c); });
}

void PostgresStore::bump_counter(const std::string& name) {
  write([&](Connection& db) {
    db.query(
        "INSERT INTO counters (name, value) VALUES ($1, 1) ON CONFLICT (name) DO UPDATE SET value = counters.value + 1",
        {name});
  });
}

// PostgreSQL checks its own pages (checksums, WAL) and has no cheap whole-database check like SQLite's
// PRAGMA integrity_check. What this checks instead is what the engine itself could get wrong: the schema is
// at the newest step, the content_version row exists, and the denormalized counts (comments per article,
// replies per comment) agree with the comments. It scans the comments table: an admin operation.
std::string PostgresStore::integrity_check() {
  return db_.read([](Connection& db) -> std::string {
    int newest = postgres::migrations().back().version;
    if (int v = applied_version(db); v != newest)
      return "schema version " + std::to_string(v) + ", expected " + std::to_string(newest);
    if (db.query("SELECT 1 FROM counters WHERE name = 'content_version'").empty()) return "content_version row missing";
    auto a = db.query(
        "SELECT a.slug, a.comment_count, count(c.id) FROM articles a LEFT JOIN comments c ON "
        "c.article_id = a.id AND c.status = 'published' GROUP BY a.id HAVING a.comment_count <> "
        "count(c.id) LIMIT 1");
    if (!a.empty())
      return "article " + a.front().text(0) + " counts " + a.front().text(1) + " comments, has " + a.front().text(2);
    auto c = db.query(
        "SELECT p.id, p.reply_count, count(r.id) FROM comments p LEFT JOIN comments r ON r.parent_id = "
        "p.id AND r.status = 'published' GROUP BY p.id HAVING p.reply_count <> count(r.id) LIMIT 1");
    if (!c.empty())
      return "comment " + c.front().text(0) + " counts " + c.front().text(1) + " replies, has " + c.front().text(2);
    return "ok";
  });
}

StoreStats PostgresStore::stats() {
  StoreStats s;
  s.articles = count_articles();
  s.group_commits = writes_.load() + comment_writer_.commits();
  s.grouped_writes = writes_.load() + comment_writer_.grouped();
  s.merged_writes = comment_writer_.merged();
  s.sessions_cached = sessions_.hits();
  if (auto* replica = db_.replica()) {
    s.replica = true;
    s.replica_reads = static_cast<int64_t>(replica->served());
    s.replica_behind = static_cast<int64_t>(replica->behind());
    s.replica_failures = static_cast<int64_t>(replica->failures());
  }
  return s;
}

}  // namespace tribune::postgres

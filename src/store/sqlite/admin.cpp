#include "store/sqlite/engine.h"
#include "store/sqlite/migrations.h"

namespace tribune::sqlite {

void SqliteStore::migrate() {
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
        if (m.version == 23) backfill_tags(db);
        if (m.version == 27) index_for_search(db, "1");
        db.exec("PRAGMA user_version = " + std::to_string(m.version));
        db.exec("COMMIT");
      } catch (...) {
        db.exec("ROLLBACK");
        throw;
      }
    }
    // The search index is derived data, left out of backups and store copies: what is missing is indexed.
    db.exec("BEGIN IMMEDIATE");
    try {
      index_for_search(db, "a.id NOT IN (SELECT rowid FROM article_search)");
      db.exec("COMMIT");
    } catch (...) {
      db.exec("ROLLBACK");
      throw;
    }
  });
}

int SqliteStore::schema_version() {
  return readers_.with([](Db& db) {
    auto& v = db.prepare("PRAGMA user_version");
    return v.step() ? static_cast<int>(v.int64(0)) : 0;
  });
}

void SqliteStore::bump_counter(const std::string& name) {
  writer_.run([&](Db& db) {
    db.prepare("INSERT INTO counters (name, value) VALUES (?1, 1) ON CONFLICT (name) DO UPDATE SET value = value + 1")
        .bind(1, name)
        .run();
  });
}

std::string SqliteStore::integrity_check() {
  return readers_.with([](Db& db) {
    auto& st = db.prepare("PRAGMA integrity_check");
    return st.step() ? st.text(0) : std::string("no answer");
  });
}

StoreStats SqliteStore::stats() {
  StoreStats s;
  s.articles = count_articles();
  s.group_commits = writer_.commits();
  s.grouped_writes = writer_.grouped();
  s.checkpoints = writer_.checkpoints();
  s.sessions_cached = sessions_.hits();
  return s;
}

}  // namespace tribune::sqlite

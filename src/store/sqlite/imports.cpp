#include "store/sqlite/engine.h"

namespace tribune::sqlite {

namespace {

std::optional<int64_t> imported_in(Db& db, const std::string& source, const char* kind, const std::string& key) {
  auto& st = db.prepare("SELECT local_id FROM import_keys WHERE source = ?1 AND kind = ?2 AND key = ?3");
  st.bind(1, source).bind(2, kind).bind(3, key);
  if (!st.step()) return std::nullopt;
  return st.int64(0);
}

// The account a source's reader became, if it still exists.
std::optional<int64_t> reader_in(Db& db, const std::string& source, const std::string& key) {
  auto& st = db.prepare(
      "SELECT a.id FROM import_keys k JOIN accounts a ON a.id = k.local_id WHERE k.source = ?1 AND "
      "k.kind = 'reader' AND k.key = ?2");
  st.bind(1, source).bind(2, key);
  if (!st.step()) return std::nullopt;
  return st.int64(0);
}

void record_in(Db& db, const std::string& source, const char* kind, const std::string& key, int64_t id) {
  db.prepare("INSERT OR IGNORE INTO import_keys (source, kind, key, local_id) VALUES (?1, ?2, ?3, ?4)")
      .bind(1, source)
      .bind(2, kind)
      .bind(3, key)
      .bind(4, id)
      .run();
}

}  // namespace

std::optional<int64_t> SqliteStore::imported_id(const std::string& source, const std::string& kind,
                                                const std::string& key) {
  return readers_.with([&](Db& db) { return imported_in(db, source, kind.c_str(), key); });
}

void SqliteStore::record_imported(const std::string& source, const std::string& kind, const std::string& key,
                                  int64_t id) {
  writer_.run([&](Db& db) { record_in(db, source, kind.c_str(), key, id); });
}

ImportBatchResult SqliteStore::import_batch(const ImportBatch& b) {
  ImportBatchResult out;
  // A transaction of its own, not a job among the group commit's: a job runs in a savepoint, whose journal
  // keeps the first copy of every page the job changes, and a batch of a thousand comments changes pages all
  // over the comment indexes. Here only each statement journals, and only for its own pages.
  // And with more page cache than SQLite's 2 MiB, which such a batch overruns: pages would be read back from
  // the WAL again and again; statement journals in memory, not files in /var/tmp. (Only the process that
  // imports asks for either.)
  writer_.run_exclusive([&](Db& db) {
    db.exec("PRAGMA cache_size = -65536");
    db.exec("PRAGMA temp_store = MEMORY");
    db.exec("BEGIN IMMEDIATE");
    try {
      write_batch(db, b, out);
      db.exec("COMMIT");
    } catch (...) {
      db.reset_active_statements();
      db.exec("ROLLBACK");
      throw;
    }
  });
  return out;
}

void SqliteStore::write_batch(Db& db, const ImportBatch& b, ImportBatchResult& out) {
  {
    for (const auto& r : b.readers) {
      if (reader_in(db, b.source, r.key)) continue;
      // An account deleted since it was imported: the key goes, and the reader is made again.
      db.prepare("DELETE FROM import_keys WHERE source = ?1 AND kind = 'reader' AND key = ?2")
          .bind(1, b.source)
          .bind(2, r.key)
          .run();
      // A reader's address: that reader. Never a staff account: an address typed into another system's
      // comment form proves nothing.
      auto& existing = db.prepare("SELECT id FROM accounts WHERE email_normalized = ?1 AND role = 'reader'");
      existing.bind(1, r.email_normalized);
      int64_t id = 0;
      if (existing.step()) {
        id = existing.int64(0);
        ++out.readers_matched;
      } else {
        bool taken = false;  // by a staff account: this reader gets an address-less account of their own
        auto& staff = db.prepare("SELECT 1 FROM accounts WHERE email_normalized = ?1");
        taken = staff.bind(1, r.email_normalized).step();
        staff.reset();
        std::string normalized = taken ? "imported:" + b.source + ":" + r.key : r.email_normalized;
        db.prepare(
              "INSERT INTO accounts (email, email_normalized, display_name, name_key, name_key_cased, "
              "password_hash, role, created_at, handle) VALUES (?1, ?2, ?3, ?4, ?5, '', 'reader', ?6, ?7)")
            .bind(1, taken ? std::string() : r.email)
            .bind(2, normalized)
            .bind(3, r.display_name)
            .bind(4, r.name_keys[0])
            .bind(5, r.name_keys[1])
            .bind(6, secs(r.created_at))
            .bind(7, r.handle)
            .run();
        id = db.last_insert_id();
        ++out.readers_created;
      }
      record_in(db, b.source, "reader", r.key, id);
    }
    for (const auto& c : b.comments) {
      if (imported_in(db, b.source, "comment", c.key)) {
        ++out.comments_existing;
        continue;
      }
      std::optional<int64_t> parent;
      int64_t root = 0, depth = 0;
      if (!c.parent_key.empty()) {
        parent = imported_in(db, b.source, "comment", c.parent_key);
        if (!parent) {
          out.parent_missing.push_back(c.key);
          continue;
        }
        auto& p = db.prepare("SELECT root_id, depth, article_id FROM comments WHERE id = ?1");
        if (!p.bind(1, *parent).step()) {  // deleted here since: the reply starts its own thread
          parent.reset();
        } else if (p.int64(2) != c.article_id) {  // a parent on another thread: none to hang it under
          p.reset();
          out.parent_missing.push_back(c.key);
          continue;
        } else {
          root = p.int64(0);
          depth = p.int64(1) + 1;
        }
        p.reset();
      }
      auto author = c.author_key.empty() ? std::nullopt : reader_in(db, b.source, c.author_key);
      db.prepare(
            "INSERT INTO comments (article_id, parent_id, root_id, depth, author_id, body_markdown, body_html, "
            "status, created_at, body_hash, recommend_count) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)")
          .bind(1, c.article_id)
          .bind_optional_int(2, parent)
          .bind(3, root)
          .bind(4, depth)
          .bind_optional_int(5, author)
          .bind(6, c.body_markdown)
          .bind(7, c.body_html)
          .bind(8, to_string(c.status))
          .bind(9, secs(c.created_at))
          .bind(10, text_hash(c.body_markdown))
          .bind(11, c.likes)
          .run();
      int64_t id = db.last_insert_id();
      if (!parent) db.prepare("UPDATE comments SET root_id = id WHERE id = ?1").bind(1, id).run();
      if (c.status == CommentStatus::published) recount(db, Counted{c.article_id, parent}, 1);
      record_in(db, b.source, "comment", c.key, id);
      ++out.comments_created;
    }
    if (out.comments_created > 0) db.prepare(kBumpContentVersion).run();
  }
}

}  // namespace tribune::sqlite

#include "store/postgres/engine.h"

namespace tribune::postgres {

namespace {

std::optional<int64_t> imported_in(Connection& db, const std::string& source, const char* kind,
                                   const std::string& key) {
  auto r = db.query("SELECT local_id FROM import_keys WHERE source = $1 AND kind = $2 AND key = $3",
                    {source, std::string(kind), key});
  if (r.empty()) return std::nullopt;
  return r.front().int64(0);
}

// The account a source's reader became, if it still exists.
std::optional<int64_t> reader_in(Connection& db, const std::string& source, const std::string& key) {
  auto r = db.query(
      "SELECT a.id FROM import_keys k JOIN accounts a ON a.id = k.local_id WHERE k.source = $1 AND "
      "k.kind = 'reader' AND k.key = $2",
      {source, key});
  if (r.empty()) return std::nullopt;
  return r.front().int64(0);
}

void record_in(Connection& db, const std::string& source, const char* kind, const std::string& key, int64_t id) {
  db.query("INSERT INTO import_keys (source, kind, key, local_id) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
           {source, std::string(kind), key, id});
}

}  // namespace

std::optional<int64_t> PostgresStore::imported_id(const std::string& source, const std::string& kind,
                                                  const std::string& key) {
  return db_.read([&](Connection& db) { return imported_in(db, source, kind.c_str(), key); });
}

void PostgresStore::record_imported(const std::string& source, const std::string& kind, const std::string& key,
                                    int64_t id) {
  write([&](Connection& db) { record_in(db, source, kind.c_str(), key, id); });
}

ImportBatchResult PostgresStore::import_batch(const ImportBatch& b) {
  return write([&](Connection& db) {
    ImportBatchResult out;
    // One import at a time: two runs of the same file would otherwise both find a key missing.
    db.query("SELECT pg_advisory_xact_lock(hashtext('tribune import ' || $1))", {b.source});
    for (const auto& r : b.readers) {
      if (reader_in(db, b.source, r.key)) continue;
      // An account deleted since it was imported: the key goes, and the reader is made again.
      db.query("DELETE FROM import_keys WHERE source = $1 AND kind = 'reader' AND key = $2", {b.source, r.key});
      // A reader's address: that reader. Never a staff account: an address typed into another system's
      // comment form proves nothing.
      auto existing =
          db.query("SELECT id FROM accounts WHERE email_normalized = $1 AND role = 'reader'", {r.email_normalized});
      int64_t id = 0;
      if (!existing.empty()) {
        id = existing.front().int64(0);
        ++out.readers_matched;
      } else {
        // Taken by a staff account: this reader gets an address-less account of their own.
        bool taken = !db.query("SELECT 1 FROM accounts WHERE email_normalized = $1", {r.email_normalized}).empty();
        std::string normalized = taken ? "imported:" + b.source + ":" + r.key : r.email_normalized;
        id = db.query(
                   "INSERT INTO accounts (email, email_normalized, display_name, name_key, name_key_cased, "
                   "password_hash, role, created_at, handle) VALUES ($1, $2, $3, $4, $5, '', 'reader', $6, $7) "
                   "RETURNING id",
                   {taken ? std::string() : r.email, normalized, r.display_name, r.name_keys[0], r.name_keys[1],
                    secs(r.created_at), r.handle})
                 .front()
                 .int64(0);
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
      std::optional<int64_t> root;
      int64_t depth = 0;
      if (!c.parent_key.empty()) {
        parent = imported_in(db, b.source, "comment", c.parent_key);
        if (!parent) {
          out.parent_missing.push_back(c.key);
          continue;
        }
        auto p = db.query("SELECT root_id, depth, article_id FROM comments WHERE id = $1", {*parent});
        if (p.empty()) {  // deleted here since: the reply starts its own thread
          parent.reset();
        } else if (p.front().int64(2) != c.article_id) {  // a parent on another thread: none to hang it under
          out.parent_missing.push_back(c.key);
          continue;
        } else {
          root = p.front().int64(0);
          depth = p.front().int64(1) + 1;
        }
      }
      auto author = c.author_key.empty() ? std::nullopt : reader_in(db, b.source, c.author_key);
      int64_t id = db.query(
                         "WITH next AS (SELECT nextval(pg_get_serial_sequence('comments', 'id')) AS id) "
                         "INSERT INTO comments (id, article_id, parent_id, root_id, depth, author_id, body_markdown, "
                         "body_html, status, created_at, body_hash, recommend_count) "
                         "SELECT next.id, $1, $2, coalesce($3, next.id), $4, $5, $6, $7, $8, $9, $10, $11 FROM next "
                         "RETURNING id",
                         {c.article_id, parent, root, depth, author, c.body_markdown, c.body_html, to_string(c.status),
                          secs(c.created_at), text_hash(c.body_markdown), c.likes})
                       .front()
                       .int64(0);
      if (c.status == CommentStatus::published) recount(db, c.article_id, parent, 1);
      record_in(db, b.source, "comment", c.key, id);
      ++out.comments_created;
    }
    if (out.comments_created > 0) db.query(kBumpContentVersion);
    return out;
  });
}

}  // namespace tribune::postgres

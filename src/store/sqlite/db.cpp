#include "store/sqlite/db.h"

#include <spdlog/spdlog.h>

#include <mutex>

#include "model/error.h"

namespace tribune::sqlite {

void throw_sqlite(sqlite3* db, int rc, std::string_view context) {
  std::string detail = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  int primary = rc & 0xFF;
  // Conflicts and outages reach clients: their messages name no table, column or file (the log does).
  if (primary == SQLITE_CONSTRAINT) {
    spdlog::warn("store conflict during {}: {}", context, detail);
    throw Error(ErrorKind::conflict, "conflict", "The change conflicts with existing data.");
  }
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
    throw Error(ErrorKind::unavailable, "store_busy", "The store is busy; try again.");
  if (primary == SQLITE_FULL || primary == SQLITE_IOERR || primary == SQLITE_CANTOPEN || primary == SQLITE_READONLY) {
    spdlog::error("the store cannot be written during {}: {}", context, detail);
    throw Error(ErrorKind::unavailable, "store_unavailable", "The store is unavailable; try again shortly.");
  }
  throw Error(ErrorKind::internal, "store_error", "store error during " + std::string(context) + ": " + detail);
}

Statement& Statement::bind(int index, int64_t v) {
  if (int rc = sqlite3_bind_int64(stmt_, index, v); rc != SQLITE_OK) throw_sqlite(sqlite3_db_handle(stmt_), rc, "bind");
  return *this;
}

Statement& Statement::bind(int index, std::string_view v) {
  if (int rc = sqlite3_bind_text64(stmt_, index, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8); rc != SQLITE_OK)
    throw_sqlite(sqlite3_db_handle(stmt_), rc, "bind");
  return *this;
}

Statement& Statement::bind_blob(int index, std::string_view v) {
  if (int rc = sqlite3_bind_blob64(stmt_, index, v.data(), v.size(), SQLITE_TRANSIENT); rc != SQLITE_OK)
    throw_sqlite(sqlite3_db_handle(stmt_), rc, "bind");
  return *this;
}

Statement& Statement::bind(int index, std::nullptr_t) {
  if (int rc = sqlite3_bind_null(stmt_, index); rc != SQLITE_OK) throw_sqlite(sqlite3_db_handle(stmt_), rc, "bind");
  return *this;
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  sqlite3_reset(stmt_);
  throw_sqlite(sqlite3_db_handle(stmt_), rc, "step");
}

void Statement::run() {
  while (step()) {
  }
}

std::string Statement::text(int col) const {
  const auto* p = sqlite3_column_text(stmt_, col);
  int n = sqlite3_column_bytes(stmt_, col);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(n)) : std::string();
}

namespace {

// Process-wide settings, made before SQLite's first use. Without memory statistics, which Tribune never reads,
// SQLite's every malloc and free skips a process-wide mutex that all connections' threads contend for
// (bench/post_comments.sh: 5% of the writer thread's time).
void configure_sqlite() {
  static std::once_flag once;
  std::call_once(once, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

}  // namespace

Db::Db(const std::string& path, bool read_only) {
  configure_sqlite();
  int flags = (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw Error(ErrorKind::unavailable, "store_unavailable", "cannot open " + path + ": " + msg);
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, 5000);
  exec("PRAGMA foreign_keys = ON");
}

Db::~Db() {
  cache_.clear();
  sqlite3_close_v2(db_);
}

void Db::exec(std::string_view sql) {
  std::string s(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
  if (err) sqlite3_free(err);
  if (rc != SQLITE_OK) throw_sqlite(db_, rc, "exec");
}

void Db::add_to_counter(const char* update, int64_t id, int64_t delta) {
  if (counting_) {
    job_counts_[{update, id}] += delta;
    return;
  }
  prepare(update).bind(1, id).bind(2, delta).run();
}

void Db::start_counting() {
  counting_ = true;
  job_counts_.clear();
  batch_counts_.clear();
}

void Db::keep_job_counts() {
  for (const auto& [key, delta] : job_counts_) batch_counts_[key] += delta;
  job_counts_.clear();
}

void Db::drop_job_counts() {
  job_counts_.clear();
}

void Db::run_counts() {
  counting_ = false;
  Counts counts;
  counts.swap(batch_counts_);
  job_counts_.clear();
  for (const auto& [key, delta] : counts)
    if (delta != 0) prepare(key.first).bind(1, key.second).bind(2, delta).run();
}

void Db::reset_active_statements() {
  for (sqlite3_stmt* s = sqlite3_next_stmt(db_, nullptr); s; s = sqlite3_next_stmt(db_, s))
    if (sqlite3_stmt_busy(s)) sqlite3_reset(s);
}

Statement& Db::prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) {
    it->second->reset();
    return *it->second;
  }
  sqlite3_stmt* stmt = nullptr;
  int rc =
      sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) throw_sqlite(db_, rc, "prepare");
  auto& slot = cache_[sql];
  slot = std::make_unique<Statement>(stmt);
  return *slot;
}

}  // namespace tribune::sqlite

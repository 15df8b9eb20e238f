// A thin RAII layer over the SQLite C API, private to the SQLite engine.
#pragma once

#include <sqlite3.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace tribune::sqlite {

class Statement {
 public:
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, int64_t v);
  Statement& bind(int index, std::string_view v);
  Statement& bind(int index, std::nullptr_t);
  Statement& bind_blob(int index, std::string_view v);
  Statement& bind_optional(int index, const std::optional<std::string>& v) {
    return v ? bind(index, *v) : bind(index, nullptr);
  }
  Statement& bind_optional_int(int index, const std::optional<int64_t>& v) {
    return v ? bind(index, *v) : bind(index, nullptr);
  }

  // Advances; true when a row is available. Throws Error on failure (conflict on constraint violations).
  bool step();
  // Runs to completion, discarding rows.
  void run();

  int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }
  std::string text(int col) const;
  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  bool boolean(int col) const { return sqlite3_column_int64(stmt_, col) != 0; }

  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  sqlite3_stmt* raw() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_;
};

// One connection with a cache of prepared statements. Not thread-safe: owned by one thread at a time.
class Db {
 public:
  Db(const std::string& path, bool read_only);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Executes one or more statements without results.
  void exec(std::string_view sql);
  // Returns the cached prepared statement for sql, reset and ready to bind.
  Statement& prepare(const std::string& sql);
  // Resets every statement left mid-result, ending the read snapshot it holds. Called when a connection is
  // handed back, so that no lease leaks a stale snapshot into the next.
  void reset_active_statements();
  int64_t last_insert_id() const { return sqlite3_last_insert_rowid(db_); }
  int changes() const { return sqlite3_changes(db_); }
  sqlite3* raw() const { return db_; }

  // Adds delta to a counter: `update` is an UPDATE with ?1 the row's id and ?2 what to add. Runs at once,
  // except inside the writer's group commit, which adds up each row's additions from the jobs that succeed and
  // runs them once, just before COMMIT: a busy article's row (its text in overflow pages, read and compared
  // whole by every UPDATE) is then written once per commit, not once per comment. So no job may read such a
  // counter; the readers see it committed with the rest.
  void add_to_counter(const char* update, int64_t id, int64_t delta);
  // The writer's side of that: start adding up (after BEGIN); a job's additions join the transaction's once it
  // is released, or are dropped with it; run them all and stop adding up (before COMMIT, or on failure).
  void start_counting();
  void keep_job_counts();
  void drop_job_counts();
  void run_counts();

 private:
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, std::unique_ptr<Statement>> cache_;
  using Counts = std::map<std::pair<const char*, int64_t>, int64_t>;  // (update, row id) -> sum
  bool counting_ = false;
  Counts job_counts_, batch_counts_;
};

// Throws the Error that matches an SQLite result code.
[[noreturn]] void throw_sqlite(sqlite3* db, int rc, std::string_view context);

}  // namespace tribune::sqlite

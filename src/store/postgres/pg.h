// A thin RAII layer over libpq, private to the PostgreSQL engine: connections with lazily prepared
// statements, results, a bounded pool, and transactions that retry on serialization failures.
#pragma once

#include <libpq-fe.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "domain/error.h"

namespace tribune::pg {

// An Error raised by the server or by libpq, with the SQLSTATE and (for constraint violations) the
// constraint's name so that callers can map a specific one to their own code.
class PgError : public Error {
 public:
  PgError(ErrorKind kind, std::string code, std::string message, std::string sqlstate, std::string constraint)
      : Error(kind, std::move(code), std::move(message)),
        sqlstate_(std::move(sqlstate)),
        constraint_(std::move(constraint)) {}
  const std::string& sqlstate() const noexcept { return sqlstate_; }
  const std::string& constraint() const noexcept { return constraint_; }
  // Serialization failure or deadlock: the whole transaction may be run again.
  bool retryable() const noexcept { return sqlstate_ == "40001" || sqlstate_ == "40P01"; }

 private:
  std::string sqlstate_;
  std::string constraint_;
};

// One statement parameter, sent in text format (bytes in binary format, for BYTEA).
class Param {
 public:
  Param(int v) : value_(std::to_string(v)) {}
  Param(long v) : value_(std::to_string(v)) {}
  Param(long long v) : value_(std::to_string(v)) {}
  Param(bool v) : value_(v ? "t" : "f") {}
  Param(const char* v) : value_(v) {}
  Param(std::string_view v) : value_(std::string(v)) {}
  Param(const std::string& v) : value_(v) {}
  Param(const std::optional<int64_t>& v) : value_(v ? std::optional<std::string>(std::to_string(*v)) : std::nullopt) {}
  static Param bytes(std::string_view v) {
    Param p{std::string(v)};
    p.binary_ = true;
    return p;
  }
  // A bigint[] literal, for `= ANY($n)`.
  static Param int64_array(const std::vector<int64_t>& values);

  const std::optional<std::string>& value() const { return value_; }
  bool binary() const { return binary_; }

 private:
  std::optional<std::string> value_;
  bool binary_ = false;
};

class Result;

// A row of a Result; it shares the result, so `auto row = db.query(...).front();` is safe. Values arrive in
// text format.
class Row {
 public:
  Row(std::shared_ptr<PGresult> r, int row) : owner_(std::move(r)), r_(owner_.get()), row_(row) {}
  bool is_null(int col) const { return PQgetisnull(r_, row_, col) != 0; }
  int64_t int64(int col) const;
  std::string text(int col) const {
    return std::string(PQgetvalue(r_, row_, col), static_cast<size_t>(PQgetlength(r_, row_, col)));
  }
  bool boolean(int col) const { return PQgetvalue(r_, row_, col)[0] == 't'; }

 private:
  std::shared_ptr<PGresult> owner_;
  const PGresult* r_;
  int row_;
};

class Result {
 public:
  explicit Result(PGresult* r) : r_(r, &PQclear) {}
  int rows() const { return PQntuples(r_.get()); }
  bool empty() const { return rows() == 0; }
  Row front() const { return Row(r_, 0); }
  // Rows changed by INSERT, UPDATE or DELETE.
  int64_t affected() const;

  class iterator {
   public:
    iterator(std::shared_ptr<PGresult> r, int i) : r_(std::move(r)), i_(i) {}
    Row operator*() const { return Row(r_, i_); }
    iterator& operator++() {
      ++i_;
      return *this;
    }
    bool operator!=(const iterator& o) const { return i_ != o.i_; }

   private:
    std::shared_ptr<PGresult> r_;
    int i_;
  };
  iterator begin() const { return iterator(r_, 0); }
  iterator end() const { return iterator(r_, rows()); }

 private:
  std::shared_ptr<PGresult> r_;
};

// One server connection and its prepared statements. Not thread-safe: owned by one thread at a time.
// Once broken() (the server went away or the protocol failed) it must be dropped, never reused.
class Connection {
 public:
  explicit Connection(const std::string& conninfo);  // throws Error(unavailable) when it cannot connect
  ~Connection() { PQfinish(conn_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Prepares sql on first use (by a name private to this connection) and executes it.
  Result query(const std::string& sql, std::initializer_list<Param> params = {});
  Result query(const std::string& sql, const std::vector<Param>& params);
  // Runs one or more statements without parameters (schema steps, transaction control).
  void exec(std::string_view sql);
  bool broken() const { return broken_ || PQstatus(conn_) == CONNECTION_BAD; }

 private:
  Result check(PGresult* r, std::string_view context);

  PGconn* conn_ = nullptr;
  bool broken_ = false;
  std::unordered_map<std::string, std::string> prepared_;  // sql -> statement name
};

// A bounded pool. Callers wait up to `wait` for a free connection, else get Error(unavailable).
class Pool {
 public:
  Pool(std::string conninfo, int size, std::chrono::milliseconds wait)
      : conninfo_(std::move(conninfo)), size_(size), wait_(wait) {}

  class Lease {
   public:
    Lease(Pool* pool, std::unique_ptr<Connection> c) : pool_(pool), c_(std::move(c)) {}
    ~Lease() { pool_->release(std::move(c_)); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Connection& operator*() const { return *c_; }

   private:
    Pool* pool_;
    std::unique_ptr<Connection> c_;
  };

  Lease acquire();

 private:
  void release(std::unique_ptr<Connection> c);

  std::string conninfo_;
  int size_;
  std::chrono::milliseconds wait_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Connection>> idle_;
  int open_ = 0;  // idle plus leased
};

// The pool plus the two ways of using a connection. Both may run f more than once: f must be safe to
// re-run (reset what it returns through captures at its start).
class Database {
 public:
  Database(std::string conninfo, int pool_size, std::chrono::milliseconds wait)
      : pool_(std::move(conninfo), pool_size, wait) {}

  // Runs f(Connection&) outside a transaction (each statement sees the latest commits). A connection found
  // broken is replaced and f runs again: reads are idempotent, so a server restart costs no error.
  template <class F>
  auto read(F&& f) {
    for (int attempt = 1;; ++attempt) {
      auto lease = pool_.acquire();
      try {
        return f(*lease);
      } catch (const PgError& e) {
        if (attempt < kMaxAttempts && ((*lease).broken() || e.retryable())) continue;
        throw;
      }
    }
  }

  // Runs f(Connection&) in one READ COMMITTED transaction and commits (methods that need more take row locks
  // or write conditionally). Serialization failures and deadlocks run the whole transaction again; so does a
  // pooled connection found broken before anything was sent on it. A connection lost later is
  // Error(unavailable): whether the transaction committed is unknown.
  template <class F>
  auto transact(F&& f) {
    for (int attempt = 1;; ++attempt) {
      auto lease = pool_.acquire();
      Connection& c = *lease;
      bool began = false;
      try {
        c.exec("BEGIN");
        began = true;
        if constexpr (std::is_void_v<decltype(f(c))>) {
          f(c);
          c.exec("COMMIT");
          return;
        } else {
          auto out = f(c);
          c.exec("COMMIT");
          return out;
        }
      } catch (const PgError& e) {
        if (began) rollback(c);
        if (attempt < kMaxAttempts && e.retryable()) {
          std::this_thread::sleep_for(std::chrono::milliseconds(attempt * 5));
          continue;
        }
        if (attempt < kMaxAttempts && !began && c.broken()) continue;
        throw;
      } catch (...) {
        if (began) rollback(c);
        throw;
      }
    }
  }

 private:
  static constexpr int kMaxAttempts = 5;

  // Ends a failed transaction. If even ROLLBACK fails the connection is unusable and marked broken (the
  // pool drops it); the caller rethrows the error that caused the rollback, which is the one that matters.
  static void rollback(Connection& c) noexcept;

  Pool pool_;
};

// Throws Error(invalid, "invalid_store_url") when libpq cannot parse conninfo.
void check_conninfo(const std::string& conninfo);

// conninfo (a postgresql:// URL or key=value string) as a postgresql:// URL naming `database` instead.
std::string with_database(const std::string& conninfo, const std::string& database);

// A double-quoted SQL identifier.
std::string quote_identifier(std::string_view name);

}  // namespace tribune::pg

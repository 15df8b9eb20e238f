// A thin RAII layer over libpq, private to the PostgreSQL engine: connections with lazily prepared
// statements, results, a bounded pool, and transactions that retry on serialization failures.
#pragma once

#include <libpq-fe.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "model/error.h"
#include "store/store.h"

namespace tribune::pg {

// An Error raised by the server or by libpq, with the SQLSTATE and (for constraint violations) the
// constraint's name so that callers can map a specific one to their own code.
class PgError : public Error {
 public:
  PgError(ErrorKind kind, std::string code, const std::string& message, std::string sqlstate, std::string constraint)
      : Error(kind, std::move(code), message), sqlstate_(std::move(sqlstate)), constraint_(std::move(constraint)) {}
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
  // A text[] literal, for `unnest($n::text[])`.
  static Param text_array(const std::vector<std::string>& values);

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
  explicit Result(PGresult* r) : r_(r, &PQclear), count_(PQntuples(r)) {}
  int rows() const { return count_; }
  bool empty() const { return rows() == 0; }
  int columns() const { return PQnfields(r_.get()); }
  Row front() const { return Row(r_, first_); }
  Row row(int i) const { return Row(r_, first_ + i); }
  // Rows changed by INSERT, UPDATE or DELETE (by the whole statement, for a slice).
  int64_t affected() const;
  // `count` of these rows from the `first`: the rows of one caller's part of a merged statement (group_commit.h).
  Result slice(int first, int count) const {
    Result out = *this;
    out.first_ = first_ + first;
    out.count_ = count;
    return out;
  }

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
  iterator begin() const { return iterator(r_, first_); }
  iterator end() const { return iterator(r_, first_ + count_); }

 private:
  std::shared_ptr<PGresult> r_;
  int first_ = 0, count_ = 0;
};

// One statement of a pipeline.
struct Statement {
  std::string sql;
  std::vector<Param> params;
};

// What one pipelined statement did: its result, or the error it raised; neither when the server skipped it
// because an earlier statement of the same pipeline failed.
struct Outcome {
  std::optional<Result> result;
  std::exception_ptr error;
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
  // Sends every statement in one round trip (libpq pipeline mode) and answers each one's outcome. They run in
  // order as if sent one by one, except that after one fails the server skips the rest of the pipeline. One
  // that cannot be prepared or sent (a NUL in a text) fails before anything is sent: only its outcome is set.
  // A lost connection sets Error(unavailable) on the outcome where it was noticed and on every one after
  // (broken() is then true): statements with a result ran; of the others, which ran is unknown (even when the
  // first has none: the rest may have reached the server).
  std::vector<Outcome> pipeline(const std::vector<const Statement*>& statements);
  // Runs one or more statements without parameters (schema steps, transaction control).
  void exec(std::string_view sql);
  // Like exec; answers the first value of the last statement's result (empty when NULL or no rows).
  std::string exec_value(std::string_view sql);
  bool broken() const { return broken_ || PQstatus(conn_) == CONNECTION_BAD; }

 private:
  Result check(PGresult* r, std::string_view context);
  const std::string& prepared(const std::string& sql);  // the statement's name, preparing it on first use
  std::exception_ptr lost(std::string_view context);    // marks the connection broken

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
    Lease(Lease&& o) noexcept : pool_(o.pool_), c_(std::move(o.c_)) {}  // the moved-from one releases nothing
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Connection& operator*() const { return *c_; }

   private:
    Pool* pool_;
    std::unique_ptr<Connection> c_;
  };

  Lease acquire();
  // As acquire, waiting at most `wait`; nullopt when none became free (connection errors still throw).
  std::optional<Lease> try_acquire(std::chrono::milliseconds wait);

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

// A WAL position ("16/B374D848") as a number that orders positions; 0 for anything else.
uint64_t parse_lsn(std::string_view text);

// A streaming replica (hot standby) and how far it has replayed the primary's WAL. Positions only grow, so
// one answer of "replayed up to P" stays true for every P' <= P: the replica is asked again only when a read
// needs more than its last answer. A replica that fails is left alone for a while (reads go to the primary).
class Replica {
 public:
  Replica(std::string conninfo, int pool_size, std::chrono::milliseconds wait)
      : pool_(std::move(conninfo), pool_size, wait) {}

  // f(Connection&) on the replica when it has replayed `need`; nullopt when it has not, or it failed.
  template <class F>
  auto try_read(uint64_t need, F&& f) -> std::optional<decltype(f(std::declval<Connection&>()))> {
    if (down()) return std::nullopt;
    try {
      // Never wait long for a replica connection: the primary is there.
      auto lease = pool_.try_acquire(std::chrono::milliseconds(20));
      if (!lease) {
        busy_.fetch_add(1, std::memory_order_relaxed);
        return std::nullopt;
      }
      if (replayed_.load(std::memory_order_acquire) < need && ask(**lease) < need) {
        behind_.fetch_add(1, std::memory_order_relaxed);
        return std::nullopt;
      }
      auto out = f(**lease);
      served_.fetch_add(1, std::memory_order_relaxed);
      return out;
    } catch (const Error& e) {
      // Reads are idempotent: any server-side failure (including a query cancelled by a recovery conflict)
      // or a lost connection sends this read to the primary instead.
      if (e.kind() != ErrorKind::unavailable && !dynamic_cast<const PgError*>(&e)) throw;
      failed(e);
      return std::nullopt;
    }
  }

  // Asks the server whether it is a standby (pg_is_in_recovery); throws Error(invalid) if it is not, and
  // Error(unavailable) if it cannot be reached.
  void check_standby();
  uint64_t served() const { return served_.load(); }
  uint64_t behind() const { return behind_.load() + busy_.load(); }
  uint64_t failures() const { return failures_.load(); }

 private:
  uint64_t ask(Connection& c);  // pg_last_wal_replay_lsn(), remembered
  bool down() const;
  void failed(const Error& e);

  Pool pool_;
  std::atomic<uint64_t> replayed_{0};
  std::atomic<int64_t> down_until_{0};  // steady_clock milliseconds
  std::atomic<uint64_t> served_{0}, behind_{0}, busy_{0}, failures_{0};
};

// The pool plus the ways of using a connection. All may run f more than once: f must be safe to re-run
// (reset what it returns through captures at its start).
//
// Read-your-writes with a replica: every committed transaction records the primary's WAL insert position
// after its commit (for this process, `known_position`, and for the thread, ReadPositions::last_write; with
// or without a replica here, since other nodes may read from one);
// positions heard from other nodes raise `known_position` too. read_replica() lets the replica answer only
// when it has replayed both the known position and the thread's floor (a reader's own last write): a node
// never serves anything older than what it has already seen or written, so a page filled after a change
// shows the change, and a reader sees their own comment on any node.
class Database {
 public:
  Database(std::string conninfo, int pool_size, std::chrono::milliseconds wait, std::string replica_conninfo = {})
      : conninfo_(conninfo), pool_(std::move(conninfo), pool_size, wait) {
    if (!replica_conninfo.empty()) replica_.emplace(std::move(replica_conninfo), pool_size, wait);
  }

  // Reads a replica may answer; on the primary (like read) otherwise.
  template <class F>
  auto read_replica(F&& f) {
    if (replica_) {
      uint64_t need = std::max(known_.load(std::memory_order_acquire), ReadPositions::floor);
      if (auto out = replica_->try_read(need, f)) return std::move(*out);
    }
    return read(std::forward<F>(f));
  }

  Replica* replica() { return replica_ ? &*replica_ : nullptr; }
  const std::string& conninfo() const { return conninfo_; }
  uint64_t known_position() const { return known_.load(std::memory_order_acquire); }
  void heard_position(uint64_t p) {
    uint64_t cur = known_.load(std::memory_order_relaxed);
    while (p > cur && !known_.compare_exchange_weak(cur, p, std::memory_order_acq_rel)) {
    }
  }

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
          commit(c);
          return;
        } else {
          auto out = f(c);
          commit(c);
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
  // COMMIT; with a replica, in the same round trip, the position after it (see the class comment).
  void commit(Connection& c);

  std::string conninfo_;
  Pool pool_;
  std::optional<Replica> replica_;
  std::atomic<uint64_t> known_{0};
};

// Throws Error(invalid, "invalid_store_url") when libpq cannot parse conninfo.
void check_conninfo(const std::string& conninfo);

// conninfo (a postgresql:// URL or key=value string) as a postgresql:// URL naming `database` instead.
std::string with_database(const std::string& conninfo, const std::string& database);

// A double-quoted SQL identifier.
std::string quote_identifier(std::string_view name);

}  // namespace tribune::pg

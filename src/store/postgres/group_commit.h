// Group commit on PostgreSQL: many callers' statements in one transaction and one round trip. Callers block
// until the transaction carrying their statement has committed. A writer thread takes what is queued (up to
// max_batch) and sends BEGIN, the statements, COMMIT and a WAL-position read as one pipeline (pg.h), so that
// N concurrent comments pay for one round trip, one commit and one hold of each row they all update (an
// article's comment counter) instead of N. Several writer threads, each with its own connection, share the
// queue: one batch runs while another waits for its commit to reach the disk.
//
// Statements of one kind may be merged: a batch holding several runs them as one statement (one executor start
// and one plan for all of them instead of one each), and each caller gets its own rows of its answer. If the
// merged statement fails, the batch runs again with each statement on its own, so that a failing one still
// fails alone.
//
// A statement that fails fails alone: the server skips the rest of the pipeline, the transaction is rolled
// back, its caller gets the error and the others run again without it (the statements must be safe to
// re-run, as transact()'s functions are). A deadlock or serialization failure runs the whole batch again. A
// writer's connection idle for a moment is checked (one round trip) before a batch is sent on it, and replaced
// if the server dropped it meanwhile (a restart); one lost once a batch is sent leaves the outcome unknown:
// every caller of the batch gets Error(unavailable), and nothing is sent again.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/postgres/pg.h"

namespace tribune::pg {

class GroupCommit {
 public:
  // What the writer's connection runs once when it connects (session settings, temporary tables); the
  // statements every batch runs after its callers' and before COMMIT (work that many statements of one batch
  // share, such as a counter they all add to, done once per batch); and what it runs outside any transaction
  // after every kHousekeepingEvery commits (VACUUM of its temporary tables, which autovacuum never visits).
  // None may fail.
  struct Session {
    std::vector<std::string> on_connect;
    std::vector<Statement> before_commit;
    std::vector<std::string> housekeeping;
  };
  static constexpr int kHousekeepingEvery = 256;

  // How statements of one kind run together. `sql` takes, as its parameter $j, the array of the statements'
  // $j values (text-format literals; NULLs kept), in the order the batch holds them, and answers their rows
  // in that order, each row ending with one column more than the statement's own: the 1-based position of the
  // statement whose row it is. Statements merged must have the same number of parameters, none binary.
  struct Merge {
    std::string sql;
  };

  GroupCommit(Database& db, int writers, int max_batch, Session session = {});
  // Runs what is queued, then stops; a run() after that throws Error(unavailable, "shutting_down").
  ~GroupCommit();
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // The statement's result once its transaction has committed (and ReadPositions::last_write set on the
  // calling thread, as Database::transact sets it); rethrows its error, and then nothing of it happened.
  // With `merge` (which must outlive the call): a statement that may run merged with others of its kind.
  Result run(Statement statement, const Merge* merge = nullptr);

  int64_t commits() const { return commits_.load(); }  // transactions committed
  int64_t grouped() const { return grouped_.load(); }  // statements those transactions carried
  int64_t merged() const { return merged_.load(); }    // of those, run as part of a merged statement

 private:
  struct Pending {
    Statement statement;
    const Merge* merge = nullptr;
    std::promise<Result> promise;
  };
  // What a batch sends between BEGIN and its shared statements: a caller's statement, or several callers'
  // merged into one.
  struct Unit {
    std::vector<Pending*> callers;
    Statement merged;  // when more than one caller
    const Statement& statement() const { return callers.size() == 1 ? callers.front()->statement : merged; }
  };
  static std::vector<Unit> plan(const std::vector<Pending*>& open, bool merging);
  void settle(const Unit& unit, Result result);  // each caller's rows of the unit's committed result

  void loop();
  struct Link {
    std::unique_ptr<Connection> conn;
    std::chrono::steady_clock::time_point used;
    int commits = 0;  // on this connection, since its last housekeeping
  };
  // The writer's connection: connected (again) if it has none or it broke, checked if idle for a while.
  Connection& connection(Link& link);
  void commit_batch(std::vector<Pending>& batch, Link& link);

  Database& db_;
  int max_batch_;
  Session session_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  std::atomic<int64_t> commits_{0}, grouped_{0}, merged_{0};
  std::vector<std::thread> threads_;  // each with its own connection, outside the pool
};

}  // namespace tribune::pg

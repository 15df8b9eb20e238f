// Group commit on PostgreSQL: many callers' statements in one transaction and one round trip. Callers block
// until the transaction carrying their statement has committed. A writer thread takes what is queued (up to
// max_batch) and sends BEGIN, the statements, COMMIT and a WAL-position read as one pipeline (pg.h), so that
// N concurrent comments pay for one round trip, one commit and one hold of each row they all update (an
// article's comment counter) instead of N. Several writer threads, each with its own connection, share the
// queue: one batch runs while another waits for its commit to reach the disk.
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

  GroupCommit(Database& db, int writers, int max_batch, Session session = {});
  // Runs what is queued, then stops; a run() after that throws Error(unavailable, "shutting_down").
  ~GroupCommit();
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // The statement's result once its transaction has committed (and ReadPositions::last_write set on the
  // calling thread, as Database::transact sets it); rethrows its error, and then nothing of it happened.
  Result run(Statement statement);

  int64_t commits() const { return commits_.load(); }  // transactions committed
  int64_t grouped() const { return grouped_.load(); }  // statements those transactions carried

 private:
  struct Pending {
    Statement statement;
    std::promise<Result> promise;
  };

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
  std::atomic<int64_t> commits_{0}, grouped_{0};
  std::vector<std::thread> threads_;  // each with its own connection, outside the pool
};

}  // namespace tribune::pg

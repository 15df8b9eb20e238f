// How the SQLite engine reaches its file: one writer thread that carries concurrent writes in one
// transaction and one fsync (group commit), and a pool of read-only connections for concurrent readers.
// SQLite allows one writer at a time per file; WAL mode lets readers run alongside it.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite/db.h"

namespace tribune::sqlite {

// Leases read-only connections to callers, one thread per connection at a time; at most `size` are opened
// (lazily), and a caller waits for one to come back when all are leased.
class ReaderPool {
 public:
  ReaderPool(std::string path, int size) : path_(std::move(path)), size_(size) {}

  // Runs f(Db&) on a leased connection and returns what it returns; the connection goes back to the pool
  // (its statements reset) however f ends.
  template <class F>
  auto with(F&& f) {
    std::unique_ptr<Db> db = acquire();
    struct Return {
      ReaderPool* pool;
      std::unique_ptr<Db>* db;
      ~Return() { pool->release(std::move(*db)); }
    } give_back{this, &db};
    return f(*db);
  }

  int opened() const;

 private:
  std::unique_ptr<Db> acquire();
  void release(std::unique_ptr<Db> db);

  std::string path_;
  int size_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Db>> idle_;
  int created_ = 0;
};

// The write path. Callers enqueue a job and block until the commit that carries it is durable. The writer
// thread takes every queued job (up to max_batch), runs each inside its own SAVEPOINT within one
// transaction, and commits once: N concurrent writers pay for one fsync. A job that throws is rolled back
// to its savepoint alone and its caller gets the exception; the others still commit. A failed COMMIT
// fails every job of the batch: none of them happened.
//
// Checkpoints (copying the WAL's pages into the database file, and that file's fsync) run on a second thread
// with a connection of its own, woken once the WAL holds kCheckpointFrames pages, so that the writer's
// commits do not wait for them; SQLite lets a passive checkpoint run alongside a writer. Past twice that the
// writer copies what is left itself, and past four times it waits for the checkpointer to finish first: the
// WAL stays bounded even when readers keep it from starting again.
class GroupCommitWriter {
 public:
  using Job = std::function<void(Db&)>;

  // Opens the file for writing, in WAL mode with synchronous = FULL, and starts the writer thread.
  GroupCommitWriter(const std::string& path, int max_batch);
  // Runs what is queued, then stops; a run() after that throws Error(unavailable, "shutting_down").
  ~GroupCommitWriter();
  GroupCommitWriter(const GroupCommitWriter&) = delete;
  GroupCommitWriter& operator=(const GroupCommitWriter&) = delete;

  // Runs job on the writer thread inside a transaction and returns once it is committed durably; rethrows
  // what the job threw (and then none of its writes happened).
  void run(Job job);

  // Runs job on the writer thread outside any transaction and alone (schema migration).
  void run_exclusive(const Job& job);

  // A row a commit inserted, updated or deleted: `table` indexes watch()'s list.
  struct ChangedRow {
    size_t table;
    int64_t rowid;
  };
  static constexpr size_t kMaxChangedRows = 64;  // past this, a commit reports "anything"
  // Calls changed(rows, anything) on the writer thread after each commit that inserted, updated or deleted a
  // row of one of tables (also when the commit then failed), and after each exclusive job, before their
  // callers are answered. `anything`: the rows are not known (an exclusive job may have changed any row; a
  // commit changed more than kMaxChangedRows). SQLite reports every row changed through a statement, a
  // trigger or a foreign-key action, not those a REPLACE conflict or an unqualified DELETE removes (Tribune
  // uses neither on the tables it watches). Once, before the first run().
  using Watcher = std::function<void(const std::vector<ChangedRow>& rows, bool anything)>;
  void watch(std::vector<std::string> tables, Watcher changed);

  int64_t commits() const { return commits_.load(); }          // transactions committed
  size_t queued() const;                                       // jobs waiting for the writer thread
  int64_t grouped() const { return grouped_.load(); }          // jobs those transactions carried
  int64_t checkpoints() const { return checkpoints_.load(); }  // the checkpointer's successful runs with pages copied

  static constexpr int kCheckpointFrames = 1000;  // SQLite's own automatic checkpoint threshold

 private:
  struct Pending {
    Job job;
    std::promise<void> promise;
    bool raw = false;
  };

  // Queues p for the writer thread and waits until it has run (rethrowing what it threw).
  void wait_for(Pending p);
  void loop();
  void commit_batch(std::vector<Pending>& batch);
  static int on_wal_commit(void* self, sqlite3* db, const char* schema, int frames);
  static void on_row_change(void* self, int op, const char* database, const char* table, sqlite3_int64 rowid);
  void tell_watcher();
  void checkpoint_loop();
  void stop_checkpointer();

  Db db_;
  int max_batch_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  std::atomic<int64_t> commits_{0};
  std::atomic<int64_t> grouped_{0};
  // The last commit's position (model/read_positions.h): its time in microseconds, or one past the previous
  // commit's when the clock has not moved on, so that positions grow across restarts too.
  std::atomic<uint64_t> position_{0};
  std::thread thread_;
  std::vector<std::string> watched_;
  Watcher watcher_;
  // What the transaction under way changed in those tables (writer thread only).
  std::vector<ChangedRow> changed_rows_;
  bool changed_anything_ = false;

  Db checkpoint_db_;
  std::mutex checkpoint_mu_;
  std::condition_variable checkpoint_cv_;
  std::mutex checkpoint_running_;  // held by whichever thread is checkpointing
  std::atomic<bool> checkpoint_wanted_{false};
  bool checkpoint_stopping_ = false;  // guarded by checkpoint_mu_
  std::atomic<int64_t> checkpoints_{0};
  std::atomic<int> checkpointed_frames_{0};  // how far into the WAL the last checkpoint had copied
  std::thread checkpointer_;
};

}  // namespace tribune::sqlite

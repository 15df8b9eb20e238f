#include "store/sqlite/writer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <exception>

#include "model/error.h"
#include "model/read_positions.h"

namespace tribune::sqlite {

int ReaderPool::opened() const {
  std::lock_guard lock(mu_);
  return created_;
}

std::unique_ptr<Db> ReaderPool::acquire() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return !idle_.empty() || created_ < size_; });
  if (!idle_.empty()) {
    auto db = std::move(idle_.back());
    idle_.pop_back();
    return db;
  }
  ++created_;
  lock.unlock();
  try {
    return std::make_unique<Db>(path_, true);
  } catch (...) {
    std::lock_guard relock(mu_);
    --created_;
    cv_.notify_one();
    throw;
  }
}

void ReaderPool::release(std::unique_ptr<Db> db) {
  if (!db) return;
  db->reset_active_statements();
  std::lock_guard lock(mu_);
  idle_.push_back(std::move(db));
  cv_.notify_one();
}

GroupCommitWriter::GroupCommitWriter(const std::string& path, int max_batch)
    : db_(path, false), max_batch_(max_batch), checkpoint_db_(path, false) {
  db_.exec("PRAGMA journal_mode = WAL");
  db_.exec("PRAGMA synchronous = FULL");
  // Every job runs in a SAVEPOINT, so every page it changes is first copied to a statement journal; on disk
  // that was two pwrite()s per page, five times the WAL's own writes. In memory, a batch's journal is a few
  // hundred KB (bench/post_comments.sh: 6,500-7,300 -> 9,100-9,250 comments/s).
  db_.exec("PRAGMA temp_store = MEMORY");
  checkpoint_db_.exec("PRAGMA synchronous = FULL");
  sqlite3_wal_hook(db_.raw(), &GroupCommitWriter::on_wal_commit, this);  // replaces the automatic checkpoint
  checkpointer_ = std::thread([this] { checkpoint_loop(); });
  try {
    thread_ = std::thread([this] { loop(); });
  } catch (...) {
    stop_checkpointer();
    throw;
  }
}

GroupCommitWriter::~GroupCommitWriter() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  thread_.join();
  stop_checkpointer();
}

void GroupCommitWriter::stop_checkpointer() {
  {
    std::lock_guard lock(checkpoint_mu_);
    checkpoint_stopping_ = true;
  }
  checkpoint_cv_.notify_one();
  checkpointer_.join();
}

void GroupCommitWriter::watch(std::vector<std::string> tables, Watcher changed) {
  watched_ = std::move(tables);
  watcher_ = std::move(changed);
  sqlite3_update_hook(db_.raw(), &GroupCommitWriter::on_row_change, this);
}

void GroupCommitWriter::on_row_change(void* self, int, const char*, const char* table, sqlite3_int64 rowid) {
  auto* w = static_cast<GroupCommitWriter*>(self);
  if (w->changed_anything_) return;
  for (size_t i = 0; i < w->watched_.size(); ++i) {
    if (w->watched_[i] != table) continue;
    if (w->changed_rows_.size() == kMaxChangedRows)
      w->changed_anything_ = true, w->changed_rows_.clear();
    else
      w->changed_rows_.push_back({i, rowid});
    return;
  }
}

void GroupCommitWriter::tell_watcher() {
  if (!changed_anything_ && changed_rows_.empty()) return;
  if (watcher_) watcher_(changed_rows_, changed_anything_);
  changed_rows_.clear();
  changed_anything_ = false;
}

int GroupCommitWriter::on_wal_commit(void* self, sqlite3* db, const char*, int frames) {
  auto* w = static_cast<GroupCommitWriter*>(self);
  // Woken when the WAL is long and half a threshold has been added since the last checkpoint copied up to
  // somewhere (each run ends with an fsync of the database file: not one per commit). A WAL that started
  // again is shorter than what was copied of the one before.
  int copied = w->checkpointed_frames_.load(std::memory_order_relaxed);
  if (copied > frames) copied = 0;
  if (frames >= kCheckpointFrames && frames - copied >= kCheckpointFrames / 2 &&
      !w->checkpoint_wanted_.exchange(true)) {
    { std::lock_guard lock(w->checkpoint_mu_); }  // the checkpointer is waiting or will see the flag
    w->checkpoint_cv_.notify_one();
  }
  // The WAL starts again from its beginning only when a write begins after a checkpoint that copied all of
  // it, which a checkpointer racing the writer seldom manages under steady writes. Past twice the threshold
  // the writer copies what is left itself (little: the checkpointer has copied the rest), so that its next
  // transaction restarts the WAL: if the checkpointer is at it, the writer tries again after its next commit,
  // and past four times the threshold waits for it, so that the file stays within a few MB.
  if (frames < 2 * kCheckpointFrames) return SQLITE_OK;
  std::unique_lock running(w->checkpoint_running_, std::defer_lock);
  if (frames >= 4 * kCheckpointFrames)
    running.lock();
  else if (!running.try_lock())
    return SQLITE_OK;
  sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  return SQLITE_OK;
}

void GroupCommitWriter::checkpoint_loop() {
  for (;;) {
    {
      std::unique_lock lock(checkpoint_mu_);
      checkpoint_cv_.wait(lock, [&] { return checkpoint_stopping_ || checkpoint_wanted_.load(); });
      if (checkpoint_stopping_) return;
    }
    checkpoint_wanted_.store(false);
    // Passive: copies what no reader still needs and never blocks the writer or the readers; what it could
    // not copy is copied next time (the writer's next commit asks again while the WAL is long).
    std::lock_guard running(checkpoint_running_);
    try {
      // A read first: a connection that has not read since the file went over to WAL does not know it, and
      // its checkpoint would do nothing.
      auto& look = checkpoint_db_.prepare("SELECT 1 FROM sqlite_schema LIMIT 1");
      look.step();
      look.reset();
    } catch (const Error& e) {
      spdlog::warn("store: the checkpointer could not read the database: {}", e.what());
      continue;
    }
    int wal_frames = -1, copied = 0;
    int rc = sqlite3_wal_checkpoint_v2(checkpoint_db_.raw(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &wal_frames, &copied);
    if (rc == SQLITE_OK && copied > 0) {
      checkpointed_frames_.store(copied, std::memory_order_relaxed);
      checkpoints_.fetch_add(1);
    } else if (rc != SQLITE_OK && rc != SQLITE_BUSY)
      spdlog::warn("store: WAL checkpoint failed: {}", sqlite3_errmsg(checkpoint_db_.raw()));
  }
}

size_t GroupCommitWriter::queued() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

void GroupCommitWriter::run(Job job) {
  wait_for(Pending{std::move(job), {}, false});
}

void GroupCommitWriter::run_exclusive(const Job& job) {
  wait_for(Pending{[&](Db& db) { job(db); }, {}, true});
}

void GroupCommitWriter::wait_for(Pending p) {
  auto done = p.promise.get_future();
  {
    std::lock_guard lock(mu_);
    if (stopping_) throw Error(ErrorKind::unavailable, "shutting_down", "the server is shutting down.");
    queue_.push_back(std::move(p));
  }
  cv_.notify_one();
  done.get();
  // The writer's next pages skip the caches for a moment (http/read_your_writes.h), as on PostgreSQL.
  ReadPositions::last_write = std::max(ReadPositions::last_write, position_.load(std::memory_order_acquire));
}

void GroupCommitWriter::loop() {
  for (;;) {
    std::vector<Pending> batch;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty() && stopping_) return;
      if (queue_.front().raw) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      } else {
        while (!queue_.empty() && !queue_.front().raw && static_cast<int>(batch.size()) < max_batch_) {
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
      }
    }
    if (batch.front().raw) {
      std::exception_ptr failure;
      try {
        batch.front().job(db_);
      } catch (...) {
        failure = std::current_exception();
      }
      changed_anything_ = true;  // a migration or a restore may have changed anything
      tell_watcher();
      if (failure)
        batch.front().promise.set_exception(failure);
      else
        batch.front().promise.set_value();
      continue;
    }
    commit_batch(batch);
  }
}

void GroupCommitWriter::commit_batch(std::vector<Pending>& batch) {
  std::vector<std::exception_ptr> failures(batch.size());
  try {
    db_.prepare("BEGIN IMMEDIATE").run();
  } catch (...) {
    for (auto& p : batch) p.promise.set_exception(std::current_exception());
    return;
  }
  db_.start_counting();
  for (size_t i = 0; i < batch.size(); ++i) {
    try {
      db_.prepare("SAVEPOINT job").run();
      try {
        batch[i].job(db_);
        db_.reset_active_statements();
        db_.prepare("RELEASE job").run();
        db_.keep_job_counts();
      } catch (...) {
        failures[i] = std::current_exception();
        db_.drop_job_counts();
        db_.reset_active_statements();
        db_.prepare("ROLLBACK TO job").run();
        db_.prepare("RELEASE job").run();
      }
    } catch (...) {
      failures[i] = std::current_exception();
      db_.drop_job_counts();
    }
  }
  try {
    db_.run_counts();  // the jobs' counters, a statement per row (Db::add_to_counter)
    db_.prepare("COMMIT").run();
  } catch (...) {
    auto failure = std::current_exception();
    try {
      db_.exec("ROLLBACK");
    } catch (const Error&) {
      // The transaction is already gone; the commit failure below is what callers need to see.
    }
    tell_watcher();
    for (auto& p : batch) p.promise.set_exception(failure);
    return;
  }
  tell_watcher();
  commits_.fetch_add(1);
  grouped_.fetch_add(static_cast<int64_t>(batch.size()));
  auto now_us =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  position_.store(std::max(position_.load(std::memory_order_relaxed) + 1, static_cast<uint64_t>(now_us)),
                  std::memory_order_release);
  for (size_t i = 0; i < batch.size(); ++i) {
    if (failures[i])
      batch[i].promise.set_exception(failures[i]);
    else
      batch[i].promise.set_value();
  }
}

}  // namespace tribune::sqlite

#include "store/sqlite/writer.h"

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

GroupCommitWriter::GroupCommitWriter(const std::string& path, int max_batch) : db_(path, false), max_batch_(max_batch) {
  db_.exec("PRAGMA journal_mode = WAL");
  db_.exec("PRAGMA synchronous = FULL");
  // Every job runs in a SAVEPOINT, so every page it changes is first copied to a statement journal; on disk
  // that was two pwrite()s per page, five times the WAL's own writes. In memory, a batch's journal is a few
  // hundred KB (bench/post_comments.sh: 6,500 -> ... comments/s).
  db_.exec("PRAGMA temp_store = MEMORY");
  thread_ = std::thread([this] { loop(); });
}

GroupCommitWriter::~GroupCommitWriter() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  thread_.join();
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
      try {
        batch.front().job(db_);
        batch.front().promise.set_value();
      } catch (...) {
        batch.front().promise.set_exception(std::current_exception());
      }
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
  for (size_t i = 0; i < batch.size(); ++i) {
    try {
      db_.prepare("SAVEPOINT job").run();
      try {
        batch[i].job(db_);
        db_.reset_active_statements();
        db_.prepare("RELEASE job").run();
      } catch (...) {
        failures[i] = std::current_exception();
        db_.reset_active_statements();
        db_.prepare("ROLLBACK TO job").run();
        db_.prepare("RELEASE job").run();
      }
    } catch (...) {
      failures[i] = std::current_exception();
    }
  }
  try {
    db_.prepare("COMMIT").run();
  } catch (...) {
    auto failure = std::current_exception();
    try {
      db_.exec("ROLLBACK");
    } catch (const Error&) {
      // The transaction is already gone; the commit failure below is what callers need to see.
    }
    for (auto& p : batch) p.promise.set_exception(failure);
    return;
  }
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

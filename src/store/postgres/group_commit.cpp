#include "store/postgres/group_commit.h"

#include <algorithm>
#include <chrono>

#include "model/error.h"
#include "model/read_positions.h"

namespace tribune::pg {

namespace {

constexpr int kMaxRetries = 5;  // deadlocks and serialization failures, per batch
// Past this, a connection is checked before a batch goes on it: the server may have dropped it meanwhile,
// and a batch sent on a dead connection could not be sent again (it might have reached the server).
constexpr auto kCheckAfterIdle = std::chrono::milliseconds(250);

bool retryable(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const PgError& pe) {
    return pe.retryable();
  } catch (...) {
    return false;
  }
}

}  // namespace

GroupCommit::GroupCommit(Database& db, int writers, int max_batch, Session session)
    : db_(db), max_batch_(max_batch), session_(std::move(session)) {
  for (int i = 0; i < std::max(1, writers); ++i) threads_.emplace_back([this] { loop(); });
}

GroupCommit::~GroupCommit() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

Result GroupCommit::run(Statement statement) {
  Pending p{std::move(statement), {}};
  auto done = p.promise.get_future();
  {
    std::lock_guard lock(mu_);
    if (stopping_) throw Error(ErrorKind::unavailable, "shutting_down", "the server is shutting down.");
    queue_.push_back(std::move(p));
  }
  cv_.notify_one();
  Result r = done.get();
  // At or after this statement's commit: the writer's next reads wait for a replica to have it (pg.h).
  ReadPositions::last_write = std::max(ReadPositions::last_write, db_.known_position());
  return r;
}

void GroupCommit::loop() {
  Link link;
  for (;;) {
    std::vector<Pending> batch;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left
      while (!queue_.empty() && static_cast<int>(batch.size()) < max_batch_) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    commit_batch(batch, link);
  }
}

Connection& GroupCommit::connection(Link& link) {
  auto now = std::chrono::steady_clock::now();
  if (link.conn && !link.conn->broken() && now - link.used > kCheckAfterIdle) {
    try {
      link.conn->exec("SELECT 1");
    } catch (const Error&) {
      // Marked broken: replaced below.
    }
  }
  link.used = now;
  auto& conn = link.conn;
  if (!conn || conn->broken()) {
    conn.reset();
    conn = std::make_unique<Connection>(db_.conninfo());
    try {
      // Planned once per connection: the statements batched here are the same few run thousands of times, and
      // planning the comment's statement for each one's values cost more than running it (0.9 ms against 0.6).
      conn->exec("SET plan_cache_mode = force_generic_plan");
      for (const auto& sql : session_.on_connect) conn->exec(sql);
    } catch (...) {
      conn.reset();  // never a connection without its session
      throw;
    }
  }
  return *conn;
}

void GroupCommit::commit_batch(std::vector<Pending>& batch, Link& link) {
  static const Statement kBegin{"BEGIN", {}}, kCommit{"COMMIT", {}},
      kPosition{"SELECT pg_current_wal_insert_lsn()::text", {}};
  std::vector<Pending*> open;
  open.reserve(batch.size());
  for (auto& p : batch) open.push_back(&p);
  auto fail_all = [&](const std::exception_ptr& e) {
    for (auto* p : open) p->promise.set_exception(e);
    open.clear();
  };
  int retries = 0;
  while (!open.empty()) {
    std::vector<const Statement*> statements;
    statements.reserve(open.size() + session_.before_commit.size() + 3);
    statements.push_back(&kBegin);
    for (auto* p : open) statements.push_back(&p->statement);
    for (const auto& s : session_.before_commit) statements.push_back(&s);
    statements.push_back(&kCommit);
    statements.push_back(&kPosition);
    std::vector<Outcome> out;
    try {
      out = connection(link).pipeline(statements);
      link.used = std::chrono::steady_clock::now();
    } catch (...) {  // could not connect
      fail_all(std::current_exception());
      return;
    }
    const size_t n = open.size(), commit = statements.size() - 2;
    if (out[commit].result) {  // committed
      commits_.fetch_add(1);
      grouped_.fetch_add(static_cast<int64_t>(n));
      if (const auto& position = out[commit + 1].result; position && !position->empty())
        db_.heard_position(parse_lsn(position->front().text(0)));
      for (size_t i = 0; i < n; ++i) open[i]->promise.set_value(std::move(*out[i + 1].result));
      if (++link.commits >= kHousekeepingEvery) {
        link.commits = 0;
        try {
          for (const auto& sql : session_.housekeeping) link.conn->exec(sql);
        } catch (const Error&) {
          link.conn.reset();  // a connection that fails this is not to be trusted with the next batch
        }
      }
      return;
    }
    // Not committed: the first error says why (a later one is the lost connection's, or none).
    auto failed = std::find_if(out.begin(), out.end(), [](const Outcome& o) { return o.error != nullptr; });
    std::exception_ptr error = failed != out.end()
                                   ? failed->error
                                   : std::make_exception_ptr(Error(ErrorKind::internal, "store_error",
                                                                   "a batch neither committed nor failed."));
    size_t at = static_cast<size_t>(failed - out.begin());
    bool lost = link.conn->broken();
    if (lost) link.conn.reset();
    // A statement that failed before the connection was lost: the server skipped COMMIT after it, so nothing
    // committed; its caller gets its own error and the others go again on a new connection.
    bool failed_alone = at >= 1 && at <= n && (!lost || failed->error != out.back().error);
    if (lost && !failed_alone) {
      fail_all(error);  // the commit's outcome is unknown
      return;
    }
    if (link.conn) {
      try {
        link.conn->exec("ROLLBACK");
      } catch (const Error&) {
        link.conn.reset();  // the next attempt connects again
      }
    }
    if (retryable(error) && retries++ < kMaxRetries) {
      std::this_thread::sleep_for(std::chrono::milliseconds(retries * 5));
      continue;
    }
    if (failed_alone) {  // one statement failed: its caller gets the error, the others go again
      open[at - 1]->promise.set_exception(error);
      open.erase(open.begin() + static_cast<std::ptrdiff_t>(at - 1));
      continue;
    }
    fail_all(error);  // BEGIN, a shared statement or COMMIT failed
    return;
  }
}

}  // namespace tribune::pg

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

// An array literal of the values, as {"a","b\"c",NULL} (as text, it casts to an array of any type).
std::string array_literal(const std::vector<const Param*>& values) {
  std::string s = "{";
  for (const auto* p : values) {
    if (s.size() > 1) s += ',';
    if (!p->value()) {
      s += "NULL";
      continue;
    }
    s += '"';
    for (char ch : *p->value()) {
      if (ch == '"' || ch == '\\') s += '\\';
      s += ch;
    }
    s += '"';
  }
  s += '}';
  return s;
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

Result GroupCommit::run(Statement statement, const Merge* merge) {
  Pending p{std::move(statement), merge, {}};
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

std::vector<GroupCommit::Unit> GroupCommit::plan(const std::vector<Pending*>& open, bool merging) {
  std::vector<Unit> units;
  std::vector<std::pair<const Merge*, size_t>> kinds;  // a kind of statement, and the unit merging it
  auto mergeable = [](const Pending& p) {
    return std::none_of(p.statement.params.begin(), p.statement.params.end(),
                        [](const Param& v) { return v.binary(); });
  };
  for (auto* p : open) {
    if (merging && p->merge && mergeable(*p)) {
      auto kind = std::find_if(kinds.begin(), kinds.end(), [&](const auto& k) { return k.first == p->merge; });
      if (kind != kinds.end() &&
          units[kind->second].callers.front()->statement.params.size() == p->statement.params.size()) {
        units[kind->second].callers.push_back(p);
        continue;
      }
      if (kind == kinds.end()) kinds.emplace_back(p->merge, units.size());
    }
    units.push_back(Unit{{p}, {}});
  }
  for (auto& unit : units) {
    if (unit.callers.size() < 2) continue;
    const auto& first = unit.callers.front();
    unit.merged.sql = first->merge->sql;
    std::vector<const Param*> column(unit.callers.size());
    for (size_t j = 0; j < first->statement.params.size(); ++j) {
      for (size_t k = 0; k < unit.callers.size(); ++k) column[k] = &unit.callers[k]->statement.params[j];
      unit.merged.params.emplace_back(array_literal(column));
    }
  }
  return units;
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
  bool merging = true;
  int retries = 0;
  while (!open.empty()) {
    auto units = plan(open, merging);
    std::vector<const Statement*> statements;
    statements.reserve(units.size() + session_.before_commit.size() + 3);
    statements.push_back(&kBegin);
    for (const auto& unit : units) statements.push_back(&unit.statement());
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
    const size_t n = units.size(), commit = statements.size() - 2;
    if (out[commit].result) {  // committed
      commits_.fetch_add(1);
      grouped_.fetch_add(static_cast<int64_t>(open.size()));
      if (const auto& position = out[commit + 1].result; position && !position->empty())
        db_.heard_position(parse_lsn(position->front().text(0)));
      for (size_t i = 0; i < n; ++i) settle(units[i], std::move(*out[i + 1].result));
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
    // committed; its callers get its error (or run again unmerged) and the others go again on a new connection.
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
    if (failed_alone) {
      const auto& unit = units[at - 1];
      if (unit.callers.size() > 1) {  // which of them failed is not known: each runs on its own
        merging = false;
        continue;
      }
      // One statement failed: its caller gets the error, the others go again.
      unit.callers.front()->promise.set_exception(error);
      open.erase(std::find(open.begin(), open.end(), unit.callers.front()));
      continue;
    }
    fail_all(error);  // BEGIN, a shared statement or COMMIT failed
    return;
  }
}

void GroupCommit::settle(const Unit& unit, Result result) {
  if (unit.callers.size() == 1) {
    unit.callers.front()->promise.set_value(std::move(result));
    return;
  }
  merged_.fetch_add(static_cast<int64_t>(unit.callers.size()));
  // The rows come in the callers' order, each ending with its caller's position.
  const int total = result.rows(), position = result.columns() - 1;
  int row = 0;
  for (size_t k = 0; k < unit.callers.size(); ++k) {
    int first = row;
    while (row < total && result.row(row).int64(position) == static_cast<int64_t>(k + 1)) ++row;
    unit.callers[k]->promise.set_value(result.slice(first, row - first));
  }
}

}  // namespace tribune::pg

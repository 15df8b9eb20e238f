// Many callers' small statements as one. A thread with a connection of its own takes whatever is queued (up to
// max_batch items, in the order they were queued) and hands it to `run` as one batch, so that N concurrent
// callers pay for one round trip, one transaction and one executor start instead of N: the rate-limit counts
// of concurrent requests (one upsert for all their keys) and the messages to other nodes (one NOTIFY for
// many). While a batch runs, the next one queues: a lone caller waits for no one.
//
// `run` settles every item of its batch (a waiting caller's promise, say) once its statement has succeeded, or
// throws before settling any; then `fail` settles them all with the error. A deadlock or serialization failure
// (nothing ran) runs the batch again, up to five times. A batch lost with its connection is run once more on a
// new connection if the items may run twice (rerun_lost: counting a hit twice costs nothing); otherwise the
// connection, idle for a moment, is checked before a batch goes on it (a server restart in between is then no
// error) and a batch lost in flight fails: whether it ran is unknown. Callers that wait for an answer use ask(),
// which gives up after a while: one connection stalled (a server gone silent) must not hold every request
// forever.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "model/error.h"
#include "store/postgres/pg.h"

namespace tribune::pg {

template <class Item>
class Batcher {
 public:
  using Run = std::function<void(Connection&, std::vector<Item>&)>;
  using Fail = std::function<void(std::vector<Item>&, const std::exception_ptr&)>;
  struct Options {
    std::vector<std::string> on_connect;  // session settings, run once per connection
    size_t max_batch = 256;
    bool rerun_lost = false;
  };

  Batcher(std::string conninfo, Options options, Run run, Fail fail)
      : conninfo_(std::move(conninfo)),
        options_(std::move(options)),
        run_(std::move(run)),
        fail_(std::move(fail)),
        thread_([this] { loop(); }) {}
  // Runs what is queued, then stops.
  ~Batcher() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }
  Batcher(const Batcher&) = delete;
  Batcher& operator=(const Batcher&) = delete;

  // For items that carry the promise of their answer (`done`), which `run` sets: queues the item and waits for
  // it; Error(unavailable, "store_unavailable") after `timeout` (the item may still run). fail_each is the
  // `fail` of such items.
  auto ask(Item item, std::chrono::milliseconds timeout) {
    auto done = item.done.get_future();
    push(std::move(item));
    if (done.wait_for(timeout) != std::future_status::ready)
      throw Error(ErrorKind::unavailable, "store_unavailable", "The store is unavailable; try again shortly.");
    return done.get();
  }
  static void fail_each(std::vector<Item>& batch, const std::exception_ptr& e) {
    for (auto& item : batch) item.done.set_exception(e);
  }

  // Throws Error(unavailable, "shutting_down") once the batcher is stopping.
  void push(Item item) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) throw Error(ErrorKind::unavailable, "shutting_down", "the server is shutting down.");
      queue_.push_back(std::move(item));
    }
    cv_.notify_one();
  }

 private:
  static constexpr auto kCheckAfterIdle = std::chrono::milliseconds(250);

  void loop() {
    for (;;) {
      std::vector<Item> batch;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;  // stopping, and nothing left
        while (!queue_.empty() && batch.size() < options_.max_batch) {
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
      }
      try {
        run_batch(batch);
      } catch (...) {
        try {
          fail_(batch, std::current_exception());
        } catch (...) {  // NOLINT(bugprone-empty-catch): nothing is left to tell, and the thread must go on
        }
      }
    }
  }

  void run_batch(std::vector<Item>& batch) {
    for (int attempt = 0, lost = 0;; ++attempt) {
      auto now = std::chrono::steady_clock::now();
      if (conn_ && !options_.rerun_lost && !conn_->broken() && now - used_ > kCheckAfterIdle) {
        try {
          conn_->exec("SELECT 1");
        } catch (const Error&) {
          // Marked broken: replaced below.
        }
      }
      if (!conn_ || conn_->broken()) connect();
      try {
        run_(*conn_, batch);
        used_ = std::chrono::steady_clock::now();
        return;
      } catch (const Error& e) {
        if (const auto* pe = dynamic_cast<const PgError*>(&e); pe && pe->retryable() && attempt < 5) {
          std::this_thread::sleep_for(std::chrono::milliseconds(5 * (attempt + 1)));
          continue;
        }
        if (!conn_->broken() || !options_.rerun_lost || lost++ > 0) throw;
      }
    }
  }

  void connect() {
    conn_.reset();
    auto conn = std::make_unique<Connection>(conninfo_);
    for (const auto& sql : options_.on_connect) conn->exec(sql);
    conn_ = std::move(conn);
  }

  std::string conninfo_;
  Options options_;
  Run run_;
  Fail fail_;
  std::unique_ptr<Connection> conn_;  // the thread's own
  std::chrono::steady_clock::time_point used_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Item> queue_;
  bool stopping_ = false;
  std::thread thread_;  // last: it starts once everything above is in place
};

}  // namespace tribune::pg

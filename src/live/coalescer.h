// Coalesces bursts of changes to one thing (a comment's reaction count) into at most one delivery per
// interval: the first change goes at once, the latest of those that follow within the interval goes when it
// ends, and the ones between are dropped. A hundred readers recommending one comment in a second cost its
// article's pages one live frame and one cache drop, not a hundred.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

namespace tribune {

class Coalescer {
 public:
  using Delivery = std::function<void()>;

  explicit Coalescer(std::chrono::milliseconds interval);
  ~Coalescer();  // drops what is still waiting
  Coalescer(const Coalescer&) = delete;
  Coalescer& operator=(const Coalescer&) = delete;

  // Runs deliver now (on the calling thread) when nothing was delivered for key within the interval;
  // otherwise keeps it, replacing any kept earlier, for the coalescer's thread to run when the interval ends.
  // deliver must not throw. Any thread.
  void offer(int64_t key, Delivery deliver);
  // Forgets what is kept for key: a fuller change to the same thing is being delivered, and the kept one
  // would arrive after it and undo it. Any thread.
  void cancel(int64_t key);

  uint64_t coalesced() const;  // deliveries dropped because a later one replaced them

 private:
  struct Entry {
    std::chrono::steady_clock::time_point last{};
    std::optional<Delivery> kept;
  };
  void run();

  const std::chrono::milliseconds interval_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::map<int64_t, Entry> entries_;
  uint64_t coalesced_ = 0;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace tribune

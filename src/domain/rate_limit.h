// Fixed-window rate limits per key ("signin:ip:1.2.3.4"). Thread-safe. Counted in memory, or in the store
// when the store is shared by several nodes (share_through), so that a limit holds across all of them.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

#include "model/error.h"
#include "store/roles/rate.h"

namespace tribune {

struct Limit {
  int count;
  std::chrono::seconds window;
};

class RateLimiter {
 public:
  // Counts one hit for key; throws Error(rate_limited) with retry_after set when over the limit.
  void hit(const std::string& key, Limit limit);
  // Counts one hit on each (distinct) key, in one store round trip when shared; throws for the first key over
  // its limit.
  struct Hit {
    std::string key;
    Limit limit;
  };
  void hit(const std::vector<Hit>& hits);
  // Clears a key (a successful sign-in clears its failures).
  void reset(const std::string& key);
  // Forgets windows older than a day, in memory and in the shared store (the background thread calls it
  // hourly): no limit is longer, and the keys name addresses and accounts.
  void sweep();
  // Counts in this store when it shares windows between nodes (Store::rate_hit); else in memory.
  void share_through(RateCounters* counters) { store_ = counters; }

 private:
  static Error limited(std::chrono::milliseconds left);
  void hit_in_memory(const std::string& key, Limit limit);
  RateCounters* store_ = nullptr;
  struct Window {
    std::chrono::steady_clock::time_point start;
    int count = 0;
  };
  std::mutex mu_;
  std::unordered_map<std::string, Window> windows_;
  size_t hits_since_sweep_ = 0;
};

}  // namespace tribune

// Fixed-window rate limits kept in memory, per key ("signin:ip:1.2.3.4"). Thread-safe.
// A later store-backed limiter will share counters across nodes behind the same interface.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

#include "domain/error.h"

namespace tribune {

struct Limit {
  int count;
  std::chrono::seconds window;
};

class RateLimiter {
 public:
  // Counts one hit for key; throws Error(rate_limited) with retry_after set when over the limit.
  void hit(const std::string& key, Limit limit);
  // Clears a key (a successful sign-in clears its failures).
  void reset(const std::string& key);

 private:
  struct Window {
    std::chrono::steady_clock::time_point start;
    int count = 0;
  };
  std::mutex mu_;
  std::unordered_map<std::string, Window> windows_;
  size_t hits_since_sweep_ = 0;
};

}  // namespace tribune

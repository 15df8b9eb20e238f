// Fixed-window rate limits per key ("signin:ip:1.2.3.4"). Thread-safe. Counted in memory, or in the store
// when the store is shared by several nodes (share_through), so that a limit holds across all of them.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

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

  // Hits counted at once and judged one by one: a comment counts against its attempt limits and, before the
  // rules have said whether it is kept, against its posting limit, all in one round trip (with the rules'
  // read, when the limits are shared through the store), and the posting hit is given back if it is not kept.
  class Tally {
   public:
    // Throws Error(rate_limited) with retry_after if hit i is over its limit.
    void check(size_t i) const;

   private:
    friend class RateLimiter;
    struct Counted {
      std::string key;
      std::optional<std::chrono::milliseconds> over;  // time left in its window, when over the limit
      // Where it was counted: the store counts every hit; memory none over its limit, nor any after one.
      enum class Where { nowhere, memory, store } where = Where::nowhere;
      std::chrono::milliseconds started{};                 // in the store: its window's start
      std::chrono::steady_clock::time_point started_here;  // in memory
    };
    std::vector<Counted> hits_;
  };
  // The store's count, made along with a read the caller needs anyway: given the keys to count, answers their
  // windows (RateCounters::rate_hits), or nullopt where the store does not share them.
  using CountAlong = std::function<std::optional<std::vector<RateWindow>>(const std::vector<RateKey>&)>;
  // Counts the hits (throws nothing over a limit: Tally::check does, and is to be called in the hits' order),
  // through `along` if given, else as hit(). In memory, as hit(), the hits after one over its limit are not
  // counted; the store counts every hit.
  Tally count(const std::vector<Hit>& hits, const CountAlong& along = {});
  // Uncounts hit i of the tally (it is not to count after all); a hit that was not counted stays so.
  void give_back(const Tally& tally, size_t i);
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
  // Counts one hit in memory unless it is over its limit; the time left in the window if it is.
  std::optional<std::chrono::milliseconds> count_in_memory(const std::string& key, Limit limit,
                                                           std::chrono::steady_clock::time_point& started);
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

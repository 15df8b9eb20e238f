// Rate-limit windows shared by the nodes.
// One role of the Store (store/store.h); the Store's contract holds for every method.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tribune {

struct RateWindow {
  int64_t count = 0;
  std::chrono::milliseconds started{};  // since the Unix epoch
};

struct RateKey {
  std::string key;
  std::chrono::milliseconds window;
};

class RateCounters {
 public:
  virtual ~RateCounters() = default;

  // Counts one hit on key in a fixed window of the given length and returns the window's count (this hit
  // included) and start. nullopt: this engine serves one process, whose limiter counts in memory.
  virtual std::optional<RateWindow> rate_hit(const std::string& key, std::chrono::milliseconds window) {
    (void)key;
    (void)window;
    return std::nullopt;
  }
  // Several keys at once, in one round trip where the engine can (a comment counts against its reader and
  // its address); windows in the order of `keys`, or nullopt like rate_hit. Keys must differ, and a key is
  // always counted in windows of the same length.
  virtual std::optional<std::vector<RateWindow>> rate_hits(const std::vector<RateKey>& keys) {
    std::vector<RateWindow> out;
    for (const auto& k : keys) {
      auto w = rate_hit(k.key, k.window);
      if (!w) return std::nullopt;
      out.push_back(*w);
    }
    return out;
  }
  // Uncounts one hit on key in the window that started at `started`: a hit counted ahead for something that
  // then did not happen (a comment counted as kept, and then not kept).
  virtual void rate_give_back(const std::string& key, std::chrono::milliseconds started) {
    (void)key;
    (void)started;
  }
  virtual void rate_reset(const std::string& key) { (void)key; }
  // Forgets every window that started before `before` (since the Unix epoch): the keys name addresses and
  // accounts, and are kept no longer than the limits need them.
  virtual void rate_sweep(std::chrono::milliseconds before) { (void)before; }
};

}  // namespace tribune

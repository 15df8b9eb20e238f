#include "domain/rate_limit.h"

namespace tribune {

void RateLimiter::hit(const std::string& key, Limit limit) {
  auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mu_);
  if (++hits_since_sweep_ > 10000) {  // keep memory bounded: drop windows that have ended
    hits_since_sweep_ = 0;
    std::erase_if(windows_, [&](const auto& kv) { return now - kv.second.start > std::chrono::hours(24); });
  }
  auto& w = windows_[key];
  if (w.count == 0 || now - w.start >= limit.window) {
    w.start = now;
    w.count = 0;
  }
  if (w.count >= limit.count) {
    auto left = std::chrono::duration_cast<std::chrono::seconds>(limit.window - (now - w.start)).count() + 1;
    Error e(ErrorKind::rate_limited, "rate_limited", "Too many attempts. Try again in " + std::to_string(left) + " seconds.");
    e.set_retry_after(static_cast<int>(left));
    throw e;
  }
  ++w.count;
}

void RateLimiter::reset(const std::string& key) {
  std::lock_guard lock(mu_);
  windows_.erase(key);
}

}  // namespace tribune

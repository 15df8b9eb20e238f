#include "domain/rate_limit.h"

#include <algorithm>

namespace tribune {

Error RateLimiter::limited(std::chrono::milliseconds left) {
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(left).count() + 1;
  Error e(ErrorKind::rate_limited, "rate_limited", "Too many attempts. Try again in " + std::to_string(seconds) + " seconds.");
  e.set_retry_after(static_cast<int>(seconds));
  return e;
}

void RateLimiter::hit(const std::string& key, Limit limit) {
  if (store_)
    if (auto w = store_->rate_hit(key, limit.window)) {
      if (w->count <= limit.count) return;
      auto now = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch());
      throw limited(std::max(std::chrono::milliseconds(0), w->started + limit.window - now));
    }
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
  if (w.count >= limit.count)
    throw limited(std::chrono::duration_cast<std::chrono::milliseconds>(limit.window - (now - w.start)));
  ++w.count;
}

void RateLimiter::reset(const std::string& key) {
  if (store_) store_->rate_reset(key);
  std::lock_guard lock(mu_);
  windows_.erase(key);
}

}  // namespace tribune

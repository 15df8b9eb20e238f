#include "domain/rate_limit.h"

#include <algorithm>

namespace tribune {

Error RateLimiter::limited(std::chrono::milliseconds left) {
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(left).count() + 1;
  Error e(ErrorKind::rate_limited, "rate_limited",
          "Too many attempts. Try again in " + std::to_string(seconds) + " seconds.");
  e.set_retry_after(static_cast<int>(seconds));
  return e;
}

void RateLimiter::hit(const std::string& key, Limit limit) {
  hit(std::vector<Hit>{{key, limit}});
}

void RateLimiter::hit(const std::vector<Hit>& hits) {
  if (store_) {
    std::vector<RateKey> keys;
    keys.reserve(hits.size());
    for (const auto& h : hits) keys.push_back({h.key, h.limit.window});
    if (auto windows = store_->rate_hits(keys)) {
      auto now =
          std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch());
      for (size_t i = 0; i < hits.size() && i < windows->size(); ++i) {
        const auto& w = (*windows)[i];
        if (w.count > hits[i].limit.count)
          throw limited(std::max(std::chrono::milliseconds(0), w.started + hits[i].limit.window - now));
      }
      return;
    }
  }
  for (const auto& h : hits) hit_in_memory(h.key, h.limit);
}

void RateLimiter::hit_in_memory(const std::string& key, Limit limit) {
  std::chrono::steady_clock::time_point started;
  if (auto left = count_in_memory(key, limit, started)) throw limited(*left);
}

std::optional<std::chrono::milliseconds> RateLimiter::count_in_memory(const std::string& key, Limit limit,
                                                                      std::chrono::steady_clock::time_point& started) {
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
  started = w.start;
  if (w.count >= limit.count)
    return std::chrono::duration_cast<std::chrono::milliseconds>(limit.window - (now - w.start));
  ++w.count;
  return std::nullopt;
}

RateLimiter::Tally RateLimiter::count(const std::vector<Hit>& hits, const CountAlong& along) {
  Tally tally;
  tally.hits_.reserve(hits.size());
  std::optional<std::vector<RateWindow>> windows;
  if (store_ && !hits.empty()) {
    std::vector<RateKey> keys;
    keys.reserve(hits.size());
    for (const auto& h : hits) keys.push_back({h.key, h.limit.window});
    windows = along ? along(keys) : store_->rate_hits(keys);
  }
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch());
  bool refused = false;  // in memory, as hit() does: the hits after the first over its limit are not counted
  for (size_t i = 0; i < hits.size(); ++i) {
    Tally::Counted c{.key = hits[i].key};
    if (windows && i < windows->size()) {
      const auto& w = (*windows)[i];
      c.where = Tally::Counted::Where::store;
      c.started = w.started;
      if (w.count > hits[i].limit.count)
        c.over = std::max(std::chrono::milliseconds(0), w.started + hits[i].limit.window - now);
    } else if (!refused) {
      c.over = count_in_memory(hits[i].key, hits[i].limit, c.started_here);
      if (!c.over) c.where = Tally::Counted::Where::memory;
      refused = c.over.has_value();
    }
    tally.hits_.push_back(std::move(c));
  }
  return tally;
}

void RateLimiter::Tally::check(size_t i) const {
  if (i < hits_.size() && hits_[i].over) throw limited(*hits_[i].over);
}

void RateLimiter::give_back(const Tally& tally, size_t i) {
  if (i >= tally.hits_.size()) return;
  const auto& c = tally.hits_[i];
  if (c.where == Tally::Counted::Where::store && store_) {
    store_->rate_give_back(c.key, c.started);
  } else if (c.where == Tally::Counted::Where::memory) {
    std::lock_guard lock(mu_);
    auto w = windows_.find(c.key);
    if (w != windows_.end() && w->second.start == c.started_here && w->second.count > 0) --w->second.count;
  }
}

void RateLimiter::sweep() {
  if (store_) {
    auto since_epoch =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch());
    store_->rate_sweep(since_epoch - std::chrono::hours(24));
  }
  auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mu_);
  std::erase_if(windows_, [&](const auto& kv) { return now - kv.second.start > std::chrono::hours(24); });
}

void RateLimiter::reset(const std::string& key) {
  if (store_) store_->rate_reset(key);
  std::lock_guard lock(mu_);
  windows_.erase(key);
}

}  // namespace tribune

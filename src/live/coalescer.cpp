#include "live/coalescer.h"

#include <vector>

namespace tribune {

Coalescer::Coalescer(std::chrono::milliseconds interval) : interval_(interval), thread_([this] { run(); }) {}

Coalescer::~Coalescer() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void Coalescer::offer(int64_t key, Delivery deliver) {
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mu_);
    auto& e = entries_[key];
    if (e.kept || now - e.last < interval_) {
      if (e.kept) ++coalesced_;
      e.kept = std::move(deliver);
      wake_.notify_all();
      return;
    }
    e.last = now;
  }
  deliver();
}

void Coalescer::cancel(int64_t key) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it != entries_.end() && it->second.kept) {
    it->second.kept.reset();
    ++coalesced_;
  }
}

uint64_t Coalescer::coalesced() const {
  std::lock_guard lock(mu_);
  return coalesced_;
}

void Coalescer::run() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    auto now = std::chrono::steady_clock::now();
    std::vector<Delivery> due;
    auto next = now + std::chrono::hours(1);
    for (auto it = entries_.begin(); it != entries_.end();) {
      auto& e = it->second;
      auto ready = e.last + interval_;
      if (e.kept && ready <= now) {
        due.push_back(std::move(*e.kept));
        e.kept.reset();
        e.last = now;
        next = std::min(next, now + interval_);
      } else if (!e.kept && ready <= now) {
        it = entries_.erase(it);  // quiet for a whole interval: nothing to remember
        continue;
      } else {
        next = std::min(next, ready);  // a frame kept for later, or a quiet interval still running
      }
      ++it;
    }
    if (!due.empty()) {
      lock.unlock();
      for (auto& d : due) d();
      lock.lock();
      continue;
    }
    wake_.wait_until(lock, next);
  }
}

}  // namespace tribune

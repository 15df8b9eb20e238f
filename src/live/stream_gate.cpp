#include "live/stream_gate.h"

namespace tribune {

StreamGate::Ticket StreamGate::admit(const std::string& address) {
  {
    std::lock_guard lock(mu_);
    auto& mine = by_address_[address];
    if (open_ >= limits_.total || mine >= limits_.per_address) {
      if (mine == 0) by_address_.erase(address);
      ++refused_;
      return nullptr;
    }
    ++mine;
    ++open_;
  }
  // The ticket's deleter gives the place back; the pointee only makes the ticket non-null.
  static const char held = 0;
  return Ticket(&held, [this, address](const void*) { release(address); });
}

void StreamGate::release(const std::string& address) {
  std::lock_guard lock(mu_);
  --open_;
  auto it = by_address_.find(address);
  if (it != by_address_.end() && --it->second == 0) by_address_.erase(it);
}

void StreamGate::set_limits(StreamLimits limits) {
  std::lock_guard lock(mu_);
  limits_ = limits;
}

StreamLimits StreamGate::limits() const {
  std::lock_guard lock(mu_);
  return limits_;
}

size_t StreamGate::open() const {
  std::lock_guard lock(mu_);
  return open_;
}

uint64_t StreamGate::refused() const {
  std::lock_guard lock(mu_);
  return refused_;
}

}  // namespace tribune

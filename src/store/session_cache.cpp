#include "store/session_cache.h"

namespace tribune {

std::optional<SessionLookup> SessionCache::find(const std::string& token_hash) const {
  std::shared_ptr<const SessionLookup> found;
  {
    std::lock_guard lock(mu_);
    auto it = entries_.find(token_hash);
    if (it == entries_.end() || std::chrono::steady_clock::now() - it->second.read_at >= max_age_) return std::nullopt;
    found = it->second.found;
  }
  hits_.fetch_add(1, std::memory_order_relaxed);
  return *found;
}

uint64_t SessionCache::epoch() const {
  std::lock_guard lock(mu_);
  return epoch_;
}

void SessionCache::put(const std::string& token_hash, const SessionLookup& found, uint64_t epoch) {
  if (max_age_.count() <= 0) return;
  auto entry = Entry{std::make_shared<const SessionLookup>(found), std::chrono::steady_clock::now()};
  std::lock_guard lock(mu_);
  if (epoch != epoch_ || suspended_) return;
  if (entries_.size() >= kMaxEntries) entries_.clear();
  entries_.insert_or_assign(token_hash, std::move(entry));
}

void SessionCache::clear() {
  forget_if([](const SessionLookup&) { return true; });
}

// The epoch moves on whatever was forgotten: a read under way may be of any session.
template <class Match>
void SessionCache::forget_if(Match match) {
  std::lock_guard lock(mu_);
  ++epoch_;
  std::erase_if(entries_, [&](const auto& e) { return match(*e.second.found); });
}

void SessionCache::forget(const std::string& token_hash) {
  std::lock_guard lock(mu_);
  ++epoch_;
  entries_.erase(token_hash);
}

void SessionCache::forget_account(int64_t account_id) {
  forget_if([&](const SessionLookup& s) { return s.account.id == account_id; });
}

void SessionCache::forget_session(int64_t session_id) {
  forget_if([&](const SessionLookup& s) { return s.session.id == session_id; });
}

void SessionCache::suspend() {
  {
    std::lock_guard lock(mu_);
    suspended_ = true;  // first: nothing read from now on is kept
  }
  clear();
}

void SessionCache::resume() {
  clear();
  std::lock_guard lock(mu_);
  suspended_ = false;
}

}  // namespace tribune

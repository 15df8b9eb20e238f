#include "store/sqlite/session_cache.h"

namespace tribune::sqlite {

std::optional<SessionLookup> SessionCache::find(const std::string& token_hash) const {
  std::shared_ptr<const SessionLookup> found;
  {
    std::lock_guard lock(mu_);
    auto it = entries_.find(token_hash);
    if (it == entries_.end() || std::chrono::steady_clock::now() - it->second.read_at >= kMaxAge) return std::nullopt;
    found = it->second.found;
  }
  return *found;
}

uint64_t SessionCache::epoch() const {
  std::lock_guard lock(mu_);
  return epoch_;
}

void SessionCache::put(const std::string& token_hash, const SessionLookup& found, uint64_t epoch) {
  auto entry = Entry{std::make_shared<const SessionLookup>(found), std::chrono::steady_clock::now()};
  std::lock_guard lock(mu_);
  if (epoch != epoch_) return;
  if (entries_.size() >= kMaxEntries) entries_.clear();
  entries_.insert_or_assign(token_hash, std::move(entry));
}

void SessionCache::clear() {
  std::lock_guard lock(mu_);
  ++epoch_;
  entries_.clear();
}

}  // namespace tribune::sqlite

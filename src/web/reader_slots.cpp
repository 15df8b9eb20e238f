#include "web/reader_slots.h"

#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <mutex>

namespace tribune::web {

// The token itself is a bearer secret: the map holds a digest of it, not the token.
ReaderSlots::Key ReaderSlots::key_of(std::string_view token) {
  Key k;
  crypto_generichash(k.data(), k.size(), reinterpret_cast<const unsigned char*>(token.data()), token.size(), nullptr,
                     0);
  return k;
}

size_t ReaderSlots::KeyHash::operator()(const Key& k) const noexcept {
  size_t h;
  std::memcpy(&h, k.data(), sizeof h);
  return h;
}

std::shared_ptr<const ReaderSlots::Reader> ReaderSlots::find(std::string_view session_token) const {
  auto key = key_of(session_token);
  std::shared_lock lock(mu_);
  auto it = readers_.find(key);
  if (it == readers_.end() || Steady::now() >= it->second->until) return nullptr;
  return it->second;
}

std::shared_ptr<const ReaderSlots::Reader> ReaderSlots::keep(const Principal& who,
                                                             PageRenderer::ReaderFragments fragments) {
  auto reader = std::make_shared<Reader>();
  reader->account_id = who.account_id;
  reader->fragments = std::move(fragments);
  reader->until = who.read_at + ttl_;
  auto key = key_of(who.session_token);
  auto now = Steady::now();
  std::unique_lock lock(mu_);
  if (who.read_at <= all_forgotten_ || now >= reader->until) return reader;
  if (auto f = forgotten_.find(who.account_id); f != forgotten_.end() && who.read_at <= f->second) return reader;
  if (readers_.size() >= max_readers_) {
    std::erase_if(readers_, [&](const auto& r) { return now >= r.second->until; });
    if (readers_.size() >= max_readers_) readers_.clear();
    keys_of_.clear();
    for (const auto& [k, r] : readers_) keys_of_[r->account_id].push_back(k);
  }
  readers_[key] = reader;
  auto& keys = keys_of_[who.account_id];
  if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
  return reader;
}

void ReaderSlots::forget(int64_t account_id) {
  auto now = Steady::now();
  std::unique_lock lock(mu_);
  forgotten_[account_id] = now;
  if (auto it = keys_of_.find(account_id); it != keys_of_.end()) {
    for (const auto& key : it->second) readers_.erase(key);
    keys_of_.erase(it);
  }
  if (forgotten_.size() <= 4 * max_readers_) return;
  std::erase_if(forgotten_, [&](const auto& f) { return now - f.second >= ttl_; });
  // Still this many readers dropped within one lifetime: drop everyone rather than keep count.
  if (forgotten_.size() > 2 * max_readers_) forget_all_locked(now);
}

void ReaderSlots::forget_all() {
  auto now = Steady::now();
  std::unique_lock lock(mu_);
  forget_all_locked(now);
}

void ReaderSlots::forget_all_locked(Steady::time_point now) {
  all_forgotten_ = now;
  readers_.clear();
  keys_of_.clear();
  forgotten_.clear();
}

size_t ReaderSlots::size() const {
  std::shared_lock lock(mu_);
  return readers_.size();
}

}  // namespace tribune::web

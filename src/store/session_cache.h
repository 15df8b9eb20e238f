// Signed-in readers' sessions as last read, so that a busy reader's requests skip the store: the lookup is a
// join of two tables, a sixth of the CPU of posting a comment (bench/post_comments.sh).
//
// The engine that owns a cache keeps it exact for its own writes: it forgets what a write changed (the
// session, the account's sessions, or everything when it cannot tell) before that write's caller is answered (a
// sign-out, a ban or a role change holds from the next request), and a read that began before a forget is not kept
// (epoch()). Changes made elsewhere are the engine's to report (SQLite: another process on the same file, within the
// max age; PostgreSQL: other nodes, by notification). While an engine cannot hear of changes made elsewhere it suspends
// the cache, which then neither finds nor keeps.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "model/account.h"

namespace tribune {

class SessionCache {
 public:
  static constexpr std::chrono::milliseconds kMaxAge{1000};
  static constexpr size_t kMaxEntries = 4096;  // then it starts again empty (a few MB at most)

  explicit SessionCache(std::chrono::milliseconds max_age = kMaxAge, bool suspended = false)
      : max_age_(max_age), suspended_(suspended) {}

  std::optional<SessionLookup> find(const std::string& token_hash) const;
  // Read before the store is: put() keeps a result only if nothing was forgotten since.
  uint64_t epoch() const;
  void put(const std::string& token_hash, const SessionLookup& found, uint64_t epoch);

  void clear();
  void forget(const std::string& token_hash);
  void forget_account(int64_t account_id);  // its sessions
  void forget_session(int64_t session_id);
  void suspend();  // empty, and stays so until resume()
  void resume();

  int64_t hits() const { return hits_.load(std::memory_order_relaxed); }

 private:
  template <class Match>
  void forget_if(Match match);

  struct Entry {
    std::shared_ptr<const SessionLookup> found;
    std::chrono::steady_clock::time_point read_at;
  };
  const std::chrono::milliseconds max_age_;
  mutable std::mutex mu_;
  bool suspended_;
  uint64_t epoch_ = 0;
  std::unordered_map<std::string, Entry> entries_;
  mutable std::atomic<int64_t> hits_{0};
};

}  // namespace tribune

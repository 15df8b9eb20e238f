// Signed-in readers' sessions as last read, so that a busy reader's requests skip the store: the lookup is a
// join of two tables on a pooled connection, a sixth of the CPU of posting a comment (bench/post_comments.sh).
//
// Exact for this process's writes: the writer empties the cache after every commit that changed a session or
// an account, before that commit's callers are answered (a sign-out, a ban or a role change holds from the
// next request), and a read that began before such a commit is not kept. A write by another process on the
// same file (the command line while the server runs) is seen within kMaxAge.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "model/account.h"

namespace tribune::sqlite {

class SessionCache {
 public:
  static constexpr std::chrono::milliseconds kMaxAge{1000};
  static constexpr size_t kMaxEntries = 4096;  // then it starts again empty (a few MB at most)

  std::optional<SessionLookup> find(const std::string& token_hash) const;
  // Read before the store is: put() keeps a result only if nothing was cleared since.
  uint64_t epoch() const;
  void put(const std::string& token_hash, const SessionLookup& found, uint64_t epoch);
  void clear();

 private:
  struct Entry {
    std::shared_ptr<const SessionLookup> found;
    std::chrono::steady_clock::time_point read_at;
  };
  mutable std::mutex mu_;
  uint64_t epoch_ = 0;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace tribune::sqlite

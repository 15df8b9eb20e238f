// What a signed-in reader's slots on a cached page need (who they are, their unread count, whom they ignore),
// remembered for a few seconds so that their next pages are served on the I/O thread like an anonymous
// reader's: no hop to the blocking pool, no store read (issue 19, item 5).
//
// A reader is remembered by a digest of their session token, from a page the blocking pool served them (the
// session read from the store, then the counts). Remembered state is dropped, on this node:
//  - for one reader, by their own state-changing request (sign-out, reading notifications, ignoring someone,
//    renaming, deleting the account) and by a notification written for them (live/fanout.h: this node's and
//    the other nodes' comments);
//  - for everyone, by a state-changing request of staff, of an API token or of nobody signed in that
//    succeeded (a role change, a ban, a password reset, a payment's webhook may change any reader's slot);
//  - for one reader, when the store hears that their account changed or a session of theirs ended on any node
//    (NodeBus::on_account_changed: PostgreSQL announces it), and for everyone when it may have missed that;
//  - after its lifetime in any case: what this node cannot hear of (an announcement lost with a connection
//    that broke unnoticed) shows in a reader's slot for at most that long, and only on pages every reader may
//    read (their name, their unread count, a dead session's CSRF token). Everything that acts or shows private data
//    authenticates against the store. Nodes sharing a store keep a reader kShared; a node alone (SQLite: no other
//    process changes accounts but `tribune account create`) hears of every change and keeps one kAlone, which also
//    bounds how late a session's idle time is noted and an expired session is seen.
//
// Memory: at most max_readers, each a few kilobytes of fragments (~25 MB at the default 8,192); when full,
// the expired go, and if that is not enough, everyone.
// A read that began before a drop is not remembered (keep() compares the session's read time with the drop),
// so a forgotten reader cannot come back from a request that was in flight.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "http/message.h"
#include "web/pages.h"

namespace tribune::web {

class ReaderSlots {
 public:
  using Steady = std::chrono::steady_clock;
  static constexpr std::chrono::milliseconds kShared{5000};
  static constexpr std::chrono::milliseconds kAlone{60000};

  struct Reader {
    int64_t account_id = 0;
    PageRenderer::ReaderFragments fragments;  // their slots, for any page (PageRenderer::place)
    Steady::time_point until{};
  };

  explicit ReaderSlots(std::chrono::milliseconds ttl = kShared, size_t max_readers = 8192)
      : ttl_(ttl), max_readers_(max_readers) {}

  // The reader this session token names, while remembered and fresh; null otherwise. Any thread (the I/O
  // threads' fast path).
  std::shared_ptr<const Reader> find(std::string_view session_token) const;
  // The reader's slots, remembered unless something dropped the reader (or everyone) after `who` was read
  // from the store (Principal::read_at) or that read is older than the lifetime. Returns them either way.
  // REQUIRES: who.signed_in(), and the fragments were rendered from what was read after who.
  std::shared_ptr<const Reader> keep(const Principal& who, PageRenderer::ReaderFragments fragments);
  void forget(int64_t account_id);
  void forget_all();

  size_t size() const;

 private:
  using Key = std::array<unsigned char, 16>;
  struct KeyHash {
    size_t operator()(const Key& k) const noexcept;
  };
  static Key key_of(std::string_view token);
  void forget_all_locked(Steady::time_point now);

  const std::chrono::milliseconds ttl_;
  const size_t max_readers_;
  mutable std::shared_mutex mu_;
  std::unordered_map<Key, std::shared_ptr<const Reader>, KeyHash> readers_;
  std::unordered_map<int64_t, std::vector<Key>> keys_of_;  // an account's sessions that may be remembered
  // When each account was last dropped, for keep(): entries older than the lifetime are pruned, since
  // keep() refuses reads that old anyway.
  std::unordered_map<int64_t, Steady::time_point> forgotten_;
  Steady::time_point all_forgotten_{};
};

}  // namespace tribune::web

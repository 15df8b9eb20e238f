// Messages between the processes sharing the store, and the positions that order their commits.
// One role of the Store (store/store.h); the Store's contract holds for every method.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/read_positions.h"

namespace tribune {

class NodeBus {
 public:
  virtual ~NodeBus() = default;

  // publish() sends a short line of text to every other process listening on the same store, without waiting
  // (not inside a write's transaction: call it after the write); one process's messages arrive in the order
  // it published them, and one that cannot be sent is logged and dropped (the receivers' caches catch up on
  // their next refresh). listen() delivers their messages to on_message, in order,
  // on a thread of the store's, and calls on_gap when a lost connection is back (messages may have been
  // missed meanwhile: drop caches). listen() returns once listening, or after at most 5 s without (then the
  // first connection counts as a gap). An engine used by one process only (SQLite) delivers nothing.
  // Errors (publish): invalid "message_too_large" past kMaxMessageBytes, "message_has_newline"; unavailable
  // "shutting_down".
  static constexpr size_t kMaxMessageBytes = 7900;  // PostgreSQL's NOTIFY takes at most 8,000 bytes
  virtual void publish(std::string_view message) { (void)message; }
  // Whether other processes can share this store, so that publish() may reach someone.
  virtual bool has_peers() const { return false; }
  // Calls changed(account_id) on a thread of the store's whenever it hears that an account changed or one of
  // its sessions ended, by any process sharing the store, this one included; changed(0): any account (what
  // was said while it could not listen is lost). An engine used by one process only tells nothing: that
  // process saw its own changes. Set before the first session lookup; a later call replaces it (nullptr: none;
  // once that call returns, the previous one is not running and will not run again).
  // NOLINTNEXTLINE(performance-unnecessary-value-param): this default (one node) keeps nothing.
  virtual void on_account_changed(std::function<void(int64_t account_id)> changed) { (void)changed; }
  // By value: an engine keeps both for the life of its listener.
  // NOLINTNEXTLINE(performance-unnecessary-value-param): this default (one node) keeps neither.
  virtual void listen(std::function<void(std::string_view)> on_message, std::function<void()> on_gap) {
    (void)on_message;
    (void)on_gap;
  }
  // Stops delivering; returns once no handler runs any more.
  virtual void stop_listening() {}

  // The newest position this process committed or heard of; heard_position() raises it for a change another
  // node committed (its message carries the position); sync_position() raises it to the primary's current
  // one (after a gap in messages, or at start). Engines without a replica answer 0 and do nothing.
  virtual uint64_t known_position() { return 0; }
  virtual void heard_position(uint64_t position) { (void)position; }
  virtual void sync_position() {}
};

}  // namespace tribune

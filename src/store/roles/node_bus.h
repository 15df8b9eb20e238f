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

namespace tribune {

// Read-your-writes when a lagging replica may answer reads. A position orders commits (PostgreSQL: a WAL
// position; 0: none, with engines that have no replica). Per thread: the engine sets `last_write` after each
// commit; the request layer sets `floor` (the newest write the current request must see, e.g. the reader's
// own last one) with a Scope around each request.
struct ReadPositions {
  static inline thread_local uint64_t floor = 0;
  static inline thread_local uint64_t last_write = 0;

  class Scope {
   public:
    explicit Scope(uint64_t request_floor) : saved_floor_(floor), saved_write_(last_write) {
      floor = request_floor;
      last_write = 0;
    }
    ~Scope() {
      floor = saved_floor_;
      last_write = saved_write_;
    }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    uint64_t saved_floor_, saved_write_;
  };
};

class NodeBus {
 public:
  virtual ~NodeBus() = default;

  // publish() sends a short text to every other process listening on the same store, at once (not inside a
  // write's transaction: call it after the write). listen() delivers their messages to on_message, in order,
  // on a thread of the store's, and calls on_gap when a lost connection is back (messages may have been
  // missed meanwhile: drop caches). An engine used by one process only (SQLite) delivers nothing.
  // Errors (publish): invalid "message_too_large" past kMaxMessageBytes; unavailable.
  static constexpr size_t kMaxMessageBytes = 7900;  // PostgreSQL's NOTIFY takes at most 8,000 bytes
  virtual void publish(std::string_view message) { (void)message; }
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

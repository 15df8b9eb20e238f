// Admission of live event streams. A stream holds a connection (a file descriptor) for as long as its reader
// keeps the page open, so without a cap one anonymous client could hold every descriptor the process has and
// take the whole server down. The gate caps open streams per client address and in total; past a cap the
// request is refused (503 too_many_streams with Retry-After) and the connection closed.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace tribune {

struct StreamLimits {
  size_t total = 10000;                    // open streams on this node
  size_t per_address = 64;                 // open streams from one client address (a newsroom or a school shares one)
  std::chrono::seconds write_timeout{30};  // a reader that takes longer to accept one write is dropped
};

class StreamGate {
 public:
  explicit StreamGate(StreamLimits limits = {}) : limits_(limits) {}

  // Holds one place until the last copy is destroyed. Null when the address or the node is at its cap.
  // Any thread.
  using Ticket = std::shared_ptr<const void>;
  Ticket admit(const std::string& address);

  void set_limits(StreamLimits limits);
  StreamLimits limits() const;
  size_t open() const;
  uint64_t refused() const;

 private:
  void release(const std::string& address);

  mutable std::mutex mu_;
  StreamLimits limits_;
  size_t open_ = 0;
  uint64_t refused_ = 0;
  std::unordered_map<std::string, size_t> by_address_;
};

}  // namespace tribune

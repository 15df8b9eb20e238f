// One frame to many sockets at once: the fan-out of a live frame to the parked readers of one I/O thread.
//
// Through io_uring where the kernel offers it: one system call carries hundreds of sends, and on a virtual
// machine with page-table isolation a system call's entry and exit cost about as much as a small send itself
// (measured on the development machine: 7.9 µs a send() against 5.0 µs a send through the ring). Elsewhere
// (an old kernel, a seccomp filter such as the systemd unit's, which refuses io_uring) a send() each.
//
// Never blocks: every send is non-blocking. A ring whose kernel would wait for room rather than answer "would
// block" at once is checked for when the ring is made, and not used.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace tribune {

class SendBatch {
 public:
  // The calling thread's batch: each I/O thread has its own ring, made on first use.
  static SendBatch& for_this_thread();

  // use_ring false: a send() each (tests compare the two ways).
  explicit SendBatch(bool use_ring = true);
  ~SendBatch();
  SendBatch(const SendBatch&) = delete;
  SendBatch& operator=(const SendBatch&) = delete;

  // Sends the frame to every socket in fds. results[i] is how many bytes fds[i] took: all of them, fewer, 0 when
  // its buffer is full; or -errno when the socket failed (-EPIPE: the reader has gone). No SIGPIPE.
  void send(const std::vector<int>& fds, const std::shared_ptr<const std::string>& frame,
            std::vector<ssize_t>& results);

  bool uses_ring() const { return ring_ != nullptr; }

 private:
  struct Ring;
  void make_ring();
  void give_up(size_t from, size_t to, const std::shared_ptr<const std::string>& frame, std::vector<ssize_t>& results);

  std::unique_ptr<Ring> ring_;
  bool may_retry_ = false;  // the ring could not be made for a passing reason (out of descriptors)
  std::chrono::steady_clock::time_point retry_at_;
};

}  // namespace tribune

#include "live/send_batch.h"

#include <liburing.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <limits>
#include <mutex>
#include <string>
#include <system_error>

namespace tribune {

namespace {

constexpr unsigned kEntries = 512;  // sends a system call carries (submission queue 32 KB, completions 16 KB)
constexpr ssize_t kPending = std::numeric_limits<ssize_t>::min();
constexpr int kFlags = MSG_DONTWAIT | MSG_NOSIGNAL;

ssize_t result(ssize_t n, int error) {
  if (n >= 0) return n;
  if (error == EAGAIN || error == EWOULDBLOCK || error == EINTR) return 0;  // the buffer is full: queued
  return -error;
}

ssize_t send_one(int fd, std::string_view bytes) {
  ssize_t n = ::send(fd, bytes.data(), bytes.size(), kFlags);
  return result(n, n < 0 ? errno : 0);
}

enum class Probe { at_once, waits, unknown };

// Whether a non-blocking send on a full socket completes at once with "would block". A kernel that instead
// waited for room would stall the I/O thread behind one reader that stopped reading. Unknown when the probe's
// own sockets cannot be had (out of descriptors).
Probe answers_at_once(io_uring& ring) {
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair) != 0) return Probe::unknown;
  static const char fill[4096] = {};  // static: a send left waiting must not point into a returned frame
  while (::send(pair[0], fill, sizeof fill, kFlags) > 0) {
  }
  Probe probe = Probe::waits;
  if (io_uring_sqe* sqe = io_uring_get_sqe(&ring)) {
    io_uring_prep_send(sqe, pair[0], fill, 1, kFlags);
    io_uring_cqe* cqe = nullptr;
    __kernel_timespec wait{.tv_sec = 0, .tv_nsec = 200'000'000};
    if (io_uring_submit(&ring) == 1 && io_uring_wait_cqe_timeout(&ring, &cqe, &wait) == 0 && cqe) {
      if (cqe->res == -EAGAIN) probe = Probe::at_once;
      io_uring_cqe_seen(&ring, cqe);
    }
  }
  ::close(pair[0]);
  ::close(pair[1]);
  return probe;
}

std::atomic<bool> told{false};

void tell_once(const std::string& how) {
  if (!told.exchange(true)) spdlog::info("live readers' frames go out {}", how);
}

}  // namespace

struct SendBatch::Ring {
  io_uring ring{};
  bool made = false;
  ~Ring() {
    if (made) io_uring_queue_exit(&ring);
  }
};

SendBatch& SendBatch::for_this_thread() {
  thread_local SendBatch batch;
  return batch;
}

SendBatch::SendBatch(bool use_ring) : may_retry_(use_ring) {
  if (use_ring) make_ring();
}

void SendBatch::make_ring() {
  retry_at_ = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  auto ring = std::make_unique<Ring>();
  // SUBMIT_ALL: a send that cannot even start (a closed descriptor) answers with its error and the rest still go.
  if (int rc = io_uring_queue_init(kEntries, &ring->ring, IORING_SETUP_SUBMIT_ALL); rc < 0) {
    // Out of descriptors or memory passes (a flood of connections): try again later. Anything else lasts.
    may_retry_ = rc == -EMFILE || rc == -ENFILE || rc == -ENOMEM;
    if (!may_retry_)
      tell_once("a send() each: io_uring is not available (" + std::error_code(-rc, std::system_category()).message() +
                ")");
    return;
  }
  ring->made = true;
  Probe probe = answers_at_once(ring->ring);
  may_retry_ = probe == Probe::unknown;
  if (probe == Probe::waits) tell_once("a send() each: this kernel's io_uring would wait on a full socket");
  if (probe != Probe::at_once) return;
  tell_once("through io_uring, many sends a system call");
  ring_ = std::move(ring);
}

SendBatch::~SendBatch() = default;

void SendBatch::send(const std::vector<int>& fds, const std::shared_ptr<const std::string>& frame,
                     std::vector<ssize_t>& results) {
  std::string_view bytes = *frame;
  results.assign(fds.size(), kPending);
  if (!ring_ && may_retry_ && std::chrono::steady_clock::now() >= retry_at_) make_ring();
  for (size_t begin = 0; ring_ && begin < fds.size(); begin += kEntries) {
    io_uring& ring = ring_->ring;
    size_t end = std::min(fds.size(), begin + kEntries);
    for (size_t i = begin; i < end; ++i) {
      io_uring_sqe* sqe = io_uring_get_sqe(&ring);  // never null: the queue is empty and holds kEntries
      io_uring_prep_send(sqe, fds[i], bytes.data(), bytes.size(), kFlags);
      io_uring_sqe_set_data64(sqe, i);
    }
    // Each send completes while it is submitted (non-blocking, checked when the ring was made): one system
    // call, and the answers are already there. The kernel takes submissions in order: the first `submitted`.
    size_t submitted = 0, seen = 0;
    for (int tries = 0; tries < 3 && io_uring_sq_ready(&ring) > 0; ++tries) {
      int rc = io_uring_submit(&ring);
      if (rc > 0) submitted += static_cast<size_t>(rc);
    }
    while (seen < submitted) {
      io_uring_cqe* cqe = nullptr;
      __kernel_timespec wait{.tv_sec = 0, .tv_nsec = 100'000'000};
      int rc = io_uring_wait_cqe_timeout(&ring, &cqe, &wait);
      if (rc == -EINTR) continue;
      if (rc < 0 || !cqe) break;
      if (cqe->user_data >= begin && cqe->user_data < end)
        results[cqe->user_data] = cqe->res < 0 ? result(-1, -cqe->res) : cqe->res;
      io_uring_cqe_seen(&ring, cqe);
      ++seen;
    }
    if (seen < end - begin) give_up(begin, begin + submitted, frame, results);
  }
  for (size_t i = 0; i < fds.size(); ++i)
    if (results[i] == kPending) results[i] = send_one(fds[i], bytes);  // unsubmitted, or no ring
}

// The ring failed (it should not). A send it took but did not answer may still go out, reading the frame: the
// ring and the frame are kept (leaked, once per thread) rather than freed under it, and those readers are
// dropped (-EIO) rather than sent the frame again, which could give them it twice; a comment stream's
// reader resumes from its Last-Event-ID. Sends it never took go out a send() each, as do later frames.
void SendBatch::give_up(size_t from, size_t to, const std::shared_ptr<const std::string>& frame,
                        std::vector<ssize_t>& results) {
  size_t unanswered = 0;
  for (size_t i = from; i < to; ++i)
    if (results[i] == kPending) {
      results[i] = -EIO;
      ++unanswered;
    }
  spdlog::warn("live readers' frames: io_uring left {} sends unanswered; a send() each from now on", unanswered);
  if (unanswered > 0) {
    static std::mutex mu;
    static std::vector<std::pair<std::unique_ptr<Ring>, std::shared_ptr<const std::string>>> kept;
    std::lock_guard lock(mu);
    kept.emplace_back(std::move(ring_), frame);
  }
  ring_.reset();
}

}  // namespace tribune

#include "live/send_batch.h"

#include <liburing.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <limits>
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

// Whether a non-blocking send on a full socket completes at once with "would block". A kernel that instead
// waited for room would stall the I/O thread behind one reader that stopped reading.
bool answers_at_once(io_uring& ring) {
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair) != 0) return false;
  static const char fill[4096] = {};  // static: a send left waiting must not point into a returned frame
  while (::send(pair[0], fill, sizeof fill, kFlags) > 0) {
  }
  bool at_once = false;
  if (io_uring_sqe* sqe = io_uring_get_sqe(&ring)) {
    io_uring_prep_send(sqe, pair[0], fill, 1, kFlags);
    io_uring_cqe* cqe = nullptr;
    __kernel_timespec wait{.tv_sec = 1, .tv_nsec = 0};
    if (io_uring_submit(&ring) == 1 && io_uring_wait_cqe_timeout(&ring, &cqe, &wait) == 0 && cqe) {
      at_once = cqe->res == -EAGAIN;
      io_uring_cqe_seen(&ring, cqe);
    }
  }
  ::close(pair[0]);
  ::close(pair[1]);
  return at_once;
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
  may_retry_ = false;
  if (!answers_at_once(ring->ring)) {
    tell_once("a send() each: this kernel's io_uring would wait on a full socket");
    return;
  }
  tell_once("through io_uring, many sends a system call");
  ring_ = std::move(ring);
}

SendBatch::~SendBatch() = default;

void SendBatch::send(const std::vector<int>& fds, std::string_view bytes, std::vector<ssize_t>& results) {
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
    // Each send completes while it is submitted (non-blocking, checked when the ring was made): one system call.
    size_t want = end - begin, seen = 0;
    int submitted = 0;
    for (int tries = 0; tries < 3 && io_uring_sq_ready(&ring) > 0; ++tries) {
      int rc = io_uring_submit(&ring);
      if (rc > 0) submitted += rc;
    }
    while (seen < static_cast<size_t>(submitted)) {
      io_uring_cqe* cqe = nullptr;
      int rc = io_uring_wait_cqe(&ring, &cqe);
      if (rc == -EINTR) continue;
      if (rc < 0) break;
      results[cqe->user_data] = cqe->res < 0 ? result(-1, -cqe->res) : cqe->res;
      io_uring_cqe_seen(&ring, cqe);
      ++seen;
    }
    if (seen < want) {
      // The ring failed (it should not). Whether its unanswered sends went out is unknown, and sending them again
      // could give a reader a frame twice: those readers are dropped instead (they resume from their
      // Last-Event-ID), the ring is given up, and the rest go out a send() each.
      spdlog::warn("live readers' frames: io_uring failed after {} of {} sends; a send() each from now on", seen,
                   want);
      for (size_t i = begin; i < end; ++i)
        if (results[i] == kPending) results[i] = -EIO;
      ring_.reset();
    }
  }
  for (size_t i = 0; i < fds.size(); ++i)
    if (results[i] == kPending) results[i] = send_one(fds[i], bytes);
}

}  // namespace tribune

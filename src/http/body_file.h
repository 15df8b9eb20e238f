// A response body kept in a sealed memory file (memfd), so that it can be sent with sendfile(2): the kernel
// hands the file's pages to the socket instead of copying the bytes in from user memory for every response,
// as nginx serves a static file. For bodies shared by many responses (a cached page, its JSON), where that
// copy is most of what a response costs the kernel. Each file holds a descriptor, from the limit the live
// readers' streams also need: at most kMaxFiles exist at once, and a body past that is sent from memory.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

namespace tribune {

class BodyFile {
 public:
  static constexpr size_t kMinSize = size_t{16} * 1024;  // below this, a copy costs less than a second system call
  static constexpr int kMaxFiles = 256;

  // A file holding bytes' content, or null: too small, kMaxFiles exist already, or the system refused
  // (memfd_create filtered out, no memory). The bytes must not change while the file is in use.
  static std::shared_ptr<const BodyFile> make(const std::shared_ptr<const std::string>& bytes);
  ~BodyFile();
  BodyFile(const BodyFile&) = delete;
  BodyFile& operator=(const BodyFile&) = delete;

  int fd() const { return fd_; }
  size_t size() const { return size_; }
  // Whether this file holds `bytes` (the very string it was made from): a response whose body was replaced
  // after the file was attached is sent from memory.
  bool holds(const std::shared_ptr<const std::string>& bytes) const { return bytes && bytes.get() == source_; }

  static int open_files() { return open_.load(std::memory_order_relaxed); }
  // Responses sent whole from a file (counted by the server, for /metrics).
  static void count_sent() { sent_.fetch_add(1, std::memory_order_relaxed); }
  static uint64_t sent() { return sent_.load(std::memory_order_relaxed); }

 private:
  BodyFile(int fd, size_t size, const std::string* source) : fd_(fd), size_(size), source_(source) {}
  int fd_;
  size_t size_;
  const std::string* source_;
  static inline std::atomic<int> open_{0};
  static inline std::atomic<uint64_t> sent_{0};
};

}  // namespace tribune

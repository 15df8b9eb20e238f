// A response body kept in a sealed memory file (memfd), so that it can be sent with sendfile(2): the kernel
// hands the file's pages to the socket instead of copying the bytes in from user memory for every response,
// as nginx serves a static file. For bodies shared by many responses (a cached page, its JSON), where that
// copy is most of what a response costs the kernel. Each file holds a descriptor, from the limit the live
// readers' streams also need: at most max_files() exist at once, and a body past that is sent from memory.
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
  // kMaxFiles, or a sixteenth of the process's open-file limit where that is less (read once).
  static int max_files();

  // A file holding bytes' content, or null: too small, max_files() exist already, or the system refused
  // (memfd_create filtered out, out of descriptors or memory). The bytes must not change while the file is
  // in use.
  static std::shared_ptr<const BodyFile> make(const std::shared_ptr<const std::string>& bytes);
  ~BodyFile();
  BodyFile(const BodyFile&) = delete;
  BodyFile& operator=(const BodyFile&) = delete;

  int fd() const { return fd_; }
  size_t size() const { return size_; }
  // Whether this file holds `bytes`: the very string it was made from, still alive (another string at the
  // same address, made after that one was freed, is not it). A response whose body was replaced after the
  // file was attached is sent from memory.
  bool holds(const std::shared_ptr<const std::string>& bytes) const {
    return bytes && bytes.get() == source_ptr_ && !source_.expired();
  }

  static int open_files() { return open_.load(std::memory_order_relaxed); }
  // Responses sent whole with sendfile (counted by the server, for /metrics).
  static void count_sent() { sent_.fetch_add(1, std::memory_order_relaxed); }
  static uint64_t sent() { return sent_.load(std::memory_order_relaxed); }
  // Set when the system refused sendfile itself (a system-call filter): no response tries it again.
  static void refused() { refused_.store(true, std::memory_order_relaxed); }
  static bool usable() { return !refused_.load(std::memory_order_relaxed); }

 private:
  BodyFile(int fd, const std::shared_ptr<const std::string>& source)
      : fd_(fd), size_(source->size()), source_ptr_(source.get()), source_(source) {}
  int fd_;
  size_t size_;
  const std::string* source_ptr_;
  std::weak_ptr<const std::string> source_;
  static inline std::atomic<int> open_{0};
  static inline std::atomic<uint64_t> sent_{0};
  static inline std::atomic<bool> refused_{false};
};

}  // namespace tribune

#include "http/body_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace tribune {

int BodyFile::max_files() {
  static const int limit = [] {
    rlimit files{};
    if (::getrlimit(RLIMIT_NOFILE, &files) != 0 || files.rlim_cur == RLIM_INFINITY) return kMaxFiles;
    return static_cast<int>(std::min<rlim_t>(kMaxFiles, files.rlim_cur / 16));
  }();
  return limit;
}

namespace {

int memory_file() {
  constexpr unsigned kFlags = MFD_CLOEXEC | MFD_ALLOW_SEALING;
#ifdef MFD_NOEXEC_SEAL
  // Where vm.memfd_noexec asks for it (Linux 6.3+); an older kernel refuses the flag: then without it.
  int fd = ::memfd_create("tribune-body", kFlags | MFD_NOEXEC_SEAL);
  if (fd >= 0 || errno != EINVAL) return fd;
#endif
  return ::memfd_create("tribune-body", kFlags);
}

}  // namespace

std::shared_ptr<const BodyFile> BodyFile::make(const std::shared_ptr<const std::string>& bytes) {
  if (!bytes || bytes->size() < kMinSize || !usable() || open_files() >= max_files()) return nullptr;
  if (open_.fetch_add(1, std::memory_order_relaxed) >= max_files()) {
    open_.fetch_sub(1, std::memory_order_relaxed);
    return nullptr;
  }
  int fd = memory_file();
  bool ok = fd >= 0;
  for (size_t done = 0; ok && done < bytes->size();) {
    ssize_t n = ::write(fd, bytes->data() + done, bytes->size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  // Sealed: nothing, this process included, can change what responses in flight are reading.
  ok = ok && ::fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) == 0;
  if (!ok) {
    if (fd >= 0) ::close(fd);
    open_.fetch_sub(1, std::memory_order_relaxed);
    return nullptr;
  }
  return std::shared_ptr<const BodyFile>(new BodyFile(fd, bytes));
}

BodyFile::~BodyFile() {
  ::close(fd_);
  open_.fetch_sub(1, std::memory_order_relaxed);
}

}  // namespace tribune

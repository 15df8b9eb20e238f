#include "http/body_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>

namespace tribune {

std::shared_ptr<const BodyFile> BodyFile::make(const std::shared_ptr<const std::string>& bytes) {
  if (!bytes || bytes->size() < kMinSize) return nullptr;
  if (open_.fetch_add(1, std::memory_order_relaxed) >= kMaxFiles) {
    open_.fetch_sub(1, std::memory_order_relaxed);
    return nullptr;
  }
  int fd = ::memfd_create("tribune-body", MFD_CLOEXEC | MFD_ALLOW_SEALING);
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
  return std::shared_ptr<const BodyFile>(new BodyFile(fd, bytes->size(), bytes.get()));
}

BodyFile::~BodyFile() {
  ::close(fd_);
  open_.fetch_sub(1, std::memory_order_relaxed);
}

}  // namespace tribune

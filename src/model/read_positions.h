// The positions that order commits, as the request being served on this thread knows them: shared by the
// store (which sets them) and the request layer (which scopes them to a request; http/read_your_writes.h).
#pragma once

#include <cstdint>

namespace tribune {

// Read-your-writes when a lagging replica or a cached page may answer reads. A position orders commits
// (PostgreSQL: a WAL position; SQLite: the commit's time in microseconds, and no replica: there it only marks
// a reader who just wrote, whose next pages skip the caches). Per thread: the engine sets `last_write` after each
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

}  // namespace tribune

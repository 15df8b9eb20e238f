// The store as a whole: its schema, its health and its figures.
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

#include "model/article.h"

namespace tribune {

struct StoreStats {
  int64_t articles = 0;
  int64_t group_commits = 0;           // commits made by the write path
  int64_t grouped_writes = 0;          // writes carried by those commits
  int64_t merged_writes = 0;           // PostgreSQL: of those, run as part of a statement shared with others
  int64_t sessions_cached = 0;         // session lookups answered from memory (store/session_cache.h)
  std::optional<int64_t> checkpoints;  // SQLite: checkpoints its checkpointer thread made (pages copied)
  bool replica = false;                // a read replica is configured; then:
  int64_t replica_reads = 0;           //   reads it answered
  int64_t replica_behind = 0;          //   reads sent to the primary because it had not replayed what they need
  int64_t replica_failures = 0;        //   reads sent to the primary because it failed
};

class StoreAdmin {
 public:
  virtual ~StoreAdmin() = default;

  // Brings the schema up to date; safe to call from several processes at once (one applies each step).
  virtual void migrate() = 0;
  virtual int schema_version() = 0;

  // Adds one to a named counter (a durable write, like any other).
  virtual void bump_counter(const std::string& name) = 0;

  // "ok" when the engine's own consistency check passes, else its first complaint.
  virtual std::string integrity_check() = 0;
  virtual StoreStats stats() = 0;
};

}  // namespace tribune

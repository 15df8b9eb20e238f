// The audit log: every moderation and admin act, append-only (the engine refuses updates and deletes).
// One role of the Store (store/store.h); the Store's contract holds for every method.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/moderation.h"

namespace tribune {

class AuditLog {
 public:
  virtual ~AuditLog() = default;

  // Records an act that is not already logged by the store method doing it (role changes, tokens).
  virtual void audit(std::optional<int64_t> actor_id, const std::string& action, std::optional<int64_t> account_id,
                     const std::string& detail) = 0;
  virtual std::vector<LogEntry> audit_log(const LogQuery& q) = 0;
};

}  // namespace tribune

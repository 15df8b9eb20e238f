// API tokens for integrations: "trb_" + 256 random bits, shown once, stored as SHA-256.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "model/account.h"
#include "store/roles/audit.h"
#include "store/roles/tokens.h"

namespace tribune {

class TokenService {
 public:
  using Now = std::function<TimePoint()>;
  TokenService(TokenStore& store, AuditLog& audit, Now now = now_seconds)
      : store_(store), audit_(audit), now_(std::move(now)) {}

  struct Created {
    std::string token;  // the only time the secret exists in clear
    ApiToken record;
  };
  // Throws Error(invalid) for an unknown role or a bad name. actor_id: the admin who asked (none: the CLI).
  Created create(const std::string& name, const std::string& role, std::optional<int64_t> actor_id = std::nullopt);
  // The token's record when the secret is valid and not revoked. Records the use, at most once a minute per
  // token (a write per API call would make every call a write).
  std::optional<ApiToken> authenticate(std::string_view token) const;
  std::vector<ApiToken> list() const { return store_.list_api_tokens(); }
  // Revokes at once, on every node (tokens are looked up in the store on every call). Error(not_found) for no
  // such token; revoking a revoked token is no error and changes nothing.
  void revoke(int64_t id, std::optional<int64_t> actor_id = std::nullopt);

  static constexpr std::chrono::seconds kUseResolution{60};

 private:
  TokenStore& store_;
  AuditLog& audit_;
  Now now_;
};

std::string sha256(std::string_view data);

}  // namespace tribune

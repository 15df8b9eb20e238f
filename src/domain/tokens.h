// API tokens for integrations: "trb_" + 256 random bits, shown once, stored as SHA-256.
#pragma once

#include <optional>
#include <string>

#include "model/account.h"
#include "store/roles/audit.h"
#include "store/roles/tokens.h"

namespace tribune {

class TokenService {
 public:
  explicit TokenService(TokenStore& store, AuditLog& audit) : store_(store), audit_(audit) {}

  struct Created {
    std::string token;  // the only time the secret exists in clear
    ApiToken record;
  };
  // Throws Error(invalid) for an unknown role or a bad name.
  Created create(const std::string& name, const std::string& role);
  // The token's record when the secret is valid and not revoked.
  std::optional<ApiToken> authenticate(std::string_view token) const;

 private:
  TokenStore& store_;
  AuditLog& audit_;
};

std::string sha256(std::string_view data);

}  // namespace tribune

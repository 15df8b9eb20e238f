// API tokens for integrations.
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

class TokenStore {
 public:
  virtual ~TokenStore() = default;

  // token_hash is the SHA-256 of the token; the token itself is never stored.
  virtual ApiToken create_api_token(const std::string& token_hash, const std::string& name, Role role) = 0;
  virtual std::optional<ApiToken> find_api_token(const std::string& token_hash) = 0;  // not revoked ones
  // Every token, revoked ones too, newest first.
  virtual std::vector<ApiToken> list_api_tokens() = 0;
  // Revokes the token at `now`: it authenticates nothing from then on, on every node. False when there is no
  // such token or it was already revoked (its revoked_at stays the first one).
  virtual bool revoke_api_token(int64_t id, TimePoint now) = 0;
  virtual void touch_api_token(int64_t id, TimePoint now) = 0;  // sets last_used_at
};

}  // namespace tribune

// JSON API v1: API tokens (admin; session or token). The secret exists in clear only in create's answer.
#pragma once

#include <boost/json.hpp>

#include "domain/tokens.h"
#include "http/message.h"

namespace tribune::api {

class TokensApi {
 public:
  explicit TokensApi(TokenService& tokens) : tokens_(tokens) {}

  // GET /api/v1/tokens -> {tokens: [{id, name, role, created_at, last_used_at, revoked_at}]}, newest first
  Response list(RequestContext& ctx);
  // POST /api/v1/tokens {name, role} -> 201 {token: "trb_...", id, name, role, created_at, ...}
  Response create(RequestContext& ctx);
  // DELETE /api/v1/tokens/{id} -> 204 (also when already revoked); 404 for no such token
  Response revoke(RequestContext& ctx);

  static boost::json::object to_json(const ApiToken& t);

 private:
  TokenService& tokens_;
};

}  // namespace tribune::api

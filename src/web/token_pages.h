// API tokens in the browser (admin): the list with last use, creating one (its secret shown once, on the
// answer to the form) and revoking. api/tokens_api.h is its counterpart.
#pragma once

#include "domain/tokens.h"
#include "web/page_kit.h"

namespace tribune::web {

class TokenPages : public PageKit {
 public:
  TokenPages(const PageKit& kit, TokenService& tokens) : PageKit(kit), tokens_(tokens) {}

  Response list(RequestContext& ctx);    // GET /admin/tokens?revoked=ID
  Response create(RequestContext& ctx);  // POST /admin/tokens {name, role}: the list, the new secret on top
  Response revoke(RequestContext& ctx);  // POST /admin/tokens/{id}/revoke

 private:
  struct Shown {
    std::string secret;  // a token just created
    std::string notice;
    std::string error;
    std::string name, role;  // what was typed, when creating failed
  };
  Response page(RequestContext& ctx, http::status status, const Shown& shown);

  TokenService& tokens_;
};

}  // namespace tribune::web

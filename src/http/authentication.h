// Who is calling: the pipeline's authenticator (http/pipeline.h). A request carries either a session cookie
// or "Authorization: Bearer <API token>", never both kinds of credential at once: a bearer header is the
// request's credential whenever present. The lookups are the account and token services, handed in by the
// composition root.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "http/message.h"
#include "model/account.h"
#include "model/article.h"

namespace tribune {

class Authentication {
 public:
  using Sessions = std::function<std::optional<SignedIn>(std::string_view session_token)>;
  using Tokens = std::function<std::optional<ApiToken>(std::string_view api_token)>;

  // embed_cookie_name: an embed frame's session cookie (docs/embed.md), read before cookie_name when sent.
  Authentication(std::string cookie_name, Sessions sessions, Tokens tokens, std::string embed_cookie_name = {})
      : cookie_name_(std::move(cookie_name)),
        embed_cookie_name_(std::move(embed_cookie_name)),
        sessions_(std::move(sessions)),
        tokens_(std::move(tokens)) {}

  // Anonymous without credentials; a cookie naming no live session is anonymous with stale_session_cookie
  // set (the answer clears it). Errors: unauthenticated invalid_token for a malformed or unknown bearer token.
  Principal operator()(const Request& request) const;

 private:
  std::string cookie_name_;
  std::string embed_cookie_name_;
  Sessions sessions_;
  Tokens tokens_;
};

}  // namespace tribune

#include "http/authentication.h"

#include <memory>

#include "http/cookies.h"
#include "model/error.h"

namespace tribune {

Principal Authentication::operator()(const Request& request) const {
  auto auth = request[http::field::authorization];
  if (auth.empty()) {
    std::optional<std::string_view> token;
    if (!embed_cookie_name_.empty()) token = cookie_value(request[http::field::cookie], embed_cookie_name_);
    if (!token) token = cookie_value(request[http::field::cookie], cookie_name_);
    if (!token) return {};
    Principal p;
    p.read_at = std::chrono::steady_clock::now();
    auto who = sessions_(*token);
    if (!who) {
      p.stale_session_cookie = true;
      return p;
    }
    p.kind = Principal::Kind::session;
    p.role = who->account.role;
    p.name = who->account.display_name;
    p.account_id = who->account.id;
    p.session_id = who->session_id;
    p.session_token = std::string(*token);
    p.csrf_token = who->csrf_token;
    p.supporter = who->account.supporter;
    p.account = std::make_shared<const Account>(std::move(who->account));
    return p;
  }
  if (!auth.starts_with("Bearer "))
    throw Error(ErrorKind::unauthenticated, "invalid_token", "Authorization must be 'Bearer <token>'.");
  auto token = tokens_(auth.substr(7));
  if (!token) throw Error(ErrorKind::unauthenticated, "invalid_token", "The API token is not valid.");
  return Principal{Principal::Kind::token, token->role, token->name};
}

}  // namespace tribune

#include "api/accounts_api.h"

#include <charconv>

#include "api/json_io.h"
#include "domain/error.h"

namespace tribune::api {

namespace json = boost::json;

namespace {

json::object account_json(const Account& a, bool full) {
  json::object o{{"id", a.id}, {"display_name", a.display_name}};
  if (full) {
    o["email"] = a.email;
    o["role"] = a.role;
    o["email_verified"] = a.email_verified_at.has_value();
    o["created_at"] = format_rfc3339(a.created_at);
  }
  return o;
}

ClientInfo client_of(const RequestContext& ctx) {
  return ClientInfo{ctx.client_ip, std::string(ctx.request[http::field::user_agent])};
}

Response no_content() {
  Response r;
  r.status = http::status::no_content;
  r.headers.set(http::field::cache_control, "no-store");
  return r;
}

}  // namespace

void require_session(const RequestContext& ctx) {
  if (!ctx.principal.signed_in()) throw Error(ErrorKind::unauthenticated, "unauthenticated", "Sign in first.");
}

Response AccountsApi::register_account(RequestContext& ctx) {
  auto body = parse_object(ctx);
  auto started = accounts_.register_account(optional_string(body, "email").value_or(""),
                                            optional_string(body, "display_name").value_or(""),
                                            optional_string(body, "password").value_or(""), client_of(ctx));
  Response r = json_response(http::status::created,
                             json::object{{"account", account_json(started.account, true)}, {"csrf_token", started.csrf_token}});
  r.headers.insert(http::field::set_cookie, cookie_.set(started.session_token));
  return r;
}

Response AccountsApi::sign_in(RequestContext& ctx) {
  auto body = parse_object(ctx);
  auto started = accounts_.sign_in(optional_string(body, "email").value_or(""),
                                   optional_string(body, "password").value_or(""), client_of(ctx));
  Response r = json_response(http::status::ok,
                             json::object{{"account", account_json(started.account, true)}, {"csrf_token", started.csrf_token}});
  r.headers.insert(http::field::set_cookie, cookie_.set(started.session_token));
  return r;
}

Response AccountsApi::sign_out(RequestContext& ctx) {
  require_session(ctx);
  accounts_.sign_out(ctx.principal.session_token);
  Response r = no_content();
  r.headers.insert(http::field::set_cookie, cookie_.clear());
  return r;
}

Response AccountsApi::me(RequestContext& ctx) {
  require_session(ctx);
  auto account = accounts_.find(ctx.principal.account_id);
  if (!account) throw Error(ErrorKind::unauthenticated, "unauthenticated", "Sign in first.");
  return json_response(http::status::ok,
                       json::object{{"account", account_json(*account, true)}, {"csrf_token", ctx.principal.csrf_token}});
}

Response AccountsApi::sessions(RequestContext& ctx) {
  require_session(ctx);
  json::array items;
  for (const auto& s : accounts_.sessions(ctx.principal.account_id))
    items.push_back({{"id", s.id},
                     {"created_at", format_rfc3339(s.created_at)},
                     {"last_seen_at", format_rfc3339(s.last_seen_at)},
                     {"user_agent", s.user_agent},
                     {"ip", s.ip},
                     {"current", s.id == ctx.principal.session_id}});
  return json_response(http::status::ok, json::object{{"sessions", std::move(items)}});
}

Response AccountsApi::end_session(RequestContext& ctx) {
  require_session(ctx);
  int64_t id = 0;
  const auto& raw = ctx.param("id");
  auto [p, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), id);
  if (ec != std::errc() || p != raw.data() + raw.size()) throw not_found("The session");
  accounts_.end_session(ctx.principal.account_id, id);
  Response r = no_content();
  if (id == ctx.principal.session_id) r.headers.insert(http::field::set_cookie, cookie_.clear());
  return r;
}

Response AccountsApi::sign_out_everywhere(RequestContext& ctx) {
  require_session(ctx);
  accounts_.sign_out_everywhere(ctx.principal.account_id);
  Response r = no_content();
  r.headers.insert(http::field::set_cookie, cookie_.clear());
  return r;
}

Response AccountsApi::request_reset(RequestContext& ctx) {
  auto body = parse_object(ctx);
  accounts_.request_password_reset(optional_string(body, "email").value_or(""), client_of(ctx));
  return json_response(http::status::accepted,
                       json::object{{"status", "sent_if_registered"},
                                    {"message", "If an account uses that address, a reset link is on its way."}});
}

Response AccountsApi::confirm_reset(RequestContext& ctx) {
  auto body = parse_object(ctx);
  accounts_.reset_password(optional_string(body, "token").value_or(""), optional_string(body, "password").value_or(""));
  Response r = no_content();
  r.headers.insert(http::field::set_cookie, cookie_.clear());
  return r;
}

Response AccountsApi::confirm_verification(RequestContext& ctx) {
  auto body = parse_object(ctx);
  accounts_.verify_email(optional_string(body, "token").value_or(""));
  return no_content();
}

Response AccountsApi::resend_verification(RequestContext& ctx) {
  require_session(ctx);
  accounts_.resend_verification(ctx.principal.account_id);
  return json_response(http::status::accepted, json::object{{"status", "sent"}});
}

}  // namespace tribune::api

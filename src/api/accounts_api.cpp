#include "api/accounts_api.h"

#include <charconv>

#include "api/json_io.h"
#include "model/error.h"

namespace tribune::api {

namespace json = boost::json;

namespace {

json::object account_json(const Account& a, bool full) {
  json::object o{{"id", a.id}, {"display_name", a.display_name}};
  if (full) {
    o["email"] = a.email;
    o["role"] = to_string(a.role);
    o["email_verified"] = a.email_verified_at.has_value();
    o["digest"] = a.digest;
    o["supporter"] = a.supporter;
    o["show_supporter_badge"] = a.show_supporter;
    o["created_at"] = format_rfc3339(a.created_at);
  }
  return o;
}

ClientInfo client_of(const RequestContext& ctx) {
  return ClientInfo{ctx.client_ip, std::string(ctx.request[http::field::user_agent])};
}

}  // namespace

Response AccountsApi::register_account(RequestContext& ctx) {
  auto body = parse_object(ctx, {"email", "display_name", "password"});
  auto started = accounts_.register_account(optional_string(body, "email").value_or(""),
                                            optional_string(body, "display_name").value_or(""),
                                            optional_string(body, "password").value_or(""), client_of(ctx));
  Response r = json_response(http::status::created, json::object{{"account", account_json(started.account, true)},
                                                                 {"csrf_token", started.csrf_token}});
  r.headers.insert(http::field::set_cookie, cookie_.set(started.session_token));
  return r;
}

Response AccountsApi::sign_in(RequestContext& ctx) {
  auto body = parse_object(ctx, {"email", "password"});
  auto started = accounts_.sign_in(optional_string(body, "email").value_or(""),
                                   optional_string(body, "password").value_or(""), client_of(ctx));
  Response r = json_response(http::status::ok, json::object{{"account", account_json(started.account, true)},
                                                            {"csrf_token", started.csrf_token}});
  r.headers.insert(http::field::set_cookie, cookie_.set(started.session_token));
  return r;
}

Response AccountsApi::sign_out(RequestContext& ctx) {
  accounts_.sign_out(ctx.principal.session_token);
  Response r = no_content();
  r.headers.insert(http::field::set_cookie, cookie_.clear());
  return r;
}

Response AccountsApi::me(RequestContext& ctx) {
  auto account = accounts_.find(ctx.principal.account_id);
  if (!account) throw Error(ErrorKind::unauthenticated, "unauthenticated", "Sign in first.");
  auto out = account_json(*account, true);
  auto pending = accounts_.pending_email(account->id);
  out["pending_email"] = pending ? json::value(*pending) : json::value(nullptr);
  return json_response(http::status::ok,
                       json::object{{"account", std::move(out)}, {"csrf_token", ctx.principal.csrf_token}});
}

Response AccountsApi::sessions(RequestContext& ctx) {
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
  int64_t id = path_id(ctx, "id", "The session");
  accounts_.end_session(ctx.principal.account_id, id);
  Response r = no_content();
  if (id == ctx.principal.session_id) r.headers.insert(http::field::set_cookie, cookie_.clear());
  return r;
}

Response AccountsApi::sign_out_everywhere(RequestContext& ctx) {
  accounts_.sign_out_everywhere(ctx.principal.account_id);
  Response r = no_content();
  r.headers.insert(http::field::set_cookie, cookie_.clear());
  return r;
}

namespace {}  // namespace

Response AccountsApi::update_me(RequestContext& ctx) {
  auto body = parse_object(ctx, {"display_name"});
  auto account = accounts_.change_display_name(ctx.principal.account_id, required_string(body, "display_name"));
  return json_response(http::status::ok, json::object{{"account", account_json(account, true)}});
}

Response AccountsApi::change_email(RequestContext& ctx) {
  auto body = parse_object(ctx, {"email", "password"});
  accounts_.change_email(ctx.principal.account_id, optional_string(body, "password").value_or(""),
                         required_string(body, "email"));
  return json_response(http::status::accepted, json::object{{"status", "confirmation_sent"}});
}

Response AccountsApi::change_password(RequestContext& ctx) {
  auto body = parse_object(ctx, {"current_password", "new_password", "sign_out_others"});
  bool others = false;
  if (auto it = body.find("sign_out_others"); it != body.end()) {
    if (!it->value().is_bool())
      throw Error(ErrorKind::bad_request, "invalid_type", "sign_out_others must be true or false.", "sign_out_others");
    others = it->value().as_bool();
  }
  accounts_.change_password(ctx.principal.account_id, ctx.principal.session_id,
                            optional_string(body, "current_password").value_or(""),
                            required_string(body, "new_password"), others);
  return no_content();
}

Response AccountsApi::export_data(RequestContext& ctx) {
  auto data = accounts_.export_data(ctx.principal.account_id);
  json::array sessions, comments;
  for (const auto& s : data.sessions)
    sessions.push_back({{"id", s.id},
                        {"created_at", format_rfc3339(s.created_at)},
                        {"last_seen_at", format_rfc3339(s.last_seen_at)},
                        {"user_agent", s.user_agent},
                        {"ip", s.ip}});
  for (const auto& c : data.comments)
    comments.push_back({{"id", c.id},
                        {"article_id", c.article_id},
                        {"parent_id", c.parent_id ? json::value(*c.parent_id) : json::value(nullptr)},
                        {"body_markdown", c.body_markdown},
                        {"status", std::string(to_string(c.status))},
                        {"created_at", format_rfc3339(c.created_at)}});
  const auto& rec = data.records;
  auto links = [](const std::vector<ReaderRecords::Link>& from) {
    json::array out;
    for (const auto& l : from)
      out.push_back(
          {{"account_id", l.account_id}, {"display_name", l.display_name}, {"since", format_rfc3339(l.since)}});
    return out;
  };
  json::array revisions, reactions, reports, notifications, contributions;
  for (const auto& r : rec.revisions)
    revisions.push_back({{"comment_id", r.comment_id},
                         {"body_markdown", r.body_markdown},
                         {"written_at", format_rfc3339(r.written_at)}});
  for (const auto& r : rec.reactions)
    reactions.push_back({{"comment_id", r.comment_id}, {"kind", r.kind}, {"at", format_rfc3339(r.at)}});
  for (const auto& r : rec.reports)
    reports.push_back(
        {{"comment_id", r.comment_id}, {"reason", r.reason}, {"note", r.note}, {"at", format_rfc3339(r.at)}});
  for (const auto& n : rec.notifications)
    notifications.push_back({{"id", n.id},
                             {"kind", n.kind},
                             {"detail", n.detail},
                             {"comment_id", n.comment_id},
                             {"at", format_rfc3339(n.at)},
                             {"read", n.read}});
  for (const auto& c : rec.contributions)
    contributions.push_back({{"id", c.id},
                             {"amount_minor", c.amount_minor},
                             {"currency", c.currency},
                             {"interval", c.interval},
                             {"status", c.status},
                             {"article_id", c.article_id ? json::value(*c.article_id) : json::value(nullptr)},
                             {"email", c.email},
                             {"created_at", format_rfc3339(c.created_at)}});
  json::object out{{"exported_at", format_rfc3339(now_seconds())},
                   {"account", account_json(data.account, true)},
                   {"sessions", std::move(sessions)},
                   {"comments", std::move(comments)},
                   {"comment_revisions", std::move(revisions)},
                   {"following", links(rec.following)},
                   {"ignoring", links(rec.ignoring)},
                   {"reactions", std::move(reactions)},
                   {"reports", std::move(reports)},
                   {"notifications", std::move(notifications)},
                   {"contributions", std::move(contributions)}};
  Response r = json_response(http::status::ok, out);
  r.headers.set(http::field::content_disposition, "attachment; filename=\"tribune-data.json\"");
  return r;
}

Response AccountsApi::delete_me(RequestContext& ctx) {
  auto body = parse_object(ctx, {"password"});
  accounts_.delete_account(ctx.principal.account_id, optional_string(body, "password").value_or(""));
  Response r = no_content();
  r.headers.insert(http::field::set_cookie, cookie_.clear());
  return r;
}

Response AccountsApi::admin_list(RequestContext& ctx) {
  int limit = limit_param(ctx, 50, 500);
  int64_t after = id_query(ctx, "after");
  auto accounts = accounts_.list_accounts(after, limit);
  json::array items;
  for (const auto& a : accounts) items.push_back(account_json(a, true));
  json::value next =
      static_cast<int>(accounts.size()) == limit ? json::value(accounts.back().id) : json::value(nullptr);
  return json_response(http::status::ok, json::object{{"accounts", std::move(items)}, {"next_after", next}});
}

Response AccountsApi::admin_set_role(RequestContext& ctx) {
  auto body = parse_object(ctx, {"role"});
  accounts_.set_role(ctx.principal.account_id, path_id(ctx, "id", "The account"), required_string(body, "role"));
  return no_content();
}

Response AccountsApi::request_reset(RequestContext& ctx) {
  auto body = parse_object(ctx, {"email"});
  accounts_.request_password_reset(optional_string(body, "email").value_or(""), client_of(ctx));
  return json_response(http::status::accepted,
                       json::object{{"status", "sent_if_registered"},
                                    {"message", "If an account uses that address, a reset link is on its way."}});
}

Response AccountsApi::confirm_reset(RequestContext& ctx) {
  auto body = parse_object(ctx, {"token", "password"});
  accounts_.reset_password(optional_string(body, "token").value_or(""), optional_string(body, "password").value_or(""));
  Response r = no_content();
  r.headers.insert(http::field::set_cookie, cookie_.clear());
  return r;
}

Response AccountsApi::confirm_verification(RequestContext& ctx) {
  auto body = parse_object(ctx, {"token"});
  accounts_.verify_email(optional_string(body, "token").value_or(""));
  return no_content();
}

Response AccountsApi::resend_verification(RequestContext& ctx) {
  accounts_.resend_verification(ctx.principal.account_id);
  return json_response(http::status::accepted, json::object{{"status", "sent"}});
}

}  // namespace tribune::api

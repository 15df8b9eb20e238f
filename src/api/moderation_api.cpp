#include "api/moderation_api.h"

#include <charconv>

#include "api/comments_api.h"
#include "api/json_io.h"
#include "model/comment_json.h"
#include "model/error.h"

namespace tribune::api {

namespace json = boost::json;

namespace {}  // namespace

json::object ModerationApi::to_json(const LogEntry& e) {
  return {{"id", e.id},
          {"actor_id", e.actor_id ? json::value(*e.actor_id) : json::value(nullptr)},
          {"actor", e.actor_name},
          {"action", e.action},
          {"action_label", audit_action_label(e.action)},
          {"comment_id", e.comment_id ? json::value(*e.comment_id) : json::value(nullptr)},
          {"account_id", e.account_id ? json::value(*e.account_id) : json::value(nullptr)},
          {"reason", e.reason},
          {"at", format_rfc3339(e.created_at)}};
}

Response ModerationApi::queue(RequestContext& ctx) {
  auto q = moderation_.queue_query(ctx.query, limit_param(ctx, 50, 200));
  auto items = moderation_.queue(q);
  json::array out;
  for (const auto& item : items) {
    json::object o{{"comment", comment_json(item.comment)},
                   {"article_id", item.comment.article_id},
                   {"open_reports", item.open_reports},
                   {"rule", item.rule},
                   {"rule_reason", item.rule_reason},
                   {"reasons", item.reasons},
                   {"notes", item.notes},
                   // Empty when the author deleted their account (docs: moderation_api.h).
                   {"author_role", item.comment.author_id ? to_string(item.author_role) : std::string_view()},
                   {"author_is_staff", is_staff(item.author_role)}};
    if (item.decision_id)
      o["decision"] = json::object{{"id", item.decision_id},
                                   {"decision", item.decision},
                                   {"by", item.decided_by},
                                   {"reason", item.decision_reason},
                                   {"at", format_rfc3339(item.decided_at)}};
    out.push_back(std::move(o));
  }
  json::value next = nullptr;
  if (static_cast<int>(items.size()) == q.limit)
    next = q.view == "decided" ? items.back().decision_id : items.back().comment.id;
  return json_response(http::status::ok, json::object{{"items", std::move(out)}, {"next_after", next}});
}

Response ModerationApi::decide(RequestContext& ctx) {
  int64_t who = ctx.principal.account_id;
  auto body = parse_object(ctx, {"decision", "reason"});
  auto c = moderation_.decide(who, path_id(ctx, "id", "The comment"), required_string(body, "decision"),
                              optional_string(body, "reason").value_or(""));
  return json_response(http::status::ok, json::object{{"comment", comment_json(c)}});
}

Response ModerationApi::decide_many(RequestContext& ctx) {
  int64_t who = ctx.principal.account_id;
  auto body = parse_object(ctx, {"ids", "decision", "reason"});
  std::vector<int64_t> ids;
  auto* list = body.if_contains("ids");
  if (!list || !list->is_array()) throw invalid_field("ids", "invalid_ids", "ids must be a list of comment ids.");
  for (const auto& v : list->as_array()) {
    if (!v.is_int64() || v.as_int64() <= 0)
      throw invalid_field("ids", "invalid_ids", "ids must be a list of comment ids.");
    ids.push_back(v.as_int64());
  }
  int n = moderation_.decide_many(who, ids, required_string(body, "decision"),
                                  optional_string(body, "reason").value_or(""));
  return json_response(http::status::ok, json::object{{"decided", n}});
}

Response ModerationApi::ban(RequestContext& ctx) {
  int64_t who = ctx.principal.account_id;
  auto body = parse_object(ctx, {"reason"});
  moderation_.ban(who, path_id(ctx, "id", "The account"), std::nullopt, optional_string(body, "reason").value_or(""));
  return no_content();
}

Response ModerationApi::lift_ban(RequestContext& ctx) {
  int64_t who = ctx.principal.account_id;
  moderation_.lift_ban(who, path_id(ctx, "id", "The account"));
  return no_content();
}

Response ModerationApi::suspend(RequestContext& ctx) {
  int64_t who = ctx.principal.account_id;
  auto body = parse_object(ctx, {"until", "reason"});
  auto until = parse_rfc3339(required_string(body, "until"));
  if (!until) throw invalid_field("until", "invalid_time", "until must be an RFC 3339 time.");
  moderation_.ban(who, path_id(ctx, "id", "The account"), until, optional_string(body, "reason").value_or(""));
  return no_content();
}

Response ModerationApi::sanction(RequestContext& ctx) {
  int64_t who = ctx.principal.account_id;
  auto body = parse_object(ctx, {"action", "reason"});
  moderation_.sanction(who, path_id(ctx, "id", "The account"), required_string(body, "action"),
                       optional_string(body, "reason").value_or(""));
  return no_content();
}

Response ModerationApi::revisions(RequestContext& ctx) {
  auto v = moderation_.versions(path_id(ctx, "id", "The comment"));
  auto comment = comment_json(v.comment);
  comment["status"] = to_string(v.comment.status);
  comment["body"] = v.comment.body_markdown;  // moderators compare the texts as written
  json::array earlier;
  for (const auto& r : v.earlier)
    earlier.push_back({{"body", r.body_markdown}, {"written_at", format_rfc3339(r.written_at)}});
  return json_response(http::status::ok,
                       json::object{{"comment", std::move(comment)}, {"revisions", std::move(earlier)}});
}

Response ModerationApi::history(RequestContext& ctx) {
  auto h = moderation_.history(path_id(ctx, "id", "The account"));
  json::array comments, log;
  for (const auto& c : h.comments) {
    auto o = comment_json(c);
    o["status"] = to_string(c.status);
    comments.push_back(std::move(o));
  }
  for (const auto& e : h.log) log.push_back(to_json(e));
  const auto& a = h.account;
  json::object account{
      {"id", a.id},
      {"display_name", a.display_name},
      {"role", to_string(a.role)},
      {"created_at", format_rfc3339(a.created_at)},
      {"banned_until", a.banned_until ? json::value(format_rfc3339(*a.banned_until)) : json::value(nullptr)},
      {"ban_reason", a.ban_reason},
      {"warning", a.warning},
      {"premoderated", a.premoderated}};
  return json_response(
      http::status::ok,
      json::object{{"account", std::move(account)}, {"comments", std::move(comments)}, {"log", std::move(log)}});
}

Response ModerationApi::log(RequestContext& ctx) {
  auto q = ModerationService::log_query(ctx.query, limit_param(ctx, 50, 500));
  auto entries = moderation_.log(q);
  json::array out;
  for (const auto& e : entries) out.push_back(to_json(e));
  json::value next =
      static_cast<int>(entries.size()) == q.limit ? json::value(entries.back().id) : json::value(nullptr);
  return json_response(http::status::ok, json::object{{"entries", std::move(out)}, {"next_before", next}});
}

Response ModerationApi::acknowledge_warning(RequestContext& ctx) {
  if (!moderation_.acknowledge_warning(ctx.principal.account_id)) throw not_found("The warning");
  return no_content();
}

}  // namespace tribune::api

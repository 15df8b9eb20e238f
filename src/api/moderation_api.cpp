#include "api/moderation_api.h"

#include <charconv>

#include "api/comments_api.h"
#include "api/json_io.h"
#include "domain/error.h"

namespace tribune::api {

namespace json = boost::json;

int64_t ModerationApi::moderator(const RequestContext& ctx) {
  if (ctx.principal.kind == Principal::Kind::anonymous)
    throw Error(ErrorKind::unauthenticated, "unauthenticated", "Sign in first.");
  ModerationService::require_staff(ctx.principal.role);
  return ctx.principal.account_id;  // 0 for API tokens: the log records the act without a person
}

Response ModerationApi::queue(RequestContext& ctx) {
  moderator(ctx);
  int limit = limit_param(ctx, 50, 200);
  int64_t after = id_query(ctx, "after");
  auto items = moderation_.queue(after, limit);
  json::array out;
  for (const auto& q : items)
    out.push_back({{"comment", CommentsApi::to_json(q.comment)},
                   {"article_id", q.comment.article_id},
                   {"open_reports", q.open_reports},
                   {"rule", q.rule},
                   {"rule_reason", q.rule_reason},
                   {"reasons", q.reasons}});
  json::value next = static_cast<int>(items.size()) == limit ? json::value(items.back().comment.id) : json::value(nullptr);
  return json_response(http::status::ok, json::object{{"items", std::move(out)}, {"next_after", next}});
}

Response ModerationApi::decide(RequestContext& ctx) {
  auto who = moderator(ctx);
  auto body = parse_object(ctx);
  auto c = moderation_.decide(who, path_id(ctx, "id", "The comment"), required_string(body, "decision"),
                              optional_string(body, "reason").value_or(""));
  return json_response(http::status::ok, json::object{{"comment", CommentsApi::to_json(c)}});
}

Response ModerationApi::ban(RequestContext& ctx) {
  auto who = moderator(ctx);
  auto body = parse_object(ctx);
  moderation_.ban(who, path_id(ctx, "id", "The account"), std::nullopt, optional_string(body, "reason").value_or(""));
  return no_content();
}

Response ModerationApi::lift_ban(RequestContext& ctx) {
  auto who = moderator(ctx);
  moderation_.lift_ban(who, path_id(ctx, "id", "The account"));
  return no_content();
}

Response ModerationApi::suspend(RequestContext& ctx) {
  auto who = moderator(ctx);
  auto body = parse_object(ctx);
  auto until = parse_rfc3339(required_string(body, "until"));
  if (!until) throw invalid_field("until", "invalid_time", "until must be an RFC 3339 time.");
  moderation_.ban(who, path_id(ctx, "id", "The account"), until, optional_string(body, "reason").value_or(""));
  return no_content();
}

}  // namespace tribune::api

#include "api/tokens_api.h"

#include "api/json_io.h"
#include "util/text.h"

namespace tribune::api {

namespace json = boost::json;

json::object TokensApi::to_json(const ApiToken& t) {
  auto when = [](const std::optional<TimePoint>& at) {
    return at ? json::value(format_rfc3339(*at)) : json::value(nullptr);
  };
  return {{"id", t.id},
          {"name", t.name},
          {"role", std::string(to_string(t.role))},
          {"created_at", format_rfc3339(t.created_at)},
          {"last_used_at", when(t.last_used_at)},
          {"revoked_at", when(t.revoked_at)}};
}

Response TokensApi::list(RequestContext&) {
  json::array items;
  for (const auto& t : tokens_.list()) items.push_back(to_json(t));
  return json_response(http::status::ok, json::object{{"tokens", std::move(items)}});
}

Response TokensApi::create(RequestContext& ctx) {
  auto body = parse_object(ctx, {"name", "role"});
  auto created = tokens_.create(required_string(body, "name"), required_string(body, "role"), ctx.principal.actor());
  auto out = to_json(created.record);
  out["token"] = created.token;
  return json_response(http::status::created, out);
}

Response TokensApi::revoke(RequestContext& ctx) {
  tokens_.revoke(path_id(ctx, "id", "The token"), ctx.principal.actor());
  return no_content();
}

}  // namespace tribune::api

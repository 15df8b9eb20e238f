#include "api/webhooks_api.h"

#include "api/json_io.h"
#include "model/error.h"

namespace tribune::api {

namespace json = boost::json;

namespace {

json::value time_or_null(const std::optional<TimePoint>& t) {
  return t ? json::value(format_rfc3339(*t)) : json::value(nullptr);
}

}  // namespace

json::object WebhooksApi::to_json(const WebhookEndpoint& e) {
  json::array events;
  for (const auto& t : e.events) events.emplace_back(t);
  return {{"id", e.id},
          {"url", e.url},
          {"description", e.description},
          {"events", std::move(events)},
          {"enabled", !e.disabled_at},
          {"disabled_at", time_or_null(e.disabled_at)},
          {"disabled_reason", e.disabled_reason},
          {"failing_since", time_or_null(e.failing_since)},
          {"created_at", format_rfc3339(e.created_at)}};
}

json::object WebhooksApi::to_json(const WebhookDelivery& d) {
  return {{"id", d.id},
          {"message_id", "msg_" + std::to_string(d.event_id)},
          {"endpoint_id", d.endpoint_id},
          {"type", d.type},
          {"resource", d.resource},
          {"occurred_at", format_rfc3339(d.occurred_at)},
          {"state", std::string(to_string(d.state))},
          {"attempts", d.attempts},
          {"next_attempt_at",
           d.state == DeliveryState::pending ? json::value(format_rfc3339(d.next_attempt_at)) : json::value(nullptr)},
          {"last_attempt_at", time_or_null(d.last_attempt_at)},
          {"last_status", d.last_status},
          {"last_error", d.last_error},
          {"delivered_at", time_or_null(d.delivered_at)}};
}

Response WebhooksApi::list(RequestContext&) {
  json::array items, types;
  for (const auto& e : webhooks_.list()) items.push_back(to_json(e));
  for (auto t : kWebhookEventTypes) types.emplace_back(t);
  return json_response(http::status::ok,
                       json::object{{"endpoints", std::move(items)}, {"event_types", std::move(types)}});
}

Response WebhooksApi::create(RequestContext& ctx, bool wrapped) {
  auto body = parse_object(ctx, {"url", "description", "events"});
  auto created = webhooks_.create(required_string(body, "url"), optional_string(body, "description").value_or(""),
                                  string_list(body, "events"), ctx.principal.actor());
  auto out = to_json(created.endpoint);
  out["secret"] = created.secret;
  return json_response(http::status::created, wrapped ? json::object{{"webhook", std::move(out)}} : out);
}

Response WebhooksApi::get(RequestContext& ctx) {
  return json_response(http::status::ok, to_json(webhooks_.find(path_id(ctx, "id", "The webhook endpoint"))));
}

Response WebhooksApi::update(RequestContext& ctx) {
  auto id = path_id(ctx, "id", "The webhook endpoint");
  auto body = parse_object(ctx, {"url", "description", "events", "enabled"});
  WebhookService::Changes changes{.url = optional_string(body, "url"),
                                  .description = optional_string(body, "description"),
                                  .enabled = optional_bool(body, "enabled")};
  if (body.contains("events")) changes.events = string_list(body, "events");
  return json_response(http::status::ok, to_json(webhooks_.update(id, changes, ctx.principal.actor())));
}

Response WebhooksApi::remove(RequestContext& ctx) {
  webhooks_.remove(path_id(ctx, "id", "The webhook endpoint"), ctx.principal.actor());
  return no_content();
}

Response WebhooksApi::rotate(RequestContext& ctx) {
  auto rotated = webhooks_.rotate_secret(path_id(ctx, "id", "The webhook endpoint"), ctx.principal.actor());
  auto out = to_json(rotated.endpoint);
  out["secret"] = rotated.secret;
  return json_response(http::status::ok, out);
}

Response WebhooksApi::deliveries(RequestContext& ctx) {
  auto id = path_id(ctx, "id", "The webhook endpoint");
  int limit = limit_param(ctx, 50, 100);
  auto list = webhooks_.deliveries(id, id_query(ctx, "before"), limit);
  json::array items;
  for (const auto& d : list) items.push_back(to_json(d));
  json::value next = list.size() == static_cast<size_t>(limit) ? json::value(list.back().id) : json::value(nullptr);
  return json_response(http::status::ok, json::object{{"deliveries", std::move(items)}, {"next_before", next}});
}

Response WebhooksApi::redeliver(RequestContext& ctx) {
  auto id = path_id(ctx, "id", "The webhook endpoint");
  auto d = webhooks_.redeliver(id, path_id(ctx, "delivery", "The delivery"), ctx.principal.actor());
  return json_response(http::status::accepted, json::object{{"delivery", to_json(d)}});
}

}  // namespace tribune::api

#include "web/webhook_pages.h"

#include <algorithm>
#include <boost/json.hpp>

#include "domain/dateline.h"
#include "web/form_support.h"

namespace tribune::web {

namespace json = boost::json;

namespace {

constexpr int kLogPage = 50;

// The event checkboxes: each event type, ticked when chosen.
json::array event_choices(const std::vector<std::string>& chosen) {
  json::array out;
  for (auto t : kWebhookEventTypes)
    out.push_back(json::object{{"type", t},
                               {"field", "event:" + std::string(t)},
                               {"checked", std::find(chosen.begin(), chosen.end(), t) != chosen.end()}});
  return out;
}

std::vector<std::string> ticked_events(const Form& f) {
  std::vector<std::string> out;
  for (auto t : kWebhookEventTypes)
    if (field(f, "event:" + std::string(t)) == "1") out.emplace_back(t);
  return out;
}

// Mustache sections open on any string, the empty one too: an empty text is left out of the view instead.
json::object without_empty(json::object o) {
  for (auto it = o.begin(); it != o.end();)
    it = it->value().is_string() && it->value().as_string().empty() ? o.erase(it) : std::next(it);
  return o;
}

std::string joined(const std::vector<std::string>& events) {
  std::string s;
  for (const auto& e : events) s += (s.empty() ? "" : ", ") + e;
  return s;
}

}  // namespace

void WebhookPages::Shown::add_to(json::object& view) const {
  if (!secret.empty()) view["secret"] = secret;
  if (!notice.empty()) view["notice"] = notice;
  if (error.empty()) return;
  view["error"] = error;
  view["error_" + error_field] = true;  // marks the field in error (aria-invalid)
}

Response WebhookPages::list_page(RequestContext& ctx, http::status status, const Shown& shown) {
  const auto& where = articles_.locality();
  json::array rows;
  for (const auto& e : webhooks_.list())
    rows.push_back(without_empty(json::object{
        {"id", e.id},
        {"url", e.url},
        {"endpoint_description", e.description},
        {"events", joined(e.events)},
        {"disabled", e.disabled_at.has_value()},
        {"disabled_reason", e.disabled_reason},
        {"failing_since", e.failing_since ? format_local(*e.failing_since, where, "d MMM yyyy HH:mm") : ""}}));
  bool has_endpoints = !rows.empty();
  json::object view{{"endpoints", std::move(rows)},           {"has_endpoints", has_endpoints},
                    {"csrf_token", ctx.principal.csrf_token}, {"url", shown.url},
                    {"description", shown.description},       {"choices", event_choices(shown.events)}};
  shown.add_to(view);
  return html_page(
      ctx, status,
      renderer_.page_from("admin_webhooks", without_empty(std::move(view)), "Webhooks", articles_.sections()));
}

Response WebhookPages::endpoint_page(RequestContext& ctx, http::status status, int64_t id, const Shown& shown) {
  auto e = webhooks_.find(id);
  const auto& where = articles_.locality();
  auto when = [&](const std::optional<TimePoint>& t) {
    return t ? format_local(*t, where, "d MMM yyyy HH:mm:ss") : std::string();
  };
  int64_t before = query_id(ctx, "before");
  auto log = webhooks_.deliveries(id, before, kLogPage);
  json::array rows;
  for (const auto& d : log) {
    std::string outcome = d.state == DeliveryState::delivered ? "Delivered"
                          : d.state == DeliveryState::failed  ? "Failed, gave up"
                          : d.attempts == 0                   ? "Waiting"
                                                              : "Failing, next try " + when(d.next_attempt_at);
    rows.push_back(
        without_empty(json::object{{"id", d.id},
                                   {"id_endpoint", e.id},
                                   {"csrf_token", ctx.principal.csrf_token},
                                   {"type", d.type},
                                   {"resource", d.resource},
                                   {"occurred", when(d.occurred_at)},
                                   {"outcome", outcome},
                                   {"failed", d.state == DeliveryState::failed},
                                   {"attempts", d.attempts},
                                   {"status", d.last_status ? std::to_string(d.last_status) : std::string("—")},
                                   {"last_error", d.last_error},
                                   {"last", when(d.last_attempt_at)}}));
  }
  bool has_log = !rows.empty();
  json::object view{{"id", e.id},
                    {"endpoint_url", e.url},
                    {"url", shown.url.empty() ? e.url : shown.url},
                    {"description", shown.error.empty() ? e.description : shown.description},
                    {"choices", event_choices(shown.error.empty() ? e.events : shown.events)},
                    {"enabled", !e.disabled_at},
                    {"disabled_when", when(e.disabled_at)},
                    {"disabled_reason", e.disabled_reason},
                    {"failing_since", when(e.failing_since)},
                    {"created", when(e.created_at)},
                    {"deliveries", std::move(rows)},
                    {"has_log", has_log},
                    {"csrf_token", ctx.principal.csrf_token}};
  if (log.size() == static_cast<size_t>(kLogPage)) view["older"] = log.back().id;
  shown.add_to(view);
  return html_page(
      ctx, status,
      renderer_.page_from("admin_webhook", without_empty(std::move(view)), "Webhook: " + e.url, articles_.sections()));
}

Response WebhookPages::list(RequestContext& ctx) {
  Shown shown;
  if (ctx.query_value("deleted")) shown.notice = "The endpoint is deleted: nothing more is sent to it.";
  return list_page(ctx, http::status::ok, shown);
}

Response WebhookPages::create(RequestContext& ctx) {
  auto f = form_of(ctx);
  Shown shown{.url = field(f, "url"), .description = field(f, "description"), .events = ticked_events(f)};
  try {
    auto created = webhooks_.create(shown.url, shown.description, shown.events, ctx.principal.actor());
    return endpoint_page(ctx, http::status::created, created.endpoint.id,
                         Shown{.secret = created.secret, .notice = "Endpoint added."});
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::invalid) throw;
    shown.error = e.message();
    shown.error_field = e.field();
    return list_page(ctx, http::status::unprocessable_entity, shown);
  }
}

Response WebhookPages::endpoint(RequestContext& ctx) {
  auto id = ctx.id_param("id");
  if (!id) throw not_found("The webhook endpoint");
  Shown shown;
  if (ctx.query_value("saved")) shown.notice = "Saved.";
  if (ctx.query_value("enabled")) shown.notice = "Enabled: waiting deliveries go out now, in order.";
  if (ctx.query_value("disabled")) shown.notice = "Disabled: events wait here until it is enabled again.";
  if (auto sent = query_id(ctx, "sent")) shown.notice = "Delivery queued again as #" + std::to_string(sent) + ".";
  return endpoint_page(ctx, http::status::ok, *id, shown);
}

Response WebhookPages::update(RequestContext& ctx) {
  auto id = ctx.id_param("id");
  if (!id) throw not_found("The webhook endpoint");
  auto f = form_of(ctx);
  Shown shown{.url = field(f, "url"), .description = field(f, "description"), .events = ticked_events(f)};
  try {
    webhooks_.update(*id, {.url = shown.url, .description = shown.description, .events = shown.events},
                     ctx.principal.actor());
    return see_other("/admin/webhooks/" + std::to_string(*id) + "?saved=1");
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::invalid) throw;
    shown.error = e.message();
    shown.error_field = e.field();
    return endpoint_page(ctx, http::status::unprocessable_entity, *id, shown);
  }
}

Response WebhookPages::set_enabled(RequestContext& ctx) {
  auto id = ctx.id_param("id");
  if (!id) throw not_found("The webhook endpoint");
  bool enable = ctx.path.ends_with("/enable");
  webhooks_.update(*id, {.enabled = enable}, ctx.principal.actor());
  return see_other("/admin/webhooks/" + std::to_string(*id) + (enable ? "?enabled=1" : "?disabled=1"));
}

Response WebhookPages::rotate(RequestContext& ctx) {
  auto id = ctx.id_param("id");
  if (!id) throw not_found("The webhook endpoint");
  auto rotated = webhooks_.rotate_secret(*id, ctx.principal.actor());
  return endpoint_page(ctx, http::status::ok, *id,
                       Shown{.secret = rotated.secret,
                             .notice = "New secret made. For the next 24 hours every delivery is signed with both "
                                       "the old and the new secret, so the receiver can switch without losing one."});
}

Response WebhookPages::remove(RequestContext& ctx) {
  auto id = ctx.id_param("id");
  if (!id) throw not_found("The webhook endpoint");
  webhooks_.remove(*id, ctx.principal.actor());
  return see_other("/admin/webhooks?deleted=1");
}

Response WebhookPages::redeliver(RequestContext& ctx) {
  auto id = ctx.id_param("id");
  auto delivery = ctx.id_param("delivery");
  if (!id || !delivery) throw not_found("The delivery");
  try {
    auto d = webhooks_.redeliver(*id, *delivery, ctx.principal.actor());
    return see_other("/admin/webhooks/" + std::to_string(*id) + "?sent=" + std::to_string(d.id));
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::conflict) throw;
    return endpoint_page(ctx, http::status::conflict, *id, Shown{.error = e.message(), .error_field = "log"});
  }
}

}  // namespace tribune::web

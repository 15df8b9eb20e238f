#include "domain/webhooks.h"

#include <algorithm>
#include <boost/json.hpp>

#include "model/error.h"
#include "util/curl_client.h"
#include "util/standard_webhooks.h"

namespace tribune {

namespace json = boost::json;

std::string WebhookService::checked_url(const std::string& url) const {
  auto bad = [](const std::string& code, const std::string& message) { return invalid_field("url", code, message); };
  if (url.size() > 2000 || !is_valid_utf8(url) || has_control_chars(url))
    throw bad("invalid_url", "url must be an address of at most 2,000 characters.");
  auto parts = curl_client::parse_url(url);
  if (!parts || (parts->scheme != "https" && parts->scheme != "http"))
    throw bad("invalid_url", "url must be an http:// or https:// address.");
  if (parts->has_credentials)
    throw bad("invalid_url", "url must not carry a user name or password: the signature proves the sender.");
  if (!settings_.allow_insecure) {
    if (parts->scheme != "https") throw bad("insecure_url", "url must be https://: deliveries carry readers' data.");
    bool numeric = parts->host.find_first_not_of("0123456789.:abcdefABCDEF") == std::string::npos &&
                   parts->host.find_first_of(".:") != std::string::npos;
    if (parts->host == "localhost" || parts->host.ends_with(".localhost") ||
        (numeric && !curl_client::is_public_address(parts->host)))
      throw bad("insecure_url", "url must be on a public address, not this machine or a private network.");
  }
  return url;
}

namespace {

// How the audit log names an endpoint: its number and host. Moderators read the log, and many receivers'
// addresses carry a token in their path.
std::string logged(const WebhookEndpoint& e) {
  auto parts = curl_client::parse_url(e.url);
  return "#" + std::to_string(e.id) + " (" + (parts ? parts->host : std::string("?")) + ")";
}

}  // namespace

std::vector<std::string> WebhookService::checked_events(const std::vector<std::string>& events) {
  if (events.empty()) throw invalid_field("events", "invalid_events", "Choose at least one event.");
  std::vector<std::string> out;
  for (const auto& e : events) {
    if (!is_webhook_event_type(e))
      throw invalid_field("events", "unknown_event", "There is no event “" + e.substr(0, 60) + "”.");
    if (std::find(out.begin(), out.end(), e) == out.end()) out.push_back(e);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::find(kWebhookEventTypes.begin(), kWebhookEventTypes.end(), a) <
           std::find(kWebhookEventTypes.begin(), kWebhookEventTypes.end(), b);
  });
  return out;
}

std::string WebhookService::checked_description(const std::string& description) {
  auto d = trim(description);
  if (d.size() > 200 || !is_valid_utf8(d) || has_control_chars(d))
    throw invalid_field("description", "invalid_description", "description must be at most 200 characters of text.");
  return d;
}

WebhookService::Created WebhookService::create(const std::string& url, const std::string& description,
                                               const std::vector<std::string>& events,
                                               std::optional<int64_t> actor_id) {
  WebhookEndpoint e;
  e.url = checked_url(url);
  e.description = checked_description(description);
  e.events = checked_events(events);
  e.secret = standard_webhooks::new_secret();
  auto made = store_.create_webhook_endpoint(e);
  audit_.audit(actor_id, "create_webhook", std::nullopt, logged(made));
  return {made, e.secret};
}

WebhookEndpoint WebhookService::find(int64_t id) const {
  auto e = store_.find_webhook_endpoint(id);
  if (!e) throw not_found("The webhook endpoint");
  return *e;
}

WebhookEndpoint WebhookService::update(int64_t id, const Changes& changes, std::optional<int64_t> actor_id) {
  auto e = find(id);
  std::vector<std::string> what;
  if (changes.url && *changes.url != e.url) {
    e.url = checked_url(*changes.url);
    what.emplace_back("address");
  }
  if (changes.description) e.description = checked_description(*changes.description);
  if (changes.events) {
    auto events = checked_events(*changes.events);
    if (events != e.events) what.emplace_back("events");
    e.events = std::move(events);
  }
  if (changes.enabled && *changes.enabled != !e.disabled_at) {
    if (*changes.enabled) {
      e.disabled_at.reset();
      e.disabled_reason.clear();
      what.emplace_back("enabled");
    } else {
      e.disabled_at = now_();
      e.disabled_reason.clear();
      what.emplace_back("disabled");
    }
  }
  if (!store_.update_webhook_endpoint(e)) throw not_found("The webhook endpoint");
  if (!what.empty()) {
    std::string detail = logged(e) + ":";
    for (const auto& w : what) detail += " " + w;
    audit_.audit(actor_id, "edit_webhook", std::nullopt, detail);
  }
  return find(id);
}

void WebhookService::remove(int64_t id, std::optional<int64_t> actor_id) {
  auto e = find(id);
  if (!store_.delete_webhook_endpoint(id)) throw not_found("The webhook endpoint");
  audit_.audit(actor_id, "delete_webhook", std::nullopt, logged(e));
}

WebhookService::Created WebhookService::rotate_secret(int64_t id, std::optional<int64_t> actor_id) {
  auto e = find(id);
  e.previous_secret = e.secret;
  e.previous_until = now_() + kRotationOverlap;
  e.secret = standard_webhooks::new_secret();
  if (!store_.update_webhook_endpoint(e)) throw not_found("The webhook endpoint");
  audit_.audit(actor_id, "rotate_webhook_secret", std::nullopt, logged(e));
  return {find(id), e.secret};
}

std::vector<WebhookDelivery> WebhookService::deliveries(int64_t id, int64_t before, int limit) const {
  find(id);
  return store_.webhook_deliveries(id, std::max<int64_t>(before, 0), std::clamp(limit, 1, 100));
}

WebhookDelivery WebhookService::redeliver(int64_t id, int64_t delivery_id, std::optional<int64_t> actor_id) {
  auto e = find(id);
  if (e.disabled_at)
    throw Error(ErrorKind::conflict, "endpoint_disabled",
                "The endpoint is disabled: enable it first, and its waiting deliveries go out too.");
  auto d = store_.redeliver_webhook(id, delivery_id, now_());
  if (!d) throw not_found("The delivery");
  audit_.audit(actor_id, "redeliver_webhook", std::nullopt, d->type + " " + d->resource + " to " + logged(e));
  return *d;
}

std::string WebhookService::payload(const WebhookDelivery& d) {
  json::object data;
  try {
    auto parsed = json::parse(d.data);
    if (parsed.is_object()) data = std::move(parsed.as_object());
  } catch (const std::exception&) {
    // The store writes the data; unreadable data still goes out as {} under its type, never blocks the queue.
  }
  for (auto& [key, value] : data)
    if (key.ends_with("_at") && value.is_int64())
      value = format_rfc3339(TimePoint(std::chrono::seconds(value.as_int64())));
  json::object body{{"type", d.type}, {"timestamp", format_rfc3339(d.occurred_at)}, {"data", std::move(data)}};
  return json::serialize(body);
}

std::chrono::milliseconds WebhookService::backoff(int failed_attempts) const {
  constexpr std::chrono::milliseconds cap = std::chrono::hours(8);
  auto wait = settings_.retry_base;
  for (int i = 1; i < failed_attempts && wait < cap; ++i) wait *= 6;
  return std::min(wait, cap);
}

}  // namespace tribune

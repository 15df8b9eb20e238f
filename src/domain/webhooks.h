// Outgoing webhooks, the admin's side: endpoints (a URL, the events it wants, a secret shown once and
// rotatable), their delivery log, and sending a delivery again. hooks/webhook_sender.h delivers; the store
// writes the events with the changes themselves (store/roles/webhooks.h). docs/webhooks.md is the contract.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "model/webhook.h"
#include "store/roles/audit.h"
#include "store/roles/webhooks.h"

namespace tribune {

struct WebhookSettings {
  // Lets endpoints be http:// and on loopback or private addresses: for trying webhooks on one machine and
  // for tests. Off, an endpoint must be https:// on a public address (checked again at each connection, so a
  // name that later resolves to an inside address reaches nothing).
  bool allow_insecure = false;
  std::chrono::milliseconds retry_base{10000};  // the first retry's wait; later ones grow from it
  int max_attempts = 9;                         // with the default base: retries for about 28 hours
  std::chrono::milliseconds timeout{10000};     // one attempt, connection included
  int senders = 2;                              // attempts in flight at once on each node
};

class WebhookService {
 public:
  using Now = std::function<TimePoint()>;
  WebhookService(WebhookStore& store, AuditLog& audit, WebhookSettings settings, Now now = now_seconds)
      : store_(store), audit_(audit), settings_(settings), now_(std::move(now)) {}

  struct Created {
    WebhookEndpoint endpoint;
    std::string secret;  // the only time it is shown
  };
  // Throws Error(invalid) naming the field: url (invalid_url, insecure_url), events (invalid_events,
  // unknown_event), description (invalid_description).
  Created create(const std::string& url, const std::string& description, const std::vector<std::string>& events,
                 std::optional<int64_t> actor_id);
  std::vector<WebhookEndpoint> list() const { return store_.list_webhook_endpoints(); }
  // Error(not_found) for no such endpoint.
  WebhookEndpoint find(int64_t id) const;

  struct Changes {
    std::optional<std::string> url, description;
    std::optional<std::vector<std::string>> events;
    std::optional<bool> enabled;
  };
  WebhookEndpoint update(int64_t id, const Changes& changes, std::optional<int64_t> actor_id);
  void remove(int64_t id, std::optional<int64_t> actor_id);
  // A new secret, shown this once; the old one keeps signing (beside it) for kRotationOverlap.
  Created rotate_secret(int64_t id, std::optional<int64_t> actor_id);

  std::vector<WebhookDelivery> deliveries(int64_t id, int64_t before, int limit) const;
  // Error(not_found) for no such delivery of that endpoint; Error(conflict, "endpoint_disabled") when the
  // endpoint is disabled (enable it first).
  WebhookDelivery redeliver(int64_t id, int64_t delivery_id, std::optional<int64_t> actor_id);

  const WebhookSettings& settings() const { return settings_; }

  // The body of a delivery: {"type", "timestamp", "data"} with the data's *_at fields as RFC 3339 times. The
  // same bytes for every attempt (the signature covers them).
  static std::string payload(const WebhookDelivery& d);
  // The wait before attempt n + 1 after n failed ones: retry_base × 6^(n-1), at most 8 hours (with the
  // defaults: 10 s, 1 min, 6 min, 36 min, 3.6 h, then 8 h).
  std::chrono::milliseconds backoff(int failed_attempts) const;

  static constexpr std::chrono::hours kRotationOverlap{24};

 private:
  std::string checked_url(const std::string& url) const;
  static std::vector<std::string> checked_events(const std::vector<std::string>& events);
  static std::string checked_description(const std::string& description);

  WebhookStore& store_;
  AuditLog& audit_;
  WebhookSettings settings_;
  Now now_;
};

}  // namespace tribune

// Outgoing webhooks: endpoints, and the transactional outbox of their deliveries. Events are written by the
// engines themselves, in the transaction of the change they report (store/webhook_events.h), and fanned out
// there to every enabled endpoint that chose their type. One role of the Store (store/store.h); the Store's
// contract holds for every method.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/account.h"
#include "model/webhook.h"

namespace tribune {

class WebhookStore {
 public:
  virtual ~WebhookStore() = default;

  // Stores a new endpoint (id and created_at filled in) with its chosen events.
  virtual WebhookEndpoint create_webhook_endpoint(const WebhookEndpoint& e) = 0;
  virtual std::vector<WebhookEndpoint> list_webhook_endpoints() = 0;
  virtual std::optional<WebhookEndpoint> find_webhook_endpoint(int64_t id) = 0;
  // Replaces url, description, events, the secrets and the disabled state; false when there is no such
  // endpoint. Enabling clears failing_since.
  virtual bool update_webhook_endpoint(const WebhookEndpoint& e) = 0;
  // The endpoint, its subscriptions and its deliveries; false when there is no such endpoint.
  virtual bool delete_webhook_endpoint(int64_t id) = 0;

  // Claims up to limit due deliveries of enabled endpoints, leased until now + lease so that no other sender
  // (thread or node) takes them meanwhile. A delivery is due only when no earlier delivery of the same
  // resource to the same endpoint is still pending: each endpoint sees a resource's events in order.
  virtual std::vector<ClaimedDelivery> claim_webhook_deliveries(TimePoint now, std::chrono::seconds lease,
                                                                int limit) = 0;
  // Records an attempt: delivered, retried at retry_at, or given up (failed). Disabling the endpoint, when
  // the attempt asks, queues the notice to every admin account (its `to` is theirs) in the same transaction.
  virtual void record_webhook_attempt(const DeliveryAttempt& a, const std::optional<OutboxMail>& notice) = 0;
  // An endpoint's deliveries, newest first, ids below before (0: from the newest).
  virtual std::vector<WebhookDelivery> webhook_deliveries(int64_t endpoint_id, int64_t before, int limit) = 0;
  // Queues the delivery's event again to its endpoint, as a new delivery due now. nullopt when there is no
  // such delivery of that endpoint.
  virtual std::optional<WebhookDelivery> redeliver_webhook(int64_t endpoint_id, int64_t delivery_id, TimePoint now) = 0;
  // Tells of articles that became public or stopped being so (store/webhook_events.h, announce_sql): one
  // pass, safe to run on every node at once. Returns the events written.
  virtual int64_t announce_articles(TimePoint now) = 0;
  // Deletes finished deliveries (and events no delivery needs) older than before. Returns deliveries deleted.
  virtual int64_t prune_webhook_deliveries(TimePoint before) = 0;
};

}  // namespace tribune

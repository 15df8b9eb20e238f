// Outgoing webhooks: the endpoints an admin registers, the events Tribune tells them about, and each delivery
// of an event to an endpoint (docs/webhooks.md).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/text.h"

namespace tribune {

// Every event type an endpoint may choose, in the order the admin page lists them. The store's triggers
// (store/webhook_events.cpp) write one event of these types with each change that is one.
inline constexpr std::array<std::string_view, 13> kWebhookEventTypes = {
    "comment.created",   "comment.edited",  "comment.removed",    "comment.approved",      "comment.rejected",
    "reader.registered", "reader.deleted",  "contribution.paid",  "contribution.refunded", "contribution.cancelled",
    "article.published", "article.updated", "article.unpublished"};

bool is_webhook_event_type(std::string_view type);

struct WebhookEndpoint {
  int64_t id = 0;
  std::string url;
  std::string description;
  std::vector<std::string> events;  // in kWebhookEventTypes order
  std::string secret;               // "whsec_" + base64 of the key: signs every delivery
  std::string previous_secret;      // after a rotation: still signs deliveries until previous_until
  TimePoint previous_until{};
  TimePoint created_at{};
  std::optional<TimePoint> disabled_at;
  std::string disabled_reason;             // empty when an admin disabled it; else why Tribune did
  std::optional<TimePoint> failing_since;  // the first failed attempt since the last success
};

enum class DeliveryState { pending, delivered, failed };
std::string_view to_string(DeliveryState s);

// One event due to one endpoint, with the outcome of its latest attempt.
struct WebhookDelivery {
  int64_t id = 0;
  int64_t endpoint_id = 0;
  int64_t event_id = 0;
  std::string type;      // the event's
  std::string resource;  // "comment:12": deliveries for one resource go out in event order
  TimePoint occurred_at{};
  std::string data;  // the event's data, a JSON object as the store wrote it
  DeliveryState state = DeliveryState::pending;
  int attempts = 0;
  TimePoint next_attempt_at{};
  std::optional<TimePoint> first_attempt_at;
  std::optional<TimePoint> last_attempt_at;
  int last_status = 0;  // the receiver's HTTP status; 0: no answer
  std::string last_error;
  std::optional<TimePoint> delivered_at;
};

// A delivery claimed for sending, with what signing it needs.
struct ClaimedDelivery {
  WebhookDelivery delivery;
  TimePoint leased_until{};  // the claim's lease: an attempt is recorded only while it is still this claim's
  std::string url;
  std::string secret, previous_secret;
  TimePoint previous_until{};
  std::optional<TimePoint> failing_since;
};

// The outcome of one attempt.
struct DeliveryAttempt {
  int64_t delivery_id = 0;
  TimePoint at{};
  int status = 0;     // 0: no answer
  std::string error;  // empty on success
  bool delivered = false;
  std::optional<TimePoint> retry_at;   // when not delivered: the next attempt, none when it gives up
  std::optional<std::string> disable;  // the endpoint is disabled, for this reason
  // The claim's lease: when set, the attempt is recorded only if the delivery is still pending under it (a
  // sender whose lease ran out and was claimed again by another records nothing over the other's).
  std::optional<TimePoint> lease;
};

}  // namespace tribune

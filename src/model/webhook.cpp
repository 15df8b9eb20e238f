#include "model/webhook.h"

#include <algorithm>

namespace tribune {

bool is_webhook_event_type(std::string_view type) {
  return std::find(kWebhookEventTypes.begin(), kWebhookEventTypes.end(), type) != kWebhookEventTypes.end();
}

std::string_view to_string(DeliveryState s) {
  switch (s) {
    case DeliveryState::delivered:
      return "delivered";
    case DeliveryState::failed:
      return "failed";
    case DeliveryState::pending:
      break;
  }
  return "pending";
}

}  // namespace tribune

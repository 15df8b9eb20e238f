// The payment provider as the contributions service needs it: a hosted checkout page, and a check that a
// webhook delivery really comes from the provider. payments/stripe.h implements it for Stripe; domain code
// never sees the provider's client.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/text.h"

namespace tribune {

class PaymentGateway {
 public:
  virtual ~PaymentGateway() = default;

  // False when no keys are configured: contributions are off.
  virtual bool configured() const = 0;

  struct Checkout {
    std::string id;   // the provider's session id, unique per checkout
    std::string url;  // where the reader pays
  };
  // Starts a hosted checkout with these provider fields. The idempotency key makes a retried request return
  // the same session. Errors: unavailable payment_provider_error.
  virtual Checkout create_checkout(const std::vector<std::pair<std::string, std::string>>& fields,
                                   const std::string& idempotency_key) const = 0;

  // Throws unless the signature header signs this raw body and is recent. Errors: unavailable
  // contributions_off (no signing secret), bad_request (missing_signature, malformed_signature,
  // stale_signature, bad_signature).
  virtual void verify_webhook(std::string_view signature_header, std::string_view raw_body, TimePoint now) const = 0;

  // Cancels a recurring payment at once (the provider then sends its own event, which the ledger applies).
  // One the provider no longer knows counts as cancelled. Errors: unavailable payment_provider_error.
  virtual void cancel_subscription(const std::string& subscription_id) const = 0;
};

}  // namespace tribune

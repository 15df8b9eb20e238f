// Stripe over its HTTP API (libcurl): Checkout Sessions, and the verification of signed webhook events.
// The API base URL is configuration: https://api.stripe.com in production, a local stand-in in tests.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/payment_gateway.h"
#include "util/text.h"

namespace tribune {

struct StripeSettings {
  std::string api_base = "https://api.stripe.com";
  std::string secret_key;      // sk_live_... / sk_test_...; empty: contributions are off
  std::string webhook_secret;  // whsec_...: the signing secret of the webhook endpoint
  std::string checkout_origin = "https://checkout.stripe.com";  // where Checkout pages live (CSP form-action)
  std::chrono::seconds timeout{10};
  std::chrono::seconds tolerance{300};  // how old a signed event may be
};

class StripeClient final : public PaymentGateway {
 public:
  explicit StripeClient(StripeSettings settings) : settings_(std::move(settings)) {}

  bool configured() const override { return !settings_.secret_key.empty(); }
  Checkout create_checkout(const std::vector<std::pair<std::string, std::string>>& fields,
                           const std::string& idempotency_key) const override {
    auto s = create_checkout_session(fields, idempotency_key);
    return Checkout{std::move(s.id), std::move(s.url)};
  }
  // DELETE /v1/subscriptions/{id}: cancelled now, not at the period's end; 404 (already gone) is success.
  void cancel_subscription(const std::string& subscription_id) const override;
  // Checks the Stripe-Signature header with the webhook secret and tolerance of the settings.
  void verify_webhook(std::string_view signature_header, std::string_view raw_body, TimePoint now) const override;

  struct Session {
    std::string id;
    std::string url;
  };
  // POST /v1/checkout/sessions with these form fields. The idempotency key makes a retried request return
  // the same session. Errors: unavailable payment_provider_error (with Stripe's message) on failure.
  Session create_checkout_session(const std::vector<std::pair<std::string, std::string>>& fields,
                                  const std::string& idempotency_key) const;

  const StripeSettings& settings() const { return settings_; }

 private:
  StripeSettings settings_;
};

// Checks a Stripe-Signature header ("t=...,v1=...,v1=...") against the raw body as Stripe specifies:
// HMAC-SHA256 keyed with the endpoint secret over "t.body", hex; any v1 may match (secrets roll); compared in
// constant time; t within tolerance of now. Throws Error(bad_request) with code missing_signature,
// malformed_signature, stale_signature or bad_signature.
void verify_stripe_signature(std::string_view header, std::string_view body, const std::string& secret, TimePoint now,
                             std::chrono::seconds tolerance);

// The v1 signature of a payload (for tests and the stand-in's sake: the same function Stripe runs).
std::string stripe_signature(std::string_view secret, int64_t timestamp, std::string_view body);

}  // namespace tribune

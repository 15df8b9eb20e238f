#include "payments/stripe.h"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <charconv>
#include <memory>

#include "model/error.h"
#include "util/curl_client.h"
#include "util/hmac.h"
#include "util/text.h"

namespace tribune {

namespace json = boost::json;

namespace {

// What went wrong is for the operator's log: a provider's message can name the key it was given ("Invalid
// API Key provided: sk_test_****1234") or its internals. The reader hears what it means for them.
constexpr const char* kCheckoutFailed =
    "The payment service did not answer as it should, so nothing was charged. Please try again in a few minutes.";
constexpr const char* kCancelFailed =
    "The payment service did not answer as it should, so the monthly contribution is still running. Please try "
    "again in a few minutes.";

Error provider_error(const std::string& detail, const char* for_reader = kCheckoutFailed) {
  spdlog::warn("stripe: {}", detail);
  return Error(ErrorKind::unavailable, "payment_provider_error", for_reader);
}

}  // namespace

StripeClient::Session StripeClient::create_checkout_session(
    const std::vector<std::pair<std::string, std::string>>& fields, const std::string& idempotency_key) const {
  if (!configured()) throw Error(ErrorKind::unavailable, "contributions_off", "Contributions are not set up yet.");
  std::string body;
  for (const auto& [k, v] : fields) {
    if (!body.empty()) body += '&';
    body += percent_encode(k) + "=" + percent_encode(v);
  }
  curl_client::Post request;
  request.url = settings_.api_base + "/v1/checkout/sessions";
  request.headers = {"Authorization: Bearer " + settings_.secret_key, "Idempotency-Key: " + idempotency_key,
                     "Stripe-Version: 2024-06-20"};
  request.body = std::move(body);
  request.timeout = request.connect_timeout = settings_.timeout;
  auto reply = curl_client::post(request);
  if (!reply.ok()) throw provider_error(reply.error);
  const std::string& answer = reply.body;
  long status = reply.status;
  boost::system::error_code ec;
  auto v = json::parse(answer, ec);
  if (ec || !v.is_object()) throw provider_error("an unreadable answer (HTTP " + std::to_string(status) + ")");
  const auto& o = v.as_object();
  if (status < 200 || status >= 300) {
    std::string message = "HTTP " + std::to_string(status);
    if (auto* err = o.if_contains("error"); err && err->is_object())
      if (auto* m = err->as_object().if_contains("message"); m && m->is_string()) message = std::string(m->as_string());
    throw provider_error(message);
  }
  auto* id = o.if_contains("id");
  auto* link = o.if_contains("url");
  if (!id || !id->is_string() || !link || !link->is_string()) throw provider_error("no session id or url");
  return Session{std::string(id->as_string()), std::string(link->as_string())};
}

void StripeClient::cancel_subscription(const std::string& subscription_id) const {
  if (!configured()) throw Error(ErrorKind::unavailable, "contributions_off", "Contributions are not set up yet.");
  curl_client::Post request;
  request.method = "DELETE";
  request.url = settings_.api_base + "/v1/subscriptions/" + percent_encode(subscription_id);
  request.headers = {"Authorization: Bearer " + settings_.secret_key, "Stripe-Version: 2024-06-20"};
  request.timeout = request.connect_timeout = settings_.timeout;
  auto reply = curl_client::post(request);
  if (!reply.ok()) throw provider_error(reply.error, kCancelFailed);
  if (reply.status == 404 || (reply.status >= 200 && reply.status < 300)) return;
  std::string message = "HTTP " + std::to_string(reply.status);
  boost::system::error_code ec;
  auto v = json::parse(reply.body, ec);
  if (!ec && v.is_object())
    if (auto* err = v.as_object().if_contains("error"); err && err->is_object())
      if (auto* m = err->as_object().if_contains("message"); m && m->is_string()) message = std::string(m->as_string());
  throw provider_error(message, kCancelFailed);
}

std::string stripe_signature(std::string_view secret, int64_t timestamp, std::string_view body) {
  return timestamped_signature(secret, timestamp, body);
}

void verify_stripe_signature(std::string_view header, std::string_view body, const std::string& secret, TimePoint now,
                             std::chrono::seconds tolerance) {
  if (header.empty())
    throw Error(ErrorKind::bad_request, "missing_signature", "The Stripe-Signature header is missing.");
  int64_t timestamp = -1;
  std::vector<std::string_view> v1;
  while (!header.empty()) {
    auto comma = header.find(',');
    auto item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    auto eq = item.find('=');
    if (eq == std::string_view::npos) continue;
    auto key = item.substr(0, eq), value = item.substr(eq + 1);
    if (key == "t") {
      auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), timestamp);
      if (ec != std::errc() || p != value.data() + value.size()) timestamp = -1;
    } else if (key == "v1") {
      v1.push_back(value);
    }
  }
  if (timestamp < 0 || v1.empty())
    throw Error(ErrorKind::bad_request, "malformed_signature",
                "The Stripe-Signature header has no timestamp or v1 signature.");
  int64_t age = now.time_since_epoch().count() - timestamp;
  if (age > tolerance.count() || age < -tolerance.count())
    throw Error(ErrorKind::bad_request, "stale_signature", "The signed event is outside the tolerance window.");
  std::string expected = stripe_signature(secret, timestamp, body);
  bool ok = false;
  for (auto candidate : v1)  // every candidate is compared, in constant time each
    ok |= candidate.size() == expected.size() && sodium_memcmp(candidate.data(), expected.data(), expected.size()) == 0;
  if (!ok) throw Error(ErrorKind::bad_request, "bad_signature", "The Stripe signature does not match.");
}

void StripeClient::verify_webhook(std::string_view signature_header, std::string_view raw_body, TimePoint now) const {
  if (settings_.webhook_secret.empty())
    throw Error(ErrorKind::unavailable, "contributions_off", "No webhook signing secret is set.");
  verify_stripe_signature(signature_header, raw_body, settings_.webhook_secret, now, settings_.tolerance);
}

}  // namespace tribune

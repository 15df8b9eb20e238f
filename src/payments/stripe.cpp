#include "payments/stripe.h"

#include <curl/curl.h>
#include <sodium.h>

#include <boost/json.hpp>
#include <charconv>
#include <memory>

#include "model/error.h"
#include "util/hmac.h"

namespace tribune {

namespace json = boost::json;

namespace {

size_t collect(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

Error provider_error(const std::string& message) {
  return Error(ErrorKind::unavailable, "payment_provider_error",
               "The payment service could not start the checkout: " + message);
}

}  // namespace

StripeClient::Session StripeClient::create_checkout_session(const std::vector<std::pair<std::string, std::string>>& fields,
                                                            const std::string& idempotency_key) const {
  if (!configured()) throw Error(ErrorKind::unavailable, "contributions_off", "Contributions are not set up yet.");
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
  if (!curl) throw provider_error("no HTTP client");
  std::string body;
  for (const auto& [k, v] : fields) {
    char* key = curl_easy_escape(curl.get(), k.data(), static_cast<int>(k.size()));
    char* value = curl_easy_escape(curl.get(), v.data(), static_cast<int>(v.size()));
    if (!body.empty()) body += '&';
    body += std::string(key) + "=" + value;
    curl_free(key);
    curl_free(value);
  }
  std::string url = settings_.api_base + "/v1/checkout/sessions";
  std::string auth = "Authorization: Bearer " + settings_.secret_key;
  std::string idem = "Idempotency-Key: " + idempotency_key;
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, auth.c_str());
  headers = curl_slist_append(headers, idem.c_str());
  headers = curl_slist_append(headers, "Stripe-Version: 2024-06-20");
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_list(headers, &curl_slist_free_all);
  std::string answer;
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &answer);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(settings_.timeout.count() * 1000));
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "http,https");
  CURLcode rc = curl_easy_perform(curl.get());
  if (rc != CURLE_OK) throw provider_error(curl_easy_strerror(rc));
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
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

std::string stripe_signature(std::string_view secret, int64_t timestamp, std::string_view body) {
  return timestamped_signature(secret, timestamp, body);
}

void verify_stripe_signature(std::string_view header, std::string_view body, const std::string& secret, TimePoint now,
                             std::chrono::seconds tolerance) {
  if (header.empty()) throw Error(ErrorKind::bad_request, "missing_signature", "The Stripe-Signature header is missing.");
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
    throw Error(ErrorKind::bad_request, "malformed_signature", "The Stripe-Signature header has no timestamp or v1 signature.");
  int64_t age = now.time_since_epoch().count() - timestamp;
  if (age > tolerance.count() || age < -tolerance.count())
    throw Error(ErrorKind::bad_request, "stale_signature", "The signed event is outside the tolerance window.");
  std::string expected = stripe_signature(secret, timestamp, body);
  bool ok = false;
  for (auto candidate : v1)  // every candidate is compared, in constant time each
    ok |= candidate.size() == expected.size() &&
          sodium_memcmp(candidate.data(), expected.data(), expected.size()) == 0;
  if (!ok) throw Error(ErrorKind::bad_request, "bad_signature", "The Stripe signature does not match.");
}

void StripeClient::verify_webhook(std::string_view signature_header, std::string_view raw_body, TimePoint now) const {
  if (settings_.webhook_secret.empty())
    throw Error(ErrorKind::unavailable, "contributions_off", "No webhook signing secret is set.");
  verify_stripe_signature(signature_header, raw_body, settings_.webhook_secret, now, settings_.tolerance);
}

}  // namespace tribune

#include "hooks/webhook_sender.h"

#include <spdlog/spdlog.h>

#include "model/error.h"
#include "util/curl_client.h"
#include "util/standard_webhooks.h"

namespace tribune {

namespace {
constexpr int kBatch = 10;
constexpr std::chrono::hours kKeepLog = std::chrono::hours(24 * 30);
}  // namespace

WebhookSender::WebhookSender(WebhookStore& store, const WebhookService& service, std::string base_url, Now now)
    : store_(store), service_(service), base_url_(std::move(base_url)), now_(std::move(now)) {}

WebhookSender::~WebhookSender() {
  stop();
}

bool WebhookSender::attempt(const ClaimedDelivery& c) {
  const auto& d = c.delivery;
  const auto& settings = service_.settings();
  auto now = now_();
  int64_t timestamp = now.time_since_epoch().count();
  std::string id = "msg_" + std::to_string(d.event_id);
  std::string body = WebhookService::payload(d);
  DeliveryAttempt a{.delivery_id = d.id, .at = now, .lease = c.leased_until};
  auto signature = standard_webhooks::sign(c.secret, id, timestamp, body);
  if (signature && !c.previous_secret.empty() && c.previous_until > now)
    if (auto old = standard_webhooks::sign(c.previous_secret, id, timestamp, body)) *signature += " " + *old;
  if (!signature) {
    a.error = "the endpoint's secret is malformed: rotate it";
  } else {
    curl_client::Post post{
        .url = c.url,
        .headers = {"Content-Type: application/json", "User-Agent: Tribune-Webhooks/1", "webhook-id: " + id,
                    "webhook-timestamp: " + std::to_string(timestamp), "webhook-signature: " + *signature},
        .body = body,
        .timeout = settings.timeout,
        .connect_timeout = settings.timeout,
        .max_answer = size_t{1} << 20,
        .public_only = !settings.allow_insecure};
    auto answer = curl_client::post(post);
    a.status = static_cast<int>(answer.status);
    a.delivered = answer.ok() && answer.status >= 200 && answer.status < 300;
    if (!a.delivered) a.error = answer.ok() ? "answered HTTP " + std::to_string(answer.status) : answer.error;
  }
  std::optional<OutboxMail> notice;
  if (!a.delivered) {
    int failed = d.attempts + 1;
    if (failed < settings.max_attempts) {
      a.retry_at = now + std::chrono::duration_cast<std::chrono::seconds>(service_.backoff(failed));
    } else if (c.failing_since.value_or(now) <= d.first_attempt_at.value_or(now)) {
      // Not one answer since this delivery's first attempt: the endpoint is gone, or refuses everything.
      a.disable = "Every attempt failed for " + std::to_string(failed) +
                  " attempts in a row (last: " + a.error.substr(0, 200) + ").";
      notice = OutboxMail{"", "Webhook endpoint disabled: " + c.url,
                          "Tribune stopped sending webhooks to\n\n  " + c.url +
                              "\n\nbecause it has answered no delivery since " +
                              format_rfc3339(c.failing_since.value_or(now)) + ". " + *a.disable +
                              "\n\nDeliveries that were waiting are kept. When the endpoint works again, enable it "
                              "here and they go out, in order:\n\n  " +
                              base_url_ + "/admin/webhooks/" + std::to_string(d.endpoint_id) + "\n"};
      spdlog::warn("webhook endpoint {} disabled: {}", d.endpoint_id, *a.disable);
    }
  }
  store_.record_webhook_attempt(a, notice);
  return a.delivered;
}

int WebhookSender::run_once() {
  // Attempts go one after another: the lease covers a whole batch timing out, and a margin.
  auto lease =
      std::chrono::duration_cast<std::chrono::seconds>(service_.settings().timeout * kBatch) + std::chrono::seconds(30);
  int delivered = 0;
  for (const auto& c : store_.claim_webhook_deliveries(now_(), lease, kBatch)) delivered += attempt(c) ? 1 : 0;
  return delivered;
}

void WebhookSender::start() {
  int senders = std::max(1, service_.settings().senders);
  for (int i = 0; i < senders; ++i)
    threads_.emplace_back([this, i] {
      auto next_prune = std::chrono::steady_clock::now();
      std::unique_lock lock(mu_);
      while (!stop_) {
        lock.unlock();
        int delivered = 0;
        try {
          if (i == 0) store_.announce_articles(now_());
          delivered = run_once();
          if (i == 0 && std::chrono::steady_clock::now() >= next_prune) {
            store_.prune_webhook_deliveries(now_() - kKeepLog);
            next_prune = std::chrono::steady_clock::now() + std::chrono::hours(1);
          }
        } catch (const Error& e) {
          spdlog::warn("webhook pass failed: {}", e.message());
        }
        lock.lock();
        // Nothing went out: nothing is due, or the receivers are failing (their retries wait in the store).
        if (delivered == 0) cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stop_; });
      }
    });
}

void WebhookSender::stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

}  // namespace tribune

// Drains the webhook outbox on each node: claims due deliveries (leased, so no two senders, threads or nodes,
// send one at once), POSTs each signed as Standard Webhooks says, and records the outcome. A 2xx answer is
// delivered; anything else is retried with backoff (WebhookService::backoff) until max_attempts, then the
// delivery has failed. When an endpoint failed every attempt of a delivery's whole retry span, it is disabled
// and every admin gets a mail saying so.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "domain/webhooks.h"
#include "store/roles/webhooks.h"

namespace tribune {

class WebhookSender {
 public:
  using Now = std::function<TimePoint()>;
  // base_url: the publication's, for the link in the notice mail.
  WebhookSender(WebhookStore& store, const WebhookService& service, std::string base_url, Now now = now_seconds);
  ~WebhookSender();

  void start();
  void stop();
  // One pass: claims what is due and attempts it. Returns the deliveries delivered. Public for tests.
  int run_once();

 private:
  bool attempt(const ClaimedDelivery& c);  // true: delivered

  WebhookStore& store_;
  const WebhookService& service_;
  std::string base_url_;
  Now now_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace tribune

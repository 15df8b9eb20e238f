#include "mail/outbox_worker.h"

#include <spdlog/spdlog.h>

#include "model/error.h"

namespace tribune {

OutboxWorker::OutboxWorker(OutboxStore& store, SmtpSender sender, std::string host_name, Now now)
    : store_(store), sender_(std::move(sender)), host_(std::move(host_name)), now_(std::move(now)) {}

OutboxWorker::~OutboxWorker() {
  stop();
}

std::chrono::seconds OutboxWorker::backoff(int attempts) {
  int64_t s = 30;
  for (int i = 1; i < attempts && s < 3600; ++i) s *= 2;
  return std::chrono::seconds(std::min<int64_t>(s, 3600));
}

int OutboxWorker::run_once() {
  if (!sender_.configured()) return 0;
  int sent = 0;
  auto due = store_.claim_mail(now_(), std::chrono::minutes(10), 20);
  for (const auto& m : due) {
    if (m.attempts >= kMaxAttempts) {
      store_.mark_mail_failed(m.id, "gave up after " + std::to_string(m.attempts) + " attempts",
                              now_() + std::chrono::hours(24 * 365 * 100));
      spdlog::error("mail {} to {} abandoned after {} attempts", m.id, m.mail.to, m.attempts);
      continue;
    }
    try {
      sender_.send(m.mail, "outbox-" + std::to_string(m.id) + "@" + host_);
      store_.mark_mail_sent(m.id, now_());
      ++sent;
    } catch (const Error& e) {
      auto retry = now_() + backoff(m.attempts + 1);
      store_.mark_mail_failed(m.id, e.message(), retry);
      spdlog::warn("mail {} to {} failed (attempt {}): {}", m.id, m.mail.to, m.attempts + 1, e.message());
    }
  }
  return sent;
}

void OutboxWorker::start() {
  if (!sender_.configured()) {
    spdlog::info("no [mail] smtp_url configured: mail stays in the outbox");
    return;
  }
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!stop_) {
      lock.unlock();
      int sent = 0;
      try {
        sent = run_once();
      } catch (const Error& e) {
        spdlog::warn("outbox pass failed: {}", e.message());
      }
      lock.lock();
      if (sent == 0 && !poked_) cv_.wait_for(lock, std::chrono::seconds(2), [this] { return stop_ || poked_; });
      poked_ = false;
    }
  });
}

void OutboxWorker::poke() {
  {
    std::lock_guard lock(mu_);
    poked_ = true;
  }
  cv_.notify_all();
}

void OutboxWorker::stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace tribune

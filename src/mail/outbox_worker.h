// Drains the transactional outbox: claims due mails (leased, so concurrent senders never share one), sends
// each over SMTP, marks it sent, or schedules a retry with exponential backoff (30 s doubling, at most
// 1 hour, at most 12 attempts). A mail is marked sent only after the SMTP server accepted it.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "mail/smtp_sender.h"
#include "store/roles/outbox.h"

namespace tribune {

class OutboxWorker {
 public:
  using Now = std::function<TimePoint()>;
  OutboxWorker(OutboxStore& store, SmtpSender sender, std::string host_name, Now now = now_seconds);
  ~OutboxWorker();

  void start();
  void stop();
  // Wakes the worker now (a mail was just queued).
  void poke();
  // One pass: claim and send what is due. Returns how many were sent. Public for tests and the CLI.
  int run_once();

  static std::chrono::seconds backoff(int attempts);
  static constexpr int kMaxAttempts = 12;

 private:
  OutboxStore& store_;
  SmtpSender sender_;
  std::string host_;
  Now now_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool poked_ = false;
  std::thread thread_;
};

}  // namespace tribune

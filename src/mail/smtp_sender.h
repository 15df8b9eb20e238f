// Delivers one message over SMTP with libcurl (plain, STARTTLS when the server offers it, or smtps://).
#pragma once

#include <chrono>
#include <string>

#include "model/account.h"

namespace tribune {

struct SmtpSettings {
  std::string url;  // "smtp://127.0.0.1:2525"; empty: mail stays queued
  std::string from = "The Tribune <no-reply@localhost>";
  std::string username;  // optional
  std::string password;
  std::chrono::seconds timeout{20};
};

class SmtpSender {
 public:
  explicit SmtpSender(SmtpSettings settings);
  bool configured() const { return !settings_.url.empty(); }
  // Sends one message; message_id makes retries recognisable. Throws Error(unavailable) with the
  // server's or libcurl's reason on failure.
  void send(const OutboxMail& mail, const std::string& message_id) const;

 private:
  SmtpSettings settings_;
};

// RFC 5322 message text: headers (encoded where needed) and a quoted-printable-free UTF-8 body.
std::string compose_message(const std::string& from, const OutboxMail& mail, const std::string& message_id,
                            TimePoint date);

}  // namespace tribune

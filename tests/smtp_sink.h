// A real SMTP server for tests, on 127.0.0.1:0: speaks RFC 5321 (EHLO/HELO, MAIL, RCPT, DATA with
// dot-unstuffing, RSET, NOOP, QUIT; AUTH PLAIN when told) and keeps every accepted message. It can be told to refuse
// the next N messages with a 451 to exercise retries.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace tribune::testing {

struct ReceivedMail {
  std::string mail_from;
  std::vector<std::string> rcpt_to;
  std::string data;  // headers and body, CRLF line ends, unstuffed

  std::string header(const std::string& name) const;
  std::string body() const;
};

class SmtpSink {
 public:
  SmtpSink();
  ~SmtpSink();
  uint16_t port() const { return port_; }
  std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }

  // Waits until a message to this recipient arrives (or the timeout passes).
  std::optional<ReceivedMail> wait_for(const std::string& rcpt,
                                       std::chrono::milliseconds timeout = std::chrono::seconds(10));
  std::vector<ReceivedMail> messages();
  void refuse_next(int n);
  // From now on the sink offers AUTH PLAIN and takes only this user name and password (535 for others); a
  // client that does not authenticate may still send.
  void require_login(std::string user, std::string password);
  int logins() const;  // successful AUTHs so far

 private:
  void serve(int fd);
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<ReceivedMail> mails_;
  int refuse_ = 0;
  std::string user_, password_;
  int logins_ = 0;
  bool stop_ = false;
};

// The first URL in a text ("http://...").
std::string first_link(const std::string& text);

}  // namespace tribune::testing

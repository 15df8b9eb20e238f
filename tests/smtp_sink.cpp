#include "smtp_sink.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

#include "util/text.h"

namespace tribune::testing {

std::string ReceivedMail::header(const std::string& name) const {
  std::string needle = name + ": ";
  size_t pos = data.find(needle);
  if (pos == std::string::npos) return {};
  size_t end = data.find("\r\n", pos);
  return data.substr(pos + needle.size(), end - pos - needle.size());
}

std::string ReceivedMail::body() const {
  size_t pos = data.find("\r\n\r\n");
  return pos == std::string::npos ? std::string() : data.substr(pos + 4);
}

std::string first_link(const std::string& text) {
  size_t pos = text.find("http://");
  if (pos == std::string::npos) pos = text.find("https://");
  if (pos == std::string::npos) return {};
  size_t end = text.find_first_of(" \r\n", pos);
  return text.substr(pos, end - pos);
}

SmtpSink::SmtpSink() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listen_fd_, 16) != 0)
    throw std::runtime_error("smtp sink: cannot listen");
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] {
    for (;;) {
      pollfd p{listen_fd_, POLLIN, 0};
      int r = ::poll(&p, 1, 100);
      {
        std::lock_guard lock(mu_);
        if (stop_) return;
      }
      if (r <= 0) continue;
      int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd >= 0) serve(fd);  // one client at a time is plenty for tests
    }
  });
}

SmtpSink::~SmtpSink() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  thread_.join();
  ::close(listen_fd_);
}

void SmtpSink::serve(int fd) {
  struct timeval tv {
    10, 0
  };
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  auto say = [&](const std::string& line) {
    std::string out = line + "\r\n";
    (void)!::send(fd, out.data(), out.size(), MSG_NOSIGNAL);
  };
  std::string buffer;
  auto read_line = [&](std::string& line) {
    for (;;) {
      size_t nl = buffer.find("\r\n");
      if (nl != std::string::npos) {
        line = buffer.substr(0, nl);
        buffer.erase(0, nl + 2);
        return true;
      }
      char chunk[4096];
      ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0) return false;
      buffer.append(chunk, static_cast<size_t>(n));
    }
  };
  say("220 sink.test ESMTP ready");
  ReceivedMail current;
  std::string line;
  while (read_line(line)) {
    std::string verb = line.substr(0, 4);
    for (auto& c : verb) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (verb == "EHLO") {
      say("250-sink.test greets you");
      bool auth = false;
      {
        std::lock_guard lock(mu_);
        auth = !user_.empty();
      }
      if (auth) say("250-AUTH PLAIN");
      say("250 8BITMIME");
    } else if (verb == "AUTH") {
      // AUTH PLAIN <base64 of "\0user\0password">, or the credentials on the next line after a 334.
      std::string initial = line.size() > 11 ? line.substr(11) : "";
      if (initial.empty()) {
        say("334 ");
        if (!read_line(initial)) break;
      }
      auto decoded = tribune::base64_decode(initial);
      std::lock_guard lock(mu_);
      if (decoded && *decoded == std::string(1, '\0') + user_ + std::string(1, '\0') + password_) {
        ++logins_;
        say("235 2.7.0 Authentication successful");
      } else {
        say("535 5.7.8 Authentication credentials invalid");
      }
    } else if (verb == "HELO") {
      say("250 sink.test");
    } else if (verb == "MAIL") {
      current = ReceivedMail{};
      current.mail_from = line.substr(line.find(':') + 1);
      say("250 OK");
    } else if (verb == "RCPT") {
      std::string to = line.substr(line.find(':') + 1);
      if (to.size() > 1 && to.front() == '<') to = to.substr(1, to.find('>') - 1);
      current.rcpt_to.push_back(to);
      say("250 OK");
    } else if (verb == "DATA") {
      say("354 End data with <CR><LF>.<CR><LF>");
      std::string data;
      while (read_line(line) && line != ".") data += (line.starts_with("..") ? line.substr(1) : line) + "\r\n";
      current.data = data;
      std::lock_guard lock(mu_);
      if (refuse_ > 0) {
        --refuse_;
        say("451 4.3.0 try again later");
      } else {
        mails_.push_back(current);
        cv_.notify_all();
        say("250 OK queued");
      }
    } else if (verb == "RSET" || verb == "NOOP") {
      say("250 OK");
    } else if (verb == "QUIT") {
      say("221 bye");
      break;
    } else {
      say("502 command not implemented");
    }
  }
  ::close(fd);
}

void SmtpSink::require_login(std::string user, std::string password) {
  std::lock_guard lock(mu_);
  user_ = std::move(user);
  password_ = std::move(password);
}

int SmtpSink::logins() const {
  std::lock_guard lock(mu_);
  return logins_;
}

std::optional<ReceivedMail> SmtpSink::wait_for(const std::string& rcpt, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  std::optional<ReceivedMail> found;
  cv_.wait_for(lock, timeout, [&] {
    for (auto it = mails_.rbegin(); it != mails_.rend(); ++it)
      for (const auto& r : it->rcpt_to)
        if (r == rcpt) {
          found = *it;
          return true;
        }
    return false;
  });
  return found;
}

std::vector<ReceivedMail> SmtpSink::messages() {
  std::lock_guard lock(mu_);
  return mails_;
}

void SmtpSink::refuse_next(int n) {
  std::lock_guard lock(mu_);
  refuse_ = n;
}

}  // namespace tribune::testing

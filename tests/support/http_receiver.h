// A real HTTP service on 127.0.0.1 for what Tribune calls out to (the external moderation rule, webhook
// endpoints): records every request, answers each with the status and body it is told (after a delay, if
// told). One connection at a time, Connection: close.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace tribune::testing {

class HttpReceiver {
 public:
  struct Received {
    std::string method, target, body;
    std::map<std::string, std::string> headers;  // lower-case names
    int answered = 0;                            // the status it was answered with
    std::string header(const std::string& name) const {
      auto it = headers.find(name);
      return it == headers.end() ? std::string() : it->second;
    }
  };

  HttpReceiver() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd_, 64);
    socklen_t len = sizeof addr;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~HttpReceiver() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  HttpReceiver(const HttpReceiver&) = delete;
  HttpReceiver& operator=(const HttpReceiver&) = delete;

  std::string url(const std::string& path = "/in") const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  void answer(int status, std::string body = "{}", int delay_ms = 0) {
    std::lock_guard lock(mu_);
    status_ = status;
    body_ = std::move(body);
    delay_ms_ = delay_ms;
  }
  std::vector<Received> received() {
    std::lock_guard lock(mu_);
    return received_;
  }
  // Waits until pred(received()) holds or the timeout passes; returns whether it held.
  template <class Pred>
  bool wait_until(Pred pred, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
      if (pred(received())) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return pred(received());
  }

 private:
  void serve() {
    while (!stop_) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      std::string req;
      char buf[4096];
      size_t head = std::string::npos, want = 0;
      for (;;) {
        head = req.find("\r\n\r\n");
        if (head != std::string::npos) {
          auto lower = req.substr(0, head);
          std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char ch) { return std::tolower(ch); });
          auto cl = lower.find("content-length: ");
          want = cl == std::string::npos ? 0 : std::stoul(lower.substr(cl + 16));
          if (req.size() >= head + 4 + want) break;
        }
        ssize_t n = ::recv(c, buf, sizeof buf, 0);
        if (n <= 0) break;
        req.append(buf, static_cast<size_t>(n));
      }
      Received r = parse(req, head, want);
      std::string body;
      int status, delay;
      {
        std::lock_guard lock(mu_);
        body = body_;
        status = status_;
        delay = delay_ms_;
      }
      if (delay) std::this_thread::sleep_for(std::chrono::milliseconds(delay));
      r.answered = status;
      {
        std::lock_guard lock(mu_);
        received_.push_back(std::move(r));
      }
      std::string resp = "HTTP/1.1 " + std::to_string(status) +
                         " X\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                         "\r\nConnection: close\r\n\r\n" + body;
      ::send(c, resp.data(), resp.size(), MSG_NOSIGNAL);
      ::close(c);
    }
  }
  static Received parse(const std::string& req, size_t head, size_t want) {
    Received r;
    if (head == std::string::npos) return r;
    auto line_end = req.find("\r\n");
    auto request_line = req.substr(0, line_end);
    auto sp1 = request_line.find(' '), sp2 = request_line.rfind(' ');
    r.method = request_line.substr(0, sp1);
    r.target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
    size_t at = line_end + 2;
    while (at < head) {
      auto end = req.find("\r\n", at);
      auto line = req.substr(at, end - at);
      auto colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char ch) { return std::tolower(ch); });
        auto value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(' '));
        r.headers[name] = value;
      }
      at = end + 2;
    }
    r.body = req.substr(head + 4, want);
    return r;
  }

  int fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<Received> received_;
  int status_ = 200;
  std::string body_ = "{}";
  int delay_ms_ = 0;
};

}  // namespace tribune::testing

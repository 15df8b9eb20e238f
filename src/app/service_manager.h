// Telling systemd how the service is (sd_notify(3)): ready once it listens and serves, stopping when it drains,
// a status line, and the watchdog's keep-alive while every I/O thread still answers. Without a service manager
// (NOTIFY_SOCKET unset: a terminal, a test, a container) every call does nothing.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace tribune {

class ServiceManager {
 public:
  ServiceManager() = default;
  ~ServiceManager();
  ServiceManager(const ServiceManager&) = delete;
  ServiceManager& operator=(const ServiceManager&) = delete;

  void ready(const std::string& status);
  void stopping(const std::string& status);

  // When the unit sets WatchdogSec=, asks healthy(wait) every quarter interval (wait: an eighth) and sends
  // WATCHDOG=1 when it says yes. A check that says no sends nothing; so one slow check is forgiven and
  // threads stuck for most of the interval get the node restarted. stopping() ends the checks at once
  // (without waiting for one in progress); the destructor joins the thread.
  void start_watchdog(std::function<bool(std::chrono::milliseconds)> healthy);

 private:
  void end_checks();  // no further check or keep-alive; does not wait for one in progress
  void stop_watchdog();

  std::thread watchdog_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
};

}  // namespace tribune

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

  // When the unit sets WatchdogSec=, sends WATCHDOG=1 every half interval for as long as healthy(wait) says
  // yes (wait: how long it may take to answer, a quarter of the interval). A check that says no sends
  // nothing, so systemd restarts a node whose threads are stuck. Stopped by stopping() and the destructor.
  void start_watchdog(std::function<bool(std::chrono::milliseconds)> healthy);

 private:
  void stop_watchdog();

  std::thread watchdog_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
};

}  // namespace tribune

#include "app/service_manager.h"

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

namespace tribune {

ServiceManager::~ServiceManager() {
  stop_watchdog();
}

void ServiceManager::ready(const std::string& status) {
  sd_notifyf(0, "READY=1\nSTATUS=%s\nMAINPID=%lu", status.c_str(), static_cast<unsigned long>(getpid()));
}

void ServiceManager::stopping(const std::string& status) {
  end_checks();
  sd_notifyf(0, "STOPPING=1\nSTATUS=%s", status.c_str());
}

void ServiceManager::start_watchdog(std::function<bool(std::chrono::milliseconds)> healthy) {
  uint64_t usec = 0;
  // unset_environment = 0: children (none today) would see the same watchdog settings.
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0 || watchdog_.joinable()) return;
  const auto interval = std::chrono::microseconds(usec);
  const auto every = std::chrono::duration_cast<std::chrono::milliseconds>(interval / 4);
  const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(interval / 8);
  spdlog::info("watchdog: a keep-alive every {} ms while the I/O threads answer", every.count());
  watchdog_ = std::thread([this, every, wait, healthy = std::move(healthy)] {
    std::unique_lock lock(mutex_);
    while (!stop_) {
      lock.unlock();
      if (healthy(wait)) {
        std::lock_guard stopped(mutex_);  // no keep-alive once stopping() has been said
        if (!stop_) sd_notify(0, "WATCHDOG=1");
      } else {
        spdlog::error("watchdog: an I/O thread did not answer within {} ms; no keep-alive sent", wait.count());
      }
      lock.lock();
      wake_.wait_for(lock, every, [this] { return stop_; });
    }
  });
}

void ServiceManager::end_checks() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
}

void ServiceManager::stop_watchdog() {
  end_checks();
  if (watchdog_.joinable()) watchdog_.join();
}

}  // namespace tribune

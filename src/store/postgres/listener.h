// LISTEN on one channel over a connection of its own, delivering each NOTIFY payload to a handler on the
// listener's thread. A lost connection is reopened (with backoff) and reported through on_gap, since
// notifications sent meanwhile are gone.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <string_view>
#include <thread>

namespace tribune::pg {

class Listener {
 public:
  Listener(std::string conninfo, std::string channel, std::function<void(std::string_view)> on_message,
           std::function<void()> on_gap);
  ~Listener();  // stops within a quarter of a second
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

 private:
  void run();

  std::string conninfo_, channel_;
  std::function<void(std::string_view)> on_message_;
  std::function<void()> on_gap_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace tribune::pg

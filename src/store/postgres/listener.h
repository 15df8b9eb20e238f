// LISTEN on one channel over a connection of its own, delivering each NOTIFY payload to a handler on the
// listener's thread. A lost connection is reopened (with backoff) and reported through on_gap, since
// notifications sent meanwhile are gone. So is a first LISTEN made after wait_listening() gave up: the node
// was serving (and caching) before it could hear of other nodes' changes.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace tribune::pg {

class Listener {
 public:
  Listener(std::string conninfo, std::string channel, std::function<void(std::string_view)> on_message,
           std::function<void()> on_gap);
  ~Listener();  // stops within a quarter of a second
  // True once the first LISTEN is in place; false after `timeout` (the listener keeps trying).
  bool wait_listening(std::chrono::milliseconds timeout);
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

 private:
  void run();

  std::string conninfo_, channel_;
  std::function<void(std::string_view)> on_message_;
  std::function<void()> on_gap_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable listening_cv_;
  bool listening_ = false;   // the first LISTEN is in place
  bool waited_out_ = false;  // wait_listening() returned before it was
  std::thread thread_;
};

}  // namespace tribune::pg

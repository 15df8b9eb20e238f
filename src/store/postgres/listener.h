// LISTEN on one channel over a connection of its own, delivering each NOTIFY payload to a handler on the
// listener's thread. A lost connection is reopened (with backoff) and reported through on_gap, since
// notifications sent meanwhile are gone. So is a first LISTEN made after wait_listening() gave up: the node
// was serving (and caching) before it could hear of other nodes' changes. on_listening(true) follows each
// LISTEN put in place (after on_gap), on_listening(false) each connection found lost.
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

struct ListenerOptions {
  std::string channel;
  std::string what = "live updates across nodes";  // how the log names it
  std::function<void(std::string_view)> on_message;
  std::function<void()> on_gap;
  std::function<void(bool)> on_listening;
};

class Listener {
 public:
  Listener(std::string conninfo, ListenerOptions options);
  ~Listener();  // stops within a quarter of a second
  // True once the first LISTEN is in place; false after `timeout` (the listener keeps trying).
  bool wait_listening(std::chrono::milliseconds timeout);
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

 private:
  void run();

  std::string conninfo_;
  ListenerOptions o_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable listening_cv_;
  bool listening_ = false;   // the first LISTEN is in place
  bool waited_out_ = false;  // wait_listening() returned before it was
  std::thread thread_;
};

}  // namespace tribune::pg

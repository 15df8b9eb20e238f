// The systemd unit's side of the process (issue 18): READY=1 once serving, STOPPING=1 when draining, and the
// watchdog's keep-alive only while every I/O thread answers, spoken over a real notify socket as systemd
// would listen on it.
#include "app/service_manager.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/post.hpp>
#include <cstdlib>
#include <future>
#include <string>

#include "http/metrics.h"
#include "http/pipeline.h"
#include "http/router.h"
#include "http/server.h"
#include "test_support.h"

using namespace tribune;

namespace {

// What systemd does: a datagram socket named by NOTIFY_SOCKET, one message per sd_notify call.
class NotifySocket {
 public:
  NotifySocket() : path_(dir_.path() + "/notify") {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    path_.copy(addr.sun_path, sizeof addr.sun_path - 1);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ::setenv("NOTIFY_SOCKET", path_.c_str(), 1);
  }
  ~NotifySocket() {
    ::unsetenv("NOTIFY_SOCKET");
    ::unsetenv("WATCHDOG_USEC");
    ::close(fd_);
  }
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  // The next message within `ms`, or "" when none came.
  std::string next(int ms) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, ms) != 1) return "";
    char buf[4096];
    auto n = ::recv(fd_, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
  }

 private:
  tribune::testing::TempDir dir_;
  std::string path_;
  int fd_ = -1;
};

}  // namespace

TEST(ServiceManager, SaysReadyAndStoppingAndKeepsTheWatchdogFedOnlyWhileHealthy) {
  NotifySocket systemd;
  ::setenv("WATCHDOG_USEC", "200000", 1);  // WatchdogSec=200ms: a check every 50 ms, each given 25 ms
  std::atomic<bool> healthy{true};
  std::atomic<int64_t> asked_within{0};
  std::atomic<int> refused{0};
  ServiceManager manager;
  manager.ready("serving on http://127.0.0.1:1");
  auto ready = systemd.next(1000);
  EXPECT_NE(ready.find("READY=1"), std::string::npos) << ready;
  EXPECT_NE(ready.find("STATUS=serving on http://127.0.0.1:1"), std::string::npos) << ready;

  manager.start_watchdog([&](std::chrono::milliseconds within) {
    asked_within = within.count();
    if (!healthy) ++refused;
    return healthy.load();
  });
  EXPECT_EQ(systemd.next(1000), "WATCHDOG=1");
  EXPECT_EQ(systemd.next(1000), "WATCHDOG=1");
  EXPECT_EQ(asked_within, 25);  // an eighth of the interval

  healthy = false;
  for (int i = 0; i < 200 && refused < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_GE(refused, 2);
  while (!systemd.next(20).empty()) {  // keep-alives sent before the checks said no
  }
  EXPECT_EQ(systemd.next(400), "");  // none while unhealthy: systemd would restart the node
  healthy = true;
  EXPECT_EQ(systemd.next(1000), "WATCHDOG=1");

  manager.stopping("draining connections");
  std::string stopping;
  for (int i = 0; i < 5 && stopping.find("STOPPING=1") == std::string::npos; ++i) stopping = systemd.next(1000);
  EXPECT_NE(stopping.find("STOPPING=1"), std::string::npos) << stopping;
  EXPECT_EQ(systemd.next(300), "");  // the watchdog stopped with it
}

TEST(ServiceManager, WithoutASystemdEverythingIsQuiet) {
  ::unsetenv("NOTIFY_SOCKET");
  ::setenv("WATCHDOG_USEC", "200000", 1);
  std::atomic<int> checks{0};
  {
    ServiceManager manager;
    manager.ready("serving");
    manager.start_watchdog([&](std::chrono::milliseconds) { return ++checks > 0; });
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    manager.stopping("draining");
  }
  ::unsetenv("WATCHDOG_USEC");
  EXPECT_GE(checks, 1);  // sd_watchdog_enabled reads the environment; sending to no socket is a no-op
}

TEST(ServiceManager, TheServerAnswersOnlyWhileNoIoThreadIsStuck) {
  Router router;
  Metrics metrics;
  Pipeline pipeline(router, metrics, PipelineOptions{});
  ServerOptions options;
  options.port = 0;
  options.io_threads = 2;
  options.drain_timeout = std::chrono::seconds(1);
  Server server(options);
  EXPECT_FALSE(server.answering(std::chrono::milliseconds(50)));  // not started
  server.start(pipeline);
  EXPECT_TRUE(server.answering(std::chrono::milliseconds(500)));

  std::promise<void> release;
  auto released = release.get_future().share();
  boost::asio::post(server.main_context(), [released] { released.wait(); });  // a handler that hangs
  EXPECT_FALSE(server.answering(std::chrono::milliseconds(100)));
  release.set_value();
  EXPECT_TRUE(server.answering(std::chrono::milliseconds(500)));

  server.stop();
  EXPECT_FALSE(server.answering(std::chrono::milliseconds(50)));
  server.wait();
}

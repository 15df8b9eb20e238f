// One live frame to many readers' sockets at once (live/send_batch.h): through io_uring where the kernel has it,
// else a send() each. Both ways must give every socket its bytes, answer for each socket in its own place, take
// what a full socket holds without waiting, and report a reader that has gone, without a SIGPIPE.
#include "live/send_batch.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

using tribune::SendBatch;

namespace {

// Connected TCP pairs over loopback: the server's end (non-blocking, as a live reader's is) and the reader's.
struct Pairs {
  std::vector<int> server, reader;
  explicit Pairs(int n) {
    int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in at{};
    at.sin_family = AF_INET;
    at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof at;
    EXPECT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&at), sizeof at), 0);
    EXPECT_EQ(::listen(listener, n), 0);
    EXPECT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&at), &len), 0);
    for (int i = 0; i < n; ++i) {
      int r = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      EXPECT_EQ(::connect(r, reinterpret_cast<sockaddr*>(&at), sizeof at), 0);
      int s = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      EXPECT_GE(s, 0);
      server.push_back(s);
      reader.push_back(r);
    }
    ::close(listener);
  }
  ~Pairs() {
    for (int fd : server) ::close(fd);
    for (int fd : reader)
      if (fd >= 0) ::close(fd);
  }
};

// Everything the reader's end has received so far (waits up to a second for the first bytes).
std::string drain(int fd) {
  std::string got;
  char buf[65536];
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0) {
      got.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (!got.empty() || std::chrono::steady_clock::now() > deadline) return got;
  }
}

void every_reader_gets_every_frame(SendBatch& batch) {
  // 40 readers, each listed 15 times: 600 sends, more than one system call's worth through the ring.
  Pairs pairs(40);
  std::vector<int> fds;
  for (int round = 0; round < 15; ++round)
    for (int fd : pairs.server) fds.push_back(fd);
  // Two closed connections' sockets (-1) among them, one in each system call's share: each fails in its place.
  fds.insert(fds.begin() + 3, -1);
  fds.insert(fds.begin() + 520, -1);
  auto shared = std::make_shared<const std::string>("id: 7\nevent: comment.created\ndata: {\"body\":\"" +
                                                    std::string(600, 'w') + "\"}\n\n");
  const std::string& frame = *shared;
  std::vector<ssize_t> results;
  batch.send(fds, shared, results);
  ASSERT_EQ(results.size(), fds.size());
  for (size_t i = 0; i < results.size(); ++i)
    EXPECT_EQ(results[i], i == 3 || i == 520 ? -EBADF : static_cast<ssize_t>(frame.size())) << i;
  std::string fifteen;
  for (int round = 0; round < 15; ++round) fifteen += frame;
  for (int fd : pairs.reader) {
    std::string got = drain(fd);
    while (got.size() < fifteen.size()) {
      std::string more = drain(fd);
      if (more.empty()) break;
      got += more;
    }
    EXPECT_EQ(got, fifteen);
  }
}

void each_socket_answers_in_its_own_place(SendBatch& batch) {
  Pairs pairs(4);
  // pairs 0 and 3 read; pair 1's reader never reads (its buffers fill); pair 2's reader has gone.
  ::close(pairs.reader[2]);
  pairs.reader[2] = -1;
  auto big = std::make_shared<const std::string>(4 << 20, 'x');  // more than loopback's buffers hold
  std::vector<int> fds = {pairs.server[0], pairs.server[1], pairs.server[2], -1, pairs.server[3]};
  std::vector<ssize_t> results;

  std::vector<int> only_full = {pairs.server[1]};
  auto started = std::chrono::steady_clock::now();
  batch.send(only_full, big, results);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_GT(results[0], 0) << "a socket with room takes what fits";
  EXPECT_LT(results[0], static_cast<ssize_t>(big->size())) << "and no more";
  batch.send(only_full, big, results);
  EXPECT_EQ(results[0], 0) << "a full socket takes nothing, and says so at once";
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(500)) << "it never waits for room";

  auto shared = std::make_shared<const std::string>("event: comment.updated\ndata: {}\n\n");
  const std::string& frame = *shared;
  batch.send(fds, shared, results);  // the gone reader's first send may still be taken: its reset comes back
  std::vector<ssize_t> again;
  batch.send(fds, shared, again);
  ASSERT_EQ(again.size(), fds.size());
  EXPECT_EQ(results[0], static_cast<ssize_t>(frame.size()));
  EXPECT_EQ(again[0], static_cast<ssize_t>(frame.size()));
  EXPECT_EQ(results[1], 0) << "still full";
  EXPECT_LT(again[2], 0) << "the reader that has gone fails (and no SIGPIPE ended this test)";
  EXPECT_TRUE(again[2] == -EPIPE || again[2] == -ECONNRESET) << again[2];
  EXPECT_EQ(results[3], -EBADF) << "a closed connection's socket (-1)";
  EXPECT_EQ(again[4], static_cast<ssize_t>(frame.size()));
  EXPECT_EQ(drain(pairs.reader[0]), frame + frame);
  EXPECT_EQ(drain(pairs.reader[3]), frame + frame);
}

}  // namespace

// Each test runs twice: through the ring (skipped where io_uring is refused), and a send() each.
class SendBatchWays : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    if (GetParam() && !batch.uses_ring()) GTEST_SKIP() << "io_uring is not available here (the fallback still runs)";
    ASSERT_EQ(batch.uses_ring(), GetParam());
  }
  void TearDown() override {
    if (GetParam()) {
      EXPECT_TRUE(batch.uses_ring()) << "the ring failed and was given up";
    }
  }
  SendBatch batch{GetParam()};
};

TEST_P(SendBatchWays, EveryReaderGetsEveryFrame) {
  every_reader_gets_every_frame(batch);
}

TEST_P(SendBatchWays, EachSocketAnswersInItsOwnPlaceAndNoneWaits) {
  each_socket_answers_in_its_own_place(batch);
}

INSTANTIATE_TEST_SUITE_P(SendBatch, SendBatchWays, ::testing::Values(true, false),
                         [](const ::testing::TestParamInfo<bool>& way) {
                           return way.param ? "ThroughTheRing" : "OneByOne";
                         });

// A ring made while the process is out of descriptors (a flood of connections) cannot be had: the frames still
// go, a send() each.
TEST(SendBatch, MadeWhileOutOfDescriptorsItStillSends) {
  Pairs pairs(2);
  rlimit was{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &was), 0);
  rlimit few = was;
  few.rlim_cur = 256;  // a few hundred files to open, not the whole limit
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &few), 0);
  std::vector<int> filler;
  for (;;) {
    int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd < 0) break;
    filler.push_back(fd);
  }
  SendBatch batch(true);
  for (int fd : filler) ::close(fd);
  ::setrlimit(RLIMIT_NOFILE, &was);
  EXPECT_FALSE(batch.uses_ring());
  std::vector<ssize_t> results;
  batch.send(pairs.server, std::make_shared<const std::string>("data: still\n\n"), results);
  EXPECT_EQ(results, (std::vector<ssize_t>{13, 13}));
  EXPECT_EQ(drain(pairs.reader[0]), "data: still\n\n");
  EXPECT_EQ(drain(pairs.reader[1]), "data: still\n\n");
}

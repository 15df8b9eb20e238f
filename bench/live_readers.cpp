// Many live readers on one article (issue 19, item 3): a native load client for bench/live_readers.sh.
//
// Opens N Server-Sent Events connections to one article's stream (each bound to one of several loopback source
// addresses, 10,000 on each of 127.0.0.1, 127.0.0.2, ..., since one source address has about 28,000 ports
// towards one listener),
// reads the server's RSS before and after, then posts M comments one after the other and times each one's
// frame from the moment its POST was sent to its arrival on every connection. One thread, epoll, non-blocking
// sockets, a few dozen bytes of state per connection: the client must not be what limits the run.
//
// Prints connections, failures, the server's RSS per reader, deliveries, their latency (p50, p99, max), the
// server's CPU time while delivering and deliveries per server core-second, and whether every connection got
// every frame in order. Exit status 1 when a frame was missing or out of order.
//
// Usage: tribune_bench_live PORT SLUG CONNECTIONS COMMENTS SERVER_PID COOKIE CSRF
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace {

using Steady = std::chrono::steady_clock;

constexpr int kPerSource = 10000;  // connections per loopback source address
constexpr int kInFlight = 2000;    // connections being opened at once (the listener's backlog)

enum class Phase : uint8_t { connecting, waiting_headers, streaming, closed };

struct Conn {
  int fd = -1;
  Phase phase = Phase::connecting;
  int64_t last_id = 0;  // the newest comment id seen (frames must arrive in order)
  int received = 0;     // comment frames seen
  bool out_of_order = false;
  std::string carry;  // an incomplete line kept between reads
};

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "live_readers: %s: %s\n", what.c_str(), std::strerror(errno));
  std::exit(2);
}

long rss_kb(int pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line))
    if (line.starts_with("VmRSS:")) return std::strtol(line.c_str() + 6, nullptr, 10);
  return 0;
}

double cpu_seconds(int pid) {  // user + system time of the whole process
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  auto close = s.rfind(')');
  std::istringstream rest(s.substr(close + 2));
  std::string field;
  long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stol(field);
    if (i == 15) stime = std::stol(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// A blocking POST of one comment; returns its id (0 on failure).
int64_t post_comment(int port, const std::string& slug, const std::string& cookie, const std::string& csrf, int n) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) die("connecting to post");
  std::string body = R"({"body":"Live readers comment )" + std::to_string(n) + R"(: the tide is turning."})";
  std::string req = "POST /api/v1/articles/" + slug + "/comments HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" +
                    "Content-Type: application/json\r\nCookie: " + cookie + "\r\nX-CSRF-Token: " + csrf +
                    "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  if (write(fd, req.data(), req.size()) != static_cast<ssize_t>(req.size())) die("posting");
  std::string resp;
  char buf[4096];
  for (ssize_t k; (k = read(fd, buf, sizeof buf)) > 0;) resp.append(buf, static_cast<size_t>(k));
  close(fd);
  if (!resp.starts_with("HTTP/1.1 201")) {
    std::fprintf(stderr, "live_readers: post %d answered: %.200s\n", n, resp.c_str());
    return 0;
  }
  auto at = resp.find("\"comment\":{\"id\":");
  return at == std::string::npos ? 0 : std::strtoll(resp.c_str() + at + 16, nullptr, 10);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 8) {
    std::fprintf(stderr, "usage: %s PORT SLUG CONNECTIONS COMMENTS SERVER_PID COOKIE CSRF\n", argv[0]);
    return 2;
  }
  const int port = std::atoi(argv[1]);
  const std::string slug = argv[2];
  const int total = std::atoi(argv[3]);
  const int comments = std::atoi(argv[4]);
  const int pid = std::atoi(argv[5]);
  const std::string cookie = argv[6], csrf = argv[7];
  const std::string request = "GET /api/v1/articles/" + slug + "/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

  int ep = epoll_create1(0);
  std::vector<Conn> conns(static_cast<size_t>(total));
  std::vector<char> buf(1 << 16);
  std::unordered_map<int64_t, Steady::time_point> sent;  // comment id -> when its POST went out
  std::vector<double> latencies_ms;
  latencies_ms.reserve(static_cast<size_t>(total) * static_cast<size_t>(comments));
  int opened = 0, streaming = 0, failed = 0;

  auto open_one = [&](int i) {
    Conn& c = conns[static_cast<size_t>(i)];
    c.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (c.fd < 0) die("socket (raise the open-file limit)");
    sockaddr_in src{};
    src.sin_family = AF_INET;
    src.sin_addr.s_addr = htonl(INADDR_LOOPBACK + static_cast<uint32_t>(i / kPerSource));
    // The port is chosen at connect(), by the whole address pair: connections closing from an earlier run
    // (TIME_WAIT) then do not exhaust the ports a bind() alone would reserve.
    int one = 1;
    setsockopt(c.fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    if (bind(c.fd, reinterpret_cast<sockaddr*>(&src), sizeof src) != 0) die("bind");
    sockaddr_in dst{};
    dst.sin_family = AF_INET;
    dst.sin_port = htons(static_cast<uint16_t>(port));
    dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(c.fd, reinterpret_cast<sockaddr*>(&dst), sizeof dst) != 0 && errno != EINPROGRESS) die("connect");
    epoll_event ev{};
    ev.events = EPOLLOUT | EPOLLIN;
    ev.data.u32 = static_cast<uint32_t>(i);
    epoll_ctl(ep, EPOLL_CTL_ADD, c.fd, &ev);
  };
  auto fail = [&](Conn& c) {
    if (c.phase != Phase::streaming) ++failed;
    c.phase = Phase::closed;
    close(c.fd);
  };

  // Scans newly read bytes for "id: N" lines (created comments carry one).
  auto scan = [&](Conn& c, std::string_view data, Steady::time_point now) {
    std::string joined;
    if (!c.carry.empty()) {
      joined = c.carry + std::string(data);
      data = joined;
      c.carry.clear();
    }
    size_t pos = 0;
    for (;;) {
      size_t nl = data.find('\n', pos);
      if (nl == std::string_view::npos) {
        if (pos < data.size()) c.carry.assign(data.substr(pos));
        return;
      }
      std::string_view line = data.substr(pos, nl - pos);
      pos = nl + 1;
      if (!line.starts_with("id: ")) continue;
      int64_t id = std::strtoll(std::string(line.substr(4)).c_str(), nullptr, 10);
      if (id <= c.last_id) c.out_of_order = true;
      c.last_id = id;
      if (auto s = sent.find(id); s != sent.end()) {
        ++c.received;
        latencies_ms.push_back(std::chrono::duration<double, std::milli>(now - s->second).count());
      }
    }
  };

  auto pump = [&](int timeout_ms) {
    epoll_event events[512];
    int n = epoll_wait(ep, events, 512, timeout_ms);
    auto now = Steady::now();
    for (int k = 0; k < n; ++k) {
      Conn& c = conns[events[k].data.u32];
      if (c.phase == Phase::closed) continue;
      if (c.phase == Phase::connecting) {
        if (events[k].events & (EPOLLERR | EPOLLHUP)) {
          fail(c);
          continue;
        }
        if (write(c.fd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) {
          fail(c);
          continue;
        }
        c.phase = Phase::waiting_headers;
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u32 = events[k].data.u32;
        epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &ev);
        continue;
      }
      for (;;) {
        ssize_t got = read(c.fd, buf.data(), buf.size());
        if (got == 0 || (got < 0 && errno != EAGAIN)) {
          fail(c);
          break;
        }
        if (got < 0) break;
        std::string_view data(buf.data(), static_cast<size_t>(got));
        if (c.phase == Phase::waiting_headers) {
          c.carry.append(data);
          auto at = c.carry.find("retry: 3000\n\n");
          if (at == std::string::npos) {
            if (c.carry.size() > 8192 ||
                (c.carry.find("\r\n\r\n") != std::string::npos && !c.carry.starts_with("HTTP/1.1 200"))) {
              std::fprintf(stderr, "live_readers: refused: %.300s\n", c.carry.c_str());
              fail(c);
              break;
            }
            continue;
          }
          std::string rest = c.carry.substr(at + 13);
          c.carry.clear();
          c.carry.shrink_to_fit();
          c.phase = Phase::streaming;
          ++streaming;
          scan(c, rest, now);
          continue;
        }
        scan(c, data, now);
      }
    }
  };

  long rss_before = rss_kb(pid);
  auto t_connect = Steady::now();
  int next = 0;
  while (streaming + failed < total) {
    while (next < total && next - streaming - failed < kInFlight) open_one(next++);
    opened = next;
    pump(100);
    if (Steady::now() - t_connect > std::chrono::seconds(300)) break;
  }
  double connect_s = std::chrono::duration<double>(Steady::now() - t_connect).count();
  // Let the server settle (its buffers from the connection burst) before reading its RSS.
  for (auto until = Steady::now() + std::chrono::seconds(2); Steady::now() < until;) pump(50);
  long rss_after = rss_kb(pid);
  std::printf("connections: %d opened, %d streaming, %d failed, in %.1f s\n", opened, streaming, failed, connect_s);
  std::printf("server RSS: %.1f MB before, %.1f MB with the readers: %.2f KB a reader\n", rss_before / 1024.0,
              rss_after / 1024.0, streaming ? static_cast<double>(rss_after - rss_before) / streaming : 0.0);

  double cpu_before = cpu_seconds(pid);
  auto t_first = Steady::now();
  Steady::time_point t_last_delivery = t_first;
  size_t expected = 0;
  for (int m = 0; m < comments; ++m) {
    auto before = Steady::now();
    // Record the send time before the POST: its frame may arrive before the 201 is read.
    int64_t id = post_comment(port, slug, cookie, csrf, m);
    if (!id) return 2;
    sent[id] = before;
    expected += static_cast<size_t>(streaming);
    // Wait until every reader has it (or 10 s), reading all the while.
    auto deadline = Steady::now() + std::chrono::seconds(10);
    while (latencies_ms.size() < expected && Steady::now() < deadline) pump(10);
    t_last_delivery = Steady::now();
  }
  double cpu = cpu_seconds(pid) - cpu_before;
  double wall = std::chrono::duration<double>(t_last_delivery - t_first).count();

  int missing = 0, disordered = 0, dropped = 0;
  for (auto& c : conns) {
    if (c.phase == Phase::closed && c.received < comments) ++dropped;
    if (c.received < comments) ++missing;
    if (c.out_of_order) ++disordered;
  }
  std::sort(latencies_ms.begin(), latencies_ms.end());
  auto pct = [&](double p) {
    return latencies_ms.empty()
               ? 0.0
               : latencies_ms[std::min(latencies_ms.size() - 1,
                                       static_cast<size_t>(p * static_cast<double>(latencies_ms.size())))];
  };
  std::printf("deliveries: %zu of %zu (%d comments x %d readers) in %.2f s: %.0f a second\n", latencies_ms.size(),
              expected, comments, streaming, wall, static_cast<double>(latencies_ms.size()) / std::max(wall, 1e-9));
  std::printf("latency from POST to frame: p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", pct(0.50), pct(0.99),
              latencies_ms.empty() ? 0.0 : latencies_ms.back());
  std::printf("server CPU while delivering: %.2f s: %.0f deliveries per core-second\n", cpu,
              cpu > 0 ? static_cast<double>(latencies_ms.size()) / cpu : 0.0);
  std::printf("order: %d readers missed a frame (%d of them dropped), %d got one out of order\n", missing, dropped,
              disordered);
  for (auto& c : conns)
    if (c.phase != Phase::closed) close(c.fd);
  return missing || disordered ? 1 : 0;
}

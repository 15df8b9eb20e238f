#include "http/server.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <condition_variable>
#include <csignal>
#include <list>
#include <mutex>
#include <optional>

#include "model/error.h"
#include "util/text.h"

namespace tribune {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using asio::use_awaitable;
constexpr auto as_tuple = asio::as_tuple(asio::use_awaitable);

// Per-thread state: the acceptor and the connections it owns. Only touched from its io_context's thread.
struct Server::Worker {
  asio::io_context& ioc;
  tcp::acceptor acceptor;
  struct Conn {
    beast::tcp_stream* stream;
    bool busy;
    bool event_stream = false;  // its descriptor is written by the live fan-out (live/hub.cpp) too
  };
  std::list<Conn> conns;
  bool draining = false;
  // Kept open so that, when the process is out of descriptors, one can be freed to accept and close the
  // waiting connection: the client gets a close instead of hanging in the backlog, and accept stops failing.
  int spare_fd = -1;
  std::chrono::steady_clock::time_point last_accept_report{};
  uint64_t unreported_accept_failures = 0;

  explicit Worker(asio::io_context& c) : ioc(c), acceptor(c) { spare_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC); }
  ~Worker() {
    if (spare_fd >= 0) ::close(spare_fd);
  }

  void close_idle() {
    for (auto& c : conns)
      if (!c.busy) {
        beast::error_code ec;
        c.stream->socket().shutdown(tcp::socket::shutdown_both, ec);
        c.stream->socket().close(ec);
      }
  }
};

namespace {

// Takes r's headers (moved, not copied: a page's dozen headers are a dozen allocations); its body stays in r,
// which must outlive the wire message.
http::response<http::span_body<const char>> to_wire(Response& r, unsigned version, bool keep_alive) {
  http::response<http::span_body<const char>> res;
  static_cast<http::fields&>(res) = std::move(r.headers);
  r.headers.clear();
  res.result(r.status);
  res.version(version);
  auto payload = r.payload();
  res.body() = boost::span<const char>(payload.data(), payload.size());
  if (res.find(http::field::content_length) == res.end() && !r.stream) res.prepare_payload();
  res.keep_alive(keep_alive);
  res.set(http::field::server, "Tribune");
  return res;
}

// A deadline that cancels what a connection's socket waits for (the rest of a request, room in a full
// socket), not the connection, so that an answer can still be sent. Its handler may already be queued when
// the wait it guards ends: it acts only on the wait it was armed for, and never after the connection is gone.
class SocketDeadline {
 public:
  SocketDeadline(asio::io_context& ioc, beast::tcp_stream& stream)
      : state_(std::make_shared<State>(State{0, false, &stream})), timer_(ioc) {}
  ~SocketDeadline() { state_->stream = nullptr; }
  SocketDeadline(const SocketDeadline&) = delete;
  SocketDeadline& operator=(const SocketDeadline&) = delete;

  void arm(std::chrono::steady_clock::duration after) {
    state_->timed_out = false;
    timer_.expires_after(after);
    timer_.async_wait([state = state_, round = state_->round](beast::error_code ec) {
      if (ec || round != state->round || !state->stream) return;
      state->timed_out = true;
      beast::error_code ignored;
      state->stream->socket().cancel(ignored);
    });
  }
  void disarm() {
    timer_.cancel();
    ++state_->round;
  }
  bool timed_out() const { return state_->timed_out; }
  void clear() { state_->timed_out = false; }

 private:
  struct State {
    uint64_t round = 0;
    bool timed_out = false;
    beast::tcp_stream* stream;
  };
  std::shared_ptr<State> state_;
  asio::steady_timer timer_;
};

// Sends a response whose body is in a memory file (http/body_file.h): the head from memory, then the body
// with sendfile. Most responses fit the socket's buffer and go out in these two calls; one that does not
// waits for the socket, within `timeout` for the rest. False when the connection failed or the time ran out.
// If sendfile is refused (a system-call filter), the rest of the body goes from memory.
asio::awaitable<bool> send_with_file(beast::tcp_stream& stream, http::response<http::span_body<const char>>& wire,
                                     const BodyFile& file, SocketDeadline& deadline,
                                     std::chrono::steady_clock::duration timeout) {
  auto& socket = stream.socket();
  int fd = socket.native_handle();
  http::response_serializer<http::span_body<const char>> sr(wire);
  sr.split(true);
  beast::error_code serialize_ec;
  std::string head;
  sr.next(serialize_ec, [&](beast::error_code&, const auto& buffers) {
    for (auto b : beast::buffers_range_ref(buffers)) head.append(static_cast<const char*>(b.data()), b.size());
  });
  // MSG_MORE: the head leaves in one segment with the start of the body.
  ssize_t n = ::send(fd, head.data(), head.size(), MSG_MORE | MSG_NOSIGNAL | MSG_DONTWAIT);
  if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) co_return false;
  size_t head_sent = n > 0 ? static_cast<size_t>(n) : 0;
  off_t offset = 0;
  auto size = static_cast<off_t>(file.size());
  auto send_body = [&]() -> int {  // 1: all sent; 0: the socket is full; -1: failed; -2: sendfile refused
    while (offset < size) {
      ssize_t sent = ::sendfile(fd, file.fd(), &offset, static_cast<size_t>(size - offset));
      if (sent > 0) continue;
      if (sent < 0 && errno == EINTR) continue;
      if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
      return sent < 0 && (errno == EINVAL || errno == ENOSYS || errno == EPERM) ? -2 : -1;
    }
    return 1;
  };
  int state = head_sent == head.size() ? send_body() : 0;
  if (state == 0 || state == -2 || head_sent < head.size()) {
    // The slow way: the socket is full (or sendfile is refused), within the deadline.
    deadline.arm(timeout);
    struct Disarm {
      SocketDeadline& d;
      ~Disarm() { d.disarm(); }
    } disarm{deadline};
    if (head_sent < head.size()) {
      auto [wec, wn] =
          co_await asio::async_write(socket, asio::buffer(head.data() + head_sent, head.size() - head_sent), as_tuple);
      (void)wn;
      if (wec || deadline.timed_out()) co_return false;
      state = send_body();
    }
    while (state == 0) {
      auto [wec] = co_await socket.async_wait(tcp::socket::wait_write, as_tuple);
      if (wec || deadline.timed_out()) co_return false;
      state = send_body();
    }
    if (state == -2) {  // refused: the rest from memory (what the file holds is the response's body)
      BodyFile::refused();
      auto body = wire.body();
      auto [wec, wn] = co_await asio::async_write(
          socket, asio::buffer(body.data() + offset, body.size() - static_cast<size_t>(offset)), as_tuple);
      (void)wn;
      co_return !wec && !deadline.timed_out();
    }
  }
  if (state == 1) BodyFile::count_sent();
  co_return state == 1;
}

// After an error answered before the request was read to its end (431, 413, 408): stop sending, then read
// and discard what the client still sends for a moment, so that closing does not reset the connection and
// destroy the answer in flight (RFC 9112, section 9.6).
asio::awaitable<void> lingering_close(beast::tcp_stream& stream) {
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream.expires_after(std::chrono::seconds(2));
  char sink[16 * 1024];
  size_t discarded = 0;
  while (discarded < size_t{1024} * 1024) {
    auto [rec, n] = co_await stream.async_read_some(asio::buffer(sink), as_tuple);
    if (rec) break;
    discarded += n;
  }
}

std::atomic<int> uploads_in_flight{0};

// The Content-Length a request head (as far as it has arrived) declares; nullopt when it declares none (a
// chunked body, or a head not yet whole).
std::optional<size_t> declared_body_size(std::string_view head) {
  size_t end = head.find("\r\n\r\n");
  if (end != std::string_view::npos) head = head.substr(0, end);
  for (size_t at = head.find("\r\n"); at != std::string_view::npos; at = head.find("\r\n", at + 2)) {
    std::string_view line = head.substr(at + 2, head.find("\r\n", at + 2) - (at + 2));
    constexpr std::string_view name = "content-length:";
    if (line.size() < name.size() || to_lower_ascii(line.substr(0, name.size())) != name) continue;
    auto value = trim(line.substr(name.size()));
    size_t n = 0;
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (ec != std::errc() || p != value.data() + value.size()) return std::nullopt;
    return n;
  }
  return std::nullopt;
}

// One of the process's upload slots, given back when it goes.
struct UploadSlot {
  bool held = false;
  bool take(int slots) {
    if (held) return true;
    int n = uploads_in_flight.load();
    while (n < slots)
      if (uploads_in_flight.compare_exchange_weak(n, n + 1)) return held = true;
    return false;
  }
  ~UploadSlot() {
    if (held) uploads_in_flight.fetch_sub(1);
  }
  UploadSlot() = default;
  UploadSlot(const UploadSlot&) = delete;
  UploadSlot& operator=(const UploadSlot&) = delete;
};

asio::awaitable<void> session(tcp::socket socket, Server::Worker& w, const ServerOptions& opt, Pipeline& pipeline) {
  beast::tcp_stream stream(std::move(socket));
  std::string ip;
  {
    beast::error_code ec;
    auto ep = stream.socket().remote_endpoint(ec);
    if (!ec) ip = ep.address().to_string();
  }
  stream.socket().set_option(tcp::no_delay(true));
  auto self = w.conns.insert(w.conns.end(), {&stream, false});
  pipeline.metrics().connection_opened();
  beast::flat_buffer buffer;
  SocketDeadline deadline(w.ioc, stream);
  for (;;) {
    if (w.draining) break;
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<uint32_t>(opt.header_limit));
    parser.body_limit(opt.body_limit);
    // Between requests the idle timeout applies, until the first byte of the next one arrives (a timeout here
    // closes quietly: there is no request to answer).
    if (buffer.size() == 0) {
      stream.expires_after(opt.idle_timeout);
      auto [ec, n] = co_await stream.async_read_some(buffer.prepare(4096), as_tuple);
      if (ec) break;
      buffer.commit(n);
    }
    // An upload's larger limit holds one of a few slots per process until its request is answered: bodies
    // are read before anyone is authenticated, so the memory they may take is bounded by the slots, not by
    // how many connections send one.
    // A slot is taken only by a request that declares a body over the usual limit (or sends it chunked): a
    // form without a file takes none.
    UploadSlot upload;
    bool upload_refused = false;
    size_t limit = opt.body_limit;
    {
      auto* data = static_cast<const char*>(buffer.data().data());
      std::string_view head(data, buffer.data().size());
      for (const auto& prefix : opt.upload_prefixes) {
        if (!head.starts_with(prefix)) continue;
        auto declared = declared_body_size(head);
        if (declared && *declared <= opt.body_limit) break;
        if (upload.take(opt.upload_slots)) {
          limit = std::max(opt.body_limit, opt.upload_body_limit);
          parser.body_limit(limit);
        } else {
          upload_refused = true;
        }
        break;
      }
    }
    // Most requests arrive whole in the first read: parse what is buffered, without a timer or another read.
    beast::error_code ec0;
    parser.eager(true);
    while (buffer.size() > 0 && !parser.is_done()) {
      size_t used = parser.put(buffer.data(), ec0);
      buffer.consume(used);
      if (ec0 == http::error::need_more) {
        ec0 = {};
        break;
      }
      if (ec0 || used == 0) break;
    }
    deadline.clear();
    if (!ec0 && !parser.is_done()) {
      // The rest of the request, head and body, must arrive within the read timeout, or it is answered with
      // 408. The deadline cancels the read instead of closing the socket (as the stream's own timeout would),
      // so that the answer can still be sent.
      stream.expires_never();
      deadline.arm(opt.read_timeout);
      auto [ec1, n1] = co_await http::async_read(stream, buffer, parser, as_tuple);
      (void)n1;
      ec0 = ec1;
      deadline.disarm();
    }
    std::optional<Error> transport_error;
    if (deadline.timed_out())
      transport_error =
          Error(ErrorKind::timeout, "request_timeout",
                "The request did not arrive within " + std::to_string(opt.read_timeout.count()) + " seconds.");
    else if (ec0 == http::error::header_limit)
      transport_error = Error(ErrorKind::headers_too_large, "headers_too_large", "The request headers are too large.");
    else if (ec0 == http::error::body_limit && upload_refused) {
      transport_error = Error(ErrorKind::unavailable, "uploads_busy",
                              "Too many uploads are on their way to this server: try again in a minute.");
      transport_error->set_retry_after(30);
    } else if (ec0 == http::error::body_limit)
      transport_error = Error(ErrorKind::payload_too_large, "payload_too_large",
                              "The request body is larger than " + std::to_string(limit) + " bytes.");
    else if (ec0 && ec0.category() == http::make_error_code(http::error::bad_target).category() &&
             ec0 != http::error::end_of_stream && ec0 != http::error::partial_message)
      transport_error = Error(ErrorKind::bad_request, "malformed_request", "The request is not valid HTTP/1.1.");
    else if (ec0)
      break;  // closed or reset: nothing to answer
    self->busy = true;
    if (transport_error) {
      bool api = parser.get().target().starts_with("/api/");
      Response r = pipeline.error_response(*transport_error, api);
      pipeline.finish(r, false);
      pipeline.metrics().record_request(static_cast<int>(r.status), 0);
      auto wire = to_wire(r, 11, false);
      stream.expires_after(opt.read_timeout);
      auto [wec, wn] = co_await http::async_write(stream, wire, as_tuple);
      (void)wn;
      if (!wec) co_await lingering_close(stream);
      break;
    }
    Request req = parser.release();
    bool keep_alive = req.keep_alive() && !w.draining;
    Response r = co_await pipeline.handle(req, ip);
    if (r.stream) {
      // An event stream: idle between events as far as draining is concerned; it ends when the stream does.
      self->busy = false;
      self->event_stream = true;
      bool sent = false;
      StreamBody body;
      {
        auto head = to_wire(r, req.version(), false);  // while r.stream is set: no Content-Length
        body = std::move(r.stream);
        stream.expires_after(opt.read_timeout);
        http::response_serializer<http::span_body<const char>> sr(head);
        auto [hec, hn] = co_await http::async_write(stream, sr, as_tuple);
        (void)hn;
        sent = !hec;
      }
      stream.expires_never();
      // A stream may stay open for hours, one per live reader: what reading the request took goes first.
      req = {};
      r = {};
      buffer.clear();
      buffer.shrink_to_fit();
      if (sent && !w.draining) co_await body(stream);
      break;
    }
    keep_alive = keep_alive && !w.draining && !r.close;
    auto wire = to_wire(r, req.version(), keep_alive);
    bool sent = false;
    if (r.body_file && r.body_file->holds(r.shared_body) && BodyFile::usable()) {
      stream.expires_never();
      sent = co_await send_with_file(stream, wire, *r.body_file, deadline, opt.read_timeout);
    } else {
      stream.expires_after(opt.read_timeout);
      auto [wec, wn] = co_await http::async_write(stream, wire, as_tuple);
      (void)wn;
      sent = !wec;
    }
    self->busy = false;
    if (!sent || !keep_alive) break;
  }
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  w.conns.erase(self);
  pipeline.metrics().connection_closed();
}

bool out_of_descriptors(const beast::error_code& ec) {
  return ec == asio::error::no_descriptors || ec == beast::errc::too_many_files_open_in_system;
}

// Out of descriptors (EMFILE, ENFILE): the waiting connections would make accept fail again at once, a busy
// loop that also floods the log. Free the spare descriptor, accept and close every waiting connection with it
// (their clients see a close at once instead of hanging), take the spare back, and pause briefly. Failures
// are logged once per interval with a count.
//
// The spare can be lost: another I/O thread's accept, at that moment, may take the descriptor freed for this
// one (its client is served; no harm), and then nothing is free to take the spare back. A worker without a
// spare would shed nothing again and its waiting clients would hang until some descriptor came free (seen
// under load: a connection unanswered for 15 s). So a worker without one closes one of its idle kept-alive
// connections instead (between requests: its client opens another): out of descriptors, an idle client waits
// rather than a new one hangs. Never an event stream: the live fan-out writes to its descriptor from another
// thread, and a descriptor closed here is reused at once by the accept below.
void shed_waiting_connections(Server::Worker& w) {
  if (w.spare_fd >= 0) {
    ::close(w.spare_fd);
    w.spare_fd = -1;
  } else {
    for (auto& c : w.conns)
      if (!c.busy && !c.event_stream && c.stream->socket().is_open()) {
        spdlog::warn(
            "out of descriptors and this thread's spare was taken: an idle connection closed to shed the waiting");
        beast::error_code ec;
        c.stream->socket().shutdown(tcp::socket::shutdown_both, ec);
        c.stream->socket().close(ec);
        break;
      }
  }
  // The whole backlog, not one connection: each of them would otherwise wait for its turn at the pause below.
  for (int shed = 0; shed < 4096; ++shed) {
    beast::error_code ec;
    tcp::socket doomed(w.ioc);
    w.acceptor.accept(doomed, ec);  // non-blocking acceptor: would_block once nobody waits
    if (ec) break;
    doomed.close(ec);
  }
  w.spare_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
}

void report_accept_failure(Server::Worker& w, const beast::error_code& ec) {
  constexpr auto kInterval = std::chrono::seconds(10);
  auto now = std::chrono::steady_clock::now();
  ++w.unreported_accept_failures;
  if (now - w.last_accept_report < kInterval) return;
  spdlog::warn("accept failed: {} ({} times since the last report; connections are being shed)", ec.message(),
               w.unreported_accept_failures);
  w.unreported_accept_failures = 0;
  w.last_accept_report = now;
}

asio::awaitable<void> accept_loop(Server::Worker& w, const ServerOptions& opt, Pipeline& pipeline) {
  for (;;) {
    auto [ec, socket] = co_await w.acceptor.async_accept(as_tuple);
    if (ec) {
      if (ec == asio::error::operation_aborted || !w.acceptor.is_open()) co_return;
      report_accept_failure(w, ec);
      if (out_of_descriptors(ec)) shed_waiting_connections(w);
      asio::steady_timer pause(w.ioc, std::chrono::milliseconds(out_of_descriptors(ec) ? 50 : 10));
      co_await pause.async_wait(as_tuple);
      continue;
    }
    asio::co_spawn(w.ioc, session(std::move(socket), w, opt, pipeline), asio::detached);
  }
}

}  // namespace

Server::Server(ServerOptions options) : options_(std::move(options)) {
  // sendfile(2) has no MSG_NOSIGNAL: a reader gone mid-body must be an EPIPE for that connection, not a
  // SIGPIPE that ends the process (as every server that writes to sockets does).
  std::signal(SIGPIPE, SIG_IGN);
  int n = options_.io_threads > 0 ? options_.io_threads
                                  : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 0; i < n; ++i) {
    contexts_.push_back(std::make_unique<asio::io_context>(1));
    workers_.push_back(std::make_unique<Worker>(*contexts_.back()));
  }
}

Server::~Server() {
  stop();
  wait();
}

void Server::listen() {
  if (bound_) return;
  beast::error_code ec;
  auto addr = asio::ip::make_address(options_.host, ec);
  if (ec) throw Error(ErrorKind::invalid, "invalid_listen", "cannot parse listen address '" + options_.host + "'");
  uint16_t port = options_.port;
  for (auto& w : workers_) {
    tcp::endpoint ep(addr, port);
    w->acceptor.open(ep.protocol());
    w->acceptor.set_option(asio::socket_base::reuse_address(true));
    int one = 1;
    ::setsockopt(w->acceptor.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    w->acceptor.bind(ep, ec);
    if (ec)
      throw Error(ErrorKind::unavailable, "listen_failed",
                  "cannot listen on " + options_.host + ":" + std::to_string(port) + ": " + ec.message());
    w->acceptor.listen(asio::socket_base::max_listen_connections);
    w->acceptor.non_blocking(true);
    port = w->acceptor.local_endpoint().port();  // port 0: the others join the port the first one got
  }
  port_ = port;
  bound_ = true;
}

void Server::start(Pipeline& pipeline) {
  listen();
  pipeline_ = &pipeline;
  for (size_t i = 0; i < workers_.size(); ++i) {
    asio::co_spawn(*contexts_[i], accept_loop(*workers_[i], options_, *pipeline_), asio::detached);
    threads_.emplace_back([ctx = contexts_[i].get()] { ctx->run(); });
  }
}

void Server::stop() {
  if (stopping_.exchange(true)) return;
  if (threads_.empty()) return;
  for (size_t i = 0; i < workers_.size(); ++i) {
    asio::post(*contexts_[i], [w = workers_[i].get()] {
      w->draining = true;
      beast::error_code ec;
      w->acceptor.close(ec);
      w->close_idle();
    });
  }
  // Connections that were busy finish their response and close themselves; the I/O threads return when
  // no work is left. Anything still running after the drain timeout is cut off.
  auto deadline = std::chrono::steady_clock::now() + options_.drain_timeout;
  drain_watch_ = std::thread([this, deadline] {
    while (std::chrono::steady_clock::now() < deadline) {
      bool all_stopped = true;
      for (auto& c : contexts_) all_stopped = all_stopped && c->stopped();
      if (all_stopped) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    for (auto& c : contexts_) c->stop();
  });
}

bool Server::answering(std::chrono::milliseconds within) {
  if (stopping_ || threads_.empty()) return false;
  // Shared with the posted jobs, which may run after this call has given up on them.
  struct Answers {
    std::mutex mutex;
    std::condition_variable ran;
    size_t count = 0;
  };
  auto answers = std::make_shared<Answers>();
  for (auto& c : contexts_)
    asio::post(*c, [answers] {
      std::lock_guard lock(answers->mutex);
      ++answers->count;
      answers->ran.notify_one();
    });
  std::unique_lock lock(answers->mutex);
  return answers->ran.wait_for(lock, within, [&] { return answers->count == contexts_.size(); });
}

void Server::wait() {
  if (joined_.exchange(true)) return;
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  if (drain_watch_.joinable()) drain_watch_.join();
}

}  // namespace tribune

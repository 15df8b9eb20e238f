// The HTTP/1.1 transport: one io_context and one SO_REUSEPORT acceptor per I/O thread (the kernel spreads
// connections across them; no cross-thread handoff), a coroutine per connection, limits on headers, bodies
// and idle time, and a graceful drain on stop().
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "http/pipeline.h"

namespace tribune {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;                     // 0 picks a free port
  int io_threads = 0;                       // 0: one per core
  size_t header_limit = size_t{16} * 1024;  // larger request heads get 431
  size_t body_limit = size_t{1024} * 1024;  // larger bodies get 413
  // Uploads: requests whose line starts with one of these ("POST /api/v1/images") may carry up to
  // upload_body_limit. The request line is matched in the connection's first read of the request, so the
  // limit is known before the body is read; a line split across reads gets body_limit.
  // At most upload_slots such requests at a time in the process (others get body_limit): bodies are read
  // before the request is authenticated, so this bounds the memory uploads can take.
  std::vector<std::string> upload_prefixes;
  size_t upload_body_limit = size_t{1024} * 1024;
  int upload_slots = 8;
  std::chrono::seconds read_timeout{30};
  std::chrono::seconds idle_timeout{60};
  std::chrono::seconds drain_timeout{10};
};

class Server {
 public:
  explicit Server(ServerOptions options);
  ~Server();

  // Binds the listening sockets (port() is known afterwards). Throws Error(unavailable) when it cannot.
  void listen();
  // Starts the I/O threads (binding first if listen() was not called). pipeline must outlive the server.
  void start(Pipeline& pipeline);
  uint16_t port() const { return port_; }

  // Stops accepting, lets in-flight requests finish (up to drain_timeout), closes idle connections, and
  // joins the I/O threads. Idempotent; callable from any thread, including a signal handler's strand.
  void stop();
  void wait();

  boost::asio::io_context& main_context() { return *contexts_.front(); }

  // Whether every I/O thread runs a job posted to it within `within` (a thread stuck in a handler does not).
  // What the service manager's watchdog is told (app/service_manager.h). False once stopping.
  bool answering(std::chrono::milliseconds within);

  struct Worker;  // per-thread acceptor and connections (server.cpp)

 private:
  ServerOptions options_;
  Pipeline* pipeline_ = nullptr;
  uint16_t port_ = 0;
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::thread> threads_;
  std::thread drain_watch_;
  bool bound_ = false;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> joined_{false};
};

}  // namespace tribune

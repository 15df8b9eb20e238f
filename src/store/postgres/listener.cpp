#include "store/postgres/listener.h"

#include <libpq-fe.h>
#include <poll.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <memory>

#include "store/postgres/pg.h"

namespace tribune::pg {

Listener::Listener(std::string conninfo, ListenerOptions options)
    : conninfo_(std::move(conninfo)), o_(std::move(options)), thread_([this] { run(); }) {}

Listener::~Listener() {
  stop_ = true;
  thread_.join();
}

bool Listener::wait_listening(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  if (listening_cv_.wait_for(lock, timeout, [this] { return listening_; })) return true;
  waited_out_ = true;
  return false;
}

void Listener::run() {
  bool connected_before = false;
  auto backoff = std::chrono::milliseconds(100);
  auto pause = [&](std::chrono::milliseconds d) {
    for (auto slept = std::chrono::milliseconds(0); slept < d && !stop_; slept += std::chrono::milliseconds(50))
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  };
  while (!stop_) {
    std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(conninfo_.c_str()), &PQfinish);
    bool ok = conn && PQstatus(conn.get()) == CONNECTION_OK;
    if (ok) {
      std::unique_ptr<PGresult, decltype(&PQclear)> r(
          PQexec(conn.get(), ("LISTEN " + quote_identifier(o_.channel)).c_str()), &PQclear);
      ok = r && PQresultStatus(r.get()) == PGRES_COMMAND_OK;
    }
    if (!ok) {
      spdlog::warn("{}: cannot listen ({}); retrying", o_.what,
                   conn ? std::string(PQerrorMessage(conn.get())).substr(0, 200) : std::string("no connection"));
      pause(backoff);
      backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
      continue;
    }
    backoff = std::chrono::milliseconds(100);
    bool late = false;
    if (!connected_before) {
      std::lock_guard lock(mu_);
      listening_ = true;
      late = waited_out_;
      listening_cv_.notify_all();
    }
    if (connected_before || late) {
      spdlog::info("{}: {}", o_.what, late ? "listening" : "listening again");
      if (o_.on_gap) o_.on_gap();
    }
    if (o_.on_listening) o_.on_listening(true);
    connected_before = true;
    while (!stop_) {
      pollfd p{PQsocket(conn.get()), POLLIN, 0};
      int n = ::poll(&p, 1, 250);
      if (n < 0) continue;  // EINTR
      if (n == 0) continue;
      if (!PQconsumeInput(conn.get())) {
        spdlog::warn("{}: connection lost ({})", o_.what, std::string(PQerrorMessage(conn.get())).substr(0, 200));
        if (o_.on_listening) o_.on_listening(false);
        break;
      }
      while (PGnotify* note = PQnotifies(conn.get())) {
        std::unique_ptr<PGnotify, decltype(&PQfreemem)> owned(note, &PQfreemem);
        // One notification may carry several messages, a line each (PostgresStore::publish).
        std::string_view payload(note->extra);
        for (size_t start = 0; start <= payload.size();) {
          size_t end = std::min(payload.find('\n', start), payload.size());
          try {
            o_.on_message(payload.substr(start, end - start));
          } catch (const std::exception& e) {
            spdlog::warn("{}: a message failed: {}", o_.what, e.what());
          }
          start = end + 1;
        }
      }
    }
  }
}

}  // namespace tribune::pg

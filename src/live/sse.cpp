#include "live/sse.h"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "model/error.h"

namespace tribune {

namespace asio = boost::asio;

namespace {

StreamBody stream_body(LiveHub& hub, StreamGate::Ticket ticket, std::vector<int64_t> topics, Replay replay,
                       std::chrono::seconds heartbeat, std::chrono::seconds write_timeout) {
  return [&hub, ticket = std::move(ticket), topics = std::move(topics), replay = std::move(replay), heartbeat,
          write_timeout](boost::beast::tcp_stream& stream) -> asio::awaitable<void> {
    constexpr auto tuple = asio::as_tuple(asio::use_awaitable);
    auto sub = std::make_shared<Subscriber>(co_await asio::this_coro::executor);
    for (int64_t topic : topics) hub.subscribe(topic, sub);
    struct Leave {
      LiveHub& hub;
      const std::vector<int64_t>& topics;
      Subscriber* sub;
      ~Leave() {
        sub->park(nullptr);  // pushes already posted must not write to a socket that is going
        for (int64_t topic : topics) hub.unsubscribe(topic, sub);
      }
    } leave{hub, topics, sub.get()};
    // A frame almost always fits the socket's send buffer: written at once, without an asynchronous operation
    // or a timer (the fan-out to many readers is mostly this). What does not fit goes out asynchronously, with a
    // deadline: a reader that stops reading fills the socket buffers, and its write would otherwise hold the
    // connection (and its place at the gate) forever.
    boost::system::error_code nb;
    stream.socket().non_blocking(true, nb);
    auto write = [&](std::string_view bytes) -> asio::awaitable<bool> {
      boost::system::error_code ec;
      size_t n = nb ? 0 : stream.socket().write_some(asio::buffer(bytes), ec);
      if (!nb && ec && ec != asio::error::would_block && ec != asio::error::try_again) co_return false;
      if (n == bytes.size()) co_return true;
      bytes.remove_prefix(n);
      stream.expires_after(write_timeout);
      auto [aec, an] = co_await asio::async_write(stream, asio::buffer(bytes), tuple);
      (void)an;
      stream.expires_never();
      co_return !aec;
    };
    // A client sends nothing after its request: a read that completes means it has gone (or broke the
    // protocol). Noticing at once, not at the next heartbeat, gives its place at the gate straight back.
    auto scratch = std::make_shared<std::array<char, 64>>();
    stream.socket().async_read_some(asio::buffer(*scratch),
                                    [sub, scratch](boost::system::error_code, size_t) { sub->close(); });
    std::string out = "retry: 3000\n\n";
    if (replay)
      for (auto& frame : replay()) out += frame;
    if (!co_await write(out)) co_return;
    for (;;) {
      out.clear();
      if (sub->take_all(out)) {
        if (!co_await write(out)) co_return;
        // Frames pushed while the write was in flight found no wait to cancel: drain again before waiting,
        // or they would sit in the queue until the next heartbeat.
        continue;
      }
      // Nothing queued, and nothing can be pushed before the wait starts (pushes run on this executor).
      // Parked: pushes write frames themselves until one does not fit or the heartbeat is due.
      if (sub->closed()) co_return;
      sub->park(nb ? nullptr : &stream.socket());
      sub->timer().expires_after(heartbeat);
      auto [tec] = co_await sub->timer().async_wait(tuple);
      sub->park(nullptr);
      // The timer may have fired just as a push wrote part of a frame and queued the rest (too late to cancel
      // the wait): the rest goes first, and no heartbeat is due after a write.
      if (sub->has_queued()) continue;
      if (!tec && !sub->closed() && !sub->wrote_while_parked() && !co_await write(": keep-alive\n\n")) co_return;
    }
  };
}

}  // namespace

Response event_stream(LiveHub& hub, const std::string& address, std::vector<int64_t> topics, Replay replay,
                      std::chrono::seconds heartbeat) {
  auto ticket = hub.gate().admit(address);
  if (!ticket) {
    Error busy(ErrorKind::unavailable, "too_many_streams",
               "Too many live connections are open from your address or on this server; live updates will resume "
               "later.");
    busy.set_retry_after(30);
    throw busy;
  }
  Response r;
  r.status = http::status::ok;
  r.headers.set(http::field::content_type, "text/event-stream; charset=utf-8");
  r.headers.set(http::field::cache_control, "no-store");
  r.headers.set("X-Accel-Buffering", "no");
  r.stream = stream_body(hub, std::move(ticket), std::move(topics), std::move(replay), heartbeat,
                         hub.gate().limits().write_timeout);
  return r;
}

}  // namespace tribune

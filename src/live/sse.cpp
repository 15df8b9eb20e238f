#include "live/sse.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace tribune {

namespace asio = boost::asio;

StreamBody sse_stream(LiveHub& hub, std::vector<int64_t> topics, Replay replay, std::chrono::seconds heartbeat) {
  return [&hub, topics = std::move(topics), replay = std::move(replay),
          heartbeat](boost::beast::tcp_stream& stream) -> asio::awaitable<void> {
    constexpr auto tuple = asio::as_tuple(asio::use_awaitable);
    auto sub = std::make_shared<Subscriber>(co_await asio::this_coro::executor);
    for (int64_t topic : topics) hub.subscribe(topic, sub);
    struct Leave {
      LiveHub& hub;
      const std::vector<int64_t>& topics;
      Subscriber* sub;
      ~Leave() {
        for (int64_t topic : topics) hub.unsubscribe(topic, sub);
      }
    } leave{hub, topics, sub.get()};
    auto& socket = stream.socket();
    std::string out = "retry: 3000\n\n";
    if (replay)
      for (auto& frame : replay()) out += frame;
    auto [ec0, n0] = co_await asio::async_write(socket, asio::buffer(out), tuple);
    (void)n0;
    if (ec0) co_return;
    for (;;) {
      out.clear();
      while (auto frame = sub->take()) out += *frame;
      if (!out.empty()) {
        auto [ec, n] = co_await asio::async_write(socket, asio::buffer(out), tuple);
        (void)n;
        if (ec) co_return;
        // Frames pushed while the write was in flight found no wait to cancel: drain again before waiting,
        // or they would sit in the queue until the next heartbeat.
        continue;
      }
      // Nothing queued, and nothing can be pushed before the wait starts (pushes run on this executor).
      if (sub->closed()) co_return;
      sub->timer().expires_after(heartbeat);
      auto [tec] = co_await sub->timer().async_wait(tuple);
      if (!tec && !sub->closed()) {
        static constexpr std::string_view beat = ": keep-alive\n\n";
        auto [ec, n] = co_await asio::async_write(socket, asio::buffer(beat), tuple);
        (void)n;
        if (ec) co_return;
      }
    }
  };
}

}  // namespace tribune

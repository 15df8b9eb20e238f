// Live updates: per-article topics of Server-Sent Events subscribers on this node.
//
// publish() posts one task per I/O thread with subscribers to the topic (the publisher does nothing per
// subscriber); each task costs work proportional to that thread's subscribers of the topic, never to all
// connections. Each
// subscriber owns a bounded queue drained by its own connection coroutine on its own I/O thread (or, when that
// connection waits with nothing queued, its frame is sent at once by the publish task itself, together with
// the other waiting readers' on that thread: live/send_batch.h); a reader
// too slow to keep up (queue full) is disconnected and resumes with Last-Event-ID, so one slow client can
// neither grow memory without bound nor hold up the others.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "live/stream_gate.h"

namespace tribune {

class LiveHub;

// One open event stream. Created and drained on its connection's executor; publish() only posts to it.
//
// While its connection waits with nothing queued and no write under way ("parked"), a frame is written to the
// socket by the hub's delivery itself: the fan-out to many readers is then one batch of non-blocking sends
// per I/O thread, without waking the connections' coroutines or touching their timers. What a socket does not
// take at once is queued and its coroutine is woken to write it asynchronously, with its deadline.
class Subscriber : public std::enable_shared_from_this<Subscriber> {
 public:
  explicit Subscriber(const boost::asio::any_io_executor& executor) : timer_(executor) {}

  // Only on the connection's executor.
  // Appends every queued frame to out, in order, and empties the queue (frames that arrive together go out
  // in one write); false when none was queued.
  bool take_all(std::string& out);
  bool overflowed() const { return overflowed_; }
  boost::asio::steady_timer& timer() { return timer_; }
  void close();  // wakes the connection so it ends (shutdown, overflow)
  bool closed() const { return closed_; }
  // The connection parks (socket given: the hub may write to it, non-blocking) before it waits on the timer,
  // and unparks (nullptr) when it wakes or ends. The socket must outlive the parking.
  void park(boost::asio::ip::tcp::socket* socket) {
    parked_ = socket;
    if (socket) wrote_while_parked_ = false;
  }
  bool has_queued() const { return !queue_.empty(); }
  // Whether the hub wrote to the socket during the last parking (then no heartbeat is due).
  bool wrote_while_parked() const { return wrote_while_parked_; }

 private:
  friend class LiveHub;
  // One frame to subscribers whose connections share the calling I/O thread (posted there by the hub): the
  // parked ones' sockets written together, the others' queues appended to.
  static void deliver(const std::vector<Subscriber*>& subs, const std::shared_ptr<const std::string>& frame);
  void enqueue(std::shared_ptr<const std::string> frame);
  // A parked socket took n bytes of the frame (< 0: it failed). The frame is copied only when some is left.
  void sent(const std::shared_ptr<const std::string>& frame, ssize_t n);

  static constexpr size_t kMaxQueued = 256;
  boost::asio::steady_timer timer_;
  // Frames are shared by every subscriber of the topic. A vector, not a deque: an empty deque already holds
  // more than half a kilobyte, and a node holds a subscriber per live reader.
  std::vector<std::shared_ptr<const std::string>> queue_;
  boost::asio::ip::tcp::socket* parked_ = nullptr;
  bool wrote_while_parked_ = false;
  bool overflowed_ = false;
  bool closed_ = false;
};

class LiveHub {
 public:
  // On the subscriber's executor (its connection's I/O thread).
  void subscribe(int64_t topic, const std::shared_ptr<Subscriber>& s);
  void unsubscribe(int64_t topic, Subscriber* s);  // on the subscriber's executor, as subscribe()
  bool has_subscribers(int64_t topic) const;
  // Queues one SSE frame for every subscriber of the topic: one task per I/O thread, not one per subscriber.
  // Any thread.
  void publish(int64_t topic, const std::string& frame);
  // Wakes every subscriber so that its connection ends (server shutdown).
  void close_all();

  // Who may open a stream: the caps per address and per node (live/stream_gate.h).
  StreamGate& gate() { return gate_; }

  size_t subscribers() const { return count_.load(); }
  uint64_t published() const { return published_.load(); }

 private:
  // A topic's subscribers on one I/O thread. `subs` is touched only on that thread: a connection subscribes
  // and unsubscribes on its own executor, and deliveries are posted there. So publish() does nothing per
  // subscriber (no reference counts, no grouping by thread): it posts one task per thread, which walks its
  // own list. Raw pointers: a subscriber unsubscribes, on this thread, before it goes (live/sse.cpp).
  struct Shard {
    explicit Shard(boost::asio::any_io_executor e) : executor(std::move(e)) {}
    boost::asio::any_io_executor executor;
    std::vector<Subscriber*> subs;
  };
  struct Topic {
    std::vector<std::shared_ptr<Shard>> shards;  // a handful: one per I/O thread with a subscriber
    size_t subscribers = 0;
  };
  // The shard of `topic` on `executor` (made if need be); counts one more subscriber. Under mu_.
  std::shared_ptr<Shard> shard_for(int64_t topic, const boost::asio::any_io_executor& executor);

  mutable std::mutex mu_;  // guards topics_ (not the shards' lists)
  std::unordered_map<int64_t, Topic> topics_;
  std::atomic<size_t> count_{0};
  std::atomic<uint64_t> published_{0};
  StreamGate gate_;
};

// "id: 12\nevent: comment.created\ndata: {...}\n\n"; no id line when id <= 0 (updates and removals do not
// move a client's Last-Event-ID, which tracks created comments only).
std::string sse_frame(std::string_view event, int64_t id, std::string_view data);

}  // namespace tribune

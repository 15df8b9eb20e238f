#include "live/hub.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <utility>
#include <vector>

#include "live/send_batch.h"

namespace tribune {

bool Subscriber::take_all(std::string& out) {
  if (queue_.empty()) return false;
  for (const auto& frame : queue_) out += *frame;
  queue_.clear();
  return true;
}

void Subscriber::deliver(const std::vector<Subscriber*>& subs, const std::shared_ptr<const std::string>& frame) {
  thread_local std::vector<int> fds;
  thread_local std::vector<Subscriber*> parked;
  thread_local std::vector<ssize_t> results;
  fds.clear();
  parked.clear();
  for (Subscriber* s : subs) {
    if (s->closed_) continue;
    if (s->parked_ && s->queue_.empty()) {
      fds.push_back(s->parked_->native_handle());  // -1 once closed: that send fails and the reader is closed
      parked.push_back(s);
    } else {
      s->enqueue(frame);
    }
  }
  if (parked.empty()) return;
  SendBatch::for_this_thread().send(fds, frame, results);
  for (size_t i = 0; i < parked.size(); ++i) parked[i]->sent(frame, results[i]);
}

void Subscriber::sent(const std::shared_ptr<const std::string>& frame, ssize_t n) {
  if (n < 0) {
    close();  // the reader has gone: its coroutine ends
    return;
  }
  if (n == 0) {
    enqueue(frame);  // the coroutine writes it asynchronously, with its deadline
    return;
  }
  wrote_while_parked_ = true;
  if (static_cast<size_t>(n) < frame->size())
    enqueue(std::make_shared<const std::string>(frame->substr(static_cast<size_t>(n))));  // the rest, likewise
}

void Subscriber::enqueue(std::shared_ptr<const std::string> frame) {
  if (queue_.size() >= kMaxQueued) {
    overflowed_ = true;
    close();
    return;
  }
  queue_.push_back(std::move(frame));
  timer_.cancel();
}

void Subscriber::close() {
  closed_ = true;
  timer_.cancel();
}

std::shared_ptr<LiveHub::Shard> LiveHub::shard_for(int64_t topic, const boost::asio::any_io_executor& executor) {
  auto& t = topics_[topic];
  ++t.subscribers;
  for (auto& shard : t.shards)
    if (shard->executor == executor) return shard;
  return t.shards.emplace_back(std::make_shared<Shard>(executor));
}

void LiveHub::subscribe(int64_t topic, const std::shared_ptr<Subscriber>& s) {
  std::shared_ptr<Shard> shard;
  {
    std::lock_guard lock(mu_);
    shard = shard_for(topic, s->timer().get_executor());
  }
  shard->subs.push_back(s.get());  // on this thread, the shard's
  count_.fetch_add(1);
}

void LiveHub::unsubscribe(int64_t topic, Subscriber* s) {
  std::lock_guard lock(mu_);
  auto it = topics_.find(topic);
  if (it == topics_.end()) return;
  auto executor = s->timer().get_executor();
  for (auto& shard : it->second.shards) {
    if (shard->executor != executor) continue;
    auto& subs = shard->subs;  // this thread's own list: the lock is for topics_ only
    auto found = std::find(subs.begin(), subs.end(), s);
    if (found == subs.end()) return;
    *found = subs.back();
    subs.pop_back();
    count_.fetch_sub(1);
    if (--it->second.subscribers == 0) topics_.erase(it);  // tasks already posted keep their shards
    return;
  }
}

bool LiveHub::has_subscribers(int64_t topic) const {
  std::lock_guard lock(mu_);
  return topics_.contains(topic);
}

void LiveHub::publish(int64_t topic, const std::string& frame) {
  std::vector<std::shared_ptr<Shard>> shards;  // a handful, whatever the number of readers
  {
    std::lock_guard lock(mu_);
    auto it = topics_.find(topic);
    if (it == topics_.end()) return;
    shards = it->second.shards;
  }
  published_.fetch_add(1);
  auto shared = std::make_shared<const std::string>(frame);
  for (auto& shard : shards)
    boost::asio::post(shard->executor, [shard, shared] { Subscriber::deliver(shard->subs, shared); });
}

void LiveHub::close_all() {
  std::vector<std::shared_ptr<Shard>> all;
  {
    std::lock_guard lock(mu_);
    for (auto& [topic, t] : topics_) all.insert(all.end(), t.shards.begin(), t.shards.end());
  }
  for (auto& shard : all)
    boost::asio::post(shard->executor, [shard] {
      for (Subscriber* s : shard->subs) s->close();
    });
}

std::string sse_frame(std::string_view event, int64_t id, std::string_view data) {
  std::string out;
  out.reserve(data.size() + 64);
  if (id > 0) {
    out += "id: ";
    out += std::to_string(id);
    out += "\n";
  }
  out += "event: ";
  out += event;
  out += "\ndata: ";
  for (char c : data) {
    if (c == '\n')
      out += "\ndata: ";  // JSON has no raw newlines, but never let one end the frame
    else
      out += c;
  }
  out += "\n\n";
  return out;
}

}  // namespace tribune

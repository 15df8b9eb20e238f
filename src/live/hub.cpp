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

void Subscriber::deliver(const std::vector<std::shared_ptr<Subscriber>>& subs,
                         const std::shared_ptr<const std::string>& frame) {
  thread_local std::vector<int> fds;
  thread_local std::vector<Subscriber*> parked;
  thread_local std::vector<ssize_t> results;
  fds.clear();
  parked.clear();
  for (const auto& s : subs) {
    if (s->closed_) continue;
    if (s->parked_ && s->queue_.empty()) {
      fds.push_back(s->parked_->native_handle());  // -1 once closed: that send fails and the reader is closed
      parked.push_back(s.get());
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

void LiveHub::subscribe(int64_t topic, const std::shared_ptr<Subscriber>& s) {
  std::lock_guard lock(mu_);
  topics_[topic].push_back(s);
  count_.fetch_add(1);
}

void LiveHub::unsubscribe(int64_t topic, const Subscriber* s) {
  std::lock_guard lock(mu_);
  auto it = topics_.find(topic);
  if (it == topics_.end()) return;
  auto& subs = it->second;
  for (size_t i = 0; i < subs.size(); ++i) {
    auto locked = subs[i].lock();
    if (!locked || locked.get() == s) {
      if (locked.get() == s) count_.fetch_sub(1);
      subs[i] = std::move(subs.back());
      subs.pop_back();
      --i;
    }
  }
  if (subs.empty()) topics_.erase(it);
}

bool LiveHub::has_subscribers(int64_t topic) const {
  std::lock_guard lock(mu_);
  return topics_.contains(topic);
}

void LiveHub::publish(int64_t topic, const std::string& frame) {
  std::vector<std::shared_ptr<Subscriber>> targets;
  {
    std::lock_guard lock(mu_);
    auto it = topics_.find(topic);
    if (it == topics_.end()) return;
    targets.reserve(it->second.size());
    for (auto& w : it->second)
      if (auto s = w.lock()) targets.push_back(std::move(s));
  }
  published_.fetch_add(1);
  auto shared = std::make_shared<const std::string>(frame);
  // Grouped by the I/O thread each subscriber's connection runs on (a handful), in subscription order.
  std::vector<std::pair<boost::asio::any_io_executor, std::vector<std::shared_ptr<Subscriber>>>> groups;
  for (auto& s : targets) {
    const auto& executor = s->timer().get_executor();  // not copied: a polymorphic executor per reader adds up
    auto g = std::find_if(groups.begin(), groups.end(), [&](const auto& entry) { return entry.first == executor; });
    if (g == groups.end()) g = groups.insert(groups.end(), {executor, {}});
    g->second.push_back(std::move(s));
  }
  for (auto& [executor, subs] : groups)
    boost::asio::post(executor, [subs = std::move(subs), shared] { Subscriber::deliver(subs, shared); });
}

void LiveHub::close_all() {
  std::vector<std::shared_ptr<Subscriber>> all;
  {
    std::lock_guard lock(mu_);
    for (auto& [topic, subs] : topics_)
      for (auto& w : subs)
        if (auto s = w.lock()) all.push_back(std::move(s));
  }
  for (auto& s : all) boost::asio::post(s->timer().get_executor(), [s] { s->close(); });
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

// The Server-Sent Events connection loop: subscribe, replay what the client missed, then send each event as
// it comes and a heartbeat comment when nothing happened for a while.
#pragma once

#include <chrono>
#include <functional>

#include "http/message.h"
#include "live/hub.h"

namespace tribune {

// Frames a reconnecting client missed (Last-Event-ID); called after subscribing, so nothing falls in a gap
// (a frame may arrive twice: clients drop ids they already have).
using Replay = std::function<std::vector<std::string>()>;

// topics: one stream may follow several (an article page: the article and the signed-in reader).
StreamBody sse_stream(LiveHub& hub, std::vector<int64_t> topics, Replay replay, std::chrono::seconds heartbeat);

}  // namespace tribune

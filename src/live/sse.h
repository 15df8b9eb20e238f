// The Server-Sent Events connection loop: subscribe, replay what the client missed, then send each event as
// it comes and a heartbeat comment when nothing was written for a while (between one and two kHeartbeat: the
// connection's timer is armed when it parks, not again for every frame written while it is parked).
#pragma once

#include <chrono>
#include <functional>

#include "http/message.h"
#include "live/hub.h"

namespace tribune {

// Frames a reconnecting client missed (Last-Event-ID); called after subscribing, so nothing falls in a gap
// (a frame may arrive twice: clients drop ids they already have).
using Replay = std::function<std::vector<std::string>()>;

inline constexpr std::chrono::seconds kHeartbeat{20};

// The response that opens an event stream for the client at `address`. topics: one stream may follow several
// (an article page: the article and the signed-in reader). Throws Error(unavailable, too_many_streams) with
// Retry-After when the hub's gate refuses the address; the refusal also closes the connection. The stream
// ends when the client goes, when a write takes longer than the gate's write_timeout (a client that does not
// read), when the client's queue overflows, or on shutdown.
Response event_stream(LiveHub& hub, const std::string& address, std::vector<int64_t> topics, Replay replay,
                      std::chrono::seconds heartbeat = kHeartbeat);

}  // namespace tribune

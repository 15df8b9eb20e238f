// Read-your-writes across nodes, a lagging replica and a busy story's stale page: a reader's write answers
// with a cookie holding its position and time ("tribune_pos", HttpOnly, five minutes). For a few seconds after
// it, the reader's requests skip this node's caches, which may not yet have heard of the write from the node
// that made it, or may serve a page whose re-render is under way (http/page_cache.h); and for as long as the
// cookie lives, the store's reads for them include the write (the replica answers only once it has replayed
// it; model/read_positions.h). Installed by the composition root on either engine.
#pragma once

#include <cstdint>
#include <functional>

#include "http/pipeline.h"

namespace tribune {

// unix_now: the clock, in Unix seconds; secure_cookie: the cookie is Secure (an https site).
Pipeline::RequestScope read_your_writes(const std::function<int64_t()>& unix_now, bool secure_cookie);

}  // namespace tribune

#include "http/read_your_writes.h"

#include <algorithm>
#include <charconv>
#include <string_view>

#include "http/cookies.h"
#include "http/page_cache.h"
#include "model/read_positions.h"

namespace tribune {

namespace {

constexpr std::string_view kCookie = "tribune_pos";
constexpr int64_t kFreshSeconds = 5;  // far longer than a NOTIFY takes to reach every node

struct Written {
  uint64_t position = 0;
  int64_t at = 0;  // Unix seconds
};

// "<position hex>-<time hex>"; junk reads as nothing: no floor, no bypass.
Written written(const Request& r) {
  Written w;
  auto v = cookie_value(r[http::field::cookie], kCookie);
  if (!v) return w;
  auto dash = v->find('-');
  if (dash == std::string_view::npos) return w;
  auto a = std::from_chars(v->data(), v->data() + dash, w.position, 16);
  auto b = std::from_chars(v->data() + dash + 1, v->data() + v->size(), w.at, 16);
  if (a.ec != std::errc() || b.ec != std::errc() || a.ptr != v->data() + dash || b.ptr != v->data() + v->size())
    return Written{};
  return w;
}

}  // namespace

Pipeline::RequestScope read_your_writes(const std::function<int64_t()>& unix_now, bool secure_cookie) {
  auto fresh = [unix_now](const Written& w) {
    int64_t age = unix_now() - w.at;
    return w.position && age >= 0 && age < kFreshSeconds;
  };
  Pipeline::RequestScope scope;
  scope.skip_fast = [fresh](const RequestContext& ctx) { return fresh(written(ctx.request)); };
  scope.around = [fresh, unix_now, secure_cookie](RequestContext& ctx, const std::function<Response()>& run) {
    Written w = written(ctx.request);
    ReadPositions::Scope positions(w.position);
    PageCache::Bypass bypass(fresh(w));
    Response r = run();
    // Renewed on every write, with the greater position: a SQLite position (the commit's time) can go back
    // when a restarted node's clock did.
    if (ReadPositions::last_write > 0) {
      char value[40];
      auto end = std::to_chars(value, value + 17, std::max(ReadPositions::last_write, w.position), 16).ptr;
      *end++ = '-';
      end = std::to_chars(end, value + sizeof value, unix_now(), 16).ptr;
      r.headers.insert(http::field::set_cookie,
                       set_cookie(kCookie, std::string_view(value, static_cast<size_t>(end - value)),
                                  {.secure = secure_cookie, .http_only = true, .max_age = 300}));
    }
    return r;
  };
  return scope;
}

}  // namespace tribune

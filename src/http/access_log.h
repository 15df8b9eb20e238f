// One line per request (the access log) and the request id that ties a request's lines together: taken from
// X-Request-Id when a trusted proxy sent it, made otherwise, echoed in the response and carried by every log
// line written while the request is handled (current_request_id, read by the log pattern in app/logging.cpp).
//
// An access line says what happened, never to whom: method, route pattern (not the path, which can carry a
// token), status, bytes, duration, request id, node. No address, cookie, header, query or body is written.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tribune {

enum class AccessLogFormat { off, json, logfmt };
std::optional<AccessLogFormat> parse_access_log_format(std::string_view s);
std::string_view to_string(AccessLogFormat f);

struct AccessEntry {
  std::string_view method;
  std::string_view route;  // the matched pattern ("/api/v1/articles/{slug}"), or "unmatched"
  int status = 0;
  uint64_t bytes = 0;  // the body sent (0 for a stream)
  double seconds = 0;
  std::string_view request_id;
  std::string_view node;
  int64_t unix_ms = 0;  // when the response was ready
};

// The line, without its newline.
std::string format_access(const AccessEntry& e, AccessLogFormat f);

// 1 to 128 characters of [A-Za-z0-9._:-]: what a proxy's id may be to be taken (anything else, a new one).
bool valid_request_id(std::string_view id);
// 15 hex digits (within std::string's inline buffer: no allocation), unique enough to find a request's lines
// (not a secret).
std::string make_request_id();

// The id of the request this thread is handling ("" when none). The scope refers to `id`, which must outlive
// it; a scope never spans a co_await (the coroutine may resume on another thread).
std::string_view current_request_id();
class RequestIdScope {
 public:
  explicit RequestIdScope(std::string_view id);
  ~RequestIdScope();
  RequestIdScope(const RequestIdScope&) = delete;
  RequestIdScope& operator=(const RequestIdScope&) = delete;

 private:
  std::string_view previous_;
};

}  // namespace tribune

#include "http/access_log.h"

#include <chrono>
#include <cstdio>
#include <random>

namespace tribune {

namespace {

thread_local std::string_view current_id;

// JSON string contents; the values here are ASCII by construction (ids are validated, routes are ours), but
// a method or route is escaped anyway.
void json_escaped(std::string& out, std::string_view s) {
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
      out += buf;
    } else {
      out += c;
    }
  }
}

// A logfmt value: bare when it has no space, quote or equals sign, else quoted.
void logfmt_value(std::string& out, std::string_view s) {
  if (!s.empty() && s.find_first_of(" \"=\\") == std::string_view::npos) {
    out += s;
    return;
  }
  out += '"';
  json_escaped(out, s);
  out += '"';
}

}  // namespace

std::optional<AccessLogFormat> parse_access_log_format(std::string_view s) {
  if (s == "off") return AccessLogFormat::off;
  if (s == "json") return AccessLogFormat::json;
  if (s == "logfmt") return AccessLogFormat::logfmt;
  return std::nullopt;
}

std::string_view to_string(AccessLogFormat f) {
  switch (f) {
    case AccessLogFormat::json:
      return "json";
    case AccessLogFormat::logfmt:
      return "logfmt";
    case AccessLogFormat::off:
      break;
  }
  return "off";
}

std::string format_access(const AccessEntry& e, AccessLogFormat f) {
  std::string out;
  out.reserve(192);
  char time[80];
  auto secs = static_cast<time_t>(e.unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  std::snprintf(time, sizeof time, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(e.unix_ms % 1000));
  char numbers[96];
  if (f == AccessLogFormat::json) {
    out += "{\"time\":\"";
    out += time;
    out += "\",\"method\":\"";
    json_escaped(out, e.method);
    out += "\",\"route\":\"";
    json_escaped(out, e.route);
    std::snprintf(numbers, sizeof numbers, "\",\"status\":%d,\"bytes\":%llu,\"duration_ms\":%.3f,\"request_id\":\"",
                  e.status, static_cast<unsigned long long>(e.bytes), e.seconds * 1000);
    out += numbers;
    json_escaped(out, e.request_id);
    out += "\",\"node\":\"";
    json_escaped(out, e.node);
    out += "\"}";
    return out;
  }
  out += "time=";
  out += time;
  out += " method=";
  logfmt_value(out, e.method);
  out += " route=";
  logfmt_value(out, e.route);
  std::snprintf(numbers, sizeof numbers, " status=%d bytes=%llu duration_ms=%.3f request_id=", e.status,
                static_cast<unsigned long long>(e.bytes), e.seconds * 1000);
  out += numbers;
  logfmt_value(out, e.request_id);
  out += " node=";
  logfmt_value(out, e.node);
  return out;
}

bool valid_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
          c == ':' || c == '-'))
      return false;
  return true;
}

std::string make_request_id() {
  // A per-thread generator seeded once from the system's randomness, and a per-thread counter mixed in.
  thread_local std::mt19937_64 gen{std::random_device{}()};
  thread_local uint64_t counter = 0;
  uint64_t v = (gen() ^ (++counter * 0x9E3779B97F4A7C15ULL)) & 0x0FFFFFFFFFFFFFFFULL;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%015llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string_view current_request_id() {
  return current_id;
}

RequestIdScope::RequestIdScope(std::string_view id) : previous_(current_id) {
  current_id = id;
}

RequestIdScope::~RequestIdScope() {
  current_id = previous_;
}

}  // namespace tribune

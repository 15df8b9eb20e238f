// Small text helpers shared by every layer: escaping, UTF-8 validation, time formatting.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace tribune {

// A hash for maps keyed by std::string that find keys by std::string_view without copying them (with
// std::equal_to<> as the key equality).
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

using Clock = std::chrono::system_clock;
using TimePoint = std::chrono::sys_seconds;

// Appends s to out with &, <, >, ", ' escaped for HTML text and attribute values.
void append_html_escaped(std::string& out, std::string_view s);
std::string html_escape(std::string_view s);

// XML escaping (feeds, sitemap): the same five characters.
inline std::string xml_escape(std::string_view s) {
  return html_escape(s);
}

// True when s is well-formed UTF-8 with no overlongs, surrogates or code points above U+10FFFF.
bool is_valid_utf8(std::string_view s);

// True when s contains a NUL or another C0 control other than tab, newline and carriage return.
bool has_control_chars(std::string_view s);
// True when s contains any C0 control, tab, newline and carriage return included, or DEL: text that must fit
// on one line (paths, query values, header-bound values).
bool has_any_control_chars(std::string_view s);

// RFC 3339 in UTC with a Z suffix, second precision: "2009-07-05T23:00:00Z".
std::string format_rfc3339(TimePoint t);
// Accepts "YYYY-MM-DDTHH:MM:SS" followed by "Z" or "+HH:MM"/"-HH:MM", optional fractional seconds.
std::optional<TimePoint> parse_rfc3339(std::string_view s);
// RFC 822 date for RSS: "Mon, 06 Jul 2009 00:00:00 GMT".
std::string format_rfc822(TimePoint t);
// HTTP-date for Last-Modified.
inline std::string format_http_date(TimePoint t) {
  return format_rfc822(t);
}

TimePoint now_seconds();

std::string trim(std::string_view s);
std::string to_lower_ascii(std::string_view s);

// Percent-encodes every byte but RFC 3986's unreserved characters (A-Z a-z 0-9 - . _ ~): safe in a
// query value, a path segment and a libpq URL.
std::string percent_encode(std::string_view s);
// "42" -> 42: digits only, above zero; nullopt for anything else (ids in paths and queries).
std::optional<int64_t> parse_positive_id(std::string_view s);

// Lowercase hex of a byte string.
std::string to_hex(std::string_view bytes);

// URL-safe base64 without padding (tokens, cursors).
std::string base64url_encode(std::string_view bytes);
std::optional<std::string> base64url_decode(std::string_view text);
// Standard base64 with padding (RFC 4648 section 4: Standard Webhooks' secrets and signatures).
std::string base64_encode(std::string_view bytes);
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace tribune

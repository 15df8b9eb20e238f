#include "http/cookies.h"

namespace tribune {

std::optional<std::string_view> cookie_value(std::string_view header, std::string_view name) {
  size_t pos = 0;
  while (pos < header.size()) {
    while (pos < header.size() && (header[pos] == ' ' || header[pos] == ';')) ++pos;
    size_t end = header.find(';', pos);
    if (end == std::string_view::npos) end = header.size();
    std::string_view pair = header.substr(pos, end - pos);
    size_t eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
      std::string_view v = pair.substr(eq + 1);
      while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
      return v;
    }
    pos = end + 1;
  }
  return std::nullopt;
}

std::string set_cookie(std::string_view name, std::string_view value, const CookieOptions& o) {
  std::string c(name);
  c += '=';
  c += value;
  c += "; Path=/; SameSite=Lax";
  if (o.http_only) c += "; HttpOnly";
  if (o.secure) c += "; Secure";
  if (o.max_age >= 0) c += "; Max-Age=" + std::to_string(o.max_age);
  return c;
}

}  // namespace tribune

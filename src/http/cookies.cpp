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
  c += o.partitioned ? "; Path=/; SameSite=None" : "; Path=/; SameSite=Lax";
  if (o.http_only) c += "; HttpOnly";
  if (o.secure || o.partitioned) c += "; Secure";
  if (o.partitioned) c += "; Partitioned";
  if (o.max_age >= 0) c += "; Max-Age=" + std::to_string(o.max_age);
  return c;
}

std::string partitioned_cookie(std::string_view v) {
  std::string out;
  size_t pos = 0;
  bool secure = false;
  while (pos <= v.size()) {
    size_t end = v.find("; ", pos);
    if (end == std::string_view::npos) end = v.size();
    std::string_view attr = v.substr(pos, end - pos);
    if (attr == "Secure") secure = true;
    if (attr != "Partitioned") {
      if (!out.empty()) out += "; ";
      out += attr == "SameSite=Lax" || attr == "SameSite=Strict" ? std::string_view("SameSite=None") : attr;
    }
    pos = end + 2;
  }
  if (!secure) out += "; Secure";
  return out + "; Partitioned";
}

}  // namespace tribune

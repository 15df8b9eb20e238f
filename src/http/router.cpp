#include "http/router.h"

#include <stdexcept>

namespace tribune {

namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  size_t pos = 1;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    out.emplace_back(path.substr(pos, slash - pos));
    pos = slash + 1;
  }
  if (!out.empty() && out.back().empty() && out.size() > 1) out.pop_back();  // "/a/" matches "/a"
  return out;
}

bool match_segments(const Route& r, const std::vector<std::string>& parts,
                    std::map<std::string, std::string, std::less<>>& params) {
  params.clear();
  for (size_t i = 0; i < r.segments.size(); ++i) {
    const auto& seg = r.segments[i];
    bool capture = seg.size() > 2 && seg.front() == '{' && seg.back() == '}';
    if (capture && seg.ends_with("...}")) {
      std::string rest;
      for (size_t j = i; j < parts.size(); ++j) rest += (j > i ? "/" : "") + parts[j];
      if (rest.empty()) return false;
      params[seg.substr(1, seg.size() - 5)] = rest;
      return true;
    }
    if (i >= parts.size()) return false;
    if (capture) {
      if (parts[i].empty()) return false;
      params[seg.substr(1, seg.size() - 2)] = parts[i];
    } else if (seg != parts[i]) {
      return false;
    }
  }
  return parts.size() == r.segments.size();
}

}  // namespace

void Router::add(http::verb method, std::string pattern, Access access, Handler handler, FastHandler fast) {
  bool api = pattern.starts_with("/api/") || pattern.starts_with("/webhooks/");
  // The fast path runs before anyone is authenticated: it may only serve what everyone may see.
  if (fast && access.who != Access::Who::anyone)
    throw std::logic_error("route " + pattern + ": a fast handler on a route that is not public");
  auto parts = split_path(pattern);
  Route r{method, std::move(pattern), std::move(access), std::move(handler), std::move(fast), api, std::move(parts)};
  routes_.push_back(std::move(r));
}

Router::Match Router::match(http::verb method, std::string_view path) const {
  Match m;
  auto parts = split_path(path);
  std::map<std::string, std::string, std::less<>> params;
  for (const auto& r : routes_) {
    if (!match_segments(r, parts, params)) continue;
    if (r.method == method || (method == http::verb::head && r.method == http::verb::get)) {
      if (!m.route) {
        m.route = &r;
        m.params = params;
      }
    } else {
      std::string name(http::to_string(r.method));
      if (m.allow.find(name) == std::string::npos) m.allow += (m.allow.empty() ? "" : ", ") + name;
      if (r.method == http::verb::get && m.allow.find("HEAD") == std::string::npos) m.allow += ", HEAD";
    }
  }
  if (m.route) m.allow.clear();
  return m;
}

}  // namespace tribune

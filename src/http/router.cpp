#include "http/router.h"

#include <stdexcept>

namespace tribune {

namespace {

// The path's segments, as views into it ("/a/b" -> a, b; "/a/" matches "/a").
void split_path(std::string_view path, std::vector<std::string_view>& out) {
  out.clear();
  size_t pos = 1;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    out.push_back(path.substr(pos, slash - pos));
    pos = slash + 1;
  }
  if (!out.empty() && out.back().empty() && out.size() > 1) out.pop_back();
}

// Whether the route's pattern matches the path's segments; captures are only collected by fill_params, for
// the route that wins (a request tries many routes, most of which fail on their first literal).
bool matches(const Route& r, const std::vector<std::string_view>& parts) {
  using Kind = Route::Segment::Kind;
  for (size_t i = 0; i < r.segments.size(); ++i) {
    const auto& seg = r.segments[i];
    if (seg.kind == Kind::rest) return i < parts.size() && !(parts.size() == i + 1 && parts[i].empty());
    if (i >= parts.size()) return false;
    if (seg.kind == Kind::capture ? parts[i].empty() : seg.text != parts[i]) return false;
  }
  return parts.size() == r.segments.size();
}

void fill_params(const Route& r, const std::vector<std::string_view>& parts,
                 std::map<std::string, std::string, std::less<>>& params) {
  using Kind = Route::Segment::Kind;
  for (size_t i = 0; i < r.segments.size(); ++i) {
    const auto& seg = r.segments[i];
    if (seg.kind == Kind::rest) {
      std::string rest;
      for (size_t j = i; j < parts.size(); ++j) (rest += (j > i ? "/" : "")) += parts[j];
      params[seg.text] = std::move(rest);
      return;
    }
    if (seg.kind == Kind::capture) params[seg.text] = std::string(parts[i]);
  }
}

}  // namespace

void Router::add(http::verb method, std::string pattern, Access access, Handler handler, FastHandler fast) {
  bool api = pattern.starts_with("/api/") || pattern.starts_with("/webhooks/");
  // The fast path runs before anyone is authenticated: it may only serve what everyone may see.
  if (fast && access.who != Access::Who::anyone)
    throw std::logic_error("route " + pattern + ": a fast handler on a route that is not public");
  std::vector<std::string_view> parts;
  split_path(pattern, parts);
  std::vector<Route::Segment> segments;
  for (auto part : parts) {
    bool capture = part.size() > 2 && part.front() == '{' && part.back() == '}';
    if (capture && part.ends_with("...}"))
      segments.push_back({Route::Segment::Kind::rest, std::string(part.substr(1, part.size() - 5))});
    else if (capture)
      segments.push_back({Route::Segment::Kind::capture, std::string(part.substr(1, part.size() - 2))});
    else
      segments.push_back({Route::Segment::Kind::literal, std::string(part)});
  }
  Route r{method, std::move(pattern), std::move(access), std::move(handler), std::move(fast), api, std::move(segments)};
  routes_.push_back(std::move(r));
}

Router::Match Router::match(http::verb method, std::string_view path) const {
  Match m;
  static thread_local std::vector<std::string_view> parts;
  split_path(path, parts);
  for (const auto& r : routes_) {
    if (!matches(r, parts)) continue;
    if (r.method == method || (method == http::verb::head && r.method == http::verb::get)) {
      // The first route that matches with this method wins; the others only ever named the Allow header of a
      // path that none matches with it.
      m.route = &r;
      fill_params(r, parts, m.params);
      m.allow.clear();
      return m;
    }
    std::string name(http::to_string(r.method));
    if (m.allow.find(name) == std::string::npos) m.allow += (m.allow.empty() ? "" : ", ") + name;
    if (r.method == http::verb::get && m.allow.find("HEAD") == std::string::npos) m.allow += ", HEAD";
  }
  return m;
}

}  // namespace tribune

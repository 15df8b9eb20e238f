#include "http/metrics.h"

#include <cstdio>

namespace tribune {

void Metrics::set_routes(std::vector<std::string> labels) {
  routes_ = std::make_unique<RouteLatency[]>(labels.size());
  route_labels_ = std::move(labels);
}

void Metrics::record_request(int status, double seconds, int route) {
  size_t cls = static_cast<size_t>(status / 100);
  if (cls >= 1 && cls <= 5) by_class_[cls].fetch_add(1, std::memory_order_relaxed);
  size_t b = 0;
  while (b < kBuckets.size() && seconds > kBuckets[b]) ++b;
  auto us = static_cast<uint64_t>(seconds * 1e6);
  latency_[b].fetch_add(1, std::memory_order_relaxed);
  latency_sum_us_.fetch_add(us, std::memory_order_relaxed);
  if (route >= 0 && static_cast<size_t>(route) < route_labels_.size()) {
    routes_[static_cast<size_t>(route)].buckets[b].fetch_add(1, std::memory_order_relaxed);
    routes_[static_cast<size_t>(route)].sum_us.fetch_add(us, std::memory_order_relaxed);
  }
}

std::string Metrics::render(const std::function<void(std::string&)>& extra) const {
  std::string out;
  char line[512];
  out +=
      "# HELP tribune_http_requests_total HTTP responses by status class.\n# TYPE tribune_http_requests_total "
      "counter\n";
  for (size_t c = 1; c <= 5; ++c) {
    std::snprintf(line, sizeof line, "tribune_http_requests_total{class=\"%zuxx\"} %llu\n", c,
                  static_cast<unsigned long long>(by_class_[c].load()));
    out += line;
  }
  out +=
      "# HELP tribune_http_request_duration_seconds Time from request parsed to response ready.\n"
      "# TYPE tribune_http_request_duration_seconds histogram\n";
  uint64_t cumulative = 0;
  for (size_t b = 0; b < kBuckets.size(); ++b) {
    cumulative += latency_[b].load();
    std::snprintf(line, sizeof line, "tribune_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n", kBuckets[b],
                  static_cast<unsigned long long>(cumulative));
    out += line;
  }
  cumulative += latency_[kBuckets.size()].load();
  std::snprintf(line, sizeof line,
                "tribune_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n"
                "tribune_http_request_duration_seconds_sum %.6f\ntribune_http_request_duration_seconds_count %llu\n",
                static_cast<unsigned long long>(cumulative), static_cast<double>(latency_sum_us_.load()) / 1e6,
                static_cast<unsigned long long>(cumulative));
  out += line;
  // Per route, only the routes that have answered: a scrape stays as small as the traffic is varied.
  out +=
      "# HELP tribune_http_route_duration_seconds Time from request parsed to response ready, per route.\n"
      "# TYPE tribune_http_route_duration_seconds histogram\n";
  for (size_t r = 0; r < route_labels_.size(); ++r) {
    const auto& h = routes_[r];
    uint64_t total = 0;
    for (const auto& bucket : h.buckets) total += bucket.load(std::memory_order_relaxed);
    if (total == 0) continue;
    std::string label;  // a route pattern holds no quote or backslash, but escape as the format says
    for (char c : route_labels_[r]) {
      if (c == '\n') {
        label += "\\n";
        continue;
      }
      if (c == '"' || c == '\\') label += '\\';
      label += c;
    }
    uint64_t running = 0;
    for (size_t b = 0; b <= kBuckets.size(); ++b) {
      running += h.buckets[b].load(std::memory_order_relaxed);
      if (b < kBuckets.size())
        std::snprintf(line, sizeof line, "tribune_http_route_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n",
                      label.c_str(), kBuckets[b], static_cast<unsigned long long>(running));
      else
        std::snprintf(line, sizeof line, "tribune_http_route_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n",
                      label.c_str(), static_cast<unsigned long long>(running));
      out += line;
    }
    std::snprintf(line, sizeof line,
                  "tribune_http_route_duration_seconds_sum{route=\"%s\"} %.6f\n"
                  "tribune_http_route_duration_seconds_count{route=\"%s\"} %llu\n",
                  label.c_str(), static_cast<double>(h.sum_us.load()) / 1e6, label.c_str(),
                  static_cast<unsigned long long>(running));
    out += line;
  }
  std::snprintf(line, sizeof line,
                "# TYPE tribune_page_cache_hits_total counter\ntribune_page_cache_hits_total %llu\n"
                "# TYPE tribune_page_cache_misses_total counter\ntribune_page_cache_misses_total %llu\n"
                "# TYPE tribune_open_connections gauge\ntribune_open_connections %lld\n",
                static_cast<unsigned long long>(cache_hits_.load()),
                static_cast<unsigned long long>(cache_misses_.load()), static_cast<long long>(connections_.load()));
  out += line;
  if (extra) extra(out);
  return out;
}

}  // namespace tribune

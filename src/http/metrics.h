// Process-wide counters, exposed at /metrics in the Prometheus text format. Lock-free; any thread.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace tribune {

class Metrics {
 public:
  // Names the routes whose latency is kept apart ("GET /api/v1/articles/{slug}"), by index; called once,
  // before any request is recorded.
  void set_routes(std::vector<std::string> labels);
  // route: the index of the matched route, or -1 (nothing matched: counted in the totals only).
  void record_request(int status, double seconds, int route = -1);
  void cache_hit() { cache_hits_.fetch_add(1, std::memory_order_relaxed); }
  void cache_miss() { cache_misses_.fetch_add(1, std::memory_order_relaxed); }
  // Pages served by the I/O threads' fast path (anonymous, or a remembered signed-in reader).
  uint64_t cache_hits() const { return cache_hits_.load(std::memory_order_relaxed); }
  void connection_opened() { connections_.fetch_add(1, std::memory_order_relaxed); }
  void connection_closed() { connections_.fetch_sub(1, std::memory_order_relaxed); }

  // Appends extra gauges (store statistics) supplied by the composition root.
  std::string render(const std::function<void(std::string&)>& extra = {}) const;

  static constexpr std::array<double, 10> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2.5};

 private:
  struct RouteLatency {
    std::array<std::atomic<uint64_t>, kBuckets.size() + 1> buckets{};
    std::atomic<uint64_t> sum_us{0};
  };
  std::vector<std::string> route_labels_;
  std::unique_ptr<RouteLatency[]> routes_;
  std::array<std::atomic<uint64_t>, 6> by_class_{};  // 1xx..5xx, index 0 unused
  std::array<std::atomic<uint64_t>, kBuckets.size() + 1> latency_{};
  std::atomic<uint64_t> latency_sum_us_{0};
  std::atomic<uint64_t> cache_hits_{0};
  std::atomic<uint64_t> cache_misses_{0};
  std::atomic<int64_t> connections_{0};
};

}  // namespace tribune

// Process-wide counters, exposed at /metrics in the Prometheus text format. Lock-free; any thread.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

namespace tribune {

class Metrics {
 public:
  void record_request(int status, double seconds);
  void cache_hit() { cache_hits_.fetch_add(1, std::memory_order_relaxed); }
  void cache_miss() { cache_misses_.fetch_add(1, std::memory_order_relaxed); }
  void connection_opened() { connections_.fetch_add(1, std::memory_order_relaxed); }
  void connection_closed() { connections_.fetch_sub(1, std::memory_order_relaxed); }

  // Appends extra gauges (store statistics) supplied by the composition root.
  std::string render(const std::function<void(std::string&)>& extra = {}) const;

  static constexpr std::array<double, 10> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2.5};

 private:
  std::array<std::atomic<uint64_t>, 6> by_class_{};  // 1xx..5xx, index 0 unused
  std::array<std::atomic<uint64_t>, kBuckets.size() + 1> latency_{};
  std::atomic<uint64_t> latency_sum_us_{0};
  std::atomic<uint64_t> cache_hits_{0};
  std::atomic<uint64_t> cache_misses_{0};
  std::atomic<int64_t> connections_{0};
};

}  // namespace tribune

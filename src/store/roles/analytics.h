// The newsroom's numbers: page views flushed from each node's counters, and the dashboard's figures
// (docs/dashboard.md). Counters add up across nodes and flushes: views and referrers are added, a day's
// visitor sketch is merged by register maximum (util/sketch.h), so a batch written twice doubles views but
// never visitors; the caller writes each batch once (ViewCounter::take / give_back).
// One role of the Store (store/store.h); the Store's contract holds for every method.
#pragma once

#include "model/analytics.h"

namespace tribune {

class AnalyticsStore {
 public:
  virtual ~AnalyticsStore() = default;

  // Adds one node's counts, in one transaction. Views of a slug no article has are dropped.
  virtual void record_traffic(const TrafficBatch& batch) = 0;
  // The figures for [q.from, q.to): totals; unless totals_only, the buckets, the top stories and referrers.
  virtual DashboardData dashboard(const DashboardQuery& q) = 0;
  // Per article over [from, to): most views first (most read), or most comments published (most discussed);
  // only what readers' listings show (published by `to`). At most `limit`.
  virtual std::vector<int64_t> most_read(int64_t from, int64_t to, int limit) = 0;
  virtual std::vector<int64_t> most_discussed(int64_t from, int64_t to, int limit) = 0;
};

}  // namespace tribune

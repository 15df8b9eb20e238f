// The newsroom's numbers (docs/dashboard.md): page views counted privately per node and flushed in batches,
// and the dashboard's figures for a period, as the store adds them up.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/article.h"

namespace tribune {

// What one node counted since its last flush. Nothing in it names a reader: views are counts per article
// and hour, referrers counts per site and hour, visitors a HyperLogLog sketch per day (util/sketch.h) of
// hashes made with a salt that lives only in the node's memory.
struct TrafficBatch {
  struct Views {
    int64_t hour = 0;  // unix seconds at the start of the UTC hour
    std::string slug;  // the article's address slug (resolved by the store; unknown slugs are dropped)
    int64_t views = 0;
  };
  struct Referrer {
    int64_t hour = 0;
    std::string domain;
    int64_t views = 0;
  };
  struct Visitors {
    int64_t day = 0;
    std::string registers;  // the sketch's registers (merged into the stored one by maximum: idempotent)
  };
  std::vector<Views> views;
  std::vector<Referrer> referrers;
  std::vector<Visitors> visitors;
  bool empty() const { return views.empty() && referrers.empty() && visitors.empty(); }
};

// The dashboard's period as asked (docs/dashboard.md): today, 7d, 30d, or custom local dates (to inclusive).
struct DashboardForm {
  std::string period = "7d";
  std::string from;  // "YYYY-MM-DD"
  std::string to;
};

// What the dashboard asks of the store: [from, to) in unix seconds, split into buckets starting at `starts`
// (ascending, the first at from; local midnights for days, so a day with a clock change is 23 or 25 hours);
// money in one currency. Counts are kept by UTC hour and land in the bucket holding their hour's start.
// totals_only: the comparison period needs the headline figures only.
struct DashboardQuery {
  int64_t from = 0;
  int64_t to = 0;
  std::vector<int64_t> starts;
  std::string currency = "gbp";
  bool totals_only = false;
  int top = 10;  // rows in each top list
};

struct DashboardTotals {
  int64_t views = 0;
  int64_t visitors = 0;  // the sum of each day's estimate
  int64_t comments = 0;  // posted in the period, whatever became of them
  int64_t commenters = 0;
  int64_t registrations = 0;
  int64_t verified = 0;  // addresses confirmed in the period
  int64_t once_count = 0;
  int64_t once_minor = 0;
  int64_t monthly_count = 0;
  int64_t monthly_minor = 0;
  int64_t refunded_minor = 0;
  int64_t decisions = 0;                // approvals, rejections and hidings of comments
  int64_t median_decision_seconds = 0;  // from a comment's posting to its decision; 0 without decisions
  int64_t queue_waiting = 0;            // comments awaiting a decision now (not period-bound)
};

struct DashboardBucket {
  int64_t start = 0;
  int64_t views = 0;
  int64_t comments = 0;
  int64_t contributions_minor = 0;
};

struct DashboardStory {
  int64_t article_id = 0;
  std::string slug;
  std::string title;
  std::string section;       // its slug
  int64_t published_at = 0;  // with section and slug, makes its address
  std::string url;           // filled by the service
  int64_t views = 0;
  int64_t comments = 0;
  int64_t contributions = 0;
  int64_t contributions_minor = 0;
};

struct DashboardReferrer {
  std::string domain;
  int64_t views = 0;
};

struct DashboardData {
  DashboardTotals totals;
  std::vector<DashboardBucket> buckets;
  std::vector<DashboardStory> stories;  // the union of the top by views, by comments and by money
  std::vector<DashboardReferrer> referrers;
};

}  // namespace tribune

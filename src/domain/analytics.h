// Private page-view counting and the newsroom's dashboard (docs/dashboard.md).
//
// Counting never touches the store on a reader's request: ViewCounter adds to in-memory counters (an article
// view per UTC hour, a referring domain per day, a visitor sketch per day) and AnalyticsService::flush() moves
// them to the store every few seconds. No cookie is set and nothing that identifies a reader is kept: a
// visitor is a SipHash of (address, user agent) keyed with a random salt made each UTC day in memory, added
// to a HyperLogLog sketch and forgotten; the salt is never stored, so yesterday's hashes cannot be remade.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "domain/dateline.h"
#include "model/analytics.h"
#include "store/roles/analytics.h"
#include "util/sketch.h"
#include "util/text.h"

namespace tribune {

// True for crawlers, link previewers, monitors, HTTP libraries and headless browsers (a list of marks in the
// user agent, case-folded), and for requests without one.
bool is_bot(std::string_view user_agent);

// The host of a Referer, lower-cased and without "www.", or empty when it is not an http(s) address, is this
// site (own_host, as the Host header has it) or is not a plausible host name.
std::string referrer_domain(std::string_view referer, std::string_view own_host);

class ViewCounter {
 public:
  using Clock = std::function<TimePoint()>;
  static constexpr size_t kMaxDomainsPerDay = 1000;  // more sites in one UTC day count as "other"

  explicit ViewCounter(Clock clock = {});

  // One view of an article by a reader (not a bot: the caller asks is_bot first). Any thread; never blocks
  // for long (one mutex, no I/O).
  void count(std::string_view slug, std::string_view address, std::string_view user_agent, std::string_view domain);
  // Everything counted since the last take: views and referrers move out; each day's sketch is copied (a
  // finished day's is then dropped, its salt wiped).
  TrafficBatch take();
  // A batch the store refused: its counts go back, to be flushed with the next.
  void give_back(const TrafficBatch& batch);
  int64_t pending_views() const;

 private:
  using Counts = std::unordered_map<std::string, int64_t, StringHash, std::equal_to<>>;
  struct Day {
    std::string salt;  // crypto_shorthash key; wiped once the day is over
    Sketch visitors;
    std::unordered_set<std::string, StringHash, std::equal_to<>> domains;  // admitted today (kMaxDomainsPerDay)
    bool dirty = false;
    Day() = default;
    Day(const Day&) = delete;
    Day& operator=(const Day&) = delete;
    ~Day();
  };
  Day& day_locked(int64_t day);

  Clock clock_;
  mutable std::mutex mu_;
  std::map<int64_t, Counts> views_;      // by hour
  std::map<int64_t, Counts> referrers_;  // by hour
  std::map<int64_t, Day> days_;
};

struct Dashboard {
  std::string period;
  std::string label;       // "Last 7 days", "1 Dec 2026 to 4 Dec 2026"
  std::string from_input;  // the local dates of the period, for the form
  std::string to_input;
  TimePoint from{};
  TimePoint to{};
  int64_t bucket = 3600;  // hours, or (86400) local days
  DashboardData current;
  TimePoint previous_from{};  // as many local days earlier, as long
  TimePoint previous_to{};
  DashboardTotals previous;
  std::string currency;
};

class AnalyticsService {
 public:
  static constexpr int kMaxDays = 366;

  AnalyticsService(AnalyticsStore& store, Locality locality, std::string currency,
                   std::function<std::string(const DashboardStory&)> url_of);

  // Moves the counter's counts to the store; on failure gives them back and rethrows. One flush at a time:
  // when it returns, whatever was counted before it is in the store.
  void flush(ViewCounter& counter);
  // Throws Error(invalid_input) naming the field for a bad period or date.
  Dashboard dashboard(const DashboardForm& form, TimePoint now);

  // Most read (views) and most discussed (published comments) over the last `hours`, ids of listed pieces.
  std::vector<int64_t> most_read(TimePoint now, int hours, int limit);
  std::vector<int64_t> most_discussed(TimePoint now, int hours, int limit);

 private:
  AnalyticsStore& store_;
  std::mutex flush_mu_;
  Locality locality_;
  std::string currency_;
  std::function<std::string(const DashboardStory&)> url_of_;
};

}  // namespace tribune

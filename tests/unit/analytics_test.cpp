// Private page-view counting (domain/analytics.h): who counts as a bot, what a referrer is reduced to, and
// that counts survive a failed flush and never double across flushes.
#include "domain/analytics.h"

#include <gtest/gtest.h>

#include "test_support.h"
#include "util/sketch.h"

using namespace tribune;

namespace {

constexpr int64_t kNoon = 1796472000;  // 2026-12-05 12:00 UTC

struct FakeClock {
  int64_t now = kNoon;
  ViewCounter::Clock fn() {
    return [this] { return TimePoint(std::chrono::seconds(now)); };
  }
};

int64_t views_of(const TrafficBatch& b, std::string_view slug) {
  int64_t n = 0;
  for (const auto& v : b.views)
    if (v.slug == slug) n += v.views;
  return n;
}

}  // namespace

TEST(Analytics, BrowsersAreReadersAndAutomatedClientsAreNot) {
  for (auto ua :
       {"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
        "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.0 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 "
        "Safari/537.36 Edg/120.0.0.0",
        "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
        "SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36"})
    EXPECT_FALSE(is_bot(ua)) << ua;
  for (auto ua :
       {"", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0)", "facebookexternalhit/1.1", "curl/8.5.0", "Wget/1.21",
        "python-requests/2.31", "Go-http-client/1.1",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0 Safari/537.36",
        "Mozilla/5.0 (Windows NT 10.0) Chrome-Lighthouse", "UptimeRobot/2.0", "Slackbot-LinkExpanding 1.0",
        "Mozilla/5.0 (compatible; AhrefsBot/7.0)", "Feedly/1.0 (+http://www.feedly.com/fetcher.html)"})
    EXPECT_TRUE(is_bot(ua)) << ua;
}

TEST(Analytics, AReferrerIsReducedToItsSiteAndThisSiteIsNone) {
  EXPECT_EQ(referrer_domain("https://news.ycombinator.com/item?id=1", "tribune.example"), "news.ycombinator.com");
  EXPECT_EQ(referrer_domain("https://www.Google.com/search?q=secret+words", "tribune.example"), "google.com");
  EXPECT_EQ(referrer_domain("http://user:pw@example.org:8080/a#b", "tribune.example"), "example.org");
  EXPECT_EQ(referrer_domain("https://tribune.example/politics/x", "tribune.example"), "");
  EXPECT_EQ(referrer_domain("https://www.tribune.example/", "tribune.example"), "");
  EXPECT_EQ(referrer_domain("http://127.0.0.1:8080/", "127.0.0.1:8080"), "");
  EXPECT_EQ(referrer_domain("android-app://com.google.android.gm/", "tribune.example"), "");
  EXPECT_EQ(referrer_domain("https://<script>/", "tribune.example"), "");
  EXPECT_EQ(referrer_domain("", "tribune.example"), "");
}

TEST(Analytics, CountsMoveOutOnceAndComeBackWhenTheStoreRefusesThem) {
  FakeClock clock;
  ViewCounter counter(clock.fn());
  for (int i = 0; i < 5; ++i) counter.count("a", "10.0.0." + std::to_string(i), "Firefox", "news.example");
  counter.count("b", "10.0.0.1", "Firefox", "");
  auto first = counter.take();
  EXPECT_EQ(views_of(first, "a"), 5);
  EXPECT_EQ(views_of(first, "b"), 1);
  ASSERT_EQ(first.referrers.size(), 1u);
  EXPECT_EQ(first.referrers[0].views, 5);
  ASSERT_EQ(first.visitors.size(), 1u);
  // Five distinct visitors (with a random salt two may share a register: the estimate is within one).
  EXPECT_NEAR(Sketch(first.visitors[0].registers).estimate(), 5.0, 1.2);
  // Taken: the next batch has no views again (nothing doubles), and no sketch without new views.
  EXPECT_TRUE(counter.take().empty());
  // A refused batch comes back and goes with the next views.
  counter.count("a", "10.0.0.9", "Firefox", "");
  counter.give_back(first);
  auto second = counter.take();
  EXPECT_EQ(views_of(second, "a"), 6);
  EXPECT_EQ(views_of(second, "b"), 1);
  EXPECT_EQ(second.referrers.size(), 1u);
  EXPECT_NEAR(Sketch(second.visitors[0].registers).estimate(), 6.0, 1.2);
}

TEST(Analytics, ReferringSitesAreCappedPerDayHoweverManyFlushesTheySpan) {
  FakeClock clock;
  ViewCounter counter(clock.fn());
  size_t sites = 0, other = 0;
  for (size_t round = 0; round < 3; ++round) {  // three flushes, each with a thousand new made-up sites
    for (size_t i = 0; i < ViewCounter::kMaxDomainsPerDay; ++i)
      counter.count("a", "10.0.0.1", "Firefox", "site" + std::to_string(round) + "-" + std::to_string(i) + ".example");
    auto b = counter.take();
    // A refused flush comes back without growing what the cap bounds.
    counter.give_back(b);
    b = counter.take();
    for (const auto& r : b.referrers) (r.domain == "other" ? other : sites) += r.domain == "other" ? r.views : 1;
  }
  EXPECT_EQ(sites, ViewCounter::kMaxDomainsPerDay);
  EXPECT_EQ(other, 2 * ViewCounter::kMaxDomainsPerDay);
  // A new day admits new sites.
  clock.now += 86400;
  counter.count("a", "10.0.0.1", "Firefox", "tomorrow.example");
  EXPECT_EQ(counter.take().referrers.at(0).domain, "tomorrow.example");
}

TEST(Analytics, ViewsAreCountedByHourAndVisitorsByDayWithAFreshSaltEachDay) {
  FakeClock clock;
  ViewCounter counter(clock.fn());
  counter.count("a", "10.0.0.1", "Firefox", "");
  clock.now += 3600;
  counter.count("a", "10.0.0.1", "Firefox", "");  // the same visitor, the same day: one visitor
  auto today = counter.take();
  ASSERT_EQ(today.views.size(), 2u);
  EXPECT_NE(today.views[0].hour, today.views[1].hour);
  ASSERT_EQ(today.visitors.size(), 1u);
  EXPECT_NEAR(Sketch(today.visitors[0].registers).estimate(), 1.0, 0.2);
  clock.now += 86400;
  counter.count("a", "10.0.0.1", "Firefox", "");  // the next day: a new day's sketch, made with a new salt
  auto tomorrow = counter.take();
  ASSERT_EQ(tomorrow.visitors.size(), 1u);
  EXPECT_EQ(tomorrow.visitors[0].day, today.visitors[0].day + 86400);
  // The two days' sketches hold different hashes of the same visitor: yesterday's cannot be remade.
  EXPECT_NE(tomorrow.visitors[0].registers, today.visitors[0].registers);
}

TEST(Analytics, TheSketchEstimatesWithinAFewPercentAndMergesIdempotently) {
  for (int n : {10, 1000, 100000}) {
    Sketch s;
    for (int i = 0; i < n; ++i) s.add(std::hash<std::string>{}("v" + std::to_string(i)) * 0x9E3779B97F4A7C15ULL);
    EXPECT_NEAR(s.estimate(), n, n * 0.05 + 1) << n;
    Sketch twice(s.registers());
    twice.merge(s.registers());
    EXPECT_EQ(twice.registers(), s.registers());
  }
  EXPECT_TRUE(Sketch().empty());
  EXPECT_EQ(Sketch("too short").estimate(), 0);
}

namespace {

// Records what the service asks the store.
class RecordingStore : public AnalyticsStore {
 public:
  std::vector<DashboardQuery> asked;
  void record_traffic(const TrafficBatch&) override {}
  DashboardData dashboard(const DashboardQuery& q) override {
    asked.push_back(q);
    return {};
  }
  std::vector<int64_t> most_read(int64_t, int64_t, int) override { return {}; }
  std::vector<int64_t> most_discussed(int64_t, int64_t, int) override { return {}; }
};

int64_t utc(int y, unsigned m, unsigned d, int h = 0) {
  namespace c = std::chrono;
  c::sys_days date{c::year_month_day{c::year{y}, c::month{m}, c::day{d}}};
  return c::duration_cast<c::seconds>(date.time_since_epoch() + c::hours(h)).count();
}

}  // namespace

TEST(Analytics, TodayIsComparedWithTheSameHoursYesterdayAndDaysFollowTheClockChange) {
  RecordingStore store;
  AnalyticsService service(store, Locality{}, "GBP", {});
  // 2026-07-01 08:30 in London (BST, UTC+1): today runs from 23:00 UTC the day before.
  auto now = TimePoint(std::chrono::seconds(utc(2026, 7, 1, 7) + 1800));
  auto today = service.dashboard({"today", "", ""}, now);
  ASSERT_EQ(store.asked.size(), 2u);
  EXPECT_EQ(store.asked[0].from, utc(2026, 6, 30, 23));
  EXPECT_EQ(store.asked[0].starts.size(), 9u);  // 00:00 to 08:00, hourly
  EXPECT_EQ(store.asked[1].from, utc(2026, 6, 29, 23)) << "yesterday's midnight";
  EXPECT_EQ(store.asked[1].to - store.asked[1].from, store.asked[0].to - store.asked[0].from) << "until the same time";
  EXPECT_TRUE(store.asked[1].totals_only);
  EXPECT_EQ(today.label, "Today");

  // Ten days across the end of summer time (25 October 2026): daily buckets at local midnights, the 25th
  // 25 hours long; the period before is the ten days before.
  store.asked.clear();
  auto days =
      service.dashboard({"custom", "2026-10-20", "2026-10-29"}, TimePoint(std::chrono::seconds(utc(2026, 11, 1))));
  ASSERT_EQ(store.asked.size(), 2u);
  const auto& starts = store.asked[0].starts;
  ASSERT_EQ(starts.size(), 10u);
  EXPECT_EQ(starts.front(), utc(2026, 10, 19, 23));
  EXPECT_EQ(starts[5], utc(2026, 10, 24, 23));  // 25 Oct 00:00 BST
  EXPECT_EQ(starts[6], utc(2026, 10, 26, 0));   // 26 Oct 00:00 GMT: the 25th had 25 hours
  EXPECT_EQ(store.asked[0].to, utc(2026, 10, 30, 0));
  EXPECT_EQ(days.bucket, 86400);
  EXPECT_EQ(store.asked[1].from, utc(2026, 10, 9, 23));
  EXPECT_EQ(days.from_input, "2026-10-20");
  EXPECT_EQ(days.to_input, "2026-10-29");

  EXPECT_EQ(
      tribune::testing::thrown_code([&] {
        service.dashboard({"custom", "2026-10-29", "2026-10-20"}, TimePoint(std::chrono::seconds(utc(2026, 11, 1))));
      }),
      "invalid_period");
}

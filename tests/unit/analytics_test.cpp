// Private page-view counting (domain/analytics.h): who counts as a bot, what a referrer is reduced to, and
// that counts survive a failed flush and never double across flushes.
#include <gtest/gtest.h>

#include "domain/analytics.h"
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
  for (auto ua : {"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
                  "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0",
                  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                  "Version/17.0 Mobile/15E148 Safari/604.1",
                  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 "
                  "Safari/537.36 Edg/120.0.0.0",
                  "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36"})
    EXPECT_FALSE(is_bot(ua)) << ua;
  for (auto ua : {"", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
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
  EXPECT_NEAR(Sketch(first.visitors[0].registers).estimate(), 5.0, 0.5);
  // Taken: the next batch has no views again (nothing doubles), and no sketch without new views.
  EXPECT_TRUE(counter.take().empty());
  // A refused batch comes back and goes with the next views.
  counter.count("a", "10.0.0.9", "Firefox", "");
  counter.give_back(first);
  auto second = counter.take();
  EXPECT_EQ(views_of(second, "a"), 6);
  EXPECT_EQ(views_of(second, "b"), 1);
  EXPECT_EQ(second.referrers.size(), 1u);
  EXPECT_NEAR(Sketch(second.visitors[0].registers).estimate(), 6.0, 0.5);
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

// The store contract, analytics (store/roles/analytics.h): page views add up across batches (and nodes),
// visitor sketches merge without doubling, views of unknown pieces are dropped, and the dashboard's figures
// count what happened in the period and nothing outside it. Every engine must pass it unchanged.
#include <gtest/gtest.h>

#include "store/contract.h"
#include "util/sketch.h"

using namespace tribune;
using namespace tribune::contract;

namespace {

constexpr int64_t kHour0 = 1700000000 / 3600 * 3600;  // the helpers' accounts and comments fall in this hour
constexpr int64_t kDay0 = 1700000000 / 86400 * 86400;

std::string sketch_of(int from, int to) {
  Sketch s;
  for (int i = from; i < to; ++i)
    s.add(std::hash<std::string>{}("visitor " + std::to_string(i)) * 0x9E3779B97F4A7C15ULL);
  return s.registers();
}

// Hourly buckets over [from, to).
DashboardQuery period(int64_t from, int64_t to) {
  DashboardQuery q;
  q.from = from;
  q.to = to;
  for (int64_t t = from; t < to && q.starts.size() < 48; t += 3600) q.starts.push_back(t);
  q.currency = "GBP";
  return q;
}

}  // namespace

TEST_P(StoreContract, PageViewsAddUpAcrossBatchesAndDropUnknownPieces) {
  store_->save_article(record("a", kHour0 - 86400), false);
  store_->save_article(record("b", kHour0 - 86400), false);
  TrafficBatch one;
  one.views = {{kHour0, "a", 5}, {kHour0, "b", 2}, {kHour0 + 3600, "a", 1}, {kHour0, "no-such-piece", 40}};
  one.referrers = {{kHour0, "news.example", 3}};
  store_->record_traffic(one);
  // A second node's batch for the same hour and day: added, not replaced.
  TrafficBatch two;
  two.views = {{kHour0, "a", 4}};
  two.referrers = {{kHour0, "news.example", 2}, {kHour0 + 3600, "other.example", 1}};
  store_->record_traffic(two);

  auto d = store_->dashboard(period(kHour0, kHour0 + 7200));
  EXPECT_EQ(d.totals.views, 12);
  ASSERT_EQ(d.buckets.size(), 2u);
  EXPECT_EQ(d.buckets[0].views, 11);
  EXPECT_EQ(d.buckets[1].views, 1);
  ASSERT_GE(d.stories.size(), 2u);
  EXPECT_EQ(d.stories[0].slug, "a");
  EXPECT_EQ(d.stories[0].views, 10);
  EXPECT_EQ(d.stories[1].slug, "b");
  EXPECT_EQ(d.stories[0].section, "opinion");
  ASSERT_EQ(d.referrers.size(), 2u);
  EXPECT_EQ(d.referrers[0].domain, "news.example");
  EXPECT_EQ(d.referrers[0].views, 5);
  // Only the period: the second hour alone.
  auto second = store_->dashboard(period(kHour0 + 3600, kHour0 + 7200));
  EXPECT_EQ(second.totals.views, 1);
  ASSERT_EQ(second.referrers.size(), 1u);
  EXPECT_EQ(second.referrers[0].domain, "other.example");

  // Buckets of uneven length (local days across a clock change): each hour lands in the one holding it.
  DashboardQuery uneven = period(kHour0 - 3600, kHour0 + 3 * 3600);
  uneven.starts = {kHour0 - 3600, kHour0 + 3600};  // 2 hours, then 2 hours
  auto u = store_->dashboard(uneven);
  ASSERT_EQ(u.buckets.size(), 2u);
  EXPECT_EQ(u.buckets[0].start, kHour0 - 3600);
  EXPECT_EQ(u.buckets[0].views, 11);
  EXPECT_EQ(u.buckets[1].views, 1);
}

TEST_P(StoreContract, VisitorSketchesMergeWithoutDoublingWhateverTheNodeOrRepeat) {
  TrafficBatch a;
  a.visitors = {{kDay0, sketch_of(0, 1000)}};
  store_->record_traffic(a);
  store_->record_traffic(a);  // the same sketch again (a node writes its whole sketch at each flush)
  TrafficBatch b;
  b.visitors = {{kDay0, sketch_of(500, 1500)}};  // another node's: half the same visitors
  store_->record_traffic(b);
  auto visitors = store_->dashboard(period(kDay0, kDay0 + 86400)).totals.visitors;
  EXPECT_NEAR(static_cast<double>(visitors), 1500.0, 1500.0 * 0.05);
  // A day outside the period counts nothing.
  EXPECT_EQ(store_->dashboard(period(kDay0 + 86400, kDay0 + 2 * 86400)).totals.visitors, 0);
}

TEST_P(StoreContract, TheDashboardCountsCommentsReadersMoneyAndDecisionsOfThePeriod) {
  auto art = store_->save_article(record("a", kHour0 - 86400), false);
  auto reader = account("r@example.org", "Reader");
  auto other = account("o@example.org", "Other");
  auto mod = account("m@example.org", "Mod", "moderator");
  comment(art.id, reader.id, "one");
  comment(art.id, reader.id, "two");
  auto held = comment(art.id, other.id, "three", std::nullopt, CommentStatus::pending);
  comment(art.id, other.id, "four", std::nullopt, CommentStatus::pending);
  store_->decide_comment(held.id, mod.id, "approve", "");

  NewContribution n;
  n.amount_minor = 1500;
  n.currency = "GBP";
  n.interval = "once";
  n.article_id = art.id;
  n.email = "giver@example.org";
  n.created_at = TimePoint(std::chrono::seconds(kHour0 + 60));
  auto c = store_->create_contribution(n);
  PaymentEvent paid;
  paid.event_id = "evt_dash";
  paid.type = "checkout.session.completed";
  paid.created = kHour0 + 120;
  paid.payload = "{}";
  paid.contribution_id = c.id;
  paid.status = "paid";
  paid.payment = PaymentEvent::Payment{"cs_dash", 1500, "GBP"};
  paid.money_arrived = true;
  store_->apply_payment_event(paid, [](const Contribution&) { return std::optional<OutboxMail>(); });

  auto d = store_->dashboard(period(kHour0, kHour0 + 3600));
  EXPECT_EQ(d.totals.comments, 4);
  EXPECT_EQ(d.totals.commenters, 2);
  EXPECT_EQ(d.totals.registrations, 3);
  EXPECT_EQ(d.totals.once_count, 1);
  EXPECT_EQ(d.totals.once_minor, 1500);
  EXPECT_EQ(d.totals.queue_waiting, 1);
  ASSERT_EQ(d.buckets.size(), 1u);
  EXPECT_EQ(d.buckets[0].comments, 4);
  EXPECT_EQ(d.buckets[0].contributions_minor, 1500);
  ASSERT_EQ(d.stories.size(), 1u);
  EXPECT_EQ(d.stories[0].comments, 4);
  EXPECT_EQ(d.stories[0].contributions, 1);
  EXPECT_EQ(d.stories[0].contributions_minor, 1500);
  // The decision was made now (the store's clock), so it belongs to a later period than the comments'.
  auto later = store_->dashboard(period(kHour0 + 3600, std::numeric_limits<int32_t>::max()));
  EXPECT_EQ(later.totals.decisions, 1);
  EXPECT_GT(later.totals.median_decision_seconds, 0);
  EXPECT_EQ(later.totals.comments, 0);
  // The period before holds none of it.
  auto before = store_->dashboard(period(kHour0 - 3600, kHour0));
  EXPECT_EQ(before.totals.comments, 0);
  EXPECT_EQ(before.totals.once_minor, 0);
  EXPECT_EQ(before.totals.registrations, 0);
}

TEST_P(StoreContract, MostReadAndMostDiscussedListOnlyWhatReadersMaySee) {
  auto a = store_->save_article(record("a", kHour0 - 86400), false);
  auto b = store_->save_article(record("b", kHour0 - 86400), false);
  auto draft = record("draft", kHour0 - 86400);
  draft.state = ArticleState::draft;
  auto d = store_->save_article(draft, false);
  auto later = store_->save_article(record("later", kHour0 + 86400 * 30), false);  // not yet published
  TrafficBatch t;
  t.views = {{kHour0, "a", 3}, {kHour0, "b", 7}, {kHour0, "draft", 50}, {kHour0, "later", 60}};
  store_->record_traffic(t);
  EXPECT_EQ(store_->most_read(kHour0, kHour0 + 3600, 5), (std::vector<int64_t>{b.id, a.id}));
  EXPECT_EQ(store_->most_read(kHour0, kHour0 + 3600, 1), (std::vector<int64_t>{b.id}));
  auto reader = account("r@example.org", "Reader");
  comment(a.id, reader.id, "x");
  comment(a.id, reader.id, "y");
  comment(b.id, reader.id, "z");
  comment(b.id, reader.id, "held", std::nullopt, CommentStatus::pending);
  comment(b.id, reader.id, "held too", std::nullopt, CommentStatus::pending);
  comment(d.id, reader.id, "on a draft");
  comment(later.id, reader.id, "on a scheduled piece");
  EXPECT_EQ(store_->most_discussed(kHour0, kHour0 + 3600, 5), (std::vector<int64_t>{a.id, b.id}));
  EXPECT_TRUE(store_->most_discussed(kHour0 + 3600, kHour0 + 7200, 5).empty());
}

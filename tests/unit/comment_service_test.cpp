// CommentService without a database (issue 13): hand-written fakes of the three store roles it uses show
// what it writes, and what it does not write, when sanctions, pre-moderation or a store failure stand in
// the way. The HTTP suites prove the same end to end on both engines; these pin the service's own rules.
#include <gtest/gtest.h>

#include <map>

#include "domain/articles.h"
#include "domain/comments.h"
#include "domain/moderation_rules.h"
#include "domain/rate_limit.h"
#include "support/fake_roles.h"
#include "test_support.h"

using namespace tribune;
using namespace tribune::testing;

namespace {

const TimePoint kNow{std::chrono::seconds(1800000000)};

struct CommentServiceTest : ::testing::Test {
  FakeArticles articles_store;
  FakeAccounts accounts_store;
  FakeComments comments_store;
  ArticleService articles{articles_store, Locality{}, nullptr, [] { return kNow; }};
  RateLimiter limiter;
  CommentService comments{comments_store, accounts_store, articles, limiter};
  std::vector<std::string> heard;  // what the listeners were told

  void SetUp() override {
    Article a;
    a.id = 7;
    a.slug = "a-piece";
    a.published_at = kNow - std::chrono::hours(1);
    a.comments = CommentsMode::open;
    articles_store.by_slug["a-piece"] = a;
    for (int64_t id : {1, 2}) {
      Account reader;
      reader.id = id;
      reader.display_name = "Reader " + std::to_string(id);
      accounts_store.accounts[id] = reader;
    }
    comments.on_comment([this](const Article&, const Comment& c, CommentService::Change change) {
      heard.push_back(change_heard(c, change));
    });
    comments.on_doubt([this](const Article& doubted) { heard.push_back("doubt " + doubted.slug); });
  }
  Commenter reader(int64_t id) { return Commenter{id, "Reader", "192.0.2.1", Role::reader, false, nullptr}; }
};

}  // namespace

TEST_F(CommentServiceTest, ABannedReaderWritesNothingByAnyPath) {
  auto mine = comments.post(reader(1), "a-piece", "Before the ban.", std::nullopt);
  auto theirs = comments.post(reader(2), "a-piece", "Someone else's.", std::nullopt);
  comments_store.writes.clear();
  accounts_store.accounts[1].banned_until = kBanEnd;
  EXPECT_EQ(thrown_code([&] { comments.post(reader(1), "a-piece", "After the ban.", std::nullopt); }), "banned");
  EXPECT_EQ(thrown_code([&] { comments.edit(Actor{1, Role::reader}, mine.id, "Rewritten."); }), "banned");
  EXPECT_EQ(thrown_code([&] { comments.react(Actor{1, Role::reader}, theirs.id, "recommend", true); }), "banned");
  EXPECT_TRUE(comments_store.writes.empty()) << comments_store.writes.front();
  EXPECT_EQ(comments_store.comments.at(mine.id).body_markdown, "Before the ban.");

  accounts_store.accounts[1].banned_until = kNow + std::chrono::hours(2);
  EXPECT_EQ(thrown_code([&] { comments.edit(Actor{1, Role::reader}, mine.id, "Rewritten."); }), "suspended");
  accounts_store.accounts[1].banned_until.reset();
  accounts_store.accounts[1].warning = "Mind the tone.";
  EXPECT_EQ(thrown_code([&] {
              comments.react(Actor{1, Role::reader}, theirs.id, "recommend", true);
            }),
            "warning_unacknowledged");
  EXPECT_TRUE(comments_store.writes.empty());
}

TEST_F(CommentServiceTest, AnEditUnderPreModerationGoesBackToTheQueue) {
  auto mine = comments.post(reader(1), "a-piece", "Published first.", std::nullopt);
  heard.clear();
  accounts_store.accounts[1].premoderated = true;
  auto edited = comments.edit(Actor{1, Role::reader}, mine.id, "Edited under review.");
  EXPECT_EQ(edited.status, CommentStatus::pending);
  EXPECT_EQ(comments_store.writes.back(), "edit_comment(hold)");
  EXPECT_EQ(heard, std::vector<std::string>{std::to_string(mine.id) + " removed"}) << "live pages drop it";
}

TEST_F(CommentServiceTest, AWriteTheStoreMayHaveCommittedDropsTheArticlesPages) {
  comments_store.down = true;
  EXPECT_EQ(thrown_code([&] { comments.post(reader(1), "a-piece", "Into the outage.", std::nullopt); }),
            "store_unavailable");
  EXPECT_EQ(heard, std::vector<std::string>{"doubt a-piece"});
  comments_store.down = false;
  heard.clear();
  auto c = comments.post(reader(1), "a-piece", "After the outage.", std::nullopt);
  auto other = comments.post(reader(2), "a-piece", "Another reader's.", std::nullopt);
  EXPECT_EQ(heard,
            (std::vector<std::string>{std::to_string(c.id) + " created", std::to_string(other.id) + " created"}));

  // Every other write to the conversation, the same: edit, delete, reaction, pick.
  comments_store.down = true;
  heard.clear();
  EXPECT_EQ(thrown_code([&] {
              comments.edit(Actor{1, Role::reader}, c.id, "Edited into the outage.");
            }),
            "store_unavailable");
  EXPECT_EQ(thrown_code([&] {
              comments.react(Actor{1, Role::reader}, other.id, "recommend", true);
            }),
            "store_unavailable");
  EXPECT_EQ(thrown_code([&] { comments.pick(Actor{9, Role::editor}, other.id, true); }), "store_unavailable");
  EXPECT_EQ(thrown_code([&] { comments.remove(Actor{1, Role::reader}, c.id); }), "store_unavailable");
  EXPECT_EQ(heard, std::vector<std::string>(4, "doubt a-piece"));

  // The likelier outage: the whole database goes as the write fails, reads too. The pages still drop (the
  // article was read before the write), or the comment that may exist would stay hidden until the next change.
  heard.clear();
  comments_store.on_failure = [this] { articles_store.down = true; };
  EXPECT_EQ(thrown_code([&] { comments.post(reader(1), "a-piece", "Into the whole outage.", std::nullopt); }),
            "store_unavailable");
  articles_store.down = false;
  EXPECT_EQ(thrown_code([&] {
              comments.react(Actor{1, Role::reader}, other.id, "recommend", true);
            }),
            "store_unavailable");
  EXPECT_EQ(heard, std::vector<std::string>(2, "doubt a-piece"));
}

TEST_F(CommentServiceTest, ReactionsAreLimitedPerReader) {
  auto theirs = comments.post(reader(2), "a-piece", "Recommend me.", std::nullopt);
  CommentService limited{comments_store, accounts_store, articles, limiter,
                         CommentLimits{{10, std::chrono::minutes(1)},
                                       {60, std::chrono::minutes(1)},
                                       {3, std::chrono::minutes(1)},
                                       std::chrono::minutes(15)}};
  for (int i = 0; i < 3; ++i) limited.react(Actor{1, Role::reader}, theirs.id, "recommend", i % 2 == 0);
  EXPECT_EQ(thrown_code([&] { limited.react(Actor{1, Role::reader}, theirs.id, "recommend", false); }), "rate_limited");
}

namespace {

// Windows shared between nodes, as the PostgreSQL engine counts them: every hit counts, over its limit or
// not, and a give-back uncounts one in the window it names.
struct SharedCounts final : UnfakedRateCounters {
  std::map<std::string, RateWindow> windows;
  int round_trips = 0;
  std::vector<std::string> given_back;
  std::optional<std::vector<RateWindow>> rate_hits(const std::vector<RateKey>& keys) override {
    ++round_trips;
    std::vector<RateWindow> out;
    for (const auto& k : keys) {
      auto& w = windows[k.key];
      w.started = std::chrono::milliseconds(1800000000000);
      ++w.count;
      out.push_back(w);
    }
    return out;
  }
  bool give_back_fails = false;  // as a store that went away between the count and the give-back
  void rate_give_back(const std::string& key, std::chrono::milliseconds started) override {
    if (give_back_fails)
      throw Error(ErrorKind::unavailable, "store_unavailable", "The store is unavailable; try again shortly.");
    given_back.push_back(key);
    auto& w = windows.at(key);
    if (w.started == started && w.count > 0) --w.count;
  }
};

// Three kept comments a minute (so nine attempts); the rules reject a text posted twice already.
struct PostingLimitTest : CommentServiceTest {
  CommentService limited{comments_store, accounts_store, articles, limiter,
                         CommentLimits{{3, std::chrono::minutes(1)},
                                       {60, std::chrono::minutes(1)},
                                       {60, std::chrono::minutes(1)},
                                       std::chrono::minutes(15)}};
  void SetUp() override {
    CommentServiceTest::SetUp();
    limited.set_rules(std::make_shared<RulePipeline>(RuleSettings{}));
  }
  // Four comments the rules refuse, then three kept, then one over the limit: 8 attempts of the 9 allowed.
  void refused_then_kept() {
    size_t written = comments_store.writes.size();
    comments_store.activity.same_text = 2;
    for (int i = 0; i < 4; ++i)
      EXPECT_EQ(thrown_code([&] { limited.post(reader(1), "a-piece", "Said it before.", std::nullopt); }), "rejected");
    comments_store.activity.same_text = 0;
    for (int i = 0; i < 3; ++i)
      EXPECT_NO_THROW(limited.post(reader(1), "a-piece", "Kept " + std::to_string(i), std::nullopt)) << i;
    EXPECT_EQ(thrown_code([&] { limited.post(reader(1), "a-piece", "One too many.", std::nullopt); }), "rate_limited");
    EXPECT_EQ(comments_store.writes.size() - written, 3u) << "three kept";
  }
};

}  // namespace

TEST_F(PostingLimitTest, CommentsTheRulesRefuseDoNotCountTowardThePostingLimit) {
  refused_then_kept();
}

// Shared between nodes, a comment's three hits (its attempt, its address, its posting) are counted in the round
// trip that reads what the rules need: one wait. The posting hit of a refused comment is given back.
TEST_F(PostingLimitTest, SharedLimitsAreCountedWithTheRulesReadAndGivenBackWhenRefused) {
  SharedCounts shared;
  limiter.share_through(&shared);
  comments_store.counts = &shared;
  limited.post(reader(2), "a-piece", "One round trip.", std::nullopt);
  EXPECT_EQ(shared.round_trips, 1);
  EXPECT_EQ(comments_store.activity_reads, 1);
  EXPECT_EQ(shared.windows["comment-attempt:account:2"].count, 1);
  EXPECT_EQ(shared.windows["comment:ip:192.0.2.1"].count, 1);
  EXPECT_EQ(shared.windows["comment:account:2"].count, 1);
  EXPECT_TRUE(shared.given_back.empty());

  refused_then_kept();
  EXPECT_EQ(shared.round_trips, 9);
  EXPECT_EQ(comments_store.activity_reads, 9);
  // Four refused and one over the limit gave back their posting hits; every attempt stays counted.
  EXPECT_EQ(shared.given_back, std::vector<std::string>(5, "comment:account:1"));
  EXPECT_EQ(shared.windows["comment:account:1"].count, 3);
  EXPECT_EQ(shared.windows["comment-attempt:account:1"].count, 8);
}

// A give-back that fails does not change the answer: the reader is told why the comment was refused (and the
// window keeps the hit: fuller, never emptier).
TEST_F(PostingLimitTest, AFailedGiveBackStillTellsTheReaderWhy) {
  SharedCounts shared;
  limiter.share_through(&shared);
  comments_store.counts = &shared;
  shared.give_back_fails = true;
  comments_store.activity.same_text = 2;
  EXPECT_EQ(thrown_code([&] { limited.post(reader(1), "a-piece", "Said it before.", std::nullopt); }), "rejected");
  EXPECT_EQ(shared.windows["comment:account:1"].count, 1);
  EXPECT_TRUE(comments_store.writes.empty());
}

// In memory, as a single hit does, the hits after one over its limit are not counted: a reader over the attempt
// limit does not use up their address's budget.
TEST_F(PostingLimitTest, InMemoryHitsAfterOneOverItsLimitAreNotCounted) {
  comments_store.activity.same_text = 2;
  for (int i = 0; i < 9; ++i)
    EXPECT_EQ(thrown_code([&] { limited.post(reader(1), "a-piece", "Said it before.", std::nullopt); }), "rejected");
  EXPECT_EQ(thrown_code([&] { limited.post(reader(1), "a-piece", "A tenth try.", std::nullopt); }), "rate_limited");
  // The address (60 a minute) counted nine of reader 1's attempts, not the tenth: 51 are left for reader 2.
  CommentService address_bound{comments_store, accounts_store, articles, limiter,
                               CommentLimits{{1000, std::chrono::minutes(1)},
                                             {60, std::chrono::minutes(1)},
                                             {60, std::chrono::minutes(1)},
                                             std::chrono::minutes(15)}};
  comments_store.activity.same_text = 0;
  for (int i = 0; i < 51; ++i)
    EXPECT_NO_THROW(address_bound.post(reader(2), "a-piece", "Words " + std::to_string(i), std::nullopt)) << i;
  EXPECT_EQ(thrown_code([&] { address_bound.post(reader(2), "a-piece", "Over.", std::nullopt); }), "rate_limited");
}

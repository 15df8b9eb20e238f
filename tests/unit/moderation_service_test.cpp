// ModerationService without a database (issue 13): fakes of the store roles it uses show what a decision
// tells live pages and notified readers, which requests write nothing, and the domain rules (staff cannot
// be banned or sanctioned; reasons are bounded text). The HTTP suites prove the same end to end on both
// engines.
#include <gtest/gtest.h>

#include "domain/articles.h"
#include "domain/comments.h"
#include "domain/moderation.h"
#include "domain/rate_limit.h"
#include "support/fake_roles.h"
#include "test_support.h"

using namespace tribune;
using namespace tribune::testing;

namespace {

const TimePoint kNow{std::chrono::seconds(1800000000)};

// Decisions, bans and sanctions on the fake comments and accounts; every write recorded.
struct FakeModeration final : UnfakedModerationStore {
  FakeComments& comments;
  FakeAccounts& accounts;
  std::vector<std::string> writes;
  bool down = false;
  FakeModeration(FakeComments& c, FakeAccounts& a) : comments(c), accounts(a) {}

  std::vector<QueueItem> moderation_queue(const QueueQuery&) override { return {}; }
  SavedComment decide_comment(int64_t id, int64_t, const std::string& decision, const std::string&,
                              bool notify_author) override {
    if (down) throw Error(ErrorKind::unavailable, "store_unavailable", "The store is unavailable; try again shortly.");
    auto it = comments.comments.find(id);
    if (it == comments.comments.end()) throw Error(ErrorKind::not_found, "not_found", "The comment was not found.");
    writes.push_back(decision + " " + std::to_string(id));
    auto before = it->second.status;
    it->second.status = decision == "approve"  ? CommentStatus::published
                        : decision == "reject" ? CommentStatus::rejected
                                               : CommentStatus::hidden;
    SavedComment out{it->second, {}};
    if (notify_author && before != it->second.status && it->second.author_id)
      out.notified.push_back(Recipient{*it->second.author_id, "moderation"});
    return out;
  }
  void set_ban(int64_t account, int64_t, std::optional<TimePoint> until, const std::string&) override {
    writes.push_back("set_ban " + std::to_string(account));
    accounts.accounts.at(account).banned_until = until;
  }
  void sanction(int64_t account, int64_t, const std::string& action, const std::string& reason) override {
    writes.push_back(action + " " + std::to_string(account) + " " + reason);
  }
};

struct ModerationServiceTest : ::testing::Test {
  FakeArticles articles_store;
  FakeAccounts accounts_store;
  FakeComments comments_store;
  FakeModeration moderation_store{comments_store, accounts_store};
  UnfakedAuditLog audit;
  ArticleService articles{articles_store, Locality{}, nullptr, [] { return kNow; }};
  RateLimiter limiter;
  CommentService comments{comments_store, accounts_store, articles, limiter};
  ModerationService moderation{moderation_store, audit,    accounts_store, articles_store,
                               comments_store,   comments, articles};
  std::vector<std::string> heard;  // what live pages and notified readers were told

  void SetUp() override {
    Article a;
    a.id = 7;
    a.slug = "a-piece";
    a.published_at = kNow - std::chrono::hours(1);
    a.comments = CommentsMode::open;
    articles_store.by_slug["a-piece"] = a;
    for (auto [id, role] :
         {std::pair{int64_t{1}, Role::reader}, {int64_t{2}, Role::moderator}, {int64_t{3}, Role::editor}}) {
      Account account;
      account.id = id;
      account.role = role;
      account.display_name = std::string("Account ") + std::to_string(id);
      accounts_store.accounts[id] = account;
    }
    comments.on_comment([this](const Article&, const Comment& c, CommentService::Change change) {
      heard.push_back(change_heard(c, change));
    });
    comments.on_notify([this](const Comment& c, const std::vector<Recipient>& to) {
      for (const auto& r : to)
        heard.push_back(std::to_string(c.id) + " notifies " + std::to_string(r.account_id) + " " + r.kind);
    });
  }
  int64_t comment(CommentStatus status) {
    auto c = comments.post(Commenter{1, "Account 1", "192.0.2.1", Role::reader, false, nullptr}, "a-piece",
                           "A comment.", std::nullopt);
    comments_store.comments[c.id].status = status;
    heard.clear();
    comments_store.writes.clear();
    return c.id;
  }
};

}  // namespace

TEST_F(ModerationServiceTest, ADecisionTellsLivePagesAndTheAuthorWhatChanged) {
  int64_t held = comment(CommentStatus::pending);
  moderation.decide(2, held, "approve", "");
  auto id = std::to_string(held);
  EXPECT_EQ(heard, (std::vector<std::string>{id + " created", id + " notifies 1 moderation"}));  // appears live

  heard.clear();
  moderation.decide(2, held, "hide", "Off topic.");
  EXPECT_EQ(heard, (std::vector<std::string>{id + " removed", id + " notifies 1 moderation"}));  // leaves live pages

  heard.clear();
  moderation.decide(2, held, "reject", "");  // already out of the conversation: pages have nothing to drop
  EXPECT_EQ(heard, (std::vector<std::string>{id + " notifies 1 moderation"}));
}

TEST_F(ModerationServiceTest, ABadRequestWritesNothing) {
  int64_t held = comment(CommentStatus::pending);
  EXPECT_EQ(thrown_code([&] { moderation.decide(2, held, "publish", ""); }), "invalid_decision");
  EXPECT_EQ(thrown_code([&] { moderation.decide(2, held, "approve", std::string(501, 'x')); }), "invalid_reason");
  EXPECT_EQ(thrown_code([&] { moderation.decide(2, held, "approve", "tab\x01here"); }), "invalid_reason");
  EXPECT_EQ(thrown_code([&] { moderation.decide(2, 999, "approve", ""); }), "not_found");
  EXPECT_EQ(thrown_code([&] { moderation.sanction(2, 1, "warn", "   "); }), "reason_required");
  EXPECT_EQ(thrown_code([&] { moderation.sanction(2, 1, "shame", "why"); }), "invalid_action");
  EXPECT_EQ(thrown_code([&] { moderation.ban(2, 1, kNow - std::chrono::hours(1), ""); }), "invalid_time");
  EXPECT_EQ(thrown_code([&] { moderation.ban(2, 404, std::nullopt, ""); }), "not_found");
  EXPECT_EQ(thrown_code([&] { moderation.decide_many(2, {}, "approve", ""); }), "invalid_ids");
  EXPECT_EQ(thrown_code([&] { moderation.decide_many(2, std::vector<int64_t>(101, held), "approve", ""); }),
            "invalid_ids");
  EXPECT_TRUE(moderation_store.writes.empty()) << moderation_store.writes.front();
  EXPECT_TRUE(heard.empty());
}

TEST_F(ModerationServiceTest, StaffCannotBeBannedOrSanctionedButMayHaveNotes) {
  EXPECT_EQ(thrown_code([&] { moderation.ban(2, 3, std::nullopt, "Editors are not readers."); }), "forbidden");
  EXPECT_EQ(thrown_code([&] { moderation.sanction(2, 3, "premoderate", ""); }), "forbidden");
  EXPECT_EQ(thrown_code([&] { moderation.sanction(3, 2, "warn", "Be nice."); }), "forbidden");
  EXPECT_TRUE(moderation_store.writes.empty());
  moderation.sanction(2, 3, "note", "  Asked to review the style guide.  ");
  moderation.ban(2, 1, std::nullopt, "Spam.");
  EXPECT_EQ(moderation_store.writes,
            (std::vector<std::string>{"note 3 Asked to review the style guide.", "set_ban 1"}));
  EXPECT_EQ(accounts_store.accounts[1].banned_until, kBanEnd) << "a ban is a suspension that never ends";
}

TEST_F(ModerationServiceTest, BulkDecisionsSkipVanishedCommentsButStopOnAStoreFailure) {
  int64_t a = comment(CommentStatus::pending), b = comment(CommentStatus::pending);
  EXPECT_EQ(moderation.decide_many(2, {a, 999, b}, "approve", ""), 2);
  EXPECT_EQ(moderation_store.writes,
            (std::vector<std::string>{"approve " + std::to_string(a), "approve " + std::to_string(b)}));
  moderation_store.down = true;
  EXPECT_EQ(thrown_code([&] { moderation.decide_many(2, {a, b}, "hide", ""); }), "store_unavailable");
}

TEST_F(ModerationServiceTest, TheQueueRefusesUnknownViewsAndRules) {
  QueueQuery q;
  q.view = "everything";
  EXPECT_EQ(thrown_code([&] { moderation.queue(q); }), "invalid_view");
  q.view = "held";
  q.rule = "Links; DROP TABLE";
  EXPECT_EQ(thrown_code([&] { moderation.queue(q); }), "invalid_rule");
  q.rule = "links";
  EXPECT_NO_THROW(moderation.queue(q));
  EXPECT_EQ(thrown_code([&] { moderation.queue_query(Params{{"article", "no-such-piece"}}, 50); }), "not_found");
  EXPECT_EQ(moderation.queue_query(Params{{"article", "a-piece"}, {"view", "reported"}}, 50).article_id, 7);
}

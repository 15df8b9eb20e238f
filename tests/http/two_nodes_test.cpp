// Two Tribune nodes on one PostgreSQL database, as behind a load balancer: each its own App, pool, caches and
// live hub, sharing nothing but the store. A reader signed in on one is signed in on the other; a comment
// posted on A reaches SSE readers on B within a second and B's cached pages change; notifications cross too.
// Runs when TRIBUNE_TEST_PG names a PostgreSQL server (scripts/test.sh starts one).
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <thread>
#include <vector>

#include "model/error.h"
#include "support/images.h"
#include "test_support.h"

using namespace tribune;
using namespace tribune::testing;
namespace json = boost::json;

namespace {

class TwoNodes : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!pg_test_server()) GTEST_SKIP() << "TRIBUNE_TEST_PG is not set";
    url_ = pg_test_database(key_.path());
    auto tweak = [this](Config& c) {
      c.store.url = url_;
      c.account_limits.register_per_ip = {1000, std::chrono::hours(1)};
      c.comment_limits.per_account = {3, std::chrono::minutes(1)};
    };
    a_ = std::make_unique<TestServer>(true, std::string(), tweak);
    b_ = std::make_unique<TestServer>(false, std::string(), tweak);
    auto v = json::parse(get(a_->port(), "/api/v1/articles?limit=1").body);
    slug_ = std::string(v.at("articles").at(0).at("slug").as_string());
  }
  void TearDown() override {
    a_.reset();
    b_.reset();
    if (pg_test_server()) drop_pg_test_database(key_.path());
  }
  HttpResult post(Reader& r, const std::string& body, std::optional<int64_t> parent = {}) {
    json::object o{{"body", body}};
    if (parent) o["parent_id"] = *parent;
    return r.call("POST", "/api/v1/articles/" + slug_ + "/comments", json::serialize(o));
  }

  TempDir key_;  // names this test's database
  std::string url_, slug_;
  std::unique_ptr<TestServer> a_, b_;
};

}  // namespace

TEST_F(TwoNodes, SessionsCommentsCachesAndNotificationsCrossNodes) {
  // Signed in on A, signed in on B: the session lives in the shared store.
  auto ana = register_reader(a_->port(), "ana.nodes@example.org", "Ana Nodes");
  Reader ana_on_b{b_->port(), ana.cookie, ana.csrf, ana.id};
  auto me = ana_on_b.call("GET", "/api/v1/me");
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(json::parse(me.body).at("account").at("id").as_int64(), ana.id);

  // B has the article's comments cached; then a comment is posted on A.
  std::string listing = "/api/v1/articles/" + slug_ + "/comments?sort=newest";
  auto before = get(b_->port(), listing);
  ASSERT_EQ(before.status, 200);
  EventReader live_on_b(b_->port(), "/api/v1/articles/" + slug_ + "/events");
  ASSERT_TRUE(live_on_b.wait_for(":", std::chrono::seconds(5))) << "the stream opened";
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // subscribed
  auto t0 = std::chrono::steady_clock::now();
  auto posted = post(ana, "Posted on node A.");
  ASSERT_EQ(posted.status, 201) << posted.body;
  ASSERT_TRUE(live_on_b.wait_for("Posted on node A.", std::chrono::seconds(1))) << "reached B's readers within 1 s";
  auto latency = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  RecordProperty("cross_node_ms", std::to_string(latency.count()));
  auto after = get(b_->port(), listing);
  EXPECT_NE(after.body.find("Posted on node A."), std::string::npos) << "B's cached listing was dropped";

  // A reply on B notifies Ana, whose notification stream is open on A.
  auto bo = register_reader(b_->port(), "bo.nodes@example.org", "Bo Nodes");
  EventReader ana_events(a_->port(), "/api/v1/me/events", {{"Cookie", ana.cookie}});
  ASSERT_TRUE(ana_events.wait_for(":", std::chrono::seconds(5)));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  int64_t parent = json::parse(posted.body).at("comment").at("id").as_int64();
  ASSERT_EQ(post(bo, "Bo replies from node B.", parent).status, 201);
  EXPECT_TRUE(ana_events.wait_for("event: notification", std::chrono::seconds(1)));

  // A moderator's decision on A takes the comment off B's live pages and cached listing.
  auto mod = staff_session(*a_, "mod.nodes@example.org", "Mod Nodes", "moderator");
  ASSERT_EQ(
      mod.call("POST", "/api/v1/moderation/comments/" + std::to_string(parent) + "/decision", R"({"decision":"hide"})")
          .status,
      200);
  EXPECT_TRUE(live_on_b.wait_for("comment.removed", std::chrono::seconds(1)));
  // It has a reply, so B's readers keep its place as a tombstone ("removed by a moderator"), the reply under it.
  EXPECT_TRUE(live_on_b.wait_for("\"status\":\"removed\"", std::chrono::seconds(1))) << live_on_b.text();
  auto listed = get(b_->port(), listing);
  EXPECT_EQ(listed.body.find("Posted on node A."), std::string::npos);
  auto top = json::parse(listed.body).at("comments").as_array();
  bool tombstone = false;
  for (auto& c : top)
    if (c.at("id").as_int64() == parent) tombstone = c.at("status") == "removed" && c.at("author").is_null();
  EXPECT_TRUE(tombstone) << listed.body;
  auto page = get(b_->port(), "/comments/" + std::to_string(parent));
  EXPECT_NE(page.body.find("This comment was removed by a moderator."), std::string::npos);
  EXPECT_NE(page.body.find("Bo replies from node B."), std::string::npos);
}

TEST_F(TwoNodes, AMessageTooLargeForNotifyIsRefusedAndTheChannelStillWorks) {
  std::string big(Store::kMaxMessageBytes + 1, 'x');
  try {
    a_->app().store().publish(big);
    FAIL() << "an oversized message was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "message_too_large");
  }
  auto ana = register_reader(a_->port(), "ana.big@example.org", "Ana Big");
  EventReader live_on_b(b_->port(), "/api/v1/articles/" + slug_ + "/events");
  ASSERT_TRUE(live_on_b.wait_for(":", std::chrono::seconds(5)));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ASSERT_EQ(post(ana, "Still crossing after the refusal.").status, 201);
  EXPECT_TRUE(live_on_b.wait_for("Still crossing after the refusal.", std::chrono::seconds(1)));
}

TEST_F(TwoNodes, RateLimitsHoldAcrossNodes) {
  // Three comments a minute per reader, wherever they are posted: two on A and one on B use them up.
  auto cy = register_reader(a_->port(), "cy.nodes@example.org", "Cy Nodes");
  Reader cy_on_b{b_->port(), cy.cookie, cy.csrf, cy.id};
  auto one = post(cy, "One on A.");
  ASSERT_EQ(one.status, 201);
  // Read-your-writes across nodes: the write answers with its position (docs/postgresql.md).
  EXPECT_TRUE(std::any_of(one.set_cookies.begin(), one.set_cookies.end(), [](const std::string& c) {
    return c.starts_with("tribune_pos=") && c.find("HttpOnly") != std::string::npos;
  })) << "no tribune_pos cookie";
  ASSERT_EQ(post(cy, "Two on A.").status, 201);
  ASSERT_EQ(post(cy_on_b, "Three on B.").status, 201);
  auto fourth = post(cy_on_b, "Four on B.");
  EXPECT_EQ(fourth.status, 429);
  EXPECT_FALSE(fourth.header("retry-after").empty());
  EXPECT_EQ(post(cy, "Five on A.").status, 429);
}

// A comment counts toward the posting limit only if it is kept: one the rules refuse gives its count back
// (it was counted along with the rules' read, in one round trip), on whichever node; racing posts on both
// nodes still get exactly the slots that are left.
TEST_F(TwoNodes, RefusedCommentsGiveTheirCountBackAndRacingPostsGetExactlyWhatIsLeft) {
  auto dee = register_reader(a_->port(), "dee.nodes@example.org", "Dee Nodes");
  Reader dee_on_b{b_->port(), dee.cookie, dee.csrf, dee.id};
  ASSERT_EQ(post(dee, "The same words.").status, 201);
  ASSERT_EQ(post(dee_on_b, "The same words.").status, 201);
  for (int i = 0; i < 3; ++i) {  // a third time within the hour: refused, on either node
    auto refused = post(i % 2 ? dee_on_b : dee, "The same words.");
    EXPECT_EQ(refused.status, 422) << refused.body;
    EXPECT_EQ(error_code(refused), "rejected");
  }
  // One slot of three is left (and four of nine attempts): four posts at once, two on each node.
  std::vector<int> statuses(4);
  {
    std::vector<std::jthread> racers;
    for (int i = 0; i < 4; ++i)
      racers.emplace_back([&, i] {
        Reader r = i % 2 ? dee_on_b : dee;
        statuses[static_cast<size_t>(i)] = post(r, "Racing post " + std::to_string(i) + ".").status;
      });
  }
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 201), 1);
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 429), 3);
}

// What editors do on one node reaches readers on the other: an unpublished piece 404s there (its cached page
// dropped), a deleted one answers 410, a saved page shows, a revoked token is refused.
TEST_F(TwoNodes, EditorsActsOnOneNodeReachTheOther) {
  auto token = a_->app().tokens().create("desk", "admin").token;
  auto on_a = [&](const std::string& verb, const std::string& path, const std::string& body = {}) {
    std::map<std::string, std::string> h{{"Authorization", "Bearer " + token}};
    if (!body.empty()) h["Content-Type"] = "application/json";
    return request(a_->port(), {verb, path, body, h});
  };
  auto url = std::string(json::parse(get(b_->port(), "/api/v1/articles/" + slug_).body).at("url").as_string());
  ASSERT_EQ(get(b_->port(), url).status, 200);  // B caches the page and the JSON
  ASSERT_EQ(get(b_->port(), "/api/v1/articles/" + slug_).status, 200);
  auto eventually = [&](const std::string& path, int status) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < deadline) {
      if (get(b_->port(), path).status == status) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  };

  ASSERT_EQ(on_a("POST", "/api/v1/articles/" + slug_ + "/unpublish").status, 200);
  EXPECT_TRUE(eventually(url, 404)) << "B still serves the unpublished page";
  EXPECT_TRUE(eventually("/api/v1/articles/" + slug_, 404));
  EXPECT_EQ(get(b_->port(), "/").body.find(url), std::string::npos);
  ASSERT_EQ(on_a("DELETE", "/api/v1/articles/" + slug_).status, 204);
  EXPECT_TRUE(eventually(url, 410));

  // A section moved on A: B's cached section page gives way to the redirect.
  std::string section = url.substr(1, url.find('/', 1) - 1);
  ASSERT_EQ(get(b_->port(), "/" + section).status, 200);
  ASSERT_EQ(on_a("PUT", "/api/v1/sections/" + section, R"({"slug":"moved-on-a"})").status, 200);
  EXPECT_TRUE(eventually("/" + section, 301)) << "B still serves the section at its old address";
  EXPECT_EQ(get(b_->port(), "/moved-on-a").status, 200);

  ASSERT_EQ(on_a("PUT", "/api/v1/pages/about", R"({"title":"About the two nodes","body":"Saved on A."})").status, 200);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (get(b_->port(), "/about").body.find("Saved on A.") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_NE(get(b_->port(), "/about").body.find("Saved on A."), std::string::npos);

  auto doomed = a_->app().tokens().create("doomed", "editor");
  auto with = [&](uint16_t port) {
    return request(port, {"GET", "/api/v1/desk/articles", {}, {{"Authorization", "Bearer " + doomed.token}}}).status;
  };
  EXPECT_EQ(with(b_->port()), 200);
  ASSERT_EQ(on_a("DELETE", "/api/v1/tokens/" + std::to_string(doomed.record.id)).status, 204);
  EXPECT_EQ(with(b_->port()), 401) << "refused on B from its next request";
}

TEST_F(TwoNodes, AnImageUploadedOnOneNodeIsServedByTheOtherAndLeadsItsArticleThere) {
  auto token = a_->app().tokens().create("picture desk", "editor").token;
  auto photo = save(gradient(900, 600), "jpegsave_buffer");
  auto up = request(a_->port(), {"POST",
                                 "/api/v1/images?alt=A%20harbour",
                                 photo,
                                 {{"Authorization", "Bearer " + token}, {"Content-Type", "image/jpeg"}}});
  ASSERT_EQ(up.status, 201) << up.body;
  auto image = json::parse(up.body);
  std::string id(image.at("image").at("id").as_string());
  for (const auto& r : image.at("image").at("renditions").as_array()) {
    auto on_b = get(b_->port(), std::string(r.at("url").as_string()));
    EXPECT_EQ(on_b.status, 200) << r.at("url").as_string();
    EXPECT_EQ(static_cast<int64_t>(on_b.body.size()), r.at("bytes").as_int64());
  }
  auto made = request(
      a_->port(),
      {"POST",
       "/api/v1/articles",
       R"({"title":"Harbours at night","section":"Opinion","authors":["Bo Li"],"body":"Quiet.","image":")" + id + "\"}",
       {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}}});
  ASSERT_EQ(made.status, 201) << made.body;
  auto url = std::string(json::parse(made.body).at("url").as_string());
  EXPECT_NE(get(b_->port(), url).body.find("<figure class=\"article__lead-image\"><picture>"), std::string::npos);
}

TEST_F(TwoNodes, PageViewsOnBothNodesAddUpAcrossFlushesAndARestart) {
  auto url = std::string(json::parse(get(a_->port(), "/api/v1/articles/" + slug_).body).at("url").as_string());
  auto view = [&](uint16_t port, int n) {
    for (int i = 0; i < n; ++i)
      ASSERT_EQ(request(port, {"GET", url, {}, {{"User-Agent", "Mozilla/5.0 Firefox/120.0"}}}).status, 200);
  };
  view(a_->port(), 30);
  view(b_->port(), 20);
  a_->app().flush_views();
  b_->app().flush_views();
  view(b_->port(), 5);
  b_.reset();  // stopped in order: its last views are flushed on the way out
  b_ = std::make_unique<TestServer>(false, std::string(), [this](Config& c) { c.store.url = url_; });
  view(b_->port(), 10);
  view(a_->port(), 1);
  b_.reset();
  a_->app().flush_views();
  a_->app().flush_views();  // nothing twice

  auto editor = staff_session(*a_, "editor.views@example.org", "Editor Views", "editor");
  auto d = json::parse(editor.call("GET", "/api/v1/desk/dashboard?period=7d").body);
  EXPECT_EQ(d.at("totals").at("views").as_int64(), 66) << d;
  EXPECT_EQ(d.at("stories").at(0).at("slug").as_string(), slug_);
  EXPECT_EQ(d.at("stories").at(0).at("views").as_int64(), 66);
  // One browser on one address, seen by three node processes, each with its own day's secret: counted once per
  // process (docs/dashboard.md says so), never once per view.
  EXPECT_GE(d.at("totals").at("visitors").as_int64(), 1);
  EXPECT_LE(d.at("totals").at("visitors").as_int64(), 3);
}

// A reader remembered on B (web/reader_slots.h): a reply written on A counts on B's next page at once (the
// notification crosses); so does a sign-out on A (the store announces it: NodeBus::on_account_changed), well
// within the slots' lifetime (5 s), which only bounds what a node cannot hear.
TEST_F(TwoNodes, ARememberedReaderOnOneNodeSeesWhatTheOtherChanged) {
  auto ana = register_reader(a_->port(), "ana.slots@example.org", "Ana Slots");
  auto bo = register_reader(a_->port(), "bo.slots@example.org", "Bo Slots");
  auto url = std::string(json::parse(get(a_->port(), "/api/v1/articles/" + slug_).body).at("url").as_string());
  auto page_on_b = [&](const std::string& cookie) {
    return request(b_->port(), {"GET", url, {}, {{"Cookie", cookie}}}).body;
  };
  const std::string badge = "id=\"notification-count\">1</span>";
  const std::string named = "href=\"/account\">Ana Slots</a>";
  auto hers = post(ana, "Ana on A.");
  ASSERT_EQ(hers.status, 201) << hers.body;
  page_on_b(ana.cookie);
  auto remembered = page_on_b(ana.cookie);
  ASSERT_NE(remembered.find(named), std::string::npos);
  EXPECT_EQ(remembered.find(badge), std::string::npos);

  ASSERT_EQ(post(bo, "Bo answers on A.", json::parse(hers.body).at("comment").at("id").as_int64()).status, 201);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (page_on_b(ana.cookie).find(badge) == std::string::npos && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_NE(page_on_b(ana.cookie).find(badge), std::string::npos) << "B counted the reply within 1 s";

  std::string cookie = ana.cookie;
  ASSERT_NE(page_on_b(cookie).find(named), std::string::npos);
  auto signed_out = std::chrono::steady_clock::now();
  ASSERT_EQ(ana.call("DELETE", "/api/v1/sessions/current").status, 204);
  deadline = signed_out + std::chrono::seconds(1);
  while (page_on_b(cookie).find(named) != std::string::npos && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(page_on_b(cookie).find(named), std::string::npos) << "B went on naming her after she signed out on A";
  RecordProperty("signed_out_shown_on_b_ms", std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                                std::chrono::steady_clock::now() - signed_out)
                                                                .count()));
}

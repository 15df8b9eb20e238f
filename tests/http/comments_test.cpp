// The commenting forum over HTTP: posting, replies, listing with cursors, the page, bad input.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <set>
#include <thread>

#include "test_support.h"

using namespace tribune;
using namespace tribune::testing;
namespace json = boost::json;

namespace {

class CommentsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new TestServer(true, {}, [](Config& c) {
      c.account_limits.register_per_ip = {100000, std::chrono::hours(1)};
      c.comment_limits.per_account = {100000, std::chrono::minutes(1)};
    });
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  uint16_t port() { return server_->port(); }

  Reader signed_in(const std::string& name) {
    Reader r{port(), {}, {}};
    json::object o{{"email", "commenter" + std::to_string(++counter_) + "@example.org"},
                   {"display_name", name},
                   {"password", "a reader's long password"}};
    auto res = r.call("POST", "/api/v1/accounts", json::serialize(o));
    EXPECT_EQ(res.status, 201) << res.body;
    r.csrf = std::string(json::parse(res.body).at("csrf_token").as_string());
    return r;
  }
  // The newest demo article open for comments (tests add closed ones).
  json::object open_article() {
    auto r = get(port(), "/api/v1/articles?limit=50");
    auto v = json::parse(r.body);
    for (auto& a : v.at("articles").as_array())
      if (a.at("comments_open").as_bool() && a.at("slug").as_string() != "paging-test") return a.as_object();
    ADD_FAILURE() << "no open article";
    return {};
  }
  std::string slug() { return std::string(open_article().at("slug").as_string()); }
  HttpResult post(Reader& r, const std::string& article, const std::string& body, std::optional<int64_t> parent = {}) {
    json::object o{{"body", body}};
    if (parent) o["parent_id"] = *parent;
    return r.call("POST", "/api/v1/articles/" + article + "/comments", json::serialize(o));
  }

  static TestServer* server_;
  static inline int counter_ = 0;
};

TestServer* CommentsTest::server_ = nullptr;

}  // namespace

TEST_F(CommentsTest, PostedCommentAppearsInTheApiAndOnThePage) {
  auto ann = signed_in("Ann Commenter");
  auto res = post(ann, slug(), "I *disagree*, and here is [why](https://example.org/why).");
  ASSERT_EQ(res.status, 201) << res.body;
  auto c = json::parse(res.body).at("comment").as_object();
  EXPECT_EQ(c.at("status").as_string(), "published");
  EXPECT_EQ(c.at("author").at("display_name").as_string(), "Ann Commenter");
  EXPECT_NE(c.at("body_html").as_string().find("<em>disagree</em>"), std::string::npos);
  EXPECT_NE(c.at("body_html").as_string().find("rel=\"nofollow ugc noopener\""), std::string::npos);
  auto list = get(port(), "/api/v1/articles/" + slug() + "/comments?sort=newest&limit=10");
  ASSERT_EQ(list.status, 200);
  auto v = json::parse(list.body);
  EXPECT_EQ(v.at("comments").at(0).at("id"), c.at("id"));
  EXPECT_GE(v.at("total").as_int64(), 1);
  EXPECT_TRUE(v.as_object().contains("next_cursor"));
  auto page = get(port(), std::string(open_article().at("url").as_string()));
  EXPECT_NE(page.body.find("id=\"comment-" + std::to_string(c.at("id").as_int64()) + "\""), std::string::npos)
      << "the cached page was refreshed by the new comment";
  EXPECT_EQ(open_article().at("comment_count").as_int64(), v.at("total").as_int64());
}

TEST_F(CommentsTest, RepliesNestUnderTheirParent) {
  auto a = signed_in("Parent Poster");
  auto b = signed_in("Reply Poster");
  auto parent = json::parse(post(a, slug(), "Top-level point.").body).at("comment").at("id").as_int64();
  auto reply = post(b, slug(), "A reply.", parent);
  ASSERT_EQ(reply.status, 201);
  auto reply_id = json::parse(reply.body).at("comment").at("id").as_int64();
  EXPECT_EQ(json::parse(reply.body).at("comment").at("parent_id").as_int64(), parent);
  auto deeper = post(a, slug(), "A reply to the reply.", reply_id);
  ASSERT_EQ(deeper.status, 201);
  auto replies =
      json::parse(get(port(), "/api/v1/articles/" + slug() + "/comments?parent_id=" + std::to_string(parent)).body);
  ASSERT_EQ(replies.at("comments").as_array().size(), 1u);
  auto top = json::parse(get(port(), "/api/v1/articles/" + slug() + "/comments?limit=100").body);
  for (auto& c : top.at("comments").as_array()) {
    EXPECT_TRUE(c.at("parent_id").is_null()) << "top-level listing holds top-level comments only";
    if (c.at("id").as_int64() == parent) {
      EXPECT_EQ(c.at("reply_count").as_int64(), 1);
    }
  }
  auto page = get(port(), std::string(open_article().at("url").as_string()));
  auto parent_at = page.body.find("id=\"comment-" + std::to_string(parent) + "\"");
  auto reply_at = page.body.find("id=\"comment-" + std::to_string(reply_id) + "\"");
  ASSERT_NE(parent_at, std::string::npos);
  ASSERT_NE(reply_at, std::string::npos);
  EXPECT_LT(parent_at, reply_at);
  EXPECT_NE(page.body.find("comments--replies", parent_at), std::string::npos);
}

TEST_F(CommentsTest, ListingsPageWithCursorsInEveryOrder) {
  auto r = signed_in("Many Comments");
  // A fresh article so that the counts are exact.
  auto token = server_->app().tokens().create("t", "editor").token;
  auto created = request(
      port(),
      {"POST",
       "/api/v1/articles",
       R"({"title":"Paging test","slug":"paging-test","authors":["A"],"section":"Opinion","body":"b","comments":"open"})",
       {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token}}});
  ASSERT_EQ(created.status, 201);
  for (int i = 0; i < 7; ++i) ASSERT_EQ(post(r, "paging-test", "comment " + std::to_string(i)).status, 201);
  for (std::string sort : {"newest", "oldest", "top"}) {
    std::set<int64_t> seen;
    std::string target = "/api/v1/articles/paging-test/comments?limit=3&sort=" + sort;
    std::vector<int64_t> order;
    for (int pages = 0; pages < 10; ++pages) {
      auto v = json::parse(get(port(), target).body);
      for (auto& c : v.at("comments").as_array()) {
        seen.insert(c.at("id").as_int64());
        order.push_back(c.at("id").as_int64());
      }
      if (v.at("next_cursor").is_null()) break;
      target = "/api/v1/articles/paging-test/comments?limit=3&sort=" + sort +
               "&cursor=" + std::string(v.at("next_cursor").as_string());
    }
    EXPECT_EQ(seen.size(), 7u) << sort;
    if (sort == "newest") {
      EXPECT_TRUE(std::is_sorted(order.rbegin(), order.rend()));
    }
    if (sort == "oldest") {
      EXPECT_TRUE(std::is_sorted(order.begin(), order.end()));
    }
  }
}

TEST_F(CommentsTest, PostingNeedsASessionAndCsrf) {
  Reader anonymous{port(), {}, {}};
  auto res = post(anonymous, slug(), "hello");
  EXPECT_EQ(res.status, 401);
  auto r = signed_in("No Token");
  r.csrf.clear();
  res = post(r, slug(), "hello");
  EXPECT_EQ(res.status, 403);
  EXPECT_EQ(error_code(res), "csrf_failed");
}

TEST_F(CommentsTest, BadCommentsGetClearErrorsAndWriteNothing) {
  auto r = signed_in("Bad Input");
  auto before = json::parse(get(port(), "/api/v1/articles/" + slug()).body).at("comment_count").as_int64();
  struct Case {
    std::string body;
    int status;
    std::string code;
  };
  std::vector<Case> cases = {{"   ", 422, "empty_comment"},
                             {std::string(20001, 'x'), 422, "too_long"},
                             {std::string("nul\0byte", 8), 422, "control_characters"}};
  for (const auto& c : cases) {
    auto res = post(r, slug(), c.body);
    EXPECT_EQ(res.status, c.status) << c.code;
    EXPECT_EQ(error_code(res), c.code);
  }
  auto bad_utf8 = r.call("POST", "/api/v1/articles/" + slug() + "/comments", "{\"body\":\"\xff\"}");
  EXPECT_EQ(bad_utf8.status, 400);
  EXPECT_EQ(error_code(bad_utf8), "invalid_utf8");
  auto missing_parent = post(r, slug(), "reply to nothing", 999999);
  EXPECT_EQ(missing_parent.status, 422);
  EXPECT_EQ(error_code(missing_parent), "invalid_parent");
  // A reply to a comment of another article is refused.
  std::string other;
  auto listed = json::parse(get(port(), "/api/v1/articles?limit=50").body);
  for (auto& a : listed.at("articles").as_array())
    if (a.at("comments_open").as_bool() && a.at("slug").as_string() != slug())
      other = std::string(a.at("slug").as_string());
  ASSERT_FALSE(other.empty());
  auto elsewhere = json::parse(post(r, other, "on the other article").body).at("comment").at("id").as_int64();
  auto cross = post(r, slug(), "cross-article reply", elsewhere);
  EXPECT_EQ(cross.status, 422);
  EXPECT_EQ(error_code(cross), "invalid_parent");
  auto wrong_type = r.call("POST", "/api/v1/articles/" + slug() + "/comments", R"({"body":"x","parent_id":"7"})");
  EXPECT_EQ(wrong_type.status, 400);
  auto missing = post(r, "no-such-article", "hello");
  EXPECT_EQ(missing.status, 404);
  auto after = json::parse(get(port(), "/api/v1/articles/" + slug()).body).at("comment_count").as_int64();
  EXPECT_EQ(after, before);
  EXPECT_EQ(get(port(), "/api/v1/articles/" + slug() + "/comments?sort=best").status, 400);
  EXPECT_EQ(get(port(), "/api/v1/articles/" + slug() + "/comments?limit=5000").status, 400);
}

TEST_F(CommentsTest, ClosedArticlesRefuseComments) {
  auto token = server_->app().tokens().create("t", "editor").token;
  auto created = request(
      port(),
      {"POST",
       "/api/v1/articles",
       R"({"title":"Closed piece","slug":"closed-piece","authors":["A"],"section":"Opinion","body":"b","comments":"closed"})",
       {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token}}});
  ASSERT_EQ(created.status, 201);
  auto r = signed_in("Too Late");
  auto res = post(r, "closed-piece", "hello");
  EXPECT_EQ(res.status, 403);
  EXPECT_EQ(error_code(res), "comments_closed");
  auto page = get(port(), std::string(json::parse(created.body).at("url").as_string()));
  EXPECT_NE(page.body.find("Comments are closed on this article."), std::string::npos);
  EXPECT_EQ(page.body.find("register-form"), std::string::npos);
}

TEST_F(CommentsTest, ScriptInCommentsNeverReachesThePage) {
  auto r = signed_in("Mallory");
  std::vector<std::string> payloads = {"<script>alert(1)</script>",    "<img src=x onerror=alert(1)>",
                                       "[click](javascript:alert(1))", "<a href=\"javascript:alert(1)\">x</a>",
                                       "<svg onload=alert(1)>",        "[x](vbscript:msgbox(1))",
                                       "\"><script>alert(1)</script>"};
  for (const auto& p : payloads) ASSERT_EQ(post(r, slug(), p).status, 201) << p;
  auto page = get(port(), std::string(open_article().at("url").as_string()));
  auto comments_start = page.body.find("id=\"comment-list\"");
  ASSERT_NE(comments_start, std::string::npos);
  auto comments = page.body.substr(comments_start);
  EXPECT_EQ(comments.find("<script"), std::string::npos);
  EXPECT_EQ(comments.find("<img"), std::string::npos);
  EXPECT_EQ(comments.find("<svg"), std::string::npos);
  EXPECT_EQ(comments.find("onerror"), std::string::npos);
  EXPECT_EQ(comments.find("javascript:"), std::string::npos);
  EXPECT_EQ(comments.find("vbscript:"), std::string::npos);
}

TEST_F(CommentsTest, FormPostingWithoutJavaScript) {
  auto r = signed_in("Form Commenter");
  auto article = open_article();
  std::string form = "csrf_token=" + r.csrf + "&article=" + std::string(article.at("slug").as_string()) +
                     "&parent_id=&body=Posted+from+a+plain+form";
  auto res = request(
      port(),
      {"POST", "/comment", form, {{"Content-Type", "application/x-www-form-urlencoded"}, {"Cookie", r.cookie}}});
  ASSERT_EQ(res.status, 303) << res.body;
  EXPECT_TRUE(res.header("location").starts_with(std::string(article.at("url").as_string()) + "#comment-"));
  auto page = get(port(), std::string(article.at("url").as_string()));
  EXPECT_NE(page.body.find("Posted from a plain form"), std::string::npos);
  auto no_token = request(port(), {"POST",
                                   "/comment",
                                   "article=x&body=y",
                                   {{"Content-Type", "application/x-www-form-urlencoded"}, {"Cookie", r.cookie}}});
  EXPECT_EQ(no_token.status, 403);
}

TEST_F(CommentsTest, ConcurrentPostersAreAllCounted) {
  std::vector<Reader> readers;
  for (int i = 0; i < 8; ++i) readers.push_back(signed_in("Concurrent " + std::to_string(i)));
  auto s = slug();
  auto before = json::parse(get(port(), "/api/v1/articles/" + s).body).at("comment_count").as_int64();
  std::vector<std::thread> threads;
  std::atomic<int> created{0};
  for (auto& r : readers)
    threads.emplace_back([&, rp = &r] {
      for (int i = 0; i < 10; ++i)
        if (post(*rp, s, "concurrent comment " + std::to_string(i)).status == 201) created++;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(created.load(), 80);
  auto after = json::parse(get(port(), "/api/v1/articles/" + s).body).at("comment_count").as_int64();
  EXPECT_EQ(after - before, 80);
}

TEST_F(CommentsTest, RecommendEditDeleteAndReport) {
  auto author = signed_in("Author");
  auto fan = signed_in("Fan");
  auto s = slug();
  auto id = json::parse(post(author, s, "Original text.").body).at("comment").at("id").as_int64();
  std::string base = "/api/v1/comments/" + std::to_string(id);
  // Recommend: one per reader, idempotent, not your own.
  auto rec = fan.call("PUT", base + "/reactions/recommend");
  ASSERT_EQ(rec.status, 200) << rec.body;
  EXPECT_EQ(json::parse(rec.body).at("reactions").at("recommend").as_int64(), 1);
  EXPECT_EQ(json::parse(fan.call("PUT", base + "/reactions/recommend").body).at("reactions").at("recommend").as_int64(),
            1);
  EXPECT_EQ(author.call("PUT", base + "/reactions/recommend").status, 403);
  EXPECT_EQ(fan.call("PUT", base + "/reactions/like").status, 422);
  EXPECT_EQ(fan.call("PUT", "/api/v1/comments/999999/reactions/recommend").status, 404);
  auto mine = fan.call("GET", "/api/v1/articles/" + s + "/comments/mine?ids=" + std::to_string(id));
  EXPECT_EQ(json::parse(mine.body).at("reactions").at(std::to_string(id)).at(0).as_string(), "recommend");
  auto top = json::parse(get(port(), "/api/v1/articles/" + s + "/comments?sort=top&limit=1").body);
  EXPECT_EQ(top.at("comments").at(0).at("id").as_int64(), id) << "the recommended comment leads the top sort";
  EXPECT_EQ(
      json::parse(fan.call("DELETE", base + "/reactions/recommend").body).at("reactions").at("recommend").as_int64(),
      0);
  // Edit: the author only.
  EXPECT_EQ(fan.call("PATCH", base, R"({"body":"Hijacked."})").status, 403);
  auto edited = author.call("PATCH", base, R"({"body":"Edited *text*."})");
  ASSERT_EQ(edited.status, 200) << edited.body;
  EXPECT_FALSE(json::parse(edited.body).at("comment").at("edited_at").is_null());
  auto page = get(port(), std::string(open_article().at("url").as_string()));
  EXPECT_NE(page.body.find("Edited <em>text</em>."), std::string::npos);
  EXPECT_NE(page.body.find("comment__edited"), std::string::npos);
  EXPECT_EQ(author.call("PATCH", base, R"({"body":"  "})").status, 422);
  // Report: a reason from the list.
  EXPECT_EQ(fan.call("POST", base + "/reports", R"({"reason":"spam","note":"Looks like an ad."})").status, 201);
  EXPECT_EQ(fan.call("POST", base + "/reports", R"({"reason":"because"})").status, 422);
  // Delete: not someone else's; the author's removes it from the page and the count.
  auto before = json::parse(get(port(), "/api/v1/articles/" + s).body).at("comment_count").as_int64();
  EXPECT_EQ(fan.call("DELETE", base).status, 403);
  EXPECT_EQ(author.call("DELETE", base).status, 204);
  EXPECT_EQ(author.call("DELETE", base).status, 404);
  auto after = json::parse(get(port(), "/api/v1/articles/" + s).body).at("comment_count").as_int64();
  EXPECT_EQ(after, before - 1);
  page = get(port(), std::string(open_article().at("url").as_string()));
  EXPECT_EQ(page.body.find("id=\"comment-" + std::to_string(id) + "\""), std::string::npos);
}

TEST(CommentsEditWindow, EditsCloseAfterTheWindow) {
  TestServer server(true, {}, [](Config& c) { c.comment_limits.edit_window = std::chrono::seconds(1); });
  auto r = [&] {
    Reader reader{server.port(), {}, {}};
    auto res =
        reader.call("POST", "/api/v1/accounts",
                    R"({"email":"late@example.org","display_name":"Late","password":"a late editor's password"})");
    reader.csrf = std::string(json::parse(res.body).at("csrf_token").as_string());
    return reader;
  }();
  auto slug = std::string(
      json::parse(get(server.port(), "/api/v1/articles?limit=1").body).at("articles").at(0).at("slug").as_string());
  auto id = json::parse(r.call("POST", "/api/v1/articles/" + slug + "/comments", R"({"body":"first"})").body)
                .at("comment")
                .at("id")
                .as_int64();
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  auto res = r.call("PATCH", "/api/v1/comments/" + std::to_string(id), R"({"body":"too late"})");
  EXPECT_EQ(res.status, 403);
  EXPECT_EQ(error_code(res), "edit_window_closed");
}

TEST_F(CommentsTest, FollowingFeedAndNotifications) {
  auto ann = signed_in("Followed Ann");
  auto bob = signed_in("Follower Bob");
  auto ann_id = json::parse(ann.call("GET", "/api/v1/me").body).at("account").at("id").as_int64();
  auto bob_id = json::parse(bob.call("GET", "/api/v1/me").body).at("account").at("id").as_int64();
  std::string follow = "/api/v1/readers/" + std::to_string(ann_id) + "/follow";
  EXPECT_EQ(bob.call("PUT", "/api/v1/readers/" + std::to_string(bob_id) + "/follow").status, 422) << "not yourself";
  EXPECT_EQ(bob.call("PUT", "/api/v1/readers/999999/follow").status, 404);
  auto f = bob.call("PUT", follow);
  ASSERT_EQ(f.status, 200) << f.body;
  EXPECT_TRUE(json::parse(f.body).at("following").as_bool());
  EXPECT_EQ(json::parse(bob.call("PUT", follow).body).at("followers").as_int64(), 1) << "double follow is one follow";
  // Ann comments: Bob is notified and sees it in his feed.
  auto s = slug();
  auto ann_comment = json::parse(post(ann, s, "Ann's considered view.").body).at("comment").at("id").as_int64();
  auto feed = json::parse(bob.call("GET", "/api/v1/me/feed").body);
  ASSERT_FALSE(feed.at("comments").as_array().empty());
  EXPECT_EQ(feed.at("comments").at(0).at("id").as_int64(), ann_comment);
  auto notes = json::parse(bob.call("GET", "/api/v1/me/notifications").body);
  EXPECT_EQ(notes.at("unread").as_int64(), 1);
  EXPECT_EQ(notes.at("notifications").at(0).at("kind").as_string(), "followed_comment");
  // Bob replies: Ann is notified of the reply.
  auto reply = json::parse(post(bob, s, "I agree, Ann.", ann_comment).body).at("comment").at("id").as_int64();
  auto ann_notes = json::parse(ann.call("GET", "/api/v1/me/notifications").body);
  ASSERT_EQ(ann_notes.at("notifications").as_array().size(), 1u);
  EXPECT_EQ(ann_notes.at("notifications").at(0).at("kind").as_string(), "reply");
  EXPECT_EQ(ann_notes.at("notifications").at(0).at("comment").at("id").as_int64(), reply);
  auto up_to = ann_notes.at("notifications").at(0).at("id").as_int64();
  EXPECT_EQ(ann.call("POST", "/api/v1/me/notifications/read", "{\"up_to\":" + std::to_string(up_to) + "}").status, 204);
  EXPECT_EQ(json::parse(ann.call("GET", "/api/v1/me/notifications").body).at("unread").as_int64(), 0);
  // Profiles are public.
  auto profile = json::parse(get(port(), "/api/v1/readers/" + std::to_string(ann_id)).body);
  EXPECT_EQ(profile.at("reader").at("display_name").as_string(), "Followed Ann");
  EXPECT_EQ(profile.at("reader").at("followers").as_int64(), 1);
  EXPECT_EQ(profile.at("comments").at(0).at("id").as_int64(), ann_comment);
  // Unfollow: no more notifications.
  EXPECT_FALSE(json::parse(bob.call("DELETE", follow).body).at("following").as_bool());
  post(ann, s, "Another thought.");
  EXPECT_EQ(json::parse(bob.call("GET", "/api/v1/me/notifications").body).at("unread").as_int64(), 1);
  EXPECT_EQ(get(port(), "/api/v1/me/feed").status, 401);
}

TEST_F(CommentsTest, ModeratorsWorkTheQueueAndBan) {
  auto troll = signed_in("Troll");
  auto reporter = signed_in("Reporter");
  server_->app().accounts().create_account("mod@example.org", "Mo Derator", "a moderator's long password", "moderator");
  Reader mod{port(), {}, {}};
  auto signin =
      mod.call("POST", "/api/v1/sessions", R"({"email":"mod@example.org","password":"a moderator's long password"})");
  ASSERT_EQ(signin.status, 200);
  mod.csrf = std::string(json::parse(signin.body).at("csrf_token").as_string());
  auto s = slug();
  auto bad = json::parse(post(troll, s, "Something abusive.").body).at("comment").at("id").as_int64();
  ASSERT_EQ(
      reporter.call("POST", "/api/v1/comments/" + std::to_string(bad) + "/reports", R"({"reason":"abuse"})").status,
      201);
  EXPECT_EQ(reporter.call("GET", "/api/v1/moderation/queue").status, 403) << "readers do not see the queue";
  auto queue = json::parse(mod.call("GET", "/api/v1/moderation/queue").body);
  bool queued = false;
  for (auto& item : queue.at("items").as_array())
    if (item.at("comment").at("id").as_int64() == bad) {
      queued = true;
      EXPECT_EQ(item.at("open_reports").as_int64(), 1);
      EXPECT_EQ(item.at("reasons").as_string(), "abuse");
    }
  ASSERT_TRUE(queued);
  auto before = json::parse(get(port(), "/api/v1/articles/" + s).body).at("comment_count").as_int64();
  std::string decision = "/api/v1/moderation/comments/" + std::to_string(bad) + "/decision";
  EXPECT_EQ(mod.call("POST", decision, R"({"decision":"obliterate"})").status, 422);
  auto hidden = mod.call("POST", decision, R"({"decision":"hide","reason":"personal attack"})");
  ASSERT_EQ(hidden.status, 200) << hidden.body;
  EXPECT_EQ(json::parse(hidden.body).at("comment").at("status").as_string(), "hidden");
  EXPECT_EQ(json::parse(get(port(), "/api/v1/articles/" + s).body).at("comment_count").as_int64(), before - 1);
  EXPECT_EQ(get(port(), std::string(open_article().at("url").as_string())).body.find("Something abusive."),
            std::string::npos);
  auto after_decision = json::parse(mod.call("GET", "/api/v1/moderation/queue").body);
  for (auto& item : after_decision.at("items").as_array())
    EXPECT_NE(item.at("comment").at("id").as_int64(), bad) << "decided comments leave the queue";
  // Ban: the troll can no longer post; lifting it restores posting. Suspensions end at a time.
  auto troll_id = json::parse(troll.call("GET", "/api/v1/me").body).at("account").at("id").as_int64();
  std::string ban = "/api/v1/moderation/accounts/" + std::to_string(troll_id) + "/ban";
  EXPECT_EQ(reporter.call("POST", ban, R"({"reason":"x"})").status, 403);
  EXPECT_EQ(mod.call("POST", ban, R"({"reason":"repeated abuse"})").status, 204);
  auto refused = post(troll, s, "Am I still here?");
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(error_code(refused), "banned");
  EXPECT_NE(refused.body.find("repeated abuse"), std::string::npos);
  EXPECT_EQ(mod.call("DELETE", ban).status, 204);
  EXPECT_EQ(post(troll, s, "Back, and civil.").status, 201);
  std::string suspend = "/api/v1/moderation/accounts/" + std::to_string(troll_id) + "/suspension";
  EXPECT_EQ(mod.call("POST", suspend, R"({"until":"2001-01-01T00:00:00Z"})").status, 422);
  auto until = format_rfc3339(now_seconds() + std::chrono::hours(24));
  EXPECT_EQ(mod.call("POST", suspend, "{\"until\":\"" + until + "\",\"reason\":\"cool off\"}").status, 204);
  EXPECT_EQ(error_code(post(troll, s, "Suspended?")), "suspended");
}

// Recommend without JavaScript: the page's button opens a page that asks; an anonymous reader is sent to sign
// in and comes back to it; the answer lands on the comment; a refusal is said on that page, not in a tooltip.
TEST_F(CommentsTest, RecommendWorksWithoutJavaScript) {
  auto s = slug();
  auto author = signed_in("Rec Author");
  auto fan = signed_in("Rec Fan");
  auto posted = post(author, s, "Recommend me without a script.");
  ASSERT_EQ(posted.status, 201);
  auto c = json::parse(posted.body).at("comment");
  std::string id = std::to_string(c.at("id").as_int64());
  std::string url(c.at("url").as_string());
  auto article = get(port(), std::string(open_article().at("url").as_string())).body;
  EXPECT_NE(article.find("<form class=\"comment__recommend-form\" method=\"get\" action=\"/comments/" + id +
                         "/recommend\"><button class=\"comment__recommend\" type=\"submit\""),
            std::string::npos);
  // Anonymous: to sign in, and back to this page.
  auto anonymous = get(port(), "/comments/" + id + "/recommend");
  EXPECT_EQ(anonymous.status, 303);
  EXPECT_EQ(anonymous.header("location"), "/signin?return_to=/comments/" + id + "/recommend");
  // Signed in: the page asks, the form recommends and lands on the comment.
  auto ask = fan.call("GET", "/comments/" + id + "/recommend");
  ASSERT_EQ(ask.status, 200);
  EXPECT_NE(ask.body.find("Recommend this comment?"), std::string::npos);
  EXPECT_NE(ask.body.find("Recommend me without a script."), std::string::npos);
  auto form = [&](Reader& r, const std::string& on) { return r.form("/comments/" + id + "/recommend", "on=" + on); };
  auto done = form(fan, "1");
  EXPECT_EQ(done.status, 303);
  EXPECT_EQ(done.header("location"), url);
  auto count = [&] {
    auto v = json::parse(get(port(), "/api/v1/articles/" + s + "/comments?limit=200").body);
    for (auto& x : v.at("comments").as_array())
      if (x.at("id") == c.at("id")) return x.at("reactions").at("recommend").as_int64();
    return int64_t{-1};
  };
  EXPECT_EQ(count(), 1);
  EXPECT_NE(fan.call("GET", "/comments/" + id + "/recommend").body.find("Withdraw recommendation"), std::string::npos);
  // The author cannot recommend their own comment: said on the page.
  auto own = form(author, "1");
  EXPECT_EQ(own.status, 403);
  EXPECT_NE(own.body.find("<p class=\"form__error\" role=\"alert\">"), std::string::npos);
  EXPECT_EQ(count(), 1);
  EXPECT_EQ(form(fan, "0").status, 303);
  // Counts change in cached listings at most once a second (docs/api.md, Live updates).
  for (int i = 0; i < 30 && count() != 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(count(), 0);
}

// Report, edit and delete without JavaScript: every comment links a page of its actions; the author edits
// (with the time left shown) or deletes there, anyone else reports (reasons in words, a note); refusals show
// on that page with what was typed; moderators see the report's reason and note.
TEST_F(CommentsTest, ReportEditAndDeleteWorkFromThePage) {
  auto s = slug();
  auto author = signed_in("Opt Author");
  auto other = signed_in("Opt Other");
  auto posted = post(author, s, "Words I may want to change.");
  ASSERT_EQ(posted.status, 201);
  auto c = json::parse(posted.body).at("comment");
  std::string id = std::to_string(c.at("id").as_int64());
  auto article = get(port(), std::string(open_article().at("url").as_string())).body;
  EXPECT_NE(article.find("<a class=\"comment__options\" href=\"/comments/" + id + "/options\">Report or edit</a>"),
            std::string::npos);
  EXPECT_EQ(get(port(), "/comments/" + id + "/options").status, 303) << "signed-in readers only";

  // Its author: an edit form with the minutes left, and a delete button; no report form.
  auto mine = author.call("GET", "/comments/" + id + "/options").body;
  EXPECT_NE(mine.find("You can edit it for 15 more minutes"), std::string::npos);
  EXPECT_NE(mine.find(">Words I may want to change.</textarea>"), std::string::npos);
  EXPECT_EQ(mine.find("/report\""), std::string::npos);
  auto empty = author.form("/comments/" + id + "/edit", "body=");
  EXPECT_EQ(empty.status, 422);
  EXPECT_NE(empty.body.find("<p class=\"form__error\" role=\"alert\">Write something first.</p>"), std::string::npos);
  auto edited = author.form("/comments/" + id + "/edit", "body=Words+I+changed.");
  EXPECT_EQ(edited.status, 303);
  EXPECT_EQ(edited.header("location"), std::string(c.at("url").as_string()));
  auto listed = json::parse(get(port(), "/api/v1/articles/" + s + "/comments?limit=200").body);
  bool changed = false;
  for (auto& x : listed.at("comments").as_array())
    if (x.at("id") == c.at("id")) changed = x.at("body_html").as_string().find("Words I changed.") != std::string::npos;
  EXPECT_TRUE(changed);
  // Someone else: only the report form; the reasons are words; a reason is required.
  auto theirs = other.call("GET", "/comments/" + id + "/options").body;
  EXPECT_EQ(theirs.find("/edit\""), std::string::npos);
  EXPECT_NE(theirs.find("Abusive or hateful"), std::string::npos);
  EXPECT_EQ(other.form("/comments/" + id + "/edit", "body=Hijacked").status, 403);
  auto no_reason = other.form("/comments/" + id + "/report", "note=kept+note");
  EXPECT_EQ(no_reason.status, 422);
  EXPECT_NE(no_reason.body.find("value=\"kept note\""), std::string::npos) << "what was typed is kept";
  auto reported = other.form("/comments/" + id + "/report", "reason=abuse&note=name-calling");
  EXPECT_EQ(reported.status, 200);
  EXPECT_NE(reported.body.find("Thank you for your report"), std::string::npos);
  bool seen = false;
  for (const auto& item : server_->app().moderation().queue({}))
    if (item.comment.id == c.at("id").as_int64())
      seen = item.reasons.find("abuse") != std::string::npos && item.notes == "name-calling";
  EXPECT_TRUE(seen) << "moderators see the reason and the note";
  auto mod = staff_session(*server_, "opt-mod@example.org", "Opt Moderator", "moderator");
  auto queue = mod.call("GET", "/moderation?view=reported").body;
  EXPECT_NE(queue.find("1 report: Abusive or hateful. Reporters\u2019 notes: \u201cname-calling\u201d"),
            std::string::npos)
      << "in words";
  // The edit history: moderators see every text the comment had (from the queue card), readers do not.
  EXPECT_NE(queue.find("<a class=\"card__history\" href=\"/moderation/comments/" + id +
                       "/versions\">Edited: every version</a>"),
            std::string::npos);
  ASSERT_EQ(author.form("/comments/" + id + "/edit", "body=Words+I+changed+%3Cagain%3E.").status, 303);
  auto revisions = json::parse(mod.call("GET", "/api/v1/moderation/comments/" + id + "/revisions").body);
  auto earlier = revisions.at("revisions").as_array();
  ASSERT_EQ(earlier.size(), 2u);
  EXPECT_EQ(earlier[0].at("body").as_string(), "Words I may want to change.");
  EXPECT_EQ(earlier[1].at("body").as_string(), "Words I changed.");
  EXPECT_EQ(revisions.at("comment").at("body").as_string(), "Words I changed <again>.");
  EXPECT_EQ(other.call("GET", "/api/v1/moderation/comments/" + id + "/revisions").status, 403);
  EXPECT_EQ(author.call("GET", "/moderation/comments/" + id + "/versions").status, 403);
  auto versions = mod.call("GET", "/moderation/comments/" + id + "/versions");
  ASSERT_EQ(versions.status, 200);
  auto first = versions.body.find("As first posted");
  auto second = versions.body.find("Edit 1");
  auto now = versions.body.find("Now <span");
  EXPECT_TRUE(first != std::string::npos && second > first && now > second && now != std::string::npos);
  EXPECT_NE(versions.body.find("Words I changed &lt;again&gt;."), std::string::npos) << "text, escaped";
  EXPECT_EQ(mod.call("GET", "/moderation/comments/99999999/versions").status, 404);
  // The author deletes it from the page: back to the conversation, and it is gone.
  auto deleted = author.form("/comments/" + id + "/delete", "");
  EXPECT_EQ(deleted.status, 303);
  EXPECT_EQ(author.call("GET", "/comments/" + id + "/options").status, 404);
}

// A busy story (http/page_cache.h): while readers hammer its page and JSON, each comment a reader posts is on
// both for every read that begins more than a second after the 201, and on the poster's own next page at once
// (the tribune_pos cookie skips a stale page).
TEST_F(CommentsTest, ACommentPostedWhileReadersHammerThePageIsOnItWithinASecond) {
  auto article = open_article();
  std::string slug(article.at("slug").as_string()), url(article.at("url").as_string());
  std::string listing = "/api/v1/articles/" + slug + "/comments?sort=newest&limit=10";
  std::atomic<bool> stop{false};
  std::atomic<int> reads{0}, bad{0};
  std::vector<std::thread> readers;
  readers.reserve(6);
  for (int i = 0; i < 6; ++i)
    readers.emplace_back([&, i] {
      while (!stop) {
        auto r = get(port(), i % 3 == 2 ? listing : url);
        (r.status == 200 ? reads : bad).fetch_add(1);
      }
    });
  auto ann = signed_in("Ann Busy");
  using Steady = std::chrono::steady_clock;
  for (int n = 0; n < 12; ++n) {
    auto res = post(ann, slug, "A comment on a busy story, number " + std::to_string(n) + ".");
    ASSERT_EQ(res.status, 201) << res.body;
    auto acked = Steady::now();
    auto id = std::to_string(json::parse(res.body).at("comment").at("id").as_int64());
    std::string anchor = "id=\"comment-" + id + "\"";
    // The poster's next page, with the cookies the 201 set.
    std::string cookies = ann.cookie;
    for (const auto& c : res.set_cookies)
      if (c.starts_with("tribune_pos=")) cookies += "; " + c.substr(0, c.find(';'));
    ASSERT_NE(cookies, ann.cookie) << "the 201 set no tribune_pos cookie";
    auto own = request(port(), {"GET", url, {}, {{"Cookie", cookies}}});
    EXPECT_NE(own.body.find(anchor), std::string::npos) << "the poster's own next page lacks comment " << id;
    // Skipping the fast path skips nothing else: the page's files still load.
    if (n == 0) {
      for (std::string asset : {"/assets/favicon.svg", "/assets/app.js", "/assets/site.css"}) {
        EXPECT_EQ(request(port(), {"GET", asset, {}, {{"Cookie", cookies}}}).status, 200) << asset;
      }
    }
    // Everyone else's: anonymous reads until both show it; none that began a second after the 201 may lack it.
    bool on_page = false, in_json = false;
    while (!on_page || !in_json) {
      auto began = Steady::now();
      if (!on_page) on_page = get(port(), url).body.find(anchor) != std::string::npos;
      if (!in_json) in_json = get(port(), listing).body.find("\"id\":" + id + ",") != std::string::npos;
      ASSERT_TRUE((on_page && in_json) || began - acked < std::chrono::seconds(1))
          << "comment " << id << " missing from the " << (on_page ? "JSON" : "page") << " a second after its 201";
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(40));
  }
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_GT(reads.load(), 100);
}

// Posting reads the article from memory (a busy story would otherwise read it for every comment): a change
// made here forgets it at once, and one made around this process's services (another node, the command line:
// here the store written directly) within the content poll's second.
TEST_F(CommentsTest, AnArticleClosedOrWithdrawnWhileCommentsArriveRefusesTheNextOnes) {
  auto token = server_->app().tokens().create("memo", "editor").token;
  auto send = [&](const std::string& method, const std::string& path, const std::string& body) {
    return request(port(),
                   {method, path, body, {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token}}});
  };
  const std::string fields = R"("authors":["A"],"section":"Opinion","body":"b")";
  ASSERT_EQ(send("POST", "/api/v1/articles", R"({"title":"Memo piece","slug":"memo-piece",)" + fields + "}").status,
            201);
  auto r = signed_in("Memo Reader");
  ASSERT_EQ(post(r, "memo-piece", "first, while open").status, 201);
  auto closed =
      send("PUT", "/api/v1/articles/memo-piece", R"({"title":"Memo piece","comments":"closed",)" + fields + "}");
  ASSERT_EQ(closed.status, 200) << closed.body;
  auto refused = post(r, "memo-piece", "after the desk closed it");
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(error_code(refused), "comments_closed");

  ASSERT_EQ(
      send("PUT", "/api/v1/articles/memo-piece", R"({"title":"Memo piece","comments":"open",)" + fields + "}").status,
      200);
  ASSERT_EQ(post(r, "memo-piece", "open again").status, 201);
  server_->app().store().set_article_state("memo-piece", ArticleState::draft, "", now_seconds());
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    status = post(r, "memo-piece", "while another process withdraws it " + std::to_string(++counter_)).status;
    if (status == 404) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(status, 404) << "a piece withdrawn elsewhere still took comments 5 s later";
}

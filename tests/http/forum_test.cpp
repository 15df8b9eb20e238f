// The forum around the comments: @mentions, ignoring, editor's picks, pre-moderation, batch counts, live
// notifications, notification mail, and the pages for readers, the feed, notifications and moderators.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "test_support.h"

using namespace tribune;
using namespace tribune::testing;
namespace json = boost::json;

namespace {

json::value notifications(Reader& r) {
  return json::parse(r.call("GET", "/api/v1/me/notifications").body);
}

class ForumTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new TestServer(true, {}, [](Config& c) {
      c.account_limits.register_per_ip = {100000, std::chrono::hours(1)};
      c.comment_limits.per_account = {100000, std::chrono::minutes(1)};
      c.digest_interval = std::chrono::hours(24);  // the tests run digests themselves
    });
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  uint16_t port() { return server_->port(); }

  Reader reader(const std::string& name) {
    return register_reader(port(), "forum" + std::to_string(++counter_) + "@example.org", name);
  }
  Reader staff(const std::string& role) {
    ++counter_;
    return staff_session(*server_, role + std::to_string(counter_) + "@example.org",
                         "Staff " + std::to_string(counter_), role);
  }
  std::string slug() {
    auto v = json::parse(get(port(), "/api/v1/articles?limit=50").body);
    for (auto& a : v.at("articles").as_array())
      if (a.at("comments_open").as_bool() && a.at("comments_mode").as_string() == "open")
        return std::string(a.at("slug").as_string());
    ADD_FAILURE() << "no open article";
    return {};
  }
  int64_t post(Reader& r, const std::string& article, const std::string& body, std::optional<int64_t> parent = {}) {
    json::object o{{"body", body}};
    if (parent) o["parent_id"] = *parent;
    auto res = r.call("POST", "/api/v1/articles/" + article + "/comments", json::serialize(o));
    EXPECT_EQ(res.status, 201) << res.body;
    return json::parse(res.body).at("comment").at("id").as_int64();
  }
  // Kinds of the reader's notifications about this comment.
  std::vector<std::string> kinds_about(Reader& r, int64_t comment) {
    std::vector<std::string> out;
    auto v = notifications(r);
    for (auto& n : v.at("notifications").as_array())
      if (n.at("comment").at("id").as_int64() == comment) out.emplace_back(n.at("kind").as_string());
    return out;
  }

  static TestServer* server_;
  static inline int counter_ = 0;
};

TestServer* ForumTest::server_ = nullptr;

}  // namespace

TEST_F(ForumTest, MentionsNotifyTheNamedReaderOnce) {
  auto ana = reader("Ana Lima-Souza");
  auto bo = reader("Bo Stern");
  auto s = slug();
  // Case, spaces and punctuation do not matter; an address, code and the author themself are not mentions.
  auto c = post(bo, s, "Well put, @analimasouza. Mail bo@anal.example, or `@BoStern` in code; @BoStern myself.");
  EXPECT_EQ(kinds_about(ana, c), (std::vector<std::string>{"mention"}));
  EXPECT_TRUE(kinds_about(bo, c).empty());
  // On the page the mention links to the named reader's profile; code and the address stay text.
  auto thread = get(port(), "/comments/" + std::to_string(c));
  EXPECT_NE(thread.body.find("Well put, <a rel=\"nofollow ugc noopener\" href=\"/readers/" + std::to_string(ana.id) +
                             "\">@analimasouza</a>."),
            std::string::npos)
      << thread.body;
  EXPECT_NE(thread.body.find("<code>@BoStern</code>"), std::string::npos);
  // A reply that also mentions the parent's author is one notification: the reply.
  auto ana_comment = post(ana, s, "Ana's opinion.");
  auto reply = post(bo, s, "@Ana.Lima-Souza I disagree.", ana_comment);
  EXPECT_EQ(kinds_about(ana, reply), (std::vector<std::string>{"reply"}));
  // Unknown handles are ignored.
  auto nobody = post(bo, s, "@NoSuchReaderAtAll hello");
  EXPECT_TRUE(kinds_about(ana, nobody).empty());
  EXPECT_NE(get(port(), "/comments/" + std::to_string(nobody)).body.find("<p>@NoSuchReaderAtAll hello</p>"),
            std::string::npos)
      << "a name nobody goes by is no link";
}

TEST_F(ForumTest, IgnoredReadersCollapseAndDoNotNotify) {
  auto ana = reader("Ignoring Ana");
  auto bo = reader("Ignored Bo");
  auto s = slug();
  std::string ignore = "/api/v1/readers/" + std::to_string(bo.id) + "/ignore";
  EXPECT_EQ(error_code(ana.call("PUT", "/api/v1/readers/" + std::to_string(ana.id) + "/ignore")), "cannot_ignore_self");
  EXPECT_EQ(ana.call("PUT", "/api/v1/readers/99999999/ignore").status, 404);
  Reader anonymous{port(), {}, {}};
  EXPECT_EQ(anonymous.call("PUT", ignore).status, 401);
  auto on = ana.call("PUT", ignore);
  ASSERT_EQ(on.status, 200) << on.body;
  EXPECT_TRUE(json::parse(on.body).at("ignoring").as_bool());
  EXPECT_EQ(ana.call("PUT", ignore).status, 200) << "idempotent";
  auto ana_comment = post(ana, s, "Ana speaks.");
  auto reply = post(bo, s, "Bo answers @IgnoringAna anyway.", ana_comment);
  EXPECT_TRUE(kinds_about(ana, reply).empty()) << "no reply or mention notification from an ignored reader";
  // The per-reader part of the page lists whom Ana ignores and which of these authors she follows.
  ASSERT_EQ(ana.call("PUT", "/api/v1/readers/" + std::to_string(bo.id) + "/follow").status, 200);
  auto mine = json::parse(ana.call("GET", "/api/v1/articles/" + s + "/comments/mine?ids=" + std::to_string(reply) +
                                              "&authors=" + std::to_string(bo.id))
                              .body);
  ASSERT_EQ(mine.at("ignoring").as_array().size(), 1u);
  EXPECT_EQ(mine.at("ignoring").at(0).as_int64(), bo.id);
  ASSERT_EQ(mine.at("following").as_array().size(), 1u);
  EXPECT_EQ(mine.at("following").at(0).as_int64(), bo.id);
  EXPECT_FALSE(json::parse(ana.call("DELETE", ignore).body).at("ignoring").as_bool());
  auto later = post(bo, s, "And again.", ana_comment);
  EXPECT_EQ(kinds_about(ana, later), (std::vector<std::string>{"reply"}));
}

TEST_F(ForumTest, EditorsPickCommentsForThePicksView) {
  auto ana = reader("Picked Ana");
  auto editor = staff("editor");
  auto s = slug();
  auto c = post(ana, s, "A comment worth picking.");
  std::string pick = "/api/v1/comments/" + std::to_string(c) + "/pick";
  EXPECT_EQ(ana.call("PUT", pick).status, 403) << "readers cannot pick";
  EXPECT_EQ(editor.call("PUT", "/api/v1/comments/99999999/pick").status, 404);
  ASSERT_EQ(editor.call("PUT", pick).status, 200);
  auto picks = json::parse(get(port(), "/api/v1/articles/" + s + "/comments?sort=picks").body);
  ASSERT_EQ(picks.at("comments").as_array().size(), 1u);
  EXPECT_EQ(picks.at("comments").at(0).at("id").as_int64(), c);
  EXPECT_TRUE(picks.at("comments").at(0).at("picked").as_bool());
  auto article = json::parse(get(port(), "/api/v1/articles/" + s).body);
  auto page = get(port(), std::string(article.at("url").as_string()) + "?sort=picks");
  EXPECT_NE(page.body.find("A comment worth picking."), std::string::npos);
  EXPECT_NE(page.body.find("Editor's pick"), std::string::npos);
  // The cached first page shows the label too (the pick invalidated it).
  EXPECT_NE(get(port(), std::string(article.at("url").as_string())).body.find("comment__pick"), std::string::npos);
  ASSERT_EQ(editor.call("DELETE", pick).status, 200);
  EXPECT_TRUE(json::parse(get(port(), "/api/v1/articles/" + s + "/comments?sort=picks").body)
                  .at("comments")
                  .as_array()
                  .empty());
  // The Picks page was kept in the cache; unpicking dropped it with the rest of the conversation.
  EXPECT_EQ(
      get(port(), std::string(article.at("url").as_string()) + "?sort=picks").body.find("A comment worth picking."),
      std::string::npos);
}

TEST_F(ForumTest, PremoderatedArticlesHoldCommentsUntilApproved) {
  ArticleDraft d;
  d.title = "A pre-moderated piece";
  d.authors = {"Test Author"};
  d.section = "Opinion";
  d.body_markdown = "Careful now.";
  d.comments = CommentsMode::premoderated;
  auto article = server_->app().articles().publish(d, true);
  auto author = reader("Held Author");
  auto follower = reader("Follower Of Held");
  auto mod = staff("moderator");
  ASSERT_EQ(follower.call("PUT", "/api/v1/readers/" + std::to_string(author.id) + "/follow").status, 200);
  auto res = author.call("POST", "/api/v1/articles/" + article.slug + "/comments", R"({"body":"Held for review."})");
  ASSERT_EQ(res.status, 201) << res.body;
  auto comment = json::parse(res.body).at("comment");
  EXPECT_EQ(comment.at("status").as_string(), "pending");
  int64_t id = comment.at("id").as_int64();
  auto listed = json::parse(get(port(), "/api/v1/articles/" + article.slug + "/comments").body);
  EXPECT_TRUE(listed.at("comments").as_array().empty()) << "others do not see a held comment";
  EXPECT_EQ(listed.at("total").as_int64(), 0);
  EXPECT_TRUE(kinds_about(follower, id).empty()) << "no notification before approval";
  // The moderator finds it in the queue, on the API and on the queue page.
  bool queued = false;
  auto queue = json::parse(mod.call("GET", "/api/v1/moderation/queue").body);
  for (auto& item : queue.at("items").as_array()) queued = queued || item.at("comment").at("id").as_int64() == id;
  EXPECT_TRUE(queued);
  auto queue_page = mod.call("GET", "/moderation");
  EXPECT_EQ(queue_page.status, 200);
  EXPECT_NE(queue_page.body.find("Held for review."), std::string::npos);
  EXPECT_EQ(author.call("GET", "/moderation").status, 403);
  // Approving it from the queue page's form publishes it and sends the notifications it held back.
  auto decided = mod.form("/moderation/comments/" + std::to_string(id) + "/decision", "decision=approve&reason=fine");
  EXPECT_EQ(decided.status, 303);
  listed = json::parse(get(port(), "/api/v1/articles/" + article.slug + "/comments").body);
  ASSERT_EQ(listed.at("comments").as_array().size(), 1u);
  EXPECT_EQ(listed.at("total").as_int64(), 1);
  EXPECT_EQ(kinds_about(follower, id), (std::vector<std::string>{"followed_comment"}));
  auto notes = notifications(author);
  ASSERT_FALSE(notes.at("notifications").as_array().empty());
  EXPECT_EQ(notes.at("notifications").at(0).at("kind").as_string(), "moderation");
  EXPECT_EQ(notes.at("notifications").at(0).at("detail").as_string(), "approved");
  // Taking it down again tells the author, who still sees the notice though the comment is gone.
  ASSERT_EQ(mod.call("POST", "/api/v1/moderation/comments/" + std::to_string(id) + "/decision",
                     R"({"decision":"reject","reason":"second thoughts"})")
                .status,
            200);
  notes = notifications(author);
  EXPECT_EQ(notes.at("notifications").at(0).at("detail").as_string(), "rejected");
  EXPECT_TRUE(kinds_about(follower, id).empty()) << "the follower's notice went with the comment";
}

TEST_F(ForumTest, CommentCountsForManyArticlesInOneRequest) {
  auto v = json::parse(get(port(), "/api/v1/articles?limit=3").body);
  std::string list;
  for (auto& a : v.at("articles").as_array()) list += std::string(a.at("slug").as_string()) + ",";
  list += "no-such-article";
  auto r = get(port(), "/api/v1/comment-counts?articles=" + list);
  ASSERT_EQ(r.status, 200) << r.body;
  auto counts = json::parse(r.body).at("counts").as_object();
  EXPECT_EQ(counts.size(), 3u) << "unknown slugs are left out";
  for (auto& a : v.at("articles").as_array())
    EXPECT_EQ(counts.at(a.at("slug").as_string()).as_int64(), a.at("comment_count").as_int64());
  EXPECT_EQ(error_code(get(port(), "/api/v1/comment-counts")), "missing_articles");
  EXPECT_EQ(error_code(get(port(), "/api/v1/comment-counts?articles=Bad%20Slug")), "invalid_slug");
  std::string many;
  for (int i = 0; i < 101; ++i) many += "a" + std::to_string(i) + ",";
  many.pop_back();
  EXPECT_EQ(error_code(get(port(), "/api/v1/comment-counts?articles=" + many)), "too_many_articles");
}

TEST_F(ForumTest, NotificationsArriveLiveOnTheArticleStreamAndTheReaderStream) {
  auto ana = reader("Live Ana");
  auto bo = reader("Live Bo");
  auto s = slug();
  auto mine = post(ana, s, "Reply to me, live.");
  EventReader article(port(), "/api/v1/articles/" + s + "/events", {{"Cookie", ana.cookie}});
  EventReader own(port(), "/api/v1/me/events", {{"Cookie", ana.cookie}});
  EventReader stranger(port(), "/api/v1/articles/" + s + "/events", {{"Cookie", bo.cookie}});
  ASSERT_TRUE(article.wait_for("retry:"));
  ASSERT_TRUE(own.wait_for("retry:"));
  ASSERT_TRUE(stranger.wait_for("retry:"));
  auto reply = post(bo, s, "Here is your live reply.", mine);
  EXPECT_TRUE(article.wait_for("event: notification")) << article.text();
  EXPECT_TRUE(own.wait_for("\"kind\":\"reply\"")) << own.text();
  EXPECT_NE(own.text().find("#comment-" + std::to_string(reply)), std::string::npos) << "links to the comment";
  EXPECT_TRUE(stranger.wait_for("event: comment.created"));
  EXPECT_EQ(stranger.text().find("event: notification"), std::string::npos) << "only the recipient is told";
  EXPECT_EQ(get(port(), "/api/v1/me/events").status, 401);
}

TEST_F(ForumTest, NotificationMailFollowsEachReadersChoice) {
  auto& app = server_->app();
  auto& store = app.store();
  auto verified = [&](Reader& r) {
    std::string hash(32, static_cast<char>('a' + counter_ % 20));
    hash[0] = static_cast<char>(r.id);
    store.create_email_token(r.id, EmailToken{hash, "verify", now_seconds() + std::chrono::hours(1)},
                             OutboxMail{"x@example.org", "verify", "link"});
    ASSERT_TRUE(store.use_verify_token(hash, now_seconds()).has_value());
  };
  auto ana = reader("Mailed Ana");
  auto bo = reader("Mailing Bo");
  auto quiet = reader("Unverified Quiet");
  verified(ana);
  app.digests().run_once();  // whatever earlier tests left due
  EXPECT_EQ(error_code(ana.call("PUT", "/api/v1/me/digest", R"({"digest":"hourly"})")), "invalid_digest");
  ASSERT_EQ(ana.call("PUT", "/api/v1/me/digest", R"({"digest":"immediate"})").status, 200);
  EXPECT_EQ(json::parse(ana.call("GET", "/api/v1/me").body).at("account").at("digest").as_string(), "immediate");
  auto s = slug();
  auto ana_comment = post(ana, s, "Mail me replies.");
  auto quiet_comment = post(quiet, s, "Never mail me: my address is unconfirmed.");
  auto pending_before = store.outbox_stats().pending;
  auto mailed_reply = post(bo, s, "A reply Ana will read by mail.", ana_comment);
  post(bo, s, "A reply Quiet will not get by mail.", quiet_comment);
  // The digest text: who, where, an excerpt and links.
  auto due = store.due_digests(now_seconds(), 100);
  auto it = std::find_if(due.begin(), due.end(), [&](const auto& d) { return d.account.id == ana.id; });
  ASSERT_NE(it, due.end());
  EXPECT_TRUE(std::none_of(due.begin(), due.end(), [&](const auto& d) { return d.account.id == quiet.id; }));
  auto mail = app.digests().compose(*it);
  EXPECT_NE(mail.subject.find("Mailing Bo replied to you"), std::string::npos) << mail.subject;
  EXPECT_NE(mail.body_text.find("A reply Ana will read by mail."), std::string::npos) << mail.body_text;
  EXPECT_NE(
      mail.body_text.find("/comments/" + std::to_string(ana_comment) + "#comment-" + std::to_string(mailed_reply)),
      std::string::npos)
      << "links where the reply surely is: " << mail.body_text;
  EXPECT_NE(mail.body_text.find("/account"), std::string::npos) << "says how to turn it off";
  EXPECT_EQ(app.digests().run_once(), 1);
  EXPECT_EQ(store.outbox_stats().pending, pending_before + 1);
  EXPECT_EQ(app.digests().run_once(), 0) << "each notification is mailed once";
  // Daily: one mail, then nothing more that day however many notifications come.
  ASSERT_EQ(ana.call("PUT", "/api/v1/me/digest", R"({"digest":"daily"})").status, 200);
  post(bo, s, "Another reply.", ana_comment);
  EXPECT_EQ(app.digests().run_once(), 0) << "the immediate mail counted as today's";
  // Off: never.
  ASSERT_EQ(ana.call("PUT", "/api/v1/me/digest", R"({"digest":"off"})").status, 200);
  EXPECT_TRUE(std::none_of(store.due_digests(now_seconds() + std::chrono::hours(48), 100).begin(),
                           store.due_digests(now_seconds() + std::chrono::hours(48), 100).end(),
                           [&](const auto& d) { return d.account.id == ana.id; }));
}

TEST_F(ForumTest, ReaderPagesWorkWithoutJavaScript) {
  auto ana = reader("Profile <Ana>");
  auto bo = reader("Profile Bo");
  auto s = slug();
  post(ana, s, "A public comment by Ana.");
  std::string profile = "/readers/" + std::to_string(ana.id);
  auto page = get(port(), profile);
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("Profile &lt;Ana&gt;"), std::string::npos) << "names are escaped";
  EXPECT_EQ(page.body.find("Profile <Ana>"), std::string::npos);
  EXPECT_NE(page.body.find("A public comment by Ana."), std::string::npos);
  EXPECT_NE(page.body.find("Member since"), std::string::npos);
  EXPECT_EQ(get(port(), "/readers/99999999").status, 404);
  // Follow with the profile's form, then see Ana's comments in /following.
  EXPECT_EQ(bo.form(profile + "/follow", "on=1").status, 303);
  EXPECT_NE(bo.call("GET", profile).body.find("1 follower"), std::string::npos);
  post(ana, s, "Fresh from Ana.");
  auto feed = bo.call("GET", "/following");
  EXPECT_EQ(feed.status, 200);
  EXPECT_NE(feed.body.find("Fresh from Ana."), std::string::npos);
  // Notifications page: shows the new one highlighted once, then it is read.
  auto notes = bo.call("GET", "/notifications");
  EXPECT_NE(notes.body.find("whom you follow, commented"), std::string::npos);
  EXPECT_NE(notes.body.find("card--unread"), std::string::npos);
  EXPECT_EQ(bo.call("GET", "/notifications").body.find("card--unread"), std::string::npos);
  EXPECT_EQ(notifications(bo).at("unread").as_int64(), 0);
  // The masthead counts unread notifications.
  post(ana, s, "One more from Ana.");
  // "Notifications 1 unread" to a screen reader: the visible words, then the hidden one.
  EXPECT_NE(bo.call("GET", "/")
                .body.find("Notifications <span class=\"reader__badge\" id=\"notification-count\">1</span><span "
                           "class=\"visually-hidden\" id=\"notification-words\"> unread</span>"),
            std::string::npos);
  // Ignore and unfollow with forms; a form without the CSRF field is refused.
  EXPECT_EQ(bo.form(profile + "/ignore", "on=1").status, 303);
  EXPECT_NE(bo.call("GET", profile).body.find("Stop ignoring"), std::string::npos);
  RequestSpec forged{"POST",
                     profile + "/follow",
                     "on=0",
                     {{"Content-Type", "application/x-www-form-urlencoded"}, {"Cookie", bo.cookie}}};
  EXPECT_EQ(request(port(), forged).status, 403);
  // Signed-out visitors are sent to sign in for personal pages; notification mail is chosen on /account.
  EXPECT_EQ(get(port(), "/notifications").status, 303);
  EXPECT_EQ(get(port(), "/following").status, 303);
  EXPECT_EQ(bo.form("/account/digest", "digest=off").status, 303);
  EXPECT_EQ(json::parse(bo.call("GET", "/api/v1/me").body).at("account").at("digest").as_string(), "off");
}

TEST_F(ForumTest, LongAndDeepThreadsContinueOnTheirOwnPage) {
  ArticleDraft d;
  d.title = "A piece with long threads";
  d.authors = {"Test Author"};
  d.section = "Opinion";
  d.body_markdown = "Talk.";
  d.comments = CommentsMode::open;
  auto article = server_->app().articles().publish(d, true);
  auto url = server_->app().articles().url_for(article);
  auto ana = reader("Thread Ana");
  auto bo = reader("Thread Bo");
  auto root = post(ana, article.slug, "The root of a long thread.");
  for (int i = 0; i < 25; ++i) post(i % 2 ? ana : bo, article.slug, "Reply number " + std::to_string(i) + ".", root);
  auto page = get(port(), url).body;
  EXPECT_NE(page.find("Reply number 19."), std::string::npos);
  EXPECT_EQ(page.find("Reply number 20."), std::string::npos) << "the article page shows the first 20 replies";
  EXPECT_NE(page.find("data-expand-thread=\"" + std::to_string(root) + "\""), std::string::npos)
      << "and offers the rest";
  auto thread = get(port(), "/comments/" + std::to_string(root));
  ASSERT_EQ(thread.status, 200);
  EXPECT_NE(thread.body.find("Reply number 24."), std::string::npos) << "the thread page holds every reply";
  EXPECT_EQ(thread.body.find("data-expand-thread"), std::string::npos);
  // A chain seven deep: the page indents five levels, then links the rest, which starts flush on its page.
  int64_t parent = post(bo, article.slug, "Level 0.");
  std::vector<int64_t> chain{parent};
  for (int level = 1; level <= 7; ++level)
    chain.push_back(parent = post(level % 2 ? ana : bo, article.slug, "Level " + std::to_string(level) + ".", parent));
  page = get(port(), url).body;
  EXPECT_NE(page.find("Level 5."), std::string::npos);
  EXPECT_EQ(page.find("Level 6."), std::string::npos);
  auto more = "/comments/" + std::to_string(chain[5]);
  EXPECT_NE(page.find("href=\"" + more + "#comment-" + std::to_string(chain[5]) + "\">Continue this thread"),
            std::string::npos);
  auto deep = get(port(), more).body;
  EXPECT_NE(deep.find("Level 7."), std::string::npos);
  EXPECT_NE(deep.find("id=\"comment-" + std::to_string(chain[5]) + "\" data-comment-id=\"" + std::to_string(chain[5]) +
                      "\" data-depth=\"0\""),
            std::string::npos);
  // The thread page is cached and kept current: a new reply shows at once.
  post(ana, article.slug, "Level 8, just now.", chain[7]);
  EXPECT_NE(get(port(), more).body.find("Level 8, just now."), std::string::npos);
  EXPECT_EQ(get(port(), "/comments/99999999").status, 404);
}

TEST(ModerationRulesOverHttp, WordsNudgeHoldAndRejectAndTheQueueSaysWhy) {
  TestServer server(true, {}, [](Config& c) {
    c.moderation.banned_words = {"scam"};
    c.moderation.suspect_words = {"idiot"};
    c.moderation.hold_first_comments = 1;
  });
  auto reg =
      request(server.port(),
              {"POST",
               "/api/v1/accounts",
               R"({"email":"rules@example.org","display_name":"Rule Tester","password":"a rule tester's password"})",
               {{"Content-Type", "application/json"}}});
  ASSERT_EQ(reg.status, 201);
  std::string cookie = reg.header("set-cookie").substr(0, reg.header("set-cookie").find(';'));
  std::string csrf(json::parse(reg.body).at("csrf_token").as_string());
  auto v = json::parse(get(server.port(), "/api/v1/articles?limit=1").body);
  std::string slug(v.at("articles").at(0).at("slug").as_string());
  auto post = [&](const std::string& body) {
    return request(server.port(), {"POST",
                                   "/api/v1/articles/" + slug + "/comments",
                                   body,
                                   {{"Content-Type", "application/json"}, {"Cookie", cookie}, {"X-CSRF-Token", csrf}}});
  };
  // A new reader's first comment waits for a moderator.
  auto first = post(R"({"body":"My first comment."})");
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(json::parse(first.body).at("comment").at("status").as_string(), "pending");
  server.app().moderation().decide(1, json::parse(first.body).at("comment").at("id").as_int64(), "approve", "");
  // Banned words, however disguised: refused with the reason, nothing stored.
  auto count_before = json::parse(get(server.port(), "/api/v1/articles/" + slug).body).at("comment_count").as_int64();
  auto banned = post(R"({"body":"What a S C 4 M this is."})");
  EXPECT_EQ(banned.status, 422);
  EXPECT_EQ(error_code(banned), "needs_revision");
  EXPECT_NE(banned.body.find("S C 4 M"), std::string::npos) << banned.body;
  // Suspect words: the author is told first; posting anyway holds it for review.
  auto nudged = post(R"({"body":"You absolute idiot."})");
  EXPECT_EQ(nudged.status, 422);
  EXPECT_EQ(error_code(nudged), "needs_revision");
  auto insisted = post(R"({"body":"You absolute idiot.","acknowledge_nudge":true})");
  ASSERT_EQ(insisted.status, 201) << insisted.body;
  EXPECT_EQ(json::parse(insisted.body).at("comment").at("status").as_string(), "pending");
  // Clean text is published; the same text a third time within the hour is not.
  EXPECT_EQ(json::parse(post(R"({"body":"A fair point, well made."})").body).at("comment").at("status").as_string(),
            "published");
  EXPECT_EQ(post(R"({"body":"A fair point, well made."})").status, 201);
  auto repeated = post(R"({"body":"A fair point, well made."})");
  EXPECT_EQ(error_code(repeated), "rejected");
  EXPECT_EQ(json::parse(get(server.port(), "/api/v1/articles/" + slug).body).at("comment_count").as_int64(),
            count_before + 2);
  // The queue shows which rule held a comment and why.
  auto queue = server.app().moderation().queue({});
  bool explained = false;
  for (const auto& item : queue) explained = explained || (item.rule == "suspect_words" && !item.rule_reason.empty());
  EXPECT_TRUE(explained);
}

// Regression: removing a comment took every reply under it off the page, with nothing marking the gap, while
// the count still included them ("9 comments" over 3 visible). A removed comment with published replies stays
// as a tombstone; its replies stay where they were; counts say what a reader can see; the API agrees.
TEST_F(ForumTest, RemovedCommentsLeaveTombstonesOverTheirReplies) {
  auto token = server_->app().tokens().create("tombstones", "editor").token;
  auto created =
      request(port(), {"POST",
                       "/api/v1/articles",
                       R"({"title":"Tombstones","authors":["T"],"section":"Opinion","body":"b","comments":"open"})",
                       {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token}}});
  ASSERT_EQ(created.status, 201) << created.body;
  std::string s = "tombstones";
  std::string url(json::parse(created.body).at("url").as_string());
  auto ann = reader("Ann Tomb");
  auto bea = reader("Bea Tomb");
  auto cal = reader("Cal Tomb");
  auto mod = staff("moderator");
  auto top = post(ann, s, "The first word.");
  auto reply = post(bea, s, "A reply to Ann.", top);
  auto deep = post(cal, s, "A reply to Bea.", reply);
  auto other = post(bea, s, "Another thread.");
  auto under_other = post(cal, s, "Under the other thread.", other);
  auto count = [&] { return json::parse(get(port(), "/api/v1/articles/" + s).body).at("comment_count").as_int64(); };
  auto listed = [&](std::optional<int64_t> parent = {}) {
    std::string path = "/api/v1/articles/" + s + "/comments?sort=oldest";
    if (parent) path += "&parent_id=" + std::to_string(*parent);
    auto r = get(port(), path);
    EXPECT_EQ(r.status, 200) << path << " " << r.body;
    std::map<int64_t, json::object> by_id;
    auto v = json::parse(r.body);
    for (auto& c : v.at("comments").as_array()) by_id[c.at("id").as_int64()] = c.as_object();
    return by_id;
  };
  auto box = [](const std::string& page, int64_t id) {
    size_t at = page.find("id=\"comment-" + std::to_string(id) + "\"");
    return at == std::string::npos ? std::string() : page.substr(at, 400);
  };
  ASSERT_EQ(count(), 5);

  // The author deletes the top comment: its two replies stay, under a tombstone; the count drops by one.
  EXPECT_EQ(ann.call("DELETE", "/api/v1/comments/" + std::to_string(top)).status, 204);
  auto page = get(port(), url).body;
  EXPECT_NE(box(page, top).find("This comment was deleted by its author."), std::string::npos) << box(page, top);
  EXPECT_EQ(box(page, top).find("The first word."), std::string::npos);
  EXPECT_EQ(box(page, top).find("Ann Tomb"), std::string::npos) << "a tombstone names nobody";
  EXPECT_NE(page.find("A reply to Ann."), std::string::npos);
  EXPECT_NE(page.find("A reply to Bea."), std::string::npos);
  EXPECT_LT(page.find("id=\"comment-" + std::to_string(top) + "\""),
            page.find("id=\"comment-" + std::to_string(reply) + "\""));
  EXPECT_EQ(count(), 4);
  EXPECT_NE(page.find("<span class=\"conversation__number\">4</span>"), std::string::npos);
  auto api = listed();
  ASSERT_TRUE(api.contains(top));
  EXPECT_EQ(api[top].at("status").as_string(), "deleted");
  EXPECT_EQ(api[top].at("body_html").as_string(), "");
  EXPECT_TRUE(api[top].at("author").is_null());

  // A moderator hides the reply in the middle: a second tombstone, and the deepest reply is still there.
  auto hidden = mod.call("POST", "/api/v1/moderation/comments/" + std::to_string(reply) + "/decision",
                         R"({"decision":"hide","reason":"off topic"})");
  EXPECT_EQ(hidden.status, 200) << hidden.body;
  page = get(port(), url).body;
  EXPECT_NE(box(page, reply).find("This comment was removed by a moderator."), std::string::npos);
  EXPECT_NE(page.find("A reply to Bea."), std::string::npos);
  EXPECT_EQ(count(), 3);
  auto replies = listed(top);
  ASSERT_TRUE(replies.contains(reply));
  EXPECT_EQ(replies[reply].at("status").as_string(), "removed");
  EXPECT_EQ(get(port(), "/comments/" + std::to_string(reply)).status, 200) << "a tombstone's thread page";

  // A rejected top comment with a reply: a tombstone too.
  EXPECT_EQ(
      mod.call("POST", "/api/v1/moderation/comments/" + std::to_string(other) + "/decision", R"({"decision":"reject"})")
          .status,
      200);
  page = get(port(), url).body;
  EXPECT_NE(box(page, other).find("This comment was removed by a moderator."), std::string::npos);
  EXPECT_NE(page.find("Under the other thread."), std::string::npos);
  EXPECT_EQ(count(), 2);

  // The last published reply under the first thread goes: nothing is left to hold its tombstones up.
  EXPECT_EQ(cal.call("DELETE", "/api/v1/comments/" + std::to_string(deep)).status, 204);
  page = get(port(), url).body;
  EXPECT_EQ(page.find("id=\"comment-" + std::to_string(top) + "\""), std::string::npos);
  EXPECT_EQ(page.find("id=\"comment-" + std::to_string(reply) + "\""), std::string::npos);
  EXPECT_FALSE(listed().contains(top));
  EXPECT_EQ(get(port(), "/comments/" + std::to_string(top)).status, 404);
  EXPECT_EQ(count(), 1);

  // Approving the hidden reply again brings back its place, and its ancestor's tombstone with it.
  EXPECT_EQ(mod.call("POST", "/api/v1/moderation/comments/" + std::to_string(reply) + "/decision",
                     R"({"decision":"approve"})")
                .status,
            200);
  page = get(port(), url).body;
  EXPECT_NE(box(page, top).find("This comment was deleted by its author."), std::string::npos);
  EXPECT_NE(page.find("A reply to Ann."), std::string::npos);
  EXPECT_EQ(count(), 2);
  (void)under_other;
}

// Regression: the nudge said the reader could post anyway, but no form could say so, and the refused attempt
// counted toward the posting limit (a minute's lockout). The error says whether posting anyway is possible;
// the page without JavaScript offers the button; a refused attempt does not use up the posting limit.
TEST(ModerationRulesOverHttp, ANudgedReaderCanPostItAsItIs) {
  TestServer server(true, {}, [](Config& c) {
    c.moderation.banned_words = {"scam(mer)?s?"};
    c.moderation.suspect_words = {"idiot"};
    c.comment_limits.per_account = {1, std::chrono::minutes(1)};
  });
  auto ada = register_reader(server.port(), "nudged@example.org", "Ada Nudged");
  auto v = json::parse(get(server.port(), "/api/v1/articles?limit=1").body);
  std::string slug(v.at("articles").at(0).at("slug").as_string());
  std::string path = "/api/v1/articles/" + slug + "/comments";

  // A word that is never published: revise only, and the message names the words, not the pattern.
  auto banned = ada.call("POST", path, R"({"body":"You sc4mmers."})");
  EXPECT_EQ(banned.status, 422);
  EXPECT_EQ(error_code(banned), "needs_revision");
  EXPECT_FALSE(json::parse(banned.body).at("error").at("post_anyway").as_bool());
  EXPECT_NE(banned.body.find("(\\\"sc4mmers\\\")"), std::string::npos) << banned.body;
  EXPECT_EQ(banned.body.find("(mer)"), std::string::npos) << banned.body;

  // A word that holds: the reader may post anyway, and two refusals have not used up the limit of one.
  auto nudged = ada.call("POST", path, R"({"body":"What an idiot idea."})");
  EXPECT_EQ(nudged.status, 422);
  EXPECT_TRUE(json::parse(nudged.body).at("error").at("post_anyway").as_bool());
  auto insisted = ada.call("POST", path, R"({"body":"What an idiot idea.","acknowledge_nudge":true})");
  ASSERT_EQ(insisted.status, 201) << insisted.body;
  EXPECT_EQ(json::parse(insisted.body).at("comment").at("status").as_string(), "pending");
  EXPECT_EQ(ada.call("POST", path, R"({"body":"Another thought."})").status, 429) << "kept comments still count";

  // Without JavaScript: the refused form comes back with the text and a "Post it as it is" button, which posts.
  auto bo = register_reader(server.port(), "nudged-nojs@example.org", "Bo Nudged");
  auto page = bo.form("/comment", "article=" + slug + "&body=Such+an+idiot+plan.");
  EXPECT_EQ(page.status, 422);
  EXPECT_NE(page.body.find("Such an idiot plan."), std::string::npos);
  EXPECT_NE(page.body.find("<button class=\"button button--quiet\" type=\"submit\" name=\"acknowledge_nudge\" "
                           "value=\"1\">Post it as it is</button>"),
            std::string::npos);
  auto posted = bo.form("/comment", "article=" + slug + "&body=Such+an+idiot+plan.&acknowledge_nudge=1");
  EXPECT_EQ(posted.status, 200) << posted.body.substr(0, 300);
  EXPECT_NE(posted.body.find("Your comment is awaiting review"), std::string::npos);
  // A word that is never published offers no such button.
  auto refused = bo.form("/comment", "article=" + slug + "&body=Scammers+all.");
  EXPECT_EQ(refused.status, 422);
  EXPECT_EQ(refused.body.find("Post it as it is"), std::string::npos);
}

// Regression: notifications linked every comment as article#comment-N, which is not on the article page for a
// reply deeper than five levels, past a thread's first 20 replies or in a thread past the first page. Each link
// now opens a page that shows the comment, in the list, in its JSON and in the digest's words alike.
TEST_F(ForumTest, NotificationLinksOpenWhereTheCommentIs) {
  auto token = server_->app().tokens().create("links", "editor").token;
  auto created = request(
      port(), {"POST",
               "/api/v1/articles",
               R"({"title":"Far away replies","authors":["T"],"section":"Opinion","body":"b","comments":"open"})",
               {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token}}});
  ASSERT_EQ(created.status, 201) << created.body;
  std::string s = "far-away-replies";
  std::string article_url(json::parse(created.body).at("url").as_string());
  auto ann = reader("Ann Faraway");
  auto bea = reader("Bea Faraway");
  // Ann's notification about a comment: its link, from the API and from the notifications page.
  auto link_for = [&](int64_t comment) {
    std::string url;
    auto v = notifications(ann);
    for (auto& n : v.at("notifications").as_array())
      if (n.at("comment").at("id").as_int64() == comment) url = std::string(n.at("comment").at("url").as_string());
    EXPECT_FALSE(url.empty()) << "no notification about " << comment;
    EXPECT_NE(ann.call("GET", "/notifications").body.find("href=\"" + url + "\""), std::string::npos) << url;
    return url;
  };
  auto lands = [&](const std::string& url, int64_t comment) {
    auto page = get(port(), url.substr(0, url.find('#')));
    EXPECT_EQ(page.status, 200) << url;
    EXPECT_EQ(url.substr(url.find('#')), "#comment-" + std::to_string(comment));
    EXPECT_NE(page.body.find("id=\"comment-" + std::to_string(comment) + "\""), std::string::npos) << url;
  };
  auto on_article_page = [&](int64_t comment) {
    return get(port(), article_url).body.find("id=\"comment-" + std::to_string(comment) + "\"") != std::string::npos;
  };

  // Seven levels deep: the article page stops indenting at five.
  int64_t parent = post(ann, s, "Level 0.");
  int64_t deep = 0;
  for (int level = 1; level <= 7; ++level) {
    deep = post(level % 2 ? bea : ann, s, "Level " + std::to_string(level) + ".", parent);
    parent = deep;
  }
  ASSERT_FALSE(on_article_page(deep));
  lands(link_for(deep), deep);

  // The 22nd reply in a thread: the article page shows 20.
  int64_t busy = post(ann, s, "A thread with many replies.");
  int64_t late = 0;
  for (int i = 1; i <= 22; ++i) late = post(bea, s, "Reply " + std::to_string(i) + ".", busy);
  ASSERT_FALSE(on_article_page(late));
  lands(link_for(late), late);

  // A reply in an old thread, on the second page of threads (50 newer threads above it).
  int64_t old_thread = post(ann, s, "An early thread.");
  for (int i = 0; i < 50; ++i) post(bea, s, "Newer thread " + std::to_string(i) + ".");
  int64_t answer = post(bea, s, "An answer in the early thread.", old_thread);
  ASSERT_FALSE(on_article_page(answer));
  lands(link_for(answer), answer);
}

// Staff reach every staff page from one menu in the masthead; admins see the admin pages there too.
TEST_F(ForumTest, StaffReachTheirPagesFromOneMenu) {
  auto mod = staff("moderator");
  auto admin = staff("admin");
  auto reader_page = reader("Plain Reader").call("GET", "/").body;
  EXPECT_EQ(reader_page.find("reader__staff"), std::string::npos);
  auto mod_page = mod.call("GET", "/").body;
  EXPECT_NE(mod_page.find("<summary class=\"reader__link\">Staff</summary>"), std::string::npos);
  EXPECT_NE(mod_page.find("<a href=\"/moderation\">Moderation</a>"), std::string::npos);
  EXPECT_EQ(mod_page.find("href=\"/admin/accounts\""), std::string::npos) << "not an admin";
  auto admin_page = admin.call("GET", "/").body;
  EXPECT_NE(admin_page.find("<a href=\"/admin/contributions\">Contributions</a>"), std::string::npos);
  EXPECT_NE(admin_page.find("<a href=\"/admin/accounts\">Accounts and roles</a>"), std::string::npos);
}

// Regression: every demo article had 0 comments, so a newcomer running the demo saw no conversation at all.
TEST(DemoForum, TheDemoShowsALivingForum) {
  TestServer server(true);
  EXPECT_GT(server.app().load_demo_forum(), 10);
  auto articles = json::parse(get(server.port(), "/api/v1/articles?limit=2").body).at("articles").as_array();
  int deepest = 0, recommended = 0, picks = 0, supporters = 0;
  for (auto& a : articles) {
    std::string slug(a.at("slug").as_string());
    EXPECT_GT(a.at("comment_count").as_int64(), 4) << slug;
    auto published = parse_rfc3339(std::string(a.at("published_at").as_string()));
    auto v = json::parse(get(server.port(), "/api/v1/articles/" + slug + "/comments?limit=200").body);
    for (auto& c : v.at("comments").as_array()) {
      picks += c.at("picked").as_bool();
      supporters += c.at("author").at("supporter").as_bool();
      EXPECT_GE(parse_rfc3339(std::string(c.at("created_at").as_string())), published) << "after its article";
    }
    auto page = get(server.port(), std::string(a.at("url").as_string())).body;
    for (int d = 0; d <= 5; ++d)
      if (page.find("data-depth=\"" + std::to_string(d) + "\"") != std::string::npos) deepest = std::max(deepest, d);
    for (size_t p = 0; (p = page.find("class=\"comment__recommends\"", p)) != std::string::npos; ++p) ++recommended;
  }
  EXPECT_GE(deepest, 3) << "threads several levels deep";
  EXPECT_GE(recommended, 5);
  EXPECT_GE(picks, 2) << "an editor's pick on each";
  EXPECT_GE(supporters, 1) << "a supporter's badge";
  // A comment waits in the moderation queue, and one demo reader follows another.
  auto queue = server.app().moderation().queue({});
  ASSERT_EQ(queue.size(), 1u);
  EXPECT_EQ(queue[0].rule, "suspect_words");
  auto jon = server.app().store().find_credentials("jon@demo.invalid");
  auto priya = server.app().store().find_credentials("priya@demo.invalid");
  ASSERT_TRUE(jon && priya) << "demo readers, marked by their demo.invalid addresses";
  EXPECT_TRUE(server.app().store().follows(jon->account.id, priya->account.id));

  // Counts where readers look: on the front page's cards and at the top of the article, linking down to the
  // conversation; the sort in use is marked.
  const auto& newest = articles[0].as_object();
  std::string url(newest.at("url").as_string());
  std::string count = std::to_string(newest.at("comment_count").as_int64()) + " comments";
  auto home = get(server.port(), "/").body;
  EXPECT_NE(home.find("<a class=\"card__comments\" href=\"" + url + "#comments\" data-count-slug=\"" +
                      std::string(newest.at("slug").as_string()) + "\">" + count + "</a>"),
            std::string::npos);
  auto page = get(server.port(), url).body;
  EXPECT_NE(page.find("<p class=\"article__comments\"><a href=\"#comments\">" + count + "</a></p>"), std::string::npos);
  EXPECT_NE(page.find("aria-current=\"true\">Newest</a>"), std::string::npos);
  auto top = get(server.port(), url + "?sort=top").body;
  EXPECT_NE(top.find("aria-current=\"true\">Most recommended</a>"), std::string::npos);
  EXPECT_EQ(top.find("aria-current=\"true\">Newest</a>"), std::string::npos);
}

// Without JavaScript: Follow from a comment leads to the author's profile and back to the comment, and an
// ignored reader's comments fold (a stylesheet the masthead links, the same for everyone ignoring the same
// readers), each one opening when its time link is followed.
TEST_F(ForumTest, FollowFromACommentAndIgnoredCommentsFoldWithoutJavaScript) {
  auto ana = reader("Folding Ana");
  auto bo = reader("Folded Bo");
  auto s = slug();
  auto top = post(ana, s, "A top comment by Ana.");
  auto reply = post(bo, s, "Bo replies.", top);
  std::string bo_id = std::to_string(bo.id);
  std::string back = "/comments/" + std::to_string(top) + "#comment-" + std::to_string(reply);
  auto thread = get(port(), "/comments/" + std::to_string(top));
  EXPECT_NE(thread.body.find("<a class=\"comment__follow-link\" href=\"/readers/" + bo_id +
                             "?return_to=" + percent_encode(back) + "#follow\">Follow</a>"),
            std::string::npos);

  // The profile opened from there: its buttons carry the way back, and following returns to the comment.
  auto profile = request(
      port(), {"GET", "/readers/" + bo_id + "?return_to=" + percent_encode(back), {}, {{"Cookie", ana.cookie}}});
  EXPECT_NE(profile.body.find("<input type=\"hidden\" name=\"return_to\" value=\"" + html_escape(back) + "\">"),
            std::string::npos);
  // Signed out, the profile's Sign in comes back to its Follow button, still knowing the comment.
  auto anonymous = get(port(), "/readers/" + bo_id + "?return_to=" + percent_encode(back));
  EXPECT_NE(anonymous.body.find("/signin?return_to=" +
                                percent_encode("/readers/" + bo_id + "?return_to=" + percent_encode(back) + "#follow")),
            std::string::npos);
  // The profile sends readers back to comments only: it is no redirector to any other page.
  EXPECT_EQ(request(port(), {"GET", "/readers/" + bo_id + "?return_to=%2Faccount", {}, {{"Cookie", ana.cookie}}})
                .body.find("Back to the comment"),
            std::string::npos);
  auto followed = ana.form("/readers/" + bo_id + "/follow", "on=1&return_to=" + percent_encode(back));
  EXPECT_EQ(followed.status, 303);
  EXPECT_EQ(followed.header("location"), back);
  EXPECT_EQ(ana.form("/readers/" + bo_id + "/follow", "on=0&return_to=" + percent_encode("//evil.example/"))
                .header("location"),
            "/");
  EXPECT_EQ(ana.form("/readers/" + bo_id + "/follow", "on=1").header("location"), "/readers/" + bo_id);

  // Ignoring from there returns to the thread, not to the comment (as the page's target it would stay open);
  // the masthead then links the folding stylesheet.
  EXPECT_EQ(request(port(), {"GET", "/", {}, {{"Cookie", ana.cookie}}}).body.find("ignored.css"), std::string::npos);
  EXPECT_EQ(ana.form("/readers/" + bo_id + "/ignore", "on=1&return_to=" + percent_encode(back)).header("location"),
            "/comments/" + std::to_string(top));
  auto page = request(port(), {"GET", "/comments/" + std::to_string(top), {}, {{"Cookie", ana.cookie}}});
  std::string sheet = "/readers/ignored.css?ids=" + bo_id;
  EXPECT_NE(page.body.find("<link rel=\"stylesheet\" href=\"" + sheet + "\">"), std::string::npos);
  auto css = get(port(), sheet);
  ASSERT_EQ(css.status, 200);
  EXPECT_EQ(css.header("content-type"), "text/css; charset=utf-8");
  EXPECT_NE(css.body.find("html:not(.js) .comment[data-author-id=\"" + bo_id +
                          "\"]:not(:target) > .comment__box > :not(.comment__meta) { display: none; }"),
            std::string::npos);
  EXPECT_NE(css.body.find("You ignore this reader."), std::string::npos);
  EXPECT_EQ(get(port(), "/readers/ignored.css?ids=1,x").status, 404);
  EXPECT_EQ(get(port(), "/readers/ignored.css?ids=1,,2").status, 404);
  // Nobody else's masthead links it.
  EXPECT_EQ(request(port(), {"GET", "/", {}, {{"Cookie", bo.cookie}}}).body.find("ignored.css"), std::string::npos);
  EXPECT_EQ(ana.form("/readers/" + bo_id + "/ignore", "on=0").status, 303);
  EXPECT_EQ(request(port(), {"GET", "/", {}, {{"Cookie", ana.cookie}}}).body.find("ignored.css"), std::string::npos);
}

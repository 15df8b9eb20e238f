// A signed-in reader's pages from memory (web/reader_slots.h): the I/O threads serve a remembered reader's
// cached pages with their own slots, and whatever changes those slots shows on the reader's next page at once.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "test_support.h"

using namespace tribune;
using namespace tribune::testing;
namespace json = boost::json;

namespace {

class SignedInPages : public ::testing::Test {
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
  static uint16_t port() { return server_->port(); }
  static uint64_t hits() { return server_->app().metrics().cache_hits(); }

  Reader reader(const std::string& name) {
    ++counter_;
    return register_reader(port(), "slots" + std::to_string(counter_) + "@example.org", name);
  }
  // The page as a browser with only this session cookie sends for it: no read-your-writes position, so
  // nothing but the remembered slots stands between a change and the page.
  static HttpResult page(const std::string& cookie, const std::string& path, bool gzip = false) {
    RequestSpec spec{"GET", path, {}, {}};
    if (!cookie.empty()) spec.headers["Cookie"] = cookie;
    if (gzip) spec.headers["Accept-Encoding"] = "gzip";
    auto r = request(port(), spec);
    if (gzip && r.header("content-encoding") == "gzip") r.body = gunzip(r.body);
    return r;
  }
  // The slug and address of an article open for comments.
  static std::pair<std::string, std::string> article() {
    auto slug = open_article_slug(port());
    auto v = json::parse(get(port(), "/api/v1/articles/" + slug).body);
    return {slug, std::string(v.at("url").as_string())};
  }
  static int64_t post(Reader& r, const std::string& slug, const std::string& body, std::optional<int64_t> parent = {}) {
    json::object o{{"body", body}};
    if (parent) o["parent_id"] = *parent;
    auto res = r.call("POST", "/api/v1/articles/" + slug + "/comments", json::serialize(o));
    EXPECT_EQ(res.status, 201) << res.body;
    return json::parse(res.body).at("comment").at("id").as_int64();
  }
  static bool names(const HttpResult& r, const std::string& name) {
    return r.body.find("<a class=\"reader__name\" href=\"/account\">" + name + "</a>") != std::string::npos;
  }
  static std::string badge(int n) {
    return "<span class=\"reader__badge\" id=\"notification-count\">" + std::to_string(n) + "</span>";
  }

  static TestServer* server_;
  static inline int counter_ = 0;
};

TestServer* SignedInPages::server_ = nullptr;

}  // namespace

TEST_F(SignedInPages, ARememberedReaderIsServedFromMemoryWithTheirOwnSlots) {
  auto [slug, url] = article();
  auto ana = reader("Slots Ana");
  auto bo = reader("Slots Bo");
  auto first = page(ana.cookie, url);
  ASSERT_EQ(first.status, 200);
  EXPECT_TRUE(names(first, "Slots Ana"));
  EXPECT_EQ(first.header("cache-control"), "private, no-store");

  auto before = hits();
  auto again = page(ana.cookie, url);
  EXPECT_EQ(hits(), before + 1) << "the second page came from memory, on the I/O thread";
  EXPECT_EQ(again.body, first.body) << "and is the same page";
  EXPECT_EQ(again.header("cache-control"), "private, no-store");
  EXPECT_NE(again.body.find("name=\"csrf_token\" value=\"" + ana.csrf + "\""), std::string::npos)
      << "her forms carry her own CSRF token";
  EXPECT_NE(again.body.find("data-api=\"/api/v1/articles/" + slug + "/comments\""), std::string::npos)
      << "the comment form posts to this article";
  EXPECT_NE(again.body.find("name=\"return_to\" value=\"" + url + "\""), std::string::npos)
      << "signing out returns her to this page";
  EXPECT_EQ(page(ana.cookie, url, true).body, first.body) << "in gzip, the same bytes";

  // Another page of hers: the same remembered slots, with that page's address.
  before = hits();
  auto home = page(ana.cookie, "/");
  EXPECT_EQ(home.status, 200);
  if (hits() == before) home = page(ana.cookie, "/");  // the front page was not rendered yet
  EXPECT_TRUE(names(home, "Slots Ana"));
  EXPECT_NE(home.body.find("name=\"return_to\" value=\"/\""), std::string::npos);

  // Nobody sees anybody else's slots.
  for (int i = 0; i < 2; ++i) {
    auto theirs = page(bo.cookie, url, i == 1);
    EXPECT_TRUE(names(theirs, "Slots Bo"));
    EXPECT_FALSE(names(theirs, "Slots Ana"));
    EXPECT_EQ(theirs.body.find(ana.csrf), std::string::npos);
  }
  auto anonymous = page("", url);
  EXPECT_EQ(anonymous.body.find("Slots Ana"), std::string::npos);
  EXPECT_NE(anonymous.body.find("data-state=\"anonymous\""), std::string::npos);
  // A cookie that names no session is nobody's, and is cleared.
  auto forged = page("tribune_session=" + std::string(43, 'A'), url);
  EXPECT_NE(forged.body.find("data-state=\"anonymous\""), std::string::npos);
  EXPECT_NE(forged.header("set-cookie").find("Max-Age=0"), std::string::npos);
}

TEST_F(SignedInPages, WhatChangesAReadersSlotsShowsOnTheirNextPageAtOnce) {
  auto [slug, url] = article();
  auto ana = reader("Badge Ana");
  auto bo = reader("Badge Bo");
  auto hers = post(ana, slug, "Ana's comment, for Bo to answer.");
  auto remembered = [&] {
    page(ana.cookie, url);
    auto before = hits();
    auto r = page(ana.cookie, url);
    EXPECT_EQ(hits(), before + 1) << "remembered";
    return r;
  };
  EXPECT_EQ(remembered().body.find(badge(1)), std::string::npos);

  // Another reader's reply notifies her: her next page counts it.
  post(bo, slug, "Bo answers Ana.", hers);
  EXPECT_NE(page(ana.cookie, url).body.find(badge(1)), std::string::npos) << "the reply's notification";
  // Reading her notifications (a GET of the page) clears the count on her next page.
  EXPECT_NE(remembered().body.find(badge(1)), std::string::npos);
  ASSERT_EQ(ana.call("GET", "/notifications").status, 200);
  EXPECT_EQ(page(ana.cookie, url).body.find(badge(1)), std::string::npos) << "read on the notifications page";
  // And through the API.
  post(bo, slug, "Bo again.", hers);
  EXPECT_NE(remembered().body.find(badge(1)), std::string::npos);
  auto latest = json::parse(ana.call("GET", "/api/v1/me/notifications").body)
                    .at("notifications")
                    .as_array()
                    .at(0)
                    .at("id")
                    .as_int64();
  ASSERT_EQ(ana.call("POST", "/api/v1/me/notifications/read", "{\"up_to\":" + std::to_string(latest) + "}").status,
            204);
  EXPECT_EQ(page(ana.cookie, url).body.find(badge(1)), std::string::npos) << "read through the API";

  // Ignoring someone folds their comments on her next page (the stylesheet that does it without JavaScript).
  remembered();
  ASSERT_EQ(ana.call("PUT", "/api/v1/readers/" + std::to_string(bo.id) + "/ignore").status / 100, 2);
  EXPECT_NE(page(ana.cookie, url).body.find("/readers/ignored.css?ids=" + std::to_string(bo.id)), std::string::npos);

  // An admin makes her a moderator: the staff menu is on her next page.
  auto boss = staff_session(*server_, "slots-boss@example.org", "Slots Boss", "admin");
  EXPECT_EQ(remembered().body.find("data-staff=\"1\""), std::string::npos);
  ASSERT_EQ(
      boss.call("PUT", "/api/v1/admin/accounts/" + std::to_string(ana.id) + "/role", R"({"role":"moderator"})").status,
      204);
  EXPECT_NE(page(ana.cookie, url).body.find("data-staff=\"1\""), std::string::npos);
}

TEST_F(SignedInPages, ASignedOutSessionShowsNoReaderEvenWhileRemembered) {
  auto [slug, url] = article();
  auto ana = reader("Signout Ana");
  page(ana.cookie, url);
  ASSERT_TRUE(names(page(ana.cookie, url), "Signout Ana"));
  std::string old_cookie = ana.cookie;
  ASSERT_EQ(ana.call("DELETE", "/api/v1/sessions/current").status, 204);
  for (bool gzip : {false, true}) {
    auto after = page(old_cookie, url, gzip);
    EXPECT_FALSE(names(after, "Signout Ana")) << "a stolen copy of the cookie shows nothing of her";
    EXPECT_NE(after.body.find("data-state=\"anonymous\""), std::string::npos);
  }

  // Signing out everywhere from one device ends what another device's cookie shows.
  auto sign_in = [&] {
    Reader device{port(), {}, {}};
    auto r = device.call(
        "POST", "/api/v1/sessions",
        R"({"email":"slots)" + std::to_string(counter_) + R"(@example.org","password":"a reader's long password"})");
    EXPECT_EQ(r.status, 200) << r.body;
    device.csrf = std::string(json::parse(r.body).at("csrf_token").as_string());
    return device;
  };
  auto laptop = sign_in();
  auto phone = sign_in();
  page(phone.cookie, url);
  ASSERT_TRUE(names(page(phone.cookie, url), "Signout Ana"));
  ASSERT_EQ(laptop.call("DELETE", "/api/v1/me/sessions").status / 100, 2);
  EXPECT_FALSE(names(page(phone.cookie, url), "Signout Ana"));
}

// Regression tests for the outside security test's findings (issue 12), one per finding, each failing on the
// code before its fix. The stream caps and descriptor exhaustion are in tests/durability/stream_cap_test.py;
// edits under sanctions in moderation_test.cpp; the address change in mail_test.cpp; the provider's reused
// session id in contributions_test.cpp; the sign-in lock per address in accounts_test.cpp.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <thread>

#include "test_support.h"

using namespace tribune;
using namespace tribune::testing;
namespace json = boost::json;

namespace {

// A socket that sends exactly what it is given and reads what comes back, with a deadline.
class RawClient {
 public:
  explicit RawClient(uint16_t port) : fd_(connect_loopback(port)) {}
  ~RawClient() { ::close(fd_); }
  bool send(const std::string& bytes) {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
  }
  // Everything until the server closes or the deadline passes; `reset` tells whether the connection was reset.
  std::string read_all(std::chrono::milliseconds timeout, bool* reset = nullptr) {
    timeval tv{0, 100000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string out;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      char buf[4096];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n > 0)
        out.append(buf, static_cast<size_t>(n));
      else if (n == 0)
        break;
      else if (errno == ECONNRESET) {
        if (reset) *reset = true;
        break;
      }
    }
    return out;
  }

 private:
  int fd_ = -1;
};

struct SecurityFindings : ::testing::Test {
  static void SetUpTestSuite() {
    server_ = new TestServer(true, {}, [](Config& c) {
      c.account_limits.register_per_ip = {100000, std::chrono::hours(1)};
      c.comment_limits.reactions = {5, std::chrono::minutes(1)};
      c.server.read_timeout = std::chrono::seconds(1);
    });
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  uint16_t port() { return server_->port(); }
  std::string origin() { return "http://127.0.0.1:" + std::to_string(port()); }
  std::string open_slug() {
    auto v = json::parse(get(port(), "/api/v1/articles?limit=50").body);
    for (auto& a : v.at("articles").as_array())
      if (a.at("comments_open").as_bool()) return std::string(a.at("slug").as_string());
    return {};
  }
  static TestServer* server_;
  static inline int counter_ = 0;
};
TestServer* SecurityFindings::server_ = nullptr;

}  // namespace

// Item 4: reactions are rate-limited per reader, and a burst of them costs the article's live pages one
// frame per comment per second, not one per toggle.
TEST_F(SecurityFindings, ReactionsAreRateLimitedAndTheirLiveFramesCoalesced) {
  auto slug = open_slug();
  auto author = register_reader(port(), "reacted" + std::to_string(++counter_) + "@example.org", "Reacted Author");
  auto posted =
      author.call("POST", "/api/v1/articles/" + slug + "/comments", R"({"body":"Recommend me, if you must."})");
  ASSERT_EQ(posted.status, 201) << posted.body;
  auto id = json::parse(posted.body).at("comment").at("id").as_int64();
  std::string target = "/api/v1/comments/" + std::to_string(id) + "/reactions/recommend";

  EventReader page(port(), "/api/v1/articles/" + slug + "/events");
  ASSERT_TRUE(page.wait_for("retry: 3000"));
  // Four readers toggle as fast as they can, five times each (the limit): twenty changes in well under a second.
  std::vector<Reader> fans;
  for (int i = 0; i < 4; ++i)
    fans.push_back(
        register_reader(port(), "fan" + std::to_string(++counter_) + "@example.org", "Fan " + std::to_string(i)));
  auto started = std::chrono::steady_clock::now();
  for (int round = 0; round < 5; ++round)
    for (auto& fan : fans) ASSERT_EQ(fan.call(round % 2 == 0 ? "PUT" : "DELETE", target).status, 200);
  auto burst = std::chrono::steady_clock::now() - started;
  // Each fan ends recommending (PUT, DELETE, PUT, DELETE, PUT): the count settles at 4.
  ASSERT_TRUE(page.wait_for("\"recommend\":4", std::chrono::seconds(3))) << "the last count reaches the page";
  size_t frames = 0;
  for (size_t at = page.text().find("event: comment.updated"); at != std::string::npos;
       at = page.text().find("event: comment.updated", at + 1))
    ++frames;
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(burst).count() + 2;
  EXPECT_LE(frames, static_cast<size_t>(seconds))
      << "20 toggles in " << seconds - 2 << " s sent " << frames << " frames";
  EXPECT_GE(frames, 1u);

  // The sixth reaction within the minute is refused, with the time to wait.
  auto limited = fans[0].call("DELETE", target);
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(error_code(limited), "rate_limited");
  EXPECT_GT(std::stoi(limited.header("retry-after")), 0);
}

// Item 5: percent-encoded CR, LF and TAB are refused in paths and queries, as other control characters are.
TEST_F(SecurityFindings, PercentEncodedLineBreaksAndTabsAreRefused) {
  for (const char* query : {"?tag=a%0d%0ab", "?tag=a%0ab", "?tag=a%09b", "?t%0dag=a"}) {
    auto r = get(port(), std::string("/api/v1/articles") + query);
    EXPECT_EQ(r.status, 400) << query;
    EXPECT_EQ(error_code(r), "invalid_query") << query;
  }
  auto path = get(port(), "/api/v1/articles/a%0d%0ab");
  EXPECT_EQ(path.status, 400);
  EXPECT_EQ(error_code(path), "invalid_path");
  EXPECT_EQ(get(port(), "/Opinion%09").status, 400);
  EXPECT_EQ(get(port(), "/api/v1/articles?tag=caf%C3%A9").status, 200) << "ordinary UTF-8 still passes";
}

// Item 6: /assets/ serves the public assets and nothing else that is compiled in.
TEST_F(SecurityFindings, AssetsServeOnlyThePublicFiles) {
  EXPECT_EQ(get(port(), "/assets/site.css").status, 200);
  EXPECT_EQ(get(port(), "/assets/app.js").status, 200);
  for (const char* hidden : {"/assets/article.mustache", "/assets/layout.mustache",
                             "/assets/01-in-praise-of-the-boring-bank.md", "/assets/templates%2Farticle.mustache"}) {
    auto r = get(port(), hidden);
    EXPECT_TRUE(r.status == 404 || r.status == 400) << hidden << " answered " << r.status;
    EXPECT_EQ(r.body.find("{{"), std::string::npos) << hidden;
  }
}

// Login CSRF: an anonymous form post needs the pre-session token of the page it came from, or a same-site
// Origin or Referer; a page on another site has none of them.
TEST_F(SecurityFindings, AnonymousFormsNeedTheirPageTokenOrASameSiteOrigin) {
  server_->app().accounts().create_account("victim-csrf@example.org", "Victim", "the attacker's password", "reader");
  std::string credentials = "email=victim-csrf%40example.org&password=the+attacker%27s+password&return_to=%2F";
  auto post = [&](const std::string& path, const std::string& body, std::map<std::string, std::string> headers) {
    headers["Content-Type"] = "application/x-www-form-urlencoded";
    return request(port(), {"POST", path, body, headers});
  };
  // A browser that sends no Origin, on another site's page: refused, and no session is started.
  auto forged = post("/signin", credentials, {});
  EXPECT_EQ(forged.status, 403);
  EXPECT_TRUE(forged.set_cookies.empty() || forged.set_cookies.front().find("tribune_session=") == std::string::npos);
  EXPECT_EQ(post("/signin", credentials, {{"Referer", "https://evil.example/login-trap"}}).status, 403);
  EXPECT_EQ(post("/register", "display_name=X&email=x%40example.org&password=long+enough+password", {}).status, 403);
  EXPECT_EQ(post("/contribute", "amount=5", {}).status, 403);

  // The sign-in page sets the pre-session cookie and carries its token; posted back together, they pass.
  auto page = get(port(), "/signin");
  ASSERT_EQ(page.status, 200);
  std::string cookie;
  for (const auto& c : page.set_cookies)
    if (c.starts_with("tribune_pre=")) cookie = c.substr(0, c.find(';'));
  ASSERT_FALSE(cookie.empty()) << "no pre-session cookie";
  EXPECT_NE(page.set_cookies.front().find("HttpOnly"), std::string::npos);
  EXPECT_NE(page.set_cookies.front().find("SameSite=Lax"), std::string::npos);
  const std::string field = "name=\"csrf_token\" value=\"";
  auto at = page.body.find(field);
  ASSERT_NE(at, std::string::npos) << "the sign-in form carries no token";
  std::string token = page.body.substr(at + field.size(), 43);
  ASSERT_EQ(page.body[at + field.size() + 43], '"');
  EXPECT_EQ(cookie, "tribune_pre=" + token);
  EXPECT_EQ(post("/signin", credentials + "&csrf_token=" + token, {}).status, 403) << "the token without its cookie";
  EXPECT_EQ(post("/signin", credentials + "&csrf_token=" + std::string(43, 'A'), {{"Cookie", cookie}}).status, 403)
      << "the cookie with another token";
  auto signed_in = post("/signin", credentials + "&csrf_token=" + token, {{"Cookie", cookie}});
  EXPECT_EQ(signed_in.status, 303) << signed_in.body;
  // Browsers that send a same-site Origin or Referer need no token (cached pages' forms rely on it).
  EXPECT_EQ(post("/signin", credentials, {{"Origin", origin()}}).status, 303);
  EXPECT_EQ(post("/signin", credentials, {{"Referer", origin() + "/signin"}}).status, 303);
  // A page that carries no token sets no cookie.
  for (const auto& c : get(port(), "/feed.xml").set_cookies) EXPECT_FALSE(c.starts_with("tribune_pre="));
}

// Slow request heads get 408 after read_timeout_seconds (1 s here), not a silent close after the idle timeout.
TEST_F(SecurityFindings, ASlowRequestHeadIsAnsweredWith408) {
  RawClient c(port());
  ASSERT_TRUE(c.send("GET /api/v1/articles HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "));
  auto started = std::chrono::steady_clock::now();
  auto answer = c.read_all(std::chrono::seconds(5));
  auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(answer.rfind("HTTP/1.1 408", 0), 0u) << answer;
  EXPECT_NE(answer.find("request_timeout"), std::string::npos);
  EXPECT_LT(waited, std::chrono::seconds(3));
}

// An oversized head is answered with 431 that the client can read, even while it is still sending: the
// server reads and discards the rest before closing, so the connection is not reset under the answer.
TEST_F(SecurityFindings, AnOversizedHeadGets431InsteadOfAReset) {
  RawClient c(port());
  std::string head = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + std::string(64 * 1024, 'a');
  c.send(head);
  c.send(std::string(64 * 1024, 'b'));
  bool reset = false;
  auto answer = c.read_all(std::chrono::seconds(5), &reset);
  EXPECT_EQ(answer.rfind("HTTP/1.1 431", 0), 0u) << answer.substr(0, 200);
  EXPECT_FALSE(reset);
}

// One rule for unknown JSON fields across the API: refused with unknown_field, naming the field.
TEST_F(SecurityFindings, UnknownJsonFieldsAreRefusedEverywhere) {
  auto r = register_reader(port(), "fields" + std::to_string(++counter_) + "@example.org", "Field Checker");
  auto slug = open_slug();
  struct Case {
    std::string method, target, body;
  };
  auto posted = r.call("POST", "/api/v1/articles/" + slug + "/comments", R"({"body":"Strictly typed."})");
  ASSERT_EQ(posted.status, 201);
  auto id = std::to_string(json::parse(posted.body).at("comment").at("id").as_int64());
  for (const auto& c : std::vector<Case>{
           {"POST", "/api/v1/articles/" + slug + "/comments", R"({"body":"x","bdoy":"typo"})"},
           {"PATCH", "/api/v1/comments/" + id, R"({"body":"x","status":"published"})"},
           {"POST", "/api/v1/comments/" + id + "/reports", R"({"reason":"spam","extra":1})"},
           {"PATCH", "/api/v1/me", R"({"display_name":"X","role":"admin"})"},
           {"PUT", "/api/v1/me/digest", R"({"digest":"off","every":"day"})"},
           {"POST", "/api/v1/sessions", R"({"email":"a@example.org","password":"p","remember":true})"},
           {"POST", "/api/v1/accounts",
            R"({"email":"b@example.org","password":"long password here","display_name":"B","role":"admin"})"}}) {
    auto res = r.call(c.method, c.target, c.body);
    EXPECT_EQ(res.status, 400) << c.method << " " << c.target << ": " << res.body;
    EXPECT_EQ(error_code(res), "unknown_field") << c.target;
    EXPECT_FALSE(json::parse(res.body).at("error").at("field").as_string().empty());
  }
}

// A 401 for a cookie that names no live session also clears the cookie.
TEST_F(SecurityFindings, AnUnknownSessionCookieIsClearedWithThe401) {
  auto r = request(port(), {"GET", "/api/v1/me", {}, {{"Cookie", "tribune_session=" + std::string(43, 'Z')}}});
  EXPECT_EQ(r.status, 401);
  bool cleared = false;
  for (const auto& c : r.set_cookies)
    cleared = cleared || (c.starts_with("tribune_session=;") && c.find("Max-Age=0") != std::string::npos);
  EXPECT_TRUE(cleared);
}

// /metrics: loopback clients only by default; a token, public or off by configuration; 404 to anyone else.
TEST(MetricsAccess, OnlyWhomTheConfigurationAllows) {
  {
    TestServer loopback(false, {}, [](Config& c) { c.pipeline.trusted_proxies = {"127.0.0.1"}; });
    EXPECT_EQ(get(loopback.port(), "/metrics").status, 200);
    auto remote = request(loopback.port(), {"GET", "/metrics", {}, {{"X-Forwarded-For", "203.0.113.7"}}});
    EXPECT_EQ(remote.status, 404) << "a client behind the proxy is not on this machine";
  }
  {
    TestServer token(false, {}, [](Config& c) {
      c.metrics.access = MetricsAccess::token;
      c.metrics.token = "a-long-scrape-token-0123";
    });
    EXPECT_EQ(get(token.port(), "/metrics").status, 404);
    EXPECT_EQ(
        request(token.port(), {"GET", "/metrics", {}, {{"Authorization", "Bearer wrong-token-0123456789"}}}).status,
        404);
    auto ok = request(token.port(), {"GET", "/metrics", {}, {{"Authorization", "Bearer a-long-scrape-token-0123"}}});
    EXPECT_EQ(ok.status, 200);
    EXPECT_NE(ok.body.find("tribune_live_streams "), std::string::npos);
  }
  {
    TestServer off(false, {}, [](Config& c) { c.metrics.access = MetricsAccess::off; });
    EXPECT_EQ(get(off.port(), "/metrics").status, 404);
  }
}

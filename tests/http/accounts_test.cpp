// BrowserClient accounts over HTTP: registration signs in at once, sessions, CSRF, enumeration, bad input.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>
#include <thread>

#include "smtp_sink.h"
#include "test_support.h"

using namespace tribune;
using namespace tribune::testing;
namespace json = boost::json;

namespace {

std::string error_field(const HttpResult& r) {
  auto v = json::parse(r.body);
  const auto& e = v.at("error").as_object();
  return e.contains("field") ? std::string(e.at("field").as_string()) : "";
}

// A browser-like client: keeps the session cookie and the CSRF token, sends a same-site Origin.
struct BrowserClient {
  uint16_t port;
  std::string cookie;  // "tribune_session=..."
  std::string csrf;

  HttpResult call(const std::string& method, const std::string& target, const std::string& body = {},
                  std::map<std::string, std::string> extra = {}) {
    RequestSpec spec{method, target, body, {}};
    if (!body.empty()) spec.headers["Content-Type"] = "application/json";
    if (!cookie.empty()) spec.headers["Cookie"] = cookie;
    if (!csrf.empty() && method != "GET") spec.headers["X-CSRF-Token"] = csrf;
    spec.headers["Origin"] = "http://127.0.0.1:" + std::to_string(port);
    for (auto& [k, v] : extra) spec.headers[k] = v;
    auto r = request(port, spec);
    auto set = r.header("set-cookie");
    if (!set.empty()) cookie = set.substr(0, set.find(';'));
    if (cookie.ends_with("=")) cookie.clear();
    if (r.status < 300 && !r.body.empty() && r.body.front() == '{') {
      auto v = json::parse(r.body);
      if (v.as_object().contains("csrf_token")) csrf = std::string(v.at("csrf_token").as_string());
    }
    return r;
  }

  HttpResult register_as(const std::string& email, const std::string& name = "BrowserClient",
                         const std::string& password = "correct horse battery staple") {
    json::object o{{"email", email}, {"display_name", name}, {"password", password}};
    return call("POST", "/api/v1/accounts", json::serialize(o));
  }
};

class AccountsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new TestServer(true, {}, [](Config& c) {
      c.account_limits.register_per_ip = {100000, std::chrono::hours(1)};
      c.account_limits.signin_per_ip = {100000, std::chrono::hours(1)};
    });
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  BrowserClient reader() { return BrowserClient{server_->port(), {}, {}}; }
  std::string unique_email() { return "reader" + std::to_string(++counter_) + "@example.org"; }
  std::string article_url() {
    auto r = get(server_->port(), "/api/v1/articles?limit=1");
    return std::string(json::parse(r.body).at("articles").at(0).at("url").as_string());
  }

  static TestServer* server_;
  static inline int counter_ = 0;
};

TestServer* AccountsTest::server_ = nullptr;

}  // namespace

TEST_F(AccountsTest, RegistrationSignsInAtOnce) {
  auto r = reader();
  auto res = r.register_as(unique_email(), "Ada BrowserClient");
  ASSERT_EQ(res.status, 201) << res.body;
  auto set = res.header("set-cookie");
  EXPECT_NE(set.find("tribune_session="), std::string::npos);
  EXPECT_NE(set.find("HttpOnly"), std::string::npos);
  EXPECT_NE(set.find("SameSite=Lax"), std::string::npos);
  EXPECT_NE(set.find("Path=/"), std::string::npos);
  auto body = json::parse(res.body);
  EXPECT_EQ(body.at("account").at("display_name").as_string(), "Ada BrowserClient");
  EXPECT_GE(body.at("csrf_token").as_string().size(), 32u);
  auto me = r.call("GET", "/api/v1/me");
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(json::parse(me.body).at("account").at("display_name").as_string(), "Ada BrowserClient");
  EXPECT_EQ(json::parse(me.body).at("csrf_token").as_string(), body.at("csrf_token").as_string());
  // The next page the reader opens shows them signed in, and is not shared with anyone else.
  auto page = r.call("GET", article_url());
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("data-state=\"signed-in\""), std::string::npos);
  EXPECT_NE(page.body.find(">Ada BrowserClient</a>"), std::string::npos);
  EXPECT_EQ(page.header("cache-control"), "private, no-store");
  auto anonymous = get(server_->port(), article_url());
  EXPECT_EQ(anonymous.body.find("Ada BrowserClient"), std::string::npos);
  EXPECT_NE(anonymous.body.find("data-state=\"anonymous\""), std::string::npos);
}

TEST_F(AccountsTest, MeWithoutSessionIs401) {
  auto me = get(server_->port(), "/api/v1/me");
  EXPECT_EQ(me.status, 401);
  EXPECT_EQ(error_code(me), "unauthenticated");
}

TEST_F(AccountsTest, CsrfIsRequiredForCookieAuthenticatedChanges) {
  auto r = reader();
  ASSERT_EQ(r.register_as(unique_email()).status, 201);
  auto token = r.csrf;
  r.csrf.clear();
  auto res = r.call("DELETE", "/api/v1/sessions/current");
  EXPECT_EQ(res.status, 403);
  EXPECT_EQ(error_code(res), "csrf_failed");
  r.csrf = (token[0] == 'A' ? "B" : "A") + token.substr(1);  // always a different token (1 in 64 began with A)
  EXPECT_EQ(r.call("DELETE", "/api/v1/sessions/current").status, 403);
  r.csrf = token;
  res = r.call("DELETE", "/api/v1/sessions/current", {}, {{"Origin", "https://evil.example"}});
  EXPECT_EQ(res.status, 403) << "a foreign Origin is refused even with the right token";
  EXPECT_EQ(r.call("GET", "/api/v1/me").status, 200) << "nothing changed";
  res = r.call("DELETE", "/api/v1/sessions/current");
  EXPECT_EQ(res.status, 204);
  EXPECT_EQ(r.call("GET", "/api/v1/me").status, 401);
}

TEST_F(AccountsTest, ForeignOriginCannotRegisterOrSignIn) {
  auto r = reader();
  auto res = r.call("POST", "/api/v1/accounts",
                    R"({"email":"x@example.org","display_name":"X","password":"long enough pass"})",
                    {{"Origin", "https://evil.example"}});
  EXPECT_EQ(res.status, 403);
  EXPECT_EQ(error_code(res), "csrf_failed");
}

TEST_F(AccountsTest, EmailsAreUniqueCaseInsensitively) {
  auto email = unique_email();
  ASSERT_EQ(reader().register_as(email).status, 201);
  auto upper = email;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto res = reader().register_as(upper);
  EXPECT_EQ(res.status, 409);
  EXPECT_EQ(error_code(res), "email_taken");
  EXPECT_EQ(error_field(res), "email");
}

TEST_F(AccountsTest, RacingDuplicateRegistrationsCreateOneAccount) {
  auto email = unique_email();
  std::vector<std::thread> threads;
  std::atomic<int> created{0}, conflicts{0};
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&] {
      auto r = reader();
      int status = r.register_as(email).status;
      if (status == 201) created++;
      if (status == 409) conflicts++;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(conflicts.load(), 7);
}

TEST_F(AccountsTest, BadRegistrationsNameTheField) {
  struct Case {
    std::string email, name, password, field, code;
  };
  std::vector<Case> cases = {
      {"not-an-email", "N", "long enough pass", "email", "invalid_email"},
      {"a@b", "N", "long enough pass", "email", "invalid_email"},
      {"", "N", "long enough pass", "email", "missing_field"},
      {unique_email(), "", "long enough pass", "display_name", "missing_field"},
      {unique_email(), "Evil\xE2\x80\xAEgnp.exe", "long enough pass", "display_name", "invalid_characters"},
      {unique_email(), "Zero\xE2\x80\x8Bwidth", "long enough pass", "display_name", "invalid_characters"},
      {unique_email(), "Bell\x07", "long enough pass", "display_name", "invalid_characters"},
      {unique_email(), std::string(51, 'n'), "long enough pass", "display_name", "too_long"},
      {unique_email(), "ADMIN", "long enough pass", "display_name", "name_reserved"},
      {unique_email(), "Adm\xD1\x96n", "long enough pass", "display_name", "name_reserved"},  // Cyrillic i
      {unique_email(), "N", "short", "password", "password_too_short"},
      {unique_email(), "N", "password123", "password", "password_too_common"},
      {unique_email(), "N", std::string(300, 'x'), "password", "password_too_long"},
  };
  for (const auto& c : cases) {
    auto res = reader().register_as(c.email, c.name, c.password);
    EXPECT_EQ(res.status, 422) << c.code << ": " << res.body;
    EXPECT_EQ(error_field(res), c.field) << c.code;
    EXPECT_EQ(error_code(res), c.code) << res.body;
  }
  auto huge = reader().register_as(unique_email(), "N", std::string(1024 * 1024, 'x'));
  EXPECT_EQ(huge.status, 413) << "a 1 MB password is refused before any hashing";
}

TEST_F(AccountsTest, NamesConfusableWithStaffAreRefused) {
  server_->app().accounts().create_account("editor@example.org", "Helena Marsh", "an editor's long password", "editor");
  auto res = reader().register_as(unique_email(), "HeIena Marsh");  // capital I for l
  EXPECT_EQ(res.status, 422);
  EXPECT_EQ(error_code(res), "name_reserved");
  EXPECT_EQ(reader().register_as(unique_email(), "Helena Marshall").status, 201);
}

TEST_F(AccountsTest, SignInDoesNotTellWhichPartWasWrong) {
  auto email = unique_email();
  ASSERT_EQ(reader().register_as(email, "Known", "the right long password").status, 201);
  auto wrong_password =
      reader().call("POST", "/api/v1/sessions",
                    json::serialize(json::object{{"email", email}, {"password", "the wrong long password"}}));
  auto unknown = reader().call(
      "POST", "/api/v1/sessions",
      json::serialize(json::object{{"email", "nobody@example.org"}, {"password", "the wrong long password"}}));
  EXPECT_EQ(wrong_password.status, 401);
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(wrong_password.body, unknown.body);
  auto r = reader();
  auto ok = r.call("POST", "/api/v1/sessions",
                   json::serialize(json::object{{"email", email}, {"password", "the right long password"}}));
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(r.call("GET", "/api/v1/me").status, 200);
}

TEST_F(AccountsTest, EverySignInGetsANewSessionAndSessionsCanBeEnded) {
  auto email = unique_email();
  auto laptop = reader();
  ASSERT_EQ(laptop.register_as(email, "Two Devices", "two devices password").status, 201);
  auto phone = reader();
  ASSERT_EQ(phone
                .call("POST", "/api/v1/sessions",
                      json::serialize(json::object{{"email", email}, {"password", "two devices password"}}))
                .status,
            200);
  EXPECT_NE(laptop.cookie, phone.cookie);
  auto list = laptop.call("GET", "/api/v1/me/sessions");
  ASSERT_EQ(list.status, 200);
  auto sessions = json::parse(list.body).at("sessions").as_array();
  ASSERT_EQ(sessions.size(), 2u);
  int64_t other = 0;
  for (auto& s : sessions)
    if (!s.at("current").as_bool()) other = s.at("id").as_int64();
  EXPECT_EQ(laptop.call("DELETE", "/api/v1/me/sessions/" + std::to_string(other)).status, 204);
  EXPECT_EQ(phone.call("GET", "/api/v1/me").status, 401) << "the phone was signed out from the laptop";
  EXPECT_EQ(laptop.call("GET", "/api/v1/me").status, 200);
  EXPECT_EQ(laptop.call("DELETE", "/api/v1/me/sessions/999999").status, 404);
  EXPECT_EQ(laptop.call("DELETE", "/api/v1/me/sessions").status, 204);
}

TEST_F(AccountsTest, ForgedCookiesAreAnonymousAndCleared) {
  for (const std::string& forged : std::vector<std::string>{
           "tribune_session=forged", "tribune_session=" + std::string(43, 'A'), "tribune_session="}) {
    auto me = request(server_->port(), {"GET", "/api/v1/me", {}, {{"Cookie", forged}}});
    EXPECT_EQ(me.status, 401) << forged;
    auto page = request(server_->port(), {"GET", "/", {}, {{"Cookie", forged}}});
    EXPECT_EQ(page.status, 200);
    EXPECT_NE(page.body.find("data-state=\"anonymous\""), std::string::npos);
  }
  auto cleared = request(server_->port(), {"GET", "/", {}, {{"Cookie", "tribune_session=" + std::string(43, 'B')}}});
  EXPECT_NE(cleared.header("set-cookie").find("Max-Age=0"), std::string::npos);
}

TEST_F(AccountsTest, FormRegistrationWithoutJavaScriptRedirectsBackSignedIn) {
  auto url = article_url();
  auto email = unique_email();
  std::string form =
      "display_name=Form+BrowserClient&email=" + email + "&password=a+form+posted+password&return_to=" + url;
  auto res = request(server_->port(), {"POST",
                                       "/register",
                                       form,
                                       {{"Content-Type", "application/x-www-form-urlencoded"},
                                        {"Origin", "http://127.0.0.1:" + std::to_string(server_->port())}}});
  ASSERT_EQ(res.status, 303) << res.body;
  EXPECT_EQ(res.header("location"), url);
  auto cookie = res.header("set-cookie");
  cookie = cookie.substr(0, cookie.find(';'));
  auto page = request(server_->port(), {"GET", url, {}, {{"Cookie", cookie}}});
  EXPECT_NE(page.body.find(">Form BrowserClient</a>"), std::string::npos);
  EXPECT_NE(page.body.find("Comment as <strong>Form BrowserClient</strong>"), std::string::npos);
  // The sign-out form carries the CSRF token; without it the post is refused.
  auto refused =
      request(server_->port(),
              {"POST", "/signout", "", {{"Cookie", cookie}, {"Content-Type", "application/x-www-form-urlencoded"}}});
  EXPECT_EQ(refused.status, 403);
}

// Regression: the masthead's Sign in, Register and Sign out threw the reader off the article (return_to=/),
// and the comment box's Sign in returned to the top of the article rather than the conversation.
TEST_F(AccountsTest, EveryWayInAndOutReturnsToWhereTheReaderWas) {
  auto url = article_url();
  std::string encoded = percent_encode(url);
  auto anonymous = get(server_->port(), url).body;
  EXPECT_NE(anonymous.find("href=\"/signin?return_to=" + encoded + "\">Sign in</a>"), std::string::npos);
  EXPECT_NE(anonymous.find("href=\"/register?return_to=" + encoded + "\">Register</a>"), std::string::npos);
  EXPECT_NE(anonymous.find("href=\"/signin?return_to=" + encoded + "%23join\">Sign in</a>"), std::string::npos)
      << "the comment box's sign-in comes back to the comment box";
  EXPECT_NE(anonymous.find("name=\"return_to\" value=\"" + url + "#join\""), std::string::npos)
      << "registering in the comment box comes back to it";
  // The sign-in page keeps it, also on its link to registering instead.
  auto signin = get(server_->port(), "/signin?return_to=" + encoded + "%23join").body;
  EXPECT_NE(signin.find("name=\"return_to\" value=\"" + url + "#join\""), std::string::npos);
  EXPECT_NE(signin.find("/register?return_to=" + encoded + "%23join"), std::string::npos);

  auto r = reader();
  ASSERT_EQ(r.register_as(unique_email(), "Round Tripper", "a round trip password").status, 201);
  auto page = r.call("GET", url).body;
  EXPECT_NE(page.find("name=\"return_to\" value=\"" + url +
                      "\"><button class=\"reader__link\" type=\"submit\">Sign "
                      "out</button>"),
            std::string::npos);
  auto out = r.call("POST", "/signout", "csrf_token=" + r.csrf + "&return_to=" + encoded,
                    {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(out.status, 303);
  EXPECT_EQ(out.header("location"), url);
  // From a page that needs a session, signing out lands on the front page.
  auto r2 = reader();
  ASSERT_EQ(r2.register_as(unique_email(), "Account Leaver", "an account leaver password").status, 201);
  EXPECT_NE(r2.call("GET", "/account").body.find("name=\"return_to\" value=\"/\"><button class=\"reader__link\""),
            std::string::npos);
}

TEST_F(AccountsTest, FormErrorsKeepWhatTheReaderTyped) {
  std::string form = "display_name=Keeps+Name&email=bad-address&password=whatever+long&return_to=/";
  auto res = request(server_->port(), {"POST",
                                       "/register",
                                       form,
                                       {{"Content-Type", "application/x-www-form-urlencoded"},
                                        {"Origin", "http://127.0.0.1:" + std::to_string(server_->port())}}});
  EXPECT_EQ(res.status, 422);
  EXPECT_NE(res.body.find("value=\"Keeps Name\""), std::string::npos);
  EXPECT_NE(res.body.find("does not look like an email address"), std::string::npos);
}

TEST_F(AccountsTest, ReturnToNeverLeavesTheSite) {
  for (std::string target :
       {"%2F%2Fevil.example%2Fx", "https%3A%2F%2Fevil.example", "%2F%5Cevil.example", "javascript%3Aalert(1)"}) {
    std::string form = "display_name=Hop&email=" + unique_email() + "&password=a+long+enough+one&return_to=" + target;
    auto res = request(server_->port(), {"POST",
                                         "/register",
                                         form,
                                         {{"Content-Type", "application/x-www-form-urlencoded"},
                                          {"Origin", "http://127.0.0.1:" + std::to_string(server_->port())}}});
    EXPECT_EQ(res.status, 303);
    EXPECT_EQ(res.header("location"), "/") << target;
  }
}

TEST_F(AccountsTest, NoPasswordOrTokenIsStoredInClear) {
  if (server_->uses_postgres()) GTEST_SKIP() << "scans the SQLite files";
  auto r = reader();
  std::string password = "a very distinctive password 4711";
  ASSERT_EQ(r.register_as(unique_email(), "Clear Check", password).status, 201);
  std::string token = r.cookie.substr(r.cookie.find('=') + 1);
  auto editor_token = server_->app().tokens().create("scan", "editor").token;
  std::string bytes;
  for (auto suffix : {"/tribune.db", "/tribune.db-wal"}) {
    std::ifstream in(server_->data_dir() + suffix, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    bytes += ss.str();
  }
  ASSERT_GT(bytes.size(), 1000u);
  EXPECT_EQ(bytes.find(password), std::string::npos);
  EXPECT_EQ(bytes.find(token), std::string::npos);
  EXPECT_EQ(bytes.find(editor_token), std::string::npos);
  EXPECT_NE(bytes.find("$argon2id$v=19$m=19456,t=2,p=1$"), std::string::npos);
}

TEST(AccountsRateLimit, RepeatedFailuresAre429WithRetryAfter) {
  TestServer server(false, {}, [](Config& c) { c.account_limits.signin_per_account = {3, std::chrono::seconds(60)}; });
  server.app().accounts().create_account("owner@example.org", "Owner", "the owner's password", "reader");
  auto attempt = [&](const std::string& password) {
    return request(server.port(),
                   {"POST",
                    "/api/v1/sessions",
                    json::serialize(json::object{{"email", "owner@example.org"}, {"password", password}}),
                    {{"Content-Type", "application/json"}}});
  };
  for (int i = 0; i < 3; ++i) EXPECT_EQ(attempt("wrong password guess").status, 401);
  auto limited = attempt("wrong password guess");
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(error_code(limited), "rate_limited");
  int retry = std::stoi(limited.header("retry-after"));
  EXPECT_GT(retry, 0);
  EXPECT_LE(retry, 61);
}

TEST_F(AccountsTest, ProfileChangesNeedThePasswordWhereItMatters) {
  auto r = reader();
  auto email = unique_email();
  ASSERT_EQ(r.register_as(email, "Old Name", "profile change password").status, 201);
  auto renamed = r.call("PATCH", "/api/v1/me", R"({"display_name":"New Name"})");
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(json::parse(r.call("GET", "/api/v1/me").body).at("account").at("display_name").as_string(), "New Name");
  auto wrong = r.call("POST", "/api/v1/me/email", R"({"email":"moved@example.org","password":"not my password"})");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(error_code(wrong), "invalid_credentials");
  auto moved =
      r.call("POST", "/api/v1/me/email", R"({"email":"moved@example.org","password":"profile change password"})");
  EXPECT_EQ(moved.status, 202);
  // Issue 12, item 3: nothing changes until the new address confirms (MailTest.AnAddressChangeWaitsFor...).
  auto me = json::parse(r.call("GET", "/api/v1/me").body);
  EXPECT_EQ(me.at("account").at("email").as_string(), email);
  auto same = r.call("POST", "/api/v1/me/email",
                     json::serialize(json::object{{"email", email}, {"password", "profile change password"}}));
  EXPECT_EQ(same.status, 422);
  EXPECT_EQ(error_code(same), "same_email");
}

TEST_F(AccountsTest, PasswordChangeCanEndOtherSessions) {
  auto email = unique_email();
  auto laptop = reader();
  ASSERT_EQ(laptop.register_as(email, "Changer", "first long password").status, 201);
  auto phone = reader();
  ASSERT_EQ(phone
                .call("POST", "/api/v1/sessions",
                      json::serialize(json::object{{"email", email}, {"password", "first long password"}}))
                .status,
            200);
  auto res = laptop.call(
      "POST", "/api/v1/me/password",
      R"({"current_password":"first long password","new_password":"second long password","sign_out_others":true})");
  EXPECT_EQ(res.status, 204) << res.body;
  EXPECT_EQ(laptop.call("GET", "/api/v1/me").status, 200);
  EXPECT_EQ(phone.call("GET", "/api/v1/me").status, 401);
  auto again = reader();
  EXPECT_EQ(again
                .call("POST", "/api/v1/sessions",
                      json::serialize(json::object{{"email", email}, {"password", "second long password"}}))
                .status,
            200);
}

TEST_F(AccountsTest, ExportHoldsEverythingAndDeletionKeepsCommentsAnonymously) {
  auto r = reader();
  auto email = unique_email();
  ASSERT_EQ(r.register_as(email, "Leaving BrowserClient", "leaving reader password").status, 201);
  auto slug = std::string(
      json::parse(get(server_->port(), "/api/v1/articles?limit=1").body).at("articles").at(0).at("slug").as_string());
  auto posted = r.call("POST", "/api/v1/articles/" + slug + "/comments", R"({"body":"My parting words."})");
  ASSERT_EQ(posted.status, 201) << posted.body;
  auto comment_id = json::parse(posted.body).at("comment").at("id").as_int64();
  ASSERT_EQ(
      r.call("PATCH", "/api/v1/comments/" + std::to_string(comment_id), R"({"body":"My parting words, revised."})")
          .status,
      200);
  // Everything else the reader did goes into the export too (it held only the account, sessions and comments).
  auto other = reader();
  ASSERT_EQ(other.register_as(unique_email(), "Other BrowserClient", "other reader password").status, 201);
  auto noisy = reader();
  ASSERT_EQ(noisy.register_as(unique_email(), "Noisy BrowserClient", "noisy reader password").status, 201);
  auto other_id = json::parse(other.call("GET", "/api/v1/me").body).at("account").at("id").as_int64();
  auto noisy_id = json::parse(noisy.call("GET", "/api/v1/me").body).at("account").at("id").as_int64();
  auto theirs =
      json::parse(other.call("POST", "/api/v1/articles/" + slug + "/comments", R"({"body":"Other words."})").body)
          .at("comment")
          .at("id")
          .as_int64();
  auto loud =
      json::parse(noisy.call("POST", "/api/v1/articles/" + slug + "/comments", R"({"body":"Loud words."})").body)
          .at("comment")
          .at("id")
          .as_int64();
  ASSERT_EQ(r.call("PUT", "/api/v1/readers/" + std::to_string(other_id) + "/follow").status, 200);
  ASSERT_EQ(r.call("PUT", "/api/v1/readers/" + std::to_string(noisy_id) + "/ignore").status, 200);
  ASSERT_EQ(r.call("PUT", "/api/v1/comments/" + std::to_string(theirs) + "/reactions/recommend").status, 200);
  ASSERT_EQ(
      r.call("POST", "/api/v1/comments/" + std::to_string(loud) + "/reports", R"({"reason":"abuse","note":"shouting"})")
          .status,
      201);
  ASSERT_EQ(other
                .call("POST", "/api/v1/articles/" + slug + "/comments",
                      json::serialize(json::object{{"body", "A reply."}, {"parent_id", comment_id}}))
                .status,
            201);
  auto me_id = json::parse(r.call("GET", "/api/v1/me").body).at("account").at("id").as_int64();
  server_->app().store().create_contribution(NewContribution{500, "GBP", "month", {}, "", me_id, email, now_seconds()});
  auto exported = r.call("GET", "/api/v1/me/export");
  ASSERT_EQ(exported.status, 200);
  EXPECT_NE(exported.header("content-disposition").find("attachment"), std::string::npos);
  auto data = json::parse(exported.body);
  EXPECT_EQ(data.at("account").at("email").as_string(), email);
  EXPECT_EQ(data.at("comments").at(0).at("body_markdown").as_string(), "My parting words, revised.");
  EXPECT_EQ(data.at("comment_revisions").at(0).at("body_markdown").as_string(), "My parting words.")
      << "the text an edit replaced is held, so it is exported";
  EXPECT_GE(data.at("sessions").as_array().size(), 1u);
  EXPECT_EQ(exported.body.find("argon2"), std::string::npos) << "no password hash in the export";
  EXPECT_EQ(data.at("following").at(0).at("display_name").as_string(), "Other BrowserClient");
  EXPECT_EQ(data.at("ignoring").at(0).at("account_id").as_int64(), noisy_id);
  EXPECT_EQ(data.at("reactions").at(0).at("comment_id").as_int64(), theirs);
  EXPECT_EQ(data.at("reports").at(0).at("note").as_string(), "shouting");
  EXPECT_EQ(data.at("notifications").at(0).at("kind").as_string(), "reply");
  EXPECT_EQ(data.at("contributions").at(0).at("amount_minor").as_int64(), 500);
  EXPECT_EQ(data.at("contributions").at(0).at("interval").as_string(), "month");
  EXPECT_EQ(r.call("DELETE", "/api/v1/me", R"({"password":"wrong password here"})").status, 401);
  auto deleted = r.call("DELETE", "/api/v1/me", R"({"password":"leaving reader password"})");
  EXPECT_EQ(deleted.status, 204);
  EXPECT_EQ(r.call("GET", "/api/v1/me").status, 401);
  auto list = json::parse(get(server_->port(), "/api/v1/articles/" + slug + "/comments?limit=200").body);
  bool found = false;
  for (auto& c : list.at("comments").as_array())
    if (c.at("id").as_int64() == comment_id) {
      found = true;
      EXPECT_EQ(c.at("author").at("display_name").as_string(), "Deleted reader");
      EXPECT_TRUE(c.at("author").at("id").is_null());
    }
  EXPECT_TRUE(found);
  auto again = reader();
  EXPECT_EQ(again
                .call("POST", "/api/v1/sessions",
                      json::serialize(json::object{{"email", email}, {"password", "leaving reader password"}}))
                .status,
            401);
  EXPECT_EQ(reader().register_as(email).status, 201) << "the address is free again";
}

TEST_F(AccountsTest, OnlyAdminsGrantRoles) {
  server_->app().accounts().create_account("boss@example.org", "The Boss", "the boss's long password", "admin");
  auto boss = reader();
  ASSERT_EQ(
      boss.call("POST", "/api/v1/sessions", R"({"email":"boss@example.org","password":"the boss's long password"})")
          .status,
      200);
  auto r = reader();
  ASSERT_EQ(r.register_as(unique_email(), "Future Moderator").status, 201);
  auto id = json::parse(r.call("GET", "/api/v1/me").body).at("account").at("id").as_int64();
  std::string target = "/api/v1/admin/accounts/" + std::to_string(id) + "/role";
  EXPECT_EQ(r.call("PUT", target, R"({"role":"admin"})").status, 403) << "a reader cannot promote themself";
  EXPECT_EQ(boss.call("PUT", target, R"({"role":"emperor"})").status, 422);
  EXPECT_EQ(boss.call("PUT", target, R"({"role":"moderator"})").status, 204);
  EXPECT_EQ(json::parse(r.call("GET", "/api/v1/me").body).at("account").at("role").as_string(), "moderator");
  auto list = boss.call("GET", "/api/v1/admin/accounts?limit=500");
  EXPECT_EQ(list.status, 200);
  EXPECT_NE(list.body.find("Future Moderator"), std::string::npos);
  EXPECT_EQ(r.call("GET", "/api/v1/admin/accounts").status, 403);
  auto page = boss.call("GET", "/admin/accounts");
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("Future Moderator"), std::string::npos);
}

// Issue 12: failed sign-ins lock the (account, address) pair, not the account for everyone; attempts from
// every address together have a higher cap, which a completed password reset lifts.
TEST(AccountsRateLimit, AStrangerCannotLockTheOwnerOutAndAResetLiftsTheLock) {
  SmtpSink sink;
  TestServer server(false, {}, [&](Config& c) {
    c.account_limits.signin_per_account = {3, std::chrono::seconds(60)};
    c.account_limits.signin_per_account_everywhere = {5, std::chrono::seconds(60)};
    c.pipeline.trusted_proxies = {"127.0.0.1"};
    c.smtp.url = sink.url();
  });
  server.app().accounts().create_account("locked@example.org", "Owner", "the owner's password", "reader");
  auto attempt = [&](const std::string& from, const std::string& password) {
    return request(server.port(),
                   {"POST",
                    "/api/v1/sessions",
                    json::serialize(json::object{{"email", "locked@example.org"}, {"password", password}}),
                    {{"Content-Type", "application/json"}, {"X-Forwarded-For", from}}});
  };
  for (int i = 0; i < 3; ++i) EXPECT_EQ(attempt("203.0.113.9", "a stranger's guess").status, 401);
  EXPECT_EQ(attempt("203.0.113.9", "a stranger's guess").status, 429) << "the stranger's address is slowed";
  EXPECT_EQ(attempt("198.51.100.7", "the owner's password").status, 200) << "the owner, elsewhere, is not";
  // Guesses spread over addresses meet the account-wide cap...
  for (int i = 0; i < 3; ++i) EXPECT_EQ(attempt("203.0.113.10", "another guess").status, 401);
  for (int i = 0; i < 2; ++i) EXPECT_EQ(attempt("203.0.113.11", "another guess").status, 401);
  EXPECT_EQ(attempt("198.51.100.7", "the owner's password").status, 429);
  // ...which the owner lifts by resetting the password from their mailbox.
  ASSERT_EQ(request(server.port(), {"POST",
                                    "/api/v1/password-resets",
                                    R"({"email":"locked@example.org"})",
                                    {{"Content-Type", "application/json"}, {"X-Forwarded-For", "198.51.100.7"}}})
                .status,
            202);
  auto mail = sink.wait_for("locked@example.org");
  ASSERT_TRUE(mail);
  auto link = first_link(mail->body());
  auto reset = request(server.port(), {"POST",
                                       "/api/v1/password-resets/confirm",
                                       json::serialize(json::object{{"token", link.substr(link.find("token=") + 6)},
                                                                    {"password", "the owner's new password"}}),
                                       {{"Content-Type", "application/json"}}});
  ASSERT_EQ(reset.status, 204) << reset.body;
  EXPECT_EQ(attempt("198.51.100.7", "the owner's new password").status, 200);
}

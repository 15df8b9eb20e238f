// Mail over real SMTP: verification and password-reset links end to end, and the outbox's retries.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <thread>

#include "mail/outbox_worker.h"
#include "smtp_sink.h"
#include "store/sqlite/sqlite_store.h"
#include "test_support.h"

using namespace tribune;
using namespace tribune::testing;
namespace json = boost::json;

namespace {

std::string path_of(const std::string& url) {
  auto p = url.find('/', url.find("://") + 3);
  return url.substr(p);
}

std::string token_of(const std::string& url) {
  return url.substr(url.find("token=") + 6);
}

struct MailTest : ::testing::Test {
  SmtpSink sink;
  std::unique_ptr<TestServer> server;

  void SetUp() override {
    server = std::make_unique<TestServer>(false, std::string{}, [this](Config& c) { c.smtp.url = sink.url(); });
  }
  uint16_t port() { return server->port(); }

  HttpResult register_reader(const std::string& email, std::string& cookie, std::string& csrf) {
    json::object o{{"email", email}, {"display_name", "Mail Reader"}, {"password", "a long enough password"}};
    auto r = request(port(), {"POST", "/api/v1/accounts", json::serialize(o), {{"Content-Type", "application/json"}}});
    cookie = r.header("set-cookie").substr(0, r.header("set-cookie").find(';'));
    if (r.status == 201) csrf = std::string(json::parse(r.body).at("csrf_token").as_string());
    return r;
  }
  bool verified(const std::string& cookie) {
    auto me = request(port(), {"GET", "/api/v1/me", {}, {{"Cookie", cookie}}});
    return json::parse(me.body).at("account").at("email_verified").as_bool();
  }
};

}  // namespace

TEST_F(MailTest, RegistrationMailsAVerificationLinkThatSurvivesScanners) {
  std::string cookie, csrf;
  ASSERT_EQ(register_reader("verify-me@example.org", cookie, csrf).status, 201);
  auto mail = sink.wait_for("verify-me@example.org");
  ASSERT_TRUE(mail) << "no verification mail arrived";
  EXPECT_NE(mail->header("Subject").find("Confirm your email address"), std::string::npos);
  EXPECT_FALSE(mail->header("Message-ID").empty());
  auto link = first_link(mail->body());
  ASSERT_NE(link.find("/verify?token="), std::string::npos) << mail->body();
  // A mail scanner opening the link changes nothing.
  auto page = get(port(), path_of(link));
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("Confirm my address"), std::string::npos);
  EXPECT_FALSE(verified(cookie));
  // The reader presses the button.
  auto confirm = request(port(), {"POST",
                                  "/verify",
                                  "token=" + token_of(link),
                                  {{"Content-Type", "application/x-www-form-urlencoded"},
                                   {"Origin", "http://127.0.0.1:" + std::to_string(port())}}});
  EXPECT_EQ(confirm.status, 200);
  EXPECT_TRUE(verified(cookie));
  // The link is single-use.
  auto again = request(port(), {"POST",
                                "/verify",
                                "token=" + token_of(link),
                                {{"Content-Type", "application/x-www-form-urlencoded"},
                                 {"Origin", "http://127.0.0.1:" + std::to_string(port())}}});
  EXPECT_EQ(again.status, 410);
  EXPECT_EQ(get(port(), path_of(link)).status, 410);
}

TEST_F(MailTest, PasswordResetByMail) {
  std::string cookie, csrf;
  ASSERT_EQ(register_reader("forgetful@example.org", cookie, csrf).status, 201);
  auto ask = [&](const std::string& email) {
    return request(port(), {"POST",
                            "/api/v1/password-resets",
                            json::serialize(json::object{{"email", email}}),
                            {{"Content-Type", "application/json"}}});
  };
  auto known = ask("forgetful@example.org");
  auto unknown = ask("stranger@example.org");
  EXPECT_EQ(known.status, 202);
  EXPECT_EQ(unknown.status, 202);
  EXPECT_EQ(known.body, unknown.body) << "the answer does not reveal which addresses have accounts";
  std::optional<ReceivedMail> mail;
  for (int i = 0; i < 50 && !mail; ++i) {
    for (auto& m : sink.messages())
      if (m.header("Subject").find("Reset") != std::string::npos) mail = m;
    if (!mail) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_TRUE(mail);
  EXPECT_EQ(mail->rcpt_to.at(0), "forgetful@example.org");
  EXPECT_FALSE(sink.wait_for("stranger@example.org", std::chrono::milliseconds(300)));
  auto link = first_link(mail->body());
  EXPECT_EQ(get(port(), path_of(link)).status, 200);
  auto weak = request(port(), {"POST",
                               "/reset",
                               "token=" + token_of(link) + "&password=short",
                               {{"Content-Type", "application/x-www-form-urlencoded"},
                                {"Origin", "http://127.0.0.1:" + std::to_string(port())}}});
  EXPECT_EQ(weak.status, 422) << "a too-short password keeps the link usable";
  auto done = request(port(), {"POST",
                               "/reset",
                               "token=" + token_of(link) + "&password=a+brand+new+passphrase",
                               {{"Content-Type", "application/x-www-form-urlencoded"},
                                {"Origin", "http://127.0.0.1:" + std::to_string(port())}}});
  EXPECT_EQ(done.status, 200);
  EXPECT_EQ(request(port(), {"GET", "/api/v1/me", {}, {{"Cookie", cookie}}}).status, 401) << "old sessions ended";
  auto signin = [&](const std::string& password) {
    return request(port(), {"POST",
                            "/api/v1/sessions",
                            json::serialize(json::object{{"email", "forgetful@example.org"}, {"password", password}}),
                            {{"Content-Type", "application/json"}}});
  };
  EXPECT_EQ(signin("a long enough password").status, 401);
  EXPECT_EQ(signin("a brand new passphrase").status, 200);
  auto reuse =
      request(port(), {"POST",
                       "/api/v1/password-resets/confirm",
                       json::serialize(json::object{{"token", token_of(link)}, {"password", "yet another passphrase"}}),
                       {{"Content-Type", "application/json"}}});
  EXPECT_EQ(reuse.status, 422);
  EXPECT_EQ(json::parse(reuse.body).at("error").at("code").as_string(), "link_expired");
}

TEST(Outbox, RetriesWithBackoffAndNeverSendsARowTwice) {
  SmtpSink sink;
  TempDir dir;
  auto store = open_sqlite_store(SqliteOptions{dir.path() + "/tribune.db", 2, 64});
  store->migrate();
  TimePoint now = now_seconds();
  NewAccount a{"r@example.org", "r@example.org", "R", {"r", "r"}, "hash", Role::reader, now};
  auto created =
      store->create_account(a, std::nullopt, EmailToken{std::string(32, 'h'), "verify", now + std::chrono::hours(1)},
                            OutboxMail{"r@example.org", "Hello", "Line one\n.leading dot\n"});
  (void)created;
  OutboxWorker worker(*store, SmtpSender(SmtpSettings{sink.url(), "Test <t@example.org>"}), "test",
                      [&] { return now; });
  sink.refuse_next(2);
  EXPECT_EQ(worker.run_once(), 0);  // 451
  EXPECT_EQ(worker.run_once(), 0) << "not due yet: backoff";
  now += OutboxWorker::backoff(1);
  EXPECT_EQ(worker.run_once(), 0);  // 451 again
  now += OutboxWorker::backoff(2);
  EXPECT_EQ(worker.run_once(), 1);
  now += std::chrono::hours(2);
  EXPECT_EQ(worker.run_once(), 0) << "a sent row is never sent again";
  auto mails = sink.messages();
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_NE(mails[0].body().find("\r\n.leading dot\r\n"), std::string::npos) << "dot-stuffing round trip";
  EXPECT_EQ(store->outbox_stats().sent, 1);
  EXPECT_EQ(store->outbox_stats().pending, 0);
  EXPECT_EQ(OutboxWorker::backoff(1).count(), 30);
  EXPECT_EQ(OutboxWorker::backoff(20).count(), 3600);
}

TEST(Outbox, ClaimedMailIsNotClaimedTwice) {
  TempDir dir;
  auto store = open_sqlite_store(SqliteOptions{dir.path() + "/tribune.db", 2, 64});
  store->migrate();
  TimePoint now = now_seconds();
  NewAccount a{"c@example.org", "c@example.org", "C", {"c", "c"}, "hash", Role::reader, now};
  store->create_account(a, std::nullopt, std::nullopt, OutboxMail{"c@example.org", "S", "B"});
  EXPECT_EQ(store->claim_mail(now, std::chrono::minutes(10), 10).size(), 1u);
  EXPECT_EQ(store->claim_mail(now, std::chrono::minutes(10), 10).size(), 0u) << "leased to the first sender";
  EXPECT_EQ(store->claim_mail(now + std::chrono::minutes(11), std::chrono::minutes(10), 10).size(), 1u)
      << "a sender that died releases its lease when it runs out";
}

// Issue 12, item 3: an address change takes effect only when the new address confirms; the old address keeps
// signing in meanwhile, is told, and its reset link cancels the change.
TEST_F(MailTest, AnAddressChangeWaitsForTheNewAddressAndTellsTheOldOne) {
  std::string cookie, csrf;
  ASSERT_EQ(register_reader("keeper@example.org", cookie, csrf).status, 201);
  ASSERT_TRUE(sink.wait_for("keeper@example.org"));  // the registration's own verification mail
  auto change = [&](const std::string& to) {
    return request(port(), {"POST",
                            "/api/v1/me/email",
                            json::serialize(json::object{{"email", to}, {"password", "a long enough password"}}),
                            {{"Content-Type", "application/json"}, {"Cookie", cookie}, {"X-CSRF-Token", csrf}}});
  };
  auto sign_in = [&](const std::string& email) {
    return request(port(), {"POST",
                            "/api/v1/sessions",
                            json::serialize(json::object{{"email", email}, {"password", "a long enough password"}}),
                            {{"Content-Type", "application/json"}}});
  };
  auto email_of = [&](const std::string& c) {
    auto me = request(port(), {"GET", "/api/v1/me", {}, {{"Cookie", c}}});
    return std::string(json::parse(me.body).at("account").at("email").as_string());
  };
  auto confirm = [&](const std::string& link) {
    return request(port(), {"POST",
                            "/verify",
                            "token=" + token_of(link),
                            {{"Content-Type", "application/x-www-form-urlencoded"},
                             {"Origin", "http://127.0.0.1:" + std::to_string(port())}}});
  };

  // A mistyped address: the account keeps its own; the old address still signs in and is told, with a link.
  ASSERT_EQ(change("keepr@example.org").status, 202);
  EXPECT_EQ(email_of(cookie), "keeper@example.org");
  auto me = json::parse(request(port(), {"GET", "/api/v1/me", {}, {{"Cookie", cookie}}}).body);
  EXPECT_EQ(me.at("account").at("pending_email").as_string(), "keepr@example.org");
  EXPECT_NE(request(port(), {"GET", "/account", {}, {{"Cookie", cookie}}}).body.find("Changing to keepr@example.org"),
            std::string::npos)
      << "the account page says what is waiting";
  EXPECT_EQ(sign_in("keeper@example.org").status, 200);
  EXPECT_EQ(sign_in("keepr@example.org").status, 401);
  auto to_new = sink.wait_for("keepr@example.org");
  ASSERT_TRUE(to_new);
  EXPECT_NE(to_new->header("Subject").find("Confirm your new email address"), std::string::npos);
  std::optional<ReceivedMail> notice;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!notice && std::chrono::steady_clock::now() < deadline) {
    for (auto& m : sink.messages())
      if (m.header("Subject").find("about to change") != std::string::npos) notice = m;
    if (!notice) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(notice) << "the old address was not told";
  EXPECT_EQ(notice->rcpt_to.at(0), "keeper@example.org");
  EXPECT_NE(notice->body().find("keepr@example.org"), std::string::npos);
  auto undo = first_link(notice->body());
  ASSERT_NE(undo.find("/reset?token="), std::string::npos) << notice->body();

  // The owner did not ask for it: the reset cancels it, and the confirmation link no longer works.
  auto reset =
      request(port(), {"POST",
                       "/api/v1/password-resets/confirm",
                       json::serialize(json::object{{"token", token_of(undo)}, {"password", "a brand new password"}}),
                       {{"Content-Type", "application/json"}}});
  ASSERT_EQ(reset.status, 204) << reset.body;
  EXPECT_EQ(confirm(first_link(to_new->body())).status, 410);
  auto owner = request(port(), {"POST",
                                "/api/v1/sessions",
                                R"({"email":"keeper@example.org","password":"a brand new password"})",
                                {{"Content-Type", "application/json"}}});
  ASSERT_EQ(owner.status, 200);
  cookie = owner.header("set-cookie").substr(0, owner.header("set-cookie").find(';'));
  csrf = std::string(json::parse(owner.body).at("csrf_token").as_string());
  EXPECT_EQ(email_of(cookie), "keeper@example.org");

  // A change the owner wants: confirmed from the new address, it takes effect.
  auto wanted = request(port(), {"POST",
                                 "/api/v1/me/email",
                                 R"({"email":"kept@example.org","password":"a brand new password"})",
                                 {{"Content-Type", "application/json"}, {"Cookie", cookie}, {"X-CSRF-Token", csrf}}});
  ASSERT_EQ(wanted.status, 202);
  auto to_kept = sink.wait_for("kept@example.org");
  ASSERT_TRUE(to_kept);
  EXPECT_EQ(confirm(first_link(to_kept->body())).status, 200);
  EXPECT_EQ(email_of(cookie), "kept@example.org");
  EXPECT_TRUE(verified(cookie));
  EXPECT_TRUE(json::parse(request(port(), {"GET", "/api/v1/me", {}, {{"Cookie", cookie}}}).body)
                  .at("account")
                  .at("pending_email")
                  .is_null());
  EXPECT_EQ(request(port(), {"POST",
                             "/api/v1/sessions",
                             R"({"email":"kept@example.org","password":"a brand new password"})",
                             {{"Content-Type", "application/json"}}})
                .status,
            200);
}

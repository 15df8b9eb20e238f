// Reader contributions end to end against a local Stripe stand-in (tests/stripe_standin.py): checkout,
// signed webhooks in every order, the ledger, the thank-you mail, the report; and signature vectors.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cstdio>
#include <thread>

#include "payments/stripe.h"
#include "support/faulty_store.h"
#include "test_support.h"

using namespace tribune;
using namespace tribune::testing;
namespace json = boost::json;

namespace {

constexpr const char* kBody = R"({"id":"evt_1","type":"ping"})";
// HMAC-SHA256("whsec_test_secret", "1700000000." + kBody), computed independently with Python's hmac module.
constexpr const char* kVector = "74a11abdd08483d064a2a1571e7881b084c522f9f3ccd0b800ec8c74aba47fc2";
constexpr const char* kOtherSecretVector = "1e90fa87c948b7128c7488fd889499e8a5c80c2ea28071bb1d9d8e89c71591b6";
const TimePoint kSigned{std::chrono::seconds(1700000000)};

std::string code_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.code();
  }
  return "accepted";
}

TEST(StripeSignature, MatchesIndependentVectors) {
  EXPECT_EQ(stripe_signature("whsec_test_secret", 1700000000, kBody), kVector);
  auto verify = [](const std::string& header, std::string_view body = kBody, TimePoint now = kSigned) {
    return code_of([&] { verify_stripe_signature(header, body, "whsec_test_secret", now, std::chrono::seconds(300)); });
  };
  EXPECT_EQ(verify(std::string("t=1700000000,v1=") + kVector), "accepted");
  // Several v1 values (a rolled secret): any one may match; unknown schemes are ignored.
  EXPECT_EQ(verify(std::string("t=1700000000,v0=abc,v1=") + kOtherSecretVector + ",v1=" + kVector), "accepted");
  EXPECT_EQ(verify(std::string("t=1700000000,v1=") + kOtherSecretVector), "bad_signature") << "another secret";
  EXPECT_EQ(verify(std::string("t=1700000000,v1=") + kVector, R"({"id":"evt_1","type":"pong"})"), "bad_signature");
  EXPECT_EQ(verify(std::string("t=1700000001,v1=") + kVector), "bad_signature") << "the timestamp is signed too";
  EXPECT_EQ(verify(std::string("t=1700000000,v1=") + std::string(kVector).substr(0, 63)), "bad_signature");
  EXPECT_EQ(verify(std::string("t=1700000000,v1=") + kVector, kBody, kSigned + std::chrono::seconds(301)),
            "stale_signature");
  EXPECT_EQ(verify(std::string("t=1700000000,v1=") + kVector, kBody, kSigned - std::chrono::seconds(301)),
            "stale_signature");
  EXPECT_EQ(verify(std::string("t=1700000000,v1=") + kVector, kBody, kSigned + std::chrono::seconds(300)), "accepted");
  EXPECT_EQ(verify(""), "missing_signature");
  EXPECT_EQ(verify(std::string("v1=") + kVector), "malformed_signature");
  EXPECT_EQ(verify("t=1700000000"), "malformed_signature");
  EXPECT_EQ(verify(std::string("t=17e8,v1=") + kVector), "malformed_signature");
}

// The stand-in, as its own process on 127.0.0.1; killed with the test.
class StandIn {
 public:
  StandIn() {
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("pipe");
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fds[1], STDOUT_FILENO);
      close(fds[0]);
      std::string script = tribune::testing::source_dir() + "/tests/stripe_standin.py";
      execlp("python3", "python3", script.c_str(), "--lifetime", "300", static_cast<char*>(nullptr));
      _exit(127);
    }
    close(fds[1]);
    FILE* out = fdopen(fds[0], "r");
    char line[256] = {};
    if (!fgets(line, sizeof line, out)) throw std::runtime_error("stripe stand-in did not start");
    fclose(out);
    std::string text(line);
    auto at = text.find("127.0.0.1:");
    if (at == std::string::npos) throw std::runtime_error("stripe stand-in said: " + text);
    port_ = static_cast<uint16_t>(std::stoi(text.substr(at + 10)));
  }
  ~StandIn() {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  uint16_t port() const { return port_; }

 private:
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

class ContributionsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    standin_ = new StandIn();
    server_ = new TestServer(true, {}, [](Config& c) {
      c.stripe.api_base = standin_->url();
      c.stripe.checkout_origin = standin_->url();
      c.stripe.secret_key = "sk_test_standin";
      c.stripe.webhook_secret = "whsec_standin";
      c.contributions.per_ip = {100000, std::chrono::hours(1)};
      c.account_limits.register_per_ip = {100000, std::chrono::hours(1)};
    });
    auto r = request(standin_->port(),
                     {"POST",
                      "/_test/config",
                      "{\"webhook_url\":\"http://127.0.0.1:" + std::to_string(server_->port()) + "/webhooks/stripe\"}",
                      {{"Content-Type", "application/json"}}});
    ASSERT_EQ(r.status, 200);
  }
  static void TearDownTestSuite() {
    delete server_;
    delete standin_;
  }
  uint16_t port() { return server_->port(); }
  std::string slug() {
    auto v = json::parse(get(port(), "/api/v1/articles?limit=1").body);
    return std::string(v.at("articles").at(0).at("slug").as_string());
  }
  HttpResult checkout(const std::string& body) {
    return request(port(), {"POST", "/api/v1/contributions/checkout", body, {{"Content-Type", "application/json"}}});
  }
  // Starts a checkout and returns (contribution id, session id).
  std::pair<int64_t, std::string> start(int amount, const std::string& interval, const std::string& article = {}) {
    json::object o{{"amount", amount}, {"interval", interval}, {"email", "giver@example.org"}};
    if (!article.empty()) o["article"] = article;
    auto r = checkout(json::serialize(o));
    EXPECT_EQ(r.status, 201) << r.body;
    auto v = json::parse(r.body);
    std::string url(v.at("checkout_url").as_string());
    EXPECT_EQ(url.rfind(standin_->url() + "/pay/cs_test_", 0), 0u) << url;
    return {v.at("contribution").at("id").as_int64(), url.substr(url.rfind('/') + 1)};
  }
  // Has the stand-in deliver a scenario's events; returns Tribune's outcomes in delivery order.
  std::vector<std::string> deliver(const std::string& session, const std::string& scenario, bool duplicate = false,
                                   bool reverse = false) {
    json::object o{{"scenario", scenario}, {"duplicate", duplicate}, {"reverse", reverse}};
    auto r = request(
        standin_->port(),
        {"POST", "/_test/sessions/" + session + "/events", json::serialize(o), {{"Content-Type", "application/json"}}});
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<std::string> outcomes;
    auto v = json::parse(r.body);
    for (auto& d : v.at("delivered").as_array()) {
      EXPECT_EQ(d.at("status").as_int64(), 200) << d;
      auto answer = json::parse(d.at("answer").as_string());
      outcomes.emplace_back(answer.at("outcome").as_string());
    }
    return outcomes;
  }
  std::string status_of(int64_t id) { return server_->app().store().find_contribution(id)->status; }
  int64_t pending_mail() { return server_->app().store().outbox_stats().pending; }
  HttpResult webhook(const std::string& body, const std::string& signature) {
    RequestSpec spec{"POST", "/webhooks/stripe", body, {{"Content-Type", "application/json"}}};
    if (!signature.empty()) spec.headers["Stripe-Signature"] = signature;
    return request(port(), spec);
  }
  std::string signed_header(const std::string& body, int64_t t = 0) {
    if (t == 0) t = now_seconds().time_since_epoch().count();
    return "t=" + std::to_string(t) + ",v1=" + stripe_signature("whsec_standin", t, body);
  }

  static StandIn* standin_;
  static TestServer* server_;
};

StandIn* ContributionsTest::standin_ = nullptr;
TestServer* ContributionsTest::server_ = nullptr;

}  // namespace

TEST_F(ContributionsTest, BadCheckoutsAreRefusedAndRecordNothing) {
  auto before = server_->app().store().list_contributions(0, 100000).size();
  EXPECT_EQ(error_code(checkout(R"({"interval":"once"})")), "invalid_type");
  EXPECT_EQ(error_code(checkout(R"({"amount":5.5})")), "invalid_type") << "whole units only";
  EXPECT_EQ(error_code(checkout(R"({"amount":"5"})")), "invalid_type");
  EXPECT_EQ(error_code(checkout(R"({"amount":0})")), "amount_too_small");
  EXPECT_EQ(error_code(checkout(R"({"amount":-5})")), "amount_too_small");
  EXPECT_EQ(error_code(checkout(R"({"amount":1000000})")), "amount_too_large");
  EXPECT_EQ(error_code(checkout(R"({"amount":5,"currency":"XYZ"})")), "unknown_currency");
  EXPECT_EQ(error_code(checkout(R"({"amount":5,"interval":"weekly"})")), "invalid_interval");
  EXPECT_EQ(error_code(checkout(R"({"amount":5,"article":"no-such-article"})")), "not_found");
  EXPECT_EQ(error_code(checkout(R"({"amount":5,"tip":1})")), "unknown_field");
  EXPECT_EQ(checkout("not json").status, 400);
  EXPECT_EQ(server_->app().store().list_contributions(0, 100000).size(), before);
}

TEST_F(ContributionsTest, OneOffContributionIsFulfilledOnlyByItsSignedEventOnce) {
  auto s = slug();
  auto [id, session] = start(5, "once", s);
  EXPECT_EQ(status_of(id), "created");
  // What Stripe received: payment mode, the amount in pence, attribution in the metadata.
  auto stored = json::parse(request(standin_->port(), {"GET", "/_test/sessions/" + session, "", {}}).body);
  EXPECT_EQ(stored.at("mode").as_string(), "payment");
  EXPECT_EQ(stored.at("amount_total").as_int64(), 500);
  EXPECT_EQ(stored.at("currency").as_string(), "gbp");
  EXPECT_EQ(stored.at("metadata").at("article").as_string(), s);
  EXPECT_EQ(stored.at("metadata").at("contribution_id").as_string(), std::to_string(id));
  auto mail_before = pending_mail();
  // The event arrives twice (Stripe delivers at least once): applied, then acknowledged and ignored.
  EXPECT_EQ(deliver(session, "paid", /*duplicate=*/true), (std::vector<std::string>{"applied", "duplicate"}));
  EXPECT_EQ(status_of(id), "paid");
  EXPECT_EQ(pending_mail(), mail_before + 1) << "one thank-you mail";
  auto report = server_->app().contributions().report("GBP", 1);
  EXPECT_GE(report.once_minor, 500);
  bool attributed = false;
  for (const auto& a : report.articles) attributed = attributed || (a.slug == s && a.amount_minor >= 500);
  EXPECT_TRUE(attributed) << "the money is attributed to the article";
  // A refund: the ledger shows it and the contribution is refunded.
  auto refunded_before = report.refunded_minor;
  EXPECT_EQ(deliver(session, "refund"), std::vector<std::string>{"applied"});
  EXPECT_EQ(status_of(id), "refunded");
  EXPECT_EQ(server_->app().contributions().report("GBP", 1).refunded_minor, refunded_before + 500);
}

TEST_F(ContributionsTest, AsynchronousPaymentsSettleOrFail) {
  auto [ok, ok_session] = start(20, "once");
  EXPECT_EQ(deliver(ok_session, "async_pending"), std::vector<std::string>{"applied"});
  EXPECT_EQ(status_of(ok), "pending") << "not paid until the money settles";
  EXPECT_EQ(deliver(ok_session, "async_succeeded"), std::vector<std::string>{"applied"});
  EXPECT_EQ(status_of(ok), "paid");
  auto [bad, bad_session] = start(20, "once");
  auto mail_before = pending_mail();
  deliver(bad_session, "async_pending");
  EXPECT_EQ(deliver(bad_session, "async_failed"), std::vector<std::string>{"applied"});
  EXPECT_EQ(status_of(bad), "failed");
  EXPECT_EQ(pending_mail(), mail_before) << "no thanks for money that never came";
}

TEST_F(ContributionsTest, MonthlyContributionsFollowTheirSubscriptionInAnyOrder) {
  auto [id, session] = start(10, "month");
  auto stored = json::parse(request(standin_->port(), {"GET", "/_test/sessions/" + session, "", {}}).body);
  EXPECT_EQ(stored.at("mode").as_string(), "subscription");
  auto before = server_->app().contributions().report("GBP", 1);
  // Delivered newest first: the subscription update and the invoice overtake the checkout's completion.
  auto outcomes = deliver(session, "subscription", /*duplicate=*/false, /*reverse=*/true);
  ASSERT_EQ(outcomes.size(), 3u);
  EXPECT_EQ(status_of(id), "active");
  auto after = server_->app().contributions().report("GBP", 1);
  EXPECT_EQ(after.monthly_minor, before.monthly_minor + 1000) << "the first month counted once, from its invoice";
  EXPECT_EQ(after.active_monthly, before.active_monthly + 1);
  deliver(session, "renewal");
  EXPECT_EQ(server_->app().contributions().report("GBP", 1).monthly_minor, before.monthly_minor + 2000);
  // Refunding a month's payment: found through its invoice, taken off the ledger.
  auto refunded_before = server_->app().contributions().report("GBP", 1).refunded_minor;
  EXPECT_EQ(deliver(session, "refund"), std::vector<std::string>{"applied"});
  EXPECT_EQ(server_->app().contributions().report("GBP", 1).refunded_minor, refunded_before + 1000);
  deliver(session, "payment_failed");
  EXPECT_EQ(status_of(id), "past_due");
  deliver(session, "subscription_canceled");
  EXPECT_EQ(status_of(id), "canceled");
  EXPECT_EQ(server_->app().contributions().report("GBP", 1).active_monthly, before.active_monthly);
}

TEST_F(ContributionsTest, AnOlderEventNeverUndoesANewerOne) {
  auto [id, session] = start(10, "month");
  deliver(session, "subscription");
  auto stored = json::parse(request(standin_->port(), {"GET", "/_test/sessions/" + session, "", {}}).body);
  std::string sub(stored.at("subscription").as_string());
  int64_t now = now_seconds().time_since_epoch().count();
  auto event = [&](const std::string& evt, const std::string& type, const std::string& status, int64_t created) {
    return json::serialize(json::object{
        {"id", evt},
        {"type", type},
        {"created", created},
        {"data",
         {{"object", {{"id", sub}, {"object", "subscription"}, {"status", status}, {"metadata", json::object{}}}}}}});
  };
  auto canceled = event("evt_order_2", "customer.subscription.deleted", "canceled", now + 10);
  auto stale = event("evt_order_1", "customer.subscription.updated", "active", now + 5);
  ASSERT_EQ(webhook(canceled, signed_header(canceled)).status, 200);
  ASSERT_EQ(webhook(stale, signed_header(stale)).status, 200);
  EXPECT_EQ(status_of(id), "canceled") << "the update from before the cancellation arrived late and changed nothing";
}

TEST_F(ContributionsTest, ForgedStaleAndMalformedWebhooksAreRejected) {
  auto body = json::serialize(json::object{{"id", "evt_forged"},
                                           {"type", "checkout.session.completed"},
                                           {"created", 1},
                                           {"data", {{"object", {{"id", "cs_x"}, {"payment_status", "paid"}}}}}});
  EXPECT_EQ(error_code(webhook(body, "")), "missing_signature");
  EXPECT_EQ(error_code(webhook(body, "t=1,v1=00")), "stale_signature");
  auto forged = "t=" + std::to_string(now_seconds().time_since_epoch().count()) +
                ",v1=" + stripe_signature("whsec_guess", now_seconds().time_since_epoch().count(), body);
  EXPECT_EQ(error_code(webhook(body, forged)), "bad_signature");
  EXPECT_EQ(error_code(webhook(body, signed_header(body + " "))), "bad_signature") << "the raw bytes are signed";
  EXPECT_EQ(error_code(webhook("not json", signed_header("not json"))), "invalid_event");
  EXPECT_EQ(error_code(webhook("{}", signed_header("{}"))), "invalid_event");
  // A type Tribune does not use: acknowledged, ignored.
  auto other = R"({"id":"evt_other","type":"customer.created","created":1,"data":{"object":{"id":"cus_1"}}})";
  auto r = webhook(other, signed_header(other));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body).at("outcome").as_string(), "ignored");
  // Another Checkout page on the same Stripe account naming a contribution (a Payment Link with
  // ?client_reference_id=N) fulfils nothing: contributions are matched by the session Tribune created.
  auto [victim, victim_session] = start(5, "once");
  auto foreign = json::serialize(json::object{{"id", "evt_foreign"},
                                              {"type", "checkout.session.completed"},
                                              {"created", now_seconds().time_since_epoch().count()},
                                              {"data",
                                               {{"object",
                                                 {{"id", "cs_foreign"},
                                                  {"mode", "payment"},
                                                  {"payment_status", "paid"},
                                                  {"amount_total", 99900},
                                                  {"currency", "gbp"},
                                                  {"client_reference_id", std::to_string(victim)},
                                                  {"metadata", {{"contribution_id", std::to_string(victim)}}}}}}}});
  auto foreign_answer = webhook(foreign, signed_header(foreign));
  ASSERT_EQ(foreign_answer.status, 200);
  EXPECT_EQ(json::parse(foreign_answer.body).at("outcome").as_string(), "unmatched");
  EXPECT_EQ(status_of(victim), "created");
  // An event for a contribution nobody started is kept, not applied.
  auto stray = webhook(body, signed_header(body));
  ASSERT_EQ(stray.status, 200);
  EXPECT_EQ(json::parse(stray.body).at("outcome").as_string(), "unmatched");
}

TEST_F(ContributionsTest, TheAppealWorksWithoutJavaScriptAndAdminsSeeTheReport) {
  auto s = slug();
  auto url = std::string(json::parse(get(port(), "/api/v1/articles/" + s).body).at("url").as_string());
  auto page = get(port(), url);
  EXPECT_NE(page.body.find("action=\"/contribute\""), std::string::npos) << "the appeal is a form";
  EXPECT_NE(page.header("content-security-policy").find("form-action 'self' " + standin_->url()), std::string::npos);
  RequestSpec form{"POST",
                   "/contribute",
                   "article=" + s + "&currency=GBP&interval=month&amount=other&other_amount=12",
                   {{"Content-Type", "application/x-www-form-urlencoded"},
                    {"Origin", "http://127.0.0.1:" + std::to_string(port())}}};
  auto r = request(port(), form);
  ASSERT_EQ(r.status, 303) << r.body;
  EXPECT_EQ(r.header("location").rfind(standin_->url() + "/pay/", 0), 0u);
  form.body = "article=" + s + "&amount=other&other_amount=12.50";
  auto refused = request(port(), form);
  EXPECT_EQ(refused.status, 422);
  EXPECT_NE(refused.body.find("whole units"), std::string::npos);
  // The report: admins only, with the chart and the CSV.
  server_->app().accounts().create_account("boss@example.org", "The Boss", "the boss's long password", "admin");
  auto signin = request(port(), {"POST",
                                 "/api/v1/sessions",
                                 R"({"email":"boss@example.org","password":"the boss's long password"})",
                                 {{"Content-Type", "application/json"}}});
  ASSERT_EQ(signin.status, 200);
  std::string cookie = signin.header("set-cookie").substr(0, signin.header("set-cookie").find(';'));
  auto report = request(port(), {"GET", "/admin/contributions?currency=GBP&days=30", "", {{"Cookie", cookie}}});
  ASSERT_EQ(report.status, 200);
  EXPECT_NE(report.body.find("<svg class=\"report__chart\""), std::string::npos);
  EXPECT_NE(report.body.find("Active monthly supporters"), std::string::npos);
  auto csv = request(port(), {"GET", "/admin/contributions.csv", "", {{"Cookie", cookie}}});
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.body.rfind("id,created_at,amount,currency,interval,status,article", 0), 0u);
  EXPECT_NE(csv.body.find(",12.00,GBP,month,created," + s), std::string::npos) << csv.body.substr(0, 400);
  EXPECT_EQ(get(port(), "/admin/contributions").status, 303) << "signed out: sign in first";
  auto json_report = request(port(), {"GET", "/api/v1/admin/contributions/report?days=7", "", {{"Cookie", cookie}}});
  EXPECT_EQ(json_report.status, 200);
  EXPECT_EQ(json::parse(json_report.body).at("days").as_array().size(), 7u);
}

TEST_F(ContributionsTest, SupportersMayShowABadgeOnTheirComments) {
  auto s = slug();
  auto reg = request(
      port(), {"POST",
               "/api/v1/accounts",
               R"({"email":"supporter@example.org","display_name":"Sue Porter","password":"a supporter's password"})",
               {{"Content-Type", "application/json"}}});
  ASSERT_EQ(reg.status, 201);
  std::string cookie = reg.header("set-cookie").substr(0, reg.header("set-cookie").find(';'));
  std::string csrf(json::parse(reg.body).at("csrf_token").as_string());
  auto call = [&](const std::string& method, const std::string& target, const std::string& body) {
    return request(
        port(),
        {method, target, body, {{"Content-Type", "application/json"}, {"Cookie", cookie}, {"X-CSRF-Token", csrf}}});
  };
  auto me = [&] { return json::parse(call("GET", "/api/v1/me", "").body).at("account"); };
  EXPECT_FALSE(me().at("supporter").as_bool());
  auto started = call("POST", "/api/v1/contributions/checkout", R"({"amount":7})");
  ASSERT_EQ(started.status, 201) << started.body;
  std::string url(json::parse(started.body).at("checkout_url").as_string());
  auto mail_before = pending_mail();
  deliver(url.substr(url.rfind('/') + 1), "paid");
  EXPECT_TRUE(me().at("supporter").as_bool()) << "the signed-in reader is a supporter once the money arrived";
  EXPECT_EQ(pending_mail(), mail_before + 1) << "thanked at their account's address";
  // Nothing shows until they choose to show it.
  auto plain = call("POST", "/api/v1/articles/" + s + "/comments", R"({"body":"Before the badge."})");
  EXPECT_FALSE(json::parse(plain.body).at("comment").at("author").at("supporter").as_bool());
  ASSERT_EQ(call("PUT", "/api/v1/me/supporter-badge", R"({"show":true})").status, 200);
  EXPECT_EQ(call("PUT", "/api/v1/me/supporter-badge", R"({"show":"yes"})").status, 400);
  auto badged = call("POST", "/api/v1/articles/" + s + "/comments", R"({"body":"With the badge."})");
  EXPECT_TRUE(json::parse(badged.body).at("comment").at("author").at("supporter").as_bool());
  auto page_url = std::string(json::parse(get(port(), "/api/v1/articles/" + s).body).at("url").as_string());
  EXPECT_NE(get(port(), page_url).body.find("comment__supporter"), std::string::npos);
  // The appeal thanks them, on their copy of the page only.
  auto theirs = request(port(), {"GET", page_url, "", {{"Cookie", cookie}}});
  EXPECT_NE(theirs.body.find("Thank you for supporting"), std::string::npos);
  EXPECT_EQ(get(port(), page_url).body.find("Thank you for supporting"), std::string::npos);
}

// Issue 12, item 7: a provider that answers with a session id already stored gets the documented
// payment_provider_error, and no store detail (table, column, constraint) reaches the client.
TEST_F(ContributionsTest, AReusedSessionIdFromTheProviderIsAProviderErrorWithoutStoreDetails) {
  auto configure = [&](const std::string& session_id) {
    json::object o{{"session_id", session_id.empty() ? json::value(nullptr) : json::value(session_id)}};
    ASSERT_EQ(
        request(standin_->port(), {"POST", "/_test/config", json::serialize(o), {{"Content-Type", "application/json"}}})
            .status,
        200);
  };
  configure("cs_test_reused_by_the_provider");
  auto first = checkout(R"({"amount":5})");
  EXPECT_EQ(first.status, 201) << first.body;
  auto second = checkout(R"({"amount":6173})");
  configure("");
  EXPECT_EQ(second.status, 503) << second.body;
  auto error = json::parse(second.body).at("error");
  EXPECT_EQ(error.at("code").as_string(), "payment_provider_error");
  std::string message(error.at("message").as_string());
  for (const char* detail : {"UNIQUE", "constraint", "contributions", "checkout_session_id"})
    EXPECT_EQ(message.find(detail), std::string::npos) << message;
  // The refused one leaves nothing in the ledger; the first is there.
  auto ledger = server_->app().store().list_contributions(0, 1000);
  auto amount = [&](int64_t minor) {
    return std::count_if(ledger.begin(), ledger.end(),
                         [&](const Contribution& c) { return c.amount_minor == minor && c.status != "abandoned"; });
  };
  EXPECT_GE(amount(500), 1);
  EXPECT_EQ(amount(617300), 0);
}

// Issue 13: a webhook whose store write fails is answered 503, so Stripe delivers it again; the event is then
// applied exactly once, whether the failure came before the write (nothing happened) or after its commit
// (it happened, but the answer was lost).
TEST_F(ContributionsTest, AWebhookRetriedAfterAStoreFailureIsAppliedOnce) {
  FaultyStore* faults = nullptr;
  TestServer faulty(
      true, {},
      [](Config& c) {
        c.stripe.api_base = standin_->url();
        c.stripe.checkout_origin = standin_->url();
        c.stripe.secret_key = "sk_test_standin";
        c.stripe.webhook_secret = "whsec_standin";
      },
      [&](std::unique_ptr<Store> engine) {
        auto wrapped = std::make_unique<FaultyStore>(std::move(engine));
        faults = wrapped.get();
        return std::unique_ptr<Store>(std::move(wrapped));
      });
  auto outbox = [&] { return faulty.app().store().outbox_stats().pending; };
  for (bool after : {false, true}) {
    auto started = request(faulty.port(), {"POST",
                                           "/api/v1/contributions/checkout",
                                           R"({"amount":7,"email":"giver@example.org"})",
                                           {{"Content-Type", "application/json"}}});
    ASSERT_EQ(started.status, 201) << started.body;
    auto v = json::parse(started.body);
    int64_t id = v.at("contribution").at("id").as_int64();
    std::string url(v.at("checkout_url").as_string());
    auto session =
        json::parse(
            request(standin_->port(), {"GET", "/_test/sessions/" + url.substr(url.rfind('/') + 1), "", {}}).body)
            .as_object();
    session["status"] = "complete";
    session["payment_status"] = "paid";
    session["payment_intent"] = "pi_test_faults_" + std::to_string(id);
    json::object event{
        {"id", "evt_test_faults_" + std::to_string(id) + (after ? "_after" : "_before")},
        {"object", "event"},
        {"type", "checkout.session.completed"},
        {"created", std::chrono::duration_cast<std::chrono::seconds>(now_seconds().time_since_epoch()).count()},
        {"data", {{"object", session}}}};
    std::string body = json::serialize(event);
    auto deliver_once = [&] {
      auto t = std::chrono::duration_cast<std::chrono::seconds>(now_seconds().time_since_epoch()).count();
      return request(
          faulty.port(),
          {"POST",
           "/webhooks/stripe",
           body,
           {{"Content-Type", "application/json"},
            {"Stripe-Signature", "t=" + std::to_string(t) + ",v1=" + stripe_signature("whsec_standin", t, body)}}});
    };
    auto mail_before = outbox();
    faults->inject({StoreRole::ledger, "apply_payment_event", 1, false, after});
    auto failed = deliver_once();
    EXPECT_EQ(failed.status, 503) << (after ? "after" : "before") << ": " << failed.body;
    EXPECT_EQ(faulty.app().store().find_contribution(id)->status, after ? "paid" : "created");
    auto retried = deliver_once();
    ASSERT_EQ(retried.status, 200) << retried.body;
    EXPECT_EQ(json::parse(retried.body).at("outcome").as_string(), after ? "duplicate" : "applied");
    EXPECT_EQ(deliver_once().status, 200);
    EXPECT_EQ(faulty.app().store().find_contribution(id)->status, "paid");
    EXPECT_EQ(outbox(), mail_before + 1) << "one thank-you mail, whatever failed";
  }
}

// Regression: deleting an account left a monthly Stripe subscription running. The reader sees their
// contributions on /account, can cancel a monthly one there (or through the API), is told before deleting
// that it will be cancelled, and deleting cancels it through the provider first.
TEST_F(ContributionsTest, MonthlyContributionsCanBeStoppedAndStopWithTheAccount) {
  auto monthly_supporter = [&](const std::string& email) {
    auto reader = register_reader(port(), email, "Monthly " + email.substr(0, 4));
    auto started = reader.call("POST", "/api/v1/contributions/checkout", R"({"amount":5,"interval":"month"})");
    EXPECT_EQ(started.status, 201) << started.body;
    auto v = json::parse(started.body);
    std::string url(v.at("checkout_url").as_string());
    deliver(url.substr(url.rfind('/') + 1), "subscription");
    int64_t id = v.at("contribution").at("id").as_int64();
    EXPECT_EQ(status_of(id), "active");
    return std::pair{reader, id};
  };
  auto cancels = [&] {
    auto v = json::parse(request(standin_->port(), {"GET", "/_test/cancels", "", {}}).body);
    return v.at("cancels").as_array().size();
  };
  auto settled = [&](int64_t id) {  // the provider's event arrives a moment after the answer
    for (int i = 0; i < 50 && status_of(id) != "canceled"; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return status_of(id);
  };

  // From the account page: listed, with a button that cancels it.
  auto [ann, ann_monthly] = monthly_supporter("anne-monthly@example.org");
  auto page = ann.call("GET", "/account").body;
  EXPECT_NE(page.find("£5.00 a month"), std::string::npos);
  EXPECT_NE(page.find("action=\"/account/contributions/" + std::to_string(ann_monthly) + "/cancel\""),
            std::string::npos);
  EXPECT_NE(page.find("will be cancelled with our payment provider first"), std::string::npos)
      << "said before deleting";
  auto before = cancels();
  auto cancelled = ann.form("/account/contributions/" + std::to_string(ann_monthly) + "/cancel", "");
  EXPECT_EQ(cancelled.status, 303);
  EXPECT_EQ(cancels(), before + 1);
  EXPECT_EQ(settled(ann_monthly), "canceled");
  EXPECT_EQ(ann.call("POST", "/api/v1/me/contributions/" + std::to_string(ann_monthly) + "/cancel").status, 404)
      << "nothing left running";
  EXPECT_EQ(json::parse(ann.call("GET", "/api/v1/me/contributions").body).at("contributions").at(0).at("status"),
            "canceled");

  // Another reader's contribution is not theirs to cancel.
  auto [bo, bo_monthly] = monthly_supporter("bo-monthly@example.org");
  EXPECT_EQ(ann.call("POST", "/api/v1/me/contributions/" + std::to_string(bo_monthly) + "/cancel").status, 404);

  // Deleting the account cancels what still runs, through the provider, before anything is deleted.
  before = cancels();
  auto deleted = bo.call("DELETE", "/api/v1/me", R"({"password":"a reader's long password"})");
  EXPECT_EQ(deleted.status, 204) << deleted.body;
  EXPECT_EQ(cancels(), before + 1);
  EXPECT_EQ(settled(bo_monthly), "canceled");
}

// What readers meet when a service Tribune depends on fails (issue 18): Stripe answering 500 or not answering
// (a clear error where the reader is, no contribution half made), the mail server down or hanging (mail waits
// in the outbox and is delivered when the server is back; pages and registration do not wait for it). The
// full disk and the clock jump are tests/durability/disk_full_test.py and clock_jump_test.py; the external
// moderation rule hanging is ExternalRule in moderation_test.cpp.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>

#include "mail/outbox_worker.h"
#include "smtp_sink.h"
#include "store/sqlite/sqlite_store.h"
#include "support/http_receiver.h"
#include "test_support.h"

using namespace tribune;
using namespace tribune::testing;
namespace json = boost::json;
using Steady = std::chrono::steady_clock;

namespace {

// A TCP port on 127.0.0.1 that takes connections into its backlog and never says a word: a hung server.
class SilentPort {
 public:
  SilentPort() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd_, 16);
    socklen_t len = sizeof addr;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~SilentPort() { ::close(fd_); }
  SilentPort(const SilentPort&) = delete;
  SilentPort& operator=(const SilentPort&) = delete;
  uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

// A port nothing listens on: connections are refused, as when the server is down.
uint16_t closed_port() {
  SilentPort p;
  return p.port();  // closed when p goes
}

std::chrono::milliseconds since(Steady::time_point t0) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Steady::now() - t0);
}

// Contributions that are anything but an abandoned checkout.
int64_t contributions_in_ledger(TestServer& server) {
  auto all = server.app().store().list_contributions(0, 1000);
  return std::count_if(all.begin(), all.end(), [](const Contribution& c) { return c.status != "abandoned"; });
}

}  // namespace

TEST(Faults, StripeAnswering500OrNotAnsweringIsAClearErrorAndNoContribution) {
  HttpReceiver stripe;
  TestServer server(true, {}, [&](Config& c) {
    c.stripe.api_base = stripe.url("");
    c.stripe.secret_key = "sk_test_faults";
    c.stripe.webhook_secret = "whsec_faults";
    c.stripe.timeout = std::chrono::seconds(1);
  });
  auto reader = register_reader(server.port(), "giver@example.org", "Giver");
  const int64_t before = contributions_in_ledger(server);
  auto checkout = [&] {
    return request(
        server.port(),
        {"POST", "/api/v1/contributions/checkout", R"({"amount": 5})", {{"Content-Type", "application/json"}}});
  };

  stripe.answer(500, R"({"error": {"type": "api_error", "message": "Something went wrong on Stripe's end."}})");
  auto failed = checkout();
  EXPECT_EQ(failed.status, 503) << failed.body;
  EXPECT_EQ(error_code(failed), "payment_provider_error");
  auto message = std::string(json::parse(failed.body).at("error").at("message").as_string());
  EXPECT_NE(message.find("try again"), std::string::npos) << message;
  EXPECT_EQ(message.find("Something went wrong on Stripe"), std::string::npos)
      << "the provider's own words go to the log, not to the reader: " << message;
  EXPECT_NE(message.find("nothing was charged"), std::string::npos) << message;
  EXPECT_EQ(contributions_in_ledger(server), before) << "no contribution is left half made";

  // Without JavaScript the reader sees it on a page, with the way back to the appeal.
  auto page = reader.form("/contribute", "amount=5&currency=GBP&interval=once");
  EXPECT_EQ(page.status, 503);
  EXPECT_NE(page.body.find("Your contribution did not start"), std::string::npos);
  EXPECT_NE(page.body.find("try again"), std::string::npos);
  EXPECT_EQ(contributions_in_ledger(server), before);

  // Not answering: the reader hears within the timeout, not after the provider finally speaks.
  stripe.answer(200, R"({"id": "cs_test_late", "url": "https://checkout.stripe.com/c/pay/cs_test_late"})", 3000);
  auto t0 = Steady::now();
  auto timed_out = checkout();
  EXPECT_EQ(timed_out.status, 503) << timed_out.body;
  EXPECT_EQ(error_code(timed_out), "payment_provider_error");
  EXPECT_LT(since(t0), std::chrono::milliseconds(2900));
  EXPECT_EQ(contributions_in_ledger(server), before);
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // the receiver finishes its late answer

  // The provider back: checkouts start again, and that one is in the ledger.
  stripe.answer(200, R"({"id": "cs_test_back", "url": "https://checkout.stripe.com/c/pay/cs_test_back"})");
  auto ok = checkout();
  EXPECT_EQ(ok.status, 201) << ok.body;
  EXPECT_EQ(contributions_in_ledger(server), before + 1);
  auto all = server.app().store().list_contributions(0, 1000);
  EXPECT_EQ(std::count_if(all.begin(), all.end(), [](const Contribution& c) { return c.status == "abandoned"; }), 3)
      << "the three failed attempts are kept, marked abandoned";
  EXPECT_GE(stripe.received().size(), 4u) << "every attempt reached the provider";
}

TEST(Faults, MailServerDownOrHangingLeavesMailWaitingAndLosesNothing) {
  TempDir dir;
  auto store = open_sqlite_store(SqliteOptions{dir.path() + "/tribune.db", 2, 64});
  store->migrate();
  TimePoint now = now_seconds();
  NewAccount a{"wait@example.org", "wait@example.org", "Waiting", {"waiting", "Waiting"}, "hash", Role::reader, now};
  (void)store->create_account(a, std::nullopt, EmailToken{std::string(32, 'w'), "verify", now + std::chrono::hours(1)},
                              OutboxMail{"wait@example.org", "Verify your address", "The link.\n"});

  // Down: the connection is refused at once; the mail waits for its next attempt.
  OutboxWorker down(
      *store, SmtpSender(SmtpSettings{"smtp://127.0.0.1:" + std::to_string(closed_port()), "Test <t@example.org>"}),
      "test", [&] { return now; });
  EXPECT_EQ(down.run_once(), 0);
  EXPECT_EQ(store->outbox_stats().pending, 1);

  // Hanging: the attempt gives up after the timeout, and the mail still waits.
  SilentPort silent;
  SmtpSettings hanging{"smtp://127.0.0.1:" + std::to_string(silent.port()), "Test <t@example.org>"};
  hanging.timeout = std::chrono::seconds(1);
  OutboxWorker hung(*store, SmtpSender(hanging), "test", [&] { return now; });
  now += OutboxWorker::backoff(1);
  auto t0 = Steady::now();
  EXPECT_EQ(hung.run_once(), 0);
  EXPECT_LT(since(t0), std::chrono::seconds(5));
  EXPECT_EQ(store->outbox_stats().pending, 1);

  // Back: delivered once, and never again.
  SmtpSink sink;
  OutboxWorker back(*store, SmtpSender(SmtpSettings{sink.url(), "Test <t@example.org>"}), "test", [&] { return now; });
  now += OutboxWorker::backoff(2);
  EXPECT_EQ(back.run_once(), 1);
  ASSERT_TRUE(sink.wait_for("wait@example.org", std::chrono::seconds(5)));
  now += std::chrono::hours(3);
  EXPECT_EQ(back.run_once(), 0);
  EXPECT_EQ(sink.messages().size(), 1u);
  EXPECT_EQ(store->outbox_stats().pending, 0);
}

TEST(Faults, AHangingMailServerDoesNotSlowPagesOrRegistration) {
  SilentPort silent;
  TestServer server(true, {}, [&](Config& c) {
    c.smtp.url = "smtp://127.0.0.1:" + std::to_string(silent.port());
    c.smtp.timeout = std::chrono::seconds(4);  // the worker is stuck on it for the whole test
  });
  auto t0 = Steady::now();
  auto first = register_reader(server.port(), "first@example.org", "First");  // queues a verification mail
  EXPECT_LT(since(t0), std::chrono::seconds(2));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the worker is now waiting on the server
  t0 = Steady::now();
  auto second = register_reader(server.port(), "second@example.org", "Second");
  EXPECT_GT(second.id, first.id);
  EXPECT_EQ(get(server.port(), "/").status, 200);
  EXPECT_EQ(first.call("GET", "/api/v1/me").status, 200);
  EXPECT_LT(since(t0), std::chrono::seconds(2)) << "readers never wait for the mail server";
  auto outbox = server.app().store().outbox_stats();
  EXPECT_EQ(outbox.pending, 2) << "both verification mails wait (the one being tried counts as waiting)";
  EXPECT_EQ(outbox.sent, 0);
}

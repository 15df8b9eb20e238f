// tribune doctor finds what a test plants, and says the fix: a typo'd key, a world-readable configuration
// holding a secret, a wrong SMTP password, a Stripe key refused or a webhook secret missing, a store that is
// behind; and on a sound installation every check is ok. (An unreadable data directory: tests/cli/cli_test.sh,
// which can run the doctor as another user.)
#include "app/doctor.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "smtp_sink.h"
#include "support/http_receiver.h"
#include "test_support.h"

using namespace tribune;
using namespace tribune::testing;

namespace {

struct Installation {
  TempDir dir;
  std::string config = dir.path() + "/tribune.toml";
  std::string data = dir.path() + "/data";

  void write(const std::string& toml, mode_t mode = 0640) {
    std::ofstream(config) << toml;
    ::chmod(config.c_str(), mode);
  }
  std::vector<DoctorFinding> examine() {
    return run_doctor(DoctorOptions{data, config, {}, std::chrono::milliseconds(2000)});
  }
};

// The finding of a check at a level whose message holds the text, or nullptr.
const DoctorFinding* found(const std::vector<DoctorFinding>& all, const std::string& check, DoctorFinding::Level level,
                           const std::string& text = {}) {
  for (const auto& f : all)
    if (f.check == check && f.level == level && f.message.find(text) != std::string::npos) return &f;
  return nullptr;
}

std::string report(const std::vector<DoctorFinding>& all) {
  std::string out;
  for (const auto& f : all) out += format_finding(f);
  return out;
}

}  // namespace

TEST(Doctor, ASoundInstallationIsOkEverywhere) {
  SmtpSink mail;
  mail.require_login("tribune", "the mail password");
  HttpReceiver stripe;  // answers 200 to the read-only call
  Installation in;
  // The doctor is given the data directory only: the store is the SQLite file in it, whichever engine the HTTP
  // suites run on.
  TestServer server(true, in.data, [](Config& c) { c.store.url.clear(); });
  in.write("[site]\nbase_url = \"http://127.0.0.1:" + std::to_string(server.port()) + "\"\n[mail]\nsmtp_url = \"" +
           mail.url() +
           "\"\nusername = \"tribune\"\npassword = \"the mail password\"\n[stripe]\nsecret_key = \"sk_test_x\"\n"
           "webhook_secret = \"whsec_x\"\napi_base = \"" +
           stripe.url("") + "\"\n");
  auto all = in.examine();
  EXPECT_EQ(doctor_exit_code(all), 0) << report(all);
  for (auto check : {"config", "data", "store", "disk", "mail", "stripe", "clock", "public url"})
    EXPECT_TRUE(found(all, check, DoctorFinding::Level::ok)) << check << "\n" << report(all);
  EXPECT_EQ(mail.logins(), 1) << "the password was tried";
  EXPECT_TRUE(mail.messages().empty()) << "no mail sent";
  ASSERT_FALSE(stripe.received().empty());
  EXPECT_EQ(stripe.received()[0].method, "GET");
  EXPECT_EQ(stripe.received()[0].target, "/v1/balance");
  EXPECT_EQ(stripe.received()[0].header("authorization"), "Bearer sk_test_x");
}

TEST(Doctor, ATypoedKeyIsNamedWithTheKeyItMeant) {
  Installation in;
  in.write("[mail]\nsmpt_url = \"smtp://127.0.0.1:25\"\n");
  auto all = in.examine();
  EXPECT_EQ(doctor_exit_code(all), 1);
  auto* f = found(all, "config", DoctorFinding::Level::error, "mail.smpt_url");
  ASSERT_TRUE(f) << report(all);
  EXPECT_NE(f->message.find("did you mean mail.smtp_url?"), std::string::npos) << f->message;
  in.write("[mial]\nsmtp_url = \"smtp://127.0.0.1:25\"\n");
  all = in.examine();
  ASSERT_TRUE(found(all, "config", DoctorFinding::Level::error, "did you mean mail?")) << report(all);
}

TEST(Doctor, AWorldReadableConfigurationHoldingAStripeKeyIsAnError) {
  Installation in;
  std::filesystem::create_directories(in.data);
  in.write("[stripe]\nsecret_key = \"sk_live_abc\"\nwebhook_secret = \"whsec_x\"\napi_base = \"http://127.0.0.1:9\"\n",
           0644);
  auto all = in.examine();
  auto* f = found(all, "config", DoctorFinding::Level::error, "readable by every user");
  ASSERT_TRUE(f) << report(all);
  EXPECT_NE(f->message.find("stripe.secret_key"), std::string::npos);
  EXPECT_NE(f->fix.find("chmod 640"), std::string::npos);
  ::chmod(in.config.c_str(), 0640);
  EXPECT_FALSE(found(in.examine(), "config", DoctorFinding::Level::error)) << "fixed";
}

TEST(Doctor, AWrongMailPasswordARefusedStripeKeyAndAMissingWebhookSecretAreErrors) {
  SmtpSink mail;
  mail.require_login("tribune", "the right one");
  HttpReceiver stripe;
  stripe.answer(401, R"({"error":{"message":"Invalid API Key provided"}})");
  Installation in;
  std::filesystem::create_directories(in.data);
  in.write("[mail]\nsmtp_url = \"" + mail.url() +
           "\"\nusername = \"tribune\"\npassword = \"a wrong one\"\n"
           "[stripe]\nsecret_key = \"sk_test_x\"\napi_base = \"" +
           stripe.url("") + "\"\n");
  auto all = in.examine();
  EXPECT_EQ(doctor_exit_code(all), 1);
  auto* m = found(all, "mail", DoctorFinding::Level::error);
  ASSERT_TRUE(m) << report(all);
  EXPECT_NE(m->fix.find("username and password"), std::string::npos);
  EXPECT_TRUE(found(all, "stripe", DoctorFinding::Level::error, "refused the secret key")) << report(all);
  EXPECT_TRUE(found(all, "stripe", DoctorFinding::Level::error, "webhook_secret is not")) << report(all);
  EXPECT_TRUE(mail.messages().empty());
}

TEST(Doctor, AMissingDataDirectoryAndAStoreNotYetMadeAreSaid) {
  Installation in;
  in.write("");
  auto all = in.examine();
  EXPECT_TRUE(found(all, "data", DoctorFinding::Level::error, "does not exist")) << report(all);
  std::filesystem::create_directories(in.data);
  all = in.examine();
  EXPECT_TRUE(found(all, "store", DoctorFinding::Level::warning, "no database yet")) << report(all);
  EXPECT_TRUE(found(all, "mail", DoctorFinding::Level::warning, "waits in the outbox")) << report(all);
  EXPECT_EQ(doctor_exit_code(all), 1);
}

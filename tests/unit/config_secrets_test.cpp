// Secrets from outside the configuration file (issue 18): systemd credentials ($CREDENTIALS_DIRECTORY, from the
// unit's LoadCredential=) over environment variables over the file; `tribune serve` and `doctor` apply them.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "app/config.h"
#include "test_support.h"

using namespace tribune;

namespace {

std::string write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

}  // namespace

TEST(ConfigSecrets, CredentialsBeatTheEnvironmentWhichBeatsTheFile) {
  tribune::testing::TempDir dir;
  auto config = write(dir.path() + "/tribune.toml",
                      "[stripe]\nsecret_key = \"sk_from_file\"\nwebhook_secret = \"whsec_from_file\"\n"
                      "[mail]\npassword = \"file password\"\n");
  std::filesystem::create_directory(dir.path() + "/credentials");
  write(dir.path() + "/credentials/stripe_secret_key", "sk_from_credential\n");
  write(dir.path() + "/credentials/store_url", "postgresql://tribune:s3cret@db/tribune\r\n");
  std::map<std::string, std::string> env = {{"CREDENTIALS_DIRECTORY", dir.path() + "/credentials"},
                                            {"TRIBUNE_STRIPE_SECRET_KEY", "sk_from_environment"},
                                            {"TRIBUNE_SMTP_PASSWORD", "environment password"}};
  auto lookup = [&](const char* name) -> std::optional<std::string> {
    auto it = env.find(name);
    return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  Config c;
  load_config_file(config, c);
  apply_outside_secrets(c, lookup);
  EXPECT_EQ(c.stripe.secret_key, "sk_from_credential") << "the credential wins, its newline dropped";
  EXPECT_EQ(c.smtp.password, "environment password") << "the environment beats the file";
  EXPECT_EQ(c.stripe.webhook_secret, "whsec_from_file") << "the file stands where nothing else says";
  EXPECT_EQ(c.store.url, "postgresql://tribune:s3cret@db/tribune");
  EXPECT_TRUE(c.metrics.token.empty());

  Config untouched;
  load_config_file(config, untouched);
  apply_outside_secrets(untouched, [](const char*) { return std::optional<std::string>(); });
  EXPECT_EQ(untouched.stripe.secret_key, "sk_from_file");
  EXPECT_EQ(untouched.smtp.password, "file password");
}

TEST(ConfigSecrets, AnUnusableSecretIsRefusedNamingItsKey) {
  tribune::testing::TempDir dir;
  auto config = write(dir.path() + "/tribune.toml",
                      "[server]\nmetrics = \"token\"\nmetrics_token = \"long enough, 16+ chars\"\n");
  Config c;
  load_config_file(config, c);
  auto short_token = [](const char* name) -> std::optional<std::string> {
    if (std::string(name) == "TRIBUNE_METRICS_TOKEN") return "short";
    return std::nullopt;
  };
  try {
    apply_outside_secrets(c, short_token);
    FAIL() << "a 5-character metrics token was taken";
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("server.metrics_token"), std::string::npos) << e.message();
  }
  std::filesystem::create_directory(dir.path() + "/credentials");
  std::filesystem::create_directory(dir.path() + "/credentials/smtp_password");  // exists, cannot be read as a file
  auto unreadable = [&](const char* name) -> std::optional<std::string> {
    if (std::string(name) == "CREDENTIALS_DIRECTORY") return dir.path() + "/credentials";
    return std::nullopt;
  };
  Config d;
  EXPECT_EQ(tribune::testing::thrown_code([&] { apply_outside_secrets(d, unreadable); }), "invalid_config");
}

TEST(ConfigSecrets, ASecretTheFileLeavesOutMayComeFromOutsideAndEmptyIsNone) {
  tribune::testing::TempDir dir;
  auto config = write(dir.path() + "/tribune.toml",
                      "[server]\nmetrics = \"token\"\n[store]\nurl = \"postgresql://db/tribune\"\n"
                      "[moderation.external]\nurl = \"http://127.0.0.1:9/check\"\n");
  Config c;
  load_config_file(config, c);  // no token and no rule secret in the file: their checks wait for the outside
  std::map<std::string, std::string> env = {{"TRIBUNE_METRICS_TOKEN", "a token of twenty chars"},
                                            {"TRIBUNE_EXTERNAL_RULE_SECRET", "a rule secret, 16+"},
                                            {"TRIBUNE_STORE_URL", ""}};
  auto lookup = [&](const char* name) -> std::optional<std::string> {
    auto it = env.find(name);
    return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  apply_outside_secrets(c, lookup);
  EXPECT_EQ(c.metrics.token, "a token of twenty chars");
  EXPECT_EQ(c.external_rule.secret, "a rule secret, 16+");
  EXPECT_EQ(c.store.url, "postgresql://db/tribune") << "an empty variable is no value";

  Config none;
  load_config_file(config, none);
  EXPECT_EQ(tribune::testing::thrown_code(
                [&] { apply_outside_secrets(none, [](const char*) { return std::optional<std::string>(); }); }),
            "invalid_config")
      << "metrics = \"token\" with no token anywhere";
}

// PostgreSQL requests wait on round trips, so a PostgreSQL store gets twice the blocking threads unless the
// file says how many.
TEST(ConfigStore, BlockingThreadsAreTheFilesElseMoreForPostgreSQL) {
  tribune::testing::TempDir dir;
  Config sqlite;
  EXPECT_EQ(blocking_threads(sqlite), 32);
  Config postgres;
  postgres.store.url = "postgresql://tribune@db.internal/tribune";
  EXPECT_EQ(blocking_threads(postgres), 64);
  load_config_file(write(dir.path() + "/threads.toml", "[server]\nblocking_threads = 12\n"), postgres);
  EXPECT_EQ(blocking_threads(postgres), 12);
  Config given;
  load_config_file(write(dir.path() + "/threads.toml", "[server]\nblocking_threads = 40\n"), given);
  EXPECT_EQ(blocking_threads(given), 40);
}

TEST(ConfigStore, CommentWritersAreReadAndBounded) {
  tribune::testing::TempDir dir;
  Config c;
  load_config_file(write(dir.path() + "/ok.toml", "[store]\ncomment_writers = 3\n"), c);
  EXPECT_EQ(c.store.comment_writers, 3);
  EXPECT_EQ(Config().store.comment_writers, 1);
  for (const char* bad : {"0", "17"}) {
    Config refused;
    try {
      load_config_file(write(dir.path() + "/bad.toml", std::string("[store]\ncomment_writers = ") + bad + "\n"),
                       refused);
      ADD_FAILURE() << "comment_writers = " << bad << " was taken";
    } catch (const std::exception& e) {
      EXPECT_NE(std::string(e.what()).find("store.comment_writers"), std::string::npos) << e.what();
    }
  }
}

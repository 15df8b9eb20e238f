// The accounts service against a real SQLite store with an injected clock: session lifetimes, link expiry,
// password rehashing, cookie naming.
#include <gtest/gtest.h>
#include <sodium.h>

#include <algorithm>

#include "domain/accounts.h"
#include "domain/common_passwords.h"
#include "domain/tokens.h"
#include "http/cookies.h"
#include "model/error.h"
#include "store/sqlite/sqlite_store.h"
#include "test_support.h"

using namespace tribune;
using tribune::testing::TempDir;

namespace {

struct AccountServiceTest : ::testing::Test {
  TempDir dir;
  std::unique_ptr<Store> store = [this] {
    auto s = open_sqlite_store(SqliteOptions{dir.path() + "/tribune.db", 2, 64});
    s->migrate();
    return s;
  }();
  RateLimiter limiter;
  TimePoint now = now_seconds();
  SessionPolicy sessions{std::chrono::hours(1), std::chrono::hours(5), std::chrono::minutes(5)};
  AccountService accounts{*store,   *store,           *store,          limiter,
                          sessions, PasswordPolicy{}, AccountLimits{}, [this] { return now; }};
  ClientInfo client{"192.0.2.1", "test-agent"};
};

}  // namespace

TEST_F(AccountServiceTest, IdleSessionsEnd) {
  auto s = accounts.register_account("idle@example.org", "Idle", "an idle reader's password", client);
  now += std::chrono::minutes(50);
  ASSERT_TRUE(accounts.authenticate(s.session_token)) << "used within the idle timeout";
  now += std::chrono::minutes(50);
  EXPECT_TRUE(accounts.authenticate(s.session_token)) << "each use moves the idle deadline";
  now += std::chrono::minutes(61);
  EXPECT_FALSE(accounts.authenticate(s.session_token));
  EXPECT_FALSE(accounts.authenticate(s.session_token)) << "an expired session is gone for good";
}

TEST_F(AccountServiceTest, SessionsEndAtTheAbsoluteLimitHoweverActive) {
  auto s = accounts.register_account("busy@example.org", "Busy", "a busy reader's password", client);
  for (int i = 0; i < 9; ++i) {
    now += std::chrono::minutes(30);
    ASSERT_TRUE(accounts.authenticate(s.session_token)) << i;
  }
  now += std::chrono::minutes(31);
  EXPECT_FALSE(accounts.authenticate(s.session_token));
}

TEST_F(AccountServiceTest, CsrfTokensBelongToTheirSession) {
  auto a = accounts.register_account("a@example.org", "Reader A", "reader a's long password", client);
  auto b = accounts.register_account("b@example.org", "Reader B", "reader b's long password", client);
  EXPECT_NE(a.csrf_token, b.csrf_token);
  EXPECT_EQ(accounts.authenticate(a.session_token)->csrf_token, a.csrf_token);
  EXPECT_NE(a.csrf_token, a.session_token);
}

TEST_F(AccountServiceTest, LinksExpireAfterMinutes) {
  accounts.set_mail_settings(MailSettings{"http://x", "X", std::chrono::minutes(60), std::chrono::minutes(30)});
  accounts.register_account("late@example.org", "Late", "a late reader's password", client);
  auto mails = store->claim_mail(now, std::chrono::minutes(1), 10);
  ASSERT_EQ(mails.size(), 1u);
  auto body = mails[0].mail.body_text;
  auto token = body.substr(body.find("token=") + 6, 43);
  now += std::chrono::minutes(61);
  try {
    accounts.verify_email(token);
    FAIL() << "an hour-old link still worked";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "link_expired");
  }
}

TEST_F(AccountServiceTest, SignInRehashesWhenParametersRise) {
  // An account hashed with weaker parameters than today's policy (as if created by an older release).
  char weak[crypto_pwhash_STRBYTES];
  ASSERT_EQ(
      crypto_pwhash_str_alg(weak, "an older password here", 22, 1, 8u * 1024 * 1024, crypto_pwhash_ALG_ARGON2ID13), 0);
  NewAccount old{"old@example.org", "old@example.org", "Old", {"old", "old"}, weak, Role::reader, now};
  auto id = store->create_account(old, std::nullopt, std::nullopt, std::nullopt).account.id;
  accounts.sign_in("old@example.org", "an older password here", client);
  auto creds = store->find_credentials("old@example.org");
  ASSERT_TRUE(creds);
  EXPECT_EQ(creds->account.id, id);
  EXPECT_TRUE(creds->password_hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$")) << creds->password_hash;
  accounts.sign_in("old@example.org", "an older password here", client);  // the new hash verifies too
}

TEST_F(AccountServiceTest, SessionTokensAreLongRandomAndStoredHashed) {
  auto s = accounts.register_account("t@example.org", "Token", "a token reader's password", client);
  EXPECT_EQ(s.session_token.size(), 43u);  // 256 bits, base64url
  EXPECT_TRUE(store->find_session(sha256(s.session_token)));
  EXPECT_FALSE(store->find_session(s.session_token)) << "the clear token is not a key";
}

TEST(SessionCookie, HostPrefixAndSecureOverHttps) {
  auto https = SessionCookie::for_site(true, 3600);
  EXPECT_EQ(https.name, "__Host-tribune_session");
  auto set = https.set("abc");
  EXPECT_NE(set.find("; Secure"), std::string::npos);
  EXPECT_NE(set.find("; HttpOnly"), std::string::npos);
  EXPECT_NE(set.find("; SameSite=Lax"), std::string::npos);
  EXPECT_NE(set.find("; Path=/"), std::string::npos);
  EXPECT_EQ(set.find("Domain"), std::string::npos);
  auto http = SessionCookie::for_site(false, 3600);
  EXPECT_EQ(http.name, "tribune_session");
  EXPECT_EQ(http.set("abc").find("Secure"), std::string::npos);
  EXPECT_NE(http.clear().find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(cookie_value("a=1; tribune_session=xyz; b=2", "tribune_session"), "xyz");
  EXPECT_FALSE(cookie_value("a=1", "tribune_session"));
}

namespace {

// The list is a data file compiled into the binary (src/domain/data/common-passwords.txt).
TEST(CommonPasswords, TheEmbeddedListIsReadWholeAndCaseBlind) {
  EXPECT_GT(common_passwords().size(), 2000u);
  EXPECT_TRUE(std::is_sorted(common_passwords().begin(), common_passwords().end()));
  EXPECT_TRUE(is_common_password("!qaz2wsx"));   // the file's first line
  EXPECT_TRUE(is_common_password("zxcvbnm69"));  // and its last
  EXPECT_TRUE(is_common_password("Password123"));
  EXPECT_FALSE(is_common_password(
      "# Passwords of 8+ characters that guessing attacks try first, lower-case, one a line, sorted byte-wise."));
  EXPECT_FALSE(is_common_password("correct horse battery staple"));
}

}  // namespace

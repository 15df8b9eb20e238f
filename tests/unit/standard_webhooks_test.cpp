// Standard Webhooks signatures, against the specification's own test vector: a receiver's library must
// accept what Tribune signs.
#include "util/standard_webhooks.h"

#include <gtest/gtest.h>

using namespace tribune;

namespace {
// From the Standard Webhooks specification and its reference libraries.
constexpr const char* kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr const char* kId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr int64_t kTimestamp = 1614265330;
constexpr const char* kBody = R"({"test": 2432232314})";
constexpr const char* kSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
}  // namespace

TEST(StandardWebhooks, SignaturesMatchTheSpecificationsTestVector) {
  EXPECT_EQ(standard_webhooks::sign(kSecret, kId, kTimestamp, kBody), kSignature);
  // The prefix is optional, as in the reference libraries.
  EXPECT_EQ(standard_webhooks::sign("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", kId, kTimestamp, kBody), kSignature);
}

TEST(StandardWebhooks, VerificationChecksSignatureTimeAndAnyOfSeveral) {
  auto ts = std::to_string(kTimestamp);
  EXPECT_TRUE(standard_webhooks::verify(kSecret, kId, ts, kSignature, kBody, kTimestamp));
  EXPECT_TRUE(standard_webhooks::verify(kSecret, kId, ts, std::string("v1,bm9wZQ== ") + kSignature, kBody, kTimestamp))
      << "one of several (a rotation)";
  EXPECT_FALSE(standard_webhooks::verify(kSecret, kId, ts, kSignature, R"({"test": 2432232315})", kTimestamp));
  EXPECT_FALSE(standard_webhooks::verify(kSecret, "msg_other", ts, kSignature, kBody, kTimestamp));
  EXPECT_FALSE(standard_webhooks::verify(kSecret, kId, ts, kSignature, kBody, kTimestamp + 301)) << "too old";
  EXPECT_FALSE(standard_webhooks::verify(kSecret, kId, ts, kSignature, kBody, kTimestamp - 301)) << "from the future";
  EXPECT_FALSE(standard_webhooks::verify(kSecret, kId, "16142x", kSignature, kBody, kTimestamp));
  EXPECT_FALSE(standard_webhooks::verify("whsec_!!!", kId, ts, kSignature, kBody, kTimestamp));
}

TEST(StandardWebhooks, FreshSecretsAreRandomAndDecode) {
  auto a = standard_webhooks::new_secret(), b = standard_webhooks::new_secret();
  EXPECT_NE(a, b);
  EXPECT_TRUE(a.starts_with("whsec_"));
  ASSERT_TRUE(standard_webhooks::secret_key(a));
  EXPECT_EQ(standard_webhooks::secret_key(a)->size(), 32u);
  EXPECT_FALSE(standard_webhooks::sign("whsec_", kId, kTimestamp, kBody)) << "no key";
}

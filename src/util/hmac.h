// Keyed hashes for signed messages (Stripe's webhooks, Tribune's own signed calls to an external rule).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tribune {

// The 32 bytes of HMAC-SHA256(key, message) (libsodium).
std::string hmac_sha256(std::string_view key, std::string_view message);
// Lowercase hex of HMAC-SHA256(key, message).
std::string hmac_sha256_hex(std::string_view key, std::string_view message);

// The "t.body" scheme Stripe and Standard Webhooks-style receivers use: hmac_sha256_hex(secret,
// "<timestamp>.<body>").
inline std::string timestamped_signature(std::string_view secret, int64_t timestamp, std::string_view body) {
  return hmac_sha256_hex(secret, std::to_string(timestamp) + "." + std::string(body));
}

}  // namespace tribune

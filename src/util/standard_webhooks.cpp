#include "util/standard_webhooks.h"

#include <sodium.h>

#include <charconv>

#include "util/hmac.h"

namespace tribune::standard_webhooks {

namespace {
constexpr std::string_view kPrefix = "whsec_";
}

std::string new_secret() {
  unsigned char key[32];
  randombytes_buf(key, sizeof key);
  return std::string(kPrefix) + base64_encode(std::string_view(reinterpret_cast<const char*>(key), sizeof key));
}

std::optional<std::string> secret_key(std::string_view secret) {
  if (secret.starts_with(kPrefix)) secret.remove_prefix(kPrefix.size());
  auto key = base64_decode(secret);
  if (!key || key->empty()) return std::nullopt;
  return key;
}

std::optional<std::string> sign(std::string_view secret, std::string_view id, int64_t timestamp,
                                std::string_view body) {
  auto key = secret_key(secret);
  if (!key) return std::nullopt;
  std::string content;
  content.reserve(id.size() + body.size() + 24);
  content.append(id).append(".").append(std::to_string(timestamp)).append(".").append(body);
  return "v1," + base64_encode(hmac_sha256(*key, content));
}

bool verify(std::string_view secret, std::string_view id, std::string_view timestamp, std::string_view signatures,
            std::string_view body, int64_t now, int64_t tolerance_seconds) {
  int64_t t = 0;
  auto [end, ec] = std::from_chars(timestamp.data(), timestamp.data() + timestamp.size(), t);
  if (ec != std::errc() || end != timestamp.data() + timestamp.size()) return false;
  if (t < now - tolerance_seconds || t > now + tolerance_seconds) return false;
  auto signed_here = sign(secret, id, t, body);
  if (!signed_here) return false;
  const std::string& expected = *signed_here;
  while (!signatures.empty()) {
    auto space = signatures.find(' ');
    auto one = signatures.substr(0, space);
    if (one.size() == expected.size() && sodium_memcmp(one.data(), expected.data(), one.size()) == 0) return true;
    signatures = space == std::string_view::npos ? std::string_view() : signatures.substr(space + 1);
  }
  return false;
}

}  // namespace tribune::standard_webhooks

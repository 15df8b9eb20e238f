// The Standard Webhooks signature scheme (https://www.standardwebhooks.com): what Tribune's outgoing webhooks
// carry, so that a receiver's existing library verifies them.
//
//   webhook-id:        msg_<event id>, the same for every attempt of a message (the receiver's idempotency key)
//   webhook-timestamp: Unix seconds of this attempt
//   webhook-signature: "v1,<base64 HMAC-SHA256(key, id.timestamp.body)>", space-separated when two secrets
//                      sign it (after a rotation)
// A secret is "whsec_" + base64 of the key's bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/text.h"

namespace tribune::standard_webhooks {

// A fresh secret: 32 random bytes.
std::string new_secret();
// The key's bytes (with or without the "whsec_" prefix); nullopt when it is not base64.
std::optional<std::string> secret_key(std::string_view secret);
// "v1,<base64 signature>"; nullopt for a malformed secret.
std::optional<std::string> sign(std::string_view secret, std::string_view id, int64_t timestamp, std::string_view body);
// Whether one of the signatures in the header is the secret's, with a timestamp within tolerance of now.
bool verify(std::string_view secret, std::string_view id, std::string_view timestamp, std::string_view signatures,
            std::string_view body, int64_t now, int64_t tolerance_seconds = 300);

}  // namespace tribune::standard_webhooks

#include "domain/tokens.h"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "model/error.h"

namespace tribune {

std::string sha256(std::string_view data) {
  unsigned char out[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(out, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return std::string(reinterpret_cast<const char*>(out), sizeof out);
}

TokenService::Created TokenService::create(const std::string& name, const std::string& role,
                                           std::optional<int64_t> actor_id) {
  auto parsed = parse_role(role);
  if (!parsed || !is_staff(*parsed))
    throw invalid_field("role", "invalid_role", "role must be editor, moderator or admin.");
  if (trim(name).empty() || name.size() > 120 || !is_valid_utf8(name) || has_control_chars(name))
    throw invalid_field("name", "invalid_name", "name must be 1 to 120 characters of text.");
  unsigned char secret[32];
  randombytes_buf(secret, sizeof secret);
  std::string token = "trb_" + base64url_encode(std::string_view(reinterpret_cast<const char*>(secret), sizeof secret));
  auto record = store_.create_api_token(sha256(token), trim(name), *parsed);
  audit_.audit(actor_id, "create_token", std::nullopt, record.name + " (" + role + ")");
  return {token, record};
}

std::optional<ApiToken> TokenService::authenticate(std::string_view token) const {
  if (!token.starts_with("trb_") || token.size() > 100) return std::nullopt;
  auto found = store_.find_api_token(sha256(token));
  if (!found) return std::nullopt;
  auto now = now_();
  if (!found->last_used_at || now - *found->last_used_at >= kUseResolution) {
    // Recording the use is a courtesy to the admin: a store that cannot take the write (a replica answering
    // while the primary is away) does not turn the call away.
    try {
      store_.touch_api_token(found->id, now);
      found->last_used_at = now;
    } catch (const Error& e) {
      spdlog::warn("token {}: its last use was not recorded: {}", found->id, e.message());
    }
  }
  return found;
}

void TokenService::revoke(int64_t id, std::optional<int64_t> actor_id) {
  auto tokens = store_.list_api_tokens();
  auto it = std::ranges::find(tokens, id, &ApiToken::id);
  if (it == tokens.end())
    throw Error(ErrorKind::not_found, "not_found", "There is no API token " + std::to_string(id) + ".");
  if (store_.revoke_api_token(id, now_()))
    audit_.audit(actor_id, "revoke_token", std::nullopt, it->name + " (" + std::string(to_string(it->role)) + ")");
}

}  // namespace tribune

// The external moderation rule: asks a service of the publication's choosing about each comment. The request
// is a signed JSON POST; the call is bounded by a strict timeout and, when the service fails, the comment is
// published (fail open) or held for review (fail closed), as configured. Never rejects for a failure.
//
// Request:  POST <url>, Content-Type: application/json,
//           Tribune-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
//           {"text": "...", "author_id": 12, "author_role": "reader", "article": "slug"}
// Answer:   200 {"action": "publish" | "hold" | "reject" | "none", "reason": "shown to the author"}
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "domain/moderation_rules.h"

namespace tribune {

struct ExternalRuleSettings {
  std::string url;     // empty: the rule is off
  std::string secret;  // signs each request
  std::chrono::milliseconds timeout{300};
  bool fail_open = true;
};

class ExternalRule {
 public:
  explicit ExternalRule(ExternalRuleSettings settings) : settings_(std::move(settings)) {}
  bool configured() const { return !settings_.url.empty(); }
  // nullopt: the service decided nothing ("none"), or it failed and the rule fails open.
  std::optional<Verdict> check(const Candidate& c) const;

 private:
  ExternalRuleSettings settings_;
};

}  // namespace tribune

#include "hooks/external_rule.h"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <memory>

#include "util/curl_client.h"
#include "util/hmac.h"
#include "util/text.h"

namespace tribune {

namespace json = boost::json;

std::optional<Verdict> ExternalRule::check(const Candidate& c) const {
  auto failed = [&](const std::string& why) -> std::optional<Verdict> {
    spdlog::warn("moderation: external rule failed ({}); {}", why, settings_.fail_open ? "publishing" : "holding");
    if (settings_.fail_open) return std::nullopt;
    Verdict v;
    v.action = Verdict::Action::hold;
    v.reason = "A moderator will read your comment first.";
    v.tags.push_back("external_failed");
    return v;
  };
  std::string body = json::serialize(json::object{{"text", c.text},
                                                  {"author_id", c.author_id},
                                                  {"author_role", to_string(c.author_role)},
                                                  {"article", c.article_slug}});
  int64_t t =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  std::string signature =
      "Tribune-Signature: t=" + std::to_string(t) + ",v1=" + timestamped_signature(settings_.secret, t, body);
  curl_client::Post request;
  request.url = settings_.url;
  request.headers = {"Content-Type: application/json", signature};
  request.body = std::move(body);
  request.timeout = request.connect_timeout = settings_.timeout;
  request.max_answer = size_t{64} * 1024;  // an answer is a few bytes
  auto reply = curl_client::post(request);
  if (!reply.ok()) return failed(reply.error);
  if (reply.status != 200) return failed("HTTP " + std::to_string(reply.status));
  const std::string& answer = reply.body;
  boost::system::error_code ec;
  auto v = json::parse(answer, ec);
  const json::object* o = !ec && v.is_object() ? &v.as_object() : nullptr;
  const json::value* action = o ? o->if_contains("action") : nullptr;
  if (!action || !action->is_string()) return failed("an answer without an action");
  std::string_view a = action->as_string();
  std::string reason;
  if (auto* r = o->if_contains("reason"); r && r->is_string() && is_valid_utf8(r->as_string()))
    reason = std::string(r->as_string()).substr(0, 500);
  Verdict verdict;
  if (a == "none") return std::nullopt;
  if (a == "publish")
    verdict.action = Verdict::Action::publish;
  else if (a == "hold")
    verdict.action = Verdict::Action::hold;
  else if (a == "reject")
    verdict.action = Verdict::Action::reject;
  else
    return failed("an unknown action");
  verdict.reason = !reason.empty()                             ? reason
                   : verdict.action == Verdict::Action::reject ? std::string("Your comment cannot be published.")
                   : verdict.action == Verdict::Action::hold ? std::string("A moderator will read your comment first.")
                                                             : std::string();
  return verdict;
}

}  // namespace tribune

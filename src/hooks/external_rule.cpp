#include "hooks/external_rule.h"

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <memory>

#include "util/hmac.h"
#include "util/text.h"

namespace tribune {

namespace json = boost::json;

namespace {

size_t collect(char* data, size_t size, size_t n, void* out) {
  auto* s = static_cast<std::string*>(out);
  if (s->size() + size * n > 64 * 1024) return 0;  // an answer is a few bytes; more aborts the transfer
  s->append(data, size * n);
  return size * n;
}

}  // namespace

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
  std::string body = json::serialize(json::object{
      {"text", c.text}, {"author_id", c.author_id}, {"author_role", c.author_role}, {"article", c.article_slug}});
  int64_t t = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  std::string signature = "Tribune-Signature: t=" + std::to_string(t) + ",v1=" + timestamped_signature(settings_.secret, t, body);
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
  if (!curl) return failed("no HTTP client");
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  headers = curl_slist_append(headers, signature.c_str());
  headers = curl_slist_append(headers, "Expect:");
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_list(headers, &curl_slist_free_all);
  std::string answer;
  curl_easy_setopt(curl.get(), CURLOPT_URL, settings_.url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &answer);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(settings_.timeout.count()));
  curl_easy_setopt(curl.get(), CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(settings_.timeout.count()));
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "http,https");
  CURLcode rc = curl_easy_perform(curl.get());
  if (rc != CURLE_OK) return failed(curl_easy_strerror(rc));
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) return failed("HTTP " + std::to_string(status));
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
  if (a == "publish") verdict.action = Verdict::Action::publish;
  else if (a == "hold") verdict.action = Verdict::Action::hold;
  else if (a == "reject") verdict.action = Verdict::Action::reject;
  else return failed("an unknown action");
  verdict.reason = !reason.empty() ? reason
                   : verdict.action == Verdict::Action::reject ? std::string("Your comment cannot be published.")
                   : verdict.action == Verdict::Action::hold   ? std::string("A moderator will read your comment first.")
                                                               : std::string();
  return verdict;
}

}  // namespace tribune

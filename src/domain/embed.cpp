#include "domain/embed.h"

#include <sodium.h>

#include <algorithm>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include "util/text.h"

namespace tribune {

namespace {

constexpr size_t kMaxUrl = 2000;
constexpr size_t kMaxIdentifier = 200;

Error bad_url() {
  return Error(ErrorKind::invalid, "invalid_url", "The page's address must be an absolute http or https address.",
               "url");
}

bool tracking(std::string_view name) {
  return name.starts_with("utm_") || name == "fbclid" || name == "gclid" || name == "mc_cid" || name == "mc_eid";
}

std::string hex(std::string_view text, size_t bytes) {
  unsigned char digest[32];
  crypto_generichash(digest, bytes, reinterpret_cast<const unsigned char*>(text.data()), text.size(), nullptr, 0);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < bytes; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

}  // namespace

std::optional<std::string> origin_of(std::string_view url) {
  if (url.size() > kMaxUrl || has_control_chars(url)) return std::nullopt;
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return std::nullopt;
  auto scheme = to_lower_ascii(parsed->scheme());
  if ((scheme != "http" && scheme != "https") || !parsed->has_authority() || parsed->has_userinfo())
    return std::nullopt;
  auto host = to_lower_ascii(parsed->encoded_host());
  // A DNS name or an IP address, nothing else a URL's host may hold (no "*", ";", quotes or percent signs): an
  // origin goes into frame-ancestors, Access-Control-Allow-Origin and a cookie.
  bool literal = host.starts_with("[") && host.ends_with("]");
  auto allowed_chars = literal ? "0123456789abcdef:.[]" : "abcdefghijklmnopqrstuvwxyz0123456789.-";
  if (host.empty() || host.find_first_not_of(allowed_chars) != std::string::npos) return std::nullopt;
  std::string origin = scheme + "://" + host;
  if (parsed->has_port()) {
    auto port = parsed->port();
    if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos)
      return std::nullopt;
    if (!((scheme == "http" && port == "80") || (scheme == "https" && port == "443")))
      origin += ":" + std::string(port);
  }
  return origin;
}

EmbedService::EmbedService(EmbedStore& store, AuditLog& audit, RateLimiter& limits, EmbedSettings settings, Now now)
    : store_(store), audit_(audit), limits_(limits), settings_(std::move(settings)), now_(std::move(now)) {
  for (auto& o : settings_.origins)
    if (auto normal = origin_of(o)) o = *normal;
}

std::vector<EmbedService::Origin> EmbedService::origins() {
  std::vector<Origin> out;
  for (const auto& o : settings_.origins) out.push_back({EmbedOrigin{o, settings_.appeal, {}}, true});
  for (auto& o : store_.embed_origins())
    if (std::ranges::find(settings_.origins, o.origin) == settings_.origins.end()) out.push_back({std::move(o), false});
  return out;
}

std::optional<EmbedOrigin> EmbedService::allowed(std::string_view origin) {
  if (origin.empty()) return std::nullopt;
  if (std::ranges::find(settings_.origins, origin) != settings_.origins.end())
    return EmbedOrigin{std::string(origin), settings_.appeal, {}};
  // Every embed view and count request asks: the store's list is read at most every 10 seconds (this node's
  // own changes at once), not per request.
  std::lock_guard lock(recent_mu_);
  auto now = std::chrono::steady_clock::now();
  if (recent_at_ == std::chrono::steady_clock::time_point{} || now - recent_at_ > std::chrono::seconds(10)) {
    recent_ = store_.embed_origins();
    recent_at_ = now;
  }
  for (const auto& o : recent_)
    if (o.origin == origin) return o;
  return std::nullopt;
}

EmbedOrigin EmbedService::allow(std::optional<int64_t> actor_id, std::string_view text, bool appeal) {
  auto given = to_lower_ascii(trim(text));
  auto origin = origin_of(given);
  // Exactly an origin: an address with a path would suggest that only that path is allowed.
  if (!origin || (given != *origin && given != *origin + "/"))
    throw Error(ErrorKind::invalid, "invalid_origin",
                "Give the site's origin: https:// and its host name, and a port if it is not the usual one, "
                "without a path (https://news.example).",
                "origin");
  EmbedOrigin o{*origin, appeal, now_()};
  store_.save_embed_origin(o);
  audit_.audit(actor_id, "allow_embed_origin", std::nullopt, o.origin + (appeal ? " (with the appeal)" : ""));
  changed();
  return o;
}

void EmbedService::remove(std::optional<int64_t> actor_id, std::string_view origin) {
  if (std::ranges::find(settings_.origins, origin) != settings_.origins.end())
    throw Error(ErrorKind::invalid, "configured_origin",
                "This site is allowed by the configuration file ([embed] origins); remove it there.", "origin");
  if (!store_.remove_embed_origin(std::string(origin))) throw not_found("The site");
  audit_.audit(actor_id, "remove_embed_origin", std::nullopt, std::string(origin));
  changed();
}

void EmbedService::changed() {
  {
    std::lock_guard lock(recent_mu_);
    recent_at_ = {};
  }
  if (on_change_) on_change_();
}

std::string EmbedService::clean_url(std::string_view url) {
  if (url.size() > kMaxUrl || !is_valid_utf8(url) || has_control_chars(url) || !origin_of(url)) throw bad_url();
  auto parsed = boost::urls::parse_uri(url);
  boost::urls::url u(*parsed);
  u.remove_fragment();
  u.set_scheme(to_lower_ascii(u.scheme()));
  u.set_encoded_host(to_lower_ascii(u.encoded_host()));
  if ((u.scheme() == "http" && u.port() == "80") || (u.scheme() == "https" && u.port() == "443")) u.remove_port();
  auto params = u.params();
  for (auto it = params.begin(); it != params.end();) it = tracking((*it).key) ? params.erase(it) : std::next(it);
  if (u.has_query() && u.encoded_query().empty()) u.remove_query();
  std::string out(u.buffer());
  // "https://news.example" and "https://news.example/" are one page.
  if (u.encoded_path().empty()) out.insert(u.scheme().size() + 3 + u.encoded_authority().size(), "/");
  return out;
}

std::string EmbedService::story_key(const std::string& origin, const Page& page) {
  if (!page.identifier.empty()) {
    if (page.identifier.size() > kMaxIdentifier || !is_valid_utf8(page.identifier) ||
        has_control_chars(page.identifier))
      throw Error(ErrorKind::invalid, "invalid_identifier",
                  "The story's identifier must be one line of at most 200 "
                  "characters.",
                  "identifier");
    return origin + " id:" + page.identifier;
  }
  return clean_url(page.url);
}

EmbedService::Story EmbedService::story(const Page& page, const std::string& client_ip) {
  auto url = clean_url(page.url);
  auto origin = allowed(*origin_of(url));
  if (!origin)
    throw Error(ErrorKind::forbidden, "origin_not_allowed",
                "This site is not allowed to embed conversations from this publication.");
  auto key = story_key(origin->origin, page);
  if (auto found = store_.find_story(key)) return story(*found);
  std::string title = trim(page.title);
  if (title.size() > kMaxTitle || !is_valid_utf8(title) || has_control_chars(title))
    throw Error(ErrorKind::invalid, "invalid_title", "The story's title must be one line of at most 300 characters.",
                "title");
  // Anyone can ask for a story of any address on an allowed site: each address makes a row, so new ones are
  // counted per client.
  limits_.hit("embed-story:ip:" + client_ip, {30, std::chrono::minutes(10)});
  return {
      store_.make_story({key, url, "embed-" + hex(key, 8), title.empty() ? url.substr(0, kMaxTitle) : title, now_()}),
      std::move(*origin)};
}

std::pair<Article, bool> EmbedService::imported_story(const Page& page, TimePoint at) {
  auto url = clean_url(page.url);
  auto origin = *origin_of(url);
  // Only for a site allowed to embed: a story's Tribune address redirects to its page.
  if (!allowed(origin))
    throw Error(ErrorKind::forbidden, "origin_not_allowed", "The thread's site is not allowed to embed conversations.");
  auto key = story_key(origin, page);
  if (auto found = store_.find_story(key)) return {std::move(*found), false};
  std::string title = trim(page.title);
  return {store_.make_story({key, url, "embed-" + hex(key, 8), title.empty() ? url.substr(0, kMaxTitle) : title, at}),
          true};
}

EmbedService::Story EmbedService::story(const Article& article) {
  // A story an editor took down (unpublished, deleted) shows nowhere, as an article would not.
  if (article.embed_url.empty() ||
      (article.state != ArticleState::published && article.state != ArticleState::retracted))
    throw not_found("The conversation");
  auto origin = allowed(origin_of(article.embed_url).value_or(""));
  if (!origin)
    throw Error(ErrorKind::forbidden, "origin_not_allowed",
                "This site is not allowed to embed conversations from this publication.");
  return {article, std::move(*origin)};
}

std::vector<int64_t> EmbedService::counts(std::string_view origin, const std::vector<Page>& pages) {
  if (pages.size() > kMaxCounted)
    throw Error(ErrorKind::invalid, "too_many", "Ask for at most 100 pages at a time.", "url");
  std::vector<int64_t> out(pages.size(), 0);
  std::vector<std::string> keys(pages.size());
  for (size_t i = 0; i < pages.size(); ++i) {
    try {
      if (pages[i].identifier.empty() && origin_of(pages[i].url) != origin) continue;
      keys[i] = story_key(std::string(origin), pages[i]);
    } catch (const Error&) {
      // A malformed entry counts 0, as an unknown page does: one bad link does not spoil a listing.
    }
  }
  std::vector<std::string> asked;
  for (const auto& k : keys)
    if (!k.empty()) asked.push_back(k);
  auto found = store_.story_counts(asked);
  for (size_t i = 0; i < keys.size(); ++i)
    for (const auto& [k, n] : found)
      if (!keys[i].empty() && k == keys[i]) out[i] = n;
  return out;
}

}  // namespace tribune

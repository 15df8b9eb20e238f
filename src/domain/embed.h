// Conversations embedded in other sites' pages (docs/embed.md): which sites may embed them, and the story that
// each host page's conversation hangs on, made when the page is first viewed.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/rate_limit.h"
#include "model/article.h"
#include "store/roles/audit.h"
#include "store/roles/embed.h"

namespace tribune {

struct EmbedSettings {
  std::vector<std::string> origins;  // [embed] origins: allowed whatever the admin page says
  bool appeal = false;               // [embed] appeal: the contribution appeal in those origins' embeds
};

// The origin of an absolute http(s) address: scheme and host in lower case, the port only when it is not the
// scheme's own ("https://news.example:8443"). nullopt for anything else (no host, user info, other schemes).
std::optional<std::string> origin_of(std::string_view url);

class EmbedService {
 public:
  using Now = std::function<TimePoint()>;
  EmbedService(EmbedStore& store, AuditLog& audit, RateLimiter& limits, EmbedSettings settings, Now now = now_seconds);

  struct Origin {
    EmbedOrigin origin;
    bool configured = false;  // from the configuration file: the admin page cannot remove it
  };
  std::vector<Origin> origins();
  // The allowed origin exactly as written (origin_of(origin) == origin), if it is allowed: from a copy of the
  // list at most 10 seconds old (this node's own changes at once), so that neither page views nor the
  // pipeline's framing check wait on the store.
  std::optional<EmbedOrigin> allowed(std::string_view origin);
  // Called after an origin is allowed, changed or removed (the page cache keeps embed pages with the appeal).
  void on_change(std::function<void()> f) { on_change_ = std::move(f); }
  // Errors: invalid (origin: not an http(s) origin).
  EmbedOrigin allow(std::optional<int64_t> actor_id, std::string_view origin, bool appeal);
  // Errors: not_found; invalid (a configured origin).
  void remove(std::optional<int64_t> actor_id, std::string_view origin);

  // What a host page says of itself: its address (required), its own identifier for the story (optional: the
  // address names it then), its title (optional).
  struct Page {
    std::string url;
    std::string identifier;
    std::string title;
  };
  struct Story {
    Article article;
    EmbedOrigin origin;
  };
  // The page's story, made on its first view. client_ip: making stories is rate-limited per address.
  // Errors: invalid (url, identifier, title), forbidden (origin_not_allowed), rate_limited.
  Story story(const Page& page, const std::string& client_ip);
  // The story of a page whose conversation is imported (tribune import --embed): made without the rate limit or
  // a view (an admin's act), dated `at` when new. Only for an allowed site.
  // Returns the story and whether this call made it. Errors: invalid (url), forbidden (origin_not_allowed).
  std::pair<Article, bool> imported_story(const Page& page, TimePoint at);
  // A story by its article, as the frame's own links name it. Errors: not_found, forbidden (origin_not_allowed).
  Story story(const Article& article);

  // The comment counts of a host's pages, for its listings. Pages not of that origin or without a story count 0.
  // Errors: invalid (more than kMaxCounted pages).
  static constexpr size_t kMaxCounted = 100;
  std::vector<int64_t> counts(std::string_view origin, const std::vector<Page>& pages);

  // What makes a host page one story: "origin id:identifier", or the page's address without its fragment and
  // its tracking parameters (utm_*, fbclid, gclid). Errors: invalid.
  static std::string story_key(const std::string& origin, const Page& page);
  // The page's address as its story keeps it (no fragment). Errors: invalid (url).
  static std::string clean_url(std::string_view url);

 private:
  void changed();

  EmbedStore& store_;
  AuditLog& audit_;
  RateLimiter& limits_;
  EmbedSettings settings_;
  Now now_;
  std::function<void()> on_change_;
  std::mutex recent_mu_;
  std::vector<EmbedOrigin> recent_;  // the store's origins, as last read
  std::chrono::steady_clock::time_point recent_at_{};
};

}  // namespace tribune

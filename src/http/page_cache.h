// Rendered responses kept in memory, shared by every request, precompressed once per version.
//
// A page is rendered once per change: the article service's change listener and the content-version poller
// call invalidate_all(), which bumps the generation. A render that started before an invalidation is not
// stored (put() compares generations), so a stale page can never outlive the change that made it stale.
//
// Per-reader parts are not in the cache: a page's HTML holds slot markers (<!--tribune:slot:NAME-->) where
// the reader's own fragments go (the masthead's sign-in state, the comment form). Anonymous readers get the
// page with the anonymous fragments, precompressed; signed-in readers get the cached parts joined with
// their own fragments.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "http/message.h"
#include "util/text.h"

namespace tribune {

inline constexpr std::string_view kSlotPrefix = "<!--tribune:slot:";
inline constexpr std::string_view kSlotSuffix = "-->";

// Returns the HTML for a named slot.
using SlotFiller = std::function<std::string(std::string_view slot)>;

struct CachedPage {
  std::vector<std::string> parts;  // the page split at its slots: parts.size() == slots.size() + 1
  std::vector<std::string> slots;
  std::shared_ptr<const std::string> body;  // parts joined with the anonymous fragments
  std::shared_ptr<const std::string> gzip;  // body, gzip level 9
  std::string etag;                         // strong, from the body's bytes
  std::string content_type;
  std::string cache_control;
  http::status status = http::status::ok;
};

// Builds a page: splits at its slots, fills them with the anonymous fragments, compresses, hashes. A page
// served once (never stored) is compressed fast rather than small.
std::shared_ptr<const CachedPage> make_page(std::string content, const SlotFiller& anonymous, std::string content_type,
                                            std::string cache_control, int gzip_level = 9);
inline std::shared_ptr<const CachedPage> make_page(std::string content, std::string content_type,
                                                   std::string cache_control) {
  return make_page(std::move(content), SlotFiller{}, std::move(content_type), std::move(cache_control));
}
// Fills every slot of html in place (pages that are never cached).
std::string fill_slots(std::string_view html, const SlotFiller& fill);

std::string gzip_compress(std::string_view data, int level = 9);

// The response for a cached page: 304 on a matching If-None-Match, gzip when accepted.
Response serve_page(const CachedPage& page, const Request& request);
// The page with one reader's fragments: private, never stored by shared caches.
Response serve_personal(const CachedPage& page, const SlotFiller& fill, const Request& request);

// True when the Accept-Encoding header accepts gzip (q > 0).
bool accepts_gzip(std::string_view accept_encoding);

// The cache group of everything that shows an article's conversation (its pages by sort and cursor, its
// comment listings): dropped together when one of its comments changes.
inline std::string conversation_group(std::string_view article_slug) {
  return "comments:" + std::string(article_slug);
}

// The cache key of a request: `prefix` ("/politics/...", "comments:slug") and the query in the map's order
// (equal queries share an entry). Empty, meaning "serve once, do not keep", when a parameter is not one of
// `kept` or the key passes 300 bytes: only known parameters make entries, so junk query strings can neither
// fill the cache nor, by filling it, flush it.
std::string query_cache_key(std::string_view prefix, const std::map<std::string, std::string, std::less<>>& query,
                            std::initializer_list<std::string_view> kept);

class PageCache {
 public:
  explicit PageCache(size_t max_entries = 20000) : max_entries_(max_entries) {}

  // Null when absent, or while this thread serves a request that must not be answered from a cache (Bypass).
  std::shared_ptr<const CachedPage> get(std::string_view key) const;
  // While it lives, get() on this thread misses: the request needs newer data than this node has heard of.
  class Bypass {
   public:
    explicit Bypass(bool on) : saved_(bypass_) { bypass_ = bypass_ || on; }
    ~Bypass() { bypass_ = saved_; }
    Bypass(const Bypass&) = delete;
    Bypass& operator=(const Bypass&) = delete;

   private:
    bool saved_;
  };
  // Stores the page unless the cache was invalidated after `generation` was read. A page in a group (an
  // article's comment listings, one per query) is dropped with it by invalidate_group().
  void put(std::string key, std::shared_ptr<const CachedPage> page, uint64_t generation, std::string group = {});
  uint64_t generation() const;
  void invalidate_all();
  // Drops these keys (and, like every invalidation, keeps renders that started earlier from being stored).
  void invalidate(std::initializer_list<std::string_view> keys);
  void invalidate_group(std::string_view group);
  size_t size() const;

 private:
  static inline thread_local bool bypass_ = false;
  mutable std::shared_mutex mu_;
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::shared_ptr<const CachedPage>, Hash, std::equal_to<>> pages_;
  std::unordered_map<std::string, std::vector<std::string>, Hash, std::equal_to<>> groups_;
  uint64_t generation_ = 1;
  size_t max_entries_;
};

}  // namespace tribune

// Rendered responses kept in memory, shared by every request, precompressed once per version.
//
// A page is rendered once per change. Two kinds of change:
//  - An edit (an article, a setting, the site's structure) drops every page: invalidate_all() bumps the
//    generation, and a render that started before it is not stored (put() compares generations), so a page
//    can never outlive the edit that made it wrong.
//  - A conversation moving (a comment posted, edited, removed, recommended) marks its article's pages stale
//    (mark_stale()) rather than dropping them (recommendations reach the cache through live/coalescer.h, up to
//    a second after they commit; the bound below counts from then). A busy story changes many times a second; dropping
//    its page each time made every reader who arrived during the re-render render it too. A stale page is instead
//    served, for at most kStaleGrace after the first change it misses, to the readers who arrive while one
//    request renders its replacement (get_or_refresh() hands that job to the first who asks, a single flight).
//    Past the grace everyone renders, as after an edit. So a page never lacks a comment acknowledged more than
//    kStaleGrace earlier, and a writer's own next page is fresh (http/read_your_writes.h bypasses the cache).
//    When the cache is full it empties, and what it knew of changes goes too: renders begun before that are
//    refused, as after an edit.
//
// Per-reader parts are not in the cache: a page's HTML holds slot markers (<!--tribune:slot:NAME-->) where
// the reader's own fragments go (the masthead's sign-in state, the comment form). Anonymous readers get the
// page with the anonymous fragments, precompressed; signed-in readers get the cached parts joined with
// their own fragments.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "http/body_file.h"
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
  // A page with slots, for its signed-in readers: each part compressed on its own (raw deflate, ending
  // byte-aligned and not final), so that a reader's page in gzip is these pieces with their own fragments
  // between them (stored, uncompressed), rather than the whole page compressed per request. Made by the first request
  // that needs them; the anonymous gzip below stays one stream (smaller: its parts refer to each other).
  struct Deflated {
    std::string data;
    unsigned long crc = 0;     // CRC-32 of the part
    unsigned long crc_op = 0;  // zlib's operator that appends a CRC over the part's length to another
  };
  const std::vector<Deflated>& deflated() const;
  // body or gzip in a memory file for sendfile (http/body_file.h), made when the page is served a second time
  // (a page served once, never stored, gets none); null when it has none (yet: every file may be taken).
  std::shared_ptr<const BodyFile> file_of(const std::shared_ptr<const std::string>& bytes) const;
  std::shared_ptr<const std::string> body;  // parts joined with the anonymous fragments
  std::shared_ptr<const std::string> gzip;  // body in gzip (level 9; 1 when busy: PageCache::gzip_level)
  std::string etag;                         // strong, from the body's bytes
  std::string content_type;
  std::string cache_control;
  http::status status = http::status::ok;

 private:
  mutable std::once_flag deflated_once_;
  mutable std::vector<Deflated> deflated_;
  mutable std::atomic<int> serves_{0};  // counted up to 1: the second serve on
  mutable std::atomic<std::shared_ptr<const BodyFile>> body_file_, gzip_file_;
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
  // How long after the first change it misses a stale page may still be served (while its replacement
  // renders): well under the second within which a reader must see an acknowledged comment.
  static constexpr std::chrono::milliseconds kStaleGrace{500};
  using Steady = std::chrono::steady_clock;

  // What a render must hand back to put(): the generation and the moment it read before it read the store.
  struct Ticket {
    uint64_t generation = 0;
    Steady::time_point at{};
  };

  explicit PageCache(size_t max_entries = 20000, std::chrono::milliseconds stale_grace = kStaleGrace)
      : max_entries_(max_entries), stale_grace_(stale_grace) {}

  // The page to serve, or null: absent, stale with nobody rendering its replacement, or this thread serves a
  // request that must not be answered from a cache (Bypass). For the I/O threads' fast paths: it never takes
  // a render on (a miss goes on to get_or_refresh() on a worker).
  std::shared_ptr<const CachedPage> get(std::string_view key) const;
  // As get(), but a stale page that nobody is re-rendering is this caller's to render: null once (the caller
  // renders and put()s), the stale page to everyone else meanwhile.
  std::shared_ptr<const CachedPage> get_or_refresh(std::string_view key);
  // For what never changes while the process runs (the files in the binary): a Bypass does not apply.
  std::shared_ptr<const CachedPage> get_immutable(std::string_view key) const;
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
  // Read before a render reads the store.
  Ticket ticket() const;
  // Stores a page rendered under `ticket`, unless an edit came after it or a newer render is already here. A
  // page in a group (an article's pages by sort and cursor, its comment listings) goes stale with the group.
  // A page that a change may have missed (marked stale after the ticket) is stored stale.
  void put(std::string key, std::shared_ptr<const CachedPage> page, Ticket ticket, std::string group = {});
  // The gzip level for a new render of key: 9 (smallest) as a rule, 1 (~4x faster, ~12% larger) when the
  // version it replaces was stored less than kBusy ago and has changed since: a busy story's page lives a
  // fraction of a second, too briefly to repay compressing it hard (100 comments a second re-render it 100
  // times a second). Once the story calms, its next version is compressed at 9 again.
  int gzip_level(std::string_view key) const;
  static constexpr std::chrono::seconds kBusy{10};
  // An edit: drops every page; renders that started earlier are not stored.
  void invalidate_all();
  // A conversation moved: these pages and the group's are stale from now (see the top of this file).
  void mark_stale(std::initializer_list<std::string_view> keys, std::string_view group);
  size_t size() const;

 private:
  struct Entry {
    std::shared_ptr<const CachedPage> page;  // null: a key that changed before it was ever stored
    uint64_t rendered = 0;                   // the ticket's generation its render started from
    uint64_t changed = 0;                    // the generation of the last change to it
    Steady::time_point stale_since{};        // when changed > rendered: the first change it (may have) missed
    Steady::time_point stored_at{};
    // Steady-clock nanoseconds when a request took on its re-render; 0: nobody. A claim older than the grace
    // is void (its request failed, or is slow): the next reader takes it on.
    mutable std::atomic<int64_t> refreshing{0};
  };
  struct Group {
    std::vector<std::string> keys;
    uint64_t changed = 0;
  };
  enum class Use { serve, refresh };
  std::shared_ptr<const CachedPage> find(std::string_view key, Use use) const;

  static inline thread_local bool bypass_ = false;
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, Entry, StringHash, std::equal_to<>> pages_;
  std::unordered_map<std::string, Group, StringHash, std::equal_to<>> groups_;
  uint64_t generation_ = 1;  // bumped by every change
  uint64_t edited_ = 1;      // the generation of the last edit
  size_t max_entries_;
  std::chrono::milliseconds stale_grace_;
};

}  // namespace tribune

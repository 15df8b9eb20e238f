// What every page area shares (web/*_pages.h): the renderer, the page cache and its fast path, the
// masthead's personal slots, the HTML error page. Each area is a PageKit plus the services it uses, and
// mirrors an api/ class: ArticlePages, AccountPages, CommentPages, ReaderPages, ModerationPages,
// ContributionPages. Every form works without JavaScript (post, then redirect or show the error where the
// reader is looking).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/articles.h"
#include "domain/readers.h"
#include "http/cookies.h"
#include "http/message.h"
#include "http/metrics.h"
#include "http/page_cache.h"
#include "model/error.h"
#include "web/pages.h"
#include "web/reader_slots.h"

namespace tribune::web {

inline constexpr std::string_view kHtml = "text/html; charset=utf-8";
inline constexpr std::string_view kPageCacheControl = "no-cache";

class PageKit {
 public:
  PageKit(ArticleService& articles, ReaderService& readers, PageRenderer& renderer, PageCache& cache, Metrics& metrics,
          SessionCookie cookie, ReaderSlots& slots)
      : articles_(articles),
        readers_(readers),
        renderer_(renderer),
        cache_(cache),
        metrics_(metrics),
        cookie_(std::move(cookie)),
        slots_(&slots) {}

  // The HTML error page for any Error (installed into the pipeline).
  Response error_page(const Error& e, const Principal& who);

 protected:
  // The cached page for this path, personalised when the reader is signed in.
  std::optional<Response> from_cache(RequestContext& ctx);
  // A signed-in reader's page is served with their slots, whose state is remembered (web/reader_slots.h).
  Response serve(RequestContext& ctx, const CachedPage& page);
  SlotFiller filler(const Principal& who, const std::string& path) const;
  // The slots of a remembered reader (no store read): for the I/O threads' fast path.
  SlotFiller filler(std::shared_ptr<const ReaderSlots::Reader> reader, const std::string& path) const;
  Response html_page(RequestContext& ctx, http::status status, const std::string& html);
  Response store_and_serve(RequestContext& ctx, PageCache::Ticket generation, std::string body,
                           std::string_view content_type, bool cacheable, std::string group = {});
  // The page cache's key for this request: the path, or the path and its sort and cursor; empty when the
  // request's page is not to be kept.
  static std::string cache_key(const RequestContext& ctx);
  // Cards for comments shown outside their conversation, with their articles' titles and links.
  std::vector<PageRenderer::CommentCard> cards_for(const std::vector<Comment>& comments) const;

  ArticleService& articles_;
  ReaderService& readers_;
  PageRenderer& renderer_;
  PageCache& cache_;
  Metrics& metrics_;
  SessionCookie cookie_;
  ReaderSlots* slots_;
};

}  // namespace tribune::web

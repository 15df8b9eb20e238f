// HTML pages, feeds and static assets. Each page is rendered on a cache miss and then served from the
// PageCache (fast path, on the I/O thread) until the next content change.
#pragma once

#include "domain/articles.h"
#include "domain/error.h"
#include "http/message.h"
#include "http/metrics.h"
#include "web/page_cache.h"
#include "web/pages.h"

namespace tribune::web {

class WebHandlers {
 public:
  WebHandlers(ArticleService& articles, PageRenderer& renderer, PageCache& cache, Metrics& metrics)
      : articles_(articles), renderer_(renderer), cache_(cache), metrics_(metrics) {}

  // Fast path for every cacheable GET: the page for this exact path, if rendered and still current.
  std::optional<Response> cached(RequestContext& ctx);

  Response home(RequestContext& ctx);      // GET /
  Response section(RequestContext& ctx);   // GET /{section}?cursor=
  Response author(RequestContext& ctx);    // GET /authors/{slug}?cursor=
  Response article(RequestContext& ctx);   // GET /{section}/{yyyy}/{mm}/{dd}/{slug}
  Response feed(RequestContext& ctx);      // GET /feed.xml
  Response sitemap(RequestContext& ctx);   // GET /sitemap.xml
  Response support(RequestContext& ctx);   // GET /support
  Response asset(RequestContext& ctx);     // GET /assets/{name}
  std::optional<Response> asset_fast(RequestContext& ctx);

  // The HTML error page for any Error (installed into the pipeline).
  Response error_page(const Error& e);

 private:
  Response store_and_serve(RequestContext& ctx, uint64_t generation, std::string body, std::string_view content_type,
                           bool cacheable);
  Response listing_page(RequestContext& ctx, PageRenderer::Listing listing, ArticleQuery query,
                        const std::string& base_path);

  ArticleService& articles_;
  PageRenderer& renderer_;
  PageCache& cache_;
  Metrics& metrics_;
};

}  // namespace tribune::web

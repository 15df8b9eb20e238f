// The publication's public pages (api/articles_api.h's counterpart): the front page, sections, authors,
// articles with their conversation, feeds, the sitemap, the support page and static assets. Rendered on a
// cache miss, then served from the PageCache (fast path, on the I/O thread) until the next content change.
#pragma once

#include <variant>

#include "domain/comments.h"
#include "web/page_kit.h"

namespace tribune::web {

class ArticlePages : public PageKit {
 public:
  ArticlePages(const PageKit& kit, CommentService& comments) : PageKit(kit), comments_(comments) {}

  // Fast path for every cacheable GET: the page for this exact path, if rendered and still current.
  std::optional<Response> cached(RequestContext& ctx);

  Response home(RequestContext& ctx);         // GET /
  Response section(RequestContext& ctx);      // GET /{section}?cursor=
  Response author(RequestContext& ctx);       // GET /authors/{slug}?cursor=
  Response article(RequestContext& ctx);      // GET /{section}/{yyyy}/{mm}/{dd}/{slug}
  Response feed(RequestContext& ctx);         // GET /feed.xml
  Response tag(RequestContext& ctx);          // GET /tags/{slug}: the published articles carrying the tag
  Response tag_feed(RequestContext& ctx);     // GET /tags/{slug}/feed.xml: their RSS feed, the 50 latest
  Response corrections(RequestContext& ctx);  // GET /corrections: every correction note, newest first
  Response sitemap(RequestContext& ctx);      // GET /sitemap.xml
  Response robots(RequestContext& ctx);       // GET /robots.txt: names the sitemap, keeps crawlers off personal pages
  Response support(RequestContext& ctx);      // GET /support
  Response standard(RequestContext& ctx, std::string_view slug);  // GET /about, /privacy, ... (kStandardPages)
  Response asset(RequestContext& ctx);                            // GET /assets/{name}
  Response favicon(RequestContext& ctx);                          // GET /favicon.ico
  std::optional<Response> asset_fast(RequestContext& ctx);

 private:
  std::variant<Tag, std::string> tag_in_path(const RequestContext& ctx, std::string_view suffix);
  void require_published(ArticleQuery probe, const std::string& what);
  Response listing_page(RequestContext& ctx, PageRenderer::Listing listing, ArticleQuery query,
                        const std::string& base_path);

  CommentService& comments_;
};

}  // namespace tribune::web

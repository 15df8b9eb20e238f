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
  // Whether an embed story's site may still embed (EmbedService::allowed): only then does the story's
  // address here lead to the site's page.
  void set_story_sites(std::function<bool(std::string_view origin)> allowed) { story_sites_ = std::move(allowed); }

  // Fast path for every cacheable GET: the page for this exact path, if rendered and still current.
  std::optional<Response> cached(RequestContext& ctx);

  Response home(RequestContext& ctx);     // GET /
  Response section(RequestContext& ctx);  // GET /{section}?cursor=
  Response author(RequestContext& ctx);   // GET /authors/{slug}?cursor=
  Response article(RequestContext& ctx);  // GET /{section}/{yyyy}/{mm}/{dd}/{slug}
  // The 50 latest articles as RSS (feed.xml) or Atom (feed.atom): GET /feed.xml, /{section}/feed.xml,
  // /authors/{slug}/feed.xml, /tags/{tag}/feed.xml and each .atom; a renamed or merged one's old address
  // answers 301 to its own.
  Response feed(RequestContext& ctx);
  Response tag(RequestContext& ctx);          // GET /tags/{slug}: the published articles carrying the tag
  Response corrections(RequestContext& ctx);  // GET /corrections: every correction note, newest first
  // GET /sitemap.xml: every address, or past 50,000 an index of /sitemaps/{n}.xml files of 50,000 each.
  Response sitemap(RequestContext& ctx);
  Response sitemap_part(RequestContext& ctx);  // GET /sitemaps/{n}.xml
  Response news_sitemap(RequestContext& ctx);  // GET /sitemap-news.xml: the Google News sitemap, the last 48 hours
  Response robots(RequestContext& ctx);        // GET /robots.txt: names the sitemaps, keeps crawlers off personal pages
  Response support(RequestContext& ctx);       // GET /support
  Response standard(RequestContext& ctx, std::string_view slug);  // GET /about, /privacy, ... (kStandardPages)
  Response asset(RequestContext& ctx);                            // GET /assets/{name}
  // GET /embed.js: the embed script at a stable address, for host pages that do not pin a version with
  // Subresource Integrity (the admin page's snippet does, with the hashed /assets/ address). Cached an hour.
  Response embed_script(RequestContext& ctx);
  Response favicon(RequestContext& ctx);  // GET /favicon.ico
  std::optional<Response> asset_fast(RequestContext& ctx);

 private:
  std::variant<Tag, std::string> tag_in_path(const RequestContext& ctx, std::string_view suffix);
  void require_published(ArticleQuery probe, const std::string& what);
  std::pair<std::vector<Article>, int> sitemap_articles(int part, size_t head);
  Response embedded_asset(RequestContext& ctx, const std::string& name, const std::string& key,
                          std::string_view cache_control);
  Response listing_page(RequestContext& ctx, PageRenderer::Listing listing, ArticleQuery query,
                        const std::string& base_path);

  CommentService& comments_;
  std::function<bool(std::string_view)> story_sites_;
};

}  // namespace tribune::web

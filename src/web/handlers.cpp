#include "web/handlers.h"

#include <fstream>
#include <sstream>

#include "api/articles_api.h"
#include "http/error_mapping.h"

namespace tribune::web {

namespace {
constexpr std::string_view kHtml = "text/html; charset=utf-8";
constexpr std::string_view kPageCacheControl = "no-cache";
}  // namespace

std::optional<Response> WebHandlers::cached(RequestContext& ctx) {
  if (!ctx.query.empty()) return std::nullopt;
  auto page = cache_.get(ctx.path);
  if (!page) {
    metrics_.cache_miss();
    return std::nullopt;
  }
  metrics_.cache_hit();
  return serve_page(*page, ctx.request);
}

Response WebHandlers::store_and_serve(RequestContext& ctx, uint64_t generation, std::string body,
                                      std::string_view content_type, bool cacheable) {
  auto page = make_page(std::move(body), renderer_.anonymous_reader_fragment(), std::string(content_type),
                        std::string(kPageCacheControl));
  if (cacheable && ctx.query.empty()) cache_.put(ctx.path, page, generation);
  return serve_page(*page, ctx.request);
}

Response WebHandlers::listing_page(RequestContext& ctx, PageRenderer::Listing listing, ArticleQuery query,
                                   const std::string& base_path) {
  uint64_t generation = cache_.generation();
  query.limit = 21;
  if (auto c = ctx.query_value("cursor")) query.after = api::decode_cursor(*c);
  auto page = articles_.list(query);
  listing.articles = std::move(page.articles);
  if (page.next) listing.next_url = base_path + "?cursor=" + api::encode_cursor(*page.next);
  listing.canonical_path = base_path;
  return store_and_serve(ctx, generation, renderer_.listing(listing, articles_.sections()), kHtml, true);
}

Response WebHandlers::home(RequestContext& ctx) {
  PageRenderer::Listing l;
  l.heading = "Latest opinion";
  l.page_title = renderer_.site().name + " | " + renderer_.site().tagline;
  l.intro = renderer_.site().description;
  l.lead = !ctx.query_value("cursor");
  return listing_page(ctx, std::move(l), {}, "/");
}

Response WebHandlers::section(RequestContext& ctx) {
  auto s = articles_.find_section(ctx.param("section"));
  if (!s) throw not_found("The section");
  PageRenderer::Listing l;
  l.kicker = "Section";
  l.heading = s->name;
  l.page_title = s->name + " | " + renderer_.site().name;
  l.current_section = s->slug;
  ArticleQuery q;
  q.section_slug = s->slug;
  return listing_page(ctx, std::move(l), q, "/" + s->slug);
}

Response WebHandlers::author(RequestContext& ctx) {
  auto a = articles_.find_author(ctx.param("slug"));
  if (!a) throw not_found("The author");
  PageRenderer::Listing l;
  l.kicker = "Author";
  l.heading = a->name;
  l.intro = a->bio;
  l.page_title = a->name + " | " + renderer_.site().name;
  ArticleQuery q;
  q.author_slug = a->slug;
  return listing_page(ctx, std::move(l), q, "/authors/" + a->slug);
}

Response WebHandlers::article(RequestContext& ctx) {
  uint64_t generation = cache_.generation();
  auto a = articles_.find_visible(ctx.param("slug"));
  if (!a) throw not_found("The article");
  std::string canonical = articles_.url_for(*a);
  if (canonical != ctx.path) return Response::redirect(http::status::moved_permanently, canonical);
  return store_and_serve(ctx, generation, renderer_.article(*a, articles_.sections()), kHtml, true);
}

Response WebHandlers::feed(RequestContext& ctx) {
  uint64_t generation = cache_.generation();
  ArticleQuery q;
  q.limit = 50;
  auto page = articles_.list(q);
  return store_and_serve(ctx, generation, renderer_.rss(page.articles), "application/rss+xml; charset=utf-8", true);
}

Response WebHandlers::sitemap(RequestContext& ctx) {
  uint64_t generation = cache_.generation();
  std::vector<Article> all;
  ArticleQuery q;
  q.limit = 1000;
  // A sitemap file holds at most 50,000 URLs; a larger publication needs a sitemap index (not yet).
  while (all.size() < 50000) {
    auto page = articles_.list(q);
    for (auto& a : page.articles) all.push_back(std::move(a));
    if (!page.next) break;
    q.after = page.next;
  }
  return store_and_serve(ctx, generation, renderer_.sitemap(all, articles_.sections()), "application/xml; charset=utf-8",
                         true);
}

Response WebHandlers::support(RequestContext& ctx) {
  uint64_t generation = cache_.generation();
  return store_and_serve(ctx, generation, renderer_.support_page(articles_.sections()), kHtml, true);
}

std::optional<Response> WebHandlers::asset_fast(RequestContext& ctx) {
  if (!renderer_.site().assets_dir.empty()) return std::nullopt;  // read from disk: blocking path
  const auto& name = ctx.param("name");
  auto key = "asset:" + name;
  if (auto page = cache_.get(key)) return serve_page(*page, ctx.request);
  auto bytes = embedded_file(name);
  if (!bytes || name.ends_with(".mustache")) throw not_found("The file");
  auto page = make_page(std::string(*bytes), {}, content_type_for(name), "public, max-age=31536000, immutable");
  cache_.put(key, page, cache_.generation());
  return serve_page(*page, ctx.request);
}

Response WebHandlers::asset(RequestContext& ctx) {
  const auto& name = ctx.param("name");
  if (name.find('/') != std::string::npos || name.starts_with(".") || name.ends_with(".mustache"))
    throw not_found("The file");
  std::ifstream in(renderer_.site().assets_dir + "/" + name, std::ios::binary);
  if (!in) throw not_found("The file");
  std::ostringstream ss;
  ss << in.rdbuf();
  Response r = Response::text(http::status::ok, ss.str(), content_type_for(name));
  r.headers.set(http::field::cache_control, "no-cache");
  return r;
}

Response WebHandlers::error_page(const Error& e) {
  int status = static_cast<int>(status_for(e.kind()));
  std::string title = e.kind() == ErrorKind::not_found ? "Page not found"
                      : status >= 500                  ? "Something went wrong"
                                                       : "We could not handle that request";
  std::string message = e.kind() == ErrorKind::not_found ? "There is nothing at this address. It may have moved, or "
                                                           "it may not have been published yet."
                                                         : e.message();
  std::vector<Section> sections;
  try {
    sections = articles_.sections();
  } catch (const Error&) {
    // The store is what failed: the error page still renders, without the section links.
  }
  std::string html = renderer_.error_page(status, title, message, sections);
  if (auto slot = html.find(kReaderSlot); slot != std::string::npos)
    html.replace(slot, kReaderSlot.size(), renderer_.anonymous_reader_fragment());
  return Response::text(status_for(e.kind()), std::move(html), kHtml);
}

}  // namespace tribune::web

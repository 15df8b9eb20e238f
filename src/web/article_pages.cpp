#include "web/article_pages.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <map>
#include <sstream>
#include <variant>

#include "domain/embed.h"
#include "http/cursors.h"
#include "http/error_mapping.h"
#include "http/forms.h"
#include "model/error.h"
#include "util/text.h"
#include "web/form_support.h"

namespace tribune::web {

std::optional<Response> ArticlePages::cached(RequestContext& ctx) {
  auto key = cache_key(ctx);
  if (key.empty()) return std::nullopt;
  // A reader with a session cookie gets their own slots: here only when remembered (web/reader_slots.h), as
  // reading them needs the store, which is not for this thread. An embed frame's cookie, or a bearer token
  // beside the cookie, is a credential to authenticate there too.
  auto cookies = ctx.request[http::field::cookie];
  auto token = cookie_value(cookies, cookie_.name);
  if (cookie_value(cookies, cookie_.embed_name) || (token && !ctx.request[http::field::authorization].empty()))
    return std::nullopt;
  std::shared_ptr<const ReaderSlots::Reader> reader;
  if (token && !(reader = slots_->find(*token))) return std::nullopt;
  auto page = cache_.get(key);
  if (!page) {
    metrics_.cache_miss();
    return std::nullopt;
  }
  metrics_.cache_hit();
  if (reader) return serve_personal(*page, filler(std::move(reader), ctx.path), ctx.request);
  return serve_page(*page, ctx.request);
}

// A section, author or tag named only in drafts (or in nothing published any more) is nobody readers know.
void ArticlePages::require_published(ArticleQuery probe, const std::string& what) {
  probe.limit = 1;
  if (articles_.list(probe).articles.empty()) throw not_found(what);
}

Response ArticlePages::listing_page(RequestContext& ctx, PageRenderer::Listing listing, ArticleQuery query,
                                    const std::string& base_path) {
  auto generation = cache_.ticket();
  query.limit = 21;
  if (auto c = ctx.query_value("cursor")) query.after = decode_cursor(*c);
  auto page = articles_.list(query);
  listing.articles = std::move(page.articles);
  if (page.next) listing.next_url = base_path + "?cursor=" + encode_cursor(*page.next);
  listing.canonical_path = base_path;
  return store_and_serve(ctx, generation, renderer_.listing(listing, articles_.sections()), kHtml, true);
}

Response ArticlePages::home(RequestContext& ctx) {
  if (auto hit = from_cache(ctx)) return std::move(*hit);
  PageRenderer::Listing l;
  l.heading = "Latest opinion";
  l.page_title = renderer_.site().name + " | " + renderer_.site().tagline;
  l.intro = renderer_.site().description;
  l.lead = !ctx.query_value("cursor");
  l.home = true;
  return listing_page(ctx, std::move(l), {}, "/");
}

Response ArticlePages::section(RequestContext& ctx) {
  if (auto hit = from_cache(ctx)) return std::move(*hit);
  auto s = articles_.find_section(ctx.param("section"));
  if (!s) {
    if (auto to = articles_.redirect_of("section", ctx.param("section")))
      return Response::redirect(http::status::moved_permanently, "/" + *to);
    throw not_found("The section");
  }
  ArticleQuery probe;
  probe.section_slug = s->slug;
  require_published(probe, "The section");
  PageRenderer::Listing l;
  l.kicker = "Section";
  l.heading = s->name;
  l.intro = s->description;
  l.page_title = s->name + " | " + renderer_.site().name;
  l.current_section = s->slug;
  l.feed_url = "/" + s->slug + "/feed.xml";
  ArticleQuery q;
  q.section_slug = s->slug;
  return listing_page(ctx, std::move(l), q, "/" + s->slug);
}

Response ArticlePages::author(RequestContext& ctx) {
  if (auto hit = from_cache(ctx)) return std::move(*hit);
  auto a = articles_.find_author(ctx.param("slug"));
  if (!a) {
    if (auto to = articles_.redirect_of("author", ctx.param("slug")))
      return Response::redirect(http::status::moved_permanently, "/authors/" + *to);
    throw not_found("The author");
  }
  ArticleQuery probe;
  probe.author_slug = a->slug;
  require_published(probe, "The author");
  PageRenderer::Listing l;
  l.kicker = "Author";
  l.heading = a->name;
  l.intro = a->bio;
  l.photo = a->photo;
  l.page_title = a->name + " | " + renderer_.site().name;
  l.feed_url = "/authors/" + a->slug + "/feed.xml";
  ArticleQuery q;
  q.author_slug = a->slug;
  return listing_page(ctx, std::move(l), q, "/authors/" + a->slug);
}

Response ArticlePages::article(RequestContext& ctx) {
  if (auto hit = from_cache(ctx)) return std::move(*hit);
  auto generation = cache_.ticket();
  auto a = articles_.find_visible(ctx.param("slug"));
  if (!a) articles_.throw_missing(ctx.param("slug"), "The article");
  // A story lives on the page that embeds it: a link to one of its comments (a notification, a profile) leads
  // there, or, followed inside the embed's own frame, back to the frame's page.
  if (!a->embed_url.empty()) {
    auto origin = origin_of(a->embed_url);
    if (!origin || !story_sites_ || !story_sites_(*origin)) throw not_found("The article");
    return Response::redirect(http::status::see_other,
                              ctx.request["Sec-Fetch-Dest"] == "iframe" ? "/embed?story=" + a->slug : a->embed_url);
  }
  std::string canonical = articles_.url_for(*a);
  if (canonical != ctx.path) return Response::redirect(http::status::moved_permanently, canonical);
  CommentSort sort = CommentSort::newest;
  if (auto s = ctx.query_value("sort")) sort = parse_comment_sort(*s).value_or(CommentSort::newest);
  std::optional<CommentCursor> after;
  if (auto c = ctx.query_value("cursor")) {
    auto cursor = decode_cursor(*c);
    after = CommentCursor{cursor.published_at, cursor.id};
  }
  // Its pages by sort and cursor go with the conversation: stale when one of its comments changes.
  return store_and_serve(
      ctx, generation,
      renderer_.article(*a, comments_.conversation(*a, sort, after), articles_.sections(), articles_.related(*a, 4)),
      kHtml, true, ctx.query.empty() ? std::string() : conversation_group(a->slug));
}

// The tag a /tags/{slug} address names, or the address it moved to: a merged tag's slug leads to the tag it
// went into, and an address of the tag's text (as links were before tags had slugs) to its slug's.
std::variant<Tag, std::string> ArticlePages::tag_in_path(const RequestContext& ctx, std::string_view suffix) {
  const auto& slug = ctx.param("tag");
  if (auto t = articles_.find_tag(slug)) return *t;
  if (auto to = articles_.redirect_of("tag", slug)) return "/tags/" + *to + std::string(suffix);
  if (!slug.empty() && slug.size() <= kMaxName && is_valid_utf8(slug)) {
    auto by_text = tag_slug(slug);
    if (by_text != slug && articles_.find_tag(by_text)) return "/tags/" + by_text + std::string(suffix);
    if (auto to = by_text != slug ? articles_.redirect_of("tag", by_text) : std::nullopt)
      return "/tags/" + *to + std::string(suffix);
  }
  throw not_found("The tag");
}

Response ArticlePages::tag(RequestContext& ctx) {
  if (auto hit = from_cache(ctx)) return std::move(*hit);
  auto found = tag_in_path(ctx, "");
  if (auto* to = std::get_if<std::string>(&found)) return Response::redirect(http::status::moved_permanently, *to);
  const auto& tag = std::get<Tag>(found);
  ArticleQuery probe;
  probe.tag = tag.name;
  require_published(probe, "The tag");
  PageRenderer::Listing l;
  l.kicker = "Tag";
  l.heading = tag.name;
  l.page_title = tag.name + " | " + renderer_.site().name;
  l.feed_url = "/tags/" + tag.slug + "/feed.xml";
  ArticleQuery q;
  q.tag = tag.name;
  return listing_page(ctx, std::move(l), q, "/tags/" + tag.slug);
}

Response ArticlePages::feed(RequestContext& ctx) {
  if (auto hit = from_cache(ctx)) return std::move(*hit);
  auto generation = cache_.ticket();
  const bool atom = ctx.path.ends_with(".atom");
  const std::string suffix = atom ? "/feed.atom" : "/feed.xml";
  const auto& site = renderer_.site();
  PageRenderer::Feed f{site.name, site.description, "/", ctx.path};
  ArticleQuery q;
  if (ctx.params.contains("section")) {
    auto s = articles_.find_section(ctx.param("section"));
    if (!s) {
      if (auto to = articles_.redirect_of("section", ctx.param("section")))
        return Response::redirect(http::status::moved_permanently, "/" + *to + suffix);
      throw not_found("The section");
    }
    q.section_slug = s->slug;
    f = {s->name + " | " + site.name, s->description.empty() ? site.description : s->description, "/" + s->slug,
         ctx.path};
    require_published(q, "The section");
  } else if (ctx.params.contains("slug")) {
    auto a = articles_.find_author(ctx.param("slug"));
    if (!a) {
      if (auto to = articles_.redirect_of("author", ctx.param("slug")))
        return Response::redirect(http::status::moved_permanently, "/authors/" + *to + suffix);
      throw not_found("The author");
    }
    q.author_slug = a->slug;
    f = {a->name + " | " + site.name, a->bio.empty() ? site.description : a->bio, "/authors/" + a->slug, ctx.path};
    require_published(q, "The author");
  } else if (ctx.params.contains("tag")) {
    auto found = tag_in_path(ctx, suffix);
    if (auto* to = std::get_if<std::string>(&found)) return Response::redirect(http::status::moved_permanently, *to);
    const auto& tag = std::get<Tag>(found);
    q.tag = tag.name;
    f = {tag.name + " | " + site.name, site.description, "/tags/" + tag.slug, ctx.path};
    require_published(q, "The tag");
  }
  q.limit = 50;
  q.with_body = site.feed_full_text;
  auto page = articles_.list(q);
  return store_and_serve(ctx, generation, atom ? renderer_.atom(f, page.articles) : renderer_.rss(f, page.articles),
                         atom ? "application/atom+xml; charset=utf-8" : "application/rss+xml; charset=utf-8", true);
}

Response ArticlePages::corrections(RequestContext& ctx) {
  if (auto hit = from_cache(ctx)) return std::move(*hit);
  auto generation = cache_.ticket();
  return store_and_serve(ctx, generation, renderer_.corrections_page(articles_.corrections(), articles_.sections()),
                         kHtml, true);
}

// A sitemap lists the home page, the sections, then the articles; file `part` (from 1) holds entries
// [(part - 1) * per_file, part * per_file) of that list. Returns that file's articles and how many files the
// whole list takes.
std::pair<std::vector<Article>, int> ArticlePages::sitemap_articles(int part, size_t head) {
  const auto per_file = static_cast<size_t>(renderer_.site().sitemap_urls_per_file);
  const size_t start = static_cast<size_t>(part - 1) * per_file, end = start + per_file;
  const size_t from = start > head ? start - head : 0, to = end > head ? end - head : 0;
  std::vector<Article> out;
  ArticleQuery q;
  q.limit = 1000;
  size_t seen = 0;
  for (;;) {
    auto page = articles_.list(q);
    for (auto& a : page.articles) {
      if (seen >= from && seen < to) out.push_back(std::move(a));
      ++seen;
    }
    if (!page.next) break;
    q.after = page.next;
  }
  return {std::move(out), static_cast<int>((head + seen + per_file - 1) / per_file)};
}

Response ArticlePages::sitemap(RequestContext& ctx) {
  if (auto hit = from_cache(ctx)) return std::move(*hit);
  auto generation = cache_.ticket();
  auto sections = articles_.sections();
  auto [first, files] = sitemap_articles(1, 1 + sections.size());
  if (files <= 1)
    return store_and_serve(ctx, generation, renderer_.sitemap(first, sections, true), "application/xml; charset=utf-8",
                           true);
  return store_and_serve(ctx, generation, renderer_.sitemap_index(files), "application/xml; charset=utf-8", true);
}

Response ArticlePages::sitemap_part(RequestContext& ctx) {
  if (auto hit = from_cache(ctx)) return std::move(*hit);
  auto generation = cache_.ticket();
  const auto& name = ctx.param("part");  // "3.xml"
  int part = 0;
  auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), part);
  if (ec != std::errc() || part < 1 || part > 10000 || std::string_view(end, name.data() + name.size()) != ".xml")
    throw not_found("The sitemap");
  auto sections = articles_.sections();
  auto [articles, files] = sitemap_articles(part, 1 + sections.size());
  if (part > files) throw not_found("The sitemap");
  // The home page and the sections open the first file.
  return store_and_serve(ctx, generation,
                         renderer_.sitemap(articles, part == 1 ? sections : std::vector<Section>{}, part == 1),
                         "application/xml; charset=utf-8", true);
}

Response ArticlePages::news_sitemap(RequestContext& ctx) {
  if (auto hit = from_cache(ctx)) return std::move(*hit);
  auto generation = cache_.ticket();
  // Google News takes the pieces of the last two days, at most 1,000.
  auto since = now_seconds() - std::chrono::hours(48);
  std::vector<Article> recent;
  ArticleQuery q;
  q.limit = 1000;
  for (auto& a : articles_.list(q).articles)
    if (a.published_at >= since) recent.push_back(std::move(a));
  return store_and_serve(ctx, generation, renderer_.news_sitemap(recent), "application/xml; charset=utf-8", true);
}

Response ArticlePages::robots(RequestContext&) {
  std::string base = renderer_.site().base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  std::string body =
      "User-agent: *\n"
      "Disallow: /api/\n"
      "Disallow: /account\n"
      "Disallow: /notifications\n"
      "Allow: /feed.xml\n"
      "Allow: /feed.atom\n"
      "Disallow: /feed\n"
      "Disallow: /moderation\n"
      "Disallow: /admin\n"
      "Disallow: /desk\n"
      "Disallow: /signin\n"
      "Disallow: /comments/\n"
      "Disallow: /search\n"
      "\n"
      "Sitemap: " +
      base + "/sitemap.xml\nSitemap: " + base + "/sitemap-news.xml\n";
  Response r = Response::text(http::status::ok, std::move(body), "text/plain; charset=utf-8");
  r.headers.set(http::field::cache_control, "public, max-age=3600");
  return r;
}

Response ArticlePages::support(RequestContext& ctx) {
  if (auto hit = from_cache(ctx)) return std::move(*hit);
  auto generation = cache_.ticket();
  bool cancelled = ctx.query_value("contribution").value_or("") == "cancelled";
  // ?article=: the piece the reader came from (an embed's appeal), when it is one readers can see.
  std::string credited;
  if (auto slug = ctx.query_value("article"); slug && articles_.find_visible(*slug)) credited = std::string(*slug);
  return store_and_serve(ctx, generation, renderer_.support_page(articles_.sections(), cancelled, credited), kHtml,
                         true);
}

Response ArticlePages::standard(RequestContext& ctx, std::string_view slug) {
  if (auto hit = from_cache(ctx)) return std::move(*hit);
  auto generation = cache_.ticket();
  auto page = articles_.standard_page(slug);
  if (!page) throw not_found("The page");
  return store_and_serve(ctx, generation, renderer_.standard_page(*page, articles_.sections()), kHtml, true);
}

// A file of src/web/assets from the page cache (kept under `key`), read from the binary on a miss. Only those
// files are public; templates and the demo's sources are not served. Other sites load the embed script (with
// Subresource Integrity, which needs CORS).
Response ArticlePages::embedded_asset(RequestContext& ctx, const std::string& name, const std::string& key,
                                      std::string_view cache_control) {
  auto page = cache_.get_immutable(key);
  if (!page) {
    auto bytes = name.find('/') == std::string::npos ? embedded_file("assets/" + name) : std::nullopt;
    if (!bytes) throw not_found("The file");
    page = make_page(std::string(*bytes), content_type_for(name), std::string(cache_control));
    cache_.put(key, page, cache_.ticket());
  }
  Response r = serve_page(*page, ctx.request);
  if (name == "embed.js") r.headers.set(http::field::access_control_allow_origin, "*");
  return r;
}

std::optional<Response> ArticlePages::asset_fast(RequestContext& ctx) {
  if (!renderer_.site().assets_dir.empty()) return std::nullopt;  // read from disk: blocking path
  const auto& name = ctx.param("name");
  return embedded_asset(ctx, name, "asset:" + name, "public, max-age=31536000, immutable");
}

Response ArticlePages::asset(RequestContext& ctx) {
  const auto& name = ctx.param("name");
  // The files in the binary, for requests that skip the fast path (a reader who just wrote: read-your-writes).
  if (renderer_.site().assets_dir.empty())
    return embedded_asset(ctx, name, "asset:" + name, "public, max-age=31536000, immutable");
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

Response ArticlePages::embed_script(RequestContext& ctx) {
  return embedded_asset(ctx, "embed.js", "embed.js", "public, max-age=3600");
}

Response ArticlePages::favicon(RequestContext& ctx) {
  auto bytes = embedded_file("assets/favicon.svg");
  if (!bytes) throw not_found("The icon");
  (void)ctx;
  Response r = Response::text(http::status::ok, std::string(*bytes), "image/svg+xml");
  r.headers.set(http::field::cache_control, "public, max-age=86400");
  return r;
}

}  // namespace tribune::web

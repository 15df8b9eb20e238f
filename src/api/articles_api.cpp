#include "api/articles_api.h"

#include <charconv>

#include "api/images_api.h"
#include "api/json_io.h"
#include "domain/text_diff.h"
#include "http/search_form.h"
#include "model/error.h"

namespace tribune::api {

namespace json = boost::json;

json::object ArticlesApi::to_json(const Article& a, bool with_body) const {
  json::array authors;
  for (const auto& au : a.authors)
    authors.push_back({{"name", au.name}, {"slug", au.slug}, {"url", "/authors/" + au.slug}, {"bio", au.bio}});
  json::array tags;
  for (const auto& t : a.tags) tags.push_back(json::string(t));
  json::object o{{"id", a.id},
                 {"slug", a.slug},
                 {"url", articles_.url_for(a)},
                 {"title", a.title},
                 {"standfirst", a.standfirst},
                 {"description", a.description},
                 {"authors", std::move(authors)},
                 {"section", {{"name", a.section.name}, {"slug", a.section.slug}, {"url", "/" + a.section.slug}}},
                 {"tags", std::move(tags)},
                 {"published_at", format_rfc3339(a.published_at)},
                 {"updated_at", format_rfc3339(a.updated_at)},
                 {"source_name", a.source_name.empty() ? json::value(nullptr) : json::value(a.source_name)},
                 {"source_url", a.source_url.empty() ? json::value(nullptr) : json::value(a.source_url)},
                 {"correction", a.correction.empty() ? json::value(nullptr) : json::value(a.correction)},
                 {"corrected_at", a.correction.empty() || a.corrected_at == TimePoint{}
                                      ? json::value(nullptr)
                                      : json::value(format_rfc3339(a.corrected_at))},
                 {"comment_count", a.comment_count},
                 {"comments_open", articles_.comments_open(a)},
                 {"comments_mode", std::string(to_string(a.comments))},
                 {"status", std::string(desk_status(a, articles_.now()))},
                 {"version", a.version}};
  if (a.state == ArticleState::retracted)
    o["retraction"] = {{"note", a.retraction}, {"retracted_at", format_rfc3339(a.retracted_at)}};
  auto lead = articles_.lead_image(a);
  o["image"] = lead ? json::value(ImagesApi::to_json(*lead)) : json::value(nullptr);
  if (with_body) o["body_html"] = a.body_html;
  return o;
}

namespace {

// limit, cursor, section, author and tag: the filters readers' listings and the desk's share.
ArticleQuery listing_query(const RequestContext& ctx) {
  ArticleQuery q;
  q.limit = limit_param(ctx, 20, 100);
  if (auto c = ctx.query_value("cursor")) q.after = decode_cursor(*c);
  if (auto s = ctx.query_value("section")) q.section_slug = std::string(*s);
  if (auto s = ctx.query_value("author")) q.author_slug = std::string(*s);
  if (auto s = ctx.query_value("tag")) q.tag = std::string(*s);
  return q;
}

}  // namespace

Response ArticlesApi::list(RequestContext& ctx) {
  auto page = articles_.list(listing_query(ctx));
  json::array items;
  for (const auto& a : page.articles) items.push_back(to_json(a, false));
  json::object out{{"articles", std::move(items)},
                   {"next_cursor", page.next ? json::value(encode_cursor(*page.next)) : json::value(nullptr)}};
  return json_response(http::status::ok, out);
}

Response ArticlesApi::search(RequestContext& ctx) {
  SearchForm form = search_form(ctx);
  auto found = search_.search(form, ctx.client_ip);
  json::array results;
  for (const auto& h : found.hits)
    results.push_back(json::object{{"article", to_json(h.article, false)},
                                   {"snippet", h.snippet},
                                   {"title_html", h.title_html},
                                   {"snippet_html", h.snippet_html}});
  json::object out{{"query", form.q},
                   {"total", found.total},
                   {"page", found.page},
                   {"pages", found.pages},
                   {"results", std::move(results)},
                   {"next_cursor",
                    found.next_offset ? json::value(encode_offset_cursor(*found.next_offset)) : json::value(nullptr)}};
  auto r = json_response(http::status::ok, out);
  r.headers.set(http::field::cache_control, "no-store");
  return r;
}

std::optional<Response> ArticlesApi::get_cached(RequestContext& ctx) {
  auto page = cache_.get("api:" + ctx.param("slug"));
  if (!page) return std::nullopt;
  return serve_page(*page, ctx.request);
}

Response ArticlesApi::get(RequestContext& ctx) {
  const auto& slug = ctx.param("slug");
  std::string key = "api:" + slug;
  if (auto page = cache_.get_or_refresh(key)) return serve_page(*page, ctx.request);
  auto generation = cache_.ticket();
  auto a = articles_.find_visible(slug);
  if (!a) articles_.throw_missing(slug, "The article");
  auto page = make_page(json::serialize(to_json(*a, true)), {}, "application/json; charset=utf-8", "no-cache");
  cache_.put(std::move(key), page, generation);
  return serve_page(*page, ctx.request);
}

namespace {
json::object parse_draft(const RequestContext& ctx) {
  return parse_object(
      ctx, {"title", "slug", "standfirst", "authors", "author_bio", "section", "tags", "published_at", "body",
            "source_name", "source_url", "comments", "correction", "status", "version", "image", "description"});
}
}  // namespace

ArticleDraft ArticlesApi::draft_from(const json::object& o) const {
  ArticleDraft d;
  d.title = required_string(o, "title");
  d.slug = optional_string(o, "slug").value_or("");
  d.standfirst = optional_string(o, "standfirst").value_or("");
  d.description = optional_string(o, "description").value_or("");
  d.authors = string_list(o, "authors");
  d.author_bio = optional_string(o, "author_bio").value_or("");
  d.section = required_string(o, "section");
  d.tags = string_list(o, "tags");
  d.body_markdown = required_string(o, "body");
  d.source_name = optional_string(o, "source_name").value_or("");
  d.source_url = optional_string(o, "source_url").value_or("");
  d.correction = optional_string(o, "correction").value_or("");
  // The lead image: its id, or the image object a GET answered with (its id counts).
  if (auto it = o.find("image"); it != o.end() && it->value().is_object()) {
    const auto& image = it->value().as_object();
    auto id = image.find("id");
    if (id == image.end() || !id->value().is_string())
      throw Error(ErrorKind::bad_request, "invalid_type", "image must be an image id or an image with an id.", "image");
    d.lead_image = std::string(id->value().as_string());
  } else {
    d.lead_image = optional_string(o, "image").value_or("");
  }
  if (auto p = optional_string(o, "published_at")) {
    auto t = parse_rfc3339(*p);
    if (!t) throw invalid_field("published_at", "invalid_time", "published_at must be an RFC 3339 time.");
    d.published_at = *t;
  }
  if (auto c = optional_string(o, "comments")) {
    auto m = parse_comments_mode(*c);
    if (!m) throw invalid_field("comments", "invalid_value", "comments must be open, closed, premoderated or default.");
    d.comments = *m;
  }
  if (auto st = optional_string(o, "status")) {
    auto state = parse_article_state(*st);
    if (!state || (*state != ArticleState::draft && *state != ArticleState::published))
      throw invalid_field("status", "invalid_status",
                          "status must be draft or published (retract and delete have their own calls).");
    d.state = *state;
  }
  return d;
}

namespace {

// The optional "version" of a save: the article's version the editor started from.
std::optional<int64_t> version_of(const json::object& o) {
  auto it = o.find("version");
  if (it == o.end() || it->value().is_null()) return std::nullopt;
  if (!it->value().is_int64() || it->value().as_int64() < 0)
    throw invalid_field("version", "invalid_type", "version must be a whole number (the article's, from a GET).");
  return it->value().as_int64();
}

}  // namespace

Response ArticlesApi::create(RequestContext& ctx) {
  auto body = parse_draft(ctx);
  auto saved = articles_.publish(draft_from(body), false, version_of(body),
                                 DeskActor{ctx.principal.actor(), ctx.principal.name});
  auto r = json_response(http::status::created, to_json(saved, true));
  r.headers.set(http::field::location, "/api/v1/articles/" + saved.slug);
  return r;
}

Response ArticlesApi::replace(RequestContext& ctx) {
  auto body = parse_draft(ctx);
  auto draft = draft_from(body);
  // A slug in the body other than the path's moves a draft there (a published piece keeps its address).
  if (!draft.slug.empty() && draft.slug != ctx.param("slug"))
    draft.previous_slug = ctx.param("slug");
  else
    draft.slug = ctx.param("slug");
  // A body that does not mention the lead image keeps the article's (null takes it away).
  if (!body.contains("image"))
    if (auto current = articles_.find_any(draft.previous_slug.empty() ? draft.slug : draft.previous_slug))
      draft.lead_image = current->lead_image;
  auto saved =
      articles_.publish(std::move(draft), true, version_of(body), DeskActor{ctx.principal.actor(), ctx.principal.name});
  return json_response(http::status::ok, to_json(saved, true));
}

json::object ArticlesApi::desk_json(const Article& a, bool with_body) const {
  auto o = to_json(a, with_body);
  if (with_body) o["body"] = a.body_markdown;
  return o;
}

Response ArticlesApi::desk_list(RequestContext& ctx) {
  auto q = listing_query(ctx);
  if (auto s = ctx.query_value("q")) q.title_contains = std::string(*s);
  auto status = parse_desk_status(ctx.query_value("status").value_or(""));
  if (!status)
    throw invalid_field("status", "invalid_status",
                        "status must be draft, scheduled, published, retracted, deleted or any.");
  q.status = *status;
  auto page = articles_.desk_list(q);
  json::array items;
  for (const auto& a : page.articles) items.push_back(desk_json(a, false));
  json::object out{{"articles", std::move(items)},
                   {"next_cursor", page.next ? json::value(encode_cursor(*page.next)) : json::value(nullptr)}};
  return json_response(http::status::ok, out);
}

Response ArticlesApi::desk_get(RequestContext& ctx) {
  auto a = articles_.find_any(ctx.param("slug"));
  if (!a) throw not_found("The article");
  return json_response(http::status::ok, desk_json(*a, true));
}

namespace {

json::object revision_json(const ArticleRevision& r) {
  return {{"id", r.id}, {"version", r.version}, {"saved_at", format_rfc3339(r.saved_at)}, {"saved_by", r.saved_by}};
}

json::array strings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

}  // namespace

Response ArticlesApi::revisions(RequestContext& ctx) {
  json::array out;
  for (const auto& r : articles_.revisions(ctx.param("slug"))) out.push_back(revision_json(r));
  return json_response(http::status::ok, json::object{{"revisions", std::move(out)}});
}

Response ArticlesApi::revision(RequestContext& ctx) {
  const auto& slug = ctx.param("slug");
  auto r = articles_.revision(slug, path_id(ctx, "id", "The revision"));
  if (!r) throw not_found("The revision");
  auto current = articles_.find_any(slug);
  auto o = revision_json(r->meta);
  const auto& d = r->draft;
  o["title"] = d.title;
  o["standfirst"] = d.standfirst;
  o["description"] = d.description;
  o["authors"] = strings(d.authors);
  o["section"] = d.section;
  o["tags"] = strings(d.tags);
  o["body"] = d.body_markdown;
  o["correction"] = d.correction;
  o["source_name"] = d.source_name;
  o["source_url"] = d.source_url;
  o["image"] = d.lead_image.empty() ? json::value(nullptr) : json::value(d.lead_image);
  o["published_at"] = d.published_at ? json::value(format_rfc3339(*d.published_at)) : json::value(nullptr);
  json::array diff;
  for (const auto& line : diff_lines(d.body_markdown, current ? current->body_markdown : std::string())) {
    diff.push_back(json::object{{"kind", to_string(line.kind)}, {"text", line.text}});
  }
  o["diff"] = std::move(diff);
  return json_response(http::status::ok, o);
}

Response ArticlesApi::restore(RequestContext& ctx) {
  auto body = ctx.request.body().empty() ? json::object{} : parse_object(ctx, {"version"});
  auto saved = articles_.restore(ctx.param("slug"), path_id(ctx, "id", "The revision"), version_of(body),
                                 DeskActor{ctx.principal.actor(), ctx.principal.name});
  return json_response(http::status::ok, desk_json(saved, true));
}

Response ArticlesApi::unpublish(RequestContext& ctx) {
  return json_response(
      http::status::ok,
      desk_json(articles_.unpublish(ctx.param("slug"), DeskActor{ctx.principal.actor(), ctx.principal.name}), true));
}

Response ArticlesApi::retract(RequestContext& ctx) {
  auto body = parse_object(ctx, {"note"});
  return json_response(http::status::ok,
                       desk_json(articles_.retract(ctx.param("slug"), required_string(body, "note"),
                                                   DeskActor{ctx.principal.actor(), ctx.principal.name}),
                                 true));
}

Response ArticlesApi::remove(RequestContext& ctx) {
  articles_.remove(ctx.param("slug"), DeskActor{ctx.principal.actor(), ctx.principal.name});
  return no_content();
}

namespace {

json::object page_json(const Page& p) {
  return {{"slug", p.slug},
          {"url", "/" + p.slug},
          {"title", p.title},
          {"description", p.description},
          {"body", p.body_markdown},
          {"body_html", p.body_html},
          {"version", p.version},
          {"updated_at", p.version > 0 ? json::value(format_rfc3339(p.updated_at)) : json::value(nullptr)}};
}

}  // namespace

Response ArticlesApi::pages(RequestContext&) {
  json::array out;
  for (const auto& p : kStandardPages) out.push_back(page_json(*articles_.standard_page(p.slug)));
  return json_response(http::status::ok, json::object{{"pages", std::move(out)}});
}

Response ArticlesApi::page(RequestContext& ctx) {
  auto p = articles_.standard_page(ctx.param("slug"));
  if (!p) throw not_found("The page");
  return json_response(http::status::ok, page_json(*p));
}

Response ArticlesApi::save_page(RequestContext& ctx) {
  auto o = parse_object(ctx, {"title", "description", "body", "version"});
  Page p;
  p.slug = ctx.param("slug");
  p.title = required_string(o, "title");
  p.description = optional_string(o, "description").value_or("");
  p.body_markdown = required_string(o, "body");
  std::optional<int64_t> version;
  if (auto it = o.find("version"); it != o.end() && !it->value().is_null()) {
    if (!it->value().is_int64() || it->value().as_int64() < 0)
      throw invalid_field("version", "invalid_version", "version must be the page's version, a whole number >= 0.");
    version = it->value().as_int64();
  }
  return json_response(http::status::ok, page_json(articles_.save_page(std::move(p), version)));
}

}  // namespace tribune::api

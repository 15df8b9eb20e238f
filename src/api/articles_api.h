// JSON API v1: articles.
#pragma once

#include <boost/json/value.hpp>

#include "domain/articles.h"
#include "domain/search.h"
#include "http/cursors.h"
#include "http/message.h"
#include "http/page_cache.h"

namespace tribune::api {

class ArticlesApi {
 public:
  ArticlesApi(ArticleService& articles, SearchService& search, PageCache& cache, std::string base_url)
      : articles_(articles), search_(search), cache_(cache), base_url_(std::move(base_url)) {}

  // GET /api/v1/articles?limit&cursor&section&author&tag -> {articles, next_cursor}
  Response list(RequestContext& ctx);
  // GET /api/v1/search?q&section&from&to&page -> {query, total, page, pages, results: [{article, title_html,
  // snippet_html}]}: readers' search (docs/search.md), ten a page; 422 for an invalid date or page, 429 past
  // the rate limit
  Response search(RequestContext& ctx);
  // GET /api/v1/articles/{slug} -> the article, served from the page cache when fresh
  std::optional<Response> get_cached(RequestContext& ctx);
  Response get(RequestContext& ctx);
  // POST /api/v1/articles (editor or admin token) -> 201 with the article; 409 slug_taken
  Response create(RequestContext& ctx);
  // PUT /api/v1/articles/{slug} (editor or admin token) -> 200 with the replaced (or new) article
  // Both take status (draft or published) and version (409 edit_conflict when the article has moved on).
  Response replace(RequestContext& ctx);

  // The desk (editor, admin): articles in every state, with their Markdown.
  // GET /api/v1/desk/articles?status&section&author&tag&q&limit&cursor -> {articles, next_cursor}
  Response desk_list(RequestContext& ctx);
  // GET /api/v1/desk/articles/{slug} -> the article in any state, with body (Markdown) and version
  Response desk_get(RequestContext& ctx);
  // GET /api/v1/desk/articles/{slug}/revisions -> {revisions: [{id, version, saved_at, saved_by}]}, newest first
  Response revisions(RequestContext& ctx);
  // GET /api/v1/desk/articles/{slug}/revisions/{id} -> the revision's fields and `diff`, line by line from it to
  // the current text: [{kind: same|removed|added, text}]
  Response revision(RequestContext& ctx);
  // POST /api/v1/desk/articles/{slug}/revisions/{id}/restore {version?} -> 200 the article, the revision's text
  // saved again (state, date and URL kept); 409 edit_conflict with a stale version
  Response restore(RequestContext& ctx);
  // POST /api/v1/articles/{slug}/unpublish -> 200 the article, now a draft
  Response unpublish(RequestContext& ctx);
  // POST /api/v1/articles/{slug}/retract {note} -> 200 the article, retracted; 409 not_published for a draft
  Response retract(RequestContext& ctx);
  // DELETE /api/v1/articles/{slug} -> 204; the article's URL and GET /api/v1/articles/{slug} answer 410
  Response remove(RequestContext& ctx);

  boost::json::object to_json(const Article& a, bool with_body) const;
  boost::json::object desk_json(const Article& a, bool with_body) const;  // to_json, plus the Markdown

  // GET /api/v1/pages -> {pages}: the publication's own pages (kStandardPages), each as readers see it
  Response pages(RequestContext& ctx);
  // GET /api/v1/pages/{slug} -> the page
  Response page(RequestContext& ctx);
  // PUT /api/v1/pages/{slug} {title, body, description?, version?} (editor or admin) -> 200 with the page;
  // with version, 409 edit_conflict when someone saved since (0: the page was never saved)
  Response save_page(RequestContext& ctx);

 private:
  ArticleDraft draft_from(const boost::json::object& o) const;

  ArticleService& articles_;
  SearchService& search_;
  PageCache& cache_;
  std::string base_url_;
};

}  // namespace tribune::api

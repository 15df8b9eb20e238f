// JSON API v1: sections, authors and tags as the desk manages them (editors and admins; session or token).
#pragma once

#include <boost/json.hpp>

#include "domain/articles.h"
#include "http/message.h"

namespace tribune::api {

class TaxonomyApi {
 public:
  explicit TaxonomyApi(ArticleService& articles) : articles_(articles) {}

  // GET /api/v1/sections -> {sections: [{slug, name, description, url, articles}]}, by name; `articles` counts
  // every state (a section named only by drafts is listed, with no public page yet)
  Response sections(RequestContext& ctx);
  // PUT /api/v1/sections/{slug} {name?, slug?, description?} -> 200 the section; absent fields keep their
  // value. A new slug moves the section's page and its articles' addresses; the old ones answer 301.
  // 409 slug_taken / name_taken; 422 reserved_name for a slug a fixed page uses.
  Response update_section(RequestContext& ctx);
  // GET /api/v1/authors -> {authors: [{slug, name, bio, photo, url, articles}]}; photo is an image or null
  Response authors(RequestContext& ctx);
  // PUT /api/v1/authors/{slug} {name?, slug?, bio?, photo?} -> 200 the author; photo is an image id (null or
  // "" removes it). A new slug leaves a 301 from the old author page.
  Response update_author(RequestContext& ctx);
  // GET /api/v1/tags -> {tags: [{slug, name, url, articles}]}, by name
  Response tags(RequestContext& ctx);
  // POST /api/v1/tags/{slug}/merge {into} -> 200 the tag merged into: every article tagged {slug} is tagged
  // `into` instead (a tag's text; a new text renames the tag) and /tags/{slug} answers 301 to it.
  Response merge_tag(RequestContext& ctx);

 private:
  boost::json::object section_json(const Section& s) const;
  boost::json::object author_json(const Author& a) const;

  ArticleService& articles_;
};

}  // namespace tribune::api

// The desk's articles (editor and admin): the list by status, section, author, tag and headline; the editor
// (Markdown, byline, section, tags, syndication, comments, publication time in the publication's zone) with a
// preview rendered by the public article template; revisions (each save's text, a diff to now, restore);
// unpublish, retract and delete, each confirmed. Every form
// works without JavaScript; with it the preview follows the typing and drafts save themselves.
// api/articles_api.h's desk endpoints are its counterpart.
#pragma once

#include "web/page_kit.h"

namespace tribune::web {

class DeskArticles : public PageKit {
 public:
  DeskArticles(const PageKit& kit, ImageService& images) : PageKit(kit), images_(images) {}

  Response list(RequestContext& ctx);          // GET /desk?status&section&tag&author&q&cursor
  Response new_form(RequestContext& ctx);      // GET /desk/articles/new
  Response create(RequestContext& ctx);        // POST /desk/articles {fields, action=draft|publish}
  Response edit_form(RequestContext& ctx);     // GET /desk/articles/{slug}?saved=...
  Response save(RequestContext& ctx);          // POST /desk/articles/{slug} {fields, version, action}
  Response preview(RequestContext& ctx);       // POST /desk/preview {fields}: the article page, framed
  Response unpublish(RequestContext& ctx);     // POST /desk/articles/{slug}/unpublish
  Response revisions(RequestContext& ctx);     // GET /desk/articles/{slug}/revisions
  Response revision(RequestContext& ctx);      // GET /desk/articles/{slug}/revisions/{id}: fields, diff to now
  Response restore(RequestContext& ctx);       // POST /desk/articles/{slug}/revisions/{id}/restore {version}
  Response images(RequestContext& ctx);        // GET /desk/images: the library (upload, copy a picture's Markdown)
  Response upload_image(RequestContext& ctx);  // POST /desk/images (multipart: image, alt, caption, credit)
  Response retract_form(RequestContext& ctx);  // GET /desk/articles/{slug}/retract
  Response retract(RequestContext& ctx);       // POST /desk/articles/{slug}/retract {note}
  Response delete_form(RequestContext& ctx);   // GET /desk/articles/{slug}/delete
  Response remove(RequestContext& ctx);        // POST /desk/articles/{slug}/delete

 private:
  struct Editor;                                             // the editor form's state (desk_articles.cpp)
  Article article_in_path(const RequestContext& ctx) const;  // in any state; Error(not_found) when none
  Response editor(RequestContext& ctx, http::status status, const Editor& e);
  Response submit(RequestContext& ctx, const std::optional<Article>& existing);
  Response confirm(RequestContext& ctx, const Article& a, std::string_view act, const std::string& error);
  Response library(RequestContext& ctx, http::status status, const ImageText& typed, const std::string& error);
  ImageService& images_;
};

}  // namespace tribune::web

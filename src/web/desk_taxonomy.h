// The editors' desk (editor and admin roles), its sections, authors and tags: rename, re-slug and describe a
// section; name, bio and photo of an author; merge one tag into another (or into a new text: a rename). Every
// form works without JavaScript. api/taxonomy_api.h is its counterpart.
#pragma once

#include "web/page_kit.h"

namespace tribune::web {

class DeskTaxonomy : public PageKit {
 public:
  DeskTaxonomy(const PageKit& kit, ImageService& images) : PageKit(kit), images_(images) {}

  Response sections(RequestContext& ctx);        // GET /desk/sections?saved=slug
  Response section_form(RequestContext& ctx);    // GET /desk/sections/{slug}
  Response section_submit(RequestContext& ctx);  // POST /desk/sections/{slug} {name, slug, description}
  Response authors(RequestContext& ctx);         // GET /desk/authors?saved=slug
  Response author_form(RequestContext& ctx);     // GET /desk/authors/{slug}
  // POST /desk/authors/{slug} (multipart) {name, slug, bio, photo, photo_remove, photo_file, photo_alt}
  Response author_submit(RequestContext& ctx);
  Response tags(RequestContext& ctx);       // GET /desk/tags?merged=slug
  Response tag_merge(RequestContext& ctx);  // POST /desk/tags/{slug}/merge {into}

 private:
  Response section_page(RequestContext& ctx, http::status status, const std::string& slug, const Section& typed,
                        const Error* error);
  Response author_page(RequestContext& ctx, http::status status, const std::string& slug, const Author& typed,
                       const Error* error);
  Response tags_page(RequestContext& ctx, http::status status, const std::string& failed_slug, const std::string& typed,
                     const Error* error);
  ImageService& images_;
};

}  // namespace tribune::web

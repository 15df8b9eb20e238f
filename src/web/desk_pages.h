// The editors' desk (editor and admin roles), its pages area: the publication's own pages, About to Terms, edited
// as Markdown without JavaScript. api/articles_api.h's pages endpoints are its counterpart.
#pragma once

#include "web/page_kit.h"

namespace tribune::web {

class DeskPages : public PageKit {
 public:
  explicit DeskPages(const PageKit& kit) : PageKit(kit) {}

  Response pages(RequestContext& ctx);        // GET /desk/pages?saved=slug
  Response page_form(RequestContext& ctx);    // GET /desk/pages/{slug}
  Response page_submit(RequestContext& ctx);  // POST /desk/pages/{slug} {title, description, body, version}

 private:
  // The form for this page, holding what was typed and the error when a save was refused.
  Response form(RequestContext& ctx, http::status status, const Page& page, int64_t version, const std::string& error);
};

}  // namespace tribune::web

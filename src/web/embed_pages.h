// Conversations in other sites' pages (docs/embed.md): the page their frame shows, and the admin page of the
// sites allowed to embed them. api/embed_api.h is its counterpart (origins, comment counts).
#pragma once

#include "domain/comments.h"
#include "domain/embed.h"
#include "web/page_kit.h"

namespace tribune::web {

class EmbedPages : public PageKit {
 public:
  EmbedPages(const PageKit& kit, EmbedService& embed, CommentService& comments, std::string embed_cookie)
      : PageKit(kit), embed_(embed), comments_(comments), embed_cookie_(std::move(embed_cookie)) {}

  // GET /embed?url=&id=&title=&scheme=dark&sort=&cursor=: the host page's story (made on its first view),
  // framed only by its site. A site not allowed gets an error page that no site may frame.
  Response frame(RequestContext& ctx);
  Response admin(RequestContext& ctx);         // GET /admin/embed
  Response admin_allow(RequestContext& ctx);   // POST /admin/embed {origin, appeal=1}
  Response admin_remove(RequestContext& ctx);  // POST /admin/embed/remove {origin}

  // The embed script's address with its content hash, and its Subresource Integrity value ("sha256-...").
  std::pair<std::string, std::string> script_reference() const;

 private:
  Response admin_page(RequestContext& ctx, http::status status, const std::string& notice, const std::string& error);

  EmbedService& embed_;
  CommentService& comments_;
  std::string embed_cookie_;
};

}  // namespace tribune::web

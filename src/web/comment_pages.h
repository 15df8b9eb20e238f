// Comments without JavaScript (api/comments_api.h's counterpart): posting and replying, a thread on a page
// of its own, editor's picks.
#pragma once

#include "domain/comments.h"
#include "web/page_kit.h"

namespace tribune::web {

class CommentPages : public PageKit {
 public:
  CommentPages(const PageKit& kit, CommentService& comments) : PageKit(kit), comments_(comments) {}

  Response comment_submit(RequestContext& ctx);  // POST /comment (article, body, parent_id, csrf_token)
  Response reply_form(RequestContext& ctx);      // GET /comments/{id}/reply
  Response thread(RequestContext& ctx);          // GET /comments/{id}: a comment and the replies under it
  Response pick_submit(RequestContext& ctx);     // POST /comments/{id}/pick (on=1|0; staff)

 private:
  CommentService& comments_;
};

}  // namespace tribune::web

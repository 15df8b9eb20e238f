// Comments without JavaScript (api/comments_api.h's counterpart): posting and replying, a thread on a page
// of its own, editor's picks, recommending, and a comment's options page (edit or delete one's own, report
// another's).
#pragma once

#include <functional>

#include "domain/comments.h"
#include "web/form_support.h"
#include "web/page_kit.h"

namespace tribune::web {

class CommentPages : public PageKit {
 public:
  CommentPages(const PageKit& kit, CommentService& comments) : PageKit(kit), comments_(comments) {}

  Response comment_submit(RequestContext& ctx);  // POST /comment (article, body, parent_id, csrf_token)
  Response reply_form(RequestContext& ctx);      // GET /comments/{id}/reply
  Response thread(RequestContext& ctx);          // GET /comments/{id}: a comment and the replies under it
  Response pick_submit(RequestContext& ctx);     // POST /comments/{id}/pick (on=1|0; staff)
  // Recommend without JavaScript: the page asks (the shared, cached article page cannot carry the reader's
  // CSRF token), the form posts, the reader lands back on the comment; a refusal shows on that page.
  Response recommend_form(RequestContext& ctx);    // GET /comments/{id}/recommend
  Response recommend_submit(RequestContext& ctx);  // POST /comments/{id}/recommend (on=1|0)
  // The rest of a comment's actions without JavaScript, on one page: edit or delete one's own (within the
  // edit window), report another's. A refusal shows on that page with what was typed.
  Response options(RequestContext& ctx);        // GET /comments/{id}/options
  Response edit_submit(RequestContext& ctx);    // POST /comments/{id}/edit (body)
  Response delete_submit(RequestContext& ctx);  // POST /comments/{id}/delete
  Response report_submit(RequestContext& ctx);  // POST /comments/{id}/report (reason, note)

 private:
  // The published comment whose id the route names ({id}); not_found otherwise.
  Comment published_in_path(RequestContext& ctx);
  Response recommend_page(RequestContext& ctx, const Comment& c, http::status status, const std::string& error);
  Response options_page(RequestContext& ctx, const Comment& c, http::status status, const std::string& error,
                        const Form* typed);
  // One of the options page's forms: the comment (published), the actor and the form to act; a refusal the
  // reader can act on comes back on the options page with what was typed.
  Response comment_action(RequestContext& ctx,
                          const std::function<Response(const Comment&, const Actor&, const Form&)>& act);

  CommentService& comments_;
};

}  // namespace tribune::web

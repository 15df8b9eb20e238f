// Readers and the forum around them (api/readers_api.h's counterpart): profiles, following and ignoring, the
// feed of followed readers, and notifications. All of them are
// personal or change state, so none goes through the page cache.
#pragma once

#include "domain/comments.h"
#include "web/page_kit.h"

namespace tribune::web {

class ReaderPages : public PageKit {
 public:
  explicit ReaderPages(const PageKit& kit) : PageKit(kit) {}

  Response reader(RequestContext& ctx);  // GET /readers/{id}?before=
  // GET /readers/ignored.css?ids=1,2: folds those readers' comments for a reader without JavaScript (the
  // masthead links it for a reader who ignores anybody); a comment opens when its time link is followed.
  Response ignored_css(RequestContext& ctx);
  Response follow_submit(RequestContext& ctx);  // POST /readers/{id}/follow (on=1|0)
  Response ignore_submit(RequestContext& ctx);  // POST /readers/{id}/ignore (on=1|0)
  Response following(RequestContext& ctx);      // GET /following?before=: comments by readers I follow
  Response notifications(RequestContext& ctx);  // GET /notifications?before=: marks them read
};

}  // namespace tribune::web

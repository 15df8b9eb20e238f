// JSON API v1: comments.
#pragma once

#include <boost/json/object.hpp>

#include "domain/comments.h"
#include "http/message.h"

namespace tribune::api {

class CommentsApi {
 public:
  explicit CommentsApi(CommentService& comments) : comments_(comments) {}

  // GET /api/v1/articles/{slug}/comments?sort=newest|oldest|top&limit&cursor&parent_id
  //   -> {comments, next_cursor, total}
  Response list(RequestContext& ctx);
  // POST /api/v1/articles/{slug}/comments {body, parent_id?} (signed in) -> 201 {comment}
  Response create(RequestContext& ctx);

  static boost::json::object to_json(const Comment& c);

 private:
  CommentService& comments_;
};

std::string encode_comment_cursor(const CommentCursor& c);
CommentCursor decode_comment_cursor(std::string_view text);

}  // namespace tribune::api

// The Server-Sent Events frames Tribune publishes (docs/api.md, "Live updates") and the topics they go to.
// Article topics are the article's id (positive); a reader's own topic (notifications) is minus their id; the
// newsroom's (the staff dashboard's live updates) is 0 for comments, and the lowest int64 (never minus an id)
// for money, which only editors and admins hear.
#pragma once

#include <cstdint>
#include <limits>
#include <string>

#include "domain/comments.h"
#include "model/comment.h"

namespace tribune {

inline int64_t article_topic(int64_t article_id) {
  return article_id;
}
inline int64_t reader_topic(int64_t account_id) {
  return -account_id;
}
inline constexpr int64_t kNewsroomTopic = 0;
inline constexpr int64_t kMoneyTopic = std::numeric_limits<int64_t>::min();

// newsroom: {"kind": "comment" | "contribution"}: something the dashboard counts happened (the page then
// reads its figures again).
std::string newsroom_frame(std::string_view kind);

// comment.created (with the comment's id as the event id, for Last-Event-ID), comment.updated (edits and
// reaction counts) or comment.removed ({"id"} only).
std::string comment_frame(const Comment& c, CommentService::Change change);

// notification: {"kind", "comment" (with its article_id), "article_url"}.
std::string notification_frame(const Comment& c, const std::string& kind, const std::string& article_url);

}  // namespace tribune

#include "live/frames.h"

#include "live/hub.h"
#include "model/comment_json.h"

namespace tribune {

namespace json = boost::json;

std::string comment_frame(const Comment& c, CommentService::Change change) {
  switch (change) {
    case CommentService::Change::created:
      return sse_frame("comment.created", c.id, json::serialize(comment_json(c)));
    case CommentService::Change::updated:
    case CommentService::Change::reacted:
      return sse_frame("comment.updated", 0, json::serialize(comment_json(c)));
    case CommentService::Change::removed:
      // status: deleted (by its author) or removed (by a moderator), for the tombstone of a comment with replies
      return sse_frame("comment.removed", 0,
                       json::serialize(json::object{
                           {"id", c.id}, {"status", c.status == CommentStatus::deleted ? "deleted" : "removed"}}));
  }
  return {};
}

std::string notification_frame(const Comment& c, const std::string& kind, const std::string& article_url) {
  auto comment = comment_json(c);
  comment["article_id"] = c.article_id;
  return sse_frame(
      "notification", 0,
      json::serialize(json::object{{"kind", kind}, {"comment", std::move(comment)}, {"article_url", article_url}}));
}

std::string newsroom_frame(std::string_view kind) {
  return sse_frame("newsroom", 0, json::serialize(json::object{{"kind", kind}}));
}

}  // namespace tribune

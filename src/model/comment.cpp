#include "model/comment.h"

namespace tribune {

std::string_view to_string(CommentStatus s) {
  switch (s) {
    case CommentStatus::published:
      return "published";
    case CommentStatus::pending:
      return "pending";
    case CommentStatus::hidden:
      return "hidden";
    case CommentStatus::rejected:
      return "rejected";
    case CommentStatus::deleted:
      return "deleted";
  }
  return "hidden";
}

std::optional<CommentStatus> parse_comment_status(std::string_view s) {
  for (auto st : {CommentStatus::published, CommentStatus::pending, CommentStatus::hidden, CommentStatus::rejected,
                  CommentStatus::deleted})
    if (to_string(st) == s) return st;
  return std::nullopt;
}

std::optional<CommentSort> parse_comment_sort(std::string_view s) {
  if (s == "newest") return CommentSort::newest;
  if (s == "oldest") return CommentSort::oldest;
  if (s == "top") return CommentSort::top;
  if (s == "picks") return CommentSort::picks;
  return std::nullopt;
}

std::string_view to_string(CommentSort s) {
  switch (s) {
    case CommentSort::oldest:
      return "oldest";
    case CommentSort::top:
      return "top";
    case CommentSort::picks:
      return "picks";
    case CommentSort::newest:
      break;
  }
  return "newest";
}

void to_tombstone(Comment& c) {
  c.tombstone = true;
  c.author_id.reset();
  c.author_name.clear();
  c.author_supporter = false;
  c.body_markdown.clear();
  c.body_html.clear();
  c.edited_at.reset();
  c.recommend_count = 0;
  c.picked = false;
}

std::string comment_link(const Comment& c) {
  return "/comments/" + std::to_string(c.parent_id.value_or(c.id)) + "#comment-" + std::to_string(c.id);
}

}  // namespace tribune

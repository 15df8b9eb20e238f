// Comment data types shared by the comments service and the store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "util/text.h"

namespace tribune {

enum class CommentStatus { published, pending, hidden, rejected, deleted };
std::string_view to_string(CommentStatus s);
std::optional<CommentStatus> parse_comment_status(std::string_view s);

enum class CommentSort { newest, oldest, top, picks };  // picks: editor's picks, any depth, newest first
std::optional<CommentSort> parse_comment_sort(std::string_view s);
std::string_view to_string(CommentSort s);

struct Comment {
  int64_t id = 0;
  int64_t article_id = 0;
  std::optional<int64_t> parent_id;
  int64_t root_id = 0;               // the top-level comment of the thread (itself when top-level)
  int depth = 0;                     // 0 for top-level
  std::optional<int64_t> author_id;  // empty when the author deleted their account
  std::string author_name;
  std::string body_markdown;
  std::string body_html;  // rendered once, when posted or edited
  CommentStatus status = CommentStatus::published;
  TimePoint created_at{};
  std::optional<TimePoint> edited_at;
  int64_t reply_count = 0;
  int64_t recommend_count = 0;
  bool picked = false;
  bool author_supporter = false;  // the author contributed and chose to show it
  // A removed comment (deleted, hidden, rejected, or held again after an edit) kept in a listing because
  // published replies sit below it: its place in the thread, without its author or words (to_tombstone).
  bool tombstone = false;
};

// Empties a removed comment for a public listing: no author, no text, no reactions; its status says why
// (deleted: by its author; anything else: by a moderator).
void to_tombstone(Comment& c);

// Where a comment can always be read, whatever its depth, its place among many replies or the page its
// thread falls on: the thread page of its parent (of itself when top-level), opened at the comment
// ("/comments/41#comment-42"). The article page shows only the first threads, five levels and 20 replies each.
std::string comment_link(const Comment& c);

struct NewComment {
  int64_t article_id = 0;
  std::optional<int64_t> parent_id;
  int64_t author_id = 0;
  std::string body_markdown;
  std::string body_html;
  CommentStatus status = CommentStatus::published;
  TimePoint created_at{};
  std::vector<std::string> mentions;  // handles (mention_handle), resolved by the store
  std::string moderation_rule;        // the rule that decided (held it), and its reason
  std::string moderation_reason;
};

// Keyset position in a comment listing: (key, id) where key is created_at or the recommend count.
struct CommentCursor {
  int64_t key = 0;
  int64_t id = 0;
};

struct CommentQuery {
  int64_t article_id = 0;
  std::optional<int64_t> parent_id;  // empty: top-level comments
  CommentSort sort = CommentSort::newest;
  std::optional<CommentCursor> after;
  int limit = 50;
};

struct CommentList {
  std::vector<Comment> comments;
  std::optional<CommentCursor> next;
};

// What the store is asked for and answers about comments.
struct Recipient {
  int64_t account_id = 0;
  std::string kind;  // reply, followed_comment, mention, moderation
};

// An earlier text of an edited comment, as it read from written_at until the next edit (moderators see them).
struct CommentRevision {
  std::string body_markdown;
  TimePoint written_at{};
};

struct SavedComment {
  Comment comment;
  std::vector<Recipient> notified;
};

struct AuthorActivity {
  int64_t published = 0;
  int64_t same_text = 0;
  int64_t decided = 0;
  int64_t rejected = 0;
};

struct ActivityQuery {
  int64_t account_id = 0;
  std::string body;
  TimePoint same_text_since{};
  int64_t published_cap = 0;
  std::optional<TimePoint> decisions_since;
};

}  // namespace tribune

// The three formats newsrooms leave with, read into one shape: threads (a story's conversation, with the
// story's address and title) and comments (with their thread, parent, author, time and moderation state).
// Each reader streams: it calls the sink per thread and per comment as the file is read.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/comment.h"

namespace tribune::imports {

enum class Format { disqus, wordpress, remark42 };
std::optional<Format> parse_format(std::string_view name);
std::string_view to_string(Format f);

struct SourceThread {
  std::string key;    // the source's id (Disqus thread id, WordPress post id, Remark42 URL)
  std::string url;    // where the story was
  std::string title;  // may be empty (Remark42 comments carry it only sometimes)
  std::string slug;   // the story's own slug when the source has one (WordPress post_name)
  TimePoint created_at{};
  // WordPress posts bring their text; Disqus and Remark42 threads none.
  std::string body_html;
  std::string author;
  std::string section;
  std::vector<std::string> tags;
  std::string skip;  // why it is not imported (a WordPress draft or attachment), or empty
  int64_t line = 0;
};

struct SourceAuthor {
  std::string key;  // the source's id for the person: its email, user name or id
  std::string email;
  std::string name;
};

struct SourceComment {
  std::string key;
  std::string thread_key;
  std::string parent_key;  // empty: top level
  SourceAuthor author;
  std::string html;  // the text as the source kept it (HTML)
  TimePoint created_at{};
  CommentStatus status = CommentStatus::published;
  int64_t likes = 0;
  std::string skip;  // why it is not imported (a pingback), or empty
  int64_t line = 0;
};

struct SourceSink {
  std::function<void(SourceThread&&)> thread;
  std::function<void(SourceComment&&)> comment;
};

// Errors: Error(invalid, "invalid_import") naming the line, for a file that is not of the format (not XML,
// not JSON, the wrong root element) or an item without what it cannot do without (an id, a date).
void read_source(Format f, std::istream& in, const SourceSink& sink);

}  // namespace tribune::imports

#include "model/comment_json.h"

#include "util/text.h"

namespace tribune {

boost::json::object comment_json(const Comment& c) {
  namespace json = boost::json;
  json::value author = nullptr;  // a tombstone has none
  if (!c.tombstone)
    author = json::object{{"id", c.author_id ? json::value(*c.author_id) : json::value(nullptr)},
                          {"display_name", c.author_id ? c.author_name : std::string("Deleted reader")},
                          {"supporter", c.author_supporter}};
  std::string status(c.tombstone ? (c.status == CommentStatus::deleted ? "deleted" : "removed") : to_string(c.status));
  return json::object{{"id", c.id},
                      {"parent_id", c.parent_id ? json::value(*c.parent_id) : json::value(nullptr)},
                      {"author", std::move(author)},
                      {"body_html", c.body_html},
                      {"created_at", format_rfc3339(c.created_at)},
                      {"edited_at", c.edited_at ? json::value(format_rfc3339(*c.edited_at)) : json::value(nullptr)},
                      {"status", std::move(status)},
                      {"url", comment_link(c)},
                      {"reactions", {{"recommend", c.recommend_count}}},
                      {"reply_count", c.reply_count},
                      {"depth", c.depth},
                      {"picked", c.picked}};
}

}  // namespace tribune

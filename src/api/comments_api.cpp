#include "api/comments_api.h"

#include <charconv>

#include "api/accounts_api.h"
#include "api/articles_api.h"
#include "api/json_io.h"
#include "domain/error.h"

namespace tribune::api {

namespace json = boost::json;

std::string encode_comment_cursor(const CommentCursor& c) {
  return encode_cursor(ArticleCursor{c.key, c.id});
}

CommentCursor decode_comment_cursor(std::string_view text) {
  auto c = decode_cursor(text);
  return CommentCursor{c.published_at, c.id};
}

json::object CommentsApi::to_json(const Comment& c) {
  json::object author{{"id", c.author_id ? json::value(*c.author_id) : json::value(nullptr)},
                      {"display_name", c.author_id ? c.author_name : std::string("Deleted reader")}};
  return json::object{{"id", c.id},
                      {"parent_id", c.parent_id ? json::value(*c.parent_id) : json::value(nullptr)},
                      {"author", std::move(author)},
                      {"body_html", c.body_html},
                      {"created_at", format_rfc3339(c.created_at)},
                      {"edited_at", c.edited_at ? json::value(format_rfc3339(*c.edited_at)) : json::value(nullptr)},
                      {"status", std::string(to_string(c.status))},
                      {"reactions", {{"recommend", c.recommend_count}}},
                      {"reply_count", c.reply_count},
                      {"depth", c.depth},
                      {"picked", c.picked}};
}

namespace {

std::optional<int64_t> id_param(std::optional<std::string_view> v, std::string_view field) {
  if (!v) return std::nullopt;
  int64_t id = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), id);
  if (ec != std::errc() || p != v->data() + v->size() || id <= 0)
    throw Error(ErrorKind::bad_request, "invalid_id", std::string(field) + " must be a comment id.", std::string(field));
  return id;
}

}  // namespace

Response CommentsApi::list(RequestContext& ctx) {
  CommentQuery q;
  q.limit = limit_param(ctx, 50, 200);
  if (auto s = ctx.query_value("sort")) {
    auto sort = parse_comment_sort(*s);
    if (!sort) throw Error(ErrorKind::bad_request, "invalid_sort", "sort must be newest, oldest or top.", "sort");
    q.sort = *sort;
  }
  if (auto c = ctx.query_value("cursor")) q.after = decode_comment_cursor(*c);
  q.parent_id = id_param(ctx.query_value("parent_id"), "parent_id");
  auto page = comments_.list(ctx.param("slug"), q);
  json::array items;
  for (const auto& c : page.list.comments) items.push_back(to_json(c));
  json::object out{{"comments", std::move(items)},
                   {"next_cursor", page.list.next ? json::value(encode_comment_cursor(*page.list.next)) : json::value(nullptr)},
                   {"total", page.article.comment_count}};
  return json_response(http::status::ok, out);
}

Response CommentsApi::create(RequestContext& ctx) {
  require_session(ctx);
  auto body = parse_object(ctx);
  std::optional<int64_t> parent;
  if (auto it = body.find("parent_id"); it != body.end() && !it->value().is_null()) {
    if (!it->value().is_int64() || it->value().as_int64() <= 0)
      throw Error(ErrorKind::bad_request, "invalid_type", "parent_id must be a comment id.", "parent_id");
    parent = it->value().as_int64();
  }
  Commenter who{ctx.principal.account_id, ctx.principal.name, ctx.client_ip};
  auto comment = comments_.post(who, ctx.param("slug"), required_string(body, "body"), parent);
  return json_response(http::status::created, json::object{{"comment", to_json(comment)}});
}

}  // namespace tribune::api

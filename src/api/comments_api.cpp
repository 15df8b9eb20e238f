#include "api/comments_api.h"

#include <charconv>

#include "api/accounts_api.h"
#include "api/articles_api.h"
#include "api/json_io.h"
#include "http/cursors.h"
#include "live/frames.h"
#include "live/sse.h"
#include "model/comment_json.h"
#include "model/error.h"

namespace tribune::api {

namespace json = boost::json;

namespace {

std::optional<int64_t> id_param(std::optional<std::string_view> v, std::string_view field) {
  if (!v) return std::nullopt;
  int64_t id = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), id);
  if (ec != std::errc() || p != v->data() + v->size() || id <= 0)
    throw Error(ErrorKind::bad_request, "invalid_id", std::string(field) + " must be a comment id.",
                std::string(field));
  return id;
}

}  // namespace

namespace {

std::string listing_key(const RequestContext& ctx) {
  return query_cache_key("comments:" + std::string(ctx.param("slug")), ctx.query,
                         {"sort", "limit", "cursor", "parent_id"});
}

}  // namespace

std::optional<Response> CommentsApi::list_cached(RequestContext& ctx) {
  auto key = listing_key(ctx);
  if (key.empty()) return std::nullopt;
  auto page = cache_.get(key);
  if (!page) return std::nullopt;
  return serve_page(*page, ctx.request);
}

Response CommentsApi::list(RequestContext& ctx) {
  auto key = listing_key(ctx);
  if (auto page = key.empty() ? nullptr : cache_.get_or_refresh(key)) return serve_page(*page, ctx.request);
  auto generation = cache_.ticket();
  CommentQuery q;
  q.limit = limit_param(ctx, 50, 200);
  if (auto s = ctx.query_value("sort")) {
    auto sort = parse_comment_sort(*s);
    if (!sort)
      throw Error(ErrorKind::bad_request, "invalid_sort", "sort must be newest, oldest, top or picks.", "sort");
    q.sort = *sort;
  }
  if (auto c = ctx.query_value("cursor")) q.after = decode_comment_cursor(*c);
  q.parent_id = id_param(ctx.query_value("parent_id"), "parent_id");
  auto page = comments_.list(ctx.param("slug"), q);
  json::array items;
  for (const auto& c : page.list.comments) items.push_back(comment_json(c));
  json::object out{
      {"comments", std::move(items)},
      {"next_cursor", page.list.next ? json::value(encode_comment_cursor(*page.list.next)) : json::value(nullptr)},
      {"total", page.article.comment_count}};
  auto cached = make_page(json::serialize(out), {}, "application/json; charset=utf-8", "no-cache",
                          key.empty() ? 1 : cache_.gzip_level(key));
  if (!key.empty()) cache_.put(key, cached, generation, conversation_group(page.article.slug));
  return serve_page(*cached, ctx.request);
}

Response CommentsApi::create(RequestContext& ctx) {
  auto body = parse_object(ctx, {"body", "parent_id", "acknowledge_nudge"});
  std::optional<int64_t> parent;
  if (auto it = body.find("parent_id"); it != body.end() && !it->value().is_null()) {
    if (!it->value().is_int64() || it->value().as_int64() <= 0)
      throw Error(ErrorKind::bad_request, "invalid_type", "parent_id must be a comment id.", "parent_id");
    parent = it->value().as_int64();
  }
  Commenter who{ctx.principal.account_id, ctx.principal.name, ctx.client_ip, ctx.principal.role, false,
                ctx.principal.account};
  if (auto it = body.find("acknowledge_nudge"); it != body.end()) {
    if (!it->value().is_bool())
      throw Error(ErrorKind::bad_request, "invalid_type", "acknowledge_nudge must be true or false.",
                  "acknowledge_nudge");
    who.acknowledged_nudge = it->value().as_bool();
  }
  auto comment = comments_.post(who, ctx.param("slug"), required_string(body, "body"), parent);
  return json_response(http::status::created, json::object{{"comment", comment_json(comment)}});
}

namespace {

int64_t comment_id(const RequestContext& ctx) {
  return path_id(ctx, "id", "The comment");
}

Actor actor_of(const RequestContext& ctx) {
  return Actor{ctx.principal.account_id, ctx.principal.role, ctx.principal.account};
}

}  // namespace

Response CommentsApi::edit(RequestContext& ctx) {
  auto who = actor_of(ctx);
  auto body = parse_object(ctx, {"body"});
  auto c = comments_.edit(who, comment_id(ctx), required_string(body, "body"));
  return json_response(http::status::ok, json::object{{"comment", comment_json(c)}});
}

Response CommentsApi::remove(RequestContext& ctx) {
  auto who = actor_of(ctx);
  comments_.remove(who, comment_id(ctx));
  return no_content();
}

Response CommentsApi::react(RequestContext& ctx) {
  auto who = actor_of(ctx);
  bool on = ctx.request.method() == http::verb::put;
  auto count = comments_.react(who, comment_id(ctx), ctx.param("kind"), on);
  return json_response(http::status::ok, json::object{{"reactions", {{"recommend", count}}}, {"mine", on}});
}

Response CommentsApi::report(RequestContext& ctx) {
  auto who = actor_of(ctx);
  auto body = parse_object(ctx, {"reason", "note"});
  comments_.report(who, comment_id(ctx), required_string(body, "reason"), optional_string(body, "note").value_or(""));
  return json_response(http::status::created, json::object{{"status", "received"}});
}

Response CommentsApi::events(RequestContext& ctx) {
  auto page = comments_.list(ctx.param("slug"), CommentQuery{.limit = 1});
  int64_t article_id = page.article.id;
  std::string_view last = ctx.request["Last-Event-ID"];
  if (last.empty()) last = ctx.query_value("last_event_id").value_or("");
  int64_t last_id = 0;
  if (!last.empty()) {
    auto [p, ec] = std::from_chars(last.data(), last.data() + last.size(), last_id);
    if (ec != std::errc() || p != last.data() + last.size() || last_id < 0)
      throw Error(ErrorKind::bad_request, "invalid_last_event_id", "Last-Event-ID must be an event id.");
  }
  Replay replay;
  if (last_id > 0)
    replay = [this, article_id, last_id] {
      std::vector<std::string> frames;
      for (const auto& c : comments_.since(article_id, last_id, 500))
        frames.push_back(comment_frame(c, CommentService::Change::created));
      return frames;
    };
  // One connection per open page: a signed-in reader's notifications ride on the article's stream.
  std::vector<int64_t> topics{article_id};
  if (ctx.principal.signed_in()) topics.push_back(-ctx.principal.account_id);
  return event_stream(live_, ctx.client_ip, std::move(topics), std::move(replay));
}

Response CommentsApi::mine(RequestContext& ctx) {
  std::vector<int64_t> ids;
  std::string_view list = ctx.query_value("ids").value_or("");
  while (!list.empty() && ids.size() < 500) {
    auto comma = list.find(',');
    auto part = list.substr(0, comma);
    if (auto id = id_param(part, "ids")) ids.push_back(*id);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
  }
  json::object reactions;
  for (const auto& [id, kind] : comments_.reactions_by(ctx.principal.account_id, ids)) {
    auto key = std::to_string(id);
    if (!reactions.contains(key)) reactions[key] = json::array();
    reactions[key].as_array().push_back(json::string(kind));
  }
  // Which of these comments' authors the reader follows, and everyone they ignore (their comments collapse).
  std::vector<int64_t> authors;
  std::string_view author_list = ctx.query_value("authors").value_or("");
  while (!author_list.empty() && authors.size() < 500) {
    auto comma = author_list.find(',');
    if (auto id = id_param(author_list.substr(0, comma), "authors")) authors.push_back(*id);
    author_list = comma == std::string_view::npos ? std::string_view() : author_list.substr(comma + 1);
  }
  json::array following, ignoring;
  for (int64_t id : readers_.followed_among(ctx.principal.account_id, authors)) following.push_back(id);
  for (int64_t id : readers_.ignored(ctx.principal.account_id)) ignoring.push_back(id);
  // The reader's own held comments: the shared page leaves them out, this reader's copy shows them.
  json::array held;
  for (const auto& c : comments_.held_for(ctx.principal.account_id, ctx.param("slug"))) held.push_back(comment_json(c));
  return json_response(http::status::ok, json::object{{"reactions", std::move(reactions)},
                                                      {"following", std::move(following)},
                                                      {"ignoring", std::move(ignoring)},
                                                      {"held", std::move(held)}});
}

Response CommentsApi::pick(RequestContext& ctx) {
  auto who = actor_of(ctx);
  bool on = ctx.request.method() == http::verb::put;
  comments_.pick(who, comment_id(ctx), on);
  return json_response(http::status::ok, json::object{{"picked", on}});
}

Response CommentsApi::counts(RequestContext& ctx) {
  std::vector<std::string> slugs;
  std::string_view list = ctx.query_value("articles").value_or("");
  if (list.empty())
    throw Error(ErrorKind::bad_request, "missing_articles", "articles must list article slugs, separated by commas.",
                "articles");
  while (!list.empty()) {
    auto comma = list.find(',');
    std::string slug(list.substr(0, comma));
    if (!is_valid_slug(slug))
      throw Error(ErrorKind::bad_request, "invalid_slug", "articles must list article slugs, separated by commas.",
                  "articles");
    if (slugs.size() == kMaxCountSlugs)
      throw Error(ErrorKind::bad_request, "too_many_articles",
                  "Ask for at most " + std::to_string(kMaxCountSlugs) + " articles at a time.", "articles");
    slugs.push_back(std::move(slug));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
  }
  json::object counts;
  for (const auto& [slug, n] : comments_.counts(slugs)) counts[slug] = n;
  auto r = json_response(http::status::ok, json::object{{"counts", std::move(counts)}});
  r.headers.set(http::field::cache_control, "public, max-age=10");
  return r;
}

}  // namespace tribune::api

#include "api/readers_api.h"

#include <charconv>
#include <map>

#include "api/accounts_api.h"
#include "api/comments_api.h"
#include "api/json_io.h"
#include "live/frames.h"
#include "live/sse.h"
#include "model/comment_json.h"
#include "model/error.h"

namespace tribune::api {

namespace json = boost::json;

namespace {

int64_t reader_id(const RequestContext& ctx) {
  return path_id(ctx, "id", "The reader");
}

int64_t before_param(const RequestContext& ctx) {
  return id_query(ctx, "before");
}

json::array comments_json(const std::vector<Comment>& comments) {
  json::array out;
  for (const auto& c : comments) {
    auto o = comment_json(c);
    o["article_id"] = c.article_id;
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace

Response ReadersApi::follow(RequestContext& ctx) {
  bool on = ctx.request.method() == http::verb::put;
  int64_t id = reader_id(ctx);
  readers_.follow(ctx.principal.account_id, id, on);
  auto p = readers_.profile(id, ctx.principal.account_id, 0);
  return json_response(http::status::ok,
                       json::object{{"following", p.followed_by_viewer}, {"followers", p.counts.followers}});
}

Response ReadersApi::profile(RequestContext& ctx) {
  auto p = readers_.profile(reader_id(ctx), ctx.principal.signed_in() ? ctx.principal.account_id : 0, 20);
  json::object reader{{"id", p.id},
                      {"display_name", p.display_name},
                      {"member_since", format_rfc3339(p.member_since)},
                      {"followers", p.counts.followers},
                      {"following", p.counts.following},
                      {"followed", p.followed_by_viewer}};
  return json_response(http::status::ok,
                       json::object{{"reader", std::move(reader)}, {"comments", comments_json(p.recent_comments)}});
}

Response ReadersApi::feed(RequestContext& ctx) {
  int limit = limit_param(ctx, 30, 100);
  auto comments = readers_.feed(ctx.principal.account_id, before_param(ctx), limit);
  json::value next =
      static_cast<int>(comments.size()) == limit ? json::value(comments.back().id) : json::value(nullptr);
  return json_response(http::status::ok, json::object{{"comments", comments_json(comments)}, {"next_before", next}});
}

Response ReadersApi::notifications(RequestContext& ctx) {
  int limit = limit_param(ctx, 30, 100);
  auto items = readers_.notifications(ctx.principal.account_id, before_param(ctx), limit);
  json::array out;
  std::map<int64_t, json::value> articles;  // article id -> {id, slug, title, url}, or null when gone
  for (const auto& n : items) {
    auto c = comment_json(n.comment);
    c["article_id"] = n.comment.article_id;
    json::object item{{"id", n.id},         {"kind", n.kind},
                      {"detail", n.detail}, {"created_at", format_rfc3339(n.created_at)},
                      {"read", n.read},     {"comment", std::move(c)}};
    auto [it, fresh] = articles.try_emplace(n.comment.article_id);
    if (fresh) {
      if (auto a = articles_.find_by_id(n.comment.article_id))
        it->second =
            json::object{{"id", a->id}, {"slug", a->slug}, {"title", a->title}, {"url", articles_.url_for(*a)}};
    }
    item["article"] = it->second;
    out.push_back(std::move(item));
  }
  json::value next = static_cast<int>(items.size()) == limit ? json::value(items.back().id) : json::value(nullptr);
  return json_response(http::status::ok, json::object{{"notifications", std::move(out)},
                                                      {"unread", readers_.unread(ctx.principal.account_id)},
                                                      {"next_before", next}});
}

Response ReadersApi::mark_read(RequestContext& ctx) {
  auto body = parse_object(ctx, {"up_to"});
  auto it = body.find("up_to");
  if (it == body.end() || !it->value().is_int64() || it->value().as_int64() < 0)
    throw Error(ErrorKind::bad_request, "invalid_type", "up_to must be a notification id.", "up_to");
  readers_.mark_read(ctx.principal.account_id, it->value().as_int64());
  return no_content();
}

Response ReadersApi::ignore(RequestContext& ctx) {
  bool on = ctx.request.method() == http::verb::put;
  readers_.ignore(ctx.principal.account_id, reader_id(ctx), on);
  return json_response(http::status::ok, json::object{{"ignoring", on}});
}

Response ReadersApi::set_digest(RequestContext& ctx) {
  auto body = parse_object(ctx, {"digest"});
  auto mode = required_string(body, "digest");
  readers_.set_digest(ctx.principal.account_id, mode);
  return json_response(http::status::ok, json::object{{"digest", mode}});
}

Response ReadersApi::set_supporter_badge(RequestContext& ctx) {
  auto body = parse_object(ctx, {"show"});
  auto it = body.find("show");
  if (it == body.end() || !it->value().is_bool())
    throw Error(ErrorKind::bad_request, "invalid_type", "show must be true or false.", "show");
  readers_.show_supporter_badge(ctx.principal.account_id, it->value().as_bool());
  return json_response(http::status::ok, json::object{{"show", it->value().as_bool()}});
}

Response ReadersApi::events(RequestContext& ctx) {
  return event_stream(live_, ctx.client_ip, {reader_topic(ctx.principal.account_id)}, nullptr);
}

}  // namespace tribune::api

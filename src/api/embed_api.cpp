#include "api/embed_api.h"

#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include "api/json_io.h"
#include "http/error_mapping.h"

namespace tribune::api {

namespace json = boost::json;

namespace {

json::object to_json(const EmbedService::Origin& o) {
  return json::object{{"origin", o.origin.origin}, {"appeal", o.origin.appeal}, {"configured", o.configured}};
}

}  // namespace

Response EmbedApi::origins(RequestContext&) {
  json::array items;
  for (const auto& o : embed_.origins()) items.push_back(to_json(o));
  return json_response(http::status::ok, json::object{{"origins", std::move(items)}});
}

Response EmbedApi::allow(RequestContext& ctx) {
  auto body = parse_object(ctx, {"origin", "appeal"});
  auto made = embed_.allow(ctx.principal.actor(), required_string(body, "origin"),
                           optional_bool(body, "appeal").value_or(false));
  return json_response(http::status::created, to_json({made, false}));
}

Response EmbedApi::remove(RequestContext& ctx) {
  embed_.remove(ctx.principal.actor(), ctx.query_value("origin").value_or(""));
  return no_content();
}

Response EmbedApi::counts(RequestContext& ctx) {
  // Repeated parameters, in their order (RequestContext::query keeps the first of each name only).
  std::vector<EmbedService::Page> pages;
  std::string asked_origin(ctx.query_value("origin").value_or(""));
  if (auto target = boost::urls::parse_origin_form(ctx.request.target()))
    for (auto p : target->params()) {
      if (p.key == "url") pages.push_back(EmbedService::Page{std::string(p.value), {}, {}});
      if (p.key == "id") pages.push_back(EmbedService::Page{{}, std::string(p.value), {}});
    }
  std::string origin(ctx.request[http::field::origin]);
  if (origin.empty()) origin = asked_origin;
  for (const auto& p : pages)
    if (origin.empty() && !p.url.empty()) origin = origin_of(p.url).value_or("");
  auto site = embed_.allowed(origin);
  if (!site) {
    Response refused = json_error(Error(ErrorKind::forbidden, "origin_not_allowed",
                                        "This site is not allowed to embed conversations from this publication."));
    refused.status = http::status::forbidden;
    refused.headers.set(http::field::vary, "Origin");
    return refused;
  }
  auto counts = embed_.counts(site->origin, pages);
  json::array items;
  for (size_t i = 0; i < pages.size(); ++i) {
    json::object o;
    if (pages[i].identifier.empty())
      o["url"] = pages[i].url;
    else
      o["identifier"] = pages[i].identifier;
    o["count"] = counts[i];
    items.push_back(std::move(o));
  }
  Response r = json_response(http::status::ok, json::object{{"counts", std::move(items)}});
  // The answer depends on Origin (CORS, and the site identifiers belong to): shared caches keep one a site.
  r.headers.set(http::field::vary, "Origin");
  if (!ctx.request[http::field::origin].empty()) r.headers.set(http::field::access_control_allow_origin, site->origin);
  // Counts move with every comment: a minute stale is fine for a listing, and spares the store.
  r.headers.set(http::field::cache_control, "public, max-age=60");
  return r;
}

}  // namespace tribune::api

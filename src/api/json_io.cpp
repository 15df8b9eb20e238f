#include "api/json_io.h"

#include <charconv>

#include "model/error.h"
#include "model/params.h"
#include "util/text.h"

namespace tribune::api {

namespace json = boost::json;

json::object parse_object(const RequestContext& ctx, std::initializer_list<std::string_view> known) {
  auto ct = ctx.request[http::field::content_type];
  std::string type = to_lower_ascii(ct.substr(0, ct.find(';')));
  if (trim(type) != "application/json")
    throw Error(ErrorKind::unsupported_media_type, "unsupported_media_type",
                "Send the request body as application/json.");
  const auto& body = ctx.request.body();
  if (!is_valid_utf8(body)) throw Error(ErrorKind::bad_request, "invalid_utf8", "The request body is not valid UTF-8.");
  json::parse_options opts;
  opts.max_depth = 32;
  boost::system::error_code ec;
  json::value v = json::parse(body, ec, {}, opts);
  if (ec)
    throw Error(ErrorKind::bad_request, "invalid_json", "The request body is not valid JSON: " + ec.message() + ".");
  if (!v.is_object()) throw Error(ErrorKind::bad_request, "invalid_json", "The request body must be a JSON object.");
  for (const auto& kv : v.as_object())
    if (std::find(known.begin(), known.end(), kv.key()) == known.end())
      throw Error(ErrorKind::bad_request, "unknown_field", "Unknown field '" + std::string(kv.key()) + "'.",
                  std::string(kv.key()));
  return std::move(v.as_object());
}

std::optional<std::string> optional_string(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return std::nullopt;
  if (!it->value().is_string())
    throw Error(ErrorKind::bad_request, "invalid_type", std::string(key) + " must be a string.", std::string(key));
  return std::string(it->value().as_string());
}

std::optional<bool> optional_bool(const json::object& body, std::string_view key) {
  auto it = body.find(key);
  if (it == body.end()) return std::nullopt;
  if (!it->value().is_bool())
    throw Error(ErrorKind::bad_request, "invalid_type", std::string(key) + " must be true or false.", std::string(key));
  return it->value().as_bool();
}

std::string required_string(const json::object& o, std::string_view key) {
  auto v = optional_string(o, key);
  if (!v) throw invalid_field(std::string(key), "missing_field", std::string(key) + " is required.");
  return *v;
}

std::vector<std::string> string_list(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return {};
  if (it->value().is_string()) return {std::string(it->value().as_string())};
  if (!it->value().is_array())
    throw Error(ErrorKind::bad_request, "invalid_type", std::string(key) + " must be a list of strings.",
                std::string(key));
  std::vector<std::string> out;
  for (const auto& item : it->value().as_array()) {
    if (!item.is_string())
      throw Error(ErrorKind::bad_request, "invalid_type", std::string(key) + " must be a list of strings.",
                  std::string(key));
    out.emplace_back(item.as_string());
  }
  return out;
}

int limit_param(const RequestContext& ctx, int fallback, int max, std::string_view name) {
  auto v = ctx.query_value(name);
  if (!v) return fallback;
  int n = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || p != v->data() + v->size() || n < 1 || n > max)
    throw Error(ErrorKind::bad_request, "invalid_" + std::string(name),
                std::string(name) + " must be a whole number from 1 to " + std::to_string(max) + ".",
                std::string(name));
  return n;
}

Response json_response(http::status status, const json::value& v) {
  Response r = Response::json(status, json::serialize(v));
  r.headers.set(http::field::cache_control, "no-store");
  return r;
}

Response no_content() {
  Response r;
  r.status = http::status::no_content;
  r.headers.set(http::field::cache_control, "no-store");
  return r;
}

int64_t id_query(const RequestContext& ctx, std::string_view key) {
  return position_param(ctx.query, key);
}

int64_t path_id(const RequestContext& ctx, std::string_view key, const std::string& what) {
  auto id = ctx.id_param(key);
  if (!id) throw not_found(what);
  return *id;
}

}  // namespace tribune::api

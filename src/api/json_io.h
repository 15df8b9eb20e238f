// Reading JSON request bodies at the edge: content type, syntax, shape and field types are checked here,
// each failure an Error naming the field.
#pragma once

#include <boost/json.hpp>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "http/message.h"

namespace tribune::api {

// The body as a JSON object with no field outside `known`. 415 unless the content type is application/json;
// 400 invalid_json, invalid_utf8, or unknown_field naming the first unknown field (one rule for the whole API:
// a misspelt optional field is an error, never silently ignored).
boost::json::object parse_object(const RequestContext& ctx, std::initializer_list<std::string_view> known);

std::optional<std::string> optional_string(const boost::json::object& o, std::string_view key);
std::string required_string(const boost::json::object& o, std::string_view key);
// true or false when present; 400 invalid_type otherwise.
std::optional<bool> optional_bool(const boost::json::object& o, std::string_view key);
// Accepts a list of strings or a single string.
std::vector<std::string> string_list(const boost::json::object& o, std::string_view key);

// ?limit=N within [1, max]; absent: fallback. 400 invalid_limit otherwise.
int limit_param(const RequestContext& ctx, int fallback, int max, std::string_view name = "limit");

Response json_response(http::status status, const boost::json::value& v);
Response no_content();

// ?key=ID as a keyset position: 0 when absent; Error(bad_request, invalid_cursor) when not a whole number.
int64_t id_query(const RequestContext& ctx, std::string_view key);

// The id in path parameter `key`, or Error(not_found) naming `what` ("The comment").
int64_t path_id(const RequestContext& ctx, std::string_view key, const std::string& what);

}  // namespace tribune::api

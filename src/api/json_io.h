// Reading JSON request bodies at the edge: content type, syntax, shape and field types are checked here,
// each failure an Error naming the field.
#pragma once

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "http/message.h"

namespace tribune::api {

// The body as a JSON object. 415 unless the content type is application/json; 400 invalid_json otherwise.
boost::json::object parse_object(const RequestContext& ctx);

std::optional<std::string> optional_string(const boost::json::object& o, std::string_view key);
std::string required_string(const boost::json::object& o, std::string_view key);
// Accepts a list of strings or a single string.
std::vector<std::string> string_list(const boost::json::object& o, std::string_view key);

// ?limit=N within [1, max]; absent: fallback. 400 invalid_limit otherwise.
int limit_param(const RequestContext& ctx, int fallback, int max);

Response json_response(http::status status, const boost::json::value& v);

}  // namespace tribune::api

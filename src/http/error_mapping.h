// The single place where Tribune's error vocabulary becomes HTTP.
#pragma once

#include <functional>

#include "http/message.h"
#include "model/error.h"

namespace tribune {

http::status status_for(ErrorKind kind);

// {"error": {"code", "message", "field"?}}
Response json_error(const Error& e);

// Renders an HTML error page; installed by the web layer.
// Renders an error as a page for the visitor (a signed-in reader still sees their masthead).
using HtmlErrorRenderer = std::function<Response(const Error&, const Principal&)>;

}  // namespace tribune

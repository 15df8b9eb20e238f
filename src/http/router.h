// The route table: method + path pattern -> handler. Patterns are literal segments and {name} captures
// ("/api/v1/articles/{slug}"); a trailing "{name...}" captures the rest of the path.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "http/message.h"

namespace tribune {

using Handler = std::function<Response(RequestContext&)>;
// A handler that answers from memory on the I/O thread, or returns nullopt to hand over to the slow handler.
using FastHandler = std::function<std::optional<Response>(RequestContext&)>;

struct Route {
  http::verb method;
  std::string pattern;
  Handler handler;         // runs on the blocking pool: may touch the store, hash passwords, render
  FastHandler fast;        // optional: runs first, inline, must not block
  bool api = false;        // errors as JSON (else HTML pages): /api/ and /webhooks/
  std::vector<std::string> segments;
};

class Router {
 public:
  void add(http::verb method, std::string pattern, Handler handler, FastHandler fast = {});

  struct Match {
    const Route* route = nullptr;
    std::map<std::string, std::string, std::less<>> params;
    std::string allow;  // set when the path matched under other methods only
  };
  Match match(http::verb method, std::string_view path) const;

 private:
  std::vector<Route> routes_;
};

}  // namespace tribune

// The route table: method + path pattern -> handler. Patterns are literal segments and {name} captures
// ("/api/v1/articles/{slug}"); a trailing "{name...}" captures the rest of the path.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "http/message.h"
#include "model/account.h"

namespace tribune {

using Handler = std::function<Response(RequestContext&)>;
// A handler that answers from memory on the I/O thread, or returns nullopt to hand over to the slow handler.
using FastHandler = std::function<std::optional<Response>(RequestContext&)>;

// Who may call a route; the pipeline enforces it once, before the handler and the CSRF check. Refused under
// /api/: 401 unauthenticated (nobody signed in) or 403 forbidden (the role does not allow it). Refused on a
// page: a redirect to /signin that comes back (GET: to the page; POST: to the page the form was on), or the
// 403 page for a signed-in reader without the role. Rules about *what* (a reader edits only their own
// comment; staff cannot be banned) stay in the domain.
struct Access {
  enum class Who {
    anyone,
    session,  // a signed-in reader or staff member (the session cookie); API tokens are refused
    roles,    // a session or an API token whose role is in `roles`
    own,      // the handler checks credentials of its own (a scraper's token): nobody is authenticated
  } who = Who::anyone;
  std::vector<Role> roles;

  static Access anyone() { return {}; }
  static Access session() { return {Who::session, {}}; }
  static Access staff() { return {Who::roles, {Role::moderator, Role::editor, Role::admin}}; }
  static Access editors() { return {Who::roles, {Role::editor, Role::admin}}; }
  static Access admins() { return {Who::roles, {Role::admin}}; }
  static Access own_credentials() { return {Who::own, {}}; }
};

struct Route {
  // The pattern's segments, parsed once when the route is added.
  struct Segment {
    enum class Kind : uint8_t { literal, capture, rest } kind = Kind::literal;
    std::string text;  // the literal, or the capture's name
  };
  http::verb method;
  std::string pattern;
  Access access;
  Handler handler;   // runs on the blocking pool: may touch the store, hash passwords, render
  FastHandler fast;  // optional: runs first, inline, must not block
  bool api = false;  // errors as JSON (else HTML pages): /api/ and /webhooks/
  std::vector<Segment> segments;
};

class Router {
 public:
  void add(http::verb method, std::string pattern, Access access, Handler handler, FastHandler fast = {});

  struct Match {
    const Route* route = nullptr;
    std::map<std::string, std::string, std::less<>> params;
    std::string allow;  // set when the path matched under other methods only
  };
  Match match(http::verb method, std::string_view path) const;
  // Every route, in the order added; a matched route is one of these (its index names it in the metrics).
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace tribune

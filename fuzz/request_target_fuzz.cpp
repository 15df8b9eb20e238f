// The request target as every request meets it: Pipeline::handle parses the target (path and query string,
// src/http/pipeline.cpp), the Router matches the decoded path against the server's route patterns, and the
// handler reads its parameters (api/json_io.h, model/params.h).
//
// Input: a request line without the version, "METHOD TARGET" ("GET /api/v1/articles?limit=3"); without a
// space, the whole input is a GET target. Every route answers from a fast handler, which checks what a handler
// may rely on (pipeline.h step 1, message.h):
//   - the decoded path starts with '/', is valid UTF-8 on one line, has no NUL and no "." or ".." segment;
//   - query keys and values are decoded, valid UTF-8 on one line, and the first value of a repeated key wins;
//   - the route's captures are all there, non-empty, without '/', and put back into the pattern they give the
//     path again (a trailing '/' aside: "/a/" matches "/a");
//   - limit_param, id_query, position_param, optional_id_param and id_param give values in their ranges or
//     throw Error, never anything else.
// The answer is 200 (a route ran), 400 (a bad target), 404 or 405 with an Allow header; anything else, or an
// exception out of handle(), is a bug.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/url/parse.hpp>
#include <cstdint>
#include <exception>
#include <set>
#include <string>
#include <string_view>

#include "api/json_io.h"
#include "fuzz_check.h"
#include "http/pipeline.h"
#include "model/error.h"
#include "model/params.h"
#include "util/text.h"

namespace {

using namespace tribune;
using http::verb;

struct RouteSpec {
  verb method;
  const char* pattern;
};

// The route table of src/app/routes.cpp (methods and patterns only; access is not what is fuzzed here), plus
// a rest capture, a shape the Router supports that no route uses yet.
constexpr RouteSpec kRoutes[] = {
    {verb::get, "/healthz"},
    {verb::get, "/metrics"},
    {verb::get, "/api/v1/articles"},
    {verb::post, "/api/v1/articles"},
    {verb::get, "/api/v1/articles/{slug}"},
    {verb::put, "/api/v1/articles/{slug}"},
    {verb::get, "/api/v1/articles/{slug}/comments"},
    {verb::post, "/api/v1/articles/{slug}/comments"},
    {verb::get, "/api/v1/articles/{slug}/events"},
    {verb::get, "/api/v1/articles/{slug}/comments/mine"},
    {verb::patch, "/api/v1/comments/{id}"},
    {verb::delete_, "/api/v1/comments/{id}"},
    {verb::put, "/api/v1/comments/{id}/reactions/{kind}"},
    {verb::delete_, "/api/v1/comments/{id}/reactions/{kind}"},
    {verb::put, "/api/v1/comments/{id}/pick"},
    {verb::delete_, "/api/v1/comments/{id}/pick"},
    {verb::get, "/api/v1/comment-counts"},
    {verb::post, "/api/v1/comments/{id}/reports"},
    {verb::get, "/api/v1/readers/{id}"},
    {verb::put, "/api/v1/readers/{id}/follow"},
    {verb::delete_, "/api/v1/readers/{id}/follow"},
    {verb::put, "/api/v1/readers/{id}/ignore"},
    {verb::delete_, "/api/v1/readers/{id}/ignore"},
    {verb::get, "/api/v1/me/events"},
    {verb::put, "/api/v1/me/digest"},
    {verb::put, "/api/v1/me/supporter-badge"},
    {verb::get, "/api/v1/me/feed"},
    {verb::get, "/api/v1/me/notifications"},
    {verb::post, "/api/v1/me/notifications/read"},
    {verb::get, "/api/v1/moderation/queue"},
    {verb::post, "/api/v1/moderation/comments/{id}/decision"},
    {verb::post, "/api/v1/moderation/accounts/{id}/ban"},
    {verb::delete_, "/api/v1/moderation/accounts/{id}/ban"},
    {verb::post, "/api/v1/moderation/accounts/{id}/suspension"},
    {verb::post, "/api/v1/moderation/decisions"},
    {verb::post, "/api/v1/moderation/accounts/{id}/sanctions"},
    {verb::get, "/api/v1/moderation/accounts/{id}/history"},
    {verb::get, "/api/v1/moderation/log"},
    {verb::post, "/api/v1/me/warning/acknowledge"},
    {verb::post, "/api/v1/contributions/checkout"},
    {verb::get, "/api/v1/admin/contributions/report"},
    {verb::post, "/webhooks/stripe"},
    {verb::post, "/api/v1/accounts"},
    {verb::post, "/api/v1/sessions"},
    {verb::delete_, "/api/v1/sessions/current"},
    {verb::get, "/api/v1/me"},
    {verb::get, "/api/v1/me/sessions"},
    {verb::delete_, "/api/v1/me/sessions"},
    {verb::delete_, "/api/v1/me/sessions/{id}"},
    {verb::patch, "/api/v1/me"},
    {verb::delete_, "/api/v1/me"},
    {verb::get, "/api/v1/me/export"},
    {verb::post, "/api/v1/me/email"},
    {verb::post, "/api/v1/me/password"},
    {verb::get, "/api/v1/admin/accounts"},
    {verb::put, "/api/v1/admin/accounts/{id}/role"},
    {verb::post, "/api/v1/password-resets"},
    {verb::post, "/api/v1/password-resets/confirm"},
    {verb::post, "/api/v1/email-verifications/confirm"},
    {verb::post, "/api/v1/me/email-verifications"},
    {verb::get, "/"},
    {verb::get, "/feed.xml"},
    {verb::get, "/sitemap.xml"},
    {verb::get, "/support"},
    {verb::get, "/support/thanks"},
    {verb::post, "/contribute"},
    {verb::get, "/admin/contributions"},
    {verb::get, "/admin/contributions.csv"},
    {verb::get, "/assets/{name}"},
    {verb::get, "/favicon.ico"},
    {verb::get, "/register"},
    {verb::post, "/register"},
    {verb::get, "/signin"},
    {verb::post, "/signin"},
    {verb::post, "/signout"},
    {verb::get, "/account"},
    {verb::post, "/account/sessions/{id}/end"},
    {verb::post, "/account/sign-out-everywhere"},
    {verb::get, "/verify"},
    {verb::post, "/verify"},
    {verb::get, "/forgot"},
    {verb::post, "/forgot"},
    {verb::get, "/reset"},
    {verb::post, "/reset"},
    {verb::post, "/account/verification"},
    {verb::post, "/account/digest"},
    {verb::post, "/account/supporter-badge"},
    {verb::post, "/account/warning"},
    {verb::post, "/account/{action}"},
    {verb::get, "/admin/accounts"},
    {verb::post, "/admin/accounts/{id}/role"},
    {verb::post, "/comment"},
    {verb::get, "/comments/{id}/reply"},
    {verb::get, "/comments/{id}"},
    {verb::post, "/comments/{id}/pick"},
    {verb::get, "/readers/{id}"},
    {verb::post, "/readers/{id}/follow"},
    {verb::post, "/readers/{id}/ignore"},
    {verb::get, "/following"},
    {verb::get, "/notifications"},
    {verb::get, "/moderation"},
    {verb::post, "/moderation/comments/{id}/decision"},
    {verb::post, "/moderation/accounts/{id}/ban"},
    {verb::post, "/moderation/decisions"},
    {verb::post, "/moderation/accounts/{id}/sanctions"},
    {verb::get, "/moderation/readers/{id}"},
    {verb::get, "/moderation/log"},
    {verb::get, "/moderation/log.csv"},
    {verb::get, "/authors/{slug}"},
    {verb::get, "/files/{path...}"},
    {verb::get, "/{section}"},
    {verb::get, "/{section}/{year}/{month}/{day}/{slug}"},
};

bool is_capture(std::string_view seg) {
  return seg.size() > 2 && seg.front() == '{' && seg.back() == '}';
}

// The pattern with its captures filled in from params; checks each capture on the way.
std::string fill_pattern(std::string_view pattern, const std::map<std::string, std::string, std::less<>>& params) {
  std::string out;
  size_t used = 0;
  size_t pos = 1;
  while (pos <= pattern.size()) {
    size_t slash = pattern.find('/', pos);
    if (slash == std::string_view::npos) slash = pattern.size();
    std::string_view seg = pattern.substr(pos, slash - pos);
    out += '/';
    if (is_capture(seg)) {
      bool rest = seg.ends_with("...}");
      std::string_view name = seg.substr(1, seg.size() - (rest ? 5 : 2));
      auto it = params.find(name);
      FUZZ_CHECK(it != params.end());
      FUZZ_CHECK(!it->second.empty());
      if (!rest) FUZZ_CHECK(it->second.find('/') == std::string::npos);
      out += it->second;
      ++used;
    } else {
      out += seg;
    }
    pos = slash + 1;
  }
  FUZZ_CHECK(used == params.size());
  return out;
}

void check_route_match(std::string_view pattern, std::string_view path,
                       const std::map<std::string, std::string, std::less<>>& params) {
  std::string filled = fill_pattern(pattern, params);
  std::string_view bare = path;
  if (bare.size() > 1 && bare.ends_with('/') && filled != bare) bare.remove_suffix(1);
  if (filled != bare) {
    fuzz::print_escaped("pattern", pattern);
    fuzz::print_escaped("path", path);
    fuzz::print_escaped("filled", filled);
  }
  FUZZ_CHECK(filled == bare);
}

// Each parser of query and path parameters either answers within its contract or throws Error.
template <class F>
void expect_value_or_error(F f) {
  try {
    f();
  } catch (const Error& e) {
    FUZZ_CHECK(e.kind() == ErrorKind::bad_request || e.kind() == ErrorKind::invalid ||
               e.kind() == ErrorKind::not_found);
  }
}

void check_context(std::string_view pattern, RequestContext& ctx) {
  const std::string& path = ctx.path;
  FUZZ_CHECK(path.starts_with('/'));
  FUZZ_CHECK(is_valid_utf8(path));
  FUZZ_CHECK(!has_any_control_chars(path));
  for (size_t pos = 1; pos <= path.size();) {
    size_t slash = path.find('/', pos);
    if (slash == std::string::npos) slash = path.size();
    std::string_view seg = std::string_view(path).substr(pos, slash - pos);
    FUZZ_CHECK(seg != "." && seg != "..");
    pos = slash + 1;
  }
  for (const auto& [k, v] : ctx.query) {
    FUZZ_CHECK(is_valid_utf8(k) && !has_any_control_chars(k));
    FUZZ_CHECK(is_valid_utf8(v) && !has_any_control_chars(v));
  }
  // First value wins: each key holds the value of its first occurrence in the target.
  auto parsed = boost::urls::parse_origin_form(ctx.request.target());
  FUZZ_CHECK(parsed.has_value());
  std::set<std::string, std::less<>> seen;
  for (auto p : parsed->params()) {
    if (!seen.insert(p.key).second) continue;
    auto it = ctx.query.find(p.key);
    FUZZ_CHECK(it != ctx.query.end() && it->second == p.value);
  }
  FUZZ_CHECK(seen.size() == ctx.query.size());
  check_route_match(pattern, path, ctx.params);

  expect_value_or_error([&] {
    int n = api::limit_param(ctx, 20, 100);
    FUZZ_CHECK(n >= 1 && n <= 100);
  });
  expect_value_or_error([&] { FUZZ_CHECK(api::id_query(ctx, "after") >= 0); });
  expect_value_or_error([&] { FUZZ_CHECK(position_param(ctx.query, "before") >= 0); });
  expect_value_or_error([&] {
    auto id = optional_id_param(ctx.query, "parent_id");
    FUZZ_CHECK(!id || *id > 0);
  });
  if (ctx.params.contains("id")) {
    expect_value_or_error([&] { FUZZ_CHECK(api::path_id(ctx, "id", "The comment") > 0); });
    if (auto id = ctx.id_param("id"))
      FUZZ_CHECK(std::to_string(*id) == ctx.param("id") || ctx.param("id").starts_with('0'));
  }
}

struct Harness {
  Router router;
  Metrics metrics;
  std::unique_ptr<Pipeline> pipeline;
  boost::asio::io_context io;
  bool handled = false;

  Harness() {
    for (const auto& spec : kRoutes) {
      std::string pattern = spec.pattern;
      router.add(
          spec.method, pattern, Access::anyone(),
          // The slow path is never taken: every fast handler answers.
          [](RequestContext&) -> Response { __builtin_trap(); },
          [this, pattern](RequestContext& ctx) -> std::optional<Response> {
            check_context(pattern, ctx);
            handled = true;
            return Response::text(http::status::ok, "ok");
          });
    }
    pipeline = std::make_unique<Pipeline>(router, metrics, PipelineOptions{.blocking_threads = 1});
  }
};

Harness& harness() {
  static Harness h;
  return h;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  verb method = verb::get;
  std::string_view target = input;
  if (auto space = input.find(' '); space != std::string_view::npos) {
    verb v = http::string_to_verb(input.substr(0, space));
    if (v != verb::unknown) method = v;
    target = input.substr(space + 1);
  }
  auto& h = harness();
  h.handled = false;

  Request request{method, target, 11};
  request.set(http::field::host, "localhost");
  Response response;
  std::exception_ptr failure;
  bool done = false;
  boost::asio::co_spawn(h.io, h.pipeline->handle(request, "127.0.0.1"), [&](std::exception_ptr e, Response r) {
    failure = e;
    response = std::move(r);
    done = true;
  });
  h.io.run();
  h.io.restart();
  FUZZ_CHECK(done);
  if (failure) std::rethrow_exception(failure);  // uncaught: libFuzzer reports it as a crash

  auto status = response.status;
  if (h.handled) {
    FUZZ_CHECK(status == http::status::ok);
  } else {
    if (status == http::status::method_not_allowed) FUZZ_CHECK(!response.headers[http::field::allow].empty());
    FUZZ_CHECK(status == http::status::bad_request || status == http::status::not_found ||
               status == http::status::method_not_allowed);
  }
  if (method == verb::head) FUZZ_CHECK(response.body.empty());

  // The router on its own, with paths the target parser would not produce ("//", "%2F" left encoded...).
  if (input.starts_with('/') && is_valid_utf8(input)) {
    auto m = h.router.match(method, input);
    if (m.route) check_route_match(m.route->pattern, input, m.params);
  }
  return 0;
}

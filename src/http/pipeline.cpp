#include "http/pipeline.h"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <chrono>

#include "http/cookies.h"
#include "http/forms.h"
#include "util/text.h"

namespace tribune {

namespace asio = boost::asio;

namespace {

// Runs f on the pool and resumes the awaiting coroutine on its own executor with the result.
template <class F>
asio::awaitable<Response> on_pool(asio::thread_pool& pool, F f) {
  auto ex = co_await asio::this_coro::executor;
  co_return co_await asio::async_initiate<const asio::use_awaitable_t<>&, void(Response)>(
      [&pool, ex, f = std::move(f)](auto handler) mutable {
        asio::post(pool, [ex, f = std::move(f), handler = std::move(handler)]() mutable {
          Response r = f();
          asio::post(ex, [handler = std::move(handler), r = std::move(r)]() mutable { handler(std::move(r)); });
        });
      },
      asio::use_awaitable);
}

Error bad_target(const std::string& why) {
  return Error(ErrorKind::bad_request, "invalid_path", why);
}

// Fills ctx.path and ctx.query from the request target, rejecting what no route should ever see.
void parse_target(std::string_view target, RequestContext& ctx) {
  auto parsed = boost::urls::parse_origin_form(target);
  if (!parsed) throw bad_target("The request target is not a valid path.");
  std::string path;
  for (auto seg : parsed->segments()) {
    const std::string& s = seg;
    if (s == "." || s == "..") throw bad_target("Dot segments are not allowed in paths.");
    if (s.find('\0') != std::string::npos || s.find('/') != std::string::npos)
      throw bad_target("The path contains a forbidden character.");
    path += '/';
    path += s;
  }
  if (path.empty() || parsed->encoded_path().ends_with("/")) path += '/';
  if (!is_valid_utf8(path) || has_any_control_chars(path))
    throw bad_target("The path is not valid UTF-8 text on one line.");
  ctx.path = std::move(path);
  for (auto p : parsed->params()) {
    std::string key(p.key), value(p.value);
    if (!is_valid_utf8(key) || !is_valid_utf8(value) || has_any_control_chars(key) || has_any_control_chars(value))
      throw Error(ErrorKind::bad_request, "invalid_query", "The query string is not valid UTF-8 text on one line.");
    ctx.query.emplace(std::move(key), std::move(value));
  }
}

}  // namespace

Pipeline::Pipeline(const Router& router, Metrics& metrics, PipelineOptions options)
    : router_(router),
      metrics_(metrics),
      options_(std::move(options)),
      pool_(static_cast<size_t>(std::max(1, options_.blocking_threads))) {
  std::vector<std::string> labels;
  for (const auto& r : router_.routes()) labels.push_back(std::string(http::to_string(r.method)) + " " + r.pattern);
  metrics_.set_routes(std::move(labels));
}

Pipeline::~Pipeline() {
  shutdown_pool();
}

void Pipeline::shutdown_pool() {
  pool_.stop();
  pool_.join();
}

Response Pipeline::error_response(const Error& e, bool api, const Principal& who) const {
  Response r = (api || !html_errors_) ? json_error(e) : html_errors_(e, who);
  r.status = status_for(e.kind());
  if (e.retry_after() > 0) r.headers.set(http::field::retry_after, std::to_string(e.retry_after()));
  r.headers.set(http::field::cache_control, "no-store");
  // A node shedding load (stream caps, store down) keeps no idle socket for the client to hold.
  r.close = e.kind() == ErrorKind::unavailable;
  return r;
}

void Pipeline::finish(Response& r, bool head) const {
  auto& h = r.headers;
  // Nothing is framed, except by this site what a handler marks SAMEORIGIN (the desk's preview), and by an
  // allowed site its embedded conversation (frame_ancestor).
  bool same_origin_frame = h["X-Frame-Options"] == "SAMEORIGIN";
  if (h.find("Content-Security-Policy") == h.end()) {
    std::string csp = options_.content_security_policy;
    constexpr std::string_view kNone = "frame-ancestors 'none'";
    if (auto at = csp.find(kNone); at != std::string::npos && !r.frame_ancestor.empty())
      csp.replace(at, kNone.size(), "frame-ancestors " + r.frame_ancestor);
    else if (same_origin_frame && at != std::string::npos)
      csp.replace(at, kNone.size(), "frame-ancestors 'self'");
    h.set("Content-Security-Policy", csp);
  }
  h.set("X-Content-Type-Options", "nosniff");
  h.set("Referrer-Policy", "strict-origin-when-cross-origin");
  if (r.frame_ancestor.empty())
    h.set("X-Frame-Options", same_origin_frame ? "SAMEORIGIN" : "DENY");
  else
    h.erase("X-Frame-Options");  // frame-ancestors says who; X-Frame-Options cannot name another site
  h.set("Cross-Origin-Opener-Policy", "same-origin");
  h.set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()");
  if (head) {
    r.headers.set(http::field::content_length, std::to_string(r.payload().size()));
    r.body.clear();
    r.shared_body.reset();
    r.body_file.reset();
  }
}

namespace {

bool state_changing(http::verb v) {
  return v == http::verb::post || v == http::verb::put || v == http::verb::patch || v == http::verb::delete_;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && !a.empty() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

namespace {

// The path of the page a request came from, when its Referer is on this site (scheme://Host/...).
std::optional<std::string_view> same_site_referer(const Request& req) {
  std::string_view referer = req[http::field::referer];
  std::string_view host = req[http::field::host];
  if (host.empty()) return std::nullopt;
  for (std::string_view scheme : {"http://", "https://"})
    if (referer.starts_with(scheme) && referer.substr(scheme.size()).starts_with(host) &&
        referer.substr(scheme.size() + host.size()).starts_with("/"))
      return referer.substr(scheme.size() + host.size());
  return std::nullopt;
}

// Where sign-in returns to: the page itself for a GET; for a form post, the same-site page the form was on,
// else the front page.
std::string return_target(const Request& req) {
  if (req.method() == http::verb::get || req.method() == http::verb::head) return std::string(req.target());
  return std::string(same_site_referer(req).value_or("/"));
}

}  // namespace

namespace {

// A value fit to stand in a frame-ancestors directive: an http(s) origin and nothing else.
bool plain_origin(std::string_view v) {
  if (!v.starts_with("https://") && !v.starts_with("http://")) return false;
  if (v.size() > 300) return false;
  for (char c : v.substr(v.find("://") + 3))
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == ':' || c == '[' || c == ']'))
      return false;
  return true;
}

// The pages a reader may open inside an embed's frame: joining, signing in, a thread, a reply or report form, a
// profile, their notifications. Staff pages, the desk and the reader's account never: a site that embeds could
// otherwise frame them (clickjacking) in its own iframe.
bool frameable_in_embed(std::string_view path) {
  for (std::string_view exact :
       {"/embed", "/signin", "/register", "/forgot", "/reset", "/comment", "/notifications", "/following"})
    if (path == exact) return true;
  return path.starts_with("/comments/") || path.starts_with("/readers/");
}

}  // namespace

void Pipeline::embedded(const Request& request, std::string_view path, Response& r) const {
  // Inside an embed's frame (a navigation there, or the frame's scripts, which say so): every cookie is
  // partitioned, or the browser would refuse it as a third-party cookie, and the session one has its own name.
  bool in_frame = request["Sec-Fetch-Dest"] == "iframe";
  if (in_frame || request["X-Tribune-Embed"] == "1") {
    std::vector<std::string> cookies;
    for (const auto& f : r.headers)
      if (f.name() == http::field::set_cookie) cookies.emplace_back(f.value());
    if (!cookies.empty()) {
      r.headers.erase(http::field::set_cookie);
      for (auto& c : cookies) {
        if (c.starts_with(options_.session_cookie + "="))
          c = options_.embed_session_cookie + c.substr(options_.session_cookie.size());
        r.headers.insert(http::field::set_cookie, partitioned_cookie(c));
      }
    }
  }
  // A reader's page opened in that frame may be framed by the site that embeds it: the embed page set the
  // cookie (partitioned, so it comes only from inside that site's pages) for an allowed site, and the site is
  // asked about again now. A page this site frames itself (SAMEORIGIN) stays so.
  if (in_frame && r.frame_ancestor.empty() && frameable_in_embed(path) && r.headers["X-Frame-Options"] != "SAMEORIGIN")
    if (auto origin = cookie_value(request[http::field::cookie], options_.embed_cookie);
        origin && plain_origin(*origin) && embed_allowed_ && embed_allowed_(*origin))
      r.frame_ancestor = std::string(*origin);
}

void Pipeline::check_csrf(const RequestContext& ctx) const {
  const auto& req = ctx.request;
  if (!state_changing(req.method())) return;
  Error refused(ErrorKind::csrf_failed, "csrf_failed", "This request did not come from a page of this site.");
  auto origin = req[http::field::origin];
  if (!origin.empty()) {
    auto host = req[http::field::host];
    bool ok = origin == "http://" + std::string(host) || origin == "https://" + std::string(host);
    for (const auto& allowed : options_.allowed_origins) ok = ok || origin == allowed;
    if (!ok) throw refused;
  }
  if (ctx.principal.kind == Principal::Kind::token) return;
  std::string_view expected = ctx.principal.csrf_token;
  if (ctx.principal.kind == Principal::Kind::anonymous) {
    // Login CSRF: another site's page could sign a visitor in to the attacker's account. Only a POST without
    // a JSON body can come from another site's form without a CORS preflight; a same-site Origin or Referer
    // vouches for it, else the form carries the pre-session token of the page it was on.
    if (req.method() != http::verb::post ||
        to_lower_ascii(req[http::field::content_type]).starts_with("application/json") || !origin.empty() ||
        same_site_referer(req))
      return;
    auto cookie = cookie_value(req[http::field::cookie], options_.presession_cookie);
    if (!cookie) throw refused;
    expected = *cookie;
  }
  std::string_view sent = req["X-CSRF-Token"];
  std::string from_form;
  if (sent.empty() && req[http::field::content_type].starts_with("application/x-www-form-urlencoded")) {
    from_form = form_value(req.body(), "csrf_token").value_or("");
    sent = from_form;
  } else if (sent.empty() && to_lower_ascii(req[http::field::content_type]).starts_with("multipart/form-data")) {
    for (const auto& part : parse_multipart(req.body(), req[http::field::content_type]))
      if (part.name == "csrf_token" && !part.filename) {
        from_form = std::string(part.data);
        break;
      }
    sent = from_form;
  }
  if (!constant_time_equal(sent, expected)) throw refused;
}

std::string Pipeline::presession_token(RequestContext& ctx) const {
  auto cookie = cookie_value(ctx.request[http::field::cookie], options_.presession_cookie);
  if (cookie && cookie->size() == 43 && base64url_decode(*cookie)) {
    ctx.principal.csrf_token = std::string(*cookie);
    return {};
  }
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  ctx.principal.csrf_token = base64url_encode(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
  return ctx.principal.csrf_token;
}

Response Pipeline::run_handler(const Route& route, RequestContext& ctx) const {
  Response r;
  try {
    if (authenticate_ && route.access.who != Access::Who::own) ctx.principal = authenticate_(ctx.request);
    if (auto refused = check_access(route, ctx)) return std::move(*refused);
    check_csrf(ctx);
    // Before a session, a page's forms carry the pre-session token; a page that shows a new one sets its cookie.
    std::string issued;
    if (ctx.principal.kind == Principal::Kind::anonymous && !route.api) issued = presession_token(ctx);
    r = scope_.around ? scope_.around(ctx, [&] { return route.handler(ctx); }) : route.handler(ctx);
    if (!issued.empty() && r.headers[http::field::content_type].starts_with("text/html") &&
        r.payload().find(issued) != std::string_view::npos)
      r.headers.insert(http::field::set_cookie,
                       set_cookie(options_.presession_cookie, issued,
                                  {.secure = options_.secure_cookies, .http_only = true, .max_age = 12L * 3600}));
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::internal) spdlog::error("{} {}: {}", ctx.request.method_string(), ctx.path, e.what());
    r = error_response(e, route.api, ctx.principal);
  } catch (const std::exception& e) {
    spdlog::error("{} {}: unexpected {}", ctx.request.method_string(), ctx.path, e.what());
    return error_response(Error(ErrorKind::internal, "internal_error", "Something went wrong on our side."), route.api);
  }
  // A cookie that names no live session is cleared, whatever the answer (a 401 included), unless the answer
  // sets a new session.
  auto sets_session = [&] {
    for (const auto& f : r.headers)
      if (f.name() == http::field::set_cookie && f.value().starts_with(options_.session_cookie + "=")) return true;
    return false;
  };
  if (ctx.principal.stale_session_cookie && !sets_session())
    r.headers.insert(http::field::set_cookie,
                     set_cookie(options_.session_cookie, "", {.secure = options_.secure_cookies, .max_age = 0}));
  return r;
}

std::optional<Response> Pipeline::check_access(const Route& route, const RequestContext& ctx) const {
  const auto& access = route.access;
  const auto& who = ctx.principal;
  if (access.who == Access::Who::anyone || access.who == Access::Who::own) return std::nullopt;
  bool may_be_token = access.who == Access::Who::roles && route.api;
  bool known = who.kind == Principal::Kind::session || (may_be_token && who.kind == Principal::Kind::token);
  if (!known) {
    if (!route.api && who.kind != Principal::Kind::session) {
      boost::urls::url u("/signin");
      u.params().append({"return_to", return_target(ctx.request)});
      return Response::redirect(http::status::see_other, u.buffer());
    }
    throw Error(
        ErrorKind::unauthenticated, "unauthenticated",
        who.kind == Principal::Kind::token ? "This needs a signed-in reader, not an API token." : "Sign in first.");
  }
  if (access.who == Access::Who::session) return std::nullopt;
  if (std::find(access.roles.begin(), access.roles.end(), who.role) != access.roles.end()) return std::nullopt;
  throw Error(ErrorKind::forbidden, "forbidden", "Your role does not allow this.");
}

std::string client_address(const std::string& peer, std::string_view forwarded_for,
                           const std::vector<std::string>& trusted) {
  auto is_trusted = [&](std::string_view a) { return std::find(trusted.begin(), trusted.end(), a) != trusted.end(); };
  if (!is_trusted(peer) || forwarded_for.empty()) return peer;
  // Right to left: each trusted proxy appended the address it received the request from.
  std::string client = peer;
  while (!forwarded_for.empty()) {
    auto comma = forwarded_for.rfind(',');
    std::string_view hop = comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1);
    forwarded_for = comma == std::string_view::npos ? std::string_view() : forwarded_for.substr(0, comma);
    while (!hop.empty() && hop.front() == ' ') hop.remove_prefix(1);
    while (!hop.empty() && hop.back() == ' ') hop.remove_suffix(1);
    if (hop.empty() || hop.size() > 45 || hop.find_first_not_of("0123456789abcdefABCDEF.:") != std::string_view::npos)
      return client;  // not an address: stop at the last one known good
    client = std::string(hop);
    if (!is_trusted(hop)) return client;
  }
  return client;
}

asio::awaitable<Response> Pipeline::handle(Request& request, std::string client_ip) {
  auto started = std::chrono::steady_clock::now();
  // A proxy's id is taken only from a proxy: anyone else could fill every log with one id.
  std::string request_id;
  if (auto given = request["X-Request-Id"];
      !given.empty() && valid_request_id(given) &&
      std::ranges::find(options_.trusted_proxies, client_ip) != options_.trusted_proxies.end())
    request_id = std::string(given);
  else
    request_id = make_request_id();
  if (!options_.trusted_proxies.empty())
    client_ip = client_address(client_ip, request["X-Forwarded-For"], options_.trusted_proxies);
  bool head = request.method() == http::verb::head;
  RequestContext ctx{request, {}, {}, {}, std::move(client_ip), {}};
  bool api = request.target().starts_with("/api/");
  Response response;
  const Route* route = nullptr;
  try {
    parse_target(request.target(), ctx);
    api = ctx.path.starts_with("/api/");
    auto m = router_.match(request.method(), ctx.path);
    if (!m.route && !m.allow.empty()) {
      Error e(ErrorKind::method_not_allowed, "method_not_allowed",
              "This resource does not accept " + std::string(request.method_string()) + ".");
      response = error_response(e, api);
      response.headers.set(http::field::allow, m.allow);
    } else if (!m.route) {
      response = error_response(Error(ErrorKind::not_found, "not_found", "There is nothing at this address."), api);
    } else {
      route = m.route;
      api = route->api;
      ctx.params = std::move(m.params);
    }
  } catch (const Error& e) {
    response = error_response(e, api);
  }
  if (route) {
    std::optional<Response> fast;
    if (route->fast && !(scope_.skip_fast && scope_.skip_fast(ctx))) {
      try {
        RequestIdScope scope(request_id);  // no co_await inside: the id is this thread's only meanwhile
        fast = route->fast(ctx);
      } catch (const Error& e) {
        fast = error_response(e, api);
      }
    }
    if (fast)
      response = std::move(*fast);
    else
      response = co_await on_pool(pool_, [this, route, &ctx, &request_id] {
        RequestIdScope scope(request_id);
        return run_handler(*route, ctx);
      });
  }
  embedded(request, ctx.path, response);
  finish(response, head);
  response.headers.set("X-Request-Id", request_id);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  int route_index = route ? static_cast<int>(route - router_.routes().data()) : -1;
  metrics_.record_request(static_cast<int>(response.status), seconds, route_index);
  if (observer_ && route) observer_(*route, ctx, response);
  if (options_.access_log != AccessLogFormat::off && access_sink_) {
    AccessEntry e;
    e.method = request.method_string();
    e.route = route ? std::string_view(route->pattern) : std::string_view("unmatched");
    e.status = static_cast<int>(response.status);
    e.bytes = head ? 0 : response.payload().size();
    e.seconds = seconds;
    e.request_id = request_id;
    e.node = options_.node;
    e.unix_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    access_sink_(format_access(e, options_.access_log));
  }
  co_return response;
}

}  // namespace tribune

// What happens to every request between the socket and a handler, in order:
//   1. the target is parsed and checked (decoded path must be valid UTF-8, no NUL, no dot segments);
//   2. the route is found (404, or 405 with Allow);
//   3. the principal is established (bearer token);
//   4. the fast handler runs inline; otherwise the handler runs on the blocking pool;
//   5. errors become responses (JSON under /api/, HTML pages elsewhere), in one place;
//   6. security headers are added, metrics recorded, HEAD bodies dropped;
//   7. the request id (a trusted proxy's X-Request-Id, or a new one) is echoed and the access line written.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <functional>
#include <optional>

#include "http/access_log.h"
#include "http/error_mapping.h"
#include "http/metrics.h"
#include "http/router.h"

namespace tribune {

struct PipelineOptions {
  std::string content_security_policy =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
      "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
  int blocking_threads = 32;
  // Origins allowed on state-changing requests besides the request's own (scheme://Host).
  std::vector<std::string> allowed_origins;
  std::string session_cookie = "tribune_session";
  // Double-submit token for forms posted before there is a session (sign in, register, contribute): the
  // cookie a page sets, and the csrf_token field its forms carry.
  std::string presession_cookie = "tribune_pre";
  // Set (partitioned) by the embed page in its frame: the origin that frames it. Other pages opened in that
  // frame (a reply form without JavaScript, the sign-in page) may then be framed by that origin too.
  std::string embed_cookie = "tribune_embed";
  // The session cookie as an embed's frame has it (SessionCookie::embed_name): set there under this name.
  std::string embed_session_cookie = "tribune_embed_session";
  bool secure_cookies = false;
  // Load balancers whose X-Forwarded-For is believed: a request from one of these addresses is from the
  // right-most address in that header that is not itself a trusted proxy. Empty: the peer is the client.
  std::vector<std::string> trusted_proxies;
  // One line per request (http/access_log.h), handed to the access sink; off: none is made.
  AccessLogFormat access_log = AccessLogFormat::off;
  std::string node;  // names this node in access lines
};

// The client's address as the options see it (exposed for tests).
std::string client_address(const std::string& peer, std::string_view forwarded_for,
                           const std::vector<std::string>& trusted);

class Pipeline {
 public:
  using Authenticator = std::function<Principal(const Request&)>;  // may throw Error(unauthenticated)

  Pipeline(const Router& router, Metrics& metrics, PipelineOptions options);
  ~Pipeline();

  // Per-request state around the handler, installed by the application (e.g. read-your-writes positions):
  // `skip_fast(ctx)` true sends the request past the fast path (caches) to its handler; `around(ctx, run)`
  // runs on the handler's thread, calls run() once, and may amend the response.
  struct RequestScope {
    std::function<bool(const RequestContext&)> skip_fast;
    std::function<Response(RequestContext&, const std::function<Response()>&)> around;
  };
  void set_request_scope(RequestScope scope) { scope_ = std::move(scope); }
  void set_html_errors(HtmlErrorRenderer renderer) { html_errors_ = std::move(renderer); }
  void set_authenticator(Authenticator a) { authenticate_ = std::move(a); }
  // Where access lines go (options.access_log not off); called from the connection's thread: must not block
  // for long.
  void set_access_sink(std::function<void(std::string&&)> sink) { access_sink_ = std::move(sink); }
  // Whether a site may still embed (EmbedService): asked before a page is framed on the word of the embed
  // cookie. Called on the connection's thread: must answer from memory almost always.
  void set_embed_check(std::function<bool(std::string_view origin)> check) { embed_allowed_ = std::move(check); }
  // Told of every routed request once its response is made, on the connection's thread: must not block (the
  // page-view counter, domain/analytics.h).
  using Observer = std::function<void(const Route& route, const RequestContext& ctx, const Response& response)>;
  void set_observer(Observer observer) { observer_ = std::move(observer); }

  // Produces the response for one request. Runs on the connection's executor; blocking work hops to the pool
  // and back.
  boost::asio::awaitable<Response> handle(Request& request, std::string client_ip);

  // Applies the mapping of step 5; public for the transport's own errors (413, 431, 400).
  Response error_response(const Error& e, bool api, const Principal& who = {}) const;
  void finish(Response& r, bool head) const;
  // A request from inside an embedded conversation's frame: partitioned cookies, and framing by the embedding
  // site (docs/embed.md).
  void embedded(const Request& request, std::string_view path, Response& r) const;

  Metrics& metrics() { return metrics_; }
  void shutdown_pool();

 private:
  Response run_handler(const Route& route, RequestContext& ctx) const;
  std::function<bool(std::string_view)> embed_allowed_;
  // The route's Access for the authenticated principal: nullopt to go on, a redirect to sign in (pages), or
  // throws Error(unauthenticated / forbidden).
  std::optional<Response> check_access(const Route& route, const RequestContext& ctx) const;
  // Sets ctx.principal.csrf_token to the visitor's pre-session token; returns it when it is new (no valid
  // cookie yet), else empty.
  std::string presession_token(RequestContext& ctx) const;
  // Origin check on every state-changing request; X-CSRF-Token (or a csrf_token form field) on those
  // authenticated by the session cookie; on anonymous form posts (anything but JSON, which a cross-site page
  // cannot send without CORS), the pre-session token, a same-site Origin or a same-site Referer.
  // Throws Error(csrf_failed).
  void check_csrf(const RequestContext& ctx) const;

  const Router& router_;
  Metrics& metrics_;
  PipelineOptions options_;
  HtmlErrorRenderer html_errors_;
  Authenticator authenticate_;
  RequestScope scope_;
  std::function<void(std::string&&)> access_sink_;
  Observer observer_;
  boost::asio::thread_pool pool_;
};

}  // namespace tribune

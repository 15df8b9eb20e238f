// Request and response types shared by the HTTP layer and the handlers above it.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "http/body_file.h"
#include "model/account.h"
#include "util/text.h"

namespace tribune {

namespace http = boost::beast::http;

struct Account;  // domain/account.h
using Request = http::request<http::string_body>;

// Takes over the connection after the response head and body are written (Server-Sent Events). The body is
// then delimited by closing the connection.
using StreamBody = std::function<boost::asio::awaitable<void>(boost::beast::tcp_stream&)>;

struct Response {
  http::status status = http::status::ok;
  http::fields headers;
  std::string body;
  // When set, served instead of body without copying (cached pages shared by every request).
  std::shared_ptr<const std::string> shared_body;
  // shared_body in a memory file, sent with sendfile(2) (http/body_file.h); ignored unless it holds
  // shared_body.
  std::shared_ptr<const BodyFile> body_file;
  StreamBody stream;
  // Close the connection after this response (a server shedding load does not keep the client's socket).
  bool close = false;
  // An origin that may frame this response (an embedded conversation, docs/embed.md); empty: none but this
  // site itself where a handler says so (X-Frame-Options: SAMEORIGIN), else nobody.
  std::string frame_ancestor;

  std::string_view payload() const { return shared_body ? std::string_view(*shared_body) : std::string_view(body); }

  static Response text(http::status s, std::string body, std::string_view content_type = "text/plain; charset=utf-8");
  static Response json(http::status s, std::string body);
  static Response redirect(http::status s, std::string_view location);
};

// Who is making the request, as established by the authentication middleware.
struct Principal {
  enum class Kind { anonymous, token, session } kind = Kind::anonymous;
  Role role = Role::reader;
  std::string name;           // token name or the reader's display name
  int64_t account_id = 0;     // session only
  int64_t session_id = 0;     // session only
  std::string session_token;  // session only: the cookie's secret
  std::string csrf_token;     // session only
  bool supporter = false;     // session only: the reader has contributed (the appeal thanks them)
  // Session only: the account as read with the session, for this request (saves reading it again).
  std::shared_ptr<const Account> account;
  bool stale_session_cookie = false;  // a cookie was sent but names no live session: clear it
  // Session only: when the session was about to be read from the store (web/reader_slots.h keeps a reader's
  // state only if nothing dropped it since).
  std::chrono::steady_clock::time_point read_at{};

  bool signed_in() const { return kind == Kind::session; }
  // The person acting, for the audit log: the signed-in account; nobody for a token or no one.
  std::optional<int64_t> actor() const { return signed_in() ? std::optional<int64_t>(account_id) : std::nullopt; }
};

// What a handler sees: the request, its decoded path parameters and query, the client address.
struct RequestContext {
  const Request& request;
  std::string path;                                        // decoded path, without query
  std::map<std::string, std::string, std::less<>> params;  // from {name} segments of the route
  std::map<std::string, std::string, std::less<>> query;   // decoded; first value wins
  std::string client_ip;
  Principal principal;

  std::optional<std::string_view> query_value(std::string_view key) const {
    auto it = query.find(key);
    if (it == query.end()) return std::nullopt;
    return std::string_view(it->second);
  }
  const std::string& param(std::string_view key) const { return params.find(key)->second; }
  // The path parameter as a positive integer id; nullopt when it is not one.
  std::optional<int64_t> id_param(std::string_view key) const { return parse_positive_id(param(key)); }
  std::string_view header(http::field f) const { return request[f]; }
};

}  // namespace tribune

// The one way out to other servers: libcurl, set up once. HTTP POSTs (Stripe's API, the external moderation
// rule) and SMTP submissions (the mail outbox) go through here, with the same rules: no signals, bounded
// time, only the protocols the caller names, an answer of bounded size, and the transport's failure as text.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace tribune::curl_client {

struct Post {
  std::string url;                   // http:// or https:// only
  std::string method = "POST";       // or DELETE (with the same form body, usually empty), or GET (no body)
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
  std::chrono::milliseconds timeout{10000};  // the whole exchange
  std::chrono::milliseconds connect_timeout{10000};
  size_t max_answer = 1 << 20;  // a longer answer aborts the transfer (an error)
  // Refuses to connect to a loopback, private, link-local or otherwise inside address, judged on each address
  // before connecting (after DNS, so a public name that resolves inside reaches nothing); ignores proxies.
  bool public_only = false;
};

struct Answer {
  std::string error;  // empty when the exchange happened (whatever its status); else why it did not
  long status = 0;
  std::string body;
  bool ok() const { return error.empty(); }
};

Answer post(const Post& request);

struct UrlParts {
  std::string scheme;  // lower case
  std::string host;    // without brackets for IPv6
  bool has_credentials = false;
};
// A URL as libcurl reads it; nullopt when it cannot.
std::optional<UrlParts> parse_url(const std::string& url);
// Whether a numeric IPv4 or IPv6 address is one on the public internet (not loopback, private, link-local,
// shared, multicast, reserved or unspecified). Text that is no address is not public.
bool is_public_address(const std::string& ip);

struct Mail {
  std::string url;       // smtp:// or smtps://
  std::string from;      // envelope sender, "<addr>"
  std::string to;        // envelope recipient, "<addr>"
  std::string message;   // the whole message, headers and body, CRLF line ends
  std::string username;  // empty: no authentication
  std::string password;
  std::chrono::seconds timeout{30};
  std::chrono::seconds connect_timeout{10};
};

// Submits one message (STARTTLS when the server offers it). Returns "" on success, else why it failed.
std::string send_mail(const Mail& mail);
// Connects, greets, authenticates when a username is set, and says NOOP: whether mail could go out, with no
// message sent. Returns "" when the server took all of it, else why not. mail.from, to and message are unused.
std::string check_mail_server(const Mail& mail);

}  // namespace tribune::curl_client

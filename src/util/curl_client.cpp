#include "util/curl_client.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>

namespace tribune::curl_client {

namespace {

using Easy = std::unique_ptr<CURL, decltype(&curl_easy_cleanup)>;
using Slist = std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)>;

// curl_global_init is not thread-safe: the first caller runs it, once.
Easy easy_handle() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  return Easy(curl_easy_init(), &curl_easy_cleanup);
}

struct Collector {
  std::string* out;
  size_t limit;
};

size_t collect(char* data, size_t size, size_t n, void* user) {
  auto* c = static_cast<Collector*>(user);
  if (c->out->size() + size * n > c->limit) return 0;  // aborts the transfer: CURLE_WRITE_ERROR
  c->out->append(data, size * n);
  return size * n;
}

std::string failure(CURLcode rc, const char* errbuf) {
  return errbuf[0] ? errbuf : curl_easy_strerror(rc);
}

}  // namespace

Answer post(const Post& request) {
  Answer answer;
  Easy curl = easy_handle();
  if (!curl) {
    answer.error = "no HTTP client";
    return answer;
  }
  Slist headers(nullptr, &curl_slist_free_all);
  for (const auto& h : request.headers) headers.reset(curl_slist_append(headers.release(), h.c_str()));
  // No "Expect: 100-continue" round trip before the body.
  headers.reset(curl_slist_append(headers.release(), "Expect:"));
  char errbuf[CURL_ERROR_SIZE] = {0};
  Collector collector{&answer.body, request.max_answer};
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  if (request.method == "GET") {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(request.body.size()));
    if (request.method != "POST") curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  bool refused = false;
  if (request.public_only) {
    // Judged on each address before connecting to it (after DNS, so a public name resolving inside reaches
    // nothing), and never through a proxy from the environment, whose address is not the endpoint's.
    auto open = +[](void* refused_flag, curlsocktype, curl_sockaddr* a) -> curl_socket_t {
      char text[INET6_ADDRSTRLEN] = {0};
      const void* where = nullptr;
      if (a->family == AF_INET) where = &reinterpret_cast<const sockaddr_in*>(&a->addr)->sin_addr;
      if (a->family == AF_INET6) where = &reinterpret_cast<const sockaddr_in6*>(&a->addr)->sin6_addr;
      if (!where || !inet_ntop(a->family, where, text, sizeof text) || !is_public_address(text)) {
        *static_cast<bool*>(refused_flag) = true;
        return CURL_SOCKET_BAD;
      }
      return socket(a->family, a->socktype, a->protocol);
    };
    curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open);
    curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &refused);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
  }
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &collector);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  if (CURLcode rc = curl_easy_perform(c); rc != CURLE_OK) {
    answer.error = refused ? "the address is not a public one" : failure(rc, errbuf);
    answer.body.clear();
    return answer;
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &answer.status);
  return answer;
}

std::optional<UrlParts> parse_url(const std::string& url) {
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> u(curl_url(), &curl_url_cleanup);
  if (!u || curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) return std::nullopt;
  auto part = [&](CURLUPart which) -> std::optional<std::string> {
    char* value = nullptr;
    if (curl_url_get(u.get(), which, &value, 0) != CURLUE_OK || !value) return std::nullopt;
    std::string out(value);
    curl_free(value);
    return out;
  };
  auto scheme = part(CURLUPART_SCHEME);
  auto host = part(CURLUPART_HOST);
  if (!scheme || !host || host->empty()) return std::nullopt;
  UrlParts p{*scheme, *host, part(CURLUPART_USER).has_value() || part(CURLUPART_PASSWORD).has_value()};
  if (p.host.size() > 2 && p.host.front() == '[' && p.host.back() == ']') p.host = p.host.substr(1, p.host.size() - 2);
  return p;
}

bool is_public_address(const std::string& ip) {
  unsigned char a[16];
  if (inet_pton(AF_INET, ip.c_str(), a) == 1) {
    auto in = [&](unsigned first, unsigned second_low, unsigned second_high) {
      return a[0] == first && a[1] >= second_low && a[1] <= second_high;
    };
    return !(a[0] == 0 || a[0] == 10 || a[0] == 127 || a[0] >= 224 || in(100, 64, 127) || in(169, 254, 254) ||
             in(172, 16, 31) || in(192, 168, 168) || in(198, 18, 19) || (a[0] == 192 && a[1] == 0 && a[2] == 0));
  }
  if (inet_pton(AF_INET6, ip.c_str(), a) != 1) return false;
  // Addresses that carry an IPv4 one are as public as it is: mapped (::ffff:0:0/96), compatible (::/96, with
  // :: and ::1), NAT64 (64:ff9b::/96) and 6to4 (2002::/16).
  auto v4_public = [](const unsigned char* v4) {
    char text[INET_ADDRSTRLEN];
    return inet_ntop(AF_INET, v4, text, sizeof text) && is_public_address(text);
  };
  static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  static constexpr unsigned char kCompatible[12] = {0};
  static constexpr unsigned char kNat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  if (std::memcmp(a, kMapped, 12) == 0 || std::memcmp(a, kCompatible, 12) == 0 || std::memcmp(a, kNat64, 12) == 0)
    return v4_public(a + 12);
  if (a[0] == 0x20 && a[1] == 0x02) return v4_public(a + 2);
  if (a[0] == 0 && a[1] == 0x64 && a[2] == 0xff && a[3] == 0x9b) return false;  // 64:ff9b:1::/48, local NAT64
  if ((a[0] & 0xfe) == 0xfc) return false;                                      // fc00::/7, unique local
  if (a[0] == 0xfe && (a[1] & 0x80) == 0x80) return false;  // fe80::/10 link-local, fec0::/10 site-local
  if (a[0] == 0xff) return false;                           // multicast
  return true;
}

namespace {

// What every SMTP exchange sets: the server, its protocols, bounded time, TLS when offered, the credentials.
// errbuf (CURL_ERROR_SIZE) receives libcurl's words for a failure.
void smtp_setup(CURL* c, const Mail& mail, char* errbuf) {
  curl_easy_setopt(c, CURLOPT_URL, mail.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(mail.timeout.count()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(mail.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_TRY));
  if (!mail.username.empty()) {
    curl_easy_setopt(c, CURLOPT_USERNAME, mail.username.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, mail.password.c_str());
  }
}

}  // namespace

std::string check_mail_server(const Mail& mail) {
  Easy curl = easy_handle();
  if (!curl) return "libcurl could not start";
  char errbuf[CURL_ERROR_SIZE] = {0};
  CURL* c = curl.get();
  smtp_setup(c, mail, errbuf);
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "NOOP");
  auto discard = +[](char*, size_t size, size_t n, void*) -> size_t { return size * n; };
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
  if (CURLcode rc = curl_easy_perform(c); rc != CURLE_OK) return failure(rc, errbuf);
  return "";
}

std::string send_mail(const Mail& mail) {
  Easy curl = easy_handle();
  if (!curl) return "libcurl could not start";
  Slist rcpt(curl_slist_append(nullptr, mail.to.c_str()), &curl_slist_free_all);
  struct Reader {
    const std::string* payload;
    size_t offset = 0;
  } reader{&mail.message};
  auto read = +[](char* buffer, size_t size, size_t nitems, void* user) -> size_t {
    auto* r = static_cast<Reader*>(user);
    size_t n = std::min(r->payload->size() - r->offset, size * nitems);
    std::memcpy(buffer, r->payload->data() + r->offset, n);  // NOLINT(bugprone-not-null-terminated-result): bytes
    r->offset += n;
    return n;
  };
  char errbuf[CURL_ERROR_SIZE] = {0};
  CURL* c = curl.get();
  smtp_setup(c, mail, errbuf);
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, mail.from.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt.get());
  curl_easy_setopt(c, CURLOPT_READFUNCTION, read);
  curl_easy_setopt(c, CURLOPT_READDATA, &reader);
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  if (CURLcode rc = curl_easy_perform(c); rc != CURLE_OK) return failure(rc, errbuf);
  return "";
}

}  // namespace tribune::curl_client

#include "mail/smtp_sender.h"

#include <curl/curl.h>

#include <memory>
#include <mutex>

#include "model/error.h"

namespace tribune {

namespace {

void curl_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// Address part of "Name <addr>" (or the whole string).
std::string address_of(const std::string& s) {
  auto lt = s.find('<');
  auto gt = s.find('>', lt == std::string::npos ? 0 : lt);
  if (lt != std::string::npos && gt != std::string::npos) return s.substr(lt + 1, gt - lt - 1);
  return s;
}

// RFC 2047 encoded word when the header holds anything but printable ASCII.
std::string encode_header(const std::string& value) {
  bool ascii = true;
  for (unsigned char c : value) ascii = ascii && c >= 0x20 && c < 0x7f;
  if (ascii) return value;
  return "=?UTF-8?B?" + [&] {
    static constexpr char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    size_t i = 0;
    auto b = [&](size_t k) { return static_cast<unsigned char>(value[k]); };
    for (; i + 2 < value.size(); i += 3) {
      uint32_t v = (b(i) << 16) | (b(i + 1) << 8) | b(i + 2);
      out += tbl[(v >> 18) & 63]; out += tbl[(v >> 12) & 63]; out += tbl[(v >> 6) & 63]; out += tbl[v & 63];
    }
    if (i + 1 == value.size()) {
      uint32_t v = b(i) << 16;
      out += tbl[(v >> 18) & 63]; out += tbl[(v >> 12) & 63]; out += "==";
    } else if (i + 2 == value.size()) {
      uint32_t v = (b(i) << 16) | (b(i + 1) << 8);
      out += tbl[(v >> 18) & 63]; out += tbl[(v >> 12) & 63]; out += tbl[(v >> 6) & 63]; out += '=';
    }
    return out;
  }() + "?=";
}

std::string strip_newlines(std::string s) {
  for (char& c : s)
    if (c == '\r' || c == '\n') c = ' ';
  return s;
}

}  // namespace

std::string compose_message(const std::string& from, const OutboxMail& mail, const std::string& message_id,
                            TimePoint date) {
  std::string body;
  // Normalise line ends to CRLF. libcurl dot-stuffs lines starting with "." itself (RFC 5321 4.5.2).
  std::string line;
  for (size_t i = 0; i <= mail.body_text.size(); ++i) {
    char c = i < mail.body_text.size() ? mail.body_text[i] : '\n';
    if (c == '\r') continue;
    if (c == '\n') {
      body += line + "\r\n";
      line.clear();
    } else {
      line += c;
    }
  }
  return "Date: " + format_rfc822(date) + "\r\nFrom: " + strip_newlines(from) + "\r\nTo: " + strip_newlines(mail.to) +
         "\r\nSubject: " + encode_header(strip_newlines(mail.subject)) + "\r\nMessage-ID: <" + message_id +
         ">\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" +
         body;
}

SmtpSender::SmtpSender(SmtpSettings settings) : settings_(std::move(settings)) { curl_init_once(); }

void SmtpSender::send(const OutboxMail& mail, const std::string& message_id) const {
  std::string payload = compose_message(settings_.from, mail, message_id, now_seconds());
  size_t offset = 0;
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
  if (!curl) throw Error(ErrorKind::unavailable, "smtp_failed", "libcurl could not start");
  std::string from = "<" + address_of(settings_.from) + ">";
  std::string to = "<" + address_of(mail.to) + ">";
  curl_slist* rcpt = curl_slist_append(nullptr, to.c_str());
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> rcpt_guard(rcpt, &curl_slist_free_all);
  char errbuf[CURL_ERROR_SIZE] = {0};
  auto read = +[](char* buffer, size_t size, size_t nitems, void* user) -> size_t {
    auto* ctx = static_cast<std::pair<const std::string*, size_t*>*>(user);
    size_t left = ctx->first->size() - *ctx->second;
    size_t n = std::min(left, size * nitems);
    std::memcpy(buffer, ctx->first->data() + *ctx->second, n);
    *ctx->second += n;
    return n;
  };
  std::pair<const std::string*, size_t*> ctx{&payload, &offset};
  curl_easy_setopt(curl.get(), CURLOPT_URL, settings_.url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt(curl.get(), CURLOPT_READFUNCTION, read);
  curl_easy_setopt(curl.get(), CURLOPT_READDATA, &ctx);
  curl_easy_setopt(curl.get(), CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, static_cast<long>(settings_.timeout.count()));
  curl_easy_setopt(curl.get(), CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(curl.get(), CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_TRY));
  if (!settings_.username.empty()) {
    curl_easy_setopt(curl.get(), CURLOPT_USERNAME, settings_.username.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_PASSWORD, settings_.password.c_str());
  }
  CURLcode rc = curl_easy_perform(curl.get());
  if (rc != CURLE_OK)
    throw Error(ErrorKind::unavailable, "smtp_failed", std::string(errbuf[0] ? errbuf : curl_easy_strerror(rc)));
}

}  // namespace tribune

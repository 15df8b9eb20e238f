#include "mail/smtp_sender.h"

#include <sodium.h>

#include "model/error.h"
#include "util/curl_client.h"

namespace tribune {

namespace {

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
  std::string b64(sodium_base64_ENCODED_LEN(value.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(b64.data(), b64.size(), reinterpret_cast<const unsigned char*>(value.data()), value.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  b64.pop_back();  // the terminating NUL
  return "=?UTF-8?B?" + b64 + "?=";
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
         ">\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: "
         "8bit\r\n\r\n" +
         body;
}

SmtpSender::SmtpSender(SmtpSettings settings) : settings_(std::move(settings)) {}

void SmtpSender::send(const OutboxMail& mail, const std::string& message_id) const {
  std::string payload = compose_message(settings_.from, mail, message_id, now_seconds());
  curl_client::Mail m;
  m.url = settings_.url;
  m.from = "<" + address_of(settings_.from) + ">";
  m.to = "<" + address_of(mail.to) + ">";
  m.message = std::move(payload);
  m.username = settings_.username;
  m.password = settings_.password;
  m.timeout = settings_.timeout;
  if (std::string error = curl_client::send_mail(m); !error.empty())
    throw Error(ErrorKind::unavailable, "smtp_failed", error);
}

}  // namespace tribune

// The message the outbox hands to SMTP (mail/smtp_sender.h, compose_message): headers that cannot be split,
// a subject that survives non-ASCII, CRLF line ends.
#include <gtest/gtest.h>

#include "mail/smtp_sender.h"

using namespace tribune;

TEST(MailMessage, HeadersAreOneLineAndNonAsciiSubjectsAreEncoded) {
  OutboxMail mail;
  mail.to = "Reader <reader@example.org>\r\nBcc: victim@example.org";
  mail.subject = "Café au lait";
  mail.body_text = "First line\nSecond line\r\n.dot line";
  std::string m = compose_message("Tribune <news@example.org>", mail, "id-1@example.org",
                                  TimePoint(std::chrono::seconds(1246838400)));
  EXPECT_NE(m.find("\r\nSubject: =?UTF-8?B?Q2Fmw6kgYXUgbGFpdA==?=\r\n"), std::string::npos) << m;
  EXPECT_EQ(m.find("\r\nBcc:"), std::string::npos) << m;  // the injected header stayed inside To:
  EXPECT_NE(m.find("\r\nTo: Reader <reader@example.org>  Bcc: victim@example.org\r\n"), std::string::npos) << m;
  EXPECT_NE(m.find("Message-ID: <id-1@example.org>\r\n"), std::string::npos);
  EXPECT_NE(m.find("\r\n\r\nFirst line\r\nSecond line\r\n.dot line\r\n"), std::string::npos) << m;
}

#include "util/text.h"

#include <gtest/gtest.h>

using namespace tribune;

TEST(Text, EscapesHtmlSpecialCharacters) {
  EXPECT_EQ(html_escape(R"(<script>alert("x") & 'y'</script>)"),
            "&lt;script&gt;alert(&quot;x&quot;) &amp; &#39;y&#39;&lt;/script&gt;");
}

TEST(Text, ValidatesUtf8) {
  EXPECT_TRUE(is_valid_utf8("plain"));
  EXPECT_TRUE(is_valid_utf8("Tom\xC3\xA1s \xE2\x80\x9Cquoted\xE2\x80\x9D \xF0\x9F\x93\xB0"));
  EXPECT_FALSE(is_valid_utf8("\xC3"));              // truncated
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong "/"
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xFF"));
  EXPECT_FALSE(
      is_valid_utf8("\x80"
                    "abc"));                           // a continuation byte with no lead
  EXPECT_FALSE(is_valid_utf8("\xE2\x80"));             // truncated three-byte sequence
  EXPECT_TRUE(is_valid_utf8(std::string("a\0b", 3)));  // NUL is valid UTF-8 (has_control_chars refuses it)
}

TEST(Text, FindsControlCharacters) {
  EXPECT_FALSE(has_control_chars("tab\tnewline\n"));
  EXPECT_TRUE(has_control_chars(std::string("nul\0byte", 8)));
  EXPECT_TRUE(has_control_chars("bell\a"));
}

TEST(Text, ParsesRfc3339WithOffsets) {
  auto t = parse_rfc3339("2009-07-06T00:00:00+01:00");
  ASSERT_TRUE(t);
  EXPECT_EQ(format_rfc3339(*t), "2009-07-05T23:00:00Z");
  EXPECT_EQ(format_rfc3339(*parse_rfc3339("2010-01-18T08:30:00.250Z")), "2010-01-18T08:30:00Z");
  EXPECT_FALSE(parse_rfc3339("2009-07-06"));
  EXPECT_FALSE(parse_rfc3339("2009-02-30T00:00:00Z"));
  EXPECT_FALSE(parse_rfc3339("2009-07-06T25:00:00Z"));
  EXPECT_FALSE(parse_rfc3339("2009-07-06T00:00:00"));
  EXPECT_FALSE(parse_rfc3339("2009-07-06T00:00:00Zjunk"));
  // Only what formats back as valid RFC 3339 (four-digit years): "0-01-01T00:00:00Z" came out of year 0.
  EXPECT_FALSE(parse_rfc3339("0000-01-01T00:00:00Z"));
  EXPECT_FALSE(parse_rfc3339("1000-01-01T00:00:00+01:00"));
  EXPECT_FALSE(parse_rfc3339("9999-12-31T23:59:59-01:00"));
  EXPECT_EQ(format_rfc3339(*parse_rfc3339("1000-01-01T00:00:00Z")), "1000-01-01T00:00:00Z");
  EXPECT_EQ(format_rfc3339(*parse_rfc3339("9999-12-31T23:59:59Z")), "9999-12-31T23:59:59Z");
}

TEST(Text, FormatsRfc822ForFeeds) {
  EXPECT_EQ(format_rfc822(*parse_rfc3339("2009-07-05T23:00:00Z")), "Sun, 05 Jul 2009 23:00:00 GMT");
}

TEST(Text, Base64UrlRoundTrips) {
  for (const std::string& s : std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\0\xff\x10", 3)}) {
    auto decoded = base64url_decode(base64url_encode(s));
    ASSERT_TRUE(decoded);
    EXPECT_EQ(*decoded, s);
  }
  EXPECT_FALSE(base64url_decode("a"));
  EXPECT_FALSE(base64url_decode("ab+/"));
  EXPECT_FALSE(base64url_decode("aQ=="));  // no padding in this alphabet
  EXPECT_EQ(base64url_decode("aQ"), "i");
  EXPECT_FALSE(base64url_decode("ab"));  // the same byte with stray low bits: not the canonical spelling
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
}

TEST(Text, HexIsLowerCase) {
  EXPECT_EQ(to_hex(std::string("\0\xff\x1a", 3)), "00ff1a");
  EXPECT_EQ(to_hex(""), "");
}

TEST(Text, PercentEncodesAllButUnreserved) {
  EXPECT_EQ(percent_encode("a-z.A_Z~09"), "a-z.A_Z~09");
  EXPECT_EQ(percent_encode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
}

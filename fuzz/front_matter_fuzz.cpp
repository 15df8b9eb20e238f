// Article files (src/domain/front_matter.h): "---", "key: value" lines, "---", the Markdown body. Editors
// import them (tribune import) and the demo articles are read at start-up.
//
// Contract checked:
//   - parse_article_file returns a draft or throws Error(invalid, invalid_front_matter); no other exception;
//   - the body is the file's text after the closing "---" line, byte for byte;
//   - a draft written back as front matter (every value quoted, lists as ["a", "b"], published_at in RFC 3339)
//     parses to the same draft: what the parser hands out is exactly what the syntax can say;
//   - validate_draft, which every caller runs next, accepts the draft or throws Error(invalid) naming a field;
//     when it accepts, the slug is valid and authors and tags are within their limits.
#include <cstdint>
#include <string>
#include <string_view>

#include "domain/front_matter.h"
#include "fuzz_check.h"
#include "model/error.h"
#include "util/text.h"

namespace {

using namespace tribune;

std::string quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out + '"';
}

std::string list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + quoted(items[i]);
  return out + "]";
}

std::string write_back(const ArticleDraft& d) {
  std::string out = "---\n";
  out += "title: " + quoted(d.title) + "\n";
  out += "slug: " + quoted(d.slug) + "\n";
  out += "standfirst: " + quoted(d.standfirst) + "\n";
  out += "authors: " + list(d.authors) + "\n";
  out += "author_bio: " + quoted(d.author_bio) + "\n";
  out += "section: " + quoted(d.section) + "\n";
  out += "tags: " + list(d.tags) + "\n";
  if (d.published_at) out += "published_at: " + format_rfc3339(*d.published_at) + "\n";
  out += "source_name: " + quoted(d.source_name) + "\n";
  out += "source_url: " + quoted(d.source_url) + "\n";
  out += "comments: " + std::string(to_string(d.comments)) + "\n";
  out += "---\n";
  return out + d.body_markdown;
}

bool same(const ArticleDraft& a, const ArticleDraft& b) {
  return a.title == b.title && a.slug == b.slug && a.standfirst == b.standfirst && a.authors == b.authors &&
         a.author_bio == b.author_bio && a.section == b.section && a.tags == b.tags &&
         a.published_at == b.published_at && a.body_markdown == b.body_markdown && a.source_name == b.source_name &&
         a.source_url == b.source_url && a.comments == b.comments;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  ArticleDraft d;
  try {
    d = parse_article_file(text);
  } catch (const Error& e) {
    FUZZ_CHECK(e.kind() == ErrorKind::invalid);
    FUZZ_CHECK(e.code() == "invalid_front_matter");
    return 0;
  }
  FUZZ_CHECK(text.ends_with(d.body_markdown));
  std::string_view head = text.substr(0, text.size() - d.body_markdown.size());
  // The closing line: "---" and its line end (CRLF or LF; a last line has none, or a lone CR).
  FUZZ_CHECK(head.ends_with("---\n") || head.ends_with("---\r\n") || head.ends_with("---") || head.ends_with("---\r"));

  // A time outside years 0000-9999 has no four-digit RFC 3339 form (format_rfc3339 is util/'s, not under
  // test here); the round trip then leaves published_at out of the comparison.
  ArticleDraft expected = d;
  if (d.published_at && parse_rfc3339(format_rfc3339(*d.published_at)) != d.published_at) expected.published_at.reset();
  ArticleDraft written = expected;
  std::string file = write_back(written);
  ArticleDraft back;
  try {
    back = parse_article_file(file);
  } catch (const Error& e) {
    fuzz::print_escaped("written back", file);
    std::fprintf(stderr, "  refused: %s\n", e.what());
    FUZZ_CHECK(!"the parser refused a draft written back in its own syntax");
  }
  if (!same(back, expected)) fuzz::print_escaped("written back", file);
  FUZZ_CHECK(same(back, expected));

  try {
    validate_draft(d);
    FUZZ_CHECK(is_valid_slug(d.slug));
    FUZZ_CHECK(!d.authors.empty() && d.authors.size() <= kMaxAuthors);
    FUZZ_CHECK(d.tags.size() <= kMaxTags);
    FUZZ_CHECK(is_valid_utf8(d.title) && is_valid_utf8(d.body_markdown));
  } catch (const Error& e) {
    FUZZ_CHECK(e.kind() == ErrorKind::invalid);
    FUZZ_CHECK(!e.field().empty());
  }
  return 0;
}

// Markdown rendering (src/domain/markdown.h), as articles (tables, images) and as reader comments (ugc_links).
//
// Contract checked on the HTML, from the header: raw HTML in the source never reaches the output (it becomes
// the comment "<!-- raw HTML omitted -->") and links with dangerous schemes are dropped. Concretely:
//   - every '<' opens an element cmark renders for Markdown (p, em, a, code, table...), with attributes of
//     its own (href, src, alt, title, start, align, class) whose values hold no '<', '>' or '"'; or it is
//     that comment. So no <script>, no <iframe>, no on*= handler, nothing that breaks out of an attribute;
//   - no href or src whose scheme, as a browser reads it (entities decoded, leading blanks and tabs/newlines
//     dropped, any case), is javascript:, vbscript:, file:, or data: other than data:image/{png,gif,jpeg,webp};
//   - comments (ugc_links): no <img> (images become links), and every link starts <a rel="nofollow ugc noopener";
//     @mentions become links to a reader's address (mention_url), never inside another link or code;
//   - the output is valid UTF-8 (the renderer passes CMARK_OPT_VALIDATE_UTF8).
// cmark-gfm is Debian's shared library, built without coverage instrumentation: libFuzzer sees the branches
// of this checker (which tags, attributes and schemes came out) but not cmark's own, so this target mostly
// mutates its seeds blindly. The wrapper code and the output checks are what it really exercises.
#include <cstdint>
#include <string>
#include <string_view>

#include "domain/markdown.h"
#include "fuzz_check.h"
#include "util/text.h"

namespace {

using namespace tribune;

constexpr std::string_view kOmitted = "<!-- raw HTML omitted -->";

bool one_of(std::string_view s, std::initializer_list<std::string_view> set) {
  for (auto x : set)
    if (s == x) return true;
  return false;
}

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// Decodes the character references cmark writes in attributes (&amp; &quot; &lt; &gt; &#x27; &#39;) and any
// other numeric one, as a browser would before reading the URL.
std::string decode_entities(std::string_view v) {
  std::string out;
  for (size_t i = 0; i < v.size();) {
    if (v[i] != '&') {
      out += v[i++];
      continue;
    }
    size_t semi = v.find(';', i);
    if (semi == std::string_view::npos) {
      out += v[i++];
      continue;
    }
    std::string_view ent = v.substr(i + 1, semi - i - 1);
    if (ent == "amp")
      out += '&';
    else if (ent == "quot")
      out += '"';
    else if (ent == "lt")
      out += '<';
    else if (ent == "gt")
      out += '>';
    else if (ent.size() > 1 && ent[0] == '#') {
      bool hex = ent[1] == 'x' || ent[1] == 'X';
      unsigned long cp = 0;
      for (char c : ent.substr(hex ? 2 : 1)) {
        int d = (c >= '0' && c <= '9')                        ? c - '0'
                : (hex && lower(c) >= 'a' && lower(c) <= 'f') ? lower(c) - 'a' + 10
                                                              : -1;
        if (d < 0 || cp > 0x10FFFF) break;
        cp = cp * (hex ? 16 : 10) + static_cast<unsigned long>(d);
      }
      out += cp < 0x80 ? static_cast<char>(cp) : '?';
    } else {
      out.append(v.substr(i, semi - i + 1));
    }
    i = semi + 1;
  }
  return out;
}

void check_url(std::string_view attr_value) {
  std::string url = decode_entities(attr_value);
  size_t b = 0;
  while (b < url.size() && static_cast<unsigned char>(url[b]) <= 0x20) ++b;
  std::string scheme;
  for (size_t i = b; i < url.size(); ++i) {
    char c = url[i];
    if (c == '\t' || c == '\n' || c == '\r') continue;  // browsers drop these anywhere in a URL
    if (c == ':' || c == '/' || c == '?' || c == '#') break;
    scheme += lower(c);
  }
  std::string rest;
  for (size_t i = b; i < url.size(); ++i)
    if (url[i] != '\t' && url[i] != '\n' && url[i] != '\r') rest += lower(url[i]);
  bool has_scheme = rest.size() > scheme.size() && rest[scheme.size()] == ':';
  if (!has_scheme) return;
  bool dangerous = one_of(scheme, {"javascript", "vbscript", "file"}) ||
                   (scheme == "data" && !rest.starts_with("data:image/png") && !rest.starts_with("data:image/gif") &&
                    !rest.starts_with("data:image/jpeg") && !rest.starts_with("data:image/webp"));
  if (dangerous) fuzz::print_escaped("url", attr_value);
  FUZZ_CHECK(!dangerous);
}

void check_html(std::string_view html, bool ugc) {
  FUZZ_CHECK(is_valid_utf8(html));
  size_t pos = 0;
  while ((pos = html.find('<', pos)) != std::string_view::npos) {
    std::string_view at = html.substr(pos);
    if (at.starts_with(kOmitted)) {
      pos += kOmitted.size();
      continue;
    }
    size_t i = 1;
    bool closing = i < at.size() && at[i] == '/';
    if (closing) ++i;
    size_t name_start = i;
    while (i < at.size() && ((at[i] >= 'a' && at[i] <= 'z') || (at[i] >= '0' && at[i] <= '9'))) ++i;
    std::string_view name = at.substr(name_start, i - name_start);
    bool allowed = one_of(
        name, {"p",  "em", "strong", "a",  "img", "code", "pre", "blockquote", "ul",    "ol",    "li", "h1", "h2",
               "h3", "h4", "h5",     "h6", "hr",  "br",   "del", "table",      "thead", "tbody", "tr", "th", "td"});
    if (!allowed) fuzz::print_escaped("element", at.substr(0, 40));
    FUZZ_CHECK(allowed);
    if (ugc) FUZZ_CHECK(name != "img");
    if (ugc && name == "a" && !closing) FUZZ_CHECK(at.starts_with("<a rel=\"nofollow ugc noopener\" "));
    // Attributes: name="value", the value free of the characters that would end it or open an element.
    while (true) {
      while (i < at.size() && at[i] == ' ') ++i;
      FUZZ_CHECK(i < at.size());
      if (at[i] == '>') break;
      if (at.substr(i).starts_with("/>")) {
        ++i;
        break;
      }
      FUZZ_CHECK(!closing);
      size_t attr_start = i;
      while (i < at.size() && at[i] >= 'a' && at[i] <= 'z') ++i;
      std::string_view attr = at.substr(attr_start, i - attr_start);
      bool known_attr = one_of(attr, {"href", "src", "alt", "title", "start", "align", "class", "rel"});
      if (!known_attr) fuzz::print_escaped("attribute", at.substr(attr_start, 40));
      FUZZ_CHECK(known_attr);
      FUZZ_CHECK(at.substr(i).starts_with("=\""));
      i += 2;
      size_t end = at.find('"', i);
      FUZZ_CHECK(end != std::string_view::npos);
      std::string_view value = at.substr(i, end - i);
      FUZZ_CHECK(value.find_first_of("<>") == std::string_view::npos);
      if (attr == "href" || attr == "src") check_url(value);
      i = end + 1;
    }
    pos += i + 1;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view markdown(reinterpret_cast<const char*>(data), size);
  // As comments are rendered (domain/comments.cpp: every @mention but "@nobody" names a reader, so its text
  // node is split around a link) and as articles are (domain/articles.cpp).
  auto mention_url = [](const std::string& handle) {
    return handle == "nobody" ? std::string() : "/readers/" + handle;
  };
  check_html(render_markdown(markdown, {.tables = false, .ugc_links = true, .mention_url = mention_url}), true);
  check_html(render_markdown(markdown), false);
  return 0;
}

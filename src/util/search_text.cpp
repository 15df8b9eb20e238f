#include "util/search_text.h"

#include <array>
#include <cstdint>

namespace tribune {

namespace {

// Decodes the code point at s[i] (input is valid UTF-8: Tribune checks every input at the edge); sets len.
char32_t decode(std::string_view s, size_t i, size_t& len) {
  auto b = static_cast<unsigned char>(s[i]);
  auto cont = [&](size_t k) { return i + k < s.size() ? static_cast<char32_t>(s[i + k]) & 0x3F : 0; };
  if (b < 0x80) {
    len = 1;
    return b;
  }
  if ((b & 0xE0) == 0xC0) {
    len = 2;
    return ((b & 0x1Fu) << 6) | cont(1);
  }
  if ((b & 0xF0) == 0xE0) {
    len = 3;
    return ((b & 0x0Fu) << 12) | (cont(1) << 6) | cont(2);
  }
  len = 4;
  return ((b & 0x07u) << 18) | (cont(1) << 12) | (cont(2) << 6) | cont(3);
}

bool separates(char32_t c) {
  if (c < 0x80) return !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'));
  return (c >= 0xA0 && c <= 0xBF) || c == 0xD7 || c == 0xF7 || (c >= 0x2000 && c <= 0x206F) ||
         (c >= 0x2E00 && c <= 0x2E7F) || (c >= 0x3000 && c <= 0x303F) || c == 0xFEFF;
}

// Latin-1 Supplement letters, U+00C0 to U+00FF, to their base letters.
constexpr std::array<const char*, 64> kLatin1 = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",   // C0
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "ss",  // D0
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",   // E0
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "y"};  // F0

struct Range {
  char32_t first, last;
  const char* base;
};
// Latin Extended-A (U+0100 to U+017F) and the Romanian comma letters.
constexpr std::array<Range, 24> kExtended = {{
    {0x100, 0x105, "a"}, {0x106, 0x10D, "c"}, {0x10E, 0x111, "d"},  {0x112, 0x11B, "e"},  {0x11C, 0x123, "g"},
    {0x124, 0x127, "h"}, {0x128, 0x131, "i"}, {0x132, 0x133, "ij"}, {0x134, 0x135, "j"},  {0x136, 0x138, "k"},
    {0x139, 0x142, "l"}, {0x143, 0x14B, "n"}, {0x14C, 0x151, "o"},  {0x152, 0x153, "oe"}, {0x154, 0x159, "r"},
    {0x15A, 0x161, "s"}, {0x162, 0x167, "t"}, {0x168, 0x173, "u"},  {0x174, 0x175, "w"},  {0x176, 0x178, "y"},
    {0x179, 0x17E, "z"}, {0x17F, 0x17F, "s"}, {0x218, 0x219, "s"},  {0x21A, 0x21B, "t"},
}};

const char* base_of(char32_t c) {
  if (c >= 0xC0 && c <= 0xFF) return kLatin1[c - 0xC0];
  for (const auto& r : kExtended)
    if (c >= r.first && c <= r.last) return r.base;
  return nullptr;
}

}  // namespace

void for_each_word(std::string_view text, const std::function<void(size_t, size_t)>& f) {
  size_t start = std::string_view::npos;
  for (size_t i = 0; i < text.size();) {
    size_t len = 1;
    char32_t c = decode(text, i, len);
    if (separates(c)) {
      if (start != std::string_view::npos) f(start, i);
      start = std::string_view::npos;
    } else if (start == std::string_view::npos) {
      start = i;
    }
    i += len;
  }
  if (start != std::string_view::npos) f(start, text.size());
}

std::string fold_word(std::string_view word) {
  std::string out;
  out.reserve(word.size());
  for (size_t i = 0; i < word.size();) {
    size_t len = 1;
    char32_t c = decode(word, i, len);
    if (c >= 'A' && c <= 'Z')
      out += static_cast<char>(c - 'A' + 'a');
    else if (const char* base = base_of(c))
      out += base;
    else
      out.append(word.substr(i, len));
    i += len;
  }
  return out;
}

std::string fold_for_search(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for_each_word(text, [&](size_t b, size_t e) {
    if (!out.empty()) out += ' ';
    out += fold_word(text.substr(b, e - b));
  });
  return out;
}

std::string text_of_html(std::string_view html) {
  std::string out;
  out.reserve(html.size());
  auto space = [&] {
    if (!out.empty() && out.back() != ' ') out += ' ';
  };
  for (size_t i = 0; i < html.size();) {
    char ch = html[i];
    if (ch == '<') {
      size_t end = html.find('>', i);
      if (end == std::string_view::npos) break;
      // Inline tags (<em>, <a>, <strong>) join their words; the rest (paragraphs, breaks, items) separate them.
      std::string_view tag = html.substr(i + 1, end - i - 1);
      if (!tag.empty() && tag[0] == '/') tag.remove_prefix(1);
      size_t name_end = tag.find_first_of(" \t\n/");
      std::string_view name = tag.substr(0, name_end);
      bool inline_tag = name == "a" || name == "em" || name == "strong" || name == "i" || name == "b" ||
                        name == "code" || name == "span" || name == "sup" || name == "sub" || name == "abbr" ||
                        name == "mark";
      if (!inline_tag) space();
      i = end + 1;
    } else if (ch == '&') {
      static constexpr std::array<std::pair<std::string_view, std::string_view>, 7> kEntities = {{{"&amp;", "&"},
                                                                                                  {"&lt;", "<"},
                                                                                                  {"&gt;", ">"},
                                                                                                  {"&quot;", "\""},
                                                                                                  {"&#39;", "'"},
                                                                                                  {"&#x27;", "'"},
                                                                                                  {"&nbsp;", " "}}};
      bool decoded = false;
      for (const auto& [entity, text] : kEntities)
        if (html.substr(i, entity.size()) == entity) {
          if (text == " ")
            space();
          else
            out += text;
          i += entity.size();
          decoded = true;
          break;
        }
      if (!decoded) out += html[i++];
    } else if (ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r') {
      space();
      ++i;
    } else {
      out += ch;
      ++i;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace tribune

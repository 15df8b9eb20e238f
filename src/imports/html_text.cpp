#include "imports/html_text.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <utility>

namespace tribune::imports {

namespace {

void append_utf8(std::string& out, uint32_t cp) {
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// HTML's Latin-1 entities, U+00A0 to U+00FF in order.
constexpr std::array<std::string_view, 96> kLatin1{
    "nbsp",   "iexcl",  "cent",   "pound",  "curren", "yen",    "brvbar", "sect",   "uml",    "copy",   "ordf",
    "laquo",  "not",    "shy",    "reg",    "macr",   "deg",    "plusmn", "sup2",   "sup3",   "acute",  "micro",
    "para",   "middot", "cedil",  "sup1",   "ordm",   "raquo",  "frac14", "frac12", "frac34", "iquest", "Agrave",
    "Aacute", "Acirc",  "Atilde", "Auml",   "Aring",  "AElig",  "Ccedil", "Egrave", "Eacute", "Ecirc",  "Euml",
    "Igrave", "Iacute", "Icirc",  "Iuml",   "ETH",    "Ntilde", "Ograve", "Oacute", "Ocirc",  "Otilde", "Ouml",
    "times",  "Oslash", "Ugrave", "Uacute", "Ucirc",  "Uuml",   "Yacute", "THORN",  "szlig",  "agrave", "aacute",
    "acirc",  "atilde", "auml",   "aring",  "aelig",  "ccedil", "egrave", "eacute", "ecirc",  "euml",   "igrave",
    "iacute", "icirc",  "iuml",   "eth",    "ntilde", "ograve", "oacute", "ocirc",  "otilde", "ouml",   "divide",
    "oslash", "ugrave", "uacute", "ucirc",  "uuml",   "yacute", "thorn",  "yuml"};

constexpr std::array<std::pair<std::string_view, uint32_t>, 14> kEntities{{
    {"amp", '&'},
    {"lt", '<'},
    {"gt", '>'},
    {"quot", '"'},
    {"apos", '\''},
    {"hellip", 0x2026},
    {"mdash", 0x2014},
    {"ndash", 0x2013},
    {"lsquo", 0x2018},
    {"rsquo", 0x2019},
    {"ldquo", 0x201C},
    {"rdquo", 0x201D},
    {"euro", 0x20AC},
    {"bull", 0x2022},
}};

// Decodes the entity at s[i] == '&' into out; returns the index after it (i + 1 when it is not one).
size_t decode_entity(std::string_view s, size_t i, std::string& out) {
  size_t end = s.find(';', i);
  if (end == std::string_view::npos || end - i > 10) {
    out += '&';
    return i + 1;
  }
  std::string_view name = s.substr(i + 1, end - i - 1);
  if (name.size() > 1 && name[0] == '#') {
    uint32_t cp = 0;
    bool hex = name[1] == 'x' || name[1] == 'X';
    std::string_view digits = name.substr(hex ? 2 : 1);
    bool ok = !digits.empty();
    for (char c : digits) {
      int v = c >= '0' && c <= '9'          ? c - '0'
              : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
              : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
                                            : -1;
      if (v < 0 || cp > 0x10FFFF) {
        ok = false;
        break;
      }
      cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(v);
    }
    if (ok) {
      append_utf8(out, cp);
      return end + 1;
    }
  }
  for (const auto& [n, cp] : kEntities)
    if (n == name) {
      append_utf8(out, cp);
      return end + 1;
    }
  for (size_t k = 0; k < kLatin1.size(); ++k)
    if (kLatin1[k] == name) {
      append_utf8(out, static_cast<uint32_t>(0xA0 + k));
      return end + 1;
    }
  out += '&';
  return i + 1;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::ranges::transform(out, out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// The value of attribute `name` in a tag's inside ("a href=\"x\" title=y"), entities decoded.
std::string attribute(std::string_view tag, std::string_view name) {
  std::string low = lower(tag);
  size_t at = 0;
  while ((at = low.find(name, at)) != std::string::npos) {
    bool starts = at > 0 && (low[at - 1] == ' ' || low[at - 1] == '\t' || low[at - 1] == '\n');
    size_t j = at + name.size();
    while (j < low.size() && low[j] == ' ') ++j;
    if (!starts || j >= low.size() || low[j] != '=') {
      at += name.size();
      continue;
    }
    ++j;
    while (j < low.size() && low[j] == ' ') ++j;
    std::string_view raw;
    if (j < tag.size() && (tag[j] == '"' || tag[j] == '\'')) {
      size_t close = tag.find(tag[j], j + 1);
      raw = tag.substr(j + 1, close == std::string_view::npos ? std::string_view::npos : close - j - 1);
    } else {
      size_t close = tag.find_first_of(" \t\n>", j);
      raw = tag.substr(j, close == std::string_view::npos ? std::string_view::npos : close - j);
    }
    std::string out;
    for (size_t i = 0; i < raw.size();) {
      if (raw[i] == '&') {
        i = decode_entity(raw, i, out);
      } else {
        out += raw[i++];
      }
    }
    return out;
  }
  return {};
}

bool linkable(const std::string& url) {
  auto low = lower(url.substr(0, 8));
  return low.starts_with("http://") || low.starts_with("https://") || low.starts_with("mailto:");
}

class Converter {
 public:
  std::string run(std::string_view html) {
    for (size_t i = 0; i < html.size();) {
      char c = html[i];
      if (c == '<') {
        size_t close = html.find('>', i);
        if (close == std::string_view::npos) {  // a lone '<': text
          text("<");
          ++i;
          continue;
        }
        if (html.substr(i, 4) == "<!--") {
          size_t end = html.find("-->", i);
          i = end == std::string_view::npos ? html.size() : end + 3;
          continue;
        }
        tag(html.substr(i + 1, close - i - 1));
        i = close + 1;
        if (!skip_until_.empty()) {
          size_t end = lower(html.substr(i)).find("</" + skip_until_);
          i = end == std::string::npos ? html.size() : i + end;
          skip_until_.clear();
        }
      } else if (c == '&') {
        std::string decoded;
        i = decode_entity(html, i, decoded);
        text(decoded);
      } else {
        size_t next = html.find_first_of("<&", i);
        text(html.substr(i, next == std::string_view::npos ? std::string_view::npos : next - i));
        i = next == std::string_view::npos ? html.size() : next;
      }
    }
    // Trailing blank lines and spaces go.
    while (!out_.empty() && (out_.back() == '\n' || out_.back() == ' ')) out_.pop_back();
    return out_;
  }

 private:
  void text(std::string_view t) {
    for (char c : t) {
      if (pre_) {
        out_ += c;
        if (c == '\n') out_ += "    ";
        continue;
      }
      if (c == '\r') continue;
      bool space = c == ' ' || c == '\t' || c == '\n';
      if (space) {
        if (!out_.empty() && out_.back() != ' ' && out_.back() != '\n') out_ += ' ';
        continue;
      }
      bool line_start = at_line_start();
      if (line_start) out_ += prefix();
      // What the writer typed stays text: Markdown's own characters are escaped.
      if (std::string_view("\\`*_[]<>&").find(c) != std::string_view::npos ||
          (line_start && (c == '#' || c == '-' || c == '+')))
        out_ += '\\';
      out_ += c;
    }
  }
  bool at_line_start() const { return out_.empty() || out_.back() == '\n'; }
  std::string prefix() const {
    std::string p;
    for (int q = 0; q < quote_; ++q) p += "> ";
    return p;
  }
  void paragraph_break() {
    while (!out_.empty() && out_.back() == ' ') out_.pop_back();
    if (out_.empty()) return;
    if (out_.back() != '\n') out_ += '\n';
    if (out_.size() < 2 || out_[out_.size() - 2] != '\n') {
      out_ += quote_ > 0 ? prefix() : std::string();
      while (!out_.empty() && out_.back() == ' ') out_.pop_back();
      out_ += '\n';
    }
  }
  void line_break() {
    while (!out_.empty() && out_.back() == ' ') out_.pop_back();
    if (!out_.empty() && out_.back() != '\n') out_ += "  \n";
  }

  void tag(std::string_view inside) {
    bool closing = !inside.empty() && inside[0] == '/';
    std::string_view body = closing ? inside.substr(1) : inside;
    size_t name_end = body.find_first_of(" \t\n/");
    std::string name = lower(body.substr(0, name_end));
    if (name == "script" || name == "style") {
      if (!closing) skip_until_ = name;
      return;
    }
    if (name == "p" || name == "div" || name == "h1" || name == "h2" || name == "h3" || name == "h4" || name == "ul" ||
        name == "ol" || name == "table" || name == "tr") {
      paragraph_break();
    } else if (name == "br") {
      line_break();
    } else if (name == "li") {
      if (!closing) {
        if (!at_line_start()) out_ += '\n';
        out_ += prefix() + "- ";
      }
    } else if (name == "blockquote") {
      if (closing) quote_ = std::max(0, quote_ - 1);
      paragraph_break();
      if (!closing) ++quote_;
    } else if (name == "pre") {
      paragraph_break();
      pre_ = !closing;
      if (pre_) out_ += "    ";
    } else if (name == "b" || name == "strong") {
      out_ += "**";
    } else if (name == "i" || name == "em") {
      out_ += "*";
    } else if (name == "code" && !pre_) {
      out_ += "`";
    } else if (name == "a") {
      if (!closing) {
        href_ = attribute(body, "href");
        if (!linkable(href_)) href_.clear();  // javascript:, data:, relative: the words stay, the link goes
        if (!href_.empty()) out_ += "[";
      } else if (!href_.empty()) {
        std::string target;
        for (char h : href_) {
          if (h == ' ')
            target += "%20";
          else if (h == '(' || h == ')')
            target += h == '(' ? "%28" : "%29";
          else
            target += h;
        }
        out_ += "](" + target + ")";
        href_.clear();
      }
    } else if (name == "img") {
      auto alt = attribute(body, "alt");
      auto src = attribute(body, "src");
      if (linkable(src) && !src.starts_with("mailto:")) {  // a picture stays a link to it
        out_ += "[";
        text(alt.empty() ? "image" : alt);
        href_ = src;
        tag("/a");
      } else if (!alt.empty()) {
        text(alt);
      }
    }
  }

  std::string out_;
  std::string href_;
  std::string skip_until_;
  int quote_ = 0;
  bool pre_ = false;
};

}  // namespace

std::string html_to_markdown(std::string_view html) {
  return Converter().run(html);
}

}  // namespace tribune::imports

#include "domain/front_matter.h"

#include <set>

#include "model/error.h"

namespace tribune {

namespace {

Error syntax(size_t line, const std::string& key, const std::string& what) {
  std::string msg = "front matter line " + std::to_string(line) + (key.empty() ? "" : " (" + key + ")") + ": " + what;
  return Error(ErrorKind::invalid, "invalid_front_matter", msg, key);
}

// Reads a quoted string starting at s[pos] == '"'; advances pos past the closing quote.
std::string read_quoted(std::string_view s, size_t& pos, size_t line, const std::string& key) {
  std::string out;
  ++pos;
  while (pos < s.size()) {
    char c = s[pos++];
    if (c == '"') return out;
    if (c == '\\') {
      if (pos >= s.size()) break;
      char e = s[pos++];
      if (e == '"' || e == '\\')
        out += e;
      else if (e == 'n')
        out += '\n';
      else
        throw syntax(line, key, std::string("unknown escape \\") + e);
    } else {
      out += c;
    }
  }
  throw syntax(line, key, "unterminated quoted string");
}

std::string parse_scalar(std::string_view v, size_t line, const std::string& key) {
  std::string t = trim(v);
  if (!t.empty() && t.front() == '"') {
    size_t pos = 0;
    auto out = read_quoted(t, pos, line, key);
    if (!trim(std::string_view(t).substr(pos)).empty()) throw syntax(line, key, "text after closing quote");
    return out;
  }
  return t;
}

std::vector<std::string> parse_list(std::string_view v, size_t line, const std::string& key) {
  std::string t = trim(v);
  if (t.empty() || t.front() != '[') {
    // One item without brackets ("authors: Ann Lima"). An empty value is an empty list, as "[]" is: never a
    // list of one empty item, which no list can spell (found by fuzz/front_matter_fuzz).
    auto item = parse_scalar(t, line, key);
    if (item.empty()) return {};
    return {std::move(item)};
  }
  if (t.back() != ']') throw syntax(line, key, "list must end with ]");
  std::string_view inner = std::string_view(t).substr(1, t.size() - 2);
  std::vector<std::string> items;
  size_t pos = 0;
  while (pos < inner.size()) {
    while (pos < inner.size() && inner[pos] == ' ') ++pos;
    if (pos >= inner.size()) break;
    std::string item;
    if (inner[pos] == '"') {
      item = read_quoted(inner, pos, line, key);
      while (pos < inner.size() && inner[pos] == ' ') ++pos;
      if (pos < inner.size() && inner[pos] != ',') throw syntax(line, key, "expected , between list items");
    } else {
      size_t comma = inner.find(',', pos);
      item = trim(inner.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos));
      pos = comma == std::string_view::npos ? inner.size() : comma;
    }
    if (item.empty()) throw syntax(line, key, "empty list item");
    items.push_back(std::move(item));
    if (pos < inner.size()) ++pos;  // the comma
  }
  return items;
}

}  // namespace

ArticleDraft parse_article_file(std::string_view text, LeadImageSource* image) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  auto next_line = [&](size_t& pos) {
    size_t nl = text.find('\n', pos);
    std::string_view l = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    return l;
  };
  size_t pos = 0;
  if (text.empty() || next_line(pos) != "---")
    throw Error(ErrorKind::invalid, "invalid_front_matter",
                "the file must start with a line '---' opening the front matter");
  ArticleDraft d;
  std::set<std::string> seen;
  bool closed = false;
  size_t line_no = 1;
  while (pos < text.size()) {
    std::string_view line = next_line(pos);
    ++line_no;
    if (line == "---") {
      closed = true;
      break;
    }
    if (trim(line).empty() || line.starts_with("#")) continue;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) throw syntax(line_no, "", "expected 'key: value'");
    std::string key = trim(line.substr(0, colon));
    std::string_view value = line.substr(colon + 1);
    // "author" is "authors" spelled for one name: giving both would silently drop one of them.
    if (!seen.insert(key == "author" ? std::string("authors") : key).second)
      throw syntax(line_no, key,
                   key == "author" || key == "authors" ? "author and authors name one field: give one of them"
                                                       : "duplicate key");
    if (key == "title")
      d.title = parse_scalar(value, line_no, key);
    else if (key == "slug")
      d.slug = parse_scalar(value, line_no, key);
    else if (key == "standfirst")
      d.standfirst = parse_scalar(value, line_no, key);
    else if (key == "description")
      d.description = parse_scalar(value, line_no, key);
    else if (key == "authors" || key == "author")
      d.authors = parse_list(value, line_no, key);
    else if (key == "author_bio")
      d.author_bio = parse_scalar(value, line_no, key);
    else if (key == "section")
      d.section = parse_scalar(value, line_no, key);
    else if (key == "tags")
      d.tags = parse_list(value, line_no, key);
    else if (key == "source_name")
      d.source_name = parse_scalar(value, line_no, key);
    else if (key == "source_url")
      d.source_url = parse_scalar(value, line_no, key);
    else if (key == "correction")
      d.correction = parse_scalar(value, line_no, key);
    else if (key == "published_at") {
      auto s = parse_scalar(value, line_no, key);
      auto t = parse_rfc3339(s);
      if (!t) throw syntax(line_no, key, "'" + s + "' is not an RFC 3339 time such as 2009-07-06T00:00:00+01:00");
      d.published_at = *t;
    } else if (key == "comments") {
      auto s = parse_scalar(value, line_no, key);
      auto m = parse_comments_mode(s);
      if (!m) throw syntax(line_no, key, "must be open, closed, premoderated or default");
      d.comments = *m;
    } else if (key == "status") {
      auto s = parse_scalar(value, line_no, key);
      auto state = parse_article_state(s);
      if (state != ArticleState::draft && state != ArticleState::published)
        throw syntax(line_no, key, "must be draft or published");
      d.state = state;
    } else if (key == "image" || key == "image_alt" || key == "image_caption" || key == "image_credit") {
      if (!image) throw syntax(line_no, key, "images are not supported here");
      auto v = parse_scalar(value, line_no, key);
      (key == "image"           ? image->path
       : key == "image_alt"     ? image->text.alt
       : key == "image_caption" ? image->text.caption
                                : image->text.credit) = std::move(v);
    } else {
      throw syntax(line_no, key, "unknown key");
    }
  }
  if (!closed) throw Error(ErrorKind::invalid, "invalid_front_matter", "the front matter has no closing '---' line");
  d.body_markdown = std::string(text.substr(pos));
  return d;
}

}  // namespace tribune

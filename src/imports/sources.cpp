#include "imports/sources.h"

#include <boost/json.hpp>
#include <istream>
#include <set>

#include "imports/xml_records.h"
#include "model/error.h"

namespace tribune::imports {

namespace json = boost::json;

namespace {

constexpr size_t kMaxLine = size_t{8} << 20;

Error bad_item(int64_t line, const std::string& what) {
  return Error(ErrorKind::invalid, "invalid_import", "line " + std::to_string(line) + ": " + what);
}

std::string trimmed(const std::string& s) {
  auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  auto last = s.find_last_not_of(" \t\r\n");
  return s.substr(first, last - first + 1);
}

TimePoint time_of(const std::string& text, int64_t line, const char* what) {
  auto t = trimmed(text);
  // WordPress writes "2009-07-06 10:00:00" (its _gmt fields are UTC); Disqus and Remark42 RFC 3339.
  if (t.size() == 19) t += 'Z';
  auto parsed = parse_rfc3339(t);
  if (!parsed) throw bad_item(line, std::string(what) + " \"" + t + "\" is not a date and time");
  return *parsed;
}

SourceAuthor author_of(const std::string& email, const std::string& name, const std::string& user_key) {
  SourceAuthor a;
  a.email = trimmed(email);
  a.name = trimmed(name);
  if (!a.email.empty())
    a.key = "email:" + a.email;
  else if (!user_key.empty())
    a.key = "user:" + user_key;
  else if (!a.name.empty())
    a.key = "name:" + a.name;
  return a;
}

void read_disqus(std::istream& in, const SourceSink& sink) {
  RecordShape shape{"disqus", "a Disqus export", 2, {"thread", "post"}, {}};
  read_records(in, shape, [&](XmlRecord&& r) {
    if (r.name == "thread") {
      SourceThread t;
      t.line = r.line;
      t.key = r.attribute("dsq:id");
      if (t.key.empty()) throw bad_item(r.line, "a <thread> without dsq:id");
      t.url = trimmed(r.text("link"));
      t.title = trimmed(r.text("title"));
      t.created_at = time_of(r.text("createdAt"), r.line, "createdAt");
      t.author = trimmed(r.text("author/name"));
      if (trimmed(r.text("isDeleted")) == "true") t.skip = "thread deleted at the source";
      sink.thread(std::move(t));
      return;
    }
    SourceComment c;
    c.line = r.line;
    c.key = r.attribute("dsq:id");
    if (c.key.empty()) throw bad_item(r.line, "a <post> without dsq:id");
    c.thread_key = r.attribute("thread", "dsq:id");
    if (c.thread_key.empty()) throw bad_item(r.line, "a <post> without its <thread dsq:id=...>");
    c.parent_key = r.attribute("parent", "dsq:id");
    c.html = r.text("message");
    c.created_at = time_of(r.text("createdAt"), r.line, "createdAt");
    c.author = author_of(r.text("author/email"), r.text("author/name"), trimmed(r.text("author/username")));
    if (trimmed(r.text("isSpam")) == "true")
      c.status = CommentStatus::rejected;
    else if (trimmed(r.text("isDeleted")) == "true")
      c.status = CommentStatus::deleted;
    sink.comment(std::move(c));
  });
}

void read_wordpress(std::istream& in, const SourceSink& sink) {
  RecordShape shape{"rss", "a WordPress export (WXR)", 3, {"item"}, "wp:comment"};
  read_records(in, shape, [&](XmlRecord&& r) {
    SourceThread t;
    t.line = r.line;
    t.key = trimmed(r.text("wp:post_id"));
    if (t.key.empty()) throw bad_item(r.line, "an <item> without wp:post_id");
    t.url = trimmed(r.text("link"));
    t.title = trimmed(r.text("title"));
    t.slug = trimmed(r.text("wp:post_name"));
    t.body_html = r.text("content:encoded");
    t.author = trimmed(r.text("dc:creator"));
    auto type = trimmed(r.text("wp:post_type"));
    auto status = trimmed(r.text("wp:status"));
    if (type != "post" && type != "page")
      t.skip = "not a post or page (" + (type.empty() ? std::string("no type") : type) + ")";
    else if (status != "publish")
      t.skip = "not published (" + (status.empty() ? std::string("no status") : status) + ")";
    auto date = trimmed(r.text("wp:post_date_gmt"));
    if (date.empty() || date.starts_with("0000")) date = trimmed(r.text("wp:post_date"));
    if (t.skip.empty() || !date.empty()) {
      if (date.empty() || date.starts_with("0000")) {
        if (t.skip.empty()) throw bad_item(r.line, "a published <item> without wp:post_date");
      } else {
        t.created_at = time_of(date, r.line, "wp:post_date_gmt");
      }
    }
    for (const auto& f : r.fields) {
      if (f.path != "category") continue;
      std::string domain;
      for (const auto& [k, v] : f.attributes)
        if (k == "domain") domain = v;
      auto name = trimmed(f.text);
      if (name.empty()) continue;
      if (domain == "category" && t.section.empty() && name != "Uncategorized") t.section = name;
      if (domain == "post_tag") t.tags.push_back(name);
    }
    std::string thread_key = t.key;
    sink.thread(std::move(t));
    for (const auto& w : r.children) {
      SourceComment c;
      c.line = w.line;
      c.thread_key = thread_key;
      c.key = trimmed(w.text("wp:comment_id"));
      if (c.key.empty()) throw bad_item(w.line, "a <wp:comment> without wp:comment_id");
      auto parent = trimmed(w.text("wp:comment_parent"));
      if (!parent.empty() && parent != "0") c.parent_key = parent;
      c.html = w.text("wp:comment_content");
      auto when = trimmed(w.text("wp:comment_date_gmt"));
      if (when.empty() || when.starts_with("0000")) when = trimmed(w.text("wp:comment_date"));
      c.created_at = time_of(when, w.line, "wp:comment_date_gmt");
      auto user = trimmed(w.text("wp:comment_user_id"));
      c.author =
          author_of(w.text("wp:comment_author_email"), w.text("wp:comment_author"), user == "0" ? std::string() : user);
      auto approved = trimmed(w.text("wp:comment_approved"));
      if (approved == "spam")
        c.status = CommentStatus::rejected;
      else if (approved == "trash" || approved == "post-trashed")
        c.status = CommentStatus::deleted;
      else if (approved != "1")
        c.status = CommentStatus::pending;
      auto kind = trimmed(w.text("wp:comment_type"));
      if (kind == "pingback" || kind == "trackback") c.skip = kind;
      sink.comment(std::move(c));
    }
  });
}

std::string string_at(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

const json::object* object_at(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_object() ? &v->get_object() : nullptr;
}

void read_remark42(std::istream& in, const SourceSink& sink) {
  std::set<std::string> threads;  // the addresses already announced
  std::string line;
  int64_t n = 0;
  bool header = true;
  while (std::getline(in, line)) {
    ++n;
    if (line.size() > kMaxLine) throw bad_item(n, "a line longer than 8 MiB");
    if (trimmed(line).empty()) continue;
    std::error_code ec;
    auto value = json::parse(line, ec);
    if (ec || !value.is_object()) throw bad_item(n, "not a JSON object (a Remark42 backup has one per line)");
    const auto& o = value.get_object();
    if (header) {
      header = false;
      if (o.contains("version") && !o.contains("id")) {
        auto* v = o.if_contains("version");
        if (!v->is_int64() || (v->get_int64() != 0 && v->get_int64() != 1))
          throw bad_item(n, "a Remark42 backup of a version this reader does not know");
        continue;
      }
      throw bad_item(n, "this is not a Remark42 backup (its first line is not {\"version\": 1, ...})");
    }
    SourceComment c;
    c.line = n;
    c.key = string_at(o, "id");
    if (c.key.empty()) throw bad_item(n, "a comment without \"id\"");
    const auto* locator = object_at(o, "locator");
    std::string url = locator ? string_at(*locator, "url") : std::string();
    if (url.empty()) throw bad_item(n, "a comment without \"locator\": {\"url\": ...}");
    c.created_at = time_of(string_at(o, "time"), n, "time");
    if (!threads.contains(url)) {
      threads.insert(url);
      SourceThread t;
      t.line = n;
      t.key = url;
      t.url = url;
      t.title = trimmed(string_at(o, "title"));
      t.created_at = c.created_at;
      sink.thread(std::move(t));
    }
    c.thread_key = url;
    c.parent_key = string_at(o, "pid");
    c.html = string_at(o, "text");
    const auto* user = object_at(o, "user");
    c.author =
        author_of({}, user ? string_at(*user, "name") : std::string(), user ? string_at(*user, "id") : std::string());
    if (auto* d = o.if_contains("delete"); d && d->is_bool() && d->get_bool()) c.status = CommentStatus::deleted;
    if (const auto* votes = object_at(o, "votes")) {
      for (const auto& [k, v] : *votes)
        if (v.is_bool() && v.get_bool()) ++c.likes;
    } else if (auto* score = o.if_contains("score"); score && score->is_int64()) {
      c.likes = std::max<int64_t>(0, score->get_int64());
    }
    sink.comment(std::move(c));
  }
  if (in.bad()) throw Error(ErrorKind::unavailable, "read_failed", "the file could not be read");
  if (header) throw bad_item(1, "this is not a Remark42 backup: the file is empty");
}

}  // namespace

std::optional<Format> parse_format(std::string_view name) {
  if (name == "disqus") return Format::disqus;
  if (name == "wordpress") return Format::wordpress;
  if (name == "remark42") return Format::remark42;
  return std::nullopt;
}

std::string_view to_string(Format f) {
  switch (f) {
    case Format::disqus:
      return "disqus";
    case Format::wordpress:
      return "wordpress";
    case Format::remark42:
      return "remark42";
  }
  return "disqus";
}

void read_source(Format f, std::istream& in, const SourceSink& sink) {
  switch (f) {
    case Format::disqus:
      return read_disqus(in, sink);
    case Format::wordpress:
      return read_wordpress(in, sink);
    case Format::remark42:
      return read_remark42(in, sink);
  }
}

}  // namespace tribune::imports

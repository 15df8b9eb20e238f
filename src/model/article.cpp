#include "model/article.h"

#include <unicode/translit.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <memory>
#include <mutex>

#include "model/error.h"
#include "model/image.h"

namespace tribune {

std::string_view to_string(CommentsMode m) {
  switch (m) {
    case CommentsMode::open:
      return "open";
    case CommentsMode::closed:
      return "closed";
    case CommentsMode::premoderated:
      return "premoderated";
    case CommentsMode::site_default:
      break;
  }
  return "default";
}

std::optional<CommentsMode> parse_comments_mode(std::string_view s) {
  if (s == "open") return CommentsMode::open;
  if (s == "closed") return CommentsMode::closed;
  if (s == "premoderated") return CommentsMode::premoderated;
  if (s == "default") return CommentsMode::site_default;
  return std::nullopt;
}

std::string_view to_string(ArticleState s) {
  switch (s) {
    case ArticleState::draft:
      return "draft";
    case ArticleState::retracted:
      return "retracted";
    case ArticleState::deleted:
      return "deleted";
    case ArticleState::published:
      break;
  }
  return "published";
}

std::optional<ArticleState> parse_article_state(std::string_view s) {
  if (s == "draft") return ArticleState::draft;
  if (s == "published") return ArticleState::published;
  if (s == "retracted") return ArticleState::retracted;
  if (s == "deleted") return ArticleState::deleted;
  return std::nullopt;
}

std::optional<DeskStatus> parse_desk_status(std::string_view s) {
  if (s.empty() || s == "any") return DeskStatus::any;
  if (s == "scheduled") return DeskStatus::scheduled;
  if (auto state = parse_article_state(s)) {
    switch (*state) {
      case ArticleState::draft:
        return DeskStatus::draft;
      case ArticleState::published:
        return DeskStatus::published;
      case ArticleState::retracted:
        return DeskStatus::retracted;
      case ArticleState::deleted:
        return DeskStatus::deleted;
    }
  }
  return std::nullopt;
}

std::string_view desk_status(const Article& a, TimePoint now) {
  if (a.state == ArticleState::published && a.published_at > now) return "scheduled";
  return to_string(a.state);
}

bool is_valid_slug(std::string_view s) {
  if (s.empty() || s.size() > kMaxSlug || s.front() == '-' || s.back() == '-') return false;
  char prev = 0;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok || (c == '-' && prev == '-')) return false;
    prev = c;
  }
  return true;
}

namespace {

// "Tomás Ferreira" -> "Tomas Ferreira": ICU transliteration to ASCII before slugging.
std::string to_ascii(std::string_view text) {
  static std::mutex mu;
  static std::unique_ptr<icu::Transliterator> translit = [] {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::Transliterator> t(
        icu::Transliterator::createInstance("Any-Latin; Latin-ASCII", UTRANS_FORWARD, status));
    return U_SUCCESS(status) ? std::move(t) : nullptr;
  }();
  if (!translit) return std::string(text);
  auto u = icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  {
    std::lock_guard lock(mu);
    translit->transliterate(u);
  }
  std::string out;
  u.toUTF8String(out);
  return out;
}

}  // namespace

std::string slugify(std::string_view input) {
  std::string ascii = to_ascii(input);
  std::string_view text = ascii;
  std::string out;
  bool pending_dash = false;
  for (char c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      if (pending_dash && !out.empty()) out += '-';
      pending_dash = false;
      out += c;
      if (out.size() >= kMaxSlug) break;
    } else if (c != '\'') {
      pending_dash = true;
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

std::string tag_slug(std::string_view name) {
  // "C#" and "C++" are not "C": a '#' or '+' after a letter or digit (or a '+') is a word of its own.
  std::string spelled;
  char prev = 0;
  for (char c : name) {
    bool after_word = std::isalnum(static_cast<unsigned char>(prev)) != 0 || (c == '+' && prev == '+');
    if (c == '#' && after_word)
      spelled += " sharp ";
    else if (c == '+' && after_word)
      spelled += " plus ";
    else
      spelled += c;
    prev = c;
  }
  std::string slug = slugify(spelled);
  if (!slug.empty()) return slug;
  uint32_t h = 2166136261U;  // FNV-1a: stable across builds and engines (slugs are stored)
  for (char c : name) h = (h ^ static_cast<unsigned char>(c)) * 16777619U;
  char out[16];
  std::snprintf(out, sizeof out, "tag-%08x", h);
  return out;
}

bool is_reserved_section_slug(std::string_view slug) {
  static constexpr auto reserved = std::to_array<std::string_view>(
      {"verify",     "forgot",           "reset",       "api",         "assets",     "authors",
       "sections",   "feed.xml",         "sitemap.xml", "healthz",     "metrics",    "register",
       "comment",    "comments",         "signin",      "signout",     "account",    "admin",
       "moderation", "support",          "webhooks",    "readers",     "tags",       "favicon.ico",
       "following",  "notifications",    "desk",        "corrections", "media",      "sitemaps",
       "feed.atom",  "sitemap-news.xml", "search",      "embed",       "robots.txt", "embed.js"});
  for (auto r : reserved)
    if (slug == r) return true;
  return is_standard_page(slug);
}

namespace {

void check_text(const std::string& value, std::string_view field, size_t max, bool required) {
  std::string f(field);
  if (required && trim(value).empty()) throw invalid_field(f, "missing_field", f + " is required.");
  if (!is_valid_utf8(value)) throw invalid_field(f, "invalid_utf8", f + " is not valid UTF-8.");
  if (has_control_chars(value)) throw invalid_field(f, "control_characters", f + " contains control characters.");
  if (value.size() > max) throw invalid_field(f, "too_long", f + " is longer than " + std::to_string(max) + " bytes.");
}

void check_single_line(const std::string& value, std::string_view field) {
  if (value.find_first_of("\r\n") != std::string::npos)
    throw invalid_field(std::string(field), "not_single_line", std::string(field) + " must be a single line.");
}

bool is_http_url(std::string_view url) {
  if (url.starts_with("https://"))
    url.remove_prefix(8);
  else if (url.starts_with("http://"))
    url.remove_prefix(7);
  else
    return false;
  if (url.empty() || url.front() == '/') return false;
  for (char c : url)
    if (static_cast<unsigned char>(c) <= 0x20 || c == '"' || c == '<' || c == '>' || c == '\\') return false;
  return true;
}

}  // namespace

const StandardPage* find_standard_page(std::string_view slug) {
  auto it = std::ranges::find(kStandardPages, slug, &StandardPage::slug);
  return it == std::end(kStandardPages) ? nullptr : &*it;
}

void validate_page(Page& p) {
  check_text(p.title, "title", kMaxTitle, true);
  check_single_line(p.title, "title");
  p.title = trim(p.title);
  check_text(p.description, "description", kMaxStandfirst, false);
  check_single_line(p.description, "description");
  p.description = trim(p.description);
  check_text(p.body_markdown, "body", kMaxPageBody, true);
}

namespace {

void check_name_and_slug(std::string& name, std::string& slug) {
  check_text(name, "name", kMaxName, true);
  check_single_line(name, "name");
  name = trim(name);
  if (slugify(name).empty()) throw invalid_field("name", "invalid_name", "a name needs letters or digits.");
  if (!is_valid_slug(slug))
    throw invalid_field("slug", "invalid_slug",
                        "slug must be 1 to 80 characters of a-z, 0-9 and single hyphens, not starting or ending "
                        "with a hyphen.");
}

}  // namespace

void validate_section(Section& s) {
  check_name_and_slug(s.name, s.slug);
  if (is_reserved_section_slug(s.slug))
    throw invalid_field("slug", "reserved_name", "the address /" + s.slug + " belongs to another page.");
  check_text(s.description, "description", kMaxSectionDescription, false);
  s.description = trim(s.description);
}

std::string validate_tag_name(const std::string& name, std::string_view field) {
  check_text(name, field, kMaxName, true);
  check_single_line(name, field);
  return trim(name);
}

void validate_author(Author& a) {
  check_name_and_slug(a.name, a.slug);
  check_text(a.bio, "bio", kMaxBio, false);
  a.bio = trim(a.bio);
  if (!a.photo.empty() && !is_valid_image_id(a.photo))
    throw invalid_field("photo", "invalid_image", "photo must be an image id (32 hex digits) from an upload.");
}

void validate_draft(ArticleDraft& d) {
  check_text(d.title, "title", kMaxTitle, true);
  check_single_line(d.title, "title");
  d.title = trim(d.title);
  check_text(d.standfirst, "standfirst", kMaxStandfirst, false);
  d.standfirst = trim(d.standfirst);
  check_text(d.description, "description", kMaxDescription, false);
  check_single_line(d.description, "description");
  d.description = trim(d.description);
  check_text(d.body_markdown, "body", kMaxBody, true);
  if (d.slug.empty()) d.slug = slugify(d.title);
  if (!is_valid_slug(d.slug))
    throw invalid_field("slug", "invalid_slug",
                        "slug must be 1 to 80 characters of a-z, 0-9 and single hyphens, not starting or ending "
                        "with a hyphen.");
  if (!d.previous_slug.empty() && !is_valid_slug(d.previous_slug)) throw not_found("The article");
  if (d.authors.empty()) throw invalid_field("authors", "missing_field", "authors is required.");
  if (d.authors.size() > kMaxAuthors) throw invalid_field("authors", "too_many", "at most 10 authors.");
  for (auto& a : d.authors) {
    check_text(a, "authors", kMaxName, true);
    check_single_line(a, "authors");
    a = trim(a);
    if (slugify(a).empty()) throw invalid_field("authors", "invalid_name", "an author name needs letters or digits.");
  }
  check_text(d.author_bio, "author_bio", kMaxStandfirst, false);
  d.author_bio = trim(d.author_bio);
  check_text(d.section, "section", kMaxName, true);
  check_single_line(d.section, "section");
  d.section = trim(d.section);
  auto section_slug = slugify(d.section);
  if (section_slug.empty()) throw invalid_field("section", "invalid_name", "a section name needs letters or digits.");
  if (!d.lead_image.empty() && !is_valid_image_id(d.lead_image))
    throw invalid_field("image", "invalid_image", "image must be an image id (32 hex digits) from an upload.");
  if (d.tags.size() > kMaxTags) throw invalid_field("tags", "too_many", "at most 20 tags.");
  for (auto& t : d.tags) t = validate_tag_name(t, "tags");
  check_text(d.correction, "correction", kMaxCorrection, false);
  d.correction = trim(d.correction);
  check_text(d.source_name, "source_name", kMaxName, false);
  check_single_line(d.source_name, "source_name");
  check_text(d.source_url, "source_url", 2000, false);
  if (!d.source_url.empty() && !is_http_url(d.source_url))
    throw invalid_field("source_url", "invalid_url", "source_url must be an http or https URL.");
  if (!d.source_url.empty() && d.source_name.empty())
    throw invalid_field("source_name", "missing_field", "source_name is required when source_url is set.");
  if (d.state && *d.state != ArticleState::draft && *d.state != ArticleState::published)
    throw invalid_field("status", "invalid_status", "status must be draft or published.");
}

Error reserved_section_name(const std::string& name) {
  return invalid_field("section", "reserved_name", "section name '" + name + "' is reserved.");
}

Error slug_fixed() {
  return invalid_field("slug", "slug_fixed",
                       "An article keeps its address once it has been published: only a draft's address can change.");
}

std::string validate_retraction(std::string_view note) {
  std::string text(note);
  check_text(text, "note", kMaxRetraction, true);
  return trim(text);
}

}  // namespace tribune

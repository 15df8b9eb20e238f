// Articles, their authors and sections: the data model and the rules that make a draft publishable.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/account.h"
#include "model/error.h"
#include "util/text.h"

namespace tribune {

struct Author {
  int64_t id = 0;
  std::string slug;
  std::string name;
  std::string bio;       // one sentence, "X is Y.", shown at the end of the author's articles
  std::string photo;     // an image id (model/image.h) shown on the author's page; empty: none
  int64_t articles = 0;  // the desk's listing only: articles in any state that name the author
};

struct Section {
  int64_t id = 0;
  std::string slug;
  std::string name;
  std::string description;  // the section page's introduction; empty: none
  int64_t articles = 0;     // the desk's listing only: articles in any state in the section
};

// A tag is named by its text in articles; its slug (tag_slug) addresses its page, /tags/{slug}. Names whose
// slugs agree are one tag ("Climate" and "climate"): the first stored name is the tag's.
struct Tag {
  std::string slug;
  std::string name;
  int64_t articles = 0;  // listings only: articles in any state that carry it
};
// slugify(name) with a '#' or '+' after a word spelled out ("C#": c-sharp, "C++": c-plus-plus), or "tag-" and 8
// hex digits of a hash of the name when nothing of it survives slugify.
std::string tag_slug(std::string_view name);

// What the desk may change of a section or an author (the fields it does not use are ignored).
// A slug change leaves a redirect from the old slug; names in article drafts that led to the old one still
// lead to this one.
inline constexpr size_t kMaxSectionDescription = 1000;
inline constexpr size_t kMaxBio = 1000;
// Checks name (required, one line), slug (is_valid_slug, and for sections not reserved) and the texts.
// Throws Error(invalid) naming the field. Trims.
void validate_section(Section& s);
void validate_author(Author& a);
// A tag's text as drafts carry it: required, one line, at most kMaxName. Returns it trimmed.
std::string validate_tag_name(const std::string& name, std::string_view field);

// premoderated: open whatever the site policy, every comment held for a moderator first.
enum class CommentsMode { site_default, open, closed, premoderated };
std::string_view to_string(CommentsMode m);
std::optional<CommentsMode> parse_comments_mode(std::string_view s);

// Where an article is in its life. A scheduled article is a published one whose time has not come.
//   draft:     not public (its URL 404s); an editor's work in progress, or a piece taken back (unpublished)
//   published: public from published_at on, in listings, feeds and the sitemap
//   retracted: still at its URL with a retraction notice; out of listings, feeds and the sitemap
//   deleted:   its URL answers 410 Gone; the row stays, so its comments stay for moderators
enum class ArticleState { draft, published, retracted, deleted };
std::string_view to_string(ArticleState s);
std::optional<ArticleState> parse_article_state(std::string_view s);

struct Article {
  int64_t id = 0;
  std::string slug;
  std::string title;
  std::string standfirst;
  std::vector<Author> authors;
  Section section;
  std::vector<std::string> tags;
  TimePoint published_at{};
  TimePoint updated_at{};    // the last change of its content; its publication time until it is first corrected
  std::string correction;    // an editor's note on what a correction changed; empty: none
  TimePoint corrected_at{};  // when that note was written (a save that changes it); with a note only
  std::string body_markdown;
  std::string body_html;    // rendered once, at publish time
  std::string source_name;  // syndication: "This article first appeared in <source_name>"
  std::string source_url;
  CommentsMode comments = CommentsMode::site_default;
  int64_t comment_count = 0;
  int64_t version = 1;  // bumped by every change; part of every cache key derived from the article
  ArticleState state = ArticleState::published;
  std::string retraction;  // retracted: the editor's note on why
  TimePoint retracted_at{};
  std::string lead_image;   // the id of its lead image (model/image.h); empty: none
  std::string description;  // for search engines and sharing cards; empty: the standfirst stands in
  bool went_out = false;    // it has been public (published, retracted): its address is fixed, even as a draft
  // A story: the conversation of another site's page, embedded there (store/roles/embed.h). Its address is
  // that page's; it is in no listing, feed or sitemap. Empty: one of this publication's articles.
  std::string embed_url;
};

// What an editor submits: from front matter or the JSON API. Names, not ids.
struct ArticleDraft {
  std::string slug;  // optional: derived from the title when empty
  // Set when a draft moves to `slug`: its address until now. Only a draft's address changes (once a piece has
  // been out, its address is its identity); see ArticleService::publish.
  std::string previous_slug;
  std::string title;
  std::string standfirst;
  std::vector<std::string> authors;
  std::string author_bio;  // optional: sets the first author's bio
  std::string section;
  std::vector<std::string> tags;
  std::optional<TimePoint> published_at;  // absent: now for a new article, unchanged for an update
  std::string correction;                 // optional: "An earlier version gave the wrong date of ..."
  std::string body_markdown;
  std::string source_name;
  std::string source_url;
  CommentsMode comments = CommentsMode::site_default;
  // draft or published (the other states have acts of their own); absent: a new article is published, an
  // existing one keeps its state (saving a retracted piece's text does not reinstate it).
  std::optional<ArticleState> state;
  std::string lead_image;   // an image id (model/image.h), uploaded first; empty: none
  std::string description;  // the search and sharing description (one line); empty: the standfirst's
};

// Limits on article fields; also documented in docs/api.md.
inline constexpr size_t kMaxSlug = 80;
inline constexpr size_t kMaxTitle = 300;
inline constexpr size_t kMaxStandfirst = 1000;
inline constexpr size_t kMaxBody = size_t{512} * 1024;
inline constexpr size_t kMaxAuthors = 10;
inline constexpr size_t kMaxTags = 20;
inline constexpr size_t kMaxName = 120;
inline constexpr size_t kMaxCorrection = 1000;
inline constexpr size_t kMaxRetraction = 1000;
inline constexpr size_t kMaxDescription = 300;

// True for 1..80 characters of [a-z0-9] in hyphen-separated runs ("night-trains-2026").
bool is_valid_slug(std::string_view s);
// "Night trains: a return?" -> "night-trains-a-return". ASCII letters and digits survive, the rest separate.
std::string slugify(std::string_view text);

// Checks every field and fills the derived ones (slug). Throws Error(invalid) naming the first bad field.
// (previous_slug: only its form; an invalid one is Error(not_found), as no article has it.)
void validate_draft(ArticleDraft& draft);
// A draft naming a new section whose address a fixed page has (checked where the section would be created:
// an existing section keeps its name whatever its slug, "Comment" at /opinion).
Error reserved_section_name(const std::string& name);
// A save that would move the address of an article that is not a draft.
Error slug_fixed();
// A retraction's note (required, at most kMaxRetraction): trimmed, or Error(invalid) on field "note".
std::string validate_retraction(std::string_view note);

// The publication's own pages (About, Privacy, ...): Markdown rendered once when saved, served at /{slug}.
struct Page {
  std::string slug;
  std::string title;
  std::string description;  // the meta description; empty: the site's
  std::string body_markdown;
  std::string body_html;
  TimePoint updated_at{};
  int64_t version = 0;  // 1 when first saved, bumped by every save; 0: never saved (the built-in text)
};

// The pages every publication has, in footer order. A page not yet written shows Tribune's own text
// (src/web/pages/), which the publication replaces from the desk or the API.
struct StandardPage {
  std::string_view slug;
  std::string_view title;
};
inline constexpr StandardPage kStandardPages[] = {{"about", "About us"},
                                                  {"contact", "Contact"},
                                                  {"community-guidelines", "Community guidelines"},
                                                  {"privacy", "Privacy notice"},
                                                  {"terms", "Terms of use"}};
// The standard page with this slug, or nullptr.
const StandardPage* find_standard_page(std::string_view slug);
inline bool is_standard_page(std::string_view slug) {
  return find_standard_page(slug) != nullptr;
}
inline constexpr size_t kMaxPageBody = size_t{128} * 1024;

// Checks title (required, one line), description (one line) and body (required). Throws Error(invalid).
void validate_page(Page& page);

// Section slugs that would shadow a fixed route.
bool is_reserved_section_slug(std::string_view slug);

// What the store is asked for and answers about articles.

// Keyset position in the (published_at DESC, id DESC) order of articles.
struct ArticleCursor {
  int64_t published_at = 0;
  int64_t id = 0;
};

// The desk's view of an article's state, with scheduled told apart from published.
enum class DeskStatus { any, draft, scheduled, published, retracted, deleted };
std::optional<DeskStatus> parse_desk_status(std::string_view s);
// "scheduled" for a published article whose time has not come at `now`, else the state's name.
std::string_view desk_status(const Article& a, TimePoint now);

struct ArticleQuery {
  // Readers' listings (desk = false): published articles whose time is at or before visible_at.
  // The desk (desk = true): articles in any state, or in `status` (scheduled and published are told apart by
  // visible_at), whose headline contains title_contains (any case).
  TimePoint visible_at{};
  std::optional<std::string> section_slug;
  std::optional<std::string> author_slug;
  std::optional<std::string> tag;
  std::optional<ArticleCursor> after;  // exclusive
  int limit = 20;
  bool with_body = false;  // listings skip the body columns
  bool desk = false;
  DeskStatus status = DeskStatus::any;
  std::string title_contains;
  // Readers' listing of corrections: articles with a correction note, newest note first (no cursor: the
  // most recent `limit`).
  bool corrections = false;
};

struct ArticleList {
  std::vector<Article> articles;
  std::optional<ArticleCursor> next;  // set when more rows follow
};

// An article ready to store: validated, body rendered.
struct ArticleRecord {
  ArticleDraft draft;
  std::string body_html;
  TimePoint published_at{};
  TimePoint updated_at{};
  ArticleState state = ArticleState::published;
  // Set: the article must still be at this version (an editor saving what they loaded), else
  // Error(conflict, "edit_conflict") and nothing changes. 0: it must not exist yet.
  std::optional<int64_t> expected_version;
  // The revision this save leaves: who saved, when, and the fields as saved (JSON, written and read by
  // domain/articles.cpp). Stored in the same transaction as the article; none when snapshot is empty.
  std::string saved_by;
  TimePoint saved_at{};
  std::string snapshot;
};

// One save of an article, kept for the desk: view it, compare it, restore it.
struct ArticleRevision {
  int64_t id = 0;
  int64_t article_id = 0;
  int64_t version = 0;  // the article's version this save made
  TimePoint saved_at{};
  std::string saved_by;  // the editor's name, or the API token's
  std::string snapshot;  // empty in lists
};

struct ApiToken {
  int64_t id = 0;
  std::string name;
  Role role = Role::reader;
  TimePoint created_at{};
  std::optional<TimePoint> last_used_at;  // to the minute (see TokenService::authenticate); never: nullopt
  std::optional<TimePoint> revoked_at;
};

}  // namespace tribune

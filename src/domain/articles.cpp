#include "domain/articles.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
#include <map>
#include <tuple>

#include "domain/markdown.h"
#include "model/error.h"
#include "util/embedded.h"

namespace tribune {

ArticleService::ArticleService(ArticleStore& store, Locality locality, const ImageService* images, Now now)
    : store_(store), locality_(std::move(locality)), images_(images), now_(std::move(now)) {
  listeners_.push_back([this](const Article&) { forget_remembered(); });
  structure_listeners_.push_back([this] { forget_remembered(); });
}

std::optional<Image> ArticleService::lead_image(const Article& a) const {
  return a.lead_image.empty() ? std::nullopt : find_image(a.lead_image);
}

std::optional<Image> ArticleService::find_image(std::string_view id) const {
  if (!images_) return std::nullopt;
  return images_->find(id);
}

std::string ArticleService::render_body(std::string_view markdown) const {
  MarkdownOptions options;
  if (images_)
    options.image_html = [this](const std::string& url, const std::string& alt, const std::string& title,
                                bool alone) -> std::string {
      // "/media/{id}" or any rendition's address "/media/{id}/{width}.{ext}": the whole picture.
      if (!url.starts_with("/media/")) return {};
      std::string_view id = std::string_view(url).substr(7, 32);
      auto image = images_->find(id);
      if (!image) return {};
      // The text written next to the picture wins, held to the same rules as the image's own (else ignored).
      if (auto a = trim(alt); !a.empty() && a.size() <= kMaxAlt) image->text.alt = a;
      if (auto t = trim(title); !t.empty() && t.size() <= kMaxCaption) image->text.caption = t;
      constexpr std::string_view sizes = "(min-width: 48rem) 42rem, 100vw";
      return alone ? figure_html(*image, sizes, true, "body-image") : picture_html(*image, sizes, true);
    };
  return render_markdown(markdown, options);
}

namespace {

bool changes_content(const Article& a, const ArticleDraft& d, const ArticleRecord& r) {
  std::vector<std::string> authors;
  for (const auto& au : a.authors) authors.push_back(au.name);
  std::string bio = a.authors.empty() ? std::string() : a.authors.front().bio;
  std::vector<std::string> tags = d.tags;  // stored once each, read back in byte order
  std::ranges::sort(tags);
  tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
  return a.title != d.title || a.standfirst != d.standfirst || a.body_html != r.body_html ||
         a.section.name != d.section || authors != d.authors || (!d.author_bio.empty() && bio != d.author_bio) ||
         a.tags != tags || a.source_name != d.source_name || a.source_url != d.source_url ||
         a.correction != d.correction || a.published_at != r.published_at || a.lead_image != d.lead_image;
}

// A revision's fields as JSON: what the editor saved, enough to show it and to save it again.
std::string snapshot_of(const ArticleDraft& d, const ArticleRecord& r) {
  auto list = [](const std::vector<std::string>& v) {
    boost::json::array a;
    for (const auto& s : v) a.emplace_back(s);
    return a;
  };
  return boost::json::serialize(boost::json::object{{"title", d.title},
                                                    {"standfirst", d.standfirst},
                                                    {"authors", list(d.authors)},
                                                    {"author_bio", d.author_bio},
                                                    {"section", d.section},
                                                    {"tags", list(d.tags)},
                                                    {"published_at", format_rfc3339(r.published_at)},
                                                    {"body", d.body_markdown},
                                                    {"source_name", d.source_name},
                                                    {"source_url", d.source_url},
                                                    {"correction", d.correction},
                                                    {"comments", std::string(to_string(d.comments))},
                                                    {"state", std::string(to_string(r.state))},
                                                    {"image", d.lead_image},
                                                    {"description", d.description}});
}

ArticleDraft draft_of_snapshot(const std::string& snapshot) {
  boost::system::error_code ec;
  auto v = boost::json::parse(snapshot, ec);
  if (ec || !v.is_object()) throw Error(ErrorKind::internal, "store_error", "a revision could not be read.");
  const auto& o = v.as_object();
  auto text = [&](std::string_view key) {
    auto it = o.find(key);
    return it != o.end() && it->value().is_string() ? std::string(it->value().as_string()) : std::string();
  };
  auto list = [&](std::string_view key) {
    std::vector<std::string> out;
    if (auto it = o.find(key); it != o.end() && it->value().is_array())
      for (const auto& x : it->value().as_array())
        if (x.is_string()) out.emplace_back(x.as_string());
    return out;
  };
  ArticleDraft d;
  d.title = text("title");
  d.standfirst = text("standfirst");
  d.authors = list("authors");
  d.author_bio = text("author_bio");
  d.section = text("section");
  d.tags = list("tags");
  d.published_at = parse_rfc3339(text("published_at"));
  d.body_markdown = text("body");
  d.source_name = text("source_name");
  d.source_url = text("source_url");
  d.lead_image = text("image");
  d.description = text("description");
  d.correction = text("correction");
  d.comments = parse_comments_mode(text("comments")).value_or(CommentsMode::site_default);
  d.state = parse_article_state(text("state"));
  return d;
}

}  // namespace

void ArticleService::log_act(const DeskActor& by, const std::string& action, const std::string& detail) {
  if (!audit_) return;
  // The account acting is named by the log itself; a token or the command line only here.
  audit_->audit(by.id, action, std::nullopt, by.id || by.name.empty() ? detail : detail + " (by " + by.name + ")");
}

namespace {

std::string described(const Article& a) {
  return "“" + a.title + "” (" + a.slug + ")";
}

}  // namespace

Article ArticleService::publish(ArticleDraft draft, bool replace, std::optional<int64_t> expected_version,
                                const DeskActor& saved_by) {
  validate_draft(draft);
  if (images_)
    images_->check_exists(draft.lead_image, "image");
  else if (!draft.lead_image.empty())
    throw invalid_field("image", "no_such_image", "This publication keeps no images.");
  ArticleRecord record;
  record.body_html = render_body(draft.body_markdown);
  record.expected_version = expected_version;
  record.saved_by = saved_by.name;
  // An update keeps the article's date (and so its URL and its place in the feed) unless it names a new one;
  // it counts as a change, dated now, only when what a reader sees changed. A draft carries the time it was
  // last saved until it goes out.
  if (draft.previous_slug == draft.slug) draft.previous_slug.clear();
  const auto& at = draft.previous_slug.empty() ? draft.slug : draft.previous_slug;
  auto existing = replace || expected_version || !draft.previous_slug.empty() ? store_.find_article(at) : std::nullopt;
  if (!draft.previous_slug.empty()) {
    if (!existing) throw not_found("The article");
    if (existing->state != ArticleState::draft || existing->went_out) throw slug_fixed();
  }
  auto now = now_();
  if (existing) {
    record.state = draft.state.value_or(existing->state);
    bool going_out = existing->state == ArticleState::draft && record.state == ArticleState::published;
    if (record.state == ArticleState::draft) {  // updated_at: its last save; published_at: the time set, if any
      record.published_at = draft.published_at.value_or(now);
      record.updated_at = now;
    } else if (going_out) {
      record.published_at = draft.published_at.value_or(now);
      record.updated_at = record.published_at;
    } else {
      record.published_at = draft.published_at.value_or(existing->published_at);
      record.updated_at = changes_content(*existing, draft, record) ? now : existing->updated_at;
    }
  } else {
    record.state = draft.state.value_or(ArticleState::published);
    record.published_at = draft.published_at.value_or(now);
    record.updated_at = record.state == ArticleState::draft ? now : record.published_at;
  }
  record.saved_at = now;
  record.snapshot = snapshot_of(draft, record);
  record.draft = std::move(draft);
  Article saved = store_.save_article(record, replace);
  // A draft saved as a draft (an autosave every few seconds) changes nothing readers see: caches stay.
  bool unseen = (!existing || existing->state == ArticleState::draft) && saved.state == ArticleState::draft;
  if (!unseen)
    for (auto& l : listeners_) l(saved);
  if ((!existing || existing->state != ArticleState::published) && saved.state == ArticleState::published)
    log_act(saved_by, "publish_article", described(saved));
  return saved;
}

std::vector<ArticleRevision> ArticleService::revisions(std::string_view slug) const {
  auto a = find_any(slug);
  if (!a) throw not_found("The article");
  return store_.article_revisions(a->id);
}

std::optional<ArticleService::Revision> ArticleService::revision(std::string_view slug, int64_t revision_id) const {
  auto a = find_any(slug);
  if (!a) throw not_found("The article");
  auto meta = store_.find_article_revision(a->id, revision_id);
  if (!meta) return std::nullopt;
  auto draft = draft_of_snapshot(meta->snapshot);
  return Revision{std::move(*meta), std::move(draft)};
}

Article ArticleService::restore(std::string_view slug, int64_t revision_id, std::optional<int64_t> expected_version,
                                const DeskActor& saved_by) {
  auto current = find_any(slug);
  if (!current) throw not_found("The article");
  auto r = revision(slug, revision_id);
  if (!r) throw not_found("The revision");
  ArticleDraft draft = std::move(r->draft);
  draft.slug = current->slug;
  draft.state.reset();                         // restoring text is not publishing or unpublishing,
  draft.published_at = current->published_at;  // nor moving the date,
  draft.correction = current->correction;      // nor taking back a correction made since,
  draft.author_bio.clear();                    // nor rewriting the author's bio on every article
  // A revision saved before articles had images says nothing of one: the current lead image stays.
  if (r->meta.snapshot.find("\"image\":") == std::string::npos) draft.lead_image = current->lead_image;
  Article restored = publish(std::move(draft), true, expected_version, saved_by);
  log_act(saved_by, "restore_revision", described(restored) + ", the save of " + format_rfc3339(r->meta.saved_at));
  return restored;
}

Article ArticleService::unpublish(std::string_view slug, const DeskActor& by) {
  Article changed = store_.set_article_state(slug, ArticleState::draft, "", now_());
  for (auto& l : listeners_) l(changed);
  log_act(by, "unpublish_article", described(changed));
  return changed;
}

Article ArticleService::retract(std::string_view slug, std::string_view note, const DeskActor& by) {
  auto current = find_any(slug);
  if (!current) throw not_found("The article");
  if (current->state == ArticleState::draft || current->state == ArticleState::deleted ||
      current->published_at > now_())
    throw Error(ErrorKind::conflict, "not_published",
                "Only a published article can be retracted (a scheduled one can be unpublished).");
  Article changed = store_.set_article_state(slug, ArticleState::retracted, validate_retraction(note), now_());
  for (auto& l : listeners_) l(changed);
  log_act(by, "retract_article", described(changed) + ": " + changed.retraction);
  return changed;
}

Article ArticleService::remove(std::string_view slug, const DeskActor& by) {
  Article changed = store_.set_article_state(slug, ArticleState::deleted, "", now_());
  for (auto& l : listeners_) l(changed);
  log_act(by, "delete_article", described(changed));
  return changed;
}

namespace {

bool readers_see(const Article& a, TimePoint now) {
  return (a.state == ArticleState::published || a.state == ArticleState::retracted) && a.published_at <= now;
}

bool readers_see(const std::optional<Article>& a, TimePoint now) {
  return a && readers_see(*a, now);
}

}  // namespace

std::optional<Article> ArticleService::find_visible(std::string_view slug) const {
  if (!is_valid_slug(slug)) return std::nullopt;
  auto a = store_.find_article(slug);
  if (!readers_see(a, now_())) return std::nullopt;
  return a;
}

std::shared_ptr<const Article> ArticleService::find_visible_remembered(std::string_view slug) const {
  if (!is_valid_slug(slug)) return nullptr;
  constexpr size_t kMaxRemembered = 4096;  // then forgotten all at once: a hot story is read again at once
  std::shared_ptr<const Article> a;
  uint64_t generation = 0;
  {
    std::lock_guard lock(remembered_->mu);
    if (auto it = remembered_->by_slug.find(slug); it != remembered_->by_slug.end()) a = it->second;
    generation = remembered_->generation;
  }
  if (!a) {
    auto stored = store_.find_article(slug);
    if (!stored) return nullptr;  // not remembered: any number of made-up slugs must not fill memory
    a = std::make_shared<const Article>(std::move(*stored));
    std::lock_guard lock(remembered_->mu);
    if (remembered_->generation == generation) {
      if (remembered_->by_slug.size() >= kMaxRemembered) remembered_->by_slug.clear();
      remembered_->by_slug.emplace(std::string(slug), a);
    }
  }
  return readers_see(*a, now_()) ? a : nullptr;
}

void ArticleService::forget_remembered() const {
  std::lock_guard lock(remembered_->mu);
  ++remembered_->generation;
  remembered_->by_slug.clear();
}

std::optional<Article> ArticleService::find_by_id(int64_t id) const {
  auto a = store_.find_article_by_id(id);
  if (!readers_see(a, now_())) return std::nullopt;
  return a;
}

void ArticleService::throw_missing(std::string_view slug, const std::string& what) const {
  auto a = is_valid_slug(slug) ? store_.find_article(slug) : std::nullopt;
  if (a && a->state == ArticleState::deleted)
    throw Error(ErrorKind::gone, "gone", what + " has been deleted by the publication.");
  throw not_found(what);
}

std::optional<Article> ArticleService::find_any(std::string_view slug) const {
  if (!is_valid_slug(slug)) return std::nullopt;
  return store_.find_article(slug);
}

std::vector<Article> ArticleService::related(const Article& a, size_t limit) const {
  struct Candidate {
    Article article;
    int shared = 0;
  };
  std::map<int64_t, Candidate> candidates;
  for (size_t i = 0; i < a.tags.size() && i < 5; ++i) {
    ArticleQuery q;
    q.tag = a.tags[i];
    q.limit = 20;
    for (auto& other : list(q).articles) {
      if (other.id == a.id) continue;
      auto& c = candidates[other.id];
      if (c.shared++ == 0) c.article = std::move(other);
    }
  }
  std::vector<Candidate> ranked;
  ranked.reserve(candidates.size());
  for (auto& [id, c] : candidates) ranked.push_back(std::move(c));
  std::ranges::sort(ranked, [](const Candidate& x, const Candidate& y) {
    return std::tie(x.shared, x.article.published_at, x.article.id) >
           std::tie(y.shared, y.article.published_at, y.article.id);
  });
  std::vector<Article> out;
  for (auto& c : ranked) {
    if (out.size() == limit) break;
    out.push_back(std::move(c.article));
  }
  if (out.size() < limit) {
    ArticleQuery q;
    q.section_slug = a.section.slug;
    q.limit = static_cast<int>(limit) + 1 + static_cast<int>(out.size());
    for (auto& other : list(q).articles) {
      if (out.size() == limit) break;
      bool taken = other.id == a.id || std::ranges::any_of(out, [&](const Article& o) { return o.id == other.id; });
      if (!taken) out.push_back(std::move(other));
    }
  }
  return out;
}

ArticleList ArticleService::list(ArticleQuery query) const {
  query.visible_at = now_();
  query.desk = false;
  query.corrections = false;
  query.title_contains.clear();
  return store_.list_articles(query);
}

std::vector<Article> ArticleService::corrections(int limit) const {
  ArticleQuery q;
  q.visible_at = now_();
  q.corrections = true;
  q.limit = limit;
  return store_.list_articles(q).articles;
}

ArticleList ArticleService::desk_list(ArticleQuery query) const {
  query.visible_at = now_();
  query.desk = true;
  return store_.list_articles(query);
}

std::optional<Author> ArticleService::find_author(std::string_view slug) const {
  if (!is_valid_slug(slug)) return std::nullopt;
  return store_.find_author(slug);
}

std::optional<Section> ArticleService::find_section(std::string_view slug) const {
  if (!is_valid_slug(slug)) return std::nullopt;
  return store_.find_section(slug);
}

std::vector<Section> ArticleService::sections() const {
  return store_.list_sections();
}
Page ArticleService::save_page(Page page, std::optional<int64_t> expected_version) {
  if (!is_standard_page(page.slug)) throw not_found("The page");
  validate_page(page);
  page.body_html = render_body(page.body_markdown);
  Page saved = store_.save_page(page, now_(), expected_version);
  for (auto& l : page_listeners_) l(saved);
  return saved;
}

std::optional<Page> ArticleService::find_page(std::string_view slug) const {
  if (!is_standard_page(slug)) return std::nullopt;
  return store_.find_page(slug);
}

std::optional<Page> ArticleService::standard_page(std::string_view slug) const {
  const StandardPage* standard = find_standard_page(slug);
  if (!standard) return std::nullopt;
  if (auto saved = store_.find_page(slug)) return saved;
  Page page;
  page.slug = std::string(slug);
  page.title = std::string(standard->title);
  auto text = embedded::file("pages/" + page.slug + ".md");
  if (!text) throw Error(ErrorKind::internal, "missing_page", "no default text for /" + page.slug);
  page.body_markdown = std::string(*text);
  const std::string_view marker = "{{site}}";
  for (auto at = page.body_markdown.find(marker); at != std::string::npos;
       at = page.body_markdown.find(marker, at + site_name_.size()))
    page.body_markdown.replace(at, marker.size(), site_name_);
  page.body_html = render_body(page.body_markdown);
  return page;
}

int64_t ArticleService::content_version() const {
  return store_.content_version();
}
std::optional<TimePoint> ArticleService::next_scheduled() const {
  return store_.next_scheduled(now_());
}

bool ArticleService::comments_premoderated(const Article& a) const {
  return a.comments == CommentsMode::premoderated || (a.comments == CommentsMode::site_default && policy_.premoderate);
}

bool ArticleService::comments_open(const Article& a) const {
  if (a.state != ArticleState::published) return false;
  if (a.comments == CommentsMode::open || a.comments == CommentsMode::premoderated) return true;
  if (a.comments == CommentsMode::closed || !policy_.open_by_default) return false;
  if (policy_.close_after_days <= 0) return true;
  return now_() < a.published_at + std::chrono::days(policy_.close_after_days);
}

std::string ArticleService::url_for(const Article& a) const {
  auto d = local_date(a.published_at, locality_);
  char date[16];
  std::snprintf(date, sizeof date, "%04d/%02d/%02d", d.year, d.month, d.day);
  return "/" + a.section.slug + "/" + date + "/" + a.slug;
}

}  // namespace tribune

// ArticleService: sections, authors and tags as the desk manages them.
#include <algorithm>
#include <utility>

#include "domain/articles.h"
#include "model/error.h"

namespace tribune {

namespace {

// "opinion", or "opinion → commentary" when the address moved: the audit log's words.
std::string moved(std::string_view from, const std::string& to) {
  return from == to ? to : std::string(from) + " → " + to;
}

}  // namespace

std::vector<Section> ArticleService::all_sections() const {
  return store_.all_sections();
}

std::vector<Author> ArticleService::all_authors() const {
  return store_.all_authors();
}

std::vector<Tag> ArticleService::all_tags() const {
  // By name in any case, the same on both engines (their lower() differ beyond ASCII).
  auto tags = store_.all_tags();
  auto key = [](const Tag& t) {
    std::string k = t.name;
    for (char& c : k)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return std::pair{k, t.name};
  };
  std::ranges::sort(tags, [&](const Tag& a, const Tag& b) { return key(a) < key(b); });
  return tags;
}

std::optional<Tag> ArticleService::find_tag(std::string_view slug) const {
  if (slug.empty() || slug.size() > kMaxSlug) return std::nullopt;
  return store_.find_tag(slug);
}

Section ArticleService::update_section(std::string_view slug, Section fields, const DeskActor& by) {
  if (!is_valid_slug(slug)) throw not_found("The section");
  validate_section(fields);
  Section saved = store_.update_section(slug, fields);
  for (auto& l : structure_listeners_) l();
  log_act(by, "edit_section", saved.name + " (" + moved(slug, saved.slug) + ")");
  return saved;
}

Author ArticleService::update_author(std::string_view slug, Author fields, const DeskActor& by) {
  if (!is_valid_slug(slug)) throw not_found("The author");
  validate_author(fields);
  if (images_)
    images_->check_exists(fields.photo, "photo");
  else if (!fields.photo.empty())
    throw invalid_field("photo", "no_such_image", "This publication keeps no images.");
  Author saved = store_.update_author(slug, fields);
  for (auto& l : structure_listeners_) l();
  log_act(by, "edit_author", saved.name + " (" + moved(slug, saved.slug) + ")");
  return saved;
}

Tag ArticleService::merge_tags(std::string_view from_slug, std::string into, const DeskActor& by) {
  if (from_slug.empty() || from_slug.size() > kMaxSlug) throw not_found("The tag");
  into = validate_tag_name(into, "into");
  Tag saved = store_.merge_tags(from_slug, into);
  for (auto& l : structure_listeners_) l();
  log_act(by, "merge_tag", std::string(from_slug) + " → " + saved.name + " (" + saved.slug + ")");
  return saved;
}

std::optional<std::string> ArticleService::redirect_of(std::string_view kind, std::string_view slug) const {
  if (slug.empty() || slug.size() > kMaxSlug) return std::nullopt;
  return store_.redirect_of(kind, slug);
}

}  // namespace tribune

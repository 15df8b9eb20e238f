// Articles, their authors and sections.
// One role of the Store (store/store.h); the Store's contract holds for every method.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/article.h"

namespace tribune {

class ArticleStore {
 public:
  virtual ~ArticleStore() = default;

  // Creates the article, or replaces the one with the same slug; bumps its version. Authors and the section
  // are created by name when new. Returns the stored article with authors and section resolved.
  // With replace=false an existing slug is an Error(conflict, "slug_taken") and nothing changes. Saves the
  // draft's state (draft or published). With record.expected_version set, an article not at that version
  // (0: one that exists) is Error(conflict, "edit_conflict") and nothing changes. With draft.previous_slug the
  // draft at that slug first moves to draft.slug: Error(conflict, "slug_taken") when another article has it,
  // slug_fixed() (model/article.h) when the article there is not a draft or has been public (went_out);
  // nothing changes then.
  // Bumps content_version unless the article was a draft (or new) and stays one: no public page changed.
  virtual Article save_article(const ArticleRecord& record, bool replace) = 0;
  // Moves the article to `state`, bumping its version and content_version. Retracted: the note and `now`
  // are its retraction; any other state clears them. Error(not_found) when there is no such slug.
  virtual Article set_article_state(std::string_view slug, ArticleState state, const std::string& note,
                                    TimePoint now) = 0;
  virtual std::optional<Article> find_article(std::string_view slug) = 0;  // any publish time, any state
  // An article's revisions, newest first, without their snapshots; and one of them with its snapshot.
  virtual std::vector<ArticleRevision> article_revisions(int64_t article_id) = 0;
  virtual std::optional<ArticleRevision> find_article_revision(int64_t article_id, int64_t revision_id) = 0;
  virtual std::optional<Article> find_article_by_id(int64_t id) = 0;
  virtual ArticleList list_articles(const ArticleQuery& query) = 0;
  virtual int64_t count_articles() = 0;
  // The earliest publish time of a published article strictly after `after`, to wake the scheduler.
  virtual std::optional<TimePoint> next_scheduled(TimePoint after) = 0;
  // A counter bumped by every change that can alter a rendered page, by any process or node sharing the
  // store. Servers poll it to keep their page caches correct when another process writes.
  virtual int64_t content_version() = 0;

  virtual std::optional<Author> find_author(std::string_view slug) = 0;
  virtual std::optional<Section> find_section(std::string_view slug) = 0;
  // The sections readers may see: those with a published (or retracted) article. A draft's new section
  // stays off the navigation until the draft goes out; so does its first author's bio.
  virtual std::vector<Section> list_sections() = 0;

  // --- Sections, authors and tags as the desk manages them. Drafts name them by name: a name resolves to
  // the one with that name, else the one with its slug, else the one its slug was renamed or merged into
  // (redirect_of), else a new one.
  // Every section and author by name, each with the count of articles (any state) naming it.
  virtual std::vector<Section> all_sections() = 0;
  virtual std::vector<Author> all_authors() = 0;
  // Saves the fields the desk edits (section: name, slug, description; author: name, slug, bio, photo) of
  // the one at `slug`. A new slug leaves a redirect from the old one (and from slugs that redirected to it).
  // Error(not_found) when there is none; Error(conflict, "slug_taken") when another has the new slug.
  // Bumps content_version. Returns it as stored.
  virtual Section update_section(std::string_view slug, const Section& fields) = 0;
  virtual Author update_author(std::string_view slug, const Author& fields) = 0;
  // Every tag by name, each with the count of articles (any state) carrying it.
  virtual std::vector<Tag> all_tags() = 0;
  virtual std::optional<Tag> find_tag(std::string_view slug) = 0;
  // Every article tagged `from_slug` carries the tag named `into` instead (resolved as drafts' names are:
  // created when new, so a merge into a new name renames); `from_slug` then redirects to it. Bumps
  // content_version. Error(not_found) when no tag has from_slug; Error(invalid, "same_tag") when `into` is it.
  // A name merged into `from` earlier (its slug redirecting there) is a new tag again: the redirect goes. A
  // name with from's own slug ("Trains" for "trains") renames the tag.
  virtual Tag merge_tags(std::string_view from_slug, const std::string& into) = 0;
  // Where a slug that was renamed or merged away now leads. kind: "section", "author" or "tag".
  virtual std::optional<std::string> redirect_of(std::string_view kind, std::string_view old_slug) = 0;

  // The publication's own pages. Saves title, description, body and body_html; creates the page or replaces
  // it and bumps its version and content_version. With expected_version set, a page whose version is not that
  // one (0: not yet saved) is Error(conflict, "edit_conflict") and nothing changes: someone saved in between.
  virtual Page save_page(const Page& page, TimePoint now, std::optional<int64_t> expected_version) = 0;
  virtual std::optional<Page> find_page(std::string_view slug) = 0;
  virtual std::vector<Page> list_pages() = 0;  // by slug
};

}  // namespace tribune

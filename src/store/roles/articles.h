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
  // (0: one that exists) is Error(conflict, "edit_conflict") and nothing changes.
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

  // The publication's own pages. Saves title, description, body and body_html; creates the page or replaces
  // it and bumps its version and content_version. With expected_version set, a page whose version is not that
  // one (0: not yet saved) is Error(conflict, "edit_conflict") and nothing changes: someone saved in between.
  virtual Page save_page(const Page& page, TimePoint now, std::optional<int64_t> expected_version) = 0;
  virtual std::optional<Page> find_page(std::string_view slug) = 0;
  virtual std::vector<Page> list_pages() = 0;  // by slug
};

}  // namespace tribune

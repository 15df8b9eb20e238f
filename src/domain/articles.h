// The articles service: publishing (validate, render once, store) and reading what readers may see.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "domain/dateline.h"
#include "domain/images.h"
#include "store/roles/articles.h"
#include "store/roles/audit.h"
#include "util/text.h"

namespace tribune {

// The site's rule for articles whose comments mode is "default".
struct CommentPolicy {
  bool open_by_default = true;
  int close_after_days = 0;  // 0: never close by age
  bool premoderate = false;  // hold every comment on "default" articles for a moderator
};

// Who does an editor's act: a signed-in account (id and name), or an API token or the command line (a name
// only). The name goes into revisions; both into the audit log.
struct DeskActor {
  std::optional<int64_t> id;
  std::string name;
  DeskActor() = default;
  DeskActor(std::string n) : name(std::move(n)) {}  // NOLINT(google-explicit-constructor): a name alone acts
  DeskActor(const char* n) : name(n) {}             // NOLINT(google-explicit-constructor)
  DeskActor(std::optional<int64_t> i, std::string n) : id(i), name(std::move(n)) {}
};

class ArticleService {
 public:
  using Now = std::function<TimePoint()>;
  using Listener = std::function<void(const Article&)>;

  // images: where lead images and the body's /media/ images are looked up (none: articles carry no images).
  ArticleService(ArticleStore& store, Locality locality, const ImageService* images = nullptr, Now now = now_seconds);

  // Markdown to the article body's HTML, as publish stores it: images of this publication (/media/{id}/...)
  // become responsive pictures with their caption and credit.
  std::string render_body(std::string_view markdown) const;
  // The article's lead image, when it has one (and it is still stored).
  std::optional<Image> lead_image(const Article& a) const;
  std::optional<Image> find_image(std::string_view id) const;  // none without an image service

  // Validates the draft, renders its Markdown and stores it (create or replace by slug). A published_at in
  // the future schedules the article: it stays invisible until then. Throws Error(invalid) naming the field.
  // With replace=false an existing slug is Error(conflict, "slug_taken"). The draft's state says draft or
  // published (absent: published when new, unchanged otherwise); a draft published without a time goes out
  // now. With expected_version, a save over a newer version is Error(conflict, "edit_conflict").
  // Every save leaves a revision naming saved_by (the editor, the token, "command line"). A draft with
  // previous_slug moves there from that address (Error(conflict, "slug_taken") when another article has it);
  // an article that is not a draft keeps its address: Error(invalid, "slug_fixed").
  // A piece going out (new and published, or a draft published) is logged in the audit log as "publish_article".
  Article publish(ArticleDraft draft, bool replace, std::optional<int64_t> expected_version = std::nullopt,
                  const DeskActor& saved_by = {});

  // The desk's revisions: each save's fields, to view, compare with the current text and restore.
  struct Revision {
    ArticleRevision meta;
    ArticleDraft draft;  // as saved (published_at: the time it carried)
  };
  std::vector<ArticleRevision> revisions(std::string_view slug) const;  // newest first; Error(not_found)
  std::optional<Revision> revision(std::string_view slug, int64_t revision_id) const;
  // Saves the revision's fields as the article's again: a new save (and revision) that keeps the article's
  // state, date and URL. expected_version as in publish.
  Article restore(std::string_view slug, int64_t revision_id, std::optional<int64_t> expected_version,
                  const DeskActor& saved_by);

  // An article's life after publication (each bumps its version; caches on every node drop it; each is
  // logged in the audit log, as is a restore):
  Article unpublish(std::string_view slug, const DeskActor& by = {});  // back to draft: its URL 404s, out of lists
  // Kept at its URL with the note as a retraction notice; out of listings and feeds; comments closed.
  Article retract(std::string_view slug, std::string_view note, const DeskActor& by = {});
  Article remove(std::string_view slug, const DeskActor& by = {});  // deleted: 410; its comments stay for moderators

  // The article if readers may see it: published or retracted, its publish time come.
  std::optional<Article> find_visible(std::string_view slug) const;
  // find_visible for hot write paths (posting a comment), from memory: what the store answered since the last
  // change this service made or forget_remembered() (the content poll's call when other processes or nodes
  // change articles, as it drops the page caches). Its comment_count is not kept current.
  std::shared_ptr<const Article> find_visible_remembered(std::string_view slug) const;
  void forget_remembered() const;
  std::optional<Article> find_by_id(int64_t id) const;  // visible ones only
  // Error(gone) when the slug names a deleted article, else Error(not_found): what a reader is told.
  [[noreturn]] void throw_missing(std::string_view slug, const std::string& what) const;
  std::optional<Article> find_any(std::string_view slug) const;  // the desk's: any state, any time
  ArticleList list(ArticleQuery query) const;                    // readers' listings; visible_at is now
  // Pieces to read next under an article: those sharing most of its tags (newest first among equals), then
  // the newest of its section; never the article itself; at most limit.
  std::vector<Article> related(const Article& a, size_t limit) const;
  ArticleList desk_list(ArticleQuery query) const;  // the desk's, by status; visible_at is now
  // Readers' articles with a correction note, the newest note first.
  std::vector<Article> corrections(int limit = 100) const;

  std::optional<Author> find_author(std::string_view slug) const;
  std::optional<Section> find_section(std::string_view slug) const;
  std::vector<Section> sections() const;

  // Sections, authors and tags as the desk manages them (domain/taxonomy.cpp). Each listing carries article
  // counts; each change drops every page cache (on_structure) and other nodes follow content_version.
  std::vector<Section> all_sections() const;
  std::vector<Author> all_authors() const;
  std::vector<Tag> all_tags() const;
  std::optional<Tag> find_tag(std::string_view slug) const;
  // Validates (validate_section, validate_author; an author's photo must be a stored image) and saves over
  // the one at `slug`. Errors: invalid, not_found, conflict (slug_taken, name_taken).
  Section update_section(std::string_view slug, Section fields, const DeskActor& by = {});
  Author update_author(std::string_view slug, Author fields, const DeskActor& by = {});
  // Every article tagged `from_slug` is tagged `into` instead (a tag's text, as in a draft; a new text
  // renames the tag). Errors: invalid (into; same_tag), not_found.
  Tag merge_tags(std::string_view from_slug, std::string into, const DeskActor& by = {});
  // Where a renamed or merged slug now leads (kind: "section", "author", "tag").
  std::optional<std::string> redirect_of(std::string_view kind, std::string_view slug) const;
  void on_structure(std::function<void()> l) { structure_listeners_.push_back(std::move(l)); }
  // Where editors' acts are recorded (none: not recorded). The codes are kAuditActions' (domain/moderation.h).
  void set_audit(AuditLog* log) { audit_ = log; }
  // The publication's own pages (kStandardPages): validates, renders the Markdown as an article's, stores.
  // Errors: not_found (not a standard page), invalid, conflict (edit_conflict: see ArticleStore::save_page).
  Page save_page(Page page, std::optional<int64_t> expected_version);
  std::optional<Page> find_page(std::string_view slug) const;  // only what the publication saved
  // One of kStandardPages as readers see it: the publication's saved page, else Tribune's own text
  // (src/domain/pages/{slug}.md, the site's name filled in) with version 0. nullopt for any other slug.
  std::optional<Page> standard_page(std::string_view slug) const;
  void set_site_name(std::string name) { site_name_ = std::move(name); }

  // Polled by servers so that changes made by other processes (CLI, other nodes) reach their caches.
  int64_t content_version() const;
  std::optional<TimePoint> next_scheduled() const;

  // "/opinion/2009/07/06/in-praise-of-the-boring-bank": section, local date in the publication's zone, slug.
  std::string url_for(const Article& a) const;

  // Called after every successful publish, on the publishing thread.
  void on_change(Listener l) { listeners_.push_back(std::move(l)); }
  void on_page(std::function<void(const Page&)> l) { page_listeners_.push_back(std::move(l)); }

  void set_comment_policy(CommentPolicy p) { policy_ = p; }
  // Whether readers may comment on the article now: its own mode, else the site policy.
  bool comments_open(const Article& a) const;
  // Whether new comments wait for a moderator before anyone else sees them.
  bool comments_premoderated(const Article& a) const;

  const Locality& locality() const { return locality_; }
  TimePoint now() const { return now_(); }

 private:
  ArticleStore& store_;
  Locality locality_;
  const ImageService* images_;
  Now now_;
  CommentPolicy policy_;
  std::string site_name_ = "The Tribune";
  std::vector<Listener> listeners_;
  std::vector<std::function<void(const Page&)>> page_listeners_;
  std::vector<std::function<void()>> structure_listeners_;
  AuditLog* audit_ = nullptr;
  struct Remembered {
    std::mutex mu;
    uint64_t generation = 0;  // forget_remembered() calls: a read begun before one is not kept
    std::unordered_map<std::string, std::shared_ptr<const Article>, StringHash, std::equal_to<>> by_slug;
  };
  std::unique_ptr<Remembered> remembered_ = std::make_unique<Remembered>();
  void log_act(const DeskActor& by, const std::string& action, const std::string& detail);
};

}  // namespace tribune

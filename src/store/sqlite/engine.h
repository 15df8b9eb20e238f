// The SQLite engine's inside, shared by its files: one file a role (articles.cpp, accounts.cpp, ...), the
// helpers several roles use (engine.cpp), the writer and readers (writer.h). Private to store/sqlite/.
//
// Every write runs on the group-commit writer (writer_.run); every read on a pooled read-only connection
// (readers_.with). Entities are read from rows by the shared row layer (store/rows.h).
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/error.h"
#include "store/rows.h"
#include "store/session_cache.h"
#include "store/sqlite/db.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/writer.h"

namespace tribune::sqlite {

using namespace ::tribune::store_rows;

inline constexpr const char* kArticleColumns = TRIBUNE_ARTICLE_COLUMNS;
// Every change that can alter a rendered page bumps it (ArticleStore::content_version).
inline constexpr const char* kBumpContentVersion =
    "UPDATE counters SET value = value + 1 WHERE name = 'content_version'";

// An article row of kArticleColumns (then body_markdown, body_html when with_body); authors and tags apart.
Article read_article_row(Statement& st, bool with_body);
void load_authors_and_tags(Db& db, Article& a);
std::optional<Article> find_article_in(Db& db, std::string_view slug);
// The id of the section (kind "section") or author ("author") a draft names: the one with that name, else
// with its slug, else the one its slug now redirects to; else a new one, inserted. (ArticleStore's rule.)
int64_t upsert_named(Db& db, std::string_view kind, const std::string& name);
// The stored name of the tag a draft names (resolved as upsert_named), the tag inserted when new.
std::string upsert_tag(Db& db, const std::string& name);
// Migration 23: every tag articles carry gets its row in tags; names whose slugs agree become the first one.
void backfill_tags(Db& db);
// Writes the search index's entry (store/roles/search.h) of every article (not a story) that `where` (a
// condition on articles a, its parameters ?1 to ?8 bound by bind) selects, in the caller's transaction.
void index_for_search(Db& db, const std::string& where, const std::function<void(Statement&)>& bind = {});

// Appends to the audit log, naming the actor as they are now (0: an API token or the command line).
void log_act(Db& db, int64_t actor_id, std::string_view action, std::optional<int64_t> comment_id,
             std::optional<int64_t> account_id, std::string_view reason, int64_t now);

int64_t insert_session(Db& db, int64_t account_id, const NewSession& s);
void insert_token(Db& db, int64_t account_id, const EmailToken& t, int64_t now);
// Marks the token used if it is valid now; returns its account.
std::optional<int64_t> take_token(Db& db, const std::string& hash, const char* purpose, int64_t now);
void insert_mail(Db& db, const OutboxMail& m, int64_t now);

// Where a published comment is counted: its article, and its parent when it is a reply. nullopt when the
// comment is not published (so not counted).
struct Counted {
  int64_t article = 0;
  std::optional<int64_t> parent;
};
std::optional<Counted> published_counts(Db& db, int64_t id);
// Counts a comment that joins (delta 1) or leaves (-1) the conversation: its article's comment_count (added up
// for the whole batch: Db::add_to_counter), its parent's reply_count, and visible_below (published comments anywhere
// below) of the parent and every ancestor above it, which keeps a removed comment with published replies in the
// listings as a tombstone.
void recount(Db& db, const Counted& c, int64_t delta);

std::optional<Comment> find_comment_in(Db& db, int64_t id);
// The notifications of a comment that has just been published, in the caller's transaction. Earlier kinds
// win: a follower who is also the parent's author gets one "reply".
std::vector<Recipient> notify_published(Db& db, int64_t comment_id, int64_t now);
// The contribution whose `where` column equals key (no row lock: the writer thread is alone).
std::optional<Contribution> contribution_where(Db& db, const std::string& where, const std::string& key);
// Schema step 8 added accounts.handle; its value comes from C++ (ICU case folding), not SQL.
void backfill_handles(Db& db);

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(const SqliteOptions& o)
      : path_(o.path), writer_(o.path, o.max_batch), readers_(o.path, o.read_connections) {
    writer_.watch({"sessions", "accounts"}, [this](const auto& rows, bool anything) {
      if (anything) return sessions_.clear();
      for (const auto& row : rows)
        row.table == 0 ? sessions_.forget_session(row.rowid) : sessions_.forget_account(row.rowid);
    });
  }

  // StoreAdmin (admin.cpp)
  void migrate() override;
  int schema_version() override;
  void bump_counter(const std::string& name) override;
  std::string integrity_check() override;
  StoreStats stats() override;

  // ArticleStore (articles.cpp)
  Article save_article(const ArticleRecord& r, bool replace) override;
  Article set_article_state(std::string_view slug, ArticleState state, const std::string& note, TimePoint now) override;
  std::vector<ArticleRevision> article_revisions(int64_t article_id) override;
  std::optional<ArticleRevision> find_article_revision(int64_t article_id, int64_t revision_id) override;
  std::optional<Article> find_article(std::string_view slug) override;
  std::optional<Article> find_article_by_id(int64_t id) override;
  ArticleList list_articles(const ArticleQuery& q) override;
  int64_t count_articles() override;
  std::optional<TimePoint> next_scheduled(TimePoint after) override;
  int64_t content_version() override;
  std::optional<Author> find_author(std::string_view slug) override;
  std::optional<Section> find_section(std::string_view slug) override;
  std::vector<Section> list_sections() override;
  std::vector<Section> all_sections() override;
  std::vector<Author> all_authors() override;
  Section update_section(std::string_view slug, const Section& fields) override;
  Author update_author(std::string_view slug, const Author& fields) override;
  std::vector<Tag> all_tags() override;
  std::optional<Tag> find_tag(std::string_view slug) override;
  Tag merge_tags(std::string_view from_slug, const std::string& into) override;
  std::optional<std::string> redirect_of(std::string_view kind, std::string_view old_slug) override;
  Page save_page(const Page& page, TimePoint now, std::optional<int64_t> expected_version) override;
  std::optional<Page> find_page(std::string_view slug) override;
  std::vector<Page> list_pages() override;

  // AccountStore (accounts.cpp)
  CreatedAccount create_account(const NewAccount& a, const std::optional<NewSession>& session,
                                const std::optional<EmailToken>& token, const std::optional<OutboxMail>& mail) override;
  std::optional<Credentials> find_credentials(const std::string& email_normalized) override;
  std::optional<Account> find_account(int64_t id) override;
  void set_password_hash(int64_t account_id, const std::string& hash) override;
  bool staff_name_taken(const std::array<std::string, 2>& keys) override;
  int64_t create_session(int64_t account_id, const NewSession& session) override;
  std::optional<SessionLookup> find_session(const std::string& token_hash) override;
  void touch_session(int64_t session_id, TimePoint seen) override;
  void delete_session(const std::string& token_hash) override;
  bool delete_account_session(int64_t account_id, int64_t session_id) override;
  void delete_sessions(int64_t account_id) override;
  std::vector<SessionInfo> list_sessions(int64_t account_id) override;
  void set_display_name(int64_t id, const std::string& name, const std::array<std::string, 2>& keys) override;
  void request_email_change(int64_t id, const EmailToken& confirm, const OutboxMail& confirm_mail,
                            const EmailToken& undo, const OutboxMail& notice) override;
  void delete_other_sessions(int64_t account_id, int64_t keep) override;
  void delete_account(int64_t id) override;
  void set_role(int64_t id, Role role) override;
  std::vector<Account> list_accounts(int64_t after_id, int limit) override;
  std::optional<int64_t> find_mentioned(const std::string& handle, int64_t article_id) override;
  std::vector<Comment> comments_by_author(int64_t account_id, int limit) override;
  ReaderRecords reader_records(int64_t account_id) override;
  void create_email_token(int64_t account_id, const EmailToken& token, const OutboxMail& mail) override;
  std::optional<std::string> pending_email(int64_t account_id, TimePoint now) override;
  std::optional<VerifiedEmail> use_verify_token(const std::string& hash, TimePoint now) override;
  std::optional<int64_t> use_reset_token(const std::string& hash, const std::string& password_hash,
                                         TimePoint now) override;
  bool email_token_valid(const std::string& hash, const std::string& purpose, TimePoint now) override;

  // ImageStore (images.cpp)
  bool insert_image(const Image& image) override;
  std::optional<Image> find_image(const std::string& id) override;
  std::optional<std::string> image_rendition(const std::string& id, int width, ImageFormat format) override;
  std::vector<Image> list_images(int limit) override;

  // TokenStore (mail.cpp)
  ApiToken create_api_token(const std::string& token_hash, const std::string& name, Role role) override;
  std::optional<ApiToken> find_api_token(const std::string& token_hash) override;
  std::vector<ApiToken> list_api_tokens() override;
  bool revoke_api_token(int64_t id, TimePoint now) override;
  void touch_api_token(int64_t id, TimePoint now) override;

  // CommentStore (comments.cpp)
  SavedComment add_comment(const NewComment& c) override;
  AuthorActivity author_activity(const ActivityQuery& q) override;
  CountedActivity author_activity(const ActivityQuery& q, const std::vector<RateKey>& count) override;
  std::optional<Comment> find_comment(int64_t id) override;
  CommentList list_comments(const CommentQuery& q) override;
  std::vector<Comment> list_thread_replies(const std::vector<int64_t>& root_ids, int per_thread, int limit) override;
  bool edit_comment(int64_t id, const std::string& markdown, const std::string& html, TimePoint edited_at,
                    bool hold) override;
  std::vector<CommentRevision> comment_revisions(int64_t comment_id) override;
  bool delete_comment(int64_t id) override;
  int64_t set_reaction(int64_t comment_id, int64_t account_id, const std::string& kind, bool on) override;
  std::vector<std::pair<int64_t, std::string>> reactions_by(int64_t account_id,
                                                            const std::vector<int64_t>& ids) override;
  bool add_report(int64_t comment_id, int64_t reporter_id, const std::string& reason, const std::string& note) override;
  std::vector<Comment> comments_since(int64_t article_id, int64_t after_id, int limit) override;
  int64_t count_comments(int64_t article_id) override;
  std::vector<Comment> held_comments(int64_t author, int64_t article, int limit) override;
  bool set_pick(int64_t comment_id, bool on) override;
  std::vector<std::pair<std::string, int64_t>> comment_counts(const std::vector<std::string>& slugs,
                                                              TimePoint visible_at) override;

  // SocialStore (social.cpp)
  void set_follow(int64_t follower, int64_t followed, bool on) override;
  bool follows(int64_t follower, int64_t followed) override;
  FollowCounts follow_counts(int64_t id) override;
  std::vector<Comment> followed_comments(int64_t follower, int64_t before_id, int limit) override;
  std::vector<Comment> comments_of(int64_t author, int64_t before_id, int limit) override;
  std::vector<Notification> notifications(int64_t account, int64_t before_id, int limit) override;
  int64_t unread_notifications(int64_t account) override;
  void mark_notifications_read(int64_t account, int64_t up_to_id) override;
  void set_ignore(int64_t account, int64_t ignored, bool on) override;
  std::vector<int64_t> ignored_by(int64_t account, int limit) override;
  std::vector<int64_t> followed_among(int64_t follower, const std::vector<int64_t>& ids) override;
  void set_show_supporter(int64_t account, bool on) override;
  void set_digest(int64_t account, const std::string& mode) override;
  std::vector<DueDigest> due_digests(TimePoint now, int limit) override;
  bool record_digest(int64_t account, int64_t expected, int64_t up_to, TimePoint now,
                     const std::optional<OutboxMail>& mail) override;

  // ModerationStore (moderation.cpp)
  std::vector<QueueItem> moderation_queue(const QueueQuery& q) override;
  SavedComment decide_comment(int64_t comment_id, int64_t moderator_id, const std::string& decision,
                              const std::string& reason, bool notify_author) override;
  void set_ban(int64_t account_id, int64_t moderator_id, std::optional<TimePoint> until,
               const std::string& reason) override;
  void sanction(int64_t account_id, int64_t moderator_id, const std::string& action,
                const std::string& reason) override;
  bool acknowledge_warning(int64_t account_id) override;
  std::vector<TrainingExample> training_examples(int64_t after_id, int limit) override;
  void save_model(const std::string& name, const std::string& blob) override;
  std::optional<std::string> load_model(const std::string& name) override;

  // AuditLog (moderation.cpp)
  void audit(std::optional<int64_t> actor_id, const std::string& action, std::optional<int64_t> account_id,
             const std::string& detail) override;
  std::vector<LogEntry> audit_log(const LogQuery& q) override;

  // OutboxStore (mail.cpp)
  std::vector<QueuedMail> claim_mail(TimePoint now, std::chrono::seconds lease, int limit) override;
  void mark_mail_sent(int64_t id, TimePoint now) override;
  void mark_mail_failed(int64_t id, const std::string& error, TimePoint retry_at) override;
  OutboxStats outbox_stats() override;

  // WebhookStore (webhooks.cpp)
  WebhookEndpoint create_webhook_endpoint(const WebhookEndpoint& e) override;
  std::vector<WebhookEndpoint> list_webhook_endpoints() override;
  std::optional<WebhookEndpoint> find_webhook_endpoint(int64_t id) override;
  bool update_webhook_endpoint(const WebhookEndpoint& e) override;
  bool delete_webhook_endpoint(int64_t id) override;
  std::vector<ClaimedDelivery> claim_webhook_deliveries(TimePoint now, std::chrono::seconds lease, int limit) override;
  void record_webhook_attempt(const DeliveryAttempt& a, const std::optional<OutboxMail>& notice) override;
  std::vector<WebhookDelivery> webhook_deliveries(int64_t endpoint_id, int64_t before, int limit) override;
  std::optional<WebhookDelivery> redeliver_webhook(int64_t endpoint_id, int64_t delivery_id, TimePoint now) override;
  int64_t announce_articles(TimePoint now) override;
  int64_t prune_webhook_deliveries(TimePoint before) override;

  // ImportStore (imports.cpp)
  std::optional<int64_t> imported_id(const std::string& source, const std::string& kind,
                                     const std::string& key) override;
  void record_imported(const std::string& source, const std::string& kind, const std::string& key, int64_t id) override;
  ImportBatchResult import_batch(const ImportBatch& batch) override;

  // EmbedStore (embed.cpp)
  std::vector<EmbedOrigin> embed_origins() override;
  void save_embed_origin(const EmbedOrigin& o) override;
  bool remove_embed_origin(const std::string& origin) override;
  std::optional<Article> find_story(const std::string& key) override;
  Article make_story(const StoryRecord& record) override;
  std::vector<std::pair<std::string, int64_t>> story_counts(const std::vector<std::string>& keys) override;

  // SearchStore (search.cpp)
  ArticleHits search_articles(const ArticleSearch& search) override;

  // AnalyticsStore (analytics.cpp)
  void record_traffic(const TrafficBatch& batch) override;
  DashboardData dashboard(const DashboardQuery& q) override;
  std::vector<int64_t> most_read(int64_t from, int64_t to, int limit) override;
  std::vector<int64_t> most_discussed(int64_t from, int64_t to, int limit) override;

  // LedgerStore (ledger.cpp)
  Contribution create_contribution(const NewContribution& c) override;
  void set_checkout_session(int64_t id, const std::string& session_id) override;
  void abandon_checkout(int64_t id) override;
  std::optional<Contribution> find_contribution(int64_t id) override;
  EventOutcome apply_payment_event(
      const PaymentEvent& e, const std::function<std::optional<OutboxMail>(const Contribution&)>& thank_you) override;
  std::vector<std::pair<std::string, std::string>> unmatched_payment_events(int limit) override;
  ContributionReport contribution_report(const std::string& currency, TimePoint until, int days) override;
  std::vector<Contribution> list_contributions(int64_t after_id, int limit) override;

 private:
  // import_batch's work, inside its transaction (imports.cpp).
  static void write_batch(Db& db, const ImportBatch& b, ImportBatchResult& out);

  std::string path_;
  SessionCache sessions_;  // before the writer, which clears it until it stops
  GroupCommitWriter writer_;
  ReaderPool readers_;
};

}  // namespace tribune::sqlite

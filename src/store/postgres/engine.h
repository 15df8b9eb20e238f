// The PostgreSQL engine's inside, shared by its files: one file a role (articles.cpp, accounts.cpp, ...), the
// helpers several roles use (engine.cpp), the connection pool and replica routing (pg.h), the NOTIFY
// listener (listener.h). Private to store/postgres/.
//
// Every write method is one transaction (write(), retried whole on serialization failures and deadlocks), but
// add_comment, which joins a group commit (group_commit.h), and rate-limit hits and messages to other nodes,
// which concurrent callers send together (batcher.h);
// reads go through db_.read or, for public pages, the replica when it has caught up (pg.h, Database).
// Entities are read from rows by the shared row layer (store/rows.h).
#pragma once

#include <spdlog/spdlog.h>

#include <atomic>
#include <exception>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/error.h"
#include "store/postgres/batcher.h"
#include "store/postgres/group_commit.h"
#include "store/postgres/listener.h"
#include "store/postgres/pg.h"
#include "store/postgres/postgres_store.h"
#include "store/rows.h"
#include "store/session_cache.h"

namespace tribune::postgres {

using namespace ::tribune::store_rows;
using pg::Connection;
using pg::Param;
using pg::Row;

// Held (transaction-scoped) by every migration step, so that two processes migrating at once apply each step
// once. The number is arbitrary but fixed: "tribune" in ASCII.
inline constexpr int64_t kMigrationLock = 0x74726962756e65;

inline constexpr const char* kBumpContentVersion =
    "UPDATE counters SET value = value + 1 WHERE name = 'content_version'";

// With each article its authors (in byline order) and tags as JSON arrays, so that one query reads a whole
// listing (not two more per article). Tags and names sort byte-wise (COLLATE "C"), as SQLite's default
// collation does, whatever the database's locale.
inline constexpr const char* kArticleColumns = TRIBUNE_ARTICLE_COLUMNS
    ", "
    "(SELECT coalesce(json_agg(json_build_array(au.id, au.slug, au.name, au.bio) ORDER BY aa.position), '[]') "
    "FROM article_authors aa JOIN authors au ON au.id = aa.author_id WHERE aa.article_id = a.id), "
    "(SELECT coalesce(json_agg(t.tag ORDER BY t.tag COLLATE \"C\"), '[]') FROM article_tags t WHERE t.article_id = "
    "a.id)";

// An article row of kArticleColumns (then body_markdown, body_html when with_body).
Article read_article_row(const Row& st, bool with_body);
std::optional<Article> find_article_in(Connection& db, std::string_view slug);
std::optional<Article> find_article_by_id_in(Connection& db, int64_t id);
// The id of the section (kind "section") or author ("author") a draft names: the one with that name, else
// with its slug, else the one its slug now redirects to; else a new one, inserted. (ArticleStore's rule.)
int64_t upsert_named(Connection& db, std::string_view kind, const std::string& name);
// The stored name of the tag a draft names (resolved as upsert_named), the tag inserted when new.
std::string upsert_tag(Connection& db, const std::string& name);
// Migration 23: every tag articles carry gets its row in tags; names whose slugs agree become the first one.
void backfill_tags(Connection& db);
// Writes the search index's entry (store/roles/search.h) of every article (not a story) that `where` (a
// condition on articles a, with $1 as `param`) selects, in the caller's transaction; without overwrite, only
// entries that are missing.
void index_for_search(Connection& db, const std::string& where, const std::optional<Param>& param = {},
                      bool overwrite = true);

Error email_taken();
Error account_not_found();

// A check-then-write that lost a race to a concurrent writer surfaces as the same error the check gives.
template <class F>
auto email_unique(F&& f) {
  try {
    return f();
  } catch (const pg::PgError& e) {
    if (e.sqlstate() == "23505" && e.constraint() == "accounts_email_unique") throw email_taken();
    throw;
  }
}

// PostgreSQL text must be UTF-8 without NUL, where SQLite keeps any bytes. The few strings that reach the store
// unvalidated (a User-Agent header, an SMTP error cut at 500 bytes) are made storable: NULs dropped and, when
// the text is not UTF-8, every non-ASCII byte replaced by '?'.
std::string storable(std::string_view text);

int64_t insert_session(Connection& db, int64_t account_id, const NewSession& s);
void insert_token(Connection& db, int64_t account_id, const EmailToken& t, int64_t now);
// Marks the token used if it is valid now; returns its account. One conditional UPDATE: of two concurrent
// callers with the same token, the second waits for the first and then finds it used.
std::optional<int64_t> take_token(Connection& db, const std::string& hash, const char* purpose, int64_t now);
void insert_mail(Connection& db, const OutboxMail& m, int64_t now);

// Counts a comment that joins (delta 1) or leaves (-1) the conversation: its article's comment_count, its
// parent's reply_count, and visible_below (published comments anywhere below) of the parent and every
// ancestor above it, which keeps a removed comment with published replies in the listings as a tombstone.
// The article row is updated last: it is the hot row of a busy conversation (add_comment adds to it once per
// batch instead: comment_session in comments.cpp).
void recount(Connection& db, int64_t article, std::optional<int64_t> parent, int64_t delta);
std::optional<Comment> find_comment_in(Connection& db, int64_t id);
// The notifications of a comment that has just been published, in the caller's transaction. Earlier kinds
// win: a follower who is also the parent's author gets one "reply".
// add_comment's statement (comments.cpp) applies the same rules in its own CTEs.
std::vector<Recipient> notify_published(Connection& db, int64_t comment_id, int64_t now);

// Locks the row: concurrent events for one contribution apply one after the other.
std::optional<Contribution> contribution_where(Connection& db, const std::string& where, const std::string& key);

int applied_version(Connection& c);

// Appends to the audit log, naming the actor as they are now (0: an API token or the command line).
void log_act(Connection& db, int64_t actor_id, std::string_view action, std::optional<int64_t> comment_id,
             std::optional<int64_t> account_id, std::string_view reason, int64_t now);

class PostgresStore final : public Store {
  // One write method: one transaction, counted for stats() once committed.
  template <class F>
  auto write(F&& f) {
    struct Count {
      std::atomic<int64_t>& n;
      ~Count() {
        if (std::uncaught_exceptions() == 0) n.fetch_add(1);
      }
    } count{writes_};
    return db_.transact(std::forward<F>(f));
  }

 public:
  explicit PostgresStore(const PostgresOptions& o)
      : url_(o.url),
        wait_(o.acquire_timeout),
        db_(o.url, o.pool_size, o.acquire_timeout, o.replica_url),
        comment_writer_(db_, o.comment_writers, 64, comment_session()),
        session_reader_(db_.conninfo(), {.rerun_lost = true}, find_sessions, decltype(session_reader_)::fail_each),
        // A count lost to a server crash costs nothing, so these commits do not wait for their WAL flush.
        rate_counter_(db_.conninfo(), {.on_connect = {"SET synchronous_commit = off"}, .rerun_lost = true}, count_hits,
                      decltype(rate_counter_)::fail_each),
        messenger_(db_.conninfo(), {.max_batch = 64}, send_messages, messages_lost),
        activity_reader_(db_.conninfo(),
                         {.on_connect = {"SET synchronous_commit = off"}, .max_batch = 64, .rerun_lost = true},
                         read_activity, decltype(activity_reader_)::fail_each),
        sessions_(o.session_cache_max_age, /*suspended=*/true) {
    db_.read([](Connection& c) { c.exec("SELECT 1"); });
    if (auto* replica = db_.replica()) {
      try {
        replica->check_standby();
      } catch (const Error& e) {
        if (e.kind() != ErrorKind::unavailable) throw;  // reachable but not a standby: the operator's mistake
        spdlog::warn("the read replica cannot be reached; reading from the primary until it can: {}", e.message());
      }
    }
    sync_position();  // a node starting now has seen nothing, but must not serve older than the primary has
  }
  ~PostgresStore() override { stop_listening(); }

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
  bool set_pick(int64_t comment_id, bool on) override;
  std::vector<std::pair<std::string, int64_t>> comment_counts(const std::vector<std::string>& slugs,
                                                              TimePoint visible_at) override;
  std::vector<Comment> held_comments(int64_t author, int64_t article, int limit) override;

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

  // NodeBus (node.cpp)
  void publish(std::string_view message) override;
  bool has_peers() const override { return true; }
  void on_account_changed(std::function<void(int64_t)> changed) override;
  void listen(std::function<void(std::string_view)> on_message, std::function<void()> on_gap) override;
  void stop_listening() override;
  uint64_t known_position() override;
  void heard_position(uint64_t p) override;
  void sync_position() override;

  // RateCounters (node.cpp)
  std::optional<RateWindow> rate_hit(const std::string& key, std::chrono::milliseconds window) override;
  std::optional<std::vector<RateWindow>> rate_hits(const std::vector<RateKey>& keys) override;
  void rate_give_back(const std::string& key, std::chrono::milliseconds started) override;
  void rate_reset(const std::string& key) override;
  void rate_sweep(std::chrono::milliseconds before) override;

 private:
  static constexpr const char* kChannel = "tribune_events";
  std::string url_;
  std::chrono::milliseconds wait_;  // for a connection, or for a batcher's answer
  pg::Database db_;
  // Comments are posted through a group commit (many in one transaction and round trip); other writes are
  // one transaction each.
  static pg::GroupCommit::Session comment_session();  // comments.cpp
  pg::GroupCommit comment_writer_;
  // Rate-limit hits and messages to other nodes: every request of a busy node has one or both, so concurrent
  // ones share a statement (node.cpp).
  struct RateRequest {
    std::vector<RateKey> keys;
    std::promise<std::vector<RateWindow>> done;
    std::optional<std::chrono::milliseconds> give_back;  // instead: keys[0] uncounted in the window that started then
  };
  // Sessions too: every request of a signed-in reader reads theirs (accounts.cpp).
  struct SessionRequest {
    std::string token_hash;
    std::promise<std::optional<SessionLookup>> done;
  };
  static void find_sessions(Connection& c, std::vector<SessionRequest>& batch);
  static void count_hits(Connection& c, std::vector<RateRequest>& batch);
  // Each list's windows, in its keys' order (the upsert of count_hits, for the rate counter and for requests
  // that count their hits along with another read).
  static std::vector<std::vector<RateWindow>> count_keys(Connection& c,
                                                         const std::vector<const std::vector<RateKey>*>& lists);
  static void send_messages(Connection& c, std::vector<std::string>& batch);
  static void messages_lost(std::vector<std::string>& batch, const std::exception_ptr& e);
  pg::Batcher<SessionRequest> session_reader_;
  pg::Batcher<RateRequest> rate_counter_;
  pg::Batcher<std::string> messenger_;
  // And what the rules read about a comment's author before it is stored (comments.cpp).
  struct ActivityRequest {
    ActivityQuery query;
    std::vector<RateKey> count;  // hits counted in the same round trip (CommentStore::author_activity)
    std::promise<CountedActivity> done;
  };
  static void read_activity(Connection& c, std::vector<ActivityRequest>& batch);
  pg::Batcher<ActivityRequest> activity_reader_;
  std::atomic<int64_t> writes_{0};
  std::mutex listen_mu_;
  std::unique_ptr<pg::Listener> listener_;

  // Sessions found, kept while this node hears every change to accounts and sessions: a trigger announces
  // each on kAccountsChannel (migration 29), heard by a listener of its own started by the first lookup (a
  // command-line process never pays for it). Until that listener is in place, and whenever its connection
  // is lost, the cache is suspended. A write through this node forgets what it changed itself before its
  // caller is answered (write_account).
  static constexpr const char* kAccountsChannel = "tribune_accounts";
  void hear_account_changes();
  // Runs a write that changes sessions or accounts, then forget(sessions_), whether or not the write threw.
  template <class Forget, class F>
  auto write_forgetting(Forget forget, F&& f) {
    struct Guard {
      SessionCache& cache;
      Forget& forget;
      ~Guard() { forget(cache); }
    } guard{sessions_, forget};
    return write(std::forward<F>(f));
  }
  // The account's sessions, or every account's (nullopt).
  template <class F>
  auto write_account(std::optional<int64_t> account, F&& f) {
    return write_forgetting([account](SessionCache& c) { account ? c.forget_account(*account) : c.clear(); },
                            std::forward<F>(f));
  }
  SessionCache sessions_;
  std::mutex account_changed_mu_;
  std::function<void(int64_t)> account_changed_;  // NodeBus::on_account_changed
  void tell_account_changed(int64_t account_id);
  std::once_flag hearing_;
  std::unique_ptr<pg::Listener> account_listener_;  // after the cache it clears
};

}  // namespace tribune::postgres

// A fault-injecting Store for tests: forwards every call to a real engine and fails the calls it is told to,
// like SQLite's test_vfs fails the Nth I/O call. A fault names a role (or one method of it) and which call
// to fail (the next, the third...); it fails once (transient) or every call from then on (persistent), and
// either before the engine sees the call (nothing of it happens: a lost connection) or after the engine
// committed it (the change happened but the caller never hears: a timeout). A failed call throws
// Error(unavailable, "store_unavailable"), as an engine does when its database is gone.
//
// The forwarding methods were generated from store/roles/*.h (one per role method); a new role method is a
// compile error here until it is forwarded too.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "model/error.h"
#include "store/store.h"

// One method a line, as a table: not reflowed.
// clang-format off
namespace tribune::testing {

enum class StoreRole { accounts, admin, articles, audit, comments, images, ledger, moderation, node_bus, outbox, rate, social, tokens, webhooks, imports, embed, search, analytics };

class FaultyStore final : public Store {
 public:
  explicit FaultyStore(std::unique_ptr<Store> inner) : inner_(std::move(inner)) {}

  struct Fault {
    StoreRole role;
    std::string method;      // empty: any method of the role
    int nth = 1;             // 1: the next matching call
    bool persistent = false; // every matching call from the nth on
    bool after = false;      // fail after the engine has done the call
  };
  void inject(Fault f) {
    std::lock_guard lock(mu_);
    fault_ = std::move(f);
    seen_ = 0;
    armed_ = true;
  }
  void heal() {
    std::lock_guard lock(mu_);
    armed_ = false;
  }
  int failed() const { return failed_.load(); }

  CreatedAccount create_account(const NewAccount& account, const std::optional<NewSession>& session, const std::optional<EmailToken>& token, const std::optional<OutboxMail>& mail) override { return guard(StoreRole::accounts, "create_account", [&] { return inner_->create_account(account, session, token, mail); }); }
  std::optional<Credentials> find_credentials(const std::string& email_normalized) override { return guard(StoreRole::accounts, "find_credentials", [&] { return inner_->find_credentials(email_normalized); }); }
  std::optional<Account> find_account(int64_t id) override { return guard(StoreRole::accounts, "find_account", [&] { return inner_->find_account(id); }); }
  void set_password_hash(int64_t account_id, const std::string& password_hash) override { guard(StoreRole::accounts, "set_password_hash", [&] { inner_->set_password_hash(account_id, password_hash); }); }
  bool staff_name_taken(const std::array<std::string, 2>& keys) override { return guard(StoreRole::accounts, "staff_name_taken", [&] { return inner_->staff_name_taken(keys); }); }
  int64_t create_session(int64_t account_id, const NewSession& session) override { return guard(StoreRole::accounts, "create_session", [&] { return inner_->create_session(account_id, session); }); }
  std::optional<SessionLookup> find_session(const std::string& token_hash) override { return guard(StoreRole::accounts, "find_session", [&] { return inner_->find_session(token_hash); }); }
  void touch_session(int64_t session_id, TimePoint seen) override { guard(StoreRole::accounts, "touch_session", [&] { inner_->touch_session(session_id, seen); }); }
  void delete_session(const std::string& token_hash) override { guard(StoreRole::accounts, "delete_session", [&] { inner_->delete_session(token_hash); }); }
  bool delete_account_session(int64_t account_id, int64_t session_id) override { return guard(StoreRole::accounts, "delete_account_session", [&] { return inner_->delete_account_session(account_id, session_id); }); }
  void delete_sessions(int64_t account_id) override { guard(StoreRole::accounts, "delete_sessions", [&] { inner_->delete_sessions(account_id); }); }
  std::vector<SessionInfo> list_sessions(int64_t account_id) override { return guard(StoreRole::accounts, "list_sessions", [&] { return inner_->list_sessions(account_id); }); }
  void set_display_name(int64_t account_id, const std::string& name, const std::array<std::string, 2>& keys) override { guard(StoreRole::accounts, "set_display_name", [&] { inner_->set_display_name(account_id, name, keys); }); }
  void request_email_change(int64_t account_id, const EmailToken& confirm, const OutboxMail& confirm_mail, const EmailToken& undo, const OutboxMail& notice) override { guard(StoreRole::accounts, "request_email_change", [&] { inner_->request_email_change(account_id, confirm, confirm_mail, undo, notice); }); }
  void delete_other_sessions(int64_t account_id, int64_t keep_session_id) override { guard(StoreRole::accounts, "delete_other_sessions", [&] { inner_->delete_other_sessions(account_id, keep_session_id); }); }
  void delete_account(int64_t account_id) override { guard(StoreRole::accounts, "delete_account", [&] { inner_->delete_account(account_id); }); }
  void set_role(int64_t account_id, Role role) override { guard(StoreRole::accounts, "set_role", [&] { inner_->set_role(account_id, role); }); }
  std::vector<Account> list_accounts(int64_t after_id, int limit) override { return guard(StoreRole::accounts, "list_accounts", [&] { return inner_->list_accounts(after_id, limit); }); }
  std::optional<int64_t> find_mentioned(const std::string& handle, int64_t article_id) override { return guard(StoreRole::accounts, "find_mentioned", [&] { return inner_->find_mentioned(handle, article_id); }); }
  std::vector<Comment> comments_by_author(int64_t account_id, int limit) override { return guard(StoreRole::accounts, "comments_by_author", [&] { return inner_->comments_by_author(account_id, limit); }); }
  ReaderRecords reader_records(int64_t account_id) override { return guard(StoreRole::accounts, "reader_records", [&] { return inner_->reader_records(account_id); }); }
  void create_email_token(int64_t account_id, const EmailToken& token, const OutboxMail& mail) override { guard(StoreRole::accounts, "create_email_token", [&] { inner_->create_email_token(account_id, token, mail); }); }
  std::optional<std::string> pending_email(int64_t account_id, TimePoint now) override { return guard(StoreRole::accounts, "pending_email", [&] { return inner_->pending_email(account_id, now); }); }
  std::optional<VerifiedEmail> use_verify_token(const std::string& token_hash, TimePoint now) override { return guard(StoreRole::accounts, "use_verify_token", [&] { return inner_->use_verify_token(token_hash, now); }); }
  std::optional<int64_t> use_reset_token(const std::string& token_hash, const std::string& password_hash, TimePoint now) override { return guard(StoreRole::accounts, "use_reset_token", [&] { return inner_->use_reset_token(token_hash, password_hash, now); }); }
  bool email_token_valid(const std::string& token_hash, const std::string& purpose, TimePoint now) override { return guard(StoreRole::accounts, "email_token_valid", [&] { return inner_->email_token_valid(token_hash, purpose, now); }); }
  void migrate() override { guard(StoreRole::admin, "migrate", [&] { inner_->migrate(); }); }
  int schema_version() override { return guard(StoreRole::admin, "schema_version", [&] { return inner_->schema_version(); }); }
  void bump_counter(const std::string& name) override { guard(StoreRole::admin, "bump_counter", [&] { inner_->bump_counter(name); }); }
  std::string integrity_check() override { return guard(StoreRole::admin, "integrity_check", [&] { return inner_->integrity_check(); }); }
  StoreStats stats() override { return guard(StoreRole::admin, "stats", [&] { return inner_->stats(); }); }
  Article save_article(const ArticleRecord& record, bool replace) override { return guard(StoreRole::articles, "save_article", [&] { return inner_->save_article(record, replace); }); }
  Article set_article_state(std::string_view slug, ArticleState state, const std::string& note, TimePoint now) override { return guard(StoreRole::articles, "set_article_state", [&] { return inner_->set_article_state(slug, state, note, now); }); }
  std::vector<ArticleRevision> article_revisions(int64_t article_id) override { return guard(StoreRole::articles, "article_revisions", [&] { return inner_->article_revisions(article_id); }); }
  std::optional<ArticleRevision> find_article_revision(int64_t article_id, int64_t revision_id) override { return guard(StoreRole::articles, "find_article_revision", [&] { return inner_->find_article_revision(article_id, revision_id); }); }
  std::optional<Article> find_article(std::string_view slug) override { return guard(StoreRole::articles, "find_article", [&] { return inner_->find_article(slug); }); }
  std::optional<Article> find_article_by_id(int64_t id) override { return guard(StoreRole::articles, "find_article_by_id", [&] { return inner_->find_article_by_id(id); }); }
  ArticleList list_articles(const ArticleQuery& query) override { return guard(StoreRole::articles, "list_articles", [&] { return inner_->list_articles(query); }); }
  int64_t count_articles() override { return guard(StoreRole::articles, "count_articles", [&] { return inner_->count_articles(); }); }
  std::optional<TimePoint> next_scheduled(TimePoint after) override { return guard(StoreRole::articles, "next_scheduled", [&] { return inner_->next_scheduled(after); }); }
  int64_t content_version() override { return guard(StoreRole::articles, "content_version", [&] { return inner_->content_version(); }); }
  std::optional<Author> find_author(std::string_view slug) override { return guard(StoreRole::articles, "find_author", [&] { return inner_->find_author(slug); }); }
  std::optional<Section> find_section(std::string_view slug) override { return guard(StoreRole::articles, "find_section", [&] { return inner_->find_section(slug); }); }
  std::vector<Section> list_sections() override { return guard(StoreRole::articles, "list_sections", [&] { return inner_->list_sections(); }); }
  std::vector<Section> all_sections() override { return guard(StoreRole::articles, "all_sections", [&] { return inner_->all_sections(); }); }
  std::vector<Author> all_authors() override { return guard(StoreRole::articles, "all_authors", [&] { return inner_->all_authors(); }); }
  Section update_section(std::string_view slug, const Section& fields) override { return guard(StoreRole::articles, "update_section", [&] { return inner_->update_section(slug, fields); }); }
  Author update_author(std::string_view slug, const Author& fields) override { return guard(StoreRole::articles, "update_author", [&] { return inner_->update_author(slug, fields); }); }
  std::vector<Tag> all_tags() override { return guard(StoreRole::articles, "all_tags", [&] { return inner_->all_tags(); }); }
  std::optional<Tag> find_tag(std::string_view slug) override { return guard(StoreRole::articles, "find_tag", [&] { return inner_->find_tag(slug); }); }
  Tag merge_tags(std::string_view from_slug, const std::string& into) override { return guard(StoreRole::articles, "merge_tags", [&] { return inner_->merge_tags(from_slug, into); }); }
  std::optional<std::string> redirect_of(std::string_view kind, std::string_view old_slug) override { return guard(StoreRole::articles, "redirect_of", [&] { return inner_->redirect_of(kind, old_slug); }); }
  Page save_page(const Page& page, TimePoint now, std::optional<int64_t> expected) override { return guard(StoreRole::articles, "save_page", [&] { return inner_->save_page(page, now, expected); }); }
  std::optional<Page> find_page(std::string_view slug) override { return guard(StoreRole::articles, "find_page", [&] { return inner_->find_page(slug); }); }
  std::vector<Page> list_pages() override { return guard(StoreRole::articles, "list_pages", [&] { return inner_->list_pages(); }); }
  void audit(std::optional<int64_t> actor_id, const std::string& action, std::optional<int64_t> account_id, const std::string& detail) override { guard(StoreRole::audit, "audit", [&] { inner_->audit(actor_id, action, account_id, detail); }); }
  std::vector<LogEntry> audit_log(const LogQuery& q) override { return guard(StoreRole::audit, "audit_log", [&] { return inner_->audit_log(q); }); }
  SavedComment add_comment(const NewComment& comment) override { return guard(StoreRole::comments, "add_comment", [&] { return inner_->add_comment(comment); }); }
  std::optional<Comment> find_comment(int64_t id) override { return guard(StoreRole::comments, "find_comment", [&] { return inner_->find_comment(id); }); }
  AuthorActivity author_activity(const ActivityQuery& q) override { return guard(StoreRole::comments, "author_activity", [&] { return inner_->author_activity(q); }); }
  CountedActivity author_activity(const ActivityQuery& q, const std::vector<RateKey>& count) override { return guard(StoreRole::comments, "author_activity", [&] { return inner_->author_activity(q, count); }); }
  CommentList list_comments(const CommentQuery& query) override { return guard(StoreRole::comments, "list_comments", [&] { return inner_->list_comments(query); }); }
  std::vector<Comment> list_thread_replies(const std::vector<int64_t>& root_ids, int per_thread, int limit) override { return guard(StoreRole::comments, "list_thread_replies", [&] { return inner_->list_thread_replies(root_ids, per_thread, limit); }); }
  int64_t count_comments(int64_t article_id) override { return guard(StoreRole::comments, "count_comments", [&] { return inner_->count_comments(article_id); }); }
  std::vector<Comment> comments_since(int64_t article_id, int64_t after_id, int limit) override { return guard(StoreRole::comments, "comments_since", [&] { return inner_->comments_since(article_id, after_id, limit); }); }
  bool edit_comment(int64_t id, const std::string& markdown, const std::string& html, TimePoint edited_at, bool hold) override { return guard(StoreRole::comments, "edit_comment", [&] { return inner_->edit_comment(id, markdown, html, edited_at, hold); }); }
  std::vector<CommentRevision> comment_revisions(int64_t comment_id) override { return guard(StoreRole::comments, "comment_revisions", [&] { return inner_->comment_revisions(comment_id); }); }
  bool delete_comment(int64_t id) override { return guard(StoreRole::comments, "delete_comment", [&] { return inner_->delete_comment(id); }); }
  int64_t set_reaction(int64_t comment_id, int64_t account_id, const std::string& kind, bool on) override { return guard(StoreRole::comments, "set_reaction", [&] { return inner_->set_reaction(comment_id, account_id, kind, on); }); }
  std::vector<std::pair<int64_t, std::string>> reactions_by(int64_t account_id, const std::vector<int64_t>& comment_ids) override { return guard(StoreRole::comments, "reactions_by", [&] { return inner_->reactions_by(account_id, comment_ids); }); }
  bool set_pick(int64_t comment_id, bool on) override { return guard(StoreRole::comments, "set_pick", [&] { return inner_->set_pick(comment_id, on); }); }
  std::vector<std::pair<std::string, int64_t>> comment_counts(const std::vector<std::string>& slugs, TimePoint visible_at) override { return guard(StoreRole::comments, "comment_counts", [&] { return inner_->comment_counts(slugs, visible_at); }); }
  bool add_report(int64_t comment_id, int64_t reporter_id, const std::string& reason, const std::string& note) override { return guard(StoreRole::comments, "add_report", [&] { return inner_->add_report(comment_id, reporter_id, reason, note); }); }
  std::vector<Comment> held_comments(int64_t author_id, int64_t article_id, int limit) override { return guard(StoreRole::comments, "held_comments", [&] { return inner_->held_comments(author_id, article_id, limit); }); }
  Contribution create_contribution(const NewContribution& c) override { return guard(StoreRole::ledger, "create_contribution", [&] { return inner_->create_contribution(c); }); }
  void set_checkout_session(int64_t contribution_id, const std::string& session_id) override { guard(StoreRole::ledger, "set_checkout_session", [&] { inner_->set_checkout_session(contribution_id, session_id); }); }
  void abandon_checkout(int64_t contribution_id) override { guard(StoreRole::ledger, "abandon_checkout", [&] { inner_->abandon_checkout(contribution_id); }); }
  std::optional<Contribution> find_contribution(int64_t id) override { return guard(StoreRole::ledger, "find_contribution", [&] { return inner_->find_contribution(id); }); }
  EventOutcome apply_payment_event(const PaymentEvent& e, const std::function<std::optional<OutboxMail>(const Contribution&)>& thank_you) override { return guard(StoreRole::ledger, "apply_payment_event", [&] { return inner_->apply_payment_event(e, std::move(thank_you)); }); }
  std::vector<std::pair<std::string, std::string>> unmatched_payment_events(int limit) override { return guard(StoreRole::ledger, "unmatched_payment_events", [&] { return inner_->unmatched_payment_events(limit); }); }
  ContributionReport contribution_report(const std::string& currency, TimePoint until, int days) override { return guard(StoreRole::ledger, "contribution_report", [&] { return inner_->contribution_report(currency, until, days); }); }
  std::vector<Contribution> list_contributions(int64_t after_id, int limit) override { return guard(StoreRole::ledger, "list_contributions", [&] { return inner_->list_contributions(after_id, limit); }); }
  std::vector<QueueItem> moderation_queue(const QueueQuery& q) override { return guard(StoreRole::moderation, "moderation_queue", [&] { return inner_->moderation_queue(q); }); }
  SavedComment decide_comment(int64_t comment_id, int64_t moderator_id, const std::string& decision, const std::string& reason, bool notify_author) override { return guard(StoreRole::moderation, "decide_comment", [&] { return inner_->decide_comment(comment_id, moderator_id, decision, reason, notify_author); }); }
  void set_ban(int64_t account_id, int64_t moderator_id, std::optional<TimePoint> until, const std::string& reason) override { guard(StoreRole::moderation, "set_ban", [&] { inner_->set_ban(account_id, moderator_id, until, reason); }); }
  void sanction(int64_t account_id, int64_t moderator_id, const std::string& action, const std::string& reason) override { guard(StoreRole::moderation, "sanction", [&] { inner_->sanction(account_id, moderator_id, action, reason); }); }
  bool acknowledge_warning(int64_t account_id) override { return guard(StoreRole::moderation, "acknowledge_warning", [&] { return inner_->acknowledge_warning(account_id); }); }
  std::vector<TrainingExample> training_examples(int64_t after_id, int limit) override { return guard(StoreRole::moderation, "training_examples", [&] { return inner_->training_examples(after_id, limit); }); }
  void save_model(const std::string& name, const std::string& blob) override { guard(StoreRole::moderation, "save_model", [&] { inner_->save_model(name, blob); }); }
  std::optional<std::string> load_model(const std::string& name) override { return guard(StoreRole::moderation, "load_model", [&] { return inner_->load_model(name); }); }
  void publish(std::string_view message) override { guard(StoreRole::node_bus, "publish", [&] { inner_->publish(message); }); }
  bool has_peers() const override { return inner_->has_peers(); }
  void on_account_changed(std::function<void(int64_t)> changed) override { inner_->on_account_changed(std::move(changed)); }
  void listen(std::function<void(std::string_view)> on_message, std::function<void()> on_gap) override { guard(StoreRole::node_bus, "listen", [&] { inner_->listen(std::move(on_message), std::move(on_gap)); }); }
  void stop_listening() override { guard(StoreRole::node_bus, "stop_listening", [&] { inner_->stop_listening(); }); }
  uint64_t known_position() override { return guard(StoreRole::node_bus, "known_position", [&] { return inner_->known_position(); }); }
  void heard_position(uint64_t position) override { guard(StoreRole::node_bus, "heard_position", [&] { inner_->heard_position(position); }); }
  void sync_position() override { guard(StoreRole::node_bus, "sync_position", [&] { inner_->sync_position(); }); }
  std::vector<QueuedMail> claim_mail(TimePoint now, std::chrono::seconds lease, int limit) override { return guard(StoreRole::outbox, "claim_mail", [&] { return inner_->claim_mail(now, lease, limit); }); }
  void mark_mail_sent(int64_t id, TimePoint now) override { guard(StoreRole::outbox, "mark_mail_sent", [&] { inner_->mark_mail_sent(id, now); }); }
  void mark_mail_failed(int64_t id, const std::string& error, TimePoint retry_at) override { guard(StoreRole::outbox, "mark_mail_failed", [&] { inner_->mark_mail_failed(id, error, retry_at); }); }
  OutboxStats outbox_stats() override { return guard(StoreRole::outbox, "outbox_stats", [&] { return inner_->outbox_stats(); }); }
  std::optional<RateWindow> rate_hit(const std::string& key, std::chrono::milliseconds window) override { return guard(StoreRole::rate, "rate_hit", [&] { return inner_->rate_hit(key, window); }); }
  std::optional<std::vector<RateWindow>> rate_hits(const std::vector<RateKey>& keys) override { return guard(StoreRole::rate, "rate_hits", [&] { return inner_->rate_hits(keys); }); }
  void rate_give_back(const std::string& key, std::chrono::milliseconds started) override { guard(StoreRole::rate, "rate_give_back", [&] { inner_->rate_give_back(key, started); }); }
  void rate_reset(const std::string& key) override { guard(StoreRole::rate, "rate_reset", [&] { inner_->rate_reset(key); }); }
  void rate_sweep(std::chrono::milliseconds before) override { guard(StoreRole::rate, "rate_sweep", [&] { inner_->rate_sweep(before); }); }
  void set_follow(int64_t follower_id, int64_t followed_id, bool on) override { guard(StoreRole::social, "set_follow", [&] { inner_->set_follow(follower_id, followed_id, on); }); }
  bool follows(int64_t follower_id, int64_t followed_id) override { return guard(StoreRole::social, "follows", [&] { return inner_->follows(follower_id, followed_id); }); }
  FollowCounts follow_counts(int64_t account_id) override { return guard(StoreRole::social, "follow_counts", [&] { return inner_->follow_counts(account_id); }); }
  std::vector<Comment> followed_comments(int64_t follower_id, int64_t before_id, int limit) override { return guard(StoreRole::social, "followed_comments", [&] { return inner_->followed_comments(follower_id, before_id, limit); }); }
  std::vector<Comment> comments_of(int64_t author_id, int64_t before_id, int limit) override { return guard(StoreRole::social, "comments_of", [&] { return inner_->comments_of(author_id, before_id, limit); }); }
  void set_ignore(int64_t account_id, int64_t ignored_id, bool on) override { guard(StoreRole::social, "set_ignore", [&] { inner_->set_ignore(account_id, ignored_id, on); }); }
  std::vector<int64_t> ignored_by(int64_t account_id, int limit) override { return guard(StoreRole::social, "ignored_by", [&] { return inner_->ignored_by(account_id, limit); }); }
  std::vector<int64_t> followed_among(int64_t follower_id, const std::vector<int64_t>& account_ids) override { return guard(StoreRole::social, "followed_among", [&] { return inner_->followed_among(follower_id, account_ids); }); }
  std::vector<Notification> notifications(int64_t account_id, int64_t before_id, int limit) override { return guard(StoreRole::social, "notifications", [&] { return inner_->notifications(account_id, before_id, limit); }); }
  int64_t unread_notifications(int64_t account_id) override { return guard(StoreRole::social, "unread_notifications", [&] { return inner_->unread_notifications(account_id); }); }
  void mark_notifications_read(int64_t account_id, int64_t up_to_id) override { guard(StoreRole::social, "mark_notifications_read", [&] { inner_->mark_notifications_read(account_id, up_to_id); }); }
  void set_digest(int64_t account_id, const std::string& mode) override { guard(StoreRole::social, "set_digest", [&] { inner_->set_digest(account_id, mode); }); }
  void set_show_supporter(int64_t account_id, bool on) override { guard(StoreRole::social, "set_show_supporter", [&] { inner_->set_show_supporter(account_id, on); }); }
  std::vector<DueDigest> due_digests(TimePoint now, int limit) override { return guard(StoreRole::social, "due_digests", [&] { return inner_->due_digests(now, limit); }); }
  bool record_digest(int64_t account_id, int64_t expected_cursor, int64_t up_to, TimePoint now, const std::optional<OutboxMail>& mail) override { return guard(StoreRole::social, "record_digest", [&] { return inner_->record_digest(account_id, expected_cursor, up_to, now, mail); }); }
  bool insert_image(const Image& image) override { return guard(StoreRole::images, "insert_image", [&] { return inner_->insert_image(image); }); }
  std::optional<Image> find_image(const std::string& id) override { return guard(StoreRole::images, "find_image", [&] { return inner_->find_image(id); }); }
  std::optional<std::string> image_rendition(const std::string& id, int width, ImageFormat format) override { return guard(StoreRole::images, "image_rendition", [&] { return inner_->image_rendition(id, width, format); }); }
  std::vector<Image> list_images(int limit) override { return guard(StoreRole::images, "list_images", [&] { return inner_->list_images(limit); }); }
  ApiToken create_api_token(const std::string& token_hash, const std::string& name, Role role) override { return guard(StoreRole::tokens, "create_api_token", [&] { return inner_->create_api_token(token_hash, name, role); }); }
  std::optional<ApiToken> find_api_token(const std::string& token_hash) override { return guard(StoreRole::tokens, "find_api_token", [&] { return inner_->find_api_token(token_hash); }); }
  std::vector<ApiToken> list_api_tokens() override { return guard(StoreRole::tokens, "list_api_tokens", [&] { return inner_->list_api_tokens(); }); }
  bool revoke_api_token(int64_t id, TimePoint now) override { return guard(StoreRole::tokens, "revoke_api_token", [&] { return inner_->revoke_api_token(id, now); }); }
  void touch_api_token(int64_t id, TimePoint now) override { guard(StoreRole::tokens, "touch_api_token", [&] { inner_->touch_api_token(id, now); }); }
  WebhookEndpoint create_webhook_endpoint(const WebhookEndpoint& e) override { return guard(StoreRole::webhooks, "create_webhook_endpoint", [&] { return inner_->create_webhook_endpoint(e); }); }
  std::vector<WebhookEndpoint> list_webhook_endpoints() override { return guard(StoreRole::webhooks, "list_webhook_endpoints", [&] { return inner_->list_webhook_endpoints(); }); }
  std::optional<WebhookEndpoint> find_webhook_endpoint(int64_t id) override { return guard(StoreRole::webhooks, "find_webhook_endpoint", [&] { return inner_->find_webhook_endpoint(id); }); }
  bool update_webhook_endpoint(const WebhookEndpoint& e) override { return guard(StoreRole::webhooks, "update_webhook_endpoint", [&] { return inner_->update_webhook_endpoint(e); }); }
  bool delete_webhook_endpoint(int64_t id) override { return guard(StoreRole::webhooks, "delete_webhook_endpoint", [&] { return inner_->delete_webhook_endpoint(id); }); }
  std::vector<ClaimedDelivery> claim_webhook_deliveries(TimePoint now, std::chrono::seconds lease, int limit) override { return guard(StoreRole::webhooks, "claim_webhook_deliveries", [&] { return inner_->claim_webhook_deliveries(now, lease, limit); }); }
  void record_webhook_attempt(const DeliveryAttempt& a, const std::optional<OutboxMail>& notice) override { guard(StoreRole::webhooks, "record_webhook_attempt", [&] { inner_->record_webhook_attempt(a, notice); }); }
  std::vector<WebhookDelivery> webhook_deliveries(int64_t endpoint_id, int64_t before, int limit) override { return guard(StoreRole::webhooks, "webhook_deliveries", [&] { return inner_->webhook_deliveries(endpoint_id, before, limit); }); }
  std::optional<WebhookDelivery> redeliver_webhook(int64_t endpoint_id, int64_t delivery_id, TimePoint now) override { return guard(StoreRole::webhooks, "redeliver_webhook", [&] { return inner_->redeliver_webhook(endpoint_id, delivery_id, now); }); }
  int64_t announce_articles(TimePoint now) override { return guard(StoreRole::webhooks, "announce_articles", [&] { return inner_->announce_articles(now); }); }
  int64_t prune_webhook_deliveries(TimePoint before) override { return guard(StoreRole::webhooks, "prune_webhook_deliveries", [&] { return inner_->prune_webhook_deliveries(before); }); }

  // ImportStore
  std::optional<int64_t> imported_id(const std::string& source, const std::string& kind, const std::string& key) override { return guard(StoreRole::imports, "imported_id", [&] { return inner_->imported_id(source, kind, key); }); }
  void record_imported(const std::string& source, const std::string& kind, const std::string& key, int64_t id) override { guard(StoreRole::imports, "record_imported", [&] { inner_->record_imported(source, kind, key, id); }); }
  ImportBatchResult import_batch(const ImportBatch& batch) override { return guard(StoreRole::imports, "import_batch", [&] { return inner_->import_batch(batch); }); }

  // EmbedStore
  std::vector<EmbedOrigin> embed_origins() override { return guard(StoreRole::embed, "embed_origins", [&] { return inner_->embed_origins(); }); }
  void save_embed_origin(const EmbedOrigin& o) override { guard(StoreRole::embed, "save_embed_origin", [&] { inner_->save_embed_origin(o); }); }
  bool remove_embed_origin(const std::string& origin) override { return guard(StoreRole::embed, "remove_embed_origin", [&] { return inner_->remove_embed_origin(origin); }); }
  std::optional<Article> find_story(const std::string& key) override { return guard(StoreRole::embed, "find_story", [&] { return inner_->find_story(key); }); }
  Article make_story(const StoryRecord& record) override { return guard(StoreRole::embed, "make_story", [&] { return inner_->make_story(record); }); }
  std::vector<std::pair<std::string, int64_t>> story_counts(const std::vector<std::string>& keys) override { return guard(StoreRole::embed, "story_counts", [&] { return inner_->story_counts(keys); }); }
  ArticleHits search_articles(const ArticleSearch& search) override { return guard(StoreRole::search, "search_articles", [&] { return inner_->search_articles(search); }); }
  void record_traffic(const TrafficBatch& batch) override { guard(StoreRole::analytics, "record_traffic", [&] { inner_->record_traffic(batch); }); }
  DashboardData dashboard(const DashboardQuery& q) override { return guard(StoreRole::analytics, "dashboard", [&] { return inner_->dashboard(q); }); }
  std::vector<int64_t> most_read(int64_t from, int64_t to, int limit) override { return guard(StoreRole::analytics, "most_read", [&] { return inner_->most_read(from, to, limit); }); }
  std::vector<int64_t> most_discussed(int64_t from, int64_t to, int limit) override { return guard(StoreRole::analytics, "most_discussed", [&] { return inner_->most_discussed(from, to, limit); }); }

 private:
  // True when this call is to fail (counts the matching calls).
  bool trips(StoreRole role, std::string_view method) {
    std::lock_guard lock(mu_);
    if (!armed_ || fault_.role != role || (!fault_.method.empty() && fault_.method != method)) return false;
    ++seen_;
    if (seen_ < fault_.nth) return false;
    if (!fault_.persistent) armed_ = false;
    return true;
  }
  [[noreturn]] void fail() {
    failed_.fetch_add(1);
    throw Error(ErrorKind::unavailable, "store_unavailable", "The store is unavailable; try again shortly.");
  }
  template <class F>
  auto guard(StoreRole role, std::string_view method, F&& call) -> decltype(call()) {
    bool tripped = trips(role, method);
    bool after = tripped && fault_after();
    if (tripped && !after) fail();
    if constexpr (std::is_void_v<decltype(call())>) {
      call();
      if (after) fail();
    } else {
      auto result = call();
      if (after) fail();
      return result;
    }
  }
  bool fault_after() {
    std::lock_guard lock(mu_);
    return fault_.after;
  }

  std::unique_ptr<Store> inner_;
  std::mutex mu_;
  Fault fault_{StoreRole::admin};
  int seen_ = 0;
  bool armed_ = false;
  std::atomic<int> failed_{0};
};

}  // namespace tribune::testing
// clang-format on

// Bases for hand-written fakes of the store roles: every method throws std::logic_error naming itself, so a
// fake overrides only what the code under test uses, and a test that reaches anything else fails loudly
// instead of silently getting a default. Generated from store/roles/*.h like faulty_store.h; a new role method
// is a compile error in the fakes until it is added here.
#pragma once

#include <stdexcept>
#include <string>

#include "store/store.h"

// One method a line, as a table: not reflowed.
// clang-format off
namespace tribune::testing {

class UnfakedAccountStore : public AccountStore {
 public:
  CreatedAccount create_account(const NewAccount&, const std::optional<NewSession>&, const std::optional<EmailToken>&, const std::optional<OutboxMail>&) override { throw std::logic_error("not faked: AccountStore::create_account"); }
  std::optional<Credentials> find_credentials(const std::string&) override { throw std::logic_error("not faked: AccountStore::find_credentials"); }
  std::optional<Account> find_account(int64_t) override { throw std::logic_error("not faked: AccountStore::find_account"); }
  void set_password_hash(int64_t, const std::string&) override { throw std::logic_error("not faked: AccountStore::set_password_hash"); }
  bool staff_name_taken(const std::array<std::string, 2>&) override { throw std::logic_error("not faked: AccountStore::staff_name_taken"); }
  int64_t create_session(int64_t, const NewSession&) override { throw std::logic_error("not faked: AccountStore::create_session"); }
  std::optional<SessionLookup> find_session(const std::string&) override { throw std::logic_error("not faked: AccountStore::find_session"); }
  void touch_session(int64_t, TimePoint) override { throw std::logic_error("not faked: AccountStore::touch_session"); }
  void delete_session(const std::string&) override { throw std::logic_error("not faked: AccountStore::delete_session"); }
  bool delete_account_session(int64_t, int64_t) override { throw std::logic_error("not faked: AccountStore::delete_account_session"); }
  void delete_sessions(int64_t) override { throw std::logic_error("not faked: AccountStore::delete_sessions"); }
  std::vector<SessionInfo> list_sessions(int64_t) override { throw std::logic_error("not faked: AccountStore::list_sessions"); }
  void set_display_name(int64_t, const std::string&, const std::array<std::string, 2>&) override { throw std::logic_error("not faked: AccountStore::set_display_name"); }
  void request_email_change(int64_t, const EmailToken&, const OutboxMail&, const EmailToken&, const OutboxMail&) override { throw std::logic_error("not faked: AccountStore::request_email_change"); }
  void delete_other_sessions(int64_t, int64_t) override { throw std::logic_error("not faked: AccountStore::delete_other_sessions"); }
  void delete_account(int64_t) override { throw std::logic_error("not faked: AccountStore::delete_account"); }
  void set_role(int64_t, Role) override { throw std::logic_error("not faked: AccountStore::set_role"); }
  std::vector<Account> list_accounts(int64_t, int) override { throw std::logic_error("not faked: AccountStore::list_accounts"); }
  std::optional<int64_t> find_mentioned(const std::string&, int64_t) override { throw std::logic_error("not faked: AccountStore::find_mentioned"); }
  std::vector<Comment> comments_by_author(int64_t, int) override { throw std::logic_error("not faked: AccountStore::comments_by_author"); }
  ReaderRecords reader_records(int64_t) override { throw std::logic_error("not faked: AccountStore::reader_records"); }
  void create_email_token(int64_t, const EmailToken&, const OutboxMail&) override { throw std::logic_error("not faked: AccountStore::create_email_token"); }
  std::optional<std::string> pending_email(int64_t, TimePoint) override { throw std::logic_error("not faked: AccountStore::pending_email"); }
  std::optional<VerifiedEmail> use_verify_token(const std::string&, TimePoint) override { throw std::logic_error("not faked: AccountStore::use_verify_token"); }
  std::optional<int64_t> use_reset_token(const std::string&, const std::string&, TimePoint) override { throw std::logic_error("not faked: AccountStore::use_reset_token"); }
  bool email_token_valid(const std::string&, const std::string&, TimePoint) override { throw std::logic_error("not faked: AccountStore::email_token_valid"); }
};

class UnfakedStoreAdmin : public StoreAdmin {
 public:
  void migrate() override { throw std::logic_error("not faked: StoreAdmin::migrate"); }
  int schema_version() override { throw std::logic_error("not faked: StoreAdmin::schema_version"); }
  void bump_counter(const std::string&) override { throw std::logic_error("not faked: StoreAdmin::bump_counter"); }
  std::string integrity_check() override { throw std::logic_error("not faked: StoreAdmin::integrity_check"); }
  StoreStats stats() override { throw std::logic_error("not faked: StoreAdmin::stats"); }
};

class UnfakedArticleStore : public ArticleStore {
 public:
  Article save_article(const ArticleRecord&, bool) override { throw std::logic_error("not faked: ArticleStore::save_article"); }
  Article set_article_state(std::string_view, ArticleState, const std::string&, TimePoint) override { throw std::logic_error("not faked: ArticleStore::set_article_state"); }
  std::vector<ArticleRevision> article_revisions(int64_t) override { throw std::logic_error("not faked: ArticleStore::article_revisions"); }
  std::optional<ArticleRevision> find_article_revision(int64_t, int64_t) override { throw std::logic_error("not faked: ArticleStore::find_article_revision"); }
  std::optional<Article> find_article(std::string_view) override { throw std::logic_error("not faked: ArticleStore::find_article"); }
  std::optional<Article> find_article_by_id(int64_t) override { throw std::logic_error("not faked: ArticleStore::find_article_by_id"); }
  ArticleList list_articles(const ArticleQuery&) override { throw std::logic_error("not faked: ArticleStore::list_articles"); }
  int64_t count_articles() override { throw std::logic_error("not faked: ArticleStore::count_articles"); }
  std::optional<TimePoint> next_scheduled(TimePoint) override { throw std::logic_error("not faked: ArticleStore::next_scheduled"); }
  int64_t content_version() override { throw std::logic_error("not faked: ArticleStore::content_version"); }
  std::optional<Author> find_author(std::string_view) override { throw std::logic_error("not faked: ArticleStore::find_author"); }
  std::optional<Section> find_section(std::string_view) override { throw std::logic_error("not faked: ArticleStore::find_section"); }
  std::vector<Section> list_sections() override { throw std::logic_error("not faked: ArticleStore::list_sections"); }
  std::vector<Section> all_sections() override { throw std::logic_error("not faked: ArticleStore::all_sections"); }
  std::vector<Author> all_authors() override { throw std::logic_error("not faked: ArticleStore::all_authors"); }
  Section update_section(std::string_view, const Section&) override { throw std::logic_error("not faked: ArticleStore::update_section"); }
  Author update_author(std::string_view, const Author&) override { throw std::logic_error("not faked: ArticleStore::update_author"); }
  std::vector<Tag> all_tags() override { throw std::logic_error("not faked: ArticleStore::all_tags"); }
  std::optional<Tag> find_tag(std::string_view) override { throw std::logic_error("not faked: ArticleStore::find_tag"); }
  Tag merge_tags(std::string_view, const std::string&) override { throw std::logic_error("not faked: ArticleStore::merge_tags"); }
  std::optional<std::string> redirect_of(std::string_view, std::string_view) override { throw std::logic_error("not faked: ArticleStore::redirect_of"); }
  Page save_page(const Page&, TimePoint, std::optional<int64_t>) override { throw std::logic_error("not faked: ArticleStore::save_page"); }
  std::optional<Page> find_page(std::string_view) override { throw std::logic_error("not faked: ArticleStore::find_page"); }
  std::vector<Page> list_pages() override { throw std::logic_error("not faked: ArticleStore::list_pages"); }
};

class UnfakedAuditLog : public AuditLog {
 public:
  void audit(std::optional<int64_t>, const std::string&, std::optional<int64_t>, const std::string&) override { throw std::logic_error("not faked: AuditLog::audit"); }
  std::vector<LogEntry> audit_log(const LogQuery&) override { throw std::logic_error("not faked: AuditLog::audit_log"); }
};

class UnfakedCommentStore : public CommentStore {
 public:
  SavedComment add_comment(const NewComment&) override { throw std::logic_error("not faked: CommentStore::add_comment"); }
  std::optional<Comment> find_comment(int64_t) override { throw std::logic_error("not faked: CommentStore::find_comment"); }
  AuthorActivity author_activity(const ActivityQuery&) override { throw std::logic_error("not faked: CommentStore::author_activity"); }
  CountedActivity author_activity(const ActivityQuery&, const std::vector<RateKey>&) override { throw std::logic_error("not faked: CommentStore::author_activity"); }
  CommentList list_comments(const CommentQuery&) override { throw std::logic_error("not faked: CommentStore::list_comments"); }
  std::vector<Comment> list_thread_replies(const std::vector<int64_t>&, int, int) override { throw std::logic_error("not faked: CommentStore::list_thread_replies"); }
  int64_t count_comments(int64_t) override { throw std::logic_error("not faked: CommentStore::count_comments"); }
  std::vector<Comment> comments_since(int64_t, int64_t, int) override { throw std::logic_error("not faked: CommentStore::comments_since"); }
  bool edit_comment(int64_t, const std::string&, const std::string&, TimePoint, bool) override { throw std::logic_error("not faked: CommentStore::edit_comment"); }
  std::vector<CommentRevision> comment_revisions(int64_t) override { throw std::logic_error("not faked: CommentStore::comment_revisions"); }
  bool delete_comment(int64_t) override { throw std::logic_error("not faked: CommentStore::delete_comment"); }
  int64_t set_reaction(int64_t, int64_t, const std::string&, bool) override { throw std::logic_error("not faked: CommentStore::set_reaction"); }
  std::vector<std::pair<int64_t, std::string>> reactions_by(int64_t, const std::vector<int64_t>&) override { throw std::logic_error("not faked: CommentStore::reactions_by"); }
  bool set_pick(int64_t, bool) override { throw std::logic_error("not faked: CommentStore::set_pick"); }
  std::vector<std::pair<std::string, int64_t>> comment_counts(const std::vector<std::string>&, TimePoint) override { throw std::logic_error("not faked: CommentStore::comment_counts"); }
  bool add_report(int64_t, int64_t, const std::string&, const std::string&) override { throw std::logic_error("not faked: CommentStore::add_report"); }
  std::vector<Comment> held_comments(int64_t, int64_t, int) override { throw std::logic_error("not faked: CommentStore::held_comments"); }
};

class UnfakedLedgerStore : public LedgerStore {
 public:
  Contribution create_contribution(const NewContribution&) override { throw std::logic_error("not faked: LedgerStore::create_contribution"); }
  void set_checkout_session(int64_t, const std::string&) override { throw std::logic_error("not faked: LedgerStore::set_checkout_session"); }
  void abandon_checkout(int64_t) override { throw std::logic_error("not faked: LedgerStore::abandon_checkout"); }
  std::optional<Contribution> find_contribution(int64_t) override { throw std::logic_error("not faked: LedgerStore::find_contribution"); }
  EventOutcome apply_payment_event(const PaymentEvent&, const std::function<std::optional<OutboxMail>(const Contribution&)>&) override { throw std::logic_error("not faked: LedgerStore::apply_payment_event"); }
  std::vector<std::pair<std::string, std::string>> unmatched_payment_events(int) override { throw std::logic_error("not faked: LedgerStore::unmatched_payment_events"); }
  ContributionReport contribution_report(const std::string&, TimePoint, int) override { throw std::logic_error("not faked: LedgerStore::contribution_report"); }
  std::vector<Contribution> list_contributions(int64_t, int) override { throw std::logic_error("not faked: LedgerStore::list_contributions"); }
};

class UnfakedModerationStore : public ModerationStore {
 public:
  std::vector<QueueItem> moderation_queue(const QueueQuery&) override { throw std::logic_error("not faked: ModerationStore::moderation_queue"); }
  SavedComment decide_comment(int64_t, int64_t, const std::string&, const std::string&, bool) override { throw std::logic_error("not faked: ModerationStore::decide_comment"); }
  void set_ban(int64_t, int64_t, std::optional<TimePoint>, const std::string&) override { throw std::logic_error("not faked: ModerationStore::set_ban"); }
  void sanction(int64_t, int64_t, const std::string&, const std::string&) override { throw std::logic_error("not faked: ModerationStore::sanction"); }
  bool acknowledge_warning(int64_t) override { throw std::logic_error("not faked: ModerationStore::acknowledge_warning"); }
  std::vector<TrainingExample> training_examples(int64_t, int) override { throw std::logic_error("not faked: ModerationStore::training_examples"); }
  void save_model(const std::string&, const std::string&) override { throw std::logic_error("not faked: ModerationStore::save_model"); }
  std::optional<std::string> load_model(const std::string&) override { throw std::logic_error("not faked: ModerationStore::load_model"); }
};

class UnfakedNodeBus : public NodeBus {
 public:
  void publish(std::string_view) override { throw std::logic_error("not faked: NodeBus::publish"); }
  bool has_peers() const override { throw std::logic_error("not faked: NodeBus::has_peers"); }
  void on_account_changed(std::function<void(int64_t)>) override { throw std::logic_error("not faked: NodeBus::on_account_changed"); }
  void listen(std::function<void(std::string_view)>, std::function<void()>) override { throw std::logic_error("not faked: NodeBus::listen"); }
  void stop_listening() override { throw std::logic_error("not faked: NodeBus::stop_listening"); }
  uint64_t known_position() override { throw std::logic_error("not faked: NodeBus::known_position"); }
  void heard_position(uint64_t) override { throw std::logic_error("not faked: NodeBus::heard_position"); }
  void sync_position() override { throw std::logic_error("not faked: NodeBus::sync_position"); }
};

class UnfakedOutboxStore : public OutboxStore {
 public:
  std::vector<QueuedMail> claim_mail(TimePoint, std::chrono::seconds, int) override { throw std::logic_error("not faked: OutboxStore::claim_mail"); }
  void mark_mail_sent(int64_t, TimePoint) override { throw std::logic_error("not faked: OutboxStore::mark_mail_sent"); }
  void mark_mail_failed(int64_t, const std::string&, TimePoint) override { throw std::logic_error("not faked: OutboxStore::mark_mail_failed"); }
  OutboxStats outbox_stats() override { throw std::logic_error("not faked: OutboxStore::outbox_stats"); }
};

class UnfakedRateCounters : public RateCounters {
 public:
  std::optional<RateWindow> rate_hit(const std::string&, std::chrono::milliseconds) override { throw std::logic_error("not faked: RateCounters::rate_hit"); }
  std::optional<std::vector<RateWindow>> rate_hits(const std::vector<RateKey>&) override { throw std::logic_error("not faked: RateCounters::rate_hits"); }
  void rate_give_back(const std::string&, std::chrono::milliseconds) override { throw std::logic_error("not faked: RateCounters::rate_give_back"); }
  void rate_reset(const std::string&) override { throw std::logic_error("not faked: RateCounters::rate_reset"); }
  void rate_sweep(std::chrono::milliseconds) override { throw std::logic_error("not faked: RateCounters::rate_sweep"); }
};

class UnfakedSocialStore : public SocialStore {
 public:
  void set_follow(int64_t, int64_t, bool) override { throw std::logic_error("not faked: SocialStore::set_follow"); }
  bool follows(int64_t, int64_t) override { throw std::logic_error("not faked: SocialStore::follows"); }
  FollowCounts follow_counts(int64_t) override { throw std::logic_error("not faked: SocialStore::follow_counts"); }
  std::vector<Comment> followed_comments(int64_t, int64_t, int) override { throw std::logic_error("not faked: SocialStore::followed_comments"); }
  std::vector<Comment> comments_of(int64_t, int64_t, int) override { throw std::logic_error("not faked: SocialStore::comments_of"); }
  void set_ignore(int64_t, int64_t, bool) override { throw std::logic_error("not faked: SocialStore::set_ignore"); }
  std::vector<int64_t> ignored_by(int64_t, int) override { throw std::logic_error("not faked: SocialStore::ignored_by"); }
  std::vector<int64_t> followed_among(int64_t, const std::vector<int64_t>&) override { throw std::logic_error("not faked: SocialStore::followed_among"); }
  std::vector<Notification> notifications(int64_t, int64_t, int) override { throw std::logic_error("not faked: SocialStore::notifications"); }
  int64_t unread_notifications(int64_t) override { throw std::logic_error("not faked: SocialStore::unread_notifications"); }
  void mark_notifications_read(int64_t, int64_t) override { throw std::logic_error("not faked: SocialStore::mark_notifications_read"); }
  void set_digest(int64_t, const std::string&) override { throw std::logic_error("not faked: SocialStore::set_digest"); }
  void set_show_supporter(int64_t, bool) override { throw std::logic_error("not faked: SocialStore::set_show_supporter"); }
  std::vector<DueDigest> due_digests(TimePoint, int) override { throw std::logic_error("not faked: SocialStore::due_digests"); }
  bool record_digest(int64_t, int64_t, int64_t, TimePoint, const std::optional<OutboxMail>&) override { throw std::logic_error("not faked: SocialStore::record_digest"); }
};

class UnfakedImageStore : public ImageStore {
 public:
  bool insert_image(const Image&) override { throw std::logic_error("not faked: ImageStore::insert_image"); }
  std::optional<Image> find_image(const std::string&) override { throw std::logic_error("not faked: ImageStore::find_image"); }
  std::optional<std::string> image_rendition(const std::string&, int, ImageFormat) override { throw std::logic_error("not faked: ImageStore::image_rendition"); }
  std::vector<Image> list_images(int) override { throw std::logic_error("not faked: ImageStore::list_images"); }
};

class UnfakedTokenStore : public TokenStore {
 public:
  ApiToken create_api_token(const std::string&, const std::string&, Role) override { throw std::logic_error("not faked: TokenStore::create_api_token"); }
  std::optional<ApiToken> find_api_token(const std::string&) override { throw std::logic_error("not faked: TokenStore::find_api_token"); }
  std::vector<ApiToken> list_api_tokens() override { throw std::logic_error("not faked: TokenStore::list_api_tokens"); }
  bool revoke_api_token(int64_t, TimePoint) override { throw std::logic_error("not faked: TokenStore::revoke_api_token"); }
  void touch_api_token(int64_t, TimePoint) override { throw std::logic_error("not faked: TokenStore::touch_api_token"); }
};

class UnfakedWebhookStore : public WebhookStore {
 public:
  WebhookEndpoint create_webhook_endpoint(const WebhookEndpoint&) override { throw std::logic_error("not faked: WebhookStore::create_webhook_endpoint"); }
  std::vector<WebhookEndpoint> list_webhook_endpoints() override { throw std::logic_error("not faked: WebhookStore::list_webhook_endpoints"); }
  std::optional<WebhookEndpoint> find_webhook_endpoint(int64_t) override { throw std::logic_error("not faked: WebhookStore::find_webhook_endpoint"); }
  bool update_webhook_endpoint(const WebhookEndpoint&) override { throw std::logic_error("not faked: WebhookStore::update_webhook_endpoint"); }
  bool delete_webhook_endpoint(int64_t) override { throw std::logic_error("not faked: WebhookStore::delete_webhook_endpoint"); }
  std::vector<ClaimedDelivery> claim_webhook_deliveries(TimePoint, std::chrono::seconds, int) override { throw std::logic_error("not faked: WebhookStore::claim_webhook_deliveries"); }
  void record_webhook_attempt(const DeliveryAttempt&, const std::optional<OutboxMail>&) override { throw std::logic_error("not faked: WebhookStore::record_webhook_attempt"); }
  std::vector<WebhookDelivery> webhook_deliveries(int64_t, int64_t, int) override { throw std::logic_error("not faked: WebhookStore::webhook_deliveries"); }
  std::optional<WebhookDelivery> redeliver_webhook(int64_t, int64_t, TimePoint) override { throw std::logic_error("not faked: WebhookStore::redeliver_webhook"); }
  int64_t announce_articles(TimePoint) override { throw std::logic_error("not faked: WebhookStore::announce_articles"); }
  int64_t prune_webhook_deliveries(TimePoint) override { throw std::logic_error("not faked: WebhookStore::prune_webhook_deliveries"); }
};

}  // namespace tribune::testing
// clang-format on

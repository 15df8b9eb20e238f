// The Store: every piece of state Tribune keeps, behind one interface. Engines live in sub-folders
// (sqlite/ now, postgres/ later); nothing above this header sees SQL, a connection or an engine type.
//
// Contract for every engine:
//  - Every method is safe to call from any thread, concurrently.
//  - A write method returns only after its effects are durable (committed and synced); concurrent writers
//    may share one commit (group commit). If it throws, none of its effects happened.
//  - Errors surface as tribune::Error: conflict for uniqueness violations, unavailable when the engine
//    cannot be reached or is shutting down, internal otherwise.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "domain/account.h"
#include "domain/article.h"
#include "domain/comment.h"
#include "domain/contribution.h"

namespace tribune {

// Keyset position in the (published_at DESC, id DESC) order of articles.
struct ArticleCursor {
  int64_t published_at = 0;
  int64_t id = 0;
};

struct ArticleQuery {
  TimePoint visible_at{};                 // only articles published at or before this instant
  std::optional<std::string> section_slug;
  std::optional<std::string> author_slug;
  std::optional<std::string> tag;
  std::optional<ArticleCursor> after;     // exclusive
  int limit = 20;
  bool with_body = false;                 // listings skip the body columns
};

struct ArticleList {
  std::vector<Article> articles;
  std::optional<ArticleCursor> next;      // set when more rows follow
};

// An article ready to store: validated, body rendered.
struct ArticleRecord {
  ArticleDraft draft;
  std::string body_html;
  TimePoint published_at{};
};

struct ApiToken {
  int64_t id = 0;
  std::string name;
  std::string role;
  TimePoint created_at{};
};

struct StoreStats {
  int64_t articles = 0;
  int64_t group_commits = 0;       // commits made by the write path
  int64_t grouped_writes = 0;      // writes carried by those commits
  bool replica = false;            // a read replica is configured; then:
  int64_t replica_reads = 0;       //   reads it answered
  int64_t replica_behind = 0;      //   reads sent to the primary because it had not replayed what they need
  int64_t replica_failures = 0;    //   reads sent to the primary because it failed
};

// Read-your-writes when a lagging replica may answer reads. A position orders commits (PostgreSQL: a WAL
// position; 0: none, with engines that have no replica). Per thread: the engine sets `last_write` after each
// commit; the request layer sets `floor` (the newest write the current request must see, e.g. the reader's
// own last one) with a Scope around each request.
struct ReadPositions {
  static inline thread_local uint64_t floor = 0;
  static inline thread_local uint64_t last_write = 0;

  class Scope {
   public:
    explicit Scope(uint64_t request_floor) : saved_floor_(floor), saved_write_(last_write) {
      floor = request_floor;
      last_write = 0;
    }
    ~Scope() {
      floor = saved_floor_;
      last_write = saved_write_;
    }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    uint64_t saved_floor_, saved_write_;
  };
};

class Store {
 public:
  virtual ~Store() = default;

  // Brings the schema up to date; safe to call from several processes at once (one applies each step).
  virtual void migrate() = 0;
  virtual int schema_version() = 0;

  // Creates the article, or replaces the one with the same slug; bumps its version. Authors and the section
  // are created by name when new. Returns the stored article with authors and section resolved.
  // With replace=false an existing slug is an Error(conflict, "slug_taken") and nothing changes.
  virtual Article save_article(const ArticleRecord& record, bool replace) = 0;
  virtual std::optional<Article> find_article(std::string_view slug) = 0;  // any publish time
  virtual std::optional<Article> find_article_by_id(int64_t id) = 0;
  virtual ArticleList list_articles(const ArticleQuery& query) = 0;
  virtual int64_t count_articles() = 0;
  // The earliest publish time strictly after `after`, to wake the scheduler.
  virtual std::optional<TimePoint> next_scheduled(TimePoint after) = 0;
  // A counter bumped by every change that can alter a rendered page, by any process or node sharing the
  // store. Servers poll it to keep their page caches correct when another process writes.
  virtual int64_t content_version() = 0;

  virtual std::optional<Author> find_author(std::string_view slug) = 0;
  virtual std::optional<Section> find_section(std::string_view slug) = 0;
  virtual std::vector<Section> list_sections() = 0;

  // token_hash is the SHA-256 of the token; the token itself is never stored.
  virtual ApiToken create_api_token(const std::string& token_hash, const std::string& name, const std::string& role) = 0;
  virtual std::optional<ApiToken> find_api_token(const std::string& token_hash) = 0;

  // --- Accounts and sessions ---
  // Creates the account and (when session is set) its first session, and queues mail, in one transaction.
  // Errors: conflict "email_taken" (field email) when the normalized email exists.
  struct CreatedAccount {
    Account account;
    int64_t session_id = 0;
  };
  // token is stored for the new account together with mail (its link), in the same transaction.
  virtual CreatedAccount create_account(const NewAccount& account, const std::optional<NewSession>& session,
                                        const std::optional<EmailToken>& token,
                                        const std::optional<OutboxMail>& mail) = 0;
  struct Credentials {
    Account account;
    std::string password_hash;
  };
  virtual std::optional<Credentials> find_credentials(const std::string& email_normalized) = 0;
  virtual std::optional<Account> find_account(int64_t id) = 0;
  virtual void set_password_hash(int64_t account_id, const std::string& password_hash) = 0;
  // True when a staff account (role other than reader) has a display name with one of these confusable keys.
  virtual bool staff_name_taken(const std::array<std::string, 2>& keys) = 0;

  virtual int64_t create_session(int64_t account_id, const NewSession& session) = 0;
  struct SessionLookup {
    SessionInfo session;
    Account account;
  };
  virtual std::optional<SessionLookup> find_session(const std::string& token_hash) = 0;
  virtual void touch_session(int64_t session_id, TimePoint seen) = 0;
  virtual void delete_session(const std::string& token_hash) = 0;
  // Deletes session_id only if it belongs to account_id; false when it did not.
  virtual bool delete_account_session(int64_t account_id, int64_t session_id) = 0;
  virtual void delete_sessions(int64_t account_id) = 0;
  virtual std::vector<SessionInfo> list_sessions(int64_t account_id) = 0;

  // Profile changes. Errors: conflict email_taken.
  virtual void set_display_name(int64_t account_id, const std::string& name, const std::array<std::string, 2>& keys) = 0;
  // Asks for a change of address, in one transaction: the account keeps its address; `confirm` (a "verify"
  // token carrying new_email) is stored and its mail queued to the new address; `undo` (a "reset" token) is
  // stored and `notice` queued to the current address, so that its owner can stop the change (a reset
  // cancels it). Earlier unconfirmed changes of the account are cancelled. Errors: conflict email_taken.
  virtual void request_email_change(int64_t account_id, const EmailToken& confirm, const OutboxMail& confirm_mail,
                                    const EmailToken& undo, const OutboxMail& notice) = 0;
  // Ends every session of the account except keep_session_id (0: all).
  virtual void delete_other_sessions(int64_t account_id, int64_t keep_session_id) = 0;
  // Deletes the account and its sessions and tokens; its comments stay, attributed to a deleted reader.
  virtual void delete_account(int64_t account_id) = 0;
  virtual void set_role(int64_t account_id, const std::string& role) = 0;
  // Accounts by id ascending, after_id exclusive.
  virtual std::vector<Account> list_accounts(int64_t after_id, int limit) = 0;
  // Every comment the account wrote, oldest first (data export).
  virtual std::vector<Comment> comments_by_author(int64_t account_id, int limit) = 0;

  // --- Comments ---
  // Who a change notified, so that live pages can be told at once.
  struct Recipient {
    int64_t account_id = 0;
    std::string kind;  // reply, followed_comment, mention, moderation
  };
  struct SavedComment {
    Comment comment;
    std::vector<Recipient> notified;
  };
  // Stores a comment; for a reply, checks in the same transaction that the parent is a published comment
  // of the same article (else Error(invalid, "invalid_parent")), and counts it on the parent and the
  // article. Resolves the mentioned handles to readers (one each: a reader who took part in the article's
  // conversation first, else the earliest account). A published comment notifies, in the same
  // transaction: the parent's author (reply), the mentioned readers (mention) and the author's followers
  // (followed_comment, at most 10,000), each at most once per comment and never when the recipient
  // ignores the author. A pending comment notifies when it is approved (decide_comment).
  virtual SavedComment add_comment(const NewComment& comment) = 0;
  virtual std::optional<Comment> find_comment(int64_t id) = 0;
  // What the moderation rules need to know about an author, cheaply: their published comments (counted up
  // to published_cap; 0: not counted), and how many of their comments since `since` have this exact text.
  // With decisions_since, also how many of their comments moderators decided since then and how many of
  // those they rejected or hid.
  struct AuthorActivity {
    int64_t published = 0;
    int64_t same_text = 0;
    int64_t decided = 0;
    int64_t rejected = 0;
  };
  struct ActivityQuery {
    int64_t account_id = 0;
    std::string body;
    TimePoint same_text_since{};
    int64_t published_cap = 0;
    std::optional<TimePoint> decisions_since;
  };
  virtual AuthorActivity author_activity(const ActivityQuery& q) = 0;
  // Published comments in the query's order, keyset-paginated.
  virtual CommentList list_comments(const CommentQuery& query) = 0;
  // Published replies (any depth) in the threads of the given top-level comments, oldest first, at most
  // per_thread in each thread and limit in all.
  virtual std::vector<Comment> list_thread_replies(const std::vector<int64_t>& root_ids, int per_thread, int limit) = 0;
  virtual int64_t count_comments(int64_t article_id) = 0;
  // Published comments (any depth) of the article with id > after_id, by id.
  virtual std::vector<Comment> comments_since(int64_t article_id, int64_t after_id, int limit) = 0;
  // Replaces a published comment's body and marks it edited; with hold, the edited comment also goes back to
  // pending (out of its article's and parent's counts, into the moderation queue) until a moderator decides.
  // One transaction. False when the comment is not published (deleted or taken down meanwhile).
  virtual bool edit_comment(int64_t id, const std::string& markdown, const std::string& html, TimePoint edited_at,
                            bool hold = false) = 0;
  // Marks a published comment deleted and takes it out of its article's and parent's counts (one
  // transaction). False when it was not published.
  virtual bool delete_comment(int64_t id) = 0;
  // Adds or removes one reader's reaction (idempotent); returns the comment's new count for that kind.
  virtual int64_t set_reaction(int64_t comment_id, int64_t account_id, const std::string& kind, bool on) = 0;
  // The kinds this reader gave each of these comments (for the per-reader part of a page).
  virtual std::vector<std::pair<int64_t, std::string>> reactions_by(int64_t account_id,
                                                                    const std::vector<int64_t>& comment_ids) = 0;
  // Marks or unmarks a published comment as an editor's pick; false when the comment is not published.
  virtual bool set_pick(int64_t comment_id, bool on) = 0;
  // Comment counts of the visible articles with these slugs (unknown or unpublished slugs are left out).
  virtual std::vector<std::pair<std::string, int64_t>> comment_counts(const std::vector<std::string>& slugs,
                                                                      TimePoint visible_at) = 0;
  // Files a report; false when this reader already reported this comment.
  virtual bool add_report(int64_t comment_id, int64_t reporter_id, const std::string& reason, const std::string& note) = 0;

  // --- Mail tokens and the outbox ---
  // Stores a token for the account and queues its mail in one transaction.
  virtual void create_email_token(int64_t account_id, const EmailToken& token, const OutboxMail& mail) = 0;
  // Consumes an unexpired, unused "verify" token and marks the account's email verified, in one transaction.
  // A token that confirms a change of address first moves the account to its new address (Errors: conflict
  // email_taken when another account took the address meanwhile) and reports the address it had. Nullopt when
  // the token is unknown, used or expired.
  struct VerifiedEmail {
    int64_t account_id = 0;
    std::string previous_email;  // set when the address changed
  };
  virtual std::optional<VerifiedEmail> use_verify_token(const std::string& token_hash, TimePoint now) = 0;
  // Consumes an unexpired, unused "reset" token, sets the password hash, ends every session of the account
  // and marks every other reset token and every unconfirmed change of address of the account used, in one
  // transaction.
  virtual std::optional<int64_t> use_reset_token(const std::string& token_hash, const std::string& password_hash,
                                                 TimePoint now) = 0;
  // True when an unused, unexpired token with this hash and purpose exists (to show the confirm page).
  virtual bool email_token_valid(const std::string& token_hash, const std::string& purpose, TimePoint now) = 0;

  // Claims up to limit due mails: each claimed row is leased until now + lease so that no other sender
  // (thread or node) takes it meanwhile.
  virtual std::vector<QueuedMail> claim_mail(TimePoint now, std::chrono::seconds lease, int limit) = 0;
  virtual void mark_mail_sent(int64_t id, TimePoint now) = 0;
  virtual void mark_mail_failed(int64_t id, const std::string& error, TimePoint retry_at) = 0;
  struct OutboxStats {
    int64_t pending = 0;
    int64_t sent = 0;
  };
  virtual OutboxStats outbox_stats() = 0;

  // --- Follows and notifications ---
  // Idempotent. Errors: not_found when the followed account does not exist.
  virtual void set_follow(int64_t follower_id, int64_t followed_id, bool on) = 0;
  virtual bool follows(int64_t follower_id, int64_t followed_id) = 0;
  struct FollowCounts {
    int64_t followers = 0;
    int64_t following = 0;
  };
  virtual FollowCounts follow_counts(int64_t account_id) = 0;
  // Published comments by the accounts follower_id follows, newest first, id < before_id (0: from the newest).
  virtual std::vector<Comment> followed_comments(int64_t follower_id, int64_t before_id, int limit) = 0;
  // The account's comments on the article still waiting for a moderator, oldest first (only its author sees them).
  virtual std::vector<Comment> held_comments(int64_t author_id, int64_t article_id, int limit) = 0;
  // Published comments by one account, newest first, id < before_id (0: from the newest).
  virtual std::vector<Comment> comments_of(int64_t author_id, int64_t before_id, int limit) = 0;
  // Idempotent. Errors: not_found when the ignored account does not exist.
  virtual void set_ignore(int64_t account_id, int64_t ignored_id, bool on) = 0;
  // The readers this account ignores, most recent first, at most limit.
  virtual std::vector<int64_t> ignored_by(int64_t account_id, int limit) = 0;
  // Which of these accounts the follower follows.
  virtual std::vector<int64_t> followed_among(int64_t follower_id, const std::vector<int64_t>& account_ids) = 0;
  struct Notification {
    int64_t id = 0;
    std::string kind;    // reply, followed_comment, mention, moderation
    std::string detail;  // moderation: approved, rejected, hidden
    Comment comment;
    TimePoint created_at{};
    bool read = false;
  };
  virtual std::vector<Notification> notifications(int64_t account_id, int64_t before_id, int limit) = 0;
  virtual int64_t unread_notifications(int64_t account_id) = 0;
  virtual void mark_notifications_read(int64_t account_id, int64_t up_to_id) = 0;

  // --- Notification mail (digests) ---
  // mode: immediate, daily, off.
  virtual void set_digest(int64_t account_id, const std::string& mode) = 0;
  // The reader's choice to show a supporter badge on their comments (shown once they have contributed).
  // Bumps the content version: every page with their comments changes.
  virtual void set_show_supporter(int64_t account_id, bool on) = 0;
  struct DueDigest {
    Account account;
    int64_t cursor = 0;                 // the last notification id already considered for mail
    int64_t up_to = 0;                  // the newest notification id now considered
    std::vector<Notification> items;    // unread, id > cursor, oldest first, at most 20
    int64_t more = 0;                   // further unread notifications past those items
  };
  // Readers with a verified address and unread notifications past their cursor whose mail is due: every
  // run for "immediate", once a day for "daily".
  virtual std::vector<DueDigest> due_digests(TimePoint now, int limit) = 0;
  // Moves the reader's cursor from expected to up_to and queues the mail (when set), in one transaction.
  // False, changing nothing, when the cursor was not at expected (another worker or node sent it).
  virtual bool record_digest(int64_t account_id, int64_t expected_cursor, int64_t up_to, TimePoint now,
                             const std::optional<OutboxMail>& mail) = 0;

  // --- Moderation ---
  struct QueueQuery {
    std::string view = "open";  // open (held and reported), held, reported, decided
    std::optional<int64_t> article_id;
    std::string rule;           // only comments held by this rule
    std::optional<int64_t> author_id;
    int64_t after = 0;          // open/held/reported: comment id > after; decided: decision (log) id < after (0: newest)
    int limit = 50;
  };
  struct QueueItem {
    Comment comment;
    std::string author_role;  // reader, moderator, editor or admin; empty when the author deleted their account
    int64_t open_reports = 0;
    std::string reasons;  // "spam, abuse"
    std::string rule;     // the moderation rule that held it, and why
    std::string rule_reason;
    // The decided view: the decision, who made it, when and why.
    int64_t decision_id = 0;
    std::string decision;
    std::string decided_by;
    std::string decision_reason;
    TimePoint decided_at{};
  };
  // The queue: open/held/reported by comment id ascending; decided by decision, newest first.
  virtual std::vector<QueueItem> moderation_queue(const QueueQuery& q) = 0;
  // approve: published, reports resolved; reject/hide: out of the conversation and its counts. Logged with
  // the moderator and reason, in one transaction, with a "moderation" notice to the author when a held
  // comment is approved or a comment is taken down; approving a held comment also sends the notifications
  // its publication would have (add_comment). Errors: not_found.
  // notify_author false: no moderation notice (the other notifications still go out).
  virtual SavedComment decide_comment(int64_t comment_id, int64_t moderator_id, const std::string& decision,
                                      const std::string& reason, bool notify_author = true) = 0;
  // until empty: lifts the ban. Logged. Errors: not_found.
  virtual void set_ban(int64_t account_id, int64_t moderator_id, std::optional<TimePoint> until, const std::string& reason) = 0;
  // A sanction or record on a reader, logged with the moderator and reason in the same transaction.
  // action: warn (the reader must acknowledge `reason` before posting again), premoderate (every comment of
  // theirs waits for review), release (ends premoderate), note (a moderator's note; only staff see it).
  // Errors: not_found.
  virtual void sanction(int64_t account_id, int64_t moderator_id, const std::string& action, const std::string& reason) = 0;
  // Clears the reader's warning, logged as acknowledged; false when there was none.
  virtual bool acknowledge_warning(int64_t account_id) = 0;

  // The audit log: every moderation and admin act, append-only (the engine refuses updates and deletes).
  struct LogEntry {
    int64_t id = 0;
    std::optional<int64_t> actor_id;  // empty: an API token or the command line
    std::string actor_name;           // as it was when the act happened
    std::string action;
    std::optional<int64_t> comment_id;
    std::optional<int64_t> account_id;  // the reader acted on; for a decision, the comment's author
    std::string reason;
    TimePoint created_at{};
  };
  // Records an act that is not already logged by the store method doing it (role changes, tokens).
  virtual void audit(std::optional<int64_t> actor_id, const std::string& action, std::optional<int64_t> account_id,
                     const std::string& detail) = 0;
  struct LogQuery {
    int64_t before_id = 0;               // newest first, id < before_id (0: from the newest)
    int limit = 50;
    std::optional<int64_t> subject_id;   // acts on this reader or on their comments (account_id)
    std::string action;                  // only this action
  };
  virtual std::vector<LogEntry> audit_log(const LogQuery& q) = 0;

  // --- The spam classifier's training data and model ---
  // Moderators' decisions as labelled text (approve: wanted; reject, hide: spam or abuse), log id > after_id.
  struct TrainingExample {
    int64_t id = 0;
    bool spam = false;
    std::string text;
  };
  virtual std::vector<TrainingExample> training_examples(int64_t after_id, int limit) = 0;
  virtual void save_model(const std::string& name, const std::string& blob) = 0;
  virtual std::optional<std::string> load_model(const std::string& name) = 0;

  // --- Contributions ---
  virtual Contribution create_contribution(const NewContribution& c) = 0;
  virtual void set_checkout_session(int64_t contribution_id, const std::string& session_id) = 0;
  virtual std::optional<Contribution> find_contribution(int64_t id) = 0;
  // Records the event id and applies the event, in one transaction. duplicate: the id was applied before
  // (nothing changes). unmatched: no contribution matches yet (an event that overtook the one naming the
  // contribution); it is kept and applied by a later call. A status moves only if the event is not older
  // than the one that set the current status. The first event with money_arrived queues thank_you's mail.
  virtual EventOutcome apply_payment_event(const PaymentEvent& e,
                                           const std::function<std::optional<OutboxMail>(const Contribution&)>& thank_you) = 0;
  // Events kept unmatched, oldest first: (id, raw payload).
  virtual std::vector<std::pair<std::string, std::string>> unmatched_payment_events(int limit) = 0;
  // Totals in one currency over the days before `until` (UTC days), by day, by article, by interval.
  virtual ContributionReport contribution_report(const std::string& currency, TimePoint until, int days) = 0;
  // Every contribution, oldest first, id > after_id (CSV export).
  virtual std::vector<Contribution> list_contributions(int64_t after_id, int limit) = 0;

  // --- Messages between the processes sharing this store (several nodes behind a load balancer) ---
  // publish() sends a short text to every other process listening on the same store, at once (not inside a
  // write's transaction: call it after the write). listen() delivers their messages to on_message, in order,
  // on a thread of the store's, and calls on_gap when a lost connection is back (messages may have been
  // missed meanwhile: drop caches). An engine used by one process only (SQLite) delivers nothing.
  // Errors (publish): invalid "message_too_large" past kMaxMessageBytes; unavailable.
  static constexpr size_t kMaxMessageBytes = 7900;  // PostgreSQL's NOTIFY takes at most 8,000 bytes
  virtual void publish(std::string_view message) { (void)message; }
  virtual void listen(std::function<void(std::string_view)> on_message, std::function<void()> on_gap) {
    (void)on_message;
    (void)on_gap;
  }
  // Stops delivering; returns once no handler runs any more.
  virtual void stop_listening() {}

  // --- Rate limits shared by the nodes ---
  // Counts one hit on key in a fixed window of the given length and returns the window's count (this hit
  // included) and start. nullopt: this engine serves one process, whose limiter counts in memory.
  struct RateWindow {
    int64_t count = 0;
    std::chrono::milliseconds started{};  // since the Unix epoch
  };
  virtual std::optional<RateWindow> rate_hit(const std::string& key, std::chrono::milliseconds window) {
    (void)key;
    (void)window;
    return std::nullopt;
  }
  // Several keys at once, in one round trip where the engine can (a comment counts against its reader and
  // its address); windows in the order of `keys`, or nullopt like rate_hit. Keys must differ.
  struct RateKey {
    std::string key;
    std::chrono::milliseconds window;
  };
  virtual std::optional<std::vector<RateWindow>> rate_hits(const std::vector<RateKey>& keys) {
    std::vector<RateWindow> out;
    for (const auto& k : keys) {
      auto w = rate_hit(k.key, k.window);
      if (!w) return std::nullopt;
      out.push_back(*w);
    }
    return out;
  }
  virtual void rate_reset(const std::string& key) { (void)key; }

  // --- Positions (see ReadPositions) ---
  // The newest position this process committed or heard of; heard_position() raises it for a change another
  // node committed (its message carries the position); sync_position() raises it to the primary's current
  // one (after a gap in messages, or at start). Engines without a replica answer 0 and do nothing.
  virtual uint64_t known_position() { return 0; }
  virtual void heard_position(uint64_t position) { (void)position; }
  virtual void sync_position() {}

  // Adds one to a named counter (a durable write, like any other).
  virtual void bump_counter(const std::string& name) = 0;

  // "ok" when the engine's own consistency check passes, else its first complaint.
  virtual std::string integrity_check() = 0;
  virtual StoreStats stats() = 0;
};

}  // namespace tribune

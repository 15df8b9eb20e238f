// The commenting forum's rules: who may post where, what a comment may contain, how threads are read.
// Moderation rules will wrap post() (a later issue); for now a valid comment is published, or held for a
// moderator when the article is pre-moderated.
#pragma once

#include <functional>
#include <optional>
#include <vector>

#include "domain/articles.h"
#include "domain/classifier.h"
#include "domain/moderation_rules.h"
#include "domain/rate_limit.h"
#include "model/comment.h"
#include "store/roles/accounts.h"
#include "store/roles/comments.h"

namespace tribune {

inline constexpr size_t kMaxCommentBytes = 20000;  // about 5,000 words of Markdown

struct Commenter {
  int64_t account_id = 0;
  std::string display_name;
  std::string ip;
  Role role = Role::reader;
  bool acknowledged_nudge = false;  // posting again after being told a rule would hold the comment
  // The account as read at the start of this request (with the session), if the caller has it: its bans,
  // warnings and pre-moderation are then not read again.
  std::shared_ptr<const Account> account;
};

// The first page of a conversation as the article page shows it: top-level comments and their replies.
struct Conversation {
  std::vector<Comment> top;
  std::vector<Comment> replies;  // oldest first, any depth
  std::optional<CommentCursor> next;
  int64_t total = 0;
  CommentSort sort = CommentSort::newest;
  int replies_per_thread = 0;  // the cap replies were loaded with (0: all): more may wait behind a link
};

struct CommentLimits {
  Limit per_account{10, std::chrono::minutes(1)};  // new comments, and separately edits
  Limit per_ip{60, std::chrono::minutes(1)};       // across accounts: one machine opening many accounts
  Limit reactions{60, std::chrono::minutes(1)};    // recommend and unrecommend, per reader
  std::chrono::seconds edit_window{std::chrono::minutes(15)};
};

// Who acts on an existing comment.
struct Actor {
  int64_t account_id = 0;
  Role role = Role::reader;
  // The account as read with the session, if the caller has it (its sanctions are then not read again).
  std::shared_ptr<const Account> account;
};

class CommentService {
 public:
  // What happened to a comment, as live subscribers see it. reacted: only its reaction counts changed (live
  // pages may hear of a burst of those at most once a second).
  enum class Change { created, updated, removed, reacted };
  using Listener = std::function<void(const Article&, const Comment&, Change)>;
  // Readers a committed change notified (replies, mentions, followed readers, moderation notices).
  using NotifyListener = std::function<void(const Comment&, const std::vector<Recipient>&)>;

  CommentService(CommentStore& store, AccountStore& accounts_store, ArticleService& articles, RateLimiter& limiter,
                 CommentLimits limits = {});

  // Errors: not_found (article), forbidden (comments_closed, banned, suspended, warning_unacknowledged), invalid (body:
  // empty_comment, too_long, invalid_utf8, control_characters, rejected (a moderation rule, with its reason),
  // needs_revision (a rule that nudges: the author may revise, or post again acknowledging it); parent_id:
  // invalid_parent), rate_limited. A comment a rule holds (a pre-moderated article, suspect words, links, a new reader)
  // comes back "pending": only its author and moderators see it until it is approved.
  Comment post(const Commenter& who, std::string_view article_slug, const std::string& body,
               std::optional<int64_t> parent_id);
  // Throws invalid (field body) unless the text can be a comment.
  static void check_body(const std::string& body);

  struct Page {
    Article article;
    CommentList list;
  };
  // Errors: not_found (article).
  Page list(std::string_view article_slug, CommentQuery query) const;
  std::vector<std::pair<int64_t, std::string>> reactions_by(int64_t account_id, const std::vector<int64_t>& ids) const {
    return store_.reactions_by(account_id, ids);
  }
  // Each thread shows its first kRepliesShown replies; the page offers the rest ("more replies").
  Conversation conversation(const Article& article, CommentSort sort = CommentSort::newest,
                            std::optional<CommentCursor> after = std::nullopt, int top_limit = 50,
                            int reply_limit = 500) const;
  // One comment and the replies under it (at most kThreadLimit), oldest first: the page a "continue this
  // thread" or "more replies" link leads to. Errors: not_found (comment not published, article not visible).
  struct Thread {
    Article article;
    Conversation conversation;  // top: the comment; replies: its descendants
  };
  Thread thread(int64_t comment_id) const;
  static constexpr int kRepliesShown = 20;
  static constexpr int kThreadLimit = 1000;

  std::chrono::seconds edit_window() const { return limits_.edit_window; }
  std::optional<Comment> find(int64_t id) const { return store_.find_comment(id); }
  // The reader's own comments on the article that wait for a moderator (at most 50). Errors: not_found.
  std::vector<Comment> held_for(int64_t account_id, std::string_view article_slug) const;
  // Comment counts of visible articles by slug (home and section pages ask for many at once).
  std::vector<std::pair<std::string, int64_t>> counts(const std::vector<std::string>& slugs) const {
    return store_.comment_counts(slugs, articles_.now());
  }

  // The author, within the edit window, under the same sanctions and rules as posting. Errors: not_found,
  // forbidden (not_author, edit_window_closed, banned, suspended, warning_unacknowledged), invalid (body,
  // rejected, needs_revision), rate_limited. When the article or the author is pre-moderated the edited
  // comment comes back "pending": it leaves the page until a moderator approves the new text.
  Comment edit(const Actor& who, int64_t comment_id, const std::string& body);
  // The author, or staff. Errors: not_found, forbidden.
  void remove(const Actor& who, int64_t comment_id);
  // kind: "recommend". Errors: not_found, invalid (unknown_reaction), forbidden (own_comment, banned,
  // suspended, warning_unacknowledged), rate_limited. Idempotent.
  int64_t react(const Actor& who, int64_t comment_id, const std::string& kind, bool on);
  // reason: one of kReportReasons (model/moderation.h); note <= 500. Errors: not_found, invalid. Idempotent per reader.
  void report(const Actor& who, int64_t comment_id, const std::string& reason, const std::string& note);
  // Editor's pick on or off. Staff only. Errors: not_found, forbidden. Idempotent.
  void pick(const Actor& who, int64_t comment_id, bool on);
  // The moderation rules every new comment passes (docs/moderation.md). Without them only pre-moderation
  // holds comments.
  void set_rules(std::shared_ptr<const RulePipeline> rules) { rules_ = std::move(rules); }
  // The spam classifier the "classifier" rule asks, and the external rule's call (both optional).
  void set_classifier(std::shared_ptr<const Classifier> c) { classifier_ = std::move(c); }
  void set_external_check(ExternalCheck check) { external_ = std::move(check); }
  // Called after every change is committed, on the thread that made it.
  void on_comment(Listener l) { listeners_.push_back(std::move(l)); }
  void on_notify(NotifyListener l) { notify_listeners_.push_back(std::move(l)); }
  // Called after a new comment is committed held for review (readers hear nothing of it; staff do).
  void on_held(Listener l) { held_listeners_.push_back(std::move(l)); }
  // Called when a write to the article's conversation failed for want of the store, so that it may or may
  // not have committed: caches of the article must be dropped (the next read asks the store).
  using DoubtListener = std::function<void(const Article&)>;
  void on_doubt(DoubtListener l) { doubt_listeners_.push_back(std::move(l)); }
  void notify(const Comment& c, const std::vector<Recipient>& recipients);
  // Published comments of the article with ids above after_id, oldest first (Last-Event-ID resume).
  std::vector<Comment> since(int64_t article_id, int64_t after_id, int limit) const {
    return store_.comments_since(article_id, after_id, limit);
  }

 private:
  CommentStore& store_;
  AccountStore& accounts_store_;
  ArticleService& articles_;
  RateLimiter& limiter_;
  CommentLimits limits_;
  std::vector<Listener> listeners_;
  std::vector<Listener> held_listeners_;
  std::vector<NotifyListener> notify_listeners_;
  std::vector<DoubtListener> doubt_listeners_;

  // Runs a write to the article's conversation. When the store fails so that the write may or may not have
  // committed (unavailable: the answer was lost), the article's pages must not go on showing the old state:
  // the doubt listeners drop them, then the error goes on to the caller. The article is read before the
  // write, while the store answers: after such a failure a read would likely fail too.
  template <class ArticleRef, class Write>  // ArticleRef: std::optional<Article> or std::shared_ptr<const Article>
  auto in_doubt_drop(const ArticleRef& article, Write&& write) -> decltype(write()) {
    try {
      return write();
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::unavailable && article) doubt(*article);
      throw;
    }
  }
  void doubt(const Article& article) noexcept;
  void give_back(const RateLimiter::Tally& tally, size_t i) noexcept;
  void changed(const std::optional<Article>& article, const Comment& c, Change change);
  std::shared_ptr<const RulePipeline> rules_;
  std::shared_ptr<const Classifier> classifier_;
  ExternalCheck external_;
  // What the rules see of a text whoever posts it: the text, its author, the article, the classifier's score.
  Candidate text_candidate(const Commenter& who, std::string_view article_slug, const std::string& body) const;
  // Runs the rule pipeline on a new or edited text. Throws for reject and for an unacknowledged nudge.
  Verdict screen(const Commenter& who, const std::optional<Account>& account, const Article& article,
                 const std::string& body, bool premoderated, const AuthorActivity& activity);
  // What the rules in use need to read about a new comment's author (CommentStore::author_activity).
  ActivityQuery activity_query(const Commenter& who, const std::string& body, TimePoint now) const;
  // The store lists a removed comment only while published replies sit below it: it is shown as a tombstone.
  static void empty_removed(std::vector<Comment>& listed);
  // Attempts to post or edit, refused ones included: three times the posting limit, in the same window.
  Limit attempt_limit() const { return {limits_.per_account.count * 3, limits_.per_account.window}; }
  Comment published(int64_t comment_id) const;
  // The account as the caller read it, or from the store.
  std::optional<Account> account_of(int64_t account_id, const std::shared_ptr<const Account>& given) const;
  // A comment's Markdown as readers see it: links marked as readers' (nofollow), @mentions linking to the
  // profiles of the readers they name in this article's conversation.
  std::string render_body(const std::string& body, int64_t article_id) const;
  // Throws forbidden (banned, suspended, warning_unacknowledged) unless the reader may take part.
  void check_standing(const std::optional<Account>& account) const;

 public:
  // Tells the listeners (caches, live pages) about a change made elsewhere (moderation).
  void changed(const Comment& c, Change change);
};

}  // namespace tribune

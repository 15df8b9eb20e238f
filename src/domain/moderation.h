// Moderation: the queues (held, reported, recently decided), decisions one at a time or in bulk, sanctions
// on readers (warn, suspend, ban, pre-moderate), moderators' notes, a reader's history and the audit log.
// Every act is logged by the store in the same transaction, with the moderator and the reason.
#pragma once

#include <string_view>
#include <utility>

#include "domain/classifier.h"
#include "domain/comments.h"
#include "model/params.h"
#include "store/roles/accounts.h"
#include "store/roles/articles.h"
#include "store/roles/audit.h"
#include "store/roles/comments.h"
#include "store/roles/moderation.h"

namespace tribune {

// Every act the audit log records, by code, with the words moderators read on the pages. The codes are a
// contract (the JSON API, the CSV export, the log filter); the labels are not.
inline constexpr std::pair<std::string_view, std::string_view> kAuditActions[] = {
    {"approve", "Approved a comment"},
    {"reject", "Rejected a comment"},
    {"hide", "Hid a comment"},
    {"warn", "Warned the reader"},
    {"acknowledge_warning", "Acknowledged a warning"},
    {"ban", "Banned or suspended the reader"},
    {"unban", "Lifted a ban or suspension"},
    {"premoderate", "Put every comment under review"},
    {"release", "Stopped reviewing every comment"},
    {"note", "Added a note for moderators"},
    {"set_role", "Changed the role"},
    {"create_staff_account", "Created a staff account"},
    {"create_token", "Created an API token"},
    {"revoke_token", "Revoked an API token"},
    {"publish_article", "Published an article"},
    {"unpublish_article", "Unpublished an article"},
    {"retract_article", "Retracted an article"},
    {"delete_article", "Deleted an article"},
    {"restore_revision", "Restored an article's earlier text"},
    {"edit_section", "Changed a section"},
    {"edit_author", "Changed an author"},
    {"merge_tag", "Merged a tag"},
    {"create_webhook", "Added a webhook endpoint"},
    {"edit_webhook", "Changed a webhook endpoint"},
    {"delete_webhook", "Deleted a webhook endpoint"},
    {"rotate_webhook_secret", "Rotated a webhook secret"},
    {"redeliver_webhook", "Sent a webhook delivery again"},
    {"allow_embed_origin", "Allowed a site to embed conversations"},
    {"remove_embed_origin", "Stopped a site embedding conversations"}};
// The label of an act; the code itself for one this version does not know (written by a newer node).
std::string_view audit_action_label(std::string_view code);

struct ModerationSettings {
  bool notify_authors = true;  // a decision on a comment tells its author (approved, rejected, hidden)
};

class ModerationService {
 public:
  ModerationService(ModerationStore& store, AuditLog& audit, AccountStore& accounts_store, ArticleStore& article_store,
                    CommentStore& comment_store, CommentService& comments, ArticleService& articles,
                    ModerationSettings settings = {})
      : store_(store),
        audit_(audit),
        accounts_store_(accounts_store),
        article_store_(article_store),
        comment_store_(comment_store),
        comments_(comments),
        articles_(articles),
        settings_(settings) {}

  // Decisions train it.
  void set_classifier(std::shared_ptr<Classifier> c) { classifier_ = std::move(c); }

  // Errors: invalid (view, rule).
  std::vector<QueueItem> queue(const QueueQuery& q);
  // The id of the article with this slug, published or not. Errors: not_found.
  int64_t article_id(std::string_view slug);
  // What a moderator asked the queue for (?view&rule&article=SLUG&reader=ID&after=ID). Errors: not_found
  // (article), invalid (invalid_id), bad_request (invalid_cursor).
  QueueQuery queue_query(const Params& query, int limit);
  // The audit log's filters (?before=ID&reader=ID&action=NAME). Errors: invalid (invalid_id,
  // invalid_action), bad_request (invalid_cursor).
  static LogQuery log_query(const Params& query, int limit);
  // decision: approve, reject, hide. Errors: invalid (decision), not_found.
  Comment decide(int64_t moderator_id, int64_t comment_id, const std::string& decision, const std::string& reason);
  // The same decision on up to 100 comments; comments that no longer exist are skipped. Returns how many
  // were decided. Errors: invalid (decision, ids).
  int decide_many(int64_t moderator_id, const std::vector<int64_t>& comment_ids, const std::string& decision,
                  const std::string& reason);
  // until empty: a ban (no end). Errors: not_found, invalid (until in the past), forbidden (banning staff).
  void ban(int64_t moderator_id, int64_t account_id, std::optional<TimePoint> until, const std::string& reason);
  void lift_ban(int64_t moderator_id, int64_t account_id);
  // action: warn (reason required: the reader reads it and must acknowledge it before posting again),
  // premoderate, release, note (reason required: the note). Errors: invalid, not_found, forbidden (staff).
  void sanction(int64_t moderator_id, int64_t account_id, const std::string& action, const std::string& reason);
  // The reader acknowledges their warning; false when there was none.
  bool acknowledge_warning(int64_t account_id) { return store_.acknowledge_warning(account_id); }

  // One reader on one page: the account, their comments in every state (newest first) and every act on them
  // or their comments (decisions, sanctions, notes), newest first. Errors: not_found.
  struct History {
    Account account;
    std::vector<Comment> comments;
    std::vector<LogEntry> log;
  };
  History history(int64_t account_id, int limit = 200);
  // An edited comment's texts, for moderators: the comment (any status) and its earlier texts, oldest first.
  // Errors: not_found.
  struct Versions {
    Comment comment;
    std::vector<CommentRevision> earlier;
  };
  Versions versions(int64_t comment_id);
  std::vector<LogEntry> log(const LogQuery& q) { return audit_.audit_log(q); }
  // Admin acts that no store method logs by itself (role changes, API tokens).
  void audit(std::optional<int64_t> actor_id, const std::string& action, std::optional<int64_t> account_id,
             const std::string& detail) {
    audit_.audit(actor_id, action, account_id, detail);
  }

 private:
  ModerationStore& store_;
  AuditLog& audit_;
  AccountStore& accounts_store_;
  ArticleStore& article_store_;
  CommentStore& comment_store_;
  CommentService& comments_;
  ArticleService& articles_;
  ModerationSettings settings_;
  std::shared_ptr<Classifier> classifier_;
  static void check_reason(const std::string& reason, bool required);
};

}  // namespace tribune

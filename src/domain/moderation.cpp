#include "domain/moderation.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "model/error.h"

namespace tribune {

std::string_view audit_action_label(std::string_view code) {
  for (auto [known, label] : kAuditActions)
    if (known == code) return label;
  return code;
}

void ModerationService::check_reason(const std::string& reason, bool required) {
  if (!is_valid_utf8(reason) || has_control_chars(reason))
    throw invalid_field("reason", "invalid_reason", "The reason must be plain text, without control characters.");
  if (reason.size() > 500)
    throw invalid_field("reason", "invalid_reason", "The reason must be at most 500 characters of text.");
  if (required && trim(reason).empty())
    throw invalid_field("reason", "reason_required", "Give a reason: the reader sees it.");
}

std::vector<QueueItem> ModerationService::queue(const QueueQuery& q) {
  static constexpr std::string_view views[] = {"open", "held", "reported", "decided", "all"};
  if (std::find(std::begin(views), std::end(views), q.view) == std::end(views))
    throw invalid_field("view", "invalid_view", "view must be open, held, reported, decided or all.");
  auto characters = std::count_if(q.text.begin(), q.text.end(), [](char c) { return (c & 0xC0) != 0x80; });
  if (!is_valid_utf8(q.text) || has_control_chars(q.text) || characters > 200)
    throw invalid_field("q", "invalid_text", "Search for at most 200 characters of plain text.");
  if (q.rule.size() > 40 || !std::all_of(q.rule.begin(), q.rule.end(), [](char c) {
        return std::islower(static_cast<unsigned char>(c)) || c == '_';
      }))
    throw invalid_field("rule", "invalid_rule", "rule must be the name of a moderation rule.");
  return store_.moderation_queue(q);
}

int64_t ModerationService::article_id(std::string_view slug) {
  auto a = article_store_.find_article(slug);
  if (!a) throw not_found("The article");
  return a->id;
}

Comment ModerationService::decide(int64_t moderator_id, int64_t comment_id, const std::string& decision,
                                  const std::string& reason) {
  if (decision != "approve" && decision != "reject" && decision != "hide")
    throw invalid_field("decision", "invalid_decision", "decision must be approve, reject or hide.");
  check_reason(reason, false);
  auto before = comment_store_.find_comment(comment_id);
  if (!before) throw not_found("The comment");
  auto saved = store_.decide_comment(comment_id, moderator_id, decision, reason, settings_.notify_authors);
  const Comment& after = saved.comment;
  if (before->status != after.status) {
    if (after.status == CommentStatus::published)
      comments_.changed(after, CommentService::Change::created);
    else if (before->status == CommentStatus::published)
      comments_.changed(after, CommentService::Change::removed);
  }
  comments_.notify(after, saved.notified);
  if (classifier_) {
    try {
      classifier_->learn_new();
    } catch (const std::exception& e) {
      spdlog::warn("classifier: could not learn from the decision: {}", e.what());  // the next sync catches up
    }
  }
  return after;
}

int ModerationService::decide_many(int64_t moderator_id, const std::vector<int64_t>& comment_ids,
                                   const std::string& decision, const std::string& reason) {
  if (comment_ids.empty() || comment_ids.size() > 100)
    throw invalid_field("ids", "invalid_ids", "Choose between 1 and 100 comments.");
  int done = 0;
  for (int64_t id : comment_ids) {
    try {
      decide(moderator_id, id, decision, reason);
      ++done;
    } catch (const Error& e) {
      if (e.kind() != ErrorKind::not_found) throw;
    }
  }
  return done;
}

void ModerationService::ban(int64_t moderator_id, int64_t account_id, std::optional<TimePoint> until,
                            const std::string& reason) {
  if (until && *until <= articles_.now())
    throw invalid_field("until", "invalid_time", "A suspension must end in the future.");
  check_reason(reason, false);
  auto account = accounts_store_.find_account(account_id);
  if (!account) throw not_found("The account");
  if (account->role != Role::reader) throw Error(ErrorKind::forbidden, "forbidden", "Staff accounts cannot be banned.");
  // A ban is a suspension that never ends in practice.
  store_.set_ban(account_id, moderator_id, until.value_or(kBanEnd), reason);
}

void ModerationService::lift_ban(int64_t moderator_id, int64_t account_id) {
  store_.set_ban(account_id, moderator_id, std::nullopt, "");
}

void ModerationService::sanction(int64_t moderator_id, int64_t account_id, const std::string& action,
                                 const std::string& reason) {
  if (action != "warn" && action != "premoderate" && action != "release" && action != "note")
    throw invalid_field("action", "invalid_action", "action must be warn, premoderate, release or note.");
  check_reason(reason, action == "warn" || action == "note");
  auto account = accounts_store_.find_account(account_id);
  if (!account) throw not_found("The account");
  if (action != "note" && account->role != Role::reader)
    throw Error(ErrorKind::forbidden, "forbidden", "Staff accounts cannot be sanctioned.");
  store_.sanction(account_id, moderator_id, action, trim(reason));
}

ModerationService::Versions ModerationService::versions(int64_t comment_id) {
  auto c = comment_store_.find_comment(comment_id);
  if (!c) throw not_found("The comment");
  return {std::move(*c), comment_store_.comment_revisions(comment_id)};
}

ModerationService::History ModerationService::history(int64_t account_id, int limit) {
  auto account = accounts_store_.find_account(account_id);
  if (!account) throw not_found("The account");
  History h{*account, accounts_store_.comments_by_author(account_id, 100000), {}};
  std::reverse(h.comments.begin(), h.comments.end());
  if (static_cast<int>(h.comments.size()) > limit) h.comments.resize(static_cast<size_t>(limit));
  LogQuery q;
  q.subject_id = account_id;
  q.limit = limit;
  h.log = audit_.audit_log(q);
  return h;
}

QueueQuery ModerationService::queue_query(const Params& query, int limit) {
  QueueQuery q;
  q.limit = limit;
  if (auto v = param(query, "view"); v && !v->empty()) q.view = std::string(*v);
  if (auto r = param(query, "rule")) q.rule = std::string(*r);
  if (auto slug = param(query, "article"); slug && !slug->empty()) q.article_id = article_id(*slug);
  q.author_id = optional_id_param(query, "reader");
  if (auto text = param(query, "q")) q.text = trim(*text);
  q.after = position_param(query, "after");
  return q;
}

LogQuery ModerationService::log_query(const Params& query, int limit) {
  LogQuery q;
  q.limit = limit;
  q.before_id = position_param(query, "before");
  q.subject_id = optional_id_param(query, "reader");
  if (auto a = param(query, "action")) {
    bool name = a->size() <= 40 && std::all_of(a->begin(), a->end(), [](char c) {
                  return std::islower(static_cast<unsigned char>(c)) || c == '_';
                });
    if (!name)
      throw invalid_field("action", "invalid_action", "action must be the name of an act, such as approve or ban.");
    q.action = std::string(*a);
  }
  return q;
}

}  // namespace tribune

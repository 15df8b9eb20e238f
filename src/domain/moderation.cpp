#include "domain/moderation.h"

#include "domain/error.h"

namespace tribune {

void ModerationService::require_staff(const std::string& role) {
  if (role != "moderator" && role != "editor" && role != "admin")
    throw Error(ErrorKind::forbidden, "forbidden", "Only moderators can do this.");
}

Comment ModerationService::decide(int64_t moderator_id, int64_t comment_id, const std::string& decision,
                                  const std::string& reason) {
  if (decision != "approve" && decision != "reject" && decision != "hide")
    throw invalid_field("decision", "invalid_decision", "decision must be approve, reject or hide.");
  if (!is_valid_utf8(reason) || has_control_chars(reason) || reason.size() > 500)
    throw invalid_field("reason", "invalid_reason", "The reason must be at most 500 characters of text.");
  auto before = store_.find_comment(comment_id);
  if (!before) throw not_found("The comment");
  auto saved = store_.decide_comment(comment_id, moderator_id, decision, reason);
  const Comment& after = saved.comment;
  if (before->status != after.status) {
    if (after.status == CommentStatus::published) comments_.changed(after, CommentService::Change::created);
    else if (before->status == CommentStatus::published) comments_.changed(after, CommentService::Change::removed);
  }
  comments_.notify(after, saved.notified);
  return after;
}

void ModerationService::ban(int64_t moderator_id, int64_t account_id, std::optional<TimePoint> until,
                            const std::string& reason) {
  if (until && *until <= articles_.now())
    throw invalid_field("until", "invalid_time", "A suspension must end in the future.");
  if (!is_valid_utf8(reason) || has_control_chars(reason) || reason.size() > 500)
    throw invalid_field("reason", "invalid_reason", "The reason must be at most 500 characters of text.");
  auto account = store_.find_account(account_id);
  if (!account) throw not_found("The account");
  if (account->role != "reader") throw Error(ErrorKind::forbidden, "forbidden", "Staff accounts cannot be banned.");
  // A ban is a suspension that never ends in practice.
  TimePoint end = until.value_or(TimePoint(std::chrono::seconds(253402300799)));  // 9999-12-31T23:59:59Z
  store_.set_ban(account_id, moderator_id, end, reason);
}

void ModerationService::lift_ban(int64_t moderator_id, int64_t account_id) {
  store_.set_ban(account_id, moderator_id, std::nullopt, "");
}

}  // namespace tribune

// The moderation queue, the audit log and the classifier's training data, as the store answers about them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/account.h"
#include "model/comment.h"

namespace tribune {

// Why a reader reports a comment: the code the API takes and stores, and the words readers choose from (the
// moderators' queue reads them in lower case after the first).
struct ReportReason {
  std::string_view code;
  std::string_view label;
};
inline constexpr ReportReason kReportReasons[] = {{"spam", "Spam or advertising"},
                                                  {"abuse", "Abusive or hateful"},
                                                  {"off_topic", "Off topic"},
                                                  {"other", "Something else"}};

struct QueueQuery {
  // open (held and reported), held, reported, decided, or all (every comment not deleted by its author,
  // newest first: the moderators' search)
  std::string view = "open";
  std::optional<int64_t> article_id;
  std::string rule;  // only comments held by this rule
  std::optional<int64_t> author_id;
  std::string text;  // only comments whose text contains this (letters in any case)
  // open/held/reported: comment id > after; decided: decision (log) id < after; all: comment id < after
  // (0: newest)
  int64_t after = 0;
  int limit = 50;
};

struct QueueItem {
  Comment comment;
  Role author_role = Role::reader;  // reader too when the author deleted their account
  int64_t open_reports = 0;
  std::string reasons;  // "spam,abuse": the reasons' codes
  std::string notes;    // the reporters' notes, " | " between them
  std::string rule;     // the moderation rule that held it, and why
  std::string rule_reason;
  // The decided view: the decision, who made it, when and why.
  int64_t decision_id = 0;
  std::string decision;
  std::string decided_by;
  std::string decision_reason;
  TimePoint decided_at{};
};

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

struct LogQuery {
  int64_t before_id = 0;  // newest first, id < before_id (0: from the newest)
  int limit = 50;
  std::optional<int64_t> subject_id;  // acts on this reader or on their comments (account_id)
  std::string action;                 // only this action
};

struct TrainingExample {
  int64_t id = 0;
  bool spam = false;
  std::string text;
};

}  // namespace tribune

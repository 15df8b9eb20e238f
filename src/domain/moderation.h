// Moderation basics: the queue of reported and held comments, decisions, bans and suspensions, each logged
// with the moderator and the reason. A later issue wraps comment posting in a pipeline of rules; these
// stay the domain operations that pipeline and the queue pages call.
#pragma once

#include "domain/comments.h"
#include "store/store.h"

namespace tribune {

class ModerationService {
 public:
  ModerationService(Store& store, CommentService& comments, ArticleService& articles)
      : store_(store), comments_(comments), articles_(articles) {}

  // Errors: forbidden unless role is moderator, editor or admin.
  static void require_staff(const std::string& role);

  std::vector<Store::QueueItem> queue(int64_t after_id, int limit) { return store_.moderation_queue(after_id, limit); }
  // decision: approve, reject, hide. Errors: invalid (decision), not_found.
  Comment decide(int64_t moderator_id, int64_t comment_id, const std::string& decision, const std::string& reason);
  // until empty: a ban (no end). Errors: not_found, invalid (until in the past), forbidden (banning staff).
  void ban(int64_t moderator_id, int64_t account_id, std::optional<TimePoint> until, const std::string& reason);
  void lift_ban(int64_t moderator_id, int64_t account_id);

 private:
  Store& store_;
  CommentService& comments_;
  ArticleService& articles_;
};

}  // namespace tribune

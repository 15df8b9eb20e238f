// JSON API v1: moderation (moderator, editor or admin; session or token).
#pragma once

#include "domain/moderation.h"
#include "http/message.h"

namespace tribune::api {

class ModerationApi {
 public:
  explicit ModerationApi(ModerationService& moderation) : moderation_(moderation) {}

  // GET /api/v1/moderation/queue?after=ID&limit=N -> {items: [{comment, article_id, open_reports, reasons}], next_after}
  Response queue(RequestContext& ctx);
  // POST /api/v1/moderation/comments/{id}/decision {decision: approve|reject|hide, reason?} -> {comment}
  Response decide(RequestContext& ctx);
  // POST /api/v1/moderation/accounts/{id}/ban {reason?} -> 204; DELETE the same lifts it
  Response ban(RequestContext& ctx);
  Response lift_ban(RequestContext& ctx);
  // POST /api/v1/moderation/accounts/{id}/suspension {until, reason?} -> 204
  Response suspend(RequestContext& ctx);

 private:
  int64_t moderator(const RequestContext& ctx);
  ModerationService& moderation_;
};

}  // namespace tribune::api

// JSON API v1: moderation (moderator, editor or admin; session or token), and the reader's side of a
// warning. Acts made with an API token are logged without a person (actor id 0).
#pragma once

#include <boost/json.hpp>

#include "domain/moderation.h"
#include "http/message.h"

namespace tribune::api {

class ModerationApi {
 public:
  explicit ModerationApi(ModerationService& moderation) : moderation_(moderation) {}

  // GET /api/v1/moderation/queue?view=open|held|reported|decided&article=SLUG&rule=NAME&reader=ID&after=ID&limit=N
  //   -> {items: [{comment, article_id, open_reports, reasons, rule, rule_reason, author_role, author_is_staff,
  //                decision?}], next_after}
  //   author_role is empty when the author deleted their account; staff authors cannot be banned.
  Response queue(RequestContext& ctx);
  // POST /api/v1/moderation/comments/{id}/decision {decision: approve|reject|hide, reason?} -> {comment}
  Response decide(RequestContext& ctx);
  // POST /api/v1/moderation/decisions {ids: [..] (<= 100), decision, reason?} -> {decided: N}
  Response decide_many(RequestContext& ctx);
  // POST /api/v1/moderation/accounts/{id}/ban {reason?} -> 204; DELETE the same lifts it
  Response ban(RequestContext& ctx);
  Response lift_ban(RequestContext& ctx);
  // POST /api/v1/moderation/accounts/{id}/suspension {until, reason?} -> 204
  Response suspend(RequestContext& ctx);
  // POST /api/v1/moderation/accounts/{id}/sanctions {action: warn|premoderate|release|note, reason} -> 204
  Response sanction(RequestContext& ctx);
  // GET /api/v1/moderation/accounts/{id}/history -> {account, comments, log}
  // GET /api/v1/moderation/comments/{id}/revisions -> {comment, revisions: [{body, written_at}]}, oldest first
  Response revisions(RequestContext& ctx);
  Response history(RequestContext& ctx);
  // GET /api/v1/moderation/log?before=ID&action=NAME&reader=ID&limit=N -> {entries, next_before}
  //   entry: {id, actor_id, actor, action (the code), action_label (words for people), comment_id, account_id,
  //           reason, at}
  Response log(RequestContext& ctx);
  // POST /api/v1/me/warning/acknowledge -> 204 (the signed-in reader; 404 when there is no warning)
  Response acknowledge_warning(RequestContext& ctx);

  static boost::json::object to_json(const LogEntry& e);

 private:
  ModerationService& moderation_;
};

}  // namespace tribune::api

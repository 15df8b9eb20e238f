// Moderators' pages (api/moderation_api.h's counterpart): the queue (held, reported, recently decided;
// filters; bulk decisions; keyboard shortcuts in app.js), a reader's history with the sanctions and notes,
// and the audit log with its CSV export; and the reader's own acknowledgement of a warning. Staff only
// (the route table), except the acknowledgement; never cached.
#pragma once

#include "domain/moderation.h"
#include "web/page_kit.h"

namespace tribune::web {

class ModerationPages : public PageKit {
 public:
  ModerationPages(const PageKit& kit, ModerationService& moderation) : PageKit(kit), moderation_(moderation) {}

  Response moderation(RequestContext& ctx);          // GET /moderation?view&article&rule&reader&after
  Response decision_submit(RequestContext& ctx);     // POST /moderation/comments/{id}/decision
  Response decisions_submit(RequestContext& ctx);    // POST /moderation/decisions (bulk: ids, decision, reason)
  Response ban_submit(RequestContext& ctx);          // POST /moderation/accounts/{id}/ban (until? reason; lift=1)
  Response sanction_submit(RequestContext& ctx);     // POST /moderation/accounts/{id}/sanctions (action, reason)
  Response comment_versions(RequestContext& ctx);    // GET /moderation/comments/{id}/versions
  Response reader_history(RequestContext& ctx);      // GET /moderation/readers/{id}
  Response audit_log(RequestContext& ctx);           // GET /moderation/log?action&reader&before
  Response audit_log_csv(RequestContext& ctx);       // GET /moderation/log.csv
  Response acknowledge_submit(RequestContext& ctx);  // POST /account/warning (the reader acknowledges)

 private:
  // A moderation form that was refused: which form, why, and what was typed.
  struct Refusal;
  // The moderation queue and a reader's history; refusal (may be null) is shown next to its form.
  Response queue_page(RequestContext& ctx, http::status status, const Refusal* refusal);
  Response history_page(RequestContext& ctx, int64_t account_id, http::status status, const Refusal* refusal);

  ModerationService& moderation_;
};

}  // namespace tribune::web

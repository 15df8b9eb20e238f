// The newsroom dashboard (docs/dashboard.md; api/dashboard_api.h's counterpart): a period's figures against
// the period before, charts drawn here as SVG with a table behind each, the top stories and referrers, and
// each table as CSV. Editors and admins see everything; moderators the conversation and moderation part.
#pragma once

#include "domain/analytics.h"
#include "http/dashboard_form.h"
#include "web/page_kit.h"

namespace tribune::web {

class DashboardPages : public PageKit {
 public:
  // flush_seconds: how often nodes write their counts (said on the page, with how the numbers are made).
  DashboardPages(const PageKit& kit, AnalyticsService& analytics, int64_t flush_seconds)
      : PageKit(kit), analytics_(analytics), flush_seconds_(flush_seconds) {}

  Response page(RequestContext& ctx);  // GET /desk/dashboard?period&from&to
  // GET /desk/dashboard.csv?table=totals|series|stories|referrers&period&from&to
  Response csv(RequestContext& ctx);

 private:
  AnalyticsService& analytics_;
  int64_t flush_seconds_;
};

}  // namespace tribune::web

// Contributions (api/contributions_api.h's counterpart): the appeal without JavaScript, the page Stripe
// returns readers to, and the admins' report with its CSV.
#pragma once

#include "domain/contributions.h"
#include "web/page_kit.h"

namespace tribune::web {

class ContributionPages : public PageKit {
 public:
  ContributionPages(const PageKit& kit, ContributionService& contributions)
      : PageKit(kit), contributions_(contributions) {}

  Response contribute_submit(RequestContext& ctx);     // POST /contribute: the appeal form without JavaScript
  Response contribution_thanks(RequestContext& ctx);   // GET /support/thanks: where Stripe's page returns
  Response contributions_report(RequestContext& ctx);  // GET /admin/contributions?currency&days (admin)
  Response contributions_csv(RequestContext& ctx);     // GET /admin/contributions.csv (admin)

 private:
  ContributionService& contributions_;
};

}  // namespace tribune::web

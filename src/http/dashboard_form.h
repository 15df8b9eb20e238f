// The period a dashboard request asks for: ?period=today|7d|30d|custom&from=YYYY-MM-DD&to=YYYY-MM-DD, shared by
// the page (web/dashboard_pages.h) and the API (api/dashboard_api.h).
#pragma once

#include "http/message.h"
#include "model/analytics.h"

namespace tribune {

inline DashboardForm dashboard_form(const RequestContext& ctx) {
  DashboardForm f;
  f.period = ctx.query_value("period").value_or("7d");
  f.from = ctx.query_value("from").value_or("");
  f.to = ctx.query_value("to").value_or("");
  // Dates without a period mean a custom one.
  if (!ctx.query_value("period") && (!f.from.empty() || !f.to.empty())) f.period = "custom";
  return f;
}

}  // namespace tribune

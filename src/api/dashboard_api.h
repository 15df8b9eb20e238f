// The newsroom dashboard as JSON and its live stream (docs/api.md, "Dashboard"; web/dashboard_pages.h is
// the page). Staff only: editors and admins get every figure, moderators the conversation and moderation ones.
#pragma once

#include "domain/analytics.h"
#include "domain/articles.h"
#include "http/message.h"
#include "live/hub.h"

namespace tribune::api {

class DashboardApi {
 public:
  DashboardApi(AnalyticsService& analytics, ArticleService& articles, LiveHub& live)
      : analytics_(analytics), articles_(articles), live_(live) {}

  // GET /api/v1/desk/dashboard?period=today|7d|30d|custom&from&to
  Response get(RequestContext& ctx);
  // GET /api/v1/desk/events: `newsroom` frames ({"kind": "comment" | "contribution"}) while it is open.
  Response events(RequestContext& ctx);

 private:
  AnalyticsService& analytics_;
  ArticleService& articles_;
  LiveHub& live_;
};

}  // namespace tribune::api

#include "api/dashboard_api.h"

#include <boost/json.hpp>

#include "api/json_io.h"
#include "http/dashboard_form.h"
#include "live/frames.h"
#include "live/sse.h"

namespace tribune::api {

namespace json = boost::json;

namespace {

json::object totals_json(const DashboardTotals& t, bool everything) {
  json::object o{{"comments", t.comments},
                 {"commenters", t.commenters},
                 {"decisions", t.decisions},
                 {"median_decision_seconds", t.median_decision_seconds},
                 {"queue_waiting", t.queue_waiting}};
  if (everything) {
    o["views"] = t.views;
    o["visitors"] = t.visitors;
    o["registrations"] = t.registrations;
    o["verified"] = t.verified;
    o["once_count"] = t.once_count;
    o["once_minor"] = t.once_minor;
    o["monthly_count"] = t.monthly_count;
    o["monthly_minor"] = t.monthly_minor;
    o["refunded_minor"] = t.refunded_minor;
  }
  return o;
}

}  // namespace

Response DashboardApi::get(RequestContext& ctx) {
  bool everything = is_editor(ctx.principal.role);
  auto d = analytics_.dashboard(dashboard_form(ctx), articles_.now());
  json::array series, stories, referrers;
  for (const auto& b : d.current.buckets) {
    json::object o{{"start", format_rfc3339(TimePoint(std::chrono::seconds(b.start)))}, {"comments", b.comments}};
    if (everything) {
      o["views"] = b.views;
      o["contributions_minor"] = b.contributions_minor;
    }
    series.push_back(std::move(o));
  }
  if (everything) {
    for (const auto& s : d.current.stories)
      stories.push_back(json::object{{"article_id", s.article_id},
                                     {"slug", s.slug},
                                     {"title", s.title},
                                     {"url", s.url},
                                     {"views", s.views},
                                     {"comments", s.comments},
                                     {"contributions", s.contributions},
                                     {"contributions_minor", s.contributions_minor}});
    for (const auto& r : d.current.referrers)
      referrers.push_back(json::object{{"domain", r.domain}, {"views", r.views}});
  }
  json::object out{{"period", d.period},
                   {"label", d.label},
                   {"from", format_rfc3339(d.from)},
                   {"to", format_rfc3339(d.to)},
                   {"previous_from", format_rfc3339(d.previous_from)},
                   {"previous_to", format_rfc3339(d.previous_to)},
                   {"bucket_seconds", d.bucket},
                   {"currency", d.currency},
                   {"totals", totals_json(d.current.totals, everything)},
                   {"previous", totals_json(d.previous, everything)},
                   {"series", std::move(series)}};
  if (everything) {
    out["stories"] = std::move(stories);
    out["referrers"] = std::move(referrers);
  }
  Response r = json_response(http::status::ok, out);
  r.headers.set(http::field::cache_control, "private, no-store");
  return r;
}

Response DashboardApi::events(RequestContext& ctx) {
  // Money is for editors' and admins' eyes: moderators hear of comments only.
  std::vector<int64_t> topics{kNewsroomTopic};
  if (is_editor(ctx.principal.role)) topics.push_back(kMoneyTopic);
  return event_stream(live_, ctx.client_ip, std::move(topics), nullptr);
}

}  // namespace tribune::api

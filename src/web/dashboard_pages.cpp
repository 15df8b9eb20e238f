#include "web/dashboard_pages.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>

#include "http/error_mapping.h"
#include "util/text.h"
#include "web/form_support.h"

namespace tribune::web {

namespace json = boost::json;

namespace {

// 12345 -> "12,345".
std::string grouped(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return (n < 0 ? "-" : "") + out;
}

std::string duration_text(int64_t seconds) {
  if (seconds < 60) return std::to_string(seconds) + " s";
  if (seconds < 3600) return std::to_string(seconds / 60) + " min";
  if (seconds < 86400) return std::to_string(seconds / 3600) + " h " + std::to_string(seconds % 3600 / 60) + " min";
  return std::to_string(seconds / 86400) + " d " + std::to_string(seconds % 86400 / 3600) + " h";
}

// Per 1,000 views, one decimal; "–" without views.
std::string per_thousand(int64_t count, int64_t views) {
  if (views <= 0) return "–";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", static_cast<double>(count) * 1000.0 / static_cast<double>(views));
  return buffer;
}

struct Figure {
  std::string key, name;
  int64_t current = 0, previous = 0;
  std::string value, before;  // as shown
  bool compare = true;
};

std::vector<Figure> figures_of(const Dashboard& d, bool everything) {
  const auto& c = d.current.totals;
  const auto& p = d.previous;
  auto count = [](std::string key, std::string name, int64_t now, int64_t before) {
    return Figure{std::move(key), std::move(name), now, before, grouped(now), grouped(before)};
  };
  auto money = [&](std::string key, std::string name, int64_t now, int64_t before, int64_t n, int64_t n_before) {
    return Figure{std::move(key),
                  std::move(name),
                  now,
                  before,
                  format_money(now, d.currency) + (n >= 0 ? " from " + grouped(n) : std::string()),
                  format_money(before, d.currency) + (n_before >= 0 ? " from " + grouped(n_before) : std::string())};
  };
  std::vector<Figure> out;
  if (everything) {
    out.push_back(count("views", "Page views", c.views, p.views));
    out.push_back(count("visitors", "Visitors (estimate)", c.visitors, p.visitors));
  }
  out.push_back(count("comments", "Comments", c.comments, p.comments));
  out.push_back(count("commenters", "Readers who commented", c.commenters, p.commenters));
  if (everything) {
    out.push_back(count("registrations", "New registrations", c.registrations, p.registrations));
    out.push_back(count("verified", "Addresses verified", c.verified, p.verified));
    out.push_back(money("once", "One-off contributions", c.once_minor, p.once_minor, c.once_count, p.once_count));
    out.push_back(
        money("monthly", "Monthly payments", c.monthly_minor, p.monthly_minor, c.monthly_count, p.monthly_count));
    out.push_back(money("refunded", "Refunded", c.refunded_minor, p.refunded_minor, -1, -1));
    Figure conversion{"contributions_per_1000",
                      "Contributions per 1,000 views",
                      0,
                      0,
                      per_thousand(c.once_count + c.monthly_count, c.views),
                      per_thousand(p.once_count + p.monthly_count, p.views),
                      false};
    out.push_back(conversion);
    out.push_back(Figure{"registrations_per_1000", "Registrations per 1,000 views", 0, 0,
                         per_thousand(c.registrations, c.views), per_thousand(p.registrations, p.views), false});
  }
  out.push_back(count("decisions", "Moderation decisions", c.decisions, p.decisions));
  out.push_back(Figure{"median_decision", "Median time to a decision", c.median_decision_seconds,
                       p.median_decision_seconds,
                       c.decisions ? duration_text(c.median_decision_seconds) : std::string("–"),
                       p.decisions ? duration_text(p.median_decision_seconds) : std::string("–")});
  out.push_back(Figure{"waiting", "Waiting for a decision now", c.queue_waiting, c.queue_waiting,
                       grouped(c.queue_waiting), "–", false});
  return out;
}

// "+12%", "-5%", "new", "no change".
std::pair<std::string, std::string> change_of(const Figure& f) {
  if (!f.compare) return {"", "flat"};
  if (f.current == f.previous) return {"no change", "flat"};
  if (f.previous == 0) return {"new", "up"};
  double pct =
      (static_cast<double>(f.current) - static_cast<double>(f.previous)) * 100.0 / static_cast<double>(f.previous);
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%+.0f%%", pct);
  return {buffer, pct >= 0 ? "up" : "down"};
}

struct Series {
  std::string key, title, unit;
  std::vector<int64_t> values;
  bool money = false;
};

// Bars over the period, one per bucket, drawn as SVG: an image named by its title, its summary in <desc>, each
// bar's value in its own <title>. The table behind it (in the page) carries the same numbers.
std::string bar_chart(const Series& s, const std::vector<std::string>& labels, const std::string& currency) {
  constexpr double kWidth = 720, kTop = 16, kBottom = 160;
  int64_t peak = 1, total = 0;
  for (int64_t v : s.values) peak = std::max(peak, v), total += v;
  auto shown = [&](int64_t v) { return s.money ? format_money(v, currency) : grouped(v); };
  std::string id = "chart-" + s.key;
  std::string out = "<svg class=\"dashboard__svg\" viewBox=\"0 0 720 200\" role=\"img\" aria-labelledby=\"" + id +
                    "-title\" aria-describedby=\"" + id + "-desc\" preserveAspectRatio=\"none\"><title id=\"" + id +
                    "-title\">" + html_escape(s.title) + "</title><desc id=\"" + id + "-desc\">" +
                    html_escape(shown(total)) + " in all; at most " +
                    html_escape(shown(peak == 1 && total == 0 ? 0 : peak)) + " in one " +
                    (labels.size() > 1 && s.values.size() > 0 ? "interval" : "period") + ".</desc>";
  out += "<line class=\"dashboard__axis\" x1=\"0\" y1=\"160\" x2=\"720\" y2=\"160\"/>";
  size_t n = std::max<size_t>(s.values.size(), 1);
  double step = kWidth / static_cast<double>(n);
  double w = std::max(1.0, step * 0.8);
  char buf[320];
  for (size_t i = 0; i < s.values.size(); ++i) {
    double h = (kBottom - kTop) * static_cast<double>(s.values[i]) / static_cast<double>(peak);
    double x = static_cast<double>(i) * step + (step - w) / 2;
    std::snprintf(buf, sizeof buf,
                  "<rect class=\"dashboard__bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"><title>", x,
                  kBottom - h, w, h);
    out += buf;
    out += html_escape(labels[i] + ": " + shown(s.values[i])) + "</title></rect>";
  }
  if (!labels.empty()) {
    out += "<text x=\"0\" y=\"178\" class=\"dashboard__tick\">" + html_escape(labels.front()) + "</text>";
    out += "<text x=\"720\" y=\"178\" text-anchor=\"end\" class=\"dashboard__tick\">" + html_escape(labels.back()) +
           "</text>";
  }
  out +=
      "<text x=\"4\" y=\"12\" class=\"dashboard__tick\">" + html_escape(shown(total == 0 ? 0 : peak)) + "</text></svg>";
  return out;
}

std::string period_query(const Dashboard& d) {
  std::string q = "period=" + percent_encode(d.period);
  if (d.period == "custom") q += "&from=" + percent_encode(d.from_input) + "&to=" + percent_encode(d.to_input);
  return q;
}

std::vector<std::string> bucket_labels(const Dashboard& d, const Locality& where) {
  std::vector<std::string> labels;
  for (const auto& b : d.current.buckets)
    labels.push_back(format_local(TimePoint(std::chrono::seconds(b.start)), where,
                                  d.bucket < 86400 ? "EEE d MMM HH:mm" : "EEE d MMM yyyy"));
  return labels;
}

std::vector<Series> series_of(const Dashboard& d, bool everything) {
  std::string per = d.bucket < 86400 ? "an hour" : "a day";
  std::vector<Series> out;
  auto take = [&](std::string key, std::string title, std::string unit, auto field, bool money) {
    Series s{std::move(key), std::move(title), std::move(unit), {}, money};
    for (const auto& b : d.current.buckets) s.values.push_back(b.*field);
    out.push_back(std::move(s));
  };
  if (everything) take("views", "Page views " + per, "Views", &DashboardBucket::views, false);
  take("comments", "Comments " + per, "Comments", &DashboardBucket::comments, false);
  if (everything) take("contributions", "Contributions " + per, "Amount", &DashboardBucket::contributions_minor, true);
  return out;
}

}  // namespace

Response DashboardPages::page(RequestContext& ctx) {
  bool everything = is_editor(ctx.principal.role);
  DashboardForm form = dashboard_form(ctx);
  std::optional<Error> error;
  Dashboard d;
  auto now = articles_.now();
  try {
    d = analytics_.dashboard(form, now);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::invalid) throw;
    error = e;
    DashboardForm fallback;
    d = analytics_.dashboard(fallback, now);
    d.period = form.period;
    d.from_input = form.from;
    d.to_input = form.to;
  }
  const auto& where = renderer_.site().locality;
  json::array periods;
  for (auto [value, name] : {std::pair{"today", "Today"}, std::pair{"7d", "Last 7 days"},
                             std::pair{"30d", "Last 30 days"}, std::pair{"custom", "Custom dates"}})
    periods.push_back(json::object{{"value", value}, {"name", name}, {"selected", d.period == value}});
  json::array figures;
  for (const auto& f : figures_of(d, everything)) {
    auto [change, direction] = change_of(f);
    figures.push_back(json::object{{"key", f.key},
                                   {"name", f.name},
                                   {"value", f.value},
                                   {"previous", f.before},
                                   {"change", change},
                                   {"compared", f.before != "–" || f.compare},
                                   {"direction", direction}});
  }
  auto labels = bucket_labels(d, where);
  json::array charts;
  for (const auto& s : series_of(d, everything)) {
    json::array rows;
    for (size_t i = 0; i < s.values.size(); ++i)
      rows.push_back(json::object{{"label", labels[i]},
                                  {"value", s.money ? format_money(s.values[i], d.currency) : grouped(s.values[i])}});
    charts.push_back(json::object{{"title", s.title},
                                  {"unit", s.unit},
                                  {"bucket_name", d.bucket < 86400 ? "Hour starting" : "Day"},
                                  {"svg", bar_chart(s, labels, d.currency)},
                                  {"rows", std::move(rows)}});
  }
  json::array stories, referrers, downloads;
  for (const auto& s : everything ? d.current.stories : std::vector<DashboardStory>{})
    stories.push_back(json::object{{"title", s.title},
                                   {"url", s.url},
                                   {"views", grouped(s.views)},
                                   {"comments", grouped(s.comments)},
                                   {"contributions", grouped(s.contributions)},
                                   {"amount", format_money(s.contributions_minor, d.currency)},
                                   {"per_thousand", per_thousand(s.contributions, s.views)}});
  for (const auto& r : everything ? d.current.referrers : std::vector<DashboardReferrer>{})
    referrers.push_back(json::object{{"domain", r.domain}, {"views", grouped(r.views)}});
  std::string q = period_query(d);
  for (auto [table, name] : {std::pair{"totals", "Figures"}, std::pair{"series", "Figures by interval"},
                             std::pair{"stories", "Top stories"}, std::pair{"referrers", "Referrers"}}) {
    if (!everything && (std::string_view(table) == "stories" || std::string_view(table) == "referrers")) continue;
    downloads.push_back(
        json::object{{"url", "/desk/dashboard.csv?table=" + std::string(table) + "&" + q}, {"name", name}});
  }
  std::string previous_label = d.period == "today" ? "the same hours yesterday"
                               : d.period == "7d"  ? "the 7 days before"
                               : d.period == "30d" ? "the 30 days before"
                                                   : "as many days before";
  json::object view{{"label", d.label},
                    {"previous_label", previous_label},
                    {"periods", std::move(periods)},
                    {"from", d.from_input},
                    {"to", d.to_input},
                    {"as_of", format_local(now, where, "HH:mm:ss")},
                    {"figures", std::move(figures)},
                    {"charts", std::move(charts)},
                    {"full", everything},
                    {"stories", std::move(stories)},
                    {"referrers", std::move(referrers)},
                    {"downloads", std::move(downloads)},
                    {"currency", d.currency},
                    {"flush_seconds", std::to_string(flush_seconds_)}};
  if (error) {
    view["error"] = error->message();
    view["error_field_" + (error->field().empty() ? std::string("period") : error->field())] = true;
  }
  return html_page(ctx, error ? status_for(error->kind()) : http::status::ok,
                   renderer_.page_from("dashboard", view, "Newsroom", articles_.sections()));
}

Response DashboardPages::csv(RequestContext& ctx) {
  bool everything = is_editor(ctx.principal.role);
  std::string table(ctx.query_value("table").value_or("totals"));
  if (table != "totals" && table != "series" && table != "stories" && table != "referrers")
    throw invalid_field("table", "invalid_table", "Choose totals, series, stories or referrers.");
  if (!everything && (table == "stories" || table == "referrers"))
    throw Error(ErrorKind::forbidden, "forbidden", "Editors and admins see this table.");
  auto d = analytics_.dashboard(dashboard_form(ctx), articles_.now());
  std::string out;
  if (table == "totals") {
    out = "figure,value,previous\r\n";
    for (const auto& f : figures_of(d, everything))
      out += csv_field(f.key) + "," + csv_field(f.value) + "," + csv_field(f.before) + "\r\n";
  } else if (table == "series") {
    auto series = series_of(d, everything);
    out = "start";
    for (const auto& s : series) out += "," + s.key;
    out += "\r\n";
    for (size_t i = 0; i < d.current.buckets.size(); ++i) {
      out += format_rfc3339(TimePoint(std::chrono::seconds(d.current.buckets[i].start)));
      for (const auto& s : series) out += "," + std::to_string(s.values[i]);
      out += "\r\n";
    }
  } else if (table == "stories") {
    out = "title,url,views,comments,contributions,amount_minor,contributions_per_1000_views\r\n";
    for (const auto& s : d.current.stories)
      out += csv_field(s.title) + "," + csv_field(s.url) + "," + std::to_string(s.views) + "," +
             std::to_string(s.comments) + "," + std::to_string(s.contributions) + "," +
             std::to_string(s.contributions_minor) + "," + per_thousand(s.contributions, s.views) + "\r\n";
  } else {
    out = "domain,views\r\n";
    for (const auto& r : d.current.referrers) out += csv_field(r.domain) + "," + std::to_string(r.views) + "\r\n";
  }
  Response r = Response::text(http::status::ok, std::move(out), "text/csv; charset=utf-8");
  r.headers.set(http::field::content_disposition, "attachment; filename=\"dashboard-" + table + ".csv\"");
  r.headers.set(http::field::cache_control, "private, no-store");
  return r;
}

}  // namespace tribune::web

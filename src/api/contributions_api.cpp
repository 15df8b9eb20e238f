#include "api/contributions_api.h"

#include "api/json_io.h"
#include "model/error.h"

namespace tribune::api {

namespace json = boost::json;

json::object ContributionsApi::to_json(const Contribution& c) {
  return json::object{{"id", c.id},
                      {"amount_minor", c.amount_minor},
                      {"currency", c.currency},
                      {"interval", c.interval},
                      {"status", c.status},
                      {"created_at", format_rfc3339(c.created_at)}};
}

Response ContributionsApi::checkout(RequestContext& ctx) {
  auto body = parse_object(ctx, {"amount", "currency", "interval", "article", "referrer", "email"});
  auto it = body.find("amount");
  if (it == body.end() || !it->value().is_int64())
    throw Error(ErrorKind::bad_request, "invalid_type", "amount must be a whole number of the currency's units.",
                "amount");
  ContributionService::CheckoutRequest r;
  r.amount_major = it->value().as_int64();
  r.currency = optional_string(body, "currency").value_or(contributions_.rules().currencies.front());
  r.interval = optional_string(body, "interval").value_or("once");
  r.article_slug = optional_string(body, "article").value_or("");
  r.referrer =
      optional_string(body, "referrer").value_or(std::string(ctx.request[http::field::referer]).substr(0, 500));
  r.email = optional_string(body, "email").value_or("");
  if (r.email.size() > 254 || (!r.email.empty() && r.email.find('@') == std::string::npos))
    throw invalid_field("email", "invalid_email", "That does not look like an email address.");
  if (ctx.principal.signed_in()) r.account_id = ctx.principal.account_id;
  r.ip = ctx.client_ip;
  auto started = contributions_.start_checkout(r);
  return json_response(http::status::created, json::object{{"contribution", to_json(started.contribution)},
                                                           {"checkout_url", started.checkout_url}});
}

Response ContributionsApi::webhook(RequestContext& ctx) {
  auto received = contributions_.receive_webhook(ctx.request["Stripe-Signature"], ctx.request.body());
  return json_response(http::status::ok,
                       json::object{{"received", true}, {"type", received.type}, {"outcome", received.outcome}});
}

Response ContributionsApi::report(RequestContext& ctx) {
  std::string currency(ctx.query_value("currency").value_or(contributions_.rules().currencies.front()));
  int days = limit_param(ctx, 30, 366, "days");
  auto r = contributions_.report(currency, days);
  json::array by_day, by_article;
  for (const auto& d : r.days)
    by_day.push_back({{"date", d.date}, {"once_minor", d.once_minor}, {"monthly_minor", d.monthly_minor}});
  for (const auto& a : r.articles)
    by_article.push_back(
        {{"slug", a.slug}, {"title", a.title}, {"contributions", a.contributions}, {"amount_minor", a.amount_minor}});
  return json_response(http::status::ok, json::object{{"currency", r.currency},
                                                      {"once_minor", r.once_minor},
                                                      {"monthly_minor", r.monthly_minor},
                                                      {"refunded_minor", r.refunded_minor},
                                                      {"once_count", r.once_count},
                                                      {"monthly_count", r.monthly_count},
                                                      {"active_monthly", r.active_monthly},
                                                      {"days", std::move(by_day)},
                                                      {"articles", std::move(by_article)}});
}

Response ContributionsApi::mine(RequestContext& ctx) {
  json::array out;
  for (const auto& c : contributions_.of_reader(ctx.principal.account_id))
    if (c.status != "created" && c.status != "abandoned") out.push_back(to_json(c));
  return json_response(http::status::ok, json::object{{"contributions", std::move(out)}});
}

Response ContributionsApi::cancel(RequestContext& ctx) {
  auto id = ctx.id_param("id");
  if (!id) throw not_found("The monthly contribution");
  contributions_.cancel_monthly(ctx.principal.account_id, *id);
  auto c = contributions_.find(*id);
  return json_response(http::status::accepted, json::object{{"contribution", c ? json::value(to_json(*c)) : nullptr}});
}

}  // namespace tribune::api

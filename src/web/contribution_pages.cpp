#include "web/contribution_pages.h"

#include <algorithm>
#include <charconv>
#include <map>

#include "http/cursors.h"
#include "http/error_mapping.h"
#include "http/forms.h"
#include "model/error.h"
#include "util/text.h"
#include "web/form_support.h"

namespace tribune::web {

Response ContributionPages::contribute_submit(RequestContext& ctx) {
  auto form = form_of(ctx);
  std::string slug = field(form, "article");
  std::string back = "/support";
  if (!slug.empty())
    if (auto a = articles_.find_visible(slug)) back = articles_.url_for(*a);
  ContributionService::CheckoutRequest r;
  // A typed amount wins: a reader who wrote 12 without also ticking "Other" means 12.
  std::string amount = field(form, "amount");
  if (auto typed = trim(field(form, "other_amount")); !typed.empty() || amount == "other") amount = typed;
  try {
    int64_t major = 0;
    auto [p, ec] = std::from_chars(amount.data(), amount.data() + amount.size(), major);
    if (amount.empty() || ec != std::errc() || p != amount.data() + amount.size())
      throw invalid_field("amount", "invalid_amount",
                          "Choose an amount, or write one in whole units (for example 20).");
    r.amount_major = major;
    r.currency = field(form, "currency");
    if (r.currency.empty()) r.currency = contributions_.rules().currencies.front();
    r.interval = field(form, "interval").empty() ? "once" : field(form, "interval");
    r.article_slug = slug;
    r.referrer = std::string(ctx.request[http::field::referer]).substr(0, 500);
    if (ctx.principal.signed_in()) r.account_id = ctx.principal.account_id;
    r.ip = ctx.client_ip;
    auto started = contributions_.start_checkout(r);
    return see_other(started.checkout_url);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::invalid && e.kind() != ErrorKind::rate_limited && e.kind() != ErrorKind::unavailable)
      throw;
    Response res = html_page(ctx, status_for(e.kind()),
                             renderer_.message_page("Your contribution did not start", e.message(), back + "#support",
                                                    articles_.sections()));
    if (e.retry_after() > 0) res.headers.set(http::field::retry_after, std::to_string(e.retry_after()));
    return res;
  }
}

Response ContributionPages::contribution_thanks(RequestContext& ctx) {
  // Stripe's page sends the reader here after paying; the ledger changes only when the signed webhook
  // arrives (often a moment before or after), so this page thanks without claiming anything.
  return html_page(ctx, http::status::ok,
                   renderer_.message_page("Thank you for your support",
                                          "Your contribution keeps " + renderer_.site().name +
                                              " open to everyone. A receipt is on its way to your inbox.",
                                          "", articles_.sections()));
}

Response ContributionPages::contributions_report(RequestContext& ctx) {
  const auto& currencies = contributions_.rules().currencies;
  std::string currency(ctx.query_value("currency").value_or(currencies.front()));
  if (std::find(currencies.begin(), currencies.end(), currency) == currencies.end()) currency = currencies.front();
  int days = static_cast<int>(query_id(ctx, "days"));
  if (days < 1 || days > 366) days = 30;
  return html_page(
      ctx, http::status::ok,
      renderer_.contribution_report(contributions_.report(currency, days), currencies, days, articles_.sections()));
}

Response ContributionPages::contributions_csv(RequestContext&) {
  std::string out = "id,created_at,amount,currency,interval,status,article,referrer,signed_in,email\r\n";
  std::map<int64_t, std::string> slugs;
  int64_t after = 0;
  for (;;) {
    auto page = contributions_.list(after, 1000);
    for (const auto& c : page) {
      std::string slug;
      if (c.article_id) {
        auto [it, fresh] = slugs.try_emplace(*c.article_id);
        if (fresh)
          if (auto a = articles_.find_by_id(*c.article_id)) it->second = a->slug;
        slug = it->second;
      }
      char amount[32];
      std::snprintf(amount, sizeof amount, "%lld.%02lld", static_cast<long long>(c.amount_minor / 100),
                    static_cast<long long>(c.amount_minor % 100));
      out += std::to_string(c.id) + "," + format_rfc3339(c.created_at) + "," + amount + "," + csv_field(c.currency) +
             "," + c.interval + "," + csv_field(c.status) + "," + csv_field(slug) + "," + csv_field(c.referrer) + "," +
             (c.account_id ? "yes" : "no") + "," + csv_field(c.email) + "\r\n";
      after = c.id;
    }
    if (page.size() < 1000) break;
  }
  Response r = Response::text(http::status::ok, std::move(out), "text/csv; charset=utf-8");
  r.headers.set(http::field::content_disposition, "attachment; filename=\"contributions.csv\"");
  r.headers.set(http::field::cache_control, "private, no-store");
  return r;
}

}  // namespace tribune::web

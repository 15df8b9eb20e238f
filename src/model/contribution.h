// Reader contributions: data types shared by the contributions service and the store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "util/text.h"

namespace tribune {

struct Contribution {
  int64_t id = 0;
  int64_t amount_minor = 0;  // pence, cents
  std::string currency;      // ISO 4217, upper case
  std::string interval;      // once, month
  // created (checkout started), pending (paid asynchronously, not settled), paid (one-off), failed,
  // active / past_due / canceled (monthly), refunded
  std::string status = "created";
  std::optional<int64_t> article_id;
  std::string referrer;
  std::optional<int64_t> account_id;
  std::string email;
  std::string checkout_session_id;
  std::string subscription_id;
  TimePoint created_at{};
};

struct NewContribution {
  int64_t amount_minor = 0;
  std::string currency;
  std::string interval;
  std::optional<int64_t> article_id;
  std::string referrer;
  std::optional<int64_t> account_id;
  std::string email;
  TimePoint created_at{};
};

// What one verified Stripe event means for the ledger, worked out by the domain; the store applies it in
// one transaction together with the record of the event id.
struct PaymentEvent {
  std::string event_id;
  std::string type;
  int64_t created = 0;  // the event's own time: a status only moves forward in event time
  std::string payload;  // the raw event, kept
  // How to find the contribution: the first that matches.
  std::optional<int64_t> contribution_id;
  std::string session_id, subscription_id, payment_intent_id, invoice_id;
  // Stripe ids and facts this event teaches (attached when empty).
  std::string learn_session_id, learn_subscription_id, learn_payment_intent_id, learn_customer_id, learn_email;
  std::optional<std::string> status;
  struct Payment {
    std::string object_id;     // invoice, session or charge id: one ledger row each (a refund updates its row)
    int64_t amount_minor = 0;  // negative for refunds
    std::string currency;
  };
  std::optional<Payment> payment;
  bool money_arrived = false;  // the first such event sends the thank-you mail
};

enum class EventOutcome { applied, duplicate, unmatched };

// A monthly contribution that still takes money (active or past due) and can be cancelled at the provider.
inline bool is_running_monthly(const Contribution& c) {
  return c.interval == "month" && (c.status == "active" || c.status == "past_due") && !c.subscription_id.empty();
}

// "£" for GBP, "$" for USD, "€" for EUR, else the code and a space.
std::string currency_symbol(const std::string& currency);
// "£5.00", "-$12.50".
std::string format_money(int64_t minor, const std::string& currency);

struct ContributionReport {
  struct Day {
    std::string date;  // YYYY-MM-DD (UTC)
    int64_t once_minor = 0, monthly_minor = 0;
  };
  struct ByArticle {
    std::string slug, title;
    int64_t contributions = 0, amount_minor = 0;
  };
  std::string currency;
  std::vector<Day> days;            // oldest first, every day of the range
  std::vector<ByArticle> articles;  // most money first
  int64_t once_minor = 0, monthly_minor = 0, refunded_minor = 0;
  int64_t once_count = 0, monthly_count = 0;
  int64_t active_monthly = 0;  // monthly contributions active now
};

}  // namespace tribune

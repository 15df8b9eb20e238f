// Reader contributions: the checkout (a Stripe Checkout Session, one-off or monthly, attributed to the
// article that prompted it), fulfilment from Stripe's signed webhook events only, the ledger, the thank-you
// mail and the report. Payment details never touch Tribune: Stripe's page takes them.
#pragma once

#include "domain/accounts.h"
#include "domain/articles.h"
#include "domain/payment_gateway.h"
#include "domain/rate_limit.h"
#include "store/roles/accounts.h"
#include "store/roles/ledger.h"

namespace tribune {

struct ContributionRules {
  std::vector<std::string> currencies = {"GBP", "USD", "EUR"};  // two-decimal currencies only
  int64_t min_major = 1;                                        // the smallest contribution, in major units (1 = 1.00)
  int64_t max_major = 10000;                // the largest: above is a typo or a test of our patience
  Limit per_ip{30, std::chrono::hours(1)};  // checkouts started
};

class ContributionService {
 public:
  // payments: the provider (payments/stripe.h in production); must outlive the service.
  ContributionService(LedgerStore& store, AccountStore& accounts_store, ArticleService& articles, RateLimiter& limiter,
                      const PaymentGateway& payments, MailSettings mail, ContributionRules rules = {});

  struct CheckoutRequest {
    int64_t amount_major = 0;  // whole units of the currency
    std::string currency;      // any case
    std::string interval;      // once, month
    std::string article_slug;  // optional: the article whose appeal was used
    std::string referrer;      // optional: where the reader came from
    std::optional<int64_t> account_id;
    std::string email;
    std::string ip;
  };
  struct Started {
    Contribution contribution;
    std::string checkout_url;
  };
  // Errors: invalid (amount: amount_too_small, amount_too_large; currency: unknown_currency; interval:
  // invalid_interval; article: not_found), rate_limited, unavailable (contributions_off,
  // payment_provider_error).
  Started start_checkout(const CheckoutRequest& r);

  struct Received {
    std::string type;
    std::string outcome;  // applied, duplicate, unmatched (kept for later), ignored (a type we do not use)
  };
  // Verifies and applies one webhook delivery. Errors: bad_request (signature: missing_signature,
  // malformed_signature, stale_signature, bad_signature; body: invalid_event), unavailable (no secret set).
  Received receive_webhook(std::string_view signature_header, std::string_view raw_body);

  ContributionReport report(const std::string& currency, int days) const {
    return store_.contribution_report(currency, articles_.now(), days);
  }
  std::vector<Contribution> list(int64_t after_id, int limit) const {
    return store_.list_contributions(after_id, limit);
  }
  bool enabled() const { return payments_.configured(); }

  std::optional<Contribution> find(int64_t id) const { return store_.find_contribution(id); }
  // Every contribution the reader made while signed in, oldest first.
  std::vector<Contribution> of_reader(int64_t account_id) const;
  // The reader's monthly contributions that still take money (active or past due).
  std::vector<Contribution> running_monthly(int64_t account_id) const;
  // Cancels one of them at the provider, now; the provider's event then marks it canceled in the ledger.
  // Errors: not_found (not the reader's, or not running), unavailable (contributions_off,
  // payment_provider_error).
  void cancel_monthly(int64_t account_id, int64_t contribution_id);
  // Cancels every one still running (an account about to be deleted). Errors: as cancel_monthly.
  void cancel_all_monthly(int64_t account_id);
  const ContributionRules& rules() const { return rules_; }

 private:
  std::optional<PaymentEvent> interpret(std::string_view raw_body) const;
  std::optional<OutboxMail> thank_you(const Contribution& c) const;
  void retry_unmatched();

  LedgerStore& store_;
  AccountStore& accounts_store_;
  ArticleService& articles_;
  RateLimiter& limiter_;
  const PaymentGateway& payments_;
  MailSettings mail_;
  ContributionRules rules_;
};

}  // namespace tribune

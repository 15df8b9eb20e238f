// JSON API v1: starting a contribution, and Stripe's webhook.
#pragma once

#include <boost/json/object.hpp>

#include "domain/contributions.h"
#include "http/message.h"

namespace tribune::api {

class ContributionsApi {
 public:
  explicit ContributionsApi(ContributionService& contributions) : contributions_(contributions) {}

  // POST /api/v1/contributions/checkout {amount, currency?, interval?, article?, referrer?, email?}
  //   -> 201 {contribution, checkout_url}
  Response checkout(RequestContext& ctx);
  // POST /webhooks/stripe (Stripe-Signature) -> 200 {received, type, outcome}
  Response webhook(RequestContext& ctx);
  // GET /api/v1/admin/contributions/report?currency&days (admin) -> the report as JSON
  Response report(RequestContext& ctx);

  // GET /api/v1/me/contributions -> {contributions: [Contribution]} (the reader's, made while signed in)
  Response mine(RequestContext& ctx);
  // POST /api/v1/me/contributions/{id}/cancel -> 202 {contribution} (the provider's event then marks it canceled)
  Response cancel(RequestContext& ctx);

  static boost::json::object to_json(const Contribution& c);

 private:
  ContributionService& contributions_;
};

}  // namespace tribune::api

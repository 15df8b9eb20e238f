// JSON API v1: outgoing webhook endpoints and their delivery log (admin; session or token). An endpoint's
// secret is in the answers to create and rotate-secret only.
#pragma once

#include <boost/json.hpp>

#include "domain/webhooks.h"
#include "http/message.h"

namespace tribune::api {

class WebhooksApi {
 public:
  explicit WebhooksApi(WebhookService& webhooks) : webhooks_(webhooks) {}

  // GET /api/v1/webhooks -> {endpoints: [endpoint], event_types: [...]}
  Response list(RequestContext& ctx);
  // POST /api/v1/webhooks {url, description?, events: [...]} -> 201 {endpoint..., secret}; the contract's
  // address, POST /api/v1/admin/webhooks, answers the same inside {webhook: {...}} (wrapped).
  Response create(RequestContext& ctx, bool wrapped = false);
  // GET /api/v1/webhooks/{id} -> endpoint
  Response get(RequestContext& ctx);
  // PATCH /api/v1/webhooks/{id} {url?, description?, events?, enabled?} -> endpoint
  Response update(RequestContext& ctx);
  // DELETE /api/v1/webhooks/{id} -> 204
  Response remove(RequestContext& ctx);
  // POST /api/v1/webhooks/{id}/rotate-secret -> {endpoint..., secret}
  Response rotate(RequestContext& ctx);
  // GET /api/v1/webhooks/{id}/deliveries?before=ID&limit=N -> {deliveries: [...], next_before}
  Response deliveries(RequestContext& ctx);
  // POST /api/v1/webhooks/{id}/deliveries/{delivery}/redeliver -> 202 {delivery}
  Response redeliver(RequestContext& ctx);

  static boost::json::object to_json(const WebhookEndpoint& e);
  static boost::json::object to_json(const WebhookDelivery& d);

 private:
  WebhookService& webhooks_;
};

}  // namespace tribune::api

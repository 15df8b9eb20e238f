// Outgoing webhooks in the browser (admin): the endpoints, adding one (its secret shown once, on the answer
// to the form), an endpoint's page (its events, enable and disable, rotating the secret, deleting it) with
// its delivery log and "send again". api/webhooks_api.h is its counterpart; every form works without
// JavaScript.
#pragma once

#include <boost/json.hpp>

#include "domain/webhooks.h"
#include "web/page_kit.h"

namespace tribune::web {

class WebhookPages : public PageKit {
 public:
  WebhookPages(const PageKit& kit, WebhookService& webhooks) : PageKit(kit), webhooks_(webhooks) {}

  Response list(RequestContext& ctx);         // GET /admin/webhooks?deleted=1
  Response create(RequestContext& ctx);       // POST /admin/webhooks {url, description, event:<type>=1 ...}
  Response endpoint(RequestContext& ctx);     // GET /admin/webhooks/{id}?saved=1&sent=ID&before=ID
  Response update(RequestContext& ctx);       // POST /admin/webhooks/{id} {url, description, event:<type>=1 ...}
  Response set_enabled(RequestContext& ctx);  // POST /admin/webhooks/{id}/enable and /disable
  Response rotate(RequestContext& ctx);       // POST /admin/webhooks/{id}/rotate: the page, the new secret on top
  Response remove(RequestContext& ctx);       // POST /admin/webhooks/{id}/delete
  Response redeliver(RequestContext& ctx);    // POST /admin/webhooks/{id}/deliveries/{delivery}/redeliver

 private:
  struct Shown {
    std::string secret, notice, error, error_field;
    std::string url, description;     // what was typed, when the form failed
    std::vector<std::string> events;  // what was ticked, when the form failed

    // The secret, notice and error into a page's view.
    void add_to(boost::json::object& view) const;
  };
  Response list_page(RequestContext& ctx, http::status status, const Shown& shown);
  Response endpoint_page(RequestContext& ctx, http::status status, int64_t id, const Shown& shown);

  WebhookService& webhooks_;
};

}  // namespace tribune::web

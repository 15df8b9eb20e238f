#include "web/search_pages.h"

#include "http/error_mapping.h"
#include "http/search_form.h"

namespace tribune::web {

Response SearchPages::search(RequestContext& ctx) {
  SearchForm form = search_form(ctx);
  SearchResults results;
  std::optional<Error> error;
  try {
    results = search_.search(form, ctx.client_ip);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::invalid && e.kind() != ErrorKind::rate_limited) throw;
    error = e;
  }
  auto status = error ? status_for(error->kind()) : http::status::ok;
  Response r = html_page(ctx, status, renderer_.search_page(form, results, error, articles_.sections()));
  if (error && error->retry_after() > 0) r.headers.set(http::field::retry_after, std::to_string(error->retry_after()));
  return r;
}

}  // namespace tribune::web

// GET /search: readers' search page (docs/search.md). Never cached: each query is its own; its result pages
// carry noindex and robots.txt keeps crawlers off them.
#pragma once

#include "domain/search.h"
#include "web/page_kit.h"

namespace tribune::web {

class SearchPages : public PageKit {
 public:
  SearchPages(const PageKit& kit, SearchService& search) : PageKit(kit), search_(search) {}

  // GET /search?q=&section=&from=&to=&page=: 200 with results, or with the error beside its field (422 for an
  // invalid date or page, 429 past the rate limit).
  Response search(RequestContext& ctx);

 private:
  SearchService& search_;
};

}  // namespace tribune::web

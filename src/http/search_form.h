// The search form a /search or /api/v1/search request carries in its query string.
#pragma once

#include "http/message.h"
#include "model/search.h"

namespace tribune {

// q, section, from, to as given (absent: empty); page and limit (1 and 10 when absent, 0 when not a number:
// the search service refuses it); offset from cursor (Error(bad_request, invalid_cursor) for one this server
// did not issue).
SearchForm search_form(const RequestContext& ctx);

}  // namespace tribune

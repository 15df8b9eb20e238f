// The search form a /search or /api/v1/search request carries in its query string.
#pragma once

#include "http/message.h"
#include "model/search.h"

namespace tribune {

// q, section, from, to as given (absent: empty); page 1 when absent, 0 when not a number (the search service
// refuses it).
SearchForm search_form(const RequestContext& ctx);

}  // namespace tribune

// A comment's public JSON form (docs/api.md, "Comment"): what the API answers with and what live frames
// carry, written once so that a page updated live shows what a reload would.
#pragma once

#include <boost/json.hpp>

#include "model/comment.h"

namespace tribune {

boost::json::object comment_json(const Comment& c);

}  // namespace tribune

// Keyset positions as clients see them: opaque, URL-safe strings. Every listing (the API's and the pages')
// hands them out as next_cursor / ?cursor= and takes them back.
#pragma once

#include <string>
#include <string_view>

#include "model/article.h"
#include "model/comment.h"

namespace tribune {

std::string encode_cursor(const ArticleCursor& c);
// Error(bad_request, invalid_cursor, field cursor) for anything this server did not issue.
ArticleCursor decode_cursor(std::string_view text);

// A position in a ranked list (search results): how many came before it.
std::string encode_offset_cursor(int offset);
// Error(bad_request, invalid_cursor) for anything this server did not issue.
int decode_offset_cursor(std::string_view text);

std::string encode_comment_cursor(const CommentCursor& c);
CommentCursor decode_comment_cursor(std::string_view text);

}  // namespace tribune

// Parses an article file: front matter between two "---" lines, then the Markdown body.
//
// Front matter is one "key: value" per line. Values are plain text, "double-quoted" text (with \" and \\),
// or a list "[a, b, "c, d"]". Keys: title, slug, standfirst, authors (list or one name), author_bio,
// section, tags, published_at (RFC 3339), source_name, source_url, comments (open|closed|default).
// Unknown keys, duplicate keys and malformed lines are errors that name the line and the key.
#pragma once

#include <string_view>

#include "model/article.h"

namespace tribune {

// Throws Error(invalid) with field set to the offending key. Does not validate values beyond their syntax:
// call validate_draft() on the result.
ArticleDraft parse_article_file(std::string_view text);

}  // namespace tribune

// Parses an article file: front matter between two "---" lines, then the Markdown body.
//
// Front matter is one "key: value" per line. Values are plain text, "double-quoted" text (with \" and \\),
// or a list "[a, b, "c, d"]". Keys: title, slug, standfirst, authors (list or one name), author_bio,
// section, tags, published_at (RFC 3339), source_name, source_url, comments (open|closed|default), status
// (draft|published), correction, description (for search engines and sharing cards); and the lead image: image (a
// file's path, relative to the article file, or an uploaded image's id), image_alt, image_caption, image_credit.
// Unknown keys, duplicate keys and malformed lines are errors that name the line and the key.
#pragma once

#include <string_view>

#include "model/article.h"
#include "model/image.h"

namespace tribune {

// Throws Error(invalid) with field set to the offending key. Does not validate values beyond their syntax:
// call validate_draft() on the result.
// The lead image an article file names: for the caller to upload (a path) or to use (an id) as it can.
struct LeadImageSource {
  std::string path;  // empty: none
  ImageText text;
};
// image: with no `image` to fill, the image keys are an error ("not supported here").
ArticleDraft parse_article_file(std::string_view text, LeadImageSource* image = nullptr);

}  // namespace tribune

// What both engines share for full-text search (store/roles/search.h): the indexed text of an article and
// the query text each engine's parser reads, built from folded words only, so no reader's input reaches either
// parser's operators.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/search.h"

namespace tribune::store_search {

// An article's indexed fields, folded: headline, standfirst, author and tag names, body text.
struct Document {
  std::string title, standfirst, names, body;
};
Document document(std::string_view title, std::string_view standfirst, std::string_view names,
                  std::string_view body_html);

// FTS5: "w1" "w2 w3" NOT "w4" (every term quoted: a word is never an operator).
std::string fts5_query(const std::vector<SearchTerm>& terms);
// websearch_to_tsquery: "w1" "w2 w3" -"w4".
std::string websearch_query(const std::vector<SearchTerm>& terms);

}  // namespace tribune::store_search

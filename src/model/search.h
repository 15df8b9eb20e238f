// A reader's search of the publication's pieces (docs/search.md), as the store runs it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/article.h"

namespace tribune {

// What a reader asked, as the query string of /search and /api/v1/search carries it.
struct SearchForm {
  std::string q;
  std::string section;        // a section's slug, or empty for all
  std::string from;           // "YYYY-MM-DD", the publication's local day, or empty
  std::string to;             // "YYYY-MM-DD" (inclusive), or empty
  int page = 1;               // 0 when the query's page is not a number
  int limit = 10;             // results a page; 0 when the query's limit is not a number
  std::optional<int> offset;  // from an API cursor: results skipped (else (page - 1) * limit)
};

// A word or a quoted phrase, folded (util/search_text.h). An excluded term must not occur.
struct SearchTerm {
  std::vector<std::string> words;  // one word, or a phrase's words in order
  bool excluded = false;
};

struct ArticleSearch {
  std::vector<SearchTerm> terms;  // every term holds: at least one is not excluded
  std::optional<std::string> section_slug;
  std::optional<TimePoint> from;   // published at or after
  std::optional<TimePoint> until;  // published before
  TimePoint visible_at{};          // published pieces whose time has come, as readers' listings
  int limit = 10;
  int offset = 0;
};

struct ArticleHits {
  std::vector<Article> articles;  // best first, each with its body
  int64_t total = 0;              // every match, not only this page's
};

}  // namespace tribune

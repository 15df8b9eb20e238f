// Readers' search of the publication (docs/search.md): what they type read as words, "quoted phrases" and
// -exclusions, matched whole-word with diacritics and case folded, ranked by the store (headline first),
// each hit with its headline and a snippet of the body around the first match, matches marked.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/dateline.h"
#include "domain/rate_limit.h"
#include "model/search.h"
#include "store/roles/search.h"

namespace tribune {

struct SearchHit {
  Article article;
  std::string title_html;    // the headline, escaped, matches in <mark>
  std::string snippet_html;  // some 30 words of the body around the first match, escaped, matches in <mark>
  std::string snippet;       // the same words as plain text
};

struct SearchResults {
  std::vector<SearchHit> hits;
  int64_t total = 0;
  int page = 1;
  int pages = 0;                   // at most kMaxPages
  std::optional<int> next_offset;  // where the next page starts, when there is one within kMaxResults
  bool asked = false;              // false: nothing to search for (an empty box, or only exclusions)
};

// The terms of what a reader typed, folded: "a b" are two words, "\"a b\"" a phrase, "-a" an exclusion.
// At most kMaxTerms terms are kept.
std::vector<SearchTerm> parse_search_terms(std::string_view q);

// text, escaped for HTML, with each word matching one of `words` (folded) in <mark>. With max_bytes, only
// some max_bytes of it around the first match (whole words, "…" where cut).
std::string highlight(std::string_view text, const std::vector<std::string>& words, size_t max_bytes = 0);

class SearchService {
 public:
  static constexpr int kPerPage = 10;  // the page's; the API's limit runs 1 to kMaxLimit
  static constexpr int kMaxLimit = 50;
  static constexpr int kMaxPages = 50;
  static constexpr int kMaxResults = 500;  // the deepest a reader or a cursor may go
  static constexpr size_t kMaxQueryCharacters = 200;
  static constexpr size_t kMaxTerms = 12;

  // Searches per client address: each is a query of the store, so a reader typing quickly is fine and a
  // script walking the index is not.
  static constexpr Limit kPerAddress{60, std::chrono::minutes(1)};

  SearchService(SearchStore& store, RateLimiter& limiter, Locality locality,
                std::function<TimePoint()> now = now_seconds)
      : store_(store), limiter_(limiter), locality_(std::move(locality)), now_(std::move(now)) {}

  // Errors: invalid "query_too_long" (q), "invalid_date" (from, to), "invalid_page" (page), "invalid_limit"
  // (limit), "invalid_cursor" (an offset past kMaxResults); rate_limited past
  // kPerAddress searches (an empty box is no search).
  SearchResults search(const SearchForm& form, const std::string& client_ip) const;

 private:
  SearchStore& store_;
  RateLimiter& limiter_;
  Locality locality_;
  std::function<TimePoint()> now_;
};

}  // namespace tribune

// Full-text search of articles: headline, standfirst, body, authors and tags, ranked (headline first, then
// standfirst, names, body). The index follows every save, author rename and tag merge in the same
// transaction, is filled for existing articles by the migration that makes it, and is derived data: backups
// and store copies leave it out and it is rebuilt when the store opens. Embedded-page stories are not indexed.
// One role of the Store (store/store.h); the Store's contract holds for every method.
#pragma once

#include "model/search.h"

namespace tribune {

class SearchStore {
 public:
  virtual ~SearchStore() = default;

  // The page of matches (limit at most 50), among what readers' listings show: published, time come, not a
  // story. Terms are matched as whole folded words; a phrase's words in order, next to each other.
  virtual ArticleHits search_articles(const ArticleSearch& search) = 0;
};

}  // namespace tribune

// Conversations brought in from other systems (Disqus, WordPress, Remark42): their readers and comments,
// and the keys that remember what each source's items became, so that an import run twice or resumed after
// a crash brings nothing in twice. Articles are made through ArticleStore; this role records their keys.
// One role of the Store (store/store.h); the Store's contract holds for every method.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/comment.h"

namespace tribune {

// A reader of the source. Without an address the account can never sign in or be claimed:
// email_normalized is then "imported:{source}:{key}", which no address normalizes to.
struct ImportedReader {
  std::string key;  // the source's id for the reader
  std::string email;
  std::string email_normalized;
  std::string display_name;
  std::array<std::string, 2> name_keys;  // confusable keys of display_name
  std::string handle;                    // mention_handle(display_name)
  TimePoint created_at{};
};

struct ImportedComment {
  std::string key;         // the source's id for the comment
  int64_t article_id = 0;  // already resolved: the thread's article
  std::string parent_key;  // empty: a top-level comment
  std::string author_key;  // an ImportedReader's key (of this batch or an earlier one)
  std::string body_markdown;
  std::string body_html;
  CommentStatus status = CommentStatus::published;
  TimePoint created_at{};
  int64_t likes = 0;  // kept as the comment's recommendation count
};

struct ImportBatch {
  std::string source;  // "disqus", "wordpress", "remark42"
  std::vector<ImportedReader> readers;
  std::vector<ImportedComment> comments;  // parents before their replies
};

struct ImportBatchResult {
  int64_t readers_created = 0;
  int64_t readers_matched = 0;  // an account with the reader's address existed: the comments are its
  int64_t comments_created = 0;
  int64_t comments_existing = 0;            // imported by an earlier run
  std::vector<std::string> parent_missing;  // keys of comments not written: their parent is not imported
};

class ImportStore {
 public:
  virtual ~ImportStore() = default;

  // What the source's item of this kind ("thread", "reader", "comment") became, if it was imported.
  virtual std::optional<int64_t> imported_id(const std::string& source, const std::string& kind,
                                             const std::string& key) = 0;
  // Remembers what an item became (idempotent: a key keeps its first id).
  virtual void record_imported(const std::string& source, const std::string& kind, const std::string& key,
                               int64_t id) = 0;
  // Writes the batch in one transaction: each reader not imported before becomes an account without a
  // password (or is matched to the account that has its address), each comment not imported before is
  // stored under its article with its parent, author, time, status and likes, counted as a posted comment
  // is, and bumps content_version. Nobody is notified and no mail is queued. A comment whose parent is
  // neither imported nor earlier in the batch is left out and named in parent_missing.
  virtual ImportBatchResult import_batch(const ImportBatch& batch) = 0;
};

}  // namespace tribune

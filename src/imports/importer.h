// `tribune import disqus|wordpress|remark42 FILE`: another system's conversations brought in. The file is
// read twice, streaming: first whole, so that a malformed file is refused (with its line) before anything is
// written; then in batches of comments, each batch one transaction. Every item's source id is remembered with
// what it became (ImportStore), so a run repeated or resumed after a crash brings nothing in twice.
//
// Threads become articles: the article with the thread's slug when the publication had one before this run
// (comments join a piece already moved over), else a new published article dated as the thread, with the story's text
// (WordPress) or a line naming where the conversation was, and that address as its syndication source; or,
// with ImportOptions::embed, the embed story of the thread's address (the one the embed script will ask for).
// Authors become reader accounts without passwords, claimable by a password reset to their address (no mail
// is sent at import); an address that is a reader's here is that reader, never a staff member's. Names pass
// the checks a registration's do (a reserved name or one a staff member's is confusable with gets
// " (imported)"). Replies keep their parents: a reply met before its parent waits for it; one whose parent
// never comes (or is skipped) joins its thread at the top and is counted as unresolved.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "domain/embed.h"
#include "imports/sources.h"

namespace tribune {
class AccountStore;
class ArticleService;
class ImportStore;
}  // namespace tribune

namespace tribune::imports {

struct ImportOptions {
  Format format = Format::disqus;
  std::string section = "Archive";     // new articles' section when the source names none
  std::string author = "The editors";  // and their byline
  size_t batch = 1000;                 // comments per transaction
  // Keeps this file's ids apart from another import of the same format: two WordPress blogs both have a post
  // 12. Empty: the format's name alone.
  std::string site;
  // Threads become embed stories keyed by their address (docs/embed.md), for a site that will embed the
  // conversations under its own pages, instead of articles of this publication.
  bool embed = false;
  struct Progress {
    int64_t done = 0;   // comments read in the second pass
    int64_t total = 0;  // comments in the file
    std::chrono::steady_clock::duration elapsed{};
  };
  std::function<void(const Progress&)> progress;  // at most every 200 ms, and once at the end
};

struct ImportSummary {
  int64_t threads = 0, comments = 0;  // in the file
  int64_t articles_created = 0, articles_matched = 0, threads_existing = 0;
  int64_t comments_created = 0, comments_existing = 0;
  int64_t readers_created = 0, readers_matched = 0;
  int64_t unresolved_parents = 0;
  std::map<std::string, int64_t> skipped;  // reason -> comments and threads left out
};

class Importer {
 public:
  Importer(ArticleService& articles, ImportStore& store, AccountStore& accounts, EmbedService* embed = nullptr)
      : articles_(articles), store_(store), accounts_(accounts), embed_(embed) {}
  // Errors: Error(invalid, "invalid_import") naming the line of a malformed file (nothing written);
  // Error(not_found) when the file cannot be opened; the store's errors (what was committed stays, and a
  // second run resumes).
  ImportSummary run(const std::string& path, const ImportOptions& options);

 private:
  ArticleService& articles_;
  ImportStore& store_;
  AccountStore& accounts_;
  EmbedService* embed_;  // for options.embed
};

}  // namespace tribune::imports

// Comments: posting, reading, editing, reactions, picks and reports.
// One role of the Store (store/store.h); the Store's contract holds for every method.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/comment.h"
#include "store/roles/rate.h"

namespace tribune {

class CommentStore {
 public:
  virtual ~CommentStore() = default;

  // Who a change notified, so that live pages can be told at once.
  // Stores a comment; for a reply, checks in the same transaction that the parent is a published comment
  // of the same article (else Error(invalid, "invalid_parent")), and counts it on the parent and the
  // article. Resolves the mentioned handles to readers (one each: a reader who took part in the article's
  // conversation first, else the earliest account). A published comment notifies, in the same
  // transaction: the parent's author (reply), the mentioned readers (mention) and the author's followers
  // (followed_comment, at most 10,000), each at most once per comment and never when the recipient
  // ignores the author. A pending comment notifies when it is approved (decide_comment).
  virtual SavedComment add_comment(const NewComment& comment) = 0;
  virtual std::optional<Comment> find_comment(int64_t id) = 0;
  // What the moderation rules need to know about an author, cheaply: their published comments (counted up
  // to published_cap; 0: not counted), and how many of their comments since `since` have this exact text.
  // With decisions_since, also how many of their comments moderators decided since then and how many of
  // those they rejected or hid.
  virtual AuthorActivity author_activity(const ActivityQuery& q) = 0;
  // The same, with rate-limit hits counted as RateCounters::rate_hits counts them, in the same round trip
  // where the engine shares its counts between nodes (a comment's limits and its rules' read are then one
  // wait); `counted` is nullopt where rate_hits would be (one process: the limiter counts in memory).
  struct CountedActivity {
    AuthorActivity activity;
    std::optional<std::vector<RateWindow>> counted;
  };
  virtual CountedActivity author_activity(const ActivityQuery& q, const std::vector<RateKey>& count) = 0;
  // Published comments in the query's order, keyset-paginated.
  virtual CommentList list_comments(const CommentQuery& query) = 0;
  // Published replies (any depth) in the threads of the given top-level comments, oldest first, at most
  // per_thread in each thread and limit in all.
  virtual std::vector<Comment> list_thread_replies(const std::vector<int64_t>& root_ids, int per_thread, int limit) = 0;
  virtual int64_t count_comments(int64_t article_id) = 0;
  // Published comments (any depth) of the article with id > after_id, by id.
  virtual std::vector<Comment> comments_since(int64_t article_id, int64_t after_id, int limit) = 0;
  // Replaces a published comment's body and marks it edited; with hold, the edited comment also goes back to
  // pending (out of its article's and parent's counts, into the moderation queue) until a moderator decides.
  // One transaction, which also keeps the text it replaces as a revision. False when the comment is not
  // published (deleted or taken down meanwhile).
  virtual bool edit_comment(int64_t id, const std::string& markdown, const std::string& html, TimePoint edited_at,
                            bool hold = false) = 0;
  // The texts an edited comment had before its current one, oldest first (empty: never edited).
  virtual std::vector<CommentRevision> comment_revisions(int64_t comment_id) = 0;
  // Marks a published comment deleted and takes it out of its article's and parent's counts (one
  // transaction). False when it was not published.
  virtual bool delete_comment(int64_t id) = 0;
  // Adds or removes one reader's reaction (idempotent); returns the comment's new count for that kind.
  virtual int64_t set_reaction(int64_t comment_id, int64_t account_id, const std::string& kind, bool on) = 0;
  // The kinds this reader gave each of these comments (for the per-reader part of a page).
  virtual std::vector<std::pair<int64_t, std::string>> reactions_by(int64_t account_id,
                                                                    const std::vector<int64_t>& comment_ids) = 0;
  // Marks or unmarks a published comment as an editor's pick; false when the comment is not published.
  virtual bool set_pick(int64_t comment_id, bool on) = 0;
  // Comment counts of the visible articles with these slugs (unknown or unpublished slugs are left out).
  virtual std::vector<std::pair<std::string, int64_t>> comment_counts(const std::vector<std::string>& slugs,
                                                                      TimePoint visible_at) = 0;
  // Files a report; false when this reader already reported this comment.
  virtual bool add_report(int64_t comment_id, int64_t reporter_id, const std::string& reason,
                          const std::string& note) = 0;
  // The account's comments on the article still waiting for a moderator, oldest first (only its author sees them).
  virtual std::vector<Comment> held_comments(int64_t author_id, int64_t article_id, int limit) = 0;
};

}  // namespace tribune

// Following and ignoring readers, notifications, and notification mail (digests).
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

#include "model/social.h"

namespace tribune {

class SocialStore {
 public:
  virtual ~SocialStore() = default;

  // Idempotent. Errors: not_found when the followed account does not exist.
  virtual void set_follow(int64_t follower_id, int64_t followed_id, bool on) = 0;
  virtual bool follows(int64_t follower_id, int64_t followed_id) = 0;
  virtual FollowCounts follow_counts(int64_t account_id) = 0;
  // Published comments by the accounts follower_id follows, newest first, id < before_id (0: from the newest).
  virtual std::vector<Comment> followed_comments(int64_t follower_id, int64_t before_id, int limit) = 0;
  // Published comments by one account, newest first, id < before_id (0: from the newest).
  virtual std::vector<Comment> comments_of(int64_t author_id, int64_t before_id, int limit) = 0;
  // Idempotent. Errors: not_found when the ignored account does not exist.
  virtual void set_ignore(int64_t account_id, int64_t ignored_id, bool on) = 0;
  // The readers this account ignores, most recent first, at most limit.
  virtual std::vector<int64_t> ignored_by(int64_t account_id, int limit) = 0;
  // Which of these accounts the follower follows.
  virtual std::vector<int64_t> followed_among(int64_t follower_id, const std::vector<int64_t>& account_ids) = 0;
  virtual std::vector<Notification> notifications(int64_t account_id, int64_t before_id, int limit) = 0;
  virtual int64_t unread_notifications(int64_t account_id) = 0;
  virtual void mark_notifications_read(int64_t account_id, int64_t up_to_id) = 0;

  // mode: immediate, daily, off.
  virtual void set_digest(int64_t account_id, const std::string& mode) = 0;
  // The reader's choice to show a supporter badge on their comments (shown once they have contributed).
  // Bumps the content version: every page with their comments changes.
  virtual void set_show_supporter(int64_t account_id, bool on) = 0;
  // Readers with a verified address and unread notifications past their cursor whose mail is due: every
  // run for "immediate", once a day for "daily".
  virtual std::vector<DueDigest> due_digests(TimePoint now, int limit) = 0;
  // Moves the reader's cursor from expected to up_to and queues the mail (when set), in one transaction.
  // False, changing nothing, when the cursor was not at expected (another worker or node sent it).
  virtual bool record_digest(int64_t account_id, int64_t expected_cursor, int64_t up_to, TimePoint now,
                             const std::optional<OutboxMail>& mail) = 0;
};

}  // namespace tribune

// Follows, notifications and notification mail, as the store answers about them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/account.h"
#include "model/comment.h"

namespace tribune {

struct FollowCounts {
  int64_t followers = 0;
  int64_t following = 0;
};

struct Notification {
  int64_t id = 0;
  std::string kind;    // reply, followed_comment, mention, moderation
  std::string detail;  // moderation: approved, rejected, hidden
  Comment comment;
  TimePoint created_at{};
  bool read = false;
};

struct DueDigest {
  Account account;
  int64_t cursor = 0;               // the last notification id already considered for mail
  int64_t up_to = 0;                // the newest notification id now considered
  std::vector<Notification> items;  // unread, id > cursor, oldest first, at most 20
  int64_t more = 0;                 // further unread notifications past those items
};

}  // namespace tribune

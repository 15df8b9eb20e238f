// Readers as the forum sees them: public profiles, following and ignoring, the feed of followed readers'
// comments, notifications (replies to me, mentions of me, new comments by readers I follow, moderation
// notices) and the choice of notification mail.
#pragma once

#include <functional>

#include "model/account.h"
#include "model/comment.h"
#include "store/roles/accounts.h"
#include "store/roles/social.h"

namespace tribune {

struct ReaderProfile {
  int64_t id = 0;
  std::string display_name;
  TimePoint member_since{};
  FollowCounts counts;
  std::vector<Comment> recent_comments;  // newest first
  bool followed_by_viewer = false;
};

// One line saying what a notification is about: "Ana replied to you", "A moderator approved your comment".
// The notifications page and the notification mail both use it.
std::string describe(const Notification& n);

class ReaderService {
 public:
  explicit ReaderService(SocialStore& store, AccountStore& accounts_store)
      : store_(store), accounts_store_(accounts_store) {}

  // Errors: invalid cannot_follow_self, not_found.
  void follow(int64_t follower_id, int64_t followed_id, bool on);
  // Errors: not_found. viewer_id 0: anonymous.
  ReaderProfile profile(int64_t reader_id, int64_t viewer_id, int comment_limit = 20);
  std::vector<Comment> feed(int64_t account_id, int64_t before_id, int limit) {
    return store_.followed_comments(account_id, before_id, limit);
  }
  std::vector<Comment> comments_of(int64_t reader_id, int64_t before_id, int limit) {
    return store_.comments_of(reader_id, before_id, limit);
  }
  std::vector<Notification> notifications(int64_t account_id, int64_t before_id, int limit) {
    return store_.notifications(account_id, before_id, limit);
  }
  int64_t unread(int64_t account_id) { return store_.unread_notifications(account_id); }
  // Whoever calls it (the notifications page reads them with a GET).
  void mark_read(int64_t account_id, int64_t up_to_id) {
    store_.mark_notifications_read(account_id, up_to_id);
    if (changed_) changed_(account_id);
  }

  // Their comments collapse for the ignoring reader, and they no longer notify them.
  // Errors: invalid cannot_ignore_self, not_found.
  void ignore(int64_t account_id, int64_t ignored_id, bool on);
  // Told, after it commits, that what a reader's masthead shows changed (unread count, ignored readers).
  // Set once at wiring.
  void on_changed(std::function<void(int64_t account_id)> listener) { changed_ = std::move(listener); }
  std::vector<int64_t> ignored(int64_t account_id) { return store_.ignored_by(account_id, kMaxIgnored); }
  std::vector<int64_t> followed_among(int64_t account_id, const std::vector<int64_t>& ids) {
    return store_.followed_among(account_id, ids);
  }
  // mode: immediate, daily, off. Errors: invalid (digest).
  void set_digest(int64_t account_id, const std::string& mode);
  // Opt in or out of the supporter badge on one's comments (shown only once one has contributed).
  void show_supporter_badge(int64_t account_id, bool on) { store_.set_show_supporter(account_id, on); }

  static constexpr int kMaxIgnored = 1000;

 private:
  SocialStore& store_;
  AccountStore& accounts_store_;
  std::function<void(int64_t account_id)> changed_;
};

}  // namespace tribune

#include "domain/readers.h"

#include "model/error.h"

namespace tribune {

void ReaderService::follow(int64_t follower_id, int64_t followed_id, bool on) {
  if (follower_id == followed_id) throw Error(ErrorKind::invalid, "cannot_follow_self", "You cannot follow yourself.");
  store_.set_follow(follower_id, followed_id, on);
}

std::string describe(const Notification& n) {
  const std::string who = n.comment.author_id ? n.comment.author_name : std::string("A deleted reader");
  if (n.kind == "reply") return who + " replied to you";
  if (n.kind == "mention") return who + " mentioned you";
  if (n.kind == "followed_comment") return who + ", whom you follow, commented";
  return "A moderator " + n.detail + " your comment";  // moderation: approved, rejected, hidden
}

void ReaderService::ignore(int64_t account_id, int64_t ignored_id, bool on) {
  if (account_id == ignored_id) throw Error(ErrorKind::invalid, "cannot_ignore_self", "You cannot ignore yourself.");
  store_.set_ignore(account_id, ignored_id, on);
  if (changed_) changed_(account_id);
}

void ReaderService::set_digest(int64_t account_id, const std::string& mode) {
  if (mode != "immediate" && mode != "daily" && mode != "off")
    throw invalid_field("digest", "invalid_digest", "digest must be immediate, daily or off.");
  store_.set_digest(account_id, mode);
}

ReaderProfile ReaderService::profile(int64_t reader_id, int64_t viewer_id, int comment_limit) {
  auto account = accounts_store_.find_account(reader_id);
  if (!account) throw not_found("The reader");
  ReaderProfile p;
  p.id = account->id;
  p.display_name = account->display_name;
  p.member_since = account->created_at;
  p.counts = store_.follow_counts(reader_id);
  p.recent_comments = store_.comments_of(reader_id, 0, comment_limit);
  p.followed_by_viewer = viewer_id > 0 && store_.follows(viewer_id, reader_id);
  return p;
}

}  // namespace tribune

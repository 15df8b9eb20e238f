// Moderation: the queue, decisions, sanctions, and the spam classifier's data and model (every act is also
// in the audit log, store/roles/audit.h).
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

#include "model/moderation.h"

namespace tribune {

class ModerationStore {
 public:
  virtual ~ModerationStore() = default;

  // The queue: open/held/reported by comment id ascending; decided by decision, newest first.
  virtual std::vector<QueueItem> moderation_queue(const QueueQuery& q) = 0;
  // approve: published, reports resolved; reject/hide: out of the conversation and its counts. Logged with
  // the moderator and reason, in one transaction, with a "moderation" notice to the author when a held
  // comment is approved or a comment is taken down; approving a held comment also sends the notifications
  // its publication would have (add_comment). Errors: not_found.
  // notify_author false: no moderation notice (the other notifications still go out).
  virtual SavedComment decide_comment(int64_t comment_id, int64_t moderator_id, const std::string& decision,
                                      const std::string& reason, bool notify_author = true) = 0;
  // until empty: lifts the ban. Logged. Errors: not_found.
  virtual void set_ban(int64_t account_id, int64_t moderator_id, std::optional<TimePoint> until,
                       const std::string& reason) = 0;
  // A sanction or record on a reader, logged with the moderator and reason in the same transaction.
  // action: warn (the reader must acknowledge `reason` before posting again), premoderate (every comment of
  // theirs waits for review), release (ends premoderate), note (a moderator's note; only staff see it).
  // Errors: not_found.
  virtual void sanction(int64_t account_id, int64_t moderator_id, const std::string& action,
                        const std::string& reason) = 0;
  // Clears the reader's warning, logged as acknowledged; false when there was none.
  virtual bool acknowledge_warning(int64_t account_id) = 0;

  // Moderators' decisions as labelled text (approve: wanted; reject, hide: spam or abuse), log id > after_id.
  virtual std::vector<TrainingExample> training_examples(int64_t after_id, int limit) = 0;
  virtual void save_model(const std::string& name, const std::string& blob) = 0;
  virtual std::optional<std::string> load_model(const std::string& name) = 0;
};

}  // namespace tribune

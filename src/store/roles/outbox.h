// The transactional mail outbox: mails written with the change that causes them, claimed and sent later.
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

#include "model/account.h"

namespace tribune {

struct OutboxStats {
  int64_t pending = 0;
  int64_t sent = 0;
};

class OutboxStore {
 public:
  virtual ~OutboxStore() = default;

  // Claims up to limit due mails: each claimed row is leased until now + lease so that no other sender
  // (thread or node) takes it meanwhile.
  virtual std::vector<QueuedMail> claim_mail(TimePoint now, std::chrono::seconds lease, int limit) = 0;
  virtual void mark_mail_sent(int64_t id, TimePoint now) = 0;
  virtual void mark_mail_failed(int64_t id, const std::string& error, TimePoint retry_at) = 0;
  virtual OutboxStats outbox_stats() = 0;
};

}  // namespace tribune

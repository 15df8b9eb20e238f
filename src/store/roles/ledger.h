// Reader contributions and the payment events that settle them.
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

#include "model/contribution.h"

namespace tribune {

class LedgerStore {
 public:
  virtual ~LedgerStore() = default;

  virtual Contribution create_contribution(const NewContribution& c) = 0;
  virtual void set_checkout_session(int64_t contribution_id, const std::string& session_id) = 0;
  // A checkout the provider never started (it failed or did not answer): the contribution, still without a
  // session and untouched by any payment event, is marked "abandoned" (kept, so its id is never another's, and
  // shown to nobody but the ledger's admins; counted nowhere). Anything further along is left as it is.
  virtual void abandon_checkout(int64_t contribution_id) = 0;
  virtual std::optional<Contribution> find_contribution(int64_t id) = 0;
  // Records the event id and applies the event, in one transaction. duplicate: the id was applied before
  // (nothing changes). unmatched: no contribution matches yet (an event that overtook the one naming the
  // contribution); it is kept and applied by a later call. A status moves only if the event is not older
  // than the one that set the current status. The first event with money_arrived queues thank_you's mail.
  virtual EventOutcome apply_payment_event(
      const PaymentEvent& e, const std::function<std::optional<OutboxMail>(const Contribution&)>& thank_you) = 0;
  // Events kept unmatched, oldest first: (id, raw payload).
  virtual std::vector<std::pair<std::string, std::string>> unmatched_payment_events(int limit) = 0;
  // Totals in one currency over the days before `until` (UTC days), by day, by article, by interval.
  virtual ContributionReport contribution_report(const std::string& currency, TimePoint until, int days) = 0;
  // Every contribution, oldest first, id > after_id (CSV export).
  virtual std::vector<Contribution> list_contributions(int64_t after_id, int limit) = 0;
};

}  // namespace tribune

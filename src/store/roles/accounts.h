// Reader and staff accounts, their sessions, and the tokens of the links mailed to them.
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
#include "model/comment.h"

namespace tribune {

class AccountStore {
 public:
  virtual ~AccountStore() = default;

  // Creates the account and (when session is set) its first session, and queues mail, in one transaction.
  // Errors: conflict "email_taken" (field email) when the normalized email exists.
  // token is stored for the new account together with mail (its link), in the same transaction.
  virtual CreatedAccount create_account(const NewAccount& account, const std::optional<NewSession>& session,
                                        const std::optional<EmailToken>& token,
                                        const std::optional<OutboxMail>& mail) = 0;
  virtual std::optional<Credentials> find_credentials(const std::string& email_normalized) = 0;
  virtual std::optional<Account> find_account(int64_t id) = 0;
  virtual void set_password_hash(int64_t account_id, const std::string& password_hash) = 0;
  // True when a staff account (role other than reader) has a display name with one of these confusable keys.
  virtual bool staff_name_taken(const std::array<std::string, 2>& keys) = 0;

  virtual int64_t create_session(int64_t account_id, const NewSession& session) = 0;
  virtual std::optional<SessionLookup> find_session(const std::string& token_hash) = 0;
  virtual void touch_session(int64_t session_id, TimePoint seen) = 0;
  virtual void delete_session(const std::string& token_hash) = 0;
  // Deletes session_id only if it belongs to account_id; false when it did not.
  virtual bool delete_account_session(int64_t account_id, int64_t session_id) = 0;
  virtual void delete_sessions(int64_t account_id) = 0;
  virtual std::vector<SessionInfo> list_sessions(int64_t account_id) = 0;

  // Profile changes. Errors: conflict email_taken.
  virtual void set_display_name(int64_t account_id, const std::string& name,
                                const std::array<std::string, 2>& keys) = 0;
  // Asks for a change of address, in one transaction: the account keeps its address; `confirm` (a "verify"
  // token carrying new_email) is stored and its mail queued to the new address; `undo` (a "reset" token) is
  // stored and `notice` queued to the current address, so that its owner can stop the change (a reset
  // cancels it). Earlier unconfirmed changes of the account are cancelled. Errors: conflict email_taken.
  virtual void request_email_change(int64_t account_id, const EmailToken& confirm, const OutboxMail& confirm_mail,
                                    const EmailToken& undo, const OutboxMail& notice) = 0;
  // Ends every session of the account except keep_session_id (0: all).
  virtual void delete_other_sessions(int64_t account_id, int64_t keep_session_id) = 0;
  // Deletes the account and its sessions and tokens; its comments stay, attributed to a deleted reader.
  virtual void delete_account(int64_t account_id) = 0;
  virtual void set_role(int64_t account_id, Role role) = 0;
  // Accounts by id ascending, after_id exclusive.
  virtual std::vector<Account> list_accounts(int64_t after_id, int limit) = 0;
  // The reader an @mention of this handle names in the article's conversation: of the readers whose name folds
  // to it, one who has commented on the article, else the oldest account (the rule add_comment records).
  virtual std::optional<int64_t> find_mentioned(const std::string& handle, int64_t article_id) = 0;
  // Every comment the account wrote, oldest first (data export).
  virtual std::vector<Comment> comments_by_author(int64_t account_id, int limit) = 0;
  // Every follow, ignore, reaction, report and notification of the reader (their data export), oldest first.
  virtual ReaderRecords reader_records(int64_t account_id) = 0;

  // Stores a token for the account and queues its mail in one transaction.
  virtual void create_email_token(int64_t account_id, const EmailToken& token, const OutboxMail& mail) = 0;
  // Consumes an unexpired, unused "verify" token and marks the account's email verified, in one transaction.
  // A token that confirms a change of address first moves the account to its new address (Errors: conflict
  // email_taken when another account took the address meanwhile) and reports the address it had. Nullopt when
  // the token is unknown, used or expired.
  // The address an unconfirmed change would move the account to (the newest unused, unexpired one), if any.
  virtual std::optional<std::string> pending_email(int64_t account_id, TimePoint now) = 0;
  virtual std::optional<VerifiedEmail> use_verify_token(const std::string& token_hash, TimePoint now) = 0;
  // Consumes an unexpired, unused "reset" token, sets the password hash, ends every session of the account
  // and marks every other reset token and every unconfirmed change of address of the account used, in one
  // transaction. The address is then verified (the link reached it), if it was not.
  virtual std::optional<int64_t> use_reset_token(const std::string& token_hash, const std::string& password_hash,
                                                 TimePoint now) = 0;
  // True when an unused, unexpired token with this hash and purpose exists (to show the confirm page).
  virtual bool email_token_valid(const std::string& token_hash, const std::string& purpose, TimePoint now) = 0;
};

}  // namespace tribune

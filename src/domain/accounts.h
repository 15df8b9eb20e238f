// Reader accounts and sessions: registration that signs the reader in at once, sign-in, sign-out, session
// lookup for every request, staff roles. Passwords are Argon2id (libsodium), session tokens 256 random bits
// stored as SHA-256, CSRF tokens derived from the session secret (no storage, valid on every node).
#pragma once

#include <array>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "domain/rate_limit.h"
#include "model/comment.h"
#include "store/roles/accounts.h"
#include "store/roles/admin.h"
#include "store/roles/audit.h"

namespace tribune {

inline constexpr size_t kMinPassword = 8;
inline constexpr size_t kMaxPassword = 256;  // characters (UTF-8 bytes are checked against 4x this)
inline constexpr size_t kMaxDisplayName = 50;
inline constexpr size_t kMaxEmail = 254;

// The role a request names. Errors: invalid invalid_role (field role).
Role parse_role_field(std::string_view role);

// What the client told us about itself, for the sessions list.
struct ClientInfo {
  std::string ip;
  std::string user_agent;
};

struct SessionPolicy {
  std::chrono::seconds idle{std::chrono::days(30)};       // unused this long: signed out
  std::chrono::seconds absolute{std::chrono::days(180)};  // signed in this long: sign in again
  std::chrono::seconds touch_every{std::chrono::minutes(5)};
};

// Rate limits on account actions (docs/accounts.md lists them).
struct AccountLimits {
  Limit register_per_ip{20, std::chrono::hours(1)};
  Limit signin_per_ip{60, std::chrono::minutes(15)};
  // Sign-in attempts on one account from one client address: a guesser is slowed, and a stranger who knows
  // the address cannot lock its owner out from elsewhere. Success clears it.
  Limit signin_per_account{10, std::chrono::minutes(15)};
  // Attempts on one account from every address together: slows guessing spread over many addresses. Success,
  // a completed password reset and a confirmed mail link clear it.
  Limit signin_per_account_everywhere{100, std::chrono::minutes(15)};
};

// What account mails need to know: links are absolute.
struct MailSettings {
  std::string base_url = "http://127.0.0.1:8080";
  std::string site_name = "The Tribune";
  std::chrono::seconds verify_ttl{std::chrono::minutes(60)};
  std::chrono::seconds reset_ttl{std::chrono::minutes(30)};
};

struct PasswordPolicy {
  unsigned long long opslimit = 2;             // t
  size_t memlimit = size_t{19} * 1024 * 1024;  // m = 19 MiB (OWASP minimum for Argon2id)
};

// A signed-in request's identity.
class AccountService {
 public:
  using Now = std::function<TimePoint()>;

  AccountService(AccountStore& accounts_store, AuditLog& audit, StoreAdmin& counters, RateLimiter& limiter,
                 SessionPolicy sessions = {}, PasswordPolicy passwords = {}, AccountLimits limits = {},
                 Now now = now_seconds);

  struct Started {
    Account account;
    std::string session_token;  // goes into the cookie; never stored
    std::string csrf_token;
  };

  // Validates, creates the account and its first session in one transaction. Errors: invalid (field named:
  // email, display_name, password), conflict email_taken, rate_limited.
  Started register_account(const std::string& email, const std::string& display_name, const std::string& password,
                           const ClientInfo& client);

  // Errors: unauthenticated invalid_credentials (the same for unknown email and wrong password, after the
  // same amount of hashing work), rate_limited.
  Started sign_in(const std::string& email, const std::string& password, const ClientInfo& client);

  // The identity behind a session token, or nullopt when unknown, expired or revoked.
  std::optional<SignedIn> authenticate(std::string_view session_token);

  std::optional<Account> find(int64_t account_id) { return accounts_store_.find_account(account_id); }
  void sign_out(std::string_view session_token);
  void sign_out_everywhere(int64_t account_id);
  std::vector<SessionInfo> sessions(int64_t account_id);
  // Ends one of the account's own sessions; not_found for anyone else's.
  void end_session(int64_t account_id, int64_t session_id);

  // --- Mail links: single use, minutes not days, stored hashed ---
  // Queues a new verification mail for the account (rate limited per account).
  void resend_verification(int64_t account_id);
  // Marks the address verified. Errors: invalid link_expired (unknown, used or expired token).
  void verify_email(std::string_view token);
  // Queues a reset mail when the address has an account; does the same work and answers the same either way.
  void request_password_reset(const std::string& email, const ClientInfo& client);
  // Sets the password from a reset link and ends every session. Errors: invalid (password), link_expired.
  void reset_password(std::string_view token, const std::string& password);
  bool link_valid(std::string_view token, const std::string& purpose);
  void set_mail_settings(MailSettings m) { mail_ = std::move(m); }

  // --- Profile, privacy, roles ---
  Account change_display_name(int64_t account_id, const std::string& name);
  // Re-authenticates with the password first. The address changes only once the new address confirms (a
  // "verify" link mailed there); the current address is told, with a reset link that cancels the change.
  // Errors: unauthenticated invalid_credentials, invalid (same_email, invalid_email), conflict email_taken.
  void change_email(int64_t account_id, const std::string& password, const std::string& new_email);
  // The address a change waits to move the account to, until that address confirms.
  std::optional<std::string> pending_email(int64_t account_id) const {
    return accounts_store_.pending_email(account_id, now_());
  }
  // Re-authenticates; with sign_out_others every other session ends.
  void change_password(int64_t account_id, int64_t session_id, const std::string& current, const std::string& next,
                       bool sign_out_others);
  // Re-authenticates, runs the before-delete step (monthly contributions are cancelled at the provider: if
  // that fails, nothing is deleted), then deletes the account. Comments remain, from "Deleted reader".
  void delete_account(int64_t account_id, const std::string& password);
  void before_delete(std::function<void(int64_t account_id)> step) { before_delete_ = std::move(step); }
  struct Export {
    Account account;
    std::vector<SessionInfo> sessions;
    std::vector<Comment> comments;
    ReaderRecords records;
  };
  Export export_data(int64_t account_id);
  // Admin: grant a role. Errors: invalid_role, not_found.
  // Logged in the audit log as the actor's act (0: an API token or the command line).
  void set_role(int64_t actor_id, int64_t account_id, const std::string& role);
  std::vector<Account> list_accounts(int64_t after_id, int limit) {
    return accounts_store_.list_accounts(after_id, limit);
  }

  // Staff bootstrap (CLI): any role, no session.
  Account create_account(const std::string& email, const std::string& display_name, const std::string& password,
                         const std::string& role);

  // CSRF token for a session token: keyed BLAKE2b, so any node can check it without a lookup.
  static std::string csrf_for(std::string_view session_token);

  // Checks that may run before any work: exposed for tests.
  static std::string normalize_email(std::string_view email);    // throws invalid (field email)
  static std::string clean_display_name(std::string_view name);  // NFKC, trimmed; throws invalid
  // A name readers may not take ("Admin", "The Tribune", and what is confusable with them); keys: confusable_keys.
  static bool reserved_name(const std::array<std::string, 2>& keys);
  void check_password(const std::string& password, const std::string& email, const std::string& name) const;
  std::string hash_password(const std::string& password) const;

 private:
  // Throws invalid_credentials unless password is the account's.
  Account reauthenticate(int64_t account_id, const std::string& password);
  Started start_session(const Account& account, const ClientInfo& client, bool with_account,
                        const NewAccount* new_account);
  // A fresh token and its mail for the account's address.
  std::string mail_link(const std::string& purpose, const std::string& token) const;
  void clear_sign_in_lock(int64_t account_id);
  std::pair<EmailToken, OutboxMail> link_mail(const std::string& to, const std::string& name,
                                              const std::string& purpose, std::string& token_out) const;

  std::function<void(int64_t)> before_delete_;
  AccountStore& accounts_store_;
  AuditLog& audit_;
  StoreAdmin& counters_;
  RateLimiter& limiter_;
  SessionPolicy sessions_;
  PasswordPolicy passwords_;
  AccountLimits limits_;
  MailSettings mail_;
  Now now_;
  std::string dummy_hash_;  // verified against for unknown emails, to keep timing alike
};

bool is_common_password(std::string_view password);
// Keys for confusable detection (ICU UTS #39 skeletons, case-folded); both are stored with an account.
// Two names are confusable when any key of one equals any key of the other.
std::array<std::string, 2> confusable_keys(std::string_view name);

}  // namespace tribune

// Reader account data types shared by the accounts service and the store.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "model/contribution.h"
#include "util/text.h"

namespace tribune {

// The roles an account or an API token can have. Stored and shown by name (to_string): "reader",
// "moderator", "editor", "admin"; a name read back that this version does not know reads as reader.
enum class Role { reader, moderator, editor, admin };
std::string_view to_string(Role r);
std::optional<Role> parse_role(std::string_view s);
inline Role role_or_reader(std::string_view s) {
  return parse_role(s).value_or(Role::reader);
}

// Moderators, editors and admins: staff, above the reader.
inline bool is_staff(Role r) {
  return r != Role::reader;
}
// Editors and admins: the desk, and the newsroom's whole dashboard (money included).
inline bool is_editor(Role r) {
  return r == Role::editor || r == Role::admin;
}

struct Account {
  int64_t id = 0;
  std::string email;
  std::string display_name;
  Role role = Role::reader;
  std::optional<TimePoint> email_verified_at;
  TimePoint created_at{};
  std::optional<TimePoint> banned_until;  // cannot post until then (a ban is a date far in the future)
  std::string ban_reason;
  std::string warning;           // a moderator's warning the reader has not acknowledged yet
  bool premoderated = false;     // every comment of theirs waits for review
  std::string digest = "daily";  // notification mail: immediate, daily or off
  bool supporter = false;        // has contributed (money arrived)
  bool show_supporter = false;   // chose to show the supporter badge on their comments
};

// An account's @mention handle: the letters and digits of its display name, case-folded (ICU), so that
// "@AnaLima" names "Ana Lima". Empty when the name has none. Stored with the account.
std::string mention_handle(std::string_view display_name);

// A ban is a suspension to the end of time (9999-12-31); one that far away reads as a ban, not a date.
inline constexpr TimePoint kBanEnd{std::chrono::seconds(253402300799)};
inline bool is_ban(TimePoint until, TimePoint now) {
  return until > now + std::chrono::days(365 * 50);
}

struct NewAccount {
  std::string email;
  std::string email_normalized;
  std::string display_name;
  std::array<std::string, 2> name_keys;  // confusable keys of display_name (confusable_keys())
  std::string password_hash;             // PHC string
  Role role = Role::reader;
  TimePoint created_at{};
};

struct SessionInfo {
  int64_t id = 0;
  int64_t account_id = 0;
  TimePoint created_at{};
  TimePoint last_seen_at{};
  TimePoint expires_at{};  // absolute limit
  std::string user_agent;
  std::string ip;
};

struct NewSession {
  std::string token_hash;  // SHA-256 of the token
  TimePoint created_at{};
  TimePoint expires_at{};
  std::string user_agent;
  std::string ip;
};

// A single-use link token for mail (verify the address, reset the password). Only the hash is stored.
struct EmailToken {
  std::string token_hash;
  std::string purpose;  // "verify" or "reset"
  TimePoint expires_at{};
  // A "verify" token that confirms a change of address: the account moves to this address when it is used.
  std::string new_email;
  std::string new_email_normalized;
};

// A mail to send, written to the outbox in the same transaction as the change that causes it.
struct OutboxMail {
  std::string to;
  std::string subject;
  std::string body_text;
};

// A queued mail as the sender sees it.
struct QueuedMail {
  int64_t id = 0;
  OutboxMail mail;
  int attempts = 0;
};

// What the store answers about accounts and sessions.
struct CreatedAccount {
  Account account;
  int64_t session_id = 0;
};

struct Credentials {
  Account account;
  std::string password_hash;
};

struct SessionLookup {
  SessionInfo session;
  Account account;
};

struct VerifiedEmail {
  int64_t account_id = 0;
  std::string previous_email;  // set when the address changed
};

// A live session, as authentication finds it.
struct SignedIn {
  Account account;
  int64_t session_id = 0;
  std::string csrf_token;
};

// What a reader did besides commenting, for their data export (GET /api/v1/me/export): every row that
// names them as the one who acted, and the contributions made while signed in.
struct ReaderRecords {
  struct Link {  // a reader they follow or ignore
    int64_t account_id = 0;
    std::string display_name;
    TimePoint since{};
  };
  struct Reaction {
    int64_t comment_id = 0;
    std::string kind;
    TimePoint at{};
  };
  struct Report {
    int64_t comment_id = 0;
    std::string reason, note;
    TimePoint at{};
  };
  struct Notice {
    int64_t id = 0;
    std::string kind, detail;
    int64_t comment_id = 0;
    TimePoint at{};
    bool read = false;
  };
  struct Revision {  // the earlier text of one of their edited comments
    int64_t comment_id = 0;
    std::string body_markdown;
    TimePoint written_at{};
  };
  std::vector<Link> following, ignoring;
  std::vector<Revision> revisions;
  std::vector<Reaction> reactions;
  std::vector<Report> reports;
  std::vector<Notice> notifications;
  std::vector<Contribution> contributions;
};

}  // namespace tribune

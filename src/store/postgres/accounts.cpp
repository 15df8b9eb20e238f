#include "store/postgres/engine.h"
#include "util/text.h"

namespace tribune::postgres {

CreatedAccount PostgresStore::create_account(const NewAccount& a, const std::optional<NewSession>& session,
                                             const std::optional<EmailToken>& token,
                                             const std::optional<OutboxMail>& mail) {
  return email_unique([&] {
    return write([&](Connection& db) {
      if (!db.query("SELECT 1 FROM accounts WHERE email_normalized = $1", {a.email_normalized}).empty())
        throw email_taken();
      int64_t created = secs(a.created_at);
      CreatedAccount out;
      int64_t id = db.query(
                         "INSERT INTO accounts (email, email_normalized, display_name, name_key, name_key_cased, "
                         "password_hash, role, created_at, handle) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
                         "RETURNING id",
                         {a.email, a.email_normalized, a.display_name, a.name_keys[0], a.name_keys[1], a.password_hash,
                          to_string(a.role), created, mention_handle(a.display_name)})
                       .front()
                       .int64(0);
      out.account = Account{id, a.email, a.display_name, a.role, std::nullopt, a.created_at};
      if (session) out.session_id = insert_session(db, id, *session);
      if (token) insert_token(db, id, *token, created);
      if (mail) insert_mail(db, *mail, created);
      return out;
    });
  });
}

std::optional<Credentials> PostgresStore::find_credentials(const std::string& email_normalized) {
  return db_.read([&](Connection& db) -> std::optional<Credentials> {
    auto r =
        db.query(std::string("SELECT ") + kAccountColumns + ", password_hash FROM accounts WHERE email_normalized = $1",
                 {email_normalized});
    if (r.empty()) return std::nullopt;
    return Credentials{read_account(r.front(), 0), r.front().text(kAccountWidth)};
  });
}

std::optional<Account> PostgresStore::find_account(int64_t id) {
  return db_.read([&](Connection& db) -> std::optional<Account> {
    auto r = db.query(std::string("SELECT ") + kAccountColumns + " FROM accounts WHERE id = $1", {id});
    if (r.empty()) return std::nullopt;
    return read_account(r.front(), 0);
  });
}

void PostgresStore::set_password_hash(int64_t account_id, const std::string& hash) {
  write_account(account_id, [&](Connection& db) {
    db.query("UPDATE accounts SET password_hash = $2 WHERE id = $1", {account_id, hash});
  });
}

bool PostgresStore::staff_name_taken(const std::array<std::string, 2>& keys) {
  return db_.read([&](Connection& db) {
    return !db.query(
                  "SELECT 1 FROM accounts WHERE role <> 'reader' AND (name_key IN ($1, $2) OR name_key_cased IN "
                  "($1, $2)) LIMIT 1",
                  {keys[0], keys[1]})
                .empty();
  });
}

int64_t PostgresStore::create_session(int64_t account_id, const NewSession& session) {
  return write([&](Connection& db) { return insert_session(db, account_id, session); });
}

// Concurrent requests' sessions are read together (the session reader's thread): one statement for all of them.
std::optional<SessionLookup> PostgresStore::find_session(const std::string& token_hash) {
  std::call_once(hearing_, [this] { hear_account_changes(); });
  if (auto cached = sessions_.find(token_hash)) return cached;
  uint64_t epoch = sessions_.epoch();
  auto found = session_reader_.ask({token_hash, {}}, wait_);
  if (found) sessions_.put(token_hash, *found, epoch);
  return found;
}

void PostgresStore::hear_account_changes() {
  account_listener_ = std::make_unique<pg::Listener>(
      url_, pg::ListenerOptions{.channel = kAccountsChannel,
                                .what = "sessions across nodes",
                                .on_message =
                                    [this](std::string_view id) {
                                      auto account = parse_positive_id(id);
                                      account ? sessions_.forget_account(*account) : sessions_.clear();
                                      tell_account_changed(account.value_or(0));
                                    },
                                // Listening again: what was said meanwhile is lost.
                                .on_gap = [this] { tell_account_changed(0); },
                                .on_listening = [this](bool on) { on ? sessions_.resume() : sessions_.suspend(); }});
}

void PostgresStore::on_account_changed(std::function<void(int64_t)> changed) {
  std::lock_guard lock(account_changed_mu_);
  account_changed_ = std::move(changed);
}

void PostgresStore::tell_account_changed(int64_t account_id) {
  std::lock_guard lock(account_changed_mu_);
  if (account_changed_) account_changed_(account_id);
}

void PostgresStore::find_sessions(Connection& c, std::vector<SessionRequest>& batch) {
  static const std::string sql =
      std::string("SELECT ") + kAccountColumnsA + ", " + kSessionColumnsS +
      ", encode(s.token_hash, 'hex') FROM sessions s JOIN accounts a ON a.id = s.account_id "
      "WHERE s.token_hash = ANY (ARRAY(SELECT decode(h, 'hex') FROM unnest($1::text[]) AS h))";
  std::vector<std::string> hashes;
  hashes.reserve(batch.size());
  for (const auto& r : batch) hashes.push_back(to_hex(r.token_hash));
  std::map<std::string, SessionLookup, std::less<>> found;
  for (auto row : c.query(sql, {Param::text_array(hashes)})) {
    SessionLookup s;
    s.account = read_account(row, 0);
    s.session = read_session(row, kAccountWidth, s.account.id);
    found.emplace(row.text(kAccountWidth + kSessionWidth), std::move(s));
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    auto it = found.find(hashes[i]);
    batch[i].done.set_value(it == found.end() ? std::nullopt : std::optional<SessionLookup>(it->second));
  }
}

// Other nodes are not told (migration 29): one holding an older last_seen_at at most touches the session again.
void PostgresStore::touch_session(int64_t session_id, TimePoint seen) {
  write([&](Connection& db) {
    db.query("UPDATE sessions SET last_seen_at = $2 WHERE id = $1", {session_id, secs(seen)});
  });
  sessions_.forget_session(session_id);
}

void PostgresStore::delete_session(const std::string& token_hash) {
  write_forgetting(
      [&](SessionCache& c) { c.forget(token_hash); },
      [&](Connection& db) { db.query("DELETE FROM sessions WHERE token_hash = $1", {Param::bytes(token_hash)}); });
}

bool PostgresStore::delete_account_session(int64_t account_id, int64_t session_id) {
  return write_account(account_id, [&](Connection& db) {
    return db.query("DELETE FROM sessions WHERE id = $1 AND account_id = $2", {session_id, account_id}).affected() > 0;
  });
}

void PostgresStore::delete_sessions(int64_t account_id) {
  write_account(account_id,
                [&](Connection& db) { db.query("DELETE FROM sessions WHERE account_id = $1", {account_id}); });
}

std::vector<SessionInfo> PostgresStore::list_sessions(int64_t account_id) {
  return db_.read([&](Connection& db) {
    std::vector<SessionInfo> out;
    for (auto st : db.query(std::string("SELECT ") + kSessionColumns +
                                " FROM sessions WHERE "
                                "account_id = $1 ORDER BY last_seen_at DESC",
                            {account_id}))
      out.push_back(read_session(st, 0, account_id));
    return out;
  });
}

void PostgresStore::set_display_name(int64_t id, const std::string& name, const std::array<std::string, 2>& keys) {
  write_account(id, [&](Connection& db) {
    db.query("UPDATE accounts SET display_name = $2, name_key = $3, name_key_cased = $4, handle = $5 WHERE id = $1",
             {id, name, keys[0], keys[1], mention_handle(name)});
  });
}

void PostgresStore::request_email_change(int64_t id, const EmailToken& confirm, const OutboxMail& confirm_mail,
                                         const EmailToken& undo, const OutboxMail& notice) {
  write([&](Connection& db) {
    if (!db.query("SELECT 1 FROM accounts WHERE email_normalized = $1 AND id <> $2", {confirm.new_email_normalized, id})
             .empty())
      throw email_taken();
    int64_t now = secs(now_seconds());
    db.query("UPDATE email_tokens SET used_at = $2 WHERE account_id = $1 AND used_at IS NULL AND new_email IS NOT NULL",
             {id, now});
    insert_token(db, id, confirm, now);
    insert_mail(db, confirm_mail, now);
    insert_token(db, id, undo, now);
    insert_mail(db, notice, now);
  });
}

void PostgresStore::delete_other_sessions(int64_t account_id, int64_t keep) {
  write_account(account_id, [&](Connection& db) {
    db.query("DELETE FROM sessions WHERE account_id = $1 AND id <> $2", {account_id, keep});
  });
}

void PostgresStore::delete_account(int64_t id) {
  write_account(id, [&](Connection& db) {
    db.query("DELETE FROM sessions WHERE account_id = $1", {id});
    db.query("DELETE FROM email_tokens WHERE account_id = $1", {id});
    db.query("UPDATE comments SET author_id = NULL WHERE author_id = $1", {id});
    if (db.query("DELETE FROM accounts WHERE id = $1", {id}).affected() == 0) throw account_not_found();
  });
}

void PostgresStore::set_role(int64_t id, Role role) {
  write_account(id, [&](Connection& db) {
    if (db.query("UPDATE accounts SET role = $2 WHERE id = $1", {id, to_string(role)}).affected() == 0)
      throw account_not_found();
  });
}

std::vector<Account> PostgresStore::list_accounts(int64_t after_id, int limit) {
  return db_.read([&](Connection& db) {
    std::vector<Account> out;
    for (auto row :
         db.query(std::string("SELECT ") + kAccountColumns + " FROM accounts WHERE id > $1 ORDER BY id LIMIT $2",
                  {after_id, std::clamp(limit, 1, 500)}))
      out.push_back(read_account(row, 0));
    return out;
  });
}

std::optional<int64_t> PostgresStore::find_mentioned(const std::string& handle, int64_t article_id) {
  return db_.read([&](Connection& db) -> std::optional<int64_t> {
    auto r = db.query(
        "SELECT a.id FROM accounts a WHERE a.handle = $1 ORDER BY EXISTS (SELECT 1 FROM comments x WHERE "
        "x.author_id = a.id AND x.article_id = $2) DESC, a.id LIMIT 1",
        {handle, article_id});
    if (r.empty()) return std::nullopt;
    return r.front().int64(0);
  });
}

std::vector<Comment> PostgresStore::comments_by_author(int64_t account_id, int limit) {
  return db_.read([&](Connection& db) {
    std::vector<Comment> out;
    for (auto row : db.query(std::string("SELECT ") + kCommentColumns + kCommentFrom +
                                 "WHERE c.author_id = $1 ORDER BY c.created_at, c.id LIMIT $2",
                             {account_id, limit}))
      out.push_back(read_comment(row));
    return out;
  });
}

ReaderRecords PostgresStore::reader_records(int64_t account_id) {
  return db_.read([&](Connection& db) {
    ReaderRecords out;
    auto at = [](const Row& r, int c) { return TimePoint(std::chrono::seconds(r.int64(c))); };
    for (auto r : db.query("SELECT a.id, a.display_name, f.created_at FROM follows f JOIN accounts a ON a.id = "
                           "f.followed_id WHERE f.follower_id = $1 ORDER BY f.created_at, a.id",
                           {account_id}))
      out.following.push_back({r.int64(0), r.text(1), at(r, 2)});
    for (auto r : db.query("SELECT a.id, a.display_name, i.created_at FROM ignores i JOIN accounts a ON a.id = "
                           "i.ignored_id WHERE i.account_id = $1 ORDER BY i.created_at, a.id",
                           {account_id}))
      out.ignoring.push_back({r.int64(0), r.text(1), at(r, 2)});
    for (auto r : db.query("SELECT comment_id, kind, created_at FROM comment_reactions WHERE account_id = $1 ORDER BY "
                           "created_at, comment_id",
                           {account_id}))
      out.reactions.push_back({r.int64(0), r.text(1), at(r, 2)});
    for (auto r : db.query("SELECT r.comment_id, r.body_markdown, r.written_at FROM comment_revisions r JOIN comments "
                           "c ON c.id = r.comment_id "
                           "WHERE c.author_id = $1 ORDER BY r.id",
                           {account_id}))
      out.revisions.push_back({r.int64(0), r.text(1), at(r, 2)});
    for (auto r :
         db.query("SELECT comment_id, reason, note, created_at FROM comment_reports WHERE reporter_id = $1 ORDER BY id",
                  {account_id}))
      out.reports.push_back({r.int64(0), r.text(1), r.text(2), at(r, 3)});
    for (auto r : db.query("SELECT id, kind, detail, comment_id, created_at, read_at IS NOT NULL FROM notifications "
                           "WHERE account_id = $1 ORDER BY id",
                           {account_id}))
      out.notifications.push_back({r.int64(0), r.text(1), r.text(2), r.int64(3), at(r, 4), r.boolean(5)});
    for (auto r : db.query(
             std::string("SELECT ") + kContributionColumns + " FROM contributions WHERE account_id = $1 ORDER BY id",
             {account_id}))
      out.contributions.push_back(read_contribution(r));
    return out;
  });
}

void PostgresStore::create_email_token(int64_t account_id, const EmailToken& token, const OutboxMail& mail) {
  write([&](Connection& db) {
    int64_t now = secs(now_seconds());
    insert_token(db, account_id, token, now);
    insert_mail(db, mail, now);
  });
}

std::optional<std::string> PostgresStore::pending_email(int64_t account_id, TimePoint now) {
  return db_.read([&](Connection& db) -> std::optional<std::string> {
    auto r = db.query(
        "SELECT new_email FROM email_tokens WHERE account_id = $1 AND purpose = 'verify' AND new_email IS NOT NULL "
        "AND used_at IS NULL AND expires_at > $2 ORDER BY id DESC LIMIT 1",
        {account_id, secs(now)});
    if (r.empty()) return std::nullopt;
    return r.front().text(0);
  });
}

std::optional<VerifiedEmail> PostgresStore::use_verify_token(const std::string& hash, TimePoint now) {
  return email_unique([&] {
    return write_account(std::nullopt, [&](Connection& db) -> std::optional<VerifiedEmail> {
      int64_t t = secs(now);
      auto r = db.query(
          "UPDATE email_tokens e SET used_at = $2 FROM accounts a WHERE a.id = e.account_id AND e.token_hash = $1 "
          "AND e.purpose = 'verify' AND e.used_at IS NULL AND e.expires_at > $2 "
          "RETURNING e.account_id, e.new_email, e.new_email_normalized, a.email",
          {Param::bytes(hash), t});
      if (r.empty()) return std::nullopt;
      VerifiedEmail v{r.front().int64(0), {}};
      if (r.front().is_null(1)) {
        db.query("UPDATE accounts SET email_verified_at = coalesce(email_verified_at, $2) WHERE id = $1",
                 {v.account_id, t});
        return v;
      }
      std::string email = r.front().text(1), normalized = r.front().text(2);
      v.previous_email = r.front().text(3);
      if (!db.query("SELECT 1 FROM accounts WHERE email_normalized = $1 AND id <> $2", {normalized, v.account_id})
               .empty())
        throw email_taken();
      db.query("UPDATE accounts SET email = $2, email_normalized = $3, email_verified_at = $4 WHERE id = $1",
               {v.account_id, email, normalized, t});
      // Other verification links are void; the reset link the old address was sent stays valid: its owner can
      // still take the account back if the change was not theirs.
      db.query("UPDATE email_tokens SET used_at = $2 WHERE account_id = $1 AND used_at IS NULL AND purpose = 'verify'",
               {v.account_id, t});
      return v;
    });
  });
}

std::optional<int64_t> PostgresStore::use_reset_token(const std::string& hash, const std::string& password_hash,
                                                      TimePoint now) {
  return write_account(std::nullopt, [&](Connection& db) {
    int64_t t = secs(now);
    auto account = take_token(db, hash, "reset", t);
    if (!account) return account;
    // The link reached the address: that verifies it (and is how an imported reader claims their account).
    db.query(
        "UPDATE accounts SET password_hash = $2, email_verified_at = coalesce(email_verified_at, $3) WHERE id = $1",
        {*account, password_hash, t});
    db.query("DELETE FROM sessions WHERE account_id = $1", {*account});
    db.query(
        "UPDATE email_tokens SET used_at = $2 WHERE account_id = $1 AND used_at IS NULL AND "
        "(purpose = 'reset' OR new_email IS NOT NULL)",
        {*account, t});
    return account;
  });
}

bool PostgresStore::email_token_valid(const std::string& hash, const std::string& purpose, TimePoint now) {
  return db_.read([&](Connection& db) {
    return !db.query(
                  "SELECT 1 FROM email_tokens WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND "
                  "expires_at > $3",
                  {Param::bytes(hash), purpose, secs(now)})
                .empty();
  });
}

}  // namespace tribune::postgres

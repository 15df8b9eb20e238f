#include "store/sqlite/engine.h"

namespace tribune::sqlite {

CreatedAccount SqliteStore::create_account(const NewAccount& a, const std::optional<NewSession>& session,
                                           const std::optional<EmailToken>& token,
                                           const std::optional<OutboxMail>& mail) {
  CreatedAccount out;
  writer_.run([&](Db& db) {
    auto& exists = db.prepare("SELECT 1 FROM accounts WHERE email_normalized = ?1");
    exists.bind(1, a.email_normalized);
    if (exists.step())
      throw Error(ErrorKind::conflict, "email_taken", "An account with this email address already exists.", "email");
    int64_t created = a.created_at.time_since_epoch().count();
    db.prepare(
          "INSERT INTO accounts (email, email_normalized, display_name, name_key, name_key_cased, password_hash, "
          "role, created_at, handle) VALUES (?1, ?2, ?3, ?4, ?8, ?5, ?6, ?7, ?9)")
        .bind(1, a.email)
        .bind(2, a.email_normalized)
        .bind(3, a.display_name)
        .bind(4, a.name_keys[0])
        .bind(8, a.name_keys[1])
        .bind(5, a.password_hash)
        .bind(6, to_string(a.role))
        .bind(7, created)
        .bind(9, mention_handle(a.display_name))
        .run();
    out.account = Account{db.last_insert_id(), a.email, a.display_name, a.role, std::nullopt, a.created_at};
    if (session) out.session_id = insert_session(db, out.account.id, *session);
    if (token) insert_token(db, out.account.id, *token, created);
    if (mail) insert_mail(db, *mail, created);
  });
  return out;
}

std::optional<Credentials> SqliteStore::find_credentials(const std::string& email_normalized) {
  return readers_.with([&](Db& db) -> std::optional<Credentials> {
    auto& st = db.prepare(std::string("SELECT ") + kAccountColumns +
                          ", password_hash FROM accounts WHERE email_normalized = ?1");
    st.bind(1, email_normalized);
    if (!st.step()) return std::nullopt;
    return Credentials{read_account(st, 0), st.text(kAccountWidth)};
  });
}

std::optional<Account> SqliteStore::find_account(int64_t id) {
  return readers_.with([&](Db& db) -> std::optional<Account> {
    auto& st = db.prepare(std::string("SELECT ") + kAccountColumns + " FROM accounts WHERE id = ?1");
    st.bind(1, id);
    if (!st.step()) return std::nullopt;
    return read_account(st, 0);
  });
}

void SqliteStore::set_password_hash(int64_t account_id, const std::string& hash) {
  writer_.run([&](Db& db) {
    db.prepare("UPDATE accounts SET password_hash = ?2 WHERE id = ?1").bind(1, account_id).bind(2, hash).run();
  });
}

bool SqliteStore::staff_name_taken(const std::array<std::string, 2>& keys) {
  return readers_.with([&](Db& db) {
    auto& st = db.prepare(
        "SELECT 1 FROM accounts WHERE role <> 'reader' AND (name_key IN (?1, ?2) OR name_key_cased IN (?1, ?2))");
    st.bind(1, keys[0]).bind(2, keys[1]);
    return st.step();
  });
}

int64_t SqliteStore::create_session(int64_t account_id, const NewSession& session) {
  int64_t id = 0;
  writer_.run([&](Db& db) { id = insert_session(db, account_id, session); });
  return id;
}

std::optional<SessionLookup> SqliteStore::find_session(const std::string& token_hash) {
  if (auto cached = sessions_.find(token_hash)) return cached;
  uint64_t epoch = sessions_.epoch();
  auto found = readers_.with([&](Db& db) -> std::optional<SessionLookup> {
    auto& st = db.prepare(std::string("SELECT ") + kAccountColumnsA + ", " + kSessionColumnsS +
                          " FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE s.token_hash = ?1");
    st.bind_blob(1, token_hash);
    if (!st.step()) return std::nullopt;
    SessionLookup out;
    out.account = read_account(st, 0);
    out.session = read_session(st, kAccountWidth, out.account.id);
    return out;
  });
  if (found) sessions_.put(token_hash, *found, epoch);
  return found;
}

void SqliteStore::touch_session(int64_t session_id, TimePoint seen) {
  writer_.run([&](Db& db) {
    db.prepare("UPDATE sessions SET last_seen_at = ?2 WHERE id = ?1")
        .bind(1, session_id)
        .bind(2, seen.time_since_epoch().count())
        .run();
  });
}

void SqliteStore::delete_session(const std::string& token_hash) {
  writer_.run([&](Db& db) { db.prepare("DELETE FROM sessions WHERE token_hash = ?1").bind_blob(1, token_hash).run(); });
}

bool SqliteStore::delete_account_session(int64_t account_id, int64_t session_id) {
  bool deleted = false;
  writer_.run([&](Db& db) {
    db.prepare("DELETE FROM sessions WHERE id = ?1 AND account_id = ?2").bind(1, session_id).bind(2, account_id).run();
    deleted = db.changes() > 0;
  });
  return deleted;
}

void SqliteStore::delete_sessions(int64_t account_id) {
  writer_.run([&](Db& db) { db.prepare("DELETE FROM sessions WHERE account_id = ?1").bind(1, account_id).run(); });
}

std::vector<SessionInfo> SqliteStore::list_sessions(int64_t account_id) {
  return readers_.with([&](Db& db) {
    std::vector<SessionInfo> out;
    auto& st = db.prepare(std::string("SELECT ") + kSessionColumns +
                          " FROM sessions WHERE account_id = ?1 "
                          "ORDER BY last_seen_at DESC");
    st.bind(1, account_id);
    while (st.step()) out.push_back(read_session(st, 0, account_id));
    return out;
  });
}

void SqliteStore::set_display_name(int64_t id, const std::string& name, const std::array<std::string, 2>& keys) {
  writer_.run([&](Db& db) {
    db.prepare("UPDATE accounts SET display_name = ?2, name_key = ?3, name_key_cased = ?4, handle = ?5 WHERE id = ?1")
        .bind(1, id)
        .bind(2, name)
        .bind(3, keys[0])
        .bind(4, keys[1])
        .bind(5, mention_handle(name))
        .run();
  });
}

void SqliteStore::request_email_change(int64_t id, const EmailToken& confirm, const OutboxMail& confirm_mail,
                                       const EmailToken& undo, const OutboxMail& notice) {
  writer_.run([&](Db& db) {
    auto& taken = db.prepare("SELECT 1 FROM accounts WHERE email_normalized = ?1 AND id <> ?2");
    taken.bind(1, confirm.new_email_normalized).bind(2, id);
    if (taken.step())
      throw Error(ErrorKind::conflict, "email_taken", "An account with this email address already exists.", "email");
    taken.reset();
    int64_t now = now_seconds().time_since_epoch().count();
    db.prepare(
          "UPDATE email_tokens SET used_at = ?2 WHERE account_id = ?1 AND used_at IS NULL AND new_email IS NOT NULL")
        .bind(1, id)
        .bind(2, now)
        .run();
    insert_token(db, id, confirm, now);
    insert_mail(db, confirm_mail, now);
    insert_token(db, id, undo, now);
    insert_mail(db, notice, now);
  });
}

void SqliteStore::delete_other_sessions(int64_t account_id, int64_t keep) {
  writer_.run([&](Db& db) {
    db.prepare("DELETE FROM sessions WHERE account_id = ?1 AND id <> ?2").bind(1, account_id).bind(2, keep).run();
  });
}

void SqliteStore::delete_account(int64_t id) {
  writer_.run([&](Db& db) {
    db.prepare("DELETE FROM sessions WHERE account_id = ?1").bind(1, id).run();
    db.prepare("DELETE FROM email_tokens WHERE account_id = ?1").bind(1, id).run();
    db.prepare("UPDATE comments SET author_id = NULL WHERE author_id = ?1").bind(1, id).run();
    db.prepare("DELETE FROM accounts WHERE id = ?1").bind(1, id).run();
    if (db.changes() == 0) throw Error(ErrorKind::not_found, "not_found", "The account was not found.");
  });
}

void SqliteStore::set_role(int64_t id, Role role) {
  writer_.run([&](Db& db) {
    db.prepare("UPDATE accounts SET role = ?2 WHERE id = ?1").bind(1, id).bind(2, to_string(role)).run();
    if (db.changes() == 0) throw Error(ErrorKind::not_found, "not_found", "The account was not found.");
  });
}

std::vector<Account> SqliteStore::list_accounts(int64_t after_id, int limit) {
  return readers_.with([&](Db& db) {
    std::vector<Account> out;
    auto& st =
        db.prepare(std::string("SELECT ") + kAccountColumns + " FROM accounts WHERE id > ?1 ORDER BY id LIMIT ?2");
    st.bind(1, after_id).bind(2, static_cast<int64_t>(std::clamp(limit, 1, 500)));
    while (st.step()) out.push_back(read_account(st, 0));
    return out;
  });
}

std::optional<int64_t> SqliteStore::find_mentioned(const std::string& handle, int64_t article_id) {
  return readers_.with([&](Db& db) -> std::optional<int64_t> {
    auto& st = db.prepare(
        "SELECT a.id FROM accounts a WHERE a.handle = ?1 ORDER BY EXISTS (SELECT 1 FROM comments x WHERE "
        "x.author_id = a.id AND x.article_id = ?2) DESC, a.id LIMIT 1");
    st.bind(1, handle).bind(2, article_id);
    if (!st.step()) return std::nullopt;
    return st.int64(0);
  });
}

std::vector<Comment> SqliteStore::comments_by_author(int64_t account_id, int limit) {
  return readers_.with([&](Db& db) {
    std::vector<Comment> out;
    auto& st = db.prepare(std::string("SELECT ") + kCommentColumns + kCommentFrom +
                          "WHERE c.author_id = ?1 ORDER BY c.created_at, c.id LIMIT ?2");
    st.bind(1, account_id).bind(2, static_cast<int64_t>(limit));
    while (st.step()) out.push_back(read_comment(st));
    return out;
  });
}

ReaderRecords SqliteStore::reader_records(int64_t account_id) {
  return readers_.with([&](Db& db) {
    ReaderRecords out;
    auto links = [&](const char* sql, std::vector<ReaderRecords::Link>& into) {
      auto& st = db.prepare(sql);
      st.bind(1, account_id);
      while (st.step()) into.push_back({st.int64(0), st.text(1), TimePoint(std::chrono::seconds(st.int64(2)))});
    };
    links(
        "SELECT a.id, a.display_name, f.created_at FROM follows f JOIN accounts a ON a.id = f.followed_id "
        "WHERE f.follower_id = ?1 ORDER BY f.created_at, a.id",
        out.following);
    links(
        "SELECT a.id, a.display_name, i.created_at FROM ignores i JOIN accounts a ON a.id = i.ignored_id "
        "WHERE i.account_id = ?1 ORDER BY i.created_at, a.id",
        out.ignoring);
    auto& re = db.prepare(
        "SELECT comment_id, kind, created_at FROM comment_reactions WHERE account_id = ?1 ORDER BY created_at, "
        "comment_id");
    re.bind(1, account_id);
    while (re.step()) out.reactions.push_back({re.int64(0), re.text(1), TimePoint(std::chrono::seconds(re.int64(2)))});
    auto& rv = db.prepare(
        "SELECT r.comment_id, r.body_markdown, r.written_at FROM comment_revisions r JOIN comments c ON c.id = "
        "r.comment_id "
        "WHERE c.author_id = ?1 ORDER BY r.id");
    rv.bind(1, account_id);
    while (rv.step()) out.revisions.push_back({rv.int64(0), rv.text(1), TimePoint(std::chrono::seconds(rv.int64(2)))});
    auto& rp = db.prepare(
        "SELECT comment_id, reason, note, created_at FROM comment_reports WHERE reporter_id = ?1 ORDER BY id");
    rp.bind(1, account_id);
    while (rp.step())
      out.reports.push_back({rp.int64(0), rp.text(1), rp.text(2), TimePoint(std::chrono::seconds(rp.int64(3)))});
    auto& no = db.prepare(
        "SELECT id, kind, detail, comment_id, created_at, read_at IS NOT NULL FROM notifications WHERE account_id = "
        "?1 ORDER BY id");
    no.bind(1, account_id);
    while (no.step())
      out.notifications.push_back({no.int64(0), no.text(1), no.text(2), no.int64(3),
                                   TimePoint(std::chrono::seconds(no.int64(4))), no.int64(5) != 0});
    auto& co = db.prepare(std::string("SELECT ") + kContributionColumns +
                          " FROM contributions WHERE account_id = ?1 ORDER BY id");
    co.bind(1, account_id);
    while (co.step()) out.contributions.push_back(read_contribution(co));
    return out;
  });
}

void SqliteStore::create_email_token(int64_t account_id, const EmailToken& token, const OutboxMail& mail) {
  writer_.run([&](Db& db) {
    int64_t now = now_seconds().time_since_epoch().count();
    insert_token(db, account_id, token, now);
    insert_mail(db, mail, now);
  });
}

std::optional<std::string> SqliteStore::pending_email(int64_t account_id, TimePoint now) {
  return readers_.with([&](Db& db) -> std::optional<std::string> {
    auto& st = db.prepare(
        "SELECT new_email FROM email_tokens WHERE account_id = ?1 AND purpose = 'verify' AND new_email IS NOT NULL "
        "AND used_at IS NULL AND expires_at > ?2 ORDER BY id DESC LIMIT 1");
    st.bind(1, account_id).bind(2, now.time_since_epoch().count());
    if (!st.step()) return std::nullopt;
    return st.text(0);
  });
}

std::optional<VerifiedEmail> SqliteStore::use_verify_token(const std::string& hash, TimePoint now) {
  std::optional<VerifiedEmail> out;
  writer_.run([&](Db& db) {
    out.reset();
    int64_t t = now.time_since_epoch().count();
    auto& st = db.prepare(
        "SELECT e.id, e.account_id, e.new_email, e.new_email_normalized, a.email FROM email_tokens e "
        "JOIN accounts a ON a.id = e.account_id "
        "WHERE e.token_hash = ?1 AND e.purpose = 'verify' AND e.used_at IS NULL AND e.expires_at > ?2");
    st.bind_blob(1, hash).bind(2, t);
    if (!st.step()) return;
    int64_t token_id = st.int64(0);
    VerifiedEmail v{st.int64(1), {}};
    std::optional<std::pair<std::string, std::string>> moving;
    if (!st.is_null(2)) moving.emplace(st.text(2), st.text(3));
    std::string current = st.text(4);
    st.reset();
    db.prepare("UPDATE email_tokens SET used_at = ?2 WHERE id = ?1").bind(1, token_id).bind(2, t).run();
    if (moving) {
      auto& taken = db.prepare("SELECT 1 FROM accounts WHERE email_normalized = ?1 AND id <> ?2");
      taken.bind(1, moving->second).bind(2, v.account_id);
      if (taken.step())
        throw Error(ErrorKind::conflict, "email_taken", "An account with this email address already exists.", "email");
      taken.reset();
      db.prepare("UPDATE accounts SET email = ?2, email_normalized = ?3, email_verified_at = ?4 WHERE id = ?1")
          .bind(1, v.account_id)
          .bind(2, moving->first)
          .bind(3, moving->second)
          .bind(4, t)
          .run();
      // Other verification links are void; the reset link the old address was sent stays valid: its owner can
      // still take the account back if the change was not theirs.
      db.prepare(
            "UPDATE email_tokens SET used_at = ?2 WHERE account_id = ?1 AND used_at IS NULL AND purpose = 'verify'")
          .bind(1, v.account_id)
          .bind(2, t)
          .run();
      v.previous_email = current;
    } else {
      db.prepare("UPDATE accounts SET email_verified_at = coalesce(email_verified_at, ?2) WHERE id = ?1")
          .bind(1, v.account_id)
          .bind(2, t)
          .run();
    }
    out = v;
  });
  return out;
}

std::optional<int64_t> SqliteStore::use_reset_token(const std::string& hash, const std::string& password_hash,
                                                    TimePoint now) {
  std::optional<int64_t> account;
  writer_.run([&](Db& db) {
    int64_t t = now.time_since_epoch().count();
    account = take_token(db, hash, "reset", t);
    if (!account) return;
    // The link reached the address: that verifies it (and is how an imported reader claims their account).
    db.prepare(
          "UPDATE accounts SET password_hash = ?2, email_verified_at = coalesce(email_verified_at, ?3) WHERE id = ?1")
        .bind(1, *account)
        .bind(2, password_hash)
        .bind(3, t)
        .run();
    db.prepare("DELETE FROM sessions WHERE account_id = ?1").bind(1, *account).run();
    db.prepare(
          "UPDATE email_tokens SET used_at = ?2 WHERE account_id = ?1 AND used_at IS NULL AND "
          "(purpose = 'reset' OR new_email IS NOT NULL)")
        .bind(1, *account)
        .bind(2, t)
        .run();
  });
  return account;
}

bool SqliteStore::email_token_valid(const std::string& hash, const std::string& purpose, TimePoint now) {
  return readers_.with([&](Db& db) {
    auto& st = db.prepare(
        "SELECT 1 FROM email_tokens WHERE token_hash = ?1 AND purpose = ?2 AND used_at IS NULL AND expires_at > ?3");
    st.bind_blob(1, hash).bind(2, purpose).bind(3, now.time_since_epoch().count());
    return st.step();
  });
}

}  // namespace tribune::sqlite

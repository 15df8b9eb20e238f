#include "store/sqlite/engine.h"

namespace tribune::sqlite {

ApiToken SqliteStore::create_api_token(const std::string& token_hash, const std::string& name, Role role) {
  ApiToken t{0, name, role, now_seconds()};
  writer_.run([&](Db& db) {
    db.prepare("INSERT INTO api_tokens (token_hash, name, role, created_at) VALUES (?1, ?2, ?3, ?4)")
        .bind_blob(1, token_hash)
        .bind(2, name)
        .bind(3, to_string(role))
        .bind(4, t.created_at.time_since_epoch().count())
        .run();
    t.id = db.last_insert_id();
  });
  return t;
}

std::optional<ApiToken> SqliteStore::find_api_token(const std::string& token_hash) {
  return readers_.with([&](Db& db) -> std::optional<ApiToken> {
    auto& st = db.prepare(std::string("SELECT ") + std::string(store_rows::kTokenColumns) +
                          " FROM api_tokens WHERE token_hash = ?1 AND revoked_at IS NULL");
    st.bind_blob(1, token_hash);
    if (!st.step()) return std::nullopt;
    auto t = store_rows::read_token(st);
    st.reset();
    return t;
  });
}

std::vector<ApiToken> SqliteStore::list_api_tokens() {
  return readers_.with([&](Db& db) {
    std::vector<ApiToken> out;
    auto& st = db.prepare(std::string("SELECT ") + std::string(store_rows::kTokenColumns) +
                          " FROM api_tokens ORDER BY id DESC");
    while (st.step()) out.push_back(store_rows::read_token(st));
    return out;
  });
}

bool SqliteStore::revoke_api_token(int64_t id, TimePoint now) {
  bool revoked = false;
  writer_.run([&](Db& db) {
    db.prepare("UPDATE api_tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL")
        .bind(1, id)
        .bind(2, store_rows::secs(now))
        .run();
    revoked = db.changes() > 0;
  });
  return revoked;
}

void SqliteStore::touch_api_token(int64_t id, TimePoint now) {
  writer_.run([&](Db& db) {
    db.prepare("UPDATE api_tokens SET last_used_at = ?2 WHERE id = ?1")
        .bind(1, id)
        .bind(2, store_rows::secs(now))
        .run();
  });
}

std::vector<QueuedMail> SqliteStore::claim_mail(TimePoint now, std::chrono::seconds lease, int limit) {
  std::vector<QueuedMail> out;
  writer_.run([&](Db& db) {
    int64_t t = now.time_since_epoch().count();
    auto& st = db.prepare(
        "SELECT id, recipient, subject, body_text, attempts FROM mail_outbox WHERE sent_at IS NULL AND "
        "next_attempt_at <= ?1 ORDER BY next_attempt_at, id LIMIT ?2");
    st.bind(1, t).bind(2, static_cast<int64_t>(limit));
    while (st.step())
      out.push_back(
          QueuedMail{st.int64(0), OutboxMail{st.text(1), st.text(2), st.text(3)}, static_cast<int>(st.int64(4))});
    st.reset();
    for (const auto& m : out)
      db.prepare("UPDATE mail_outbox SET next_attempt_at = ?2, attempts = attempts + 1 WHERE id = ?1")
          .bind(1, m.id)
          .bind(2, t + lease.count())
          .run();
  });
  return out;
}

void SqliteStore::mark_mail_sent(int64_t id, TimePoint now) {
  writer_.run([&](Db& db) {
    db.prepare("UPDATE mail_outbox SET sent_at = ?2, last_error = NULL WHERE id = ?1")
        .bind(1, id)
        .bind(2, now.time_since_epoch().count())
        .run();
  });
}

void SqliteStore::mark_mail_failed(int64_t id, const std::string& error, TimePoint retry_at) {
  writer_.run([&](Db& db) {
    db.prepare("UPDATE mail_outbox SET last_error = ?2, next_attempt_at = ?3 WHERE id = ?1")
        .bind(1, id)
        .bind(2, error.substr(0, 500))
        .bind(3, retry_at.time_since_epoch().count())
        .run();
  });
}

OutboxStats SqliteStore::outbox_stats() {
  return readers_.with([](Db& db) {
    auto& st = db.prepare("SELECT count(*) FILTER (WHERE sent_at IS NULL), count(sent_at) FROM mail_outbox");
    OutboxStats s;
    if (st.step()) {
      s.pending = st.int64(0);
      s.sent = st.int64(1);
    }
    return s;
  });
}

}  // namespace tribune::sqlite

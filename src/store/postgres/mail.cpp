#include "store/postgres/engine.h"

namespace tribune::postgres {

ApiToken PostgresStore::create_api_token(const std::string& token_hash, const std::string& name, Role role) {
  ApiToken t{0, name, role, now_seconds()};
  t.id = write([&](Connection& db) {
    return db
        .query("INSERT INTO api_tokens (token_hash, name, role, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
               {Param::bytes(token_hash), name, to_string(role), secs(t.created_at)})
        .front()
        .int64(0);
  });
  return t;
}

std::optional<ApiToken> PostgresStore::find_api_token(const std::string& token_hash) {
  return db_.read([&](Connection& db) -> std::optional<ApiToken> {
    auto r = db.query(std::string("SELECT ") + std::string(store_rows::kTokenColumns) +
                          " FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
                      {Param::bytes(token_hash)});
    if (r.empty()) return std::nullopt;
    return store_rows::read_token(r.front());
  });
}

std::vector<ApiToken> PostgresStore::list_api_tokens() {
  return db_.read([&](Connection& db) {
    std::vector<ApiToken> out;
    for (auto row : db.query(std::string("SELECT ") + std::string(store_rows::kTokenColumns) +
                             " FROM api_tokens ORDER BY id DESC"))
      out.push_back(store_rows::read_token(row));
    return out;
  });
}

bool PostgresStore::revoke_api_token(int64_t id, TimePoint now) {
  return write([&](Connection& db) {
    return !db.query("UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING id",
                     {id, secs(now)})
                .empty();
  });
}

void PostgresStore::touch_api_token(int64_t id, TimePoint now) {
  write([&](Connection& db) { db.query("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1", {id, secs(now)}); });
}

// SKIP LOCKED: two senders claiming at once take disjoint rows instead of waiting for each other.
std::vector<QueuedMail> PostgresStore::claim_mail(TimePoint now, std::chrono::seconds lease, int limit) {
  return write([&](Connection& db) {
    int64_t t = secs(now);
    std::vector<QueuedMail> out;
    for (auto st : db.query("SELECT id, recipient, subject, body_text, attempts FROM mail_outbox WHERE sent_at IS NULL "
                            "AND next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED",
                            {t, limit}))
      out.push_back(
          QueuedMail{st.int64(0), OutboxMail{st.text(1), st.text(2), st.text(3)}, static_cast<int>(st.int64(4))});
    std::vector<int64_t> ids;
    ids.reserve(out.size());
    for (const auto& m : out) ids.push_back(m.id);
    if (!ids.empty())
      db.query("UPDATE mail_outbox SET next_attempt_at = $2, attempts = attempts + 1 WHERE id = ANY($1::bigint[])",
               {Param::int64_array(ids), t + lease.count()});
    return out;
  });
}

void PostgresStore::mark_mail_sent(int64_t id, TimePoint now) {
  write([&](Connection& db) {
    db.query("UPDATE mail_outbox SET sent_at = $2, last_error = NULL WHERE id = $1", {id, secs(now)});
  });
}

void PostgresStore::mark_mail_failed(int64_t id, const std::string& error, TimePoint retry_at) {
  write([&](Connection& db) {
    db.query("UPDATE mail_outbox SET last_error = $2, next_attempt_at = $3 WHERE id = $1",
             {id, storable(error.substr(0, 500)), secs(retry_at)});
  });
}

OutboxStats PostgresStore::outbox_stats() {
  return db_.read([](Connection& db) {
    auto r = db.query("SELECT count(*) FILTER (WHERE sent_at IS NULL), count(sent_at) FROM mail_outbox").front();
    return OutboxStats{r.int64(0), r.int64(1)};
  });
}

}  // namespace tribune::postgres

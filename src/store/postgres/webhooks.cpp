#include "store/postgres/engine.h"
#include "store/webhook_events.h"

namespace tribune::postgres {

namespace {

void load_events(Connection& db, WebhookEndpoint& e) {
  std::vector<std::string> types;
  for (auto row : db.query("SELECT event_type FROM webhook_subscriptions WHERE endpoint_id = $1", {e.id}))
    types.push_back(row.text(0));
  e.events = ordered_event_types(std::move(types));
}

void write_events(Connection& db, const WebhookEndpoint& e) {
  db.query("DELETE FROM webhook_subscriptions WHERE endpoint_id = $1", {e.id});
  for (const auto& type : e.events)
    db.query("INSERT INTO webhook_subscriptions (event_type, endpoint_id) VALUES ($1, $2)", {type, e.id});
}

std::optional<int64_t> maybe_secs(const std::optional<TimePoint>& t) {
  return t ? std::optional<int64_t>(secs(*t)) : std::nullopt;
}

}  // namespace

WebhookEndpoint PostgresStore::create_webhook_endpoint(const WebhookEndpoint& e) {
  WebhookEndpoint out = e;
  out.created_at = now_seconds();
  out.id = write([&](Connection& db) {
    auto id = db.query(
                    "INSERT INTO webhook_endpoints (url, description, secret, created_at) VALUES ($1, $2, $3, $4) "
                    "RETURNING id",
                    {e.url, e.description, e.secret, secs(out.created_at)})
                  .front()
                  .int64(0);
    WebhookEndpoint with_id = out;
    with_id.id = id;
    write_events(db, with_id);
    return id;
  });
  out.events = ordered_event_types(out.events);
  return out;
}

std::vector<WebhookEndpoint> PostgresStore::list_webhook_endpoints() {
  return db_.read([&](Connection& db) {
    std::vector<WebhookEndpoint> out;
    for (auto row : db.query(webhook_endpoint_select() + " ORDER BY e.id")) out.push_back(read_webhook_endpoint(row));
    for (auto& e : out) load_events(db, e);
    return out;
  });
}

std::optional<WebhookEndpoint> PostgresStore::find_webhook_endpoint(int64_t id) {
  return db_.read([&](Connection& db) -> std::optional<WebhookEndpoint> {
    auto r = db.query(webhook_endpoint_select() + " WHERE e.id = $1", {id});
    if (r.empty()) return std::nullopt;
    auto e = read_webhook_endpoint(r.front());
    load_events(db, e);
    return e;
  });
}

bool PostgresStore::update_webhook_endpoint(const WebhookEndpoint& e) {
  return write([&](Connection& db) {
    bool found = !db.query(
                        "UPDATE webhook_endpoints SET url = $2, description = $3, secret = $4, previous_secret = $5, "
                        "previous_until = $6, failing_since = CASE WHEN $7::bigint IS NULL AND disabled_at IS NOT "
                        "NULL THEN NULL ELSE failing_since END, disabled_at = $7, disabled_reason = $8 WHERE id = $1 "
                        "RETURNING id",
                        {e.id, e.url, e.description, e.secret, e.previous_secret, secs(e.previous_until),
                         maybe_secs(e.disabled_at), e.disabled_reason})
                      .empty();
    if (!found) return false;
    write_events(db, e);
    // Enabled: what waited in backoff is due now.
    if (!e.disabled_at)
      db.query(
          "UPDATE webhook_deliveries SET next_attempt_at = least(next_attempt_at, floor(extract(epoch FROM "
          "now()))::bigint) WHERE endpoint_id = $1 AND state = 'pending'",
          {e.id});
    return true;
  });
}

bool PostgresStore::delete_webhook_endpoint(int64_t id) {
  return write([&](Connection& db) {
    return !db.query("DELETE FROM webhook_endpoints WHERE id = $1 RETURNING id", {id}).empty();
  });
}

// SKIP LOCKED: two senders claiming at once take disjoint rows. A delivery another sender holds is still
// pending, so the later deliveries of its resource wait for it on every node.
std::vector<ClaimedDelivery> PostgresStore::claim_webhook_deliveries(TimePoint now, std::chrono::seconds lease,
                                                                     int limit) {
  static const auto probe = store_webhooks::any_delivery_due_sql(store_webhooks::Dialect::postgres);
  if (!db_.read([&](Connection& db) { return db.query(probe, {secs(now)}).front().boolean(0); })) return {};
  return write([&](Connection& db) {
    int64_t t = secs(now);
    std::vector<ClaimedDelivery> out;
    for (auto row : db.query("SELECT " + std::string(kWebhookDeliveryColumns) +
                                 ", e.url, e.secret, e.previous_secret, e.previous_until, e.failing_since "
                                 "FROM webhook_deliveries d JOIN webhook_events v ON v.id = d.event_id "
                                 "JOIN webhook_endpoints e ON e.id = d.endpoint_id WHERE d.state = 'pending' AND "
                                 "d.next_attempt_at <= $1 AND d.leased_until <= $1 AND e.disabled_at IS NULL AND "
                                 "NOT EXISTS (SELECT 1 FROM webhook_deliveries p WHERE p.endpoint_id = d.endpoint_id "
                                 "AND p.resource = d.resource AND p.state = 'pending' AND p.id < d.id) ORDER BY "
                                 "d.next_attempt_at, d.id LIMIT $2 FOR UPDATE OF d SKIP LOCKED",
                             {t, limit})) {
      ClaimedDelivery c{read_webhook_delivery(row)};
      if (!c.delivery.first_attempt_at) c.delivery.first_attempt_at = now;
      c.leased_until = now + lease;
      c.url = row.text(15);
      c.secret = row.text(16);
      c.previous_secret = row.text(17);
      c.previous_until = seconds_at(row, 18);
      if (!row.is_null(19)) c.failing_since = seconds_at(row, 19);
      out.push_back(std::move(c));
    }
    std::vector<int64_t> ids;
    ids.reserve(out.size());
    for (const auto& c : out) ids.push_back(c.delivery.id);
    if (!ids.empty())
      db.query(
          "UPDATE webhook_deliveries SET leased_until = $2, first_attempt_at = coalesce(first_attempt_at, $3) "
          "WHERE id = ANY($1::bigint[])",
          {Param::int64_array(ids), t + lease.count(), t});
    return out;
  });
}

void PostgresStore::record_webhook_attempt(const DeliveryAttempt& a, const std::optional<OutboxMail>& notice) {
  write([&](Connection& db) {
    int64_t at = secs(a.at);
    std::string state = a.delivered ? "delivered" : a.retry_at ? "pending" : "failed";
    auto endpoint = db.query(
        "UPDATE webhook_deliveries SET state = $2, attempts = attempts + 1, last_attempt_at = $3, "
        "last_status = $4, last_error = $5, next_attempt_at = coalesce($6, next_attempt_at), "
        "leased_until = 0, delivered_at = $7 WHERE id = $1 AND ($8::bigint IS NULL OR (state = 'pending' AND "
        "leased_until = $8)) RETURNING endpoint_id, first_attempt_at",
        {a.delivery_id, state, at, a.status, storable(a.error.substr(0, 500)), maybe_secs(a.retry_at),
         a.delivered ? std::optional<int64_t>(at) : std::nullopt, maybe_secs(a.lease)});
    if (endpoint.empty()) return;  // no longer this claim's
    int64_t endpoint_id = endpoint.front().int64(0);
    int64_t first = endpoint.front().is_null(1) ? at : endpoint.front().int64(1);
    db.query(
        "UPDATE webhook_endpoints SET failing_since = CASE WHEN $3 THEN NULL ELSE coalesce(failing_since, $2) "
        "END WHERE id = $1",
        {endpoint_id, first, a.delivered});
    if (!a.disable) return;
    bool disabled = !db.query(
                           "UPDATE webhook_endpoints SET disabled_at = $2, disabled_reason = $3 WHERE id = $1 AND "
                           "disabled_at IS NULL RETURNING id",
                           {endpoint_id, at, storable(*a.disable)})
                         .empty();
    if (disabled && notice)
      db.query(
          "INSERT INTO mail_outbox (recipient, subject, body_text, created_at, next_attempt_at) SELECT email, $1, "
          "$2, $3, $3 FROM accounts WHERE role = 'admin'",
          {notice->subject, notice->body_text, at});
  });
}

std::vector<WebhookDelivery> PostgresStore::webhook_deliveries(int64_t endpoint_id, int64_t before, int limit) {
  return db_.read([&](Connection& db) {
    std::vector<WebhookDelivery> out;
    for (auto row :
         db.query(webhook_delivery_select() + " WHERE d.endpoint_id = $1 AND ($2 = 0 OR d.id < $2) ORDER BY d.id "
                                              "DESC LIMIT $3",
                  {endpoint_id, before, limit}))
      out.push_back(read_webhook_delivery(row));
    return out;
  });
}

std::optional<WebhookDelivery> PostgresStore::redeliver_webhook(int64_t endpoint_id, int64_t delivery_id,
                                                                TimePoint now) {
  return write([&](Connection& db) -> std::optional<WebhookDelivery> {
    // Still waiting: it goes now, once; else a new delivery of its event.
    auto waiting = db.query(
        "UPDATE webhook_deliveries SET next_attempt_at = $3 WHERE id = $1 AND endpoint_id = $2 AND "
        "state = 'pending' RETURNING id",
        {delivery_id, endpoint_id, secs(now)});
    if (!waiting.empty())
      return read_webhook_delivery(db.query(webhook_delivery_select() + " WHERE d.id = $1", {delivery_id}).front());
    auto made = db.query(
        "INSERT INTO webhook_deliveries (endpoint_id, event_id, resource, next_attempt_at) SELECT endpoint_id, "
        "event_id, resource, $3 FROM webhook_deliveries WHERE id = $1 AND endpoint_id = $2 RETURNING id",
        {delivery_id, endpoint_id, secs(now)});
    if (made.empty()) return std::nullopt;
    auto r = db.query(webhook_delivery_select() + " WHERE d.id = $1", {made.front().int64(0)});
    return read_webhook_delivery(r.front());
  });
}

int64_t PostgresStore::announce_articles(TimePoint now) {
  static const auto statements = store_webhooks::announce_sql(store_webhooks::Dialect::postgres);
  static const auto probe = store_webhooks::any_article_to_announce_sql(store_webhooks::Dialect::postgres);
  if (!db_.read([&](Connection& db) { return db.query(probe, {secs(now)}).front().boolean(0); })) return 0;
  return write([&](Connection& db) {
    int64_t told = 0;
    for (const auto& sql : statements) told += db.query(sql + " RETURNING id", {secs(now)}).rows();
    return told;
  });
}

int64_t PostgresStore::prune_webhook_deliveries(TimePoint before) {
  return write([&](Connection& db) {
    auto gone = db.query(
        "DELETE FROM webhook_deliveries WHERE state <> 'pending' AND coalesce(last_attempt_at, next_attempt_at) < $1 "
        "RETURNING id",
        {secs(before)});
    db.query(
        "DELETE FROM webhook_events v WHERE occurred_at < $1 AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d "
        "WHERE d.event_id = v.id)",
        {secs(before)});
    return static_cast<int64_t>(gone.rows());
  });
}

}  // namespace tribune::postgres

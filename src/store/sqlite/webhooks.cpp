#include "store/sqlite/engine.h"
#include "store/webhook_events.h"

namespace tribune::sqlite {

namespace {

void load_events(Db& db, WebhookEndpoint& e) {
  auto& st = db.prepare("SELECT event_type FROM webhook_subscriptions WHERE endpoint_id = ?1");
  st.bind(1, e.id);
  std::vector<std::string> types;
  while (st.step()) types.push_back(st.text(0));
  e.events = ordered_event_types(std::move(types));
}

void write_events(Db& db, const WebhookEndpoint& e) {
  db.prepare("DELETE FROM webhook_subscriptions WHERE endpoint_id = ?1").bind(1, e.id).run();
  for (const auto& type : e.events)
    db.prepare("INSERT INTO webhook_subscriptions (event_type, endpoint_id) VALUES (?1, ?2)")
        .bind(1, type)
        .bind(2, e.id)
        .run();
}

std::optional<WebhookEndpoint> endpoint_in(Db& db, int64_t id) {
  auto& st = db.prepare(webhook_endpoint_select() + " WHERE e.id = ?1");
  st.bind(1, id);
  if (!st.step()) return std::nullopt;
  auto e = read_webhook_endpoint(st);
  st.reset();
  load_events(db, e);
  return e;
}

std::optional<WebhookDelivery> delivery_in(Db& db, int64_t id) {
  auto& st = db.prepare(webhook_delivery_select() + " WHERE d.id = ?1");
  st.bind(1, id);
  if (!st.step()) return std::nullopt;
  auto d = read_webhook_delivery(st);
  st.reset();
  return d;
}

// Whether the probe (store_webhooks::any_*_sql) finds work at time t.
bool work_at(Db& db, const std::string& probe, int64_t t) {
  auto& st = db.prepare(probe);
  st.bind(1, t);
  bool any = st.step() && st.int64(0) != 0;
  st.reset();
  return any;
}

}  // namespace

WebhookEndpoint SqliteStore::create_webhook_endpoint(const WebhookEndpoint& e) {
  WebhookEndpoint out = e;
  out.created_at = now_seconds();
  writer_.run([&](Db& db) {
    db.prepare("INSERT INTO webhook_endpoints (url, description, secret, created_at) VALUES (?1, ?2, ?3, ?4)")
        .bind(1, e.url)
        .bind(2, e.description)
        .bind(3, e.secret)
        .bind(4, secs(out.created_at))
        .run();
    out.id = db.last_insert_id();
    write_events(db, out);
  });
  out.events = ordered_event_types(out.events);
  return out;
}

std::vector<WebhookEndpoint> SqliteStore::list_webhook_endpoints() {
  return readers_.with([&](Db& db) {
    std::vector<WebhookEndpoint> out;
    auto& st = db.prepare(webhook_endpoint_select() + " ORDER BY e.id");
    while (st.step()) out.push_back(read_webhook_endpoint(st));
    st.reset();
    for (auto& e : out) load_events(db, e);
    return out;
  });
}

std::optional<WebhookEndpoint> SqliteStore::find_webhook_endpoint(int64_t id) {
  return readers_.with([&](Db& db) { return endpoint_in(db, id); });
}

bool SqliteStore::update_webhook_endpoint(const WebhookEndpoint& e) {
  bool found = false;
  writer_.run([&](Db& db) {
    db.prepare(
          "UPDATE webhook_endpoints SET url = ?2, description = ?3, secret = ?4, previous_secret = ?5, "
          "previous_until = ?6, failing_since = CASE WHEN ?7 IS NULL AND disabled_at IS NOT NULL THEN NULL ELSE "
          "failing_since END, disabled_at = ?7, disabled_reason = ?8 WHERE id = ?1")
        .bind(1, e.id)
        .bind(2, e.url)
        .bind(3, e.description)
        .bind(4, e.secret)
        .bind(5, e.previous_secret)
        .bind(6, secs(e.previous_until))
        .bind_optional_int(7, e.disabled_at ? std::optional<int64_t>(secs(*e.disabled_at)) : std::nullopt)
        .bind(8, e.disabled_reason)
        .run();
    found = db.changes() > 0;
    if (!found) return;
    write_events(db, e);
    // Enabled: what waited in backoff is due now.
    if (!e.disabled_at)
      db.prepare(
            "UPDATE webhook_deliveries SET next_attempt_at = min(next_attempt_at, CAST(strftime('%s', 'now') AS "
            "INTEGER)) WHERE endpoint_id = ?1 AND state = 'pending'")
          .bind(1, e.id)
          .run();
  });
  return found;
}

bool SqliteStore::delete_webhook_endpoint(int64_t id) {
  bool found = false;
  writer_.run([&](Db& db) {
    db.prepare("DELETE FROM webhook_endpoints WHERE id = ?1").bind(1, id).run();
    found = db.changes() > 0;
  });
  return found;
}

std::vector<ClaimedDelivery> SqliteStore::claim_webhook_deliveries(TimePoint now, std::chrono::seconds lease,
                                                                   int limit) {
  static const auto probe = store_webhooks::any_delivery_due_sql(store_webhooks::Dialect::sqlite);
  std::vector<ClaimedDelivery> out;
  if (!readers_.with([&](Db& db) { return work_at(db, probe, secs(now)); })) return out;
  writer_.run([&](Db& db) {
    out.clear();
    int64_t t = secs(now);
    auto& st = db.prepare(webhook_delivery_select() +
                          " JOIN webhook_endpoints e ON e.id = d.endpoint_id WHERE d.state = 'pending' AND "
                          "d.next_attempt_at <= ?1 AND d.leased_until <= ?1 AND e.disabled_at IS NULL AND NOT EXISTS "
                          "(SELECT 1 FROM webhook_deliveries p WHERE p.endpoint_id = d.endpoint_id AND p.resource = "
                          "d.resource AND p.state = 'pending' AND p.id < d.id) ORDER BY d.next_attempt_at, d.id "
                          "LIMIT ?2");
    st.bind(1, t).bind(2, static_cast<int64_t>(limit));
    while (st.step()) out.push_back(ClaimedDelivery{read_webhook_delivery(st)});
    st.reset();
    for (auto& c : out) {
      db.prepare(
            "UPDATE webhook_deliveries SET leased_until = ?2, first_attempt_at = coalesce(first_attempt_at, ?3) "
            "WHERE id = ?1")
          .bind(1, c.delivery.id)
          .bind(2, t + lease.count())
          .bind(3, t)
          .run();
      if (!c.delivery.first_attempt_at) c.delivery.first_attempt_at = now;
      c.leased_until = now + lease;
      auto& e = db.prepare(
          "SELECT url, secret, previous_secret, previous_until, failing_since FROM webhook_endpoints WHERE id = ?1");
      e.bind(1, c.delivery.endpoint_id);
      if (e.step()) {
        c.url = e.text(0);
        c.secret = e.text(1);
        c.previous_secret = e.text(2);
        c.previous_until = seconds_at(e, 3);
        if (!e.is_null(4)) c.failing_since = seconds_at(e, 4);
      }
      e.reset();
    }
  });
  return out;
}

void SqliteStore::record_webhook_attempt(const DeliveryAttempt& a, const std::optional<OutboxMail>& notice) {
  writer_.run([&](Db& db) {
    int64_t at = secs(a.at);
    std::string state = a.delivered ? "delivered" : a.retry_at ? "pending" : "failed";
    db.prepare(
          "UPDATE webhook_deliveries SET state = ?2, attempts = attempts + 1, last_attempt_at = ?3, last_status = ?4, "
          "last_error = ?5, next_attempt_at = coalesce(?6, next_attempt_at), leased_until = 0, delivered_at = ?7 "
          "WHERE id = ?1 AND (?8 IS NULL OR (state = 'pending' AND leased_until = ?8))")
        .bind(1, a.delivery_id)
        .bind(2, state)
        .bind(3, at)
        .bind(4, static_cast<int64_t>(a.status))
        .bind(5, a.error.substr(0, 500))
        .bind_optional_int(6, a.retry_at ? std::optional<int64_t>(secs(*a.retry_at)) : std::nullopt)
        .bind_optional_int(7, a.delivered ? std::optional<int64_t>(at) : std::nullopt)
        .bind_optional_int(8, a.lease ? std::optional<int64_t>(secs(*a.lease)) : std::nullopt)
        .run();
    if (db.changes() == 0) return;  // no longer this claim's
    db.prepare(
          "UPDATE webhook_endpoints SET failing_since = CASE WHEN ?3 THEN NULL ELSE coalesce(failing_since, (SELECT "
          "coalesce(first_attempt_at, ?2) FROM webhook_deliveries WHERE id = ?1)) END WHERE id = (SELECT endpoint_id "
          "FROM webhook_deliveries WHERE id = ?1)")
        .bind(1, a.delivery_id)
        .bind(2, at)
        .bind(3, int64_t{a.delivered ? 1 : 0})
        .run();
    if (!a.disable) return;
    db.prepare(
          "UPDATE webhook_endpoints SET disabled_at = ?2, disabled_reason = ?3 WHERE disabled_at IS NULL AND id = "
          "(SELECT endpoint_id FROM webhook_deliveries WHERE id = ?1)")
        .bind(1, a.delivery_id)
        .bind(2, at)
        .bind(3, *a.disable)
        .run();
    if (db.changes() > 0 && notice)
      db.prepare(
            "INSERT INTO mail_outbox (recipient, subject, body_text, created_at, next_attempt_at) SELECT email, ?1, "
            "?2, ?3, ?3 FROM accounts WHERE role = 'admin'")
          .bind(1, notice->subject)
          .bind(2, notice->body_text)
          .bind(3, at)
          .run();
  });
}

std::vector<WebhookDelivery> SqliteStore::webhook_deliveries(int64_t endpoint_id, int64_t before, int limit) {
  return readers_.with([&](Db& db) {
    std::vector<WebhookDelivery> out;
    auto& st = db.prepare(webhook_delivery_select() +
                          " WHERE d.endpoint_id = ?1 AND (?2 = 0 OR d.id < ?2) ORDER BY d.id DESC "
                          "LIMIT ?3");
    st.bind(1, endpoint_id).bind(2, before).bind(3, static_cast<int64_t>(limit));
    while (st.step()) out.push_back(read_webhook_delivery(st));
    return out;
  });
}

std::optional<WebhookDelivery> SqliteStore::redeliver_webhook(int64_t endpoint_id, int64_t delivery_id, TimePoint now) {
  std::optional<WebhookDelivery> out;
  writer_.run([&](Db& db) {
    // Still waiting: it goes now, once; else a new delivery of its event.
    db.prepare(
          "UPDATE webhook_deliveries SET next_attempt_at = ?3 WHERE id = ?1 AND endpoint_id = ?2 AND state = 'pending'")
        .bind(1, delivery_id)
        .bind(2, endpoint_id)
        .bind(3, secs(now))
        .run();
    if (db.changes() > 0) {
      out = delivery_in(db, delivery_id);
      return;
    }
    db.prepare(
          "INSERT INTO webhook_deliveries (endpoint_id, event_id, resource, next_attempt_at) SELECT endpoint_id, "
          "event_id, resource, ?3 FROM webhook_deliveries WHERE id = ?1 AND endpoint_id = ?2")
        .bind(1, delivery_id)
        .bind(2, endpoint_id)
        .bind(3, secs(now))
        .run();
    out = db.changes() > 0 ? delivery_in(db, db.last_insert_id()) : std::nullopt;
  });
  return out;
}

int64_t SqliteStore::announce_articles(TimePoint now) {
  static const auto statements = store_webhooks::announce_sql(store_webhooks::Dialect::sqlite);
  static const auto probe = store_webhooks::any_article_to_announce_sql(store_webhooks::Dialect::sqlite);
  if (!readers_.with([&](Db& db) { return work_at(db, probe, secs(now)); })) return 0;
  int64_t changed = 0;
  writer_.run([&](Db& db) {
    changed = 0;
    for (size_t i = 0; i < statements.size(); ++i) {
      auto& st = db.prepare(statements[i]);
      if (statements[i].find("?1") != std::string::npos) st.bind(1, secs(now));
      st.run();
      if (i % 2 == 0) changed += db.changes();  // the events written
    }
  });
  return changed;
}

int64_t SqliteStore::prune_webhook_deliveries(TimePoint before) {
  int64_t pruned = 0;
  writer_.run([&](Db& db) {
    db.prepare(
          "DELETE FROM webhook_deliveries WHERE state <> 'pending' AND coalesce(last_attempt_at, next_attempt_at) < ?1")
        .bind(1, secs(before))
        .run();
    pruned = db.changes();
    db.prepare(
          "DELETE FROM webhook_events WHERE occurred_at < ?1 AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE "
          "d.event_id = webhook_events.id)")
        .bind(1, secs(before))
        .run();
  });
  return pruned;
}

}  // namespace tribune::sqlite

#include "store/postgres/engine.h"

namespace tribune::postgres {

Contribution PostgresStore::create_contribution(const NewContribution& c) {
  int64_t id = write([&](Connection& db) {
    return db
        .query(
            "INSERT INTO contributions (amount_minor, currency, interval, article_id, referrer, account_id, "
            "email, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            {c.amount_minor, c.currency, c.interval, c.article_id, c.referrer, c.account_id, c.email,
             secs(c.created_at)})
        .front()
        .int64(0);
  });
  return *find_contribution(id);
}

void PostgresStore::set_checkout_session(int64_t id, const std::string& session_id) {
  write([&](Connection& db) {
    db.query("UPDATE contributions SET checkout_session_id = $2 WHERE id = $1", {id, session_id});
  });
}

void PostgresStore::abandon_checkout(int64_t id) {
  write([&](Connection& db) {
    db.query(
        "UPDATE contributions SET status = 'abandoned' WHERE id = $1 AND status = 'created' AND "
        "checkout_session_id IS NULL",
        {id});
  });
}

std::optional<Contribution> PostgresStore::find_contribution(int64_t id) {
  return db_.read([&](Connection& db) -> std::optional<Contribution> {
    auto r = db.query(std::string("SELECT ") + kContributionColumns + " FROM contributions WHERE id = $1", {id});
    if (r.empty()) return std::nullopt;
    return read_contribution(r.front());
  });
}

EventOutcome PostgresStore::apply_payment_event(
    const PaymentEvent& e, const std::function<std::optional<OutboxMail>(const Contribution&)>& thank_you) {
  return write_account(std::nullopt, [&](Connection& db) {
    int64_t now = secs(now_seconds());
    // The event row is created if new and then locked: a redelivery racing this call waits, then sees it processed.
    db.query(
        "INSERT INTO stripe_events (id, type, created, payload, received_at) VALUES ($1, $2, $3, $4, $5) "
        "ON CONFLICT (id) DO NOTHING",
        {e.event_id, e.type, e.created, e.payload, now});
    if (db.query("SELECT processed_at IS NOT NULL FROM stripe_events WHERE id = $1 FOR UPDATE", {e.event_id})
            .front()
            .boolean(0))
      return EventOutcome::duplicate;
    std::optional<Contribution> c;
    if (e.contribution_id) c = contribution_where(db, "id", std::to_string(*e.contribution_id));
    if (!c && !e.session_id.empty()) c = contribution_where(db, "checkout_session_id", e.session_id);
    if (!c && !e.subscription_id.empty()) c = contribution_where(db, "subscription_id", e.subscription_id);
    if (!c && !e.payment_intent_id.empty()) c = contribution_where(db, "payment_intent_id", e.payment_intent_id);
    if (!c && !e.invoice_id.empty()) {
      auto paid =
          db.query("SELECT contribution_id FROM contribution_payments WHERE stripe_object_id = $1", {e.invoice_id});
      if (!paid.empty()) c = contribution_where(db, "id", std::to_string(paid.front().int64(0)));
    }
    // Found by metadata, it must not contradict the ids Tribune already knows for it.
    if (c && !e.subscription_id.empty() && !c->subscription_id.empty() && c->subscription_id != e.subscription_id)
      c.reset();
    if (!c) return EventOutcome::unmatched;  // kept, processed_at NULL: a later event or retry applies it
    db.query(
        "UPDATE contributions SET checkout_session_id = coalesce(checkout_session_id, nullif($2, '')), "
        "subscription_id = coalesce(subscription_id, nullif($3, '')), payment_intent_id = "
        "coalesce(payment_intent_id, nullif($4, '')), customer_id = CASE WHEN customer_id = '' THEN $5 ELSE "
        "customer_id END, email = CASE WHEN email = '' THEN $6 ELSE email END WHERE id = $1",
        {c->id, e.learn_session_id, e.learn_subscription_id, e.learn_payment_intent_id, e.learn_customer_id,
         e.learn_email});
    // Forward in event time only; at the same second, an ending (canceled, refunded, failed) wins over a
    // beginning, so the order of delivery cannot decide.
    if (e.status)
      db.query(
          "UPDATE contributions SET status = $2, status_at = $3 WHERE id = $1 AND (status_at < $3 OR "
          "(status_at = $3 AND (CASE $2::text WHEN 'canceled' THEN 3 WHEN 'refunded' THEN 3 WHEN 'failed' THEN 3 "
          "WHEN 'past_due' THEN 2 ELSE 1 END) >= (CASE status WHEN 'canceled' THEN 3 WHEN 'refunded' THEN 3 "
          "WHEN 'failed' THEN 3 WHEN 'past_due' THEN 2 ELSE 1 END)))",
          {c->id, *e.status, e.created});
    if (e.payment)
      db.query(
          "INSERT INTO contribution_payments (contribution_id, stripe_object_id, amount_minor, currency, created_at) "
          "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (stripe_object_id) DO UPDATE SET amount_minor = "
          "least(contribution_payments.amount_minor, excluded.amount_minor), created_at = "
          "greatest(contribution_payments.created_at, excluded.created_at)",
          {c->id, e.payment->object_id, e.payment->amount_minor, e.payment->currency, e.created});
    if (e.money_arrived) {
      db.query(
          "UPDATE accounts SET supporter_since = coalesce(supporter_since, $2) WHERE id = (SELECT account_id "
          "FROM contributions WHERE id = $1)",
          {c->id, now});
      if (db.query("UPDATE contributions SET thanked_at = $2 WHERE id = $1 AND thanked_at IS NULL", {c->id, now})
              .affected() > 0) {
        auto fresh = contribution_where(db, "id", std::to_string(c->id));
        if (auto mail = thank_you(*fresh); mail && !mail->to.empty()) insert_mail(db, *mail, now);
      }
    }
    db.query("UPDATE stripe_events SET processed_at = $2 WHERE id = $1", {e.event_id, now});
    return EventOutcome::applied;
  });
}

std::vector<std::pair<std::string, std::string>> PostgresStore::unmatched_payment_events(int limit) {
  return db_.read([&](Connection& db) {
    std::vector<std::pair<std::string, std::string>> out;
    // Recent ones only, newest first: an event that has matched nothing for three days never will, and
    // must not crowd out the ones that still can.
    for (auto row : db.query("SELECT id, payload FROM stripe_events WHERE processed_at IS NULL AND received_at >= $2 "
                             "ORDER BY received_at DESC LIMIT $1",
                             {limit, secs(now_seconds()) - int64_t{3} * 86400}))
      out.emplace_back(row.text(0), row.text(1));
    return out;
  });
}

ContributionReport PostgresStore::contribution_report(const std::string& currency, TimePoint until, int days) {
  return db_.read_replica([&](Connection& db) {
    ContributionReport r;
    r.currency = currency;
    int64_t end = secs(until) / 86400 * 86400 + 86400;  // the end of until's UTC day
    int64_t start = end - int64_t{days} * 86400;
    std::map<int64_t, ContributionReport::Day> by_day;
    for (int64_t d = start; d < end; d += 86400)
      by_day[d].date = format_rfc3339(TimePoint(std::chrono::seconds(d))).substr(0, 10);
    for (auto row : db.query("SELECT p.created_at / 86400 * 86400, c.interval, sum(p.amount_minor) FROM "
                             "contribution_payments p JOIN contributions c ON c.id = p.contribution_id WHERE "
                             "p.currency = $1 AND p.created_at >= $2 AND p.created_at < $3 GROUP BY 1, 2",
                             {currency, start, end})) {
      auto& day = by_day[row.int64(0)];
      (row.text(1) == "month" ? day.monthly_minor : day.once_minor) += row.int64(2);
    }
    for (auto& [d, day] : by_day) r.days.push_back(day);
    for (auto row : db.query("SELECT c.interval, sum(CASE WHEN p.amount_minor > 0 THEN p.amount_minor ELSE 0 END), "
                             "sum(CASE WHEN p.amount_minor < 0 THEN -p.amount_minor ELSE 0 END), count(DISTINCT c.id) "
                             "FROM contribution_payments p JOIN contributions c ON c.id = p.contribution_id WHERE "
                             "p.currency = $1 AND p.created_at >= $2 AND p.created_at < $3 GROUP BY 1",
                             {currency, start, end})) {
      bool monthly = row.text(0) == "month";
      (monthly ? r.monthly_minor : r.once_minor) += row.int64(1);
      (monthly ? r.monthly_count : r.once_count) += row.int64(3);
      r.refunded_minor += row.int64(2);
    }
    for (auto row : db.query("SELECT coalesce(a.slug, ''), coalesce(a.title, 'No article (the support page)'), "
                             "count(DISTINCT c.id), sum(p.amount_minor) FROM contribution_payments p JOIN "
                             "contributions c ON c.id = p.contribution_id LEFT JOIN articles a ON a.id = c.article_id "
                             "WHERE p.currency = $1 AND p.created_at >= $2 AND p.created_at < $3 GROUP BY "
                             "c.article_id, a.slug, a.title ORDER BY 4 DESC LIMIT 50",
                             {currency, start, end}))
      r.articles.push_back({row.text(0), row.text(1), row.int64(2), row.int64(3)});
    r.active_monthly = db.query(
                             "SELECT count(*) FROM contributions WHERE interval = 'month' AND status = 'active' AND "
                             "currency = $1",
                             {currency})
                           .front()
                           .int64(0);
    return r;
  });
}

std::vector<Contribution> PostgresStore::list_contributions(int64_t after_id, int limit) {
  return db_.read_replica([&](Connection& db) {
    std::vector<Contribution> out;
    for (auto row : db.query(
             std::string("SELECT ") + kContributionColumns + " FROM contributions WHERE id > $1 ORDER BY id LIMIT $2",
             {after_id, limit}))
      out.push_back(read_contribution(row));
    return out;
  });
}

}  // namespace tribune::postgres

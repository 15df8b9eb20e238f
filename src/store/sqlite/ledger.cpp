#include "store/sqlite/engine.h"

namespace tribune::sqlite {

Contribution SqliteStore::create_contribution(const NewContribution& c) {
  int64_t id = 0;
  writer_.run([&](Db& db) {
    auto& st = db.prepare(
        "INSERT INTO contributions (amount_minor, currency, interval, article_id, referrer, account_id, email, "
        "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    st.bind(1, c.amount_minor)
        .bind(2, c.currency)
        .bind(3, c.interval)
        .bind_optional_int(4, c.article_id)
        .bind(5, c.referrer)
        .bind_optional_int(6, c.account_id)
        .bind(7, c.email)
        .bind(8, c.created_at.time_since_epoch().count())
        .run();
    id = db.last_insert_id();
  });
  return *find_contribution(id);
}

void SqliteStore::set_checkout_session(int64_t id, const std::string& session_id) {
  writer_.run([&](Db& db) {
    db.prepare("UPDATE contributions SET checkout_session_id = ?2 WHERE id = ?1").bind(1, id).bind(2, session_id).run();
  });
}

void SqliteStore::abandon_checkout(int64_t id) {
  writer_.run([&](Db& db) {
    db.prepare(
          "UPDATE contributions SET status = 'abandoned' WHERE id = ?1 AND status = 'created' AND "
          "checkout_session_id IS NULL")
        .bind(1, id)
        .run();
  });
}

std::optional<Contribution> SqliteStore::find_contribution(int64_t id) {
  return readers_.with([&](Db& db) -> std::optional<Contribution> {
    auto& st = db.prepare(std::string("SELECT ") + kContributionColumns + " FROM contributions WHERE id = ?1");
    st.bind(1, id);
    if (!st.step()) return std::nullopt;
    return read_contribution(st);
  });
}

EventOutcome SqliteStore::apply_payment_event(
    const PaymentEvent& e, const std::function<std::optional<OutboxMail>(const Contribution&)>& thank_you) {
  EventOutcome outcome = EventOutcome::applied;
  writer_.run([&](Db& db) {
    int64_t now = now_seconds().time_since_epoch().count();
    auto& seen = db.prepare("SELECT processed_at IS NOT NULL FROM stripe_events WHERE id = ?1");
    seen.bind(1, e.event_id);
    bool known = seen.step();
    bool processed = known && seen.int64(0) != 0;
    seen.reset();
    if (processed) {
      outcome = EventOutcome::duplicate;
      return;
    }
    if (!known)
      db.prepare("INSERT INTO stripe_events (id, type, created, payload, received_at) VALUES (?1, ?2, ?3, ?4, ?5)")
          .bind(1, e.event_id)
          .bind(2, e.type)
          .bind(3, e.created)
          .bind(4, e.payload)
          .bind(5, now)
          .run();
    std::optional<Contribution> c;
    if (e.contribution_id) c = contribution_where(db, "id", std::to_string(*e.contribution_id));
    if (!c && !e.session_id.empty()) c = contribution_where(db, "checkout_session_id", e.session_id);
    if (!c && !e.subscription_id.empty()) c = contribution_where(db, "subscription_id", e.subscription_id);
    if (!c && !e.payment_intent_id.empty()) c = contribution_where(db, "payment_intent_id", e.payment_intent_id);
    if (!c && !e.invoice_id.empty()) {
      auto& paid = db.prepare("SELECT contribution_id FROM contribution_payments WHERE stripe_object_id = ?1");
      paid.bind(1, e.invoice_id);
      if (paid.step()) {
        auto contribution = std::to_string(paid.int64(0));
        paid.reset();
        c = contribution_where(db, "id", contribution);
      }
    }
    // Found by metadata, it must not contradict the ids Tribune already knows for it.
    if (c && !e.subscription_id.empty() && !c->subscription_id.empty() && c->subscription_id != e.subscription_id)
      c.reset();
    if (!c) {
      outcome = EventOutcome::unmatched;  // kept, processed_at NULL: a later event or retry applies it
      return;
    }
    db.prepare(
          "UPDATE contributions SET checkout_session_id = coalesce(checkout_session_id, nullif(?2, '')), "
          "subscription_id = coalesce(subscription_id, nullif(?3, '')), payment_intent_id = "
          "coalesce(payment_intent_id, nullif(?4, '')), customer_id = CASE WHEN customer_id = '' THEN ?5 ELSE "
          "customer_id END, email = CASE WHEN email = '' THEN ?6 ELSE email END WHERE id = ?1")
        .bind(1, c->id)
        .bind(2, e.learn_session_id)
        .bind(3, e.learn_subscription_id)
        .bind(4, e.learn_payment_intent_id)
        .bind(5, e.learn_customer_id)
        .bind(6, e.learn_email)
        .run();
    // Forward in event time only; at the same second, an ending (canceled, refunded, failed) wins over a
    // beginning, so the order of delivery cannot decide.
    if (e.status)
      db.prepare(
            "UPDATE contributions SET status = ?2, status_at = ?3 WHERE id = ?1 AND (status_at < ?3 OR "
            "(status_at = ?3 AND (CASE ?2 WHEN 'canceled' THEN 3 WHEN 'refunded' THEN 3 WHEN 'failed' THEN 3 "
            "WHEN 'past_due' THEN 2 ELSE 1 END) >= (CASE status WHEN 'canceled' THEN 3 WHEN 'refunded' THEN 3 "
            "WHEN 'failed' THEN 3 WHEN 'past_due' THEN 2 ELSE 1 END)))")
          .bind(1, c->id)
          .bind(2, *e.status)
          .bind(3, e.created)
          .run();
    if (e.payment)
      db.prepare(
            "INSERT INTO contribution_payments (contribution_id, stripe_object_id, amount_minor, currency, created_at) "
            "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (stripe_object_id) DO UPDATE SET amount_minor = "
            "min(amount_minor, excluded.amount_minor), created_at = max(created_at, excluded.created_at)")
          .bind(1, c->id)
          .bind(2, e.payment->object_id)
          .bind(3, e.payment->amount_minor)
          .bind(4, e.payment->currency)
          .bind(5, e.created)
          .run();
    if (e.money_arrived)
      db.prepare(
            "UPDATE accounts SET supporter_since = coalesce(supporter_since, ?2) WHERE id = (SELECT account_id "
            "FROM contributions WHERE id = ?1)")
          .bind(1, c->id)
          .bind(2, now)
          .run();
    if (e.money_arrived) {
      db.prepare("UPDATE contributions SET thanked_at = ?2 WHERE id = ?1 AND thanked_at IS NULL")
          .bind(1, c->id)
          .bind(2, now)
          .run();
      if (db.changes() > 0) {
        auto fresh = contribution_where(db, "id", std::to_string(c->id));
        if (auto mail = thank_you(*fresh); mail && !mail->to.empty()) insert_mail(db, *mail, now);
      }
    }
    db.prepare("UPDATE stripe_events SET processed_at = ?2 WHERE id = ?1").bind(1, e.event_id).bind(2, now).run();
  });
  return outcome;
}

std::vector<std::pair<std::string, std::string>> SqliteStore::unmatched_payment_events(int limit) {
  return readers_.with([&](Db& db) {
    std::vector<std::pair<std::string, std::string>> out;
    // Recent ones only, newest first: an event that has matched nothing for three days never will, and
    // must not crowd out the ones that still can.
    auto& st = db.prepare(
        "SELECT id, payload FROM stripe_events WHERE processed_at IS NULL AND received_at >= ?2 "
        "ORDER BY received_at DESC LIMIT ?1");
    st.bind(1, static_cast<int64_t>(limit)).bind(2, now_seconds().time_since_epoch().count() - int64_t{3} * 86400);
    while (st.step()) out.emplace_back(st.text(0), st.text(1));
    return out;
  });
}

ContributionReport SqliteStore::contribution_report(const std::string& currency, TimePoint until, int days) {
  return readers_.with([&](Db& db) {
    ContributionReport r;
    r.currency = currency;
    int64_t end = until.time_since_epoch().count() / 86400 * 86400 + 86400;  // the end of until's UTC day
    int64_t start = end - int64_t{days} * 86400;
    std::map<int64_t, ContributionReport::Day> by_day;
    for (int64_t d = start; d < end; d += 86400)
      by_day[d].date = format_rfc3339(TimePoint(std::chrono::seconds(d))).substr(0, 10);
    auto& st = db.prepare(
        "SELECT p.created_at / 86400 * 86400, c.interval, sum(p.amount_minor) FROM contribution_payments p JOIN "
        "contributions c ON c.id = p.contribution_id WHERE p.currency = ?1 AND p.created_at >= ?2 AND p.created_at < "
        "?3 GROUP BY 1, 2");
    st.bind(1, currency).bind(2, start).bind(3, end);
    while (st.step()) {
      auto& day = by_day[st.int64(0)];
      (st.text(1) == "month" ? day.monthly_minor : day.once_minor) += st.int64(2);
    }
    for (auto& [d, day] : by_day) r.days.push_back(day);
    auto& totals = db.prepare(
        "SELECT c.interval, sum(CASE WHEN p.amount_minor > 0 THEN p.amount_minor ELSE 0 END), sum(CASE WHEN "
        "p.amount_minor < 0 THEN -p.amount_minor ELSE 0 END), count(DISTINCT c.id) FROM contribution_payments p "
        "JOIN contributions c ON c.id = p.contribution_id WHERE p.currency = ?1 AND p.created_at >= ?2 AND "
        "p.created_at < ?3 GROUP BY 1");
    totals.bind(1, currency).bind(2, start).bind(3, end);
    while (totals.step()) {
      bool monthly = totals.text(0) == "month";
      (monthly ? r.monthly_minor : r.once_minor) += totals.int64(1);
      (monthly ? r.monthly_count : r.once_count) += totals.int64(3);
      r.refunded_minor += totals.int64(2);
    }
    auto& articles = db.prepare(
        "SELECT coalesce(a.slug, ''), coalesce(a.title, 'No article (the support page)'), count(DISTINCT c.id), "
        "sum(p.amount_minor) FROM contribution_payments p JOIN contributions c ON c.id = p.contribution_id LEFT "
        "JOIN articles a ON a.id = c.article_id WHERE p.currency = ?1 AND p.created_at >= ?2 AND p.created_at < ?3 "
        "GROUP BY c.article_id ORDER BY 4 DESC LIMIT 50");
    articles.bind(1, currency).bind(2, start).bind(3, end);
    while (articles.step())
      r.articles.push_back({articles.text(0), articles.text(1), articles.int64(2), articles.int64(3)});
    auto& active = db.prepare(
        "SELECT count(*) FROM contributions WHERE interval = 'month' AND status = 'active' AND "
        "currency = ?1");
    active.bind(1, currency);
    if (active.step()) r.active_monthly = active.int64(0);
    return r;
  });
}

std::vector<Contribution> SqliteStore::list_contributions(int64_t after_id, int limit) {
  return readers_.with([&](Db& db) {
    std::vector<Contribution> out;
    auto& st = db.prepare(std::string("SELECT ") + kContributionColumns +
                          " FROM contributions WHERE id > ?1 ORDER BY id LIMIT ?2");
    st.bind(1, after_id).bind(2, static_cast<int64_t>(limit));
    while (st.step()) out.push_back(read_contribution(st));
    return out;
  });
}

}  // namespace tribune::sqlite

#include "domain/contributions.h"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>

#include "model/error.h"

namespace tribune {

namespace json = boost::json;

std::vector<Contribution> ContributionService::of_reader(int64_t account_id) const {
  return accounts_store_.reader_records(account_id).contributions;
}

std::vector<Contribution> ContributionService::running_monthly(int64_t account_id) const {
  std::vector<Contribution> out;
  for (auto& c : of_reader(account_id))
    if (is_running_monthly(c)) out.push_back(std::move(c));
  return out;
}

void ContributionService::cancel_monthly(int64_t account_id, int64_t contribution_id) {
  for (const auto& c : running_monthly(account_id))
    if (c.id == contribution_id) return payments_.cancel_subscription(c.subscription_id);
  throw not_found("The monthly contribution");
}

void ContributionService::cancel_all_monthly(int64_t account_id) {
  for (const auto& c : running_monthly(account_id)) payments_.cancel_subscription(c.subscription_id);
}

ContributionService::ContributionService(LedgerStore& store, AccountStore& accounts_store, ArticleService& articles,
                                         RateLimiter& limiter, const PaymentGateway& payments, MailSettings mail,
                                         ContributionRules rules)
    : store_(store),
      accounts_store_(accounts_store),
      articles_(articles),
      limiter_(limiter),
      payments_(payments),
      mail_(std::move(mail)),
      rules_(std::move(rules)) {}

ContributionService::Started ContributionService::start_checkout(const CheckoutRequest& r) {
  std::string currency = r.currency;
  std::transform(currency.begin(), currency.end(), currency.begin(), [](unsigned char c) { return std::toupper(c); });
  if (std::find(rules_.currencies.begin(), rules_.currencies.end(), currency) == rules_.currencies.end())
    throw invalid_field(
        "currency", "unknown_currency", "We take contributions in " + [this] {
          std::string all;
          for (const auto& c : rules_.currencies) all += (all.empty() ? "" : ", ") + c;
          return all;
        }() + ".");
  if (r.amount_major < rules_.min_major)
    throw invalid_field("amount", "amount_too_small",
                        "The smallest contribution is " + format_money(rules_.min_major * 100, currency) + ".");
  if (r.amount_major > rules_.max_major)
    throw invalid_field(
        "amount", "amount_too_large",
        "The largest contribution we take online is " + format_money(rules_.max_major * 100, currency) + ".");
  if (r.interval != "once" && r.interval != "month")
    throw invalid_field("interval", "invalid_interval", "interval must be once or month.");
  if (!is_valid_utf8(r.referrer) || has_control_chars(r.referrer) || r.referrer.size() > 500)
    throw invalid_field("referrer", "invalid_referrer", "referrer must be at most 500 characters of text.");
  std::optional<Article> article;
  if (!r.article_slug.empty()) {
    article = articles_.find_visible(r.article_slug);
    if (!article) throw invalid_field("article", "not_found", "There is no such article.");
  }
  if (!payments_.configured())
    throw Error(ErrorKind::unavailable, "contributions_off", "Contributions are not set up yet.");
  limiter_.hit("checkout:ip:" + r.ip, rules_.per_ip);

  NewContribution n;
  n.amount_minor = r.amount_major * 100;
  n.currency = currency;
  n.interval = r.interval;
  if (article) n.article_id = article->id;
  n.referrer = r.referrer;
  n.account_id = r.account_id;
  n.email = r.email;
  n.created_at = articles_.now();
  auto c = store_.create_contribution(n);

  std::string lower = currency;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char ch) { return std::tolower(ch); });
  std::string id = std::to_string(c.id);
  bool monthly = r.interval == "month";
  std::string back = article ? articles_.url_for(*article) : std::string("/support");
  std::vector<std::pair<std::string, std::string>> fields = {
      {"mode", monthly ? "subscription" : "payment"},
      {"line_items[0][quantity]", "1"},
      {"line_items[0][price_data][currency]", lower},
      {"line_items[0][price_data][unit_amount]", std::to_string(c.amount_minor)},
      {"line_items[0][price_data][product_data][name]",
       (monthly ? "Monthly contribution to " : "Contribution to ") + mail_.site_name},
      {"success_url", mail_.base_url + "/support/thanks?session_id={CHECKOUT_SESSION_ID}"},
      {"cancel_url", mail_.base_url + back + "?contribution=cancelled#support"},
      {"client_reference_id", id},
      {"metadata[contribution_id]", id},
      {"metadata[article]", article ? article->slug : std::string()},
      {"metadata[referrer]", r.referrer},
  };
  if (monthly) {
    fields.emplace_back("line_items[0][price_data][recurring][interval]", "month");
    fields.emplace_back("subscription_data[metadata][contribution_id]", id);
  } else {
    fields.emplace_back("submit_type", "donate");
    fields.emplace_back("payment_intent_data[metadata][contribution_id]", id);
  }
  if (!r.email.empty()) fields.emplace_back("customer_email", r.email);
  // One key per contribution, unique across databases and nodes sharing the Stripe account: if the request
  // is retried (Stripe's client guidance after a timeout), Stripe answers with the same session.
  unsigned char nonce[12];
  randombytes_buf(nonce, sizeof nonce);
  // A checkout that does not start leaves no contribution under way: it is marked abandoned (no reader has its
  // address, so none can pay it; had the provider made a session all the same, its events still find this row).
  auto abandon = [&] {
    try {
      store_.abandon_checkout(c.id);
    } catch (const Error& e) {
      spdlog::warn("contribution {}: its failed checkout stays in the ledger as started: {}", c.id, e.what());
    }
  };
  PaymentGateway::Checkout session;
  try {
    session = payments_.create_checkout(
        fields, "tribune-" + to_hex(std::string_view(reinterpret_cast<const char*>(nonce), sizeof nonce)) + "-" + id);
  } catch (...) {
    abandon();
    throw;
  }
  try {
    store_.set_checkout_session(c.id, session.id);
  } catch (const Error& e) {
    // The provider answered with a session another contribution already holds: its answer cannot be trusted.
    if (e.kind() != ErrorKind::conflict) throw;
    abandon();
    throw Error(ErrorKind::unavailable, "payment_provider_error",
                "The payment provider gave an unexpected answer, so nothing was charged. Please try again.");
  }
  c.checkout_session_id = session.id;
  return Started{c, session.url};
}

namespace {

const json::object* object_at(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_object() ? &v->as_object() : nullptr;
}

std::string string_at(const json::object* o, std::string_view key) {
  if (!o) return {};
  auto* v = o->if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

int64_t int_at(const json::object* o, std::string_view key) {
  if (!o) return 0;
  auto* v = o->if_contains(key);
  return v && v->is_int64() ? v->as_int64() : 0;
}

std::optional<int64_t> contribution_id_in(const json::object* metadata, const std::string& fallback = {}) {
  std::string raw = string_at(metadata, "contribution_id");
  if (raw.empty()) raw = fallback;
  if (raw.empty() || raw.size() > 18 ||
      !std::all_of(raw.begin(), raw.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  return std::stoll(raw);
}

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

}  // namespace

std::optional<PaymentEvent> ContributionService::interpret(std::string_view raw) const {
  boost::system::error_code ec;
  auto v = json::parse(raw, ec);
  if (ec || !v.is_object()) throw Error(ErrorKind::bad_request, "invalid_event", "The event is not a JSON object.");
  const auto& root = v.as_object();
  PaymentEvent e;
  e.event_id = string_at(&root, "id");
  e.type = string_at(&root, "type");
  e.created = int_at(&root, "created");
  auto* data = object_at(root, "data");
  auto* obj = data ? object_at(*data, "object") : nullptr;
  if (e.event_id.empty() || e.type.empty() || !obj)
    throw Error(ErrorKind::bad_request, "invalid_event", "The event has no id, type or data.object.");
  e.payload = std::string(raw);
  auto* metadata = object_at(*obj, "metadata");
  const std::string& t = e.type;
  if (t == "checkout.session.completed" || t == "checkout.session.async_payment_succeeded" ||
      t == "checkout.session.async_payment_failed") {
    // Matched by the session id Tribune stored when it created the session, never by metadata or
    // client_reference_id alone: other Checkout pages on the same Stripe account (a Payment Link with
    // ?client_reference_id=42) must not fulfil contribution 42.
    e.session_id = e.learn_session_id = string_at(obj, "id");
    e.learn_subscription_id = string_at(obj, "subscription");
    e.learn_payment_intent_id = string_at(obj, "payment_intent");
    e.learn_customer_id = string_at(obj, "customer");
    e.learn_email = string_at(object_at(*obj, "customer_details"), "email");
    bool monthly = string_at(obj, "mode") == "subscription";
    std::string paid = string_at(obj, "payment_status");
    if (t == "checkout.session.async_payment_failed") {
      e.status = "failed";
    } else if (paid == "paid" || paid == "no_payment_required") {
      e.status = monthly ? "active" : "paid";
      e.money_arrived = true;
      // A monthly contribution's money is recorded from its invoices (invoice.paid), never twice.
      if (!monthly)
        e.payment = PaymentEvent::Payment{e.session_id, int_at(obj, "amount_total"), upper(string_at(obj, "currency"))};
    } else {
      e.status = "pending";  // paid by a method that settles later: async_payment_succeeded follows
    }
    return e;
  }
  if (t == "invoice.paid" || t == "invoice.payment_failed") {
    // Before API version 2025-03-31 the subscription is invoice.subscription (and its metadata
    // invoice.subscription_details.metadata); since, invoice.parent.subscription_details.{subscription,metadata}.
    const json::object* details = object_at(*obj, "subscription_details");
    std::string subscription = string_at(obj, "subscription");
    if (auto* parent = object_at(*obj, "parent"))
      if (auto* d = object_at(*parent, "subscription_details")) {
        if (!details) details = d;
        if (subscription.empty()) subscription = string_at(d, "subscription");
      }
    e.contribution_id = contribution_id_in(details ? object_at(*details, "metadata") : nullptr);
    e.subscription_id = e.learn_subscription_id = subscription;
    e.learn_customer_id = string_at(obj, "customer");
    e.learn_email = string_at(obj, "customer_email");
    if (t == "invoice.paid") {
      e.status = "active";
      e.money_arrived = true;
      e.payment =
          PaymentEvent::Payment{string_at(obj, "id"), int_at(obj, "amount_paid"), upper(string_at(obj, "currency"))};
    } else {
      e.status = "past_due";
    }
    return e;
  }
  if (t == "customer.subscription.updated" || t == "customer.subscription.deleted") {
    e.contribution_id = contribution_id_in(metadata);
    e.subscription_id = e.learn_subscription_id = string_at(obj, "id");
    std::string s = t == "customer.subscription.deleted" ? "canceled" : string_at(obj, "status");
    if (s == "active" || s == "trialing")
      e.status = "active";
    else if (s == "past_due" || s == "unpaid")
      e.status = "past_due";
    else if (s == "canceled" || s == "incomplete_expired")
      e.status = "canceled";
    else
      e.status = "pending";
    return e;
  }
  if (t == "charge.refunded") {
    e.contribution_id = contribution_id_in(metadata);
    e.payment_intent_id = string_at(obj, "payment_intent");
    e.invoice_id = string_at(obj, "invoice");  // a monthly payment's charge: found through its invoice
    int64_t refunded = int_at(obj, "amount_refunded");
    e.payment = PaymentEvent::Payment{"refund:" + string_at(obj, "id"), -refunded, upper(string_at(obj, "currency"))};
    if (refunded >= int_at(obj, "amount") && string_at(obj, "invoice").empty()) e.status = "refunded";
    return e;
  }
  return std::nullopt;  // a type Tribune does not use
}

std::optional<OutboxMail> ContributionService::thank_you(const Contribution& c) const {
  std::string to = c.email;
  if (c.account_id)
    if (auto a = accounts_store_.find_account(*c.account_id)) to = a->email;
  if (to.empty()) return std::nullopt;
  OutboxMail m;
  m.to = to;
  m.subject = "Thank you for supporting " + mail_.site_name;
  std::string amount = format_money(c.amount_minor, c.currency) + (c.interval == "month" ? " a month" : "");
  m.body_text = "Thank you.\n\nYour contribution of " + amount + " keeps " + mail_.site_name +
                "'s journalism open to everyone, without a paywall. It matters more than you might think.\n\n";
  if (c.article_id)
    if (auto a = articles_.find_by_id(*c.article_id))
      m.body_text += "You gave after reading \"" + a->title + "\": " + mail_.base_url + articles_.url_for(*a) + "\n\n";
  if (c.interval == "month")
    m.body_text +=
        "You can change or cancel your monthly contribution at any time from the receipt Stripe sends you.\n\n";
  m.body_text += "With gratitude,\n" + mail_.site_name + "\n";
  return m;
}

ContributionService::Received ContributionService::receive_webhook(std::string_view signature, std::string_view raw) {
  payments_.verify_webhook(signature, raw, articles_.now());
  auto event = interpret(raw);
  if (!event) {
    boost::system::error_code ec;
    auto v = json::parse(raw, ec);
    std::string type = ec ? "" : string_at(v.is_object() ? &v.as_object() : nullptr, "type");
    spdlog::info("stripe webhook: ignored an event of type {}", type);
    return Received{type, "ignored"};
  }
  auto outcome = store_.apply_payment_event(*event, [this](const Contribution& c) { return thank_you(c); });
  if (outcome == EventOutcome::applied) retry_unmatched();
  if (outcome == EventOutcome::unmatched)
    spdlog::info("stripe webhook: {} {} matches no contribution yet; kept for later", event->type, event->event_id);
  return Received{event->type, outcome == EventOutcome::applied     ? "applied"
                               : outcome == EventOutcome::duplicate ? "duplicate"
                                                                    : "unmatched"};
}

void ContributionService::retry_unmatched() {
  // An event that overtook the one naming its contribution waits in the store; each applied event may be
  // the one it waited for. Bounded: at most a few rounds over at most 100 waiting events.
  for (int round = 0; round < 5; ++round) {
    bool progress = false;
    for (const auto& [id, payload] : store_.unmatched_payment_events(100)) {
      try {
        auto e = interpret(payload);
        if (!e) continue;
        if (store_.apply_payment_event(*e, [this](const Contribution& c) { return thank_you(c); }) ==
            EventOutcome::applied)
          progress = true;
      } catch (const Error& err) {
        spdlog::warn("stripe webhook: kept event {} cannot be applied: {}", id, err.what());
      }
    }
    if (!progress) return;
  }
}

}  // namespace tribune

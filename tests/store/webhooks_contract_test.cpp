// The store contract, outgoing webhooks: which changes are events (written by the engine with the change, on
// every path), the fan-out to endpoints, claiming in order per resource with leases, and the outcome of an
// attempt. Every engine must pass it unchanged.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>

#include "model/error.h"
#include "store/contract.h"

using namespace tribune;
using namespace tribune::contract;
using namespace std::chrono_literals;

namespace {

const TimePoint kFar = TimePoint(std::chrono::seconds(4000000000));  // every delivery is due by then

WebhookEndpoint endpoint(std::vector<std::string> events, std::string url = "https://hooks.example/in") {
  WebhookEndpoint e;
  e.url = std::move(url);
  e.secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  e.events = std::move(events);
  return e;
}

std::vector<std::string> all_events() {
  return {kWebhookEventTypes.begin(), kWebhookEventTypes.end()};
}

// "type resource" of an endpoint's deliveries, oldest first.
std::vector<std::string> log_of(Store& s, int64_t endpoint_id) {
  std::vector<std::string> out;
  auto list = s.webhook_deliveries(endpoint_id, 0, 100);
  for (auto it = list.rbegin(); it != list.rend(); ++it) out.push_back(it->type + " " + it->resource);
  return out;
}

}  // namespace

TEST_P(StoreContract, EveryKindOfChangeWritesItsEventWithTheChange) {
  auto hook = store_->create_webhook_endpoint(endpoint(all_events()));
  EXPECT_GT(hook.id, 0);
  EXPECT_EQ(hook.events.size(), kWebhookEventTypes.size());

  auto article = store_->save_article(record("a-piece", 1700000000), false);
  store_->announce_articles(now_seconds());  // what a node's sender does every second
  auto ana = account("ana@example.org", "Ana Ruiz");
  auto mod = account("mod@example.org", "Mo", "moderator");
  auto c = comment(article.id, ana.id, "First words");
  EXPECT_TRUE(store_->edit_comment(c.id, "Second words", "<p>Second words</p>", TimePoint(1700000200s)));
  auto held = comment(article.id, ana.id, "Held words", std::nullopt, CommentStatus::pending);
  store_->decide_comment(held.id, mod.id, "approve", "");
  auto held2 = comment(article.id, ana.id, "Rejected words", std::nullopt, CommentStatus::pending);
  store_->decide_comment(held2.id, mod.id, "reject", "spam");
  EXPECT_TRUE(store_->delete_comment(c.id));
  store_->set_article_state("a-piece", ArticleState::retracted, "We got it wrong.", TimePoint(1700000300s));
  store_->announce_articles(now_seconds());
  EXPECT_EQ(store_->announce_articles(now_seconds()), 0) << "told once";

  NewContribution n;
  n.amount_minor = 500;
  n.currency = "GBP";
  n.interval = "once";
  n.created_at = TimePoint(1700000000s);
  n.article_id = article.id;
  auto gift = store_->create_contribution(n);
  store_->set_checkout_session(gift.id, "cs_test_1");
  PaymentEvent paid;
  paid.event_id = "evt_1";
  paid.type = "checkout.session.completed";
  paid.created = 1700000100;
  paid.payload = "{}";
  paid.session_id = "cs_test_1";
  paid.status = "paid";
  paid.payment = PaymentEvent::Payment{"cs_test_1", 500, "GBP"};
  store_->apply_payment_event(paid, [](const Contribution&) { return std::optional<OutboxMail>(); });
  PaymentEvent refund = paid;
  refund.event_id = "evt_2";
  refund.type = "charge.refunded";
  refund.created = 1700000200;
  refund.status = "refunded";
  refund.payment = PaymentEvent::Payment{"refund:ch_1", -500, "GBP"};
  store_->apply_payment_event(refund, [](const Contribution&) { return std::optional<OutboxMail>(); });
  store_->delete_account(ana.id);

  auto a = std::to_string(article.id), cc = std::to_string(c.id), h = std::to_string(held.id),
       h2 = std::to_string(held2.id), g = std::to_string(gift.id);
  EXPECT_EQ(log_of(*store_, hook.id),
            (std::vector<std::string>{
                "article.published article:" + a, "reader.registered reader:" + std::to_string(ana.id),
                "reader.registered reader:" + std::to_string(mod.id), "comment.created comment:" + cc,
                "comment.edited comment:" + cc, "comment.created comment:" + h, "comment.approved comment:" + h,
                "comment.created comment:" + h2, "comment.rejected comment:" + h2, "comment.removed comment:" + cc,
                "article.unpublished article:" + a, "contribution.paid contribution:" + g,
                "contribution.refunded contribution:" + g, "reader.deleted reader:" + std::to_string(ana.id)}));

  // The data is the resource as it was at the change: the edit carries the new text, the removal none.
  auto list = store_->webhook_deliveries(hook.id, 0, 100);
  auto find = [&](const std::string& type, const std::string& resource) {
    auto it =
        std::find_if(list.begin(), list.end(), [&](const auto& d) { return d.type == type && d.resource == resource; });
    EXPECT_NE(it, list.end()) << type;
    return boost::json::parse(it->data).as_object();
  };
  auto edited = find("comment.edited", "comment:" + cc);
  EXPECT_EQ(edited.at("body").as_string(), "Second words");
  EXPECT_EQ(edited.at("author_name").as_string(), "Ana Ruiz");
  EXPECT_EQ(edited.at("article").as_string(), "a-piece");
  EXPECT_FALSE(find("comment.removed", "comment:" + cc).contains("body")) << "a removed comment's words go no further";
  EXPECT_EQ(find("article.unpublished", "article:" + a).at("state").as_string(), "retracted");
  auto money = find("contribution.paid", "contribution:" + g);
  EXPECT_EQ(money.at("amount_minor").as_int64(), 500);
  EXPECT_EQ(money.at("currency").as_string(), "GBP");
  EXPECT_EQ(money.at("article").as_string(), "a-piece");
  EXPECT_EQ(find("contribution.refunded", "contribution:" + g).at("amount_minor").as_int64(), -500);
  EXPECT_EQ(find("reader.registered", "reader:" + std::to_string(ana.id)).at("email").as_string(), "ana@example.org");
}

TEST_P(StoreContract, OnlyChosenEventsOfEnabledEndpointsAreQueued) {
  auto article = store_->save_article(record("a-piece", 1700000000), false);
  auto ana = account("ana@example.org", "Ana");
  comment(article.id, ana.id, "Before any endpoint: no event");
  auto comments_only = store_->create_webhook_endpoint(endpoint({"comment.created"}));
  auto readers_only = store_->create_webhook_endpoint(endpoint({"reader.registered"}, "https://b.example/in"));
  auto off = readers_only;
  off.disabled_at = TimePoint(1700000000s);
  ASSERT_TRUE(store_->update_webhook_endpoint(off));
  comment(article.id, ana.id, "Now one");
  account("ben@example.org", "Ben");
  EXPECT_EQ(log_of(*store_, comments_only.id).size(), 1u);
  EXPECT_TRUE(log_of(*store_, readers_only.id).empty()) << "a disabled endpoint queues nothing";
  EXPECT_EQ(store_->find_webhook_endpoint(readers_only.id)->disabled_at, TimePoint(1700000000s));
  ASSERT_TRUE(store_->delete_webhook_endpoint(comments_only.id));
  EXPECT_FALSE(store_->find_webhook_endpoint(comments_only.id));
  EXPECT_TRUE(store_->webhook_deliveries(comments_only.id, 0, 10).empty());
  EXPECT_FALSE(store_->delete_webhook_endpoint(comments_only.id));
}

TEST_P(StoreContract, DeliveriesAreClaimedInOrderPerResourceAndLeased) {
  auto hook = store_->create_webhook_endpoint(endpoint({"comment.created", "comment.edited"}));
  auto article = store_->save_article(record("a-piece", 1700000000), false);
  auto ana = account("ana@example.org", "Ana");
  auto one = comment(article.id, ana.id, "One");
  store_->edit_comment(one.id, "One, edited", "<p>One, edited</p>", TimePoint(1700000200s));
  auto two = comment(article.id, ana.id, "Two");

  auto first = store_->claim_webhook_deliveries(kFar, 60s, 10);
  ASSERT_EQ(first.size(), 2u) << "one's edit waits for its creation";
  EXPECT_EQ(first[0].delivery.resource, "comment:" + std::to_string(one.id));
  EXPECT_EQ(first[0].delivery.type, "comment.created");
  EXPECT_EQ(first[1].delivery.resource, "comment:" + std::to_string(two.id));
  EXPECT_EQ(first[0].url, "https://hooks.example/in");
  EXPECT_EQ(first[0].secret, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  EXPECT_TRUE(store_->claim_webhook_deliveries(kFar, 60s, 10).empty()) << "leased: no second sender takes them";

  // Two's creation goes out; one's fails and is retried later, and one's edit still waits behind it.
  store_->record_webhook_attempt({.delivery_id = first[1].delivery.id, .at = kFar, .status = 200, .delivered = true},
                                 std::nullopt);
  store_->record_webhook_attempt(
      {.delivery_id = first[0].delivery.id, .at = kFar, .status = 503, .error = "HTTP 503", .retry_at = kFar + 10s},
      std::nullopt);
  EXPECT_TRUE(store_->claim_webhook_deliveries(kFar + 5s, 60s, 10).empty());
  EXPECT_TRUE(store_->find_webhook_endpoint(hook.id)->failing_since.has_value()) << "a failure since the success";
  auto again = store_->claim_webhook_deliveries(kFar + 10s, 60s, 10);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].delivery.type, "comment.created");
  EXPECT_EQ(again[0].delivery.attempts, 1);
  store_->record_webhook_attempt(
      {.delivery_id = again[0].delivery.id, .at = kFar + 10s, .status = 204, .delivered = true}, std::nullopt);
  EXPECT_FALSE(store_->find_webhook_endpoint(hook.id)->failing_since.has_value());
  auto edit = store_->claim_webhook_deliveries(kFar + 10s, 60s, 10);
  ASSERT_EQ(edit.size(), 1u);
  EXPECT_EQ(edit[0].delivery.type, "comment.edited");

  // A lease that runs out (a sender died) frees the delivery for another.
  EXPECT_EQ(store_->claim_webhook_deliveries(kFar + 71s, 60s, 10).size(), 1u);
}

TEST_P(StoreContract, GivingUpCanDisableTheEndpointAndTellEveryAdmin) {
  auto hook = store_->create_webhook_endpoint(endpoint({"reader.registered"}));
  account("admin@example.org", "Ada", "admin");
  account("admin2@example.org", "Bea", "admin");
  auto claimed = store_->claim_webhook_deliveries(kFar, 60s, 10);
  ASSERT_EQ(claimed.size(), 2u);
  auto mail_before = store_->outbox_stats().pending;
  store_->record_webhook_attempt(
      {.delivery_id = claimed[0].delivery.id, .at = kFar, .error = "refused", .disable = "Every attempt failed."},
      OutboxMail{"", "Webhook endpoint disabled", "..."});
  auto e = store_->find_webhook_endpoint(hook.id);
  ASSERT_TRUE(e->disabled_at);
  EXPECT_EQ(e->disabled_reason, "Every attempt failed.");
  EXPECT_EQ(store_->outbox_stats().pending, mail_before + 2) << "one notice per admin";
  auto log = store_->webhook_deliveries(hook.id, 0, 10);
  EXPECT_EQ(log[1].state, DeliveryState::failed);
  EXPECT_EQ(log[1].last_error, "refused");
  EXPECT_TRUE(store_->claim_webhook_deliveries(kFar + 1h, 60s, 10).empty()) << "a disabled endpoint's wait";
  // Enabled again: what waited goes out, and a failed delivery can be sent again.
  e->disabled_at.reset();
  e->disabled_reason.clear();
  ASSERT_TRUE(store_->update_webhook_endpoint(*e));
  EXPECT_FALSE(store_->find_webhook_endpoint(hook.id)->failing_since);
  auto again = store_->redeliver_webhook(hook.id, claimed[0].delivery.id, kFar);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->event_id, claimed[0].delivery.event_id);
  EXPECT_EQ(again->state, DeliveryState::pending);
  EXPECT_FALSE(store_->redeliver_webhook(hook.id + 1, claimed[0].delivery.id, kFar)) << "another endpoint's";
  EXPECT_EQ(store_->claim_webhook_deliveries(kFar + 2h, 60s, 10).size(), 2u);
}

TEST_P(StoreContract, FinishedDeliveriesArePrunedAndPendingOnesKept) {
  auto hook = store_->create_webhook_endpoint(endpoint({"reader.registered"}));
  account("a@example.org", "A");
  account("b@example.org", "B");
  auto claimed = store_->claim_webhook_deliveries(kFar, 60s, 10);
  ASSERT_EQ(claimed.size(), 2u);
  store_->record_webhook_attempt({.delivery_id = claimed[0].delivery.id, .at = kFar, .status = 200, .delivered = true},
                                 std::nullopt);
  EXPECT_EQ(store_->prune_webhook_deliveries(kFar + 1s), 1);
  EXPECT_EQ(store_->webhook_deliveries(hook.id, 0, 10).size(), 1u);
}

TEST_P(StoreContract, AChangeThatRollsBackLeavesNoEvent) {
  auto hook = store_->create_webhook_endpoint(endpoint({"reader.registered"}));
  auto make = [&](const std::string& email) {
    NewAccount a;
    a.email = a.email_normalized = email;
    a.display_name = email;
    a.name_keys = {email + "#0", email + "#1"};
    a.password_hash = "hash";
    a.created_at = TimePoint(1700000000s);
    NewSession s{"one-session-hash", TimePoint(1700000000s), TimePoint(1800000000s), "Firefox", "192.0.2.7"};
    return store_->create_account(a, s, std::nullopt, std::nullopt);
  };
  make("ana@example.org");
  // The account row goes in (its trigger writes the event), then its session collides: all of it rolls back.
  EXPECT_EQ(tribune::testing::thrown_code([&] { make("ben@example.org"); }), "conflict");
  EXPECT_EQ(log_of(*store_, hook.id).size(), 1u) << "Ben was never registered: nothing to tell";
}

TEST_P(StoreContract, AScheduledArticleIsAnnouncedWhenItsTimeComesNotWhenSaved) {
  auto hook =
      store_->create_webhook_endpoint(endpoint({"article.published", "article.updated", "article.unpublished"}));
  const TimePoint at(1900000000s);
  store_->save_article(record("embargoed", 1900000000), false);
  EXPECT_EQ(store_->announce_articles(at - 1s), 0) << "its time has not come: nothing of it goes out";
  auto again = record("embargoed", 1900000000);
  again.draft.title = "A better headline, still under embargo";
  store_->save_article(again, true);
  EXPECT_TRUE(log_of(*store_, hook.id).empty()) << "no update of a piece nobody has been told of";
  EXPECT_EQ(store_->announce_articles(at), 1);
  EXPECT_EQ(store_->announce_articles(at + 1s), 0);
  again.draft.title = "Corrected after publication";
  store_->save_article(again, true);
  store_->set_article_state("embargoed", ArticleState::draft, "", at + 2s);
  store_->announce_articles(at + 3s);
  auto id = std::to_string(store_->find_article("embargoed")->id);
  EXPECT_EQ(log_of(*store_, hook.id),
            (std::vector<std::string>{"article.published article:" + id, "article.updated article:" + id,
                                      "article.unpublished article:" + id}));
  auto list = store_->webhook_deliveries(hook.id, 0, 10);
  EXPECT_EQ(boost::json::parse(list.back().data).at("title").as_string(), "A better headline, still under embargo");
}

TEST_P(StoreContract, AnAttemptRecordedAfterItsLeaseWasTakenChangesNothing) {
  auto hook = store_->create_webhook_endpoint(endpoint({"reader.registered"}));
  account("ana@example.org", "Ana");
  auto mine = store_->claim_webhook_deliveries(kFar, 60s, 10);
  ASSERT_EQ(mine.size(), 1u);
  auto theirs = store_->claim_webhook_deliveries(kFar + 61s, 60s, 10);  // my lease ran out; another took it
  ASSERT_EQ(theirs.size(), 1u);
  store_->record_webhook_attempt({.delivery_id = theirs[0].delivery.id,
                                  .at = kFar + 62s,
                                  .status = 200,
                                  .delivered = true,
                                  .lease = theirs[0].leased_until},
                                 std::nullopt);
  store_->record_webhook_attempt({.delivery_id = mine[0].delivery.id,
                                  .at = kFar + 63s,
                                  .status = 503,
                                  .error = "late",
                                  .retry_at = kFar + 99s,
                                  .lease = mine[0].leased_until},
                                 std::nullopt);
  auto d = store_->webhook_deliveries(hook.id, 0, 10).front();
  EXPECT_EQ(d.state, DeliveryState::delivered) << "the late sender's failure does not undo the delivery";
  EXPECT_EQ(d.attempts, 1);
  EXPECT_FALSE(store_->find_webhook_endpoint(hook.id)->failing_since);
}

TEST_P(StoreContract, SendingAgainAWaitingDeliveryMakesItDueNowNotTwice) {
  auto hook = store_->create_webhook_endpoint(endpoint({"reader.registered"}));
  account("ana@example.org", "Ana");
  auto claimed = store_->claim_webhook_deliveries(kFar, 60s, 10);
  ASSERT_EQ(claimed.size(), 1u);
  store_->record_webhook_attempt(
      {.delivery_id = claimed[0].delivery.id, .at = kFar, .status = 500, .error = "HTTP 500", .retry_at = kFar + 8h},
      std::nullopt);
  auto again = store_->redeliver_webhook(hook.id, claimed[0].delivery.id, kFar + 1s);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->id, claimed[0].delivery.id) << "the same delivery, not a copy";
  EXPECT_EQ(store_->webhook_deliveries(hook.id, 0, 10).size(), 1u);
  EXPECT_EQ(store_->claim_webhook_deliveries(kFar + 1s, 60s, 10).size(), 1u) << "due now";
}

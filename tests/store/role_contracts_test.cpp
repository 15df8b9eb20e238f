// The store contract, part two: the account, comment, social, outbox, ledger and rate-counter roles, each
// tested on every engine directly (store/contract.h), not only through HTTP. Each test states one role's
// promises from its header (store/roles/*.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "model/error.h"
#include "store/contract.h"

using namespace tribune;
using namespace tribune::contract;
using namespace std::chrono_literals;

namespace {

const TimePoint kEpoch{std::chrono::seconds(1700000000)};

NewSession session(const std::string& hash, const std::string& agent = "Firefox") {
  return NewSession{hash, kEpoch, kEpoch + 24h, agent, "192.0.2.7"};
}

}  // namespace

// --- AccountStore

TEST_P(StoreContract, AccountsAreCreatedWithSessionTokenAndMailAtOnceAndEmailsAreUnique) {
  NewAccount a;
  a.email = "Ana@Example.org";
  a.email_normalized = "ana@example.org";
  a.display_name = "Ana";
  a.name_keys = {"ana", "Ana"};
  a.password_hash = "hash-1";
  a.created_at = kEpoch;
  EmailToken verify{"verify-hash", "verify", kEpoch + 48h, "", ""};
  auto created =
      store_->create_account(a, session("session-1"), verify, OutboxMail{"Ana@Example.org", "Welcome", "Hi"});
  EXPECT_GT(created.session_id, 0);
  EXPECT_EQ(created.account.email, "Ana@Example.org");
  EXPECT_EQ(created.account.role, Role::reader);
  EXPECT_FALSE(created.account.email_verified_at);
  EXPECT_EQ(store_->outbox_stats().pending, 1);
  auto found = store_->find_session("session-1");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->account.id, created.account.id);
  EXPECT_EQ(found->session.user_agent, "Firefox");
  EXPECT_EQ(store_->find_credentials("ana@example.org")->password_hash, "hash-1");

  // The same address again: refused whole (no second session, no second mail).
  a.email = "ANA@example.org";
  EXPECT_EQ(tribune::testing::thrown_code([&] {
              store_->create_account(a, session("session-2"), std::nullopt, OutboxMail{"x", "y", "z"});
            }),
            "email_taken");
  EXPECT_FALSE(store_->find_session("session-2"));
  EXPECT_EQ(store_->outbox_stats().pending, 1);

  // The verify token: once, before it expires.
  EXPECT_FALSE(store_->use_verify_token("verify-hash", kEpoch + 49h));
  auto verified = store_->use_verify_token("verify-hash", kEpoch + 1h);
  ASSERT_TRUE(verified);
  EXPECT_EQ(verified->account_id, created.account.id);
  EXPECT_TRUE(verified->previous_email.empty());
  EXPECT_TRUE(store_->find_account(created.account.id)->email_verified_at);
  EXPECT_FALSE(store_->use_verify_token("verify-hash", kEpoch + 1h)) << "single use";
}

TEST_P(StoreContract, SessionsEndOnlyTheirOwnersAndResetEndsThemAll) {
  auto ana = account("ana@example.org", "Ana");
  auto ben = account("ben@example.org", "Ben");
  int64_t s1 = store_->create_session(ana.id, session("ana-1"));
  int64_t s2 = store_->create_session(ana.id, session("ana-2", "Chromium"));
  int64_t b1 = store_->create_session(ben.id, session("ben-1"));
  EXPECT_EQ(store_->list_sessions(ana.id).size(), 2u);
  EXPECT_FALSE(store_->delete_account_session(ben.id, s1)) << "Ben cannot end Ana's session";
  EXPECT_TRUE(store_->find_session("ana-1"));
  store_->delete_other_sessions(ana.id, s2);
  EXPECT_FALSE(store_->find_session("ana-1"));
  EXPECT_TRUE(store_->find_session("ana-2"));
  EXPECT_TRUE(store_->find_session("ben-1"));
  (void)b1;

  store_->create_email_token(ana.id, EmailToken{"reset-1", "reset", kEpoch + 1h, "", ""},
                             OutboxMail{"ana@example.org", "Reset", "..."});
  store_->create_email_token(ana.id, EmailToken{"reset-2", "reset", kEpoch + 1h, "", ""},
                             OutboxMail{"ana@example.org", "Reset", "..."});
  EXPECT_TRUE(store_->email_token_valid("reset-1", "reset", kEpoch));
  EXPECT_FALSE(store_->email_token_valid("reset-1", "verify", kEpoch)) << "a token serves its purpose only";
  EXPECT_EQ(store_->use_reset_token("reset-1", "new-hash", kEpoch), ana.id);
  EXPECT_EQ(store_->find_credentials("ana@example.org")->password_hash, "new-hash");
  EXPECT_FALSE(store_->find_session("ana-2")) << "a reset ends every session";
  EXPECT_TRUE(store_->find_session("ben-1"));
  EXPECT_FALSE(store_->use_reset_token("reset-2", "other-hash", kEpoch)) << "the other reset links die with it";
}

// Every request of a signed-in reader looks its session up, so both engines keep what they found
// (store/session_cache.h); a change made through the store holds from the next lookup all the same.
TEST_P(StoreContract, ASessionAsFoundFollowsEveryChangeToItOrItsAccountAtOnce) {
  auto ana = account("ana@example.org", "Ana");
  auto mod = account("mod@example.org", "Mod", "moderator");
  int64_t s1 = store_->create_session(ana.id, session("ana-1"));
  store_->create_session(ana.id, session("ana-2"));
  int64_t s3 = store_->create_session(ana.id, session("ana-3"));
  int64_t s4 = store_->create_session(ana.id, session("ana-4"));
  auto cy = account("cy@example.org", "Cy");  // changed by nobody: nothing announced about her comes late
  store_->create_session(cy.id, session("cy-1"));
  auto found = [&](const std::string& hash) {
    auto f = store_->find_session(hash);
    EXPECT_TRUE(f) << hash;
    return f.value_or(SessionLookup{});
  };
  // Until a lookup of it is answered from the cache (a read is not kept when anything was forgotten while it
  // ran: on PostgreSQL, announcements of earlier changes may still be arriving).
  auto cached = [&](const std::string& hash) {
    auto hits = store_->stats().sessions_cached;
    for (int i = 0; i < 250 && store_->stats().sessions_cached == hits; ++i) {
      found(hash);
      std::this_thread::sleep_for(20ms);
    }
    return store_->stats().sessions_cached > hits;
  };
  // The cache is in use (PostgreSQL's starts once it hears other nodes' changes), or this proves nothing.
  ASSERT_TRUE(cached("ana-1")) << "no lookup was answered from the cache";

  // Each step first finds the session, as a request would, then changes it and finds it again.
  EXPECT_EQ(found("ana-1").account.role, Role::reader);
  store_->set_role(ana.id, Role::moderator);
  EXPECT_EQ(found("ana-1").account.role, Role::moderator);
  store_->set_display_name(ana.id, "Ana Ruiz", {"ana ruiz#0", "ana ruiz#1"});
  EXPECT_EQ(found("ana-1").account.display_name, "Ana Ruiz");
  EXPECT_FALSE(found("ana-1").account.banned_until);
  store_->set_ban(ana.id, mod.id, kEpoch + 24h, "spam");
  EXPECT_EQ(found("ana-1").account.banned_until, kEpoch + 24h);
  store_->sanction(ana.id, mod.id, "warn", "Be kind.");
  EXPECT_EQ(found("ana-1").account.warning, "Be kind.");
  store_->acknowledge_warning(ana.id);
  EXPECT_EQ(found("ana-1").account.warning, "");
  store_->sanction(ana.id, mod.id, "premoderate", "");
  EXPECT_TRUE(found("ana-1").account.premoderated);
  store_->set_show_supporter(ana.id, true);
  EXPECT_TRUE(found("ana-1").account.show_supporter);
  store_->set_digest(ana.id, "off");
  EXPECT_EQ(found("ana-1").account.digest, "off");
  // Only what changed is forgotten: "last seen", written every few minutes for each active reader, leaves the
  // other readers' sessions remembered. (Not Ana's other ones: on PostgreSQL the announcements of the changes
  // above, this node's own, may still be arriving, and each forgets all of her sessions.)
  ASSERT_TRUE(cached("cy-1"));
  store_->touch_session(s1, kEpoch + 2h);
  auto hits = store_->stats().sessions_cached;
  EXPECT_EQ(found("cy-1").account.display_name, "Cy");
  EXPECT_EQ(store_->stats().sessions_cached, hits + 1) << "another reader's last seen emptied the cache";
  EXPECT_EQ(found("ana-1").session.last_seen_at, kEpoch + 2h);
  EXPECT_EQ(found("ana-2").session.last_seen_at, kEpoch);
  store_->delete_session("ana-1");
  EXPECT_FALSE(store_->find_session("ana-1")) << "signed out";
  found("ana-4");
  EXPECT_TRUE(store_->delete_account_session(ana.id, s4));
  EXPECT_FALSE(store_->find_session("ana-4")) << "ended from the sessions page";
  found("ana-2");
  store_->delete_other_sessions(ana.id, s3);
  EXPECT_FALSE(store_->find_session("ana-2")) << "signed out everywhere else";
  found("ana-3");
  store_->delete_account(ana.id);
  EXPECT_FALSE(store_->find_session("ana-3")) << "the account is gone";

  // A password reset ends every session, and verifying an address shows at once.
  auto ben = account("ben@example.org", "Ben");
  store_->create_session(ben.id, session("ben-1"));
  store_->create_email_token(ben.id, EmailToken{"ben-verify", "verify", kEpoch + 1h, "", ""},
                             OutboxMail{"ben@example.org", "Verify", "..."});
  store_->create_email_token(ben.id, EmailToken{"ben-reset", "reset", kEpoch + 1h, "", ""},
                             OutboxMail{"ben@example.org", "Reset", "..."});
  EXPECT_FALSE(found("ben-1").account.email_verified_at);
  ASSERT_TRUE(store_->use_verify_token("ben-verify", kEpoch));
  EXPECT_TRUE(found("ben-1").account.email_verified_at);
  ASSERT_TRUE(store_->use_reset_token("ben-reset", "new-hash", kEpoch));
  EXPECT_FALSE(store_->find_session("ben-1")) << "a reset ends every session";
}

TEST_P(StoreContract, AnAddressChangeWaitsForItsConfirmationAndAResetCancelsIt) {
  auto ana = account("ana@example.org", "Ana");
  auto ben = account("ben@example.org", "Ben");
  auto change = [&](const std::string& to, const std::string& suffix) {
    store_->request_email_change(
        ana.id, EmailToken{"confirm" + suffix, "verify", kEpoch + 24h, to, to}, OutboxMail{to, "Confirm", "..."},
        EmailToken{"undo" + suffix, "reset", kEpoch + 24h, "", ""}, OutboxMail{"ana@example.org", "Changing", "..."});
  };
  EXPECT_EQ(tribune::testing::thrown_code([&] { change("ben@example.org", "-0"); }), "email_taken");
  change("ana@new.example", "-1");
  EXPECT_EQ(store_->find_account(ana.id)->email, "ana@example.org") << "the address waits for its confirmation";
  EXPECT_EQ(store_->pending_email(ana.id, kEpoch), "ana@new.example");
  auto moved = store_->use_verify_token("confirm-1", kEpoch);
  ASSERT_TRUE(moved);
  EXPECT_EQ(moved->previous_email, "ana@example.org");
  EXPECT_EQ(store_->find_account(ana.id)->email, "ana@new.example");
  EXPECT_FALSE(store_->pending_email(ana.id, kEpoch));

  change("ana@third.example", "-2");
  EXPECT_TRUE(store_->use_reset_token("undo-2", "hash", kEpoch));
  EXPECT_FALSE(store_->pending_email(ana.id, kEpoch)) << "the owner's reset stops the change";
  EXPECT_FALSE(store_->use_verify_token("confirm-2", kEpoch));
  EXPECT_EQ(store_->find_account(ana.id)->email, "ana@new.example");
  (void)ben;
}

TEST_P(StoreContract, ADeletedAccountsCommentsStayAsADeletedReaders) {
  auto ana = account("ana@example.org", "Ana");
  store_->create_session(ana.id, session("ana-1"));
  auto article = store_->save_article(record("a-piece", 1700000000), false);
  auto c = comment(article.id, ana.id, "Still here after I go.");
  EXPECT_EQ(store_->comments_by_author(ana.id, 10).size(), 1u);
  store_->delete_account(ana.id);
  EXPECT_FALSE(store_->find_account(ana.id));
  EXPECT_FALSE(store_->find_session("ana-1"));
  auto kept = store_->find_comment(c.id);
  ASSERT_TRUE(kept);
  EXPECT_FALSE(kept->author_id);
  EXPECT_EQ(kept->body_markdown, "Still here after I go.");
  EXPECT_EQ(store_->count_comments(article.id), 1);
}

// --- CommentStore

TEST_P(StoreContract, CommentsAreCountedOnTheirArticleAndParentAndLeaveTheCountsWhenTheyGo) {
  auto ana = account("ana@example.org", "Ana"), ben = account("ben@example.org", "Ben");
  auto article = store_->save_article(record("a-piece", 1700000000), false);
  auto top = comment(article.id, ana.id, "Top.");
  auto reply = comment(article.id, ben.id, "Reply.", top.id);
  EXPECT_EQ(reply.depth, 1);
  EXPECT_EQ(reply.root_id, top.id);
  EXPECT_EQ(store_->find_comment(top.id)->reply_count, 1);
  EXPECT_EQ(store_->find_article("a-piece")->comment_count, 2);
  // A reply to nothing published on this article is refused whole.
  auto other = store_->save_article(record("other-piece", 1700000000), false);
  EXPECT_EQ(tribune::testing::thrown_code([&] { comment(other.id, ben.id, "Cross-article reply.", top.id); }),
            "invalid_parent");
  EXPECT_EQ(store_->find_article("other-piece")->comment_count, 0);

  // Held for review: not counted, not listed; an edit under review takes a published comment out.
  auto held = comment(article.id, ben.id, "Held.", std::nullopt, CommentStatus::pending);
  EXPECT_EQ(store_->count_comments(article.id), 2);
  EXPECT_EQ(store_->held_comments(ben.id, article.id, 10).size(), 1u);
  EXPECT_TRUE(store_->edit_comment(reply.id, "Reply, edited.", "<p>Reply, edited.</p>", kEpoch + 1h, /*hold=*/true));
  EXPECT_EQ(store_->find_comment(reply.id)->status, CommentStatus::pending);
  EXPECT_EQ(store_->find_comment(top.id)->reply_count, 0);
  EXPECT_EQ(store_->count_comments(article.id), 1);
  EXPECT_FALSE(store_->edit_comment(reply.id, "Again.", "<p>Again.</p>", kEpoch + 2h)) << "only a published comment";
  // Every edit keeps the text it replaced, dated when that text was written; a refused edit keeps nothing.
  auto revisions = store_->comment_revisions(reply.id);
  ASSERT_EQ(revisions.size(), 1u);
  EXPECT_EQ(revisions[0].body_markdown, "Reply.");
  EXPECT_EQ(revisions[0].written_at, store_->find_comment(reply.id)->created_at);
  EXPECT_TRUE(store_->edit_comment(top.id, "Top, once.", "<p>Top, once.</p>", kEpoch + 1h));
  EXPECT_TRUE(store_->edit_comment(top.id, "Top, twice.", "<p>Top, twice.</p>", kEpoch + 2h));
  auto top_revisions = store_->comment_revisions(top.id);
  ASSERT_EQ(top_revisions.size(), 2u);
  EXPECT_EQ(top_revisions[0].body_markdown, "Top.");
  EXPECT_EQ(top_revisions[1].body_markdown, "Top, once.");
  EXPECT_EQ(top_revisions[1].written_at, kEpoch + 1h);
  EXPECT_TRUE(store_->comment_revisions(held.id).empty());

  EXPECT_TRUE(store_->delete_comment(top.id));
  EXPECT_FALSE(store_->delete_comment(top.id)) << "deleted once";
  EXPECT_EQ(store_->count_comments(article.id), 0);
  EXPECT_EQ(store_->find_article("a-piece")->comment_count, 0);
  auto listed = store_->list_comments(CommentQuery{article.id, std::nullopt, CommentSort::newest, std::nullopt, 50});
  EXPECT_TRUE(listed.comments.empty());
}

TEST_P(StoreContract, EveryCommentKnowsItsThreadsTopComment) {
  auto ana = account("ana@example.org", "Ana"), ben = account("ben@example.org", "Ben");
  auto article = store_->save_article(record("a-piece", 1700000000), false);
  auto top = comment(article.id, ana.id, "Top.");
  EXPECT_EQ(top.root_id, top.id);
  EXPECT_EQ(store_->find_comment(top.id)->root_id, top.id);
  auto reply = comment(article.id, ben.id, "Reply.", top.id);
  auto deeper = comment(article.id, ana.id, "Deeper.", reply.id);
  auto second = comment(article.id, ben.id, "Second top.");
  EXPECT_GT(second.id, deeper.id) << "ids keep growing";
  EXPECT_EQ(second.root_id, second.id);
  EXPECT_EQ(deeper.root_id, top.id);
  EXPECT_EQ(deeper.depth, 2);
  // Held and later published: the same root rule.
  auto held = comment(article.id, ana.id, "Held top.", std::nullopt, CommentStatus::pending);
  EXPECT_EQ(held.root_id, held.id);
  std::vector<std::string> replies;
  for (const auto& c : store_->list_thread_replies({top.id, second.id}, 10, 10)) replies.push_back(c.body_markdown);
  EXPECT_EQ(replies, (std::vector<std::string>{"Reply.", "Deeper."}));
}

TEST_P(StoreContract, ReactionsReportsAndPicksAreIdempotentPerReader) {
  auto ana = account("ana@example.org", "Ana"), ben = account("ben@example.org", "Ben");
  auto article = store_->save_article(record("a-piece", 1700000000), false);
  auto c = comment(article.id, ana.id, "Recommend me.");
  EXPECT_EQ(store_->set_reaction(c.id, ben.id, "recommend", true), 1);
  EXPECT_EQ(store_->set_reaction(c.id, ben.id, "recommend", true), 1);
  EXPECT_EQ(store_->reactions_by(ben.id, {c.id}), (std::vector<std::pair<int64_t, std::string>>{{c.id, "recommend"}}));
  EXPECT_EQ(store_->set_reaction(c.id, ben.id, "recommend", false), 0);
  EXPECT_EQ(store_->set_reaction(c.id, ben.id, "recommend", false), 0);
  EXPECT_TRUE(store_->add_report(c.id, ben.id, "spam", ""));
  EXPECT_FALSE(store_->add_report(c.id, ben.id, "abuse", "again")) << "one report per reader and comment";
  EXPECT_TRUE(store_->set_pick(c.id, true));
  EXPECT_TRUE(store_->find_comment(c.id)->picked);
  store_->delete_comment(c.id);
  EXPECT_FALSE(store_->set_pick(c.id, false)) << "only a published comment";
}

// --- SocialStore

TEST_P(StoreContract, FollowsIgnoresAndNotificationsFollowTheRules) {
  auto ana = account("ana@example.org", "Ana Ruiz"), ben = account("ben@example.org", "Ben"),
       cat = account("cat@example.org", "Cat");
  auto article = store_->save_article(record("a-piece", 1700000000), false);
  store_->set_follow(ben.id, ana.id, true);
  store_->set_follow(ben.id, ana.id, true);  // idempotent
  EXPECT_EQ(store_->follow_counts(ana.id).followers, 1);
  EXPECT_EQ(store_->follow_counts(ben.id).following, 1);
  EXPECT_EQ(tribune::testing::thrown_code([&] { store_->set_follow(ben.id, 999999, true); }), "not_found");
  store_->set_ignore(cat.id, ana.id, true);

  // Ana's comment: her follower Ben hears (followed_comment); Cat, mentioned but ignoring her, does not.
  NewComment n;
  n.article_id = article.id;
  n.author_id = ana.id;
  n.body_markdown = n.body_html = "Hello @Ben and @Cat";
  n.created_at = kEpoch;
  n.mentions = {mention_handle("Ben"), mention_handle("Cat")};
  auto saved = store_->add_comment(n);
  std::vector<std::pair<int64_t, std::string>> got;
  for (const auto& r : saved.notified) got.emplace_back(r.account_id, r.kind);
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::pair<int64_t, std::string>>{{ben.id, "mention"}})) << "one notice per reader";
  EXPECT_EQ(store_->unread_notifications(ben.id), 1);
  EXPECT_EQ(store_->unread_notifications(cat.id), 0);
  EXPECT_EQ(store_->followed_comments(ben.id, 0, 10).size(), 1u);

  // Ben replies to Ana: Ana hears; not Ben himself.
  auto reply = comment(article.id, ben.id, "Hi Ana.", saved.comment.id);
  auto notes = store_->notifications(ana.id, 0, 10);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].kind, "reply");
  EXPECT_EQ(notes[0].comment.id, reply.id);
  store_->mark_notifications_read(ana.id, notes[0].id);
  EXPECT_EQ(store_->unread_notifications(ana.id), 0);
  // A notice goes with its comment.
  store_->delete_comment(reply.id);
  EXPECT_TRUE(store_->notifications(ana.id, 0, 10).empty());

  store_->set_follow(ben.id, ana.id, false);
  EXPECT_EQ(store_->follow_counts(ana.id).followers, 0);
  EXPECT_TRUE(store_->followed_among(ben.id, {ana.id, cat.id}).empty());
}

// --- OutboxStore

TEST_P(StoreContract, TheOutboxLeasesMailSoThatNoTwoSendersTakeTheSame) {
  auto ana = account("ana@example.org", "Ana");
  store_->create_email_token(ana.id, EmailToken{"v1", "verify", kEpoch + 1h, "", ""},
                             OutboxMail{"ana@example.org", "One", "1"});
  store_->create_email_token(ana.id, EmailToken{"v2", "verify", kEpoch + 1h, "", ""},
                             OutboxMail{"ana@example.org", "Two", "2"});
  auto now = now_seconds();
  auto first = store_->claim_mail(now, 60s, 10);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_TRUE(store_->claim_mail(now, 60s, 10).empty()) << "leased";
  store_->mark_mail_sent(first[0].id, now);
  store_->mark_mail_failed(first[1].id, "421 try later", now + 120s);
  EXPECT_TRUE(store_->claim_mail(now + 90s, 60s, 10).empty()) << "the failed one waits for its retry time";
  auto retried = store_->claim_mail(now + 121s, 60s, 10);
  ASSERT_EQ(retried.size(), 1u);
  EXPECT_EQ(retried[0].id, first[1].id);
  EXPECT_EQ(retried[0].attempts, 1);
  auto stats = store_->outbox_stats();
  EXPECT_EQ(stats.sent, 1);
  EXPECT_EQ(stats.pending, 1);
}

// --- LedgerStore

TEST_P(StoreContract, AnAbandonedCheckoutIsMarkedSoButOneUnderWayIsNot) {
  NewContribution n;
  n.amount_minor = 700;
  n.currency = "GBP";
  n.interval = "once";
  n.created_at = kEpoch;
  auto never_started = store_->create_contribution(n);
  auto started = store_->create_contribution(n);
  store_->set_checkout_session(started.id, "cs_test_under_way");
  store_->abandon_checkout(never_started.id);
  store_->abandon_checkout(started.id);  // has its session: a reader may be paying it now
  ASSERT_TRUE(store_->find_contribution(never_started.id));
  EXPECT_EQ(store_->find_contribution(never_started.id)->status, "abandoned");
  ASSERT_TRUE(store_->find_contribution(started.id));
  EXPECT_EQ(store_->find_contribution(started.id)->checkout_session_id, "cs_test_under_way");
  EXPECT_EQ(store_->find_contribution(started.id)->status, "created");
  store_->abandon_checkout(never_started.id);  // again: nothing to do
}

TEST_P(StoreContract, APaymentEventAppliesOnceAndAnEarlyOneWaitsForItsContribution) {
  NewContribution n;
  n.amount_minor = 500;
  n.currency = "GBP";
  n.interval = "once";
  n.email = "giver@example.org";
  n.created_at = kEpoch;
  auto c = store_->create_contribution(n);
  store_->set_checkout_session(c.id, "cs_test_1");
  int thanked = 0;
  auto thank = [&](const Contribution& paid) -> std::optional<OutboxMail> {
    ++thanked;
    return OutboxMail{paid.email, "Thank you", "..."};
  };
  PaymentEvent paid;
  paid.event_id = "evt_1";
  paid.type = "checkout.session.completed";
  paid.created = 1700000100;
  paid.payload = R"({"id":"evt_1"})";
  paid.session_id = "cs_test_1";
  paid.status = "paid";
  paid.payment = PaymentEvent::Payment{"cs_test_1", 500, "GBP"};
  paid.money_arrived = true;
  EXPECT_EQ(store_->apply_payment_event(paid, thank), EventOutcome::applied);
  EXPECT_EQ(store_->apply_payment_event(paid, thank), EventOutcome::duplicate);
  EXPECT_EQ(thanked, 1);
  EXPECT_EQ(store_->find_contribution(c.id)->status, "paid");

  PaymentEvent early;
  early.event_id = "evt_early";
  early.type = "invoice.paid";
  early.created = 1700000200;
  early.payload = R"({"id":"evt_early"})";
  early.subscription_id = "sub_not_yet_known";
  EXPECT_EQ(store_->apply_payment_event(early, thank), EventOutcome::unmatched);
  auto kept = store_->unmatched_payment_events(10);
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].first, "evt_early");
}

// --- RateCounters

// The rules' read counts hits along with it where the engine shares its counts (one round trip), exactly as
// rate_hits counts them; a give-back uncounts one hit in the window it names, and only in that window.
TEST_P(StoreContract, TheRulesReadCountsHitsAlongAndAGiveBackUncountsOne) {
  ActivityQuery q;
  q.account_id = 424242;
  q.body = "Counted along.";
  q.same_text_since = TimePoint{};
  auto first = store_->author_activity(q, {{"comment:account:424242", 60s}, {"comment:ip:192.0.2.9", 60s}});
  EXPECT_EQ(first.activity.same_text, 0);
  if (!store_->rate_hit("probe", 60s)) {
    EXPECT_FALSE(first.counted) << "one process: the limiter counts in memory";
    return;
  }
  ASSERT_TRUE(first.counted);
  ASSERT_EQ(first.counted->size(), 2u);
  EXPECT_EQ((*first.counted)[0].count, 1);
  auto second = store_->author_activity(q, {{"comment:account:424242", 60s}});
  ASSERT_TRUE(second.counted);
  EXPECT_EQ(second.counted->front().count, 2);
  EXPECT_EQ(store_->rate_hit("comment:ip:192.0.2.9", 60s)->count, 2) << "counted as rate_hits counts";
  auto started = second.counted->front().started;
  store_->rate_give_back("comment:account:424242", started - 60s);  // another window: nothing
  EXPECT_EQ(store_->rate_hit("comment:account:424242", 60s)->count, 3);
  store_->rate_give_back("comment:account:424242", started);
  store_->rate_give_back("comment:account:424242", started);
  EXPECT_EQ(store_->rate_hit("comment:account:424242", 60s)->count, 2) << "3, two given back, one more hit";
}

TEST_P(StoreContract, RateWindowsCountAcrossProcessesOrDeferToTheProcess) {
  auto hit = store_->rate_hit("login:192.0.2.1", 60s);
  if (!hit) {
    // One process (SQLite): the limiter counts in memory, and says so for every key.
    EXPECT_FALSE(store_->rate_hits({{"a", 60s}, {"b", 60s}}));
    return;
  }
  EXPECT_EQ(hit->count, 1);
  EXPECT_EQ(store_->rate_hit("login:192.0.2.1", 60s)->count, 2);
  EXPECT_EQ(store_->rate_hit("login:192.0.2.2", 60s)->count, 1) << "keys count apart";
  auto many = store_->rate_hits({{"login:192.0.2.1", 60s}, {"other", 60s}});
  ASSERT_TRUE(many);
  EXPECT_EQ((*many)[0].count, 3);
  EXPECT_EQ((*many)[1].count, 1);
  store_->rate_reset("login:192.0.2.1");
  EXPECT_EQ(store_->rate_hit("login:192.0.2.1", 60s)->count, 1);
  // A sweep forgets windows that started before its cutoff, and only those.
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch());
  store_->rate_sweep(now - 1h);
  EXPECT_EQ(store_->rate_hit("login:192.0.2.2", 60s)->count, 2) << "a window of this minute stays";
  store_->rate_sweep(now + 1h);
  EXPECT_EQ(store_->rate_hit("login:192.0.2.2", 60s)->count, 1) << "swept, it starts afresh";
}

#include "domain/moderation_rules.h"

#include <gtest/gtest.h>

#include <chrono>

#include "model/error.h"

using namespace tribune;
using A = Verdict::Action;

TEST(ModerationRules, NormalisationUndoesTheUsualTricks) {
  auto n = [](std::string_view s) { return normalise_for_rules(s); };
  EXPECT_EQ(n("Buy CHEAP Pills!"), n("buy cheap pills"));
  EXPECT_EQ(n("s p a m and s.p.a.m"), n("spam pam and spam pam")) << "a spelled-out word, and its tails";
  EXPECT_EQ(n("sp4m fr33 c@sh"), n("spam free cash"));
  EXPECT_EQ(n("spa\u200Bm sp\u00ADam"), n("spam spam")) << "zero-width space, soft hyphen";
  EXPECT_EQ(n("\u202Emaps"), n("maps")) << "bidi override";
  EXPECT_EQ(n("s\u0440\u0430m"), n("spam")) << "Cyrillic look-alikes";
  EXPECT_EQ(n("Cre\u0300me bru\u0302le\u0301e"), n("creme brulee")) << "combining marks";
  EXPECT_EQ(n("\uFF53\uFF50\uFF41\uFF4D"), n("spam")) << "full-width letters";
  EXPECT_NE(n("spam"), n("spin"));
  EXPECT_NE(n("2026 was 42"), n("zoze was az")) << "numbers alone stay numbers";
}

TEST(ModerationRules, WordListsRejectOrHoldOnWholeWords) {
  RuleSettings s;
  s.banned_words = {"spam", "scam(mer)?s?"};
  s.suspect_words = {"idiot"};
  RulePipeline p(s);
  auto v = p.run({.text = "This is S P A M."});
  EXPECT_EQ(v.action, A::reject);
  EXPECT_EQ(v.rule, "banned_words");
  EXPECT_TRUE(v.nudge);
  EXPECT_NE(v.reason.find("(\"S P A M\")"), std::string::npos) << v.reason;
  // The reader is told the words, never the pattern's syntax (it said ("scam(mer)?s?")).
  auto disguised = p.run({.text = "Such sc4mmers."});
  EXPECT_EQ(disguised.action, A::reject);
  EXPECT_NE(disguised.reason.find("(\"sc4mmers\")"), std::string::npos) << disguised.reason;
  EXPECT_EQ(disguised.reason.find("(mer)"), std::string::npos) << disguised.reason;
  EXPECT_EQ(p.run({.text = "Spammed? Spamalot is a musical."}).action, A::publish) << "whole words only";
  auto held = p.run({.text = "What an id1ot."});
  EXPECT_EQ(held.action, A::hold);
  EXPECT_EQ(held.rule, "suspect_words");
}

TEST(ModerationRules, BadPatternsAreRefusedByName) {
  RuleSettings s;
  s.banned_words = {"fine", "bro(ken"};
  try {
    RulePipeline p(s);
    FAIL() << "a bad pattern was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "bad_pattern");
    EXPECT_NE(std::string(e.what()).find("bro(ken"), std::string::npos);
  }
  RuleSettings backtracking;
  backtracking.banned_words = {"(a+)+b"};  // catastrophic in a backtracking engine; linear in RE2
  RulePipeline p(backtracking);
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(p.run({.text = std::string(20000, 'a') + "c"}).action, A::publish);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  RuleSettings unknown;
  unknown.order = {"staff", "astrology"};
  EXPECT_THROW(RulePipeline{unknown}, Error);
}

TEST(ModerationRules, ThousandsOfEntriesStillMatch) {
  RuleSettings s;
  for (int i = 0; i < 5000; ++i) s.banned_words.push_back("badword" + std::to_string(i) + "x");
  RulePipeline p(s);
  EXPECT_EQ(p.run({.text = "we say badword4321x here"}).action, A::reject);
  EXPECT_EQ(p.run({.text = "we say badword here"}).action, A::publish);
}

TEST(ModerationRules, LinksNewReadersRepeatsStaffAndPremoderation) {
  RuleSettings s;
  s.max_links = 2;
  s.link_domains = {"promo.example"};
  s.hold_first_comments = 2;
  s.banned_words = {"spam"};
  RulePipeline p(s);
  Candidate regular{
      .text = "see https://a.example and https://b.example", .author_role = Role::reader, .author_published = 5};
  auto v = p.run(regular);
  EXPECT_EQ(v.action, A::publish);
  EXPECT_EQ(v.tags, std::vector<std::string>{"links"});
  regular.text += " and www.c.example";
  EXPECT_EQ(p.run(regular).rule, "links") << "more than two links";
  EXPECT_EQ(p.run({.text = "go to http://shop.PROMO.example/x", .author_published = 5}).action, A::hold)
      << "listed domain";
  EXPECT_EQ(p.run({.text = "hello", .author_published = 1}).rule, "new_reader");
  EXPECT_EQ(p.run({.text = "hello", .author_published = 2}).action, A::publish);
  EXPECT_EQ(p.run({.text = "hello", .author_published = 5, .same_text_recently = 2}).rule, "repeats");
  // Order: staff publish before any other rule looks; pre-moderation holds before the word lists.
  EXPECT_EQ(p.run({.text = "spam", .author_role = Role::moderator}).action, A::publish);
  EXPECT_EQ(p.run({.text = "spam", .article_premoderated = true, .author_published = 5}).rule, "premoderation");
  RuleSettings words_first = s;
  words_first.order = {"banned_words", "premoderation"};
  EXPECT_EQ(RulePipeline(words_first).run({.text = "spam", .article_premoderated = true}).rule, "banned_words");
}

TEST(ModerationRules, RejectionRateHoldsReadersModeratorsKeepRemoving) {
  RuleSettings s;
  s.rejection_rate = 0.5;
  s.rejection_min_decisions = 4;
  RulePipeline p(s);
  Candidate c{.text = "A comment."};
  c.recent_decisions = 3;
  c.recent_rejections = 3;
  EXPECT_EQ(p.run(c).action, A::publish) << "too few decisions to judge";
  c.recent_decisions = 4;
  c.recent_rejections = 2;
  auto v = p.run(c);
  EXPECT_EQ(v.action, A::hold);
  EXPECT_EQ(v.rule, "rejection_rate");
  c.recent_rejections = 1;
  EXPECT_EQ(p.run(c).action, A::publish);
}

TEST(ModerationRules, ClassifierScoreHoldsAboveTheThresholdOnly) {
  RuleSettings s;
  s.classifier_threshold = 0.9;
  RulePipeline p(s);
  Candidate c{.text = "Earn money fast"};
  EXPECT_EQ(p.run(c).action, A::publish) << "no score: no model yet, rules decide alone";
  c.spam_score = 0.89;
  EXPECT_EQ(p.run(c).action, A::publish);
  c.spam_score = 0.97;
  auto v = p.run(c);
  EXPECT_EQ(v.action, A::hold);
  EXPECT_EQ(v.rule, "classifier");
  EXPECT_NE(v.reason.find("0.97"), std::string::npos);
}

TEST(ModerationRules, PremoderatedReadersAreHeld) {
  RulePipeline p(RuleSettings{});
  Candidate c{.text = "Hello"};
  c.author_premoderated = true;
  auto v = p.run(c);
  EXPECT_EQ(v.action, A::hold);
  EXPECT_EQ(v.rule, "premoderation");
  c.author_role = Role::editor;
  EXPECT_EQ(p.run(c).action, A::publish) << "staff come first in the default order";
}

TEST(ModerationRules, ExternalRuleRunsInItsPlaceAndOnlyWhenReached) {
  RuleSettings s;
  s.order = {"banned_words", "external", "new_reader"};
  s.banned_words = {"spam"};
  s.hold_first_comments = 1;
  RulePipeline p(s);
  int calls = 0;
  ExternalCheck reject = [&](const Candidate&) -> std::optional<Verdict> {
    ++calls;
    Verdict v;
    v.action = A::reject;
    v.reason = "Off topic, says the service.";
    return v;
  };
  EXPECT_EQ(p.run({.text = "spam"}, reject).rule, "banned_words");
  EXPECT_EQ(calls, 0) << "an earlier decisive rule ends the run";
  auto v = p.run({.text = "fine"}, reject);
  EXPECT_EQ(v.action, A::reject);
  EXPECT_EQ(v.rule, "external");
  EXPECT_EQ(v.reason, "Off topic, says the service.");
  ExternalCheck none = [&](const Candidate&) -> std::optional<Verdict> { return std::nullopt; };
  EXPECT_EQ(p.run({.text = "fine"}, none).rule, "new_reader") << "no opinion: the next rule decides";
  EXPECT_EQ(p.run({.text = "fine"}).rule, "new_reader") << "not configured: skipped";
}

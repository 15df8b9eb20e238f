// The spam classifier: training and scoring round trip, its saved form, and its precision and recall on a
// labelled set held out from training (printed: these are the numbers docs/moderation.md reports).
#include "domain/classifier.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iostream>

#include "test_support.h"

using namespace tribune;

namespace {

struct Labelled {
  bool spam;
  std::string text;
};

std::vector<Labelled> load(const std::string& name) {
  std::ifstream in(tribune::testing::source_dir() + "/tests/data/" + name);
  std::vector<Labelled> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    out.push_back({line[0] == '1', line.substr(2)});
  }
  return out;
}

struct Scores {
  int tp = 0, fp = 0, fn = 0, tn = 0;
  double precision() const { return tp + fp ? double(tp) / (tp + fp) : 1.0; }
  double recall() const { return tp + fn ? double(tp) / (tp + fn) : 1.0; }
};

Scores evaluate(const SpamModel& m, const std::vector<Labelled>& set, double threshold) {
  Scores s;
  for (const auto& e : set) {
    bool held = m.score(e.text) >= threshold;
    (held ? (e.spam ? s.tp : s.fp) : (e.spam ? s.fn : s.tn))++;
  }
  return s;
}

}  // namespace

TEST(Classifier, LearnsFromExamplesAndScoresNewText) {
  SpamModel m;
  EXPECT_DOUBLE_EQ(m.score("anything"), 0.5) << "knows nothing yet";
  for (int i = 0; i < 5; ++i) {
    m.learn("Earn $500 a day from home, click http://cash.example now!!!", true);
    m.learn("Buy cheap pills online at http://pills.example", true);
    m.learn("The council budget deserves a proper debate.", false);
    m.learn("I disagree with the author about the rail timetable.", false);
  }
  EXPECT_EQ(m.examples(true), 10);
  EXPECT_EQ(m.examples(false), 10);
  EXPECT_GT(m.score("Earn cash from home, click http://cash.example"), 0.9);
  EXPECT_LT(m.score("I disagree about the council budget."), 0.1);
}

TEST(Classifier, SavedModelRoundTripsAndCorruptionIsDetected) {
  SpamModel m;
  m.learn("free money http://x.example", true);
  m.learn("a thoughtful reply about schools", false);
  m.trained_through = 42;
  auto blob = m.serialize();
  auto back = SpamModel::parse(blob);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->trained_through, 42);
  EXPECT_DOUBLE_EQ(back->score("free money"), m.score("free money"));
  EXPECT_DOUBLE_EQ(back->score("schools reply"), m.score("schools reply"));

  auto flipped = blob;
  flipped[blob.size() / 2] ^= 0x40;
  EXPECT_FALSE(SpamModel::parse(flipped)) << "a flipped bit fails the checksum";
  EXPECT_FALSE(SpamModel::parse(blob.substr(0, blob.size() - 3))) << "truncated";
  EXPECT_FALSE(SpamModel::parse("")) << "empty";
  EXPECT_FALSE(SpamModel::parse("not a model at all, just text")) << "wrong magic";
}

TEST(Classifier, PrecisionAndRecallOnHeldOutText) {
  auto all = load("labelled_comments.tsv");
  ASSERT_GT(all.size(), 1500u);
  // The file is shuffled: the first 70% trains, the last 30% is never seen in training.
  size_t cut = all.size() * 7 / 10;
  std::vector<Labelled> train(all.begin(), all.begin() + static_cast<long>(cut)),
      test(all.begin() + static_cast<long>(cut), all.end());
  SpamModel m;
  for (const auto& e : train) m.learn(e.text, e.spam);
  auto generated = evaluate(m, test, 0.9);
  auto hand = evaluate(m, load("labelled_comments_handwritten.tsv"), 0.9);
  std::cout << "classifier at threshold 0.9, trained on " << train.size() << " comments:\n"
            << "  held-out generated set (" << test.size() << "): precision " << generated.precision() << ", recall "
            << generated.recall() << " (tp " << generated.tp << ", fp " << generated.fp << ", fn " << generated.fn
            << ")\n"
            << "  hand-written set: precision " << hand.precision() << ", recall " << hand.recall() << " (tp "
            << hand.tp << ", fp " << hand.fp << ", fn " << hand.fn << ", tn " << hand.tn << ")\n";
  RecordProperty("precision", std::to_string(generated.precision()));
  RecordProperty("recall", std::to_string(generated.recall()));
  EXPECT_GE(generated.precision(), 0.97);
  EXPECT_GE(generated.recall(), 0.9);
  // Unseen phrasing is harder; a hold costs a moderator's glance, so precision matters most.
  EXPECT_GE(hand.precision(), 0.8);
  EXPECT_GE(hand.recall(), 0.75);
}

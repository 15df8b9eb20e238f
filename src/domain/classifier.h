// The spam and abuse classifier: a multinomial naive Bayes model over hashed word unigrams, word bigrams and
// character trigrams, trained by moderators' decisions (approve: wanted; reject or hide: spam or abuse). It
// runs offline, in microseconds, and needs no external service. Its score holds a comment for review; it
// never rejects on its own.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/roles/moderation.h"

namespace tribune {

class SpamModel {
 public:
  // The features of a text: hashed, each counted once per text (short texts say little twice).
  static std::vector<uint32_t> features(std::string_view text);

  void learn(std::string_view text, bool spam) { learn(features(text), spam); }
  void learn(const std::vector<uint32_t>& features, bool spam);
  // The probability that the text is spam or abuse, in [0, 1]; 0.5 when the model knows nothing.
  double score(std::string_view text) const;
  int64_t examples(bool spam) const { return docs_[spam ? 1 : 0]; }

  // The id of the last training example (audit log id) this model has learned, so that a saved model can be
  // brought up to date by learning only what came after.
  int64_t trained_through = 0;

  // A self-checking binary form (magic, version, checksum). parse() returns nullopt for anything else.
  std::string serialize() const;
  static std::optional<SpamModel> parse(std::string_view blob);

 private:
  std::unordered_map<uint32_t, std::array<uint32_t, 2>> counts_;  // feature -> (wanted, spam) documents
  std::array<uint64_t, 2> totals_{};                              // feature occurrences per class
  std::array<int64_t, 2> docs_{};                                 // documents per class
};

struct ClassifierSettings {
  double threshold = 0.9;  // hold at or above this score
  int min_examples = 20;   // of each class, before the score counts at all
};

// The model a server scores with, kept up to date from the store's training examples. Safe to use from
// any thread; scoring takes a shared lock for a few microseconds.
class Classifier {
 public:
  Classifier(ModerationStore& store, ClassifierSettings settings);

  // Loads the saved model and learns what came after it. A missing or corrupt model is logged and rebuilt
  // from the training examples; until then (or if the store fails) scores are absent and rules decide alone.
  void load();
  // Learns the examples recorded since the model's last one. Returns how many.
  int learn_new();
  // Saves the model when it learned something since the last save.
  void save_if_changed();

  // Absent while the model has fewer than min_examples of either class.
  std::optional<double> score(std::string_view text) const;
  const ClassifierSettings& settings() const { return settings_; }
  std::array<int64_t, 2> examples() const;

 private:
  ModerationStore& store_;
  ClassifierSettings settings_;
  mutable std::shared_mutex mu_;
  SpamModel model_;
  std::mutex learn_mu_;  // one learner at a time
  int64_t saved_through_ = 0;
};

}  // namespace tribune

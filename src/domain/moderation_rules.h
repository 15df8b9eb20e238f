// The moderation rule pipeline: every new comment passes these rules, in the configured order, before it
// is stored. A rule may publish, hold for review, reject with a reason, or tag; the first decisive rule
// (publish, hold, reject) ends the run; tags accumulate. Rules are pure functions of a Candidate, which the
// comments service fills from the store: the pipeline itself does no I/O, so it runs in microseconds.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/account.h"

namespace tribune {

// Text as the word rules see it: NFKC with case folding, accents and other combining marks removed,
// invisible characters (zero-width joiners, bidi controls, soft hyphens) removed, common digit-for-letter
// swaps undone ("sp4m" -> "spam"), letters spaced out to dodge filters joined again ("s p a m", "s.p.a.m"),
// and look-alike letters mapped to their prototypes (UTS #39 skeletons: Cyrillic "а" and Latin "a" agree).
// The result is for comparison only (a skeleton may spell "m" as "rn"): patterns go through it too.
std::string normalise_for_rules(std::string_view text);

struct RuleSettings {
  std::vector<std::string> order = {"staff",   "premoderation",  "banned_words", "suspect_words", "links",
                                    "repeats", "rejection_rate", "new_reader",   "classifier"};
  std::vector<std::string> banned_words;   // RE2 patterns, matched as whole words on normalised text: reject
  std::vector<std::string> suspect_words;  // the same: hold for review
  bool nudge_words = true;                 // tell the author first, so they can revise
  int max_links = 3;                       // more links than this: hold
  std::vector<std::string> link_domains;   // links to these domains (and their subdomains): hold
  int hold_first_comments = 0;             // a new reader's first N comments wait for review
  int max_repeats = 2;                     // the same text by one reader within an hour: more is rejected
  double rejection_rate = 0.5;             // hold a reader whose recent comments moderators rejected this often
  int rejection_min_decisions = 5;         // ... once at least this many were decided
  int rejection_window_days = 30;
  double classifier_threshold = 0.9;  // hold when the spam classifier's score is at least this
};

struct Candidate {
  std::string text;  // the Markdown as posted
  int64_t author_id = 0;
  std::string article_slug;
  Role author_role = Role::reader;
  bool article_premoderated = false;
  int64_t author_published = 0;      // the author's comments published so far
  int64_t same_text_recently = 0;    // the author's comments with this exact text in the last hour
  bool author_premoderated = false;  // a moderator put the reader on pre-moderation
  int64_t recent_decisions = 0;      // the author's recent comments moderators decided ...
  int64_t recent_rejections = 0;     // ... and how many of them they rejected or hid
  std::optional<double> spam_score;  // the classifier's score; absent while it has too little to go on
};

struct Verdict;
// The external rule's call (I/O, bounded by its own timeout); nullopt when it decides nothing.
using ExternalCheck = std::function<std::optional<Verdict>(const Candidate&)>;

struct Verdict {
  enum class Action { publish, hold, reject };
  Action action = Action::publish;
  std::string rule;    // the decisive rule ("" when none decided: published by default)
  std::string reason;  // for the author and the queue
  bool nudge = false;  // the author may revise before it applies
  std::vector<std::string> tags;
};

class RulePipeline {
 public:
  // Compiles every pattern with RE2. Throws Error(invalid, "bad_pattern") naming the first pattern that
  // does not compile, or Error(invalid, "unknown_rule") for an unknown name in the order.
  explicit RulePipeline(RuleSettings settings);
  ~RulePipeline();
  RulePipeline(RulePipeline&&) noexcept;

  Verdict run(const Candidate& c, const ExternalCheck& external = {}) const;
  bool uses(std::string_view rule) const;
  const RuleSettings& settings() const { return settings_; }

 private:
  struct Compiled;
  RuleSettings settings_;
  std::unique_ptr<Compiled> compiled_;
};

}  // namespace tribune

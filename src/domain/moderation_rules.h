// The moderation rule pipeline: every new comment passes these rules, in the configured order, before it
// is stored. A rule may publish, hold for review, reject with a reason, or tag; the first decisive rule
// (publish, hold, reject) ends the run; tags accumulate. Rules are pure functions of a Candidate, which the
// comments service fills from the store: the pipeline itself does no I/O, so it runs in microseconds.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tribune {

// Text as the word rules see it: NFKC with case folding, accents and other combining marks removed,
// invisible characters (zero-width joiners, bidi controls, soft hyphens) removed, common digit-for-letter
// swaps undone ("sp4m" -> "spam"), letters spaced out to dodge filters joined again ("s p a m", "s.p.a.m"),
// and look-alike letters mapped to their prototypes (UTS #39 skeletons: Cyrillic "а" and Latin "a" agree).
// The result is for comparison only (a skeleton may spell "m" as "rn"): patterns go through it too.
std::string normalise_for_rules(std::string_view text);

struct RuleSettings {
  std::vector<std::string> order = {"staff", "premoderation", "banned_words", "suspect_words", "links",
                                    "repeats", "new_reader"};
  std::vector<std::string> banned_words;   // RE2 patterns, matched as whole words on normalised text: reject
  std::vector<std::string> suspect_words;  // the same: hold for review
  bool nudge_words = true;                 // tell the author first, so they can revise
  int max_links = 3;                       // more links than this: hold
  std::vector<std::string> link_domains;   // links to these domains (and their subdomains): hold
  int hold_first_comments = 0;             // a new reader's first N comments wait for review
  int max_repeats = 2;                     // the same text by one reader within an hour: more is rejected
};

struct Candidate {
  std::string text;              // the Markdown as posted
  std::string author_role;       // reader, moderator, editor, admin
  bool article_premoderated = false;
  int64_t author_published = 0;  // the author's comments published so far
  int64_t same_text_recently = 0;  // the author's comments with this exact text in the last hour
};

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

  Verdict run(const Candidate& c) const;
  const RuleSettings& settings() const { return settings_; }

 private:
  struct Compiled;
  RuleSettings settings_;
  std::unique_ptr<Compiled> compiled_;
};

}  // namespace tribune

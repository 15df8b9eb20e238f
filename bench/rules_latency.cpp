// The moderation pipeline's own cost per comment, all rules on: 400 word patterns (banned and suspect) on
// normalised text, link limits with listed domains, repeats, rejection rate, new readers, and the spam
// classifier's score (trained on tests/data/labelled_comments.tsv). The external rule (network) and the
// store's reads (measured by post_comments.sh) are not included. Prints p50/p90/p99/max in microseconds.
//
// Run: build/release/tribune_bench_rules [tests/data/labelled_comments.tsv]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "domain/classifier.h"
#include "domain/moderation_rules.h"

using namespace tribune;

int main(int argc, char** argv) {
  std::string path = argc > 1 ? argv[1] : std::string(TRIBUNE_SOURCE_DIR) + "/tests/data/labelled_comments.tsv";
  std::ifstream in(path);
  std::vector<std::string> texts;
  SpamModel model;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    texts.push_back(line.substr(2));
    model.learn(texts.back(), line[0] == '1');
  }
  if (texts.empty()) {
    std::fprintf(stderr, "no labelled comments in %s\n", path.c_str());
    return 1;
  }
  // Long comments too: the pipeline must stay fast at the 20,000-byte limit.
  std::string longest;
  while (longest.size() < 19000) longest += texts[longest.size() % texts.size()] + "\n\n";
  texts.push_back(longest);

  RuleSettings s;
  for (int i = 0; i < 200; ++i) {
    s.banned_words.push_back("bannedterm" + std::to_string(i) + "s?");
    s.suspect_words.push_back("suspect(ed)? ?phrase" + std::to_string(i));
  }
  for (int i = 0; i < 20; ++i) s.link_domains.push_back("blocked" + std::to_string(i) + ".example");
  s.hold_first_comments = 3;
  RulePipeline pipeline(s);

  std::vector<double> micros;
  const int rounds = 20;
  micros.reserve(texts.size() * rounds);
  size_t held = 0;
  for (int r = 0; r < rounds; ++r)
    for (const auto& text : texts) {
      auto t0 = std::chrono::steady_clock::now();
      Candidate c{text, 1, "article", Role::reader};
      c.author_published = 10;
      c.recent_decisions = 2;
      c.spam_score = model.score(text);
      auto v = pipeline.run(c);
      auto t1 = std::chrono::steady_clock::now();
      held += v.action != Verdict::Action::publish;
      micros.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    }
  std::sort(micros.begin(), micros.end());
  auto at = [&](double q) { return micros[static_cast<size_t>(q * static_cast<double>(micros.size() - 1))]; };
  std::printf("moderation pipeline, all rules (400 patterns, 20 domains, classifier), %zu comments x %d rounds:\n",
              texts.size(), rounds);
  std::printf("  p50 %.1f us   p90 %.1f us   p99 %.1f us   max %.1f us   (target: p99 <= 1000 us)\n", at(0.5), at(0.9),
              at(0.99), micros.back());
  std::printf("  held or rejected: %zu of %zu\n", held, micros.size());
  return 0;
}

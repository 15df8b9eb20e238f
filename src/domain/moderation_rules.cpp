#include "domain/moderation_rules.h"

#include <re2/re2.h>
#include <re2/set.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/uspoof.h>

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "model/account.h"
#include "model/error.h"

namespace tribune {

namespace {

icu::UnicodeString skeleton(const icu::UnicodeString& u) {
  thread_local std::unique_ptr<USpoofChecker, decltype(&uspoof_close)> checker = [] {
    UErrorCode status = U_ZERO_ERROR;
    return std::unique_ptr<USpoofChecker, decltype(&uspoof_close)>(uspoof_open(&status), &uspoof_close);
  }();
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString out;
  if (checker) uspoof_getSkeletonUnicodeString(checker.get(), 0, u, out, &status);
  return U_SUCCESS(status) && checker ? out : u;
}

char32_t unleet(char32_t c) {
  switch (c) {
    case '0':
      return 'o';
    case '1':
      return 'i';
    case '3':
      return 'e';
    case '4':
      return 'a';
    case '5':
      return 's';
    case '7':
      return 't';
    case '@':
      return 'a';
    case '$':
      return 's';
    default:
      return c;
  }
}

}  // namespace

std::string normalise_for_rules(std::string_view text) {
  UErrorCode status = U_ZERO_ERROR;
  auto u = icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  const icu::Normalizer2* nfkc_cf = icu::Normalizer2::getNFKCCasefoldInstance(status);
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(status);
  if (U_FAILURE(status)) throw Error(ErrorKind::internal, "icu_failed", "normaliser unavailable");
  icu::UnicodeString folded = nfkc_cf->normalize(u, status);
  folded = nfd->normalize(folded, status);  // accents apart from their letters, to drop below
  if (U_FAILURE(status)) throw Error(ErrorKind::internal, "icu_failed", "normalising failed");
  // Letters and digits only, marks dropped, digit swaps undone inside words; everything else is a space.
  std::u32string chars;
  for (int32_t i = 0; i < folded.length();) {
    UChar32 cp = folded.char32At(i);
    i += U16_LENGTH(cp);
    if (u_charType(cp) == U_NON_SPACING_MARK || u_hasBinaryProperty(cp, UCHAR_DEFAULT_IGNORABLE_CODE_POINT)) continue;
    if (u_isalnum(cp) || cp == '@' || cp == '$')
      chars.push_back(static_cast<char32_t>(cp));
    else
      chars.push_back(U' ');
  }
  // Words: a digit or symbol swap counts as a letter when the word has letters ("sp4m", "fr33").
  std::vector<std::u32string> words;
  std::u32string word;
  auto flush = [&] {
    if (word.empty()) return;
    bool letters = std::any_of(word.begin(), word.end(), [](char32_t c) { return u_isalpha(static_cast<UChar32>(c)); });
    if (letters) std::transform(word.begin(), word.end(), word.begin(), unleet);
    word.erase(std::remove_if(word.begin(), word.end(), [](char32_t c) { return c == U'@' || c == U'$'; }), word.end());
    if (!word.empty()) words.push_back(word);
    word.clear();
  };
  for (char32_t c : chars) {
    if (c == U' ')
      flush();
    else
      word.push_back(c);
  }
  flush();
  // Runs of three or more one-character words are a word spelled out: "s p a m" -> "spam". Where the
  // spelled word starts is unknown ("what a s c a m": "a" may be the article), so every tail of the run of
  // three or more is emitted ("ascam scam cam"); runs are capped at 24 characters.
  std::u32string joined;
  for (size_t i = 0; i < words.size();) {
    size_t j = i;
    while (j < words.size() && words[j].size() == 1 && j - i < 24) ++j;
    if (j - i >= 3) {
      std::u32string run;
      for (size_t k = i; k < j; ++k) run.push_back(unleet(words[k][0]));
      for (size_t start = 0; start + 3 <= run.size(); ++start) {
        if (!joined.empty()) joined.push_back(U' ');
        joined += run.substr(start);
      }
      i = j;
      continue;
    }
    if (!joined.empty()) joined.push_back(U' ');
    joined += words[i];
    ++i;
  }
  icu::UnicodeString out;
  for (char32_t c : joined) out.append(static_cast<UChar32>(c));
  // Last, look-alikes to their prototypes (UTS #39 skeletons: Cyrillic "а" -> "a", but also "m" -> "rn"):
  // patterns go through the same function, so both sides agree whatever the prototypes look like.
  out = skeleton(out);
  out = nfkc_cf->normalize(out, status);
  if (U_FAILURE(status)) throw Error(ErrorKind::internal, "icu_failed", "normalising failed");
  std::string utf8;
  out.toUTF8String(utf8);
  return utf8;
}

struct RulePipeline::Compiled {
  std::unique_ptr<RE2::Set> banned, suspect;
  // Each pattern alone, capturing what it matched: the set says which pattern matched, this finds the words.
  std::vector<std::unique_ptr<RE2>> banned_each, suspect_each;
  RE2 link{R"((?i)\b(?:https?://|www\.)([a-z0-9.-]+))"};
};

namespace {

// A pattern's literal letters and digits go through the same normalisation as the text (so "scam" and
// "sc4m" meet as one spelling); its syntax (parentheses, ?, |, escapes like \b) is kept as written.
std::string normalise_pattern(const std::string& p) {
  std::string out, run;
  auto flush = [&] {
    if (!run.empty()) out += normalise_for_rules(run);
    run.clear();
  };
  for (size_t i = 0; i < p.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(p[i]);
    if (c == '\\' && i + 1 < p.size()) {  // an escape stays as written
      flush();
      out += p.substr(i, 2);
      ++i;
    } else if (std::isalnum(c) || c >= 0x80) {
      run += static_cast<char>(c);
    } else {
      flush();
      out += static_cast<char>(c);
    }
  }
  flush();
  return out;
}

// Every pattern must compile alone (so the error can name it); then all go into one set, matched at once.
std::unique_ptr<RE2::Set> compile_set(const std::vector<std::string>& patterns, std::vector<std::unique_ptr<RE2>>& each,
                                      const char* list) {
  if (patterns.empty()) return nullptr;
  RE2::Options options;
  options.set_log_errors(false);
  options.set_case_sensitive(false);
  auto set = std::make_unique<RE2::Set>(options, RE2::UNANCHORED);
  for (const auto& p : patterns) {
    std::string wrapped = "(?:^|\\s)(?:" + normalise_pattern(p) + ")(?:\\s|$)";
    auto alone = std::make_unique<RE2>(wrapped, options);
    if (!alone->ok() || p.empty())
      throw Error(ErrorKind::invalid, "bad_pattern",
                  std::string(list) + " pattern '" + p + "' is not a valid RE2 pattern" +
                      (alone->ok() ? std::string(": it is empty") : ": " + alone->error()),
                  list);
    std::string error;
    if (set->Add(wrapped, &error) < 0)
      throw Error(ErrorKind::invalid, "bad_pattern",
                  std::string(list).append(" pattern '").append(p).append("': ").append(error), list);
    each.push_back(std::move(alone));
  }
  if (!set->Compile())
    throw Error(ErrorKind::invalid, "bad_pattern", std::string(list) + ": too many patterns to compile", list);
  return set;
}

// The reader's own words that the first listed matching pattern matched: what the reader is told, never the
// pattern's syntax ("Sc4mmers", not "scam(mer)?s?"). The match is found in the normalised text, which does
// not map back to positions in the original, so the shortest run of the original's words (up to 8, within
// its first 4,000) whose normalisation the pattern matches is what is quoted. Runs only for a refusal.
std::string first_match(const RE2::Set* set, const std::vector<std::unique_ptr<RE2>>& each, const std::string& text,
                        std::string_view original) {
  if (!set) return {};
  std::vector<int> hits;
  if (!set->Match(text, &hits) || hits.empty()) return {};
  const RE2& pattern = *each[static_cast<size_t>(*std::min_element(hits.begin(), hits.end()))];
  std::vector<std::string_view> words;
  for (size_t i = 0; i < original.size() && words.size() < 4000;) {
    while (i < original.size() && std::isspace(static_cast<unsigned char>(original[i]))) ++i;
    size_t start = i;
    while (i < original.size() && !std::isspace(static_cast<unsigned char>(original[i]))) ++i;
    if (i > start) words.push_back(original.substr(start, i - start));
  }
  for (size_t n = 1; n <= 8; ++n)
    for (size_t i = 0; i + n <= words.size(); ++i) {
      std::string_view run(words[i].data(), static_cast<size_t>(words[i + n - 1].end() - words[i].begin()));
      if (!RE2::PartialMatch(" " + normalise_for_rules(run) + " ", pattern)) continue;
      while (!run.empty() && std::ispunct(static_cast<unsigned char>(run.front()))) run.remove_prefix(1);
      while (!run.empty() && std::ispunct(static_cast<unsigned char>(run.back()))) run.remove_suffix(1);
      if (!run.empty()) return std::string(run);
    }
  return "a listed word";
}

}  // namespace

RulePipeline::RulePipeline(RuleSettings settings)
    : settings_(std::move(settings)), compiled_(std::make_unique<Compiled>()) {
  static constexpr std::string_view known[] = {"staff",      "premoderation", "banned_words", "suspect_words",
                                               "links",      "repeats",       "new_reader",   "rejection_rate",
                                               "classifier", "external"};
  for (const auto& name : settings_.order)
    if (std::find(std::begin(known), std::end(known), name) == std::end(known))
      throw Error(ErrorKind::invalid, "unknown_rule", "Unknown moderation rule '" + name + "'.", "order");
  compiled_->banned = compile_set(settings_.banned_words, compiled_->banned_each, "banned_words");
  compiled_->suspect = compile_set(settings_.suspect_words, compiled_->suspect_each, "suspect_words");
  for (auto& d : settings_.link_domains)
    std::transform(d.begin(), d.end(), d.begin(), [](unsigned char c) { return std::tolower(c); });
}

RulePipeline::~RulePipeline() = default;
RulePipeline::RulePipeline(RulePipeline&&) noexcept = default;

bool RulePipeline::uses(std::string_view rule) const {
  return std::find(settings_.order.begin(), settings_.order.end(), rule) != settings_.order.end();
}

Verdict RulePipeline::run(const Candidate& c, const ExternalCheck& external) const {
  using A = Verdict::Action;
  Verdict v;
  std::string normalised;  // computed once, only if a word rule runs
  auto text = [&]() -> const std::string& {
    if (normalised.empty()) normalised = " " + normalise_for_rules(c.text) + " ";
    return normalised;
  };
  auto decide = [&v](A action, const std::string& rule, std::string reason, bool nudge = false) {
    v.action = action;
    v.rule = rule;
    v.reason = std::move(reason);
    v.nudge = nudge;
    return true;
  };
  for (const auto& rule : settings_.order) {
    bool decided = false;
    if (rule == "staff") {
      if (is_staff(c.author_role)) decided = decide(A::publish, rule, "Staff comments are published directly.");
    } else if (rule == "premoderation") {
      if (c.article_premoderated)
        decided = decide(A::hold, rule, "Comments on this article are read by a moderator first.");
      else if (c.author_premoderated)
        decided = decide(A::hold, rule, "A moderator reads your comments before they appear.");
    } else if (rule == "banned_words") {
      if (!compiled_->banned) continue;  // no list: no need to normalise the text
      if (auto word = first_match(compiled_->banned.get(), compiled_->banned_each, text(), c.text); !word.empty())
        decided = decide(A::reject, rule, "Your comment contains language we do not publish (\"" + word + "\").",
                         settings_.nudge_words);
    } else if (rule == "suspect_words") {
      if (!compiled_->suspect) continue;
      if (auto word = first_match(compiled_->suspect.get(), compiled_->suspect_each, text(), c.text); !word.empty())
        decided = decide(A::hold, rule, "A moderator will read your comment first: it contains \"" + word + "\".",
                         settings_.nudge_words);
    } else if (rule == "links") {
      int links = 0;
      re2::StringPiece input(c.text);
      std::string host;
      std::string blocked;
      while (RE2::FindAndConsume(&input, compiled_->link, &host)) {
        ++links;
        std::transform(host.begin(), host.end(), host.begin(), [](unsigned char ch) { return std::tolower(ch); });
        for (const auto& d : settings_.link_domains)
          if (host == d || (host.size() > d.size() && host.ends_with("." + d))) blocked = d;
      }
      if (!blocked.empty())
        decided = decide(A::hold, rule, "Links to " + blocked + " are read by a moderator first.");
      else if (links > settings_.max_links)
        decided = decide(
            A::hold, rule,
            "Comments with more than " + std::to_string(settings_.max_links) + " links are read by a moderator first.");
      else if (links > 0)
        v.tags.push_back("links");
    } else if (rule == "repeats") {
      if (c.same_text_recently >= settings_.max_repeats)
        decided = decide(A::reject, rule, "You have already posted this comment.");
    } else if (rule == "new_reader") {
      if (c.author_published < settings_.hold_first_comments)
        decided = decide(A::hold, rule, "A new reader's first comments are read by a moderator first.");
    } else if (rule == "rejection_rate") {
      if (c.recent_decisions >= settings_.rejection_min_decisions &&
          static_cast<double>(c.recent_rejections) >=
              settings_.rejection_rate * static_cast<double>(c.recent_decisions))
        decided =
            decide(A::hold, rule, "Several of your recent comments were removed, so a moderator reads new ones first.");
    } else if (rule == "classifier") {
      if (c.spam_score && *c.spam_score >= settings_.classifier_threshold) {
        char score[16];
        std::snprintf(score, sizeof score, "%.2f", *c.spam_score);
        decided = decide(A::hold, rule,
                         std::string("Our spam filter asked a moderator to read this first (score ") + score + ").");
      }
    } else if (rule == "external") {
      if (!external) continue;
      if (auto verdict = external(c)) {
        auto tags = std::move(v.tags);
        v = std::move(*verdict);
        v.rule = rule;
        v.tags.insert(v.tags.begin(), tags.begin(), tags.end());
        return v;
      }
    }
    if (decided) return v;
  }
  return v;
}

}  // namespace tribune

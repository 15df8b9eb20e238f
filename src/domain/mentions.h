// @mentions: "@AnaLima" in a comment names the reader whose display name folds to the same handle ("Ana
// Lima" -> "analima"). Handles ignore case, spaces and punctuation, so readers type names as they see them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/account.h"  // mention_handle

namespace tribune {

inline constexpr size_t kMaxMentions = 10;  // per comment: more is not a conversation, it is a mailing list

// A mention in plain text (no code in it): "@Ana.Lima" at `at`, `length` bytes with the "@", without a
// trailing "." or "-" (the end of a sentence), and its handle.
struct MentionSpan {
  size_t at = 0;
  size_t length = 0;
  std::string handle;
};
// The mention that starts at text[i] (an "@" not preceded by a letter or digit), or nullopt.
std::optional<MentionSpan> mention_at(std::string_view text, size_t i);

// The distinct handles mentioned in a comment's Markdown, in order, at most kMaxMentions. An "@" counts
// only at the start of a word (so "ana@example.org" is not a mention) and never inside `code`.
std::vector<std::string> extract_mentions(std::string_view markdown);

}  // namespace tribune

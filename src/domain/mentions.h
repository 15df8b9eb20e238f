// @mentions: "@AnaLima" in a comment names the reader whose display name folds to the same handle ("Ana
// Lima" -> "analima"). Handles ignore case, spaces and punctuation, so readers type names as they see them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tribune {

inline constexpr size_t kMaxMentions = 10;  // per comment: more is not a conversation, it is a mailing list

// Letters and digits of the name, case-folded (ICU); empty when the name has none.
std::string mention_handle(std::string_view display_name);

// The distinct handles mentioned in a comment's Markdown, in order, at most kMaxMentions. An "@" counts
// only at the start of a word (so "ana@example.org" is not a mention) and never inside `code`.
std::vector<std::string> extract_mentions(std::string_view markdown);

}  // namespace tribune

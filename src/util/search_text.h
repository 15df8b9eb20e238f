// Text as full-text search sees it. The same folding runs on what is indexed, on what a reader types and on
// what is highlighted, whichever engine searches, so "cafe" finds "Café" and "Zoe" finds "Zoë" on both.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace tribune {

// Calls f(begin, end) for each word of UTF-8 text, in order: a run of ASCII letters and digits and of
// non-ASCII characters other than punctuation and spaces (general punctuation, Latin-1 signs, CJK marks).
// Apostrophes and hyphens separate words, as both engines' tokenizers do.
void for_each_word(std::string_view text, const std::function<void(size_t begin, size_t end)>& f);

// One word folded: ASCII lowercased, Latin letters with diacritics to their base letters (æ to ae, ß to ss).
std::string fold_word(std::string_view word);

// The folded words of text, one space between each.
std::string fold_for_search(std::string_view text);

// The readable text of HTML: tags dropped (inline ones, <a>, <em>, <mark>..., join their words; block ones and
// line breaks become spaces), the entities Tribune's own
// renderer writes decoded, runs of white space made one space.
std::string text_of_html(std::string_view html);

}  // namespace tribune

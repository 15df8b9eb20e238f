#include "domain/mentions.h"

#include <algorithm>

namespace tribune {

namespace {

bool word_byte(unsigned char c) {
  return std::isalnum(c) || c == '_' || c >= 0x80;
}

}  // namespace

std::optional<MentionSpan> mention_at(std::string_view text, size_t i) {
  if (i >= text.size() || text[i] != '@') return std::nullopt;
  if (i > 0 && word_byte(static_cast<unsigned char>(text[i - 1]))) return std::nullopt;
  size_t end = i + 1;
  while (end < text.size() && end - i <= 64 &&
         (word_byte(static_cast<unsigned char>(text[end])) || text[end] == '.' || text[end] == '-'))
    ++end;
  // The length cap may stop inside a character: a link must not split one (its bytes would straddle </a>).
  while (end > i + 1 && end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  while (end > i + 1 && (text[end - 1] == '.' || text[end - 1] == '-')) --end;
  auto handle = mention_handle(text.substr(i + 1, end - i - 1));
  if (handle.empty()) return std::nullopt;
  return MentionSpan{i, end - i, std::move(handle)};
}

std::vector<std::string> extract_mentions(std::string_view text) {
  std::vector<std::string> out;
  bool in_code = false;
  for (size_t i = 0; i < text.size() && out.size() < kMaxMentions; ++i) {
    char c = text[i];
    if (c == '`') {
      while (i + 1 < text.size() && text[i + 1] == '`') ++i;  // a run of backticks opens or closes once
      in_code = !in_code;
      continue;
    }
    if (in_code) continue;
    auto m = mention_at(text, i);
    if (!m) continue;
    if (std::find(out.begin(), out.end(), m->handle) == out.end()) out.push_back(std::move(m->handle));
    i = m->at + m->length - 1;
  }
  return out;
}

}  // namespace tribune

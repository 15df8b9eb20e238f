// A line diff for the desk's revisions: what a save removed and added, line by line.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tribune {

struct DiffLine {
  enum class Kind { same, removed, added } kind = Kind::same;
  std::string text;
};
std::string_view to_string(DiffLine::Kind k);  // "same", "removed", "added"

// The lines of `before` and `after` in order, each marked same, removed (only in before) or added (only in
// after): a longest common subsequence of lines. Texts too long to compare line by line within the budget
// (lines(before) x lines(after) > 4 million) come back as every line of before removed, then every line of
// after added, which is still true, only less precise.
std::vector<DiffLine> diff_lines(std::string_view before, std::string_view after);

}  // namespace tribune

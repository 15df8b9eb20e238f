#include "domain/text_diff.h"

#include <cstdint>

namespace tribune {

namespace {

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

constexpr size_t kBudget = size_t{4} * 1000 * 1000;

}  // namespace

std::string_view to_string(DiffLine::Kind k) {
  switch (k) {
    case DiffLine::Kind::removed:
      return "removed";
    case DiffLine::Kind::added:
      return "added";
    case DiffLine::Kind::same:
      break;
  }
  return "same";
}

std::vector<DiffLine> diff_lines(std::string_view before, std::string_view after) {
  auto a = lines_of(before), b = lines_of(after);
  // Common head and tail first: an edit usually touches a few lines of a long text.
  size_t head = 0;
  while (head < a.size() && head < b.size() && a[head] == b[head]) ++head;
  size_t tail = 0;
  while (tail < a.size() - head && tail < b.size() - head && a[a.size() - 1 - tail] == b[b.size() - 1 - tail]) ++tail;
  std::vector<DiffLine> out;
  for (size_t i = 0; i < head; ++i) out.push_back({DiffLine::Kind::same, std::string(a[i])});
  size_t n = a.size() - head - tail, m = b.size() - head - tail;
  auto A = [&](size_t i) { return a[head + i]; };
  auto B = [&](size_t j) { return b[head + j]; };
  if (n * m > kBudget) {
    for (size_t i = 0; i < n; ++i) out.push_back({DiffLine::Kind::removed, std::string(A(i))});
    for (size_t j = 0; j < m; ++j) out.push_back({DiffLine::Kind::added, std::string(B(j))});
  } else {
    // lcs[i][j]: the longest common subsequence of A(i..) and B(j..).
    std::vector<uint32_t> lcs((n + 1) * (m + 1), 0);
    auto at = [&](size_t i, size_t j) -> uint32_t& { return lcs[i * (m + 1) + j]; };
    for (size_t i = n; i-- > 0;)
      for (size_t j = m; j-- > 0;)
        at(i, j) = A(i) == B(j) ? at(i + 1, j + 1) + 1 : std::max(at(i + 1, j), at(i, j + 1));
    size_t i = 0, j = 0;
    while (i < n && j < m) {
      if (A(i) == B(j)) {
        out.push_back({DiffLine::Kind::same, std::string(A(i))});
        ++i, ++j;
      } else if (at(i + 1, j) >= at(i, j + 1)) {
        out.push_back({DiffLine::Kind::removed, std::string(A(i++))});
      } else {
        out.push_back({DiffLine::Kind::added, std::string(B(j++))});
      }
    }
    for (; i < n; ++i) out.push_back({DiffLine::Kind::removed, std::string(A(i))});
    for (; j < m; ++j) out.push_back({DiffLine::Kind::added, std::string(B(j))});
  }
  for (size_t k = b.size() - tail; k < b.size(); ++k) out.push_back({DiffLine::Kind::same, std::string(b[k])});
  return out;
}

}  // namespace tribune

#include "domain/common_passwords.h"

#include <algorithm>

#include "util/embedded.h"

namespace tribune {

const std::vector<std::string_view>& common_passwords() {
  static const std::vector<std::string_view> list = [] {
    std::vector<std::string_view> out;
    std::string_view text = embedded::file("data/common-passwords.txt").value_or("");
    while (!text.empty()) {
      size_t end = text.find('\n');
      std::string_view line = text.substr(0, end);
      text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
      if (!line.empty() && line.front() != '#') out.push_back(line);
    }
    std::sort(out.begin(), out.end());  // sorted already; binary_search must not depend on the file's care
    return out;
  }();
  return list;
}

}  // namespace tribune

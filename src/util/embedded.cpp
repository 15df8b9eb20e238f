#include "util/embedded.h"

namespace tribune::embedded {

std::optional<std::string_view> file(std::string_view name) {
  const auto& all = files();
  auto it = all.find(name);
  if (it == all.end()) return std::nullopt;
  return it->second;
}

}  // namespace tribune::embedded

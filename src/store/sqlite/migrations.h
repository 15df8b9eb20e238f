// The SQLite schema as numbered steps. A step never changes once released; new steps are appended.
#pragma once

#include <string_view>
#include <vector>

namespace tribune::sqlite {

struct Migration {
  int version;
  std::string_view sql;
};

const std::vector<Migration>& migrations();

}  // namespace tribune::sqlite

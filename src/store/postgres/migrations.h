// The PostgreSQL schema as numbered steps, numbered like the SQLite engine's so that schema_version() means
// the same on both. A step never changes once released; new steps are appended (to both engines).
#pragma once

#include <string_view>
#include <vector>

namespace tribune::postgres {

struct Migration {
  int version;
  std::string_view sql;
};

const std::vector<Migration>& migrations();

}  // namespace tribune::postgres

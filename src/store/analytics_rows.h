// The dashboard's and the most-read lists' SQL, written once for both engines: statements use ?N
// placeholders (PostgreSQL's adapter turns them into $N) and every engine runs them through a Query.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <variant>
#include <vector>

#include "model/analytics.h"

namespace tribune::store_analytics {

using Value = std::variant<int64_t, std::string>;

// One result row, whatever the engine.
class Cells {
 public:
  virtual ~Cells() = default;
  virtual int64_t int64(int col) const = 0;
  virtual std::string text(int col) const = 0;
  virtual std::string bytes(int col) const = 0;  // a BLOB / BYTEA column's bytes
};

// Runs sql (with ?N placeholders) with params bound to ?1..?N, calling on_row for each row.
using Query = std::function<void(const std::string& sql, const std::vector<Value>& params,
                                 const std::function<void(const Cells&)>& on_row)>;

DashboardData dashboard(const DashboardQuery& q, const Query& run);

// Ids of listed pieces (published by `to`, not a story) with most views / most published comments in
// [from, to), at most limit.
std::vector<int64_t> most_read(int64_t from, int64_t to, int limit, const Query& run);
std::vector<int64_t> most_discussed(int64_t from, int64_t to, int limit, const Query& run);

// The visitor sketch rows merged with a batch's: registers to write, per day (read-modify-write inside the
// caller's transaction; PostgreSQL locks the rows first).
std::string merged_registers(const std::string& stored, const std::string& batch);

}  // namespace tribune::store_analytics

// Moving a publication between engines: a SQLite database copied whole into an empty PostgreSQL database.
// The one place that knows both engines' SQL; nothing else may use it to reach past the Store interface.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace tribune {

struct StoreCopyOptions {
  std::string sqlite_path;   // the source database file; it must exist
  std::string postgres_url;  // the target: postgresql://... or a libpq key=value string
  int batch_rows = 1000;     // rows per INSERT at most
};

struct TableCopyCount {
  std::string table;
  int64_t sqlite = 0;
  int64_t postgresql = 0;
  bool ok() const { return sqlite == postgresql; }
};

struct StoreCopyReport {
  std::vector<TableCopyCount> tables;  // in the order they were copied
  bool committed = false;              // false: some count differed and nothing was kept
};

// Called after each batch with the rows of `table` copied so far and the rows it holds in the source, and
// once more (finished = true) when the table is done, even when it is empty.
using CopyProgress = std::function<void(const std::string& table, int64_t done, int64_t total, bool finished)>;

// Brings both schemas up to date, then copies every table of the target's schema (except the engines' own
// bookkeeping) from the source, parents before children, in ONE PostgreSQL transaction: booleans from 0/1,
// BYTEA from blobs, everything else as it is. Each identity then continues after the largest copied id.
// Rows are counted on both sides before committing; when any count differs the transaction is rolled back
// and the report says committed = false.
// Errors (nothing written): Error(conflict, "target_not_empty") when the target holds any row other than the
// counter its schema seeds; Error(invalid, "schema_mismatch") when the two schemas differ in tables or
// columns; Error(not_found, "no_source") when sqlite_path does not exist; the engines' errors otherwise.
StoreCopyReport copy_sqlite_to_postgres(const StoreCopyOptions& options, const CopyProgress& progress);

}  // namespace tribune

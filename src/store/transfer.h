// A whole publication as one file, and back: `tribune export` and `tribune import tribune`. The format is
// JSON Lines, documented and versioned in docs/import-export.md: a header line, then one line per row,
// table by table in load order, rows in primary-key order, keys sorted, so that the same publication exports
// to the same bytes from either engine. Like copy.h, this knows both engines' SQL; nothing else may use it to
// reach past the Store interface.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "store/copy.h"

namespace tribune {

inline constexpr int kExportFormatVersion = 1;

struct TransferTarget {
  std::string sqlite_path;   // used when postgres_url is empty
  std::string postgres_url;  // postgresql://... or a libpq key=value string
};

struct TransferReport {
  std::vector<std::pair<std::string, int64_t>> tables;  // in file order, with their rows
  int64_t rows = 0;
};

// Writes every table of the store (migrated first) from one snapshot. Without with_secrets, what lets anyone
// in stays behind: password hashes and webhook secrets are written empty, and sessions, mail-link tokens and
// API tokens are left out. progress: per 1,000 rows and at each table's end.
TransferReport export_store(const TransferTarget& from, bool with_secrets, std::ostream& out,
                            const CopyProgress& progress);

// Loads an export into an empty store (migrated first to the export's schema version) in one transaction:
// a malformed line, a row of a table or column the schema does not have, a count that differs from the
// header's or a truncated file, and nothing is written.
// Errors: Error(invalid, "invalid_export") naming the line; Error(invalid, "schema_mismatch") when the export
// is of another schema version; Error(conflict, "target_not_empty"); the engines' errors otherwise.
TransferReport import_store(const TransferTarget& into, std::istream& in, const CopyProgress& progress);

}  // namespace tribune

// The SQLite engine: one database file in WAL mode, a pool of read-only connections for concurrent readers
// and a single writer thread that groups concurrent writes into one transaction and one fsync.
#pragma once

#include <memory>
#include <string>

#include "store/store.h"

namespace tribune {

struct SqliteOptions {
  std::string path;  // the database file; ":memory:" is not supported (readers need the file)
  int read_connections = 8;
  int max_batch = 256;  // writes carried by one commit at most
};

std::unique_ptr<Store> open_sqlite_store(const SqliteOptions& options);

}  // namespace tribune

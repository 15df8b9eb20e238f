// The PostgreSQL engine: a bounded pool of libpq connections; each write method is one transaction
// (READ COMMITTED, with row locks or conditional updates where a method's contract needs them), retried
// whole on serialization failures and deadlocks. Several Tribune processes or nodes may share one database.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "store/store.h"

namespace tribune {

struct PostgresOptions {
  std::string url;                                  // postgresql://... or a libpq key=value string
  int pool_size = 16;                               // connections at most
  std::chrono::milliseconds acquire_timeout{5000};  // a caller waits this long for a free connection
  // A streaming replica (hot standby) of that database; when set, public reads (articles, conversations,
  // profiles, reports) go there whenever it has replayed what the reading node has seen (pg.h, Database).
  std::string replica_url;
  // Threads (each with its own connection) that commit comments in batches (group_commit.h). One keeps a
  // PostgreSQL that shares its machine busiest; with cores to spare, 2-4 let a batch run while another commits.
  int comment_writers = 1;
  // How long a node may answer a session from memory (store/session_cache.h). Other nodes' changes reach it
  // by notification within milliseconds; this bounds what a silently broken notification connection can
  // hide. Zero: every lookup reads the database.
  std::chrono::milliseconds session_cache_max_age{1000};
};

// True for the URLs that select this engine: postgresql:// and postgres://.
bool is_postgres_url(std::string_view url);

// Connects once to check that the server can be reached (Error(unavailable) otherwise) and returns the store.
// A URL libpq cannot parse is Error(invalid, "invalid_store_url").
std::unique_ptr<Store> open_postgres_store(const PostgresOptions& options);

}  // namespace tribune

// The tables of a publication as both engines' catalogs describe them, for what moves rows between engines
// or out of them whole: `store copy` (copy.cpp), export and import (transfer.cpp). Private to store/.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/postgres/pg.h"
#include "store/sqlite/db.h"

namespace tribune::store_tables {

struct Column {
  std::string name;
  std::string type;  // PostgreSQL: information_schema's data_type (bigint, text, boolean, bytea); SQLite: declared
  bool identity = false;
};

struct Table {
  std::string name;
  std::vector<Column> columns;
  std::vector<std::string> key;  // the primary key's columns, in order
  // A PostgreSQL table with a BYTEA column (image renditions, hundreds of kilobytes a row): moved a few rows
  // at a time.
  bool holds_bytes() const;
};

// Each engine's own tables, not the publication's: PostgreSQL's applied steps and its shared rate-limit
// windows (SQLite counts those in memory), SQLite's internal tables (SQLite's engine keeps its version in
// PRAGMA user_version, which is not a table), and the search index (article_search and SQLite's FTS5 tables
// behind it): derived from the articles, rebuilt when a store opens.
bool bookkeeping(const std::string& table);

// The schema's first step seeds this table (the content_version counter); loaded rows replace it.
inline constexpr std::string_view kSeededTable = "counters";

// The publication's tables in the order rows can be loaded: parents before children by the foreign keys (a
// table referring to itself, a reply's parent comment, is satisfied by loading its rows in key order), and
// webhook_subscriptions last: the webhook triggers write events only for types some endpoint chose
// (store/webhook_events.h), so loading the other tables first invents no event and no delivery.
std::vector<Table> postgres_tables(pg::Connection& c);
std::vector<Table> sqlite_tables(sqlite::Db& db);

std::string join(const std::vector<std::string>& items);
// "a", "b" quoted, comma-separated.
std::string column_list(const Table& t);
// ORDER BY the primary key, text compared bytewise in both engines (PostgreSQL's collation would not).
std::string key_order(const Table& t, bool postgres);

int64_t postgres_count(pg::Connection& c, const std::string& table);
int64_t sqlite_count(sqlite::Db& db, const std::string& table);

// One multi-row INSERT into PostgreSQL; each parameter is cast to its column's type so that libpq's text
// (or, for BYTEA, binary) values are read as that type.
std::string insert_sql(const Table& t, int rows);
// New rows must get fresh ids: each identity continues after the largest loaded value.
void restart_identities(pg::Connection& c, const Table& t);

}  // namespace tribune::store_tables

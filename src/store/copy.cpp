#include "store/copy.h"

#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "model/error.h"
#include "store/postgres/pg.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/db.h"
#include "store/sqlite/sqlite_store.h"
#include "store/tables.h"

namespace tribune {
namespace {

using namespace store_tables;

// Both schemas are at the same version after migrating, so any difference is a defect in a migration: refuse
// rather than drop a column's data.
void check_same_schema(sqlite::Db& db, const std::vector<Table>& tables) {
  std::set<std::string> target, source;
  for (const auto& t : tables) target.insert(t.name);
  auto& list = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'");
  while (list.step())
    if (auto name = list.text(0); !bookkeeping(name)) source.insert(name);
  std::vector<std::string> differences;
  for (const auto& name : source)
    if (!target.contains(name)) differences.push_back("table " + name + " only in SQLite");
  for (const auto& name : target)
    if (!source.contains(name)) differences.push_back("table " + name + " only in PostgreSQL");
  for (const auto& t : tables) {
    if (!source.contains(t.name)) continue;
    std::set<std::string> source_columns, target_columns;
    auto& info = db.prepare("SELECT name FROM pragma_table_info(?)");
    info.bind(1, t.name);
    while (info.step()) source_columns.insert(info.text(0));
    for (const auto& col : t.columns) target_columns.insert(col.name);
    if (source_columns != target_columns) differences.push_back("columns of " + t.name);
  }
  if (!differences.empty())
    throw Error(ErrorKind::invalid, "schema_mismatch",
                "the SQLite and PostgreSQL schemas differ: " + join(differences));
}

pg::Param value(const sqlite::Statement& s, int col, const std::string& type) {
  sqlite3_stmt* st = s.raw();
  if (sqlite3_column_type(st, col) == SQLITE_NULL) return pg::Param(std::optional<int64_t>());
  if (type == "boolean") return pg::Param(sqlite3_column_int64(st, col) != 0);
  if (type == "bytea") {
    const auto* bytes = static_cast<const char*>(sqlite3_column_blob(st, col));
    return pg::Param::bytes(std::string_view(bytes, static_cast<size_t>(sqlite3_column_bytes(st, col))));
  }
  return pg::Param(s.text(col));
}

int64_t copy_table(sqlite::Db& db, pg::Connection& c, const Table& t, int batch_rows, const CopyProgress& progress) {
  const int64_t total = sqlite_count(db, t.name);
  const int width = static_cast<int>(t.columns.size());
  // PostgreSQL takes at most 65,535 parameters per statement.
  int per_batch = std::max(1, std::min(batch_rows, 65535 / width));
  // Rows with bytes in them (image renditions, up to a few megabytes each) go a few at a time, to keep each
  // statement, and the memory it needs on both sides, small.
  if (t.holds_bytes()) per_batch = std::min(per_batch, 8);
  auto& select = db.prepare("SELECT " + column_list(t) + " FROM " + pg::quote_identifier(t.name) + key_order(t, false));

  std::vector<pg::Param> params;
  params.reserve(static_cast<size_t>(per_batch) * static_cast<size_t>(width));
  int rows = 0;
  int64_t done = 0;
  auto flush = [&] {
    c.query(insert_sql(t, rows), params);
    done += rows;
    params.clear();
    rows = 0;
  };
  while (select.step()) {
    for (int i = 0; i < width; ++i) params.push_back(value(select, i, t.columns[static_cast<size_t>(i)].type));
    if (++rows == per_batch) {
      flush();
      if (progress) progress(t.name, done, total, false);
    }
  }
  if (rows > 0) flush();
  if (progress) progress(t.name, done, total, true);
  return done;
}

StoreCopyReport copy_in_transaction(sqlite::Db& db, pg::Connection& c, int batch_rows, const CopyProgress& progress) {
  auto tables = postgres_tables(c);
  check_same_schema(db, tables);

  // Nobody else may write to the target while it is checked and filled; readers may look.
  std::vector<std::string> quoted;
  quoted.reserve(std::size(tables));
  for (const auto& t : tables) quoted.push_back(pg::quote_identifier(t.name));
  c.exec("LOCK TABLE " + join(quoted) + " IN EXCLUSIVE MODE");
  std::vector<std::string> occupied;
  for (const auto& t : tables)
    if (t.name != kSeededTable && postgres_count(c, t.name) > 0) occupied.push_back(t.name);
  if (!occupied.empty())
    throw Error(ErrorKind::conflict, "target_not_empty",
                "the PostgreSQL database already holds data (in " + join(occupied) +
                    "); copy only into an empty database. Nothing was written.");
  c.exec("DELETE FROM " + pg::quote_identifier(std::string(kSeededTable)));

  for (const auto& t : tables) {
    copy_table(db, c, t, batch_rows, progress);
    restart_identities(c, t);
  }

  StoreCopyReport report;
  bool all_equal = true;
  for (const auto& t : tables) {
    TableCopyCount count{t.name, sqlite_count(db, t.name), postgres_count(c, t.name)};
    all_equal = all_equal && count.ok();
    report.tables.push_back(std::move(count));
  }
  if (all_equal) {
    c.exec("COMMIT");
    report.committed = true;
  } else {
    c.exec("ROLLBACK");
  }
  return report;
}

}  // namespace

StoreCopyReport copy_sqlite_to_postgres(const StoreCopyOptions& options, const CopyProgress& progress) {
  if (!std::filesystem::exists(options.sqlite_path))
    throw Error(ErrorKind::not_found, "no_source", "no SQLite database at " + options.sqlite_path);
  pg::check_conninfo(options.postgres_url);
  // Each engine brings its own schema up to date the way `tribune migrate` does; then both are at the same
  // version and the copy can go table by table, column by column.
  open_sqlite_store(SqliteOptions{options.sqlite_path})->migrate();
  open_postgres_store(PostgresOptions{options.postgres_url, 1})->migrate();

  sqlite::Db db(options.sqlite_path, true);
  // One read transaction: the counts and rows all come from one snapshot, even if a server writes meanwhile.
  db.exec("BEGIN");
  // On any error the connection is closed with the transaction open, and the server discards it: nothing is kept.
  pg::Connection c(options.postgres_url);
  c.exec("BEGIN");
  return copy_in_transaction(db, c, options.batch_rows, progress);
}

}  // namespace tribune

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

namespace tribune {
namespace {

struct Column {
  std::string name;
  std::string type;  // information_schema's data_type: bigint, text, boolean, bytea
  bool identity = false;
};

struct Table {
  std::string name;
  std::vector<Column> columns;
};

// Each engine's own tables, not the publication's: PostgreSQL's applied steps and its shared rate-limit
// windows (SQLite counts those in memory), SQLite's internal tables (SQLite's engine keeps its version in
// PRAGMA user_version, which is not a table).
bool bookkeeping(const std::string& table) {
  return table == "schema_migrations" || table == "rate_limits" || table.starts_with("sqlite_");
}

// The schema's first step seeds this table (the content_version counter); the source's rows replace it.
constexpr std::string_view kSeededTable = "counters";

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

std::string column_list(const Table& t) {
  std::string out;
  for (const auto& col : t.columns) out += (out.empty() ? "" : ", ") + pg::quote_identifier(col.name);
  return out;
}

std::vector<Table> target_tables(pg::Connection& c) {
  auto r = c.query(
      "SELECT c.table_name, c.column_name, c.data_type, c.is_identity FROM information_schema.columns c "
      "JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name "
      "WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' "
      "ORDER BY c.table_name, c.ordinal_position");
  std::vector<Table> tables;
  for (auto row : r) {
    std::string name = row.text(0);
    if (bookkeeping(name)) continue;
    if (tables.empty() || tables.back().name != name) tables.push_back(Table{name, {}});
    tables.back().columns.push_back(Column{row.text(1), row.text(2), row.text(3) == "YES"});
  }
  return tables;
}

// Parents before children, by the target's foreign keys. A table referring to itself (a reply's parent
// comment) is satisfied by copying its rows in id order: a parent is always older than its replies.
std::vector<Table> in_foreign_key_order(std::vector<Table> tables, pg::Connection& c) {
  std::set<std::string> names;
  for (const auto& t : tables) names.insert(t.name);
  auto r = c.query(
      "SELECT child.relname, parent.relname FROM pg_constraint k "
      "JOIN pg_class child ON child.oid = k.conrelid JOIN pg_class parent ON parent.oid = k.confrelid "
      "JOIN pg_namespace n ON n.oid = child.relnamespace WHERE k.contype = 'f' AND n.nspname = current_schema()");
  std::map<std::string, std::set<std::string>> parents;
  for (auto row : r) {
    std::string child = row.text(0), parent = row.text(1);
    if (child != parent && names.contains(parent)) parents[child].insert(parent);
  }
  std::vector<Table> ordered;
  std::set<std::string> placed;
  while (!tables.empty()) {
    auto ready = std::find_if(tables.begin(), tables.end(), [&](const Table& t) {
      return std::ranges::all_of(parents[t.name], [&](const std::string& p) { return placed.contains(p); });
    });
    if (ready == tables.end())
      throw Error(ErrorKind::internal, "foreign_key_cycle",
                  "the target's foreign keys form a cycle; cannot order the copy");
    placed.insert(ready->name);
    ordered.push_back(std::move(*ready));
    tables.erase(ready);
  }
  return ordered;
}

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

int64_t sqlite_count(sqlite::Db& db, const std::string& table) {
  auto& s = db.prepare("SELECT count(*) FROM " + pg::quote_identifier(table));
  s.step();
  return s.int64(0);
}

int64_t postgres_count(pg::Connection& c, const std::string& table) {
  return c.query("SELECT count(*) FROM " + pg::quote_identifier(table)).front().int64(0);
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

// One multi-row INSERT; each parameter is cast to its column's type so that libpq's text (or, for BYTEA,
// binary) values are read as that type.
std::string insert_sql(const Table& t, int rows) {
  std::string sql = "INSERT INTO " + pg::quote_identifier(t.name) + " (" + column_list(t) + ") VALUES ";
  int n = 0;
  for (int row = 0; row < rows; ++row) {
    sql += row == 0 ? "(" : ", (";
    for (size_t i = 0; i < t.columns.size(); ++i)
      sql += (i == 0 ? "$" : ", $") + std::to_string(++n) + "::" + t.columns[i].type;
    sql += ")";
  }
  return sql;
}

int64_t copy_table(sqlite::Db& db, pg::Connection& c, const Table& t, int batch_rows, const CopyProgress& progress) {
  const int64_t total = sqlite_count(db, t.name);
  const int width = static_cast<int>(t.columns.size());
  // PostgreSQL takes at most 65,535 parameters per statement.
  int per_batch = std::max(1, std::min(batch_rows, 65535 / width));
  // Rows with bytes in them (image renditions, up to a few megabytes each) go a few at a time, to keep each
  // statement, and the memory it needs on both sides, small.
  if (std::ranges::any_of(t.columns, [](const Column& col) { return col.type == "bytea"; }))
    per_batch = std::min(per_batch, 8);
  bool has_id = std::ranges::any_of(t.columns, [](const Column& col) { return col.name == "id"; });
  auto& select =
      db.prepare("SELECT " + column_list(t) + " FROM " + pg::quote_identifier(t.name) + (has_id ? " ORDER BY id" : ""));

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

// New rows must get fresh ids: each identity continues after the largest copied value.
void restart_identities(pg::Connection& c, const Table& t) {
  for (const auto& col : t.columns) {
    if (!col.identity) continue;
    c.query("SELECT setval(pg_get_serial_sequence($1, $2), coalesce((SELECT max(" + pg::quote_identifier(col.name) +
                ") FROM " + pg::quote_identifier(t.name) + "), 0) + 1, false)",
            {pg::quote_identifier(t.name), col.name});
  }
}

StoreCopyReport copy_in_transaction(sqlite::Db& db, pg::Connection& c, int batch_rows, const CopyProgress& progress) {
  auto tables = in_foreign_key_order(target_tables(c), c);
  // The webhook triggers write events only for types some endpoint chose (store/webhook_events.h): with the
  // subscriptions copied last, copying the source's rows invents no event and no delivery.
  std::stable_partition(tables.begin(), tables.end(), [](const Table& t) { return t.name != "webhook_subscriptions"; });
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

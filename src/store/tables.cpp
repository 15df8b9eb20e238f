#include "store/tables.h"

#include <algorithm>
#include <map>
#include <set>

#include "model/error.h"

namespace tribune::store_tables {

namespace {

using Parents = std::map<std::string, std::set<std::string>>;

std::vector<Table> in_load_order(std::vector<Table> tables, Parents parents) {
  std::vector<Table> ordered;
  std::set<std::string> placed;
  while (!tables.empty()) {
    auto ready = std::find_if(tables.begin(), tables.end(), [&](const Table& t) {
      return std::ranges::all_of(parents[t.name], [&](const std::string& p) { return placed.contains(p); });
    });
    if (ready == tables.end())
      throw Error(ErrorKind::internal, "foreign_key_cycle",
                  "the schema's foreign keys form a cycle; cannot order rows");
    placed.insert(ready->name);
    ordered.push_back(std::move(*ready));
    tables.erase(ready);
  }
  std::stable_partition(ordered.begin(), ordered.end(),
                        [](const Table& t) { return t.name != "webhook_subscriptions"; });
  return ordered;
}

}  // namespace

bool Table::holds_bytes() const {
  return std::ranges::any_of(columns, [](const Column& col) { return col.type == "bytea"; });
}

bool bookkeeping(const std::string& table) {
  return table == "schema_migrations" || table == "rate_limits" || table.starts_with("sqlite_") ||
         table.starts_with("article_search");  // derived: rebuilt when the store opens
}

std::vector<Table> postgres_tables(pg::Connection& c) {
  auto r = c.query(
      "SELECT c.table_name, c.column_name, c.data_type, c.is_identity FROM information_schema.columns c "
      "JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name "
      "WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' "
      "ORDER BY c.table_name, c.ordinal_position");
  std::vector<Table> tables;
  for (auto row : r) {
    std::string name = row.text(0);
    if (bookkeeping(name)) continue;
    if (tables.empty() || tables.back().name != name) tables.push_back(Table{name, {}, {}});
    tables.back().columns.push_back(Column{row.text(1), row.text(2), row.text(3) == "YES"});
  }
  std::map<std::string, Table*> by_name;
  for (auto& t : tables) by_name[t.name] = &t;
  for (auto row : c.query("SELECT t.relname, a.attname FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid "
                          "JOIN pg_namespace n ON n.oid = t.relnamespace JOIN LATERAL unnest(i.indkey) WITH "
                          "ORDINALITY k(attnum, pos) ON true JOIN pg_attribute a ON a.attrelid = t.oid AND "
                          "a.attnum = k.attnum WHERE i.indisprimary AND n.nspname = current_schema() "
                          "ORDER BY t.relname, k.pos"))
    if (auto it = by_name.find(row.text(0)); it != by_name.end()) it->second->key.push_back(row.text(1));
  Parents parents;
  for (auto row : c.query("SELECT child.relname, parent.relname FROM pg_constraint k "
                          "JOIN pg_class child ON child.oid = k.conrelid JOIN pg_class parent ON parent.oid = "
                          "k.confrelid JOIN pg_namespace n ON n.oid = child.relnamespace WHERE k.contype = 'f' AND "
                          "n.nspname = current_schema()")) {
    std::string child = row.text(0), parent = row.text(1);
    if (child != parent && by_name.contains(parent)) parents[child].insert(parent);
  }
  return in_load_order(std::move(tables), std::move(parents));
}

std::vector<Table> sqlite_tables(sqlite::Db& db) {
  std::vector<Table> tables;
  auto& list = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
  while (list.step())
    if (auto name = list.text(0); !bookkeeping(name)) tables.push_back(Table{name, {}, {}});
  list.reset();
  Parents parents;
  std::set<std::string> names;
  for (const auto& t : tables) names.insert(t.name);
  for (auto& t : tables) {
    auto& info = db.prepare("SELECT name, lower(type), pk FROM pragma_table_info(?1) ORDER BY cid");
    info.bind(1, t.name);
    std::vector<std::pair<int64_t, std::string>> key;
    while (info.step()) {
      t.columns.push_back(Column{info.text(0), info.text(1), false});
      if (info.int64(2) > 0) key.emplace_back(info.int64(2), info.text(0));
    }
    std::sort(key.begin(), key.end());
    for (auto& [pos, name] : key) t.key.push_back(name);
    auto& fks = db.prepare("SELECT \"table\" FROM pragma_foreign_key_list(?1)");
    fks.bind(1, t.name);
    while (fks.step())
      if (auto parent = fks.text(0); parent != t.name && names.contains(parent)) parents[t.name].insert(parent);
  }
  return in_load_order(std::move(tables), std::move(parents));
}

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

std::string key_order(const Table& t, bool postgres) {
  std::vector<std::string> parts, names = t.key;
  if (names.empty())
    for (const auto& c : t.columns) names.push_back(c.name);
  for (const auto& name : names) {
    auto col = std::find_if(t.columns.begin(), t.columns.end(), [&](const Column& c) { return c.name == name; });
    bool text = col != t.columns.end() && (col->type == "text" || col->type.starts_with("character"));
    parts.push_back(pg::quote_identifier(name) + (postgres && text ? " COLLATE \"C\"" : ""));
  }
  return parts.empty() ? std::string() : " ORDER BY " + join(parts);
}

int64_t postgres_count(pg::Connection& c, const std::string& table) {
  return c.query("SELECT count(*) FROM " + pg::quote_identifier(table)).front().int64(0);
}

int64_t sqlite_count(sqlite::Db& db, const std::string& table) {
  auto& s = db.prepare("SELECT count(*) FROM " + pg::quote_identifier(table));
  s.step();
  auto n = s.int64(0);
  s.reset();
  return n;
}

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

void restart_identities(pg::Connection& c, const Table& t) {
  for (const auto& col : t.columns) {
    if (!col.identity) continue;
    c.query("SELECT setval(pg_get_serial_sequence($1, $2), coalesce((SELECT max(" + pg::quote_identifier(col.name) +
                ") FROM " + pg::quote_identifier(t.name) + "), 0) + 1, false)",
            {pg::quote_identifier(t.name), col.name});
  }
}

}  // namespace tribune::store_tables

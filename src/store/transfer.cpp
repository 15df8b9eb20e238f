#include "store/transfer.h"

#include <sqlite3.h>

#include <algorithm>
#include <boost/json.hpp>
#include <functional>
#include <istream>
#include <map>
#include <memory>
#include <ostream>
#include <set>

#include "model/error.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"
#include "store/tables.h"
#include "util/text.h"

namespace tribune {
namespace {

using namespace store_tables;
namespace json = boost::json;

constexpr std::string_view kFormat = "tribune-export";
constexpr int64_t kProgressEvery = 1000;
constexpr int kCursorRows = 1000;

// What lets anyone in: left out (whole tables) or written empty (columns) unless secrets are asked for. The
// mail outbox holds sign-in, verification and reset links; a webhook endpoint's address often carries a token
// itself (chat services' incoming webhooks); Stripe's events may carry payment client secrets.
bool secret_table(const std::string& t) {
  return t == "sessions" || t == "email_tokens" || t == "api_tokens" || t == "mail_outbox";
}
bool secret_column(const std::string& t, const std::string& c) {
  return (t == "accounts" && c == "password_hash") ||
         (t == "webhook_endpoints" && (c == "secret" || c == "previous_secret" || c == "url")) ||
         (t == "stripe_events" && c == "payload");
}

json::value bytes_value(std::string_view bytes) {
  return json::object{{"base64", base64_encode(bytes)}};
}

bool uses_postgres(const TransferTarget& t) {
  return !t.postgres_url.empty();
}

// The store's schema version; migrated first only when asked (an import's empty target). An export reads
// the store as it is: a newer binary must not upgrade a schema under the nodes still serving it.
int schema_of(const TransferTarget& t, bool migrate) {
  std::unique_ptr<Store> store = uses_postgres(t) ? open_postgres_store(PostgresOptions{t.postgres_url, 1})
                                                  : open_sqlite_store(SqliteOptions{t.sqlite_path});
  if (migrate) store->migrate();
  return store->schema_version();
}

// --- Export

class Writer {
 public:
  Writer(std::ostream& out, bool secrets, const CopyProgress& progress)
      : out_(out), secrets_(secrets), progress_(progress) {}

  // The header, then every exported table's rows: count(table) in the snapshot, and each_rows(table, values,
  // emit) setting values (in the table's column order) and calling emit for each row, in key order.
  using EachRows = std::function<void(const Table&, std::vector<json::value>&, const std::function<void()>&)>;
  void tables(int schema, std::vector<Table> all, const std::function<int64_t(const Table&)>& count,
              const EachRows& each_rows) {
    if (!secrets_) std::erase_if(all, [](const Table& t) { return secret_table(t.name); });
    std::vector<int64_t> counts;
    counts.reserve(all.size());
    for (const auto& t : all) counts.push_back(count(t));
    header(schema, all, counts);
    for (size_t i = 0; i < all.size(); ++i) {
      const auto& t = all[i];
      auto order = sorted(t);
      std::vector<json::value> values(t.columns.size());
      each_rows(t, values, [&] { row(t, order, values, counts[i]); });
      table_done(t, counts[i]);
    }
  }

  TransferReport report() {
    out_.flush();
    if (!out_) throw Error(ErrorKind::unavailable, "write_failed", "the export could not be written (disk full?)");
    return report_;
  }

 private:
  void header(int schema, const std::vector<Table>& tables, const std::vector<int64_t>& counts) {
    json::array list;
    for (size_t i = 0; i < tables.size(); ++i) {
      list.push_back(json::object{{"name", tables[i].name}, {"rows", counts[i]}});
      report_.tables.emplace_back(tables[i].name, counts[i]);
    }
    json::object h{{"format", kFormat},
                   {"version", kExportFormatVersion},
                   {"schema", schema},
                   {"secrets", secrets_},
                   {"tables", std::move(list)}};
    out_ << json::serialize(h) << '\n';
  }

  // The table's columns by name, the order each row is written in.
  static std::vector<size_t> sorted(const Table& t) {
    std::vector<size_t> order(t.columns.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return t.columns[a].name < t.columns[b].name; });
    return order;
  }

  void row(const Table& t, const std::vector<size_t>& order, std::vector<json::value>& values, int64_t total) {
    json::object r;
    r.reserve(order.size());
    for (size_t i : order) {
      const auto& name = t.columns[i].name;
      if (!secrets_ && secret_column(t.name, name) && !values[i].is_null()) values[i] = "";
      r.emplace(name, std::move(values[i]));
    }
    out_ << json::serialize(json::object{{"table", t.name}, {"row", std::move(r)}}) << '\n';
    ++done_;
    ++report_.rows;
    if (progress_ && done_ % kProgressEvery == 0) progress_(t.name, done_, total, false);
  }

  void table_done(const Table& t, int64_t total) {
    if (progress_) progress_(t.name, done_, total, true);
    done_ = 0;
  }

  std::ostream& out_;
  bool secrets_;
  const CopyProgress& progress_;
  TransferReport report_;
  int64_t done_ = 0;
};

json::value sqlite_value(const sqlite::Statement& s, int col) {
  sqlite3_stmt* st = s.raw();
  switch (sqlite3_column_type(st, col)) {
    case SQLITE_NULL:
      return nullptr;
    case SQLITE_INTEGER:
      return sqlite3_column_int64(st, col);
    case SQLITE_FLOAT:
      return sqlite3_column_double(st, col);
    case SQLITE_BLOB:
      return bytes_value(std::string_view(static_cast<const char*>(sqlite3_column_blob(st, col)),
                                          static_cast<size_t>(sqlite3_column_bytes(st, col))));
    default:
      return json::string(s.text(col));
  }
}

TransferReport export_sqlite(const std::string& path, bool secrets, std::ostream& out, const CopyProgress& progress) {
  int schema = schema_of(TransferTarget{path, {}}, false);
  sqlite::Db db(path, true);
  db.exec("BEGIN");  // one snapshot: the counts and the rows agree even while a server writes
  Writer w(out, secrets, progress);
  w.tables(
      schema, sqlite_tables(db), [&](const Table& t) { return sqlite_count(db, t.name); },
      [&](const Table& t, std::vector<json::value>& values, const std::function<void()>& emit) {
        auto& select =
            db.prepare("SELECT " + column_list(t) + " FROM " + pg::quote_identifier(t.name) + key_order(t, false));
        while (select.step()) {
          for (size_t c = 0; c < values.size(); ++c) values[c] = sqlite_value(select, static_cast<int>(c));
          emit();
        }
      });
  db.exec("COMMIT");
  return w.report();
}

std::string unhex(std::string_view hex) {
  auto digit = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  std::string out(hex.size() / 2, '\0');
  for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<char>(digit(hex[2 * i]) * 16 + digit(hex[2 * i + 1]));
  return out;
}

json::value postgres_value(const pg::Row& r, int col, const std::string& type) {
  if (r.is_null(col)) return nullptr;
  if (type == "bigint" || type == "integer" || type == "smallint") return r.int64(col);
  if (type == "boolean") return r.boolean(col) ? 1 : 0;  // as SQLite keeps them
  if (type == "bytea") {
    auto text = r.text(col);  // "\x" and hex, PostgreSQL's text form
    return bytes_value(unhex(std::string_view(text).substr(2)));
  }
  return json::string(r.text(col));
}

TransferReport export_postgres(const std::string& url, bool secrets, std::ostream& out, const CopyProgress& progress) {
  int schema = schema_of(TransferTarget{{}, url}, false);
  pg::Connection c(url);
  c.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  c.exec("SET LOCAL bytea_output = 'hex'");  // what postgres_value decodes, whatever the server's default
  Writer w(out, secrets, progress);
  w.tables(
      schema, postgres_tables(c), [&](const Table& t) { return postgres_count(c, t.name); },
      [&](const Table& t, std::vector<json::value>& values, const std::function<void()>& emit) {
        // A cursor: a million comments never sit in memory at once.
        c.exec("DECLARE export_rows NO SCROLL CURSOR FOR SELECT " + column_list(t) + " FROM " +
               pg::quote_identifier(t.name) + key_order(t, true));
        for (;;) {
          auto batch = c.query("FETCH " + std::to_string(t.holds_bytes() ? 8 : kCursorRows) + " FROM export_rows");
          if (batch.empty()) break;
          for (auto row : batch) {
            for (size_t col = 0; col < values.size(); ++col)
              values[col] = postgres_value(row, static_cast<int>(col), t.columns[col].type);
            emit();
          }
        }
        c.exec("CLOSE export_rows");
      });
  c.exec("COMMIT");
  return w.report();
}

// --- Import

// Where rows go: one engine's transaction.
class Loader {
 public:
  virtual ~Loader() = default;
  virtual const std::vector<Table>& tables() const = 0;
  virtual void row(const Table& t, const json::object& r) = 0;
  virtual void end_table(const Table& t) = 0;
  virtual int64_t count(const std::string& table) = 0;
  virtual void commit() = 0;
};

std::vector<std::string> occupied_tables(const std::vector<Table>& tables,
                                         const std::function<int64_t(const std::string&)>& count) {
  std::vector<std::string> occupied;
  for (const auto& t : tables)
    if (t.name != kSeededTable && count(t.name) > 0) occupied.push_back(t.name);
  return occupied;
}

Error not_empty(const std::vector<std::string>& occupied) {
  return Error(ErrorKind::conflict, "target_not_empty",
               "the target store already holds data (in " + join(occupied) +
                   "); import only into an empty one. Nothing was written.");
}

class SqliteLoader final : public Loader {
 public:
  explicit SqliteLoader(const std::string& path) : db_(path, false) {
    db_.exec("BEGIN IMMEDIATE");
    db_.exec("PRAGMA defer_foreign_keys = ON");  // checked at the commit, when every row is in
    tables_ = sqlite_tables(db_);
    auto occupied = occupied_tables(tables_, [this](const std::string& t) { return sqlite_count(db_, t); });
    if (!occupied.empty()) throw not_empty(occupied);
    db_.exec("DELETE FROM " + pg::quote_identifier(std::string(kSeededTable)));
  }
  ~SqliteLoader() override {
    if (!committed_) try {
        db_.exec("ROLLBACK");
      } catch (const Error&) {  // closing the connection discards it anyway
      }
  }
  const std::vector<Table>& tables() const override { return tables_; }
  void row(const Table& t, const json::object& r) override {
    std::string sql = "INSERT INTO " + pg::quote_identifier(t.name) + " (" + column_list(t) + ") VALUES (";
    for (size_t i = 0; i < t.columns.size(); ++i) sql += (i ? ", ?" : "?") + std::to_string(i + 1);
    auto& st = db_.prepare(sql + ")");
    for (size_t i = 0; i < t.columns.size(); ++i) {
      const auto& v = r.at(t.columns[i].name);
      int at = static_cast<int>(i + 1);
      if (v.is_null())
        st.bind(at, nullptr);
      else if (v.is_int64())
        st.bind(at, v.as_int64());
      else if (v.is_string())
        st.bind(at, std::string_view(v.as_string()));
      else
        st.bind_blob(at, *base64_decode(v.as_object().at("base64").as_string()));
    }
    st.run();
  }
  void end_table(const Table&) override {}
  int64_t count(const std::string& table) override { return sqlite_count(db_, table); }
  void commit() override {
    db_.exec("COMMIT");
    committed_ = true;
  }

 private:
  sqlite::Db db_;
  std::vector<Table> tables_;
  bool committed_ = false;
};

class PostgresLoader final : public Loader {
 public:
  explicit PostgresLoader(const std::string& url) : c_(url) {
    c_.exec("BEGIN");
    tables_ = postgres_tables(c_);
    std::vector<std::string> quoted;
    for (const auto& t : tables_) quoted.push_back(pg::quote_identifier(t.name));
    c_.exec("LOCK TABLE " + join(quoted) + " IN EXCLUSIVE MODE");
    auto occupied = occupied_tables(tables_, [this](const std::string& t) { return postgres_count(c_, t); });
    if (!occupied.empty()) throw not_empty(occupied);
    c_.exec("DELETE FROM " + pg::quote_identifier(std::string(kSeededTable)));
  }
  const std::vector<Table>& tables() const override { return tables_; }
  void row(const Table& t, const json::object& r) override {
    for (const auto& col : t.columns) {
      const auto& v = r.at(col.name);
      if (v.is_null())
        params_.emplace_back(std::optional<int64_t>());
      else if (v.is_int64())
        params_.emplace_back(std::to_string(v.as_int64()));
      else if (v.is_string())
        params_.emplace_back(std::string(v.as_string()));
      else
        params_.push_back(pg::Param::bytes(*base64_decode(v.as_object().at("base64").as_string())));
    }
    ++rows_;
    int per_batch = std::max(1, std::min(t.holds_bytes() ? 8 : 1000, 65535 / static_cast<int>(t.columns.size())));
    if (rows_ >= per_batch) flush(t);
  }
  void end_table(const Table& t) override { flush(t); }
  int64_t count(const std::string& table) override { return postgres_count(c_, table); }
  void commit() override {
    for (const auto& t : tables_) restart_identities(c_, t);
    c_.exec("COMMIT");
  }

 private:
  void flush(const Table& t) {
    if (rows_ == 0) return;
    c_.query(insert_sql(t, rows_), params_);
    params_.clear();
    rows_ = 0;
  }

  pg::Connection c_;  // on any error it closes with the transaction open: the server discards it
  std::vector<Table> tables_;
  std::vector<pg::Param> params_;
  int rows_ = 0;
};

// A row's value must be what an export writes: null, an integer, text, or {"base64": ...} for bytes.
bool valid_value(const json::value& v) {
  if (v.is_null() || v.is_int64() || v.is_string()) return true;
  if (!v.is_object() || v.as_object().size() != 1) return false;
  auto* b = v.as_object().if_contains("base64");
  return b && b->is_string() && base64_decode(b->as_string()).has_value();
}

}  // namespace

TransferReport export_store(const TransferTarget& from, bool with_secrets, std::ostream& out,
                            const CopyProgress& progress) {
  return uses_postgres(from) ? export_postgres(from.postgres_url, with_secrets, out, progress)
                             : export_sqlite(from.sqlite_path, with_secrets, out, progress);
}

TransferReport import_store(const TransferTarget& into, std::istream& in, const CopyProgress& progress) {
  int64_t line_no = 0;
  std::string line;
  auto bad = [&](const std::string& why) {
    return Error(ErrorKind::invalid, "invalid_export", "line " + std::to_string(line_no) + ": " + why);
  };
  auto parse_line = [&]() -> std::optional<json::object> {
    if (!std::getline(in, line)) return std::nullopt;
    ++line_no;
    boost::system::error_code ec;
    auto v = json::parse(line, ec);
    if (ec || !v.is_object()) throw bad("not a JSON object");
    return std::move(v.as_object());
  };

  auto head = parse_line();
  if (!head) throw bad("the file is empty");
  auto* format = head->if_contains("format");
  if (!format || !format->is_string() || format->as_string() != kFormat) throw bad("not a Tribune export");
  auto* version = head->if_contains("version");
  if (!version || !version->is_int64() || version->as_int64() != kExportFormatVersion)
    throw bad("an export format this Tribune does not read (it reads version " + std::to_string(kExportFormatVersion) +
              ")");
  auto* schema = head->if_contains("schema");
  auto* listed = head->if_contains("tables");
  if (!schema || !schema->is_int64() || !listed || !listed->is_array()) throw bad("the header lacks schema or tables");
  std::vector<std::pair<std::string, int64_t>> expected;
  for (const auto& t : listed->as_array()) {
    auto* name = t.is_object() ? t.as_object().if_contains("name") : nullptr;
    auto* rows = t.is_object() ? t.as_object().if_contains("rows") : nullptr;
    if (!name || !name->is_string() || !rows || !rows->is_int64())
      throw bad("a table in the header lacks name or rows");
    expected.emplace_back(std::string(name->as_string()), rows->as_int64());
  }

  int target_schema = schema_of(into, true);
  if (schema->as_int64() != target_schema)
    throw Error(ErrorKind::invalid, "schema_mismatch",
                "the export is of schema version " + std::to_string(schema->as_int64()) + ", this Tribune's is " +
                    std::to_string(target_schema) + ": import it with the version that made it");

  std::unique_ptr<Loader> loader;
  if (uses_postgres(into))
    loader = std::make_unique<PostgresLoader>(into.postgres_url);
  else
    loader = std::make_unique<SqliteLoader>(into.sqlite_path);
  std::map<std::string, const Table*> by_name;
  for (const auto& t : loader->tables()) by_name[t.name] = &t;
  for (const auto& [name, rows] : expected)
    if (!by_name.contains(name)) throw bad("the header names a table this schema does not have: " + name);

  TransferReport report;
  size_t current = 0;  // index into expected of the table being read
  int64_t seen = 0;
  auto finish_table = [&] {
    const auto& [name, rows] = expected[current];
    if (seen != rows)
      throw bad(name + " has " + std::to_string(seen) + " rows where the header says " + std::to_string(rows));
    loader->end_table(*by_name[name]);
    if (progress) progress(name, seen, rows, true);
    report.tables.emplace_back(name, seen);
    ++current;
    seen = 0;
  };
  while (auto row_line = parse_line()) {
    auto* table = row_line->if_contains("table");
    auto* row = row_line->if_contains("row");
    if (!table || !table->is_string() || !row || !row->is_object()) throw bad("a row needs table and row");
    std::string name(table->as_string());
    while (current < expected.size() && expected[current].first != name) finish_table();
    if (current == expected.size()) throw bad("a row of " + name + ", which the header does not list here");
    const Table& t = *by_name[name];
    const auto& r = row->as_object();
    if (r.size() != t.columns.size()) throw bad(name + " rows have " + std::to_string(t.columns.size()) + " columns");
    for (const auto& col : t.columns) {
      auto* v = r.if_contains(col.name);
      if (!v) throw bad(name + " row without " + col.name);
      if (!valid_value(*v)) throw bad(name + "." + col.name + " holds a value an export never writes");
    }
    try {
      loader->row(t, r);
    } catch (const Error& e) {
      throw bad(e.message());
    }
    ++seen;
    ++report.rows;
    if (progress && seen % kProgressEvery == 0) progress(name, seen, expected[current].second, false);
  }
  if (current < expected.size() && seen < expected[current].second)
    throw bad("the file ends inside " + expected[current].first + ", after " + std::to_string(seen) + " of its " +
              std::to_string(expected[current].second) + " rows: it is cut short");
  while (current < expected.size()) finish_table();
  for (const auto& [name, rows] : expected)
    if (loader->count(name) != rows)
      throw Error(ErrorKind::internal, "count_mismatch", name + " holds a different count after loading; nothing kept");
  loader->commit();
  return report;
}

}  // namespace tribune

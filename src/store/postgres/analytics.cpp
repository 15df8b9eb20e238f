// Page-view counters and the dashboard's figures (store/roles/analytics.h) on PostgreSQL; the SQL is shared
// with SQLite (store/analytics_rows.h), its ?N placeholders made $N here.
#include "store/analytics_rows.h"
#include "store/postgres/engine.h"

namespace tribune::postgres {

namespace {

// BYTEA in text format, whichever the server's bytea_output: hex ("\x" and two digits a byte) or escape
// (printable bytes as they are, "\\" for a backslash, "\ooo" in octal for the rest).
std::string from_bytea(const std::string& text) {
  std::string out;
  if (text.starts_with("\\x")) {
    auto digit = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
    out.reserve((text.size() - 2) / 2);
    for (size_t i = 2; i + 1 < text.size(); i += 2)
      out.push_back(static_cast<char>(digit(text[i]) << 4 | digit(text[i + 1])));
    return out;
  }
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      out.push_back(text[i]);
    } else if (i + 1 < text.size() && text[i + 1] == '\\') {
      out.push_back('\\');
      ++i;
    } else if (i + 3 < text.size()) {
      out.push_back(static_cast<char>((text[i + 1] - '0') << 6 | (text[i + 2] - '0') << 3 | (text[i + 3] - '0')));
      i += 3;
    }
  }
  return out;
}

class PgCells : public store_analytics::Cells {
 public:
  explicit PgCells(const pg::Row& row) : row_(row) {}
  int64_t int64(int col) const override { return row_.is_null(col) ? 0 : row_.int64(col); }
  std::string text(int col) const override { return row_.text(col); }
  std::string bytes(int col) const override { return from_bytea(row_.text(col)); }

 private:
  const pg::Row& row_;
};

store_analytics::Query query_on(pg::Connection& db) {
  return [&db](const std::string& sql, const std::vector<store_analytics::Value>& params,
               const std::function<void(const store_analytics::Cells&)>& on_row) {
    std::string text = sql;
    for (size_t i = 0; i + 1 < text.size(); ++i)
      if (text[i] == '?' && text[i + 1] >= '0' && text[i + 1] <= '9') text[i] = '$';
    std::vector<pg::Param> values;
    for (const auto& p : params) {
      if (const auto* n = std::get_if<int64_t>(&p))
        values.emplace_back(static_cast<long long>(*n));
      else
        values.emplace_back(std::get<std::string>(p));
    }
    for (auto row : db.query(text, values)) on_row(PgCells(row));
  };
}

}  // namespace

void PostgresStore::record_traffic(const TrafficBatch& b) {
  write([&](pg::Connection& db) {
    for (const auto& v : b.views)
      db.query(
          "INSERT INTO article_views (hour, article_id, views) SELECT $1, id, $3 FROM articles WHERE slug = $2 "
          "ON CONFLICT (hour, article_id) DO UPDATE SET views = article_views.views + excluded.views",
          {static_cast<long long>(v.hour), v.slug, static_cast<long long>(v.views)});
    for (const auto& r : b.referrers)
      db.query(
          "INSERT INTO referrer_hours (hour, domain, views) VALUES ($1, $2, $3) ON CONFLICT (hour, domain) DO "
          "UPDATE SET views = referrer_hours.views + excluded.views",
          {static_cast<long long>(r.hour), r.domain, static_cast<long long>(r.views)});
    for (const auto& v : b.visitors) {
      // Nodes merge into one row: made if missing, then locked, read, merged and written back.
      db.query("INSERT INTO visitor_days (day, registers) VALUES ($1, $2) ON CONFLICT (day) DO NOTHING",
               {static_cast<long long>(v.day), pg::Param::bytes(v.registers)});
      auto stored =
          db.query("SELECT registers FROM visitor_days WHERE day = $1 FOR UPDATE", {static_cast<long long>(v.day)});
      std::string registers = from_bytea(stored.front().text(0));
      db.query(
          "UPDATE visitor_days SET registers = $2 WHERE day = $1",
          {static_cast<long long>(v.day), pg::Param::bytes(store_analytics::merged_registers(registers, v.registers))});
    }
  });
}

DashboardData PostgresStore::dashboard(const DashboardQuery& q) {
  return db_.read_replica([&](pg::Connection& db) { return store_analytics::dashboard(q, query_on(db)); });
}

std::vector<int64_t> PostgresStore::most_read(int64_t from, int64_t to, int limit) {
  return db_.read_replica(
      [&](pg::Connection& db) { return store_analytics::most_read(from, to, limit, query_on(db)); });
}

std::vector<int64_t> PostgresStore::most_discussed(int64_t from, int64_t to, int limit) {
  return db_.read_replica(
      [&](pg::Connection& db) { return store_analytics::most_discussed(from, to, limit, query_on(db)); });
}

}  // namespace tribune::postgres

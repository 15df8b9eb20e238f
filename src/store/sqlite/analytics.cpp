// Page-view counters and the dashboard's figures (store/roles/analytics.h) on SQLite; the SQL is shared with
// PostgreSQL (store/analytics_rows.h).
#include "store/analytics_rows.h"
#include "store/sqlite/engine.h"

namespace tribune::sqlite {

namespace {

class SqliteCells : public store_analytics::Cells {
 public:
  explicit SqliteCells(Statement& st) : st_(st) {}
  int64_t int64(int col) const override { return st_.int64(col); }
  std::string text(int col) const override { return st_.text(col); }
  std::string bytes(int col) const override { return st_.text(col); }

 private:
  Statement& st_;
};

store_analytics::Query query_on(Db& db) {
  return [&db](const std::string& sql, const std::vector<store_analytics::Value>& params,
               const std::function<void(const store_analytics::Cells&)>& on_row) {
    auto& st = db.prepare(sql);
    for (size_t i = 0; i < params.size(); ++i) {
      int index = static_cast<int>(i + 1);
      if (const auto* n = std::get_if<int64_t>(&params[i]))
        st.bind(index, *n);
      else
        st.bind(index, std::get<std::string>(params[i]));
    }
    SqliteCells cells(st);
    while (st.step()) on_row(cells);
    st.reset();
  };
}

}  // namespace

void SqliteStore::record_traffic(const TrafficBatch& b) {
  writer_.run([&](Db& db) {
    for (const auto& v : b.views)
      db.prepare(
            "INSERT INTO article_views (hour, article_id, views) SELECT ?1, id, ?3 FROM articles WHERE slug = ?2 "
            "ON CONFLICT (hour, article_id) DO UPDATE SET views = views + excluded.views")
          .bind(1, v.hour)
          .bind(2, v.slug)
          .bind(3, v.views)
          .run();
    for (const auto& r : b.referrers)
      db.prepare(
            "INSERT INTO referrer_hours (hour, domain, views) VALUES (?1, ?2, ?3) ON CONFLICT (hour, domain) DO "
            "UPDATE SET views = views + excluded.views")
          .bind(1, r.hour)
          .bind(2, r.domain)
          .bind(3, r.views)
          .run();
    for (const auto& v : b.visitors) {
      auto& st = db.prepare("SELECT registers FROM visitor_days WHERE day = ?1");
      st.bind(1, v.day);
      std::string stored = st.step() ? st.text(0) : std::string();
      st.reset();
      db.prepare("INSERT OR REPLACE INTO visitor_days (day, registers) VALUES (?1, ?2)")
          .bind(1, v.day)
          .bind_blob(2, store_analytics::merged_registers(stored, v.registers))
          .run();
    }
  });
}

DashboardData SqliteStore::dashboard(const DashboardQuery& q) {
  return readers_.with([&](Db& db) { return store_analytics::dashboard(q, query_on(db)); });
}

std::vector<int64_t> SqliteStore::most_read(int64_t from, int64_t to, int limit) {
  return readers_.with([&](Db& db) { return store_analytics::most_read(from, to, limit, query_on(db)); });
}

std::vector<int64_t> SqliteStore::most_discussed(int64_t from, int64_t to, int limit) {
  return readers_.with([&](Db& db) { return store_analytics::most_discussed(from, to, limit, query_on(db)); });
}

}  // namespace tribune::sqlite

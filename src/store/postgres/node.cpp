#include <spdlog/spdlog.h>

#include "store/postgres/engine.h"

namespace tribune::postgres {

// NOTIFY outside any transaction: delivered at once, to every session listening (this process's own
// listener included: receivers skip their own messages by content).
void PostgresStore::publish(std::string_view message) {
  if (message.size() > kMaxMessageBytes)
    throw Error(ErrorKind::invalid, "message_too_large",
                "A message between nodes is at most " + std::to_string(kMaxMessageBytes) + " bytes.");
  db_.read([&](Connection& c) { c.query("SELECT pg_notify($1, $2)", {kChannel, message}); });
}

void PostgresStore::listen(std::function<void(std::string_view)> on_message, std::function<void()> on_gap) {
  std::lock_guard lock(listen_mu_);
  listener_.reset();
  listener_ = std::make_unique<pg::Listener>(url_, kChannel, std::move(on_message), std::move(on_gap));
  // A node starts serving once it hears other nodes' changes, or after 5 s without (then the first LISTEN
  // drops whatever it cached meanwhile).
  if (!listener_->wait_listening(std::chrono::seconds(5)))
    spdlog::warn("live updates across nodes: not listening yet; serving, and dropping page caches once listening");
}

void PostgresStore::stop_listening() {
  std::lock_guard lock(listen_mu_);
  listener_.reset();
}

// Kept with or without a replica here: this node's messages carry positions for nodes that read from one.
uint64_t PostgresStore::known_position() {
  return db_.known_position();
}

void PostgresStore::heard_position(uint64_t p) {
  db_.heard_position(p);
}

void PostgresStore::sync_position() {
  db_.heard_position(
      pg::parse_lsn(db_.read([](Connection& c) { return c.exec_value("SELECT pg_current_wal_insert_lsn()"); })));
}

// Every write is its own transaction (PostgreSQL groups concurrent WAL flushes itself), so commits and
// writes are equal here.
// One statement, so atomic without a transaction: every node counts in the same row.
std::optional<RateWindow> PostgresStore::rate_hit(const std::string& key, std::chrono::milliseconds window) {
  return rate_hits({{key, window}})->front();
}

// One statement for all keys (one atomic upsert each, as data-modifying CTEs in key order, so that two
// statements lock shared keys in the same order), committed asynchronously: every node counts in the same
// rows.
std::optional<std::vector<RateWindow>> PostgresStore::rate_hits(const std::vector<RateKey>& keys) {
  if (keys.empty()) return std::vector<RateWindow>{};
  int64_t now =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  std::vector<size_t> order(keys.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return keys[a].key < keys[b].key; });
  std::vector<Param> ps{now};
  std::string sql = "WITH ";
  for (size_t n = 0; n < order.size(); ++n) {
    const auto& k = keys[order[n]];
    ps.emplace_back(k.key);
    std::string key = "$" + std::to_string(ps.size());
    ps.emplace_back(static_cast<int64_t>(k.window.count()));
    std::string expired = "rate_limits.window_start <= $1 - $" + std::to_string(ps.size());
    sql.append(n ? ", h" : "h").append(std::to_string(n));
    sql.append(" AS (INSERT INTO rate_limits (key, window_start, count) VALUES (").append(key);
    sql.append(", $1, 1) ON CONFLICT (key) DO UPDATE SET window_start = CASE WHEN ").append(expired);
    sql.append(" THEN $1 ELSE rate_limits.window_start END, count = CASE WHEN ").append(expired);
    sql.append(" THEN 1 ELSE rate_limits.count + 1 END RETURNING ").append(std::to_string(order[n]));
    sql.append(" AS i, count, window_start)");
  }
  // A count lost to a server crash costs nothing, so these commits do not wait for their WAL flush: every
  // request of one reader or address upserts the same row, and its lock is held until the commit returns.
  sql += " SELECT u.* FROM (";
  for (size_t n = 0; n < order.size(); ++n)
    sql += (n ? " UNION ALL SELECT * FROM h" : "SELECT * FROM h") + std::to_string(n);
  sql += ") AS u, (SELECT set_config('synchronous_commit', 'off', true)) AS async";
  std::vector<RateWindow> out(keys.size());
  db_.read([&](Connection& c) {
    for (auto row : c.query(sql, ps))
      out.at(static_cast<size_t>(row.int64(0))) = RateWindow{row.int64(1), std::chrono::milliseconds(row.int64(2))};
  });
  return out;
}

void PostgresStore::rate_sweep(std::chrono::milliseconds before) {
  db_.read([&](Connection& c) { c.query("DELETE FROM rate_limits WHERE window_start < $1", {before.count()}); });
}

void PostgresStore::rate_reset(const std::string& key) {
  db_.read([&](Connection& c) { c.query("DELETE FROM rate_limits WHERE key = $1", {key}); });
}

}  // namespace tribune::postgres

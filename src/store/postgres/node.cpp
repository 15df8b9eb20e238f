#include <spdlog/spdlog.h>

#include <exception>
#include <map>
#include <string>
#include <vector>

#include "store/postgres/engine.h"

namespace tribune::postgres {

// NOTIFY outside any transaction, from the messenger's thread: messages queued while one NOTIFY is on its way
// go together in the next, joined by newlines (a message has none; the listener splits them), so that a busy
// node sends one notification for many changes. Every session listening gets them, this process's own
// listener included: receivers skip their own messages by content.
void PostgresStore::publish(std::string_view message) {
  if (message.size() > kMaxMessageBytes)
    throw Error(ErrorKind::invalid, "message_too_large",
                "A message between nodes is at most " + std::to_string(kMaxMessageBytes) + " bytes.");
  if (message.find_first_of(std::string_view("\n\0", 2)) != std::string_view::npos)
    throw Error(ErrorKind::invalid, "message_has_newline", "A message between nodes is one line of text.");
  messenger_.push(std::string(message));
}

void PostgresStore::send_messages(Connection& c, std::vector<std::string>& batch) {
  constexpr size_t kMaxPayload = 7999;  // PostgreSQL's NOTIFY takes payloads shorter than 8,000 bytes
  std::vector<std::string> payloads;
  for (const auto& m : batch) {
    if (payloads.empty() || payloads.back().size() + 1 + m.size() > kMaxPayload)
      payloads.push_back(m);
    else
      payloads.back().append(1, '\n').append(m);
  }
  // In order: one statement, one transaction, the notifications queued as unnest lists them. (PostgreSQL
  // delivers identical payloads of one transaction once: every message names its node and differs from the
  // others of its batch, or, if it repeats one, says nothing more.)
  c.query("SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p", {kChannel, Param::text_array(payloads)});
}

void PostgresStore::messages_lost(std::vector<std::string>& batch, const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& error) {
    // The changes are committed; other nodes' pages catch up on their next cache refresh.
    spdlog::warn("could not tell the other nodes about {} changes: {}", batch.size(), error.what());
  }
}

void PostgresStore::listen(std::function<void(std::string_view)> on_message, std::function<void()> on_gap) {
  std::lock_guard lock(listen_mu_);
  listener_.reset();
  listener_ = std::make_unique<pg::Listener>(
      url_, pg::ListenerOptions{.channel = kChannel, .on_message = std::move(on_message), .on_gap = std::move(on_gap)});
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

// Rate-limit hits of concurrent requests go to PostgreSQL together (the rate counter's thread): one upsert for
// every key they hit, each key's count raised by its number of hits, so that every node counts in the same rows
// and every hit gets a count of its own.
std::optional<RateWindow> PostgresStore::rate_hit(const std::string& key, std::chrono::milliseconds window) {
  return rate_hits({{key, window}})->front();
}

std::optional<std::vector<RateWindow>> PostgresStore::rate_hits(const std::vector<RateKey>& keys) {
  if (keys.empty()) return std::vector<RateWindow>{};
  return rate_counter_.ask({keys, {}}, wait_);
}

void PostgresStore::rate_give_back(const std::string& key, std::chrono::milliseconds started) {
  RateRequest r;
  r.keys.push_back({key, {}});
  r.give_back = started;
  // Waited for, so that the reader's next request sees the room it makes.
  rate_counter_.ask(std::move(r), wait_);
}

// The batch's give-backs first (they make room), then its hits in one upsert. A give-back is sent at most once:
// it leaves the batch before its statement, so that a batch run again (a lost connection, a deadlock in the
// upsert) never gives one back twice; one whose statement fails is lost, and its window stays a hit fuller.
void PostgresStore::count_hits(Connection& c, std::vector<RateRequest>& batch) {
  std::vector<RateRequest> backs;
  for (auto& r : batch)
    if (r.give_back) backs.push_back(std::move(r));
  std::erase_if(batch, [](const RateRequest& r) { return r.give_back.has_value(); });
  if (!backs.empty()) {
    std::vector<std::string> keys;
    std::vector<int64_t> starts;
    for (const auto& r : backs) {
      keys.push_back(r.keys.front().key);
      starts.push_back(r.give_back->count());
    }
    // Rows locked in key order, as the upsert locks them (no deadlock with another node's statement).
    static const std::string sql = R"SQL(
WITH g AS (SELECT key, started, count(*) AS n FROM unnest($1::text[], $2::bigint[]) AS g(key, started)
           GROUP BY key, started),
     locked AS (SELECT r.key FROM rate_limits r JOIN g ON g.key = r.key AND g.started = r.window_start
                ORDER BY r.key FOR UPDATE OF r)
UPDATE rate_limits AS r SET count = greatest(r.count - g.n, 0)
FROM g, locked WHERE r.key = g.key AND r.window_start = g.started AND locked.key = r.key)SQL";
    std::exception_ptr error;
    try {
      c.query(sql, {Param::text_array(keys), Param::int64_array(starts)});
    } catch (...) {
      error = std::current_exception();
    }
    for (auto& r : backs) {
      if (error)
        r.done.set_exception(error);
      else
        r.done.set_value({});
    }
    if (error && c.broken()) std::rethrow_exception(error);  // the batcher reconnects, and counts the hits there
  }
  if (batch.empty()) return;
  std::vector<const std::vector<RateKey>*> lists;
  lists.reserve(batch.size());
  for (const auto& r : batch) lists.push_back(&r.keys);
  auto windows = count_keys(c, lists);
  for (size_t i = 0; i < batch.size(); ++i) batch[i].done.set_value(std::move(windows[i]));
}

// Keys in order, so that two statements (two nodes) lock shared rows in the same order; the upsert raises each
// row by its number of hits and answers the new count, which the lists' hits on that key share out in the
// order of the lists (the last of them gets the row's count). A window that has ended starts again.
std::vector<std::vector<RateWindow>> PostgresStore::count_keys(Connection& c,
                                                               const std::vector<const std::vector<RateKey>*>& lists) {
  struct Key {
    int64_t window = 0, hits = 0;
    RateWindow counted;  // after the upsert: the row's count before these hits, then each hit's
  };
  std::map<std::string, Key, std::less<>> keys;
  for (const auto* list : lists)
    for (const auto& k : *list) {
      auto& key = keys[k.key];
      key.window = k.window.count();
      ++key.hits;
    }
  std::vector<std::vector<RateWindow>> out(lists.size());
  if (keys.empty()) return out;
  std::vector<std::string> names;
  std::vector<int64_t> windows, hits;
  for (const auto& [name, key] : keys) {
    names.push_back(name);
    windows.push_back(key.window);
    hits.push_back(key.hits);
  }
  int64_t now =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  static const std::string sql = R"SQL(
WITH hit AS (SELECT * FROM unnest($2::text[], $3::bigint[], $4::bigint[]) AS h(key, window_ms, n))
INSERT INTO rate_limits AS r (key, window_start, count)
SELECT key, $1::bigint, n FROM hit ORDER BY key
ON CONFLICT (key) DO UPDATE SET
  window_start = CASE WHEN r.window_start <= $1::bigint - (SELECT window_ms FROM hit WHERE hit.key = r.key)
                      THEN $1::bigint ELSE r.window_start END,
  count = CASE WHEN r.window_start <= $1::bigint - (SELECT window_ms FROM hit WHERE hit.key = r.key)
               THEN excluded.count ELSE r.count + excluded.count END
RETURNING key, count, window_start)SQL";
  size_t returned = 0;
  for (auto row :
       c.query(sql, {now, Param::text_array(names), Param::int64_array(windows), Param::int64_array(hits)})) {
    auto key = keys.find(row.text(0));
    if (key == keys.end()) break;
    key->second.counted = {row.int64(1) - key->second.hits, std::chrono::milliseconds(row.int64(2))};
    ++returned;
  }
  if (returned != keys.size()) throw Error(ErrorKind::internal, "store_error", "a rate-limit key went uncounted.");
  for (size_t i = 0; i < lists.size(); ++i) {
    out[i].reserve(lists[i]->size());
    for (const auto& k : *lists[i]) {
      auto& counted = keys.find(k.key)->second.counted;
      ++counted.count;
      out[i].push_back(counted);
    }
  }
  return out;
}

void PostgresStore::rate_sweep(std::chrono::milliseconds before) {
  db_.read([&](Connection& c) { c.query("DELETE FROM rate_limits WHERE window_start < $1", {before.count()}); });
}

void PostgresStore::rate_reset(const std::string& key) {
  db_.read([&](Connection& c) { c.query("DELETE FROM rate_limits WHERE key = $1", {key}); });
}

}  // namespace tribune::postgres

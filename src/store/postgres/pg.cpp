#include "store/postgres/pg.h"

#include <poll.h>
#include <spdlog/spdlog.h>

#include <cctype>
#include <charconv>

#include "util/text.h"

namespace tribune::pg {

namespace {

// libpq's messages span lines ("...failed: Connection refused\n\tIs the server running..."); logs want one.
std::string one_line(std::string text) {
  for (char& ch : text)
    if (ch == '\n' || ch == '\t') ch = ' ';
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

bool connection_lost(std::string_view sqlstate) {
  // 08: connection exceptions; 57P01-57P03: admin shutdown, crash shutdown, cannot connect now.
  return sqlstate.starts_with("08") || sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03";
}

std::string field(const PGresult* r, int code) {
  const char* v = r ? PQresultErrorField(r, code) : nullptr;
  return v ? std::string(v) : std::string();
}

}  // namespace

Param Param::int64_array(const std::vector<int64_t>& values) {
  std::string s = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) s += ',';
    s += std::to_string(values[i]);
  }
  s += '}';
  return Param(s);
}

Param Param::text_array(const std::vector<std::string>& values) {
  std::string s = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) s += ',';
    s += '"';
    for (char ch : values[i]) {
      if (ch == '"' || ch == '\\') s += '\\';
      s += ch;
    }
    s += '"';
  }
  s += '}';
  return Param(s);
}

int64_t Row::int64(int col) const {
  const char* v = PQgetvalue(r_, row_, col);
  int64_t out = 0;
  std::from_chars(v, v + PQgetlength(r_, row_, col), out);
  return out;
}

int64_t Result::affected() const {
  const char* v = PQcmdTuples(r_.get());
  int64_t out = 0;
  std::from_chars(v, v + std::char_traits<char>::length(v), out);
  return out;
}

Connection::Connection(const std::string& conninfo) : conn_(PQconnectdb(conninfo.c_str())) {
  if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
    std::string why = one_line(conn_ ? PQerrorMessage(conn_) : "out of memory");
    PQfinish(conn_);
    conn_ = nullptr;
    throw PgError(ErrorKind::unavailable, "store_unavailable", "cannot connect to PostgreSQL: " + why, "08001", "");
  }
  // Tribune's strings are UTF-8, whatever the server's encoding.
  PQsetClientEncoding(conn_, "UTF8");
  // Notices (e.g. "relation already exists, skipping") are informational; libpq would print them to stderr.
  PQsetNoticeProcessor(
      conn_, [](void*, const char*) {}, nullptr);
}

Result Connection::check(PGresult* r, std::string_view context) {
  ExecStatusType status = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return Result(r);
  std::string sqlstate = field(r, PG_DIAG_SQLSTATE);
  std::string constraint = field(r, PG_DIAG_CONSTRAINT_NAME);
  std::string detail = r ? field(r, PG_DIAG_MESSAGE_PRIMARY) : std::string();
  if (detail.empty()) detail = PQerrorMessage(conn_);
  detail = one_line(std::move(detail));
  if (r) PQclear(r);
  // Conflicts and outages reach clients: their messages name no table, column or constraint (the log does).
  if (PQstatus(conn_) == CONNECTION_BAD || connection_lost(sqlstate) || sqlstate.empty()) {
    broken_ = true;
    spdlog::error("the PostgreSQL connection was lost during {}: {}", context, detail);
    throw PgError(ErrorKind::unavailable, "store_unavailable", "The store is unavailable; try again shortly.", sqlstate,
                  constraint);
  }
  // Class 23 (unique, foreign key, check, not null), as the SQLite engine maps SQLITE_CONSTRAINT.
  if (sqlstate.starts_with("23")) {
    spdlog::warn("store conflict during {}: {} ({})", context, detail, constraint);
    throw PgError(ErrorKind::conflict, "conflict", "The change conflicts with existing data.", sqlstate, constraint);
  }
  if (sqlstate == "40001" || sqlstate == "40P01")
    throw PgError(ErrorKind::unavailable, "store_busy", "The store is busy; try again.", sqlstate, constraint);
  throw PgError(ErrorKind::internal, "store_error",
                "store error during " + std::string(context) + ": " + detail + " (SQLSTATE " + sqlstate + ")", sqlstate,
                constraint);
}

void Connection::exec(std::string_view sql) {
  check(PQexec(conn_, std::string(sql).c_str()), "exec");
}

std::string Connection::exec_value(std::string_view sql) {
  auto r = check(PQexec(conn_, std::string(sql).c_str()), "exec");
  return r.empty() || r.front().is_null(0) ? std::string() : r.front().text(0);
}

Result Connection::query(const std::string& sql, std::initializer_list<Param> params) {
  return query(sql, std::vector<Param>(params));
}

const std::string& Connection::prepared(const std::string& sql) {
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    std::string name = "s" + std::to_string(prepared_.size() + 1);
    check(PQprepare(conn_, name.c_str(), sql.c_str(), 0, nullptr), "prepare");
    it = prepared_.emplace(sql, std::move(name)).first;
  }
  return it->second;
}

namespace {

// Parameters as libpq takes them; the strings stay owned by the Params.
struct Values {
  explicit Values(const std::vector<Param>& params)
      : values(params.size()), lengths(params.size()), formats(params.size()) {
    for (size_t i = 0; i < params.size(); ++i) {
      const auto& v = params[i].value();
      // libpq reads text parameters up to their first NUL, and PostgreSQL text cannot hold one: refuse rather
      // than store a truncated value.
      if (v && !params[i].binary() && v->find('\0') != std::string::npos)
        throw Error(ErrorKind::invalid, "invalid_text", "Text containing a NUL character cannot be stored.");
      values[i] = v ? v->data() : nullptr;
      lengths[i] = v ? static_cast<int>(v->size()) : 0;
      formats[i] = params[i].binary() ? 1 : 0;
    }
  }
  int size() const { return static_cast<int>(values.size()); }
  std::vector<const char*> values;
  std::vector<int> lengths, formats;
};

}  // namespace

Result Connection::query(const std::string& sql, const std::vector<Param>& params) {
  const std::string& name = prepared(sql);
  Values v(params);
  return check(PQexecPrepared(conn_, name.c_str(), v.size(), v.values.data(), v.lengths.data(), v.formats.data(), 0),
               "query");
}

std::exception_ptr Connection::lost(std::string_view context) {
  broken_ = true;
  spdlog::error("the PostgreSQL connection was lost during {}: {}", context, one_line(PQerrorMessage(conn_)));
  return std::make_exception_ptr(PgError(ErrorKind::unavailable, "store_unavailable",
                                         "The store is unavailable; try again shortly.", "08006", ""));
}

std::vector<Outcome> Connection::pipeline(const std::vector<const Statement*>& statements) {
  std::vector<Outcome> out(statements.size());
  std::vector<const std::string*> names;
  std::vector<Values> values;
  names.reserve(statements.size());
  values.reserve(statements.size());
  for (size_t i = 0; i < statements.size(); ++i) {
    try {
      names.push_back(&prepared(statements[i]->sql));
      values.emplace_back(statements[i]->params);
    } catch (...) {
      out[i].error = std::current_exception();
      return out;
    }
  }
  auto lost_from = [&](size_t i) {
    auto e = lost("a pipeline");
    for (; i < out.size(); ++i) out[i] = Outcome{std::nullopt, e};
    return out;
  };
  // Written without blocking, reading meanwhile: the server answers each statement as it runs it, and a client
  // that only wrote would leave it blocked on a full socket while it blocked on one itself.
  if (PQenterPipelineMode(conn_) != 1 || PQsetnonblocking(conn_, 1) != 0) return lost_from(0);
  for (size_t i = 0; i < statements.size(); ++i) {
    const Values& v = values[i];
    if (PQsendQueryPrepared(conn_, names[i]->c_str(), v.size(), v.values.data(), v.lengths.data(), v.formats.data(),
                            0) != 1)
      return lost_from(0);
  }
  if (PQpipelineSync(conn_) != 1) return lost_from(0);
  for (int flushed = PQflush(conn_); flushed != 0; flushed = PQflush(conn_)) {
    if (flushed < 0) return lost_from(0);
    pollfd p{PQsocket(conn_), POLLIN | POLLOUT, 0};
    if (::poll(&p, 1, 30000) <= 0 || ((p.revents & POLLIN) && PQconsumeInput(conn_) != 1)) return lost_from(0);
  }
  if (PQsetnonblocking(conn_, 0) != 0) return lost_from(0);
  for (size_t i = 0; i < out.size(); ++i) {
    PGresult* r = PQgetResult(conn_);
    if (!r) return lost_from(i);
    if (PQresultStatus(r) == PGRES_PIPELINE_ABORTED) {
      PQclear(r);
    } else {
      try {
        out[i].result = check(r, "a pipeline");
      } catch (...) {
        if (broken()) return lost_from(i);
        out[i].error = std::current_exception();
      }
    }
    if (PGresult* extra = PQgetResult(conn_)) {  // each statement's results end with a null
      PQclear(extra);
      return lost_from(i + 1);
    }
  }
  PGresult* sync = PQgetResult(conn_);
  bool synced = sync && PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
  if (sync) PQclear(sync);
  if (!synced || PQexitPipelineMode(conn_) != 1) lost("a pipeline");  // every outcome is known; drop it after
  return out;
}

Pool::Lease Pool::acquire() {
  auto lease = try_acquire(wait_);
  if (!lease)
    throw Error(ErrorKind::unavailable, "store_unavailable",
                "no PostgreSQL connection became free within " + std::to_string(wait_.count()) + " ms.");
  return std::move(*lease);
}

std::optional<Pool::Lease> Pool::try_acquire(std::chrono::milliseconds wait) {
  std::unique_lock lock(mu_);
  if (!cv_.wait_for(lock, wait, [&] { return !idle_.empty() || open_ < size_; })) return std::nullopt;
  if (!idle_.empty()) {
    auto c = std::move(idle_.back());
    idle_.pop_back();
    return std::optional<Lease>(std::in_place, this, std::move(c));
  }
  ++open_;
  lock.unlock();
  try {
    return std::optional<Lease>(std::in_place, this, std::make_unique<Connection>(conninfo_));
  } catch (...) {
    std::lock_guard relock(mu_);
    --open_;
    cv_.notify_one();
    throw;
  }
}

void Pool::release(std::unique_ptr<Connection> c) {
  if (!c) return;
  std::vector<std::unique_ptr<Connection>> dropped;
  {
    std::lock_guard lock(mu_);
    if (c->broken()) {
      // A lost connection usually means the server restarted or dropped every session: the idle ones are
      // most likely dead too, so they go as well and the next callers reconnect instead of failing once each.
      dropped = std::move(idle_);
      idle_.clear();
      open_ -= static_cast<int>(dropped.size()) + 1;
      dropped.push_back(std::move(c));
    } else {
      idle_.push_back(std::move(c));
    }
  }
  cv_.notify_all();
}

uint64_t parse_lsn(std::string_view text) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos) return 0;
  uint32_t hi = 0, lo = 0;
  auto a = std::from_chars(text.data(), text.data() + slash, hi, 16);
  auto b = std::from_chars(text.data() + slash + 1, text.data() + text.size(), lo, 16);
  if (a.ec != std::errc() || a.ptr != text.data() + slash || b.ec != std::errc() || b.ptr != text.data() + text.size())
    return 0;
  return (static_cast<uint64_t>(hi) << 32) | lo;
}

namespace {
int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

void Replica::check_standby() {
  auto lease = pool_.acquire();
  if ((*lease).exec_value("SELECT pg_is_in_recovery()") != "t")
    throw Error(ErrorKind::invalid, "invalid_replica_url",
                "store.replica_url names a server that is not a standby (pg_is_in_recovery() is false): reads "
                "there would not follow the primary.");
  ask(*lease);
}

uint64_t Replica::ask(Connection& c) {
  uint64_t p = parse_lsn(c.exec_value("SELECT pg_last_wal_replay_lsn()"));
  uint64_t cur = replayed_.load(std::memory_order_relaxed);
  while (p > cur && !replayed_.compare_exchange_weak(cur, p, std::memory_order_acq_rel)) {
  }
  return std::max(p, cur);
}

bool Replica::down() const {
  return steady_ms() < down_until_.load(std::memory_order_relaxed);
}

void Replica::failed(const Error& e) {
  failures_.fetch_add(1, std::memory_order_relaxed);
  // A standby that restarts may come back at an earlier replay position than it last reported: ask again.
  replayed_.store(0, std::memory_order_release);
  // Connection trouble: leave the replica alone for five seconds rather than paying a timeout per read.
  if (e.kind() == ErrorKind::unavailable && e.code() == "store_unavailable") {
    int64_t until = steady_ms() + 5000;
    if (down_until_.exchange(until) < steady_ms())
      spdlog::warn("the read replica failed; reading from the primary for 5 s: {}", e.message());
  }
}

void Database::commit(Connection& c) {
  // One simple-query message: the SELECT runs after COMMIT succeeded (a failed COMMIT skips it and throws).
  // The insert position is at or after the end of this commit's record.
  uint64_t p = parse_lsn(c.exec_value("COMMIT; SELECT pg_current_wal_insert_lsn()"));
  heard_position(p);
  ReadPositions::last_write = std::max(ReadPositions::last_write, p);
}

void Database::rollback(Connection& c) noexcept {
  if (c.broken()) return;
  try {
    c.exec("ROLLBACK");
  } catch (const Error&) {
    // exec has marked the connection broken; the pool drops it on release.
  }
}

namespace {

PQconninfoOption* parse_conninfo(const std::string& conninfo) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(conninfo.c_str(), &err);
  if (!opts) {
    std::string why = one_line(err ? err : "out of memory");
    PQfreemem(err);
    throw Error(ErrorKind::invalid, "invalid_store_url", "invalid PostgreSQL connection string: " + why);
  }
  return opts;
}

}  // namespace

void check_conninfo(const std::string& conninfo) {
  PQconninfoFree(parse_conninfo(conninfo));
}

std::string with_database(const std::string& conninfo, const std::string& database) {
  PQconninfoOption* opts = parse_conninfo(conninfo);
  // Every option as a query parameter: a URL (so that it selects the PostgreSQL engine) that keeps the
  // host, port, user, password and TLS settings of the original whatever form it had.
  std::string out = "postgresql:///" + percent_encode(database);
  char sep = '?';
  for (PQconninfoOption* o = opts; o->keyword; ++o) {
    if (std::string_view(o->keyword) == "dbname" || !o->val) continue;
    out += sep + std::string(o->keyword) + "=" + percent_encode(o->val);
    sep = '&';
  }
  PQconninfoFree(opts);
  return out;
}

std::string quote_identifier(std::string_view name) {
  std::string out = "\"";
  for (char ch : name) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

}  // namespace tribune::pg

#include "store/webhook_events.h"

#include <string_view>
#include <vector>

namespace tribune::store_webhooks {

namespace {

// One trigger: when `op` on `table` changes a row so that `when` holds, an event of `type` about the resource
// "<kind>:<row>.<key>" with data json(<data>) (key, value pairs; row is NEW, or OLD for a deletion). {true}
// is the dialect's true (SQLite keeps flags as 1).
struct Trigger {
  std::string_view name, type, table, op, when, kind, key, data;
};

// A comment as receivers see it. Its text is left out of comment.removed: a removed comment's words go no
// further.
#define TRIBUNE_COMMENT_HEAD                                                                                     \
  "'id', NEW.id, 'article', (SELECT slug FROM articles WHERE id = NEW.article_id), 'parent_id', NEW.parent_id, " \
  "'author_id', NEW.author_id, 'author_name', (SELECT display_name FROM accounts WHERE id = NEW.author_id), "    \
  "'status', NEW.status, 'created_at', NEW.created_at, 'edited_at', NEW.edited_at"
constexpr std::string_view kComment = TRIBUNE_COMMENT_HEAD ", 'body', NEW.body_markdown";
constexpr std::string_view kCommentGone = TRIBUNE_COMMENT_HEAD;
#undef TRIBUNE_COMMENT_HEAD

constexpr std::string_view kArticle =
    "'id', NEW.id, 'slug', NEW.slug, 'title', NEW.title, 'standfirst', NEW.standfirst, 'section', (SELECT slug "
    "FROM sections WHERE id = NEW.section_id), 'state', NEW.state, 'version', NEW.version, 'published_at', "
    "NEW.published_at, 'updated_at', NEW.updated_at";

constexpr std::string_view kContribution =
    "'id', NEW.id, 'amount_minor', NEW.amount_minor, 'currency', NEW.currency, 'interval', NEW.\"interval\", "
    "'status', NEW.status, 'article', (SELECT slug FROM articles WHERE id = NEW.article_id), 'account_id', "
    "NEW.account_id, 'status_at', NEW.status_at";

// A payment, or a refund (a negative amount). The row of a charge's refunds keeps their total, so a further
// refund's event says the amount of that refund alone.
#define TRIBUNE_PAYMENT(amount)                                                                                 \
  "'id', NEW.contribution_id, 'payment', NEW.stripe_object_id, 'amount_minor', " amount                         \
  ", 'currency', "                                                                                              \
  "NEW.currency, 'interval', (SELECT \"interval\" FROM contributions WHERE id = NEW.contribution_id), "         \
  "'article', (SELECT a.slug FROM contributions c JOIN articles a ON a.id = c.article_id WHERE c.id = "         \
  "NEW.contribution_id), 'account_id', (SELECT account_id FROM contributions WHERE id = NEW.contribution_id), " \
  "'paid_at', NEW.created_at"
constexpr std::string_view kPayment = TRIBUNE_PAYMENT("NEW.amount_minor");
constexpr std::string_view kFurtherRefund = TRIBUNE_PAYMENT("NEW.amount_minor - OLD.amount_minor");
#undef TRIBUNE_PAYMENT

constexpr Trigger kTriggers[] = {
    {"comment_created", "comment.created", "comments", "INSERT", "", "comment", "NEW.id", kComment},
    {"comment_edited", "comment.edited", "comments", "UPDATE", "NEW.body_markdown <> OLD.body_markdown", "comment",
     "NEW.id", kComment},
    {"comment_removed", "comment.removed", "comments", "UPDATE",
     "NEW.status IN ('hidden', 'deleted') AND OLD.status <> NEW.status", "comment", "NEW.id", kCommentGone},
    {"comment_approved", "comment.approved", "comments", "UPDATE",
     "NEW.status = 'published' AND OLD.status <> 'published'", "comment", "NEW.id", kComment},
    {"comment_rejected", "comment.rejected", "comments", "UPDATE",
     "NEW.status = 'rejected' AND OLD.status <> 'rejected'", "comment", "NEW.id", kCommentGone},
    {"reader_registered", "reader.registered", "accounts", "INSERT", "", "reader", "NEW.id",
     "'id', NEW.id, 'name', NEW.display_name, 'email', NEW.email, 'role', NEW.role, 'created_at', NEW.created_at"},
    {"reader_deleted", "reader.deleted", "accounts", "DELETE", "", "reader", "OLD.id", "'id', OLD.id"},
    {"contribution_paid", "contribution.paid", "contribution_payments", "INSERT", "NEW.amount_minor > 0",
     "contribution", "NEW.contribution_id", kPayment},
    {"contribution_refunded", "contribution.refunded", "contribution_payments", "INSERT", "NEW.amount_minor < 0",
     "contribution", "NEW.contribution_id", kPayment},
    {"contribution_refunded_more", "contribution.refunded", "contribution_payments", "UPDATE",
     "NEW.amount_minor < 0 AND NEW.amount_minor < OLD.amount_minor", "contribution", "NEW.contribution_id",
     kFurtherRefund},
    {"contribution_cancelled", "contribution.cancelled", "contributions", "UPDATE",
     "NEW.status = 'canceled' AND OLD.status <> 'canceled'", "contribution", "NEW.id", kContribution},
    // article.published and article.unpublished are no triggers: a scheduled article becomes public when its
    // time comes, with no change to its row. The announcement pass (announce_sql) says both and keeps
    // articles.announced: whether receivers have been told that the article is public.
    {"article_updated", "article.updated", "articles", "UPDATE",
     "NEW.announced = {true} AND OLD.announced = {true} AND NEW.state = 'published' AND NEW.version <> OLD.version",
     "article", "NEW.id", kArticle},
};

// Unix seconds now, whole (SQLite's unixepoch() needs 3.38; PostgreSQL's extract has fractions, which ::bigint
// would round up).
std::string_view now_sql(Dialect d) {
  return d == Dialect::sqlite ? "CAST(strftime('%s', 'now') AS INTEGER)" : "floor(extract(epoch FROM now()))::bigint";
}

std::string in_dialect(std::string_view text, Dialect d) {
  std::string out(text);
  for (size_t at = out.find("{true}"); at != std::string::npos; at = out.find("{true}"))
    out.replace(at, 6, d == Dialect::sqlite ? "1" : "true");
  return out;
}

std::string event_insert(const Trigger& t, Dialect d) {
  std::string s = "INSERT INTO webhook_events (type, resource, occurred_at, data) VALUES ('";
  s.append(t.type).append("', '").append(t.kind).append(":' || ").append(t.key).append(", ").append(now_sql(d));
  s.append(d == Dialect::sqlite ? ", json_object(" : ", json_build_object(").append(t.data);
  s.append(d == Dialect::sqlite ? "));" : ")::text);");
  return s;
}

std::string condition(const Trigger& t, Dialect d) {
  std::string c = "EXISTS (SELECT 1 FROM webhook_subscriptions WHERE event_type = '";
  c.append(t.type).append("')");
  if (!t.when.empty()) c.insert(0, "(" + in_dialect(t.when, d) + ") AND ");
  return c;
}

constexpr std::string_view kFanout =
    "INSERT INTO webhook_deliveries (endpoint_id, event_id, resource, next_attempt_at) SELECT s.endpoint_id, NEW.id, "
    "NEW.resource, NEW.occurred_at FROM webhook_subscriptions s JOIN webhook_endpoints e ON e.id = s.endpoint_id "
    "WHERE s.event_type = NEW.type AND e.disabled_at IS NULL;";

}  // namespace

std::string trigger_sql(Dialect d) {
  std::string sql;
  auto add = [&sql](const auto&... parts) { (sql.append(parts), ...); };
  for (const auto& t : kTriggers) {
    std::string name = "webhook_" + std::string(t.name);
    if (d == Dialect::sqlite) {
      add("CREATE TRIGGER ", name, " AFTER ", t.op, " ON ", t.table, " FOR EACH ROW WHEN ", condition(t, d), " BEGIN ",
          event_insert(t, d), " END;\n");
    } else {
      add("CREATE FUNCTION ", name, "() RETURNS trigger LANGUAGE plpgsql AS $fn$ BEGIN IF ", condition(t, d), " THEN ",
          event_insert(t, d), " END IF; RETURN NULL; END $fn$;\n");
      add("CREATE TRIGGER ", name, " AFTER ", t.op, " ON ", t.table, " FOR EACH ROW EXECUTE FUNCTION ", name, "();\n");
    }
  }
  if (d == Dialect::sqlite)
    add("CREATE TRIGGER webhook_fanout AFTER INSERT ON webhook_events BEGIN ", kFanout, " END;\n");
  else
    add("CREATE FUNCTION webhook_fanout() RETURNS trigger LANGUAGE plpgsql AS $fn$ BEGIN ", kFanout,
        " RETURN NULL; END $fn$;\nCREATE TRIGGER webhook_fanout AFTER INSERT ON webhook_events FOR EACH ROW "
        "EXECUTE FUNCTION webhook_fanout();\n");
  return sql;
}

std::string any_delivery_due_sql(Dialect d) {
  return d == Dialect::sqlite ? "SELECT EXISTS (SELECT 1 FROM webhook_deliveries WHERE state = 'pending' AND "
                                "next_attempt_at <= ?1 AND leased_until <= ?1)"
                              : "SELECT EXISTS (SELECT 1 FROM webhook_deliveries WHERE state = 'pending' AND "
                                "next_attempt_at <= $1 AND leased_until <= $1)";
}

std::string any_article_to_announce_sql(Dialect d) {
  return d == Dialect::sqlite
             ? "SELECT EXISTS (SELECT 1 FROM articles WHERE announced = 0 AND state = 'published' AND published_at "
               "<= ?1) OR EXISTS (SELECT 1 FROM articles WHERE announced = 1 AND state <> 'published')"
             : "SELECT EXISTS (SELECT 1 FROM articles WHERE NOT announced AND state = 'published' AND published_at "
               "<= $1) OR EXISTS (SELECT 1 FROM articles WHERE announced AND state <> 'published')";
}

std::vector<std::string> announce_sql(Dialect d) {
  const bool sqlite = d == Dialect::sqlite;
  auto events = [&](std::string_view type, std::string_view from) {
    std::string data(kArticle);
    for (size_t at = data.find("NEW."); at != std::string::npos; at = data.find("NEW.")) data.replace(at, 4, "a.");
    std::string s = "INSERT INTO webhook_events (type, resource, occurred_at, data) SELECT '";
    s.append(type).append("', 'article:' || a.id, ").append(sqlite ? "?1" : "$1");
    s.append(sqlite ? ", json_object(" : ", json_build_object(").append(data).append(sqlite ? ")" : ")::text");
    s.append(" FROM ").append(from).append(" AND EXISTS (SELECT 1 FROM webhook_subscriptions WHERE event_type = '");
    return s.append(type).append("') ORDER BY a.id");
  };
  if (sqlite)  // one writer: tell, then mark
    return {events("article.published",
                   "articles a WHERE a.announced = 0 AND a.state = 'published' AND a.published_at <= ?1"),
            "UPDATE articles SET announced = 1 WHERE announced = 0 AND state = 'published' AND published_at <= ?1",
            events("article.unpublished", "articles a WHERE a.announced = 1 AND a.state <> 'published'"),
            "UPDATE articles SET announced = 0 WHERE announced = 1 AND state <> 'published'"};
  // Several nodes: mark first, row-locked, and tell of the rows this pass marked (another node's pass waits on
  // the locks, then finds them marked). The statement's query sees the rows as they were before.
  return {
      "WITH marked AS (UPDATE articles SET announced = true WHERE NOT announced AND state = 'published' AND "
      "published_at <= $1 RETURNING id) " +
          events("article.published", "articles a JOIN marked m ON m.id = a.id WHERE true"),
      "WITH marked AS (UPDATE articles SET announced = false WHERE announced AND state <> 'published' RETURNING "
      "id) " +
          events("article.unpublished", "articles a JOIN marked m ON m.id = a.id WHERE true")};
}

}  // namespace tribune::store_webhooks

#include <array>
#include <charconv>
#include <limits>

#include "store/postgres/engine.h"

namespace tribune::postgres {

namespace {

// A comment in one statement, so that the group commit sends a batch of them in one round trip (group_commit.h):
// the parent checked and locked; the row; its mentions; who is notified (the parent's author, the mentioned,
// the author's followers: one notification each, the first of those kinds winning, never to the author or to
// a reader who ignores them); the thread's and the article's counters. Its one row is the stored comment (as
// kCommentColumns reads it) and the notified ("id:kind,..."); no row when the parent is not a published
// comment of the article. Who is notified follows the rules of notify_published (engine.cpp), which a held
// comment meets when approved: a change to one is a change to both. Data-modifying CTEs all run, whatever the
// final SELECT reads. The article's comment
// count is added to once per batch (comment_session), not once per comment: every comment on a story would
// otherwise update its row, hold its lock from then to the commit, and leave a row version behind.
// Four variants, so that the common case (a top-level comment that mentions nobody) runs no more than it needs:
// a reply locks its parent and updates its thread, mentions are resolved only when there are some.
// $1 article, $2 parent, $3 author, $4 markdown, $5 html, $6 status, $7 created_at, $8 text hash,
// $9 moderation rule, $10 its reason, and when there are mentions $11 the handles.
std::string build_add_comment_sql(bool reply, bool mentions) {
  std::string sql = reply ? R"SQL(
WITH RECURSIVE parent AS (
  SELECT id, root_id, depth, author_id FROM comments
  WHERE id = $2::bigint AND article_id = $1::bigint AND status = 'published' FOR UPDATE
), next AS (
  SELECT nextval(pg_get_serial_sequence('comments', 'id')) AS id WHERE EXISTS (SELECT 1 FROM parent)
), ins AS (
  INSERT INTO comments (id, article_id, parent_id, root_id, depth, author_id, body_markdown, body_html, status,
                        created_at, body_hash, moderation_rule, moderation_reason)
  SELECT next.id, $1::bigint, $2::bigint, (SELECT root_id FROM parent), (SELECT depth + 1 FROM parent),
         $3::bigint, $4::text, $5::text, $6::text, $7::bigint, $8::bigint, $9::text, $10::text
  FROM next
  RETURNING *
))SQL"
                          : R"SQL(
WITH next AS (
  SELECT nextval(pg_get_serial_sequence('comments', 'id')) AS id
), ins AS (
  INSERT INTO comments (id, article_id, parent_id, root_id, depth, author_id, body_markdown, body_html, status,
                        created_at, body_hash, moderation_rule, moderation_reason)
  SELECT next.id, $1::bigint, $2::bigint, next.id, 0, $3::bigint, $4::text, $5::text, $6::text, $7::bigint,
         $8::bigint, $9::text, $10::text
  FROM next
  RETURNING *
))SQL";
  if (mentions)
    sql += R"SQL(, mentioned AS (
  INSERT INTO comment_mentions (comment_id, account_id)
  SELECT ins.id, m.id FROM ins, unnest($11::text[]) AS h(handle),
    LATERAL (SELECT a.id FROM accounts a WHERE a.handle = h.handle
             ORDER BY EXISTS (SELECT 1 FROM comments x WHERE x.author_id = a.id AND x.article_id = $1::bigint) DESC,
                      a.id LIMIT 1) AS m
  ON CONFLICT DO NOTHING
  RETURNING account_id
))SQL";
  sql += R"SQL(, recipient AS (
  SELECT DISTINCT ON (r.id) r.id, r.kind, r.rank FROM ()SQL";
  if (reply)
    sql += "SELECT author_id AS id, 'reply' AS kind, 0 AS rank FROM parent WHERE author_id IS NOT NULL UNION ALL ";
  if (mentions) sql += "SELECT account_id AS id, 'mention' AS kind, 1 AS rank FROM mentioned UNION ALL ";
  sql +=
      R"SQL((SELECT follower_id AS id, 'followed_comment' AS kind, 2 AS rank FROM follows WHERE followed_id = $3::bigint LIMIT 10000)
  ) AS r
  WHERE $6::text = 'published' AND EXISTS (SELECT 1 FROM ins) AND r.id IS DISTINCT FROM $3::bigint
    AND NOT EXISTS (SELECT 1 FROM ignores i WHERE i.account_id = r.id AND i.ignored_id = $3::bigint)
  ORDER BY r.id, r.rank
), notified AS (
  INSERT INTO notifications (account_id, kind, comment_id, created_at)
  SELECT recipient.id, recipient.kind, ins.id, $7::bigint FROM recipient, ins
  ON CONFLICT DO NOTHING
  RETURNING account_id, kind
))SQL";
  if (reply)
    sql += R"SQL(, up(id) AS (
  SELECT id FROM parent
  UNION ALL SELECT c.parent_id FROM comments c JOIN up ON c.id = up.id WHERE c.parent_id IS NOT NULL
), thread AS (
  UPDATE comments SET visible_below = visible_below + 1,
                      reply_count = reply_count + CASE WHEN id = $2::bigint THEN 1 ELSE 0 END
  WHERE $6::text = 'published' AND EXISTS (SELECT 1 FROM ins) AND id = ANY (ARRAY(SELECT id FROM up))
))SQL";
  sql += R"SQL(, counted AS (
  INSERT INTO batch_counts (article_id) SELECT article_id FROM ins WHERE $6::text = 'published'
)
SELECT )SQL";
  sql += kCommentColumns;
  sql += R"SQL(,
  (SELECT string_agg(n.account_id::text || ':' || n.kind, ',' ORDER BY n.kind = 'followed_comment', n.kind = 'mention')
   FROM notified n)
FROM ins c LEFT JOIN accounts ac ON ac.id = c.author_id)SQL";
  return sql;
}

const std::string& add_comment_sql(bool reply, bool mentions) {
  static const std::array<std::string, 4> variants = {
      build_add_comment_sql(false, false), build_add_comment_sql(false, true), build_add_comment_sql(true, false),
      build_add_comment_sql(true, true)};
  return variants[(reply ? 2 : 0) + (mentions ? 1 : 0)];
}

// The merged statements below (group_commit.h) begin alike: the comments' values, a row each, numbered in the
// order given;
constexpr const char* kMergedInput = R"SQL(input AS MATERIALIZED (
  SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::bigint[],
                       $8::bigint[], $9::text[], $10::text[])
    WITH ORDINALITY AS t(article_id, parent_id, author_id, body_markdown, body_html, status, created_at, body_hash,
                         moderation_rule, moderation_reason, n)
))SQL";

// and end alike, once `next` has numbered the ids, `ins` inserted the rows and `notified` the notifications:
// the batch's counts queued, each comment's notifications gathered (the reply first), a row per comment in
// the order given.
std::string merged_tail() {
  return std::string(R"SQL(, counted AS (
  INSERT INTO batch_counts (article_id) SELECT article_id FROM ins WHERE status = 'published'
), told AS (
  SELECT comment_id, string_agg(account_id::text || ':' || kind, ',' ORDER BY kind = 'followed_comment') AS list
  FROM notified GROUP BY comment_id
)
SELECT )SQL") +
         kCommentColumns + R"SQL(, told.list, next.n
FROM ins c JOIN next ON next.id = c.id LEFT JOIN accounts ac ON ac.id = c.author_id
  LEFT JOIN told ON told.comment_id = c.id
ORDER BY next.n)SQL";
}

// Top-level comments that mention nobody (most of them), several at once: what build_add_comment_sql(false,
// false) does for one, for the arrays of its parameters, a row per comment in their order (group_commit.h).
// The notifications and counts follow the same rules; a change to one is a change to both.
const pg::GroupCommit::Merge& top_level_comments() {
  static const pg::GroupCommit::Merge merge{std::string("WITH ") + kMergedInput + R"SQL(, next AS MATERIALIZED (
  SELECT nextval(pg_get_serial_sequence('comments', 'id')) AS id, n FROM (SELECT n FROM input ORDER BY n) AS o
), ins AS (
  INSERT INTO comments (id, article_id, parent_id, root_id, depth, author_id, body_markdown, body_html, status,
                        created_at, body_hash, moderation_rule, moderation_reason)
  SELECT next.id, i.article_id, i.parent_id, next.id, 0, i.author_id, i.body_markdown, i.body_html, i.status,
         i.created_at, i.body_hash, i.moderation_rule, i.moderation_reason
  FROM input i JOIN next USING (n)
  RETURNING *
), recipient AS (
  SELECT ins.id AS comment_id, f.follower_id AS account_id, ins.created_at
  FROM ins, LATERAL (SELECT follower_id FROM follows WHERE followed_id = ins.author_id LIMIT 10000) AS f
  WHERE ins.status = 'published' AND f.follower_id IS DISTINCT FROM ins.author_id
    AND NOT EXISTS (SELECT 1 FROM ignores g WHERE g.account_id = f.follower_id AND g.ignored_id = ins.author_id)
), notified AS (
  INSERT INTO notifications (account_id, kind, comment_id, created_at)
  SELECT account_id, 'followed_comment', comment_id, created_at FROM recipient
  ON CONFLICT DO NOTHING
  RETURNING comment_id, account_id, kind
))SQL" + merged_tail()};
  return merge;
}

// Replies that mention nobody, several at once: what build_add_comment_sql(true, false) does for one (the
// parent checked and locked, the row, the parent's author and the author's followers notified, the thread's
// counts), for the arrays of its parameters; a reply whose parent is not a published comment of its article
// has no row. Ancestors shared by several replies are raised once, by their number of replies.
const pg::GroupCommit::Merge& replies() {
  static const pg::GroupCommit::Merge merge{std::string("WITH RECURSIVE ") + kMergedInput +
                                            R"SQL(, parent AS MATERIALIZED (
  SELECT id, article_id, root_id, depth, author_id FROM comments
  WHERE id IN (SELECT parent_id FROM input) AND status = 'published' ORDER BY id FOR UPDATE
), valid AS MATERIALIZED (
  SELECT i.*, p.root_id, p.depth + 1 AS reply_depth, p.author_id AS parent_author
  FROM input i JOIN parent p ON p.id = i.parent_id AND p.article_id = i.article_id
), next AS MATERIALIZED (
  SELECT nextval(pg_get_serial_sequence('comments', 'id')) AS id, n FROM (SELECT n FROM valid ORDER BY n) AS o
), ins AS (
  INSERT INTO comments (id, article_id, parent_id, root_id, depth, author_id, body_markdown, body_html, status,
                        created_at, body_hash, moderation_rule, moderation_reason)
  SELECT next.id, v.article_id, v.parent_id, v.root_id, v.reply_depth, v.author_id, v.body_markdown, v.body_html,
         v.status, v.created_at, v.body_hash, v.moderation_rule, v.moderation_reason
  FROM valid v JOIN next USING (n)
  RETURNING *
), recipient AS (
  SELECT DISTINCT ON (r.comment_id, r.account_id) r.comment_id, r.account_id, r.kind, r.created_at FROM (
    SELECT ins.id AS comment_id, v.parent_author AS account_id, 'reply' AS kind, 0 AS rank, ins.author_id,
           ins.created_at, ins.status
    FROM ins JOIN next ON next.id = ins.id JOIN valid v ON v.n = next.n WHERE v.parent_author IS NOT NULL
    UNION ALL
    SELECT ins.id, f.follower_id, 'followed_comment', 2, ins.author_id, ins.created_at, ins.status
    FROM ins, LATERAL (SELECT follower_id FROM follows WHERE followed_id = ins.author_id LIMIT 10000) AS f
  ) AS r
  WHERE r.status = 'published' AND r.account_id IS DISTINCT FROM r.author_id
    AND NOT EXISTS (SELECT 1 FROM ignores g WHERE g.account_id = r.account_id AND g.ignored_id = r.author_id)
  ORDER BY r.comment_id, r.account_id, r.rank
), notified AS (
  INSERT INTO notifications (account_id, kind, comment_id, created_at)
  SELECT account_id, kind, comment_id, created_at FROM recipient
  ON CONFLICT DO NOTHING
  RETURNING comment_id, account_id, kind
), up(comment_id, id) AS (
  SELECT ins.id, ins.parent_id FROM ins WHERE ins.status = 'published'
  UNION ALL SELECT up.comment_id, c.parent_id FROM comments c JOIN up ON c.id = up.id WHERE c.parent_id IS NOT NULL
), thread AS (
  UPDATE comments c SET visible_below = c.visible_below + t.below, reply_count = c.reply_count + t.direct
  FROM (SELECT up.id, count(*) AS below, count(*) FILTER (WHERE up.id = ins.parent_id) AS direct
        FROM up JOIN ins ON ins.id = up.comment_id GROUP BY up.id) AS t
  WHERE c.id = t.id
))SQL" + merged_tail()};
  return merge;
}

}  // namespace

pg::GroupCommit::Session PostgresStore::comment_session() {
  // Emptied by the statement that reads it (ON COMMIT DELETE ROWS would truncate its file at every commit).
  return {{"CREATE TEMPORARY TABLE batch_counts (article_id bigint NOT NULL)"},
          {pg::Statement{"WITH done AS (DELETE FROM batch_counts RETURNING article_id), "
                         "counts AS (SELECT article_id, count(*) AS n FROM done GROUP BY article_id), "
                         // In id order, so that two writers' batches never wait for each other crosswise; the
                         // lock an UPDATE takes, which new comments' foreign-key checks do not wait for.
                         "locked AS MATERIALIZED (SELECT id FROM articles WHERE id IN (SELECT article_id FROM counts) "
                         "ORDER BY id FOR NO KEY UPDATE) "
                         "UPDATE articles a SET comment_count = a.comment_count + counts.n FROM counts, locked "
                         "WHERE a.id = counts.article_id AND locked.id = a.id",
                         {}}},
          // Its deleted rows would otherwise stay until the connection closes, and every batch's DELETE reads them.
          {"VACUUM batch_counts"}};
}

namespace {

std::vector<Recipient> parse_recipients(std::string_view list) {
  std::vector<Recipient> out;
  while (!list.empty()) {
    auto comma = list.find(',');
    auto item = list.substr(0, comma);
    auto colon = item.find(':');
    Recipient r;
    std::from_chars(item.data(), item.data() + colon, r.account_id);
    r.kind = std::string(item.substr(colon + 1));
    out.push_back(std::move(r));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
  }
  return out;
}

}  // namespace

SavedComment PostgresStore::add_comment(const NewComment& c) {
  bool mentions = !c.mentions.empty();
  std::vector<Param> params{c.article_id,      c.parent_id,         c.author_id,        c.body_markdown,
                            c.body_html,       to_string(c.status), secs(c.created_at), text_hash(c.body_markdown),
                            c.moderation_rule, c.moderation_reason};
  if (mentions) params.push_back(Param::text_array(c.mentions));
  bool reply = c.parent_id.has_value();
  auto r = comment_writer_.run(pg::Statement{add_comment_sql(reply, mentions), std::move(params)},
                               mentions ? nullptr
                               : reply  ? &replies()
                                        : &top_level_comments());
  if (r.empty())
    throw Error(ErrorKind::invalid, "invalid_parent", "You can only reply to a published comment on the same article.",
                "parent_id");
  auto row = r.front();
  SavedComment out;
  out.comment = read_comment(row);
  out.notified = parse_recipients(row.text(kCommentWidth));
  return out;
}

// It runs before every comment is stored, so concurrent comments' reads share one statement (a row each, in
// the order asked). A cap of 0 or no decisions window counts 0.
AuthorActivity PostgresStore::author_activity(const ActivityQuery& q) {
  return activity_reader_.ask({q, {}, {}}, wait_).activity;
}

// The hits are counted by the activity reader's thread, after its read and on its connection: one wait for the
// caller.
CommentStore::CountedActivity PostgresStore::author_activity(const ActivityQuery& q,
                                                             const std::vector<RateKey>& count) {
  auto answer = activity_reader_.ask({q, count, {}}, wait_);
  if (count.empty()) answer.counted = std::vector<RateWindow>{};
  return answer;
}

void PostgresStore::read_activity(Connection& c, std::vector<ActivityRequest>& batch) {
  static const std::string sql = R"SQL(
SELECT (SELECT count(*) FROM (SELECT 1 FROM comments WHERE author_id = q.account AND status = 'published'
                              LIMIT q.cap) AS p),
       (SELECT count(*) FROM comments WHERE author_id = q.account AND body_hash = q.hash AND created_at >= q.since
                                        AND body_markdown = q.body),
       d.decided, d.rejected
FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::bigint[], $6::bigint[])
       WITH ORDINALITY AS q(account, hash, since, body, cap, decisions_since, i),
     LATERAL (SELECT count(*) AS decided, coalesce(sum(CASE WHEN action <> 'approve' THEN 1 ELSE 0 END), 0) AS rejected
              FROM moderation_log WHERE account_id = q.account AND created_at >= q.decisions_since
                                    AND action IN ('approve', 'reject', 'hide')) AS d
ORDER BY q.i)SQL";
  std::vector<int64_t> accounts, hashes, since, caps, decisions_since;
  std::vector<std::string> bodies;
  for (const auto& r : batch) {
    const auto& q = r.query;
    accounts.push_back(q.account_id);
    hashes.push_back(text_hash(q.body));
    since.push_back(secs(q.same_text_since));
    bodies.push_back(q.body);
    caps.push_back(std::max<int64_t>(q.published_cap, 0));
    // No window: a start no decision can be at or after.
    decisions_since.push_back(q.decisions_since ? secs(*q.decisions_since) : std::numeric_limits<int64_t>::max());
  }
  auto read = [&](size_t first, size_t count) {
    auto part = [&](const auto& values) {
      return std::vector(values.begin() + static_cast<std::ptrdiff_t>(first),
                         values.begin() + static_cast<std::ptrdiff_t>(first + count));
    };
    return c.query(sql, {Param::int64_array(part(accounts)), Param::int64_array(part(hashes)),
                         Param::int64_array(part(since)), Param::text_array(part(bodies)),
                         Param::int64_array(part(caps)), Param::int64_array(part(decisions_since))});
  };
  auto activity = [](const pg::Row& row) {
    AuthorActivity a;
    a.published = row.int64(0);
    a.same_text = row.int64(1);
    a.decided = row.int64(2);
    a.rejected = row.int64(3);
    return a;
  };
  std::vector<std::optional<AuthorActivity>> read_ok(batch.size());
  std::vector<std::exception_ptr> failed(batch.size());
  std::optional<pg::Result> rows;
  try {
    rows = read(0, batch.size());
  } catch (const pg::PgError& e) {
    // A lost connection or a deadlock is the batcher's to handle; anything else may be one body's doing (text
    // the database's encoding cannot hold, say), which must not fail the others: each is then read alone.
    if (batch.size() == 1 || e.retryable() || c.broken()) throw;
  }
  if (rows) {
    if (static_cast<size_t>(rows->rows()) != batch.size())
      throw Error(ErrorKind::internal, "store_error", "an author's activity went unread.");
    size_t i = 0;
    for (auto row : *rows) read_ok[i++] = activity(row);
  } else {
    for (size_t i = 0; i < batch.size(); ++i) {
      try {
        auto one = read(i, 1);
        if (one.rows() != 1) throw Error(ErrorKind::internal, "store_error", "an author's activity went unread.");
        read_ok[i] = activity(one.front());
      } catch (...) {  // its own error (or, the connection lost meanwhile, the same for each of the rest)
        failed[i] = std::current_exception();
      }
    }
  }
  // The hits last, and only those of the requests read: a request that fails counts nothing. If counting
  // fails, no caller has been answered yet: the batcher runs the batch again after a lost connection (a reply
  // lost after the count committed then counts twice, as with the rate counter's own statements), or fails
  // every caller.
  std::vector<const std::vector<RateKey>*> lists;
  for (size_t i = 0; i < batch.size(); ++i)
    if (read_ok[i] && !batch[i].count.empty()) lists.push_back(&batch[i].count);
  auto windows = count_keys(c, lists);
  for (size_t i = 0, j = 0; i < batch.size(); ++i) {
    if (!read_ok[i]) {
      batch[i].done.set_exception(failed[i]);
      continue;
    }
    CountedActivity answer{*read_ok[i], std::nullopt};
    if (!batch[i].count.empty()) answer.counted = std::move(windows[j++]);
    batch[i].done.set_value(std::move(answer));
  }
}

std::optional<Comment> PostgresStore::find_comment(int64_t id) {
  return db_.read([&](Connection& db) { return find_comment_in(db, id); });
}

CommentList PostgresStore::list_comments(const CommentQuery& q) {
  return db_.read_replica([&](Connection& db) {
    bool top = q.sort == CommentSort::top;
    bool ascending = q.sort == CommentSort::oldest;
    const std::string key = top ? "c.recommend_count" : "c.created_at";
    std::vector<Param> ps;
    auto arg = [&](Param p) {
      ps.push_back(std::move(p));
      return "$" + std::to_string(ps.size());
    };
    // Picks are published comments; other listings keep a removed comment with published replies below it
    // (a tombstone: the service empties it).
    std::string sql = std::string("SELECT ") + kCommentColumns + kCommentFrom + "WHERE ";
    if (q.parent_id)
      sql += "(c.status = 'published' OR c.visible_below > 0) AND c.parent_id = " + arg(*q.parent_id);
    else if (q.sort == CommentSort::picks)
      sql += "c.status = 'published' AND c.article_id = " + arg(q.article_id) + " AND c.picked";
    else
      sql += "(c.status = 'published' OR c.visible_below > 0) AND c.article_id = " + arg(q.article_id) +
             " AND c.parent_id IS NULL";
    if (q.after) {
      auto k = arg(q.after->key);
      auto i = arg(q.after->id);
      const char* cmp = ascending ? " > " : " < ";
      sql += " AND (" + key + cmp + k + " OR (" + key + " = " + k + " AND c.id" + cmp + i + "))";
    }
    int limit = std::clamp(q.limit, 1, 500);
    sql += " ORDER BY " + key + (ascending ? " ASC, c.id ASC" : " DESC, c.id DESC") + " LIMIT " + arg(limit + 1);
    CommentList out;
    for (auto row : db.query(sql, ps)) out.comments.push_back(read_comment(row));
    if (static_cast<int>(out.comments.size()) > limit) {
      out.comments.pop_back();
      const auto& last = out.comments.back();
      out.next = CommentCursor{top ? last.recommend_count : secs(last.created_at), last.id};
    }
    return out;
  });
}

std::vector<Comment> PostgresStore::list_thread_replies(const std::vector<int64_t>& root_ids, int per_thread,
                                                        int limit) {
  if (root_ids.empty()) return {};
  return db_.read_replica([&](Connection& db) {
    std::vector<Comment> out;
    // One statement per thread keeps each lookup on the comments_by_root index.
    for (int64_t root : root_ids) {
      if (static_cast<int>(out.size()) >= limit) break;
      for (auto row : db.query(std::string("SELECT ") + kCommentColumns + kCommentFrom +
                                   "WHERE c.root_id = $1 AND c.parent_id IS NOT NULL AND (c.status = 'published' OR "
                                   "c.visible_below > 0) "
                                   "ORDER BY c.created_at, c.id LIMIT $2",
                               {root, std::min(per_thread, limit - static_cast<int>(out.size()))}))
        out.push_back(read_comment(row));
    }
    return out;
  });
}

bool PostgresStore::edit_comment(int64_t id, const std::string& markdown, const std::string& html, TimePoint edited_at,
                                 bool hold) {
  return write([&](Connection& db) {
    // The text being replaced becomes a revision; the row lock orders two edits of one comment.
    auto kept = db.query(
        "WITH old AS (SELECT id, body_markdown, coalesce(edited_at, created_at) AS t FROM comments "
        "WHERE id = $1 AND status = 'published' FOR UPDATE) "
        "INSERT INTO comment_revisions (comment_id, body_markdown, written_at) "
        "SELECT id, body_markdown, t FROM old RETURNING comment_id",
        {id});
    if (kept.empty()) return false;
    auto r = db.query(
        "UPDATE comments SET body_markdown = $2, body_html = $3, edited_at = $4, status = $5 "
        "WHERE id = $1 AND status = 'published' RETURNING article_id, parent_id",
        {id, markdown, html, secs(edited_at), std::string(hold ? "pending" : "published")});
    if (r.empty()) return false;
    if (hold)
      recount(db, r.front().int64(0), r.front().is_null(1) ? std::nullopt : std::optional<int64_t>(r.front().int64(1)),
              -1);
    return true;
  });
}

std::vector<CommentRevision> PostgresStore::comment_revisions(int64_t comment_id) {
  return db_.read([&](Connection& db) {
    std::vector<CommentRevision> out;
    for (auto row : db.query(
             "SELECT body_markdown, written_at FROM comment_revisions WHERE comment_id = $1 ORDER BY id", {comment_id}))
      out.push_back({row.text(0), seconds_at(row, 1)});
    return out;
  });
}

bool PostgresStore::delete_comment(int64_t id) {
  return write([&](Connection& db) {
    // Locked: of two concurrent deletes, the second finds the comment no longer published.
    auto r =
        db.query("SELECT article_id, parent_id FROM comments WHERE id = $1 AND status = 'published' FOR UPDATE", {id});
    if (r.empty()) return false;
    db.query("UPDATE comments SET status = 'deleted' WHERE id = $1", {id});
    recount(db, r.front().int64(0), r.front().is_null(1) ? std::nullopt : std::optional<int64_t>(r.front().int64(1)),
            -1);
    return true;
  });
}

int64_t PostgresStore::set_reaction(int64_t comment_id, int64_t account_id, const std::string& kind, bool on) {
  return write([&](Connection& db) {
    int64_t changed =
        on ? db.query(
                   "INSERT INTO comment_reactions (comment_id, account_id, kind, created_at) VALUES ($1, $2, $3, $4) "
                   "ON CONFLICT DO NOTHING",
                   {comment_id, account_id, kind, secs(now_seconds())})
                 .affected()
           : db.query("DELETE FROM comment_reactions WHERE comment_id = $1 AND account_id = $2 AND kind = $3",
                      {comment_id, account_id, kind})
                 .affected();
    if (changed > 0 && kind == "recommend")
      db.query("UPDATE comments SET recommend_count = recommend_count + $2 WHERE id = $1", {comment_id, on ? 1 : -1});
    auto r = db.query("SELECT recommend_count FROM comments WHERE id = $1", {comment_id});
    return r.empty() ? int64_t{0} : r.front().int64(0);
  });
}

std::vector<std::pair<int64_t, std::string>> PostgresStore::reactions_by(int64_t account_id,
                                                                         const std::vector<int64_t>& ids) {
  return db_.read([&](Connection& db) {
    std::vector<std::pair<int64_t, std::string>> out;
    for (int64_t id : ids)
      for (auto row :
           db.query("SELECT kind FROM comment_reactions WHERE comment_id = $1 AND account_id = $2", {id, account_id}))
        out.emplace_back(id, row.text(0));
    return out;
  });
}

bool PostgresStore::add_report(int64_t comment_id, int64_t reporter_id, const std::string& reason,
                               const std::string& note) {
  return write([&](Connection& db) {
    return db.query(
                 "INSERT INTO comment_reports (comment_id, reporter_id, reason, note, created_at) VALUES ($1, $2, "
                 "$3, $4, $5) ON CONFLICT DO NOTHING",
                 {comment_id, reporter_id, reason, note, secs(now_seconds())})
               .affected() > 0;
  });
}

std::vector<Comment> PostgresStore::comments_since(int64_t article_id, int64_t after_id, int limit) {
  return db_.read([&](Connection& db) {
    std::vector<Comment> out;
    for (auto row :
         db.query(std::string("SELECT ") + kCommentColumns + kCommentFrom +
                      "WHERE c.article_id = $1 AND c.id > $2 AND c.status = 'published' ORDER BY c.id LIMIT $3",
                  {article_id, after_id, limit}))
      out.push_back(read_comment(row));
    return out;
  });
}

int64_t PostgresStore::count_comments(int64_t article_id) {
  return db_.read_replica([&](Connection& db) {
    return db.query("SELECT count(*) FROM comments WHERE article_id = $1 AND status = 'published'", {article_id})
        .front()
        .int64(0);
  });
}

bool PostgresStore::set_pick(int64_t comment_id, bool on) {
  return write([&](Connection& db) {
    return db.query("UPDATE comments SET picked = $2 WHERE id = $1 AND status = 'published'", {comment_id, on})
               .affected() > 0;
  });
}

std::vector<std::pair<std::string, int64_t>> PostgresStore::comment_counts(const std::vector<std::string>& slugs,
                                                                           TimePoint visible_at) {
  return db_.read_replica([&](Connection& db) {
    std::vector<std::pair<std::string, int64_t>> out;
    for (const auto& slug : slugs) {
      auto r = db.query(
          "SELECT comment_count FROM articles WHERE slug = $1 AND published_at <= $2 AND state IN ('published', "
          "'retracted')",
          {slug, secs(visible_at)});
      if (!r.empty()) out.emplace_back(slug, r.front().int64(0));
    }
    return out;
  });
}

std::vector<Comment> PostgresStore::held_comments(int64_t author, int64_t article, int limit) {
  return db_.read([&](Connection& db) {
    std::vector<Comment> out;
    for (auto row :
         db.query(std::string("SELECT ") + kCommentColumns + kCommentFrom +
                      "WHERE c.author_id = $1 AND c.article_id = $2 AND c.status = 'pending' ORDER BY c.id LIMIT $3",
                  {author, article, static_cast<int64_t>(limit)}))
      out.push_back(read_comment(row));
    return out;
  });
}

}  // namespace tribune::postgres

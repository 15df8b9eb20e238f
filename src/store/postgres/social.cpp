#include "store/postgres/engine.h"

namespace tribune::postgres {

void PostgresStore::set_follow(int64_t follower, int64_t followed, bool on) {
  write([&](Connection& db) {
    if (db.query("SELECT 1 FROM accounts WHERE id = $1", {followed}).empty())
      throw Error(ErrorKind::not_found, "not_found", "The reader was not found.");
    if (on)
      db.query("INSERT INTO follows (follower_id, followed_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
               {follower, followed, secs(now_seconds())});
    else
      db.query("DELETE FROM follows WHERE follower_id = $1 AND followed_id = $2", {follower, followed});
  });
}

bool PostgresStore::follows(int64_t follower, int64_t followed) {
  return db_.read([&](Connection& db) {
    return !db.query("SELECT 1 FROM follows WHERE follower_id = $1 AND followed_id = $2", {follower, followed}).empty();
  });
}

FollowCounts PostgresStore::follow_counts(int64_t id) {
  return db_.read_replica([&](Connection& db) {
    auto r = db.query(
                   "SELECT (SELECT count(*) FROM follows WHERE followed_id = $1), (SELECT count(*) FROM follows "
                   "WHERE follower_id = $1)",
                   {id})
                 .front();
    return FollowCounts{r.int64(0), r.int64(1)};
  });
}

std::vector<Comment> PostgresStore::followed_comments(int64_t follower, int64_t before_id, int limit) {
  return db_.read_replica([&](Connection& db) {
    std::vector<Comment> out;
    for (auto row : db.query(std::string("SELECT ") + kCommentColumns + kCommentFrom +
                                 "WHERE c.author_id IN (SELECT followed_id FROM follows WHERE follower_id = $1) AND "
                                 "c.status = 'published'" +
                                 std::string(kCommentArticleVisible) +
                                 "AND ($2::bigint = 0 OR c.id < $2) ORDER BY c.id DESC LIMIT $3",
                             {follower, before_id, limit}))
      out.push_back(read_comment(row));
    return out;
  });
}

std::vector<Comment> PostgresStore::comments_of(int64_t author, int64_t before_id, int limit) {
  return db_.read_replica([&](Connection& db) {
    std::vector<Comment> out;
    for (auto row :
         db.query(std::string("SELECT ") + kCommentColumns + kCommentFrom +
                      "WHERE c.author_id = $1 AND c.status = 'published'" + std::string(kCommentArticleVisible) +
                      "AND ($2::bigint = 0 OR c.id < $2) "
                      "ORDER BY c.id DESC LIMIT $3",
                  {author, before_id, limit}))
      out.push_back(read_comment(row));
    return out;
  });
}

std::vector<Notification> PostgresStore::notifications(int64_t account, int64_t before_id, int limit) {
  return db_.read([&](Connection& db) {
    std::vector<Notification> out;
    for (auto row :
         db.query(std::string("SELECT ") + kNotificationColumns + kNotificationFrom + "WHERE n.account_id = $1 AND " +
                      kNotificationVisible + " AND ($2::bigint = 0 OR n.id < $2) ORDER BY n.id DESC LIMIT $3",
                  {account, before_id, limit}))
      out.push_back(read_notification(row));
    return out;
  });
}

int64_t PostgresStore::unread_notifications(int64_t account) {
  return db_.read([&](Connection& db) {
    return db
        .query(std::string("SELECT count(*)") + kNotificationFrom + "WHERE n.account_id = $1 AND " +
                   "n.read_at IS NULL AND " + kNotificationVisible,
               {account})
        .front()
        .int64(0);
  });
}

void PostgresStore::mark_notifications_read(int64_t account, int64_t up_to_id) {
  write([&](Connection& db) {
    db.query("UPDATE notifications SET read_at = $3 WHERE account_id = $1 AND id <= $2 AND read_at IS NULL",
             {account, up_to_id, secs(now_seconds())});
  });
}

void PostgresStore::set_ignore(int64_t account, int64_t ignored, bool on) {
  write([&](Connection& db) {
    if (db.query("SELECT 1 FROM accounts WHERE id = $1", {ignored}).empty())
      throw Error(ErrorKind::not_found, "not_found", "The reader was not found.");
    if (on)
      db.query("INSERT INTO ignores (account_id, ignored_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
               {account, ignored, secs(now_seconds())});
    else
      db.query("DELETE FROM ignores WHERE account_id = $1 AND ignored_id = $2", {account, ignored});
  });
}

std::vector<int64_t> PostgresStore::ignored_by(int64_t account, int limit) {
  return db_.read([&](Connection& db) {
    std::vector<int64_t> out;
    for (auto row : db.query("SELECT ignored_id FROM ignores WHERE account_id = $1 ORDER BY created_at DESC LIMIT $2",
                             {account, limit}))
      out.push_back(row.int64(0));
    return out;
  });
}

std::vector<int64_t> PostgresStore::followed_among(int64_t follower, const std::vector<int64_t>& ids) {
  return db_.read([&](Connection& db) {
    std::vector<int64_t> out;
    for (int64_t id : ids)
      if (!db.query("SELECT 1 FROM follows WHERE follower_id = $1 AND followed_id = $2", {follower, id}).empty())
        out.push_back(id);
    return out;
  });
}

void PostgresStore::set_show_supporter(int64_t account, bool on) {
  write_account(account, [&](Connection& db) {
    if (db.query("UPDATE accounts SET show_supporter = $2 WHERE id = $1", {account, on}).affected() == 0)
      throw account_not_found();
    db.query(kBumpContentVersion);
  });
}

void PostgresStore::set_digest(int64_t account, const std::string& mode) {
  write_account(account, [&](Connection& db) {
    if (db.query("UPDATE accounts SET digest = $2 WHERE id = $1", {account, mode}).affected() == 0)
      throw account_not_found();
  });
}

std::vector<DueDigest> PostgresStore::due_digests(TimePoint now, int limit) {
  return db_.read([&](Connection& db) {
    std::vector<DueDigest> out;
    for (auto st : db.query(std::string("SELECT ") + kAccountColumnsA +
                                ", a.digest_cursor FROM accounts a WHERE a.digest <> 'off' AND a.email_verified_at IS "
                                "NOT NULL AND (a.digest = 'immediate' OR a.digest_sent_at <= $1::bigint - 86400) AND "
                                "EXISTS (SELECT 1 FROM notifications n WHERE n.account_id = a.id AND n.id > "
                                "a.digest_cursor AND n.read_at IS NULL) ORDER BY a.id LIMIT $2",
                            {secs(now), limit})) {
      DueDigest d;
      d.account = read_account(st, 0);
      d.cursor = st.int64(kAccountWidth);
      out.push_back(std::move(d));
    }
    for (auto& d : out) {
      for (auto row : db.query(std::string("SELECT ") + kNotificationColumns + kNotificationFrom +
                                   "WHERE n.account_id = $1 AND n.id > $2 AND n.read_at IS NULL AND " +
                                   kNotificationVisible + " ORDER BY n.id LIMIT 21",
                               {d.account.id, d.cursor}))
        d.items.push_back(read_notification(row));
      auto last = db.query(
          "SELECT max(id), count(*) FILTER (WHERE read_at IS NULL) FROM notifications WHERE "
          "account_id = $1 AND id > $2",
          {d.account.id, d.cursor});
      if (!last.empty()) {
        d.up_to = last.front().int64(0);
        d.more =
            std::max<int64_t>(0, last.front().int64(1) - std::min<int64_t>(20, static_cast<int64_t>(d.items.size())));
      }
      if (d.items.size() > 20) d.items.pop_back();
    }
    return out;
  });
}

bool PostgresStore::record_digest(int64_t account, int64_t expected, int64_t up_to, TimePoint now,
                                  const std::optional<OutboxMail>& mail) {
  return write_account(account, [&](Connection& db) {
    int64_t at = secs(now);
    // Compare-and-set: of two workers with the same expected cursor, the second matches no row.
    bool moved = db.query(
                       "UPDATE accounts SET digest_cursor = $3, digest_sent_at = CASE WHEN $4 THEN $5 ELSE "
                       "digest_sent_at END WHERE id = $1 AND digest_cursor = $2",
                       {account, expected, up_to, mail.has_value(), at})
                     .affected() > 0;
    if (moved && mail) insert_mail(db, *mail, at);
    return moved;
  });
}

}  // namespace tribune::postgres

#include "store/sqlite/engine.h"

namespace tribune::sqlite {

void SqliteStore::set_follow(int64_t follower, int64_t followed, bool on) {
  writer_.run([&](Db& db) {
    auto& exists = db.prepare("SELECT 1 FROM accounts WHERE id = ?1");
    exists.bind(1, followed);
    if (!exists.step()) throw Error(ErrorKind::not_found, "not_found", "The reader was not found.");
    exists.reset();
    if (on)
      db.prepare("INSERT OR IGNORE INTO follows (follower_id, followed_id, created_at) VALUES (?1, ?2, ?3)")
          .bind(1, follower)
          .bind(2, followed)
          .bind(3, now_seconds().time_since_epoch().count())
          .run();
    else
      db.prepare("DELETE FROM follows WHERE follower_id = ?1 AND followed_id = ?2")
          .bind(1, follower)
          .bind(2, followed)
          .run();
  });
}

bool SqliteStore::follows(int64_t follower, int64_t followed) {
  return readers_.with([&](Db& db) {
    auto& st = db.prepare("SELECT 1 FROM follows WHERE follower_id = ?1 AND followed_id = ?2");
    st.bind(1, follower).bind(2, followed);
    return st.step();
  });
}

FollowCounts SqliteStore::follow_counts(int64_t id) {
  return readers_.with([&](Db& db) {
    FollowCounts c;
    auto& a = db.prepare("SELECT count(*) FROM follows WHERE followed_id = ?1");
    a.bind(1, id);
    if (a.step()) c.followers = a.int64(0);
    auto& b = db.prepare("SELECT count(*) FROM follows WHERE follower_id = ?1");
    b.bind(1, id);
    if (b.step()) c.following = b.int64(0);
    return c;
  });
}

std::vector<Comment> SqliteStore::followed_comments(int64_t follower, int64_t before_id, int limit) {
  return readers_.with([&](Db& db) {
    std::vector<Comment> out;
    auto& st =
        db.prepare(std::string("SELECT ") + kCommentColumns + kCommentFrom +
                   "WHERE c.author_id IN (SELECT followed_id FROM follows WHERE follower_id = ?1) AND "
                   "c.status = 'published'" +
                   std::string(kCommentArticleVisible) + "AND (?2 = 0 OR c.id < ?2) ORDER BY c.id DESC LIMIT ?3");
    st.bind(1, follower).bind(2, before_id).bind(3, static_cast<int64_t>(limit));
    while (st.step()) out.push_back(read_comment(st));
    return out;
  });
}

std::vector<Comment> SqliteStore::comments_of(int64_t author, int64_t before_id, int limit) {
  return readers_.with([&](Db& db) {
    std::vector<Comment> out;
    auto& st = db.prepare(std::string("SELECT ") + kCommentColumns + kCommentFrom +
                          "WHERE c.author_id = ?1 AND c.status = 'published'" + std::string(kCommentArticleVisible) +
                          "AND (?2 = 0 OR c.id < ?2) "
                          "ORDER BY c.id DESC LIMIT ?3");
    st.bind(1, author).bind(2, before_id).bind(3, static_cast<int64_t>(limit));
    while (st.step()) out.push_back(read_comment(st));
    return out;
  });
}

std::vector<Notification> SqliteStore::notifications(int64_t account, int64_t before_id, int limit) {
  return readers_.with([&](Db& db) {
    std::vector<Notification> out;
    auto& st =
        db.prepare(std::string("SELECT ") + kNotificationColumns + kNotificationFrom + "WHERE n.account_id = ?1 AND " +
                   kNotificationVisible + " AND (?2 = 0 OR n.id < ?2) ORDER BY n.id DESC LIMIT ?3");
    st.bind(1, account).bind(2, before_id).bind(3, static_cast<int64_t>(limit));
    while (st.step()) out.push_back(read_notification(st));
    return out;
  });
}

int64_t SqliteStore::unread_notifications(int64_t account) {
  return readers_.with([&](Db& db) {
    auto& st = db.prepare(std::string("SELECT count(*)") + kNotificationFrom + "WHERE n.account_id = ?1 AND " +
                          "n.read_at IS NULL AND " + kNotificationVisible);
    st.bind(1, account);
    return st.step() ? st.int64(0) : 0;
  });
}

void SqliteStore::mark_notifications_read(int64_t account, int64_t up_to_id) {
  writer_.run([&](Db& db) {
    db.prepare("UPDATE notifications SET read_at = ?3 WHERE account_id = ?1 AND id <= ?2 AND read_at IS NULL")
        .bind(1, account)
        .bind(2, up_to_id)
        .bind(3, now_seconds().time_since_epoch().count())
        .run();
  });
}

void SqliteStore::set_ignore(int64_t account, int64_t ignored, bool on) {
  writer_.run([&](Db& db) {
    auto& exists = db.prepare("SELECT 1 FROM accounts WHERE id = ?1");
    exists.bind(1, ignored);
    if (!exists.step()) throw Error(ErrorKind::not_found, "not_found", "The reader was not found.");
    exists.reset();
    if (on)
      db.prepare("INSERT OR IGNORE INTO ignores (account_id, ignored_id, created_at) VALUES (?1, ?2, ?3)")
          .bind(1, account)
          .bind(2, ignored)
          .bind(3, now_seconds().time_since_epoch().count())
          .run();
    else
      db.prepare("DELETE FROM ignores WHERE account_id = ?1 AND ignored_id = ?2")
          .bind(1, account)
          .bind(2, ignored)
          .run();
  });
}

std::vector<int64_t> SqliteStore::ignored_by(int64_t account, int limit) {
  return readers_.with([&](Db& db) {
    std::vector<int64_t> out;
    auto& st = db.prepare("SELECT ignored_id FROM ignores WHERE account_id = ?1 ORDER BY created_at DESC LIMIT ?2");
    st.bind(1, account).bind(2, static_cast<int64_t>(limit));
    while (st.step()) out.push_back(st.int64(0));
    return out;
  });
}

std::vector<int64_t> SqliteStore::followed_among(int64_t follower, const std::vector<int64_t>& ids) {
  return readers_.with([&](Db& db) {
    std::vector<int64_t> out;
    auto& st = db.prepare("SELECT 1 FROM follows WHERE follower_id = ?1 AND followed_id = ?2");
    for (int64_t id : ids) {
      st.reset();
      st.bind(1, follower).bind(2, id);
      if (st.step()) out.push_back(id);
    }
    return out;
  });
}

void SqliteStore::set_show_supporter(int64_t account, bool on) {
  writer_.run([&](Db& db) {
    db.prepare("UPDATE accounts SET show_supporter = ?2 WHERE id = ?1")
        .bind(1, account)
        .bind(2, int64_t{on ? 1 : 0})
        .run();
    if (db.changes() == 0) throw Error(ErrorKind::not_found, "not_found", "The account was not found.");
    db.prepare(kBumpContentVersion).run();
  });
}

void SqliteStore::set_digest(int64_t account, const std::string& mode) {
  writer_.run([&](Db& db) {
    db.prepare("UPDATE accounts SET digest = ?2 WHERE id = ?1").bind(1, account).bind(2, mode).run();
    if (db.changes() == 0) throw Error(ErrorKind::not_found, "not_found", "The account was not found.");
  });
}

std::vector<DueDigest> SqliteStore::due_digests(TimePoint now, int limit) {
  return readers_.with([&](Db& db) {
    std::vector<DueDigest> out;
    auto& st = db.prepare(std::string("SELECT ") + kAccountColumnsA +
                          ", a.digest_cursor FROM accounts a WHERE a.digest <> 'off' AND a.email_verified_at IS NOT "
                          "NULL AND (a.digest = 'immediate' OR a.digest_sent_at <= ?1 - 86400) AND EXISTS (SELECT 1 "
                          "FROM notifications n WHERE n.account_id = a.id AND n.id > a.digest_cursor AND n.read_at "
                          "IS NULL) ORDER BY a.id LIMIT ?2");
    st.bind(1, now.time_since_epoch().count()).bind(2, static_cast<int64_t>(limit));
    while (st.step()) {
      DueDigest d;
      d.account = read_account(st, 0);
      d.cursor = st.int64(kAccountWidth);
      out.push_back(std::move(d));
    }
    st.reset();
    auto& items = db.prepare(std::string("SELECT ") + kNotificationColumns + kNotificationFrom +
                             "WHERE n.account_id = ?1 AND n.id > ?2 AND n.read_at IS NULL AND " + kNotificationVisible +
                             " ORDER BY n.id LIMIT 21");
    auto& last = db.prepare(
        "SELECT max(id), coalesce(sum(read_at IS NULL), 0) FROM notifications WHERE account_id = ?1 AND id > ?2");
    for (auto& d : out) {
      items.reset();
      items.bind(1, d.account.id).bind(2, d.cursor);
      while (items.step()) d.items.push_back(read_notification(items));
      last.reset();
      last.bind(1, d.account.id).bind(2, d.cursor);
      if (last.step()) {
        d.up_to = last.int64(0);
        d.more = std::max<int64_t>(0, last.int64(1) - std::min<int64_t>(20, static_cast<int64_t>(d.items.size())));
      }
      if (d.items.size() > 20) d.items.pop_back();
    }
    return out;
  });
}

bool SqliteStore::record_digest(int64_t account, int64_t expected, int64_t up_to, TimePoint now,
                                const std::optional<OutboxMail>& mail) {
  bool moved = false;
  writer_.run([&](Db& db) {
    int64_t at = now.time_since_epoch().count();
    db.prepare(
          "UPDATE accounts SET digest_cursor = ?3, digest_sent_at = CASE WHEN ?4 THEN ?5 ELSE digest_sent_at "
          "END WHERE id = ?1 AND digest_cursor = ?2")
        .bind(1, account)
        .bind(2, expected)
        .bind(3, up_to)
        .bind(4, int64_t{mail ? 1 : 0})
        .bind(5, at)
        .run();
    moved = db.changes() > 0;
    if (moved && mail) insert_mail(db, *mail, at);
  });
  return moved;
}

}  // namespace tribune::sqlite

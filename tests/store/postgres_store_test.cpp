// What only the PostgreSQL engine has to prove: several processes migrating one database, uniqueness
// violations raced past a check, a server that drops its connections, an unreachable server. Skipped unless
// TRIBUNE_TEST_PG names a server.
#include "store/postgres/postgres_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <numeric>
#include <set>
#include <thread>

#include "model/error.h"
#include "store/postgres/listener.h"
#include "store/postgres/migrations.h"
#include "store/postgres/pg.h"
#include "test_support.h"

using namespace tribune;
using tribune::testing::TempDir;

namespace {

class PostgresStore : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!tribune::testing::pg_test_server()) GTEST_SKIP() << "TRIBUNE_TEST_PG is not set";
    url_ = tribune::testing::pg_test_database(dir_.path());
  }
  void TearDown() override {
    if (!url_.empty()) tribune::testing::drop_pg_test_database(dir_.path());
  }

  std::unique_ptr<Store> open(int pool_size = 4) { return open_postgres_store(PostgresOptions{url_, pool_size}); }

  // Ends every session of this test's database except the caller's, as a server restart would.
  void terminate_sessions() {
    pg::Connection admin(*tribune::testing::pg_test_server());
    auto r =
        admin.query("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = $1", {db_name()});
    ASSERT_GT(r.front().int64(0), 0);
  }

  std::string db_name() {
    pg::Connection c(url_);
    return c.query("SELECT current_database()").front().text(0);
  }

  ArticleRecord record(std::string slug) {
    ArticleRecord r;
    r.draft.slug = std::move(slug);
    r.draft.title = "Title";
    r.draft.authors = {"Ana Ruiz"};
    r.draft.section = "Opinion";
    r.draft.body_markdown = "body";
    r.body_html = "<p>body</p>";
    r.published_at = TimePoint(std::chrono::seconds(1000));
    return r;
  }

  NewAccount account(const std::string& email) {
    NewAccount a;
    a.email = email;
    a.email_normalized = email;
    a.display_name = "Reader " + email;
    a.name_keys = {email, email};
    a.password_hash = "x";
    a.role = Role::reader;
    a.created_at = now_seconds();
    return a;
  }

  // Posts n comments (make(i) each), each from a thread of its own, while a lock on the article's row holds
  // them back, so that they queue and go in few batches; answers each one's outcome ("ok" or its error's code)
  // and what was saved.
  struct Posted {
    std::vector<std::string> outcome;
    std::vector<SavedComment> saved;
  };
  Posted post_held_back(Store& store, int64_t article_id, int n, const std::function<NewComment(int)>& make) {
    pg::Connection blocker(url_);
    blocker.exec("BEGIN");
    blocker.query("SELECT id FROM articles WHERE id = $1 FOR UPDATE", {article_id});
    Posted out{std::vector<std::string>(static_cast<size_t>(n)), std::vector<SavedComment>(static_cast<size_t>(n))};
    std::vector<std::thread> threads;
    for (int i = 0; i < n; ++i)
      threads.emplace_back([&, i] {
        auto at = static_cast<size_t>(i);
        try {
          out.saved[at] = store.add_comment(make(i));
          out.outcome[at] = "ok";
        } catch (const Error& e) {
          out.outcome[at] = e.code();
        }
      });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    blocker.exec("COMMIT");
    for (auto& t : threads) t.join();
    return out;
  }

  TempDir dir_;
  std::string url_;
};

}  // namespace

TEST_F(PostgresStore, StoresMigratingAtOnceApplyEachStepOnce) {
  std::vector<std::unique_ptr<Store>> stores;
  for (int i = 0; i < 4; ++i) stores.push_back(open());
  std::atomic<int> ready{0}, failures{0};
  std::vector<std::thread> threads;
  for (auto& s : stores)
    threads.emplace_back([&, store = s.get()] {
      ready++;
      while (ready.load() < 4) std::this_thread::yield();
      try {
        store->migrate();
      } catch (const Error&) {
        failures++;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  pg::Connection c(url_);
  EXPECT_EQ(c.query("SELECT count(*) FROM schema_migrations").front().int64(0),
            static_cast<int64_t>(postgres::migrations().size()));
  EXPECT_EQ(c.query("SELECT value FROM counters WHERE name = 'content_version'").rows(), 1);
  for (auto& s : stores) EXPECT_EQ(s->schema_version(), stores.front()->schema_version());
  EXPECT_GE(stores.front()->schema_version(), 10);
  EXPECT_EQ(stores.front()->integrity_check(), "ok");
}

TEST_F(PostgresStore, UniqueViolationsAreConflicts) {
  auto store = open(8);
  store->migrate();
  std::string hash(32, '\x01');
  store->create_api_token(hash, "a", Role::editor);
  try {
    store->create_api_token(hash, "b", Role::editor);
    FAIL() << "duplicate token hash accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::conflict);
  }
  // Racing past the existence check, the losers still get the engine-independent code.
  constexpr int kThreads = 8;
  std::atomic<int> ready{0}, created{0}, taken{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i)
    threads.emplace_back([&] {
      ready++;
      while (ready.load() < kThreads) std::this_thread::yield();
      try {
        store->create_account(account("same@example.com"), std::nullopt, std::nullopt, std::nullopt);
        created++;
      } catch (const Error& e) {
        if (e.kind() == ErrorKind::conflict && e.code() == "email_taken" && e.field() == "email") taken++;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(taken.load(), kThreads - 1);
}

// Deterministic races: another transaction holds an uncommitted row with the same key, so the store's check
// passes and its write waits at the unique index until that transaction commits.
TEST_F(PostgresStore, ARaceLostAtTheUniqueIndexGetsTheCheckCode) {
  auto store = open(4);
  store->migrate();
  auto lose_race = [&](const std::string& insert, const std::function<void()>& call) {
    pg::Connection other(url_);
    other.exec("BEGIN");
    other.exec(insert);
    std::string code = "none";
    std::thread t([&] {
      try {
        call();
        code = "ok";
      } catch (const Error& e) {
        code = e.code();
      }
    });
    pg::Connection watch(url_);
    for (int i = 0; i < 500; ++i) {
      if (watch
              .query("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type "
                     "= 'Lock'")
              .front()
              .int64(0) > 0)
        break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    other.exec("COMMIT");
    t.join();
    return code;
  };
  EXPECT_EQ(
      lose_race("INSERT INTO accounts (email, email_normalized, display_name, name_key, name_key_cased, "
                "password_hash, created_at) VALUES ('r@example.com', 'r@example.com', 'R', 'r', 'r', 'x', 0)",
                [&] { store->create_account(account("r@example.com"), std::nullopt, std::nullopt, std::nullopt); }),
      "email_taken");
  EXPECT_EQ(lose_race("INSERT INTO sections (slug, name) VALUES ('s', 'S'); INSERT INTO articles (slug, title, "
                      "section_id, body_markdown, body_html, published_at, updated_at) SELECT 'raced', 'T', id, '', "
                      "'', 0, 0 FROM sections WHERE slug = 's'",
                      [&] { store->save_article(record("raced"), false); }),
            "slug_taken");
}

TEST_F(PostgresStore, RecoversWhenTheServerDropsItsConnections) {
  auto store = open(4);
  store->migrate();
  store->save_article(record("before"), false);
  // Idle pooled connections are now dead. Reads and writes must find out, reconnect and carry on: at most one
  // call may fail (unavailable) while the pool notices.
  terminate_sessions();
  int unavailable = 0;
  auto attempt = [&](auto&& f) {
    try {
      f();
    } catch (const Error& e) {
      ASSERT_EQ(e.kind(), ErrorKind::unavailable) << e.what();
      ++unavailable;
      f();
    }
  };
  attempt([&] { EXPECT_TRUE(store->find_article("before")); });
  terminate_sessions();
  attempt([&] { store->save_article(record("after"), false); });
  EXPECT_LE(unavailable, 1);
  EXPECT_EQ(store->count_articles(), 2);
  // The group commit's own connection too: idle for a moment, it is checked before a batch goes on it, and
  // replaced when the server dropped it.
  auto author = store->create_account(account("c@example.com"), std::nullopt, std::nullopt, std::nullopt).account.id;
  auto comment = [&] {
    return store->add_comment(NewComment{store->find_article("after")->id,
                                         std::nullopt,
                                         author,
                                         "text",
                                         "<p>text</p>",
                                         CommentStatus::published,
                                         now_seconds(),
                                         {},
                                         "",
                                         ""});
  };
  comment();
  terminate_sessions();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_NO_THROW(comment());
  EXPECT_EQ(store->count_comments(store->find_article("after")->id), 2);
  EXPECT_EQ(store->integrity_check(), "ok");
}

TEST_F(PostgresStore, AnUnreachableServerIsUnavailable) {
  try {
    open_postgres_store(PostgresOptions{"postgresql://127.0.0.1:1/none?connect_timeout=2", 2});
    FAIL() << "opened a store on a closed port";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::unavailable);
    EXPECT_EQ(e.code(), "store_unavailable");
  }
}

TEST_F(PostgresStore, APoolWithNoFreeConnectionTimesOutAsUnavailable) {
  pg::Pool pool(url_, 1, std::chrono::milliseconds(100));
  auto held = pool.acquire();
  auto started = std::chrono::steady_clock::now();
  try {
    auto second = pool.acquire();
    FAIL() << "a second connection from a pool of one";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::unavailable);
    EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(100));
  }
}

TEST_F(PostgresStore, OnlySerializationFailuresAndDeadlocksRunATransactionAgain) {
  pg::Database db(url_, 2, std::chrono::seconds(5));
  for (const char* sqlstate : {"40001", "40P01"}) {
    int runs = 0;
    int64_t got = db.transact([&](pg::Connection& c) {
      if (++runs == 1) throw pg::PgError(ErrorKind::unavailable, "store_busy", "busy", sqlstate, "");
      return c.query("SELECT 7").front().int64(0);
    });
    EXPECT_EQ(got, 7);
    EXPECT_EQ(runs, 2) << sqlstate;
  }
  int runs = 0;
  EXPECT_THROW(db.transact([&](pg::Connection& c) {
    ++runs;
    c.exec("SELECT 1/0");
  }),
               pg::PgError);
  EXPECT_EQ(runs, 1);
}

// Comments go through a group commit: a batch in which some fail answers those with their error and commits
// the others. The article's row is held locked from another session, so that the comments queue behind the
// first batch and go together in the next.
TEST_F(PostgresStore, ACommentThatFailsInABatchFailsAloneAndTheOthersCommit) {
  auto store = open(4);
  store->migrate();
  auto article = store->save_article(record("busy"), false);
  auto author = store->create_account(account("a@example.com"), std::nullopt, std::nullopt, std::nullopt).account.id;
  auto first = store->add_comment(NewComment{
      article.id, std::nullopt, author, "first", "<p>first</p>", CommentStatus::published, now_seconds(), {}, "", ""});
  auto before = store->stats();
  constexpr int kComments = 24, kNoArticle = 11, kBadParent = 17, kNul = 20;
  auto outcome = post_held_back(*store, article.id, kComments, [&](int i) {
                   NewComment c{article.id,
                                first.comment.id,
                                author,
                                "reply " + std::to_string(i),
                                "<p>reply</p>",
                                CommentStatus::published,
                                now_seconds(),
                                {},
                                "",
                                ""};
                   if (i == kNoArticle) c.article_id = article.id + 1000;  // a foreign key violation on the server
                   if (i == kNoArticle) c.parent_id.reset();
                   if (i == kBadParent)
                     c.parent_id = first.comment.id + 1000;  // no such comment: no row, not a failure
                   if (i == kNul) c.body_markdown = std::string("nul \0 inside", 13);  // refused before it is sent
                   return c;
                 }).outcome;

  for (int i = 0; i < kComments; ++i) {
    const char* expected = i == kNoArticle   ? "conflict"
                           : i == kBadParent ? "invalid_parent"
                           : i == kNul       ? "invalid_text"
                                             : "ok";
    EXPECT_EQ(outcome[static_cast<size_t>(i)], expected) << "comment " << i;
  }
  constexpr int kStored = kComments - 3 + 1;
  EXPECT_EQ(store->count_comments(article.id), kStored);
  EXPECT_EQ(store->find_article("busy")->comment_count, kStored);
  EXPECT_EQ(store->find_comment(first.comment.id)->reply_count, kStored - 1);
  EXPECT_EQ(store->integrity_check(), "ok");
  auto after = store->stats();
  EXPECT_EQ(after.grouped_writes - before.grouped_writes, kComments - 2);  // the parent's absence is no failure
  EXPECT_LE(after.group_commits - before.group_commits, 4) << "the comments did not go in batches";
}

// Top-level comments that mention nobody run merged, one statement for a batch: each caller still gets its own
// comment (its text exactly, quotes and backslashes included), only its author's followers are notified (not
// one who ignores the author, not for a held comment), the counts agree with the rows, and a comment that
// fails (an article that is gone; a NUL, refused before it is sent) fails alone while the rest commit.
TEST_F(PostgresStore, TopLevelCommentsMergedInABatchEachGetTheirOwnAndOneFailingFailsAlone) {
  auto store = open(4);
  store->migrate();
  auto article = store->save_article(record("merged"), false);
  auto make = [&](const std::string& email) {
    return store->create_account(account(email), std::nullopt, std::nullopt, std::nullopt).account.id;
  };
  auto writer = make("w@example.com"), other = make("o@example.com"), follower = make("f@example.com"),
       ignorer = make("i@example.com");
  store->set_follow(follower, writer, true);
  store->set_follow(ignorer, writer, true);
  store->set_ignore(ignorer, writer, true);
  store->set_follow(follower, other, true);
  constexpr int kComments = 32, kNoArticle = 9, kNul = 21;
  auto author_of = [&](int i) { return i % 4 == 3 ? other : writer; };
  auto held = [](int i) { return i % 5 == 4; };
  auto text = [](int round, int i) {
    return "top \"" + std::to_string(round) + "." + std::to_string(i) + "\" \\ {a,b} NULL";
  };
  std::set<int64_t> ids;
  int published = 0, followed = 0;
  // Round 0: every comment fine; round 1: two of them fail.
  for (int round = 0; round < 2; ++round) {
    bool failures = round == 1;
    auto before = store->stats();
    auto [outcome, saved] = post_held_back(*store, article.id, kComments, [&](int i) {
      NewComment c{article.id,
                   std::nullopt,
                   author_of(i),
                   text(round, i),
                   "<p>top</p>",
                   held(i) ? CommentStatus::pending : CommentStatus::published,
                   now_seconds(),
                   {},
                   held(i) ? "links" : "",
                   held(i) ? "a link" : ""};
      if (failures && i == kNoArticle) c.article_id = article.id + 1000;  // a foreign key violation on the server
      if (failures && i == kNul) c.body_markdown = std::string("nul \0 inside", 13);  // refused before it is sent
      return c;
    });

    for (int i = 0; i < kComments; ++i) {
      auto at = static_cast<size_t>(i);
      const char* expected = failures && i == kNoArticle ? "conflict" : failures && i == kNul ? "invalid_text" : "ok";
      ASSERT_EQ(outcome[at], expected) << "round " << round << ", comment " << i;
      if (outcome[at] != "ok") continue;
      const auto& c = saved[at].comment;
      EXPECT_TRUE(ids.insert(c.id).second) << "comment " << i << " got another's id";
      EXPECT_EQ(c.body_markdown, text(round, i));
      EXPECT_EQ(c.author_id, author_of(i));
      EXPECT_EQ(c.root_id, c.id);
      EXPECT_EQ(c.depth, 0);
      EXPECT_EQ(c.status, held(i) ? CommentStatus::pending : CommentStatus::published);
      EXPECT_EQ(store->find_comment(c.id)->body_markdown, text(round, i));
      std::vector<int64_t> notified;
      for (const auto& r : saved[at].notified) {
        notified.push_back(r.account_id);
        EXPECT_EQ(r.kind, "followed_comment");
      }
      EXPECT_EQ(notified, held(i) ? std::vector<int64_t>{} : std::vector<int64_t>{follower}) << "comment " << i;
      if (!held(i)) ++published, ++followed;
    }
    auto after = store->stats();
    // The failing comment is in no commit, the NUL never reached a batch.
    EXPECT_EQ(after.grouped_writes - before.grouped_writes, failures ? kComments - 2 : kComments);
    EXPECT_LE(after.group_commits - before.group_commits, 6) << "the comments did not go in batches";
    if (!failures) {
      EXPECT_GT(after.merged_writes - before.merged_writes, kComments / 2) << "the batches ran unmerged";
    }
  }
  EXPECT_EQ(store->find_article("merged")->comment_count, published);
  EXPECT_EQ(store->unread_notifications(follower), followed);
  EXPECT_EQ(store->unread_notifications(ignorer), 0);
  EXPECT_EQ(store->integrity_check(), "ok");
}

// Replies that mention nobody run merged too: each lands under its own parent at the right depth, the parent's
// author is notified once as "reply" (even when following the writer too), followers of the writer as
// "followed_comment", nobody about their own reply, nobody who ignores the writer, nobody for a held reply;
// a reply to a comment that is not published is refused alone; every ancestor's counts grow by the
// replies below it, however many replies of the batch share it.
TEST_F(PostgresStore, RepliesMergedInABatchKeepTheThreadsCountsAndNotifyOnce) {
  auto store = open(4);
  store->migrate();
  auto article = store->save_article(record("threads"), false);
  auto make = [&](const std::string& email) {
    return store->create_account(account(email), std::nullopt, std::nullopt, std::nullopt).account.id;
  };
  auto parent_author = make("p@example.com"), writer = make("w@example.com"), follower = make("f@example.com"),
       ignorer = make("i@example.com");
  store->set_follow(follower, writer, true);
  store->set_follow(parent_author, writer, true);
  store->set_follow(ignorer, writer, true);
  store->set_ignore(ignorer, writer, true);
  auto post = [&](std::optional<int64_t> parent, int64_t author, CommentStatus status) {
    return store
        ->add_comment(NewComment{article.id, parent, author, "seed", "<p>seed</p>", status, now_seconds(), {}, "", ""})
        .comment;
  };
  auto root = post(std::nullopt, parent_author, CommentStatus::published);
  auto child = post(root.id, follower, CommentStatus::published);
  auto grandchild = post(child.id, parent_author, CommentStatus::published);
  auto pending = post(std::nullopt, follower, CommentStatus::pending);
  const std::vector<Comment> parents{root, child, grandchild};

  constexpr int kReplies = 30, kToPending = 7, kHeld = 13;
  auto parent_of = [&](int i) { return parents[static_cast<size_t>(i % 3)]; };
  auto author_of = [&](int i) { return i % 5 == 1 ? parent_author : writer; };
  auto before = store->stats();
  auto [outcome, saved] = post_held_back(*store, article.id, kReplies, [&](int i) {
    bool held = i == kHeld;
    NewComment c{article.id,          i == kToPending ? pending.id : parent_of(i).id,
                 author_of(i),        "reply " + std::to_string(i),
                 "<p>reply</p>",      held ? CommentStatus::pending : CommentStatus::published,
                 now_seconds(),       {},
                 held ? "links" : "", held ? "a link" : ""};
    return c;
  });
  auto after = store->stats();
  EXPECT_GT(after.merged_writes - before.merged_writes, kReplies / 2) << "the batches ran unmerged";

  std::map<int64_t, int64_t> direct, below;  // expected new replies under each parent: directly, anywhere below
  for (int i = 0; i < kReplies; ++i) {
    auto at = static_cast<size_t>(i);
    ASSERT_EQ(outcome[at], i == kToPending ? "invalid_parent" : "ok") << "reply " << i;
    if (i == kToPending) continue;
    const auto& c = saved[at].comment;
    const auto& parent = parent_of(i);
    EXPECT_EQ(c.parent_id, parent.id);
    EXPECT_EQ(c.root_id, root.id);
    EXPECT_EQ(c.depth, parent.depth + 1);
    EXPECT_EQ(c.body_markdown, "reply " + std::to_string(i));
    std::map<int64_t, std::string> got;
    for (const auto& r : saved[at].notified) EXPECT_TRUE(got.emplace(r.account_id, r.kind).second) << "twice: " << i;
    std::map<int64_t, std::string> expected;
    if (i != kHeld) {
      if (parent.author_id != author_of(i)) expected[*parent.author_id] = "reply";
      if (author_of(i) == writer) {
        expected.emplace(follower, "followed_comment");
        expected.emplace(parent_author, "followed_comment");
      }
      ++direct[parent.id];
      for (auto p = std::optional<int64_t>(parent.id); p;) {
        ++below[*p];
        p = *p == root.id    ? std::nullopt
            : *p == child.id ? std::optional<int64_t>(root.id)
                             : std::optional<int64_t>(child.id);
      }
    }
    EXPECT_EQ(got, expected) << "reply " << i;
  }
  EXPECT_EQ(store->find_comment(root.id)->reply_count, 1 + direct[root.id]);
  EXPECT_EQ(store->find_comment(child.id)->reply_count, 1 + direct[child.id]);
  EXPECT_EQ(store->find_comment(grandchild.id)->reply_count, direct[grandchild.id]);
  pg::Connection admin(url_);
  auto visible_below = [&](int64_t id) {
    return admin.query("SELECT visible_below FROM comments WHERE id = $1", {id}).front().int64(0);
  };
  EXPECT_EQ(visible_below(root.id), 2 + below[root.id]);
  EXPECT_EQ(visible_below(child.id), 1 + below[child.id]);
  EXPECT_EQ(visible_below(grandchild.id), below[grandchild.id]);
  EXPECT_EQ(store->unread_notifications(ignorer), 0);
  EXPECT_EQ(store->find_article("threads")->comment_count, 3 + kReplies - 2);
  EXPECT_EQ(store->integrity_check(), "ok");
}

// Several writers take batches from one queue: every comment is stored once, each thread's counts and each
// article's count agree with what was stored, whatever order the batches committed in.
TEST_F(PostgresStore, SeveralCommentWritersStoreEveryCommentOnceAndCountThemAll) {
  PostgresOptions o{url_, 4};
  o.comment_writers = 3;
  auto store = open_postgres_store(o);
  store->migrate();
  std::vector<int64_t> articles{store->save_article(record("one"), false).id,
                                store->save_article(record("two"), false).id};
  auto author = store->create_account(account("w@example.com"), std::nullopt, std::nullopt, std::nullopt).account.id;
  std::vector<int64_t> roots;
  for (int64_t a : articles)
    for (int i = 0; i < 2; ++i)
      roots.push_back(
          store
              ->add_comment(NewComment{
                  a, std::nullopt, author, "root", "<p>root</p>", CommentStatus::published, now_seconds(), {}, "", ""})
              .comment.id);
  constexpr int kThreads = 8, kEach = 30;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        size_t root = static_cast<size_t>((t + i) % 4);
        bool reply = i % 3 != 0;  // replies to the four roots in differing orders, and top-level comments
        NewComment c{articles[root / 2],
                     reply ? std::optional<int64_t>(roots[root]) : std::nullopt,
                     author,
                     "c " + std::to_string(t) + " " + std::to_string(i),
                     "<p>c</p>",
                     CommentStatus::published,
                     now_seconds(),
                     {},
                     "",
                     ""};
        try {
          store->add_comment(c);
        } catch (const Error& e) {
          ADD_FAILURE() << e.what();
          ++failures;
        }
      }
    });
  for (auto& t : threads) t.join();
  ASSERT_EQ(failures.load(), 0);
  EXPECT_EQ(store->count_comments(articles[0]) + store->count_comments(articles[1]), 4 + kThreads * kEach);
  EXPECT_EQ(store->find_article("one")->comment_count + store->find_article("two")->comment_count,
            4 + kThreads * kEach);
  EXPECT_EQ(store->integrity_check(), "ok");  // reply counts and article counts against the rows
}

// Rate-limit hits of concurrent requests share one statement; still, on two nodes at once, every hit on a key
// gets a count of its own (none lost, none given twice), a request's keys are counted together, and a key that
// only one thread hits counts that thread's hits in order.
TEST_F(PostgresStore, ConcurrentRateHitsOnTwoNodesEachGetTheirOwnCount) {
  auto node_a = open(4), node_b = open(4);
  node_a->migrate();
  constexpr int kThreads = 8, kEach = 40;
  std::mutex mu;
  std::vector<int64_t> shared_counts;
  std::atomic<int> out_of_order{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      auto& store = t % 2 ? node_b : node_a;
      std::string own = "comment-attempt:account:" + std::to_string(t);
      for (int i = 0; i < kEach; ++i) {
        auto w = store->rate_hits({{own, std::chrono::minutes(1)}, {"comment:ip:192.0.2.7", std::chrono::minutes(1)}});
        ASSERT_TRUE(w);
        ASSERT_EQ(w->size(), 2u);
        if ((*w)[0].count != i + 1) ++out_of_order;
        std::lock_guard lock(mu);
        shared_counts.push_back((*w)[1].count);
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(out_of_order.load(), 0) << "a thread's own key counts its hits 1, 2, 3...";
  std::sort(shared_counts.begin(), shared_counts.end());
  std::vector<int64_t> expected(kThreads * kEach);
  std::iota(expected.begin(), expected.end(), 1);
  EXPECT_EQ(shared_counts, expected) << "every hit on the shared key has a count of its own";
  // The rows agree, and a window that ended starts again at one.
  EXPECT_EQ(node_a->rate_hit("comment:ip:192.0.2.7", std::chrono::minutes(1))->count, kThreads * kEach + 1);
  EXPECT_EQ(node_b->rate_hit("comment:ip:192.0.2.7", std::chrono::milliseconds(1))->count, 1);
}

// Concurrent requests' sessions are read in one statement: each still gets its own, with its account; a token
// no session has gets none, and tokens of any bytes (a hash may hold quotes, backslashes, NULs) are found.
TEST_F(PostgresStore, SessionsReadTogetherEachFindTheirOwn) {
  // Without the session cache: every lookup reaches the database.
  auto store = open_postgres_store(PostgresOptions{.url = url_, .pool_size = 4, .session_cache_max_age = {}});
  store->migrate();
  std::vector<std::pair<std::string, int64_t>> sessions;  // token hash, account
  for (int i = 0; i < 6; ++i) {
    auto id = store
                  ->create_account(account("s" + std::to_string(i) + "@example.com"), std::nullopt, std::nullopt,
                                   std::nullopt)
                  .account.id;
    std::string hash(32, static_cast<char>('a' + i));
    hash[3] = '"', hash[7] = '\\', hash[11] = '\0', hash[13] = ',';
    store->create_session(id, NewSession{hash, now_seconds(), now_seconds() + std::chrono::hours(1), "ua", "ip"});
    sessions.emplace_back(hash, id);
  }
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        auto& [hash, account_id] = sessions[static_cast<size_t>((t + i) % 6)];
        auto found = store->find_session(hash);
        if (!found || found->account.id != account_id || found->session.account_id != account_id) ++wrong;
        if (store->find_session(std::string(32, 'z'))) ++wrong;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
}

// Every node keeps the sessions it found (store/session_cache.h), for up to a minute here so that only an
// announcement can explain a change seen in time: node A's writes reach node B's cache by the trigger's
// notification (migration 29), and while B's listener is away B reads every session from the database.
TEST_F(PostgresStore, ASessionChangedOnOneNodeIsSeenOnAnotherAtOnceAndALostListenerStopsTheCache) {
  using namespace std::chrono_literals;
  auto node = [&] {
    return open_postgres_store(PostgresOptions{.url = url_, .pool_size = 2, .session_cache_max_age = 60s});
  };
  auto a = node();
  a->migrate();
  auto b = node();
  auto ben = a->create_account(account("ben@example.com"), std::nullopt, std::nullopt, std::nullopt).account.id;
  auto ben_session = [&](const std::string& hash) {
    a->create_session(ben, NewSession{hash, now_seconds(), now_seconds() + std::chrono::hours(1), "ua", "ip"});
  };
  ben_session("ben-1");
  auto eventually = [](const std::function<bool()>& done) {
    for (auto until = std::chrono::steady_clock::now() + 5s; !done() && std::chrono::steady_clock::now() < until;)
      std::this_thread::sleep_for(20ms);
    return done();
  };
  auto cached_on_b = [&](const std::string& hash) {
    auto hits = b->stats().sessions_cached;
    return eventually([&] { return b->find_session(hash) && b->stats().sessions_cached > hits; });
  };
  auto name_on_b = [&](const std::string& hash) {
    auto found = b->find_session(hash);
    return found ? found->account.display_name : std::string("(none)");
  };
  pg::Connection raw(url_);
  // A change nobody announces: the trigger is off for its transaction.
  auto quietly = [&](const std::string& sql) {
    raw.exec("BEGIN; ALTER TABLE accounts DISABLE TRIGGER accounts_announce_changes; " + sql +
             "; ALTER TABLE accounts ENABLE TRIGGER accounts_announce_changes; COMMIT");
  };

  ASSERT_TRUE(cached_on_b("ben-1"));
  quietly("UPDATE accounts SET display_name = 'Ben Quiet' WHERE email = 'ben@example.com'");
  EXPECT_EQ(name_on_b("ben-1"), "Reader ben@example.com") << "B reads its cache, not the database";

  a->set_role(ben, Role::editor);
  EXPECT_TRUE(eventually([&] { return b->find_session("ben-1")->account.role == Role::editor; }))
      << "a role changed on A is not seen on B";
  EXPECT_EQ(name_on_b("ben-1"), "Ben Quiet") << "B read the account again";
  ASSERT_TRUE(cached_on_b("ben-1"));
  a->delete_session("ben-1");
  EXPECT_TRUE(eventually([&] { return !b->find_session("ben-1"); })) << "signed out on A, still signed in on B";

  // B's listener loses its connection and cannot reconnect: B stops answering from memory.
  ben_session("ben-2");
  ASSERT_TRUE(cached_on_b("ben-2"));
  pg::Connection admin(*tribune::testing::pg_test_server());
  std::string name = db_name();
  admin.exec("ALTER DATABASE " + pg::quote_identifier(name) + " ALLOW_CONNECTIONS false");
  struct Allow {
    pg::Connection& admin;
    std::string name;
    ~Allow() { admin.exec("ALTER DATABASE " + pg::quote_identifier(name) + " ALLOW_CONNECTIONS true"); }
  } allow{admin, name};
  auto ended = admin.query(
      "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = $1 AND query = "
      "'LISTEN \"tribune_accounts\"'",
      {name});
  ASSERT_GT(ended.front().int64(0), 0) << "no listener to end";
  quietly("UPDATE accounts SET display_name = 'Ben Unheard' WHERE email = 'ben@example.com'");
  EXPECT_TRUE(eventually([&] { return name_on_b("ben-2") == "Ben Unheard"; }))
      << "B went on answering from memory while it could not hear of changes";
  admin.exec("ALTER DATABASE " + pg::quote_identifier(name) + " ALLOW_CONNECTIONS true");
  EXPECT_TRUE(cached_on_b("ben-2")) << "the cache came back with its listener";
  EXPECT_EQ(name_on_b("ben-2"), "Ben Unheard");
}

// What the rules read about a comment's author, asked by concurrent requests, is read in one statement: each
// still gets its own author's counts: published comments (up to the cap asked), the same text since the time
// asked, and moderators' decisions in the window asked (none without one); a read that fails on the server
// fails alone.
TEST_F(PostgresStore, AuthorActivityReadTogetherEachGetsItsOwn) {
  auto store = open(4);
  store->migrate();
  auto article = store->save_article(record("rules"), false);
  auto moderator =
      store->create_account(account("mod@example.com"), std::nullopt, std::nullopt, std::nullopt).account.id;
  constexpr int kAuthors = 4;
  std::vector<int64_t> authors;
  for (int a = 0; a < kAuthors; ++a) {
    auto id = store
                  ->create_account(account("a" + std::to_string(a) + "@example.com"), std::nullopt, std::nullopt,
                                   std::nullopt)
                  .account.id;
    authors.push_back(id);
    // Author a: a + 1 published comments saying "same 'a'", one held comment the moderator rejects.
    for (int i = 0; i <= a; ++i)
      store->add_comment(NewComment{article.id,
                                    std::nullopt,
                                    id,
                                    "same \\'" + std::to_string(a),
                                    "<p>x</p>",
                                    CommentStatus::published,
                                    now_seconds(),
                                    {},
                                    "",
                                    ""});
    auto held = store->add_comment(NewComment{article.id,
                                              std::nullopt,
                                              id,
                                              "held",
                                              "<p>held</p>",
                                              CommentStatus::pending,
                                              now_seconds(),
                                              {},
                                              "links",
                                              "a link"});
    if (a % 2) store->decide_comment(held.comment.id, moderator, "reject", "spam");
  }
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 40; ++i) {
        int a = (t + i) % kAuthors;
        ActivityQuery q;
        q.account_id = authors[static_cast<size_t>(a)];
        q.body = "same \\'" + std::to_string(a);
        q.same_text_since = now_seconds() - std::chrono::hours(1);
        q.published_cap = i % 2 ? 2 : 10;
        if (i % 3) q.decisions_since = now_seconds() - std::chrono::hours(1);
        // Thread 0 asks about text the database cannot hold: its reads fail, and must fail nobody else's.
        if (t == 0) {
          q.body = "bad \xff byte";
          try {
            store->author_activity(q);
            ++wrong;
          } catch (const Error&) {
          }
          continue;
        }
        AuthorActivity got;
        try {
          got = store->author_activity(q);
        } catch (const Error& e) {
          ADD_FAILURE() << "a good read failed with a bad one: " << e.what();
          ++wrong;
          continue;
        }
        int64_t published = std::min<int64_t>(a + 1, q.published_cap);
        int64_t decided = q.decisions_since && a % 2 ? 1 : 0;
        if (got.published != published || got.same_text != a + 1 || got.decided != decided || got.rejected != decided)
          ++wrong;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
  ActivityQuery other;
  other.account_id = authors[0];
  other.body = "same \\'1";  // another author's text
  other.published_cap = 0;
  auto none = store->author_activity(other);
  EXPECT_EQ(none.published, 0) << "a cap of 0 counts none";
  EXPECT_EQ(none.same_text, 0);
}

// Messages to other nodes queued together travel in one notification, a line each: all arrive, whole, once,
// and each sender's in the order sent, the longest a message may be among them; a message of two lines is
// refused.
TEST_F(PostgresStore, MessagesSentTogetherArriveWholeOnceAndInOrder) {
  auto sender = open(4), receiver = open(4);
  sender->migrate();
  std::mutex mu;
  std::vector<std::string> heard;
  receiver->listen(
      [&](std::string_view m) {
        std::lock_guard lock(mu);
        heard.emplace_back(m);
      },
      [] {});
  constexpr int kThreads = 4, kEach = 60;
  std::string longest(NodeBus::kMaxMessageBytes - 12, 'x');
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        std::string m = std::to_string(t) + ":" + std::to_string(i);
        if (i == kEach / 2) m += ":" + longest;
        sender->publish(m);
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_THROW(sender->publish("two\nlines"), Error);
  for (int i = 0; i < 200; ++i) {
    {
      std::lock_guard lock(mu);
      if (heard.size() >= kThreads * kEach) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  receiver->stop_listening();
  ASSERT_EQ(heard.size(), static_cast<size_t>(kThreads * kEach));
  std::vector<int> next(kThreads, 0);
  for (const auto& m : heard) {
    int t = std::stoi(m.substr(0, m.find(':')));
    int i = std::stoi(m.substr(m.find(':') + 1));
    ASSERT_EQ(i, next[static_cast<size_t>(t)]++) << "sender " << t << " out of order";
    if (i == kEach / 2) {
      EXPECT_EQ(m.substr(m.rfind(':') + 1), longest);
    }
  }
}

// A batch is written while its answers are read: long comments whose statements and answers (each comment
// comes back whole) are far more than the sockets hold would otherwise leave Tribune and the server each
// waiting for the other to read.
TEST_F(PostgresStore, ABatchOfLongCommentsIsWrittenWhileItsAnswersAreRead) {
  auto store = open(4);
  store->migrate();
  auto article = store->save_article(record("long"), false);
  auto author = store->create_account(account("l@example.com"), std::nullopt, std::nullopt, std::nullopt).account.id;
  pg::Connection blocker(url_);
  blocker.exec("BEGIN");
  blocker.query("SELECT id FROM articles WHERE id = $1 FOR UPDATE", {article.id});
  constexpr int kComments = 60;
  const std::string text(200 * 1024, 'x');  // 60 x (200 KB out + 400 KB back)
  std::atomic<int> stored{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kComments; ++i)
    threads.emplace_back([&] {
      store->add_comment(NewComment{
          article.id, std::nullopt, author, text, text, CommentStatus::published, now_seconds(), {}, "", ""});
      ++stored;
    });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  blocker.exec("COMMIT");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (stored.load() < kComments && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_EQ(stored.load(), kComments) << "the batch stalled";
  for (auto& t : threads) t.join();
  EXPECT_EQ(store->count_comments(article.id), kComments);
}

// The writer's temporary table of per-batch counts is emptied by every batch, and autovacuum never visits
// temporary tables: the writer vacuums it itself, so that it does not grow with every comment ever posted.
TEST_F(PostgresStore, TheWritersBatchTableStaysSmallHoweverManyBatchesWent) {
  auto store = open(2);
  store->migrate();
  auto article = store->save_article(record("many"), false).id;
  auto author = store->create_account(account("m@example.com"), std::nullopt, std::nullopt, std::nullopt).account.id;
  constexpr int kComments = 1200;  // one batch each: about 5 pages of dead rows without the vacuum
  for (int i = 0; i < kComments; ++i)
    store->add_comment(NewComment{
        article, std::nullopt, author, "c", "<p>c</p>", CommentStatus::published, now_seconds(), {}, "", ""});
  pg::Connection admin(url_);
  auto pages = admin
                   .query(
                       "SELECT coalesce(max(pg_relation_size(oid)), -1) / 8192 FROM pg_class "
                       "WHERE relname = 'batch_counts' AND relpersistence = 't'")
                   .front()
                   .int64(0);
  EXPECT_GE(pages, 0) << "no batch table found";
  EXPECT_LE(pages, 1);
  EXPECT_EQ(store->find_article("many")->comment_count, kComments);
}

// A batch's comments carry their side effects as one comment alone does: the thread's counts, the mentioned
// and the author's followers notified once each (a reply's parent author first), never an ignoring reader.
TEST_F(PostgresStore, ACommentInABatchNotifiesEachReaderOnceWithTheFirstKind) {
  auto store = open(4);
  store->migrate();
  auto article = store->save_article(record("talk"), false);
  auto make = [&](const std::string& email) {
    return store->create_account(account(email), std::nullopt, std::nullopt, std::nullopt).account.id;
  };
  auto parent_author = make("p@example.com"), writer = make("w@example.com"), follower = make("f@example.com"),
       ignorer = make("i@example.com");
  pg::Connection admin(url_);
  admin.query("UPDATE accounts SET handle = 'pat' WHERE id = $1", {parent_author});
  admin.query("UPDATE accounts SET handle = 'fay' WHERE id = $1", {follower});
  store->set_follow(parent_author, writer, true);
  store->set_follow(follower, writer, true);
  store->set_follow(ignorer, writer, true);
  store->set_ignore(ignorer, writer, true);
  uint64_t before = store->known_position();
  auto root = store->add_comment(NewComment{article.id,
                                            std::nullopt,
                                            parent_author,
                                            "root",
                                            "<p>root</p>",
                                            CommentStatus::published,
                                            now_seconds(),
                                            {},
                                            "",
                                            ""});
  // The batch's commit position is known (a replica answers this node only once it has replayed it).
  EXPECT_GT(store->known_position(), before);
  auto reply = store->add_comment(NewComment{article.id,
                                             root.comment.id,
                                             writer,
                                             "@pat @fay",
                                             "<p>hi</p>",
                                             CommentStatus::published,
                                             now_seconds(),
                                             {"pat", "fay", "nobody"},
                                             "",
                                             ""});
  std::map<int64_t, std::string> got;
  for (const auto& r : reply.notified) EXPECT_TRUE(got.emplace(r.account_id, r.kind).second) << r.account_id;
  EXPECT_EQ(got, (std::map<int64_t, std::string>{{parent_author, "reply"}, {follower, "mention"}}));
  EXPECT_EQ(reply.comment.root_id, root.comment.id);
  EXPECT_EQ(reply.comment.depth, 1);
  EXPECT_EQ(reply.comment.author_name, "Reader w@example.com");
  EXPECT_EQ(store->find_comment(root.comment.id)->reply_count, 1);
  EXPECT_EQ(store->unread_notifications(parent_author), 1);
  EXPECT_EQ(store->unread_notifications(ignorer), 0);
  auto held = store->add_comment(NewComment{article.id,
                                            root.comment.id,
                                            writer,
                                            "held",
                                            "<p>held</p>",
                                            CommentStatus::pending,
                                            now_seconds(),
                                            {"pat"},
                                            "",
                                            ""});
  EXPECT_TRUE(held.notified.empty());
  EXPECT_EQ(store->find_comment(root.comment.id)->reply_count, 1);
  EXPECT_EQ(store->find_article("talk")->comment_count, 2);
  EXPECT_EQ(store->integrity_check(), "ok");
}

// WAL positions order commits for read-your-writes on a replica: a wrong parse would let a lagging replica
// answer, so anything that is not "hex/hex" reads as 0 (the replica must prove it has replayed more).
TEST(PostgresPositions, ParseLsnOrdersWalPositions) {
  EXPECT_EQ(pg::parse_lsn("0/3000028"), 0x3000028u);
  EXPECT_EQ(pg::parse_lsn("16/B374D848"), (uint64_t{0x16} << 32) | 0xB374D848u);
  EXPECT_LT(pg::parse_lsn("0/FFFFFFFF"), pg::parse_lsn("1/0"));
  EXPECT_LT(pg::parse_lsn("1/2"), pg::parse_lsn("1/10"));
  for (const char* junk : {"", "/", "3000028", "0/", "/1", "0/3000028 ", "x/1", "1/2/3", "100000000/0"})
    EXPECT_EQ(pg::parse_lsn(junk), 0u) << junk;
}

// A node serves only once it hears the other nodes, or, when its first LISTEN comes after it stopped waiting,
// treats that first LISTEN as a gap: pages it cached meanwhile may predate changes it never heard of.
TEST_F(PostgresStore, AListenerThatStartsListeningLateCountsItAsAGap) {
  std::atomic<int> gaps{0}, heard{0};
  auto on_message = [&](std::string_view m) {
    if (m == "hello") ++heard;
  };
  auto eventually = [](const std::function<bool()>& done) {
    for (int i = 0; i < 100 && !done(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return done();
  };
  {
    pg::Listener waited(url_, {.channel = "tribune_test", .on_message = on_message, .on_gap = [&] { ++gaps; }});
    ASSERT_TRUE(waited.wait_listening(std::chrono::seconds(5)));
    pg::Connection(url_).query("SELECT pg_notify('tribune_test', 'hello')");
    ASSERT_TRUE(eventually([&] { return heard == 1; }));
    EXPECT_EQ(gaps, 0) << "a listener waited for is no gap";
  }
  pg::Listener late(url_, {.channel = "tribune_test", .on_message = on_message, .on_gap = [&] { ++gaps; }});
  // Nobody can connect to PostgreSQL within no time at all: the wait gives up before the first LISTEN.
  ASSERT_FALSE(late.wait_listening(std::chrono::milliseconds(0)));
  EXPECT_TRUE(eventually([&] { return gaps == 1; })) << "the late first LISTEN was not reported as a gap";
  pg::Connection(url_).query("SELECT pg_notify('tribune_test', 'hello')");
  EXPECT_TRUE(eventually([&] { return heard == 2; }));
  EXPECT_EQ(gaps, 1);
}

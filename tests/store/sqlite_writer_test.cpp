// The SQLite engine's write and read paths on their own (store/sqlite/writer.h): what group commit promises
// its callers (one durable commit for many writers, a failing job rolled back alone, a failed COMMIT failing
// the whole batch) and what the reader pool promises (bounded connections, returned however the caller ends,
// committed writes visible).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>
#include <thread>
#include <vector>

#include "model/error.h"
#include "store/sqlite/writer.h"
#include "test_support.h"

using namespace tribune;
using namespace tribune::sqlite;
using namespace std::chrono_literals;

namespace {

int64_t count_rows(ReaderPool& readers, const std::string& where = "1") {
  return readers.with([&](Db& db) {
    auto& st = db.prepare("SELECT count(*) FROM t WHERE " + where);
    st.step();
    return st.int64(0);
  });
}

// Waits (bounded) until n jobs stand in the writer's queue.
void wait_queued(const GroupCommitWriter& w, size_t n) {
  for (int i = 0; i < 500 && w.queued() < n; ++i) std::this_thread::sleep_for(10ms);
  ASSERT_EQ(w.queued(), n);
}

class SqliteWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    writer.run_exclusive([](Db& db) { db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)"); });
  }
  tribune::testing::TempDir dir;
  std::string path = dir.path() + "/w.db";
  GroupCommitWriter writer{path, 64};
  ReaderPool readers{path, 2};
};

// Holds the writer thread inside a job until release() so that the next callers queue up behind it.
struct Gate {
  std::promise<void> open;
  std::shared_future<void> opened = open.get_future().share();
  std::atomic<bool> entered{false};
  void release() { open.set_value(); }
  // Starts a writer job that holds the writer thread, and returns once it is running.
  std::future<void> hold(GroupCommitWriter& w) {
    auto f = std::async(std::launch::async, [&] {
      w.run([&](Db&) {
        entered = true;
        opened.wait();
      });
    });
    for (int i = 0; i < 500 && !entered; ++i) std::this_thread::sleep_for(10ms);
    EXPECT_TRUE(entered.load());
    return f;
  }
};

TEST_F(SqliteWriterTest, ConcurrentWritersShareOneCommit) {
  Gate gate;
  auto holder = gate.hold(writer);
  int64_t commits_before = writer.commits();
  std::vector<std::future<void>> writers;
  for (int i = 0; i < 20; ++i)
    writers.push_back(std::async(std::launch::async, [&, i] {
      writer.run([&](Db& db) { db.prepare("INSERT INTO t (id, v) VALUES (?1, 'x')").bind(1, int64_t{i}).run(); });
    }));
  wait_queued(writer, 20);
  gate.release();
  holder.get();
  for (auto& w : writers) w.get();
  EXPECT_EQ(count_rows(readers), 20);
  // The holder's commit, then the twenty queued behind it in one.
  EXPECT_EQ(writer.commits() - commits_before, 2);
}

TEST_F(SqliteWriterTest, AFailingJobIsRolledBackAloneAndItsCallerGetsTheError) {
  Gate gate;
  auto holder = gate.hold(writer);
  auto insert = [&](int64_t id) {
    return [&, id](Db& db) { db.prepare("INSERT INTO t (id, v) VALUES (?1, 'x')").bind(1, id).run(); };
  };
  auto first = std::async(std::launch::async, [&] { writer.run(insert(1)); });
  wait_queued(writer, 1);
  auto failing = std::async(std::launch::async, [&] {
    writer.run([&](Db& db) {
      insert(2)(db);
      throw Error(ErrorKind::invalid, "nope", "this job changes its mind");
    });
  });
  wait_queued(writer, 2);
  auto third = std::async(std::launch::async, [&] { writer.run(insert(3)); });
  wait_queued(writer, 3);
  gate.release();
  holder.get();
  first.get();
  third.get();
  try {
    failing.get();
    FAIL() << "the failing job's caller must get its error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "nope");
  }
  EXPECT_EQ(count_rows(readers), 2);
  EXPECT_EQ(count_rows(readers, "id = 2"), 0);
}

TEST_F(SqliteWriterTest, AFailedCommitFailsEveryJobOfTheBatchAndKeepsNothing) {
  // A deferred foreign key is checked at COMMIT: one job that breaks it makes the COMMIT itself fail.
  writer.run_exclusive([](Db& db) {
    db.exec("PRAGMA foreign_keys = ON");
    db.exec("CREATE TABLE parent (id INTEGER PRIMARY KEY)");
    db.exec(
        "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id) "
        "DEFERRABLE INITIALLY DEFERRED)");
  });
  Gate gate;
  auto holder = gate.hold(writer);
  auto good = std::async(std::launch::async,
                         [&] { writer.run([](Db& db) { db.exec("INSERT INTO t (id, v) VALUES (1, 'kept?')"); }); });
  wait_queued(writer, 1);
  auto orphan = std::async(std::launch::async, [&] {
    writer.run([](Db& db) { db.exec("INSERT INTO child (id, parent_id) VALUES (1, 42)"); });
  });
  wait_queued(writer, 2);
  int64_t commits_before = writer.commits();
  gate.release();
  holder.get();
  EXPECT_THROW(good.get(), Error);
  EXPECT_THROW(orphan.get(), Error);
  EXPECT_EQ(count_rows(readers), 0);
  EXPECT_EQ(writer.commits() - commits_before, 1);  // only the holder's
  // The writer goes on: the next job commits.
  writer.run([](Db& db) { db.exec("INSERT INTO t (id, v) VALUES (2, 'after')"); });
  EXPECT_EQ(count_rows(readers), 1);
}

TEST_F(SqliteWriterTest, AnExclusiveJobRunsOutsideAnyTransaction) {
  // VACUUM cannot run inside a transaction; run() would fail it, run_exclusive() does not.
  EXPECT_THROW(writer.run([](Db& db) { db.exec("VACUUM"); }), Error);
  EXPECT_NO_THROW(writer.run_exclusive([](Db& db) { db.exec("VACUUM"); }));
}

TEST_F(SqliteWriterTest, ReadersAreBoundedAndReturnedWhateverTheCallerDoes) {
  writer.run([](Db& db) { db.exec("INSERT INTO t (id, v) VALUES (1, 'x')"); });
  for (int i = 0; i < 10; ++i)
    EXPECT_THROW(readers.with([](Db&) -> int { throw Error(ErrorKind::internal, "boom", "reader failed"); }), Error);
  EXPECT_EQ(readers.opened(), 1);  // the same connection, given back each time
  EXPECT_EQ(count_rows(readers), 1);

  // Two leases in use: a third caller waits until one is given back.
  Gate hold;
  std::atomic<int> leased{0};
  auto a = std::async(std::launch::async, [&] {
    readers.with([&](Db&) {
      ++leased;
      hold.opened.wait();
      return 0;
    });
  });
  auto b = std::async(std::launch::async, [&] {
    readers.with([&](Db&) {
      ++leased;
      hold.opened.wait();
      return 0;
    });
  });
  for (int i = 0; i < 500 && leased < 2; ++i) std::this_thread::sleep_for(10ms);
  ASSERT_EQ(leased.load(), 2);
  auto third = std::async(std::launch::async, [&] { return count_rows(readers); });
  EXPECT_EQ(third.wait_for(200ms), std::future_status::timeout);
  hold.release();
  a.get();
  b.get();
  EXPECT_EQ(third.get(), 1);
  EXPECT_EQ(readers.opened(), 2);
}

TEST_F(SqliteWriterTest, ALeasedReaderSeesWhatWasCommittedBeforeItsRead) {
  EXPECT_EQ(count_rows(readers), 0);
  writer.run([](Db& db) { db.exec("INSERT INTO t (id, v) VALUES (1, 'x')"); });
  EXPECT_EQ(count_rows(readers), 1);  // the pooled connection holds no stale snapshot
}

TEST_F(SqliteWriterTest, CheckpointsKeepTheWalShortWhileWritesGoOn) {
  // About 6 pages a commit: 1,500 commits write 9,000 frames (36 MB), nine times the checkpoint threshold.
  const std::string page_filler(22000, 'x');
  constexpr int kCommits = 1500;
  uintmax_t largest_wal = 0;
  for (int i = 0; i < kCommits; ++i) {
    writer.run(
        [&](Db& db) { db.prepare("INSERT INTO t (v) VALUES (?1)").bind(1, page_filler + std::to_string(i)).run(); });
    if (i % 50 == 0) largest_wal = std::max(largest_wal, std::filesystem::file_size(path + "-wal"));
  }
  EXPECT_GT(writer.checkpoints(), 0) << "the checkpointer thread ran";
  // The WAL starts again from its beginning after checkpoints: its file never grew past four thresholds
  // (and a commit).
  const uintmax_t bound = (4 * GroupCommitWriter::kCheckpointFrames + 100) * uintmax_t{4096 + 24};
  EXPECT_LT(largest_wal, bound);
  EXPECT_LT(std::filesystem::file_size(path + "-wal"), bound);
  EXPECT_EQ(count_rows(readers), kCommits);
  EXPECT_EQ(readers.with([](Db& db) {
    auto& st = db.prepare("PRAGMA integrity_check");
    st.step();
    return st.text(0);
  }),
            "ok");
}

}  // namespace

TEST_F(SqliteWriterTest, AWatcherHearsOfACommitThatChangedItsTablesBeforeItsCallersAreAnswered) {
  writer.run_exclusive([](Db& db) {
    db.exec(
        "CREATE TABLE other (id INTEGER PRIMARY KEY);"
        "CREATE TABLE child (id INTEGER PRIMARY KEY, t_id INTEGER REFERENCES t(id) ON DELETE CASCADE)");
  });
  std::vector<std::string> heard;  // one line per call: "anything", or each row as table:rowid
  writer.watch({"t", "child"}, [&](const std::vector<GroupCommitWriter::ChangedRow>& rows, bool anything) {
    std::string line = anything ? "anything" : "";
    for (const auto& r : rows)
      line += (line.empty() ? "" : " ") + std::to_string(r.table) + ":" + std::to_string(r.rowid);
    heard.push_back(line);
  });
  auto last = [&] { return heard.empty() ? std::string("(none)") : heard.back(); };
  writer.run([](Db& db) { db.exec("INSERT INTO t (id, v) VALUES (7, 'a'), (8, 'x')"); });
  ASSERT_EQ(heard.size(), 1u) << "before run() returned";
  EXPECT_EQ(last(), "0:7 0:8");
  writer.run([](Db& db) { db.exec("INSERT INTO other DEFAULT VALUES"); });
  EXPECT_EQ(heard.size(), 1u) << "another table";
  writer.run([](Db& db) { db.exec("UPDATE t SET v = 'b' WHERE id = 7"); });
  EXPECT_EQ(last(), "0:7") << "updates too";
  writer.run([](Db& db) { db.exec("INSERT INTO child (id, t_id) VALUES (3, 7)"); });
  writer.run([](Db& db) { db.exec("DELETE FROM t WHERE v = 'b'"); });
  EXPECT_EQ(last(), "0:7 1:3") << "deletes too, and a foreign key's cascade";
  EXPECT_THROW(writer.run([](Db& db) {
    db.exec("INSERT INTO t (id, v) VALUES (9, 'c')");
    throw Error(ErrorKind::invalid, "refused", "no");
  }),
               Error);
  EXPECT_EQ(last(), "0:9") << "a change rolled back may still have been read: heard all the same";
  writer.run([](Db& db) {
    db.exec(
        "WITH RECURSIVE n(i) AS (SELECT 100 UNION ALL SELECT i + 1 FROM n WHERE i < 199) INSERT INTO t (id, v) "
        "SELECT i, 'many' FROM n");
  });
  EXPECT_EQ(last(), "anything") << "past kMaxChangedRows";
  size_t calls = heard.size();
  writer.run_exclusive([](Db& db) { db.exec("CREATE TABLE more (id INTEGER PRIMARY KEY)"); });
  EXPECT_EQ(heard.size(), calls + 1);
  EXPECT_EQ(last(), "anything") << "an exclusive job may change anything";
}

TEST_F(SqliteWriterTest, CountersAddedByABatchsJobsAreWrittenOnceAndAFailedJobsAreDropped) {
  static constexpr const char* kAdd = "UPDATE counters SET n = n + ?2 WHERE id = ?1";
  writer.run_exclusive([](Db& db) {
    db.exec(
        "CREATE TABLE counters (id INTEGER PRIMARY KEY, n INTEGER NOT NULL);"
        "INSERT INTO counters VALUES (1, 0), (2, 0);"
        "CREATE TABLE writes (id INTEGER);"
        "CREATE TRIGGER counted AFTER UPDATE ON counters BEGIN INSERT INTO writes VALUES (NEW.id); END;");
    db.add_to_counter(kAdd, 2, 7);  // outside a group commit: at once
  });
  auto counter = [&](int64_t id) {
    return readers.with([&](Db& db) {
      auto& st = db.prepare("SELECT n, (SELECT count(*) FROM writes WHERE id = ?1) FROM counters WHERE id = ?1");
      st.bind(1, id).step();
      return std::pair{st.int64(0), st.int64(1)};
    });
  };
  EXPECT_EQ(counter(2), std::pair(int64_t{7}, int64_t{1}));

  Gate gate;
  auto holder = gate.hold(writer);
  std::vector<std::future<void>> jobs;
  for (int i = 0; i < 5; ++i)
    jobs.push_back(std::async(std::launch::async, [&] {
      writer.run([&](Db& db) {
        db.prepare("INSERT INTO t (v) VALUES ('comment')").run();
        db.add_to_counter(kAdd, 1, 1);
      });
    }));
  auto failing = std::async(std::launch::async, [&] {
    writer.run([&](Db& db) {
      db.add_to_counter(kAdd, 1, 100);
      db.add_to_counter(kAdd, 2, 100);
      throw Error(ErrorKind::invalid, "refused", "no");
    });
  });
  wait_queued(writer, 6);
  gate.release();
  holder.get();
  for (auto& j : jobs) j.get();
  EXPECT_THROW(failing.get(), Error);
  EXPECT_EQ(counter(1), std::pair(int64_t{5}, int64_t{1})) << "five additions, one write";
  EXPECT_EQ(counter(2), std::pair(int64_t{7}, int64_t{1})) << "the failed job's additions are dropped";
  EXPECT_EQ(count_rows(readers, "v = 'comment'"), 5);

  // The next batch counts afresh.
  writer.run([&](Db& db) { db.add_to_counter(kAdd, 1, -2); });
  EXPECT_EQ(counter(1), std::pair(int64_t{3}, int64_t{2}));
}

// SQLite's own guard on the audit log: the schema refuses to change or delete an entry, whoever asks.
#include <gtest/gtest.h>

#include "model/error.h"
#include "store/sqlite/db.h"
#include "store/sqlite/sqlite_store.h"
#include "test_support.h"

using namespace tribune;

TEST(SqliteAuditLog, EntriesCannotBeChangedOrDeleted) {
  tribune::testing::TempDir dir;
  std::string path = dir.path() + "/tribune.db";
  {
    auto store = open_sqlite_store(SqliteOptions{path, 2, 16});
    store->migrate();
    store->audit(std::nullopt, "create_token", std::nullopt, "ci (editor)");
  }
  sqlite::Db db(path, false);
  EXPECT_THROW(db.exec("UPDATE moderation_log SET reason = 'nothing happened'"), Error);
  EXPECT_THROW(db.exec("DELETE FROM moderation_log"), Error);
  auto& st = db.prepare("SELECT count(*), min(reason) FROM moderation_log");
  ASSERT_TRUE(st.step());
  EXPECT_EQ(st.int64(0), 1);
  EXPECT_EQ(st.text(1), "ci (editor)");
}

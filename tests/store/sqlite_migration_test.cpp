// SQLite's schema steps over data written before them: migration 23 gives the tags articles already carry
// their rows and slugs (a slug needs ICU, so that step runs C++ after its SQL).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "store/sqlite/migrations.h"
#include "store/sqlite/sqlite_store.h"
#include "test_support.h"

using namespace tribune;

namespace {

void exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  std::string message = err ? err : "";
  sqlite3_free(err);
  ASSERT_EQ(rc, SQLITE_OK) << message << "\n" << sql;
}

}  // namespace

TEST(SqliteMigration, TagsWrittenBeforeStep23GetSlugsAndNamesThatShareOneBecomeOneTag) {
  tribune::testing::TempDir dir;
  std::string path = dir.path() + "/tribune.db";
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    for (const auto& m : sqlite::migrations()) {
      if (m.version > 22) break;
      exec(db, std::string(m.sql));
      exec(db, "PRAGMA user_version = " + std::to_string(m.version));
    }
    exec(db,
         "INSERT INTO sections (id, slug, name) VALUES (1, 'opinion', 'Opinion');"
         "INSERT INTO authors (id, slug, name) VALUES (1, 'ana-ruiz', 'Ana Ruiz');"
         "INSERT INTO articles (id, slug, title, section_id, body_markdown, body_html, published_at, updated_at) "
         "VALUES (1, 'a', 'A', 1, 'x', '<p>x</p>', 1000, 1000), (2, 'b', 'B', 1, 'x', '<p>x</p>', 1000, 1000);"
         "INSERT INTO article_authors VALUES (1, 1, 0), (2, 1, 0);"
         "INSERT INTO article_tags VALUES (1, 'Climate'), (1, 'climate'), (2, 'climate'), (2, 'Night trains');");
    sqlite3_close(db);
  }
  auto store = open_sqlite_store(SqliteOptions{path, 2, 64});
  store->migrate();
  EXPECT_GE(store->schema_version(), 23);
  auto tags = store->all_tags();
  ASSERT_EQ(tags.size(), 2u);
  EXPECT_EQ(tags[0].slug, "climate");
  EXPECT_EQ(tags[0].name, "Climate") << "the first name in byte order is the tag's";
  EXPECT_EQ(tags[0].articles, 2);
  EXPECT_EQ(tags[1].slug, "night-trains");
  EXPECT_EQ(store->find_article("a")->tags, std::vector<std::string>{"Climate"});
  EXPECT_EQ(store->find_article("b")->tags, (std::vector<std::string>{"Climate", "Night trains"}));
  EXPECT_EQ(store->integrity_check(), "ok");
}

// Backups: taken while readers post, a backup restores to a store that passes its check and holds every
// comment acknowledged before the backup began; an encrypted one opens only with its key; a damaged or cut
// one is refused before anything is written; --replace swaps a SQLite store only once the backup has loaded;
// scheduled backups keep the newest few. On PostgreSQL too when TRIBUNE_TEST_STORE_PG names it (the source
// then is PostgreSQL; the restores are into SQLite files).
#include "app/backup.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "model/error.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"
#include "test_support.h"

using namespace tribune;
using namespace tribune::testing;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

TransferTarget source_of(TestServer& server) {
  const auto& c = server.app().config();
  return server.uses_postgres() ? TransferTarget{{}, c.store.url} : TransferTarget{c.database_path(), {}};
}

std::unique_ptr<Store> sqlite_at(const std::string& path) {
  auto s = open_sqlite_store(SqliteOptions{path});
  s->migrate();
  return s;
}

std::string key_file(const TempDir& dir, const std::string& name, char fill) {
  std::string path = dir.path() + "/" + name;
  std::ofstream(path, std::ios::binary) << std::string(32, fill);
  return path;
}

}  // namespace

TEST(Backup, TakenWhileReadersPostItHoldsEveryCommentAcknowledgedBeforeItBegan) {
  TempDir out;
  TestServer server(true);
  auto slug = open_article_slug(server.port());
  auto reader = register_reader(server.port(), "ana@example.org", "Ana Ruiz");
  std::mutex mu;
  std::vector<int64_t> acknowledged;
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; !stop; ++i) {
      auto r = reader.call("POST", "/api/v1/articles/" + slug + "/comments",
                           json::serialize(json::object{{"body", "Comment " + std::to_string(i) + " under load."}}));
      if (r.status == 201) {
        std::lock_guard lock(mu);
        acknowledged.push_back(json::parse(r.body).at("comment").at("id").as_int64());
      }
    }
  });
  std::this_thread::sleep_for(300ms);
  std::vector<int64_t> before;
  {
    std::lock_guard lock(mu);
    before = acknowledged;
  }
  auto report = backup_store(source_of(server), out.path() + "/site.backup", "", {});
  std::this_thread::sleep_for(200ms);
  stop = true;
  writer.join();
  ASSERT_FALSE(before.empty());
  EXPECT_GT(report.rows, 0);
  EXPECT_FALSE(std::filesystem::exists(out.path() + "/site.backup.partial"));

  TempDir target;
  restore_store(out.path() + "/site.backup", {target.path() + "/tribune.db", {}}, "", false, {});
  auto restored = sqlite_at(target.path() + "/tribune.db");
  EXPECT_EQ(restored->integrity_check(), "ok");
  for (int64_t id : before) EXPECT_TRUE(restored->find_comment(id)) << "comment " << id << " was acknowledged";
}

TEST(Backup, AnEncryptedBackupOpensOnlyWithItsKey) {
  TempDir out;
  TestServer server(true);
  auto key = key_file(out, "backup.key", 'k');
  auto wrong = key_file(out, "other.key", 'w');
  backup_store(source_of(server), out.path() + "/site.backup", key, {});
  std::ifstream raw(out.path() + "/site.backup", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(raw)), std::istreambuf_iterator<char>());
  EXPECT_NE(bytes.find("\"encrypted\":true"), std::string::npos) << "the header says so";
  EXPECT_EQ(bytes.find("ana@example.org"), std::string::npos);
  auto restore = [&](const std::string& k) {
    TempDir target;
    auto code = thrown_code([&] {
      restore_store(out.path() + "/site.backup", {target.path() + "/tribune.db", {}}, k, false, {});
    });
    return code;
  };
  EXPECT_EQ(restore(""), "key_needed");
  EXPECT_EQ(restore(wrong), "wrong_key");
  EXPECT_EQ(restore(key), "none");
}

TEST(Backup, ADamagedOrCutBackupIsRefusedBeforeAnythingIsWritten) {
  TempDir out;
  TestServer server(true);
  backup_store(source_of(server), out.path() + "/site.backup", "", {});
  std::ifstream raw(out.path() + "/site.backup", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(raw)), std::istreambuf_iterator<char>());
  auto try_restore = [&](const std::string& content) {
    TempDir target;
    std::string file = target.path() + "/damaged.backup";
    std::ofstream(file, std::ios::binary) << content;
    auto code = thrown_code([&] { restore_store(file, {target.path() + "/tribune.db", {}}, "", false, {}); });
    EXPECT_FALSE(std::filesystem::exists(target.path() + "/tribune.db")) << "nothing written";
    return code;
  };
  auto flipped = bytes;
  flipped[bytes.size() / 2] ^= 0x20;
  EXPECT_EQ(try_restore(flipped), "invalid_backup");
  EXPECT_EQ(try_restore(bytes.substr(0, bytes.size() - 200)), "invalid_backup");
  EXPECT_EQ(try_restore("not a backup at all\n"), "invalid_backup");
}

TEST(Backup, ReplaceSwapsASqliteStoreOnlyOnceTheBackupHasLoaded) {
  TempDir out, live;
  {
    TestServer server(true, out.path() + "/src", [](Config& c) { c.store.url.clear(); });
    register_reader(server.port(), "from-the-backup@example.org", "In The Backup");
    backup_store({out.path() + "/src/tribune.db", {}}, out.path() + "/site.backup", "", {});
  }
  {
    TestServer server(true, live.path(), [](Config& c) { c.store.url.clear(); });
    register_reader(server.port(), "made-later@example.org", "Made Later");
  }
  std::string db = live.path() + "/tribune.db";
  EXPECT_EQ(thrown_code([&] {
              restore_store(out.path() + "/site.backup", {db, {}}, "", false, {});
            }),
            "target_not_empty")
      << "without --replace an occupied store is refused";
  restore_store(out.path() + "/site.backup", {db, {}}, "", true, {});
  auto restored = sqlite_at(db);
  EXPECT_TRUE(restored->find_credentials("from-the-backup@example.org"));
  EXPECT_FALSE(restored->find_credentials("made-later@example.org")) << "the store is the backup's now";
  EXPECT_FALSE(std::filesystem::exists(db + ".restoring"));
}

TEST(Backup, ScheduledBackupsKeepTheNewestFew) {
  TempDir dir;
  auto server = std::make_unique<TestServer>(true, std::string(), [&](Config& c) {
    c.backup.dir = dir.path() + "/backups";
    c.backup.every = 1s;
    c.backup.keep = 2;
  });
  auto count = [&] {
    int n = 0;
    if (std::filesystem::exists(dir.path() + "/backups"))
      for (const auto& e : std::filesystem::directory_iterator(dir.path() + "/backups"))
        n += e.path().extension() == ".backup" ? 1 : 0;
    return n;
  };
  for (int i = 0; i < 100 && count() < 2; ++i) std::this_thread::sleep_for(100ms);
  std::this_thread::sleep_for(2500ms);  // more have been taken
  server.reset();                       // the last one written and pruned: only the newest two stay
  EXPECT_EQ(count(), 2);
}

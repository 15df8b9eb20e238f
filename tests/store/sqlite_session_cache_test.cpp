// The SQLite engine keeps the sessions it found (store/sqlite/session_cache.h). Its own process's changes
// hold from the next lookup (the store contract: ASessionAsFoundFollowsEveryChangeToItOrItsAccountAtOnce);
// here, what the cache promises on its own, and another process's changes (the command line on the same file
// while the server runs) seen within kMaxAge.
#include <gtest/gtest.h>

#include <thread>

#include "store/sqlite/session_cache.h"
#include "store/sqlite/sqlite_store.h"
#include "test_support.h"

using namespace tribune;
using namespace tribune::sqlite;
using namespace std::chrono_literals;

namespace {

SessionLookup lookup_of(int64_t account_id, const std::string& name) {
  SessionLookup l;
  l.account.id = account_id;
  l.account.display_name = name;
  l.session.id = account_id * 10;
  return l;
}

}  // namespace

TEST(SqliteSessionCache, AReadThatBeganBeforeAClearIsNotKept) {
  SessionCache cache;
  auto before = cache.epoch();
  cache.clear();  // a commit that changed a session or an account, while that read was under way
  cache.put("token-1", lookup_of(1, "Ana"), before);
  EXPECT_FALSE(cache.find("token-1")) << "it may hold what the commit changed";

  cache.put("token-1", lookup_of(1, "Ana"), cache.epoch());
  auto found = cache.find("token-1");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->account.display_name, "Ana");
  EXPECT_FALSE(cache.find("token-2"));
  cache.clear();
  EXPECT_FALSE(cache.find("token-1"));
}

TEST(SqliteSessionCache, AChangeByAnotherProcessOnTheSameFileIsSeenWithinItsMaxAge) {
  tribune::testing::TempDir dir;
  std::string path = dir.path() + "/tribune.db";
  auto server = open_sqlite_store(SqliteOptions{path});
  server->migrate();
  NewAccount a;
  a.email = a.email_normalized = "ana@example.org";
  a.display_name = "Ana";
  a.name_keys = {"ana#0", "ana#1"};
  a.password_hash = "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA";
  a.created_at = TimePoint(std::chrono::seconds(1700000000));
  auto now = TimePoint(std::chrono::seconds(1700000000));
  auto created = server->create_account(a, NewSession{"token-hash", now, now + 24h, "Firefox", "192.0.2.7"},
                                        std::nullopt, std::nullopt);
  ASSERT_EQ(server->find_session("token-hash")->account.role, Role::reader);

  // The command line, a process of its own: its writes do not pass through the server's writer.
  auto started = std::chrono::steady_clock::now();
  {
    auto cli = open_sqlite_store(SqliteOptions{path});
    cli->set_role(created.account.id, Role::editor);
  }
  auto role = [&] { return server->find_session("token-hash")->account.role; };
  while (role() != Role::editor && std::chrono::steady_clock::now() - started < SessionCache::kMaxAge + 500ms)
    std::this_thread::sleep_for(20ms);
  EXPECT_EQ(role(), Role::editor);

  {
    auto cli = open_sqlite_store(SqliteOptions{path});
    cli->delete_sessions(created.account.id);
  }
  started = std::chrono::steady_clock::now();
  while (server->find_session("token-hash") &&
         std::chrono::steady_clock::now() - started < SessionCache::kMaxAge + 500ms)
    std::this_thread::sleep_for(20ms);
  EXPECT_FALSE(server->find_session("token-hash")) << "signed out from the command line";
}

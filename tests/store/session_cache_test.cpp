// Both engines keep the sessions they found (store/session_cache.h). Their own process's changes hold from
// the next lookup (the store contract: ASessionAsFoundFollowsEveryChangeToItOrItsAccountAtOnce); here, what
// the cache promises on its own, and, on SQLite, another process's changes (the command line on the same file
// while the server runs) seen within kMaxAge. Other PostgreSQL nodes' changes: postgres_store_test.cpp.
#include "store/session_cache.h"

#include <gtest/gtest.h>

#include <thread>

#include "store/sqlite/sqlite_store.h"
#include "test_support.h"

using namespace tribune;
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

TEST(SessionCacheUnit, AReadThatBeganBeforeAClearIsNotKept) {
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

TEST(SessionCacheUnit, ForgettingAnAccountOrASessionDropsOnlyThoseAndVoidsReadsUnderWay) {
  SessionCache cache;
  auto e = cache.epoch();
  cache.put("ana-1", lookup_of(1, "Ana"), e);
  auto ana2 = lookup_of(1, "Ana");
  ana2.session.id = 11;
  cache.put("ana-2", ana2, e);
  cache.put("ben-1", lookup_of(2, "Ben"), e);
  cache.put("cy-1", lookup_of(3, "Cy"), e);

  auto before = cache.epoch();
  cache.forget_account(1);
  EXPECT_FALSE(cache.find("ana-1"));
  EXPECT_FALSE(cache.find("ana-2"));
  EXPECT_TRUE(cache.find("ben-1"));
  cache.put("ana-1", lookup_of(1, "Ana"), before);
  EXPECT_FALSE(cache.find("ana-1")) << "read before the account changed";

  cache.forget_session(20);  // ben's (lookup_of: session id = account id * 10)
  EXPECT_FALSE(cache.find("ben-1"));
  EXPECT_TRUE(cache.find("cy-1"));
  cache.forget("cy-1");
  EXPECT_FALSE(cache.find("cy-1"));
  EXPECT_EQ(cache.hits(), 2);
}

// An engine that cannot hear of changes made elsewhere suspends its cache: nothing is found or kept until it
// resumes, and it resumes empty.
TEST(SessionCacheUnit, ASuspendedCacheNeitherFindsNorKeeps) {
  SessionCache cache(SessionCache::kMaxAge, /*suspended=*/true);
  cache.put("ana-1", lookup_of(1, "Ana"), cache.epoch());
  EXPECT_FALSE(cache.find("ana-1"));
  cache.resume();
  cache.put("ana-1", lookup_of(1, "Ana"), cache.epoch());
  EXPECT_TRUE(cache.find("ana-1"));
  auto during = cache.epoch();
  cache.suspend();
  EXPECT_FALSE(cache.find("ana-1"));
  cache.put("ana-1", lookup_of(1, "Ana"), cache.epoch());
  cache.resume();
  EXPECT_FALSE(cache.find("ana-1")) << "kept while suspended";
  cache.put("ana-1", lookup_of(1, "Ana"), during);
  EXPECT_FALSE(cache.find("ana-1")) << "read before the suspension";

  SessionCache none(std::chrono::milliseconds(0));
  none.put("ana-1", lookup_of(1, "Ana"), none.epoch());
  EXPECT_FALSE(none.find("ana-1")) << "a max age of zero keeps nothing";
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

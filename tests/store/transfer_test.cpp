// Export and import: a whole publication to one JSON Lines file and back into an empty store of either
// engine, byte-identical when exported again; secrets only when asked for; a malformed, truncated or
// foreign file, or a target that holds data, changes nothing. The PostgreSQL legs run when TRIBUNE_TEST_PG
// names a server.
#include "store/transfer.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <sstream>

#include "model/error.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"
#include "support/images.h"
#include "test_support.h"

using namespace tribune;
using namespace tribune::testing;
namespace json = boost::json;

namespace {

// These tests name their engines: a SQLite file here even when the HTTP suites run on PostgreSQL.
void on_sqlite(Config& c) {
  c.store.url.clear();
}

// A publication with something in every kind of table: the demo and its forum, an image (bytes), a webhook
// endpoint with deliveries, a session, an API token.
std::string populated(const TempDir& dir) {
  {
    TestServer server(true, dir.path(), on_sqlite);
    EXPECT_GT(server.app().load_demo_forum(), 10);
    server.app().images().upload(save(gradient(64, 48), "pngsave_buffer"), ImageText{"A gradient", "", ""}, "test");
    server.app().webhooks().create("https://hooks.example/in", "CRM", {"comment.created", "reader.registered"},
                                   std::nullopt);
    server.app().tokens().create("ci", "editor");
    register_reader(server.port(), "late@example.org", "Late Reader");
  }
  return dir.path() + "/tribune.db";
}

std::string export_of(const TransferTarget& from, bool secrets = false) {
  std::ostringstream out;
  export_store(from, secrets, out, {});
  return out.str();
}

void import_into(const TransferTarget& into, const std::string& text) {
  std::istringstream in(text);
  import_store(into, in, {});
}

int64_t articles_in(const std::string& sqlite_path) {
  auto store = open_sqlite_store(SqliteOptions{sqlite_path});
  store->migrate();
  return store->count_articles();
}

}  // namespace

TEST(Transfer, ASqlitePublicationExportsImportsAndExportsToTheSameBytes) {
  TempDir source, copy;
  auto path = populated(source);
  auto first = export_of({path, {}});
  auto head = json::parse(first.substr(0, first.find('\n'))).as_object();
  EXPECT_EQ(head.at("format").as_string(), "tribune-export");
  EXPECT_EQ(head.at("version").as_int64(), 1);
  EXPECT_FALSE(head.at("secrets").as_bool());
  EXPECT_NE(first.find(R"({"table":"image_renditions","row":{)"), std::string::npos);
  EXPECT_NE(first.find(R"("base64":")"), std::string::npos) << "bytes as base64";
  EXPECT_EQ(first.find("$argon2id$"), std::string::npos) << "no password hash without --with-secrets";
  EXPECT_EQ(first.find("whsec_"), std::string::npos);
  EXPECT_EQ(first.find("token="), std::string::npos) << "no mailed sign-in, verification or reset link";
  EXPECT_EQ(first.find("https://hooks.example/in"), std::string::npos) << "an endpoint's address may carry its token";
  EXPECT_EQ(first.find(R"({"table":"mail_outbox")"), std::string::npos);
  EXPECT_EQ(first.find(R"({"table":"sessions")"), std::string::npos);
  EXPECT_EQ(first.find(R"({"table":"api_tokens")"), std::string::npos);

  import_into({copy.path() + "/tribune.db", {}}, first);
  EXPECT_EQ(export_of({copy.path() + "/tribune.db", {}}), first);
  // The imported publication serves: its articles, comments and readers are there.
  TestServer server(false, copy.path(), on_sqlite);
  auto listing = json::parse(get(server.port(), "/api/v1/articles?limit=50").body);
  EXPECT_EQ(static_cast<int64_t>(listing.at("articles").as_array().size()), articles_in(path));
  // A reader without a password hash signs in by resetting it; the old password opens nothing.
  Reader r{server.port()};
  auto signin =
      r.call("POST", "/api/v1/sessions", R"({"email":"late@example.org","password":"a reader's long password"})");
  EXPECT_EQ(signin.status, 401);
}

TEST(Transfer, SecretsTravelOnlyWhenAskedFor) {
  TempDir source, copy;
  auto path = populated(source);
  auto with = export_of({path, {}}, true);
  EXPECT_NE(with.find("$argon2id$"), std::string::npos);
  EXPECT_NE(with.find("whsec_"), std::string::npos);
  EXPECT_NE(with.find(R"({"table":"sessions")"), std::string::npos);
  import_into({copy.path() + "/tribune.db", {}}, with);
  EXPECT_EQ(export_of({copy.path() + "/tribune.db", {}}, true), with);
  TestServer server(false, copy.path(), on_sqlite);
  Reader r{server.port()};
  EXPECT_EQ(r.call("POST", "/api/v1/sessions", R"({"email":"late@example.org","password":"a reader's long password"})")
                .status,
            200)
      << "the same password signs in after the move";
}

TEST(Transfer, ABadFileOrAnOccupiedTargetWritesNothing) {
  TempDir source;
  auto path = populated(source);
  auto good = export_of({path, {}});
  auto refused = [&](const std::string& text) {
    TempDir target;
    std::string code;
    try {
      import_into({target.path() + "/tribune.db", {}}, text);
    } catch (const Error& e) {
      code = e.code();
    }
    EXPECT_EQ(articles_in(target.path() + "/tribune.db"), 0) << "nothing kept";
    return code;
  };
  // Cut short: the last lines missing.
  EXPECT_EQ(refused(good.substr(0, good.rfind('\n', good.size() - 2) + 1)), "invalid_export");
  EXPECT_EQ(refused(good.substr(0, good.size() / 2)), "invalid_export") << "cut mid-line";
  EXPECT_EQ(refused(""), "invalid_export");
  EXPECT_EQ(refused("{\"format\":\"disqus\"}\n"), "invalid_export");
  auto newer = good;
  auto schema_at = newer.find("\"schema\":");
  newer.replace(schema_at, newer.find(',', schema_at) - schema_at, "\"schema\":999");
  EXPECT_EQ(refused(newer), "schema_mismatch");
  auto odd_value = good;
  auto at = odd_value.find("\"display_name\":\"");
  odd_value.replace(at, 16, "\"display_name\":[\"");  // an array where text belongs
  EXPECT_EQ(refused(odd_value), "invalid_export");
  auto odd_column = good;
  odd_column.replace(odd_column.find("\"display_name\":"), 15, "\"displayed_name\":");
  EXPECT_EQ(refused(odd_column), "invalid_export");
  // A row breaking a constraint (two accounts with one address) rolls everything back.
  auto twice = good;
  auto first_account = twice.find(R"({"table":"accounts")");
  auto line = twice.substr(first_account, twice.find('\n', first_account) - first_account + 1);
  auto dup = line;
  dup.replace(dup.find("\"id\":"), 5, "\"id\":9999");  // another id, the same email
  twice.insert(first_account, dup);
  auto rows_at = twice.find("\"name\":\"accounts\",\"rows\":");  // the header counts it
  auto n_at = rows_at + std::string("\"name\":\"accounts\",\"rows\":").size();
  auto n_end = twice.find('}', n_at);
  twice.replace(n_at, n_end - n_at, std::to_string(std::stoll(twice.substr(n_at, n_end - n_at)) + 1));
  EXPECT_NE(refused(twice), "");

  // An occupied target is refused and keeps what it had.
  TempDir occupied;
  import_into({occupied.path() + "/tribune.db", {}}, good);
  auto before = articles_in(occupied.path() + "/tribune.db");
  EXPECT_EQ(thrown_code([&] { import_into({occupied.path() + "/tribune.db", {}}, good); }), "target_not_empty");
  EXPECT_EQ(articles_in(occupied.path() + "/tribune.db"), before);
}

TEST(Transfer, SqliteToPostgresAndBackGivesTheSameFile) {
  if (!pg_test_server()) GTEST_SKIP() << "TRIBUNE_TEST_PG is not set";
  TempDir source, pg_key, back;
  auto path = populated(source);
  auto from_sqlite = export_of({path, {}}, true);
  auto url = pg_test_database(pg_key.path());
  import_into({{}, url}, from_sqlite);
  auto from_postgres = export_of({{}, url}, true);
  EXPECT_EQ(from_postgres, from_sqlite) << "byte-identical from either engine";
  import_into({back.path() + "/tribune.db", {}}, from_postgres);
  EXPECT_EQ(export_of({back.path() + "/tribune.db", {}}, true), from_sqlite) << "and back to SQLite";
  // The PostgreSQL store goes on numbering after the imported rows.
  auto store = open_postgres_store(PostgresOptions{url, 2});
  WebhookEndpoint hook;
  hook.url = "https://b.example/in";
  hook.secret = "whsec_AAAA";
  hook.events = {"comment.created"};
  auto made = store->create_webhook_endpoint(hook);
  EXPECT_GT(made.id, 1);
  EXPECT_EQ(thrown_code([&] { import_into({{}, url}, from_sqlite); }), "target_not_empty");
  store.reset();
  drop_pg_test_database(pg_key.path());
}

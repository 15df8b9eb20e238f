// The store contract's fixture: every engine must pass the contract suites unchanged (store_contract_test.cpp
// for the admin, article, token and moderation roles and the write path; role_contracts_test.cpp for the
// account, comment, social, outbox, ledger and rate roles). Engines register a factory below; the
// PostgreSQL engine runs when TRIBUNE_TEST_PG names a server (each test in a database of its own).
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"
#include "test_support.h"

namespace tribune::contract {

struct Engine {
  std::string name;
  // Opens the store kept for dir (the same one again when called again with the same dir).
  std::function<std::unique_ptr<Store>(const std::string& dir)> open;
  // Removes what open kept outside dir, if anything.
  std::function<void(const std::string& dir)> discard;
  // Whether concurrent writes share commits in the engine's own write path (SQLite's group commit);
  // PostgreSQL commits each write on its own and groups WAL flushes inside the server instead.
  bool groups_commits = false;
  // Runs only when TRIBUNE_TEST_PG names a server (else skipped, so that ctest lists the same tests either way).
  bool needs_pg_server = false;
};

inline void PrintTo(const Engine& e, std::ostream* os) {
  *os << e.name;
}

inline std::vector<Engine> engines() {
  std::vector<Engine> out = {{"sqlite",
                              [](const std::string& dir) {
                                return open_sqlite_store(SqliteOptions{dir + "/tribune.db", 4, 256});
                              },
                              {},
                              true,
                              false}};
  out.push_back({"postgres",
                 [](const std::string& dir) {
                   return open_postgres_store(PostgresOptions{tribune::testing::pg_test_database(dir), 16});
                 },
                 [](const std::string& dir) { tribune::testing::drop_pg_test_database(dir); }, false, true});
  return out;
}

class StoreContract : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    if (GetParam().needs_pg_server && !tribune::testing::pg_test_server()) GTEST_SKIP() << "TRIBUNE_TEST_PG is not set";
    store_ = GetParam().open(dir_.path());
    store_->migrate();
  }

  void TearDown() override {
    if (!store_) return;
    store_.reset();
    if (GetParam().discard) GetParam().discard(dir_.path());
  }

  ArticleRecord record(std::string slug, int64_t published, std::string section = "Opinion",
                       std::vector<std::string> authors = {"Ana Ruiz"}) {
    ArticleRecord r;
    r.draft.slug = std::move(slug);
    r.draft.title = "Title " + r.draft.slug;
    r.draft.authors = std::move(authors);
    r.draft.section = std::move(section);
    r.draft.body_markdown = "body";
    r.draft.tags = {"t1"};
    r.body_html = "<p>body</p>";
    r.published_at = TimePoint(std::chrono::seconds(published));
    return r;
  }

  // A reader (or staff) account, with no session.
  Account account(const std::string& email, const std::string& name, const std::string& role = "reader") {
    NewAccount a;
    a.email = email;
    a.email_normalized = email;
    a.display_name = name;
    a.name_keys = {email + "#k0", email + "#k1"};
    a.password_hash = "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA";
    a.role = role_or_reader(role);
    a.created_at = TimePoint(std::chrono::seconds(1700000000));
    return store_->create_account(a, std::nullopt, std::nullopt, std::nullopt).account;
  }
  // A published comment (or one with another status) by author on the article.
  Comment comment(int64_t article_id, int64_t author_id, const std::string& text,
                  std::optional<int64_t> parent = std::nullopt, CommentStatus status = CommentStatus::published,
                  std::vector<std::string> mentions = {}) {
    NewComment c;
    c.article_id = article_id;
    c.parent_id = parent;
    c.author_id = author_id;
    c.body_markdown = text;
    c.body_html = "<p>" + text + "</p>";
    c.status = status;
    c.created_at = TimePoint(std::chrono::seconds(1700000100));
    c.mentions = std::move(mentions);
    return store_->add_comment(c).comment;
  }

  tribune::testing::TempDir dir_;
  std::unique_ptr<Store> store_;
};

}  // namespace tribune::contract

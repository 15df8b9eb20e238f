// `tribune store copy`: a SQLite publication copied into PostgreSQL reads back the same through the Store,
// continues with fresh ids, and a target holding data is refused untouched. Skipped unless TRIBUNE_TEST_PG
// names a server.
#include <gtest/gtest.h>

#include <map>

#include "model/error.h"
#include "store/copy.h"
#include "store/postgres/pg.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"
#include "test_support.h"

using namespace tribune;
using tribune::testing::TempDir;

namespace {

class StoreCopy : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!tribune::testing::pg_test_server()) GTEST_SKIP() << "TRIBUNE_TEST_PG is not set";
    url_ = tribune::testing::pg_test_database(dir_.path());
    sqlite_path_ = dir_.path() + "/tribune.db";
  }
  void TearDown() override {
    if (!url_.empty()) tribune::testing::drop_pg_test_database(dir_.path());
  }

  std::unique_ptr<Store> open_sqlite() {
    auto s = open_sqlite_store(SqliteOptions{sqlite_path_, 4, 256});
    s->migrate();
    return s;
  }
  std::unique_ptr<Store> open_postgres() { return open_postgres_store(PostgresOptions{url_, 4}); }

  StoreCopyReport copy(int batch_rows = 2) {
    return copy_sqlite_to_postgres(StoreCopyOptions{sqlite_path_, url_, batch_rows},
                                   [this](const std::string& table, int64_t done, int64_t total, bool finished) {
                                     EXPECT_LE(done, total) << table;
                                     if (finished) finished_[table] = done;
                                   });
  }

  static ArticleRecord record(std::string slug, int64_t published, std::vector<std::string> authors) {
    ArticleRecord r;
    r.draft.slug = std::move(slug);
    r.draft.title = "Title " + r.draft.slug;
    r.draft.authors = std::move(authors);
    r.draft.section = "Opinion";
    r.draft.body_markdown = "body";
    r.draft.tags = {"t1", "t2"};
    r.body_html = "<p>body</p>";
    r.published_at = TimePoint(std::chrono::seconds(published));
    return r;
  }

  static NewAccount account(const std::string& email, const std::string& role = "reader") {
    NewAccount a;
    a.email = email;
    a.email_normalized = email;
    a.display_name = "Reader " + email;
    a.name_keys = {email, email};
    a.password_hash = "x";
    a.role = role_or_reader(role);
    a.created_at = TimePoint(std::chrono::seconds(5000));
    return a;
  }

  static NewComment comment(int64_t article_id, int64_t author_id, std::string body,
                            std::optional<int64_t> parent = std::nullopt,
                            CommentStatus status = CommentStatus::published) {
    NewComment c;
    c.article_id = article_id;
    c.parent_id = parent;
    c.author_id = author_id;
    c.body_markdown = body;
    c.body_html = "<p>" + body + "</p>";
    c.status = status;
    c.created_at = TimePoint(std::chrono::seconds(6000));
    return c;
  }

  TempDir dir_;
  std::string url_, sqlite_path_;
  std::map<std::string, int64_t> finished_;  // rows per table, as the progress callback last reported them
};

// What a reader would see of a comment; equal on both engines after the copy.
std::string describe(const Comment& c) {
  return std::to_string(c.id) + "|" + std::to_string(c.article_id) + "|" + std::to_string(c.parent_id.value_or(0)) +
         "|" + std::to_string(c.root_id) + "|" + std::to_string(c.depth) + "|" +
         std::to_string(c.author_id.value_or(0)) + "|" + c.author_name + "|" + c.body_markdown + "|" + c.body_html +
         "|" + std::string(to_string(c.status)) + "|" + std::to_string(c.created_at.time_since_epoch().count()) + "|" +
         std::to_string(c.reply_count) + "|" + std::to_string(c.recommend_count) + "|" + (c.picked ? "picked" : "") +
         "|" + (c.author_supporter ? "supporter" : "");
}

std::vector<std::string> describe(const std::vector<Comment>& comments) {
  std::vector<std::string> out;
  for (const auto& c : comments) out.push_back(describe(c));
  return out;
}

std::string describe(const Account& a) {
  return std::to_string(a.id) + "|" + a.email + "|" + a.display_name + "|" + std::string(to_string(a.role)) + "|" +
         a.warning + "|" + (a.premoderated ? "premoderated" : "") + "|" + a.digest + "|" +
         (a.show_supporter ? "show" : "") + "|" + std::to_string(a.created_at.time_since_epoch().count());
}

std::vector<std::string> describe(const std::vector<LogEntry>& log) {
  std::vector<std::string> out;
  for (const auto& e : log)
    out.push_back(std::to_string(e.id) + "|" + std::to_string(e.actor_id.value_or(0)) + "|" + e.actor_name + "|" +
                  e.action + "|" + std::to_string(e.comment_id.value_or(0)) + "|" +
                  std::to_string(e.account_id.value_or(0)) + "|" + e.reason);
  return out;
}

std::string describe(const Article& a) {
  std::string out = std::to_string(a.id) + "|" + a.slug + "|" + a.title + "|" + a.section.slug + "|" + a.body_html +
                    "|" + std::to_string(a.published_at.time_since_epoch().count()) + "|" +
                    std::to_string(a.comment_count) + "|" + std::to_string(a.version) + "|";
  for (const auto& author : a.authors) out += author.slug + ",";
  out += "|";
  for (const auto& tag : a.tags) out += tag + ",";
  return out;
}

}  // namespace

TEST_F(StoreCopy, CopiesEveryTableAndReadsBackTheSame) {
  const std::string session_hash = "session-hash";
  const std::string token_hash = std::string("tok\0en", 6);
  const std::string model_blob = std::string("\x00\x01\xff model", 9);
  int64_t article_id = 0, alice = 0, bob = 0, moderator = 0, top = 0, contribution_id = 0, hook_id = 0;
  {
    auto s = open_sqlite();
    Image image;
    image.id = std::string(32, 'e');
    image.width = 640;
    image.height = 480;
    image.text = ImageText{"A map", "", "Graphic: Tribune"};
    image.created_at = TimePoint(std::chrono::seconds(900));
    for (int w : {320, 640})
      image.renditions.push_back(ImageRendition{w, w * 3 / 4, ImageFormat::webp, 0, model_blob + std::to_string(w)});
    s->insert_image(image);
    WebhookEndpoint hook;
    hook.url = "https://hooks.example/in";
    hook.secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    hook.events = {"comment.created", "reader.registered"};
    hook_id = s->create_webhook_endpoint(hook).id;
    auto illustrated = record("first", 1000, {"Ana Ruiz", "Bo Li"});
    illustrated.draft.lead_image = image.id;
    article_id = s->save_article(illustrated, false).id;
    s->save_article(record("second", 2000, {"Bo Li"}), false);
    NewSession session;
    session.token_hash = session_hash;
    session.created_at = TimePoint(std::chrono::seconds(5000));
    session.expires_at = TimePoint(std::chrono::seconds(4'000'000'000));
    alice = s->create_account(account("alice@example.com"), session, std::nullopt, std::nullopt).account.id;
    bob = s->create_account(account("bob@example.com"), std::nullopt, std::nullopt, std::nullopt).account.id;
    moderator =
        s->create_account(account("mod@example.com", "moderator"), std::nullopt, std::nullopt, std::nullopt).account.id;
    s->set_follow(alice, bob, true);
    top = s->add_comment(comment(article_id, alice, "top")).comment.id;
    s->add_comment(comment(article_id, bob, "reply", top));  // notifies alice
    auto held = s->add_comment(comment(article_id, bob, "held", std::nullopt, CommentStatus::pending)).comment.id;
    s->add_comment(comment(article_id, bob, "still waiting", std::nullopt, CommentStatus::pending));
    s->set_reaction(top, bob, "recommend", true);
    s->set_pick(top, true);
    s->decide_comment(held, moderator, "approve", "fine");
    s->sanction(bob, moderator, "warn", "be kind");
    s->audit(std::nullopt, "create_staff_account", moderator, "moderator");
    s->set_show_supporter(alice, true);
    s->create_api_token(token_hash, "ci", Role::editor);
    s->save_model("spam", model_blob);
    NewContribution c;
    c.amount_minor = 500;
    c.currency = "EUR";
    c.interval = "once";
    c.article_id = article_id;
    c.account_id = alice;
    c.email = "alice@example.com";
    c.created_at = TimePoint(std::chrono::seconds(7000));
    contribution_id = s->create_contribution(c).id;
  }

  auto report = copy();
  ASSERT_TRUE(report.committed);
  std::map<std::string, int64_t> counts;
  for (const auto& t : report.tables) {
    EXPECT_TRUE(t.ok()) << t.table;
    EXPECT_EQ(finished_[t.table], t.sqlite) << t.table;
    counts[t.table] = t.postgresql;
  }
  EXPECT_EQ(counts.count("schema_migrations"), 0u);
  EXPECT_EQ(counts["accounts"], 3);
  EXPECT_EQ(counts["articles"], 2);
  EXPECT_EQ(counts["comments"], 4);
  EXPECT_EQ(counts["sessions"], 1);
  EXPECT_EQ(counts["comment_reactions"], 1);
  EXPECT_EQ(counts["follows"], 1);
  EXPECT_GE(counts["notifications"], 1);
  EXPECT_GE(counts["moderation_log"], 3);
  EXPECT_EQ(counts["contributions"], 1);
  EXPECT_EQ(counts["models"], 1);
  EXPECT_EQ(counts["images"], 1);
  EXPECT_EQ(counts["image_renditions"], 2);
  EXPECT_EQ(counts["counters"], 1);
  // Parents before children.
  auto position = [&](const std::string& table) {
    for (size_t i = 0; i < report.tables.size(); ++i)
      if (report.tables[i].table == table) return i;
    return report.tables.size();
  };
  EXPECT_LT(position("accounts"), position("comments"));
  EXPECT_LT(position("articles"), position("comments"));
  EXPECT_LT(position("comments"), position("notifications"));

  auto s = open_sqlite();
  auto p = open_postgres();
  EXPECT_EQ(p->integrity_check(), "ok");
  EXPECT_EQ(p->content_version(), s->content_version());
  // The search index is not copied (derived data); the copied store builds it when it opens.
  p->migrate();
  ArticleSearch search;
  search.terms = {SearchTerm{{"title"}, false}};
  search.visible_at = TimePoint(std::chrono::seconds(2'000'000'000));
  EXPECT_EQ(p->search_articles(search).total, s->search_articles(search).total);
  EXPECT_GT(p->search_articles(search).total, 0);
  EXPECT_EQ(describe(*p->find_article("first")), describe(*s->find_article("first")));
  EXPECT_EQ(describe(*p->find_article("second")), describe(*s->find_article("second")));
  CommentQuery top_level;
  top_level.article_id = article_id;
  auto pg_top = p->list_comments(top_level).comments;
  EXPECT_EQ(describe(pg_top), describe(s->list_comments(top_level).comments));
  EXPECT_EQ(pg_top.size(), 2u);
  EXPECT_EQ(describe(p->list_thread_replies({top}, 10, 10)), describe(s->list_thread_replies({top}, 10, 10)));
  EXPECT_EQ(describe(p->held_comments(bob, article_id, 10)), describe(s->held_comments(bob, article_id, 10)));
  for (int64_t id : {alice, bob, moderator}) EXPECT_EQ(describe(*p->find_account(id)), describe(*s->find_account(id)));
  auto session = p->find_session(session_hash);
  ASSERT_TRUE(session);
  EXPECT_EQ(session->account.id, alice);
  EXPECT_EQ(describe(p->audit_log({})), describe(s->audit_log({})));
  EXPECT_EQ(p->notifications(alice, 0, 10).size(), s->notifications(alice, 0, 10).size());
  EXPECT_TRUE(p->follows(alice, bob));
  EXPECT_EQ(p->reactions_by(bob, {top}), s->reactions_by(bob, {top}));
  EXPECT_EQ(p->load_model("spam"), model_blob);
  EXPECT_EQ(p->find_article("first")->lead_image, std::string(32, 'e'));
  EXPECT_EQ(p->image_rendition(std::string(32, 'e'), 640, ImageFormat::webp), model_blob + "640")
      << "a rendition's bytes arrive exactly";
  EXPECT_EQ(p->find_image(std::string(32, 'e'))->text.credit, "Graphic: Tribune");
  ASSERT_TRUE(p->find_api_token(token_hash));
  EXPECT_EQ(p->find_api_token(token_hash)->name, "ci");
  ASSERT_TRUE(p->find_contribution(contribution_id));
  EXPECT_EQ(p->find_contribution(contribution_id)->amount_minor, 500);

  // The webhook outbox arrives as it was: the copy's own inserts queue nothing more.
  auto queued = s->webhook_deliveries(hook_id, 0, 100);
  EXPECT_EQ(queued.size(), 7u) << "three readers and four comments";
  EXPECT_EQ(p->webhook_deliveries(hook_id, 0, 100).size(), queued.size());

  // Every identity continues after the copied ids.
  auto carol = p->create_account(account("carol@example.com"), std::nullopt, std::nullopt, std::nullopt).account.id;
  EXPECT_GT(carol, moderator);
  auto newest = p->add_comment(comment(article_id, carol, "after the move")).comment.id;
  EXPECT_GT(newest, top + 3);  // the four copied comments were numbered from top
  EXPECT_EQ(p->webhook_deliveries(hook_id, 0, 100).size(), queued.size() + 2) << "carol and her comment";
  EXPECT_GT(p->save_article(record("third", 3000, {"Cy Doe"}), false).id, article_id + 1);
  auto log_before = p->audit_log({}).front().id;
  p->audit(std::nullopt, "after_move", carol, "");
  EXPECT_GT(p->audit_log({}).front().id, log_before);
}

TEST_F(StoreCopy, RefusesATargetHoldingDataAndChangesNothing) {
  {
    auto s = open_sqlite();
    s->save_article(record("first", 1000, {"Ana Ruiz"}), false);
  }
  {
    auto p = open_postgres();
    p->migrate();
    p->create_account(account("there@example.com"), std::nullopt, std::nullopt, std::nullopt);
  }
  try {
    copy();
    FAIL() << "copied into a database holding data";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::conflict);
    EXPECT_EQ(e.code(), "target_not_empty");
    EXPECT_NE(e.message().find("accounts"), std::string::npos) << e.message();
  }
  auto p = open_postgres();
  EXPECT_EQ(p->count_articles(), 0);
  EXPECT_EQ(p->list_accounts(0, 10).size(), 1u);
  EXPECT_TRUE(finished_.empty());
}

// A target that loses rows (here a trigger dropping every tag) fails the count check: nothing is kept.
TEST_F(StoreCopy, ACountThatDiffersRollsEverythingBack) {
  {
    auto s = open_sqlite();
    s->save_article(record("first", 1000, {"Ana Ruiz"}), false);
  }
  open_postgres()->migrate();
  {
    pg::Connection c(url_);
    c.exec(
        "CREATE FUNCTION drop_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;"
        "CREATE TRIGGER lose_tags BEFORE INSERT ON article_tags FOR EACH ROW EXECUTE FUNCTION drop_row();");
  }
  auto report = copy();
  EXPECT_FALSE(report.committed);
  for (const auto& t : report.tables) EXPECT_EQ(t.ok(), t.table != "article_tags") << t.table;
  auto p = open_postgres();
  EXPECT_EQ(p->count_articles(), 0);
  EXPECT_TRUE(p->list_sections().empty());
}

TEST_F(StoreCopy, RefusesASecondCopy) {
  {
    auto s = open_sqlite();
    s->save_article(record("first", 1000, {"Ana Ruiz"}), false);
  }
  ASSERT_TRUE(copy().committed);
  EXPECT_THROW(copy(), Error);
  EXPECT_EQ(open_postgres()->count_articles(), 1);
}

TEST_F(StoreCopy, AMissingSourceIsAnError) {
  sqlite_path_ = dir_.path() + "/missing.db";
  try {
    copy();
    FAIL() << "copied from a missing database";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "no_source");
  }
}

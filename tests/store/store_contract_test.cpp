// The store contract, part one: the admin, article, token and moderation roles, and the write path (group
// commit, failed writes, reopening). Every engine must pass it unchanged (store/contract.h).
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "model/error.h"
#include "store/contract.h"

using namespace tribune;
using tribune::testing::TempDir;
using namespace tribune::contract;
using namespace std::chrono_literals;

namespace {
const TimePoint kT0{std::chrono::seconds(1700000000)};
}  // namespace

TEST_P(StoreContract, MigrationIsIdempotentAndIntegrityHolds) {
  int v = store_->schema_version();
  EXPECT_GE(v, 1);
  store_->migrate();
  EXPECT_EQ(store_->schema_version(), v);
  EXPECT_EQ(store_->integrity_check(), "ok");
}

TEST_P(StoreContract, SavesAndFindsArticles) {
  auto r = record("first", 1000);
  r.draft.author_bio = "Ana Ruiz is a writer.";
  auto saved = store_->save_article(r, false);
  EXPECT_GT(saved.id, 0);
  EXPECT_EQ(saved.version, 1);
  auto found = store_->find_article("first");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->title, "Title first");
  EXPECT_EQ(found->body_html, "<p>body</p>");
  ASSERT_EQ(found->authors.size(), 1u);
  EXPECT_EQ(found->authors[0].slug, "ana-ruiz");
  EXPECT_EQ(found->authors[0].bio, "Ana Ruiz is a writer.");
  EXPECT_EQ(found->section.slug, "opinion");
  EXPECT_EQ(found->tags, std::vector<std::string>{"t1"});
  EXPECT_FALSE(store_->find_article("missing"));
}

TEST_P(StoreContract, ReplaceBumpsVersionAndCreateRefusesDuplicates) {
  store_->save_article(record("a", 1000), false);
  try {
    store_->save_article(record("a", 2000), false);
    FAIL() << "duplicate slug accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::conflict);
    EXPECT_EQ(e.code(), "slug_taken");
  }
  EXPECT_EQ(store_->find_article("a")->published_at.time_since_epoch().count(), 1000);
  auto replaced = store_->save_article(record("a", 3000, "Culture", {"Bo Li", "Ana Ruiz"}), true);
  EXPECT_EQ(replaced.version, 2);
  EXPECT_EQ(replaced.section.slug, "culture");
  ASSERT_EQ(replaced.authors.size(), 2u);
  EXPECT_EQ(replaced.authors[0].name, "Bo Li");
  EXPECT_EQ(store_->count_articles(), 1);
}

TEST_P(StoreContract, PagesAreSavedWithVersionsAndAStaleSaveChangesNothing) {
  EXPECT_FALSE(store_->find_page("about"));
  auto v0 = store_->content_version();
  Page p{"about", "About us", "Who we are.", "We *are*.", "<p>We <em>are</em>.</p>", {}, 0};
  auto first = store_->save_page(p, TimePoint(std::chrono::seconds(1000)), int64_t{0});
  EXPECT_EQ(first.version, 1);
  EXPECT_EQ(first.updated_at, TimePoint(std::chrono::seconds(1000)));
  EXPECT_EQ(first.body_html, "<p>We <em>are</em>.</p>");
  EXPECT_GT(store_->content_version(), v0) << "cached pages elsewhere must notice";
  // A save from version 0 again comes too late: conflict, and the stored page is untouched.
  p.title = "Stale";
  EXPECT_EQ(
      tribune::testing::thrown_code([&] { store_->save_page(p, TimePoint(std::chrono::seconds(2000)), int64_t{0}); }),
      "edit_conflict");
  EXPECT_EQ(store_->find_page("about")->title, "About us");
  auto second = store_->save_page(p, TimePoint(std::chrono::seconds(3000)), int64_t{1});
  EXPECT_EQ(second.version, 2);
  EXPECT_EQ(second.title, "Stale");
  // Without an expected version the save replaces whatever is stored.
  p.title = "Forced";
  EXPECT_EQ(store_->save_page(p, TimePoint(std::chrono::seconds(4000)), std::nullopt).version, 3);
  store_->save_page(Page{"terms", "Terms", "", "x", "<p>x</p>", {}, 0}, TimePoint(std::chrono::seconds(5000)),
                    std::nullopt);
  auto all = store_->list_pages();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].slug, "about");
  EXPECT_EQ(all[0].title, "Forced");
  EXPECT_EQ(all[1].slug, "terms");
}

TEST_P(StoreContract, OfEditorsSavingFromOneVersionAtOnceOnlyOneWins) {
  // Four editors open a page never saved (version 0) and save at once; then four open version 1.
  for (int64_t from : {0, 1}) {
    std::atomic<int> saved{0}, refused{0};
    std::vector<std::thread> editors;
    for (int i = 0; i < 4; ++i)
      editors.emplace_back([&, i] {
        Page p{"contact", "Editor " + std::to_string(i), "", "Text.", "<p>Text.</p>", {}, 0};
        try {
          store_->save_page(p, TimePoint(std::chrono::seconds(1000 + i)), from);
          ++saved;
        } catch (const Error& e) {
          if (e.code() == "edit_conflict") ++refused;
        }
      });
    for (auto& t : editors) t.join();
    EXPECT_EQ(saved.load(), 1) << "from version " << from;
    EXPECT_EQ(refused.load(), 3) << "from version " << from;
    EXPECT_EQ(store_->find_page("contact")->version, from + 1);
  }
}

TEST_P(StoreContract, OfEditorsSavingAnArticleFromOneVersionAtOnceOnlyOneWins) {
  auto first = store_->save_article(record("contested", 1000), false);
  std::atomic<int> saved{0}, refused{0};
  std::vector<std::thread> editors;
  for (int i = 0; i < 4; ++i)
    editors.emplace_back([&, i] {
      auto r = record("contested", 1000);
      r.draft.body_markdown = "Editor " + std::to_string(i);
      r.expected_version = first.version;
      try {
        store_->save_article(r, true);
        ++saved;
      } catch (const Error& e) {
        if (e.code() == "edit_conflict") ++refused;
      }
    });
  for (auto& t : editors) t.join();
  EXPECT_EQ(saved.load(), 1);
  EXPECT_EQ(refused.load(), 3);
  EXPECT_EQ(store_->find_article("contested")->version, first.version + 1);
  auto fresh = record("fresh", 1000);
  fresh.expected_version = 3;
  EXPECT_THROW(store_->save_article(fresh, true), Error) << "a version of an article that does not exist";
  EXPECT_FALSE(store_->find_article("fresh"));
}

TEST_P(StoreContract, EverySaveWithASnapshotLeavesARevisionInTheSameTransaction) {
  auto r = record("revised", 1000);
  r.saved_by = "Ana Editor";
  r.saved_at = kT0;
  r.snapshot = R"({"body":"first"})";
  auto first = store_->save_article(r, false);
  r.saved_at = kT0 + 1h;
  r.snapshot = R"({"body":"second"})";
  store_->save_article(r, true);
  r.snapshot.clear();  // a save without a snapshot leaves none
  store_->save_article(r, true);
  auto list = store_->article_revisions(first.id);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].version, 2) << "newest first, with the version the save made";
  EXPECT_EQ(list[1].version, 1);
  EXPECT_EQ(list[0].saved_at, kT0 + 1h);
  EXPECT_EQ(list[0].saved_by, "Ana Editor");
  EXPECT_TRUE(list[0].snapshot.empty()) << "lists leave the snapshots out";
  auto one = store_->find_article_revision(first.id, list[1].id);
  ASSERT_TRUE(one);
  EXPECT_EQ(one->snapshot, R"({"body":"first"})");
  EXPECT_FALSE(store_->find_article_revision(first.id + 1, list[1].id)) << "another article's id finds nothing";
  // A refused save (a stale version) leaves no revision either.
  r.snapshot = R"({"body":"stale"})";
  r.expected_version = 1;
  EXPECT_THROW(store_->save_article(r, true), Error);
  EXPECT_EQ(store_->article_revisions(first.id).size(), 2u);
}

TEST_P(StoreContract, AnArticlesStateDecidesWhichListsHoldIt) {
  for (auto slug : {"live", "later", "draft", "pulled", "gone"}) {
    auto r = record(slug, std::string_view(slug) == "later" ? 9000 : 1000);
    if (std::string_view(slug) == "draft") r.state = ArticleState::draft;
    store_->save_article(r, false);
  }
  auto v = store_->content_version();
  auto pulled = store_->set_article_state("pulled", ArticleState::retracted, "Forged letters.", kT0);
  EXPECT_EQ(pulled.state, ArticleState::retracted);
  EXPECT_EQ(pulled.retraction, "Forged letters.");
  EXPECT_EQ(pulled.retracted_at, kT0);
  EXPECT_EQ(pulled.version, 2);
  EXPECT_GT(store_->content_version(), v);
  store_->set_article_state("gone", ArticleState::deleted, "ignored", kT0);
  EXPECT_EQ(store_->find_article("gone")->retraction, "") << "only a retraction keeps a note";
  EXPECT_EQ(tribune::testing::thrown_code([&] { store_->set_article_state("none", ArticleState::draft, "", kT0); }),
            "not_found");

  auto slugs = [&](ArticleQuery q) {
    q.visible_at = TimePoint(std::chrono::seconds(5000));
    std::vector<std::string> out;
    for (auto& a : store_->list_articles(q).articles) out.push_back(a.slug);
    std::ranges::sort(out);
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(slugs({}), V{"live"}) << "readers: published, time come";
  ArticleQuery desk;
  desk.desk = true;
  EXPECT_EQ(slugs(desk), (V{"draft", "later", "live", "pulled"})) << "the desk: all but deleted";
  for (auto [status, want] :
       {std::pair{DeskStatus::draft, V{"draft"}}, std::pair{DeskStatus::scheduled, V{"later"}},
        std::pair{DeskStatus::published, V{"live"}}, std::pair{DeskStatus::retracted, V{"pulled"}},
        std::pair{DeskStatus::deleted, V{"gone"}}}) {
    desk.status = status;
    EXPECT_EQ(slugs(desk), want);
  }
  EXPECT_EQ(store_->next_scheduled(TimePoint(std::chrono::seconds(5000))), TimePoint(std::chrono::seconds(9000)));

  // Headline search: any case, and % or _ are themselves.
  auto odd = record("odd", 1000);
  odd.draft.title = "100% Proof_of It";
  store_->save_article(odd, false);
  desk.status = DeskStatus::any;
  desk.title_contains = "PROOF_";
  EXPECT_EQ(slugs(desk), V{"odd"});
  desk.title_contains = "100%";
  EXPECT_EQ(slugs(desk), V{"odd"});
  desk.title_contains = "_";
  EXPECT_EQ(slugs(desk), V{"odd"});
  desk.title_contains = "title l";  // "Title live", "Title later"
  EXPECT_EQ(slugs(desk), (V{"later", "live"}));

  // Saving over a retracted piece with another state clears its retraction.
  auto again = record("pulled", 1000);
  again.state = ArticleState::published;
  auto back = store_->save_article(again, true);
  EXPECT_EQ(back.state, ArticleState::published);
  EXPECT_EQ(back.retraction, "");
}

TEST_P(StoreContract, ListsNewestFirstWithKeysetCursors) {
  for (int i = 1; i <= 7; ++i) store_->save_article(record("a" + std::to_string(i), 1000 + (i % 3) * 10), false);
  ArticleQuery q;
  q.visible_at = TimePoint(std::chrono::seconds(5000));
  q.limit = 3;
  std::vector<std::string> seen;
  for (int pages = 0; pages < 10; ++pages) {
    auto page = store_->list_articles(q);
    for (auto& a : page.articles) seen.push_back(a.slug);
    if (!page.next) break;
    q.after = page.next;
  }
  ASSERT_EQ(seen.size(), 7u);  // each exactly once, across equal timestamps
  std::set<std::string> unique(seen.begin(), seen.end());
  EXPECT_EQ(unique.size(), 7u);
  auto first = store_->find_article(seen.front());
  auto last = store_->find_article(seen.back());
  EXPECT_GE(first->published_at, last->published_at);
}

TEST_P(StoreContract, HidesScheduledAndFilters) {
  store_->save_article(record("past", 1000, "Opinion", {"Ana Ruiz"}), false);
  store_->save_article(record("future", 9000, "Opinion", {"Ana Ruiz"}), false);
  store_->save_article(record("other", 1500, "Culture", {"Bo Li"}), false);
  ArticleQuery q;
  q.visible_at = TimePoint(std::chrono::seconds(5000));
  EXPECT_EQ(store_->list_articles(q).articles.size(), 2u);
  q.section_slug = "culture";
  auto culture = store_->list_articles(q);
  ASSERT_EQ(culture.articles.size(), 1u);
  EXPECT_EQ(culture.articles[0].slug, "other");
  q.section_slug.reset();
  q.author_slug = "ana-ruiz";
  auto ana = store_->list_articles(q);
  ASSERT_EQ(ana.articles.size(), 1u);
  EXPECT_EQ(ana.articles[0].slug, "past");
  auto next = store_->next_scheduled(TimePoint(std::chrono::seconds(5000)));
  ASSERT_TRUE(next);
  EXPECT_EQ(next->time_since_epoch().count(), 9000);
  EXPECT_FALSE(store_->next_scheduled(TimePoint(std::chrono::seconds(9000))));
}

TEST_P(StoreContract, ContentVersionMovesWithEveryChange) {
  auto v0 = store_->content_version();
  store_->save_article(record("a", 1000), false);
  auto v1 = store_->content_version();
  EXPECT_GT(v1, v0);
  store_->save_article(record("a", 1000), true);
  auto v2 = store_->content_version();
  EXPECT_GT(v2, v1);
  // A draft saved as a draft changes no public page: new, again, and moved to another address.
  auto draft = record("d", 1000);
  draft.state = ArticleState::draft;
  store_->save_article(draft, false);
  store_->save_article(draft, true);
  draft.draft.previous_slug = "d";
  draft.draft.slug = "d2";
  store_->save_article(draft, true);
  draft.draft.previous_slug.clear();
  EXPECT_TRUE(store_->find_article("d2"));
  EXPECT_FALSE(store_->find_article("d"));
  EXPECT_EQ(store_->content_version(), v2);
  draft.state = ArticleState::published;  // out: readers see it
  store_->save_article(draft, true);
  auto v3 = store_->content_version();
  EXPECT_GT(v3, v2);
  draft.state = ArticleState::draft;  // taken back by a save: it leaves the pages
  store_->save_article(draft, true);
  EXPECT_GT(store_->content_version(), v3);
}

TEST_P(StoreContract, TokensAreFoundByHashOnly) {
  std::string hash(32, '\x7f');
  store_->create_api_token(hash, "ci", Role::editor);
  auto t = store_->find_api_token(hash);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->role, Role::editor);
  EXPECT_FALSE(store_->find_api_token(std::string(32, '\x01')));
}

TEST_P(StoreContract, RevokedTokensAreListedButFoundNoMore) {
  std::string hash_a(32, 'a'), hash_b(32, 'b');
  auto a = store_->create_api_token(hash_a, "importer", Role::editor);
  auto b = store_->create_api_token(hash_b, "moderation bot", Role::moderator);
  store_->touch_api_token(a.id, kT0 + 1h);
  EXPECT_EQ(store_->find_api_token(hash_a)->last_used_at, kT0 + 1h);
  EXPECT_FALSE(store_->find_api_token(hash_b)->last_used_at);

  EXPECT_TRUE(store_->revoke_api_token(a.id, kT0 + 2h));
  EXPECT_FALSE(store_->revoke_api_token(a.id, kT0 + 3h)) << "already revoked";
  EXPECT_FALSE(store_->revoke_api_token(b.id + 100, kT0 + 3h)) << "no such token";
  EXPECT_FALSE(store_->find_api_token(hash_a));
  EXPECT_TRUE(store_->find_api_token(hash_b));

  auto all = store_->list_api_tokens();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].name, "moderation bot") << "newest first";
  EXPECT_FALSE(all[0].revoked_at);
  EXPECT_EQ(all[1].name, "importer");
  EXPECT_EQ(all[1].revoked_at, kT0 + 2h) << "the first revocation's time stays";
  EXPECT_EQ(all[1].last_used_at, kT0 + 1h);
}

TEST_P(StoreContract, ImagesKeepTheirBytesExactlyAndAnArticleNamesItsLeadImage) {
  Image image;
  image.id = std::string(32, 'c');
  image.width = 1200;
  image.height = 800;
  image.source = ImageFormat::png;
  image.text = ImageText{"A map", "Where the trains run", "Graphic: Tribune"};
  image.created_at = kT0;
  image.created_by = "Ana Ruiz";
  std::string bytes;  // every byte value, NULs and invalid UTF-8 included
  for (int i = 0; i < 4096; ++i) bytes += static_cast<char>(i % 256);
  image.renditions = {ImageRendition{320, 213, ImageFormat::webp, 0, bytes.substr(0, 1000)},
                      ImageRendition{640, 427, ImageFormat::webp, 0, bytes},
                      ImageRendition{640, 427, ImageFormat::jpeg, 0, bytes.substr(7)}};
  EXPECT_TRUE(store_->insert_image(image));
  auto again = image;
  again.text.alt = "Another text";
  EXPECT_FALSE(store_->insert_image(again)) << "the same id: kept as first stored";

  auto found = store_->find_image(image.id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->text.alt, "A map");
  EXPECT_EQ(found->text.credit, "Graphic: Tribune");
  EXPECT_EQ(found->source, ImageFormat::png);
  EXPECT_EQ(found->created_at, kT0);
  ASSERT_EQ(found->renditions.size(), 3u);
  EXPECT_EQ(found->renditions[0].format, ImageFormat::jpeg) << "by format, then widest first";
  EXPECT_EQ(found->renditions[1].width, 640);
  EXPECT_EQ(found->renditions[1].size, 4096);
  EXPECT_EQ(found->renditions[2].width, 320);
  EXPECT_TRUE(found->renditions[1].bytes.empty()) << "metadata only";
  EXPECT_EQ(store_->image_rendition(image.id, 640, ImageFormat::webp), bytes);
  EXPECT_EQ(store_->image_rendition(image.id, 640, ImageFormat::jpeg), bytes.substr(7));
  EXPECT_FALSE(store_->image_rendition(image.id, 641, ImageFormat::webp));
  EXPECT_FALSE(store_->find_image(std::string(32, 'd')));
  ASSERT_EQ(store_->list_images(10).size(), 1u);
  EXPECT_EQ(store_->list_images(10)[0].renditions.size(), 3u);

  auto r = record("illustrated", 1000);
  r.draft.lead_image = image.id;
  EXPECT_EQ(store_->save_article(r, false).lead_image, image.id);
  r.draft.lead_image.clear();
  EXPECT_EQ(store_->save_article(r, true).lead_image, "");
  EXPECT_EQ(store_->find_article("illustrated")->lead_image, "");
}

TEST_P(StoreContract, ConcurrentWritersShareCommits) {
  constexpr int kThreads = 32, kEach = 8;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        try {
          store_->save_article(record("c" + std::to_string(t) + "-" + std::to_string(i), 1000 + i), false);
        } catch (const Error&) {
          failures++;
        }
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(store_->count_articles(), kThreads * kEach);
  auto s = store_->stats();
  EXPECT_EQ(s.grouped_writes, kThreads * kEach);
  if (GetParam().groups_commits)
    EXPECT_LT(s.group_commits, s.grouped_writes) << "no two writers ever shared a commit";
  else
    EXPECT_LE(s.group_commits, s.grouped_writes);
  EXPECT_EQ(store_->integrity_check(), "ok");
}

TEST_P(StoreContract, AFailedWriteInABatchLeavesNothingAndSparesTheOthers) {
  store_->save_article(record("taken", 1000), false);
  std::vector<std::thread> threads;
  std::atomic<int> conflicts{0}, ok{0};
  for (int t = 0; t < 16; ++t)
    threads.emplace_back([&, t] {
      try {
        // Every odd writer collides with an existing slug after having written its section and authors.
        auto r = record(t % 2 ? "taken" : "fresh-" + std::to_string(t), 2000, "Section " + std::to_string(t),
                        {"Writer " + std::to_string(t)});
        store_->save_article(r, false);
        ok++;
      } catch (const Error& e) {
        if (e.code() == "slug_taken") conflicts++;
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 8);
  EXPECT_EQ(conflicts.load(), 8);
  EXPECT_EQ(store_->count_articles(), 9);
  // The failed writers' sections were rolled back with them.
  EXPECT_FALSE(store_->find_section("section-1"));
  EXPECT_TRUE(store_->find_section("section-2"));
  EXPECT_EQ(store_->find_article("taken")->published_at.time_since_epoch().count(), 1000);
}

TEST_P(StoreContract, DataSurvivesReopening) {
  store_->save_article(record("durable", 1000), false);
  store_.reset();
  store_ = GetParam().open(dir_.path());
  store_->migrate();
  EXPECT_TRUE(store_->find_article("durable"));
}

INSTANTIATE_TEST_SUITE_P(Engines, StoreContract, ::testing::ValuesIn(engines()),
                         [](const auto& param_info) { return param_info.param.name; });

TEST_P(StoreContract, ModerationActsAreLoggedAndTrainTheClassifier) {
  auto article = store_->save_article(record("moderated", 1000), false);
  auto account = [&](const std::string& name, const std::string& role) {
    NewAccount a;
    a.email = name + "@example.com";
    a.email_normalized = a.email;
    a.display_name = name;
    a.name_keys = {name, name};
    a.password_hash = "x";
    a.role = role_or_reader(role);
    return store_->create_account(a, std::nullopt, std::nullopt, std::nullopt).account.id;
  };
  int64_t mod = account("Mo", "moderator"), reader = account("Rea", "reader");
  auto comment = [&](const std::string& text, CommentStatus status) {
    NewComment c;
    c.article_id = article.id;
    c.author_id = reader;
    c.body_markdown = text;
    c.body_html = "<p>" + text + "</p>";
    c.status = status;
    c.moderation_rule = status == CommentStatus::pending ? "links" : "";
    return store_->add_comment(c).comment.id;
  };
  int64_t held = comment("held text", CommentStatus::pending), spam = comment("buy pills", CommentStatus::pending);
  int64_t fine = comment("fine text", CommentStatus::published);
  store_->add_report(fine, mod, "abuse", "");

  QueueQuery q;
  EXPECT_EQ(store_->moderation_queue(q).size(), 3u);
  q.view = "held";
  EXPECT_EQ(store_->moderation_queue(q).size(), 2u);
  q.view = "reported";
  EXPECT_EQ(store_->moderation_queue(q).size(), 1u);
  q.view = "open";
  q.rule = "links";
  q.author_id = reader;
  q.article_id = article.id;
  EXPECT_EQ(store_->moderation_queue(q).size(), 2u);
  q.article_id = article.id + 1000;
  EXPECT_TRUE(store_->moderation_queue(q).empty());

  store_->decide_comment(held, mod, "approve", "fine after all");
  store_->decide_comment(spam, mod, "reject", "spam");
  QueueQuery decided;
  decided.view = "decided";
  auto recent = store_->moderation_queue(decided);
  ASSERT_EQ(recent.size(), 2u);
  EXPECT_EQ(recent[0].comment.id, spam) << "newest decision first";
  EXPECT_EQ(recent[0].decision, "reject");
  EXPECT_EQ(recent[0].decided_by, "Mo");
  EXPECT_EQ(recent[0].decision_reason, "spam");

  auto examples = store_->training_examples(0, 10);
  ASSERT_EQ(examples.size(), 2u);
  EXPECT_FALSE(examples[0].spam);
  EXPECT_EQ(examples[0].text, "held text");
  EXPECT_TRUE(examples[1].spam);
  EXPECT_TRUE(store_->training_examples(examples[1].id, 10).empty());

  ActivityQuery activity;
  activity.account_id = reader;
  activity.body = "x";
  activity.decisions_since = TimePoint{};
  auto a = store_->author_activity(activity);
  EXPECT_EQ(a.decided, 2);
  EXPECT_EQ(a.rejected, 1);

  store_->sanction(reader, mod, "warn", "Keep it civil.");
  store_->sanction(reader, mod, "premoderate", "");
  store_->sanction(reader, mod, "note", "Argues in good faith, mostly.");
  auto who = store_->find_account(reader);
  EXPECT_EQ(who->warning, "Keep it civil.");
  EXPECT_TRUE(who->premoderated);
  EXPECT_TRUE(store_->acknowledge_warning(reader));
  EXPECT_FALSE(store_->acknowledge_warning(reader)) << "nothing left to acknowledge";
  EXPECT_TRUE(store_->find_account(reader)->warning.empty());
  store_->sanction(reader, mod, "release", "");
  EXPECT_FALSE(store_->find_account(reader)->premoderated);
  EXPECT_THROW(store_->sanction(reader + 1000, mod, "warn", "x"), Error);
  store_->audit(std::nullopt, "create_token", std::nullopt, "ci (editor)");

  LogQuery lq;
  lq.subject_id = reader;
  auto log = store_->audit_log(lq);
  std::vector<std::string> actions;
  for (const auto& e : log) actions.push_back(e.action);
  EXPECT_EQ(actions, (std::vector<std::string>{"release", "acknowledge_warning", "note", "premoderate", "warn",
                                               "reject", "approve"}));
  EXPECT_EQ(log.back().actor_name, "Mo");
  auto everything = store_->audit_log({});
  EXPECT_EQ(everything.front().action, "create_token");
  EXPECT_FALSE(everything.front().actor_id);
  LogQuery paged;
  paged.before_id = everything[1].id;
  paged.limit = 2;
  EXPECT_EQ(store_->audit_log(paged).size(), 2u);

  EXPECT_FALSE(store_->load_model("spam"));
  std::string blob("model\0bytes\xff", 12);
  store_->save_model("spam", blob);
  store_->save_model("spam", blob + "2");
  EXPECT_EQ(store_->load_model("spam"), blob + "2");
}

// The queue page offers "Ban the author" only when the ban can succeed: each item carries the author's role.
TEST_P(StoreContract, QueueItemsCarryTheAuthorsRole) {
  auto article = store_->save_article(record("roles", 1000), false);
  auto account = [&](const std::string& name, const std::string& role) {
    NewAccount a;
    a.email = name + "@example.com";
    a.email_normalized = a.email;
    a.display_name = name;
    a.name_keys = {name, name};
    a.password_hash = "x";
    a.role = role_or_reader(role);
    return store_->create_account(a, std::nullopt, std::nullopt, std::nullopt).account.id;
  };
  auto held_comment = [&](int64_t author) {
    NewComment c;
    c.article_id = article.id;
    c.author_id = author;
    c.body_markdown = "held";
    c.body_html = "<p>held</p>";
    c.status = CommentStatus::pending;
    c.moderation_rule = "links";
    return store_->add_comment(c).comment.id;
  };
  int64_t editor = account("Ed", "editor"), reader = account("Rae", "reader");
  int64_t by_editor = held_comment(editor), by_reader = held_comment(reader);

  std::map<int64_t, std::string> roles;
  for (const auto& item : store_->moderation_queue({}))
    roles[item.comment.id] = std::string(to_string(item.author_role));
  EXPECT_EQ(roles[by_editor], "editor");
  EXPECT_EQ(roles[by_reader], "reader");

  store_->decide_comment(by_editor, reader, "approve", "");
  QueueQuery decided;
  decided.view = "decided";
  auto recent = store_->moderation_queue(decided);
  ASSERT_EQ(recent.size(), 1u);
  EXPECT_EQ(recent[0].author_role, Role::editor) << "the decided view too";
  EXPECT_EQ(recent[0].decision, "approve") << "the decision's columns still line up";
  EXPECT_EQ(recent[0].decided_by, "Rae");
}

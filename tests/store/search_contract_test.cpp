// The store contract, search (store/roles/search.h): what is found, in what order, among what readers may
// see, and that the index follows every change that alters a piece's words. Every engine must pass it
// unchanged.
#include <gtest/gtest.h>

#include <algorithm>

#include "domain/search.h"
#include "store/contract.h"

using namespace tribune;
using namespace tribune::contract;

namespace {

constexpr int64_t kNow = 2'000'000'000;

ArticleSearch asking(std::string_view q) {
  ArticleSearch s;
  s.terms = parse_search_terms(q);
  s.visible_at = TimePoint(std::chrono::seconds(kNow));
  return s;
}

std::vector<std::string> slugs(const ArticleHits& hits) {
  std::vector<std::string> out;
  for (const auto& a : hits.articles) out.push_back(a.slug);
  return out;
}

}  // namespace

TEST_P(StoreContract, SearchFindsWholeWordsWhateverTheirAccentsAndCapitals) {
  auto r = record("cafe", 1000);
  r.draft.title = "Notes from a small town";
  r.body_html = "<p>The <em>Café</em> on Øster Street closed; Zoë Ruiz-Müller wrote about it.</p>";
  store_->save_article(r, false);
  store_->save_article(record("other", 1000), false);

  for (auto q : {"cafe", "CAFÉ", "café", "oster", "zoe", "muller", "Müller", "ruiz muller"})
    EXPECT_EQ(slugs(store_->search_articles(asking(q))), std::vector<std::string>{"cafe"}) << q;
  // Whole words: no part of one, no stemming.
  EXPECT_TRUE(store_->search_articles(asking("caf")).articles.empty());
  EXPECT_TRUE(store_->search_articles(asking("cafes")).articles.empty());
  // A phrase's words next to each other and in order; an exclusion leaves out what holds it.
  EXPECT_EQ(store_->search_articles(asking("\"oster street\"")).total, 1);
  EXPECT_EQ(store_->search_articles(asking("\"street oster\"")).total, 0);
  EXPECT_EQ(store_->search_articles(asking("small -cafe")).total, 0);
  EXPECT_EQ(store_->search_articles(asking("body -cafe")).articles.front().slug, "other");
  // Words that are operators to one engine or the other are words here.
  auto ops = record("ops", 1000);
  ops.body_html = "<p>Or not, and near: the NEAR OR AND NOT story.</p>";
  store_->save_article(ops, false);
  for (auto q : {"or", "NOT", "near", "and", "\"or not\"", "or:not", "or*", "NEAR(or not)", "\"or\" OR not",
                 "or & !not", "or <-> not", "or:* | not:*"}) {
    ASSERT_FALSE(parse_search_terms(q).empty()) << q;
    EXPECT_GE(store_->search_articles(asking(q)).total, 1) << q << ": its words, each in the piece, are all it asks";
  }
  EXPECT_EQ(slugs(store_->search_articles(asking("NOT"))), std::vector<std::string>{"ops"});
  EXPECT_EQ(slugs(store_->search_articles(asking("\"or not\""))), std::vector<std::string>{"ops"});
}

TEST_P(StoreContract, SearchRanksTheHeadlineAboveTheBodyAndPagesWithATotal) {
  auto in_body = record("in-body", 3000);
  in_body.body_html = "<p>Somewhere in here the harbour is mentioned once among many other words.</p>";
  store_->save_article(in_body, false);
  auto in_title = record("in-title", 1000);
  in_title.draft.title = "The harbour at night";
  store_->save_article(in_title, false);
  auto in_standfirst = record("in-standfirst", 2000);
  in_standfirst.draft.standfirst = "A walk along the harbour";
  store_->save_article(in_standfirst, false);
  auto tagged = record("tagged", 2500);
  tagged.draft.tags = {"Harbour"};
  store_->save_article(tagged, false);
  auto hits = store_->search_articles(asking("harbour"));
  EXPECT_EQ(hits.total, 4);
  ASSERT_EQ(hits.articles.size(), 4u);
  EXPECT_EQ(hits.articles[0].slug, "in-title");
  EXPECT_EQ(hits.articles[3].slug, "in-body");
  EXPECT_FALSE(hits.articles[0].body_html.empty()) << "hits carry their body, for snippets";
  EXPECT_EQ(hits.articles[0].authors.size(), 1u);
  auto s = asking("harbour");
  s.limit = 2;
  s.offset = 2;
  auto second = store_->search_articles(s);
  EXPECT_EQ(second.total, 4);
  EXPECT_EQ(slugs(second), (std::vector<std::string>{hits.articles[2].slug, hits.articles[3].slug}));
  s.offset = 4;
  EXPECT_TRUE(store_->search_articles(s).articles.empty());
}

TEST_P(StoreContract, SearchFindsOnlyWhatReadersMaySeeAndFiltersBySectionAndDate) {
  auto word = [&](std::string slug, int64_t at, std::string section = "Opinion") {
    auto r = record(std::move(slug), at, std::move(section));
    r.body_html = "<p>Lighthouse keepers</p>";
    return r;
  };
  store_->save_article(word("public", 1000), false);
  store_->save_article(word("culture", 5000, "Culture"), false);
  store_->save_article(word("scheduled", kNow + 60), false);
  auto draft = word("draft", 1000);
  draft.state = ArticleState::draft;
  store_->save_article(draft, false);
  store_->save_article(word("pulled", 1000), false);
  store_->set_article_state("pulled", ArticleState::deleted, "", TimePoint(std::chrono::seconds(kNow)));
  store_->save_article(word("unpublished", 1000), false);
  store_->set_article_state("unpublished", ArticleState::draft, "", TimePoint(std::chrono::seconds(kNow)));
  store_->make_story({"https://host.example/lighthouse", "https://host.example/lighthouse", "embed-1",
                      "Lighthouse keepers", TimePoint(std::chrono::seconds(1000))});

  auto all = store_->search_articles(asking("lighthouse"));
  std::vector<std::string> found = slugs(all);
  std::sort(found.begin(), found.end());
  EXPECT_EQ(found, (std::vector<std::string>{"culture", "public"}));
  EXPECT_EQ(all.total, 2);

  auto s = asking("lighthouse");
  s.section_slug = "culture";
  EXPECT_EQ(slugs(store_->search_articles(s)), std::vector<std::string>{"culture"});
  s = asking("lighthouse");
  s.from = TimePoint(std::chrono::seconds(2000));
  EXPECT_EQ(slugs(store_->search_articles(s)), std::vector<std::string>{"culture"});
  s.from.reset();
  s.until = TimePoint(std::chrono::seconds(5000));  // before, not at
  EXPECT_EQ(slugs(store_->search_articles(s)), std::vector<std::string>{"public"});
  // The scheduled piece is found once its time has come.
  s = asking("lighthouse");
  s.visible_at = TimePoint(std::chrono::seconds(kNow + 60));
  EXPECT_EQ(store_->search_articles(s).total, 3);
  // Nothing to look for, or only what to leave out: nothing found.
  EXPECT_EQ(store_->search_articles(asking("")).total, 0);
  EXPECT_EQ(store_->search_articles(asking("-lighthouse")).total, 0);
}

TEST_P(StoreContract, TheSearchIndexFollowsEditsAuthorRenamesAndTagMerges) {
  auto r = record("piece", 1000, "Opinion", {"Ana Ruiz"});
  r.draft.tags = {"Railways"};
  r.body_html = "<p>Old words about steam.</p>";
  store_->save_article(r, false);
  EXPECT_EQ(store_->search_articles(asking("steam")).total, 1);
  r.body_html = "<p>New words about diesel.</p>";
  store_->save_article(r, true);
  EXPECT_EQ(store_->search_articles(asking("steam")).total, 0);
  EXPECT_EQ(store_->search_articles(asking("diesel")).total, 1);

  EXPECT_EQ(store_->search_articles(asking("ana")).total, 1);
  auto author = *store_->find_author("ana-ruiz");
  author.name = "Beatriz Ferreira";
  author.slug = "beatriz-ferreira";
  store_->update_author("ana-ruiz", author);
  EXPECT_EQ(store_->search_articles(asking("ana")).total, 0) << "the old name still finds the piece";
  EXPECT_EQ(store_->search_articles(asking("beatriz")).total, 1) << "the new name does not find the piece";

  store_->merge_tags("railways", "Tramways");
  EXPECT_EQ(store_->search_articles(asking("railways")).total, 0);
  EXPECT_EQ(store_->search_articles(asking("tramways")).total, 1);
}

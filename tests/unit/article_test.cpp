#include "model/article.h"

#include <gtest/gtest.h>

#include "domain/text_diff.h"
#include "model/error.h"

using namespace tribune;

namespace {

ArticleDraft good_draft() {
  ArticleDraft d;
  d.title = "Night trains: the slowest way to get ahead";
  d.authors = {"Tomás Ferreira"};
  d.section = "Opinion";
  d.body_markdown = "Body.";
  return d;
}

std::string field_of_failure(ArticleDraft d) {
  try {
    validate_draft(d);
  } catch (const Error& e) {
    return e.field();
  }
  return "(valid)";
}

}  // namespace

TEST(Slug, AcceptsLowercaseHyphenated) {
  EXPECT_TRUE(is_valid_slug("night-trains-2026"));
  EXPECT_FALSE(is_valid_slug(""));
  EXPECT_FALSE(is_valid_slug("-lead"));
  EXPECT_FALSE(is_valid_slug("trail-"));
  EXPECT_FALSE(is_valid_slug("double--hyphen"));
  EXPECT_FALSE(is_valid_slug("Upper"));
  EXPECT_FALSE(is_valid_slug("../etc/passwd"));
  EXPECT_FALSE(is_valid_slug(std::string(81, 'a')));
}

TEST(Slug, SlugifiesTitlesAndTransliteratesNames) {
  EXPECT_EQ(slugify("Night trains: the slowest way to get ahead"), "night-trains-the-slowest-way-to-get-ahead");
  EXPECT_EQ(slugify("Tomás Ferreira"), "tomas-ferreira");
  EXPECT_EQ(slugify("  It's -- complicated!  "), "its-complicated");
  EXPECT_EQ(slugify("???"), "");
}

TEST(Slug, TagSlugsKeepCSharpAndCPlusPlusApartAndNeverComeOutEmpty) {
  EXPECT_EQ(tag_slug("Night trains"), "night-trains");
  EXPECT_EQ(tag_slug("C"), "c");
  EXPECT_EQ(tag_slug("C#"), "c-sharp");
  EXPECT_EQ(tag_slug("C++"), "c-plus-plus");
  EXPECT_EQ(tag_slug("#MeToo"), "metoo");
  EXPECT_EQ(tag_slug("Économie"), "economie");
  auto hashed = tag_slug("🚆");
  EXPECT_TRUE(hashed.starts_with("tag-"));
  EXPECT_EQ(hashed.size(), 12u);
  EXPECT_EQ(hashed, tag_slug("🚆")) << "stable";
  EXPECT_NE(hashed, tag_slug("🚄"));
}

TEST(Draft, ValidDraftGetsSlugFromTitle) {
  auto d = good_draft();
  validate_draft(d);
  EXPECT_EQ(d.slug, "night-trains-the-slowest-way-to-get-ahead");
}

TEST(Draft, EachBadFieldIsNamed) {
  auto d = good_draft();
  d.title = "";
  EXPECT_EQ(field_of_failure(d), "title");
  d = good_draft();
  d.title = "two\nlines";
  EXPECT_EQ(field_of_failure(d), "title");
  d = good_draft();
  d.slug = "Bad Slug";
  EXPECT_EQ(field_of_failure(d), "slug");
  d = good_draft();
  d.authors.clear();
  EXPECT_EQ(field_of_failure(d), "authors");
  d = good_draft();
  d.section = "api";  // refused where a new section would be made (the store), not here: "Api" may exist
  EXPECT_EQ(field_of_failure(d), "(valid)");
  d = good_draft();
  d.body_markdown = "   ";
  EXPECT_EQ(field_of_failure(d), "body");
  d = good_draft();
  d.body_markdown = std::string("nul\0inside", 10);
  EXPECT_EQ(field_of_failure(d), "body");
  d = good_draft();
  d.title = "bad \xC3";
  EXPECT_EQ(field_of_failure(d), "title");
  d = good_draft();
  d.source_url = "javascript:alert(1)";
  d.source_name = "X";
  EXPECT_EQ(field_of_failure(d), "source_url");
  d = good_draft();
  d.source_url = "https://www.newsweek.com/";
  EXPECT_EQ(field_of_failure(d), "source_name");
  d = good_draft();
  d.body_markdown = std::string(kMaxBody + 1, 'x');
  EXPECT_EQ(field_of_failure(d), "body");
}

TEST(TextDiff, MarksWhatASaveRemovedAndAdded) {
  using K = tribune::DiffLine::Kind;
  auto d = tribune::diff_lines("one\ntwo\nthree\nfour", "one\n2\nthree\nfour\nfive");
  std::vector<std::pair<K, std::string>> got;
  for (auto& l : d) got.emplace_back(l.kind, l.text);
  std::vector<std::pair<K, std::string>> want{{K::same, "one"},   {K::removed, "two"}, {K::added, "2"},
                                              {K::same, "three"}, {K::same, "four"},   {K::added, "five"}};
  EXPECT_EQ(got, want);
  EXPECT_TRUE(tribune::diff_lines("", "").empty());
  auto all_new = tribune::diff_lines("", "a\nb");
  ASSERT_EQ(all_new.size(), 2u);
  EXPECT_EQ(all_new[0].kind, K::added);
  // Past the budget (3,000 x 3,000 differing lines) the answer is coarse but true: all out, all in.
  std::string before, after;
  for (int i = 0; i < 3000; ++i) {
    before += "old " + std::to_string(i) + "\n";
    after += "new " + std::to_string(i) + "\n";
  }
  auto coarse = tribune::diff_lines(before, after);
  ASSERT_EQ(coarse.size(), 6000u);
  EXPECT_EQ(coarse.front().kind, K::removed);
  EXPECT_EQ(coarse.back().kind, K::added);
}

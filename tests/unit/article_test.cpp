#include "model/article.h"

#include <gtest/gtest.h>

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
  d.section = "api";
  EXPECT_EQ(field_of_failure(d), "section");
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

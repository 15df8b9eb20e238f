#include "domain/front_matter.h"

#include <gtest/gtest.h>

#include "model/error.h"
#include "test_support.h"

using namespace tribune;

TEST(FrontMatter, ParsesEveryKey) {
  auto d = parse_article_file(
      "---\n"
      "title: \"Night trains: slow, and good\"\n"
      "slug: night-trains\n"
      "standfirst: Short.\n"
      "authors: [Ana Ruiz, \"Smith, John\"]\n"
      "author_bio: \"Ana Ruiz is a writer.\"\n"
      "section: Opinion\n"
      "tags: [rail, travel]\n"
      "published_at: 2009-07-06T00:00:00+01:00\n"
      "source_name: Newsweek\n"
      "source_url: https://www.newsweek.com/\n"
      "comments: closed\n"
      "---\n"
      "Body *here*.\n");
  EXPECT_EQ(d.title, "Night trains: slow, and good");
  EXPECT_EQ(d.slug, "night-trains");
  ASSERT_EQ(d.authors.size(), 2u);
  EXPECT_EQ(d.authors[1], "Smith, John");
  EXPECT_EQ(d.tags, (std::vector<std::string>{"rail", "travel"}));
  ASSERT_TRUE(d.published_at);
  EXPECT_EQ(format_rfc3339(*d.published_at), "2009-07-05T23:00:00Z");
  EXPECT_EQ(d.comments, CommentsMode::closed);
  EXPECT_EQ(d.body_markdown, "Body *here*.\n");
}

namespace {
std::pair<std::string, std::string> failure(const std::string& text) {
  try {
    parse_article_file(text);
  } catch (const Error& e) {
    return {e.field(), e.message()};
  }
  return {"(parsed)", ""};
}
}  // namespace

TEST(FrontMatter, ErrorsNameTheKeyAndLine) {
  auto [field, message] = failure("---\ntitle: x\npublished_at: yesterday\n---\nbody");
  EXPECT_EQ(field, "published_at");
  EXPECT_NE(message.find("line 3"), std::string::npos) << message;
  EXPECT_EQ(failure("---\ncolour: red\n---\n").first, "colour");
  EXPECT_EQ(failure("---\ntitle: a\ntitle: b\n---\n").first, "title");
  EXPECT_EQ(failure("---\ncomments: maybe\n---\n").first, "comments");
  EXPECT_EQ(failure("---\ntitle: \"unterminated\n---\n").first, "title");
  EXPECT_EQ(failure("---\ntags: [a, b\n---\n").first, "tags");
  EXPECT_NE(failure("no front matter").second.find("---"), std::string::npos);
  EXPECT_NE(failure("---\ntitle: x\n").second.find("closing"), std::string::npos);
  // author and authors are one field: both given, the second is refused (it dropped the first unseen).
  auto [both, why] = failure("---\nauthor: Ana Ruiz\nauthors: [Ben Ode]\n---\n");
  EXPECT_EQ(both, "authors");
  EXPECT_NE(why.find("give one of them"), std::string::npos) << why;
}

TEST(FrontMatter, ReadsTheDescriptionAndTheLeadImage) {
  LeadImageSource image;
  auto d = parse_article_file(
      "---\ntitle: T\nauthors: [A]\nsection: S\ndescription: \"For search: short, plain.\"\nimage: photo.jpg\n"
      "image_alt: A photo\nimage_credit: \"Photograph: A\"\n---\nBody.\n",
      &image);
  EXPECT_EQ(d.description, "For search: short, plain.");
  EXPECT_EQ(image.path, "photo.jpg");
  EXPECT_EQ(image.text.alt, "A photo");
  EXPECT_EQ(image.text.credit, "Photograph: A");
  // Where images cannot be taken (the demo's own files), naming one is an error on its line.
  EXPECT_EQ(tribune::testing::thrown_code([] { parse_article_file("---\ntitle: T\nimage: x.jpg\n---\nB\n"); }),
            "invalid_front_matter");
}

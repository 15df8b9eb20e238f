// Regression tests for what the fuzz targets (fuzz/) found; each reproducer is also in fuzz/corpus/.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "domain/front_matter.h"
#include "http/cursors.h"
#include "http/forms.h"
#include "model/error.h"

using namespace tribune;

// fuzz/corpus/form/empty-body: Boost.URL 1.81 measured a form with strlen, reading past a view that does not
// end in a NUL: fields came from the bytes after the body.
TEST(FuzzFindings, FormIsReadWithinItsView) {
  std::string buffer = "a=1&b=2xyz&c=3";
  std::string_view body(buffer.data(), 7);  // "a=1&b=2"
  auto fields = parse_form(body);
  EXPECT_EQ(fields.size(), 2u);
  EXPECT_EQ(fields["a"], "1");
  EXPECT_EQ(fields["b"], "2");
  EXPECT_EQ(form_value(body, "b"), "2");
  EXPECT_EQ(form_values(body, "b"), std::vector<std::string>{"2"});
  EXPECT_TRUE(parse_form(std::string_view(buffer.data(), 0)).empty());
  EXPECT_TRUE(form_values(std::string_view(buffer.data(), 0), "a").empty());
}

// fuzz/corpus/cursor/leading-zero: "0900:8" decoded to the position of "900:8", a cursor never issued.
TEST(FuzzFindings, CursorsAreOnlyTheServersOwnSpelling) {
  EXPECT_THROW(decode_cursor("MDkwMDo4"), Error);  // "0900:8"
  EXPECT_THROW(decode_cursor("LTA6MQ"), Error);    // "-0:1"
  EXPECT_THROW(decode_comment_cursor("MDkwMDo4"), Error);
  ArticleCursor c{900, 8};
  auto back = decode_cursor(encode_cursor(c));
  EXPECT_EQ(back.published_at, 900);
  EXPECT_EQ(back.id, 8);
}

// fuzz/corpus/front_matter/empty-author: "author:" with no value gave a list of one empty name, which no list
// can spell ("[]" is empty, an empty item is an error).
TEST(FuzzFindings, AnEmptyListValueIsAnEmptyList) {
  auto d = parse_article_file("---\nauthor:\ntags: \"\"\n---\n");
  EXPECT_TRUE(d.authors.empty());
  EXPECT_TRUE(d.tags.empty());
  EXPECT_EQ(parse_article_file("---\nauthors: Ann Lima\n---\n").authors, std::vector<std::string>{"Ann Lima"});
}

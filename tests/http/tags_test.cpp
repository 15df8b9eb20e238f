// Tag pages (issue 15): every tag on an article links to /tags/{slug}, the published articles carrying it,
// newest first, with an RSS feed of their own; a tag nobody published is not found. The desk merges tags
// (the API and /desk/tags), and a merged tag's address, or one written with the tag's text, redirects.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "test_support.h"
#include "util/text.h"

using namespace tribune;
using namespace tribune::testing;
namespace json = boost::json;

TEST(Tags, EachTagHasAPageAndAFeedOfThePublishedArticlesCarryingIt) {
  TestServer server(true);
  auto port = server.port();
  auto token = server.app().tokens().create("tags", "editor").token;
  auto post = [&](const std::string& body) {
    return request(port, {"POST",
                          "/api/v1/articles",
                          body,
                          {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token}}});
  };
  auto made = post(R"({"title":"Fares and tides","authors":["Ruth Keller"],"section":"Opinion","body":"x",)"
                   R"("tags":["rail fares","<b>bold</b>"]})");
  ASSERT_EQ(made.status, 201) << made.body;
  ASSERT_EQ(post(R"({"title":"A draft about fares","status":"draft","authors":["A"],"section":"Opinion",)"
                 R"("body":"x","tags":["rail fares"]})")
                .status,
            201);
  std::string url(json::parse(made.body).at("url").as_string());

  auto article = get(port, url);
  EXPECT_NE(article.body.find("<li><a href=\"/tags/rail-fares\" rel=\"tag\">rail fares</a></li>"), std::string::npos);
  EXPECT_NE(article.body.find("<a href=\"/tags/b-bold-b\" rel=\"tag\">&lt;b&gt;bold&lt;/b&gt;</a>"), std::string::npos);
  // Addresses written with the tag's text (as links were before tags had slugs) lead to the slug's.
  auto by_text = get(port, "/tags/rail%20fares");
  EXPECT_EQ(by_text.status, 301);
  EXPECT_EQ(by_text.header("location"), "/tags/rail-fares");

  auto tag = get(port, "/tags/rail-fares");
  ASSERT_EQ(tag.status, 200);
  EXPECT_NE(tag.body.find("<h1 class=\"listing__title\">rail fares</h1>"), std::string::npos);
  EXPECT_NE(tag.body.find("Fares and tides"), std::string::npos);
  EXPECT_EQ(tag.body.find("A draft about fares"), std::string::npos) << "drafts are nobody's but the desk's";
  EXPECT_NE(
      tag.body.find("<link rel=\"canonical\" href=\"http://127.0.0.1:" + std::to_string(port) + "/tags/rail-fares\">"),
      std::string::npos);
  EXPECT_NE(tag.body.find("<link rel=\"alternate\" type=\"application/rss+xml\" title=\"rail fares | The Tribune\" "
                          "href=\"/tags/rail-fares/feed.xml\">"),
            std::string::npos);
  auto feed = get(port, "/tags/rail-fares/feed.xml");
  ASSERT_EQ(feed.status, 200);
  EXPECT_EQ(feed.header("content-type"), "application/rss+xml; charset=utf-8");
  EXPECT_NE(feed.body.find("Fares and tides"), std::string::npos);
  EXPECT_EQ(feed.body.find("A draft about fares"), std::string::npos);
  EXPECT_EQ(get(port, "/tags/b-bold-b").body.find("<b>bold</b>"), std::string::npos) << "escaped";
  EXPECT_EQ(get(port, "/tags/nobody-uses-this").status, 404);
  EXPECT_EQ(get(port, "/tags/nobody-uses-this/feed.xml").status, 404);

  // Unpublished, the article leaves its tag's page and feed; the tag, now empty, is not found.
  ASSERT_EQ(
      request(port, {"POST", "/api/v1/articles/fares-and-tides/unpublish", {}, {{"Authorization", "Bearer " + token}}})
          .status,
      200);
  EXPECT_EQ(get(port, "/tags/rail-fares").status, 404);
}

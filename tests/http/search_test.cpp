// Readers' search over HTTP: the page (works without JavaScript, errors beside their field, nothing a reader
// typed reaches the page unescaped), the masthead's box on every page, the JSON API, the rate limit, and what
// robots.txt says of result pages. The store's side is the search contract (tests/store/search_contract_test).
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>

#include "test_support.h"

using namespace tribune;
using namespace tribune::testing;
namespace json = boost::json;

namespace {

class Search : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<TestServer>(false);
    token_ = server_->app().tokens().create("desk", "editor").token;
  }
  std::string publish(const std::string& title, const std::string& section, const std::string& body,
                      const std::string& status = "published") {
    json::object o{{"title", title},
                   {"authors", json::array{"Ana Ruiz"}},
                   {"section", section},
                   {"body", body},
                   {"status", status}};
    auto r = request(port(), {"POST",
                              "/api/v1/articles",
                              json::serialize(o),
                              {{"Authorization", "Bearer " + token_}, {"Content-Type", "application/json"}}});
    EXPECT_EQ(r.status, 201) << r.body;
    return std::string(json::parse(r.body).at("slug").as_string());
  }
  uint16_t port() const { return server_->port(); }

  std::unique_ptr<TestServer> server_;
  std::string token_;
};

}  // namespace

TEST_F(Search, TheSearchPageFindsAPieceByABodyWordTypedWithoutItsAccents) {
  publish("A quiet morning", "Opinion", "We met at the little crêperie by the station, *before* the rush.");
  publish("Something else", "Culture", "Nothing to see here.");
  auto page = get(port(), "/search?q=creperie");
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_NE(page.body.find("One piece found for “creperie”."), std::string::npos) << page.body;
  EXPECT_NE(page.body.find(">A quiet morning</a>"), std::string::npos);
  EXPECT_NE(page.body.find("little <mark>crêperie</mark> by the station"), std::string::npos) << page.body;
  EXPECT_EQ(page.body.find("Something else"), std::string::npos);
  EXPECT_NE(page.body.find("<meta name=\"robots\" content=\"noindex\">"), std::string::npos);
  EXPECT_EQ(page.header("cache-control"), "private, no-store");

  // The plain snippet is the same words, punctuation where it was.
  auto api = json::parse(get(port(), "/api/v1/search?q=creperie").body);
  EXPECT_NE(
      std::string(api.at("results").at(0).at("snippet").as_string()).find("little crêperie by the station, before"),
      std::string::npos)
      << api;
  // /search answers the API's JSON to a client that asks for it.
  auto as_json = request(port(), {"GET", "/search?q=creperie", {}, {{"Accept", "application/json"}}});
  EXPECT_EQ(as_json.header("content-type"), "application/json; charset=utf-8");
  EXPECT_EQ(json::parse(as_json.body).at("results").as_array().size(), 1u);
  EXPECT_TRUE(json::parse(as_json.body).at("next_cursor").is_null());

  auto none = get(port(), "/search?q=submarine");
  EXPECT_EQ(none.status, 200);
  EXPECT_NE(none.body.find("Nothing found for “submarine”."), std::string::npos);
  // An empty box is the form alone, no count.
  auto empty = get(port(), "/search");
  EXPECT_EQ(empty.status, 200);
  EXPECT_EQ(empty.body.find("search__count"), std::string::npos);
}

TEST_F(Search, EveryPageHasTheMastheadSearchBoxAndRobotsKeepsCrawlersOffResults) {
  auto slug = publish("Boxed", "Opinion", "Words.");
  auto url = std::string(json::parse(get(port(), "/api/v1/articles/" + slug).body).at("url").as_string());
  for (const std::string& path : {std::string("/"), url, std::string("/opinion"), std::string("/signin")}) {
    auto p = get(port(), path);
    EXPECT_NE(p.body.find("<form class=\"masthead__search\" action=\"/search\" method=\"get\" role=\"search\""),
              std::string::npos)
        << path;
    EXPECT_NE(p.body.find("<label class=\"visually-hidden\" for=\"masthead-q\">"), std::string::npos) << path;
  }
  EXPECT_NE(get(port(), "/robots.txt").body.find("Disallow: /search\n"), std::string::npos);
  // No section can take the page's address.
  auto r = request(port(), {"POST",
                            "/api/v1/articles",
                            R"({"title":"T","authors":["A"],"section":"Search","body":"b"})",
                            {{"Authorization", "Bearer " + token_}, {"Content-Type", "application/json"}}});
  EXPECT_EQ(r.status, 422) << r.body;
}

TEST_F(Search, WhatAReaderTypesIsEscapedAndBadInputIsShownBesideItsField) {
  publish("Script kiddies", "Opinion", "About <script> tags in comments.");
  auto page = get(port(), "/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E%22%3E");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.body.find("<script>alert(1)"), std::string::npos);
  EXPECT_NE(page.body.find("value=\"&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;\""), std::string::npos)
      << page.body;

  auto bad_date = get(port(), "/search?q=script&from=yesterday");
  EXPECT_EQ(bad_date.status, 422);
  EXPECT_NE(bad_date.body.find("role=\"alert\">Give a date as YYYY-MM-DD.</p>"), std::string::npos) << bad_date.body;
  EXPECT_NE(
      bad_date.body.find("id=\"search-from\" type=\"date\" name=\"from\" value=\"yesterday\" aria-invalid=\"true\""),
      std::string::npos)
      << bad_date.body;
  EXPECT_EQ(get(port(), "/search?q=script&page=0").status, 422);
  EXPECT_EQ(get(port(), "/search?q=script&page=51").status, 422);
  EXPECT_EQ(get(port(), "/search?q=" + std::string(201, 'a')).status, 422);
  std::string cyrillic;
  for (int i = 0; i < 150; ++i) cyrillic += "%D0%B6";  // 150 characters, 300 bytes: within the limit
  EXPECT_EQ(get(port(), "/search?q=" + cyrillic).status, 200);
  EXPECT_EQ(get(port(), "/search?q=script&page=11&limit=50").status, 422) << "deeper than 500 results";

  auto api = get(port(), "/api/v1/search?q=script&to=2020-13-40");
  EXPECT_EQ(api.status, 422);
  auto err = json::parse(api.body).at("error").as_object();
  EXPECT_EQ(err.at("code"), "invalid_date");
  EXPECT_EQ(err.at("field"), "to");
}

TEST_F(Search, TheApiPagesFiltersAndLeavesOutDraftsAndScheduledPieces) {
  for (int i = 0; i < 12; ++i) publish("Harbour note " + std::to_string(i), i % 2 ? "Opinion" : "Culture", "Tides.");
  publish("Harbour draft", "Opinion", "Tides.", "draft");
  auto first = json::parse(get(port(), "/api/v1/search?q=harbour").body).as_object();
  EXPECT_EQ(first.at("total").as_int64(), 12);
  EXPECT_EQ(first.at("pages").as_int64(), 2);
  EXPECT_EQ(first.at("results").as_array().size(), 10u);
  auto& hit = first.at("results").as_array().at(0).as_object();
  EXPECT_NE(std::string(hit.at("title_html").as_string()).find("<mark>Harbour</mark> note"), std::string::npos);
  EXPECT_TRUE(hit.at("article").as_object().contains("url"));
  auto second = json::parse(get(port(), "/api/v1/search?q=harbour&page=2").body).as_object();
  EXPECT_EQ(second.at("results").as_array().size(), 2u);
  auto past = json::parse(get(port(), "/api/v1/search?q=harbour&page=5").body).as_object();
  EXPECT_EQ(past.at("results").as_array().size(), 0u);
  EXPECT_EQ(past.at("total").as_int64(), 12) << "past the last page the count still says what there is";
  EXPECT_EQ(get(port(), "/api/v1/search?q=harbour&page=11&limit=50").status, 422) << "deeper than 500 results";
  // The contract's form (docs/api.md): limit and opaque cursors, each result with its article and a snippet.
  std::vector<std::string> seen;
  std::string cursor;
  for (int turn = 0; turn < 10; ++turn) {
    auto r = get(port(), "/api/v1/search?q=harbour&limit=5" + (cursor.empty() ? "" : "&cursor=" + cursor));
    ASSERT_EQ(r.status, 200) << r.body;
    auto v = json::parse(r.body).as_object();
    for (const auto& x : v.at("results").as_array()) {
      seen.emplace_back(x.at("article").at("slug").as_string());
      EXPECT_EQ(x.at("snippet"), "Tides.");
      EXPECT_TRUE(x.at("article").as_object().contains("title"));
    }
    if (v.at("next_cursor").is_null()) break;
    cursor = std::string(v.at("next_cursor").as_string());
  }
  EXPECT_EQ(seen.size(), 12u);
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(std::unique(seen.begin(), seen.end()), seen.end()) << "a piece came twice across pages";
  EXPECT_EQ(get(port(), "/api/v1/search?q=harbour&cursor=bm90LWEtY3Vyc29y").status, 400);
  EXPECT_EQ(get(port(), "/api/v1/search?q=harbour&limit=51").status, 422);
  EXPECT_EQ(get(port(), "/api/v1/search?q=harbour&limit=x").status, 422);
  auto culture = json::parse(get(port(), "/api/v1/search?q=harbour&section=culture").body).as_object();
  EXPECT_EQ(culture.at("total").as_int64(), 6);
  // The page links its next page, the form's choices kept.
  auto page = get(port(), "/search?q=harbour");
  EXPECT_NE(page.body.find("href=\"/search?q=harbour&amp;page=2\" rel=\"next\""), std::string::npos) << page.body;
  auto filtered = get(port(), "/search?q=harbour&section=opinion");
  EXPECT_NE(filtered.body.find("<option value=\"opinion\" selected>"), std::string::npos);
  EXPECT_NE(filtered.body.find("6 pieces found"), std::string::npos);
  // Dates are the publication's days, the last one included.
  auto today = json::parse(get(port(), "/api/v1/articles?limit=1").body).at("articles").at(0).at("published_at");
  std::string day = std::string(today.as_string()).substr(0, 10);
  EXPECT_EQ(json::parse(get(port(), "/api/v1/search?q=harbour&from=" + day + "&to=" + day).body).at("total"), 12);
  EXPECT_EQ(json::parse(get(port(), "/api/v1/search?q=harbour&to=2001-01-01").body).at("total"), 0);
}

TEST_F(Search, SearchesAreRateLimitedPerAddress) {
  publish("Limited", "Opinion", "Words.");
  int ok = 0;
  HttpResult last;
  for (int i = 0; i < 70; ++i) {
    last = get(port(), "/api/v1/search?q=words");
    if (last.status == 200) ++ok;
    if (last.status == 429) break;
  }
  EXPECT_EQ(ok, 60);
  EXPECT_EQ(last.status, 429);
  EXPECT_FALSE(last.header("retry-after").empty());
  auto page = get(port(), "/search?q=words");
  EXPECT_EQ(page.status, 429);
  EXPECT_NE(page.body.find("role=\"alert\""), std::string::npos) << "the page says why, where the reader looks";
  // An empty box is not a search, so it stays open.
  EXPECT_EQ(get(port(), "/search").status, 200);
}

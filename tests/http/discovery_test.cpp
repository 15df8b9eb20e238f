// The ways readers' tools and search engines find pieces: RSS and Atom feeds for the whole publication and for
// each section, author and tag; the sitemap (an index past its per-file limit); the Google News sitemap;
// robots.txt naming them. Each is read back with an XML parser (expat): well-formed, with the elements their
// formats require.
#include <expat.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <vector>

#include "test_support.h"

using namespace tribune;
using namespace tribune::testing;
namespace json = boost::json;

namespace {

constexpr const char* kAtom = "http://www.w3.org/2005/Atom";
constexpr const char* kSitemap = "http://www.sitemaps.org/schemas/sitemap/0.9";
constexpr const char* kNews = "http://www.google.com/schemas/sitemap-news/0.9";

// An element read back: its namespace and name ("ns name"), attributes, text and children.
struct Node {
  std::string name;
  std::map<std::string, std::string> attributes;
  std::string text;
  std::vector<Node> children;
  std::vector<const Node*> all(const std::string& child) const {
    std::vector<const Node*> out;
    for (const auto& c : children)
      if (c.name == child) out.push_back(&c);
    return out;
  }
  const Node& one(const std::string& child) const {
    auto found = all(child);
    if (found.empty()) throw std::runtime_error("no <" + child + "> in <" + name + ">");
    return *found.front();
  }
  bool has(const std::string& child) const { return !all(child).empty(); }
};

// Parses the document; fails the test (and returns an empty node) when it is not well-formed.
Node parse(const std::string& xml) {
  struct State {
    std::vector<Node> stack{Node{}};
  } state;
  XML_Parser p = XML_ParserCreateNS("UTF-8", ' ');
  XML_SetUserData(p, &state);
  XML_SetElementHandler(
      p,
      [](void* data, const XML_Char* name, const XML_Char** attrs) {
        auto* s = static_cast<State*>(data);
        Node n{name, {}, {}, {}};
        for (int i = 0; attrs[i]; i += 2) n.attributes[attrs[i]] = attrs[i + 1];
        s->stack.push_back(std::move(n));
      },
      [](void* data, const XML_Char*) {
        auto* s = static_cast<State*>(data);
        Node done = std::move(s->stack.back());
        s->stack.pop_back();
        s->stack.back().children.push_back(std::move(done));
      });
  XML_SetCharacterDataHandler(p, [](void* data, const XML_Char* text, int len) {
    static_cast<State*>(data)->stack.back().text.append(text, static_cast<size_t>(len));
  });
  bool ok = XML_Parse(p, xml.data(), static_cast<int>(xml.size()), 1) == XML_STATUS_OK;
  EXPECT_TRUE(ok) << XML_ErrorString(XML_GetErrorCode(p)) << " at line " << XML_GetCurrentLineNumber(p);
  XML_ParserFree(p);
  if (!ok || state.stack.front().children.empty()) return {};
  return std::move(state.stack.front().children.front());
}

std::string ns(const char* space, const char* name) {
  return std::string(space) + " " + name;
}

struct Desk {
  uint16_t port;
  std::string token;
  std::string publish(const std::string& title, const std::string& section, const std::string& author,
                      std::vector<std::string> tags, const std::string& published_at = "") {
    json::array t;
    for (auto& x : tags) t.emplace_back(x);
    json::object body{{"title", title},
                      {"authors", json::array{author}},
                      {"section", section},
                      {"tags", t},
                      {"standfirst", "What " + title + " is about."},
                      {"body", "The whole text of " + title + "."}};
    if (!published_at.empty()) body["published_at"] = published_at;
    auto r = request(port, {"POST",
                            "/api/v1/articles",
                            json::serialize(body),
                            {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}}});
    EXPECT_EQ(r.status, 201) << r.body;
    return std::string(json::parse(r.body).at("slug").as_string());
  }
};

}  // namespace

TEST(Discovery, FeedsForTheWholePublicationEachSectionAuthorAndTagInRssAndAtom) {
  TestServer server(false, {}, [](Config& c) { c.site.feed_full_text = true; });
  Desk desk{server.port(), server.app().tokens().create("desk", "editor").token};
  auto a = desk.publish("Rail fares", "Opinion", "Ana Ruiz", {"transport"});
  auto b = desk.publish("Bridge tolls", "Politics", "Bo Li", {"transport", "money"});
  auto c = desk.publish("Opera prices", "Culture", "Ana Ruiz", {"money"});

  auto rss = get(server.port(), "/feed.xml");
  EXPECT_EQ(rss.header("content-type"), "application/rss+xml; charset=utf-8");
  auto doc = parse(rss.body);
  ASSERT_EQ(doc.name, "rss");
  EXPECT_EQ(doc.attributes["version"], "2.0");
  const auto& channel = doc.one("channel");
  for (auto required : {"title", "link", "description"}) EXPECT_TRUE(channel.has(required)) << required;
  auto items = channel.all("item");
  ASSERT_EQ(items.size(), 3u);
  for (const auto* item : items)
    for (auto required : {"title", "link", "guid", "pubDate"}) EXPECT_TRUE(item->has(required)) << required;
  EXPECT_EQ(channel.one(ns(kAtom, "link")).attributes.at("rel"), "self");
  EXPECT_NE(items[0]->one("http://purl.org/rss/1.0/modules/content/ encoded").text.find("The whole text of"),
            std::string::npos)
      << "feed_full_text: the whole article";

  auto section = parse(get(server.port(), "/opinion/feed.xml").body).one("channel");
  ASSERT_EQ(section.all("item").size(), 1u);
  EXPECT_NE(section.all("item")[0]->one("link").text.find(a), std::string::npos);
  EXPECT_NE(section.one(ns(kAtom, "link")).attributes.at("href").find("/opinion/feed.xml"), std::string::npos)
      << "its own address, not the publication's";

  auto author = parse(get(server.port(), "/authors/ana-ruiz/feed.atom").body);
  ASSERT_EQ(author.name, ns(kAtom, "feed"));
  for (auto required : {"id", "title", "updated"}) EXPECT_TRUE(author.has(ns(kAtom, required))) << required;
  auto entries = author.all(ns(kAtom, "entry"));
  ASSERT_EQ(entries.size(), 2u) << "Ana's two pieces";
  for (const auto* e : entries)
    for (auto required : {"id", "title", "updated", "link", "author"})
      EXPECT_TRUE(e->has(ns(kAtom, required))) << required;
  std::vector<std::string> links;
  for (const auto* e : entries) links.push_back(e->one(ns(kAtom, "link")).attributes.at("href"));
  EXPECT_NE(links[0].find(c), std::string::npos) << "newest first";
  EXPECT_NE(links[1].find(a), std::string::npos);

  auto tag = parse(get(server.port(), "/tags/money/feed.atom").body);
  EXPECT_EQ(tag.all(ns(kAtom, "entry")).size(), 2u);
  EXPECT_EQ(parse(get(server.port(), "/feed.atom").body).all(ns(kAtom, "entry")).size(), 3u);
  (void)b;

  // Listings name their feeds for readers and feed readers.
  auto page = get(server.port(), "/politics").body;
  EXPECT_NE(page.find(R"(type="application/rss+xml" title="Politics | )"), std::string::npos);
  EXPECT_NE(page.find(R"(href="/politics/feed.atom")"), std::string::npos);
  EXPECT_NE(get(server.port(), "/authors/bo-li").body.find("/authors/bo-li/feed.xml"), std::string::npos);

  // A renamed section's old feed address leads to the new one; an unknown one is 404.
  auto editor = staff_session(server, "ed@example.org", "Ed Editor", "editor");
  ASSERT_EQ(
      editor.call("PUT", "/api/v1/sections/opinion", R"({"name":"Comment pieces","slug":"comment-pieces"})").status,
      200);
  auto moved = get(server.port(), "/opinion/feed.atom");
  EXPECT_EQ(moved.status, 301);
  EXPECT_EQ(moved.header("location"), "/comment-pieces/feed.atom");
  EXPECT_EQ(get(server.port(), "/no-such-section/feed.xml").status, 404);
}

TEST(Discovery, TheNewsSitemapHoldsTheLastTwoDaysAndRobotsNamesEverySitemap) {
  TestServer server(false);
  Desk desk{server.port(), server.app().tokens().create("desk", "editor").token};
  auto fresh = desk.publish("Fresh piece", "Opinion", "Ana Ruiz", {});
  auto old = desk.publish("Old piece", "Opinion", "Ana Ruiz", {}, "2020-01-02T09:00:00Z");
  auto news = get(server.port(), "/sitemap-news.xml");
  EXPECT_EQ(news.status, 200);
  auto doc = parse(news.body);
  ASSERT_EQ(doc.name, ns(kSitemap, "urlset"));
  auto urls = doc.all(ns(kSitemap, "url"));
  ASSERT_EQ(urls.size(), 1u) << "only the piece from the last 48 hours";
  EXPECT_NE(urls[0]->one(ns(kSitemap, "loc")).text.find(fresh), std::string::npos);
  const auto& n = urls[0]->one(ns(kNews, "news"));
  const auto& pub = n.one(ns(kNews, "publication"));
  EXPECT_EQ(pub.one(ns(kNews, "name")).text, server.app().config().site.name);
  EXPECT_EQ(pub.one(ns(kNews, "language")).text, "en");
  EXPECT_EQ(n.one(ns(kNews, "title")).text, "Fresh piece");
  EXPECT_EQ(n.one(ns(kNews, "publication_date")).text.size(), 20u) << "W3C date-time";
  EXPECT_EQ(news.body.find(old), std::string::npos);

  auto robots = get(server.port(), "/robots.txt").body;
  EXPECT_NE(robots.find("Sitemap: http://127.0.0.1:"), std::string::npos);
  EXPECT_NE(robots.find("/sitemap.xml\n"), std::string::npos);
  EXPECT_NE(robots.find("/sitemap-news.xml\n"), std::string::npos);
}

TEST(Discovery, PastItsPerFileLimitTheSitemapIsAnIndexOfFilesHoldingEveryPieceOnce) {
  TestServer server(false, {}, [](Config& c) { c.site.sitemap_urls_per_file = 2; });
  Desk desk{server.port(), server.app().tokens().create("desk", "editor").token};
  std::vector<std::string> slugs;
  for (int i = 0; i < 5; ++i)
    slugs.push_back(desk.publish("Piece number " + std::to_string(i), "Opinion", "Ana Ruiz", {}));
  auto index = parse(get(server.port(), "/sitemap.xml").body);
  ASSERT_EQ(index.name, ns(kSitemap, "sitemapindex"));
  auto files = index.all(ns(kSitemap, "sitemap"));
  ASSERT_EQ(files.size(), 4u) << "the home page, one section and 5 pieces, 2 a file";
  std::map<std::string, int> seen;
  for (int i = 1; i <= 4; ++i) {
    auto loc = files[static_cast<size_t>(i - 1)]->one(ns(kSitemap, "loc")).text;
    EXPECT_NE(loc.find("/sitemaps/" + std::to_string(i) + ".xml"), std::string::npos);
    auto part = parse(get(server.port(), "/sitemaps/" + std::to_string(i) + ".xml").body);
    ASSERT_EQ(part.name, ns(kSitemap, "urlset"));
    EXPECT_LE(part.all(ns(kSitemap, "url")).size(), 2u) << "no file past its limit";
    for (const auto* u : part.all(ns(kSitemap, "url"))) ++seen[u->one(ns(kSitemap, "loc")).text];
  }
  EXPECT_EQ(seen.size(), 7u) << "every address once";
  for (const auto& slug : slugs) {
    int times = 0;
    for (const auto& [loc, n] : seen)
      if (loc.find(slug) != std::string::npos) times += n;
    EXPECT_EQ(times, 1) << slug;
  }
  EXPECT_EQ(get(server.port(), "/sitemaps/5.xml").status, 404);
  EXPECT_EQ(get(server.port(), "/sitemaps/x.xml").status, 404);
}

// In-process HTTP tests: the real router, pipeline and server on 127.0.0.1:0, the demo publication loaded.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <csignal>
#include <set>
#include <thread>

#include "http/body_file.h"
#include "test_support.h"

using namespace tribune;
using namespace tribune::testing;
namespace json = boost::json;

namespace {

json::value parse(const HttpResult& r) {
  return json::parse(r.body);
}

class HttpTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new TestServer(true); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  uint16_t port() { return server_->port(); }

  json::array articles() {
    auto r = get(port(), "/api/v1/articles?limit=50");
    EXPECT_EQ(r.status, 200);
    return parse(r).at("articles").as_array();
  }
  json::object article_where(const std::function<bool(const json::object&)>& pred) {
    for (auto& a : articles())
      if (pred(a.as_object())) return a.as_object();
    ADD_FAILURE() << "no such demo article";
    return {};
  }
  std::string editor_token() {
    static std::string token = server_->app().tokens().create("tests", "editor").token;
    return token;
  }

  static TestServer* server_;
};

TestServer* HttpTest::server_ = nullptr;

}  // namespace

TEST_F(HttpTest, HomeListsTheDemoPublication) {
  auto r = get(port(), "/");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-type"), "text/html; charset=utf-8");
  for (auto& a : articles()) EXPECT_NE(r.body.find(html_escape(a.at("title").as_string())), std::string::npos);
  EXPECT_EQ(articles().size(), 8u);
}

TEST_F(HttpTest, ArticlePageHasHeadlineBylineDatelineBodyBioAndSyndication) {
  auto a = article_where([](auto& o) { return !o.at("source_name").is_null(); });
  auto r = get(port(), std::string(a.at("url").as_string()));
  ASSERT_EQ(r.status, 200);
  const auto& html = r.body;
  EXPECT_NE(html.find("<h1 class=\"article__headline\">" + html_escape(a.at("title").as_string()) + "</h1>"),
            std::string::npos);
  EXPECT_NE(html.find("Monday 06 July 2009 00:00 BST"), std::string::npos);
  auto author = a.at("authors").at(0).as_object();
  EXPECT_NE(html.find("<a rel=\"author\" href=\"/authors/" + std::string(author.at("slug").as_string()) + "\">"),
            std::string::npos);
  EXPECT_NE(html.find(html_escape(author.at("bio").as_string())), std::string::npos);
  EXPECT_NE(
      html.find("This article first appeared in <a href=\"https://www.newsweek.com/\" rel=\"noopener\">Newsweek</a>"),
      std::string::npos);
  // The source is named by its home page, not the piece: the canonical address is ours (it pointed at
  // Newsweek's home page, telling search engines this piece was a copy of it).
  EXPECT_NE(html.find("<link rel=\"canonical\" href=\"http://127.0.0.1:" + std::to_string(port()) +
                      std::string(a.at("url").as_string()) + "\">"),
            std::string::npos);
  EXPECT_NE(html.find("\"@type\":\"NewsArticle\""), std::string::npos);
  EXPECT_NE(html.find("<meta property=\"og:title\""), std::string::npos);
  EXPECT_NE(html.find("<h2>"), std::string::npos) << "body Markdown rendered";
  EXPECT_NE(html.find("id=\"support\""), std::string::npos);
  EXPECT_NE(html.find("Join the conversation"), std::string::npos);
}

TEST_F(HttpTest, WinterDatelineIsGmtAndOwnArticlesAreCanonical) {
  auto a = article_where([](auto& o) { return o.at("published_at").as_string().starts_with("2010-01"); });
  auto r = get(port(), std::string(a.at("url").as_string()));
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("January 2010 08:30 GMT"), std::string::npos);
  EXPECT_NE(r.body.find("<link rel=\"canonical\" href=\"http://127.0.0.1:" + std::to_string(port()) +
                        std::string(a.at("url").as_string()) + "\">"),
            std::string::npos);
}

TEST_F(HttpTest, ArticleUrlWithWrongDateRedirectsToCanonical) {
  auto a = articles().at(0).as_object();
  std::string slug(a.at("slug").as_string());
  auto r = get(port(), "/" + std::string(a.at("section").at("slug").as_string()) + "/1999/01/01/" + slug);
  EXPECT_EQ(r.status, 301);
  EXPECT_EQ(r.header("location"), std::string(a.at("url").as_string()));
}

TEST_F(HttpTest, SectionAndAuthorPages) {
  auto a = articles().at(0).as_object();
  auto section = get(port(), std::string(a.at("section").at("url").as_string()));
  EXPECT_EQ(section.status, 200);
  EXPECT_NE(section.body.find(html_escape(a.at("title").as_string())), std::string::npos);
  auto author = get(port(), std::string(a.at("authors").at(0).at("url").as_string()));
  EXPECT_EQ(author.status, 200);
  EXPECT_NE(author.body.find(html_escape(a.at("authors").at(0).at("bio").as_string())), std::string::npos);
  auto missing = get(port(), "/no-such-section");
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.body.find("Page not found"), std::string::npos);
  EXPECT_EQ(get(port(), "/authors/nobody").status, 404);
}

TEST_F(HttpTest, CachedPagesRevalidateAndCompress) {
  auto url = std::string(articles().at(0).at("url").as_string());
  auto first = get(port(), url);
  auto etag = first.header("etag");
  ASSERT_FALSE(etag.empty());
  auto again = request(port(), {"GET", url, {}, {{"If-None-Match", etag}}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  auto gz = request(port(), {"GET", url, {}, {{"Accept-Encoding", "gzip"}}});
  EXPECT_EQ(gz.status, 200);
  EXPECT_EQ(gz.header("content-encoding"), "gzip");
  EXPECT_LT(gz.body.size(), first.body.size() / 2);
  EXPECT_EQ(gz.header("etag"), etag);
}

namespace {

// The value of a /metrics line, or -1.
long long metric(uint16_t port, const std::string& name) {
  auto body = get(port, "/metrics").body;
  auto at = body.find("\n" + name + " ");
  return at == std::string::npos ? -1 : std::stoll(body.substr(at + name.size() + 2));
}

}  // namespace

// A page served again is sent from its sealed memory file with sendfile (http/body_file.h). Several responses
// asked for at once on one connection (megabytes) reach a reader with a small window whole (the server finds
// the socket full mid-body and waits for it), byte for byte, each framed by its Content-Length.
TEST(HttpSendfile, ACachedPageSentFromItsMemoryFileArrivesWholeToASlowReader) {
  TestServer server(true);
  auto port = [&] { return server.port(); };
  // A long piece: its page is well past BodyFile::kMinSize and past what the sockets' buffers hold at once.
  std::string paragraphs;
  for (int i = 0; i < 1500; ++i)
    paragraphs += "Paragraph " + std::to_string(i) + " of a long argument, made at length.\\n\\n";
  auto created = request(
      port(), {"POST",
               "/api/v1/articles",
               R"({"title":"A long argument","authors":["A"],"section":"Opinion","body":")" + paragraphs + R"("})",
               {{"Content-Type", "application/json"},
                {"Authorization", "Bearer " + server.app().tokens().create("t", "editor").token}}});
  ASSERT_EQ(created.status, 201) << created.body;
  auto url = std::string(json::parse(created.body).at("url").as_string());
  auto page = get(port(), url);
  ASSERT_EQ(page.status, 200);
  ASSERT_GE(page.body.size(), 4 * BodyFile::kMinSize);
  auto sent_before = metric(port(), "tribune_http_sendfile_responses_total");
  ASSERT_GE(sent_before, 0);

  int fd = connect_loopback(port(), 16 * 1024);  // a small window
  std::string ask = "GET " + url + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  // More than a socket's send buffer may ever hold (tcp_wmem's largest, 4 MB) and the reader's window.
  constexpr size_t kAsks = 64;
  std::string asks;
  for (size_t i = 0; i < kAsks; ++i) asks += ask;
  ASSERT_EQ(::send(fd, asks.data(), asks.size(), MSG_NOSIGNAL), static_cast<ssize_t>(asks.size()));
  timeval patience{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &patience, sizeof patience);  // a hang fails, not blocks
  std::this_thread::sleep_for(std::chrono::milliseconds(200));            // the server fills what it can, then waits
  std::string got;
  std::vector<std::string> bodies;
  std::vector<char> buffer(64 * 1024);
  char* chunk = buffer.data();
  size_t chunk_size = buffer.size();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (bodies.size() < kAsks && std::chrono::steady_clock::now() < deadline) {
    ssize_t n = ::recv(fd, chunk, chunk_size, 0);
    ASSERT_GT(n, 0) << "the server closed the connection after " << bodies.size() << " responses";
    got.append(chunk, static_cast<size_t>(n));
    for (;;) {
      auto end = got.find("\r\n\r\n");
      if (end == std::string::npos) break;
      auto head = got.substr(0, end);
      ASSERT_TRUE(head.starts_with("HTTP/1.1 200")) << head;
      auto cl = head.find("Content-Length: ");
      ASSERT_NE(cl, std::string::npos) << head;
      size_t length = std::stoul(head.substr(cl + 16));
      if (got.size() < end + 4 + length) break;
      bodies.push_back(got.substr(end + 4, length));
      got.erase(0, end + 4 + length);
    }
  }
  ::close(fd);
  ASSERT_EQ(bodies.size(), kAsks);
  for (const auto& body : bodies) EXPECT_TRUE(body == page.body) << "a body differs from the page";
  EXPECT_TRUE(got.empty()) << "bytes past the last response";
  // Counted once each send has returned, which may be a moment after its last bytes arrived here. Most, not
  // all: a page re-rendered meanwhile (a slow run meets the background thread's refreshes) is sent from memory
  // on its first serve.
  auto counted = [&] {
    return metric(port(), "tribune_http_sendfile_responses_total") >= sent_before + static_cast<long long>(kAsks / 2);
  };
  for (int i = 0; i < 100 && !counted(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_TRUE(counted()) << "the responses were not sent from the file";
  EXPECT_GT(metric(port(), "tribune_page_cache_files"), 0);
  // HEAD: the length, no body (sent from memory, not the file).
  auto head = raw_request(port(), "HEAD " + url + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.header("content-length"), std::to_string(page.body.size()));
  EXPECT_TRUE(head.body.empty());

  // Readers who go away mid-body (closing, or resetting, with megabytes still to come): sendfile then meets a
  // closed socket, which must be an error for that connection (EPIPE), not a SIGPIPE that ends the process.
  struct sigaction pipe {};
  ::sigaction(SIGPIPE, nullptr, &pipe);
  EXPECT_EQ(pipe.sa_handler, SIG_IGN) << "a server ignores SIGPIPE";
  for (int i = 0; i < 16; ++i) {
    int gone = connect_loopback(port());
    ASSERT_EQ(::send(gone, asks.data(), asks.size(), MSG_NOSIGNAL), static_cast<ssize_t>(asks.size()));
    ASSERT_GT(::recv(gone, chunk, 1024, 0), 0);
    if (i % 2 == 1) {
      linger reset{1, 0};
      ::setsockopt(gone, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    }
    ::close(gone);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  auto after = get(port(), url);
  EXPECT_EQ(after.status, 200);
  EXPECT_TRUE(after.body == page.body);
}

TEST_F(HttpTest, EveryResponseCarriesSecurityHeaders) {
  for (std::string target : {"/", "/api/v1/articles", "/nothing/here/at/all", "/api/v1/nope"}) {
    auto r = get(port(), target);
    EXPECT_NE(r.header("content-security-policy").find("frame-ancestors 'none'"), std::string::npos) << target;
    EXPECT_EQ(r.header("content-security-policy").find("unsafe-inline"), std::string::npos) << target;
    EXPECT_EQ(r.header("x-content-type-options"), "nosniff") << target;
    EXPECT_FALSE(r.header("referrer-policy").empty()) << target;
  }
}

TEST_F(HttpTest, FeedSitemapHealthAndMetrics) {
  auto feed = get(port(), "/feed.xml");
  EXPECT_EQ(feed.status, 200);
  EXPECT_NE(feed.header("content-type").find("rss+xml"), std::string::npos);
  EXPECT_EQ(std::count_if(feed.body.begin(), feed.body.end(), [](char) { return false; }), 0);
  size_t items = 0;
  for (size_t p = 0; (p = feed.body.find("<item>", p)) != std::string::npos; ++p) ++items;
  EXPECT_EQ(items, 8u);
  auto sitemap = get(port(), "/sitemap.xml");
  EXPECT_EQ(sitemap.status, 200);
  EXPECT_NE(sitemap.body.find("<urlset"), std::string::npos);
  EXPECT_NE(sitemap.body.find("in-praise-of-the-boring-bank"), std::string::npos)
      << "a syndicated piece whose source names no page of its own is canonical here";
  // No demo article claims a change since it appeared (all claimed the day the demo was loaded).
  for (auto& v : articles()) {
    const auto& a = v.as_object();
    EXPECT_EQ(a.at("updated_at"), a.at("published_at")) << a.at("slug");
  }
  EXPECT_NE(sitemap.body.find("<lastmod>2010-01-18T08:30:00Z</lastmod>"), std::string::npos);
  auto health = get(port(), "/healthz");
  EXPECT_EQ(health.status, 200);
  auto metrics = get(port(), "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("tribune_http_requests_total{class=\"2xx\"}"), std::string::npos);
  EXPECT_NE(metrics.body.find("tribune_articles 8"), std::string::npos);
}

TEST_F(HttpTest, ApiPaginatesWithCursors) {
  std::set<std::string> slugs;
  std::string target = "/api/v1/articles?limit=3";
  int pages = 0;
  for (; pages < 10; ++pages) {
    auto r = get(port(), target);
    ASSERT_EQ(r.status, 200);
    auto v = parse(r);
    for (auto& a : v.at("articles").as_array()) slugs.insert(std::string(a.at("slug").as_string()));
    if (v.at("next_cursor").is_null()) break;
    target = "/api/v1/articles?limit=3&cursor=" + std::string(v.at("next_cursor").as_string());
  }
  EXPECT_EQ(pages, 2);
  EXPECT_EQ(slugs.size(), 8u);
}

TEST_F(HttpTest, ApiArticleHasContractFields) {
  auto slug = std::string(articles().at(0).at("slug").as_string());
  auto r = get(port(), "/api/v1/articles/" + slug);
  ASSERT_EQ(r.status, 200);
  auto a = parse(r).as_object();
  for (auto key : {"id", "slug", "url", "title", "standfirst", "authors", "section", "tags", "published_at",
                   "source_name", "source_url", "comment_count", "comments_open"})
    EXPECT_TRUE(a.contains(key)) << key;
  EXPECT_TRUE(a.at("comments_open").as_bool()) << "the newest demo article is open for comments";
}

TEST_F(HttpTest, ApiRejectsBadParameters) {
  for (std::string limit : {"0", "-1", "abc", "100000", "1e3", "99999999999999999999"}) {
    auto r = get(port(), "/api/v1/articles?limit=" + limit);
    EXPECT_EQ(r.status, 400) << limit;
    EXPECT_EQ(error_code(r), "invalid_limit") << limit;
  }
  auto r = get(port(), "/api/v1/articles?cursor=not-a-cursor!");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(error_code(r), "invalid_cursor");
  r = get(port(), "/api/v1/articles/Not_A_Slug");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(error_code(r), "not_found");
  r = get(port(), "/api/v1/no-such-thing");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(error_code(r), "not_found");
  EXPECT_EQ(r.header("content-type"), "application/json; charset=utf-8");
}

TEST_F(HttpTest, WrongMethodIs405WithAllow) {
  auto r = request(port(), {"DELETE", "/api/v1/articles", {}, {}});
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.header("allow"), "GET, HEAD, POST");
  EXPECT_EQ(error_code(r), "method_not_allowed");
  auto page = request(port(), {"POST", "/feed.xml", "x", {}});
  EXPECT_EQ(page.status, 405);
}

TEST_F(HttpTest, HeadHasHeadersButNoBody) {
  auto full = get(port(), "/");
  auto head = request(port(), {"HEAD", "/", {}, {}});
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.header("content-length"), std::to_string(full.body.size()));
}

TEST_F(HttpTest, MalformedTransportInputGetsClearErrors) {
  auto big_header =
      raw_request(port(), "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20 * 1024, 'a') + "\r\n\r\n");
  EXPECT_EQ(big_header.status, 431);
  auto big_body = raw_request(port(),
                              "POST /api/v1/articles HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                              "Content-Length: 5000000\r\n\r\n{");
  EXPECT_EQ(big_body.status, 413);
  EXPECT_EQ(error_code(big_body), "payload_too_large");
  auto garbage = raw_request(port(), "NOT HTTP AT ALL\r\n\r\n");
  EXPECT_EQ(garbage.status, 400);
  for (std::string target : {"/../../etc/passwd", "/a/%2e%2e/b", "/x%00y", "/%ff%fe", "/api/v1/articles/%00"}) {
    auto r = get(port(), target);
    EXPECT_EQ(r.status, 400) << target;
  }
  auto bad_query = get(port(), "/api/v1/articles?tag=%ff");
  EXPECT_EQ(bad_query.status, 400);
  EXPECT_EQ(error_code(bad_query), "invalid_query");
  // The server is still healthy after all of that.
  EXPECT_EQ(get(port(), "/healthz").status, 200);
}

TEST_F(HttpTest, PublishingNeedsAnEditorToken) {
  std::string body = R"({"title":"T","authors":["A"],"section":"Opinion","body":"b"})";
  auto r = request(port(), {"POST", "/api/v1/articles", body, {{"Content-Type", "application/json"}}});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(error_code(r), "unauthenticated");
  r = request(port(), {"POST",
                       "/api/v1/articles",
                       body,
                       {{"Content-Type", "application/json"}, {"Authorization", "Bearer trb_forged"}}});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(error_code(r), "invalid_token");
  auto moderator = server_->app().tokens().create("mod", "moderator").token;
  r = request(port(), {"POST",
                       "/api/v1/articles",
                       body,
                       {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + moderator}}});
  EXPECT_EQ(r.status, 403);
}

TEST_F(HttpTest, PublishingValidatesTheBody) {
  auto post = [&](const std::string& body, const std::string& type = "application/json") {
    return request(
        port(),
        {"POST", "/api/v1/articles", body, {{"Content-Type", type}, {"Authorization", "Bearer " + editor_token()}}});
  };
  EXPECT_EQ(post("{}", "text/plain").status, 415);
  auto r = post("{\"title\": ");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(error_code(r), "invalid_json");
  r = post("[1,2]");
  EXPECT_EQ(r.status, 400);
  r = post(R"({"authors":["A"],"section":"Opinion","body":"b"})");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(parse(r).at("error").at("field").as_string(), "title");
  r = post(R"({"title":"T","authors":["A"],"section":"Opinion","body":"b","colour":"red"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(parse(r).at("error").at("field").as_string(), "colour");
  r = post(R"({"title":"T","authors":[1],"section":"Opinion","body":"b"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(parse(r).at("error").at("field").as_string(), "authors");
  r = post(R"({"title":"T","authors":["A"],"section":"Opinion","body":"b","slug":"../../x"})");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(error_code(r), "invalid_slug");
  r = post("{\"title\":\"T\\u0000\",\"authors\":[\"A\"],\"section\":\"Opinion\",\"body\":\"b\"}");
  EXPECT_EQ(r.status, 422);
  r = post("{\"title\":\"\xff\"}");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(error_code(r), "invalid_utf8");
  EXPECT_EQ(articles().size() >= 8u, true);
  EXPECT_EQ(get(port(), "/api/v1/articles/t").status, 404) << "no failed request left an article behind";
}

TEST_F(HttpTest, PublishedArticleAppearsEverywhereAtOnce) {
  auto home_before = get(port(), "/");
  std::string body = R"({"title":"A fresh argument","slug":"a-fresh-argument","authors":["New Writer"],
    "author_bio":"New Writer is a test.","section":"Opinion","tags":["tests"],"body":"Hello *world*.\n\n<script>x</script>"})";
  auto r = request(port(), {"POST",
                            "/api/v1/articles",
                            body,
                            {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + editor_token()}}});
  ASSERT_EQ(r.status, 201) << r.body;
  auto created = parse(r).as_object();
  EXPECT_EQ(created.at("slug").as_string(), "a-fresh-argument");
  EXPECT_EQ(created.at("body_html").as_string().find("<script>"), std::string::npos);
  auto page = get(port(), std::string(created.at("url").as_string()));
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("<em>world</em>"), std::string::npos);
  EXPECT_NE(get(port(), "/").body.find("A fresh argument"), std::string::npos) << "home page cache refreshed";
  EXPECT_NE(get(port(), "/feed.xml").body.find("A fresh argument"), std::string::npos);
  auto dup = request(port(), {"POST",
                              "/api/v1/articles",
                              body,
                              {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + editor_token()}}});
  EXPECT_EQ(dup.status, 409);
  EXPECT_EQ(error_code(dup), "slug_taken");
}

// Regression: an update without published_at moved a 2009 piece to today (new URL, lead story, new feed entry).
TEST_F(HttpTest, CorrectingAnArticleKeepsItsDateAndUrl) {
  auto send = [&](const std::string& verb, const std::string& path, const std::string& body) {
    return request(
        port(),
        {verb, path, body, {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + editor_token()}}});
  };
  std::string fields = R"("title":"The corrected column","authors":["Ed Itor"],"section":"Opinion","tags":["b","a"])";
  auto created =
      send("POST", "/api/v1/articles",
           "{" + fields + R"(,"slug":"corrected-column","published_at":"2009-07-07T09:00:00Z","body":"First.")" + "}");
  ASSERT_EQ(created.status, 201) << created.body;
  auto first = parse(created).as_object();
  EXPECT_EQ(first.at("updated_at"), first.at("published_at")) << "a new article has not changed since it appeared";
  std::string url(first.at("url").as_string());
  auto before = get(port(), url);
  EXPECT_EQ(before.body.find("article__updated"), std::string::npos);

  // The same content again is no change: nothing claims an update.
  auto same = send("PUT", "/api/v1/articles/corrected-column", "{" + fields + R"(,"body":"First.")" + "}");
  ASSERT_EQ(same.status, 200) << same.body;
  EXPECT_EQ(parse(same).at("updated_at"), first.at("published_at"));

  auto corrected =
      send("PUT", "/api/v1/articles/corrected-column",
           "{" + fields + R"(,"body":"Second.","correction":"An earlier version misnamed the bank.")" + "}");
  ASSERT_EQ(corrected.status, 200) << corrected.body;
  auto after = parse(corrected).as_object();
  EXPECT_EQ(after.at("published_at").as_string(), "2009-07-07T09:00:00Z");
  EXPECT_EQ(after.at("url"), first.at("url")) << "the URL holds the publication date";
  EXPECT_GT(after.at("updated_at").as_string(), after.at("published_at").as_string());
  EXPECT_EQ(after.at("correction").as_string(), "An earlier version misnamed the bank.");

  auto page = get(port(), url);
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("Tuesday 07 July 2009 10:00 BST"), std::string::npos) << "dateline unchanged";
  EXPECT_NE(page.body.find("<span class=\"article__updated\">Updated <time datetime=\"" +
                           std::string(after.at("updated_at").as_string()) + "\">"),
            std::string::npos);
  EXPECT_NE(page.body.find("<strong>Correction:</strong> An earlier version misnamed the bank."), std::string::npos);
  EXPECT_NE(page.body.find("\"dateModified\":\"" + std::string(after.at("updated_at").as_string()) + "\""),
            std::string::npos);
  EXPECT_NE(page.body.find("\"datePublished\":\"2009-07-07T09:00:00Z\""), std::string::npos);
  // Not the lead story, and the feed keeps its 2009 date.
  EXPECT_NE(articles().at(0).at("slug"), "corrected-column");
  auto feed = get(port(), "/feed.xml").body;
  size_t item = feed.find("corrected-column");
  ASSERT_NE(item, std::string::npos);
  EXPECT_EQ(feed.find("<pubDate>", item), feed.find("<pubDate>Tue, 07 Jul 2009 09:00:00", item));
  EXPECT_NE(get(port(), "/sitemap.xml").body.find("<lastmod>" + std::string(after.at("updated_at").as_string())),
            std::string::npos);

  // A source that names the piece itself is the canonical address, and the sitemap leaves the copy out.
  auto syndicated = send(
      "PUT", "/api/v1/articles/corrected-column",
      "{" + fields +
          R"(,"body":"Second.","source_name":"The Ledger","source_url":"https://ledger.example/2009/07/bank")" + "}");
  ASSERT_EQ(syndicated.status, 200) << syndicated.body;
  EXPECT_NE(get(port(), url).body.find("<link rel=\"canonical\" href=\"https://ledger.example/2009/07/bank\">"),
            std::string::npos);
  EXPECT_EQ(get(port(), "/sitemap.xml").body.find("corrected-column"), std::string::npos);
}

TEST_F(HttpTest, ScheduledArticleAppearsAtItsTime) {
  auto when = format_rfc3339(now_seconds() + std::chrono::seconds(2));
  std::string body =
      R"({"title":"Embargoed","slug":"embargoed","authors":["A"],"section":"Opinion","body":"b","published_at":")" +
      when + "\"}";
  auto r = request(port(), {"POST",
                            "/api/v1/articles",
                            body,
                            {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + editor_token()}}});
  ASSERT_EQ(r.status, 201) << r.body;
  std::string url(parse(r).at("url").as_string());
  EXPECT_EQ(get(port(), "/api/v1/articles/embargoed").status, 404);
  EXPECT_EQ(get(port(), url).status, 404);
  EXPECT_EQ(get(port(), "/").body.find("Embargoed"), std::string::npos);
  std::this_thread::sleep_for(std::chrono::milliseconds(3200));  // the due time plus one scheduler tick
  EXPECT_EQ(get(port(), "/api/v1/articles/embargoed").status, 200);
  EXPECT_EQ(get(port(), url).status, 200);
  EXPECT_NE(get(port(), "/").body.find("Embargoed"), std::string::npos);
}

TEST(HttpRestart, ScheduledArticleSurvivesRestart) {
  TempDir dir;
  std::string url;
  {
    TestServer first(false, dir.path());
    auto token = first.app().tokens().create("t", "editor").token;
    auto when = format_rfc3339(now_seconds() + std::chrono::seconds(2));
    std::string body =
        R"({"title":"Later","authors":["A"],"section":"Opinion","body":"b","published_at":")" + when + "\"}";
    auto r = request(first.port(), {"POST",
                                    "/api/v1/articles",
                                    body,
                                    {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token}}});
    ASSERT_EQ(r.status, 201);
    url = std::string(json::parse(r.body).at("url").as_string());
  }
  TestServer second(false, dir.path());
  EXPECT_EQ(get(second.port(), url).status, 404);
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  EXPECT_EQ(get(second.port(), url).status, 200);
}

TEST_F(HttpTest, RobotsDescriptionsAndTheFooterHelpReadersAndSearchEngines) {
  auto robots = get(port(), "/robots.txt");
  EXPECT_EQ(robots.status, 200);
  EXPECT_NE(robots.body.find("Sitemap: http://127.0.0.1:" + std::to_string(port()) + "/sitemap.xml"),
            std::string::npos);
  EXPECT_NE(robots.body.find("Disallow: /account"), std::string::npos);
  auto register_page = get(port(), "/register?return_to=/opinion").body;
  EXPECT_NE(register_page.find("<meta name=\"description\" content=\"Register with"), std::string::npos);
  // Registration is for search engines to find (one address, whatever the return_to); signing in is not.
  EXPECT_EQ(register_page.find("noindex"), std::string::npos);
  EXPECT_NE(
      register_page.find("<link rel=\"canonical\" href=\"http://127.0.0.1:" + std::to_string(port()) + "/register\">"),
      std::string::npos);
  EXPECT_EQ(robots.body.find("Disallow: /register"), std::string::npos);
  EXPECT_NE(robots.body.find("Disallow: /signin"), std::string::npos);
  EXPECT_NE(get(port(), "/signin").body.find("noindex"), std::string::npos);
  auto support = get(port(), "/support").body;
  EXPECT_NE(support.find("<meta name=\"description\" content=\"Support"), std::string::npos);
  EXPECT_NE(get(port(), "/").body.find("<a href=\"/support\">Support"), std::string::npos) << "the footer links it";
  EXPECT_EQ(get(port(), "/").body.find("og:image"), std::string::npos) << "no image configured, none claimed";
}

TEST(HttpSite, AConfiguredDefaultImageIsEveryPagesOgImage) {
  TestServer server(true, {}, [](Config& c) { c.site.image = "/assets/favicon.svg"; });
  auto home = get(server.port(), "/").body;
  EXPECT_NE(home.find("<meta property=\"og:image\" content=\"http://127.0.0.1:"), std::string::npos);
}

TEST_F(HttpTest, AnArticleOffersASkipLinkToItsConversation) {
  auto a = articles().at(0).as_object();
  auto page = get(port(), std::string(a.at("url").as_string())).body;
  size_t skip = page.find("<a class=\"skip-link\" href=\"#comments\">Skip to the conversation</a>");
  ASSERT_NE(skip, std::string::npos);
  EXPECT_LT(skip, page.find("masthead__brand")) << "among the first stops of the keyboard";
  EXPECT_NE(page.find("id=\"comments\""), std::string::npos);
  EXPECT_EQ(get(port(), "/").body.find("Skip to the conversation"), std::string::npos);
}

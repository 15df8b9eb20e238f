// The newsroom dashboard over HTTP (docs/dashboard.md): which requests are page views (cached or not; not
// bots, prefetches, HEAD or a conversation's further pages), that nothing identifying a reader is written,
// that a failed flush loses nothing, who sees which figures, the period's errors beside their field, the CSV
// tables, and the live stream that tells open dashboards a comment arrived. Two nodes adding up are in
// two_nodes_test.cpp; the store's side is tests/store/analytics_contract_test.cpp.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/faulty_store.h"
#include "test_support.h"

using namespace tribune;
using namespace tribune::testing;
namespace json = boost::json;

namespace {

constexpr const char* kBrowser =
    "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0 Zq9TestBrowser";

class NewsroomDashboard : public ::testing::Test {
 protected:
  void SetUp() override {
    // Flushes only when a test asks (the background's would race its counts); the proxy is trusted so that
    // X-Forwarded-For is the reader's address.
    auto tweak = [](Config& c) {
      c.analytics.flush_every = std::chrono::seconds(300);
      c.pipeline.trusted_proxies = {"127.0.0.1"};
    };
    server_ = std::make_unique<TestServer>(true, std::string(), tweak, [this](std::unique_ptr<Store> engine) {
      auto wrapped = std::make_unique<FaultyStore>(std::move(engine));
      faults_ = wrapped.get();
      return std::unique_ptr<Store>(std::move(wrapped));
    });
    auto v = json::parse(get(port(), "/api/v1/articles?limit=2").body);
    url_ = std::string(v.at("articles").at(0).at("url").as_string());
    slug_ = std::string(v.at("articles").at(0).at("slug").as_string());
    other_url_ = std::string(v.at("articles").at(1).at("url").as_string());
  }
  uint16_t port() const { return server_->port(); }
  HttpResult view(const std::string& target, std::map<std::string, std::string> headers = {},
                  const std::string& method = "GET") {
    if (!headers.contains("User-Agent")) headers["User-Agent"] = kBrowser;
    return request(port(), {method, target, {}, headers});
  }
  json::value dashboard(Reader& who, const std::string& query = "period=7d") {
    auto r = who.call("GET", "/api/v1/desk/dashboard?" + query);
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body);
  }

  FaultyStore* faults_ = nullptr;
  std::unique_ptr<TestServer> server_;
  std::string url_, slug_, other_url_;
};

int64_t views_of(const json::value& d, const std::string& slug) {
  for (const auto& s : d.at("stories").as_array())
    if (s.at("slug").as_string() == slug) return s.at("views").as_int64();
  return 0;
}

}  // namespace

TEST_F(NewsroomDashboard, ArticlePageViewsAreCountedCachedOrNotAndAutomatedOrRepeatRequestsAreNot) {
  auto editor = staff_session(*server_, "editor.dash@example.org", "Editor Dash", "editor");
  std::string etag;
  for (int i = 0; i < 5; ++i) {  // the first renders, the rest come from the page cache
    auto r = view(url_, {{"Referer", "https://www.example.net/some/page?private=1"}});
    ASSERT_EQ(r.status, 200);
    etag = r.header("etag");
  }
  EXPECT_EQ(view(url_, {{"If-None-Match", etag}}).status, 304);  // a reload the browser had: still a view
  EXPECT_EQ(view(other_url_).status, 200);
  // Not views:
  EXPECT_EQ(view(url_, {{"User-Agent", "Mozilla/5.0 (compatible; Googlebot/2.1)"}}).status, 200);
  EXPECT_EQ(view(url_, {{"User-Agent", ""}}).status, 200);
  EXPECT_EQ(view(url_, {{"Sec-Purpose", "prefetch"}}).status, 200);
  EXPECT_EQ(view(url_, {}, "HEAD").status, 200);
  view(url_ + "?cursor=bogus");                    // a conversation's further page (or a bad one)
  EXPECT_EQ(view(url_ + "-nothing").status, 404);  // no such piece
  view("/");                                       // not an article
  server_->app().flush_views();

  auto d = dashboard(editor);
  EXPECT_EQ(d.at("totals").at("views").as_int64(), 7) << d;
  EXPECT_EQ(views_of(d, slug_), 6) << d;
  EXPECT_EQ(d.at("totals").at("visitors").as_int64(), 1) << "one address and browser: one visitor";
  ASSERT_EQ(d.at("referrers").as_array().size(), 1u) << d;
  EXPECT_EQ(d.at("referrers").at(0).at("domain").as_string(), "example.net") << "the site only, never the page";
  EXPECT_EQ(d.at("referrers").at(0).at("views").as_int64(), 5);
  // Flushed once: a second flush adds nothing.
  server_->app().flush_views();
  EXPECT_EQ(dashboard(editor).at("totals").at("views").as_int64(), 7);
}

TEST_F(NewsroomDashboard, NothingThatIdentifiesAReaderIsWritten) {
  if (server_->uses_postgres()) GTEST_SKIP() << "reads the SQLite files";
  for (int i = 0; i < 20; ++i)
    view(url_, {{"Referer", "https://search.example/q?name=Jane+Reader-Secret"}, {"X-Forwarded-For", "203.0.113.77"}});
  server_->app().flush_views();
  // Every byte the store holds, the write-ahead log included: no user agent, no address, no referring page.
  std::string bytes;
  for (const auto& f : std::filesystem::directory_iterator(server_->data_dir())) {
    std::ifstream in(f.path(), std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    bytes += s.str();
  }
  EXPECT_EQ(bytes.find("Zq9TestBrowser"), std::string::npos);
  EXPECT_EQ(bytes.find("Jane+Reader-Secret"), std::string::npos);
  EXPECT_EQ(bytes.find("203.0.113.77"), std::string::npos);
  EXPECT_NE(bytes.find("search.example"), std::string::npos) << "the referring site is kept";
}

TEST_F(NewsroomDashboard, AFlushTheStoreRefusesLosesNoViewAndDoublesNone) {
  auto editor = staff_session(*server_, "editor.flush@example.org", "Editor Flush", "editor");
  for (int i = 0; i < 4; ++i) view(url_);
  faults_->inject({StoreRole::analytics, "record_traffic"});
  EXPECT_THROW(server_->app().flush_views(), Error);
  for (int i = 0; i < 3; ++i) view(url_);
  server_->app().flush_views();
  EXPECT_EQ(views_of(dashboard(editor), slug_), 7);
  // A failure after the store wrote (the acknowledgement lost) is the one case that may count twice: views are
  // counted, not ledgered. The failure before writing is the common one (store down) and loses nothing.
}

TEST_F(NewsroomDashboard, EditorsSeeEverythingModeratorsTheConversationAndReadersNothing) {
  auto editor = staff_session(*server_, "editor.who@example.org", "Editor Who", "editor");
  auto mod = staff_session(*server_, "mod.who@example.org", "Mod Who", "moderator");
  auto reader = register_reader(port(), "reader.who@example.org", "Reader Who");

  auto page = editor.call("GET", "/desk/dashboard");
  ASSERT_EQ(page.status, 200) << page.body;
  for (auto text : {"data-figure=\"views\"", "Visitors (estimate)", "One-off contributions", "Top stories",
                    "Where readers came from", "How these numbers are made", "Last 7 days"})
    EXPECT_NE(page.body.find(text), std::string::npos) << text;
  EXPECT_NE(page.body.find("role=\"img\""), std::string::npos) << "charts are images with a name";
  EXPECT_NE(page.body.find("as a table</summary>"), std::string::npos) << "a table behind each chart";
  EXPECT_EQ(page.header("cache-control").find("public"), std::string::npos);

  auto limited = mod.call("GET", "/desk/dashboard");
  ASSERT_EQ(limited.status, 200);
  EXPECT_NE(limited.body.find("Moderation decisions"), std::string::npos);
  EXPECT_NE(limited.body.find("Comments"), std::string::npos);
  for (auto text : {"data-figure=\"views\"", "data-figure=\"once\"", "id=\"chart-views-title\"", "Top stories",
                    "Where readers came from"})
    EXPECT_EQ(limited.body.find(text), std::string::npos) << text;
  auto api = dashboard(mod);
  EXPECT_FALSE(api.at("totals").as_object().contains("views"));
  EXPECT_FALSE(api.as_object().contains("stories"));
  EXPECT_EQ(mod.call("GET", "/desk/dashboard.csv?table=stories").status, 403);
  EXPECT_EQ(mod.call("GET", "/desk/dashboard.csv?table=totals").status, 200);

  EXPECT_EQ(reader.call("GET", "/desk/dashboard").status, 403);
  EXPECT_EQ(reader.call("GET", "/api/v1/desk/dashboard").status, 403);
  EXPECT_EQ(get(port(), "/api/v1/desk/dashboard").status, 401);
  auto anonymous = get(port(), "/desk/dashboard");
  EXPECT_EQ(anonymous.status, 303);
  EXPECT_NE(anonymous.header("location").find("/signin"), std::string::npos);
}

TEST_F(NewsroomDashboard, PeriodsComparisonsErrorsAndCsvTables) {
  auto editor = staff_session(*server_, "editor.period@example.org", "Editor Period", "editor");
  for (int i = 0; i < 3; ++i) view(url_, {{"Referer", "https://elsewhere.example/"}});
  server_->app().flush_views();
  for (auto period : {"today", "7d", "30d"}) {
    auto d = dashboard(editor, std::string("period=") + period);
    EXPECT_EQ(d.at("totals").at("views").as_int64(), 3) << period;
    EXPECT_EQ(d.at("previous").at("views").as_int64(), 0) << period;
    EXPECT_EQ(d.at("bucket_seconds").as_int64(), std::string_view(period) == "30d" ? 86400 : 3600) << period;
  }
  auto today = dashboard(editor, "period=7d");
  int64_t in_series = 0;
  for (const auto& b : today.at("series").as_array()) in_series += b.at("views").as_int64();
  EXPECT_EQ(in_series, 3);

  // A custom period of past days holds none of today's views; a bad one is refused beside its field.
  auto past = dashboard(editor, "period=custom&from=2026-01-01&to=2026-01-31");
  EXPECT_EQ(past.at("totals").at("views").as_int64(), 0);
  EXPECT_EQ(past.at("series").as_array().size(), 31u);
  auto bad = editor.call("GET", "/api/v1/desk/dashboard?period=custom&from=2026-02-30&to=2026-03-01");
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(error_code(bad), "invalid_date");
  EXPECT_EQ(error_code(editor.call("GET", "/api/v1/desk/dashboard?period=forever")), "invalid_period");
  EXPECT_EQ(error_code(editor.call("GET", "/api/v1/desk/dashboard?period=custom&from=2026-03-01&to=2026-02-01")),
            "invalid_period");
  EXPECT_EQ(error_code(editor.call("GET", "/api/v1/desk/dashboard?period=custom&from=2020-01-01&to=2026-01-01")),
            "invalid_period");
  auto page = editor.call("GET", "/desk/dashboard?period=custom&from=2026-13-01&to=2026-01-01");
  EXPECT_EQ(page.status, 422);
  EXPECT_NE(
      page.body.find("id=\"dashboard-from\" type=\"date\" name=\"from\" value=\"2026-13-01\" aria-invalid=\"true\""),
      std::string::npos)
      << "the error is beside the field that caused it";
  EXPECT_NE(page.body.find("role=\"alert\">Give a date as YYYY-MM-DD."), std::string::npos);

  auto stories = editor.call("GET", "/desk/dashboard.csv?table=stories&period=7d");
  ASSERT_EQ(stories.status, 200);
  EXPECT_EQ(stories.header("content-type"), "text/csv; charset=utf-8");
  EXPECT_TRUE(stories.body.starts_with("title,url,views,comments,contributions,amount_minor,"));
  EXPECT_NE(stories.body.find("," + url_ + ",3,"), std::string::npos) << stories.body;
  auto referrers = editor.call("GET", "/desk/dashboard.csv?table=referrers&period=7d");
  EXPECT_EQ(referrers.body, "domain,views\r\nelsewhere.example,3\r\n");
  auto series = editor.call("GET", "/desk/dashboard.csv?table=series&period=7d");
  EXPECT_TRUE(series.body.starts_with("start,views,comments,contributions\r\n")) << series.body;
  auto totals = editor.call("GET", "/desk/dashboard.csv?table=totals&period=7d");
  EXPECT_NE(totals.body.find("views,3,0\r\n"), std::string::npos) << totals.body;
  EXPECT_EQ(editor.call("GET", "/desk/dashboard.csv?table=secrets").status, 422);
}

TEST_F(NewsroomDashboard, OpenDashboardsHearOfANewCommentAtOnce) {
  auto editor = staff_session(*server_, "editor.live@example.org", "Editor Live", "editor");
  auto reader = register_reader(port(), "reader.live@example.org", "Reader Live");
  EventReader newsroom(port(), "/api/v1/desk/events", {{"Cookie", editor.cookie}});
  ASSERT_TRUE(newsroom.wait_for(":", std::chrono::seconds(5))) << newsroom.text();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // subscribed
  auto slug = open_article_slug(port());
  ASSERT_EQ(reader.call("POST", "/api/v1/articles/" + slug + "/comments", R"({"body":"Counted at once."})").status,
            201);
  EXPECT_TRUE(newsroom.wait_for("event: newsroom\ndata: {\"kind\":\"comment\"}", std::chrono::seconds(1)))
      << newsroom.text();
  auto d = dashboard(editor);
  EXPECT_EQ(d.at("totals").at("comments").as_int64(), 1);
  EXPECT_EQ(d.at("totals").at("commenters").as_int64(), 1);
  EXPECT_GE(d.at("totals").at("registrations").as_int64(), 2);
  // Readers cannot listen in.
  EXPECT_EQ(reader.call("GET", "/api/v1/desk/events").status, 403);
}

TEST_F(NewsroomDashboard, TheMostReadAndMostDiscussedListsFollowReadersAndPiecesShowWhatToReadNext) {
  // Nothing read yet: no lists on the front page.
  EXPECT_EQ(get(port(), "/").body.find("Most read"), std::string::npos);
  for (int i = 0; i < 5; ++i) view(other_url_);
  for (int i = 0; i < 2; ++i) view(url_);
  server_->app().flush_views();
  auto reader = register_reader(port(), "reader.popular@example.org", "Reader Popular");
  auto slug = open_article_slug(port());
  ASSERT_EQ(reader.call("POST", "/api/v1/articles/" + slug + "/comments", R"({"body":"Discussed."})").status, 201);
  server_->app().refresh_popular();  // (the background thread's first reading may have been before or after)
  EXPECT_FALSE(server_->app().refresh_popular()) << "unchanged lists leave the page caches alone";

  auto home = get(port(), "/");
  auto read = home.body.find("id=\"most-read-heading\">Most read</h2>");
  ASSERT_NE(read, std::string::npos) << "the front page's cache was dropped";
  auto first = home.body.find("href=\"" + other_url_ + "\"", read);
  auto second = home.body.find("href=\"" + url_ + "\"", read);
  EXPECT_LT(first, second) << "most read first";
  auto discussed = home.body.find("id=\"most-discussed-heading\">Most discussed</h2>");
  ASSERT_NE(discussed, std::string::npos);
  auto slug_at = home.body.find(slug + "\"", discussed);
  EXPECT_NE(slug_at, std::string::npos) << "the commented piece";
  // Bots' reads change nothing.
  for (int i = 0; i < 50; ++i) view(url_, {{"User-Agent", "Googlebot/2.1"}});
  server_->app().flush_views();
  EXPECT_FALSE(server_->app().refresh_popular());

  // Under an article: pieces sharing its tags first, never itself; the lists too.
  auto page = view(url_);
  auto next = page.body.find("id=\"related-heading\">Read next</h2>");
  ASSERT_NE(next, std::string::npos);
  auto related_end = page.body.find("</section>", next);
  EXPECT_EQ(page.body.substr(next, related_end - next).find("href=\"" + url_ + "\""), std::string::npos);
  EXPECT_NE(page.body.find("id=\"most-read-heading\"", next), std::string::npos);
}

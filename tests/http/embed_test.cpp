// Embedded conversations over HTTP (docs/embed.md), on either engine: the frame page for an allowed site only
// and framed by that site only, a story made once per host page and kept out of every listing, comment counts
// with CORS for the allowed site, partitioned cookies inside the frame, the admin's origins (API and page), and
// the rules that guard posting applying inside the embed as anywhere.
#include "domain/embed.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "imports/importer.h"
#include "test_support.h"

using namespace tribune;
using namespace tribune::testing;
namespace json = boost::json;

namespace {

constexpr const char* kHost = "https://news.example";

void allow_host(Config& c) {
  c.embed.origins = {kHost};
  c.account_limits.register_per_ip.count = 1000;
}

std::string frame_target(const std::string& page, const std::string& extra = {}) {
  return "/embed?url=" + percent_encode(page) + extra;
}

// The story's slug, as the frame page names it (data-article-slug).
std::string slug_in(const std::string& html) {
  auto at = html.find("data-article-slug=\"");
  if (at == std::string::npos) return {};
  at += 19;
  return html.substr(at, html.find('"', at) - at);
}

bool has_cookie(const HttpResult& r, const std::string& prefix) {
  for (const auto& c : r.set_cookies)
    if (c.starts_with(prefix)) return true;
  return false;
}

std::string cookie_starting(const HttpResult& r, const std::string& prefix) {
  for (const auto& c : r.set_cookies)
    if (c.starts_with(prefix)) return c;
  return {};
}

}  // namespace

TEST(EmbedOrigins, AreOriginsAndNothingElse) {
  EXPECT_EQ(origin_of("https://News.Example/story?x=1#c"), "https://news.example");
  EXPECT_EQ(origin_of("https://news.example:443/"), "https://news.example");
  EXPECT_EQ(origin_of("http://news.example:8080/a"), "http://news.example:8080");
  EXPECT_EQ(origin_of("javascript:alert(1)"), std::nullopt);
  EXPECT_EQ(origin_of("https://user:pw@news.example/"), std::nullopt);
  EXPECT_EQ(origin_of("/relative"), std::nullopt);
  EXPECT_EQ(origin_of("ftp://news.example/"), std::nullopt);
  EXPECT_EQ(origin_of("https://news.example;x/"), std::nullopt) << "nothing that could break a header";
  EXPECT_EQ(origin_of("https://*.example/"), std::nullopt);
  EXPECT_EQ(origin_of("http://[::1]:8080/a"), "http://[::1]:8080");
  EXPECT_EQ(EmbedService::clean_url("https://News.example/a?utm_source=x&p=2&fbclid=1#c-3"),
            "https://news.example/a?p=2");
  EXPECT_EQ(EmbedService::clean_url("https://news.example"), "https://news.example/");
}

TEST(Embed, AnAllowedSiteGetsAFramedConversationMadeOnceAndKeptOutOfListings) {
  TestServer server(true, {}, allow_host);
  auto first = request(server.port(), {"GET",
                                       frame_target("https://news.example/2026/story-1?utm_source=feed#top",
                                                    "&title=" + percent_encode("Story <one>")),
                                       {},
                                       {{"Sec-Fetch-Dest", "iframe"}}});
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_NE(first.header("content-security-policy").find("frame-ancestors https://news.example"), std::string::npos)
      << first.header("content-security-policy");
  EXPECT_EQ(first.header("x-frame-options"), "") << "frame-ancestors names the site; X-Frame-Options cannot";
  EXPECT_NE(first.body.find("Story &lt;one&gt;"), std::string::npos) << "the host's title is escaped";
  EXPECT_EQ(first.body.find("Story <one>"), std::string::npos);
  EXPECT_NE(first.body.find("data-embed-origin=\"https://news.example\""), std::string::npos);
  EXPECT_NE(first.body.find("id=\"register-form\""), std::string::npos) << "readers can join from the frame";
  auto embed_cookie = cookie_starting(first, "tribune_embed=https://news.example;");
  EXPECT_NE(embed_cookie.find("Partitioned"), std::string::npos) << embed_cookie;
  EXPECT_NE(embed_cookie.find("SameSite=None"), std::string::npos) << embed_cookie;
  auto slug = slug_in(first.body);
  ASSERT_FALSE(slug.empty());
  EXPECT_FALSE(has_cookie(get(server.port(), frame_target("https://news.example/2026/story-1")), "tribune_embed="))
      << "opened on its own, not in a frame, the page marks nothing";

  // The same page however it is spelt (tracking parameters, fragment, case) is one story.
  auto again = get(server.port(), frame_target("https://NEWS.example/2026/story-1#comments"));
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(slug_in(again.body), slug);
  // An identifier names a story whatever the address.
  auto by_id = get(server.port(), frame_target("https://news.example/a", "&id=cms-42"));
  auto by_id_moved = get(server.port(), frame_target("https://news.example/b", "&id=cms-42"));
  EXPECT_EQ(slug_in(by_id.body), slug_in(by_id_moved.body));
  EXPECT_NE(slug_in(by_id.body), slug);

  // A reader comments on it; nowhere on Tribune's own pages does the story show.
  auto reader = register_reader(server.port(), "eve@example.org", "Eve Embed");
  auto posted = reader.call("POST", "/api/v1/articles/" + slug + "/comments",
                            json::serialize(json::object{{"body", "From the host's page."}}));
  ASSERT_EQ(posted.status, 201) << posted.body;
  for (std::string page : {"/", "/feed.xml", "/feed.atom", "/sitemap.xml", "/sitemap-news.xml"}) {
    auto r = get(server.port(), page);
    EXPECT_EQ(r.status, 200) << page;
    EXPECT_EQ(r.body.find(slug), std::string::npos) << page << " lists the story";
    EXPECT_EQ(r.body.find("Embedded conversations"), std::string::npos) << page << " lists the stories' section";
  }
  // Its address on Tribune leads to the host page (a notification's link, say), or, inside the frame, back to
  // the frame's page.
  auto article = json::parse(get(server.port(), "/api/v1/articles/" + slug).body);
  std::string url(article.at("url").as_string());
  ASSERT_NE(url.find("/" + slug), std::string::npos) << url;
  auto away = get(server.port(), url);

  EXPECT_EQ(away.status, 303);
  EXPECT_EQ(away.header("location"), "https://news.example/2026/story-1");
  auto inside = request(server.port(), {"GET", url, {}, {{"Sec-Fetch-Dest", "iframe"}}});
  EXPECT_EQ(inside.header("location"), "/embed?story=" + slug);

  auto shown = get(server.port(), "/embed?story=" + slug);
  EXPECT_NE(shown.body.find("From the host\u2019s page."), std::string::npos) << shown.body.substr(0, 400);
}

TEST(Embed, ASiteNotAllowedGetsNothing) {
  TestServer server(true, {}, allow_host);
  auto r = get(server.port(), frame_target("https://elsewhere.example/story"));
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.header("content-security-policy").find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_EQ(r.header("x-frame-options"), "DENY");
  EXPECT_FALSE(has_cookie(r, "tribune_embed="));
  // Nor does a look-alike of the allowed site.
  EXPECT_EQ(get(server.port(), frame_target("https://news.example.evil.example/x")).status, 403);
  EXPECT_EQ(get(server.port(), frame_target("http://news.example/x")).status, 403) << "http is another origin";
  EXPECT_EQ(get(server.port(), frame_target("javascript:alert(1)")).status, 422);
  EXPECT_EQ(get(server.port(), "/embed").status, 422);
  // And other pages stay unframeable, unless opened inside an allowed site's frame.
  auto page = get(server.port(), "/");
  EXPECT_NE(page.header("content-security-policy").find("frame-ancestors 'none'"), std::string::npos);
  auto framed =
      request(server.port(),
              {"GET", "/signin", {}, {{"Sec-Fetch-Dest", "iframe"}, {"Cookie", "tribune_embed=https://news.example"}}});
  EXPECT_NE(framed.header("content-security-policy").find("frame-ancestors https://news.example"), std::string::npos);
  auto forged = request(
      server.port(),
      {"GET", "/signin", {}, {{"Sec-Fetch-Dest", "iframe"}, {"Cookie", "tribune_embed=https://x.example 'self'"}}});
  EXPECT_NE(forged.header("content-security-policy").find("frame-ancestors 'none'"), std::string::npos)
      << "a cookie value that is not an origin never reaches the header";
}

TEST(Embed, CommentCountsAnswerTheAllowedSiteWithCors) {
  TestServer server(true, {}, allow_host);
  auto slug = slug_in(get(server.port(), frame_target("https://news.example/one")).body);
  get(server.port(), frame_target("https://news.example/two", "&id=two"));
  auto reader = register_reader(server.port(), "cora@example.org", "Cora Count");
  for (int i = 0; i < 2; ++i)
    ASSERT_EQ(reader
                  .call("POST", "/api/v1/articles/" + slug + "/comments",
                        json::serialize(json::object{{"body", "Count me " + std::to_string(i)}}))
                  .status,
              201);
  auto r = request(server.port(), {"GET",
                                   "/api/v1/comment-counts?url=" + percent_encode("https://news.example/one?utm_x=1") +
                                       "&id=two&url=" + percent_encode("https://news.example/none"),
                                   {},
                                   {{"Origin", kHost}}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("access-control-allow-origin"), kHost);
  auto counts = json::parse(r.body).at("counts").as_array();
  ASSERT_EQ(counts.size(), 3u);
  EXPECT_EQ(counts[0].at("count").as_int64(), 2);
  EXPECT_EQ(counts[1].at("identifier").as_string(), "two");
  EXPECT_EQ(counts[1].at("count").as_int64(), 0);
  EXPECT_EQ(counts[2].at("count").as_int64(), 0);
  auto other = request(server.port(), {"GET",
                                       "/api/v1/comment-counts?url=" + percent_encode("https://news.example/one"),
                                       {},
                                       {{"Origin", "https://evil.example"}}});
  EXPECT_EQ(other.status, 403);
  EXPECT_EQ(error_code(other), "origin_not_allowed");
  EXPECT_EQ(other.header("access-control-allow-origin"), "");
  // The article counts of Tribune's own pages are unchanged.
  EXPECT_EQ(get(server.port(), "/api/v1/comment-counts?articles=" + open_article_slug(server.port())).status, 200);
}

TEST(Embed, SessionsMadeInsideTheFrameArePartitioned) {
  TestServer server(true, {}, allow_host);
  auto made = request(server.port(), {"POST",
                                      "/api/v1/accounts",
                                      json::serialize(json::object{{"email", "pia@example.org"},
                                                                   {"password", "copper kettle marsh lantern"},
                                                                   {"display_name", "Pia Part"}}),
                                      {{"Content-Type", "application/json"}, {"X-Tribune-Embed", "1"}}});
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_FALSE(has_cookie(made, "tribune_session=")) << "never in the first-party session's place";
  auto cookie = cookie_starting(made, "tribune_embed_session=");
  EXPECT_NE(cookie.find("; SameSite=None"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("; Secure"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("; Partitioned"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("; HttpOnly"), std::string::npos) << cookie;
  // A form sign-in without JavaScript inside the frame (a navigation there) too.
  auto form = request(server.port(), {"POST",
                                      "/signin",
                                      "email=pia%40example.org&password=copper+kettle+marsh+lantern&return_to=%2Fembed",
                                      {{"Content-Type", "application/x-www-form-urlencoded"},
                                       {"Sec-Fetch-Dest", "iframe"},
                                       {"Origin", "http://127.0.0.1:" + std::to_string(server.port())}}});
  EXPECT_EQ(form.status, 303) << form.body;
  EXPECT_NE(cookie_starting(form, "tribune_embed_session=").find("Partitioned"), std::string::npos);
  // The frame's session is the reader's: the API knows them by it.
  auto token = cookie.substr(0, cookie.find(';'));
  auto me = request(server.port(), {"GET", "/api/v1/me/feed", {}, {{"Cookie", token}, {"X-Tribune-Embed", "1"}}});
  EXPECT_EQ(me.status, 200) << me.body;
  // On Tribune's own pages, the first-party cookie as before.
  auto first_party =
      request(server.port(),
              {"POST",
               "/api/v1/sessions",
               json::serialize(json::object{{"email", "pia@example.org"}, {"password", "copper kettle marsh lantern"}}),
               {{"Content-Type", "application/json"}}});
  auto c = cookie_starting(first_party, "tribune_session=");
  EXPECT_NE(c.find("SameSite=Lax"), std::string::npos) << c;
  EXPECT_EQ(c.find("Partitioned"), std::string::npos) << c;
}

TEST(Embed, EveryRuleThatGuardsPostingGuardsTheEmbedToo) {
  TestServer server(true, {}, [](Config& c) {
    allow_host(c);
    c.comment_limits.per_account.count = 2;
  });
  auto slug = slug_in(get(server.port(), frame_target("https://news.example/rules")).body);
  auto reader = register_reader(server.port(), "rita@example.org", "Rita Rules");
  auto post = [&](const std::string& text) {
    return reader.call("POST", "/api/v1/articles/" + slug + "/comments", json::serialize(json::object{{"body", text}}));
  };
  EXPECT_EQ(post("One.").status, 201);
  EXPECT_EQ(post("Two.").status, 201);
  auto third = post("Three.");
  EXPECT_EQ(third.status, 429) << "the per-reader rate limit holds on a story";
  // A banned reader cannot post there either.
  auto admin = staff_session(server, "admin@example.org", "Ada Admin", "admin");
  auto other = register_reader(server.port(), "bo@example.org", "Bo Banned");
  ASSERT_EQ(admin
                .call("POST", "/api/v1/moderation/accounts/" + std::to_string(other.id) + "/ban",
                      json::serialize(json::object{{"reason", "spam"}}))
                .status,
            204);
  auto banned = other.call("POST", "/api/v1/articles/" + slug + "/comments",
                           json::serialize(json::object{{"body", "Let me in."}}));
  EXPECT_EQ(banned.status, 403);
  EXPECT_EQ(error_code(banned), "banned");
  // Making stories is rate-limited per address: each one is a row.
  int refused = 0;
  for (int i = 0; i < 40; ++i)
    if (get(server.port(), frame_target("https://news.example/flood-" + std::to_string(i))).status == 429) ++refused;
  EXPECT_GT(refused, 0);
}

TEST(Embed, AdminsChooseTheSitesOverTheApiAndThePage) {
  TestServer server(true, {}, allow_host);
  auto admin = staff_session(server, "admin@example.org", "Ada Admin", "admin");
  auto listed = json::parse(admin.call("GET", "/api/v1/embed/origins").body).at("origins").as_array();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_TRUE(listed[0].at("configured").as_bool());
  auto bad = admin.call("POST", "/api/v1/embed/origins", R"({"origin": "https://blog.example/path"})");
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(error_code(bad), "invalid_origin");
  auto made = admin.call("POST", "/api/v1/embed/origins", R"({"origin": "https://Blog.example", "appeal": true})");
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(json::parse(made.body).at("origin").as_string(), "https://blog.example");
  EXPECT_EQ(get(server.port(), frame_target("https://blog.example/p")).status, 200);
  EXPECT_EQ(admin.call("DELETE", "/api/v1/embed/origins?origin=" + percent_encode(kHost)).status, 422)
      << "a configured site is removed in the configuration";
  EXPECT_EQ(admin.call("DELETE", "/api/v1/embed/origins?origin=" + percent_encode("https://blog.example")).status, 204);
  EXPECT_EQ(get(server.port(), frame_target("https://blog.example/p")).status, 403);
  // Readers may not.
  auto reader = register_reader(server.port(), "nia@example.org", "Nia Reader");
  EXPECT_EQ(reader.call("POST", "/api/v1/embed/origins", R"({"origin": "https://mine.example"})").status, 403);

  // The page: the list, the form (without JavaScript), the snippet with its integrity value, errors in place.
  auto page = admin.call("GET", "/admin/embed");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("integrity=\"sha256-"), std::string::npos);
  EXPECT_NE(page.body.find("From the configuration file"), std::string::npos);
  auto added = admin.form("/admin/embed", "origin=https%3A%2F%2Fpaper.example&appeal=1");
  EXPECT_EQ(added.status, 200);
  EXPECT_NE(added.body.find("https://paper.example may embed conversations now."), std::string::npos);
  auto wrong = admin.form("/admin/embed", "origin=paper");
  EXPECT_EQ(wrong.status, 422);
  EXPECT_NE(wrong.body.find("role=\"alert\""), std::string::npos);
  auto removed = admin.form("/admin/embed/remove", "origin=https%3A%2F%2Fpaper.example");
  EXPECT_EQ(removed.status, 200);
  EXPECT_EQ(get(server.port(), frame_target("https://paper.example/p")).status, 403);
  auto log = json::parse(admin.call("GET", "/api/v1/moderation/log?limit=50").body);
  EXPECT_NE(json::serialize(log).find("allow_embed_origin"), std::string::npos);
}

TEST(Embed, ImportedThreadsBecomeTheStoriesTheHostPagesEmbed) {
  TestServer server(true, {}, [](Config& c) { c.embed.origins = {"https://oldpaper.example"}; });
  {
    // Only for a site allowed to embed (a story's address here leads to its page).
    TestServer closed(true);
    imports::ImportOptions o;
    o.format = imports::Format::disqus;
    o.embed = true;
    auto s =
        imports::Importer(closed.app().articles(), closed.app().store(), closed.app().store(), &closed.app().embed())
            .run(tribune::testing::source_dir() + "/tests/data/imports/disqus.xml", o);
    EXPECT_EQ(s.articles_created, 0);
    EXPECT_EQ(s.skipped["its site is not allowed to embed ([embed] origins)"], 2);
  }
  // A story the embed made before the import is joined, not doubled.
  auto before = get(server.port(), frame_target("https://oldpaper.example/2019/05/the-bus-lanes-debate/"));
  ASSERT_EQ(before.status, 200);
  imports::ImportOptions o;
  o.format = imports::Format::disqus;
  o.embed = true;
  auto run = [&] {
    return imports::Importer(server.app().articles(), server.app().store(), server.app().store(), &server.app().embed())
        .run(tribune::testing::source_dir() + "/tests/data/imports/disqus.xml", o);
  };
  auto s = run();
  EXPECT_EQ(s.articles_created, 1) << "the rail fares thread";
  EXPECT_EQ(s.articles_matched, 1) << "the bus lanes thread, viewed in an embed before";
  EXPECT_EQ(s.comments_created, 7);
  // The host page's embed shows the imported conversation; the address's tracking parameter does not matter.
  auto bus = get(server.port(), frame_target("https://oldpaper.example/2019/05/the-bus-lanes-debate/"));
  EXPECT_EQ(slug_in(bus.body), slug_in(before.body));
  auto counts = request(
      server.port(),
      {"GET",
       "/api/v1/comment-counts?url=" + percent_encode("https://oldpaper.example/2019/05/the-bus-lanes-debate/") +
           "&url=" + percent_encode("https://oldpaper.example/2019/07/rail-fares-rise-again"),
       {},
       {{"Origin", "https://oldpaper.example"}}});
  auto list = json::parse(counts.body).at("counts").as_array();
  EXPECT_EQ(list[0].at("count").as_int64(), 3);
  EXPECT_GT(list[1].at("count").as_int64(), 0);
  // Nothing of it is an article of Tribune's own, and a second run brings nothing in twice.
  EXPECT_FALSE(server.app().articles().find_visible("the-bus-lanes-debate"));
  auto again = run();
  EXPECT_EQ(again.comments_created, 0);
  EXPECT_EQ(again.threads_existing, 2);
}

TEST(Embed, OnlyAReadersPagesAreFramedInsideTheFrameAndOnlyWhileTheSiteIsAllowed) {
  TestServer server(true, {}, allow_host);
  auto admin = staff_session(server, "admin@example.org", "Ada Admin", "admin");
  auto made = admin.call("POST", "/api/v1/embed/origins", R"({"origin": "https://blog.example"})");
  ASSERT_EQ(made.status, 201);
  auto framed = [&](const std::string& target, const std::string& site, const std::string& cookie = {}) {
    std::string cookies = "tribune_embed=" + site + (cookie.empty() ? "" : "; " + cookie);
    auto r = request(server.port(), {"GET", target, {}, {{"Sec-Fetch-Dest", "iframe"}, {"Cookie", cookies}}});
    return r.header("content-security-policy").find("frame-ancestors " + site) != std::string::npos &&
           r.header("x-frame-options").empty();
  };
  EXPECT_TRUE(framed("/signin", kHost));
  EXPECT_TRUE(framed("/register", "https://blog.example"));
  auto admin_cookie = admin.cookie;
  // Staff pages, the desk and the account page never, whoever asks (a host page's own iframe could point there).
  for (std::string page : {"/admin/accounts", "/admin/embed", "/moderation", "/desk", "/account"})
    EXPECT_FALSE(framed(page, kHost, admin_cookie)) << page;
  // A site no longer allowed loses its frames at once on this node.
  ASSERT_EQ(admin.call("DELETE", "/api/v1/embed/origins?origin=" + percent_encode("https://blog.example")).status, 204);
  EXPECT_FALSE(framed("/register", "https://blog.example"));
}

TEST(Embed, ARemovedSiteOrATakenDownStoryLeadsNowhere) {
  TestServer server(true, {}, allow_host);
  auto admin = staff_session(server, "admin@example.org", "Ada Admin", "admin");
  ASSERT_EQ(admin.call("POST", "/api/v1/embed/origins", R"({"origin": "https://blog.example"})").status, 201);
  auto slug = slug_in(get(server.port(), frame_target("https://blog.example/post")).body);
  auto url = std::string(json::parse(get(server.port(), "/api/v1/articles/" + slug).body).at("url").as_string());
  EXPECT_EQ(get(server.port(), url).status, 303);
  ASSERT_EQ(admin.call("DELETE", "/api/v1/embed/origins?origin=" + percent_encode("https://blog.example")).status, 204);
  EXPECT_EQ(get(server.port(), url).status, 404) << "no redirect to a site that is not allowed any more";
  // An editor deletes a story: its conversation shows nowhere, its frame included.
  auto other = slug_in(get(server.port(), frame_target("https://news.example/gone")).body);
  auto editor = staff_session(server, "ed@example.org", "Ed Editor", "editor");
  ASSERT_EQ(editor.call("DELETE", "/api/v1/articles/" + other).status, 204);
  EXPECT_EQ(get(server.port(), frame_target("https://news.example/gone")).status, 404);
  EXPECT_EQ(get(server.port(), "/embed?story=" + other).status, 404);
}

TEST(Embed, CountsVaryByOriginEvenWhenAskedWithoutOne) {
  TestServer server(true, {}, allow_host);
  auto r = get(server.port(), "/api/v1/comment-counts?origin=" + percent_encode(kHost) + "&id=a");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("vary"), "Origin") << "a shared cache keeps one answer per site";
  EXPECT_EQ(r.header("access-control-allow-origin"), "");
  auto refused = get(server.port(), "/api/v1/comment-counts?origin=" + percent_encode("https://x.example") + "&id=a");
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(refused.header("vary"), "Origin");
}

TEST(Embed, TheAppealShowsForTheSitesThatChoseItAndCreditsTheStory) {
  TestServer server(true, {}, [](Config& c) {
    allow_host(c);
    c.stripe.secret_key = "sk_test_embed";  // contributions on (no call to Stripe is made here)
  });
  auto without = get(server.port(), frame_target("https://news.example/appeal"));
  EXPECT_EQ(without.body.find("class=\"appeal\""), std::string::npos) << "[embed] appeal is off";
  auto admin = staff_session(server, "admin@example.org", "Ada Admin", "admin");
  ASSERT_EQ(admin.call("POST", "/api/v1/embed/origins", R"({"origin": "https://blog.example", "appeal": true})").status,
            201);
  auto with = get(server.port(), frame_target("https://blog.example/appeal"));
  auto slug = slug_in(with.body);
  auto link = "/support?article=" + slug;
  EXPECT_NE(with.body.find("href=\"" + link + "\" target=\"_blank\""), std::string::npos)
      << "Checkout cannot be framed: the appeal opens the support page in a tab of its own";
  auto support = get(server.port(), link);
  EXPECT_EQ(support.status, 200);
  EXPECT_NE(support.body.find("name=\"article\" value=\"" + slug + "\""), std::string::npos)
      << "the contribution is credited to the story";
}

// The script at the contract's stable address (/embed.js) and at the hashed one the admin page pins with SRI:
// the same bytes, loadable from any site (CORS), the stable one cached an hour, the hashed one a year.
TEST(Embed, TheScriptIsServedAtItsStableAddressAndItsPinnedOne) {
  TestServer server;
  auto stable = get(server.port(), "/embed.js");
  ASSERT_EQ(stable.status, 200);
  EXPECT_EQ(stable.header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(stable.header("access-control-allow-origin"), "*");
  EXPECT_EQ(stable.header("cache-control"), "public, max-age=3600");
  EXPECT_NE(stable.body.find("data-tribune-url"), std::string::npos);
  auto pinned = get(server.port(), "/assets/embed.js?v=1");
  ASSERT_EQ(pinned.status, 200);
  EXPECT_EQ(pinned.body, stable.body);
  EXPECT_EQ(pinned.header("access-control-allow-origin"), "*");
}

#include "http/router.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "http/page_cache.h"
#include "test_support.h"

using namespace tribune;
using tribune::testing::gunzip;

namespace {
Response ok(RequestContext&) {
  return Response::text(http::status::ok, "ok");
}
}  // namespace

TEST(Router, MatchesLiteralsBeforeCaptures) {
  Router r;
  r.add(http::verb::get, "/feed.xml", Access::anyone(), ok);
  r.add(http::verb::get, "/{section}", Access::anyone(), ok);
  r.add(http::verb::get, "/{section}/{y}/{m}/{d}/{slug}", Access::anyone(), ok);
  auto m = r.match(http::verb::get, "/feed.xml");
  ASSERT_TRUE(m.route);
  EXPECT_EQ(m.route->pattern, "/feed.xml");
  m = r.match(http::verb::get, "/opinion");
  ASSERT_TRUE(m.route);
  EXPECT_EQ(m.params["section"], "opinion");
  m = r.match(http::verb::get, "/opinion/2009/07/06/slug");
  ASSERT_TRUE(m.route);
  EXPECT_EQ(m.params["slug"], "slug");
  EXPECT_FALSE(r.match(http::verb::get, "/opinion/2009").route);
}

TEST(Router, ARestCaptureTakesTheRestAndAnEmptyCaptureMatchesNothing) {
  Router r;
  r.add(http::verb::get, "/media/{path...}", Access::anyone(), ok);
  r.add(http::verb::get, "/{a}/{b}/x", Access::anyone(), ok);  // tried first for /tags/water/feed.xml, and loses
  r.add(http::verb::get, "/tags/{tag}/feed.xml", Access::anyone(), ok);
  auto m = r.match(http::verb::get, "/media/2026/12/photo.webp");
  ASSERT_TRUE(m.route);
  EXPECT_EQ(m.params["path"], "2026/12/photo.webp");
  m = r.match(http::verb::get, "/media//x");
  ASSERT_TRUE(m.route);
  EXPECT_EQ(m.params["path"], "/x");
  EXPECT_FALSE(r.match(http::verb::get, "/media").route);
  EXPECT_FALSE(r.match(http::verb::get, "/media/").route);
  m = r.match(http::verb::get, "/tags/water/feed.xml");
  ASSERT_TRUE(m.route);
  EXPECT_EQ(m.params.size(), 1u);
  EXPECT_EQ(m.params["tag"], "water");
  EXPECT_FALSE(r.match(http::verb::get, "/tags//feed.xml").route);
  // A trailing slash matches the path without it; captures of routes that lost leave nothing behind.
  EXPECT_TRUE(r.match(http::verb::get, "/tags/water/feed.xml/").route);
}

TEST(Router, WrongMethodListsAllowed) {
  Router r;
  r.add(http::verb::get, "/api/v1/articles", Access::anyone(), ok);
  r.add(http::verb::post, "/api/v1/articles", Access::anyone(), ok);
  auto m = r.match(http::verb::delete_, "/api/v1/articles");
  EXPECT_FALSE(m.route);
  EXPECT_EQ(m.allow, "GET, HEAD, POST");
  EXPECT_TRUE(r.match(http::verb::head, "/api/v1/articles").route);
}

TEST(PageCache, AcceptEncodingParsing) {
  EXPECT_TRUE(accepts_gzip("gzip, deflate, br"));
  EXPECT_TRUE(accepts_gzip("br;q=1.0, gzip;q=0.8"));
  EXPECT_FALSE(accepts_gzip("gzip;q=0"));
  EXPECT_FALSE(accepts_gzip("identity"));
  EXPECT_FALSE(accepts_gzip(""));
}

TEST(PageCache, InvalidationDropsRendersThatStartedBefore) {
  PageCache cache;
  auto page = make_page("<p>x</p>", {}, "text/html", "no-cache");
  auto before = cache.ticket();
  cache.invalidate_all();
  cache.put("/a", page, before);  // rendered from data older than the invalidation
  EXPECT_FALSE(cache.get("/a"));
  EXPECT_FALSE(cache.get_or_refresh("/a"));
  cache.put("/a", page, cache.ticket());
  EXPECT_TRUE(cache.get("/a"));
}

// A busy conversation: its page goes stale, one request renders the replacement while the others are served
// the stale page, and nobody is served it past the grace.
TEST(PageCache, AStalePageIsServedOnlyWhileOneRequestRendersItsReplacement) {
  PageCache cache(100, std::chrono::seconds(60));  // a grace no stall of this machine outlasts
  auto v1 = make_page("<p>1</p>", {}, "text/html", "no-cache");
  auto v2 = make_page("<p>2</p>", {}, "text/html", "no-cache");
  cache.put("/story", v1, cache.ticket(), "comments:story");
  cache.put("/story?sort=top", v1, cache.ticket(), "comments:story");
  ASSERT_EQ(cache.get("/story"), v1);

  cache.mark_stale({"/story"}, "comments:story");
  // The fast path never takes the render on: it misses, and the request goes on to a worker.
  EXPECT_FALSE(cache.get("/story"));
  // The first worker to ask renders; everyone after it, fast path or not, gets the stale page meanwhile.
  EXPECT_FALSE(cache.get_or_refresh("/story"));
  EXPECT_EQ(cache.get_or_refresh("/story"), v1);
  EXPECT_EQ(cache.get("/story"), v1);
  // The group's pages went stale with it, each with its own single render.
  EXPECT_FALSE(cache.get_or_refresh("/story?sort=top"));
  EXPECT_EQ(cache.get_or_refresh("/story?sort=top"), v1);

  auto ticket = cache.ticket();
  cache.put("/story", v2, ticket, "comments:story");
  EXPECT_EQ(cache.get("/story"), v2);
  EXPECT_EQ(cache.get_or_refresh("/story"), v2);
}

// A page replaced moments after it was stored is compressed fast, others hard; either way it inflates to the
// page.
TEST(PageCache, ABusyPagesNextVersionIsCompressedFastAndACalmOnesSmall) {
  PageCache cache(100, std::chrono::seconds(60));
  EXPECT_EQ(cache.gzip_level("/story"), 9) << "never rendered";
  cache.put("/story", make_page("<p>1</p>", {}, "text/html", "no-cache"), cache.ticket(), "comments:story");
  EXPECT_EQ(cache.gzip_level("/story"), 9) << "current: an edit's re-render, not a busy one";
  cache.mark_stale({"/story"}, "comments:story");
  EXPECT_EQ(cache.gzip_level("/story"), 1) << "stored a moment ago and changed since";
  EXPECT_EQ(cache.gzip_level("/story?sort=top"), 9) << "not rendered: nothing to go by";
  std::string html;
  for (int i = 0; i < 2000; ++i) html += "<p class=\"comment\">Comment " + std::to_string(i) + "</p>";
  auto fast = make_page(html, {}, "text/html", "no-cache", cache.gzip_level("/story"));
  auto small = make_page(html, {}, "text/html", "no-cache", 9);
  EXPECT_EQ(gunzip(*fast->gzip), html);
  EXPECT_EQ(gunzip(*small->gzip), html);
}

TEST(PageCache, AStalePageIsNeverServedPastTheGrace) {
  PageCache cache(100, std::chrono::milliseconds(100));
  auto v1 = make_page("<p>1</p>", {}, "text/html", "no-cache");
  cache.put("/story", v1, cache.ticket());
  cache.mark_stale({"/story"}, {});
  EXPECT_FALSE(cache.get_or_refresh("/story"));  // taken on, and the render is slow
  EXPECT_EQ(cache.get("/story"), v1);
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  // Past the grace nobody gets it, and every request renders (as when the page is absent).
  EXPECT_FALSE(cache.get("/story"));
  EXPECT_FALSE(cache.get_or_refresh("/story"));
  EXPECT_FALSE(cache.get_or_refresh("/story"));
}

TEST(PageCache, ARenderThatAChangeOvertookIsStoredStale) {
  PageCache cache(100, std::chrono::seconds(60));
  auto v1 = make_page("<p>1</p>", {}, "text/html", "no-cache");
  auto v2 = make_page("<p>2</p>", {}, "text/html", "no-cache");
  cache.put("/story", v1, cache.ticket(), "comments:story");
  auto ticket = cache.ticket();            // a render reads the store ...
  cache.mark_stale({}, "comments:story");  // ... and a comment commits meanwhile
  cache.put("/story", v2, ticket, "comments:story");
  // v2 may lack that comment: stale, so the next request renders again.
  EXPECT_FALSE(cache.get("/story"));
  EXPECT_FALSE(cache.get_or_refresh("/story"));
  EXPECT_EQ(cache.get_or_refresh("/story"), v2);
  cache.put("/story", v1, cache.ticket(), "comments:story");
  EXPECT_EQ(cache.get("/story"), v1);
}

TEST(PageCache, AnOlderRenderFinishingLateNeverReplacesANewerOne) {
  PageCache cache;
  auto v1 = make_page("<p>1</p>", {}, "text/html", "no-cache");
  auto v2 = make_page("<p>2</p>", {}, "text/html", "no-cache");
  auto older = cache.ticket();
  cache.mark_stale({"/story"}, {});
  cache.put("/story", v2, cache.ticket());
  cache.put("/story", v1, older);
  EXPECT_EQ(cache.get("/story"), v2);
}

TEST(PageCache, AChangeBeforeAPageWasEverStoredStillCounts) {
  PageCache cache;
  auto v1 = make_page("<p>1</p>", {}, "text/html", "no-cache");
  auto ticket = cache.ticket();
  cache.mark_stale({"/story"}, "comments:story");
  cache.put("/story", v1, ticket);
  EXPECT_FALSE(cache.get("/story"));
  cache.put("/story?sort=top", v1, ticket, "comments:story");
  EXPECT_FALSE(cache.get("/story?sort=top"));
}

TEST(PageCache, ManyReadersMissingAtOnceCauseOneRender) {
  PageCache cache(100, std::chrono::seconds(60));
  auto v1 = make_page("<p>1</p>", {}, "text/html", "no-cache");
  cache.put("/story", v1, cache.ticket());
  cache.mark_stale({"/story"}, {});
  std::atomic<int> renders{0}, served_stale{0};
  std::vector<std::thread> readers;
  readers.reserve(16);
  for (int i = 0; i < 16; ++i)
    readers.emplace_back([&] {
      for (int j = 0; j < 100; ++j) (cache.get_or_refresh("/story") ? served_stale : renders).fetch_add(1);
    });
  for (auto& t : readers) t.join();
  EXPECT_EQ(renders.load(), 1);
  EXPECT_EQ(served_stale.load(), 1599);
}

// A full cache empties, and with it the record of what changed: a render begun before that could lack a
// change nobody remembers, so it is refused, as after an edit.
TEST(PageCache, ARenderBegunBeforeTheCacheEmptiedIsNotStored) {
  PageCache cache(2);
  auto v1 = make_page("<p>1</p>", {}, "text/html", "no-cache");
  auto ticket = cache.ticket();                    // a render of /story?sort=top reads the store ...
  cache.mark_stale({"/story"}, "comments:story");  // ... a comment commits ...
  cache.put("/a", v1, cache.ticket());
  cache.put("/b", v1, cache.ticket());
  cache.put("/c", v1, cache.ticket());  // ... and the cache fills and empties
  cache.put("/story?sort=top", v1, ticket, "comments:story");
  EXPECT_FALSE(cache.get("/story?sort=top"));
  cache.put("/story?sort=top", v1, cache.ticket(), "comments:story");
  EXPECT_EQ(cache.get("/story?sort=top"), v1);
}

// A claim on a re-render ends with its render, stored or refused: the next change's render is someone's.
TEST(PageCache, AClaimEndsWhenANewerRenderWins) {
  PageCache cache(100, std::chrono::seconds(60));
  auto v1 = make_page("<p>1</p>", {}, "text/html", "no-cache");
  cache.put("/story", v1, cache.ticket());
  cache.mark_stale({"/story"}, {});
  EXPECT_FALSE(cache.get_or_refresh("/story"));  // A takes the render on
  auto a = cache.ticket();
  cache.put("/story", v1, cache.ticket());  // a writer's own render (it skips the cache) lands first
  cache.mark_stale({"/story"}, {});         // another comment
  cache.put("/story", v1, a);               // A's render: older than what is there, refused
  EXPECT_FALSE(cache.get_or_refresh("/story")) << "nobody renders the new change";
}

TEST(PageCache, BypassMissesEvenAStalePage) {
  PageCache cache(100, std::chrono::seconds(60));
  auto v1 = make_page("<p>1</p>", {}, "text/html", "no-cache");
  cache.put("/story", v1, cache.ticket());
  cache.mark_stale({"/story"}, {});
  EXPECT_FALSE(cache.get_or_refresh("/story"));  // another request renders
  {
    PageCache::Bypass bypass(true);  // a reader who just wrote
    EXPECT_FALSE(cache.get("/story"));
    EXPECT_FALSE(cache.get_or_refresh("/story"));
  }
  EXPECT_EQ(cache.get("/story"), v1);
}

TEST(PageCache, SlotsAreFilledPerReader) {
  auto fill = [](std::string_view slot) { return "[" + std::string(slot) + "]"; };
  auto page = make_page("<h><!--tribune:slot:reader--></h><p>x</p><!--tribune:slot:conversation-->", fill, "text/html",
                        "no-cache");
  EXPECT_EQ(*page->body, "<h>[reader]</h><p>x</p>[conversation]");
  ASSERT_EQ(page->slots.size(), 2u);
  Request plain{http::verb::get, "/", 11};
  auto personal = serve_personal(
      *page, [](std::string_view s) { return s == "reader" ? std::string("Ann") : ""; }, plain);
  EXPECT_EQ(personal.body, "<h>Ann</h><p>x</p>");
  EXPECT_EQ(personal.headers[http::field::cache_control], "private, no-store");
  Request req{http::verb::get, "/", 11};
  req.set(http::field::if_none_match, page->etag);
  EXPECT_EQ(serve_page(*page, req).status, http::status::not_modified);
}

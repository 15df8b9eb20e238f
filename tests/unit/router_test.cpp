#include "http/router.h"

#include <gtest/gtest.h>

#include "http/page_cache.h"

using namespace tribune;

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
  uint64_t before = cache.generation();
  cache.invalidate_all();
  cache.put("/a", page, before);  // rendered from data older than the invalidation
  EXPECT_FALSE(cache.get("/a"));
  cache.put("/a", page, cache.generation());
  EXPECT_TRUE(cache.get("/a"));
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

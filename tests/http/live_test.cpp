// Live updates over Server-Sent Events: arrival, resume with Last-Event-ID, topics kept apart.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cctype>
#include <memory>
#include <thread>
#include <vector>

#include "test_support.h"

using namespace tribune;
using namespace tribune::testing;
namespace json = boost::json;

namespace {

struct LiveTest : ::testing::Test {
  TestServer server{true};
  std::string cookie, csrf;

  void SetUp() override {
    auto r =
        request(server.port(),
                {"POST",
                 "/api/v1/accounts",
                 R"({"email":"live@example.org","display_name":"Live Poster","password":"a live poster's password"})",
                 {{"Content-Type", "application/json"}}});
    ASSERT_EQ(r.status, 201);
    cookie = r.header("set-cookie").substr(0, r.header("set-cookie").find(';'));
    csrf = std::string(json::parse(r.body).at("csrf_token").as_string());
  }
  std::vector<std::string> open_slugs() {
    auto v = json::parse(get(server.port(), "/api/v1/articles?limit=50").body);
    std::vector<std::string> out;
    for (auto& a : v.at("articles").as_array())
      if (a.at("comments_open").as_bool()) out.emplace_back(a.at("slug").as_string());
    return out;
  }
  int64_t post(const std::string& slug, const std::string& body) {
    auto r =
        request(server.port(), {"POST",
                                "/api/v1/articles/" + slug + "/comments",
                                json::serialize(json::object{{"body", body}}),
                                {{"Content-Type", "application/json"}, {"Cookie", cookie}, {"X-CSRF-Token", csrf}}});
    EXPECT_EQ(r.status, 201) << r.body;
    return json::parse(r.body).at("comment").at("id").as_int64();
  }
};

}  // namespace

TEST_F(LiveTest, NewCommentsReachOpenPagesOfThatArticleOnly) {
  auto slugs = open_slugs();
  ASSERT_GE(slugs.size(), 2u);
  EventReader here(server.port(), "/api/v1/articles/" + slugs[0] + "/events");
  EventReader elsewhere(server.port(), "/api/v1/articles/" + slugs[1] + "/events");
  ASSERT_TRUE(here.wait_for("retry: 3000"));
  ASSERT_TRUE(here.text().starts_with("HTTP/1.1 200 OK"));
  ASSERT_NE(here.text().find("text/event-stream"), std::string::npos);
  ASSERT_TRUE(elsewhere.wait_for("retry: 3000"));
  auto started = std::chrono::steady_clock::now();
  auto id = post(slugs[0], "Breaking: a *live* comment");
  ASSERT_TRUE(here.wait_for("id: " + std::to_string(id) + "\nevent: comment.created\ndata: {"));
  auto latency = std::chrono::steady_clock::now() - started;
  EXPECT_LT(latency, std::chrono::seconds(1));
  EXPECT_NE(here.text().find("<em>live</em>"), std::string::npos);
  EXPECT_FALSE(elsewhere.wait_for("comment.created", std::chrono::milliseconds(500))) << "another article's page";
  auto metrics = get(server.port(), "/metrics");
  EXPECT_NE(metrics.body.find("tribune_live_subscribers 2"), std::string::npos);
}

TEST_F(LiveTest, EditsAndRemovalsAreLiveToo) {
  auto slug = open_slugs().at(0);
  auto id = post(slug, "to be edited");
  EventReader reader(server.port(), "/api/v1/articles/" + slug + "/events");
  ASSERT_TRUE(reader.wait_for("retry: 3000"));
  auto h = std::map<std::string, std::string>{
      {"Content-Type", "application/json"}, {"Cookie", cookie}, {"X-CSRF-Token", csrf}};
  EXPECT_EQ(
      request(server.port(), {"PATCH", "/api/v1/comments/" + std::to_string(id), R"({"body":"edited now"})", h}).status,
      200);
  EXPECT_TRUE(reader.wait_for("event: comment.updated"));
  EXPECT_TRUE(reader.wait_for("edited now"));
  EXPECT_EQ(request(server.port(), {"DELETE", "/api/v1/comments/" + std::to_string(id), {}, h}).status, 204);
  EXPECT_TRUE(
      reader.wait_for("event: comment.removed\ndata: {\"id\":" + std::to_string(id) + ",\"status\":\"deleted\"}"));
}

TEST_F(LiveTest, ReconnectingWithLastEventIdReplaysWhatWasMissed) {
  auto slug = open_slugs().at(0);
  auto first = post(slug, "seen before the disconnect");
  auto missed1 = post(slug, "missed one");
  auto missed2 = post(slug, "missed two");
  EventReader reader(server.port(), "/api/v1/articles/" + slug + "/events", {{"Last-Event-ID", std::to_string(first)}});
  ASSERT_TRUE(reader.wait_for("id: " + std::to_string(missed2) + "\n"));
  EXPECT_NE(reader.text().find("id: " + std::to_string(missed1) + "\n"), std::string::npos);
  EXPECT_EQ(reader.text().find("id: " + std::to_string(first) + "\n"), std::string::npos);
  auto bad = request(server.port(), {"GET", "/api/v1/articles/" + slug + "/events", {}, {{"Last-Event-ID", "banana"}}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(get(server.port(), "/api/v1/articles/no-such-article/events").status, 404);
}

// A frame published while the stream is still writing the previous one (a slow reader, a big frame) goes out
// right after it, not at the next heartbeat 20 seconds later. Found as a notification that reached a page
// only sometimes: the comment's own frame was being written when the notification was queued.
TEST_F(LiveTest, AFrameQueuedWhileTheStreamWritesGoesOutRightAfter) {
  auto slug = open_slugs().at(0);
  auto article = server.app().store().find_article(slug);
  ASSERT_TRUE(article);
  EventReader reader(server.port(), "/api/v1/articles/" + slug + "/events");
  ASSERT_TRUE(reader.wait_for("retry: 3000"));
  // Far more than the loopback socket buffers hold while the reader does not read: the write stays in flight.
  server.app().live().publish(article->id, sse_frame("comment.updated", 0, std::string(8 << 20, 'x')));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  server.app().live().publish(article->id, sse_frame("comment.updated", 0, "queued-during-the-write"));
  EXPECT_TRUE(reader.wait_for("queued-during-the-write", std::chrono::seconds(5)));
}

// A browser's EventSource ends the stream where Content-Length says: an event stream must carry none (it is
// delimited by the connection's end).
TEST_F(LiveTest, TheStreamsHeadHasNoContentLength) {
  auto slug = open_slugs().at(0);
  EventReader reader(server.port(), "/api/v1/articles/" + slug + "/events");
  ASSERT_TRUE(reader.wait_for("retry: 3000"));
  std::string head = reader.text().substr(0, reader.text().find("\r\n\r\n"));
  for (auto& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_NE(head.find("content-type: text/event-stream"), std::string::npos) << head;
  EXPECT_EQ(head.find("content-length"), std::string::npos) << head;
}

// Frames that arrive together go out in one write (live/hub.h): every reader still gets every frame, once and in
// order, including those published while its connection was busy writing.
TEST_F(LiveTest, FramesBatchedIntoOneWriteArriveEveryOneInOrderOnEveryReader) {
  auto slug = open_slugs().at(0);
  auto article = server.app().store().find_article(slug);
  ASSERT_TRUE(article);
  std::vector<std::unique_ptr<EventReader>> readers;
  for (int i = 0; i < 3; ++i) {
    readers.push_back(std::make_unique<EventReader>(server.port(), "/api/v1/articles/" + slug + "/events"));
    ASSERT_TRUE(readers.back()->wait_for("retry: 3000"));
  }
  // A frame larger than the socket buffers keeps each connection writing while the next 200 queue up.
  server.app().live().publish(article->id, sse_frame("comment.updated", 0, std::string(4 << 20, 'x')));
  auto label = [](int n) {  // frame-000; ... frame-199;
    std::string digits = std::to_string(n);
    return "frame-" + std::string(3 - digits.size(), '0') + digits + ";";
  };
  for (int n = 0; n < 200; ++n) server.app().live().publish(article->id, sse_frame("comment.updated", 0, label(n)));
  for (auto& r : readers) {
    ASSERT_TRUE(r->wait_for("frame-199;", std::chrono::seconds(10)));
    size_t at = 0;
    for (int n = 0; n < 200; ++n) {
      size_t next = r->text().find(label(n), at);
      ASSERT_NE(next, std::string::npos) << label(n) << " missing or out of order";
      at = next + 1;
      EXPECT_EQ(r->text().find(label(n), at), std::string::npos) << label(n) << " twice";
    }
  }
}

// Issue 12: a reader that stops reading is dropped after the write deadline, giving its place back.
TEST(LiveStreamLimits, AReaderThatDoesNotReadIsDroppedAtTheWriteDeadline) {
  TestServer server(true, {}, [](Config& c) { c.streams.write_timeout = std::chrono::seconds(1); });
  auto list = json::parse(get(server.port(), "/api/v1/articles?limit=1").body);
  std::string slug(list.at("articles").at(0).at("slug").as_string());
  auto article = server.app().store().find_article(slug);
  ASSERT_TRUE(article);
  EventReader reader(server.port(), "/api/v1/articles/" + slug + "/events");
  ASSERT_TRUE(reader.wait_for("retry: 3000"));
  EXPECT_EQ(server.app().live().gate().open(), 1u);
  // Far more than the socket buffers hold, and the reader reads nothing more.
  server.app().live().publish(article->id, sse_frame("comment.updated", 0, std::string(8 << 20, 'x')));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (server.app().live().gate().open() > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(server.app().live().gate().open(), 0u);
  EXPECT_EQ(server.app().live().subscribers(), 0u);
}

TEST(LiveStreamLimits, StreamsPastTheAddressCapAreRefusedWithRetryAfter) {
  TestServer server(true, {}, [](Config& c) { c.streams.per_address = 2; });
  auto list = json::parse(get(server.port(), "/api/v1/articles?limit=1").body);
  std::string slug(list.at("articles").at(0).at("slug").as_string());
  EventReader a(server.port(), "/api/v1/articles/" + slug + "/events");
  EventReader b(server.port(), "/api/v1/articles/" + slug + "/events");
  ASSERT_TRUE(a.wait_for("retry: 3000"));
  ASSERT_TRUE(b.wait_for("retry: 3000"));
  auto refused = get(server.port(), "/api/v1/articles/" + slug + "/events");
  EXPECT_EQ(refused.status, 503);
  EXPECT_EQ(refused.header("retry-after"), "30");
  EXPECT_EQ(json::parse(refused.body).at("error").at("code").as_string(), "too_many_streams");
  EXPECT_EQ(get(server.port(), "/healthz").status, 200);
}

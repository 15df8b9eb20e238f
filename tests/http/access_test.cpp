// Access declared in the route table and enforced once by the pipeline (issue 13): the same answers for every
// route of a kind, under /api/ (401/403 JSON) and on pages (a redirect to sign in that comes back, or 403).
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "test_support.h"

using namespace tribune;
using namespace tribune::testing;
namespace json = boost::json;

TEST(Access, TheRouteTableDecidesWhoMayCallARoute) {
  TestServer server(true);
  auto port = server.port();
  auto reader = register_reader(port, "access-reader@example.org", "Access Reader");
  auto moderator = staff_session(server, "access-mod@example.org", "Access Moderator", "moderator");
  auto token = server.app().tokens().create("access test", "moderator").token;
  auto bearer = [&](const std::string& target) {
    return request(port, {"GET", target, {}, {{"Authorization", "Bearer " + token}}});
  };

  // Staff routes: nobody signed in is 401, a reader 403, a moderator's session or token 200.
  auto anonymous = get(port, "/api/v1/moderation/queue");
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(error_code(anonymous), "unauthenticated");
  auto as_reader = reader.call("GET", "/api/v1/moderation/queue");
  EXPECT_EQ(as_reader.status, 403);
  EXPECT_EQ(error_code(as_reader), "forbidden");
  EXPECT_EQ(moderator.call("GET", "/api/v1/moderation/queue").status, 200);
  EXPECT_EQ(bearer("/api/v1/moderation/queue").status, 200);
  // Admin routes: a moderator is not an admin, whatever the credentials.
  EXPECT_EQ(moderator.call("GET", "/api/v1/admin/accounts").status, 403);
  EXPECT_EQ(bearer("/api/v1/admin/contributions/report").status, 403);
  EXPECT_EQ(get(port, "/api/v1/admin/contributions/report").status, 401);
  // Reader routes need a session: an API token has no reader behind it.
  auto me = bearer("/api/v1/me");
  EXPECT_EQ(me.status, 401);
  EXPECT_NE(me.body.find("not an API token"), std::string::npos);
  EXPECT_EQ(get(port, "/api/v1/me/notifications").status, 401);
  EXPECT_EQ(reader.call("GET", "/api/v1/me/notifications").status, 200);

  // Pages: a redirect to sign in that returns to the page, or to the page a form was posted from.
  auto page = get(port, "/moderation?view=held");
  EXPECT_EQ(page.status, 303);
  EXPECT_EQ(page.header("location"), "/signin?return_to=/moderation?view=held");
  auto posted =
      request(port, {"POST",
                     "/comment",
                     "article=x&body=hello",
                     {{"Content-Type", "application/x-www-form-urlencoded"},
                      {"Origin", "http://127.0.0.1:" + std::to_string(port)},
                      {"Referer", "http://127.0.0.1:" + std::to_string(port) + "/opinion/2026/01/01/a-piece"}}});
  EXPECT_EQ(posted.status, 303);
  EXPECT_EQ(posted.header("location"), "/signin?return_to=/opinion/2026/01/01/a-piece");
  auto forbidden = request(port, {"GET", "/moderation", {}, {{"Cookie", reader.cookie}}});
  EXPECT_EQ(forbidden.status, 403);
  EXPECT_NE(forbidden.body.find("<html"), std::string::npos) << "pages answer with a page";
  EXPECT_NE(forbidden.body.find(">Access Reader</a>"), std::string::npos)
      << "the error page keeps the reader signed in";
  EXPECT_EQ(request(port, {"GET", "/moderation", {}, {{"Cookie", moderator.cookie}}}).status, 200);
  EXPECT_EQ(request(port, {"GET", "/admin/accounts", {}, {{"Cookie", moderator.cookie}}}).status, 403);
}

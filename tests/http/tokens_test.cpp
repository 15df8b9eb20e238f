// API tokens (issue 15): an admin lists them with their last use, creates one (the secret shown once) and
// revokes one, from the API and from /admin/tokens without JavaScript. A revoked token opens nothing.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "test_support.h"
#include "util/text.h"

using namespace tribune;
using namespace tribune::testing;
namespace json = boost::json;

namespace {

HttpResult with_token(uint16_t port, const std::string& method, const std::string& target, const std::string& token) {
  return request(port, {method, target, {}, {{"Authorization", "Bearer " + token}}});
}

json::object token_named(const HttpResult& list, const std::string& name) {
  auto parsed = json::parse(list.body);
  for (const auto& t : parsed.at("tokens").as_array())
    if (t.at("name").as_string() == name) return t.as_object();
  ADD_FAILURE() << "no token " << name << " in " << list.body;
  return {};
}

}  // namespace

TEST(Tokens, AnAdminCreatesListsAndRevokesThemOverTheApi) {
  TestServer server(true);
  auto port = server.port();
  auto admin = staff_session(server, "tokens-admin@example.org", "Token Admin", "admin");
  auto editor = staff_session(server, "tokens-editor@example.org", "Token Editor", "editor");

  // Admins only: an editor's session, an editor's token and nobody are refused.
  auto editor_token = server.app().tokens().create("publishing script", "editor").token;
  EXPECT_EQ(editor.call("GET", "/api/v1/tokens").status, 403);
  EXPECT_EQ(with_token(port, "GET", "/api/v1/tokens", editor_token).status, 403);
  EXPECT_EQ(get(port, "/api/v1/tokens").status, 401);

  auto bad = admin.call("POST", "/api/v1/tokens", R"({"name":"x","role":"reader"})");
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(error_code(bad), "invalid_role");
  auto made = admin.call("POST", "/api/v1/tokens", R"({"name":"newsletter export","role":"moderator"})");
  ASSERT_EQ(made.status, 201) << made.body;
  auto created = json::parse(made.body).as_object();
  std::string secret(created.at("token").as_string());
  EXPECT_TRUE(secret.starts_with("trb_"));
  EXPECT_TRUE(created.at("last_used_at").is_null());

  // The list never holds a secret; a token's first use shows as its last use.
  auto before = admin.call("GET", "/api/v1/tokens");
  ASSERT_EQ(before.status, 200);
  EXPECT_EQ(before.body.find(secret), std::string::npos);
  EXPECT_EQ(before.body.find("\"token\""), std::string::npos);
  EXPECT_TRUE(token_named(before, "newsletter export").at("last_used_at").is_null());
  EXPECT_EQ(with_token(port, "GET", "/api/v1/moderation/queue", secret).status, 200);
  auto after_use = token_named(admin.call("GET", "/api/v1/tokens"), "newsletter export");
  EXPECT_TRUE(after_use.at("last_used_at").is_string());
  EXPECT_TRUE(after_use.at("revoked_at").is_null());

  // Revoked: refused at once, listed with the time; revoking again is no error; no such token is 404.
  auto id = created.at("id").as_int64();
  EXPECT_EQ(admin.call("DELETE", "/api/v1/tokens/" + std::to_string(id)).status, 204);
  auto refused = with_token(port, "GET", "/api/v1/moderation/queue", secret);
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(error_code(refused), "invalid_token");
  EXPECT_TRUE(token_named(admin.call("GET", "/api/v1/tokens"), "newsletter export").at("revoked_at").is_string());
  EXPECT_EQ(admin.call("DELETE", "/api/v1/tokens/" + std::to_string(id)).status, 204);
  auto missing = admin.call("DELETE", "/api/v1/tokens/999999");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(error_code(missing), "not_found");
  // The editor's token still works: revoking is one token's business.
  EXPECT_EQ(with_token(port, "GET", "/api/v1/moderation/queue", editor_token).status, 200);

  // Both acts are in the audit log, under the admin's name.
  auto log = admin.call("GET", "/api/v1/moderation/log");
  ASSERT_EQ(log.status, 200);
  EXPECT_NE(log.body.find("\"action\":\"create_token\""), std::string::npos);
  EXPECT_NE(log.body.find("\"action\":\"revoke_token\""), std::string::npos);
  EXPECT_NE(log.body.find("\"actor\":\"Token Admin\""), std::string::npos);
}

TEST(Tokens, AnAdminManagesThemFromTheBrowserWithoutJavaScript) {
  TestServer server(true);
  auto port = server.port();
  auto admin = staff_session(server, "tokens-page-admin@example.org", "Page Admin", "admin");
  auto editor = staff_session(server, "tokens-page-editor@example.org", "Page Editor", "editor");

  EXPECT_EQ(request(port, {"GET", "/admin/tokens", {}, {{"Cookie", editor.cookie}}}).status, 403);
  EXPECT_EQ(request(port, {"GET", "/", {}, {{"Cookie", editor.cookie}}}).body.find("href=\"/admin/tokens\""),
            std::string::npos);
  EXPECT_NE(
      request(port, {"GET", "/", {}, {{"Cookie", admin.cookie}}}).body.find("<a href=\"/admin/tokens\">API tokens</a>"),
      std::string::npos);
  auto empty = request(port, {"GET", "/admin/tokens", {}, {{"Cookie", admin.cookie}}});
  ASSERT_EQ(empty.status, 200);
  EXPECT_NE(empty.body.find("No token yet."), std::string::npos);

  // A refused form says why beside the form and keeps the chosen role.
  auto unnamed = admin.form("/admin/tokens", "name=&role=moderator");
  EXPECT_EQ(unnamed.status, 422);
  EXPECT_NE(unnamed.body.find("role=\"alert\" id=\"token-error\">name must be 1 to 120 characters"), std::string::npos);
  EXPECT_NE(unnamed.body.find("<option value=\"moderator\" selected>"), std::string::npos);

  // Created: the secret is on the answer, once; the list shows the token, never used.
  auto made = admin.form("/admin/tokens", "name=" + percent_encode("CMS bridge") + "&role=editor");
  ASSERT_EQ(made.status, 201);
  auto at = made.body.find("id=\"token-secret\" class=\"token-secret__value\" readonly value=\"trb_");
  ASSERT_NE(at, std::string::npos) << made.body;
  auto start = made.body.find("trb_", at);
  std::string secret = made.body.substr(start, made.body.find('"', start) - start);
  EXPECT_EQ(made.header("cache-control"), "private, no-store");
  auto list = request(port, {"GET", "/admin/tokens", {}, {{"Cookie", admin.cookie}}});
  EXPECT_EQ(list.body.find(secret), std::string::npos) << "shown once only";
  EXPECT_NE(list.body.find("<td>CMS bridge</td><td>editor</td>"), std::string::npos);
  EXPECT_NE(list.body.find("<td>Never</td>"), std::string::npos);

  // It works, then its use shows; revoked from the page, it opens nothing.
  EXPECT_EQ(with_token(port, "GET", "/api/v1/pages", secret).status, 200);
  list = request(port, {"GET", "/admin/tokens", {}, {{"Cookie", admin.cookie}}});
  EXPECT_EQ(list.body.find("<td>Never</td>"), std::string::npos);
  auto revoke_at = list.body.find("action=\"/admin/tokens/");
  ASSERT_NE(revoke_at, std::string::npos);
  auto action = list.body.substr(revoke_at + 8, list.body.find('"', revoke_at + 8) - revoke_at - 8);
  EXPECT_NE(list.body.find("aria-label=\"Revoke CMS bridge\""), std::string::npos);
  auto revoked = admin.form(action, "");
  EXPECT_EQ(revoked.status, 303);
  EXPECT_TRUE(revoked.header("location").starts_with("/admin/tokens?revoked="));
  auto after = request(port, {"GET", revoked.header("location"), {}, {{"Cookie", admin.cookie}}});
  EXPECT_NE(after.body.find("The token is revoked"), std::string::npos);
  EXPECT_NE(after.body.find("Revoked "), std::string::npos);
  EXPECT_EQ(after.body.find("aria-label=\"Revoke CMS bridge\""), std::string::npos);
  EXPECT_EQ(with_token(port, "GET", "/api/v1/pages", secret).status, 401);
  // Without the CSRF token, nothing is revoked or created.
  EXPECT_EQ(request(port, {"POST",
                           "/admin/tokens",
                           "name=sneaky&role=admin",
                           {{"Cookie", admin.cookie}, {"Content-Type", "application/x-www-form-urlencoded"}}})
                .status,
            403);
  EXPECT_EQ(server.app().tokens().list().size(), 1u);
}

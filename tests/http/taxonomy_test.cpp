// Sections, authors and tags at the desk (issue 15): renamed, moved and described through the API and the desk's
// forms without JavaScript; the old addresses of a section, its articles, an author and a merged tag redirect;
// names in later drafts still find them; the readers' pages show the introduction, the bio and the photo.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "support/images.h"
#include "test_support.h"
#include "util/text.h"

using namespace tribune;
using namespace tribune::testing;
namespace json = boost::json;

namespace {

HttpResult call(uint16_t port, const std::string& method, const std::string& target, const std::string& token,
                const std::string& body = {}) {
  RequestSpec spec{method, target, body, {{"Authorization", "Bearer " + token}}};
  if (!body.empty()) spec.headers["Content-Type"] = "application/json";
  return request(port, spec);
}

std::string code_of(const HttpResult& r) {
  return std::string(json::parse(r.body).at("error").at("code").as_string());
}

HttpResult page(const Reader& who, const std::string& path) {
  return request(who.port, {"GET", path, {}, {{"Cookie", who.cookie}}});
}

bool has(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST(Taxonomy, TheApiRenamesAndMovesASectionAndEveryOldAddressRedirects) {
  TestServer server(true);
  auto port = server.port();
  auto token = server.app().tokens().create("desk", "editor").token;
  auto made = call(port, "POST", "/api/v1/articles", token,
                   R"({"title":"Night trains return","authors":["Ruth Keller"],"section":"Opinion","body":"x",)"
                   R"("tags":["rail"]})");
  ASSERT_EQ(made.status, 201) << made.body;
  std::string old_url(json::parse(made.body).at("url").as_string());
  ASSERT_TRUE(old_url.starts_with("/opinion/"));

  auto list = call(port, "GET", "/api/v1/sections", token);
  ASSERT_EQ(list.status, 200);
  EXPECT_TRUE(has(list.body, R"({"slug":"opinion","name":"Opinion","description":"","url":"/opinion","articles":)"));
  EXPECT_EQ(get(port, "/api/v1/sections").status, 401);

  auto moved = call(port, "PUT", "/api/v1/sections/opinion", token,
                    R"({"name":"Commentary","slug":"commentary","description":"Our writers <argue>."})");
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(json::parse(moved.body).at("url").as_string(), "/commentary");
  auto section = get(port, "/commentary");
  ASSERT_EQ(section.status, 200);
  EXPECT_TRUE(has(section.body, "<p class=\"listing__intro\">Our writers &lt;argue&gt;.</p>"));
  EXPECT_TRUE(has(section.body, "Night trains return"));
  EXPECT_TRUE(has(section.body, ">Commentary</a>")) << "the navigation names it anew";
  auto old_section = get(port, "/opinion");
  EXPECT_EQ(old_section.status, 301);
  EXPECT_EQ(old_section.header("location"), "/commentary");
  std::string new_url = "/commentary" + old_url.substr(8);
  auto old_article = get(port, old_url);
  EXPECT_EQ(old_article.status, 301);
  EXPECT_EQ(old_article.header("location"), new_url);
  EXPECT_EQ(get(port, new_url).status, 200);

  // A later piece that still says "Opinion" goes to the same section.
  auto later = call(port, "POST", "/api/v1/articles", token,
                    R"({"title":"Sleepers","authors":["Ruth Keller"],"section":"Opinion","body":"x"})");
  ASSERT_EQ(later.status, 201);
  EXPECT_EQ(json::parse(later.body).at("section").at("slug").as_string(), "commentary");

  // A section only a draft names has no page yet (its name is the desk's until the piece goes out).
  ASSERT_EQ(
      call(port, "POST", "/api/v1/articles", token,
           R"({"title":"Plans","authors":["Ruth Keller"],"section":"Election night","body":"x","status":"draft"})")
          .status,
      201);
  EXPECT_EQ(get(port, "/election-night").status, 404);

  // Refusals: each with its code, nothing changed.
  EXPECT_EQ(code_of(call(port, "PUT", "/api/v1/sections/commentary", token, R"({"slug":"politics"})")), "slug_taken");
  EXPECT_EQ(code_of(call(port, "PUT", "/api/v1/sections/commentary", token, R"({"name":"Politics"})")), "name_taken");
  EXPECT_EQ(code_of(call(port, "PUT", "/api/v1/sections/commentary", token, R"({"slug":"desk"})")), "reserved_name");
  EXPECT_EQ(code_of(call(port, "PUT", "/api/v1/sections/commentary", token, R"({"slug":"Not A Slug"})")),
            "invalid_slug");
  EXPECT_EQ(code_of(call(port, "PUT", "/api/v1/sections/commentary", token, R"({"name":" "})")), "missing_field");
  EXPECT_EQ(code_of(call(port, "PUT", "/api/v1/sections/commentary", token, R"({"colour":"red"})")), "unknown_field");
  EXPECT_EQ(call(port, "PUT", "/api/v1/sections/nowhere", token, R"({"name":"X"})").status, 404);
  EXPECT_EQ(get(port, "/commentary").status, 200);

  // A name whose slug a fixed page has ("Comment": /comment) is fine for a section that exists: its articles,
  // naming it, still save. Only a new section is refused such a name.
  ASSERT_EQ(call(port, "PUT", "/api/v1/sections/commentary", token, R"({"name":"Comment"})").status, 200);
  auto resaved = call(port, "PUT", "/api/v1/articles/sleepers", token,
                      R"({"title":"Sleepers","authors":["Ruth Keller"],"section":"Comment","body":"y"})");
  ASSERT_EQ(resaved.status, 200) << resaved.body;
  EXPECT_EQ(json::parse(resaved.body).at("section").at("slug").as_string(), "commentary");
  EXPECT_EQ(code_of(call(port, "POST", "/api/v1/articles", token,
                         R"({"title":"Shadow","authors":["Ruth Keller"],"section":"Desk","body":"x"})")),
            "reserved_name");
}

TEST(Taxonomy, AnAuthorGetsAPhotoAndABioAndMovesAndAMergedTagRedirects) {
  TestServer server(true);
  auto port = server.port();
  auto token = server.app().tokens().create("desk", "editor").token;
  ASSERT_EQ(call(port, "POST", "/api/v1/articles", token,
                 R"({"title":"Fares and tides","authors":["Ruth Keller"],"section":"Opinion","body":"x",)"
                 R"("tags":["rail fares","Trains"]})")
                .status,
            201);
  auto png = save(gradient(300, 300, false), "pngsave_buffer");
  RequestSpec upload{"POST",
                     "/api/v1/images?alt=Ruth%20Keller",
                     png,
                     {{"Authorization", "Bearer " + token}, {"Content-Type", "image/png"}}};
  auto image = request(port, upload);
  ASSERT_EQ(image.status, 201) << image.body;
  std::string id(json::parse(image.body).at("image").at("id").as_string());

  auto saved = call(port, "PUT", "/api/v1/authors/ruth-keller", token,
                    R"({"slug":"ruth","bio":"Ruth Keller writes on transport.","photo":")" + id + R"("})");
  ASSERT_EQ(saved.status, 200) << saved.body;
  EXPECT_EQ(json::parse(saved.body).at("photo").at("id").as_string(), id);
  auto author = get(port, "/authors/ruth");
  ASSERT_EQ(author.status, 200);
  EXPECT_TRUE(has(author.body, "<p class=\"listing__intro\">Ruth Keller writes on transport.</p>"));
  EXPECT_TRUE(has(author.body, "alt=\"Ruth Keller\"")) << "the photo, with its alt text";
  EXPECT_TRUE(has(author.body, "/media/" + id + "/"));
  EXPECT_EQ(get(port, "/authors/ruth-keller").header("location"), "/authors/ruth");
  EXPECT_EQ(
      code_of(call(port, "PUT", "/api/v1/authors/ruth", token, R"({"photo":"00000000000000000000000000000000"})")),
      "no_such_image");
  auto removed = call(port, "PUT", "/api/v1/authors/ruth", token, R"({"photo":null})");
  ASSERT_EQ(removed.status, 200);
  EXPECT_TRUE(json::parse(removed.body).at("photo").is_null());

  // Tags: listed with slugs; one merged into another, then a merged address redirects, feed included.
  auto tags = call(port, "GET", "/api/v1/tags", token);
  EXPECT_TRUE(has(tags.body, R"({"slug":"rail-fares","name":"rail fares","url":"/tags/rail-fares","articles":1})"));
  auto merged = call(port, "POST", "/api/v1/tags/rail-fares/merge", token, R"({"into":"Trains"})");
  ASSERT_EQ(merged.status, 200) << merged.body;
  EXPECT_TRUE(has(merged.body, R"("slug":"trains")"));
  EXPECT_EQ(get(port, "/tags/rail-fares").header("location"), "/tags/trains");
  EXPECT_EQ(get(port, "/tags/rail-fares/feed.xml").header("location"), "/tags/trains/feed.xml");
  EXPECT_EQ(get(port, "/tags/rail%20fares").header("location"), "/tags/trains") << "the old text address too";
  auto article = get(port, "/api/v1/articles/fares-and-tides");
  EXPECT_EQ(json::parse(article.body).at("tags"), json::parse(R"(["Trains"])"));
  EXPECT_EQ(code_of(call(port, "POST", "/api/v1/tags/trains/merge", token, R"({"into":"Trains"})")), "same_tag");
  EXPECT_EQ(code_of(call(port, "POST", "/api/v1/tags/trains/merge", token, R"({"into":""})")), "missing_field");
  EXPECT_EQ(call(port, "POST", "/api/v1/tags/nothing/merge", token, R"({"into":"x"})").status, 404);
  EXPECT_EQ(
      request(port, {"POST", "/api/v1/tags/trains/merge", R"({"into":"x"})", {{"Content-Type", "application/json"}}})
          .status,
      401);
}

TEST(Taxonomy, TheDeskEditsSectionsAuthorsAndTagsWithoutJavaScript) {
  TestServer server(true);
  auto port = server.port();
  auto editor = staff_session(server, "tax-ed@example.org", "Tax Ed", "editor");
  auto moderator = staff_session(server, "tax-mod@example.org", "Tax Mod", "moderator");
  EXPECT_TRUE(has(page(editor, "/").body, "<a href=\"/desk/sections\">Sections, authors, tags</a>"));
  EXPECT_EQ(page(moderator, "/desk/sections").status, 403);
  EXPECT_EQ(moderator.form("/desk/tags/economy/merge", "into=x").status, 403);

  auto sections = page(editor, "/desk/sections");
  ASSERT_EQ(sections.status, 200);
  EXPECT_TRUE(has(sections.body, "<a class=\"button button--small\" href=\"/desk/sections/opinion\""));
  auto form = page(editor, "/desk/sections/opinion");
  ASSERT_EQ(form.status, 200);
  EXPECT_TRUE(has(form.body, "name=\"slug\""));
  // A reserved address is refused under its field, what was typed kept.
  auto refused = editor.form("/desk/sections/opinion", "name=Opinion&slug=admin&description=Argued.");
  EXPECT_EQ(refused.status, 422);
  EXPECT_TRUE(has(refused.body, "aria-invalid=\"true\""));
  EXPECT_TRUE(has(refused.body, "<small class=\"form__field-error\" id=\"sec-slug-error\">"));
  EXPECT_TRUE(has(refused.body, ">Argued.</textarea>"));
  auto ok = editor.form("/desk/sections/opinion", "name=Opinion&slug=views&description=Argued.");
  ASSERT_EQ(ok.status, 303) << ok.body;
  EXPECT_EQ(ok.header("location"), "/desk/sections?saved=views#section-views");
  EXPECT_EQ(get(port, "/opinion").header("location"), "/views");
  EXPECT_TRUE(has(get(port, "/views").body, "Argued."));

  // An author's photo uploaded with the form; without alt text it is refused beside the alt field.
  auto png = save(gradient(200, 200, false), "pngsave_buffer");
  auto authors = page(editor, "/desk/authors");
  ASSERT_EQ(authors.status, 200);
  auto no_alt = editor.multipart("/desk/authors/eleanor-whitcombe",
                                 {{"name", "Eleanor Whitcombe"}, {"slug", "eleanor-whitcombe"}},
                                 {{"photo_file", "eleanor.png", "image/png", png}});
  EXPECT_EQ(no_alt.status, 422);
  EXPECT_TRUE(has(no_alt.body, "id=\"au-photo-alt-error\""));
  auto with_photo = editor.multipart("/desk/authors/eleanor-whitcombe",
                                     {{"name", "Eleanor Whitcombe"},
                                      {"slug", "eleanor-whitcombe"},
                                      {"bio", "Eleanor writes."},
                                      {"photo_alt", "Eleanor Whitcombe"}},
                                     {{"photo_file", "eleanor.png", "image/png", png}});
  ASSERT_EQ(with_photo.status, 303) << with_photo.body;
  EXPECT_TRUE(has(get(port, "/authors/eleanor-whitcombe").body, "alt=\"Eleanor Whitcombe\""));
  EXPECT_TRUE(has(page(editor, "/desk/authors").body, "Eleanor writes."));

  // A tag merged from its form; a failed merge says why beside that tag's form.
  auto tags = page(editor, "/desk/tags");
  ASSERT_EQ(tags.status, 200);
  EXPECT_TRUE(has(tags.body, "action=\"/desk/tags/economy/merge\""));
  auto same = editor.form("/desk/tags/economy/merge", "into=economy");
  EXPECT_EQ(same.status, 422);
  EXPECT_TRUE(has(same.body, "id=\"merge-economy-error\">A tag cannot be merged into itself."));
  auto merged = editor.form("/desk/tags/economy/merge", "into=" + percent_encode("The economy"));
  ASSERT_EQ(merged.status, 303) << merged.body;
  EXPECT_EQ(merged.header("location"), "/desk/tags?merged=the-economy#tag-the-economy");
  EXPECT_EQ(get(port, "/tags/economy").header("location"), "/tags/the-economy");
  EXPECT_EQ(get(port, "/tags/the-economy").status, 200);
}

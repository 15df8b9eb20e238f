// The publication's own pages (issue 14): About, Contact, Community guidelines, Privacy and Terms in every
// footer, Tribune's default text until an editor saves the publication's own from the desk or the API; the
// privacy notice on both registration forms and the guidelines beside every comment box.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "test_support.h"
#include "util/text.h"

using namespace tribune;
using namespace tribune::testing;
namespace json = boost::json;

namespace {

HttpResult put_json(uint16_t port, const std::string& target, const std::string& body, const std::string& token) {
  return request(port,
                 {"PUT", target, body, {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token}}});
}

}  // namespace

TEST(Pages, EveryPageLinksThePublicationsPagesAndEachOneAnswers) {
  TestServer server(true);
  auto port = server.port();
  auto home = get(port, "/");
  for (auto [slug, title] : {std::pair{"about", "About us"}, std::pair{"contact", "Contact"},
                             std::pair{"community-guidelines", "Community guidelines"},
                             std::pair{"privacy", "Privacy notice"}, std::pair{"terms", "Terms of use"}}) {
    EXPECT_NE(home.body.find("<li><a href=\"/" + std::string(slug) + "\">" + title + "</a></li>"), std::string::npos)
        << slug << " in the footer";
    auto page = get(port, "/" + std::string(slug));
    ASSERT_EQ(page.status, 200) << slug;
    EXPECT_NE(page.body.find("<h1 class=\"listing__title\">" + std::string(title) + "</h1>"), std::string::npos);
    EXPECT_NE(page.body.find("<link rel=\"canonical\" href=\"http://127.0.0.1:" + std::to_string(port) + "/" + slug),
              std::string::npos);
    EXPECT_EQ(page.body.find("{{site}}"), std::string::npos) << "the site's name is filled in on " << slug;
    EXPECT_EQ(page.body.find("Last updated"), std::string::npos) << "Tribune's own text has no date";
  }
  // The default privacy notice is rendered Markdown and names the publication.
  auto privacy = get(port, "/privacy");
  EXPECT_NE(privacy.body.find("<h2>If you register</h2>"), std::string::npos);
  EXPECT_NE(privacy.body.find("This notice says what The Tribune keeps about you"), std::string::npos);
  // A section cannot take a page's address.
  auto token = server.app().tokens().create("pages", "editor").token;
  auto shadow = request(port, {"POST",
                               "/api/v1/articles",
                               R"({"title":"A piece","authors":["Ann Writer"],"section":"Privacy","body":"Text."})",
                               {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token}}});
  EXPECT_EQ(shadow.status, 422);
  EXPECT_EQ(error_code(shadow), "reserved_name");
  EXPECT_EQ(get(port, "/pages").status, 404);
}

TEST(Pages, AnEditorReplacesAPageFromTheDeskWithoutJavaScript) {
  TestServer server(true);
  auto port = server.port();
  auto editor = staff_session(server, "desk-editor@example.org", "Desk Editor", "editor");
  auto moderator = staff_session(server, "desk-mod@example.org", "Desk Moderator", "moderator");
  auto reader = register_reader(port, "desk-reader@example.org", "Desk Reader");

  // Only editors and admins reach the desk, and its link is in their staff menu only.
  EXPECT_EQ(request(port, {"GET", "/desk/pages", {}, {{"Cookie", moderator.cookie}}}).status, 403);
  EXPECT_EQ(request(port, {"GET", "/desk/pages", {}, {{"Cookie", reader.cookie}}}).status, 403);
  EXPECT_EQ(get(port, "/desk/pages").status, 303);
  EXPECT_EQ(request(port, {"GET", "/", {}, {{"Cookie", moderator.cookie}}}).body.find("href=\"/desk/pages\""),
            std::string::npos);
  EXPECT_NE(request(port, {"GET", "/", {}, {{"Cookie", editor.cookie}}}).body.find("<a href=\"/desk/pages\">Pages</a>"),
            std::string::npos);
  auto list = request(port, {"GET", "/desk/pages", {}, {{"Cookie", editor.cookie}}});
  ASSERT_EQ(list.status, 200);
  EXPECT_NE(list.body.find("Tribune's default text"), std::string::npos);
  auto form = request(port, {"GET", "/desk/pages/about", {}, {{"Cookie", editor.cookie}}});
  ASSERT_EQ(form.status, 200);
  EXPECT_NE(form.body.find("name=\"version\" value=\"0\""), std::string::npos);
  EXPECT_NE(form.body.find("The Tribune is an opinion page"), std::string::npos) << "the default text to start from";

  // A save without a title is refused where the editor is looking, and keeps what they typed.
  auto untitled = editor.form("/desk/pages/about", "version=0&title=&body=" + percent_encode("Our own words."));
  EXPECT_EQ(untitled.status, 422);
  EXPECT_NE(untitled.body.find("role=\"alert\""), std::string::npos);
  EXPECT_NE(untitled.body.find("Our own words."), std::string::npos);
  EXPECT_EQ(get(port, "/about").body.find("Our own words."), std::string::npos);

  // Saved: the page shows it at once (the cached copy is dropped), with its date.
  auto body = "We are a *small* newsroom.\n\n<script>alert(1)</script>\n\n## Staff\n\nTwo editors.";
  auto saved = editor.form("/desk/pages/about", "version=0&title=" + percent_encode("About The Tribune") +
                                                    "&description=" + percent_encode("Who we are.") +
                                                    "&body=" + percent_encode(body));
  EXPECT_EQ(saved.status, 303);
  EXPECT_EQ(saved.header("location"), "/desk/pages?saved=about");
  auto about = get(port, "/about");
  EXPECT_NE(about.body.find("<h1 class=\"listing__title\">About The Tribune</h1>"), std::string::npos);
  EXPECT_NE(about.body.find("We are a <em>small</em> newsroom."), std::string::npos);
  EXPECT_NE(about.body.find("<h2>Staff</h2>"), std::string::npos);
  EXPECT_EQ(about.body.find("<script>alert"), std::string::npos) << "raw HTML never passes";
  EXPECT_NE(about.body.find("<meta name=\"description\" content=\"Who we are.\">"), std::string::npos);
  EXPECT_NE(about.body.find("Last updated"), std::string::npos);
  EXPECT_EQ(get(port, "/contact").body.find("Last updated"), std::string::npos) << "only the saved page changed";
  EXPECT_NE(request(port, {"GET", "/desk/pages", {}, {{"Cookie", editor.cookie}}}).body.find("Yours, last saved"),
            std::string::npos);

  // A second editor who opened the page before that save is refused, keeping their text; nothing is lost.
  auto late = editor.form("/desk/pages/about", "version=0&title=Late&body=" + percent_encode("Someone else's words."));
  EXPECT_EQ(late.status, 409);
  EXPECT_NE(late.body.find("Someone else saved this page since you opened it."), std::string::npos);
  EXPECT_NE(late.body.find("Someone else&#39;s words."), std::string::npos);
  EXPECT_NE(late.body.find("name=\"version\" value=\"1\""), std::string::npos) << "saving again replaces theirs";
  EXPECT_NE(get(port, "/about").body.find("We are a <em>small</em> newsroom."), std::string::npos);
  EXPECT_EQ(editor.form("/desk/pages/about", "version=1&title=Late&body=" + percent_encode("Mine after all.")).status,
            303);
  EXPECT_NE(get(port, "/about").body.find("Mine after all."), std::string::npos);

  // A form without the CSRF token is refused; a reader's post is forbidden; an unknown page is not found.
  auto forged = request(port, {"POST",
                               "/desk/pages/about",
                               "version=2&title=X&body=Y",
                               {{"Content-Type", "application/x-www-form-urlencoded"}, {"Cookie", editor.cookie}}});
  EXPECT_EQ(forged.status, 403);
  EXPECT_EQ(reader.form("/desk/pages/about", "version=2&title=X&body=Y").status, 403);
  EXPECT_EQ(editor.form("/desk/pages/history", "version=0&title=X&body=Y").status, 404);
  EXPECT_NE(get(port, "/about").body.find("Mine after all."), std::string::npos);
}

TEST(Pages, TheApiReadsAndWritesPagesForEditorsOnly) {
  TestServer server(true);
  auto port = server.port();
  auto editor = server.app().tokens().create("pages api", "editor").token;
  auto moderator = server.app().tokens().create("pages api", "moderator").token;

  auto all = json::parse(get(port, "/api/v1/pages").body).at("pages").as_array();
  ASSERT_EQ(all.size(), 5u);
  EXPECT_EQ(all[0].at("slug").as_string(), "about");
  EXPECT_EQ(all[0].at("version").as_int64(), 0);
  EXPECT_TRUE(all[0].at("updated_at").is_null());

  auto body = R"({"title":"Terms","body":"Be kind.","version":0})";
  EXPECT_EQ(put_json(port, "/api/v1/pages/terms", body, moderator).status, 403);
  EXPECT_EQ(request(port, {"PUT", "/api/v1/pages/terms", body, {{"Content-Type", "application/json"}}}).status, 401);
  auto saved = put_json(port, "/api/v1/pages/terms", body, editor);
  ASSERT_EQ(saved.status, 200) << saved.body;
  auto page = json::parse(saved.body).as_object();
  EXPECT_EQ(page.at("version").as_int64(), 1);
  EXPECT_EQ(page.at("body_html").as_string(), "<p>Be kind.</p>\n");
  EXPECT_FALSE(page.at("updated_at").is_null());
  // Version 0 again: someone saved since.
  auto stale = put_json(port, "/api/v1/pages/terms", body, editor);
  EXPECT_EQ(stale.status, 409);
  EXPECT_EQ(error_code(stale), "edit_conflict");
  // Without a version the save replaces whatever is there (scripts that own the text).
  auto forced = put_json(port, "/api/v1/pages/terms", R"({"title":"Terms","body":"Be kinder."})", editor);
  EXPECT_EQ(json::parse(forced.body).at("version").as_int64(), 2);
  EXPECT_NE(get(port, "/terms").body.find("Be kinder."), std::string::npos);
  // Bad input: a clear error, nothing written.
  auto missing = put_json(port, "/api/v1/pages/terms", R"({"title":"Terms"})", editor);
  EXPECT_EQ(missing.status, 422);
  auto multiline = put_json(port, "/api/v1/pages/terms", R"({"title":"Two\nlines","body":"x"})", editor);
  EXPECT_EQ(error_code(multiline), "not_single_line");
  auto unknown_field = put_json(port, "/api/v1/pages/terms", R"({"title":"T","body":"x","slug":"y"})", editor);
  EXPECT_EQ(unknown_field.status, 400);
  EXPECT_EQ(error_code(unknown_field), "unknown_field");
  EXPECT_EQ(put_json(port, "/api/v1/pages/imprint", R"({"title":"T","body":"x"})", editor).status, 404);
  EXPECT_EQ(get(port, "/api/v1/pages/imprint").status, 404);
  EXPECT_EQ(json::parse(get(port, "/api/v1/pages/terms").body).at("body").as_string(), "Be kinder.");
}

TEST(Pages, RegistrationSaysWhatIsKeptAndCommentBoxesLinkTheGuidelines) {
  TestServer server(true);
  auto port = server.port();
  auto register_page = get(port, "/register");
  EXPECT_NE(register_page.body.find("our <a href=\"/privacy\">privacy notice</a> says what we keep and why"),
            std::string::npos);
  auto article = json::parse(get(port, "/api/v1/articles?limit=1").body).at("articles").at(0).at("url");
  std::string url(article.as_string());
  auto anonymous = get(port, url);
  EXPECT_NE(anonymous.body.find("id=\"register-form\""), std::string::npos);
  EXPECT_NE(anonymous.body.find("<a href=\"/terms\">terms of use</a>"), std::string::npos);
  auto reader = register_reader(port, "guidelines@example.org", "Guide Reader");
  auto signed_in = request(port, {"GET", url, {}, {{"Cookie", reader.cookie}}});
  EXPECT_NE(signed_in.body.find("Please keep to our <a href=\"/community-guidelines\">community guidelines</a>."),
            std::string::npos);
}

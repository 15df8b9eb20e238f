// An article's life after the first save (issue 15): drafts, unpublishing, retraction and deletion, through
// the API; what readers see at each step (the page, the JSON, listings, the feed, the sitemap); the desk's
// list by status; and two editors saving the same version.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <thread>

#include "test_support.h"
#include "util/text.h"

using namespace tribune;
using namespace tribune::testing;
namespace json = boost::json;

namespace {

struct Editor {
  uint16_t port;
  std::string token;
  HttpResult send(const std::string& verb, const std::string& path, const std::string& body = {}) const {
    std::map<std::string, std::string> headers{{"Authorization", "Bearer " + token}};
    if (!body.empty()) headers["Content-Type"] = "application/json";
    return request(port, {verb, path, body, headers});
  }
};

json::object parse(const HttpResult& r) {
  return json::parse(r.body).as_object();
}

std::vector<std::string> slugs_in(const HttpResult& list) {
  std::vector<std::string> out;
  auto parsed = json::parse(list.body);
  for (const auto& a : parsed.at("articles").as_array()) out.emplace_back(a.at("slug").as_string());
  return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::ranges::find(v, s) != v.end();
}

const std::string kFields = R"("authors":["Ruth Keller"],"section":"Opinion","body":"The text of the piece.")";

}  // namespace

TEST(ArticleLife, ADraftIsTheDesksUntilItGoesOutAndThenItsDateIsThePublicationTime) {
  TestServer server(true);
  Editor editor{server.port(), server.app().tokens().create("desk", "editor").token};
  auto port = server.port();

  auto draft = editor.send("POST", "/api/v1/articles",
                           R"({"title":"A draft on rail fares","slug":"rail-fares","status":"draft",)" + kFields + "}");
  ASSERT_EQ(draft.status, 201) << draft.body;
  EXPECT_EQ(parse(draft).at("status"), "draft");
  std::string draft_url(parse(draft).at("url").as_string());
  // Readers see nothing of it: page, JSON, listings, feed, sitemap.
  EXPECT_EQ(get(port, draft_url).status, 404);
  EXPECT_EQ(get(port, "/api/v1/articles/rail-fares").status, 404);
  EXPECT_FALSE(contains(slugs_in(get(port, "/api/v1/articles?limit=100")), "rail-fares"));
  EXPECT_EQ(get(port, "/").body.find("A draft on rail fares"), std::string::npos);
  EXPECT_EQ(get(port, "/feed.xml").body.find("rail-fares"), std::string::npos);
  EXPECT_EQ(get(port, "/sitemap.xml").body.find("rail-fares"), std::string::npos);
  // The desk has it, with its Markdown; readers and moderators cannot ask the desk.
  auto desk = editor.send("GET", "/api/v1/desk/articles?status=draft");
  ASSERT_EQ(desk.status, 200);
  EXPECT_EQ(slugs_in(desk), std::vector<std::string>{"rail-fares"});
  auto one = editor.send("GET", "/api/v1/desk/articles/rail-fares");
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(parse(one).at("body"), "The text of the piece.");
  EXPECT_EQ(get(port, "/api/v1/desk/articles").status, 401);
  auto moderator = server.app().tokens().create("mods", "moderator").token;
  EXPECT_EQ(request(port, {"GET", "/api/v1/desk/articles", {}, {{"Authorization", "Bearer " + moderator}}}).status,
            403);
  EXPECT_EQ(error_code(editor.send("GET", "/api/v1/desk/articles?status=lost")), "invalid_status");
  auto retracting_a_draft = editor.send("POST", "/api/v1/articles/rail-fares/retract", R"({"note":"No."})");
  EXPECT_EQ(retracting_a_draft.status, 409);
  EXPECT_EQ(error_code(retracting_a_draft), "not_published");

  // Published without a time: it goes out now, in every listing.
  auto out = editor.send("PUT", "/api/v1/articles/rail-fares",
                         R"({"title":"Rail fares must fall","status":"published",)" + kFields + "}");
  ASSERT_EQ(out.status, 200) << out.body;
  auto published = parse(out);
  EXPECT_EQ(published.at("status"), "published");
  EXPECT_EQ(published.at("published_at"), published.at("updated_at"));
  auto now = format_rfc3339(now_seconds());
  EXPECT_GE(std::string(published.at("published_at").as_string()), now.substr(0, 10)) << "dated today";
  std::string url(published.at("url").as_string());
  EXPECT_EQ(get(port, url).status, 200);
  EXPECT_NE(get(port, "/").body.find("Rail fares must fall"), std::string::npos);
  EXPECT_NE(get(port, "/feed.xml").body.find("rail-fares"), std::string::npos);
  EXPECT_NE(get(port, "/sitemap.xml").body.find("rail-fares"), std::string::npos);
  // A front-matter style status that is neither is refused.
  auto bad = editor.send("PUT", "/api/v1/articles/rail-fares",
                         R"({"title":"Rail fares must fall","status":"deleted",)" + kFields + "}");
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(error_code(bad), "invalid_status");
}

TEST(ArticleLife, UnpublishRetractAndDeleteAreWhatReadersSeeEverywhere) {
  TestServer server(true);
  Editor editor{server.port(), server.app().tokens().create("desk", "editor").token};
  auto port = server.port();
  auto reader = register_reader(port, "life-reader@example.org", "Life Reader");

  auto made = editor.send("POST", "/api/v1/articles",
                          R"({"title":"The bridge that was never built","slug":"the-bridge","published_at":)"
                          R"("2024-03-05T09:00:00Z",)" +
                              kFields + "}");
  ASSERT_EQ(made.status, 201) << made.body;
  std::string url(parse(made).at("url").as_string());
  auto comment = reader.call("POST", "/api/v1/articles/the-bridge/comments", R"({"body":"A comment to keep."})");
  ASSERT_EQ(comment.status, 201) << comment.body;
  auto comment_id = parse(comment).at("comment").at("id").as_int64();
  ASSERT_EQ(get(port, url).status, 200);  // cached now

  // Unpublished: 404 everywhere at once (the cached page too); back, it keeps its date and URL... if given.
  auto unpublished = editor.send("POST", "/api/v1/articles/the-bridge/unpublish");
  ASSERT_EQ(unpublished.status, 200) << unpublished.body;
  EXPECT_EQ(parse(unpublished).at("status"), "draft");
  EXPECT_EQ(get(port, url).status, 404);
  EXPECT_EQ(get(port, "/api/v1/articles/the-bridge").status, 404);
  EXPECT_EQ(get(port, "/feed.xml").body.find("the-bridge"), std::string::npos);
  EXPECT_EQ(get(port, "/sitemap.xml").body.find("the-bridge"), std::string::npos);
  EXPECT_EQ(get(port, "/comments/" + std::to_string(comment_id)).status, 404) << "its conversation goes with it";
  auto back = editor.send("PUT", "/api/v1/articles/the-bridge",
                          R"({"title":"The bridge that was never built","status":"published","published_at":)"
                          R"("2024-03-05T09:00:00Z",)" +
                              kFields + "}");
  ASSERT_EQ(back.status, 200) << back.body;
  EXPECT_EQ(parse(back).at("url").as_string(), url);
  EXPECT_EQ(get(port, url).status, 200);

  // Retracted: the page stays, under the notice; it leaves listings; comments close.
  EXPECT_EQ(error_code(editor.send("POST", "/api/v1/articles/the-bridge/retract", R"({"note":" "})")), "missing_field");
  auto retracted = editor.send("POST", "/api/v1/articles/the-bridge/retract",
                               R"({"note":"The bridge's plans we quoted were forged. <b>Sorry</b>."})");
  ASSERT_EQ(retracted.status, 200) << retracted.body;
  EXPECT_EQ(parse(retracted).at("status"), "retracted");
  auto page = get(port, url);
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("<p class=\"article__retraction\" role=\"note\"><strong>Retracted</strong>"),
            std::string::npos);
  EXPECT_NE(page.body.find("The bridge&#39;s plans we quoted were forged. &lt;b&gt;Sorry&lt;/b&gt;."),
            std::string::npos)
      << "the note is text, escaped";
  EXPECT_NE(page.body.find("Comments are closed on this article."), std::string::npos);
  EXPECT_NE(page.body.find("A comment to keep."), std::string::npos) << "the conversation stays readable";
  auto api = parse(get(port, "/api/v1/articles/the-bridge"));
  EXPECT_EQ(api.at("status"), "retracted");
  EXPECT_EQ(api.at("retraction").at("note"), "The bridge's plans we quoted were forged. <b>Sorry</b>.");
  EXPECT_FALSE(contains(slugs_in(get(port, "/api/v1/articles?limit=100")), "the-bridge"));
  EXPECT_EQ(get(port, "/feed.xml").body.find("the-bridge"), std::string::npos);
  auto closed = reader.call("POST", "/api/v1/articles/the-bridge/comments", R"({"body":"Too late."})");
  EXPECT_EQ(closed.status, 403);
  EXPECT_EQ(error_code(closed), "comments_closed");
  EXPECT_EQ(slugs_in(editor.send("GET", "/api/v1/desk/articles?status=retracted")),
            std::vector<std::string>{"the-bridge"});
  // Saving a retracted piece's text (a typo) keeps it retracted.
  auto typo = editor.send("PUT", "/api/v1/articles/the-bridge",
                          R"({"title":"The bridge that was never built",)" + kFields + "}");
  ASSERT_EQ(typo.status, 200);
  EXPECT_EQ(parse(typo).at("status"), "retracted");

  // Deleted: 410 for the page and the JSON; out of the desk's default list; comments kept for moderators.
  EXPECT_EQ(editor.send("DELETE", "/api/v1/articles/the-bridge").status, 204);
  auto gone = get(port, url);
  EXPECT_EQ(gone.status, 410);
  EXPECT_NE(gone.body.find("has been deleted"), std::string::npos);
  auto gone_api = get(port, "/api/v1/articles/the-bridge");
  EXPECT_EQ(gone_api.status, 410);
  EXPECT_EQ(error_code(gone_api), "gone");
  EXPECT_EQ(get(port, "/comments/" + std::to_string(comment_id)).status, 404);
  EXPECT_FALSE(contains(slugs_in(editor.send("GET", "/api/v1/desk/articles")), "the-bridge"));
  EXPECT_EQ(slugs_in(editor.send("GET", "/api/v1/desk/articles?status=deleted")),
            std::vector<std::string>{"the-bridge"});
  auto moderator = staff_session(server, "life-mod@example.org", "Life Mod", "moderator");
  auto history = moderator.call("GET", "/api/v1/moderation/accounts/" + std::to_string(reader.id) + "/history");
  ASSERT_EQ(history.status, 200) << history.body;
  EXPECT_NE(history.body.find("A comment to keep."), std::string::npos);
  EXPECT_EQ(editor.send("DELETE", "/api/v1/articles/no-such-piece").status, 404);
}

TEST(ArticleLife, OfTwoEditorsSavingTheSameVersionTheSecondIsToldAndNothingIsLost) {
  TestServer server(true);
  Editor editor{server.port(), server.app().tokens().create("desk", "editor").token};
  auto made = editor.send("POST", "/api/v1/articles", R"({"title":"Two hands","slug":"two-hands",)" + kFields + "}");
  ASSERT_EQ(made.status, 201);
  auto version = parse(made).at("version").as_int64();
  auto save = [&](const std::string& body) {
    return editor.send("PUT", "/api/v1/articles/two-hands",
                       R"({"title":"Two hands","authors":["Ruth Keller"],"section":"Opinion","version":)" +
                           std::to_string(version) + R"(,"body":")" + body + "\"}");
  };
  auto first = save("The first editor's words.");
  ASSERT_EQ(first.status, 200) << first.body;
  auto second = save("The second editor's words.");
  EXPECT_EQ(second.status, 409);
  EXPECT_EQ(error_code(second), "edit_conflict");
  auto now = parse(editor.send("GET", "/api/v1/desk/articles/two-hands"));
  EXPECT_EQ(now.at("body"), "The first editor's words.");
  EXPECT_EQ(now.at("version").as_int64(), version + 1);
  EXPECT_EQ(error_code(editor.send("PUT", "/api/v1/articles/two-hands",
                                   R"({"title":"Two hands","version":"7",)" + kFields + "}")),
            "invalid_type");
}

TEST(ArticleLife, EverySaveIsARevisionToCompareAndRestoreKeepingStateDateAndUrl) {
  TestServer server(true);
  Editor editor{server.port(), server.app().tokens().create("desk bot", "editor").token};
  auto port = server.port();
  auto made =
      editor.send("POST", "/api/v1/articles",
                  R"({"title":"Tides","slug":"tides","published_at":"2024-05-01T08:00:00Z",)"
                  R"("authors":["Ruth Keller"],"section":"Opinion","body":"Line one.\nLine two.\nLine three."})");
  ASSERT_EQ(made.status, 201) << made.body;
  std::string url(parse(made).at("url").as_string());
  auto second = editor.send("PUT", "/api/v1/articles/tides",
                            R"({"title":"Tides, revised","authors":["Ruth Keller"],"section":"Opinion",)"
                            R"("body":"Line one.\nLine 2, better.\nLine three.","correction":"We fixed line two."})");
  ASSERT_EQ(second.status, 200);
  ASSERT_EQ(editor.send("POST", "/api/v1/articles/tides/retract", R"({"note":"Wrong tides."})").status, 200);

  auto list = editor.send("GET", "/api/v1/desk/articles/tides/revisions");
  ASSERT_EQ(list.status, 200);
  auto revisions = json::parse(list.body).at("revisions").as_array();
  ASSERT_EQ(revisions.size(), 2u) << "two saves; a retraction is not a save";
  EXPECT_EQ(revisions[0].at("version").as_int64(), 2);
  EXPECT_EQ(revisions[0].at("saved_by"), "desk bot");
  auto first_id = revisions[1].at("id").as_int64();
  auto first = parse(editor.send("GET", "/api/v1/desk/articles/tides/revisions/" + std::to_string(first_id)));
  EXPECT_EQ(first.at("title"), "Tides");
  EXPECT_EQ(first.at("body"), "Line one.\nLine two.\nLine three.");
  std::vector<std::pair<std::string, std::string>> diff;
  for (const auto& l : first.at("diff").as_array())
    diff.emplace_back(l.at("kind").as_string(), l.at("text").as_string());
  std::vector<std::pair<std::string, std::string>> want{
      {"same", "Line one."}, {"removed", "Line two."}, {"added", "Line 2, better."}, {"same", "Line three."}};
  EXPECT_EQ(diff, want);

  // Restored: the first text is back as a new save; still retracted, same date, same URL.
  auto stale = editor.send("POST", "/api/v1/desk/articles/tides/revisions/" + std::to_string(first_id) + "/restore",
                           R"({"version":1})");
  EXPECT_EQ(stale.status, 409);
  auto restored = editor.send("POST", "/api/v1/desk/articles/tides/revisions/" + std::to_string(first_id) + "/restore");
  ASSERT_EQ(restored.status, 200) << restored.body;
  auto a = parse(restored);
  EXPECT_EQ(a.at("title"), "Tides");
  EXPECT_EQ(a.at("body"), "Line one.\nLine two.\nLine three.");
  EXPECT_EQ(a.at("status"), "retracted");
  EXPECT_EQ(a.at("url").as_string(), url);
  EXPECT_EQ(a.at("published_at"), "2024-05-01T08:00:00Z");
  EXPECT_EQ(
      json::parse(editor.send("GET", "/api/v1/desk/articles/tides/revisions").body).at("revisions").as_array().size(),
      3u);
  EXPECT_EQ(editor.send("GET", "/api/v1/desk/articles/tides/revisions/999999").status, 404);
  EXPECT_EQ(editor.send("GET", "/api/v1/desk/articles/nothing/revisions").status, 404);
  EXPECT_EQ(get(port, "/api/v1/desk/articles/tides/revisions").status, 401);
}

TEST(ArticleLife, ACorrectionIsDatedOnTheArticleAndListedOnTheCorrectionsPage) {
  TestServer server(true);
  Editor editor{server.port(), server.app().tokens().create("desk", "editor").token};
  auto port = server.port();
  auto empty = get(port, "/corrections");
  ASSERT_EQ(empty.status, 200);
  EXPECT_NE(empty.body.find("No correction yet."), std::string::npos);
  EXPECT_NE(get(port, "/").body.find("<li><a href=\"/corrections\">Corrections</a></li>"), std::string::npos);

  const std::string head = R"("authors":["Ruth Keller"],"section":"Opinion","published_at":"2024-05-01T08:00:00Z",)";
  ASSERT_EQ(
      editor.send("POST", "/api/v1/articles", R"({"title":"Tides","slug":"tides",)" + head + R"("body":"A."})").status,
      201);
  auto fixed = editor.send("PUT", "/api/v1/articles/tides",
                           R"({"title":"Tides",)" + head + R"("body":"B.","correction":"We gave the wrong moon."})");
  ASSERT_EQ(fixed.status, 200);
  auto a = parse(fixed);
  ASSERT_TRUE(a.at("corrected_at").is_string()) << fixed.body;
  auto corrected_at = std::string(a.at("corrected_at").as_string());
  // Saving again with the same note keeps its date; the page shows the date beside the note.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  auto again =
      parse(editor.send("PUT", "/api/v1/articles/tides",
                        R"({"title":"Tides",)" + head + R"("body":"C.","correction":"We gave the wrong moon."})"));
  EXPECT_EQ(again.at("corrected_at").as_string(), corrected_at);
  std::string url(a.at("url").as_string());
  auto page = get(port, url);
  EXPECT_NE(page.body.find("<strong>Correction:</strong> We gave the wrong moon. <span class=\"article__corrected\">("
                           "<time datetime=\"" +
                           corrected_at + "\">"),
            std::string::npos);
  auto list = get(port, "/corrections");
  EXPECT_NE(list.body.find("<a href=\"" + url + "\">Tides</a>"), std::string::npos);
  EXPECT_NE(list.body.find("We gave the wrong moon."), std::string::npos);
  EXPECT_NE(list.body.find("<link rel=\"canonical\""), std::string::npos);
  // An unpublished piece's correction leaves the page with it.
  ASSERT_EQ(editor.send("POST", "/api/v1/articles/tides/unpublish").status, 200);
  EXPECT_EQ(get(port, "/corrections").body.find("We gave the wrong moon."), std::string::npos);
  // A section cannot take the page's address.
  auto shadow =
      editor.send("POST", "/api/v1/articles", R"({"title":"X","authors":["A"],"section":"Corrections","body":"x"})");
  EXPECT_EQ(error_code(shadow), "reserved_name");
}

// Every path a comment is reached by outside its conversation follows its article out of sight; a draft's
// new section, new author and bio stay off the public site until it goes out (found by a review).
TEST(ArticleLife, NothingOfADraftOrADeletedPieceShowsThroughOtherPaths) {
  TestServer server(true);
  Editor editor{server.port(), server.app().tokens().create("desk", "editor").token};
  auto port = server.port();
  auto reader = register_reader(port, "paths-reader@example.org", "Paths Reader");
  auto other = register_reader(port, "paths-other@example.org", "Paths Other");
  ASSERT_EQ(
      editor.send("POST", "/api/v1/articles", R"({"title":"Short lived","slug":"short-lived",)" + kFields + "}").status,
      201);
  auto posted = reader.call("POST", "/api/v1/articles/short-lived/comments", R"({"body":"Words on a doomed piece."})");
  ASSERT_EQ(posted.status, 201) << posted.body;
  auto id = std::to_string(parse(posted).at("comment").at("id").as_int64());
  ASSERT_NE(get(port, "/readers/" + std::to_string(reader.id)).body.find("Words on a doomed piece."),
            std::string::npos);

  // Retracted: the conversation is closed to edits as well as to new comments.
  ASSERT_EQ(editor.send("POST", "/api/v1/articles/short-lived/retract", R"({"note":"Wrong."})").status, 200);
  auto edit = reader.call("PATCH", "/api/v1/comments/" + id, R"({"body":"Rewritten after the retraction."})");
  EXPECT_EQ(edit.status, 403);
  EXPECT_EQ(error_code(edit), "comments_closed");

  ASSERT_EQ(editor.send("DELETE", "/api/v1/articles/short-lived").status, 204);
  EXPECT_EQ(get(port, "/readers/" + std::to_string(reader.id)).body.find("Words on a doomed piece."),
            std::string::npos);
  EXPECT_EQ(get(port, "/api/v1/readers/" + std::to_string(reader.id)).body.find("Words on a doomed piece."),
            std::string::npos);
  EXPECT_EQ(other.call("PUT", "/api/v1/comments/" + id + "/reactions/recommend").status, 404);
  EXPECT_EQ(other.call("POST", "/api/v1/comments/" + id + "/reports", R"({"reason":"spam"})").status, 404);
  EXPECT_EQ(request(port, {"GET", "/comments/" + id + "/recommend", {}, {{"Cookie", other.cookie}}}).status, 404);
  auto followed = other.call("PUT", "/api/v1/readers/" + std::to_string(reader.id) + "/follow");
  ASSERT_TRUE(followed.status == 200 || followed.status == 204) << followed.body;
  EXPECT_EQ(request(port, {"GET", "/following", {}, {{"Cookie", other.cookie}}}).body.find("Words on a doomed piece."),
            std::string::npos);

  // A draft in a new section, by a new author with a bio: none of it is public until it goes out.
  ASSERT_EQ(editor
                .send("POST", "/api/v1/articles",
                      R"({"title":"Inquiry","slug":"inquiry","status":"draft","authors":["Nadia Quill"],)"
                      R"("author_bio":"Nadia Quill covers the mayor's office.","section":"Mayor inquiry","body":"x"})")
                .status,
            201);
  EXPECT_EQ(get(port, "/").body.find("Mayor inquiry"), std::string::npos) << "not in the navigation";
  EXPECT_EQ(get(port, "/authors/nadia-quill").status, 404);
  EXPECT_EQ(get(port, "/sitemap.xml").body.find("mayor-inquiry"), std::string::npos);
  ASSERT_EQ(editor
                .send("PUT", "/api/v1/articles/inquiry",
                      R"({"title":"Inquiry","status":"published","authors":["Nadia Quill"],)"
                      R"("author_bio":"Nadia Quill covers the mayor's office.","section":"Mayor inquiry","body":"x"})")
                .status,
            200);
  EXPECT_NE(get(port, "/").body.find("Mayor inquiry"), std::string::npos);
  auto author = get(port, "/authors/nadia-quill");
  EXPECT_EQ(author.status, 200);
  EXPECT_NE(author.body.find("covers the mayor"), std::string::npos);

  // A scheduled piece cannot be retracted (nobody has read it): it can be unpublished.
  ASSERT_EQ(editor
                .send("POST", "/api/v1/articles",
                      R"({"title":"Later","slug":"later","published_at":"2099-01-01T00:00:00Z",)" + kFields + "}")
                .status,
            201);
  auto early = editor.send("POST", "/api/v1/articles/later/retract", R"({"note":"No."})");
  EXPECT_EQ(early.status, 409);
  EXPECT_EQ(error_code(early), "not_published");
}

TEST(ArticleLife, ADescriptionWrittenForSearchLeadsTheMetaTagsElseTheStandfirstDoes) {
  TestServer server(false);
  Editor ed{server.port(), server.app().tokens().create("desk", "editor").token};
  std::string base = R"({"title":"Buses are the quiet revolution","section":"Opinion","authors":["Ana Ruiz"],)"
                     R"("standfirst":"Cities that run buses well run well.","body":"Text.")";
  auto bad = ed.send("POST", "/api/v1/articles", base + R"(,"description":")" + std::string(301, 'x') + "\"}");
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(error_code(bad), "too_long");
  auto two_lines = ed.send("POST", "/api/v1/articles", base + R"(,"description":"one\ntwo"})");
  EXPECT_EQ(error_code(two_lines), "not_single_line");

  auto made = ed.send("POST", "/api/v1/articles", base + R"(,"description":"Why the humble bus beats the tram."})");
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(parse(made).at("description").as_string(), "Why the humble bus beats the tram.");
  std::string url(parse(made).at("url").as_string());
  auto page = get(server.port(), url).body;
  EXPECT_NE(page.find("<meta name=\"description\" content=\"Why the humble bus beats the tram.\">"), std::string::npos);
  EXPECT_NE(page.find("<meta property=\"og:description\" content=\"Why the humble bus beats the tram.\">"),
            std::string::npos);
  EXPECT_NE(page.find("\"description\":\"Why the humble bus beats the tram.\""), std::string::npos) << "JSON-LD";
  EXPECT_NE(page.find("Cities that run buses well run well."), std::string::npos) << "the standfirst stays on the page";

  // Without one, the standfirst stands in; the revision remembers what each save said.
  auto cleared = ed.send("PUT", "/api/v1/articles/buses-are-the-quiet-revolution", base + "}");
  ASSERT_EQ(cleared.status, 200);
  EXPECT_EQ(parse(cleared).at("description").as_string(), "");
  EXPECT_NE(get(server.port(), url)
                .body.find("<meta property=\"og:description\" content=\"Cities that run buses well run well.\">"),
            std::string::npos);
  auto revisions = json::parse(ed.send("GET", "/api/v1/desk/articles/buses-are-the-quiet-revolution/revisions").body);
  auto first = revisions.at("revisions").as_array().back().at("id").as_int64();
  auto revision =
      parse(ed.send("GET", "/api/v1/desk/articles/buses-are-the-quiet-revolution/revisions/" + std::to_string(first)));
  EXPECT_EQ(revision.at("description").as_string(), "Why the humble bus beats the tram.");

  // The desk's form carries it too.
  auto editor = staff_session(server, "describe@example.org", "Describer", "editor");
  auto saved =
      editor.form("/desk/articles/buses-are-the-quiet-revolution",
                  "title=Buses+are+the+quiet+revolution&authors=Ana+Ruiz&section=Opinion&body=Text.&comments=default"
                  "&action=update&version=" +
                      std::to_string(parse(cleared).at("version").as_int64()) +
                      "&description=" + percent_encode("Buses, not trams, for the next decade."));
  ASSERT_EQ(saved.status, 303) << saved.body.substr(0, 1500);
  EXPECT_EQ(server.app().articles().find_any("buses-are-the-quiet-revolution")->description,
            "Buses, not trams, for the next decade.");
  auto form =
      request(server.port(), {"GET", "/desk/articles/buses-are-the-quiet-revolution", {}, {{"Cookie", editor.cookie}}});
  EXPECT_NE(form.body.find("name=\"description\" maxlength=\"300\" value=\"Buses, not trams, for the next decade.\""),
            std::string::npos);
}
